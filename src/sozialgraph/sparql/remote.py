"""Saved queries against a remote SPARQL endpoint (`sozialgraph query NAME --endpoint URL`), through SPARQLWrapper.

Parameters are handled as locally: codes and labels are resolved with the same internal lookup query
(queries/internal/lookup-terms.rq), run against the endpoint; values become RDF terms (pyoxigraph NamedNode/Literal,
written with str(term), which escapes them) in the query's `VALUES ?name { UNDEF }` lines (SavedQuery.render), so
the remote endpoint gets exactly the text the local store runs.
"""

from __future__ import annotations

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from sozialgraph.errors import SozialgraphError
from sozialgraph.sparql.binding import Resolver
from sozialgraph.namespaces import KIND_NAMES
from sozialgraph.sparql.output import rows_of
from sozialgraph.sparql.saved import SavedQuery


class RemoteError(SozialgraphError):
    status = 502


class RemoteStore:
    """Just enough of the store interface (select) for Resolver.from_store, over SPARQLWrapper."""

    def __init__(self, endpoint: str, timeout: float = 60.0):
        self.endpoint = endpoint
        self.timeout = timeout

    def query(self, sparql: str, **_ignored):
        w = SPARQLWrapper(self.endpoint)
        # SPARQLWrapper guesses the query form from the text and removes only every other line of a run of comment
        # lines, so a header comment naming "sg:addressesNeed" made it send the query as an update (ADD). Comment
        # lines carry nothing for the server: drop them (a '#' inside an IRI or string is not at a line start).
        w.setQuery("\n".join(line for line in sparql.splitlines() if not line.lstrip().startswith("#")))
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
        return rows_of(remote.query(saved_query.render(terms)))
    except RemoteError as exc:
        raise click.ClickException(exc.message(lang)) from None
