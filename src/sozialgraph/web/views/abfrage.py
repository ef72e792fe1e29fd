"""The query page `/abfrage`: a SPARQL editor with the prefixes preloaded, the saved queries as examples (with a
form for their parameters), a results table, downloads in every format and a permalink. Plain HTML forms: it
works without JavaScript."""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, render_template, request

from sozialgraph import namespaces as ns
from sozialgraph.labels import curie
from sozialgraph.sparql import protocol
from sozialgraph.sparql.protocol import ProtocolError
from sozialgraph.sparql.saved import list_queries, load_query
from sozialgraph.errors import ParameterError
from sozialgraph.web import get_ctx
from sozialgraph.web.views.sparql import get_pool

bp = Blueprint("abfrage", __name__)

SHOW_ROWS = 1000  # rows shown in the page; downloads carry the whole result (up to max_rows)
PAGE_FORMATS = {"select": "json", "ask": "json", "graph": "nt"}


def _link(term) -> str | None:
    if isinstance(term, ox.NamedNode) and term.value.startswith(("http://", "https://")):
        return "/" + term.value[len(ns.BASE):] if term.value.startswith(ns.ID) else term.value
    return None


def _cell(term) -> dict:
    if term is None:
        return {"text": "", "href": None, "note": ""}
    note = ""
    if isinstance(term, ox.Literal):
        if term.language:
            note = "@" + term.language
        elif term.datatype.value != ns.PREFIXES["xsd"] + "string":
            note = "^^" + curie(term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return {"text": "_:" + term.value, "href": None, "note": ""}
    return {"text": curie(term.value) if isinstance(term, ox.NamedNode) else term.value, "href": _link(term),
            "note": note}


def _table(res) -> dict:
    if res.form == "ask":
        return {"form": "ask", "boolean": bool(ox.parse_query_results(res.body, ox.QueryResultsFormat.JSON))}
    if res.form == "select":
        sols = ox.parse_query_results(res.body, ox.QueryResultsFormat.JSON)
        columns = [v.value for v in sols.variables]
        rows = []
        for i, s in enumerate(sols):
            if i >= SHOW_ROWS:
                break
            rows.append([_cell(s[c]) for c in columns])
        return {"form": "select", "columns": columns, "rows": rows, "total": res.rows}
    rows = []
    for i, t in enumerate(ox.parse(res.body, ox.RdfFormat.N_TRIPLES)):
        if i >= SHOW_ROWS:
            break
        rows.append([_cell(t.subject), _cell(t.predicate), _cell(t.object)])
    return {"form": "graph", "columns": ["subject", "predicate", "object"], "rows": rows, "total": res.rows}


def _downloads(query: str, form: str, extra: dict) -> list[tuple[str, str]]:
    keys = list(protocol.RESULT_FORMATS) if form == "select" else (
        ["json", "xml"] if form == "ask" else list(protocol.GRAPH_FORMATS))
    labels = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV", "ttl": "Turtle", "nt": "N-Triples",
              "jsonld": "JSON-LD", "rdfxml": "RDF/XML"}
    fmt_param = {"rdfxml": "rdfxml", "jsonld": "jsonld", "ttl": "ttl", "nt": "nt"}
    return [(labels[k], "/sparql?" + urlencode({"query": query, **extra, "format": fmt_param.get(k, k)}, doseq=True))
            for k in keys]


@bp.get("/abfrage")
def page():
    queries = list_queries()
    saved_name = request.args.get("gespeichert")
    example = request.args.get("beispiel")
    text = request.args.get("query")
    dataset = {k: request.args.getlist(k) for k in ("default-graph-uri", "named-graph-uri") if request.args.get(k)}
    ctx = {"queries": queries, "prefixes": ns.sparql_prefixes(["sg", "rdfs", "skos", "dcterms", "schema", "xsd"]),
           "query": text, "result": None, "error": None, "downloads": [], "saved": None, "values": {},
           "permalink": None}
    status = 200
    try:
        if saved_name:
            q = load_query(saved_name)
            ctx["saved"] = q
            ctx["query"] = q.text
            values = {p.name: request.args.get(p.name, "") for p in q.params}
            ctx["values"] = values
            terms = q.bind({k: v for k, v in values.items() if v.strip()}, get_ctx().resolver())
            pool = get_pool()
            res = pool.run(pool.job(q.render(terms), formats=PAGE_FORMATS))
            ctx["result"] = _table(res)
            api = "/api/queries/" + q.name + "?" + urlencode({k: v for k, v in values.items() if v.strip()})
            ctx["downloads"] = [("JSON", api + ("&" if "?" in api else "?") + "format=json"),
                                ("CSV", api + ("&" if "?" in api else "?") + "format=csv")]
            ctx["permalink"] = request.full_path
        elif example:
            ctx["query"] = load_query(example).text
        elif text is not None and text.strip():
            pool = get_pool()
            res = pool.run(pool.job(text, formats=PAGE_FORMATS, default_graphs=dataset.get("default-graph-uri"),
                                    named_graphs=dataset.get("named-graph-uri")) if dataset else
                           pool.job(text, formats=PAGE_FORMATS))
            ctx["result"] = _table(res)
            ctx["downloads"] = _downloads(text, res.form, dataset)
            ctx["permalink"] = "/abfrage?" + urlencode({"query": text, **dataset}, doseq=True)
    except KeyError:
        ctx["error"], status = ("Unbekannte gespeicherte Abfrage.", "Unknown saved query."), 404
    except ParameterError as exc:
        ctx["error"], status = (exc.message("de"), exc.message("en")), 400
    except ProtocolError as exc:
        ctx["error"], status = (exc.de, exc.en), exc.status
    return render_template("abfrage.html", **ctx), status
