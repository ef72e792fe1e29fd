"""The store interface: the only way to the data.

Every module asks a ``Store`` for what it needs; only ``store/`` speaks SPARQL Update. Two backends implement it:
``oxigraph.OxigraphStore`` (embedded, on disk) and ``sparql.SparqlStore`` (any SPARQL 1.1 Query + Update server).

Reading: ``query`` (pyoxigraph result objects on both backends), ``select``, ``construct``, ``ask``, each with an
optional dataset and ``public_only``. Writing: ``apply(Change)`` is one atomic step (one transaction on Oxigraph,
one update request on a remote server) that replaces, inserts into, deletes from and drops graphs;
``write_new_graph`` is the fast, non-transactional write of a graph that nothing references yet (version graphs).

The public default graph. Offices state the same provider or place in their own graphs, so a union of the public
graphs would return such a triple once per graph (pyoxigraph 0.5 and Virtuoso both do). SPARQL's default graph is
the RDF *merge* of its graphs, each triple once; the store keeps that merge materialised in the graph
``namespaces.G_PUBLIC_DEFAULT``, maintained in the same atomic step as every write to a public graph: added triples
are inserted, removed ones deleted unless another public graph still holds them. Public queries use it as their
default graph and the public graphs as named graphs; the merge is never itself listed as a named graph.
"""

from __future__ import annotations

import contextlib
import io
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.errors import StoreError
from sozialgraph.formats import rdf_format

MERGED = ns.G_PUBLIC_DEFAULT
PRIVATE = ns.G_PRIVATE
STAGING = ns.G_PRIVATE + "staging/"

Triples = Iterable[ox.Triple] | bytes  # triples, or their N-Triples serialisation


# ?g is one of the project's public graphs (not the merge itself, not a server's system graph)
_PUBLIC_GRAPH_FILTER = (f'STRSTARTS(STR(?g), "{ns.GRAPH}") && ?g != <{ns.G_PUBLIC_DEFAULT}> '
                        f'&& !STRSTARTS(STR(?g), "{ns.G_PRIVATE}")')


class StoreBusy(StoreError):
    """Other writers hold the store longer than a caller may wait."""


def iri(value: str) -> str:
    """An IRI as a SPARQL/N-Triples term, validated by pyoxigraph (raises ValueError on a bad IRI)."""
    return str(ox.NamedNode(value))


def nt_bytes(triples: Triples) -> bytes:
    """Triples as canonical N-Triples bytes (pyoxigraph writes one canonical line per triple)."""
    if isinstance(triples, (bytes, bytearray)):
        return bytes(triples)
    buf = io.BytesIO()
    ox.serialize(triples, buf, ox.RdfFormat.N_TRIPLES)
    return buf.getvalue()


def nt_lines(data: bytes) -> set[bytes]:
    return {line for line in data.splitlines() if line.strip()}


def joined(lines: Iterable[bytes]) -> str:
    return "".join(line.decode("utf-8") + "\n" for line in sorted(lines))


def is_listed(graph: str) -> bool:
    """A named graph a user may see listed: everything but the materialised public merge."""
    return graph != MERGED


@dataclass
class Change:
    """One atomic write. ``replace``: graph -> its whole new content; ``insert``/``delete``: graph -> triples to add
    or remove; ``drop``: graphs to remove. Graphs named in ``replace`` must not appear in the other fields."""

    replace: dict[str, Triples] = field(default_factory=dict)
    insert: dict[str, Triples] = field(default_factory=dict)
    delete: dict[str, Triples] = field(default_factory=dict)
    drop: list[str] = field(default_factory=list)


class TriplesResult:
    """A CONSTRUCT/DESCRIBE answer from a remote server, with the parts of pyoxigraph's QueryTriples callers use."""

    def __init__(self, triples: list[ox.Triple]):
        self._triples = triples

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(self._triples)

    def serialize(self, output=None, format=ox.RdfFormat.N_TRIPLES):  # noqa: A002 (pyoxigraph's name)
        return ox.serialize(self._triples, output, format)


# removed triples above this many: the public merge is recomputed instead of deleting them one by one
MERGED_DELETE_MAX = 20000


