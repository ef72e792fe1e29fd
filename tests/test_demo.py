"""The demo offers make the analysis meaningful: placed by the people of their target groups, with deliberate
gaps, and linked only to goals that share a Lebenslage with them (sozialgraph.capture.demo)."""

from __future__ import annotations

import shutil
import statistics
from collections import Counter

import pyoxigraph as ox
import pytest
from capture_helpers import ctx_for

from sozialgraph import namespaces as ns
from sozialgraph.capture import demo
from sozialgraph.reference import files_for, read_triples
from sozialgraph.store.oxigraph import open_store

N = 4000
SEED = 11
ON_SITE = {"Einrichtung", "Quartier", "Stadtteil"}
SG = ns.SG
ID = ns.ID


@pytest.fixture(scope="module")
def store(tmp_path_factory, _reference_template):
    path = tmp_path_factory.mktemp("demo") / "store"
    shutil.copytree(_reference_template, path)
    return open_store(path)


@pytest.fixture(scope="module")
def basis(store):
    return demo.DemoBasis.from_store(store)


@pytest.fixture(scope="module")
def rows(basis):
    return list(demo.generate_rows(N, SEED, basis))


def latest_values(store, indicator: str) -> dict[str, float]:
    """Stadtteil number -> value of the indicator in its latest year (read here, independently of demo.py)."""
    q = f"""PREFIX sg: <{SG}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?nr ?jahr ?wert WHERE {{ ?o sg:indicator <{ID}indikator/{indicator}> ; sg:refArea ?st ;
      sg:refPeriod ?jahr ; sg:value ?wert . ?st a sg:Quarter ; skos:notation ?nr }}"""
    best: dict[str, tuple[str, float]] = {}
    for r in store.select(q, public_only=True):
        nr, year = r["nr"].value, r["jahr"].value
        if nr not in best or year > best[nr][0]:
            best[nr] = (year, float(r["wert"].value))
    return {nr: v for nr, (_y, v) in best.items()}


def groups_of(row) -> list[str]:
    return row["zielgruppen"].split(";")


def cv(values: list[float]) -> float:
    return statistics.pstdev(values) / statistics.fmean(values)


def test_senior_offers_follow_the_older_population(store, rows):
    """On-site offers for Senioren per 1,000 people aged 65+, over the Stadtteile of 2,000 inhabitants or more
    (but the deliberate gap): their coefficient of variation is far below that of the same offers spread evenly
    (about 0.82 on these areas: the number of older people varies a lot)."""
    ab65, einwohner = latest_values(store, "ab65"), latest_values(store, "einwohner")
    gap_areas = {nr for nr, group, _why in demo.DELIBERATE_GAPS if group == "Senioren"}
    areas = sorted(nr for nr, v in einwohner.items() if v >= 2000 and nr not in gap_areas)
    assert len(areas) > 75
    counts = Counter(r["stadtteil"] for r in rows if "Senioren" in groups_of(r) and r["reichweite"] in ON_SITE)
    total = sum(counts[nr] for nr in areas)
    assert total > 300
    placed = [1000 * counts[nr] / ab65[nr] for nr in areas]
    uniform = [1000 * (total / len(areas)) / ab65[nr] for nr in areas]  # the same offers spread evenly
    assert cv(uniform) > 0.6
    assert cv(placed) < 0.3 * cv(uniform), (cv(placed), cv(uniform))
    # and no Stadtteil of this size is left without (the only gaps are the deliberate ones)
    assert min(counts[nr] for nr in areas) > 0


def test_each_deliberate_gap_has_no_offer_of_its_group_on_site(rows, basis):
    assert 3 <= len(demo.DELIBERATE_GAPS) <= 4
    numbers = {a["nummer"] for a in basis.areas}
    for nr, group, _why in demo.DELIBERATE_GAPS:
        assert nr in numbers
        in_area = [r for r in rows if r["stadtteil"] == nr]
        assert in_area, nr  # the Stadtteil has offers, only not for that group
        assert not [r for r in in_area if group in groups_of(r) and r["reichweite"] in ON_SITE], (nr, group)
        # the group has on-site offers elsewhere
        assert any(group in groups_of(r) and r["reichweite"] in ON_SITE for r in rows), group


