"""The remote backend: any SPARQL 1.1 Query + Update server (oxigraph serve, Virtuoso, Fuseki, GraphDB, …).

Queries go to the query URL (form POST, with the dataset as ``default-graph-uri``/``named-graph-uri``), writes to
the update URL as one update request per ``apply`` (the server runs one request as one transaction; see
docs/stores.md for which servers guarantee that). Answers are parsed into the same pyoxigraph objects the
embedded store returns, so callers never see which backend they talk to. Dialect differences are handled here:

- Virtuoso answers ASK in SPARQL JSON as a binding ``__ASK_RETVAL`` instead of ``boolean``; it is asked for
  SPARQL XML for ASK, and a JSON binding of that name is read as the boolean anyway.
- Virtuoso refuses blank nodes in ``INSERT DATA``; data with blank nodes is inserted as ``INSERT {…} WHERE {}``.
- Virtuoso returns ``xsd:boolean`` true/false as "1"/"0": read as "true"/"false".
- Servers list their own system graphs; ``graphs()`` lists only the graphs under the project's graph base
  (``namespaces.GRAPH``).
- A server's default graph without a dataset is often the union of everything (Virtuoso: including its system
  graphs); every query therefore names its dataset explicitly.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import requests

from sozialgraph import namespaces as ns
from sozialgraph.errors import StoreError
from sozialgraph.store.base import MERGED, Store, TriplesResult, iri, is_listed, nt_bytes, nt_lines

_FORM_RE = re.compile(r"^(?:\s*(?:#[^\n]*|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>))*\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
                      re.I)
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
# Virtuoso writes xsd:boolean true/false as "1"/"0": the canonical forms are "true"/"false"
_BOOL_JSON = [(re.compile(rb'("datatype"\s*:\s*"' + _XSD_BOOLEAN.encode() + rb'"\s*,\s*"value"\s*:\s*)"' + v + rb'"'), c)
              for v, c in ((b"1", rb'\1"true"'), (b"0", rb'\1"false"'))] + \
             [(re.compile(rb'("value"\s*:\s*)"' + v + rb'"(\s*,\s*"datatype"\s*:\s*"' + _XSD_BOOLEAN.encode() + rb'")'), c)
              for v, c in ((b"1", rb'\1"true"\2'), (b"0", rb'\1"false"\2'))]
_BOOL_NT = [(b'"1"^^<' + _XSD_BOOLEAN.encode() + b">", b'"true"^^<' + _XSD_BOOLEAN.encode() + b">"),
            (b'"0"^^<' + _XSD_BOOLEAN.encode() + b">", b'"false"^^<' + _XSD_BOOLEAN.encode() + b">")]
CHUNK_TRIPLES = 2000  # triples per request when a new graph is written in parts (Virtuoso's parser limit)
PAGE_TRIPLES = 10000  # triples per answer when a whole graph is read (Virtuoso: at most 10 MB per answer)


def query_form(sparql: str) -> str:
    m = _FORM_RE.match(sparql)
    return m.group(1).upper() if m else "SELECT"


class SparqlStore(Store):
    stage_above = CHUNK_TRIPLES

    def __init__(self, query_url: str, update_url: str | None = None, *, graph_store_url: str | None = None,
                 user: str | None = None, password: str | None = None, auth: str = "digest",
                 timeout: float = 60.0):
        super().__init__()
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_store_url = graph_store_url
        self.timeout = timeout
        self.session = requests.Session()
        if user:
            self.session.auth = (requests.auth.HTTPDigestAuth(user, password or "") if auth == "digest"
                                 else (user, password or ""))
        self.read_only = False
        self._graphs_cache: tuple[int, list[str]] | None = None

    def __repr__(self) -> str:
        return f"SparqlStore({self.query_url!r})"

    # -- HTTP ----------------------------------------------------------------------------------------------
    def _post(self, url: str, data: dict | list, accept: str | None, timeout: float | None) -> requests.Response:
        headers = {"Accept": accept} if accept else {}
        try:
            resp = self.session.post(url, data=data, headers=headers, timeout=timeout or self.timeout)
        except requests.Timeout:
            raise StoreError(f"Der Speicher {url} hat nicht rechtzeitig geantwortet.",
                             f"The store {url} did not answer in time.", status=504) from None
        except requests.RequestException as exc:
            raise StoreError(f"Der Speicher {url} ist nicht erreichbar: {exc}",
                             f"The store {url} cannot be reached: {exc}") from None
        if resp.status_code >= 400:
            text = resp.text[:500].strip()
            if resp.status_code == 400 and url == self.query_url:
                raise SyntaxError(text or "bad query")
            raise StoreError(f"Der Speicher {url} meldet {resp.status_code}: {text}",
                             f"The store {url} reports {resp.status_code}: {text}")
        return resp

    # -- reading -------------------------------------------------------------------------------------------
    def query(self, sparql: str, *, public_only: bool = False, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None, timeout: float | None = None):
        dg, ng = self.dataset(public_only, default_graph, named_graphs)
        return self._query_raw(sparql, dg, ng, timeout)

    def _query_raw(self, sparql: str, dg: list[str], ng: list[str] | None, timeout: float | None):
        form = query_form(sparql)
        data: list[tuple[str, str]] = [("query", sparql)]
        data += [("default-graph-uri", g) for g in dg]
        if ng is not None:
            # an empty named-graph list must stay empty: name a graph that never exists
            data += [("named-graph-uri", g) for g in (ng or [ns.GRAPH + "empty"])]
        if form in ("CONSTRUCT", "DESCRIBE"):
            resp = self._post(self.query_url, data, "application/n-triples, text/turtle;q=0.9", timeout)
            return TriplesResult(self._parse_graph(resp))
        accept = "application/sparql-results+xml" if form == "ASK" else "application/sparql-results+json"
        resp = self._post(self.query_url, data, accept, timeout)
        return self._parse_results(resp)

    @staticmethod
    def _parse_graph(resp: requests.Response) -> list[ox.Triple]:
        ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
        fmt = {"text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML,
               "application/ld+json": ox.RdfFormat.JSON_LD}.get(ctype, ox.RdfFormat.N_TRIPLES)
        if ctype in ("text/plain", "application/n-triples", ""):
            fmt = ox.RdfFormat.N_TRIPLES
        body = resp.content
        for old, new in _BOOL_NT:
            body = body.replace(old, new)
        try:
            return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, fmt)]
        except SyntaxError as exc:
            raise StoreError(f"Die Antwort des Speichers ist kein RDF ({ctype}): {exc}",
                             f"The store's answer is not RDF ({ctype}): {exc}") from None

    @staticmethod
    def _parse_results(resp: requests.Response):
        ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
        body = resp.content
        if "xml" in ctype:
            fmt = ox.QueryResultsFormat.XML
        elif "csv" in ctype:
            fmt = ox.QueryResultsFormat.CSV
        elif "tab-separated" in ctype:
            fmt = ox.QueryResultsFormat.TSV
        else:
            fmt = ox.QueryResultsFormat.JSON
            body = body.replace(b'"nodeID://', b'"')  # Virtuoso's blank node labels are no valid identifiers
            for pattern, canonical in _BOOL_JSON:
                body = pattern.sub(canonical, body)
            if b"__ASK_RETVAL" in body:  # Virtuoso's ASK in JSON
                value = b'"1"' in body or b'"true"' in body or b": 1" in body
                body = b'{"head":{},"boolean":' + (b"true" if value else b"false") + b"}"
        try:
            return ox.parse_query_results(body, fmt)
        except SyntaxError as exc:
            raise StoreError(f"Die Antwort des Speichers ist kein SPARQL-Ergebnis ({ctype}): {exc}",
                             f"The store's answer is not a SPARQL result ({ctype}): {exc}") from None

    def graphs(self) -> list[str]:
        """The project's graphs (cached until this process writes: sozialgraph is the store's one writer)."""
        if self._graphs_cache is not None and self._graphs_cache[0] == self.generation:
            return list(self._graphs_cache[1])
        res = self._query_raw("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", [], None, None)
        graphs = sorted(sol["g"].value for sol in res
                      if isinstance(sol["g"], ox.NamedNode) and sol["g"].value.startswith(ns.GRAPH)
                      and is_listed(sol["g"].value))
        self._graphs_cache = (self.generation, graphs)
        return list(graphs)

    def has_graph(self, graph: str) -> bool:
        return self.ask(f"ASK {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}", default_graph=[], named_graphs=[graph])

    def graph_ntriples(self, graph: str) -> bytes:
        """The graph as N-Triples, read in pages (Virtuoso refuses an answer over 10 MB; the write lock keeps the
        graph still between the pages, and the ORDER BY makes the pages well defined)."""
        triples: list[ox.Triple] = []
        offset = 0
        while True:
            page = list(self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SELECT ?s ?p ?o WHERE {{ GRAPH {iri(graph)} "
                                   f"{{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o LIMIT {PAGE_TRIPLES} OFFSET {offset} }}",
                                   default_graph=[], named_graphs=[graph]))
            triples += page
            if len(page) < PAGE_TRIPLES:
                return nt_bytes(triples)
            offset += PAGE_TRIPLES

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return sum(self.count(g) for g in self.graphs())
        res = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}",
                         default_graph=[], named_graphs=[graph])
        return int(next(iter(res))["n"].value)

    # -- writing -------------------------------------------------------------------------------------------
    def _run_update(self, ops: list[str]) -> None:
        self._post(self.update_url, {"update": ";\n".join(ops)}, None, None)

    def _insert_op(self, graph: str, ntriples: str) -> str:
        if "_:" in ntriples:  # Virtuoso refuses blank nodes in INSERT DATA; a template with an empty WHERE works
            return f"INSERT {{ GRAPH {iri(graph)} {{\n{ntriples}}} }} WHERE {{ }}"
        return super()._insert_op(graph, ntriples)

    def _write_new_graph(self, graph: str, data: bytes) -> None:
        lines = sorted(nt_lines(data))
        self._run_update([f"DROP SILENT GRAPH {iri(graph)}"])
        # Triples with blank nodes go in one request (a blank node label is local to one INSERT, so they must not
        # be split); Virtuoso compiles each triple of such a template into SQL, so only they go there, and the
        # other triples in plain INSERT DATA parts.
        blank = [ln for ln in lines if b"_:" in ln]
        plain = [ln for ln in lines if b"_:" not in ln]
        if blank:
            self._run_update([self._insert_op(graph, b"\n".join(blank).decode("utf-8") + "\n")])
        for i in range(0, len(plain), CHUNK_TRIPLES):
            part = b"\n".join(plain[i:i + CHUNK_TRIPLES]).decode("utf-8")
            self._run_update([self._insert_op(graph, part + "\n")])

    def load_file(self, path, graph: str, fmt: str | None = None, bulk: bool = False) -> None:
        super().load_file(path, graph, fmt)

    def close(self) -> None:
        self.session.close()


__all__ = ["SparqlStore", "MERGED"]
