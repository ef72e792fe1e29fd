"""The analysis of the Lebenslagen: burden index per Stadtteil and year, coverage per target group, gap ranking.

The method is data (data/analyse/methode-soziale-lage.ttl, an sg:AnalysisMethod in the reference graph): which
indicators with which weights, the weights of the Lebenslagendimensionen, the burden threshold, the status and
dynamics classes with their bounds. docs/analyse.md gives every formula in words; in short:

- burden: per indicator and year, z = (x − mean) / sd over the Stadtteile with a value (population standard
  deviation, ddof = 0), sign flipped for sg:HigherIsLessBurden; dimension score = weighted mean of the z of its
  indicators present for the Stadtteil; overall score = weighted mean of the dimension scores; status class by the
  score, dynamics class by the change of the overall score since the comparison year; "mehrfach belastet" when at
  least sg:minBurdenedDimensions dimensions reach sg:burdenThreshold. Rank 1 = highest score.
- coverage per Stadtteil × target group (narrower groups included): offers on site (reach Einrichtung, Quartier,
  Stadtteil, in the Stadtteil), for the borough (reach Stadtbezirk), city-wide (reach Gesamtstadt); population =
  latest value of the group's sg:populationIndicator; offers and places per 1,000 people of the group.
- gaps per target group: z(overall burden) − z(offers on site per 1,000) over the Stadtteile with both; overall gap
  = mean of the group gaps of a Stadtteil. Rank 1 = largest gap.

``run(ctx)`` computes all three from the store and replaces ns.G_ANALYSIS in one atomic step, with the run's
provenance (prov:used the method and the input datasets). ``burden``, ``coverage`` and ``gaps`` compute the same
rows without writing. Every input is one saved query (queries/internal/analysis-*.rq) aggregated in the store.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.errors import SozialgraphError
from sozialgraph.resources import data_files
from sozialgraph.sparql.saved import load_query
from sozialgraph.store.oxigraph import OxigraphStore

SG = ns.SG
XSD = ns.PREFIXES["xsd"]
PROV = ns.PREFIXES["prov"]
RDF_TYPE = ns.PREFIXES["rdf"] + "type"
RDFS_LABEL = ns.PREFIXES["rdfs"] + "label"

METHOD_IRI = ns.ID + "analysemethode/soziale-lage"
METHOD_FILES = "analyse/*.ttl"  # package data, used when the store holds no method yet
CITY = ns.ID + "stadt/koeln"
RESULT = ns.ID + "analyse/"
RUN_IRI = RESULT + "lauf"

HIGHER_IS_MORE = SG + "HigherIsMoreBurden"
HIGHER_IS_LESS = SG + "HigherIsLessBurden"
DEFAULT_THRESHOLD = 1.0
DEFAULT_MIN_DIMENSIONS = 2
COMPARISON_SPAN = 3  # the comparison year is the earliest year with data in [year − 3, year − 1]
# several values for one indicator, Stadtteil and year: the best status wins (no status = an older official value)
_STATUS = ns.ID + "beobachtungsstatus/"
STATUS_ORDER = {None: 0, _STATUS + "normal": 0, _STATUS + "vorlaeufig": 1, _STATUS + "geschaetzt": 2,
                _STATUS + "synthetisch": 3}


class AnalysisError(SozialgraphError, ValueError):
    """The analysis cannot run as asked (no method, an unknown year, …)."""


# -- the method ------------------------------------------------------------------------------------------------
@dataclass
class Klass:
    """A status or dynamics class: lower bound inclusive, upper bound exclusive, None = open."""

    iri: str
    notation: str
    label_de: str
    label_en: str
    lower: float | None
    upper: float | None

    def contains(self, x: float) -> bool:
        return (self.lower is None or x >= self.lower) and (self.upper is None or x < self.upper)

    def label(self, lang: str = "de") -> str:
        return self.label_en if lang == "en" else self.label_de


@dataclass
class IndicatorSpec:
    iri: str
    weight: float
    dimension: str | None  # the indicator's sg:lifeSituation
    polarity: str | None
    label_de: str = ""
    label_en: str = ""


@dataclass
class Method:
    iri: str
    version: str
    threshold: float
    min_dimensions: int
    indicators: list[IndicatorSpec]  # the usable ones: weight > 0, a dimension and a burden direction
    dimension_weights: dict[str, float]  # given weights; a dimension without one weighs 1
    status_classes: list[Klass]
    dynamics_classes: list[Klass]
    left_out: list[str] = field(default_factory=list)  # listed indicators without direction or dimension

    def dimension_weight(self, dimension: str) -> float:
        return self.dimension_weights.get(dimension, 1.0)

    def dimensions(self) -> list[str]:
        return sorted({i.dimension for i in self.indicators if i.dimension})


def _num(term) -> float | None:
    return None if term is None else float(term.value)


def _val(term) -> str | None:
    return None if term is None else term.value


def _select(store, name: str, **bind) -> list[dict]:
    """Rows of an internal saved query on the public graphs, with IRIs bound in its VALUES lines."""
    if any(isinstance(v, list) and not v for v in bind.values()):
        return []  # nothing to ask for (an empty VALUES binding would leave the query unrestricted)
    q = load_query(name, internal=True)
    terms = {k: [ox.NamedNode(v) for v in vs] if isinstance(vs, list) else ox.NamedNode(vs)
             for k, vs in bind.items() if vs is not None and vs != []}
    return store.select(q.render(terms), public_only=True)


def _method_source(store, iri: str | None):
    """The store if it holds the method, else an in-memory store with the shipped method file."""
    if _select(store, "analysis-method", methode=iri):
        return store
    scratch = OxigraphStore(None)  # in memory
    for path in data_files(METHOD_FILES):
        scratch.load_file(path, ns.G_REFERENCE)
    return scratch


def load_method(store, iri: str | None = None) -> Method:
    """The analysis method from the store (or the shipped file); ``iri`` chooses one of several."""
    source = _method_source(store, iri)
    rows = _select(source, "analysis-method", methode=iri)
    methods = sorted({r["methode"].value for r in rows})
    if not methods:
        raise AnalysisError("Keine Analysemethode gefunden (data/analyse/methode-soziale-lage.ttl).",
                            "No analysis method found (data/analyse/methode-soziale-lage.ttl).", status=500)
    chosen = iri or (METHOD_IRI if METHOD_IRI in methods else methods[0])
    rows = [r for r in rows if r["methode"].value == chosen]
    first = rows[0]
    weights: dict[str, float] = {}
    dim_weights: dict[str, float] = {}
    for r in rows:
        w = _num(r.get("gewicht"))
        w = 1.0 if w is None else w
        if "indikator" in r:
            weights[r["indikator"].value] = w
        elif "dimension" in r:
            dim_weights[r["dimension"].value] = w
    info = {r["indikator"].value: r for r in _select(store, "analysis-indicators", indikator=sorted(weights))}
    indicators, left_out = [], []
    for ind in sorted(weights):
        r = info.get(ind, {})
        spec = IndicatorSpec(ind, weights[ind], _val(r.get("dimension")), _val(r.get("polaritaet")),
                             _val(r.get("nameDe")) or ind.rsplit("/", 1)[-1], _val(r.get("nameEn")) or "")
        if spec.weight > 0 and spec.dimension and spec.polarity in (HIGHER_IS_MORE, HIGHER_IS_LESS):
            indicators.append(spec)
        else:
            left_out.append(ind)
    classes: dict[str, list[Klass]] = {"status": [], "dynamik": []}
    for r in _select(source, "analysis-classes", methode=chosen):
        k = Klass(r["klasse"].value, _val(r.get("notation")) or r["klasse"].value.rsplit("/", 1)[-1],
                  _val(r.get("nameDe")) or "", _val(r.get("nameEn")) or "", _num(r.get("unten")), _num(r.get("oben")))
        classes[r["art"].value].append(k)
    threshold = _num(first.get("schwelle"))
    k_min = first.get("mindestDimensionen")
    return Method(chosen, _val(first.get("version")) or "", DEFAULT_THRESHOLD if threshold is None else threshold,
                  DEFAULT_MIN_DIMENSIONS if k_min is None else int(k_min.value), indicators, dim_weights,
                  classes["status"], classes["dynamik"], left_out)


def classify(classes: list[Klass], x: float | None) -> Klass | None:
    if x is None:
        return None
    return next((k for k in classes if k.contains(x)), None)


# -- small statistics ------------------------------------------------------------------------------------------
def zscores(values: dict[str, float]) -> dict[str, float]:
    """z = (x − mean) / sd with the population standard deviation (ddof = 0); all 0 when sd is 0."""
    if not values:
        return {}
    n = len(values)
    mean = sum(values.values()) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in values.values()) / n)
    return {k: (x - mean) / sd if sd > 0 else 0.0 for k, x in values.items()}


def weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    """Mean of (value, weight) pairs with the weights normalised over the pairs given; None without weight."""
    total = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / total if total > 0 else None


def ranks(scores: dict[str, float]) -> dict[str, int]:
    """1 = highest score; equal scores in the order of the area IRI."""
    return {k: i for i, k in enumerate(sorted(scores, key=lambda k: (-scores[k], k)), 1)}


# -- areas and groups ------------------------------------------------------------------------------------------
@dataclass
class Quarter:
    iri: str
    number: str
    name: str
    name_en: str
    borough: str | None
    borough_name: str

    @property
    def key(self) -> str:
        return f"stadtteil-{self.number}"

    def label(self, lang: str = "de") -> str:
        return (self.name_en or self.name) if lang == "en" else self.name


@dataclass
class Group:
    iri: str
    notation: str
    label_de: str
    label_en: str
    population_indicator: str | None

    @property
    def key(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    def label(self, lang: str = "de") -> str:
        return (self.label_en or self.label_de) if lang == "en" else self.label_de


def quarters(store) -> dict[str, Quarter]:
    out: dict[str, Quarter] = {}
    for r in _select(store, "analysis-quarters"):
        iri = r["stadtteil"].value
        if iri not in out:
            out[iri] = Quarter(iri, r["nummer"].value, _val(r.get("name")) or r["nummer"].value,
                               _val(r.get("nameEn")) or "", _val(r.get("bezirk")), _val(r.get("bezirkName")) or "")
    return out


def target_groups(store) -> dict[str, Group]:
    out: dict[str, Group] = {}
    for r in _select(store, "analysis-target-groups"):
        iri = r["zielgruppe"].value
        g = out.setdefault(iri, Group(iri, _val(r.get("notation")) or "", _val(r.get("nameDe")) or iri,
                                      _val(r.get("nameEn")) or "", None))
        if g.population_indicator is None and "indikator" in r:  # the first in IRI order when several
            g.population_indicator = r["indikator"].value
    return out


def _year(term) -> int:
    return int(term.value[:4]) if term.value[:1] != "-" else int(term.value)


def observations(store, indicators: list[str]) -> tuple[dict[tuple[str, str, int], float], dict[tuple, str], set]:
    """{(indicator, Stadtteil, year): value} with the best status per cell, the dataset of each chosen cell, and
    the chosen cells whose value is synthetic (Beispieldaten)."""
    best: dict[tuple[str, str, int], tuple[int, str, float, str | None]] = {}
    if not indicators:  # an empty VALUES binding would leave the query unrestricted
        return {}, {}, set()
    for r in _select(store, "analysis-observations", indikator=indicators):
        cell = (r["indikator"].value, r["stadtteil"].value, _year(r["jahr"]))
        rank = STATUS_ORDER.get(_val(r.get("status")), 9)
        if rank == 9:  # another status (e.g. gesperrt, or unknown): not a usable value
            continue
        cand = (rank, r["beobachtung"].value, float(r["wert"].value), _val(r.get("datensatz")))
        if cell not in best or cand[:2] < best[cell][:2]:
            best[cell] = cand
    synthetic = {c for c, v in best.items() if v[0] == STATUS_ORDER[_STATUS + "synthetisch"]}
    return {c: v[2] for c, v in best.items()}, {c: v[3] for c, v in best.items() if v[3]}, synthetic



# -- burden ----------------------------------------------------------------------------------------------------
@dataclass
class BurdenRow:
    area: str
    area_number: str
    area_label: str
    borough_label: str
    year: int
    life_situation: str | None  # None: the overall index
    life_situation_label: str | None
    score: float
    rank: int
    status_class: str | None
    status_label: str | None
    dynamics_class: str | None = None
    dynamics_label: str | None = None
    change: float | None = None
    compared_with: int | None = None
    burdened_dimensions: int | None = None
    multiply_burdened: bool | None = None
    indicators: int = 0  # indicators that had a value for the area (overall: over all dimensions)


@dataclass
class BurdenResult:
    method: Method
    year: int | None  # the analysis year (gaps use it)
    years: list[int]  # every year with enough data, each with scores
    rows: list[BurdenRow]
    z: dict[tuple[str, str, int], float]  # (indicator, Stadtteil, year) -> z with burden sign
    datasets: set[str]
    example_data: bool = False  # some value used is synthetic (Beispieldaten)


def qualifying_years(values: dict[tuple[str, str, int], float], method: Method, n_quarters: int) -> list[int]:
    """Years in which the method's indicators have values for at least half of the (Stadtteil, indicator) pairs."""
    per_year: dict[int, int] = defaultdict(int)
    for (_, _, year) in values:
        per_year[year] += 1
    need = 0.5 * n_quarters * len(method.indicators)
    return sorted(y for y, n in per_year.items() if need > 0 and n >= need)


