"""Operator backups of a store: every graph (private ones too) as N-Quads with a manifest (time, triples per
graph, SHA-256), written by `sozialgraph backup` (a stopped embedded store, or a remote one) and by the server's
admin route under the store's write lock (consistent while serving); read back by `sozialgraph restore`."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from sozialgraph import namespaces as ns

DUMP = "dump.nq"
MANIFEST = "manifest.json"
FORMAT = "sozialgraph-backup"
VERSION = 1


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def count_dump(path: Path) -> dict[str, int]:
    """Triples per graph in an N-Quads file (each line one quad; pyoxigraph writes no duplicates)."""
    counts: Counter[str] = Counter()
    with open(path, "rb") as fh:
        for q in ox.parse(fh, ox.RdfFormat.N_QUADS):
            counts[q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""] += 1
    return dict(sorted(counts.items()))


def write_backup(store, directory: Path, store_name: str) -> tuple[dict, bool]:
    """Write dump.nq and manifest.json into ``directory`` (new or empty; created): (manifest, whether the store
    changed while it ran). The caller makes it consistent: a store no other process writes (the CLI on the
    embedded store), or ``store.write_lock`` held by the process that owns it (the server's admin route)."""
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
        "store": store_name,
        "dump": DUMP,
        "sha256": sha256_file(directory / DUMP),
        "bytes": (directory / DUMP).stat().st_size,
        "graphs": counts,
        "quads": sum(counts.values()),
        "public_default_graph": {"iri": ns.G_PUBLIC_DEFAULT, "triples": public_default},
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    after = {g: n for g in store.graphs() if (n := store.count(g))}
    changed = store.generation != generation or {g: n for g, n in before.items() if n} != counts or after != counts
    return manifest, changed
