"""The store interface and its embedded Oxigraph implementation.

The interface is deliberately narrow (query, transactional writes of quads and updates, load, dump, graph
listing, checkpoints) so that a remote SPARQL 1.1 store (Query + Update + Graph Store protocol) can implement it
later. Results are pyoxigraph terms and result objects; a remote implementation parses its answers into the same
objects with ``pyoxigraph.parse_query_results``.

Writes are atomic per call: ``extend`` and ``update`` are each one transaction in Oxigraph. Replacing a graph is
staged into a private staging graph (one transaction) and then moved into place with one SPARQL update
(``COPY``/``DROP``, one transaction): readers see the old content or the new one, never a mix, and a crash between
the two steps leaves only an unreferenced staging graph that the next write removes.
"""

from __future__ import annotations

import io
import os
import threading
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Protocol

import pyoxigraph as ox

from . import namespaces as ns

STAGING = ns.G_PRIVATE + "staging/"

RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
}


class StoreLockedError(RuntimeError):
    """The store directory is opened read-write by another process (usually a running server)."""


def rdf_format(name_or_path: str) -> ox.RdfFormat:
    key = str(name_or_path).rsplit(".", 1)[-1].lower()
    if key in RDF_FORMATS:
        return RDF_FORMATS[key]
    raise ValueError(f"Unbekanntes RDF-Format '{name_or_path}' / unknown RDF format "
                     f"(bekannt/known: {', '.join(sorted(set(RDF_FORMATS)))})")


def iri(value: str) -> str:
    """An IRI as a SPARQL/N-Triples term, validated by pyoxigraph (raises ValueError on a bad IRI)."""
    return str(ox.NamedNode(value))


class GraphStore(Protocol):
    """What the rest of sozialgraph needs from a triple store."""

    def query(self, sparql: str, *, substitutions: dict | None = None, public_only: bool = False,
              default_graph: list[str] | None = None, named_graphs: list[str] | None = None): ...

    def update(self, sparql: str) -> None: ...

    def extend(self, quads: Iterable[ox.Quad]) -> None: ...

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None: ...

    def load_file(self, path: str | os.PathLike, graph: str, fmt: str | None = None, bulk: bool = False) -> None: ...

    def graphs(self) -> list[str]: ...

    def public_graphs(self) -> list[str]: ...

    def dump(self, output: IO[bytes], fmt: str = "nq", public_only: bool = True) -> None: ...

    def count(self, graph: str | None = None) -> int: ...