def compute_burden(store, method: Method, areas: dict[str, Quarter], year: int | None = None,
                   lang: str = "de", dimension_labels: dict[str, tuple[str, str]] | None = None) -> BurdenResult:
    values, datasets_of, synthetic = observations(store, [i.iri for i in method.indicators])
    years = qualifying_years({c: v for c, v in values.items() if c[1] in areas}, method, len(areas))
    if year is not None and year not in years:
        have = ", ".join(map(str, years)) or "keine / none"
        raise AnalysisError(
            f"Für {year} haben die Indikatoren der Methode nicht für mindestens die Hälfte der Stadtteile Werte. "
            f"Mögliche Jahre: {have}.",
            f"In {year} the method's indicators have values for less than half of the quarters. "
            f"Possible years: {have}.")
    analysis_year = year if year is not None else (years[-1] if years else None)
    by_dim: dict[str, list[IndicatorSpec]] = defaultdict(list)
    for spec in method.indicators:
        by_dim[spec.dimension].append(spec)
    z: dict[tuple[str, str, int], float] = {}
    overall: dict[int, dict[str, float]] = {}
    dim_scores: dict[int, dict[str, dict[str, float]]] = {}
    counts: dict[tuple[int, str | None, str], int] = defaultdict(int)
    used: set[str] = set()
    for y in years:
        for spec in method.indicators:
            cells = {q: v for (i, q, yy), v in values.items() if i == spec.iri and yy == y and q in areas}
            sign = -1.0 if spec.polarity == HIGHER_IS_LESS else 1.0
            for q, zq in zscores(cells).items():
                z[(spec.iri, q, y)] = sign * zq
                used.add(datasets_of.get((spec.iri, q, y), ""))
        dim_scores[y] = {}
        for dim, specs in by_dim.items():
            scores = {}
            for q in areas:
                pairs = [(z[(s.iri, q, y)], s.weight) for s in specs if (s.iri, q, y) in z]
                m = weighted_mean(pairs)
                if m is not None:
                    scores[q] = m
                    counts[(y, dim, q)] = len(pairs)
            dim_scores[y][dim] = scores
        overall[y] = {}
        for q in areas:
            pairs = [(dim_scores[y][d][q], method.dimension_weight(d)) for d in by_dim if q in dim_scores[y][d]]
            m = weighted_mean(pairs)
            if m is not None:
                overall[y][q] = m
                counts[(y, None, q)] = sum(counts[(y, d, q)] for d in by_dim if q in dim_scores[y][d])
    rows: list[BurdenRow] = []
    labels = dimension_labels or {}
    for y in years:
        comparison = next((c for c in years if y - COMPARISON_SPAN <= c < y), None)
        for dim in sorted(by_dim):
            scores = dim_scores[y][dim]
            r = ranks(scores)
            for q in sorted(scores):
                k = classify(method.status_classes, scores[q])
                de_en = labels.get(dim, (dim.rsplit("/", 1)[-1], dim.rsplit("/", 1)[-1]))
                rows.append(BurdenRow(q, areas[q].number, areas[q].label(lang), areas[q].borough_name, y, dim,
                                      de_en[1] if lang == "en" else de_en[0], scores[q], r[q], k and k.iri,
                                      k and k.label(lang), indicators=counts[(y, dim, q)]))
        r = ranks(overall[y])
        for q in sorted(overall[y]):
            score = overall[y][q]
            k = classify(method.status_classes, score)
            burdened = sum(1 for d in by_dim if dim_scores[y][d].get(q, -math.inf) >= method.threshold)
            row = BurdenRow(q, areas[q].number, areas[q].label(lang), areas[q].borough_name, y, None, None, score,
                            r[q], k and k.iri, k and k.label(lang), burdened_dimensions=burdened,
                            multiply_burdened=burdened >= method.min_dimensions, indicators=counts[(y, None, q)])
            if comparison is not None and q in overall[comparison]:
                row.change = score - overall[comparison][q]
                row.compared_with = comparison
                d = classify(method.dynamics_classes, row.change)
                row.dynamics_class, row.dynamics_label = (d.iri, d.label(lang)) if d else (None, None)
            rows.append(row)
    used.discard("")
    example = any(c[1] in areas and c[2] in years for c in synthetic)
    return BurdenResult(method, analysis_year, years, rows, z, used, example)


