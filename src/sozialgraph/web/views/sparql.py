"""The public SPARQL 1.1 endpoint `/sparql` (Protocol, read-only, public graphs only, bounded), its Service
Description and the VoID description at `/.well-known/void`. See docs/sparql.md."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, redirect, request, url_for

from sozialgraph import namespaces as ns
from sozialgraph.publish.void import Subset, build_void
from sozialgraph.resources import RDF_TEMPLATES_DIR
from sozialgraph.sparql import protocol
from sozialgraph.sparql.protocol import ProtocolError
from sozialgraph.sparql.saved import load_query
from sozialgraph.sparql.pool import SparqlPool
from sozialgraph.web import error_response, get_ctx

bp = Blueprint("sparql", __name__)
bp.after_request(protocol.add_cors)

RDF_DIR = RDF_TEMPLATES_DIR
SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode(ns.PREFIXES["rdf"] + "type")
_pool_lock = threading.Lock()


# -- the pool of query workers ---------------------------------------------------------------------------------
DEFAULT_MAX_QUERY_STRING = 8000  # bytes of a GET query string (setting max_query_string); longer: 414, use POST
# what an RDF client at /id/… may ask for instead of HTML: the answer's media type for an error
_ERROR_MEDIA = {"text/turtle": "text/turtle; charset=utf-8", "application/n-triples": "application/n-triples",
                "application/ld+json": "application/json", "application/json": "application/json",
                "application/rdf+xml": "text/plain; charset=utf-8", "text/plain": "text/plain; charset=utf-8"}


def init_app(app) -> None:
    app.extensions["sparql_pool"] = None  # created by the first query (get_pool)
    app.before_request(_refuse_long_query_string)
    app.after_request(_rdf_client_errors)
    from flask import before_render_template

    before_render_template.connect(_remember_error_page, app)


def _refuse_long_query_string():
    """A GET whose query string is longer than max_query_string bytes: JSON 414 that says to use POST (the WSGI
    server's own request-line limit, gunicorn limit_request_line, lies above and answers HTML)."""
    limit = int((current_app.config.get("SOZIALGRAPH_SETTINGS") or {}).get("max_query_string",
                                                                          DEFAULT_MAX_QUERY_STRING))
    qs = request.environ.get("QUERY_STRING", "")
    if limit <= 0 or len(qs.encode("latin-1", "replace")) <= limit:
        return None
    n = len(qs)
    resp, status = error_response(
        414, f"Abfrage zu lang für GET ({n} Bytes, höchstens {limit}); bitte POST verwenden (z. B. Content-Type "
             f"application/sparql-query oder application/x-www-form-urlencoded).",
        f"Query too long for GET ({n} bytes, at most {limit}); please use POST (e.g. Content-Type "
        f"application/sparql-query or application/x-www-form-urlencoded).",
        as_json=not (_browser() and request.path != "/sparql"))
    return current_app.make_response((resp, status))


def _remember_error_page(sender, template, context, **extra):
    if template.name == "error.html":
        g._error_page = (context.get("status"), context.get("message"))


def _rdf_client_errors(response):
    """Errors under /id/… for RDF clients in a format they read (Turtle/N-Triples comment, JSON, plain text)
    rather than the HTML error page."""
    page = g.get("_error_page")
    if page is None or not request.path.startswith("/id/") or response.status_code < 400 \
            or response.mimetype != "text/html":
        return response
    best = request.accept_mimetypes.best_match(["text/html", *_ERROR_MEDIA]) if request.headers.get("Accept") else None
    if best is None or best == "text/html":
        return response
    status, message = page
    media = _ERROR_MEDIA[best]
    if media == "application/json":
        from flask import json

        body = json.dumps({"ok": False, "error": message, "status": status, "lang": g.get("lang", "de")})
    elif best in ("text/turtle", "application/n-triples"):
        body = "".join(f"# {line}\n" for line in f"Fehler/Error {status}: {message}".splitlines())
    else:
        body = f"Fehler/Error {status}: {message}\n"
    response.set_data(body.encode("utf-8"))
    response.headers["Content-Type"] = media
    response.headers["Vary"] = "Accept"
    return response


def settings() -> dict:
    return current_app.config.get("SOZIALGRAPH_SETTINGS") or get_ctx().settings


def get_pool(app=None) -> SparqlPool:
    app = app or current_app._get_current_object()
    with _pool_lock:
        pool = app.extensions.get("sparql_pool")
        if pool is None or pool.closed:
            ctx = app.extensions["sozialgraph"]
            pool = SparqlPool(ctx.store, app.config.get("SOZIALGRAPH_SETTINGS") or ctx.settings)
            app.extensions["sparql_pool"] = pool
        return pool


def close_pool(app) -> None:
    pool = app.extensions.get("sparql_pool")
    if pool is not None:
        pool.close()


def protocol_error(exc: ProtocolError):
    """SPARQL clients get the JSON envelope; a browser asking for HTML gets the error page."""
    resp, status = error_response(exc.status, exc.de, exc.en, as_json=not _browser())
    resp = current_app.make_response((resp, status))
    for k, v in exc.headers.items():
        resp.headers[k] = v
    return resp


def _browser() -> bool:
    """True if the client prefers HTML (explicitly listed) over every SPARQL result format."""
    acc = request.accept_mimetypes
    html = max((q for v, q in acc if v == "text/html"), default=0)
    others = [m for offers in protocol.OFFERS.values() for m, _ in offers]
    return html > 0 and html >= max(acc.quality(m) for m in others)


# -- the endpoint --------------------------------------------------------------------------------------------
@bp.route("/sparql", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def sparql():
    try:
        if request.method not in ("GET", "POST"):
            raise ProtocolError(405, "Methode nicht erlaubt: Abfragen mit GET oder POST.",
                                "Method not allowed: query with GET or POST.", {"Allow": "GET, POST, OPTIONS"})
        text, dg, ng = _read_request()
        if text is None:
            return service_description()
        fmt_values = request.args.getlist("format") + request.form.getlist("format")
        if not fmt_values and _browser() and request.method == "GET":
            return redirect(url_for("abfrage.page", query=text, **_dataset_args(dg, ng)), 303)
        formats = protocol.negotiate(request.accept_mimetypes if request.headers.get("Accept") else None,
                                     fmt_values)
        pool = get_pool()
        result = pool.run(pool.job(text, formats=formats, default_graphs=dg, named_graphs=ng,
                                   base_iri=base_url() + "sparql"))
    except ProtocolError as exc:
        resp = protocol_error(exc)
        resp.headers["X-Max-Rows"] = str(settings()["max_rows"])
        return resp
    resp = Response(result.body, 200, content_type=result.media_type)
    if result.rows is not None:
        resp.headers["X-Result-Rows"] = str(result.rows)
    resp.headers["X-Max-Rows"] = str(settings()["max_rows"])
    resp.headers["Vary"] = "Accept"
    return resp


def _dataset_args(dg, ng) -> dict:
    out = {}
    if dg:
        out["default-graph-uri"] = dg
    if ng:
        out["named-graph-uri"] = ng
    return out


def _read_request() -> tuple[str | None, list[str] | None, list[str] | None]:
    """(query text or None for a description request, default graphs, named graphs) per SPARQL 1.1 Protocol."""
    args = request.args
    queries = args.getlist("query")
    if "update" in args or (request.method == "POST" and request.mimetype == "application/sparql-update"):
        raise _read_only()
    if request.method == "POST":
        mt = request.mimetype
        charset = (request.mimetype_params.get("charset") or "utf-8").lower()
        if not mt:
            raise ProtocolError(400, "Content-Type fehlt. Erlaubt: application/x-www-form-urlencoded oder "
                                     "application/sparql-query.",
                                "Content-Type is missing. Allowed: application/x-www-form-urlencoded or "
                                "application/sparql-query.")
        if mt not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            raise ProtocolError(415, f"Nicht unterstützter Content-Type '{mt}'. Erlaubt: "
                                     f"application/x-www-form-urlencoded oder application/sparql-query.",
                                f"Unsupported Content-Type '{mt}'. Allowed: application/x-www-form-urlencoded "
                                f"or application/sparql-query.")
        if charset not in ("utf-8", "utf8"):
            raise ProtocolError(415, f"Zeichensatz '{charset}' wird nicht unterstützt; bitte UTF-8.",
                                f"Charset '{charset}' is not supported; use UTF-8.")
        if mt == "application/x-www-form-urlencoded":
            if "update" in request.form:
                raise _read_only()
            queries = queries + request.form.getlist("query")
            if not queries:
                raise _missing()
        else:
            if queries:
                raise ProtocolError(400, "Die Abfrage steht im Rumpf; ein zusätzlicher query-Parameter ist nicht "
                                         "erlaubt.",
                                    "The query is in the body; an extra query parameter is not allowed.")
            try:
                queries = [request.get_data(cache=True).decode("utf-8")]
            except UnicodeDecodeError:
                raise ProtocolError(400, "Der Rumpf ist kein gültiges UTF-8.", "The body is not valid UTF-8.") \
                    from None
    if len(queries) > 1:
        raise ProtocolError(400, "Mehr als ein query-Parameter. Bitte genau eine Abfrage senden.",
                            "More than one query parameter. Send exactly one query.")
    dg = args.getlist("default-graph-uri") + request.form.getlist("default-graph-uri")
    ng = args.getlist("named-graph-uri") + request.form.getlist("named-graph-uri")
    for g in dg + ng:
        try:
            ox.NamedNode(g)
        except ValueError:
            raise ProtocolError(400, f"'{g}' ist keine gültige Graph-IRI.", f"'{g}' is not a valid graph IRI.") \
                from None
    if not queries:
        if request.method == "POST":
            raise _missing()
        return None, None, None
    if not queries[0].strip():
        raise _missing()
    if dg or ng:
        return queries[0], dg, ng
    return queries[0], None, None


def _read_only() -> ProtocolError:
    return ProtocolError(403, "Dieser Endpunkt ist schreibgeschützt: SPARQL Update ist nicht erlaubt. Daten ändern "
                              "sich nur durch Einreichungen.",
                         "This endpoint is read-only: SPARQL Update is not allowed. Data changes only through "
                         "submissions.")


def _missing() -> ProtocolError:
    return ProtocolError(400, "Keine Abfrage: der Parameter query fehlt oder ist leer.",
                         "No query: the query parameter is missing or empty.")


# -- descriptions ----------------------------------------------------------------------------------------------
def base_url() -> str:
    pub = settings().get("public_url") or ""
    return (pub.rstrip("/") + "/") if pub else request.url_root


def _graph_response(triples: list[ox.Triple]):
    formats = protocol.negotiate(request.accept_mimetypes if request.headers.get("Accept") else None,
                                 request.args.getlist("format"))
    key = formats.get("graph")
    if key is None:
        raise protocol.not_acceptable("graph")
    fmt, media = protocol.GRAPH_FORMATS[key]
    kwargs = {"prefixes": {**ns.PREFIXES, "sd": SD, "formats": "http://www.w3.org/ns/formats/"}} \
        if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD) else {}
    resp = Response(ox.serialize(triples, format=fmt, **kwargs), 200, content_type=media)
    resp.headers["Vary"] = "Accept"
    return resp


def _template(name: str, base: str) -> list[ox.Triple]:
    with open(RDF_DIR / name, "rb") as fh:
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(fh, ox.RdfFormat.TURTLE, base_iri=base)]


