"""What the planner pages read: indicator observations and the stored analysis results, once per store generation.

Seven saved queries (queries/internal/page-*.rq) read every observation, the indicator definitions, the burden
scores, the coverage and the gap ranking stored in …/graph/analysis, and the terms they name (status and dynamics
classes, dimensions, target groups, observation statuses). The answer is kept until the store changes
(``search.cached``), so a Stadtteilprofil, /lebenslagen, /bedarfe and /vergleich are plain Python over this object.
The analysis itself (analysis/lebenslagen.py) writes the results; this module only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sozialgraph import namespaces as ns
from sozialgraph.labels import pick
from sozialgraph.sparql.saved import load_query
from sozialgraph.analysis import charts
from sozialgraph.analysis.search import cached, get_index

SG = ns.SG
TOTAL = ns.ID + "aufschluesselung/insgesamt"
CITY = ns.ID + "stadt/koeln"
WITHHELD = ns.ID + "beobachtungsstatus/gesperrt"
POPULATION = ns.ID + "indikator/einwohner"
LESS = SG + "HigherIsLessBurden"
MORE = SG + "HigherIsMoreBurden"
BURDEN_INDEX = "belastungsindex"  # the pseudo-indicator code of the burden index on /lebenslagen
# age structure: (label de, label en, count indicators added, count indicators subtracted)
AGE_GROUPS = (
    ("unter 18", "under 18", ("unter18",), ()),
    ("18 bis 64", "18 to 64", ("einwohner",), ("unter18", "ab65")),
    ("65 bis 74", "65 to 74", ("ab65",), ("ab75",)),
    ("75 und älter", "75 and over", ("ab75",), ()),
)


def _num(term) -> float | None:
    if term is None:
        return None
    try:
        return float(term.value)
    except ValueError:
        return None


def _int(term) -> int | None:
    v = _num(term)
    return None if v is None else int(v)


@dataclass
class Obs:
    iri: str
    indicator: str
    area: str
    year: str
    value: float | None
    status: str | None
    suppressed_below: float | None
    example: bool

    @property
    def withheld(self) -> bool:
        return self.value is None and (self.suppressed_below is not None or self.status == WITHHELD)

    def note(self, lang: str) -> str:
        """Text instead of a number: 'gesperrt (< 5)' for a withheld value."""
        if self.withheld:
            below = f" (< {int(self.suppressed_below)})" if self.suppressed_below is not None else ""
            return ("gesperrt" if lang == "de" else "withheld") + below
        return "" if self.value is not None else ("keine Angabe" if lang == "de" else "no figure")


@dataclass
class Indicator:
    iri: str
    code: str
    labels: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    unit: str = ""
    life: str | None = None
    polarity: str | None = None
    group: str | None = None  # target group whose people it counts (sg:populationOf)

    def label(self, lang: str) -> str:
        return pick(self.labels, lang) or self.code

    def description(self, lang: str) -> str:
        return pick(self.descriptions, lang) or ""


@dataclass
class Burden:
    iri: str
    area: str
    year: str
    life: str | None
    score: float | None
    status: str | None
    dynamics: str | None
    change: float | None
    compared_with: str | None
    rank: int | None
    dimensions: int | None
    multiply: bool


@dataclass
class Coverage:
    iri: str
    area: str
    group: str
    on_site: int | None
    borough: int | None
    city: int | None
    population: float | None
    per_1000: float | None
    places_per_1000: float | None


@dataclass
class Gap:
    iri: str
    area: str
    group: str | None
    score: float | None
    rank: int | None
    based_on: list[str] = field(default_factory=list)


@dataclass
class Term:
    iri: str
    kind: str
    labels: dict[str, str] = field(default_factory=dict)
    notation: str = ""
    lower: float | None = None
    upper: float | None = None
    population_indicator: str | None = None

    def label(self, lang: str) -> str:
        return pick(self.labels, lang) or self.iri.rsplit("/", 1)[-1]

    @property
    def slug(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


@dataclass
class PlanningData:
    # (indicator, area) -> year -> observation (not broken down)
    obs: dict[tuple[str, str], dict[str, Obs]] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    # (area, dimension or None) -> year -> burden score
    burden: dict[tuple[str, str | None], dict[str, Burden]] = field(default_factory=dict)
    burden_by_iri: dict[str, Burden] = field(default_factory=dict)
    coverage: dict[tuple[str, str], Coverage] = field(default_factory=dict)
    coverage_by_iri: dict[str, Coverage] = field(default_factory=dict)
    gaps: dict[str | None, list[Gap]] = field(default_factory=dict)  # target group (None = overall) -> by rank
    terms: dict[str, Term] = field(default_factory=dict)
    run_ended: str | None = None

    # -- indicators ----------------------------------------------------------------------------------------
    def by_code(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators.values() if i.code == code), None)

    def observation(self, indicator: str, area: str, year: str | None = None) -> Obs | None:
        """The observation of that year, or (year None) the latest one."""
        per = self.obs.get((indicator, area))
        if not per:
            return None
        return per.get(year) if year else per[max(per)]

    def years(self, indicator: str, areas: list[str] | None = None) -> list[str]:
        """Years with at least one observation of the indicator (for the given areas), ascending."""
        out: set[str] = set()
        for (ind, area), per in self.obs.items():
            if ind == indicator and (areas is None or area in areas):
                out.update(per)
        return sorted(out)

    def previous(self, indicator: str, area: str, year: str) -> Obs | None:
        per = self.obs.get((indicator, area), {})
        earlier = [y for y in per if y < year and per[y].value is not None]
        return per[max(earlier)] if earlier else None

    def mapped_indicators(self, quarters: list[str]) -> list[Indicator]:
        """Indicators with Stadtteil observations, by dimension label then label (German order)."""
        qs = set(quarters)
        have = {ind for (ind, area) in self.obs if area in qs}
        return sorted((i for i in self.indicators.values() if i.iri in have), key=lambda i: ns.fold(i.label("de")))

    # -- analysis ------------------------------------------------------------------------------------------
    @property
    def has_analysis(self) -> bool:
        return bool(self.burden or self.coverage or self.gaps)

    def burden_years(self) -> list[str]:
        return sorted({y for per in self.burden.values() for y in per})

    def burden_of(self, area: str, life: str | None = None, year: str | None = None) -> Burden | None:
        per = self.burden.get((area, life))
        if not per:
            return None
        return per.get(year) if year else per[max(per)]

    def dimensions(self) -> list[Term]:
        """Life-situation dimensions that carry burden scores or indicators, in vocabulary order (label)."""
        used = {life for (_a, life) in self.burden if life} | {i.life for i in self.indicators.values() if i.life}
        return sorted((self.terms[d] for d in used if d in self.terms), key=lambda t: ns.fold(t.label("de")))

    def groups(self) -> list[Term]:
        """Target groups with stored coverage, by German label."""
        used = {g for (_a, g) in self.coverage}
        return sorted((self.terms.get(g) or Term(g, "zielgruppe") for g in used), key=lambda t: ns.fold(t.label("de")))

    def status_classes(self) -> list[Term]:
        known = [t for t in self.terms.values() if t.kind == "status"]
        order = {s: n for n, s in enumerate(("hoch", "mittel", "niedrig", "sehr-niedrig"))}
        return sorted(known, key=lambda t: (order.get(t.slug, 9), t.iri))

    def label(self, iri: str | None, lang: str) -> str:
        if not iri:
            return ""
        t = self.terms.get(iri)
        return t.label(lang) if t else iri.rsplit("/", 1)[-1]

    def gap_position(self, area: str, group: str | None) -> tuple[int, int] | None:
        """(rank, number of ranked areas) of the area in the gap ranking of the group (None = overall)."""
        ranking = self.gaps.get(group, [])
        hit = next((g for g in ranking if g.area == area), None)
        if hit is None or hit.rank is None:
            return None
        return hit.rank, len(ranking)

    def gap_basis(self, gap: Gap) -> tuple[Burden | None, Coverage | None]:
        b = next((self.burden_by_iri[i] for i in gap.based_on if i in self.burden_by_iri), None)
        c = next((self.coverage_by_iri[i] for i in gap.based_on if i in self.coverage_by_iri), None)
        if c is None and gap.group:
            c = self.coverage.get((gap.area, gap.group))
        return b, c


def _load(ctx) -> PlanningData:
    store = ctx.store
    d = PlanningData()

    def q(name: str) -> list[dict]:
        return store.select(load_query(name, internal=True).text, public_only=True)

    for r in q("page-observations"):
        bd = r.get("aufschluesselung")
        if bd is not None and bd.value != TOTAL:
            continue  # broken-down figures are not shown on these pages
        o = Obs(r["beobachtung"].value, r["indikator"].value, r["gebiet"].value, r["jahr"].value[:4],
                _num(r.get("wert")), r["status"].value if "status" in r else None, _num(r.get("gesperrtUnter")),
                "beispiel" in r and r["beispiel"].value == "true")
        per = d.obs.setdefault((o.indicator, o.area), {})
        if o.year not in per or (per[o.year].example and not o.example):
            per[o.year] = o  # an official figure wins over a synthetic one of the same year
    for r in q("page-indicators"):
        iri = r["indikator"].value
        ind = d.indicators.get(iri) or d.indicators.setdefault(
            iri, Indicator(iri, r["code"].value if "code" in r else iri.rsplit("/", 1)[-1]))
        if "label" in r:
            ind.labels.setdefault(r["label"].language or "", r["label"].value)
        if "beschreibung" in r:
            ind.descriptions.setdefault(r["beschreibung"].language or "", r["beschreibung"].value)
        ind.unit = ind.unit or (r["einheit"].value if "einheit" in r else "")
        ind.life = ind.life or (r["lebenslage"].value if "lebenslage" in r else None)
        ind.polarity = ind.polarity or (r["polaritaet"].value if "polaritaet" in r else None)
        ind.group = ind.group or (r["zielgruppe"].value if "zielgruppe" in r else None)
    for r in q("page-burden-scores"):
        b = Burden(r["wert"].value, r["gebiet"].value, r["jahr"].value[:4],
                   r["lebenslage"].value if "lebenslage" in r else None, _num(r.get("score")),
                   r["status"].value if "status" in r else None, r["dynamik"].value if "dynamik" in r else None,
                   _num(r.get("veraenderung")), r["vergleichsjahr"].value[:4] if "vergleichsjahr" in r else None,
                   _int(r.get("rang")), _int(r.get("dimensionen")),
                   "mehrfach" in r and r["mehrfach"].value in ("true", "1"))
        d.burden.setdefault((b.area, b.life), {})[b.year] = b
        d.burden_by_iri[b.iri] = b
    for r in q("page-coverage"):
        c = Coverage(r["versorgung"].value, r["gebiet"].value, r["zielgruppe"].value, _int(r.get("vorOrt")),
                     _int(r.get("bezirk")), _int(r.get("stadtweit")), _num(r.get("personen")), _num(r.get("je1000")),
                     _num(r.get("plaetzeJe1000")))
        d.coverage[(c.area, c.group)] = c
        d.coverage_by_iri[c.iri] = c
    gaps: dict[str, Gap] = {}
    for r in q("page-gaps"):
        iri = r["luecke"].value
        gp = gaps.get(iri) or gaps.setdefault(iri, Gap(iri, r["gebiet"].value,
                                                       r["zielgruppe"].value if "zielgruppe" in r else None,
                                                       _num(r.get("score")), _int(r.get("rang"))))
        if "grundlage" in r and r["grundlage"].value not in gp.based_on:
            gp.based_on.append(r["grundlage"].value)
    for gp in gaps.values():
        d.gaps.setdefault(gp.group, []).append(gp)
    for ranking in d.gaps.values():
        ranking.sort(key=lambda g: (g.rank is None, g.rank or 0, g.area))
    for r in q("page-analysis-terms"):
        kind = r["art"].value
        if kind == "lauf":
            if "ende" in r and (d.run_ended is None or r["ende"].value > d.run_ended):
                d.run_ended = r["ende"].value
            continue
        t = d.terms.setdefault(r["begriff"].value, Term(r["begriff"].value, kind))
        if "label" in r:
            t.labels.setdefault(r["label"].language or "", r["label"].value)
        t.notation = t.notation or (r["kennung"].value if "kennung" in r else "")
        t.lower = t.lower if t.lower is not None else _num(r.get("von"))
        t.upper = t.upper if t.upper is not None else _num(r.get("bis"))
        t.population_indicator = t.population_indicator or (r["bevoelkerung"].value if "bevoelkerung" in r else None)
    # classes named by results but not described in the store still get a badge (labelled by their slug)
    for b in d.burden.values():
        for x in b.values():
            if x.status and x.status not in d.terms:
                d.terms[x.status] = Term(x.status, "status", {"": x.status.rsplit("/", 1)[-1].replace("-", " ")})
            if x.dynamics and x.dynamics not in d.terms:
                d.terms[x.dynamics] = Term(x.dynamics, "dynamik", {"": x.dynamics.rsplit("/", 1)[-1]})
    return d


def get_data(ctx) -> PlanningData:
    return cached(ctx, "planning", _load)


def age_structure(d: PlanningData, area: str) -> tuple[str, list[tuple[str, str, float]]] | None:
    """(year, [(label de, label en, share in per cent)]) from the population counts of the latest year in which
    all of them exist for the area; None without them."""
    codes = {c for _de, _en, plus, minus in AGE_GROUPS for c in plus + minus}
    iris = {c: ns.ID + "indikator/" + c for c in codes}
    years = None
    for c in codes:
        ys = {y for y, o in d.obs.get((iris[c], area), {}).items() if o.value is not None}
        years = ys if years is None else years & ys
    if not years:
        return None
    year = max(years)
    val = {c: d.obs[(iris[c], area)][year].value for c in codes}
    total = val["einwohner"]
    if not total:
        return None
    rows = []
    for de, en, plus, minus in AGE_GROUPS:
        n = sum(val[c] for c in plus) - sum(val[c] for c in minus)
        rows.append((de, en, round(100 * n / total, 1)))
    return year, rows


def area_kind(ctx, area: str) -> str | None:
    a = get_index(ctx).areas.get(area)
    return a.kind if a else ("stadt" if area == CITY else None)


POLARITY_TEXT = {MORE: ("höherer Wert = mehr Belastung", "higher value = more burden"),
                 LESS: ("höherer Wert = weniger Belastung", "higher value = less burden"),
                 SG + "NoBurdenDirection": ("ohne Belastungsrichtung", "no burden direction")}


def polarity_text(ind: Indicator, lang: str) -> str:
    de, en = POLARITY_TEXT.get(ind.polarity or "", ("", ""))
    return en if lang == "en" else de


def indicator_chart(ctx, d: PlanningData, ind: Indicator, area: str, lang: str, year: str | None = None) -> dict | None:
    """The three-bar chart (area, its Stadtbezirk, Köln) of one indicator in the area's latest year (or ``year``)."""
    idx = get_index(ctx)
    o = d.observation(ind.iri, area, year)
    if o is None:
        return None
    a = idx.areas.get(area)
    rows = [(area, o)]
    if a is not None and a.kind == "stadtteil" and a.borough:
        rows.append((a.borough, d.observation(ind.iri, a.borough, o.year)))
    if area != CITY:
        rows.append((CITY, d.observation(ind.iri, CITY, o.year)))
    items = []
    for where, ob in rows:
        name = idx.label(where, lang) if where != CITY else "Köln" if lang == "de" else "Cologne"
        if ob is None:
            items.append(charts.BarItem(name, None, "keine Angabe" if lang == "de" else "no figure",
                                        highlight=where == area))
        else:
            items.append(charts.BarItem(name, ob.value, ob.note(lang), highlight=where == area, example=ob.example))
    title = f"{ind.label(lang)} {o.year}"
    return {"indicator": ind, "code": ind.code, "label": ind.label(lang), "unit": ind.unit, "year": o.year,
            "polarity": polarity_text(ind, lang), "example": any(i.example for i in items),
            "withheld": o.withheld, "value": o.value, "observation": o.iri,
            "chart": charts.bar_chart(items, lang, title=title)}


