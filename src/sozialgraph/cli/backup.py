"""The operator's backup: `sozialgraph backup DIR` and `sozialgraph restore DIR`.

A backup is a directory with two files:

- ``dump.nq``: every named graph of the store as N-Quads, the private ones too (office contacts, tokens,
  provenance). It is the operator's copy: never publish it. The public default graph (the materialised merge
  ``namespaces.G_PUBLIC_DEFAULT``) is not in the dump; restore recomputes it from the public graphs.
- ``manifest.json``: when, from which store, the triples per graph (counted in the dump itself), the triples of
  the public default graph, and the SHA-256 of the dump.

Consistency. The embedded store (``--store``) is opened by one process only (RocksDB's lock), so a backup of it
reads a store nothing else writes: it is consistent, but it needs the server stopped. pyoxigraph 0.5 has no safe
way into a store another process has open (``Store.read_only`` is undefined behaviour while a writer runs, and
there is no secondary instance). While ``sozialgraph serve`` runs, ``backup NAME --server URL --admin-token TOKEN``
asks the server to write the backup itself (``POST /api/admin/backup``, web/views/admin.py): the process that owns
the store writes it under ``store.write_lock``, so no write can interleave; it lands in the server's backup folder
(setting ``backup_dir``). A remote store (``--store-url``) is read graph by graph over SPARQL; the manifest counts
what the dump holds, and the command warns when the store changed while it ran (sozialgraph is the remote store's
one writer: back up between submissions).

``restore`` loads a backup into an EMPTY store only (it refuses one with any named graph), in one atomic step,
and then checks the triples per graph and of the public default graph against the manifest.
"""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import click
import pyoxigraph as ox
import requests

from sozialgraph import namespaces as ns
from sozialgraph.cli.base import Obj, main, pass_obj
from sozialgraph.errors import StoreLockedError
from sozialgraph.store.backup import DUMP, FORMAT, MANIFEST, VERSION, count_dump, sha256_file, write_backup



def _open_store(obj: Obj, action_de: str, action_en: str, hint_de: str | None = None,
                hint_en: str | None = None):
    """The store, or a clear message (exit 1) when a running server holds the embedded store."""
    try:
        return obj.ctx.store
    except StoreLockedError:
        path = obj.settings.get("store")
        hint_de = hint_de or ("Eine Sicherung des laufenden Servers macht der Server selbst: "
                              "'sozialgraph backup NAME --server URL --admin-token TOKEN' "
                              "(oder Umgebungsvariable SOZIALGRAPH_ADMIN_TOKEN).")
        hint_en = hint_en or ("The running server backs itself up: "
                              "'sozialgraph backup NAME --server URL --admin-token TOKEN' "
                              "(or environment variable SOZIALGRAPH_ADMIN_TOKEN).")
        raise click.ClickException(obj.msg(
            f"Der Speicher {path} ist von einem anderen Prozess geöffnet (läuft 'sozialgraph serve'?). "
            f"{action_de} braucht den gestoppten Speicher: beenden Sie den Server und versuchen Sie es erneut. "
            f"{hint_de}",
            f"The store {path} is opened by another process (is 'sozialgraph serve' running?). "
            f"{action_en} needs the store stopped: stop the server and try again. {hint_en}")) from None


# -- talking to a running server (the admin routes of web/views/admin.py) -------------------------------------------
def server_options(f):
    """--server URL and --admin-token TOKEN: run the command through the running server's admin routes."""
    f = click.option("--admin-token", metavar="TOKEN", envvar="SOZIALGRAPH_ADMIN_TOKEN", show_envvar=True,
                     help="The server's admin token (its setting admin_token).")(f)
    f = click.option("--server", metavar="URL",
                     help="Base URL of a running `sozialgraph serve` (e.g. http://127.0.0.1:8000): do it there, "
                          "through its admin routes, instead of opening the store.")(f)
    return f


