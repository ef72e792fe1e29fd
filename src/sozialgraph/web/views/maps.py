"""Maps: /karte (page with SVG map, legend and the figures as a table) and /karte.svg (the map alone).

Both take the search parameters of /angebote (so a map exists for any search result: a Stadtteil, an office, a
target group, ...) and `wert=anzahl|je1000` (offers, or offers per 1,000 inhabitants)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, g, render_template, request

from sozialgraph.analysis import maps, search
from sozialgraph.reference import geodata
from sozialgraph.errors import ParameterError
from sozialgraph.web import error_response, get_ctx
from sozialgraph.web.views.home import pagepath
from sozialgraph.web.views.search import parameter_error

bp = Blueprint("maps", __name__)

MEASURES = ("anzahl", "je1000")


def map_title(idx: search.Index, s: search.Search, lang: str) -> str:
    parts = [idx.label(v, lang) for v in s.filters.values()]
    if s.where:
        parts.append(idx.label(s.where, lang))
    if s.q:
        parts.append(f"„{s.q}“" if lang == "de" else f"“{s.q}”")
    head = "Angebote" if lang == "de" else "Offers"
    return head + (": " + ", ".join(parts) if parts else (" in Köln" if lang == "de" else " in Cologne"))


def map_for(ctx, args, lang: str, highlight: str | None = None, title: str | None = None):
    """(Map, Search) for request-like args; ParameterError on a bad value."""
    s = search.parse(args, ctx.resolver())
    measure = args.get("wert") or "anzahl"
    if measure not in MEASURES:
        raise ParameterError("wert", f"'{measure}' ist kein Kartenwert (anzahl oder je1000).",
                             f"'{measure}' is not a map value (anzahl or je1000).")
    res = search.run(ctx, s, lang)
    m = maps.build(ctx, res, lang, measure=measure, title=title or map_title(res.index, s, lang),
                   highlight=highlight or s.stadtteil)
    return m, s


def _requested_map():
    """(Map, Search, None) for the current request, or (None, None, error response)."""
    try:
        m, s = map_for(get_ctx(), request.args, g.get("lang", "de"))
    except ParameterError as exc:
        return None, None, parameter_error(exc)
    return m, s, None


@bp.get("/karte")
def page():
    m, s, error = _requested_map()
    if error:
        return error
    params = s.params(seite=None, sortierung=None, pro_seite=None)
    return render_template("karte.html", m=m, s=s, params=params, pagepath=pagepath,
                           urlencode=lambda p: urlencode(p, doseq=True),
                           fmt=maps.fmt)


@bp.get("/karte.svg")
def svg():
    m, _s, error = _requested_map()
    if error:
        return error
    body = render_template("map_svg.html", m=m, standalone=True, pagepath=pagepath, fmt=maps.fmt, map_id="karte")
    return Response(body, mimetype="image/svg+xml")


def init_app(app) -> None:
    @app.errorhandler(geodata.GeodataError)
    def _geo(exc):  # not expected on GET; keeps the envelope if it happens
        return error_response(400, exc.message("de"), exc.message("en"))
