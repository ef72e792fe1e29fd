"""/lebenslagen: one indicator (or the burden index) for all 86 Stadtteile as a choropleth and a sortable table.

GET parameters (all optional, in the URL so a view can be shared): ``indikator`` (an indicator code, or
``belastungsindex`` / ``belastungsindex-{dimension}`` for the stored burden index), ``jahr``, ``sortierung``
(nr, name, bezirk, wert, veraenderung, status) and ``richtung`` (auf, ab). A bad value answers 400 with the valid
ones. The table is the map's text alternative; sorting is done by the server (links), so no JavaScript is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Blueprint, g, redirect, render_template, request

from sozialgraph import namespaces as ns
from sozialgraph.analysis import charts, maps, planning, search
from sozialgraph.errors import ParameterError
from sozialgraph.web import error_response, get_ctx
from sozialgraph.web.i18n import t
from sozialgraph.web.views.home import pagepath

bp = Blueprint("lebenslagen", __name__)

SORTS = ("nr", "name", "bezirk", "wert", "veraenderung", "status")
DIRECTIONS = ("auf", "ab")
PARAMS = ("indikator", "jahr", "sortierung", "richtung", "lang")


@dataclass
class Choice:
    key: str  # the URL value
    label: str
    group: str  # optgroup label
    indicator: planning.Indicator | None = None
    dimension: str | None = None  # burden index of a dimension
    burden: bool = False


@dataclass
class Row:
    iri: str
    number: str
    label: str
    borough: str
    value: float | None
    text: str
    example: bool = False
    previous: float | None = None
    previous_year: str | None = None
    change: float | None = None
    status: planning.Term | None = None
    multiply: bool = False
    dimensions: int | None = None
    fill: str = charts.NO_VALUE
    css: str = "c-none"  # class colour of the table cell (static/analyse.css)


@dataclass
class View:
    choice: Choice
    year: str
    years: list[str]
    rows: list[Row]
    city: float | None
    city_text: str
    unit: str
    legend: list[dict]
    method: str
    map: maps.Map | None = None
    multiply: list[Row] = field(default_factory=list)


def choices(ctx, d: planning.PlanningData, lang: str) -> list[Choice]:
    out: list[Choice] = []
    burden_group = t("Belastungsindex (Analyse)", "Burden index (analysis)")
    if d.burden:
        out.append(Choice(planning.BURDEN_INDEX, t("Belastungsindex insgesamt", "Burden index overall"), burden_group,
                          burden=True))
        for dim in d.dimensions():
            if any(life == dim.iri for (_a, life) in d.burden):
                out.append(Choice(f"{planning.BURDEN_INDEX}-{dim.slug}", t("Belastungsindex", "Burden index") +
                                  f": {dim.label(lang)}", burden_group, dimension=dim.iri, burden=True))
    quarters = [q.iri for q in search.get_index(ctx).quarters()]
    for ind in d.mapped_indicators(quarters):
        group = d.label(ind.life, lang) if ind.life else t("Weitere Kennzahlen", "Further figures")
        out.append(Choice(ind.code, ind.label(lang), group, indicator=ind))
    return out


def _param_error(param: str, value: str, valid: list[str]):
    shown = ", ".join(valid[:40]) + (" …" if len(valid) > 40 else "")
    de = f"'{value}' ist nicht möglich. Gültige Werte: {shown}."
    en = f"'{value}' is not possible. Valid values: {shown}."
    return ParameterError(param, de, en, valid)


def build_view(ctx, args, lang: str) -> View:
    d = planning.get_data(ctx)
    idx = search.get_index(ctx)
    opts = choices(ctx, d, lang)
    if not opts:
        raise ParameterError("indikator", "Es gibt noch keine Kennzahlen je Stadtteil (sozialgraph init).",
                             "There are no figures per quarter yet (sozialgraph init).")
    raw = (args.get("indikator") or "").strip()
    if raw:
        choice = next((c for c in opts if c.key == raw), None)
        if choice is None:
            raise _param_error("indikator", raw, [c.key for c in opts])
    else:
        choice = opts[0]
    quarters = sorted(idx.quarters(), key=lambda q: q.number)
    qiris = [q.iri for q in quarters]
    years = d.burden_years() if choice.burden else d.years(choice.indicator.iri, qiris)
    raw_year = (args.get("jahr") or "").strip()
    if raw_year and raw_year not in years:
        raise _param_error("jahr", raw_year, years)
    year = raw_year or (years[-1] if years else "")
    sort = (args.get("sortierung") or "").strip() or ("status" if choice.burden else "nr")
    if sort not in SORTS:
        raise _param_error("sortierung", sort, list(SORTS))
    direction = (args.get("richtung") or "").strip() or ("ab" if sort in ("status", "wert") and choice.burden
                                                         else "auf")
    if direction not in DIRECTIONS:
        raise _param_error("richtung", direction, list(DIRECTIONS))

    rows: list[Row] = []
    for q in quarters:
        r = Row(q.iri, q.number, idx.label(q.iri, lang), idx.label(q.borough, lang), None, "–")
        if choice.burden:
            b = d.burden_of(q.iri, choice.dimension, year)
            if b is not None:
                r.value, r.text = b.score, charts.number(b.score, lang, 2)
                r.change = b.change
                r.previous_year = b.compared_with
                r.status = d.terms.get(b.status) if b.status else None
                r.multiply, r.dimensions = b.multiply, b.dimensions
        else:
            o = d.observation(choice.indicator.iri, q.iri, year)
            if o is not None:
                r.value, r.example = o.value, o.example
                r.text = charts.number(o.value, lang) if o.value is not None else o.note(lang)
                prev = d.previous(choice.indicator.iri, q.iri, year)
                if prev is not None and o.value is not None:
                    r.previous, r.previous_year = prev.value, prev.year
                    r.change = round(o.value - prev.value, 6)
            if choice.indicator.life:
                b = d.burden_of(q.iri, choice.indicator.life)
                r.status = d.terms.get(b.status) if b and b.status else None
        rows.append(r)

    # colours and legend
    if choice.burden:
        method = t("Farben: Statusklassen der Analyse (Grenzen des Belastungsindex aus der Methode).",
                   "Colours: the analysis's status classes (bounds of the burden index from the method).")
        legend = []
        for cls in d.status_classes():
            fill, _ink = charts.STATUS_COLOURS.get(cls.slug, (charts.NO_VALUE, "#1a1a1a"))
            bounds = " – ".join(charts.number(v, lang, 2) if v is not None else "…" for v in (cls.lower, cls.upper))
            legend.append({"colour": fill, "label": f"{cls.label(lang)} ({bounds})", "css": f"status-{cls.slug}"})
        for r in rows:
            if r.status is not None:
                r.fill = charts.STATUS_COLOURS.get(r.status.slug, (charts.NO_VALUE, ""))[0]
                r.css = f"status-{r.status.slug}"
        unit = t("Belastungsindex (z-Wert, höher = mehr Belastung)", "burden index (z-score, higher = more burden)")
        city, city_text = None, "–"
    else:
        ind = choice.indicator
        values = [r.value for r in rows if r.value is not None]
        breaks = charts.quantile_breaks(values, 5)
        palette = "burden" if ind.polarity in (planning.MORE, planning.LESS) else "neutral"
        colours = charts.class_colours(len(breaks), palette, reverse=ind.polarity == planning.LESS)
        for r in rows:
            k = charts.classify(r.value, breaks)
            if k is not None:
                r.fill, _ink, r.css = colours[k]
        legend = charts.legend(breaks, colours, lang, low=min(values) if values else None)
        method = t("Klassen: Quantile (Fünftel der Stadtteile mit Wert; gleich viele Stadtteile je Farbe).",
                   "Classes: quantiles (fifths of the quarters with a value; as many quarters per colour).")
        if ind.polarity == planning.MORE:
            method += " " + t("Dunkler = mehr Belastung.", "Darker = more burden.")
        elif ind.polarity == planning.LESS:
            method += " " + t("Dunkler = weniger Wert = mehr Belastung.", "Darker = lower value = more burden.")
        unit = ind.unit or t("Wert", "value")
        oc = d.observation(ind.iri, planning.CITY, year)
        city = oc.value if oc else None
        city_text = (charts.number(oc.value, lang) if oc.value is not None else oc.note(lang)) if oc else "–"
    if any(r.value is None for r in rows):
        legend.append({"colour": charts.NO_VALUE, "label": t("kein Wert", "no value"), "css": "c-none"})

    def key(r: Row):
        if sort == "nr":
            return r.number
        if sort == "name":
            return ns.fold(r.label)
        if sort == "bezirk":
            return (ns.fold(r.borough), r.number)
        if sort == "status":  # high status first ("auf"), then by the value within a class
            if r.status is None or r.status.slug not in charts.STATUS_ORDER:
                return None
            return (charts.STATUS_ORDER.index(r.status.slug), r.value if r.value is not None else 0.0)
        return r.value if sort == "wert" else r.change

    have = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if r not in have]
    have.sort(key=key, reverse=direction == "ab")
    rows = have + missing
    view = View(choice, year, years, rows, city, city_text, unit, legend, method)
    view.multiply = [r for r in rows if r.multiply]
    title = f"{choice.label} {year}"
    view.map = maps.indicator_map(ctx, {r.iri: (r.value, r.fill, r.text) for r in rows}, lang, title, unit, legend)
    return view


def clean_args(args) -> dict[str, list[str]] | None:
    """The request's parameters without empty ones; None when nothing had to be dropped."""
    kept = {k: [v for v in args.getlist(k) if v.strip()] for k in args}
    kept = {k: v for k, v in kept.items() if v}
    return None if sum(len(v) for v in kept.values()) == len(list(args.items(multi=True))) else kept