# -- coverage --------------------------------------------------------------------------------------------------
@dataclass
class CoverageRow:
    area: str
    area_number: str
    area_label: str
    borough_label: str
    target_group: str
    target_group_notation: str
    target_group_label: str
    offers_on_site: int
    offers_for_borough: int
    offers_city_wide: int
    population: float | None  # None: no population indicator or no value ("keine Bevölkerungszahl")
    population_year: int | None
    offers_per_thousand: float | None
    places_on_site: int | None  # sum of sg:capacity of the on-site offers that state one; None if none does
    places_per_thousand: float | None


@dataclass
class CoverageResult:
    rows: list[CoverageRow]
    datasets: set[str]
    example_data: bool = False  # demo offers (sg:exampleData true) were counted


def population(store, groups: dict[str, Group]) -> tuple[dict[tuple[str, str], tuple[float, int]], set[str]]:
    """{(group, Stadtteil): (value, year)}: the latest year with a value of the group's population indicator."""
    indicators = sorted({g.population_indicator for g in groups.values() if g.population_indicator})
    values, datasets_of, _ = observations(store, indicators)
    latest: dict[tuple[str, str], tuple[int, float]] = {}
    for (ind, q, y), v in values.items():
        if (ind, q) not in latest or y > latest[(ind, q)][0]:
            latest[(ind, q)] = (y, v)
    out, used = {}, set()
    for g in groups.values():
        for (ind, q), (y, v) in latest.items():
            if ind == g.population_indicator:
                out[(g.iri, q)] = (v, y)
                if (ind, q, y) in datasets_of:
                    used.add(datasets_of[(ind, q, y)])
    return out, used


