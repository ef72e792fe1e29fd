"""The Lebenslagenbericht: one self-contained HTML document (inline CSS and SVG) and its PDF, from the graph.

``build(ctx, year, date, lang)`` collects what the report shows, ``render_html`` turns it into the document
(templates web/templates/bericht/, autoescaped Jinja), ``write`` writes OUTDIR/bericht.html and, with ``pdf``,
prints it to OUTDIR/bericht.pdf with a headless Chromium. Nothing is computed twice: indicator observations,
burden, coverage and gaps come from analysis/planning.py (the stored results of analysis/lebenslagen.py), the
method from lebenslagen.load_method, maps from analysis/maps.py, bar charts from analysis/charts.py. The steering
objects (goals with targets, needs, measures, evaluations) are read from the public steering graphs
(…/graph/steering/…, the example set …/graph/steering/beispiel included) and the reference goals.

Reproducible: the document depends only on the store, the year, the date printed on it and the language; every
list is sorted, so the same store and the same date give the same bytes. Every figure links to the IRI it comes
from (an observation, a burden score, a coverage or gap result), so it can be traced in the graph.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.analysis import charts, lebenslagen, maps, planning, search
from sozialgraph.errors import ParameterError, SozialgraphError
from sozialgraph.labels import pick
from sozialgraph.resources import TEMPLATES_DIR
from sozialgraph.sparql.saved import load_query

P = ns.PREFIXES
SG = ns.SG
RDF_TYPE = P["rdf"] + "type"
RDFS_LABEL = P["rdfs"] + "label"
CITY = planning.CITY
STEERING_PREFIX = ns.steering_graph("")
GOAL_CLASSES = {SG + "Goal", SG + "StrategicGoal", SG + "OperationalGoal"}
HTML_NAME = "bericht.html"
PDF_NAME = "bericht.pdf"
# Chromium as the machine notes give it: no sandbox (root), no GPU, no network chatter, a fresh profile
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-pdf-header-footer")
PDF_TIMEOUT_S = 600
SPARK_W, SPARK_H = 220.0, 56.0


class NoPdfEngine(SozialgraphError, RuntimeError):
    status = 503

    def __init__(self):
        super().__init__(
            "Kein PDF-Werkzeug gefunden: Chromium ist nicht installiert (Debian: apt-get install chromium; "
            "./run test installiert es). Der HTML-Bericht wurde geschrieben; --no-pdf lässt das PDF weg.",
            "No PDF engine found: Chromium is not installed (Debian: apt-get install chromium; ./run test "
            "installs it). The HTML report was written; --no-pdf leaves the PDF out.")


class PdfFailed(SozialgraphError, RuntimeError):
    status = 500


# -- steering objects ------------------------------------------------------------------------------------------
def _href(iri: str | None) -> str:
    """An IRI that may be a link target (http or https), else ''."""
    v = (iri or "").strip()
    return v if v.lower().startswith(("http://", "https://")) else ""


def _num(term) -> float | None:
    try:
        return float(term.value) if term is not None else None
    except ValueError:
        return None


@dataclass
class Thing:
    """One subject of the steering graphs: its values by predicate, sorted, with its graph."""

    iri: str
    graph: str
    values: dict[str, list] = field(default_factory=dict)

    def all(self, local: str, base: str = SG) -> list:
        return self.values.get(base + local, [])

    def one(self, local: str, base: str = SG):
        vs = self.all(local, base)
        return vs[0] if vs else None

    def iris(self, local: str, base: str = SG) -> list[str]:
        return sorted({v.value for v in self.all(local, base) if isinstance(v, ox.NamedNode)})

    def text(self, local: str, base: str = SG, lang: str = "de") -> str:
        return pick([v for v in self.all(local, base) if isinstance(v, ox.Literal)], lang) or ""

    def label(self, lang: str) -> str:
        return pick([v for v in self.values.get(RDFS_LABEL, []) if isinstance(v, ox.Literal)], lang) or \
            self.iri.rsplit("/", 1)[-1]

    @property
    def types(self) -> set[str]:
        return {v.value for v in self.values.get(RDF_TYPE, [])}

    @property
    def example(self) -> bool:
        v = self.one("exampleData")
        return v is not None and v.value in ("true", "1")


def _things(store, graphs: list[str]) -> dict[str, Thing]:
    out: dict[str, Thing] = {}
    for g in graphs:
        for t in store.triples(g):
            if not isinstance(t.subject, ox.NamedNode):
                continue
            th = out.get(t.subject.value) or out.setdefault(t.subject.value, Thing(t.subject.value, g))
            th.values.setdefault(t.predicate.value, []).append(t.object)
    for th in out.values():
        for vs in th.values.values():
            vs.sort(key=lambda o: (str(getattr(o, "language", "") or ""), o.value))
    return out


def steering_graphs(store) -> list[str]:
    return sorted(g for g in store.graphs() if g.startswith(STEERING_PREFIX) and ns.is_public_graph(g))


@dataclass
class Steering:
    goals: dict[str, Thing]
    needs: dict[str, Thing]
    measures: dict[str, Thing]
    evaluations: dict[str, Thing]
    reference: dict[str, Thing]  # reference data (goals without targets, the method)


def load_steering(store) -> Steering:
    things = _things(store, steering_graphs(store))
    ref = _things(store, [ns.G_REFERENCE])
    goals = {i: t for i, t in {**{k: v for k, v in ref.items() if v.types & GOAL_CLASSES}, **things}.items()
             if t.types & GOAL_CLASSES}
    # one Thing per subject over all graphs: a measure's sg:evaluation link sits in the evaluations graph
    measures = {i: t for i, t in things.items() if SG + "Measure" in t.types}
    return Steering(goals, {i: t for i, t in things.items() if SG + "Need" in t.types}, measures,
                    {i: t for i, t in things.items() if SG + "Evaluation" in t.types}, ref)


# -- figures ---------------------------------------------------------------------------------------------------
def obs_at(d: planning.PlanningData, indicator: str, area: str, year: str) -> planning.Obs | None:
    """The observation of the year, else the latest one before it."""
    per = d.obs.get((indicator, area), {})
    ys = [y for y in per if y <= year]
    return per[max(ys)] if ys else None


def _fig(o: planning.Obs | None, lang: str, digits: int | None = None) -> dict:
    if o is None:
        return {"text": "–", "iri": "", "year": "", "example": False, "value": None}
    text = charts.number(o.value, lang, digits) if o.value is not None else o.note(lang)
    return {"text": text, "iri": _href(o.iri), "year": o.year, "example": o.example, "value": o.value}


def goal_progress(goal: Thing, d: planning.PlanningData, year: str, lang: str) -> list[dict]:
    """Per area of the goal (sg:forArea, else the city): latest value up to the report year against the linear path
    from the baseline to the target; behind = worse than the path (as queries/list-goals-behind-target.rq)."""
    ind = goal.one("measuredBy")
    base, target = _num(goal.one("baselineValue")), _num(goal.one("targetValue"))
    by, ty = goal.one("baselineYear"), goal.one("targetYear")
    direction = goal.one("goalDirection")
    if ind is None or base is None or target is None or by is None or ty is None or direction is None:
        return []
    by_i, ty_i = int(by.value[:4]), int(ty.value[:4])
    decrease = direction.value == SG + "Decrease"
    out = []
    for area in goal.iris("forArea") or [CITY]:
        per = {y: o for y, o in d.obs.get((ind.value, area), {}).items() if o.value is not None and y <= year}
        latest = per[max(per)] if per else None
        row = {"area": area, "indicator": ind.value, "baseline": base, "baseline_year": by_i, "target": target,
               "target_year": ty_i, "decrease": decrease, "latest": _fig(latest, lang), "path": None,
               "on_track": None, "share": None, "spark": None}
        if latest is not None and ty_i != by_i:
            y = int(latest.year)
            path = base + (target - base) * (y - by_i) / (ty_i - by_i)
            row["path"] = round(path, 4)
            row["on_track"] = latest.value <= path if decrease else latest.value >= path
            if target != base:
                row["share"] = round(100 * (base - latest.value) / (base - target), 1)
        row["spark"] = sparkline(per, base, by_i, target, ty_i)
        out.append(row)
    return out


def sparkline(per: dict[str, planning.Obs], base: float, by: int, target: float, ty: int) -> dict | None:
    """Geometry of a small line chart: the indicator's values over the years and the path from baseline to target."""
    years = sorted(int(y) for y in per)
    if not years:
        return None
    x0, x1 = min(years + [by]), max(years + [ty])
    vals = [per[str(y)].value for y in years] + [base, target]
    lo, hi = min(vals), max(vals)
    span_x, span_y = (x1 - x0) or 1, (hi - lo) or 1.0
    pad = 6.0

    def pt(x: float, v: float) -> tuple[float, float]:
        return (round(pad + (SPARK_W - 2 * pad) * (x - x0) / span_x, 1),
                round(SPARK_H - pad - (SPARK_H - 2 * pad) * (v - lo) / span_y, 1))

    line = " ".join(f"{a},{b}" for a, b in (pt(y, per[str(y)].value) for y in years))
    (px0, py0), (px1, py1) = pt(by, base), pt(ty, target)
    last = pt(years[-1], per[str(years[-1])].value)
    return {"w": SPARK_W, "h": SPARK_H, "line": line, "path": (px0, py0, px1, py1), "last": last,
            "from": x0, "to": x1}