def profile(ctx, area: str, lang: str = "de") -> dict | None:
    """Everything the Stadtteilprofil (and its Stadtbezirk equivalent) shows; None for other resources."""
    d = get_data(ctx)
    idx = get_index(ctx)
    a = idx.areas.get(area)
    if a is None:
        return None
    out: dict = {"area": area, "kind": a.kind, "label": idx.label(area, lang), "number": a.number,
                 "borough": a.borough, "borough_label": idx.label(a.borough, lang) if a.borough else "",
                 "analysis": d.has_analysis, "run_ended": d.run_ended}
    pop = d.observation(POPULATION, area)
    out["population"] = pop
    age = age_structure(d, area)
    if age:
        year, rows = age
        out["age_year"] = year
        title = ("Altersgruppen" if lang == "de" else "Age groups") + f" {year}"
        out["age_chart"] = charts.bar_chart([charts.BarItem(de if lang == "de" else en, v) for de, en, v in rows],
                                            lang, title=title, digits=1)
    # indicators grouped by dimension, with the burden class of the area in that dimension
    sections: dict[str | None, list[dict]] = {}
    for ind in sorted(d.indicators.values(), key=lambda i: ns.fold(i.label(lang))):
        ch = indicator_chart(ctx, d, ind, area, lang)
        if ch:
            sections.setdefault(ind.life, []).append(ch)
    dims = [t.iri for t in d.dimensions()]
    out["sections"] = []
    for dim in [*dims, None]:
        burden = d.burden_of(area, dim) if dim else None
        if dim is None and not sections.get(None):
            continue
        if dim and not sections.get(dim) and burden is None:
            continue
        out["sections"].append({"dimension": dim, "label": d.label(dim, lang) if dim else
                                ("Weitere Kennzahlen" if lang == "de" else "Further figures"),
                                "burden": burden, "status": d.terms.get(burden.status) if burden and burden.status
                                else None, "charts": sections.get(dim, [])})
    overall = d.burden_of(area, None)
    out["overall"] = overall
    out["overall_status"] = d.terms.get(overall.status) if overall and overall.status else None
    out["overall_dynamics"] = d.terms.get(overall.dynamics) if overall and overall.dynamics else None
    out["overall_gap"] = d.gap_position(area, None)
    # offers per target group with coverage and the place in the gap ranking
    cov_rows = []
    quarters = [area] if a.kind == "stadtteil" else [q.iri for q in idx.quarters(area)]
    for g in d.groups():
        cs = [d.coverage[(q, g.iri)] for q in quarters if (q, g.iri) in d.coverage]
        if not cs:
            continue
        people = sum(c.population for c in cs if c.population is not None) if any(
            c.population is not None for c in cs) else None
        on_site = sum(c.on_site or 0 for c in cs)
        row = {"group": g.iri, "label": g.label(lang), "on_site": on_site, "borough": cs[0].borough,
               "city": cs[0].city, "population": people,
               "per_1000": cs[0].per_1000 if len(cs) == 1 else (on_site / people * 1000 if people else None),
               "position": d.gap_position(area, g.iri) if a.kind == "stadtteil" else None}
        cov_rows.append(row)
    out["coverage"] = cov_rows
    out["coverage_summed"] = a.kind == "stadtbezirk"
    if a.kind == "stadtbezirk":
        qrows = []
        for q in sorted(idx.quarters(area), key=lambda x: x.number):
            b = d.burden_of(q.iri, None)
            qrows.append({"iri": q.iri, "number": q.number, "label": idx.label(q.iri, lang),
                          "status": d.terms.get(b.status) if b and b.status else None, "burden": b})
        out["quarters"] = qrows
    out["compare_choices"] = sorted(((q.number, idx.label(q.iri, lang)) for q in idx.quarters() if q.iri != area),
                                    key=lambda t: t[0])
    # the open needs of the area (issue 11) and the measures that address them
    out["needs"] = need_rows(ctx, needs_for(ctx, area, only_open=True), lang)
    return out