def offer_counts(store) -> dict[tuple[str, str, str], tuple[int, int | None]]:
    """{(level, area, group): (offers, places or None)} from one aggregated query (queries/internal/
    analysis-offer-counts.rq); a group's count includes the offers for its narrower groups, each offer once."""
    out = {}
    for r in _select(store, "analysis-offer-counts"):
        places = int(float(r["plaetze"].value)) if "plaetze" in r and int(r["mitPlaetzen"].value) else None
        out[(r["ebene"].value, r["gebiet"].value, r["zielgruppe"].value)] = (int(r["angebote"].value), places)
    return out


def per_thousand(count: float | None, people: float | None) -> float | None:
    return None if count is None or not people or people <= 0 else count / people * 1000


def compute_coverage(store, areas: dict[str, Quarter], groups: dict[str, Group], lang: str = "de",
                     only: str | None = None) -> CoverageResult:
    """Coverage rows for every target group (or ``only`` that one), by group IRI, then Stadtteil."""
    counts = offer_counts(store)
    chosen = {only: groups[only]} if only else groups
    people, used = population(store, chosen)
    rows = []
    for g in sorted(chosen.values(), key=lambda g: g.iri):
        city = counts.get(("gesamtstadt", CITY, g.iri), (0, None))[0]
        for q in sorted(areas):
            a = areas[q]
            on_site, places = counts.get(("stadtteil", q, g.iri), (0, None))
            borough = counts.get(("stadtbezirk", a.borough, g.iri), (0, None))[0] if a.borough else 0
            pop, pop_year = people.get((g.iri, q), (None, None))
            rows.append(CoverageRow(q, a.number, a.label(lang), a.borough_name, g.iri, g.notation, g.label(lang),
                                    on_site, borough, city, pop, pop_year, per_thousand(on_site, pop), places,
                                    per_thousand(places, pop)))
    example = bool(store.ask(load_query("analysis-example-offers", internal=True).text, public_only=True))
    return CoverageResult(rows, used, example)


