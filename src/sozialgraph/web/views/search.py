"""Offer search: the page /angebote and the same search as JSON, CSV or XLSX.

- ``/angebote``: the page; ``?format=json`` the page's JSON; ``?format=csv`` and ``?format=xlsx`` the whole result
  for German Excel (tables.Table: semicolons, UTF-8 with BOM, decimal comma; the search's filters on top).
  Empty parameters (the GET form's unused fields) are redirected to the clean URL, so shared links stay short.
  A bad value answers 400 with the form, the message and its suggestions as links.
- ``/api/angebote``: JSON (default), ``format=csv`` (machine-readable: comma, UTF-8, one header row, as before) or
  ``format=xlsx`` (the same spreadsheet as the page's); unknown parameter names are a 400.

Facet parameters may repeat (``angebotsart=a&angebotsart=b``: OR within a facet, AND across facets).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, Response, g, jsonify, redirect, render_template, request

from sozialgraph import tables
from sozialgraph.analysis import search
from sozialgraph.csvsafe import safe_row
from sozialgraph.errors import ParameterError, UnknownValue
from sozialgraph.web import error_response, get_ctx
from sozialgraph.web.views.home import pagepath

bp = Blueprint("search", __name__)

PAGE_FORMATS = ("html", "json", "csv", "xlsx")
API_FORMATS = ("json", "csv", "xlsx")
SORT_NAMES = {"grund": ("Nähe (vor Ort zuerst)", "closeness (on site first)"), "name": ("Name", "name"),
              "art": ("Angebotsart", "offer type"), "stadtteil": ("Stadtteil", "quarter"), "amt": ("Amt", "office")}


def parameter_error(exc: ParameterError):
    return error_response(400, exc.message("de"), exc.message("en"), parameter=exc.param,
                          suggestions=exc.suggestions)


def url(path: str, params) -> str:
    """path?query; ``params`` a dict (a list value repeats the parameter) or (name, value) pairs."""
    query = urlencode(params, doseq=True) if params else ""
    return path + ("?" + query if query else "")


def format_error(fmt: str, allowed: tuple[str, ...]):
    names = ", ".join(allowed)
    return error_response(400, f"Parameter 'format': '{fmt}' ist kein Format ({names}).",
                          f"Parameter 'format': '{fmt}' is not a format ({names}).", parameter="format")


def export(res: search.Result, fmt: str, lang: str) -> Response:
    """The whole result as a spreadsheet for German Excel, with the search's filters on top."""
    idx, s = res.index, res.search
    en = lang == "en"
    today = date.today()
    filters = [("Search" if en else "Suche", search.heading(idx, s, res.total, lang)),
               *search.filter_rows(idx, s, lang),
               ("Results" if en else "Treffer", str(res.total)),
               ("Date" if en else "Stand", today.isoformat() if en else today.strftime("%d.%m.%Y")),
               ("Address" if en else "Adresse", request.url_root.rstrip("/") + url("/angebote", s.params()))]
    table = tables.Table([en_ if en else de for de, en_ in search.TABLE_COLUMNS],
                         [search.table_row(idx, o, res.reasons, lang) for o in res.offers], filters,
                         title="Offers" if en else "Angebote")
    if fmt == "xlsx":
        return Response(table.xlsx(), mimetype=tables.XLSX_MEDIA_TYPE,
                        headers={"Content-Disposition": 'attachment; filename="angebote.xlsx"'})
    return Response(table.csv(), content_type=tables.CSV_MEDIA_TYPE,
                    headers={"Content-Disposition": 'attachment; filename="angebote.csv"'})


def _suggestion_links(exc: ParameterError, resolver) -> list[tuple[str, str]]:
    """'Meinten Sie …' as links: the request with the bad value of the parameter replaced by a suggestion."""
    def bad(key: str, value: str) -> bool:
        if key != exc.param or key not in (*search.FILTERS, *search.WHERE):
            return key == exc.param
        try:
            resolver.resolve(search.FILTERS.get(key, key), value)
            return False
        except UnknownValue:
            return True

    kept = [(k, v) for k, v in request.args.items(multi=True) if v.strip() and not bad(k, v)]
    return [(label, url("/angebote", kept + [(exc.param, label)])) for label in exc.suggestions]


@bp.get("/angebote")
def page():
    args = request.args
    if any(not v.strip() for vs in args.listvalues() for v in vs):  # the GET form's empty fields: clean URL
        return redirect(url(request.path, [(k, v) for k, v in args.items(multi=True) if v.strip()]), 302)
    ctx = get_ctx()
    lang = g.get("lang", "de")
    fmt = args.get("format", "html")
    if fmt not in PAGE_FORMATS:
        return format_error(fmt, PAGE_FORMATS)
    resolver = ctx.resolver()
    errors: list[ParameterError] = []
    s = search.parse(args, resolver, errors=errors)
    if errors and fmt != "html":
        return parameter_error(errors[0])
    if errors:
        idx = search.get_index(ctx)
        search.reconcile(idx, s)
        return render_template("search.html", error=errors[0], suggestion_links=_suggestion_links(errors[0], resolver),
                               res=None, **page_context(ctx, s, idx, lang)), 400
    res = search.run(ctx, s, lang)
    if fmt == "json":
        return jsonify(result_json(res, lang))
    if fmt in ("csv", "xlsx"):
        return export(res, fmt, lang)
    idx = res.index
    return render_template("search.html", res=res, error=None, **page_context(ctx, s, idx, lang),
                           heading=search.heading(idx, s, res.total, lang),
                           term_links=[(t, url("/angebote", s.params(**{t.param: [search.short(v) for v in
                                                                                   s.chosen(t.param)]
                                                                                  + [search.short(t.iri)],
                                                                        "q": t.rest or None})))
                                       for t in search.term_suggestions(idx, s)],
                           did_you_mean=([(label, url("/angebote", s.params(q=label)))
                                          for label in search.did_you_mean(idx, s.q, lang)]
                                         if s.q and not res.total else []))


def page_context(ctx, s: search.Search, idx: search.Index, lang: str) -> dict:
    """What the page's form, chips, footer and links need, for a result and for an error alike."""
    boroughs = sorted((a for a in idx.areas.values() if a.kind == "stadtbezirk"), key=lambda a: a.number)
    shown_borough = s.stadtbezirk or (idx.areas[s.stadtteil].borough if s.stadtteil in idx.areas else None)
    resolver = ctx.resolver()
    today = date.today()
    return dict(
        s=s, idx=idx, pagepath=pagepath, url=url, short=search.short, facet_names=search.FACET_NAMES,
        reasons_en=search.REASONS_EN, sort_names=SORT_NAMES, boroughs=boroughs, shown_borough=shown_borough,
        quarters_of=lambda b: sorted(idx.quarters(b), key=lambda a: a.number),
        vocab={k: resolver.values(k) for k in ("zielgruppe", "angebotsart", "amt")},
        chips=search.describe(idx, s, lang), all_limit=search.ALL_LIMIT,
        page_url=request.url_root.rstrip("/") + url("/angebote", s.params()),
        today=today.isoformat() if lang == "en" else today.strftime("%d.%m.%Y"),
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
    if fmt not in API_FORMATS:
        return format_error(fmt, API_FORMATS)
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
    if fmt == "xlsx":
        return export(res, fmt, lang)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(safe_row(search.CSV_COLUMNS))
    for o in res.offers:  # CSV: the whole result, no paging; no cell may start a formula (lat/long stay numbers)
        w.writerow(safe_row(search.offer_csv_row(res.index, o, res.reasons, lang)))
    return Response(buf.getvalue().encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="angebote.csv"'})