class OxigraphStore:
    """The embedded default: an on-disk pyoxigraph Store, one named graph per source."""

    def __init__(self, path: str | os.PathLike | None, read_only: bool = False):
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
                    f"Beenden Sie ihn oder nutzen Sie die HTTP-Schnittstelle. / The store is opened by another "
                    f"process (is 'sozialgraph serve' running?)."
                ) from exc
            raise
        self.read_only = read_only
        self.write_lock = threading.RLock()  # one writer at a time in this process (staging graphs are shared)
        self.generation = 0  # bumped after every write; listeners (caches, query workers) follow it
        self.listeners: list = []

    def _changed(self) -> None:
        self.generation += 1
        for callback in list(self.listeners):
            callback(self)

    # -- reading -------------------------------------------------------------------------------------------
    def query(self, sparql: str, *, substitutions: dict | None = None, public_only: bool = False,
              default_graph: list[str] | None = None, named_graphs: list[str] | None = None):
        """Run a SPARQL query. Without a dataset the default graph is the union of all graphs;
        ``public_only`` restricts both the default graph and the named graphs to the public graphs."""
        kwargs: dict = {}
        if substitutions:
            kwargs["substitutions"] = {
                (ox.Variable(k) if isinstance(k, str) else k): v for k, v in substitutions.items()
            }
        if public_only:
            pub = [ox.NamedNode(g) for g in self.public_graphs()]
            kwargs["default_graph"] = (
                [ox.NamedNode(g) for g in default_graph if ns.is_public_graph(g)] if default_graph is not None
                else pub
            )
            kwargs["named_graphs"] = (
                [ox.NamedNode(g) for g in named_graphs if ns.is_public_graph(g)] if named_graphs is not None
                else pub
            )
            if not kwargs["default_graph"]:
                kwargs["default_graph"] = [ox.NamedNode(ns.GRAPH + "empty")]
        else:
            if default_graph is not None:
                kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
            else:
                kwargs["use_default_graph_as_union"] = True
            if named_graphs is not None:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self._store.query(sparql, **kwargs)

    def select(self, sparql: str, **kwargs) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]:
        """A SELECT query as a list of {variable: term} dicts (unbound variables left out)."""
        res = self.query(sparql, **kwargs)
        names = [v.value for v in res.variables]
        out = []
        for sol in res:
            row = {}
            for n in names:
                t = sol[n]
                if t is not None:
                    row[n] = t
            out.append(row)
        return out

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def public_graphs(self) -> list[str]:
        return [g for g in self.graphs() if ns.is_public_graph(g)]

    def has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def triples(self, graph: str) -> Iterator[ox.Triple]:
        for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            yield ox.Triple(q.subject, q.predicate, q.object)

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def dump(self, output: IO[bytes], fmt: str = "nq", public_only: bool = True,
             graphs: list[str] | None = None) -> None:
        """Serialise graphs (default: all public graphs) to ``output``. Triple formats merge the graphs."""
        f = rdf_format(fmt)
        selected = graphs if graphs is not None else (self.public_graphs() if public_only else self.graphs())
        quads = (q for g in selected for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        if f.supports_datasets:
            ox.serialize(quads, output, f, prefixes=ns.PREFIXES if f is ox.RdfFormat.TRIG else None)
        else:
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
            kwargs = {"prefixes": ns.PREFIXES} if f in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML,
                                                        ox.RdfFormat.JSON_LD) else {}
            ox.serialize(triples, output, f, **kwargs)

    def dump_graph(self, output: IO[bytes], fmt: str, graph: str) -> None:
        """Serialise one named graph natively in Oxigraph (fast path for big dumps; graphs are not filtered)."""
        f = rdf_format(fmt)
        kwargs = {"prefixes": ns.PREFIXES} if f in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else {}
        self._store.dump(output, f, from_graph=ox.NamedNode(graph), **kwargs)

    # -- writing -------------------------------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        """One SPARQL update, one transaction."""
        self._store.update(sparql)
        self._changed()

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction."""
        self._store.extend(quads)
        self._changed()

    def bulk_extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads fast but without a transaction: only for graphs that nothing references yet (a crash may leave
        them half written)."""
        self._store.bulk_extend(quads)
        self._changed()

    def bulk_load_bytes(self, data: bytes, graph: str, fmt: str = "nt") -> None:
        """Load serialised RDF into ``graph`` fast but without a transaction: only for graphs that nothing
        references yet."""
        self._store.bulk_load(data, format=rdf_format(fmt), to_graph=ox.NamedNode(graph))
        self._changed()

    def graph_ntriples(self, graph: str) -> bytes:
        """One graph as N-Triples bytes in Oxigraph's canonical form (the same bytes ox.serialize writes)."""
        buf = io.BytesIO()
        self._store.dump(buf, ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        return buf.getvalue()

    def stage(self, triples: Iterable[ox.Triple]) -> str:
        """Write triples into a fresh private staging graph (one transaction); return its IRI."""
        g = STAGING + uuid.uuid4().hex
        gn = ox.NamedNode(g)
        self._store.extend(ox.Quad(t.subject, t.predicate, t.object, gn) for t in triples)
        return g

    def drop_stale_staging(self) -> None:
        stale = [g for g in self.graphs() if g.startswith(STAGING)]
        if stale:
            self._store.update(";\n".join(f"DROP SILENT GRAPH {iri(g)}" for g in stale))

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Replace one graph's content atomically."""
        self.replace_graphs({graph: triples})

    def replace_graphs(self, contents: dict[str, Iterable[ox.Triple]], extra_update: str = "") -> None:
        """Replace several graphs (and run ``extra_update``) in one atomic step."""
        with self.write_lock:
            self._replace_graphs(contents, extra_update)

    def _replace_graphs(self, contents: dict[str, Iterable[ox.Triple]], extra_update: str) -> None:
        """One update (one transaction) turns each graph into its new content. Without blank nodes only the
        difference is written, taken on Oxigraph's canonical N-Triples lines (the stored graph dumped, the new
        content serialised): no staging, no copy. With blank nodes the new content is bulk-loaded into an
        unreferenced staging graph first and moved into place inside the same update."""
        self.drop_stale_staging()  # left over from an interrupted earlier write
        ops: list[str] = []
        for target, triples in contents.items():
            buf = io.BytesIO()
            ox.serialize(triples, buf, ox.RdfFormat.N_TRIPLES)
            new_nt = buf.getvalue()
            old_nt = self.graph_ntriples(target)
            if b"_:" in new_nt or b"_:" in old_nt:
                stage = STAGING + uuid.uuid4().hex
                if new_nt:
                    self._store.bulk_load(new_nt, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(stage))
                ops += [f"DROP SILENT GRAPH {iri(target)}", f"ADD SILENT GRAPH {iri(stage)} TO GRAPH {iri(target)}",
                        f"DROP SILENT GRAPH {iri(stage)}"]
                continue
            old, new = set(old_nt.splitlines()), set(new_nt.splitlines())
            if old - new:
                ops.append(f"DELETE DATA {{ GRAPH {iri(target)} {{\n{_joined(old - new)}}} }}")
            if new - old:
                ops.append(f"INSERT DATA {{ GRAPH {iri(target)} {{\n{_joined(new - old)}}} }}")
            if not new:
                ops.append(f"DROP SILENT GRAPH {iri(target)}")
        if extra_update.strip():
            ops.append(extra_update)
        try:
            if ops:
                self._store.update(";\n".join(ops))
        finally:
            self.drop_stale_staging()
        self._changed()

    def load_file(self, path: str | os.PathLike, graph: str, fmt: str | None = None, bulk: bool = False,
                  replace: bool = True) -> None:
        """Load an RDF file into ``graph``. ``replace`` swaps the graph atomically; ``bulk`` streams big files
        (not transactional: for benchmarks and first loads)."""
        f = rdf_format(fmt or str(path))
        if bulk:
            if replace:
                self._store.update(f"DROP SILENT GRAPH {iri(graph)}")
            self._store.bulk_load(path=str(path), format=f, to_graph=ox.NamedNode(graph))
            self._changed()
            return
        if replace:
            with open(path, "rb") as fh:
                triples = [ox.Triple(q.subject, q.predicate, q.object)
                           for q in ox.parse(fh, f, base_iri=ns.BASE)]
            self.replace_graph(graph, triples)
        else:
            self._store.load(path=str(path), format=f, to_graph=ox.NamedNode(graph), base_iri=ns.BASE)
            self._changed()

    def add_graph(self, graph: str) -> None:
        self._store.add_graph(ox.NamedNode(graph))

    def checkpoint(self, target: str | os.PathLike) -> None:
        """A consistent, cheap (hard-linked) copy that other processes may open read-only."""
        self._store.flush()
        self._store.backup(str(target))

    def flush(self) -> None:
        self._store.flush()

    def optimize(self) -> None:
        self._store.optimize()


def _joined(lines: set[bytes]) -> str:
    return b"\n".join(sorted(lines)).decode("utf-8") + "\n"


def open_store(path: str | os.PathLike | None, read_only: bool = False) -> OxigraphStore:
    return OxigraphStore(path, read_only=read_only)