def test_a_gap_for_a_group_also_keeps_its_narrower_groups_out(store, monkeypatch):
    """Familien as a gap keeps Alleinerziehende (skos:broader Familien) out too, and Kinder stays."""
    monkeypatch.setattr(demo, "DELIBERATE_GAPS", [("101", "Familien", "test")])
    basis = demo.DemoBasis.from_store(store)
    assert basis.blocked == {"101": {"Familien", "Alleinerziehende"}}


def test_goal_links_share_a_lebenslage_with_their_offer(store, rows):
    q = f"""PREFIX sg: <{SG}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?code ?label WHERE {{ ?z a sg:OperationalGoal ; skos:notation ?code ; sg:lifeSituation ?ll .
      ?ll skos:prefLabel ?label FILTER(LANG(?label) = "de") }}"""
    dims: dict[str, set[str]] = {}
    for r in store.select(q, public_only=True):
        dims.setdefault(r["code"].value, set()).add(r["label"].value)
    links = [(set(r["lebenslagen"].split(";")), code) for r in rows for code in r["ziele"].split(";") if code]
    assert len(links) > N // 2
    shared = sum(bool(offer & dims.get(code, set())) for offer, code in links)
    assert shared / len(links) >= 0.95
    # a Kindertagesstätte (Bildung) never contributes to "Einsamkeit im Alter vorbeugen" (Soziale Teilhabe)
    assert not [r for r in rows if r["angebotsart"] == "Kindertagesstätte" and "Z2.1" in r["ziele"].split(";")]
    assert len({code for _o, code in links}) == len(dims)  # every goal is used somewhere


def test_goals_sharing_a_target_group_are_preferred():
    basis = demo.DemoBasis(areas=[], goals=[
        demo.Goal("A", frozenset({"ll:bildung"}), frozenset({"zg:kinder"})),
        demo.Goal("B", frozenset({"ll:bildung"})),
        demo.Goal("C", frozenset({"ll:wohnen"}), frozenset({"zg:kinder"})),
        demo.Goal("D", frozenset()),  # no Lebenslage known: never linked
    ], iris={"Bildung": "ll:bildung", "Kinder": "zg:kinder"})
    assert basis.goals_for(["Kinder"], ["Bildung"]) == (["A", "B"], [demo.SHARED_GROUP_WEIGHT, 1])
    assert basis.goals_for(["Kinder"], ["Gesundheit"]) == ([], [])


def test_same_seed_same_rows(basis, rows):
    assert list(demo.generate_rows(N, SEED, basis)) == rows
    assert list(demo.generate_rows(50, SEED + 1, basis)) != rows[:50]


def test_population_indicator_of_a_group_is_preferred_and_gaps_filled(fresh_store):
    """A group's own sg:populationIndicator wins over the fallback; a Stadtteil without a value gets the group's
    share of its inhabitants: 101 and 102 have 300 and 100 single parents, so every other Stadtteil gets
    400 / (inhabitants of 101 + 102) of its inhabitants."""
    nn, lit = ox.NamedNode, ox.Literal
    ind = nn(ID + "indikator/test-alleinerziehende")
    group = nn(ID + "zielgruppe/alleinerziehende")
    # the shipped data name the group's own population indicator (both ways): replaced by the test's one
    for graph, pred, is_link in ((ns.G_VOCAB, "populationIndicator", lambda t: t.subject == group),
                                 (ns.G_INDICATORS, "populationOf", lambda t: t.object == group)):
        own = [t for t in fresh_store.triples(graph) if t.predicate == nn(SG + pred) and is_link(t)]
        assert own, f"Alleinerziehende should have sg:{pred} in the shipped data"
        fresh_store.delete(graph, own)
    triples = [ox.Triple(group, nn(SG + "populationIndicator"), ind)]
    for nr, year, value in [("101", "2025", "300"), ("102", "2025", "100"), ("102", "2020", "900")]:
        o = nn(f"{ID}beobachtung/test-alleinerziehende/stadtteil-{nr}/{year}")
        triples += [ox.Triple(o, nn(SG + "indicator"), ind),
                    ox.Triple(o, nn(SG + "refArea"), nn(f"{ID}stadtteil/{nr}")),
                    ox.Triple(o, nn(SG + "refPeriod"), lit(year, datatype=nn(ns.PREFIXES["xsd"] + "gYear"))),
                    ox.Triple(o, nn(SG + "value"), lit(value, datatype=nn(ns.PREFIXES["xsd"] + "decimal")))]
    fresh_store.insert(ns.indicator_graph("test"), triples)
    basis = demo.DemoBasis.from_store(fresh_store)
    shares = dict(zip((a["nummer"] for a in basis.areas), basis.shares["Alleinerziehende"]))
    einwohner = latest_values(fresh_store, "einwohner")
    share = 400 / (einwohner["101"] + einwohner["102"])
    # Meschenich (213) is the deliberate gap for Alleinerziehende: no share there
    people = 400 + share * (sum(einwohner.values()) - einwohner["101"] - einwohner["102"] - einwohner["213"])
    assert shares["101"] == pytest.approx(300 / people)
    assert shares["102"] == pytest.approx(100 / people)
    assert shares["905"] == pytest.approx(share * einwohner["905"] / people)
    assert shares["213"] == 0
    assert sum(shares.values()) == pytest.approx(1)


