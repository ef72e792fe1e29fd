"""SPARQL 1.1 Protocol helpers: content negotiation and result serialisation (pyoxigraph's serialisers).

A query's form (SELECT, ASK, CONSTRUCT/DESCRIBE) is known only once it is evaluated, so negotiation picks a
format for each form up front (``negotiate``) and the evaluating worker uses the one that fits (``serialize``).

Row cap: results are first serialised by pyoxigraph as TSV (SELECT) or N-Triples (CONSTRUCT/DESCRIBE), where one
line is one row, into a writer that stops the evaluation as soon as the cap is passed; the bytes are then
re-serialised into the requested format by pyoxigraph. A query whose result has more rows than ``max_rows`` is
refused with ``RowCapExceeded`` (never truncated); every answer carries the row count and the cap in headers.
"""

from __future__ import annotations

import pyoxigraph as ox

from sozialgraph.errors import SozialgraphError
from sozialgraph import namespaces as ns

R = ox.QueryResultsFormat
F = ox.RdfFormat

# format key -> (pyoxigraph format, media type of the answer)
RESULT_FORMATS: dict[str, tuple[ox.QueryResultsFormat, str]] = {
    "json": (R.JSON, "application/sparql-results+json"),
    "xml": (R.XML, "application/sparql-results+xml"),
    "csv": (R.CSV, "text/csv; charset=utf-8"),
    "tsv": (R.TSV, "text/tab-separated-values; charset=utf-8"),
}
GRAPH_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "ttl": (F.TURTLE, "text/turtle; charset=utf-8"),
    "nt": (F.N_TRIPLES, "application/n-triples"),
    "jsonld": (F.JSON_LD, "application/ld+json"),
    "rdfxml": (F.RDF_XML, "application/rdf+xml"),
}