def service_description():
    if _browser() and not request.args.getlist("format"):
        return redirect(url_for("abfrage.page"), 303)
    endpoint = base_url() + "sparql"
    triples = _template("service-description.ttl", endpoint)
    dataset = ox.NamedNode(endpoint + "#dataset")
    for g in get_ctx().store.public_graphs():
        b = ox.BlankNode()
        triples += [ox.Triple(dataset, ox.NamedNode(SD + "namedGraph"), b),
                    ox.Triple(b, RDF_TYPE, ox.NamedNode(SD + "NamedGraph")),
                    ox.Triple(b, ox.NamedNode(SD + "name"), ox.NamedNode(g))]
    return _graph_response(triples)


@bp.get("/.well-known/void")
def void():
    try:
        base = base_url()
        subsets = [Subset(g, n) for g, n in triple_counts().items()]
        triples = _template("void.ttl", base) + build_void(
            base + ".well-known/void#sozialgraph", base + "sparql", default_graph_count(), subsets,
            licence=settings().get("licence") or "")
        return _graph_response(triples)
    except ProtocolError as exc:
        return protocol_error(exc)


_counts_cache: dict = {}


def default_graph_count() -> int:
    """Triples of the public default graph, counted by the query workers like every public query."""
    pool = get_pool()
    res = pool.run(pool.job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", formats={"select": "json"}))
    return int(json.loads(res.body)["results"]["bindings"][0]["n"]["value"])


def triple_counts() -> dict[str, int]:
    """Triples per public graph, evaluated by the query workers (bounded), cached per store generation."""
    store = get_ctx().store
    key = (id(store), store.generation)
    if key not in _counts_cache:
        pool = get_pool()
        res = pool.run(pool.job(load_query("count-triples-per-graph", internal=True).text,
                                formats={"select": "json"}, max_rows=1_000_000))
        rows = json.loads(res.body)["results"]["bindings"]
        _counts_cache.clear()
        _counts_cache[key] = {r["graph"]["value"]: int(r["tripel"]["value"]) for r in rows}
    return _counts_cache[key]