class Store:
    """Base of the backends: the shared logic (change counter, one write lock, the public merge, dumps)."""

    read_only: bool = False
    path = None  # a directory for embedded stores; None otherwise
    # A change with more triples than this is staged: its data goes first into private staging graphs (in
    # parts, not transactional: nothing references them), then one short update moves it into place. Servers
    # whose SPARQL parser cannot take a large request (Virtuoso) need it; None: never stage.
    stage_above: int | None = None

    def __init__(self) -> None:
        self.write_lock = threading.RLock()  # the one lock every write of this process takes
        self.generation = 0  # the change counter: bumped after every write
        self._listeners: list[Callable[[Store], None]] = []

    # -- change counter ------------------------------------------------------------------------------------
    def subscribe(self, callback: Callable[["Store"], None]) -> None:
        self._listeners.append(callback)

    def unsubscribe(self, callback: Callable[["Store"], None]) -> None:
        try:
            self._listeners.remove(callback)
        except ValueError:
            pass

    def _changed(self) -> None:
        self.generation += 1
        for callback in list(self._listeners):
            callback(self)

    # -- reading (backends implement query, graphs, graph_ntriples) -----------------------------------------
    def query(self, sparql: str, *, public_only: bool = False, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None, timeout: float | None = None):
        """Run a query; pyoxigraph QuerySolutions, QueryBoolean or (Query)Triples. Without a dataset the default
        graph is every graph but the public merge (internal use) or, with ``public_only``, the public merge, with
        the public graphs as named graphs; a given dataset is intersected with the public graphs then."""
        raise NotImplementedError

    def graphs(self) -> list[str]:
        """Every named graph (public and private), the public merge left out."""
        raise NotImplementedError

    def graph_ntriples(self, graph: str) -> bytes:
        """One graph as N-Triples bytes, one canonical line per triple."""
        raise NotImplementedError

    def dataset(self, public_only: bool, default_graph: list[str] | None,
                named_graphs: list[str] | None) -> tuple[list[str], list[str] | None]:
        """The (default graphs, named graphs) a query runs on, always explicit (servers differ in what they take
        when a protocol dataset names only one of the two)."""
        if public_only:
            public = self.public_graphs()
            if default_graph is None and named_graphs is None:
                return [MERGED], public
            dg = [g for g in (default_graph or []) if ns.is_public_graph(g)]
            ng = [g for g in (named_graphs or []) if ns.is_public_graph(g) and is_listed(g)]
            return dg or [ns.GRAPH + "empty"], ng
        every = self.graphs()
        return (every if default_graph is None else default_graph), (every if named_graphs is None else named_graphs)

    def select(self, sparql: str, **kwargs) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]:
        """A SELECT query as a list of {variable: term} dicts (unbound variables left out)."""
        res = self.query(sparql, **kwargs)
        names = [v.value for v in res.variables]
        out = []
        for sol in res:
            out.append({n: sol[n] for n in names if sol[n] is not None})
        return out

    def construct(self, sparql: str, **kwargs) -> list[ox.Triple]:
        return list(self.query(sparql, **kwargs))

    def ask(self, sparql: str, **kwargs) -> bool:
        return bool(self.query(sparql, **kwargs))

    def public_graphs(self) -> list[str]:
        return [g for g in self.graphs() if ns.is_public_graph(g)]

    def has_graph(self, graph: str) -> bool:
        return graph in self.graphs()

    def triples(self, graph: str) -> Iterator[ox.Triple]:
        data = self.graph_ntriples(graph)
        for q in ox.parse(data, ox.RdfFormat.N_TRIPLES):
            yield ox.Triple(q.subject, q.predicate, q.object)

    def count(self, graph: str | None = None) -> int:
        """Triples in one graph, or quads in all listed graphs."""
        if graph is not None:
            return len(nt_lines(self.graph_ntriples(graph)))
        return sum(self.count(g) for g in self.graphs())

    def count_public_default(self) -> int:
        """Distinct triples of the public default graph (the merge of the public graphs)."""
        return self.count(MERGED)

    def dump(self, output: IO[bytes], fmt: str = "nq", public_only: bool = True,
             graphs: list[str] | None = None) -> None:
        """Serialise graphs (default: the public ones). Dataset formats keep the graphs; triple formats write
        their merge, each triple once (for all public graphs: the public default graph)."""
        f = rdf_format(fmt)
        selected = graphs if graphs is not None else (self.public_graphs() if public_only else self.graphs())
        if f.supports_datasets:
            quads = (ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
                     for g in selected for t in self.triples(g))
            ox.serialize(quads, output, f, prefixes=ns.PREFIXES if f is ox.RdfFormat.TRIG else None)
            return
        if graphs is None and public_only:
            triples: Iterable[ox.Triple] = self.triples(MERGED)
        else:
            lines: set[bytes] = set()
            for g in selected:
                lines |= nt_lines(self.graph_ntriples(g))
            triples = [ox.Triple(q.subject, q.predicate, q.object)
                       for q in ox.parse(joined(lines).encode("utf-8"), ox.RdfFormat.N_TRIPLES)]
        kwargs = {"prefixes": ns.PREFIXES} if f in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML,
                                                    ox.RdfFormat.JSON_LD) else {}
        ox.serialize(triples, output, f, **kwargs)

    def dump_graph(self, output: IO[bytes], fmt: str, graph: str) -> None:
        f = rdf_format(fmt)
        kwargs = {"prefixes": ns.PREFIXES} if f in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else {}
        ox.serialize(self.triples(graph), output, f, **kwargs)

    # -- writing -------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self, wait: float):
        """Hold the write lock for a read-check-write sequence (a new version number, then its graphs); wait at
        most ``wait`` seconds for other writers, then StoreBusy (503, Retry-After): queued, never hung."""
        if not self.write_lock.acquire(timeout=wait):
            raise StoreBusy(
                f"Gerade werden andere Einreichungen gespeichert; nach {wait:g} s Wartezeit ist der Speicher noch "
                f"belegt (Einstellung submit_wait). Bitte in einer Minute noch einmal einreichen.",
                f"Other submissions are being stored; after waiting {wait:g} s the store is still busy (setting "
                f"submit_wait). Please submit again in a minute.", status=503, headers={"Retry-After": "30"})
        try:
            yield
        finally:
            self.write_lock.release()

    def apply(self, change: Change) -> None:
        """One atomic write; the public merge follows in the same step."""
        with self.write_lock:
            self._drop_stale_staging()
            change = Change({g: nt_bytes(v) for g, v in change.replace.items()},
                            {g: nt_bytes(v) for g, v in change.insert.items()},
                            {g: nt_bytes(v) for g, v in change.delete.items()}, list(change.drop))
            size = sum(data.count(b"\n") for part in (change.replace, change.insert, change.delete)
                       for data in part.values())
            staged: list[str] = []
            try:
                if self.stage_above is not None and size > self.stage_above:
                    ops, staged = self._staged_ops(change)
                else:
                    ops = self._update_ops(change)
                if ops:
                    self._run_update(ops)
            finally:
                if staged:
                    self._run_update([f"DROP SILENT GRAPH {iri(g)}" for g in staged])
            self._changed()

    def _drop_stale_staging(self) -> None:
        stale = [g for g in self.graphs() if g.startswith(STAGING)]
        if stale:
            self._run_update([f"DROP SILENT GRAPH {iri(g)}" for g in stale])

    def _staged_ops(self, change: Change) -> tuple[list[str], list[str]]:
        """The change as a short update over staging graphs written beforehand; the merge is recomputed."""
        ops: list[str] = []
        staged: list[str] = []

        def stage(data: bytes) -> str:
            g = STAGING + uuid.uuid4().hex
            staged.append(g)
            self._write_new_graph(g, data)
            return g

        for graph, content in change.replace.items():
            data = nt_bytes(content)
            ops.append(f"DROP SILENT GRAPH {iri(graph)}")
            if data.strip():
                ops.append(f"ADD SILENT GRAPH {iri(stage(data))} TO GRAPH {iri(graph)}")
        for graph, content in change.delete.items():
            data = nt_bytes(content)
            if data.strip():
                ops.append(f"DELETE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {iri(stage(data))} "
                           f"{{ ?s ?p ?o }} }}")
        for graph, content in change.insert.items():
            data = nt_bytes(content)
            if data.strip():
                ops.append(f"ADD SILENT GRAPH {iri(stage(data))} TO GRAPH {iri(graph)}")
        ops += [f"DROP SILENT GRAPH {iri(g)}" for g in change.drop]
        ops.append(self._rebuild_merged_op())
        return ops, staged

    def replace_graphs(self, contents: dict[str, Triples]) -> None:
        self.apply(Change(replace=dict(contents)))

    def replace_graph(self, graph: str, triples: Triples) -> None:
        self.apply(Change(replace={graph: triples}))

    def insert(self, graph: str, triples: Triples) -> None:
        self.apply(Change(insert={graph: triples}))

    def delete(self, graph: str, triples: Triples) -> None:
        self.apply(Change(delete={graph: triples}))

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads (in named graphs) in one atomic step."""
        by_graph: dict[str, list[ox.Triple]] = {}
        for q in quads:
            by_graph.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
        self.apply(Change(insert=by_graph))

    def drop(self, graphs: Iterable[str]) -> None:
        self.apply(Change(drop=list(graphs)))

    def write_new_graph(self, graph: str, triples: Triples) -> None:
        """Write a graph that nothing references yet, fast and not transactional (a crash may leave it half
        written: whatever references it is written after it, with ``apply``). Replaces what the graph held."""
        with self.write_lock:
            self._write_new_graph(graph, nt_bytes(triples))
            self._changed()

    def rebuild_public_default(self) -> None:
        """Recompute the public merge from the public graphs (after bulk loads that bypass ``apply``)."""
        with self.write_lock:
            self._run_update([self._rebuild_merged_op()])
            self._changed()

    def load_file(self, path, graph: str, fmt: str | None = None, bulk: bool = False) -> None:
        """Load an RDF file into ``graph``, replacing it atomically (``bulk``: fast, not transactional)."""
        f = rdf_format(fmt or str(path))
        with open(path, "rb") as fh:
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(fh, f, base_iri=ns.BASE)]
        self.replace_graph(graph, triples)

    def checkpoint(self, target) -> None:
        raise NotImplementedError(f"{type(self).__name__} has no checkpoints")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    # -- backend hooks -------------------------------------------------------------------------------------
    def _run_update(self, ops: list[str]) -> None:
        """Run the operations as one SPARQL update (one transaction)."""
        raise NotImplementedError

    def _write_new_graph(self, graph: str, data: bytes) -> None:
        raise NotImplementedError

    # -- the update text of a change (the only place that writes SPARQL Update) ------------------------------
    def _update_ops(self, change: Change) -> list[str]:
        ops: list[str] = []
        merged_add: set[bytes] = set()
        merged_removed: set[bytes] = set()
        rebuild = False
        for graph, content in change.replace.items():
            new = nt_bytes(content)
            old = self.graph_ntriples(graph)
            public = ns.is_public_graph(graph)
            if b"_:" in new or b"_:" in old:  # blank nodes have no stable lines: replace the graph whole
                ops.append(f"DROP SILENT GRAPH {iri(graph)}")
                if new.strip():
                    ops.append(self._insert_op(graph, new.decode("utf-8")))
                rebuild |= public
                continue
            old_l, new_l = nt_lines(old), nt_lines(new)
            if old_l - new_l:
                ops.append(f"DELETE DATA {{ GRAPH {iri(graph)} {{\n{joined(old_l - new_l)}}} }}")
            if new_l - old_l:
                ops.append(f"INSERT DATA {{ GRAPH {iri(graph)} {{\n{joined(new_l - old_l)}}} }}")
            if not new_l:
                ops.append(f"DROP SILENT GRAPH {iri(graph)}")
            if public:
                merged_add |= new_l - old_l
                merged_removed |= old_l - new_l
        for graph, content in change.delete.items():
            data = nt_bytes(content)
            if data.strip():
                ops.append(f"DELETE DATA {{ GRAPH {iri(graph)} {{\n{data.decode('utf-8')}}} }}")
                if ns.is_public_graph(graph):
                    rebuild |= b"_:" in data
                    merged_removed |= nt_lines(data)
        for graph, content in change.insert.items():
            data = nt_bytes(content)
            if data.strip():
                ops.append(self._insert_op(graph, data.decode("utf-8")))
                if ns.is_public_graph(graph):
                    rebuild |= b"_:" in data
                    merged_add |= nt_lines(data)
        for graph in change.drop:
            if ns.is_public_graph(graph):
                lines = nt_lines(self.graph_ntriples(graph))
                rebuild |= any(b"_:" in line for line in lines)
                merged_removed |= lines
            ops.append(f"DROP SILENT GRAPH {iri(graph)}")
        gone = merged_removed - merged_add
        # a short rebuild instead of a request that lists every removed triple (Virtuoso refuses one over 10 MB)
        rebuild |= len(gone) > MERGED_DELETE_MAX
        if rebuild:
            ops.append(self._rebuild_merged_op())
            return ops
        if merged_add:
            ops.append(f"INSERT DATA {{ GRAPH {iri(MERGED)} {{\n{joined(merged_add)}}} }}")
        if gone:
            ops.append(self._merged_delete_op(gone))
        return ops

    def _insert_op(self, graph: str, ntriples: str) -> str:
        return f"INSERT DATA {{ GRAPH {iri(graph)} {{\n{ntriples}}} }}"

    def _merged_delete_op(self, lines: set[bytes]) -> str:
        """Delete triples from the public merge unless a public graph still holds them (runs after the graphs'
        own changes in the same update)."""
        rows = []
        for q in ox.parse(joined(lines).encode("utf-8"), ox.RdfFormat.N_TRIPLES):
            rows.append(f"({q.subject} {q.predicate} {q.object})")
        return (f"DELETE {{ GRAPH {iri(MERGED)} {{ ?s ?p ?o }} }} WHERE {{\n"
                f"  VALUES (?s ?p ?o) {{\n  " + "\n  ".join(rows) + "\n  }\n"
                f"  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} "
                f"FILTER({_PUBLIC_GRAPH_FILTER}) }}\n}}")

    def _rebuild_merged_op(self) -> str:
        return (f"DROP SILENT GRAPH {iri(MERGED)};\n"
                f"INSERT {{ GRAPH {iri(MERGED)} {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                f"FILTER({_PUBLIC_GRAPH_FILTER}) }}")