# -- the report ------------------------------------------------------------------------------------------------
def report_years(d: planning.PlanningData) -> list[str]:
    years = set(d.burden_years())
    if not years:
        years = {y for per in d.obs.values() for y in per}
    return sorted(years)


def _status_colours() -> dict[str, tuple[str, str]]:
    return dict(sorted(charts.STATUS_COLOURS.items()))


def _burden_map(ctx, d: planning.PlanningData, life: str | None, year: str, lang: str, title: str):
    idx = search.get_index(ctx)
    values = {}
    for q in idx.quarters():
        b = d.burden_of(q.iri, life, year) if d.burden.get((q.iri, life), {}).get(year) else None
        if b is not None and b.status:
            values[q.iri] = (b.score, charts.STATUS_COLOURS.get(d.terms[b.status].slug if b.status in d.terms
                                                              else "", (charts.NO_VALUE, ""))[0],
                             charts.number(b.score, lang, 2))
    if not values:
        return None
    legend = []
    for cls in d.status_classes():
        fill = charts.STATUS_COLOURS.get(cls.slug, (charts.NO_VALUE, ""))[0]
        bounds = " – ".join(charts.number(v, lang, 2) if v is not None else "…" for v in (cls.lower, cls.upper))
        legend.append({"colour": fill, "label": f"{cls.label(lang)} ({bounds})"})
    unit = "Belastungsindex (Statusklasse)" if lang == "de" else "burden index (status class)"
    return maps.indicator_map(ctx, values, lang, title, unit, legend)


