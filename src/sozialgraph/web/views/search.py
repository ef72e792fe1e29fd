"""Offer search: the page /angebote and the same search as JSON or CSV at /api/angebote."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from flask import Blueprint, Response, g, jsonify, render_template, request

from sozialgraph.analysis import search
from sozialgraph.csvsafe import safe_row
from sozialgraph.errors import ParameterError
from sozialgraph.web import error_response, get_ctx
from sozialgraph.web.views.home import pagepath

bp = Blueprint("search", __name__)


def parameter_error(exc: ParameterError):
    return error_response(400, exc.message("de"), exc.message("en"), parameter=exc.param,
                          suggestions=exc.suggestions)


def url(path: str, params: dict[str, str]) -> str:
    return path + ("?" + urlencode(params) if params else "")


@bp.get("/angebote")
def page():
    ctx = get_ctx()
    lang = g.get("lang", "de")
    try:
        s = search.parse(request.args, ctx.resolver())
    except ParameterError as exc:
        return parameter_error(exc)
    res = search.run(ctx, s, lang)
    if request.args.get("format") == "json":
        return jsonify(result_json(res, lang))
    idx = res.index
    boroughs = sorted((a for a in idx.areas.values() if a.kind == "stadtbezirk"), key=lambda a: a.number)
    quarter_borough = s.stadtbezirk or (idx.areas[s.stadtteil].borough if s.stadtteil in idx.areas else None)
    quarters = sorted(idx.quarters(quarter_borough), key=lambda a: a.number) if quarter_borough else []
    return render_template(
        "search.html", res=res, s=s, idx=idx, pagepath=pagepath, url=url, short=search.short,
        facet_names=search.FACET_NAMES, reasons_en=search.REASONS_EN, sorts=search.SORTS,
        per_page_choices=search.PER_PAGE, boroughs=boroughs, quarters=quarters,
        vocab={k: ctx.resolver().values(k) for k in ("zielgruppe", "angebotsart", "amt")},
    )


def result_json(res: search.Result, lang: str) -> dict:
    idx, s = res.index, res.search
    return {
        "ok": True,
        "anzahl": res.total,
        "seite": s.page,
        "pro_seite": s.per_page,
        "seiten": res.pages,
        "suche": s.params(),
        "ergebnisse": [search.offer_json(idx, o, res.reasons, lang) for o in res.page_offers()],
        "facetten": res.facets,
    }


@bp.get("/api/angebote")
def api():
    ctx = get_ctx()
    lang = g.get("lang", "de")
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        return error_response(400, f"Parameter 'format': '{fmt}' ist kein Format (json oder csv).",
                              f"Parameter 'format': '{fmt}' is not a format (json or csv).", parameter="format")
    try:
        s = search.parse(request.args, ctx.resolver(), strict=True,
                         max_per_page=ctx.settings["max_rows"])
        if "pro_seite" not in request.args:
            s.per_page = 100
    except ParameterError as exc:
        return parameter_error(exc)
    res = search.run(ctx, s, lang)
    if fmt == "json":
        return jsonify(result_json(res, lang))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(safe_row(search.CSV_COLUMNS))
    for o in res.offers:  # CSV: the whole result, no paging; no cell may start a formula (lat/long stay numbers)
        w.writerow(safe_row(search.offer_csv_row(res.index, o, res.reasons, lang)))
    return Response(buf.getvalue().encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="angebote.csv"'})