# -- gaps ------------------------------------------------------------------------------------------------------
@dataclass
class GapRow:
    area: str
    area_number: str
    area_label: str
    borough_label: str
    target_group: str | None  # None: the overall ranking
    target_group_label: str | None
    score: float
    rank: int
    year: int
    burden_score: float
    status_class: str | None
    status_label: str | None
    z_burden: float | None = None  # z of the overall burden score over the Stadtteile compared (group rows)
    z_coverage: float | None = None  # z of the offers on site per 1,000 over the same Stadtteile
    offers_on_site: int | None = None
    population: float | None = None
    offers_per_thousand: float | None = None
    groups: int | None = None  # overall rows: the number of group gaps averaged


def compute_gaps(burden_res: BurdenResult, coverage_res: CoverageResult, areas: dict[str, Quarter],
                 groups: dict[str, Group]) -> list[GapRow]:
    y = burden_res.year
    if y is None:
        return []
    overall = {r.area: r for r in burden_res.rows if r.year == y and r.life_situation is None}
    by_group: dict[str, dict[str, CoverageRow]] = defaultdict(dict)
    for c in coverage_res.rows:
        if c.offers_per_thousand is not None and c.area in overall:
            by_group[c.target_group][c.area] = c
    rows: list[GapRow] = []
    per_area: dict[str, list[float]] = defaultdict(list)
    for g in sorted(by_group):
        cov = by_group[g]
        if not groups[g].population_indicator:
            continue
        zb = zscores({q: overall[q].score for q in cov})
        zc = zscores({q: cov[q].offers_per_thousand for q in cov})
        scores = {q: zb[q] - zc[q] for q in cov}
        r = ranks(scores)
        for q in sorted(scores):
            b, c = overall[q], cov[q]
            rows.append(GapRow(q, b.area_number, b.area_label, b.borough_label, g, c.target_group_label, scores[q],
                               r[q], y, b.score, b.status_class, b.status_label, zb[q], zc[q], c.offers_on_site,
                               c.population, c.offers_per_thousand))
            per_area[q].append(scores[q])
    means = {q: sum(v) / len(v) for q, v in per_area.items()}
    r = ranks(means)
    for q in sorted(means):
        b = overall[q]
        rows.append(GapRow(q, b.area_number, b.area_label, b.borough_label, None, None, means[q], r[q], y, b.score,
                           b.status_class, b.status_label, groups=len(per_area[q])))
    return rows