def _t(lang: str):
    return lambda de, en: en if lang == "en" else de


def _area_steering(st: Steering, areas: set[str]) -> dict:
    needs = [n for n in st.needs.values() if set(n.iris("needIn")) & areas]
    measures = [m for m in st.measures.values() if set(m.iris("forArea")) & areas]
    goals = [g for g in st.goals.values() if set(g.iris("forArea")) & areas]
    key = lambda t: (t.text("notation", P["skos"]) or t.text("identifier", P["dcterms"]), t.iri)  # noqa: E731
    return {"needs": sorted(needs, key=key), "measures": sorted(measures, key=key), "goals": sorted(goals, key=key)}


def build(ctx, year: str | None = None, date: str | None = None, lang: str = "de") -> dict:
    """Everything the report shows, as plain values for the templates."""
    t = _t(lang)
    d = planning.get_data(ctx)
    idx = search.get_index(ctx)
    store = ctx.store
    years = report_years(d)
    if year is not None and str(year) not in years:
        raise ParameterError("jahr", f"Für {year} gibt es keine Analyse. Mögliche Jahre: {', '.join(years) or '–'}.",
                             f"There is no analysis for {year}. Possible years: {', '.join(years) or '–'}.", years)
    year = str(year) if year is not None else (years[-1] if years else "")
    date = date or dt.date.today().isoformat()
    try:
        method = lebenslagen.load_method(store)
    except lebenslagen.AnalysisError:
        method = None
    st = load_steering(store)
    quarters = sorted(idx.quarters(), key=lambda q: q.number)
    boroughs = sorted((a for a in idx.areas.values() if a.kind == "stadtbezirk"), key=lambda a: a.number)
    dims = d.dimensions()
    shown = sorted((i for i in d.indicators.values() if i.polarity in (planning.MORE, planning.LESS)),
                   key=lambda i: (ns.fold(d.label(i.life, lang)) if i.life else "~", ns.fold(i.label(lang))))
    pop = d.indicators.get(planning.POPULATION)
    table_inds = ([pop] if pop else []) + shown

    def label(iri: str | None) -> str:
        if not iri:
            return ""
        if iri == CITY:
            return "Köln" if lang == "de" else "Cologne"
        if iri in d.indicators:
            return d.indicators[iri].label(lang)
        th = st.goals.get(iri) or st.needs.get(iri) or st.measures.get(iri)
        return th.label(lang) if th else idx.label(iri, lang)

    def indicator_rows(area: str, borough: str | None) -> list[dict]:
        rows = []
        for ind in table_inds:
            o = obs_at(d, ind.iri, area, year)
            if o is None:
                continue
            c = obs_at(d, ind.iri, CITY, o.year) if area != CITY else None
            b = obs_at(d, ind.iri, borough, o.year) if borough else None
            diff = None
            if c is not None and c.value is not None and o.value is not None and c.year == o.year:
                diff = o.value - c.value
            rows.append({"indicator": ind, "label": ind.label(lang), "unit": ind.unit, "own": _fig(o, lang),
                         "borough": _fig(b, lang) if borough else None, "city": _fig(c, lang) if c else None,
                         "diff": charts.number(round(diff, 6), lang) if diff is not None else "–",
                         "dimension": d.label(ind.life, lang) if ind.life else "",
                         "polarity": planning.polarity_text(ind, lang)})
        return rows

    def burden_rows(area: str) -> list[dict]:
        out = []
        for dim in [None, *[x.iri for x in dims]]:
            b = d.burden.get((area, dim), {}).get(year)
            if b is None:
                continue
            out.append({"dimension": dim, "label": d.label(dim, lang) if dim else t("insgesamt", "overall"),
                        "score": charts.number(b.score, lang, 2), "iri": _href(b.iri), "rank": b.rank,
                        "status": d.terms.get(b.status) if b.status else None, "multiply": b.multiply,
                        "dimensions": b.dimensions,
                        "dynamics": d.terms.get(b.dynamics) if b.dynamics else None,
                        "compared_with": b.compared_with})
        return out

    def burden_chart(area: str, rows: list[dict]):
        items = []
        for r in rows:
            if r["dimension"] is None:
                continue
            b = d.burden[(area, r["dimension"])][year]
            items.append(charts.BarItem(r["label"], b.score))
        if not items:
            return None
        return charts.bar_chart(items, lang, title=t("Belastungswerte je Dimension", "Burden scores per dimension")
                                + f" {year}", digits=2)

    def coverage_rows(area: str) -> list[dict]:
        p = planning.profile(ctx, area, lang) or {}
        out = []
        for c in p.get("coverage", []):
            cov = d.coverage.get((area, c["group"]))
            out.append({**c, "iri": _href(cov.iri) if cov else "",
                        "per_1000_text": charts.number(c["per_1000"], lang, 2)})
        return out

    def steering_view(items: dict) -> dict:
        return {
            "needs": [need_view(n) for n in items["needs"]],
            "measures": [measure_view(m) for m in items["measures"]],
            "goals": [goal_view(g) for g in items["goals"]],
        }

    def need_view(n: Thing) -> dict:
        places = n.one("neededPlaces")
        return {"iri": _href(n.iri), "code": n.text("identifier", P["dcterms"]), "label": n.label(lang),
                "area": label(next(iter(n.iris("needIn")), None)),
                "groups": ", ".join(label(g) for g in n.iris("needOf")),
                "lives": ", ".join(label(x) for x in n.iris("lifeSituation")),
                "offer_type": ", ".join(label(x) for x in n.iris("missingOfferType")),
                "places": places.value if places is not None else "",
                "status": label(next(iter(n.iris("needStatus")), None)),
                "justification": n.text("description", P["dcterms"], lang),
                "evidence": [{"iri": _href(e), "text": e.removeprefix(ns.ID)} for e in n.iris("supportedBy")],
                "decided": " ".join(x for x in (label(next(iter(n.iris("decidedBy")), None)),
                                                 n.one("decidedOn").value if n.one("decidedOn") else "") if x),
                "measures": [{"iri": _href(m.iri), "label": m.label(lang)} for m in sorted(
                    st.measures.values(), key=lambda m: m.iri) if n.iri in m.iris("addressesNeed")],
                "example": n.example}

    def measure_view(m: Thing) -> dict:
        offices = m.iris("implementedBy")
        budget = _num(m.one("budget"))
        evs = []
        for e in m.iris("evaluation"):
            ev = st.evaluations.get(e)
            if ev is None:
                continue
            evs.append({"iri": _href(e), "code": ev.text("identifier", P["dcterms"]),
                        "date": ev.one("date", P["dcterms"]).value if ev.one("date", P["dcterms"]) else "",
                        "creator": ev.text("creator", P["dcterms"]), "verdict": ev.text("verdict", lang=lang),
                        "people": ev.one("peopleReached").value if ev.one("peopleReached") else "",
                        "places": ev.one("placesCreated").value if ev.one("placesCreated") else "",
                        "offers": ev.one("offersOpened").value if ev.one("offersOpened") else "",
                        "goal": label(next(iter(ev.iris("evaluatedGoal")), None))})
        return {"iri": _href(m.iri), "code": m.text("identifier", P["dcterms"]), "label": m.label(lang),
                "offices": ", ".join(label(o) for o in offices), "integrated": len(offices) > 1,
                "groups": ", ".join(label(g) for g in m.iris("targetGroup")),
                "areas": ", ".join(label(a) for a in m.iris("forArea")),
                "status": label(next(iter(m.iris("measureStatus")), None)),
                "budget": (charts.number(budget, lang, 0) + " €") if budget is not None else "–",
                "resources": m.text("resources", lang=lang),
                "start": m.one("startDate").value if m.one("startDate") else "",
                "end": m.one("endDate").value if m.one("endDate") else "",
                "goals": [{"iri": _href(g), "label": label(g), "code": st.goals[g].text("notation", P["skos"])
                           if g in st.goals else ""} for g in m.iris("pursuesGoal")],
                "needs": [{"iri": _href(n), "label": label(n)} for n in m.iris("addressesNeed")],
                "offers": [{"iri": _href(o), "label": label(o)} for o in m.iris("includesOffer")],
                "evaluations": evs, "example": m.example}

    def goal_view(g: Thing) -> dict:
        prog = goal_progress(g, d, year, lang)
        for r in prog:
            r["area_label"] = label(r["area"])
            for k in ("baseline", "target", "path"):
                r[k + "_text"] = charts.number(r[k], lang) if r[k] is not None else "–"
            r["share_text"] = (charts.number(r["share"], lang, 0) + " %") if r["share"] is not None else "–"
        ind = g.one("measuredBy")
        parent = next(iter(g.iris("subGoalOf")), None)
        return {"iri": _href(g.iri), "code": g.text("notation", P["skos"]), "label": g.label(lang),
                "strategic": SG + "StrategicGoal" in g.types, "parent": label(parent) if parent else "",
                "parent_code": st.goals[parent].text("notation", P["skos"]) if parent in st.goals else "",
                "indicator": label(ind.value) if ind is not None else "",
                "indicator_unit": d.indicators[ind.value].unit if ind is not None and ind.value in d.indicators
                else "", "direction": (t("senken", "decrease") if g.one("goalDirection").value == SG + "Decrease"
                                       else t("erhöhen", "increase")) if g.one("goalDirection") else "",
                "areas": ", ".join(label(a) for a in g.iris("forArea")),
                "groups": ", ".join(label(x) for x in g.iris("targetGroup")),
                "progress": prog, "example": g.example,
                "measures": [{"iri": _href(m.iri), "label": m.label(lang)} for m in sorted(
                    st.measures.values(), key=lambda m: m.iri) if g.iri in m.iris("pursuesGoal")]}

    # city overview
    city_rows = indicator_rows(CITY, None)
    status_counts = []
    for cls in d.status_classes():
        n = sum(1 for q in quarters if (b := d.burden.get((q.iri, None), {}).get(year)) and b.status == cls.iri)
        status_counts.append({"status": cls, "count": n})
    ranked = sorted(((b.rank, q) for q in quarters if (b := d.burden.get((q.iri, None), {}).get(year))
                     and b.rank is not None), key=lambda x: (x[0], x[1].number))
    top = [{"rank": r, "iri": _href(q.iri), "number": q.number, "label": idx.label(q.iri, lang),
            "borough": idx.label(q.borough, lang), "burden": burden_rows(q.iri)[0] if burden_rows(q.iri) else None}
           for r, q in ranked[:10]]
    multiply = [q for q in quarters if (b := d.burden.get((q.iri, None), {}).get(year)) and b.multiply]
    map_list = []
    m = _burden_map(ctx, d, None, year, lang, t("Sozialer Status der Stadtteile", "Social status of the quarters")
                    + f" {year}")
    if m:
        map_list.append({"id": "karte-gesamt", "map": m, "caption": t("Belastungsindex insgesamt",
                                                                      "Burden index overall")})
    for dim in dims:
        m = _burden_map(ctx, d, dim.iri, year, lang, f"{dim.label(lang)} {year}")
        if m:
            map_list.append({"id": f"karte-{dim.slug}", "map": m, "caption": t("Dimension", "Dimension") +
                             f" {dim.label(lang)}"})
    all_goals = sorted(st.goals.values(), key=lambda g: (g.text("notation", P["skos"]), g.iri))
    goal_tree = []
    for g in all_goals:
        if SG + "StrategicGoal" not in g.types:
            continue
        subs = [s for s in all_goals if g.iri in s.iris("subGoalOf")]
        if g.iri not in st.reference or any(s.iri not in st.reference for s in subs) or any(
                goal_progress(s, d, year, lang) for s in subs):
            goal_tree.append({"goal": goal_view(g), "subs": [goal_view(s) for s in subs]})

    # chapters per borough, sections per quarter
    chapters = []
    for b in boroughs:
        qs = [q for q in quarters if q.borough == b.iri]
        sections = []
        for q in qs:
            brows = burden_rows(q.iri)
            pop = obs_at(d, planning.POPULATION, q.iri, year)
            sections.append({
                "iri": _href(q.iri), "number": q.number, "label": idx.label(q.iri, lang), "anchor": f"st-{q.number}",
                "population": _fig(pop, lang, 0), "burden": brows, "burden_chart": burden_chart(q.iri, brows),
                "gap": d.gap_position(q.iri, None), "indicators": indicator_rows(q.iri, b.iri),
                "coverage": coverage_rows(q.iri), **steering_view(_area_steering(st, {q.iri}))})
        bq = [{"number": q.number, "label": idx.label(q.iri, lang), "anchor": f"st-{q.number}",
               "burden": (burden_rows(q.iri) or [None])[0]} for q in qs]
        scores = [charts.BarItem(f"{q.number} {idx.label(q.iri, lang)}", bb.score)
                  for q in qs if (bb := d.burden.get((q.iri, None), {}).get(year))]
        chapters.append({
            "iri": _href(b.iri), "number": b.number, "label": idx.label(b.iri, lang), "anchor": f"sb-{b.number}",
            "population": _fig(obs_at(d, planning.POPULATION, b.iri, year), lang, 0),
            "indicators": indicator_rows(b.iri, None), "quarters": bq, "sections": sections,
            "chart": charts.bar_chart(scores, lang, title=t("Belastungsindex der Stadtteile", "Burden index of the "
                                                            "quarters") + f" {year}", digits=2,
                                      width=460, label_width=200) if scores else None,
            **steering_view(_area_steering(st, {b.iri}))})

    # sources and licences
    licences = sorted({r["licence"].value for r in store.select(load_query("indicator-licences", internal=True).text,
                                                                  public_only=True)})
    example_obs = any(o.example for per in d.obs.values() for o in per.values())
    method_view = None
    if method is not None:
        mt = st.reference.get(method.iri)
        method_view = {
            "iri": _href(method.iri), "label": mt.label(lang) if mt else method.iri,
            "description": mt.text("description", P["dcterms"], lang) if mt else "", "version": method.version,
            "threshold": charts.number(method.threshold, lang), "min_dimensions": method.min_dimensions,
            "indicators": [{"iri": _href(i.iri), "label": (i.label_en if lang == "en" and i.label_en else i.label_de),
                            "weight": charts.number(i.weight, lang), "dimension": d.label(i.dimension, lang),
                            "polarity": planning.POLARITY_TEXT.get(i.polarity or "", ("", ""))[1 if lang == "en"
                                                                                             else 0]}
                           for i in sorted(method.indicators, key=lambda i: (ns.fold(d.label(i.dimension, "de")),
                                                                              i.iri))],
            "dimension_weights": [{"label": d.label(x, lang), "weight": charts.number(method.dimension_weight(x),
                                                                                       lang)}
                                  for x in method.dimensions()],
            "status_classes": [{"label": k.label_en if lang == "en" and k.label_en else k.label_de,
                                "lower": charts.number(k.lower, lang, 2), "upper": charts.number(k.upper, lang, 2)}
                               for k in method.status_classes],
            "dynamics_classes": [{"label": k.label_en if lang == "en" and k.label_en else k.label_de,
                                  "lower": charts.number(k.lower, lang, 2), "upper": charts.number(k.upper, lang, 2)}
                                 for k in method.dynamics_classes]}
    example_steering = any(x.example for x in [*st.needs.values(), *st.measures.values(),
                                               *[g for g in st.goals.values() if g.iri not in st.reference]])
    return {
        "lang": lang, "year": year, "years": years, "date": date, "run_ended": d.run_ended,
        "has_analysis": d.has_analysis, "method": method_view, "city": {
            "population": _fig(obs_at(d, planning.POPULATION, CITY, year), lang, 0), "indicators": city_rows,
            "status_counts": status_counts, "top": top, "multiply": len(multiply), "quarters": len(quarters),
            "boroughs": len(boroughs)},
        "maps": map_list, "goal_tree": goal_tree,
        "measures": [measure_view(x) for x in sorted(st.measures.values(), key=lambda x: (
            x.text("identifier", P["dcterms"]), x.iri))],
        "needs": [need_view(x) for x in sorted(st.needs.values(), key=lambda x: (x.text("identifier", P["dcterms"]),
                                                                                 x.iri))],
        "chapters": chapters, "licences": [{"iri": _href(x), "text": x} for x in licences],
        "example_obs": example_obs, "example_steering": example_steering,
        "status_colours": _status_colours(),
    }