def test_the_old_call_form_still_works(store):
    """generate_rows(n, seed, areas, goal codes): even spread and any goal, as before (used by older callers)."""
    rows = list(demo.generate_rows(30, 3, demo.quarters(store), ["Z1.1", "Z2.1"], office="50"))
    assert len(rows) == 30 and all(r["amt"] == "50" for r in rows)
    assert {c for r in rows for c in r["ziele"].split(";") if c} <= {"Z1.1", "Z2.1"}


@pytest.mark.slow
def test_stored_demo_offers_keep_the_gaps_and_goal_links(store):
    """Through the template mapping into the store: no on-site offer of a gap's group in its Stadtteil, and the
    sg:contributesTo links share an sg:lifeSituation with the offer."""
    ctx = ctx_for(store)
    demo.add_demo_graph(ctx, 2000, SEED)
    q = f"""PREFIX sg: <{SG}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?nr ?zg (COUNT(DISTINCT ?a) AS ?n) WHERE {{
      ?a a sg:Offer ; sg:quarter ?st ; sg:targetGroup ?g ; sg:reach ?rw .
      FILTER(?rw IN (<{ID}reichweite/einrichtung>, <{ID}reichweite/quartier>, <{ID}reichweite/stadtteil>))
      ?st skos:notation ?nr . ?g skos:prefLabel ?zg FILTER(LANG(?zg) = "de") }} GROUP BY ?nr ?zg"""
    on_site = {(r["nr"].value, r["zg"].value): int(r["n"].value) for r in store.select(q, public_only=True)}
    assert sum(on_site.values()) > 1000
    for nr, group, _why in demo.DELIBERATE_GAPS:
        assert (nr, group) not in on_site
    q = f"""PREFIX sg: <{SG}>
    SELECT (COUNT(*) AS ?all) (SUM(?ok) AS ?shared) WHERE {{
      ?a a sg:Offer ; sg:contributesTo ?z .
      BIND(IF(EXISTS {{ ?a sg:lifeSituation ?ll . ?z sg:lifeSituation ?ll }}, 1, 0) AS ?ok) }}"""
    r = store.select(q, public_only=True)[0]
    assert int(r["all"].value) > 1000
    assert int(r["shared"].value) / int(r["all"].value) >= 0.95


def test_confidential_addresses_are_never_public_ones(rows):
    confidential = [r for r in rows if r.get("vertraulich") == "ja"]
    assert confidential
    assert {r.get("strasse", "") for r in confidential} <= {demo.CONFIDENTIAL_STREET, ""}
    assert demo.CONFIDENTIAL_STREET not in {r.get("strasse") for r in rows if r.get("vertraulich") != "ja"}


def test_demo_offers_name_only_goals_an_offer_may_have(fresh_store):
    """With the example steering set loaded (as `init` does), the demo links offers only to the city's goals of
    the reference data: an example goal (Beispieldaten) is no sg:Goal the offer shapes accept, and one such link
    made every demo submission fail (found by the fresh-clone CI run of stop 17)."""
    fresh_store.replace_graph(ns.G_STEERING_EXAMPLE, read_triples(files_for(ns.G_STEERING_EXAMPLE)))
    assert fresh_store.count(ns.G_STEERING_EXAMPLE) > 0
    ctx = ctx_for(fresh_store)
    assert demo.load_demo(ctx, 120, 2, echo=lambda *_: None) == 120
    example_goals = {t.subject.value for t in fresh_store.triples(ns.G_STEERING_EXAMPLE)}
    linked = {t.object.value for g in fresh_store.graphs() if g.startswith(ns.GRAPH + "office/")
              for t in fresh_store.triples(g) if t.predicate.value == ns.SG + "contributesTo"}
    assert linked and not linked & example_goals
