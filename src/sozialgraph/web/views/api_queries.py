"""Saved queries over HTTP: `GET /api/queries` lists queries/*.rq; `GET /api/queries/NAME?KEY=VALUE` runs one with
its parameters bound as escaped RDF terms in
the query's `VALUES ?name { UNDEF }` lines (SavedQuery.render), bounded like every public query (sparql_pool).

Answers: JSON (default; {"ok", "query", "columns", "rows": [{column: value}], "row_count", ...}), CSV
(`format=csv` or Accept text/csv) or standard SPARQL JSON results (`format=sparql-json` or Accept
application/sparql-results+json). A bad parameter value is a 400 naming the parameter and why.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, g, jsonify, request, url_for

from sozialgraph.sparql import protocol
from sozialgraph.sparql.output import results_csv, rows_of
from sozialgraph.sparql.protocol import ProtocolError
from sozialgraph.sparql.saved import SavedQuery, list_queries, load_query
from sozialgraph.errors import ParameterError
from sozialgraph.web import error_response, get_ctx
from sozialgraph.web.views.sparql import get_pool

bp = Blueprint("api_queries", __name__)
bp.after_request(protocol.add_cors)

RESERVED = ("format", "lang")


def describe(q: SavedQuery, lang: str) -> dict:
    return {**q.as_dict(lang), "url": url_for("api_queries.run", name=q.name, _external=True),
            "page": url_for("abfrage.page", beispiel=q.name, _external=True)}


@bp.get("/api/queries")
def index():
    lang = g.get("lang", "de")
    return jsonify({"ok": True, "queries": [describe(q, lang) for q in list_queries()]})


def _output_format() -> str:
    fmt = (request.args.get("format") or "").lower()
    if fmt:
        if fmt not in ("json", "csv", "sparql-json"):
            raise ProtocolError(400, f"Unbekanntes Format '{fmt}'. Erlaubt: json, csv, sparql-json.",
                                f"Unknown format '{fmt}'. Allowed: json, csv, sparql-json.")
        return fmt
    best = request.accept_mimetypes.best_match(["application/json", "text/csv", "application/sparql-results+json"])
    return {"text/csv": "csv", "application/sparql-results+json": "sparql-json"}.get(best or "", "json")


def run_saved_query(q: SavedQuery, values: dict[str, str], fmt_key: str):
    """Bind and run a saved query through the query workers; ParameterError / ProtocolError on failure."""
    terms = q.bind(values, get_ctx().resolver())
    pool = get_pool()
    formats = {"select": fmt_key, "ask": "json" if fmt_key == "csv" else fmt_key, "graph": "nt"}
    return terms, pool.run(pool.job(q.render(terms), formats=formats))


@bp.get("/api/queries/<name>")
def run(name: str):
    try:
        q = load_query(name)
    except KeyError:
        return error_response(404, f"Keine gespeicherte Abfrage '{name}' (Liste: /api/queries).",
                              f"No saved query '{name}' (list: /api/queries).", as_json=True)
    values = {k: v for k, v in request.args.items() if k not in RESERVED}
    try:
        fmt = _output_format()
        # CSV is written here from the JSON results (with the terms' datatypes), so that no cell can start a
        # spreadsheet formula while numbers stay numbers (sozialgraph.csvsafe)
        subs, res = run_saved_query(q, values, "json")
    except ParameterError as exc:
        return error_response(400, exc.message("de"), exc.message("en"), as_json=True, parameter=exc.param,
                              suggestions=exc.suggestions)
    except ProtocolError as exc:
        resp, status = error_response(exc.status, exc.de, exc.en, as_json=True)
        resp.status_code = status
        resp.headers.update(exc.headers)
        return resp
    parsed = fmt != "sparql-json" and res.form in ("select", "ask")
    result = ox.parse_query_results(res.body, ox.QueryResultsFormat.JSON) if parsed else None
    if fmt == "csv" and res.form == "select":
        resp = Response(results_csv(result).encode("utf-8"), 200, content_type="text/csv; charset=utf-8")
        resp.headers["Content-Disposition"] = f'inline; filename="{q.name}.csv"'
    elif fmt != "json":  # SPARQL JSON results (and ASK, which has no CSV form)
        resp = Response(res.body, 200, content_type=res.media_type)
    else:
        if isinstance(result, ox.QueryBoolean):
            body = {"ok": True, "query": q.name, "boolean": bool(result)}
        else:
            columns, rows = rows_of(result)
            body = {"ok": True, "query": q.name, "title": q.title_in(g.get("lang", "de")),
                    "parameters": {k: v.value for k, v in subs.items()}, "columns": columns,
                    "rows": [dict(zip(columns, r)) for r in rows], "row_count": len(rows)}
        resp = jsonify(body)
    if res.rows is not None:
        resp.headers["X-Result-Rows"] = str(res.rows)
    resp.headers["Vary"] = "Accept, Accept-Language"
    return resp