@bp.get("/lebenslagen")
def page():
    cleaned = clean_args(request.args)
    if cleaned is not None:  # a GET form sends empty fields; shared links should not carry them
        return redirect(request.path + ("?" + urlencode(cleaned, doseq=True) if cleaned else ""), 302)
    ctx = get_ctx()
    lang = g.get("lang", "de")
    for k in request.args:
        if k not in PARAMS:
            return error_response(400, f"Unbekannter Parameter '{k}'. Erlaubt: {', '.join(PARAMS)}.",
                                  f"Unknown parameter '{k}'. Allowed: {', '.join(PARAMS)}.")
    try:
        view = build_view(ctx, request.args, lang)
    except ParameterError as exc:
        return error_response(400, exc.de, exc.en)
    base = {"indikator": view.choice.key, "jahr": view.year}
    if lang == "en":
        base["lang"] = "en"
    current = request.args.get("sortierung") or ("status" if view.choice.burden else "nr")
    current_dir = request.args.get("richtung") or ("ab" if current in ("status", "wert") and view.choice.burden
                                                   else "auf")

    def sort_url(col: str) -> str:
        if col == current:  # the current column turns round
            direction = "ab" if current_dir == "auf" else "auf"
        else:  # figures start with the highest, names with A
            direction = "ab" if col in ("wert", "veraenderung", "status") else "auf"
        return "/lebenslagen?" + urlencode({**base, "sortierung": col, "richtung": direction})

    groups: dict[str, list[Choice]] = {}
    for c in choices(ctx, planning.get_data(ctx), lang):
        groups.setdefault(c.group, []).append(c)
    polarity = planning.polarity_text(view.choice.indicator, lang) if view.choice.indicator else ""
    return render_template("lebenslagen.html", v=view, groups=groups, sort=current, direction=current_dir,
                           sort_url=sort_url, pagepath=pagepath, num=charts.number, fmt=maps.fmt, m=view.map,
                           polarity=polarity)
