"""The embedded backend: an on-disk pyoxigraph Store, one named graph per source.

``update`` and ``extend`` are each one transaction in Oxigraph, ``bulk_load`` is not: ``apply`` runs a change as
one update; ``write_new_graph`` bulk-loads a graph nothing references yet. RocksDB allows one process to open the
directory for writing, and an open store must never cross a fork: the process that uses it opens it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.errors import StoreLockedError
from sozialgraph.formats import info as format_info, rdf_format
from sozialgraph.store.base import MERGED, Store, is_listed


class OxigraphStore(Store):
    def __init__(self, path: str | os.PathLike | None, read_only: bool = False):
        super().__init__()
        self.path = Path(path) if path is not None else None
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                Path(path).mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"Der Speicher {path} ist von einem anderen Prozess geöffnet (läuft 'sozialgraph serve'?). "
                    f"Beenden Sie ihn oder nutzen Sie die HTTP-Schnittstelle.",
                    f"The store {path} is opened by another process (is 'sozialgraph serve' running?). Stop it "
                    f"or use the HTTP interface.") from exc
            raise
        self.read_only = read_only

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph Store, for the query workers' evaluation in this process (sparql/pool.py)."""
        return self._store

    # -- reading -------------------------------------------------------------------------------------------
    def query(self, sparql: str, *, public_only: bool = False, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None, timeout: float | None = None):
        dg, ng = self.dataset(public_only, default_graph, named_graphs)
        kwargs: dict = {"default_graph": [ox.NamedNode(g) for g in dg] or [ox.NamedNode(ns.GRAPH + "empty")]}
        if ng is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in ng]
        return self._store.query(sparql, **kwargs)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs()
                      if isinstance(g, ox.NamedNode) and is_listed(g.value))

    def has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def triples(self, graph: str) -> Iterator[ox.Triple]:
        for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            yield ox.Triple(q.subject, q.predicate, q.object)

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return sum(self.count(g) for g in self.graphs())
        # counted inside Oxigraph: iterating the quads in Python took 3 s for the demo store's public graphs
        res = self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ox.NamedNode(graph).value}> {{ ?s ?p ?o }} }}")
        return int(next(iter(res))["n"].value)

    def graph_ntriples(self, graph: str) -> bytes:
        buf = io.BytesIO()
        self._store.dump(buf, ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        return buf.getvalue()

    def dump_graph(self, output: IO[bytes], fmt: str, graph: str) -> None:
        """Serialise one named graph natively in Oxigraph (fast path for big dumps)."""
        f = format_info(fmt)
        kwargs = {"prefixes": ns.PREFIXES} if f.ox_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else {}
        self._store.dump(output, f.ox_format, from_graph=ox.NamedNode(graph), **kwargs)

    # -- writing -------------------------------------------------------------------------------------------
    def _run_update(self, ops: list[str]) -> None:
        self._store.update(";\n".join(ops))

    def _write_new_graph(self, graph: str, data: bytes) -> None:
        self._store.update(f"DROP SILENT GRAPH <{graph}>")
        if data:
            self._store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))

    def load_file(self, path, graph: str, fmt: str | None = None, bulk: bool = False) -> None:
        """Load an RDF file into ``graph``, replacing it; ``bulk`` streams big files (fast, not transactional:
        for first loads and benchmarks) and then recomputes the public merge the same way."""
        if not bulk:
            return super().load_file(path, graph, fmt)
        f = rdf_format(fmt or str(path))
        with self.write_lock:
            self._store.update(f"DROP SILENT GRAPH <{graph}>")
            self._store.bulk_load(path=str(path), format=f, to_graph=ox.NamedNode(graph))
            if ns.is_public_graph(graph):
                self._bulk_rebuild_merged()
            self._changed()

    def rebuild_public_default(self) -> None:
        with self.write_lock:
            self._bulk_rebuild_merged()
            self._changed()

    def _bulk_rebuild_merged(self) -> None:
        """The public merge rebuilt with the bulk loader (big stores: one SPARQL update would hold it all in
        memory)."""
        m = ox.NamedNode(MERGED)
        self._store.update(f"DROP SILENT GRAPH <{MERGED}>")
        public = [ox.NamedNode(g) for g in self.public_graphs()]
        self._store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, m)
                                for g in public for q in self._store.quads_for_pattern(None, None, None, g))

    def checkpoint(self, target: str | os.PathLike) -> None:
        """A consistent, cheap (hard-linked) copy that other processes may open read-only."""
        self._store.flush()
        self._store.backup(str(target))

    def flush(self) -> None:
        self._store.flush()

    def optimize(self) -> None:
        self._store.optimize()

    def close(self) -> None:
        """Release RocksDB (its lock and background threads) now rather than at garbage collection."""
        self._store = None


def prune_to_public(path: str) -> None:
    """Remove the private graphs (and the unused default graph) from a fresh checkpoint before any query worker
    opens it, so that the workers cannot read private data at all. Runs in a fresh interpreter (see
    sparql/pool.py: RocksDB cannot open another database in a forked process)."""
    st = ox.Store(path)
    private = [g for g in st.named_graphs() if isinstance(g, ox.NamedNode) and not ns.is_public_graph(g.value)]
    st.update(";\n".join(["DROP SILENT DEFAULT"] + [f"DROP SILENT GRAPH {g}" for g in private]))
    st.flush()


def open_store(path: str | os.PathLike | None, read_only: bool = False) -> OxigraphStore:
    return OxigraphStore(path, read_only=read_only)


if __name__ == "__main__":  # python -m sozialgraph.store.oxigraph --prune CHECKPOINT
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "--prune":
        from sozialgraph.store import oxigraph as _ox  # the package's module, not __main__

        _ox.prune_to_public(sys.argv[2])