def admin_request(obj: Obj, server: str, admin_token: str | None, method: str, path: str, *,
                  json_body=None, params=None, data: bytes | None = None, timeout: float = 120,
                  allow_404: bool = False) -> requests.Response:
    """One request to the server's admin API; a clear message (exit 1) for every failure, the response otherwise
    (2xx, or 404 with ``allow_404``: the caller says what was not found)."""
    if not admin_token:
        raise click.UsageError(obj.msg("--server braucht den Admin-Schlüssel des Servers: --admin-token TOKEN oder "
                                       "die Umgebungsvariable SOZIALGRAPH_ADMIN_TOKEN.",
                                       "--server needs the server's admin token: --admin-token TOKEN or the "
                                       "environment variable SOZIALGRAPH_ADMIN_TOKEN."))
    url = server.rstrip("/") + path
    headers = {"Authorization": f"Bearer {admin_token}", "Accept": "application/json",
               "Accept-Language": obj.lang}
    try:
        r = requests.request(method, url, json=json_body, params=params, data=data, headers=headers,
                             timeout=(10, timeout))
    except requests.RequestException as exc:
        raise click.ClickException(obj.msg(f"Der Server {server} ist nicht erreichbar: {exc}",
                                           f"The server {server} cannot be reached: {exc}")) from None
    if r.ok or (r.status_code == 404 and allow_404):
        return r
    if r.status_code == 404:  # the admin routes answer 404 when the server has no admin token
        raise click.ClickException(obj.msg(
            f"{url}: 404. Hat der Server einen Admin-Schlüssel (Einstellung admin_token oder admin_token_file)? "
            f"Ohne ihn gibt es die Admin-Schnittstelle nicht.",
            f"{url}: 404. Does the server have an admin token (setting admin_token or admin_token_file)? Without "
            f"one there is no admin interface."))
    try:
        body = r.json()
        de, en = body.get("error_de") or body.get("error"), body.get("error_en") or body.get("error")
    except ValueError:
        de = en = None
    raise click.ClickException(obj.msg(f"Der Server antwortet {r.status_code}: {de or r.text[:300]}",
                                       f"The server answers {r.status_code}: {en or r.text[:300]}"))


def _store_name(obj: Obj, store) -> str:
    return str(store.path) if getattr(store, "path", None) else str(obj.settings.get("store_url") or "")


def _backup_via_server(obj: Obj, directory: Path, server: str, admin_token: str | None) -> None:
    t0 = time.perf_counter()
    r = admin_request(obj, server, admin_token, "POST", "/api/admin/backup", json_body={"dir": str(directory)},
                      timeout=3600)
    body = r.json()
    manifest = body.get("manifest") or {}
    secs = time.perf_counter() - t0
    where = body.get("path") or str(directory)
    click.echo(obj.msg(f"Sicherung durch den Server in {where}: {len(manifest.get('graphs', {}))} Graphen, "
                       f"{manifest.get('quads')} Quads ({secs:.2f} s). Sie enthält private Daten: nicht "
                       f"veröffentlichen.",
                       f"Backup by the server in {where}: {len(manifest.get('graphs', {}))} graphs, "
                       f"{manifest.get('quads')} quads ({secs:.2f} s). It holds private data: do not publish it."))


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@server_options
@pass_obj
def backup(obj: Obj, directory: Path, server: str | None, admin_token: str | None) -> None:
    """Back up every graph (private ones too) into DIRECTORY: dump.nq (N-Quads) and manifest.json.

    The embedded store needs the server stopped (it cannot be opened while `serve` runs); with --server the
    running server writes a consistent backup itself, into the folder DIRECTORY (a plain name) of its backup
    folder (its setting backup_dir). A remote store (--store-url) is read over SPARQL. The backup holds personal
    data: keep it like the store itself.
    """
    if server:
        _backup_via_server(obj, directory, server, admin_token)
        return
    if directory.exists() and any(directory.iterdir()):
        raise click.ClickException(obj.msg(f"{directory} ist nicht leer: eine Sicherung braucht ein neues oder "
                                           f"leeres Verzeichnis.",
                                           f"{directory} is not empty: a backup needs a new or empty directory."))
    store = _open_store(obj, "Eine Sicherung", "A backup")
    t0 = time.perf_counter()
    manifest, changed = write_backup(store, directory, _store_name(obj, store))
    if changed:
        click.echo(obj.msg("Warnung: der Speicher hat sich während der Sicherung geändert; wiederholen Sie sie, "
                           "wenn gerade nichts eingereicht wird.",
                           "Warning: the store changed while the backup ran; repeat it when nothing is being "
                           "submitted."), err=True)
    secs = time.perf_counter() - t0
    click.echo(obj.msg(f"Sicherung in {directory}: {len(manifest['graphs'])} Graphen, {manifest['quads']} Quads "
                       f"({secs:.2f} s). Sie enthält private Daten: nicht veröffentlichen.",
                       f"Backup in {directory}: {len(manifest['graphs'])} graphs, {manifest['quads']} quads "
                       f"({secs:.2f} s). It holds private data: do not publish it."))


