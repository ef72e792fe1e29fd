"""The analysis (sozialgraph.analysis.lebenslagen) on the hand-made fixture tests/fixtures/analyse/.

Fixture: 5 Stadtteile, 101 102 103 in Bezirk 1 and 201 202 in Bezirk 2. Every figure below is worked out by hand
from the fixture files (their headers list the raw values); the arithmetic is in the comments. z-scores use the
population standard deviation (divide by n).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from capture_helpers import CAPTURE
from click.testing import CliRunner
from conftest import start_live_server
from openpyxl import load_workbook

from sozialgraph import config, namespaces as ns
from sozialgraph.analysis import lebenslagen as L
from sozialgraph.capture import tokens
from sozialgraph.cli.base import main
from sozialgraph.context import Context
from sozialgraph.reference import read_triples
from sozialgraph.resources import DATA_DIR, ONTOLOGY_FILE
from sozialgraph.sparql.binding import run_saved
from sozialgraph.sparql.output import rows_of
from sozialgraph.store import Change
from sozialgraph.store.oxigraph import open_store

F = Path(__file__).resolve().parent / "fixtures" / "analyse"
ID = ns.ID
SG = ns.SG
Q = ["101", "102", "103", "201", "202"]
STT = {q: f"{ID}stadtteil/{q}" for q in Q}
SEN, FAM, AEZ = (f"{ID}zielgruppe/{g}" for g in ("senioren", "familien", "alleinerziehende"))
EINK, ERW = f"{ID}lebenslage/einkommen", f"{ID}lebenslage/erwerbsarbeit"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
sqrt = math.sqrt


def build_store(path: Path):
    store = open_store(path)
    store.replace_graphs({
        ns.G_VOCAB: read_triples([F / "zielgruppen.ttl", DATA_DIR / "vocab" / "lebenslagen.ttl"]),
        ns.G_REFERENCE: read_triples([F / "gebiete.ttl", F / "methode.ttl"]),
        ns.G_INDICATORS: read_triples([F / "indikatoren.ttl"]),
        ns.office_graph("50"): read_triples([F / "angebote.ttl"]),
        # an older version in a private version graph: must not be counted
        ns.version_graph("50", 1, "public"): read_triples([F / "angebote-alte-version.ttl"]),
    })
    return store


def context(store) -> Context:
    return Context(config.load({"store": str(store.path)}), store=store)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("analyse") / "store")
    c = context(store)
    L.run(c, now=NOW)
    return c


def graph(store) -> dict[str, dict[str, list]]:
    """The analysis graph as {subject: {predicate local name: [values]}} (IRIs and literal texts)."""
    out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in store.triples(ns.G_ANALYSIS):
        p = t.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        out[t.subject.value][p].append(t.object.value)
    return out


def one(node, p):
    values = node.get(p, [])
    assert len(values) <= 1, (p, values)
    return values[0] if values else None


# -- hand-worked figures --------------------------------------------------------------------------------------
# t_sgb2 2025: 101 20, 102 10, 103 gesperrt (missing), 201 5, 202 5 -> 4 values, mean 40/4 = 10,
#   deviations 10, 0, −5, −5, variance (100 + 0 + 25 + 25) / 4 = 37.5, sd = √37.5 ≈ 6.1237
Z_SGB2_2025 = {"101": 10 / sqrt(37.5), "102": 0.0, "201": -5 / sqrt(37.5), "202": -5 / sqrt(37.5)}
#   ≈ 1.6330, 0, −0.8165, −0.8165
# t_sgb2 2022: 20 10 10 5 5 -> mean 50/5 = 10, variance (100 + 0 + 0 + 25 + 25) / 5 = 30, sd = √30 ≈ 5.4772
Z_SGB2_2022 = {"101": 10 / sqrt(30), "102": 0.0, "103": 0.0, "201": -5 / sqrt(30), "202": -5 / sqrt(30)}
# t_einkommen (both years) 1000 2000 3000 4000 5000 -> mean 3000, variance (4 + 1 + 0 + 1 + 4)·10⁶ / 5 = 2·10⁶,
#   sd ≈ 1414.2; HigherIsLessBurden: sign flipped -> 101 +√2 ≈ 1.4142, 102 +0.7071, 103 0, 201 −0.7071, 202 −√2
Z_EINKOMMEN = {"101": 2000 / sqrt(2e6), "102": 1000 / sqrt(2e6), "103": 0.0, "201": -1000 / sqrt(2e6),
               "202": -2000 / sqrt(2e6)}
# t_alq 2025: 15 12 9 6 3 -> mean 9, variance (36 + 9 + 0 + 9 + 36) / 5 = 18, sd = √18 ≈ 4.2426
#   (the synthetic 99 for 101 loses against the official 15)
Z_ALQ_2025 = {"101": 6 / sqrt(18), "102": 3 / sqrt(18), "103": 0.0, "201": -3 / sqrt(18), "202": -6 / sqrt(18)}
# t_alq 2022: 3 6 9 12 15 -> the same z with the opposite sign
Z_ALQ_2022 = {q: -z for q, z in Z_ALQ_2025.items()}


def mean(values):
    return sum(values) / len(values)


# Dimension einkommen = mean of the z present (weights 1 and 1, normalised over the indicators present):
#   2025: 101 (1.6330 + 1.4142)/2 = 1.5236; 102 (0 + 0.7071)/2 = 0.3536; 103 only t_einkommen: 0;
#         201 (−0.8165 − 0.7071)/2 = −0.7618; 202 (−0.8165 − 1.4142)/2 = −1.1154
EINK_2025 = {q: mean([z for z in (Z_SGB2_2025.get(q), Z_EINKOMMEN[q]) if z is not None]) for q in Q}
EINK_2022 = {q: mean([Z_SGB2_2022[q], Z_EINKOMMEN[q]]) for q in Q}
# Dimension erwerbsarbeit = z of t_alq. Overall = (einkommen · 1 + erwerbsarbeit · 1) / 2:
#   2025: 101 (1.5236 + 1.4142)/2 = 1.4689; 102 (0.3536 + 0.7071)/2 = 0.5303; 103 0;
#         201 (−0.7618 − 0.7071)/2 = −0.7345; 202 (−1.1154 − 1.4142)/2 = −1.2648
TOTAL_2025 = {q: (EINK_2025[q] + Z_ALQ_2025[q]) / 2 for q in Q}
#   2022: 101 (1.6200 − 1.4142)/2 = 0.1029; 102 (0.3536 − 0.7071)/2 = −0.1768; 103 0;
#         201 (−0.8100 + 0.7071)/2 = −0.0514; 202 (−1.1635 + 1.4142)/2 = 0.1253
TOTAL_2022 = {q: (EINK_2022[q] + Z_ALQ_2022[q]) / 2 for q in Q}


def test_hand_figures_are_what_the_comments_say():
    assert [round(TOTAL_2025[q], 4) for q in Q] == [1.4689, 0.5303, 0.0, -0.7345, -1.2648]
    assert [round(TOTAL_2022[q], 4) for q in Q] == [0.1029, -0.1768, 0.0, -0.0514, 0.1253]
    assert [round(EINK_2025[q], 4) for q in Q] == [1.5236, 0.3536, 0.0, -0.7618, -1.1154]


def test_burden_rows_match_the_hand_figures(ctx):
    rows = L.burden(ctx)
    assert {r.year for r in rows} == {2025}  # the latest year with values for half the (quarter, indicator) pairs
    overall = {r.area_number: r for r in rows if r.life_situation is None}
    dims = {(r.area_number, r.life_situation): r for r in rows if r.life_situation}
    for q in Q:
        assert overall[q].score == pytest.approx(TOTAL_2025[q])
        assert dims[(q, EINK)].score == pytest.approx(EINK_2025[q])
        assert dims[(q, ERW)].score == pytest.approx(Z_ALQ_2025[q])
    # rank 1 = highest score: 101 1.4689 > 102 0.5303 > 103 0 > 201 −0.7345 > 202 −1.2648
    assert [r.area_number for r in rows if r.life_situation is None] == Q
    assert [overall[q].rank for q in Q] == [1, 2, 3, 4, 5]
    # status: 1 ≤ 1.4689 < 1.5 niedrig; −1 ≤ 0.53, 0, −0.73 < 1 mittel; −1.26 < −1 hoch
    assert [overall[q].status_label for q in Q] == ["niedrig", "mittel", "mittel", "mittel", "hoch"]
    assert dims[("101", EINK)].status_label == "sehr niedrig"  # 1.5236 ≥ 1.5
    # dynamics: comparison year = the earliest year with data in 2022..2024 = 2022 (2019 has 1 of 15 values)
    # change 2025 − 2022: 101 1.4689 − 0.1029 = 1.3660 (≥ 0.25 negativ); 102 0.5303 + 0.1768 = 0.7071 (negativ);
    #   103 0 (stabil); 201 −0.7345 + 0.0514 = −0.6830 (positiv); 202 −1.2648 − 0.1253 = −1.3901 (positiv)
    for q in Q:
        assert overall[q].compared_with == 2022
        assert overall[q].change == pytest.approx(TOTAL_2025[q] - TOTAL_2022[q])
    assert [overall[q].dynamics_label for q in Q] == ["negativ", "negativ", "stabil", "positiv", "positiv"]
    # mehrfach belastet: dimensions ≥ 1.0: 101 einkommen 1.5236 and erwerbsarbeit 1.4142 -> 2 ≥ 2; others 0
    assert [overall[q].burdened_dimensions for q in Q] == [2, 0, 0, 0, 0]
    assert [overall[q].multiply_burdened for q in Q] == [True, False, False, False, False]
    # indicators with a value: 103 lacks t_sgb2 (suppressed)
    assert overall["103"].indicators == 2 and overall["101"].indicators == 3


def test_stored_burden_scores(ctx):
    g = graph(ctx.store)
    for q in Q:
        node = g[f"{ID}analyse/belastung/2025/stadtteil-{q}"]
        assert one(node, "type") == SG + "BurdenScore"
        assert one(node, "area") == STT[q] and one(node, "refPeriod") == "2025"
        assert float(one(node, "score")) == pytest.approx(TOTAL_2025[q], abs=1e-6)
        assert float(one(node, "change")) == pytest.approx(TOTAL_2025[q] - TOTAL_2022[q], abs=1e-6)
        assert one(node, "comparedWith") == "2022"
        assert one(node, "lifeSituation") is None
        assert one(node, "wasGeneratedBy") == L.RUN_IRI
        dim = g[f"{ID}analyse/belastung/2025/stadtteil-{q}/einkommen"]
        assert one(dim, "lifeSituation") == EINK
        assert float(one(dim, "score")) == pytest.approx(EINK_2025[q], abs=1e-6)
        old = g[f"{ID}analyse/belastung/2022/stadtteil-{q}"]
        assert float(one(old, "score")) == pytest.approx(TOTAL_2022[q], abs=1e-6)
        assert one(old, "dynamicsClass") is None  # no year with data in 2019..2021 qualifies
    n101 = g[f"{ID}analyse/belastung/2025/stadtteil-101"]
    assert one(n101, "statusClass") == f"{ID}statusklasse/niedrig"
    assert one(n101, "dynamicsClass") == f"{ID}dynamikklasse/negativ"
    assert (one(n101, "burdenedDimensions"), one(n101, "multiplyBurdened"), one(n101, "analysisRank")) == \
        ("2", "true", "1")
    assert not any(s.startswith(f"{ID}analyse/belastung/2019/") for s in g)


# -- coverage -------------------------------------------------------------------------------------------------
# Senioren (offers s1..s6): 101 on site s1 (Einrichtung, 20 places) + s2 (Stadtteil, 10 places) = 2;
#   102: s4 is located there but has reach Stadtbezirk -> 0 on site, it counts for Bezirk 1 (101, 102, 103);
#   103 on site s3 (Quartier, no places) = 1; Bezirk 2 (201, 202): s5 (sg:borough bez:2); city-wide s6 everywhere.
#   People (t_senioren, latest year with a value): 1000, 500, 2000, 400 (2025); 202 suppressed in 2025 -> 800 (2022)
#   per 1,000: 101 2/1000·1000 = 2.0; 102 0; 103 1/2000·1000 = 0.5; 201 0; 202 0; places 101 30/1000·1000 = 30.0
# Familien (includes Alleinerziehende): 101 f3 (5 places); 201 f1 (Alleinerziehende, 15 places); 202 f2 (counted
#   once although it names both groups); city-wide s6; no borough offers. People (t_familien via sg:populationOf):
#   500 250 1000 300 600 -> per 1,000: 2.0, 0, 0, 1/300·1000 = 3.3333, 1/600·1000 = 1.6667; places 10.0 and 50.0
# Alleinerziehende: 201 f1, 202 f2 on site; s6 is not for them; no population indicator -> no people, no per 1,000.
# The private old version (s3 in 202, "alt" in 102) is not counted.
COVERAGE = {  # (group, quarter): (on site, borough, city, people, per 1,000, places per 1,000)
    (SEN, "101"): (2, 1, 1, 1000, 2.0, 30.0), (SEN, "102"): (0, 1, 1, 500, 0.0, None),
    (SEN, "103"): (1, 1, 1, 2000, 0.5, None), (SEN, "201"): (0, 1, 1, 400, 0.0, None),
    (SEN, "202"): (0, 1, 1, 800, 0.0, None),
    (FAM, "101"): (1, 0, 1, 500, 2.0, 10.0), (FAM, "102"): (0, 0, 1, 250, 0.0, None),
    (FAM, "103"): (0, 0, 1, 1000, 0.0, None), (FAM, "201"): (1, 0, 1, 300, 1000 / 300, 50.0),
    (FAM, "202"): (1, 0, 1, 600, 1000 / 600, None),
    (AEZ, "101"): (0, 0, 0, None, None, None), (AEZ, "102"): (0, 0, 0, None, None, None),
    (AEZ, "103"): (0, 0, 0, None, None, None), (AEZ, "201"): (1, 0, 0, None, None, None),
    (AEZ, "202"): (1, 0, 0, None, None, None),
}


def test_coverage_rows_match_the_hand_counts(ctx):
    rows = {(r.target_group, r.area_number): r for r in L.coverage(ctx)}
    assert set(rows) == set(COVERAGE)
    for key, (on_site, borough, city, people, per1000, places) in COVERAGE.items():
        r = rows[key]
        assert (r.offers_on_site, r.offers_for_borough, r.offers_city_wide) == (on_site, borough, city), key
        assert r.population == people and r.offers_per_thousand == pytest.approx(per1000)
        assert r.places_per_thousand == pytest.approx(places)
    assert rows[(SEN, "202")].population_year == 2022 and rows[(SEN, "201")].population_year == 2025
    assert rows[(SEN, "101")].places_on_site == 30 and rows[(SEN, "103")].places_on_site is None
    only = L.coverage(ctx, zielgruppe=SEN)
    assert {r.target_group for r in only} == {SEN} and len(only) == 5


def test_stored_coverage_through_the_saved_query(ctx):
    names, rows = rows_of(run_saved(ctx.store, "count-coverage-for-target-group", {"zielgruppe": "Familien"}))
    got = {r[names.index("nummer")]: dict(zip(names, r)) for r in rows}
    assert list(got) == Q
    for q in Q:
        on_site, borough, city, people, per1000, places = COVERAGE[(FAM, q)]
        row = got[q]
        assert (int(row["vorOrt"]), int(row["fuerBezirk"]), int(row["stadtweit"])) == (on_site, borough, city)
        assert float(row["personen"]) == people
        assert float(row["je1000"]) == pytest.approx(per1000, abs=1e-6)
        assert (float(row["plaetzeJe1000"]) if row["plaetzeJe1000"] else None) == pytest.approx(places)
    names, rows = rows_of(run_saved(ctx.store, "count-coverage-for-target-group", {"zielgruppe": "ZG-AEZ"}))
    assert [r[names.index("personen")] for r in rows] == [""] * 5  # keine Bevölkerungszahl


# -- gaps -----------------------------------------------------------------------------------------------------
def z(values: dict[str, float]) -> dict[str, float]:
    m = mean(list(values.values()))
    sd = sqrt(sum((v - m) ** 2 for v in values.values()) / len(values))
    return {k: (v - m) / sd for k, v in values.items()}


# Senioren: all 5 Stadtteile have both. z of offers per 1,000 (2, 0, 0.5, 0, 0): mean 0.5, deviations 1.5, −0.5,
#   0, −0.5, −0.5, variance (2.25 + 0.25 + 0 + 0.25 + 0.25)/5 = 0.6 -> 101 1.5/√0.6 = 1.9365, 103 0, others −0.6455.
#   z of the overall burden (1.4689, 0.5303, 0, −0.7345, −1.2648; mean ≈ 0, sd ≈ 0.957): 1.5351, 0.5542, 0,
#   −0.7676, −1.3218. Gap = z burden − z coverage: 101 −0.4014, 102 1.1997, 103 0, 201 −0.1221, 202 −0.6763
ZB = z(TOTAL_2025)
GAP_SEN = {q: ZB[q] - zc for q, zc in z({q: COVERAGE[(SEN, q)][4] for q in Q}).items()}
# Familien: per 1,000 (2, 0, 0, 3.3333, 1.6667) -> gaps 101 1.0634, 102 1.6549, 103 1.1007, 201 −2.2876,
#   202 −1.5314
GAP_FAM = {q: ZB[q] - zc for q, zc in z({q: COVERAGE[(FAM, q)][4] for q in Q}).items()}
# Overall = mean of the two group gaps (Alleinerziehende has no population indicator):
#   101 0.3310, 102 1.4273, 103 0.5503, 201 −1.2048, 202 −1.1039
GAP_ALL = {q: (GAP_SEN[q] + GAP_FAM[q]) / 2 for q in Q}


def test_gap_hand_figures():
    assert [round(GAP_SEN[q], 4) for q in Q] == [-0.4014, 1.1997, 0.0, -0.1221, -0.6763]
    assert [round(GAP_ALL[q], 4) for q in Q] == [0.331, 1.4273, 0.5503, -1.2048, -1.1039]


@pytest.mark.parametrize("group,expected,order", [
    (SEN, GAP_SEN, ["102", "103", "201", "101", "202"]),
    (FAM, GAP_FAM, ["102", "103", "101", "202", "201"]),
    (None, GAP_ALL, ["102", "103", "101", "202", "201"]),
])
def test_gap_ranking(ctx, group, expected, order):
    rows = L.gaps(ctx, zielgruppe=group)
    assert [r.area_number for r in rows] == order and [r.rank for r in rows] == [1, 2, 3, 4, 5]
    for r in rows:
        assert r.score == pytest.approx(expected[r.area_number])
        assert r.burden_score == pytest.approx(TOTAL_2025[r.area_number])
        assert r.target_group == group
    if group:
        r102 = rows[0]
        assert r102.z_burden == pytest.approx(ZB["102"])
        assert (r102.offers_on_site, r102.population, r102.offers_per_thousand) == (0, COVERAGE[(group, "102")][3], 0.0)
    else:
        assert {r.groups for r in rows} == {2}
    assert L.gaps(ctx, zielgruppe=AEZ) == []  # no population indicator: no ranking


def test_stored_gaps_through_the_saved_query(ctx):
    names, rows = rows_of(run_saved(ctx.store, "rank-gaps-for-target-group", {"zielgruppe": "Senioren"}))
    got = [dict(zip(names, r)) for r in rows]
    assert [r["nummer"] for r in got] == ["102", "103", "201", "101", "202"]
    assert [int(r["rang"]) for r in got] == [1, 2, 3, 4, 5]
    for r in got:
        q = r["nummer"]
        assert float(r["luecke"]) == pytest.approx(GAP_SEN[q], abs=1e-6)
        assert float(r["belastung"]) == pytest.approx(TOTAL_2025[q], abs=1e-6)
        assert int(r["vorOrt"]) == COVERAGE[(SEN, q)][0] and float(r["personen"]) == COVERAGE[(SEN, q)][3]
    assert got[-1]["statusklasse"] == "hoch"  # 202
    g = graph(ctx.store)
    overall = g[f"{ID}analyse/luecke/stadtteil-102"]
    assert one(overall, "targetGroup") is None and one(overall, "analysisRank") == "1"
    assert float(one(overall, "score")) == pytest.approx(GAP_ALL["102"], abs=1e-6)
    assert sorted(g[f"{ID}analyse/luecke/stadtteil-102/senioren"]["basedOn"]) == [
        f"{ID}analyse/belastung/2025/stadtteil-102", f"{ID}analyse/versorgung/stadtteil-102/senioren"]


def test_multiply_burdened_saved_query(ctx):
    names, rows = rows_of(run_saved(ctx.store, "list-multiply-burdened-quarters"))
    assert [(r[names.index("nummer")], r[names.index("bezugsjahr")], r[names.index("statusklasse")],
             r[names.index("dimensionen")]) for r in rows] == [("101", "2025", "niedrig", "2")]
    assert list(run_saved(ctx.store, "list-multiply-burdened-quarters", {"jahr": "2022"})) == []


# -- provenance, determinism, method as data -----------------------------------------------------------------
def test_run_provenance(ctx):
    g = graph(ctx.store)
    run = g[L.RUN_IRI]
    assert set(run["type"]) == {SG + "AnalysisRun", ns.PREFIXES["prov"] + "Activity"}
    # the method and the dataset of the observations used; the synthetic value lost, so its dataset is not used
    assert sorted(run["used"]) == [L.METHOD_IRI, f"{ID}datensatz/test"]
    assert one(run, "endedAtTime") == "2026-01-02T03:04:05Z"
    assert one(g[L.METHOD_IRI], "methodVersion") == "test-1"
    results = [s for s, node in g.items() if one(node, "wasGeneratedBy") == L.RUN_IRI]
    assert len(results) == 5 * 3 * 2 + 15 + 5 * 3  # burden (2 years × overall + 2 dimensions), coverage, gaps


def test_run_is_deterministic(tmp_path):
    store = build_store(tmp_path / "store")
    c = context(store)
    L.run(c, now=NOW)
    first = set(store.graph_ntriples(ns.G_ANALYSIS).splitlines())
    L.run(c, now=NOW + dt.timedelta(hours=5))
    second = set(store.graph_ntriples(ns.G_ANALYSIS).splitlines())
    assert {line for line in first ^ second if b"endedAtTime" not in line} == set()
    assert len(first ^ second) == 2  # only the run's time changed


def test_a_changed_weight_changes_the_result_and_the_run_names_the_new_version(tmp_path):
    store = build_store(tmp_path / "store")
    c = context(store)
    m = f"{ID}analysemethode/test/sgb2"
    dec = ox.NamedNode(ns.PREFIXES["xsd"] + "decimal")
    method = ox.NamedNode(L.METHOD_IRI)
    store.apply(Change(
        delete={ns.G_REFERENCE: [ox.Triple(ox.NamedNode(m), ox.NamedNode(SG + "weight"), ox.Literal("1.0", datatype=dec)),
                                 ox.Triple(method, ox.NamedNode(SG + "methodVersion"), ox.Literal("test-1"))]},
        insert={ns.G_REFERENCE: [ox.Triple(ox.NamedNode(m), ox.NamedNode(SG + "weight"), ox.Literal("3.0", datatype=dec)),
                                 ox.Triple(method, ox.NamedNode(SG + "methodVersion"), ox.Literal("test-2"))]}))
    summary = L.run(c, now=NOW)
    assert summary["version"] == "test-2"
    g = graph(store)
    assert one(g[L.METHOD_IRI], "methodVersion") == "test-2" and "Methode test-2" in " ".join(g[L.RUN_IRI]["label"])
    # einkommen 2025 for 101 with weights 3 (t_sgb2) and 1: (3·1.6330 + 1·1.4142)/4 = 1.5783;
    #   overall (1.5783 + 1.4142)/2 = 1.4963 (was 1.4689)
    eink = (3 * Z_SGB2_2025["101"] + Z_EINKOMMEN["101"]) / 4
    assert round(eink, 4) == 1.5783
    assert float(one(g[f"{ID}analyse/belastung/2025/stadtteil-101"], "score")) == \
        pytest.approx((eink + Z_ALQ_2025["101"]) / 2, abs=1e-6)
    # 103 has no t_sgb2: its einkommen score stays the z of t_einkommen (weights normalised over those present)
    assert float(one(g[f"{ID}analyse/belastung/2025/stadtteil-103/einkommen"], "score")) == pytest.approx(0.0)


def test_method_from_the_package_when_the_store_has_none(tmp_path):
    store = open_store(tmp_path / "empty")
    m = L.load_method(store)
    assert m.iri == L.METHOD_IRI and m.version == "1.0" and m.threshold == 1.0 and m.min_dimensions == 2
    bounds = {k.notation: (k.lower, k.upper) for k in m.status_classes}
    assert bounds == {"hoch": (None, -1.0), "mittel": (-1.0, 1.0), "niedrig": (1.0, 1.5), "sehr-niedrig": (1.5, None)}
    dyn = {k.notation: (k.lower, k.upper) for k in m.dynamics_classes}
    assert dyn == {"positiv": (None, -0.25), "stabil": (-0.25, 0.25), "negativ": (0.25, None)}
    assert L.classify(m.status_classes, 1.0).notation == "niedrig"  # lower bounds are inclusive
    assert L.classify(m.dynamics_classes, 0.25).notation == "negativ"


def test_a_year_without_enough_data_is_refused_in_german(ctx):
    with pytest.raises(L.AnalysisError) as e:
        L.burden(ctx, year=2019)
    assert e.value.status == 400 and "Mögliche Jahre: 2022, 2025" in e.value.message("de")
    rows = L.burden(ctx, year=2022)
    assert {r.area_number: round(r.score, 4) for r in rows if r.life_situation is None}["101"] == 0.1029


# -- command line ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("analyse-cli") / "store"
    store = build_store(path)
    store.close()
    return path


def cli(store_dir, *args):
    return CliRunner().invoke(main, ["--store", str(store_dir), *args], catch_exceptions=False)


def test_cli_run_and_formats(store_dir, tmp_path):
    r = cli(store_dir, "analyse", "run")
    assert r.exit_code == 0, r.output
    assert "Jahr 2025" in r.output and "Version test-1" in r.output and "1 Stadtteile mehrfach belastet" in r.output
    r = cli(store_dir, "analyse", "burden")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].split()[:3] == ["Rang", "Nummer", "Stadtteil"] and "1,469" in lines[2]
    out = tmp_path / "c.csv"
    r = cli(store_dir, "analyse", "coverage", "--zielgruppe", "Senioren", "--format", "csv", "--out", str(out))
    assert r.exit_code == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["# Zielgruppe", "Senioren"]
    header = rows[1]
    assert header[:5] == ["Nummer", "Stadtteil", "Stadtbezirk", "Zielgruppe", "vor Ort"]
    first = dict(zip(header, rows[2]))
    assert (first["Nummer"], first["vor Ort"], first["für den Stadtbezirk"], first["Angebote je 1.000"]) == \
        ("101", "2", "1", "2")
    xlsx = tmp_path / "g.xlsx"
    r = cli(store_dir, "analyse", "gaps", "--zielgruppe", "ZG-SEN", "--format", "xlsx", "--out", str(xlsx))
    assert r.exit_code == 0
    ws = load_workbook(xlsx).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    head = values.index(next(v for v in values if v and v[0] == "Rang"))
    assert values[head + 1][:3] == [1, "102", "Neustadt/Süd"]
    assert values[head + 1][5] == pytest.approx(round(GAP_SEN["102"], 3))
    r = cli(store_dir, "analyse", "gaps", "--format", "json", "--lang", "en")
    data = json.loads(r.output)
    assert [d["area_number"] for d in data] == ["102", "103", "101", "202", "201"]
    assert data[0]["target_group"] is None and data[0]["score"] == pytest.approx(GAP_ALL["102"])
    r = cli(store_dir, "--lang", "en", "analyse", "coverage", "--zielgruppe", "familien")
    assert r.output.splitlines()[0].startswith("number  quarter")


def test_cli_unknown_target_group_exit_2_with_suggestion(store_dir):
    r = cli(store_dir, "analyse", "coverage", "--zielgruppe", "Seniorn")
    assert r.exit_code == 2
    assert "'Seniorn' ist keine bekannte Zielgruppe. Meinten Sie 'Senioren'?" in r.output
    r = cli(store_dir, "analyse", "burden", "--jahr", "2019")
    assert r.exit_code == 2 and "Mögliche Jahre" in r.output


def test_the_shipped_method_file_uses_declared_terms_and_the_project_prefixes():
    declared = {q.subject.value for q in ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)
                if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(SG)}
    for path in sorted((DATA_DIR / "analyse").glob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("#") and "CC BY 4.0" in text.split("@prefix", 1)[0]
        used = {t.value for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
                for t in (q.subject, q.predicate, q.object) if isinstance(t, ox.NamedNode) and t.value.startswith(SG)}
        assert used and used <= declared, sorted(used - declared)
        for name, iri in re.findall(r"@prefix\s+([\w-]*):\s*<([^>]*)>", text):
            assert ns.PREFIXES.get(name, iri) == iri, name


def test_results_from_example_data_are_labelled_beispieldaten(ctx, tmp_path):
    # the fixture's figures are official (status normal) and its offers carry no sg:exampleData: no label
    assert "exampleData" not in graph(ctx.store)[L.RUN_IRI]
    store = build_store(tmp_path / "store")
    offer = ox.NamedNode(f"{ID}angebot/50/demo")
    store.insert(ns.office_graph("50"), [
        ox.Triple(offer, ox.NamedNode(ns.PREFIXES["rdf"] + "type"), ox.NamedNode(SG + "Offer")),
        ox.Triple(offer, ox.NamedNode(SG + "exampleData"),
                  ox.Literal("true", datatype=ox.NamedNode(ns.PREFIXES["xsd"] + "boolean")))])
    assert L.run(context(store), now=NOW)["example_data"] is True
    g = graph(store)
    assert one(g[L.RUN_IRI], "exampleData") == "true"
    assert one(g[f"{ID}analyse/belastung/2025/stadtteil-101"], "exampleData") == "true"
    assert one(g[f"{ID}analyse/luecke/stadtteil-101"], "exampleData") == "true"


# -- refreshed after writes ----------------------------------------------------------------------------------
def _seniors_in_nippes(store) -> tuple[int, int] | None:
    """(on site, for the borough) of the stored Senioren coverage in Stadtteil Nippes (501)."""
    names, rows = rows_of(run_saved(store, "count-coverage-for-target-group", {"zielgruppe": "Senioren"}))
    row = next((dict(zip(names, r)) for r in rows if r[names.index("nummer")] == "501"), None)
    return None if row is None else (int(row["vorOrt"]), int(row["fuerBezirk"]))


def test_a_submission_over_http_refreshes_the_stored_analysis(full_store):
    fresh_store = full_store
    """With analysis_after_write (the product's default) an accepted submission recomputes the analysis graph:
    good.csv has one Senioren offer with reach Stadtteil in Nippes (SB-1), so the stored coverage of Senioren
    in Nippes goes from 0 to 1 on site; a dry run and a rejected file leave it as it is."""
    ctx = Context(config.load({"store": str(fresh_store.path), "validate_workers": 1,
                               "analysis_after_write": True}), store=fresh_store)
    assert L.refresh(ctx, "test") is not None
    assert _seniors_in_nippes(fresh_store) == (0, 0)
    token, _ = tokens.create(fresh_store, ns.ID + "org/50")
    srv = start_live_server(ctx)
    try:
        def post(data: bytes, **params):
            return requests.post(f"{srv.url}/api/submissions", params={"office": "50", **params}, data=data,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
                                 timeout=120)
        good = (CAPTURE / "good.csv").read_bytes()
        assert post(good, dry_run="1").status_code == 200
        assert _seniors_in_nippes(fresh_store) == (0, 0)
        assert post(good.replace(b";Nippes;", b";Nirgendwo;", 1)).status_code == 422
        assert _seniors_in_nippes(fresh_store) == (0, 0)
        r = post(good)
        assert r.status_code == 201, r.text
        assert _seniors_in_nippes(fresh_store) == (1, 0)
    finally:
        srv.stop()


def test_without_the_setting_a_submission_leaves_the_analysis(fresh_store):
    ctx = Context(config.load({"store": str(fresh_store.path), "analysis_after_write": False}), store=fresh_store)
    assert L.refresh(ctx, "test") is None and not fresh_store.has_graph(ns.G_ANALYSIS)