# media types a client may ask for, per query form, in the server's order of preference
OFFERS: dict[str, list[tuple[str, str]]] = {
    "select": [("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
               ("text/csv", "csv"), ("text/tab-separated-values", "tsv"), ("application/json", "json"),
               ("application/xml", "xml"), ("text/xml", "xml")],
    "ask": [("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
            ("application/json", "json"), ("application/xml", "xml"), ("text/xml", "xml")],
    "graph": [("text/turtle", "ttl"), ("application/n-triples", "nt"), ("application/ld+json", "jsonld"),
              ("application/rdf+xml", "rdfxml"), ("application/x-turtle", "ttl"), ("text/plain", "nt"),
              ("application/json", "jsonld"), ("application/xml", "rdfxml"), ("text/xml", "rdfxml")],
}
DEFAULTS = {"select": "json", "ask": "json", "graph": "ttl"}

# values of the `format` parameter (also those SPARQLWrapper sends) -> format key per form
FORMAT_NAMES: dict[str, dict[str, str]] = {
    "json": {"select": "json", "ask": "json", "graph": "jsonld"},
    "xml": {"select": "xml", "ask": "xml", "graph": "rdfxml"},
    "csv": {"select": "csv"},
    "tsv": {"select": "tsv"},
    "ttl": {"graph": "ttl"}, "turtle": {"graph": "ttl"}, "n3": {"graph": "ttl"},
    "nt": {"graph": "nt"}, "ntriples": {"graph": "nt"}, "n-triples": {"graph": "nt"},
    "jsonld": {"graph": "jsonld"}, "json-ld": {"graph": "jsonld"},
    "rdf": {"graph": "rdfxml"}, "rdfxml": {"graph": "rdfxml"}, "rdf+xml": {"graph": "rdfxml"},
}
FORM_NAMES = {"select": "SELECT", "ask": "ASK", "graph": "CONSTRUCT/DESCRIBE"}
_PREFIXED = (F.TURTLE, F.RDF_XML, F.JSON_LD)


class ProtocolError(SozialgraphError):
    """A request or result the protocol cannot serve: HTTP status and a message in German and English."""

    def __init__(self, status: int, de: str, en: str, headers: dict[str, str] | None = None):
        super().__init__(de, en, status=status, headers=headers)
        self.args = (status, de, en, headers)  # picklable across the worker pipe


class RowCapExceeded(ProtocolError):
    def __init__(self, cap: int):
        super().__init__(
            422,
            f"Das Ergebnis hat mehr als {cap} Zeilen (Obergrenze, Einstellung max_rows). Schränken Sie die Abfrage "
            f"ein, z. B. mit LIMIT {cap}.",
            f"The result has more than {cap} rows (the cap, setting max_rows). Narrow the query, for example with "
            f"LIMIT {cap}.",
            {"X-Max-Rows": str(cap)})


def offered(form: str) -> str:
    return ", ".join(dict.fromkeys(m for m, _ in OFFERS[form]))


def format_key(value: str) -> dict[str, str]:
    """Format keys per form for one `format` parameter value (a short name or a media type); {} if unknown."""
    v = value.strip().lower()
    if v in FORMAT_NAMES:
        return FORMAT_NAMES[v]
    v = v.split(";")[0].strip()
    return {form: key for form, offers in OFFERS.items() for media, key in offers if media == v}


def negotiate(accept, format_values: list[str]) -> dict[str, str]:
    """Choose a format key for each query form from `format` parameters (win) or the Accept header.

    ``accept`` is a werkzeug MIMEAccept (q-values honoured); forms with no acceptable format are left out (the
    worker answers 406 if the query turns out to be of that form).
    """
    values = [v for v in format_values if v and v.strip()]
    if values:
        out: dict[str, str] = {}
        for v in values:
            for form, key in format_key(v).items():
                out.setdefault(form, key)
        if not out:
            names = ", ".join(sorted(FORMAT_NAMES))
            raise ProtocolError(400, f"Unbekanntes Format '{values[0]}'. Bekannt: {names} oder ein Medientyp.",
                                f"Unknown format '{values[0]}'. Known: {names} or a media type.")
        return out
    if not accept or not list(accept.values()):
        return dict(DEFAULTS)
    out = {}
    for form, offers in OFFERS.items():
        best = accept.best_match([m for m, _ in offers])
        if best:
            out[form] = dict(offers)[best]
    return out


def not_acceptable(form: str) -> ProtocolError:
    return ProtocolError(
        406, f"Kein passendes Antwortformat für eine {FORM_NAMES[form]}-Abfrage. Angeboten: {offered(form)}.",
        f"No acceptable result format for a {FORM_NAMES[form]} query. Offered: {offered(form)}.")


class _CappedLines:
    """A binary writer that keeps what pyoxigraph writes and stops it once more than ``cap`` lines arrived."""

    def __init__(self, cap: int):
        self.cap, self.lines, self.parts = cap, 0, []

    def write(self, data) -> int:
        self.lines += data.count(b"\n")
        if self.lines > self.cap:
            raise _Stop()
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


class _Stop(Exception):
    pass


def _capped(serialize, fmt, cap: int, header_lines: int) -> tuple[bytes, int]:
    w = _CappedLines(cap + header_lines)
    try:
        serialize(w, fmt)
    except _Stop:
        raise RowCapExceeded(cap) from None
    except (OSError, RuntimeError) as exc:  # pyoxigraph wraps exceptions raised by the writer
        if w.lines > w.cap:
            raise RowCapExceeded(cap) from None
        raise exc
    return w.getvalue(), w.lines - header_lines


def serialize(result, formats: dict[str, str], cap: int) -> tuple[bytes, str, int | None, str]:
    """Serialise a pyoxigraph query result: (body, media type, rows or None for ASK, form)."""
    if isinstance(result, ox.QueryBoolean):
        key = formats.get("ask")
        if key is None:
            raise not_acceptable("ask")
        fmt, media = RESULT_FORMATS[key]
        return result.serialize(format=fmt), media, None, "ask"
    if isinstance(result, ox.QuerySolutions):
        key = formats.get("select")
        if key is None:
            raise not_acceptable("select")
        tsv, rows = _capped(lambda out, f: result.serialize(out, f), R.TSV, cap, 1)
        fmt, media = RESULT_FORMATS[key]
        body = tsv if key == "tsv" else ox.parse_query_results(tsv, R.TSV).serialize(format=fmt)
        return body, media, rows, "select"
    key = formats.get("graph")
    if key is None:
        raise not_acceptable("graph")
    nt, rows = _capped(lambda out, f: result.serialize(out, f), F.N_TRIPLES, cap, 0)
    fmt, media = GRAPH_FORMATS[key]
    if key == "nt":
        return nt, media, rows, "graph"
    triples = ox.parse(nt, F.N_TRIPLES)
    kwargs = {"prefixes": ns.PREFIXES} if fmt in _PREFIXED else {}
    return ox.serialize(triples, format=fmt, **kwargs), media, rows, "graph"


CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept, Accept-Language",
    "Access-Control-Expose-Headers": "X-Result-Rows, X-Max-Rows, Retry-After, Content-Language",
    "Access-Control-Max-Age": "86400",
}


def add_cors(response):
    """CORS for read-only query endpoints (any origin; no credentials are involved)."""
    for k, v in CORS_HEADERS.items():
        response.headers.setdefault(k, v)
    return response