def read_manifest(obj: Obj, directory: Path) -> dict:
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise click.ClickException(obj.msg(f"{directory / MANIFEST} fehlt: {directory} ist keine Sicherung.",
                                           f"{directory / MANIFEST} is missing: {directory} is no backup.")) \
            from None
    except (ValueError, OSError) as exc:
        raise click.ClickException(obj.msg(f"{directory / MANIFEST} ist nicht lesbar: {exc}",
                                           f"{directory / MANIFEST} cannot be read: {exc}")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise click.ClickException(obj.msg(f"{directory / MANIFEST} ist kein Manifest einer Sicherung "
                                           f"(format {FORMAT}, version {VERSION}).",
                                           f"{directory / MANIFEST} is not a backup manifest "
                                           f"(format {FORMAT}, version {VERSION})."))
    return manifest


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@pass_obj
def restore(obj: Obj, directory: Path) -> None:
    """Load a backup made by `sozialgraph backup` into an EMPTY store and check its counts.

    A store that holds any graph is refused (restore never merges into or overwrites data).
    """
    manifest = read_manifest(obj, directory)
    dump = directory / manifest.get("dump", DUMP)
    if not dump.is_file():
        raise click.ClickException(obj.msg(f"{dump} fehlt.", f"{dump} is missing."))
    if sha256_file(dump) != manifest.get("sha256"):
        raise click.ClickException(obj.msg(f"{dump} ist beschädigt: die SHA-256-Prüfsumme stimmt nicht mit dem "
                                           f"Manifest überein.",
                                           f"{dump} is damaged: its SHA-256 does not match the manifest."))
    store = _open_store(obj, "Eine Wiederherstellung", "A restore",
                        "Eine Wiederherstellung geht nur in einen neuen, leeren Speicher, den kein Server geöffnet "
                        "hat (--store NEUER_PFAD).",
                        "A restore only goes into a new, empty store that no server has open "
                        "(--store NEW_PATH).")
    present = store.graphs()
    if present or store.count_public_default():
        raise click.ClickException(obj.msg(
            f"Der Speicher {_store_name(obj, store)} ist nicht leer ({len(present)} Graphen). Wiederherstellen "
            f"geht nur in einen leeren Speicher: wählen Sie mit --store einen neuen Pfad.",
            f"The store {_store_name(obj, store)} is not empty ({len(present)} graphs). A restore needs an empty "
            f"store: choose a new path with --store."))
    t0 = time.perf_counter()
    with open(dump, "rb") as fh:
        data = fh.read()
    quads = [q for q in ox.parse(io.BytesIO(data), ox.RdfFormat.N_QUADS) if isinstance(q.graph_name, ox.NamedNode)]
    store.extend(quads)  # one atomic step; the public default graph follows in it
    store.flush()
    problems = []
    expected: dict[str, int] = manifest.get("graphs", {})
    got = {g: store.count(g) for g in store.graphs()}
    for g in sorted(set(expected) | set(got)):
        if expected.get(g, 0) != got.get(g, 0):
            problems.append(f"{g}: {got.get(g, 0)} != {expected.get(g, 0)}")
    want_default = (manifest.get("public_default_graph") or {}).get("triples")
    if want_default is not None and store.count_public_default() != want_default:
        problems.append(f"{ns.G_PUBLIC_DEFAULT}: {store.count_public_default()} != {want_default}")
    if problems:
        raise click.ClickException(obj.msg("Die Wiederherstellung stimmt nicht mit dem Manifest überein "
                                           "(geladen != erwartet):\n  " + "\n  ".join(problems),
                                           "The restore does not match the manifest (loaded != expected):\n  "
                                           + "\n  ".join(problems)))
    secs = time.perf_counter() - t0
    click.echo(obj.msg(f"Wiederhergestellt aus {directory} (Sicherung vom {manifest.get('created')}): "
                       f"{len(got)} Graphen, {sum(got.values())} Quads, Zahlen geprüft ({secs:.2f} s).",
                       f"Restored from {directory} (backup of {manifest.get('created')}): {len(got)} graphs, "
                       f"{sum(got.values())} quads, counts verified ({secs:.2f} s)."))
