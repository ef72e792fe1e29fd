"""Saved queries against a remote SPARQL endpoint (`sozialgraph query NAME --endpoint URL`), through SPARQLWrapper.

Parameters are handled as locally: codes and labels are resolved with the same internal lookup query
(queries/internal/lookup-terms.rq), run against the endpoint; values become RDF terms (pyoxigraph NamedNode/Literal,
written with str(term), which escapes them). Remote endpoints have no substitution, so the bound values go into a
`VALUES` block at the start of the query's outermost WHERE group: there they are in scope for every pattern and
filter of the query (also inside FILTER NOT EXISTS, which a trailing VALUES block would not reach).
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from .lookup import KIND_NAMES, Resolver
from .output import rows_of
from .queries import SavedQuery


class RemoteError(Exception):
    def __init__(self, de: str, en: str):
        super().__init__(de)
        self.de, self.en = de, en

    def message(self, lang: str = "de") -> str:
        return self.en if lang == "en" else self.de


class RemoteStore:
    """Just enough of the store interface (select) for Resolver.from_store, over SPARQLWrapper."""

    def __init__(self, endpoint: str, timeout: float = 60.0):
        self.endpoint = endpoint
        self.timeout = timeout

    def query(self, sparql: str, **_ignored):
        w = SPARQLWrapper(self.endpoint)
        w.setQuery(sparql)
        w.setReturnFormat(JSON)
        w.setMethod(POST)
        w.setTimeout(int(self.timeout))
        w.setOnlyConneg(True)
        try:
            body = w.query().response.read()
        except SPARQLWrapperException as exc:
            raise RemoteError(f"Der Endpunkt {self.endpoint} meldet einen Fehler: {exc}",
                              f"The endpoint {self.endpoint} reports an error: {exc}") from None
        except OSError as exc:  # connection refused, DNS, timeout (urllib's URLError is an OSError)
            raise RemoteError(f"Der Endpunkt {self.endpoint} ist nicht erreichbar: {exc}",
                              f"The endpoint {self.endpoint} cannot be reached: {exc}") from None
        try:
            return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise RemoteError(f"Die Antwort von {self.endpoint} ist kein SPARQL-JSON: {exc}",
                              f"The answer of {self.endpoint} is not SPARQL JSON: {exc}") from None

    def select(self, sparql: str, **kwargs) -> list[dict]:
        res = self.query(sparql, **kwargs)
        names = [v.value for v in res.variables]
        return [{n: sol[n] for n in names if sol[n] is not None} for sol in res]


def _skip(text: str, i: int) -> int:
    """Index after a comment, IRI or string starting at text[i] (or i if none starts there)."""
    c = text[i]
    if c in "?$:":  # a variable or the local part of a prefixed name, never a keyword
        m = re.compile(r"[?$:][\w-]+").match(text, i)
        return m.end() if m else i
    if c == "#":
        j = text.find("\n", i)
        return len(text) if j < 0 else j + 1
    if c == "<":
        m = re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:])
        return i + m.end() if m else i
    if c in "\"'":
        for q in (c * 3, c):
            if text.startswith(q, i):
                j = i + len(q)
                while j < len(text):
                    if text[j] == "\\":
                        j += 2
                        continue
                    if text.startswith(q, j):
                        return j + len(q)
                    j += 1
                return len(text)
    return i


def where_brace(text: str) -> int:
    """Position of the '{' that opens the outermost WHERE group of a saved query (comments, IRIs and strings
    skipped). For the short forms without the keyword (`SELECT * {`, `ASK {`), the first '{' of the query."""
    i, first_brace, form = 0, -1, None
    while i < len(text):
        j = _skip(text, i)
        if j != i:
            i = j
            continue
        m = re.compile(r"[A-Za-z]+").match(text, i)
        if m:
            word = m.group(0).upper()
            if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") and form is None:
                form = word
            if word == "WHERE" and form is not None:
                k = text.index("{", m.end())
                return k
            i = m.end()
            continue
        if text[i] == "{" and form is not None and first_brace < 0:
            first_brace = i
            if form in ("SELECT", "ASK", "DESCRIBE"):
                return i
        i += 1
    if first_brace < 0:
        raise ValueError("no WHERE group")
    return first_brace


def with_values(text: str, terms: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with a VALUES block binding ``terms`` at the start of the outermost WHERE group."""
    if not terms:
        return text
    names = list(terms)
    block = ("\n  VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
             + " ".join(str(terms[n]) for n in names) + ") }\n")
    k = where_brace(text) + 1
    return text[:k] + block + text[k:]


def run_saved_remote(endpoint_url: str, saved_query: SavedQuery, values: dict[str, str], obj=None,
                     timeout: float = 60.0) -> tuple[list[str], list[list[str]]]:
    """Run a saved query at a remote SPARQL endpoint; (column names, rows of strings) like the local run.
    ParameterError for bad values (as locally); click.ClickException for endpoint errors."""
    import click

    remote = RemoteStore(endpoint_url, timeout)
    lang = getattr(obj, "lang", "de")
    try:
        resolver = Resolver.from_store(remote) if any(p.type in KIND_NAMES for p in saved_query.params) else None
        terms = saved_query.bind(values, resolver)
        return rows_of(remote.query(with_values(saved_query.text, terms)))
    except RemoteError as exc:
        raise click.ClickException(exc.message(lang)) from None
