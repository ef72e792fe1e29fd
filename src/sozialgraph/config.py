"""Settings: one declarative table read by the code, `--help` and the docs test.

Precedence: defaults < TOML file (SOZIALGRAPH_CONFIG or --config) < SOZIALGRAPH_* environment < command-line flags.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any



@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    type: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting("store", "var/store", "Directory of the embedded Oxigraph store (created on first use)."),
    Setting("store_url", "", "Query URL of a remote SPARQL 1.1 store to use instead of the embedded one (empty: "
            "embedded)."),
    Setting("store_update_url", "", "Update URL of the remote store (empty: the query URL)."),
    Setting("store_graph_url", "", "Graph Store Protocol URL of the remote store (optional)."),
    Setting("store_user", "", "User name for the remote store's update endpoint (optional)."),
    Setting("store_password", "", "Password for the remote store's update endpoint (optional)."),
    Setting("store_auth", "digest", "Authentication scheme of the remote store: digest or basic."),
    Setting("store_timeout", 60.0, "Seconds a request to the remote store may take.", float),
    Setting("host", "127.0.0.1", "Address the server listens on."),
    Setting("port", 8000, "Port the server listens on.", int),
    Setting("threads", 8, "Request threads of the WSGI server.", int),
    Setting("query_timeout", 30.0, "Time limit of one SPARQL query in seconds.", float),
    Setting("max_rows", 10000, "Most result rows (or triples) one SPARQL query returns.", int),
    Setting("query_workers", 2, "Worker processes that evaluate SPARQL queries (and queries running at once).", int),
    Setting("queue_timeout", 10.0, "Seconds a query waits for a free worker before the server answers 503.", float),
    Setting("query_fast_workers", 1, "Worker processes of the fast lane: every query first runs there for "
            "query_fast_seconds, so cheap queries are answered while expensive ones run (0: no fast lane).", int),
    Setting("query_fast_seconds", 1.0, "Seconds a query may run in the fast lane before it moves on to the general "
            "lane (in the same process, within the same time limit).", float),
    Setting("query_memory_mb", 2048, "Address-space cap per SPARQL query worker in MiB (0: no cap); a query beyond it "
            "ends with 503 and the worker is replaced.", int),
    Setting("max_query_string", 8000, "Longest query string of a GET request in bytes; longer ones get a JSON 414 "
            "asking for POST.", int),
    Setting("federation_allow", "", "SERVICE endpoints the public SPARQL endpoint may call (comma-separated URL "
            "prefixes; '*' any; empty: SERVICE refused)."),
    Setting("checkpoint_dir", "", "Directory for the read-only store checkpoints of the SPARQL workers (empty: "
            "next to the store, STORE-checkpoints; must be on the store's file system)."),
    Setting("upload_limit_mb", 20, "Largest accepted submission file in MiB.", int),
    Setting("submit_wait", 120.0, "Seconds a submission waits for other submissions being stored before it is "
            "answered 503 with Retry-After.", float),
    Setting("validate_workers", 2, "Processes that run SHACL on a large submission (1: validate in-process only).",
            int),
    Setting("token_days", 365, "Days an upload token from `sozialgraph token create` stays valid.", int),
    Setting("admin_token", "", "Secret of the admin routes /api/admin/… (Authorization: Bearer …) for tokens, backups "
            "and geodata while serving; empty: no admin routes (404). The CLI's --admin-token reads "
            "SOZIALGRAPH_ADMIN_TOKEN."),
    Setting("admin_token_file", "", "File holding the admin token (instead of admin_token; read on every request)."),
    Setting("backup_dir", "", "Folder of backups made while serving (POST /api/admin/backup, `backup NAME --server`); "
            "empty: 'backups' next to the store."),
    Setting("public_url", "", "Public base URL of this server (for links in catalogue and service description); "
            "empty: taken from each request."),
    Setting("licence", "http://dcat-ap.de/def/licenses/dl-by-de/2.0", "Licence of published data (IRI)."),
    Setting("downloads_dir", "", "Folder of the server's current open-data release for /katalog and /downloads "
            "(empty: 'downloads' next to the store)."),
    Setting("demo_offers", 2000, "Demo offers loaded by `serve` into an empty store.", int),
    Setting("demo_seed", 1, "Seed of the demo generator.", int),
    Setting("analysis_after_write", True, "Recompute the analysis (burden, coverage, gaps) after every write "
            "that changes its inputs: init, demo, submissions, rollbacks, indicator imports (false: only "
            "`sozialgraph analyse run`).", bool),
    Setting("example_indicators", True, "Load the synthetic indicator series 2020-2025 (Beispieldaten, "
            "data/beispiel/) into …/graph/indicators/beispiel at `init` and first `serve`; false: leave "
            "it out (and empty that graph).", bool),
    Setting("example_steering", True, "Load the example goals, needs, measures and evaluations (Beispieldaten, "
            "data/beispiel/steuerung-beispiel.ttl) into …/graph/steering/beispiel at `init` and first `serve`; "
            "false: leave them out (and empty that graph).", bool),
    Setting("shared", "../shared", "Folder of shared reference material (optional)."),
)

BY_NAME = {s.name: s for s in SETTINGS}


def _convert(setting: Setting, value: Any) -> Any:
    if value is None:
        return None
    if setting.type is bool and isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "ja")
    return setting.type(value)


def load(overrides: dict[str, Any] | None = None, config_file: str | os.PathLike | None = None) -> dict[str, Any]:
    """Resolve every setting: defaults < file < environment < overrides (None values are ignored)."""
    values = {s.name: s.default for s in SETTINGS}
    path = config_file or os.environ.get("SOZIALGRAPH_CONFIG")
    if path:
        with open(path, "rb") as fh:
            for key, val in tomllib.load(fh).items():
                if key not in BY_NAME:
                    raise ValueError(f"Unbekannte Einstellung '{key}' in {path} / unknown setting")
                values[key] = _convert(BY_NAME[key], val)
    for s in SETTINGS:
        env = os.environ.get("SOZIALGRAPH_" + s.name.upper())
        if env is not None and env != "":
            values[s.name] = _convert(s, env)
    for key, val in (overrides or {}).items():
        if val is not None:
            values[key] = _convert(BY_NAME[key], val)
    return values