# -- entry points ----------------------------------------------------------------------------------------------
def _dimension_labels(store, method: Method) -> dict[str, tuple[str, str]]:
    out = {}
    for r in _select(store, "labels-of", x=method.dimensions()) if method.dimensions() else []:
        lit = r["label"]
        de, en = out.get(r["x"].value, ("", ""))
        if lit.language == "de" and not de:
            de = lit.value
        elif lit.language == "en" and not en:
            en = lit.value
        out[r["x"].value] = (de, en)
    return {k: (de or en or k, en or de or k) for k, (de, en) in out.items()}


def burden(ctx, year: int | None = None, lang: str = "de", method: str | None = None) -> list[BurdenRow]:
    """Burden scores (overall and per dimension) for the analysis year (default: the latest with enough data);
    the overall rows first, by rank."""
    store = ctx.store
    m = load_method(store, method)
    res = compute_burden(store, m, quarters(store), year, lang, _dimension_labels(store, m))
    rows = [r for r in res.rows if r.year == res.year]
    return sorted(rows, key=lambda r: (r.life_situation is not None, r.life_situation or "", r.rank))


def _group_filter(groups: dict[str, Group], zielgruppe: str | None) -> str | None:
    if zielgruppe is None:
        return None
    if zielgruppe not in groups:
        raise AnalysisError(f"'{zielgruppe}' ist keine Zielgruppe des Schemas.",
                            f"'{zielgruppe}' is not a target group of the scheme.")
    return zielgruppe


def coverage(ctx, zielgruppe: str | None = None, lang: str = "de") -> list[CoverageRow]:
    """Coverage per Stadtteil and target group (``zielgruppe``: a target group IRI), by group, then Stadtteil."""
    store = ctx.store
    groups = target_groups(store)
    only = _group_filter(groups, zielgruppe)
    return compute_coverage(store, quarters(store), groups, lang, only).rows


def gaps(ctx, zielgruppe: str | None = None, lang: str = "de", year: int | None = None,
         method: str | None = None) -> list[GapRow]:
    """Gap ranking for one target group (IRI), or the overall ranking when ``zielgruppe`` is None; by rank."""
    store = ctx.store
    groups = target_groups(store)
    only = _group_filter(groups, zielgruppe)
    areas = quarters(store)
    m = load_method(store, method)
    b = compute_burden(store, m, areas, year, lang)
    c = compute_coverage(store, areas, groups, lang, only)
    rows = [r for r in compute_gaps(b, c, areas, groups) if r.target_group == only]
    return sorted(rows, key=lambda r: r.rank)


