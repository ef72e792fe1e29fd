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
there is no secondary instance), and the server's HTTP interface never hands out private graphs: while
``sozialgraph serve`` runs on an embedded store there is no backup. A remote store (``--store-url``) is read
graph by graph over SPARQL; the manifest counts what the dump holds, and the command warns when the store
changed while it ran (sozialgraph is the remote store's one writer: back up between submissions).

``restore`` loads a backup into an EMPTY store only (it refuses one with any named graph), in one atomic step,
and then checks the triples per graph and of the public default graph against the manifest.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections import Counter
from pathlib import Path

import click
import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.cli.base import Obj, main, pass_obj
from sozialgraph.errors import StoreLockedError
from sozialgraph.publish.release import sha256_of as sha256_file

DUMP = "dump.nq"
MANIFEST = "manifest.json"
FORMAT = "sozialgraph-backup"
VERSION = 1


def _open_store(obj: Obj, action_de: str, action_en: str):
    """The store, or a clear message (exit 1) when a running server holds the embedded store."""
    try:
        return obj.ctx.store
    except StoreLockedError:
        path = obj.settings.get("store")
        raise click.ClickException(obj.msg(
            f"Der Speicher {path} ist von einem anderen Prozess geöffnet (läuft 'sozialgraph serve'?). "
            f"{action_de} braucht den gestoppten Speicher: beenden Sie den Server und versuchen Sie es erneut. "
            f"Über HTTP gibt es keine Sicherung (der Server gibt private Graphen nicht heraus).",
            f"The store {path} is opened by another process (is 'sozialgraph serve' running?). "
            f"{action_en} needs the store stopped: stop the server and try again. There is no backup over HTTP "
            f"(the server never hands out private graphs).")) from None


def _store_name(obj: Obj, store) -> str:
    return str(store.path) if getattr(store, "path", None) else str(obj.settings.get("store_url") or "")


def count_dump(path: Path) -> dict[str, int]:
    """Triples per graph in an N-Quads file (each line one quad; pyoxigraph writes no duplicates)."""
    counts: Counter[str] = Counter()
    with open(path, "rb") as fh:
        for q in ox.parse(fh, ox.RdfFormat.N_QUADS):
            counts[q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""] += 1
    return dict(sorted(counts.items()))


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_obj
def backup(obj: Obj, directory: Path) -> None:
    """Back up every graph (private ones too) into DIRECTORY: dump.nq (N-Quads) and manifest.json.

    The embedded store needs the server stopped (it cannot be opened while `serve` runs); a remote store
    (--store-url) is read over SPARQL. The backup holds personal data: keep it like the store itself.
    """
    if directory.exists() and any(directory.iterdir()):
        raise click.ClickException(obj.msg(f"{directory} ist nicht leer: eine Sicherung braucht ein neues oder "
                                           f"leeres Verzeichnis.",
                                           f"{directory} is not empty: a backup needs a new or empty directory."))
    store = _open_store(obj, "Eine Sicherung", "A backup")
    t0 = time.perf_counter()
    generation = store.generation
    graphs = store.graphs()
    before = {g: store.count(g) for g in graphs}
    directory.mkdir(parents=True, exist_ok=True)
    part = directory / (DUMP + ".part")
    with open(part, "wb") as fh:
        store.dump(fh, "nq", public_only=False, graphs=graphs)
    os.replace(part, directory / DUMP)
    counts = count_dump(directory / DUMP)
    for g in graphs:  # an empty graph cannot be written in N-Quads; it is no graph after restore either
        counts.setdefault(g, 0)
    counts = {g: n for g, n in sorted(counts.items()) if n}
    public_default = store.count_public_default()
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "store": _store_name(obj, store),
        "dump": DUMP,
        "sha256": sha256_file(directory / DUMP),
        "bytes": (directory / DUMP).stat().st_size,
        "graphs": counts,
        "quads": sum(counts.values()),
        "public_default_graph": {"iri": ns.G_PUBLIC_DEFAULT, "triples": public_default},
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    after = {g: n for g in store.graphs() if (n := store.count(g))}
    if store.generation != generation or {g: n for g, n in before.items() if n} != counts or after != counts:
        click.echo(obj.msg("Warnung: der Speicher hat sich während der Sicherung geändert; wiederholen Sie sie, "
                           "wenn gerade nichts eingereicht wird.",
                           "Warning: the store changed while the backup ran; repeat it when nothing is being "
                           "submitted."), err=True)
    secs = time.perf_counter() - t0
    click.echo(obj.msg(f"Sicherung in {directory}: {len(counts)} Graphen, {manifest['quads']} Quads "
                       f"({secs:.2f} s). Sie enthält private Daten: nicht veröffentlichen.",
                       f"Backup in {directory}: {len(counts)} graphs, {manifest['quads']} quads ({secs:.2f} s). "
                       f"It holds private data: do not publish it."))


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
    store = _open_store(obj, "Eine Wiederherstellung", "A restore")
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
