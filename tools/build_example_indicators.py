#!/usr/bin/env python3
"""Build the synthetic indicator series 2020-2025 (Beispieldaten) as data/beispiel/indikatoren-beispiel.ttl.

sozialgraph's burden index, coverage and gap ranking need the indicators of Cologne's "Index Soziale Lage" per
Stadtteil and year; the city's own per-Stadtteil series (SGB II, Grundsicherung, Arbeitslose, Alleinerziehende)
were not available to this repository. This script invents a plausible, deterministic series for all 86
Stadtteile, the 9 Stadtbezirke and the city, tied to the real figures where there are any, so that the analysis
pages have something true-to-life to show. Every value is labelled Beispieldaten: status …/synthetisch (or
…/geschaetzt for the age-group estimates), sg:exampleData true, dataset …/id/datensatz/indikatoren-beispiel,
its own graph (…/graph/indicators/beispiel). None of them is a statement about Cologne.

Model (all parameters below are this script's own choices, not figures of the City of Cologne):

1. Population per Stadtteil q and year t: E_q(t) = E_q(2012) · (E_q(2025)/E_q(2012))^((t−2012)/13) from the real
   2012 and 2025 inhabitants; the 2012 age structure (Datensatz "Altersgruppen") is held constant, giving the
   reference populations under 15, 15–64 (E − under 15 − 65+) and 65+. Households with children:
   the 2025 households × share with children, scaled with E_q(t)/E_q(2025).
2. One latent deprivation score d_q per Stadtteil (mean 0, sd 1 over the 86), from a proxy: z(share with a
   migration background 2012) + z(share of subsidised dwellings 2025) − z(living space per inhabitant 2025),
   +1 if the press names the Stadtteil among those with the highest child poverty 2022, +1 if more than half of
   its households are at risk of poverty 2023, −1.5 if its mean household income 2023 is above 4,500 €
   (kennzahlen_presse_und_webseiten.csv).
3. Unemployment rate 2020: the 12 published values (31.12.2020) are taken as they are; the other 74 Stadtteile get
   a · exp(0.45 · d_q), capped at 14.9 (below the 12th-highest published value, 15.1) and floored at 1.5, with a
   chosen so that the mean weighted by the 15–64 population is the published city rate 9.4. The latent score is
   then re-read from these rates (d_q = ln(rate/a)/0.45), so every indicator follows the same ranking.
4. Change over time: d_q(t) = d_q + τ_q · (t − 2020) + ε_q,t with a trend τ_q ~ N(0, 0.07) per Stadtteil,
   clamped to ±0.15 (some improve, some worsen) and noise ε ~ N(0, 0.03) (none in 2020), plus a city-wide factor per year and indicator.
5. Rates (1 decimal): unemployment a · exp(0.45 d) · f(t); under 25: 0.6 × that × small noise; SGB II rate
   (per 100 aged 15–64, city 13 in 2020) exp(0.55 d); children under 15 in SGB II households exp(0.6 d), scaled
   per Stadtbezirk so that the 2022 Bezirk values equal the published child-poverty rates of Kalk, Mülheim, Porz,
   Chorweiler and Lindenthal and the city value is about the published 22 % (the published rate counts under-18s
   with any standard benefit, this indicator under-15s in SGB II: only level and order are borrowed), the other
   Bezirke strictly between Lindenthal and Chorweiler; basic income support in old age
   (per 100 aged 65+, city 7.5 in 2020) exp(0.5 d); mean household net income (whole euros) exp(−0.22 d), 2023
   city value 3,208 €, Finkenberg and Chorweiler at their published 1,722 € and 1,842 €, the Stadtteile the press
   names above 4,500 € at least 4,600 €; living space per inhabitant 2020–2024 backwards from the real 2025 value
   (−0.4 % a year, small noise; 2025 itself is official). Caps: unemployment 35, SGB II rate 45, children in
   SGB II households 75, basic income support 40.
6. Counts (whole numbers): unemployed = rate × 0.8 × population 15–64 with the factor set so that the city sum
   2020 is the published 57,051; long-term unemployed = unemployed × (0.33 + 0.04 d), clamped to 0.2–0.5; people
   entitled to SGB II = SGB II rate × population 15–64 / 100; single-parent households = households with children
   × 0.22 · exp(0.15 d), clamped to 0.1–0.4. Counts of the Federal Employment Agency (unemployed, long-term
   unemployed, SGB II) from 1 to 9 are suppressed (status gesperrt, no sg:value, sg:suppressedBelow 10); single-
   parent households from 1 to 4 likewise with sg:suppressedBelow 5 (Kölner Statistik).
7. Stadtbezirke and the city: rates are the means of their Stadtteile weighted by the rate's reference population
   (15–64, under 15, 65+, households, inhabitants), counts the sums of the Stadtteil counts (suppressed ones
   included with their hidden value, as a statistics office does).
8. Estimates 2025 (status geschaetzt): inhabitants under 15, 15–17, under 18, 65+ and 75+ = 2012 share × 2025
   inhabitants.

Deterministic: a fixed seed; running the script twice gives the same bytes. Reads ../shared/ref/koeln (see
SOURCES.md there) like tools/build_reference_data.py.

Usage::

    .venv/bin/python tools/build_example_indicators.py [--shared ../shared] [--out data/beispiel]
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
SEED = 20201231
YEARS = list(range(2020, 2026))

BASE = "https://w3id.org/sozialgraph/"
ID = BASE + "id/"
SG = BASE + "ontology#"
QB = "http://purl.org/linked-data/cube#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
DATASET = ID + "datensatz/indikatoren-beispiel"
LICENCE = "http://dcat-ap.de/def/licenses/cc-by/4.0"
SOURCE = "Beispieldaten (synthetisch), erzeugt von tools/build_example_indicators.py"
TOTAL = ID + "aufschluesselung/insgesamt"
STATUS = {s: ID + "beobachtungsstatus/" + s for s in ("synthetisch", "geschaetzt", "gesperrt")}

UNITS = {
    "arbeitslosenquote": "Prozent", "arbeitslosenquote_unter25": "Prozent", "sgb2_quote": "Prozent",
    "anteil_unter15_sgb2": "Prozent", "grundsicherung_alter_quote": "Prozent",
    "haushaltsnettoeinkommen_mittel": "Euro je Monat", "wohnflaeche_je_einwohner": "m²",
    "arbeitslose": "Personen", "langzeitarbeitslose": "Personen", "sgb2_leistungsberechtigte": "Personen",
    "alleinerziehende_haushalte": "Haushalte", "unter15": "Personen", "einwohner_15_17": "Personen",
    "unter18": "Personen", "ab65": "Personen", "ab75": "Personen",
}
# city-wide factor per year (synthetic pattern: the 2020 level, a dip to 2022, then up again)
F_UNEMPLOYMENT = dict(zip(YEARS, (1.00, 0.97, 0.90, 0.93, 0.97, 1.00)))
F_SGB2 = dict(zip(YEARS, (1.00, 0.99, 1.01, 1.03, 1.02, 1.02)))
F_CHILDREN = dict(zip(YEARS, (1.00, 0.99, 1.00, 1.02, 1.01, 1.01)))
F_OLD_AGE = dict(zip(YEARS, (1.00, 1.03, 1.06, 1.09, 1.12, 1.15)))
F_INCOME = dict(zip(YEARS, (0.92, 0.94, 0.97, 1.00, 1.03, 1.05)))
# Federal Employment Agency counts are suppressed below 10, Kölner Statistik counts below 5
SUPPRESSED_BELOW = {"arbeitslose": 10, "langzeitarbeitslose": 10, "sgb2_leistungsberechtigte": 10,
                    "alleinerziehende_haushalte": 5}
CHILD_POVERTY_YEAR = 2022
INCOME_YEAR = 2023
INCOME_HIGH = 4600.0  # "über 4.500 €" in the press: at least this in the income year
TREND_SD = 0.07  # sd of the yearly trend of the latent score per Stadtteil (clamped to ±0.15)
CHILD_CAP = 75.0  # highest share of children under 15 in SGB II households

HEADER = """\
# Beispieldaten: synthetische Indikatorreihen 2020-2025 je Stadtteil, Stadtbezirk und Gesamtstadt
# Example data: synthetic indicator series 2020-2025 per quarter, borough and city
#
# GENERATED by tools/build_example_indicators.py - do not edit by hand; re-run the script instead.
# SYNTHETIC: every value is invented (sg:exampleData true, status …/beobachtungsstatus/synthetisch, or geschaetzt
# for the 2025 age-group estimates = 2012 share × 2025 inhabitants); none is a statement about Cologne. Loaded
# into …/graph/indicators/beispiel unless the setting example_indicators is false.
# The series are tied to the real figures where there are any: the 12 published unemployment rates of 31.12.2020
# and the city rate 9.4 %, the city's 57,051 unemployed (2020), the order and values of the published child-
# poverty rates per Stadtbezirk 2022, the income 2023 of the city, Finkenberg and Chorweiler and the Stadtteile
# named with more than 4,500 €, the Stadtteile named with the highest child poverty, and the real population and
# living space (data/koeln/indikatoren.ttl). The generating model (latent deprivation score per Stadtteil, trend
# and noise per year, city-wide year factors, weighted means for Stadtbezirke and city, sums for counts,
# suppression of small counts) is described in the docstring of tools/build_example_indicators.py.
# Licence: CC BY 4.0 (http://dcat-ap.de/def/licenses/cc-by/4.0).
"""


# --------------------------------------------------------------------------------------------------- inputs

def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k.strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


@dataclass
class Quarter:
    nr: str
    bezirk: str
    e2012: float
    e2025: float
    share_u15: float
    share_1517: float
    share_u18: float
    share_65: float
    share_75: float
    households_children_2025: float
    households_2025: float
    living_space_2025: float
    migration_share_2012: float
    subsidised_share_2025: float
    d: float = 0.0
    trend: float = 0.0
    noise: dict[int, float] = field(default_factory=dict)

    def inhabitants(self, t: int) -> float:
        return self.e2012 * (self.e2025 / self.e2012) ** ((t - 2012) / 13)

    def pop_1564(self, t: int) -> float:
        return self.inhabitants(t) * (1 - self.share_u15 - self.share_65)

    def pop_u15(self, t: int) -> float:
        return self.inhabitants(t) * self.share_u15

    def pop_65(self, t: int) -> float:
        return self.inhabitants(t) * self.share_65

    def households(self, t: int) -> float:
        return self.households_2025 * self.inhabitants(t) / self.e2025

    def households_children(self, t: int) -> float:
        return self.households_children_2025 * self.inhabitants(t) / self.e2025

    def latent(self, t: int) -> float:
        return self.d + self.trend * (t - 2020) + self.noise.get(t, 0.0)


def zscores(values: list[float]) -> list[float]:
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
    return [(v - mean) / sd for v in values]


def load(ref: Path) -> tuple[list[Quarter], list[dict[str, str]]]:
    pop2012 = {r["raum_id"]: r for r in read_csv(ref / "derived" / "stadtteile_bevoelkerung_2012.csv")}
    ages = {r["Nr."]: r for r in read_csv(ref / "source" / "weberius_2012_Altersgruppen_Stadtteil.csv")}
    quarters = []
    for r in read_csv(ref / "derived" / "stadtteile_kennzahlen_2025.csv"):
        nr, p, a = r["stadtteil_nr"], pop2012[r["stadtteil_nr"]], ages[r["stadtteil_nr"]]
        e12 = float(p["einwohner"])
        u15 = sum(float(a[k]) for k in ("0 - 2", "3 - 5", "6 - 14"))
        households = float(r["haushalte"])
        quarters.append(Quarter(
            nr=nr, bezirk=r["stadtbezirk_nr"], e2012=e12, e2025=float(r["einwohner"]),
            share_u15=u15 / e12, share_1517=float(a["15 - 17"]) / e12, share_u18=float(p["unter18"]) / e12,
            share_65=float(p["ab65"]) / e12, share_75=float(p["ab75"]) / e12,
            households_children_2025=households * float(r["anteilMitKindern"]) / 100, households_2025=households,
            living_space_2025=float(r["wohnflaecheJeEinwohner"]),
            migration_share_2012=float(p["anteil_migrationshintergrund_pct"]),
            subsidised_share_2025=float(r["anteilGefoerdert"])))
    if len(quarters) != 86:
        raise SystemExit(f"expected 86 Stadtteile, got {len(quarters)}")
    press = read_csv(ref / "kennzahlen_presse_und_webseiten.csv")
    return sorted(quarters, key=lambda q: q.nr), press


# ---------------------------------------------------------------------------------------------------- model

def weighted_mean(pairs: list[tuple[float, float]]) -> float:
    return sum(v * w for v, w in pairs) / sum(w for _, w in pairs)


def solve(f, target: float, lo: float, hi: float) -> float:
    """x in [lo, hi] with f(x) = target for an increasing f (bisection)."""
    for _ in range(200):
        mid = (lo + hi) / 2
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


class Model:
    def __init__(self, quarters: list[Quarter], press: list[dict[str, str]]):
        self.q = quarters
        self.rng = random.Random(SEED)
        self.press = press
        self.named = {key: {r["raum_nr"] for r in press if r["indikator"] == key and r["wert"] == "ja"}
                      for key in ("kinderarmut_hoechste_quoten_genannt", "ueber_haelfte_haushalte_armutsgefaehrdet",
                                  "haushaltsnettoeinkommen_ueber_4500")}
        self.real = {}  # (indicator, level, nr, year) -> value, from the press figures with a definite year
        for r in press:
            try:
                value = float(r["wert"])
            except ValueError:
                continue
            if r["zeitpunkt"][:4].isdigit() and (len(r["zeitpunkt"]) in (4, 10)):
                self.real[(r["indikator"], r["raumebene"], r["raum_nr"], int(r["zeitpunkt"][:4]))] = value
        self.latent_scores()
        self.unemployment_base()
        for q in self.q:  # trends and noise, drawn in a fixed order
            q.trend = min(0.15, max(-0.15, self.rng.gauss(0, TREND_SD)))
            q.noise = {t: self.rng.gauss(0, 0.03) for t in YEARS if t != 2020}

    def latent_scores(self) -> None:
        mig = zscores([q.migration_share_2012 for q in self.q])
        sub = zscores([q.subsidised_share_2025 for q in self.q])
        space = zscores([q.living_space_2025 for q in self.q])
        proxy = []
        for q, m, s, w in zip(self.q, mig, sub, space):
            p = m + s - w
            p += 1.0 if q.nr in self.named["kinderarmut_hoechste_quoten_genannt"] else 0.0
            p += 1.0 if q.nr in self.named["ueber_haelfte_haushalte_armutsgefaehrdet"] else 0.0
            p -= 1.5 if q.nr in self.named["haushaltsnettoeinkommen_ueber_4500"] else 0.0
            proxy.append(p)
        for q, d in zip(self.q, zscores(proxy)):
            q.d = d

    def unemployment_base(self) -> None:
        """2020 rates: the published ones, the others a·exp(0.45 d) capped and calibrated to the city rate."""
        published = {nr: v for (ind, level, nr, year), v in self.real.items()
                     if ind == "arbeitslosenquote" and level == "Stadtteil" and year == 2020}
        city = self.real[("arbeitslosenquote", "Gesamtstadt", "0", 2020)]
        cap = min(published.values()) - 0.2

        def rates(a: float) -> dict[str, float]:
            return {q.nr: published.get(q.nr, min(cap, max(1.5, a * math.exp(0.45 * q.d)))) for q in self.q}

        self.a = solve(lambda a: weighted_mean([(rates(a)[q.nr], q.pop_1564(2020)) for q in self.q]), city, 0.1, 50)
        self.rate_2020 = rates(self.a)
        for q in self.q:  # one ranking for every indicator: re-read the latent score from the rate
            q.d = math.log(self.rate_2020[q.nr] / self.a) / 0.45
        self.unemployed_factor = self.real[("arbeitslose", "Gesamtstadt", "0", 2020)] / sum(
            self.rate_2020[q.nr] / 100 * q.pop_1564(2020) for q in self.q)

    def values(self) -> dict[str, dict[int, dict[str, float]]]:
        """indicator -> year -> Stadtteil nr -> unrounded value."""
        out: dict[str, dict[int, dict[str, float]]] = {k: {t: {} for t in YEARS} for k in UNITS}
        rng = self.rng
        sgb2_a = self.calibrate(lambda q, a: a * math.exp(0.55 * q.d), 13.0, lambda q: q.pop_1564(2020))
        old_a = self.calibrate(lambda q, a: a * math.exp(0.5 * q.d), 7.5, lambda q: q.pop_65(2020))
        child_scale = self.child_poverty_scale()
        income = self.income_factors()
        for t in YEARS:
            for q in self.q:
                d = q.latent(t)
                alq = self.rate_2020[q.nr] if t == 2020 else self.a * math.exp(0.45 * d) * F_UNEMPLOYMENT[t]
                alq = min(35.0, max(1.0, alq))
                v = out
                v["arbeitslosenquote"][t][q.nr] = alq
                v["arbeitslosenquote_unter25"][t][q.nr] = 0.6 * alq * math.exp(rng.gauss(0, 0.05))
                v["sgb2_quote"][t][q.nr] = min(45.0, sgb2_a * math.exp(0.55 * d) * F_SGB2[t])
                v["anteil_unter15_sgb2"][t][q.nr] = min(CHILD_CAP, child_scale[q.bezirk] * math.exp(0.6 * d)
                                                        * F_CHILDREN[t])
                v["grundsicherung_alter_quote"][t][q.nr] = min(40.0, old_a * math.exp(0.5 * d) * F_OLD_AGE[t])
                v["haushaltsnettoeinkommen_mittel"][t][q.nr] = (income[q.nr] * math.exp(-0.22 * (d - q.d))
                                                                * F_INCOME[t] / F_INCOME[INCOME_YEAR])
                if t < 2025:  # 2025 is official (data/koeln/indikatoren.ttl)
                    v["wohnflaeche_je_einwohner"][t][q.nr] = (q.living_space_2025 * (1 - 0.004 * (2025 - t))
                                                              * math.exp(rng.gauss(0, 0.003)))
                unemployed = alq / 100 * self.unemployed_factor * q.pop_1564(t)
                v["arbeitslose"][t][q.nr] = unemployed
                v["langzeitarbeitslose"][t][q.nr] = unemployed * min(0.5, max(0.2, 0.33 + 0.04 * d))
                v["sgb2_leistungsberechtigte"][t][q.nr] = v["sgb2_quote"][t][q.nr] / 100 * q.pop_1564(t)
                v["alleinerziehende_haushalte"][t][q.nr] = q.households_children(t) * min(
                    0.4, max(0.1, 0.22 * math.exp(0.15 * d)))
        for q in self.q:  # estimates 2025 (status geschaetzt)
            e = q.e2025
            for code, share in (("unter15", q.share_u15), ("einwohner_15_17", q.share_1517),
                                ("unter18", q.share_u18), ("ab65", q.share_65), ("ab75", q.share_75)):
                out[code][2025][q.nr] = share * e
        return out

    def calibrate(self, f, target: float, weight) -> float:
        return solve(lambda a: weighted_mean([(f(q, a), weight(q)) for q in self.q]), target, 0.01, 100)

    def child_poverty_scale(self) -> dict[str, float]:
        """Scale per Stadtbezirk: the published 2022 Bezirk rates where there are any; the others share one scale
        chosen so that the city value is the published one."""
        t = CHILD_POVERTY_YEAR
        base = {q.nr: math.exp(0.6 * q.latent(t)) * F_CHILDREN[t] for q in self.q}
        by_bezirk: dict[str, list[Quarter]] = {}
        for q in self.q:
            by_bezirk.setdefault(q.bezirk, []).append(q)

        def mean(qs: list[Quarter], scale: dict[str, float]) -> float:
            return weighted_mean([(min(CHILD_CAP, scale[q.bezirk] * base[q.nr]), q.pop_u15(t)) for q in qs])

        def fit(qs: list[Quarter], target: float) -> float:
            return solve(lambda s: mean(qs, {q.bezirk: s for q in qs}), target, 0.01, 200)

        published = {b: self.real.get(("kinderarmut_unter18_regelleistungen", "Stadtbezirk", b, t))
                     for b in by_bezirk}
        scale = {b: fit(qs, published[b]) for b, qs in by_bezirk.items() if published[b] is not None}
        others = sorted(b for b in by_bezirk if published[b] is None)
        city = self.real[("kinderarmut_unter18_regelleistungen", "Gesamtstadt", "0", t)]
        common = solve(lambda s: mean(self.q, scale | {b: s for b in others}), city, 0.01, 200)
        # the source names the four highest Bezirke and the lowest: the others lie strictly between them
        known = sorted(published[b] for b in scale)
        lo, hi = known[0], known[1]
        for b in others:
            m = mean(by_bezirk[b], {b: common})
            scale[b] = common if lo + 0.5 <= m <= hi - 0.5 else fit(by_bezirk[b], min(hi - 0.5, max(lo + 0.5, m)))
        return scale

    def income_factors(self) -> dict[str, float]:
        """Income of each Stadtteil in the income year; published values kept, the rest calibrated to the city."""
        t = INCOME_YEAR
        fixed = {nr: v for (ind, level, nr, year), v in self.real.items()
                 if ind == "haushaltsnettoeinkommen_mittel" and level == "Stadtteil" and year == t}
        high = self.named["haushaltsnettoeinkommen_ueber_4500"]
        city = self.real[("haushaltsnettoeinkommen_mittel", "Gesamtstadt", "0", t)]

        def incomes(a: float) -> dict[str, float]:
            out = {}
            for q in self.q:
                v = a * math.exp(-0.22 * q.latent(t))
                out[q.nr] = fixed.get(q.nr, max(INCOME_HIGH, v) if q.nr in high else v)
            return out

        a = solve(lambda a: weighted_mean([(incomes(a)[q.nr], q.households(t)) for q in self.q]), city, 100, 20000)
        found = incomes(a)
        # the series of a Stadtteil is its income-year value moved by its latent change and the year factor
        return {q.nr: found[q.nr] * math.exp(-0.22 * (q.d - q.latent(t))) for q in self.q}


# --------------------------------------------------------------------------------------------------- output

RATE_WEIGHT = {
    "arbeitslosenquote": Quarter.pop_1564, "arbeitslosenquote_unter25": Quarter.pop_1564,
    "sgb2_quote": Quarter.pop_1564, "anteil_unter15_sgb2": Quarter.pop_u15,
    "grundsicherung_alter_quote": Quarter.pop_65, "haushaltsnettoeinkommen_mittel": Quarter.households,
    "wohnflaeche_je_einwohner": Quarter.inhabitants,
}
ESTIMATES = ("unter15", "einwohner_15_17", "unter18", "ab65", "ab75")


def fmt(code: str, value: float) -> str:
    if code == "haushaltsnettoeinkommen_mittel" or code not in RATE_WEIGHT:
        return f"{round(value)}.0"
    return f"{value:.1f}"


def nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def lit(text: str, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(text, language=lang)
    return ox.Literal(text, datatype=nn(datatype)) if datatype else ox.Literal(text)


def observation(triples: list, code: str, area: str, key: str, year: int, value: str | None, status: str,
                below: int | None = None, comment: tuple[str, str] | None = None) -> None:
    o = nn(f"{ID}beobachtung/beispiel/{code}/{key}/{year}")
    triples += [
        ox.Triple(o, nn(RDF_TYPE), nn(QB + "Observation")),
        ox.Triple(o, nn(QB + "dataSet"), nn(DATASET)),
        ox.Triple(o, nn(SG + "indicator"), nn(f"{ID}indikator/{code}")),
        ox.Triple(o, nn(SG + "refArea"), nn(area)),
        ox.Triple(o, nn(SG + "refPeriod"), lit(str(year), XSD + "gYear")),
        ox.Triple(o, nn(SG + "breakdown"), nn(TOTAL)),
        ox.Triple(o, nn(SG + "obsStatus"), nn(STATUS[status])),
        ox.Triple(o, nn(SG + "unit"), lit(UNITS[code])),
        ox.Triple(o, nn(SG + "exampleData"), lit("true", XSD + "boolean")),
        ox.Triple(o, nn(DCTERMS + "source"), lit(SOURCE)),
        ox.Triple(o, nn(DCTERMS + "license"), nn(LICENCE)),
    ]
    if value is not None:
        triples.append(ox.Triple(o, nn(SG + "value"), lit(value, XSD + "decimal")))
    if below is not None:
        triples.append(ox.Triple(o, nn(SG + "suppressedBelow"), lit(f"{below}.0", XSD + "decimal")))
    if comment:
        triples.append(ox.Triple(o, nn(RDFS + "comment"), lit(comment[0], lang="de")))
        triples.append(ox.Triple(o, nn(RDFS + "comment"), lit(comment[1], lang="en")))


def dataset_triples() -> list:
    d = nn(DATASET)
    return [
        ox.Triple(d, nn(RDF_TYPE), nn(QB + "DataSet")),
        ox.Triple(d, nn(RDF_TYPE), nn(DCAT + "Dataset")),
        ox.Triple(d, nn(QB + "structure"), nn(SG + "IndicatorStructure")),
        ox.Triple(d, nn(RDFS + "label"), lit("Beispieldaten: synthetische Indikatorreihen 2020–2025", lang="de")),
        ox.Triple(d, nn(RDFS + "label"), lit("Example data: synthetic indicator series 2020–2025", lang="en")),
        ox.Triple(d, nn(DCTERMS + "description"), lit(
            "Erfundene, aber an den veröffentlichten Kölner Zahlen ausgerichtete Reihen der Indikatoren des Index "
            "Soziale Lage (SGB-II-Quote, Kinder in SGB-II-Bedarfsgemeinschaften, Grundsicherung im Alter, "
            "Arbeitslosigkeit, Einkommen, Wohnfläche) und der Zielgruppenzahlen je Stadtteil, Stadtbezirk und "
            "Gesamtstadt, damit Belastungsindex, Versorgung und Lückenrangfolge etwas zeigen. Keine Aussage über "
            "Köln; das Modell beschreibt tools/build_example_indicators.py.", lang="de")),
        ox.Triple(d, nn(DCTERMS + "description"), lit(
            "Invented series, aligned with Cologne's published figures, of the indicators of the Index Soziale Lage "
            "and of target-group counts per quarter, borough and city, so that the burden index, coverage and gap "
            "ranking have something to show. No statement about Cologne; tools/build_example_indicators.py "
            "describes the model.", lang="en")),
        ox.Triple(d, nn(DCTERMS + "license"), nn(LICENCE)),
        ox.Triple(d, nn(DCTERMS + "source"), lit(SOURCE)),
        ox.Triple(d, nn(SG + "exampleData"), lit("true", XSD + "boolean")),
    ]


def build(ref: Path) -> bytes:
    quarters, press = load(ref)
    model = Model(quarters, press)
    values = model.values()
    triples = dataset_triples()
    by_bezirk: dict[str, list[Quarter]] = {}
    for q in quarters:
        by_bezirk.setdefault(q.bezirk, []).append(q)
    groups = [(f"{ID}stadtbezirk/{b}", f"stadtbezirk-{b}", qs) for b, qs in sorted(by_bezirk.items())]
    groups.append((f"{ID}stadt/koeln", "stadt-koeln", quarters))
    estimate_comment = ("Geschätzt: Anteil dieser Altersgruppe an den Einwohnern 2012 × Einwohner 2025 (Beispieldaten).",
                        "Estimated: this age group's share of the 2012 inhabitants × 2025 inhabitants (example data).")
    for code in UNITS:
        status = "geschaetzt" if code in ESTIMATES else "synthetisch"
        comment = estimate_comment if code in ESTIMATES else None
        for t in YEARS:
            cells = values[code][t]
            if not cells:
                continue
            rounded = {nr: fmt(code, v) for nr, v in cells.items()}
            for q in quarters:
                value = rounded[q.nr]
                limit = SUPPRESSED_BELOW.get(code)
                if limit and 1 <= float(value) < limit:
                    observation(triples, code, f"{ID}stadtteil/{q.nr}", f"stadtteil-{q.nr}", t, None, "gesperrt",
                                below=limit)
                else:
                    observation(triples, code, f"{ID}stadtteil/{q.nr}", f"stadtteil-{q.nr}", t, value, status,
                                comment=comment)
            for area, key, qs in groups:
                if code in RATE_WEIGHT:
                    weight = RATE_WEIGHT[code]
                    value = fmt(code, weighted_mean([(cells[q.nr], weight(q, t)) for q in qs]))
                else:
                    value = f"{sum(int(float(rounded[q.nr])) for q in qs)}.0"
                observation(triples, code, area, key, t, value, status, comment=comment)
    triples.sort(key=lambda tr: (tr.subject.value, tr.predicate.value, str(tr.object)))
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={
        "sg": SG, "qb": QB, "rdfs": RDFS, "xsd": XSD, "dcterms": DCTERMS, "dcat": DCAT})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                    help="path of the shared folder (default: ../shared relative to the repository root)")
    ap.add_argument("--out", type=Path, default=REPO / "data" / "beispiel", help="output directory")
    args = ap.parse_args(argv)
    ref = args.shared / "ref" / "koeln"
    if not (ref / "stadtteile.csv").is_file():
        print(f"reference data not found: {ref}", file=sys.stderr)
        return 2
    out = args.out / "indikatoren-beispiel.ttl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(HEADER.encode("utf-8") + b"\n" + build(ref))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