# -- the result graph ------------------------------------------------------------------------------------------
def _decimal(x: float) -> ox.Literal:
    text = f"{x:.6f}".rstrip("0")
    text = text + "0" if text.endswith(".") else text
    return ox.Literal("0.0" if text in ("-0.0", "0.0") else text, datatype=ox.NamedNode(XSD + "decimal"))


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def _year_lit(y: int) -> ox.Literal:
    return ox.Literal(f"{y:04d}", datatype=ox.NamedNode(XSD + "gYear"))


class _Graph:
    def __init__(self):
        self.triples: list[ox.Triple] = []

    def add(self, s: str, p: str, o) -> None:
        if o is None:
            return
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        self.triples.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), obj))

    def label(self, s: str, de: str, en: str) -> None:
        self.add(s, RDFS_LABEL, ox.Literal(de, language="de"))
        self.add(s, RDFS_LABEL, ox.Literal(en, language="en"))


def burden_iri(row: BurdenRow) -> str:
    tail = f"/{row.life_situation.rsplit('/', 1)[-1]}" if row.life_situation else ""
    return f"{RESULT}belastung/{row.year}/stadtteil-{row.area_number}{tail}"


def coverage_iri(area_number: str, group: str) -> str:
    return f"{RESULT}versorgung/stadtteil-{area_number}/{group.rsplit('/', 1)[-1]}"


def gap_iri(row: GapRow) -> str:
    tail = f"/{row.target_group.rsplit('/', 1)[-1]}" if row.target_group else ""
    return f"{RESULT}luecke/stadtteil-{row.area_number}{tail}"


def result_triples(method: Method, b: BurdenResult, c: CoverageResult, gap_rows: list[GapRow],
                   now: dt.datetime) -> list[ox.Triple]:
    g = _Graph()
    datasets = sorted(b.datasets | c.datasets)
    g.add(RUN_IRI, RDF_TYPE, SG + "AnalysisRun")
    g.add(RUN_IRI, RDF_TYPE, PROV + "Activity")
    g.label(RUN_IRI, f"Analyselauf (Methode {method.version})", f"Analysis run (method {method.version})")
    g.add(RUN_IRI, PROV + "used", method.iri)
    for d in datasets:
        g.add(RUN_IRI, PROV + "used", d)
    g.add(RUN_IRI, PROV + "endedAtTime", ox.Literal(now.isoformat(timespec="seconds"),
                                                    datatype=ox.NamedNode(XSD + "dateTime")))
    g.add(method.iri, SG + "methodVersion", ox.Literal(method.version))  # the version this run used
    gen = PROV + "wasGeneratedBy"
    example = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")) if b.example_data or c.example_data else None
    g.add(RUN_IRI, SG + "exampleData", example)  # results computed from Beispieldaten are Beispieldaten
    for r in b.rows:
        s = burden_iri(r)
        g.add(s, RDF_TYPE, SG + "BurdenScore")
        what_de = f"Belastung {r.life_situation_label}" if r.life_situation else "Belastungsindex"
        g.label(s, f"{what_de} {r.area_label} {r.year}", f"{'Burden' if r.life_situation else 'Burden index'} "
                f"{r.area_label} {r.year}" + (f" ({r.life_situation.rsplit('/', 1)[-1]})" if r.life_situation else ""))
        g.add(s, SG + "area", r.area)
        g.add(s, SG + "refPeriod", _year_lit(r.year))
        g.add(s, SG + "lifeSituation", r.life_situation)
        g.add(s, SG + "score", _decimal(r.score))
        g.add(s, SG + "analysisRank", _integer(r.rank))
        g.add(s, SG + "statusClass", r.status_class)
        g.add(s, SG + "dynamicsClass", r.dynamics_class)
        if r.change is not None:
            g.add(s, SG + "change", _decimal(r.change))
            g.add(s, SG + "comparedWith", _year_lit(r.compared_with))
        if r.burdened_dimensions is not None:
            g.add(s, SG + "burdenedDimensions", _integer(r.burdened_dimensions))
            g.add(s, SG + "multiplyBurdened", ox.Literal("true" if r.multiply_burdened else "false",
                                                         datatype=ox.NamedNode(XSD + "boolean")))
        g.add(s, gen, RUN_IRI)
        g.add(s, SG + "exampleData", example)
    for r in c.rows:
        s = coverage_iri(r.area_number, r.target_group)
        g.add(s, RDF_TYPE, SG + "Coverage")
        g.label(s, f"Versorgung {r.target_group_label} {r.area_label}", f"Coverage {r.target_group_label} "
                f"{r.area_label}")
        g.add(s, SG + "area", r.area)
        g.add(s, SG + "targetGroup", r.target_group)
        g.add(s, SG + "offersOnSite", _integer(r.offers_on_site))
        g.add(s, SG + "offersForBorough", _integer(r.offers_for_borough))
        g.add(s, SG + "offersCityWide", _integer(r.offers_city_wide))
        if r.population is not None:
            g.add(s, SG + "population", _decimal(r.population))
        if r.offers_per_thousand is not None:
            g.add(s, SG + "offersPerThousand", _decimal(r.offers_per_thousand))
        if r.places_per_thousand is not None:
            g.add(s, SG + "placesPerThousand", _decimal(r.places_per_thousand))
        g.add(s, gen, RUN_IRI)
        g.add(s, SG + "exampleData", example)
    for r in gap_rows:
        s = gap_iri(r)
        g.add(s, RDF_TYPE, SG + "Gap")
        g.label(s, f"Versorgungslücke {r.target_group_label or 'insgesamt'} {r.area_label}",
                f"Gap {r.target_group_label or 'overall'} {r.area_label}")
        g.add(s, SG + "area", r.area)
        g.add(s, SG + "targetGroup", r.target_group)
        g.add(s, SG + "score", _decimal(r.score))
        g.add(s, SG + "analysisRank", _integer(r.rank))
        g.add(s, SG + "basedOn", f"{RESULT}belastung/{r.year}/stadtteil-{r.area_number}")
        if r.target_group:
            g.add(s, SG + "basedOn", coverage_iri(r.area_number, r.target_group))
        g.add(s, gen, RUN_IRI)
        g.add(s, SG + "exampleData", example)
    return g.triples


