"""/bedarfe: coverage of each Stadtteil per target group and the gap ranking; its downloads; /vergleich.

/bedarfe takes ``zielgruppe`` (several), ``lebenslage`` and ``stadtbezirk`` (GET, codes or names as elsewhere);
empty parameters are dropped by a redirect so that shared links stay short. The matrix colours each cell by offers
on site per 1,000 people of the group (quantile classes per group); the ranking lists, per group and overall, the
stored gap rank with the figures it rests on (sg:basedOn: the burden score and the coverage). With ``lebenslage``
the burden column shows that dimension's score. /bedarfe.csv and /bedarfe.xlsx (or ``format=csv|xlsx``) give the
matrix or, with ``tabelle=rangfolge``, the ranking, with the filters written above the table (tables.Table).

Below the ranking, the needs (sg:Need, planning.needs_for) under the same filters, with status and the measures that
address them (_needs.html).

/vergleich?stadtteil=101&stadtteil=609 puts 2 to 4 Stadtteile side by side: population, each indicator, burden
classes and coverage per group. Everything is read from analysis/planning.py (cached per store generation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Blueprint, Response, g, redirect, render_template, request

from sozialgraph import namespaces as ns, tables
from sozialgraph.analysis import charts, planning, search
from sozialgraph.errors import UnknownValue
from sozialgraph.web import error_response, get_ctx
from sozialgraph.web.i18n import t
from sozialgraph.web.views.home import pagepath
from sozialgraph.web.views.lebenslagen import clean_args

bp = Blueprint("bedarfe", __name__)

PARAMS = ("zielgruppe", "lebenslage", "stadtbezirk", "format", "tabelle", "lang")
FORMATS = ("html", "csv", "xlsx")
TABLES = ("matrix", "rangfolge")
TOP = 20  # ranking rows shown before the rest folds away


class BadRequest(Exception):
    def __init__(self, de: str, en: str):
        super().__init__(de)
        self.de, self.en = de, en


@dataclass
class Cell:
    coverage: planning.Coverage | None
    text: str
    css: str = "c-none"


@dataclass
class MatrixRow:
    iri: str
    number: str
    label: str
    borough: str
    cells: list[Cell]
    status: planning.Term | None = None


@dataclass
class RankRow:
    rank: int | None
    iri: str
    number: str
    label: str
    borough: str
    score: float | None
    burden: float | None
    status: planning.Term | None
    multiply: bool
    coverage: planning.Coverage | None


@dataclass
class Ranking:
    group: planning.Term | None  # None = overall
    label: str
    total: int
    rows: list[RankRow] = field(default_factory=list)


@dataclass
class Needs:
    groups: list[planning.Term]
    selected: list[planning.Term]
    dimension: planning.Term | None
    borough: str | None
    matrix: list[MatrixRow]
    legends: dict[str, list[dict]]
    rankings: list[Ranking]
    filters: list[tuple[str, str]]
    params: dict[str, list[str]]
    no_population: bool = False
    need_rows: list[dict] = field(default_factory=list)  # the stored needs (sg:Need) under the same filters


def _resolve(resolver, kind: str, param: str, raw: str) -> str:
    try:
        return resolver.resolve(kind, raw)
    except UnknownValue as exc:
        raise BadRequest(f"Parameter '{param}': {exc.message('de')}", f"Parameter '{param}': {exc.message('en')}") \
            from None


def build(ctx, args, lang: str) -> Needs:
    d = planning.get_data(ctx)
    idx = search.get_index(ctx)
    resolver = ctx.resolver()
    for k in args:
        if k not in PARAMS:
            raise BadRequest(f"Unbekannter Parameter '{k}'. Erlaubt: {', '.join(PARAMS)}.",
                             f"Unknown parameter '{k}'. Allowed: {', '.join(PARAMS)}.")
    groups = d.groups()
    if not groups:
        raise BadRequest("Es sind noch keine Analyseergebnisse gespeichert (sozialgraph analyse run).",
                         "No analysis results are stored yet (sozialgraph analyse run).")
    valid = ", ".join(g_.slug for g_ in groups)
    selected: list[planning.Term] = []
    for raw in args.getlist("zielgruppe"):
        iri = _resolve(resolver, "zielgruppe", "zielgruppe", raw)
        term = next((x for x in groups if x.iri == iri), None)
        if term is None:
            raise BadRequest(f"Parameter 'zielgruppe': Für '{raw}' sind keine Versorgungswerte gespeichert. "
                             f"Möglich: {valid}.",
                             f"Parameter 'zielgruppe': no coverage is stored for '{raw}'. Possible: {valid}.")
        if term not in selected:
            selected.append(term)
    dimension = None
    if args.get("lebenslage"):
        iri = _resolve(resolver, "lebenslage", "lebenslage", args["lebenslage"])
        dimension = d.terms.get(iri) or planning.Term(iri, "lebenslage", {"": resolver.label(iri, lang)})
    borough = _resolve(resolver, "stadtbezirk", "stadtbezirk", args["stadtbezirk"]) if args.get("stadtbezirk") \
        else None
    fmt = args.get("format") or "html"
    if fmt not in FORMATS:
        raise BadRequest(f"Parameter 'format': '{fmt}' ist nicht möglich. Gültig: {', '.join(FORMATS)}.",
                         f"Parameter 'format': '{fmt}' is not possible. Valid: {', '.join(FORMATS)}.")
    tab = args.get("tabelle") or "matrix"
    if tab not in TABLES:
        raise BadRequest(f"Parameter 'tabelle': '{tab}' ist nicht möglich. Gültig: {', '.join(TABLES)}.",
                         f"Parameter 'tabelle': '{tab}' is not possible. Valid: {', '.join(TABLES)}.")

    shown = selected or groups
    quarters = sorted((q for q in idx.quarters() if borough is None or q.borough == borough), key=lambda q: q.number)
    # matrix: per group quantile classes of offers on site per 1,000 people of the group (all 86 Stadtteile)
    legends: dict[str, list[dict]] = {}
    breaks: dict[str, tuple[list[float], list]] = {}
    for grp in shown:
        vals = [c.per_1000 for (a, g_), c in d.coverage.items() if g_ == grp.iri and c.per_1000 is not None]
        b = charts.quantile_breaks(vals, 5)
        cols = charts.class_colours(len(b), "neutral")
        breaks[grp.iri] = (b, cols)
        legends[grp.iri] = charts.legend(b, cols, lang, digits=2, low=min(vals) if vals else None)
    matrix: list[MatrixRow] = []
    no_population = False
    for q in quarters:
        cells = []
        for grp in shown:
            c = d.coverage.get((q.iri, grp.iri))
            if c is None or c.population is None or c.per_1000 is None:
                no_population = no_population or c is not None
                cells.append(Cell(c, "–"))
                continue
            b, cols = breaks[grp.iri]
            k = charts.classify(c.per_1000, b)
            cells.append(Cell(c, charts.number(c.per_1000, lang, 2), cols[k][2] if k is not None else "c-none"))
        burden = d.burden_of(q.iri, dimension.iri if dimension else None)
        matrix.append(MatrixRow(q.iri, q.number, idx.label(q.iri, lang), idx.label(q.borough, lang), cells,
                                d.terms.get(burden.status) if burden and burden.status else None))
    # rankings: each shown group, then overall
    rankings = []
    for grp in [*(selected or groups), None]:
        ranking = d.gaps.get(grp.iri if grp else None, [])
        if not ranking:
            continue
        rk = Ranking(grp, grp.label(lang) if grp else t("insgesamt", "overall"), len(ranking))
        for gap in ranking:
            a = idx.areas.get(gap.area)
            if a is None or (borough and a.borough != borough):
                continue
            b, c = d.gap_basis(gap)
            if dimension is not None:
                b = d.burden_of(gap.area, dimension.iri, b.year if b else None) or d.burden_of(gap.area, dimension.iri)
            rk.rows.append(RankRow(gap.rank, gap.area, a.number, idx.label(gap.area, lang), idx.label(a.borough, lang),
                                   gap.score, b.score if b else None, d.terms.get(b.status) if b and b.status else None,
                                   bool(b and b.multiply), c))
        rankings.append(rk)
    everyone = t("alle", "all")
    filters = [(t("Zielgruppe", "Target group"), ", ".join(x.label(lang) for x in selected) or everyone),
               (t("Lebenslagendimension", "Life-situation dimension"),
                dimension.label(lang) if dimension else everyone),
               (t("Stadtbezirk", "Borough"), idx.label(borough, lang) if borough else everyone),
               (t("Analyse vom", "Analysis of"), (d.run_ended or "")[:10] or "–"),
               (t("Quelle", "Source"), "sozialgraph, " + ns.G_ANALYSIS)]
    params: dict[str, list[str]] = {}
    if selected:
        params["zielgruppe"] = [x.slug for x in selected]
    if dimension:
        params["lebenslage"] = [dimension.slug]
    if borough:
        params["stadtbezirk"] = [search.short(borough)]
    need_rows = planning.need_rows(ctx, planning.needs_for(ctx, borough, [x.iri for x in selected],
                                                           dimension.iri if dimension else None), lang)
    return Needs(groups, selected, dimension, borough, matrix, legends, rankings, filters, params, no_population,
                 need_rows)


def matrix_table(n: Needs, lang: str) -> tables.Table:
    shown = n.selected or n.groups
    headers = [t("Nr.", "No."), t("Stadtteil", "Quarter"), t("Stadtbezirk", "Borough")]
    for grp in shown:
        name = grp.label(lang)
        headers += [f"{name}: " + t("Angebote vor Ort", "offers on site"), f"{name}: " + t("Personen", "people"),
                    f"{name}: " + t("je 1.000", "per 1,000")]
    rows = []
    for r in n.matrix:
        row: list = [r.number, r.label, r.borough]
        for cell in r.cells:
            c = cell.coverage
            row += [c.on_site if c else None, c.population if c else None, c.per_1000 if c else None]
        rows.append(row)
    return tables.Table(headers, rows, n.filters, title=t("Versorgung", "Coverage"))


def ranking_table(n: Needs, lang: str) -> tables.Table:
    headers = [t("Zielgruppe", "Target group"), t("Rang", "Rank"), t("von", "of"), t("Nr.", "No."),
               t("Stadtteil", "Quarter"), t("Stadtbezirk", "Borough"), t("Lückenwert", "Gap score"),
               t("Belastungswert", "Burden score"), t("Statusklasse", "Status class"),
               t("mehrfach belastet", "multiply burdened"), t("Angebote vor Ort", "Offers on site"),
               t("Angebote für den Bezirk", "Offers for the borough"), t("gesamtstädtisch", "City-wide"),
               t("Personen", "People"), t("je 1.000", "per 1,000")]
    rows = []
    for rk in n.rankings:
        for r in rk.rows:
            c = r.coverage
            rows.append([rk.label, r.rank, rk.total, r.number, r.label, r.borough, r.score, r.burden,
                         r.status.label(lang) if r.status else None, r.multiply,
                         c.on_site if c else None, c.borough if c else None, c.city if c else None,
                         c.population if c else None, c.per_1000 if c else None])
    return tables.Table(headers, rows, n.filters, title=t("Lückenrangfolge", "Gap ranking"))


def _respond(fmt: str | None):
    cleaned = clean_args(request.args)
    if cleaned is not None:
        return redirect(request.path + ("?" + urlencode(cleaned, doseq=True) if cleaned else ""), 302)
    ctx = get_ctx()
    lang = g.get("lang", "de")
    try:
        n = build(ctx, request.args, lang)
    except BadRequest as exc:
        return error_response(400, exc.de, exc.en)
    fmt = fmt or request.args.get("format") or "html"
    if fmt in ("csv", "xlsx"):
        tab = request.args.get("tabelle") or "matrix"
        table = matrix_table(n, lang) if tab == "matrix" else ranking_table(n, lang)
        body = table.csv() if fmt == "csv" else table.xlsx()
        media = tables.CSV_MEDIA_TYPE if fmt == "csv" else tables.XLSX_MEDIA_TYPE
        name = ("bedarfe-matrix" if tab == "matrix" else "bedarfe-rangfolge") + "." + fmt
        return Response(body, mimetype=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
    base = dict(n.params)
    if lang == "en":
        base["lang"] = ["en"]

    def url(path: str, **extra) -> str:
        q = urlencode({**base, **{k: [v] for k, v in extra.items()}}, doseq=True)
        return path + ("?" + q if q else "")

    return render_template("bedarfe.html", n=n, url=url, pagepath=pagepath, num=charts.number, top=TOP,
                           boroughs=sorted((a for a in search.get_index(ctx).areas.values()
                                            if a.kind == "stadtbezirk"), key=lambda a: a.number),
                           ix=search.get_index(ctx), dims=planning.get_data(ctx).dimensions())


@bp.get("/bedarfe")
def page():
    return _respond(None)


@bp.get("/bedarfe.csv")
def page_csv():
    return _respond("csv")


@bp.get("/bedarfe.xlsx")
def page_xlsx():
    return _respond("xlsx")


# -- /vergleich ----------------------------------------------------------------------------------------------------
def compare(ctx, raws: list[str], lang: str) -> dict:
    d = planning.get_data(ctx)
    idx = search.get_index(ctx)
    resolver = ctx.resolver()
    how = t("Geben Sie 2 bis 4 Stadtteile an, z. B. /vergleich?stadtteil=101&stadtteil=609 (Nummer oder Name).",
            "Give 2 to 4 quarters, e.g. /vergleich?stadtteil=101&stadtteil=609 (number or name).")
    raws = [r.strip() for r in raws if r.strip()]
    areas: list[str] = []
    for raw in raws:
        try:
            iri = resolver.resolve("stadtteil", raw)
        except UnknownValue as exc:
            raise BadRequest(f"{exc.message('de')} {how}", f"{exc.message('en')} {how}") from None
        if iri not in areas:
            areas.append(iri)
    if not 2 <= len(areas) <= 4:
        raise BadRequest(f"{len(areas)} Stadtteil(e) angegeben. Ein Vergleich braucht 2 bis 4 verschiedene. " + how,
                         f"{len(areas)} quarter(s) given. A comparison needs 2 to 4 different ones. " + how)
    cols = [{"iri": a, "label": idx.label(a, lang), "number": idx.areas[a].number,
             "borough": idx.label(idx.areas[a].borough, lang)} for a in areas]
    rows: list[dict] = []
    pop = [d.observation(planning.POPULATION, a) for a in areas]
    rows.append({"section": t("Bevölkerung", "Population"), "label": t("Einwohner", "Inhabitants"),
                 "cells": [(charts.number(o.value, lang, 0) + f" ({o.year})") if o and o.value is not None else "–"
                           for o in pop]})
    burden_rows = [{"label": t("Belastungsindex insgesamt", "Burden index overall"), "life": None}] + \
        [{"label": dim.label(lang), "life": dim.iri} for dim in d.dimensions()
         if any(life == dim.iri for (_a, life) in d.burden)]
    for br in burden_rows:
        bs = [d.burden_of(a, br["life"]) for a in areas]
        if not any(bs):
            continue
        rows.append({"section": t("Sozialer Status", "Social status"), "label": br["label"],
                     "status": [d.terms.get(b.status) if b and b.status else None for b in bs],
                     "cells": [(charts.number(b.score, lang, 2) + f" ({b.year})" +
                                (t(", mehrfach belastet", ", multiply burdened") if b.multiply else ""))
                               if b else "–" for b in bs]})
    for ind in sorted(d.indicators.values(), key=lambda i: ns.fold(i.label(lang))):
        obs = [d.observation(ind.iri, a) for a in areas]
        if not any(obs):
            continue
        section = d.label(ind.life, lang) if ind.life else t("Weitere Kennzahlen", "Further figures")
        cells = []
        for o in obs:
            if o is None:
                cells.append("–")
            else:
                text = charts.number(o.value, lang) if o.value is not None else o.note(lang)
                cells.append(f"{text} ({o.year}{', ' + t('Beispieldaten', 'example data') if o.example else ''})")
        rows.append({"section": section, "label": f"{ind.label(lang)}" + (f" ({ind.unit})" if ind.unit else ""),
                     "cells": cells, "code": ind.code})
    for grp in d.groups():
        cs = [d.coverage.get((a, grp.iri)) for a in areas]
        if not any(cs):
            continue
        cells = []
        for a, c in zip(areas, cs):
            if c is None:
                cells.append("–")
                continue
            pos = d.gap_position(a, grp.iri)
            text = f"{c.on_site} " + t("vor Ort", "on site")
            if c.per_1000 is not None:
                text += f", {charts.number(c.per_1000, lang, 2)} " + t("je 1.000", "per 1,000")
            if pos:
                text += ", " + t("Rang", "rank") + f" {pos[0]}/{pos[1]}"
            cells.append(text)
        rows.append({"section": t("Versorgung je Zielgruppe", "Coverage per target group"), "label": grp.label(lang),
                     "cells": cells})
    return {"cols": cols, "rows": rows}


@bp.get("/vergleich")
def vergleich():
    ctx = get_ctx()
    lang = g.get("lang", "de")
    for k in request.args:
        if k not in ("stadtteil", "lang"):
            return error_response(400, f"Unbekannter Parameter '{k}'. Erlaubt: stadtteil, lang.",
                                  f"Unknown parameter '{k}'. Allowed: stadtteil, lang.")
    try:
        data = compare(ctx, request.args.getlist("stadtteil"), lang)
    except BadRequest as exc:
        return error_response(400, exc.de, exc.en)
    return render_template("vergleich.html", c=data, pagepath=pagepath)