# -- rendering -------------------------------------------------------------------------------------------------
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                             keep_trailing_newline=True)
    env.globals.update(fmt=maps.fmt, num=charts.number, pagepath=_href)
    return env


def stylesheet(lang: str = "de") -> str:
    """The report's CSS (inline in the document); also what the server's Content-Security-Policy hashes."""
    return environment().get_template("bericht/style.css").render(status_colours=_status_colours())


def style_hash(css: str) -> str:
    """CSP source of the inline style: 'sha256-…'."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode() + "'"


def render_html(ctx, year: str | None = None, date: str | None = None, lang: str = "de") -> str:
    data = build(ctx, year, date, lang)
    env = environment()
    css = stylesheet(lang)
    return env.get_template("bericht/report.html").render(r=data, css=css, lang=lang, _=_t(lang),
                                                          standalone=False)


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def print_pdf(html: Path, pdf: Path, engine: str | None = None) -> Path:
    """Print the HTML file to PDF with headless Chromium (a fresh profile each time)."""
    engine = engine or find_chromium()
    if not engine or not Path(engine).exists():
        raise NoPdfEngine()
    with tempfile.TemporaryDirectory(prefix="sozialgraph-pdf-") as profile:
        tmp = pdf.with_name(pdf.name + ".part")
        cmd = [engine, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}",
               html.resolve().as_uri()]
        try:
            res = subprocess.run(cmd, capture_output=True, timeout=PDF_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfFailed(f"Chromium konnte das PDF nicht drucken: {exc}",
                            f"Chromium could not print the PDF: {exc}") from None
        if res.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            tail = res.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            tmp.unlink(missing_ok=True)
            raise PdfFailed("Chromium konnte das PDF nicht drucken (Exit %s): %s" % (res.returncode, " ".join(tail)),
                            "Chromium could not print the PDF (exit %s): %s" % (res.returncode, " ".join(tail)))
        tmp.replace(pdf)
    return pdf


def write(ctx, outdir, year: str | None = None, date: str | None = None, lang: str = "de", pdf: bool = True,
          engine: str | None = None) -> dict[str, Path]:
    """OUTDIR/bericht.html and (pdf) OUTDIR/bericht.pdf. Without a PDF engine the HTML is still written and
    NoPdfEngine is raised afterwards."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    html = render_html(ctx, year, date, lang)
    path = out / HTML_NAME
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(html.encode("utf-8"))
    tmp.replace(path)
    written = {"html": path}
    if pdf:
        written["pdf"] = print_pdf(path, out / PDF_NAME, engine)
    return written