# -- steering: goals with targets, needs, measures, evaluations (issue 11's pages) ----------------------------------
RDF_TYPE = ns.PREFIXES["rdf"] + "type"
RDFS_LABEL = ns.PREFIXES["rdfs"] + "label"
DCT = ns.PREFIXES["dcterms"]
SKOS_NOTATION = ns.PREFIXES["skos"] + "notation"
DECREASE, INCREASE = SG + "Decrease", SG + "Increase"
OPEN_NEED = (ns.ID + "bedarfsstatus/vorgeschlagen", ns.ID + "bedarfsstatus/festgestellt")
NEED_STATUS_ORDER = ("vorgeschlagen", "festgestellt", "gedeckt", "verworfen")
MEASURE_STATUS_ORDER = ("geplant", "in-umsetzung", "abgeschlossen", "eingestellt")


def _texts(props: dict[str, list], p: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in props.get(p, []):
        out.setdefault(getattr(v, "language", None) or "", v.value)
    return out


def _iris(props: dict[str, list], p: str) -> list[str]:
    return sorted({v.value for v in props.get(p, []) if not hasattr(v, "language")})


def _one(props: dict[str, list], p: str) -> str | None:
    vals = sorted({v.value for v in props.get(p, [])})
    return vals[0] if vals else None


@dataclass
class Track:
    """A goal's indicator in one area: observations, the linear target path, the latest value against it."""
    area: str
    points: list[tuple[int, float]]
    example: bool = False

    def latest(self) -> tuple[int, float] | None:
        return max(self.points) if self.points else None


@dataclass
class Goal:
    iri: str
    code: str
    labels: dict[str, str]
    descriptions: dict[str, str]
    strategic: bool
    parent: str | None
    indicator: str | None
    baseline: float | None
    baseline_year: int | None
    target: float | None
    target_year: int | None
    direction: str | None
    areas: list[str]
    groups: list[str]
    lives: list[str]
    example: bool
    children: list[str] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)

    def label(self, lang: str) -> str:
        return pick(self.labels, lang) or self.code

    def description(self, lang: str) -> str:
        return pick(self.descriptions, lang) or ""

    @property
    def slug(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    @property
    def has_target(self) -> bool:
        return None not in (self.baseline, self.baseline_year, self.target, self.target_year) and \
            self.baseline_year != self.target_year

    def path_value(self, year: int) -> float | None:
        """The linear path from the baseline to the target, in that year (the saved query's formula)."""
        if not self.has_target:
            return None
        return self.baseline + (self.target - self.baseline) * (year - self.baseline_year) / \
            (self.target_year - self.baseline_year)

    def behind(self, track: Track) -> bool | None:
        """Whether the latest value is worse than the path (decrease: above it, increase: below it); None when
        there is nothing to compare."""
        last = track.latest()
        if last is None or not self.has_target or self.direction not in (DECREASE, INCREASE):
            return None
        path = self.path_value(last[0])
        return last[1] > path if self.direction == DECREASE else last[1] < path


@dataclass
class Evaluation:
    iri: str
    code: str
    goal: str | None
    people: int | None
    places: int | None
    offers_opened: int | None
    verdict: str
    date: str | None
    author: str


@dataclass
class Measure:
    iri: str
    code: str
    labels: dict[str, str]
    descriptions: dict[str, str]
    offices: list[str]
    groups: list[str]
    areas: list[str]
    goals: list[str]
    needs: list[str]
    offers: list[str]
    status: str | None
    budget: float | None
    resources: str
    start: str | None
    end: str | None
    evaluations: list[Evaluation]
    example: bool

    def label(self, lang: str) -> str:
        return pick(self.labels, lang) or self.code

    @property
    def integrated(self) -> bool:
        return len(self.offices) > 1

    @property
    def office_code(self) -> str:
        """The submitting office's code: the measure IRI is …/id/massnahme/{office}/{slug}."""
        return self.iri.rsplit("/", 2)[-2]

    @property
    def slug(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


@dataclass
class Need:
    iri: str
    code: str
    labels: dict[str, str]
    justification: dict[str, str]
    area: str | None
    group: str | None
    life: str | None
    missing_type: str | None
    places: int | None
    evidence: list[str]
    status: str | None
    decided_by: str | None
    decided_on: str | None
    example: bool
    measures: list[str] = field(default_factory=list)  # filled from sg:addressesNeed

    def label(self, lang: str) -> str:
        return pick(self.labels, lang) or self.code

    @property
    def open(self) -> bool:
        return self.status in OPEN_NEED

    @property
    def status_slug(self) -> str:
        return (self.status or "").rsplit("/", 1)[-1]


@dataclass
class SteeringData:
    goals: dict[str, Goal] = field(default_factory=dict)
    measures: dict[str, Measure] = field(default_factory=dict)
    needs: dict[str, Need] = field(default_factory=dict)
    goal_offers: dict[str, set[str]] = field(default_factory=dict)  # goal -> offers with sg:contributesTo

    def roots(self) -> list[Goal]:
        """Goals without a (known) parent, by code."""
        return sorted((x for x in self.goals.values() if x.parent not in self.goals), key=goal_key)

    def subtree(self, goal: str) -> list[str]:
        """The goal and all its sub-goals (sg:subGoalOf*)."""
        out, todo = [], [goal]
        while todo:
            g_ = todo.pop()
            if g_ not in out:
                out.append(g_)
                todo.extend(self.goals[g_].children if g_ in self.goals else [])
        return out

    def contributing_measures(self, goal: str) -> list[Measure]:
        tree = set(self.subtree(goal))
        return sorted((m for m in self.measures.values() if tree & set(m.goals)), key=lambda m: (m.code, m.iri))

    def contributing_offers(self, goal: str) -> list[str]:
        """Offers with sg:contributesTo the goal or a sub-goal, and the offers of measures pursuing them."""
        tree = self.subtree(goal)
        found = {o for x in tree for o in self.goal_offers.get(x, ())}
        for m in self.contributing_measures(goal):
            found.update(m.offers)
        return sorted(found)

    def measures_of_office(self, office: str) -> list[Measure]:
        return sorted((m for m in self.measures.values() if office in m.offices), key=lambda m: (m.code, m.iri))


def goal_key(x: Goal) -> tuple:
    parts = [int(p) if p.isdigit() else p for p in x.code.lstrip("Zz").split(".")]
    return (0, parts, x.iri) if all(isinstance(p, int) for p in parts) else (1, [], x.code, x.iri)


def _rows(store, name: str, subject: str) -> dict[str, dict[str, list]]:
    out: dict[str, dict[str, list]] = {}
    for r in store.select(load_query(name, internal=True).text, public_only=True):
        vals = out.setdefault(r[subject].value, {}).setdefault(r["eigenschaft"].value, [])
        if r["wert"] not in vals:  # a triple comes once per graph that holds it
            vals.append(r["wert"])
    return out


def _year(v: str | None) -> int | None:
    try:
        return int(v[:4]) if v else None
    except ValueError:
        return None


def _load_steering(ctx, d: PlanningData) -> SteeringData:
    store = ctx.store
    s = SteeringData()
    for iri, p in _rows(store, "page-goals", "ziel").items():
        types = _iris(p, RDF_TYPE)
        code = _one(p, SKOS_NOTATION) or iri.rsplit("/", 1)[-1]
        parents = _iris(p, SG + "subGoalOf")
        s.goals[iri] = Goal(iri, code, _texts(p, RDFS_LABEL), _texts(p, DCT + "description"),
                            SG + "StrategicGoal" in types or (not parents and SG + "OperationalGoal" not in types),
                            parents[0] if parents else None, _one(p, SG + "measuredBy"),
                            _num(next(iter(p.get(SG + "baselineValue", [])), None)),
                            _year(_one(p, SG + "baselineYear")), _num(next(iter(p.get(SG + "targetValue", [])), None)),
                            _year(_one(p, SG + "targetYear")), _one(p, SG + "goalDirection"),
                            _iris(p, SG + "forArea"), _iris(p, SG + "targetGroup"), _iris(p, SG + "lifeSituation"),
                            _one(p, SG + "exampleData") in ("true", "1"))
    for x in s.goals.values():
        if x.parent in s.goals:
            s.goals[x.parent].children.append(x.iri)
        if x.indicator:
            for area in x.areas or [CITY]:
                per = d.obs.get((x.indicator, area), {})
                pts = [(int(y), o.value) for y, o in per.items() if o.value is not None and y.isdigit()]
                x.tracks.append(Track(area, sorted(pts), any(o.example for o in per.values())))
    for x in s.goals.values():
        x.children.sort(key=lambda c: goal_key(s.goals[c]))
    for r in store.select(load_query("page-goal-offers", internal=True).text, public_only=True):
        s.goal_offers.setdefault(r["ziel"].value, set()).add(r["angebot"].value)
    evals: dict[str, Evaluation] = {}
    for iri, p in _rows(store, "page-measure-evaluations", "evaluation").items():
        evals[iri] = Evaluation(iri, _one(p, DCT + "identifier") or iri.rsplit("/", 1)[-1], _one(p, SG + "evaluatedGoal"),
                                _int(next(iter(p.get(SG + "peopleReached", [])), None)),
                                _int(next(iter(p.get(SG + "placesCreated", [])), None)),
                                _int(next(iter(p.get(SG + "offersOpened", [])), None)),
                                pick(_texts(p, SG + "verdict"), "de") or "", _one(p, DCT + "date"),
                                pick(_texts(p, DCT + "creator"), "de") or "")
    for iri, p in _rows(store, "page-measures", "massnahme").items():
        ev = sorted((evals[e] for e in _iris(p, SG + "evaluation") if e in evals), key=lambda e: (e.date or "", e.iri))
        s.measures[iri] = Measure(iri, _one(p, DCT + "identifier") or iri.rsplit("/", 1)[-1], _texts(p, RDFS_LABEL),
                                  _texts(p, DCT + "description"), _iris(p, SG + "implementedBy"),
                                  _iris(p, SG + "targetGroup"), _iris(p, SG + "forArea"), _iris(p, SG + "pursuesGoal"),
                                  _iris(p, SG + "addressesNeed"), _iris(p, SG + "includesOffer"),
                                  _one(p, SG + "measureStatus"), _num(next(iter(p.get(SG + "budget", [])), None)),
                                  pick(_texts(p, SG + "resources"), "de") or "", _one(p, SG + "startDate"),
                                  _one(p, SG + "endDate"), ev, _one(p, SG + "exampleData") in ("true", "1"))
    for iri, p in _rows(store, "page-needs", "bedarf").items():
        s.needs[iri] = Need(iri, _one(p, DCT + "identifier") or iri.rsplit("/", 1)[-1], _texts(p, RDFS_LABEL),
                            _texts(p, DCT + "description"), _one(p, SG + "needIn"), _one(p, SG + "needOf"),
                            _one(p, SG + "lifeSituation"), _one(p, SG + "missingOfferType"),
                            _int(next(iter(p.get(SG + "neededPlaces", [])), None)), _iris(p, SG + "supportedBy"),
                            _one(p, SG + "needStatus"), _one(p, SG + "decidedBy"), _one(p, SG + "decidedOn"),
                            _one(p, SG + "exampleData") in ("true", "1"))
    for m in s.measures.values():
        for n in m.needs:
            if n in s.needs:
                s.needs[n].measures.append(m.iri)
    return s


def get_steering(ctx) -> SteeringData:
    d = get_data(ctx)  # outside the build: cached() holds its lock while building
    return cached(ctx, "steering", lambda c: _load_steering(c, d))


def area_family(ctx, area: str) -> tuple[set[str], set[str]]:
    """(the area and what it lies in, the area and what lies in it): a Stadtteil lies in its Stadtbezirk and the
    city; a Stadtbezirk holds its Stadtteile."""
    idx = get_index(ctx)
    a = idx.areas.get(area)
    up, down = {area, CITY}, {area}
    if a is not None and a.borough:
        up.add(a.borough)
    if a is not None and a.kind == "stadtbezirk":
        down.update(q.iri for q in idx.quarters(area))
    if area == CITY:
        down.update(idx.areas)
    return up, down


def needs_for(ctx, area: str | None = None, groups: list[str] | None = None, life: str | None = None,
              only_open: bool = False) -> list[Need]:
    """Needs in the area (a Stadtteil: its own, its Stadtbezirk's and the city's; a Stadtbezirk: its own and its
    Stadtteile's), of one of the groups (or a narrower one) and the life-situation dimension; by status, area, code."""
    idx = get_index(ctx)
    s = get_steering(ctx)
    up, down = area_family(ctx, area) if area else (set(), set())
    out = []
    for n in s.needs.values():
        if only_open and not n.open:
            continue
        if area and n.area not in up | down:
            continue
        if groups and not (n.group and set(groups) & idx.ancestors(n.group)):
            continue
        if life and n.life != life:
            continue
        out.append(n)
    order = {x: i for i, x in enumerate(NEED_STATUS_ORDER)}
    return sorted(out, key=lambda n: (order.get(n.status_slug, 9), idx.areas[n.area].number if n.area in idx.areas
                                      else "", n.code, n.iri))


def need_rows(ctx, needs: list[Need], lang: str) -> list[dict]:
    """What the needs table (_needs.html) shows per need, with labels and the addressing measures."""
    idx = get_index(ctx)
    s = get_steering(ctx)
    rows = []
    for n in needs:
        ms = [s.measures[m] for m in n.measures if m in s.measures]
        rows.append({"need": n, "label": n.label(lang), "area": n.area, "area_label": idx.label(n.area, lang),
                     "group_label": idx.label(n.group, lang) if n.group else "",
                     "life_label": idx.label(n.life, lang) if n.life else "",
                     "type_label": idx.label(n.missing_type, lang) if n.missing_type else "",
                     "status_label": idx.label(n.status, lang) if n.status else "",
                     "decided_label": idx.label(n.decided_by, lang) if n.decided_by else "",
                     "measures": [{"iri": m.iri, "label": m.label(lang), "code": m.code,
                                   "status_label": idx.label(m.status, lang) if m.status else "",
                                   "href": f"/massnahmen/{m.office_code}/{m.slug}"} for m in ms]})
    return rows