def run(ctx, now: dt.datetime | None = None, year: int | None = None, method: str | None = None) -> dict:
    """Compute burden, coverage and gaps from the store and replace ns.G_ANALYSIS in one atomic step.

    The same inputs give the same graph; only the run's prov:endedAtTime changes (``now``, default: the current
    time in UTC). Returns a summary: analysis year, years scored, method and version, counts, seconds."""
    t0 = time.perf_counter()
    store = ctx.store
    m = load_method(store, method)
    areas = quarters(store)
    groups = target_groups(store)
    b = compute_burden(store, m, areas, year, "de", _dimension_labels(store, m))
    c = compute_coverage(store, areas, groups, "de")
    gap_rows = compute_gaps(b, c, areas, groups)
    now = now or dt.datetime.now(dt.timezone.utc)
    triples = result_triples(m, b, c, gap_rows, now)
    store.replace_graph(ns.G_ANALYSIS, triples)
    return {
        "year": b.year, "years": b.years, "method": m.iri, "version": m.version,
        "indicators": [i.iri for i in m.indicators], "left_out": m.left_out,
        "burden_scores": len(b.rows), "coverage": len(c.rows), "gaps": len(gap_rows),
        "multiply_burdened": sum(1 for r in b.rows if r.year == b.year and r.multiply_burdened),
        "example_data": b.example_data or c.example_data,
        "datasets": sorted(b.datasets | c.datasets), "triples": len(triples),
        "seconds": round(time.perf_counter() - t0, 3),
    }


log = logging.getLogger(__name__)


def refresh(ctx, reason: str = "") -> dict | None:
    """Recompute the analysis after a write that changes its inputs (offers, indicators, reference data).

    Called by the commands and routes that write (init, first serve, demo, submissions, rollbacks, indicator
    imports) after their own atomic step: the analysis graph is derived, so a failure here never undoes or fails
    the write. It is logged and the previous results stay until the next run (`sozialgraph analyse run`).
    Setting `analysis_after_write` false leaves it to that command (the test suite does, for speed)."""
    if not ctx.settings.get("analysis_after_write", True):
        return None
    try:
        summary = run(ctx)
    except SozialgraphError as exc:
        log.warning("analysis not refreshed after %s: %s", reason or "a write", exc.message("en"))
        return None
    log.info("analysis refreshed after %s in %.1f s", reason or "a write", summary["seconds"])
    return summary
