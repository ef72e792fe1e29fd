"""Checks of the Cologne reference data in data/koeln/*.ttl (areas, indicators, offices, example goals)."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS, XSD

from sozialgraph import namespaces as ns
from sozialgraph.capture import cube as cube_check
from sozialgraph.reference import init_store

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data" / "koeln"
SHARED = REPO.parent / "shared"
REF = SHARED / "ref" / "koeln"
BUILD = REPO / "tools" / "build_reference_data.py"

SG = Namespace("https://w3id.org/sozialgraph/ontology#")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
ORG = Namespace("http://www.w3.org/ns/org#")
QB = Namespace("http://purl.org/linked-data/cube#")
ID = "https://w3id.org/sozialgraph/id/"
CITY = URIRef(ID + "stadt/koeln")

LAT_RANGE = (Decimal("50.83"), Decimal("51.09"))
LON_RANGE = (Decimal("6.77"), Decimal("7.17"))


def parse(*names: str) -> Graph:
    g = Graph()
    for name in names:
        g.parse(DATA / name, format="turtle")
    return g


@pytest.fixture(scope="module")
def gebiete() -> Graph:
    return parse("gebiete.ttl")


@pytest.fixture(scope="module")
def alle() -> Graph:
    return parse(*sorted(p.name for p in DATA.glob("*.ttl")))


@pytest.fixture(scope="module")
def organisation() -> Graph:
    return parse("organisation.ttl")


@pytest.fixture(scope="module")
def ziele() -> Graph:
    return parse("ziele.ttl")


def one(g: Graph, s, p):
    values = list(g.objects(s, p))
    assert len(values) == 1, f"{s} {p}: expected one value, got {values}"
    return values[0]


def label(g: Graph, s, lang: str) -> str:
    values = [o for o in g.objects(s, RDFS.label) if isinstance(o, Literal) and o.language == lang]
    assert len(values) == 1, f"{s}: expected one rdfs:label@{lang}, got {values}"
    return str(values[0])


# ------------------------------------------------------------------------------------------------ all files

def test_all_files_parse():
    names = {p.name for p in DATA.glob("*.ttl")}
    assert {"gebiete.ttl", "indikatoren.ttl", "organisation.ttl", "ziele.ttl"} <= names
    for name in names:
        assert len(parse(name)) > 0


# ------------------------------------------------------------------------------------------------- areas

def test_city(gebiete):
    assert (CITY, RDF.type, SG.City) in gebiete
    assert label(gebiete, CITY, "de") == "Köln"
    assert label(gebiete, CITY, "en") == "Cologne"
    assert str(one(gebiete, CITY, SKOS.notation)) == "05315000"


def test_nine_boroughs_with_unique_notations(gebiete):
    boroughs = set(gebiete.subjects(RDF.type, SG.Borough))
    assert len(boroughs) == 9
    notations = [str(one(gebiete, b, SKOS.notation)) for b in boroughs]
    assert sorted(notations) == [str(i) for i in range(1, 10)]
    for b in boroughs:
        assert b == URIRef(ID + "stadtbezirk/" + str(one(gebiete, b, SKOS.notation)))


def test_every_borough_part_of_city(gebiete):
    for b in gebiete.subjects(RDF.type, SG.Borough):
        assert list(gebiete.objects(b, SG.partOf)) == [CITY]
        label(gebiete, b, "de")
        label(gebiete, b, "en")
        area = one(gebiete, b, SG.areaKm2)
        assert area.datatype == XSD.decimal and area.toPython() > 0


def test_86_quarters_with_unique_three_digit_notations(gebiete):
    quarters = set(gebiete.subjects(RDF.type, SG.Quarter))
    assert len(quarters) == 86
    notations = [str(one(gebiete, q, SKOS.notation)) for q in quarters]
    assert len(set(notations)) == 86
    assert all(re.fullmatch(r"[1-9]\d\d", n) for n in notations)
    for q in quarters:
        assert q == URIRef(ID + "stadtteil/" + str(one(gebiete, q, SKOS.notation)))


def test_every_quarter_in_exactly_one_borough_matching_first_digit(gebiete):
    for q in gebiete.subjects(RDF.type, SG.Quarter):
        parents = list(gebiete.objects(q, SG.partOf))
        assert len(parents) == 1, q
        b = parents[0]
        assert (b, RDF.type, SG.Borough) in gebiete, f"{q} partOf {b}, not a Borough"
        assert str(one(gebiete, q, SKOS.notation))[0] == str(one(gebiete, b, SKOS.notation))


def test_101_is_altstadt_sued(gebiete):
    q = URIRef(ID + "stadtteil/101")
    assert label(gebiete, q, "de") == "Altstadt/Süd"
    assert label(gebiete, q, "en") == "Altstadt/Süd"
    assert str(one(gebiete, q, SKOS.notation)) == "101"


def test_quarter_coordinates_inside_cologne(gebiete):
    for q in gebiete.subjects(RDF.type, SG.Quarter):
        lat, lon = one(gebiete, q, GEO.lat), one(gebiete, q, GEO.long)
        assert lat.datatype == XSD.decimal and lon.datatype == XSD.decimal, q
        assert LAT_RANGE[0] <= lat.toPython() <= LAT_RANGE[1], (q, lat)
        assert LON_RANGE[0] <= lon.toPython() <= LON_RANGE[1], (q, lon)
        assert one(gebiete, q, SG.areaKm2).toPython() > 0
        assert list(gebiete.objects(q, URIRef("http://purl.org/dc/terms/source")))


def test_planning_areas_cover_known_quarters(gebiete):
    areas = set(gebiete.subjects(RDF.type, SG.PlanningArea))
    assert len(areas) >= 11
    quarters = set(gebiete.subjects(RDF.type, SG.Quarter))
    for a in areas:
        covered = set(gebiete.objects(a, SG.coversQuarter))
        assert covered and covered <= quarters, a
        # planning areas must not look like quarters to "sg:partOf" queries
        assert not list(gebiete.objects(a, SG.partOf))
        assert list(gebiete.objects(a, URIRef("http://purl.org/dc/terms/source")))


# -------------------------------------------------------------------------------------------- indicators

def test_einwohner_per_quarter_2012_and_2025():
    g = parse("indikator-definitionen.ttl", "indikatoren.ttl")  # the two files of the indicators graph
    einwohner = URIRef(ID + "indikator/einwohner")
    assert (einwohner, RDF.type, SG.Indicator) in g
    for year in ("2012", "2025"):
        quarters = set()
        for o in g.subjects(SG.indicator, einwohner):
            if str(one(g, o, SG.refPeriod)) != year:
                continue
            area = one(g, o, SG.refArea)
            if "/stadtteil/" in str(area):
                quarters.add(area)
                assert one(g, o, SG.value).datatype == XSD.decimal
                assert one(g, o, QB.dataSet) == URIRef(ID + "datensatz/indikatoren-koeln")
        assert len(quarters) == 86, year
    for o in g.subjects(RDF.type, QB.Observation):
        assert str(o).startswith(ID + "beobachtung/")
        ind = one(g, o, SG.indicator)
        assert {lbl.language for lbl in g.objects(ind, RDFS.label)} >= {"de", "en"}, ind
        assert one(g, o, SG.refPeriod).datatype == XSD.gYear
        assert isinstance(one(g, o, URIRef("http://purl.org/dc/terms/license")), URIRef)


# ----------------------------------------------------------------------------------------------- offices

def test_offices_labels_notations(organisation):
    units = set()
    for cls in (SG.Department, SG.Office, SG.StaffUnit):
        units |= set(organisation.subjects(RDF.type, cls))
    assert len(units) >= 10
    notations = []
    for u in units:
        label(organisation, u, "de")
        label(organisation, u, "en")
        code = str(one(organisation, u, SKOS.notation))
        notations.append(code)
        assert u == URIRef(ID + "org/" + code.lower())
        assert list(organisation.objects(u, URIRef("http://purl.org/dc/terms/source"))), u
    assert len(notations) == len(set(notations))
    for code in ("50", "51", "53", "56", "57", "sp", "jc", "ksk", "awb"):
        assert code in notations


def test_offices_belong_to_departments(organisation):
    departments = set(organisation.subjects(RDF.type, SG.Department))
    for u in set(organisation.subjects(RDF.type, SG.Office)):
        parents = list(organisation.objects(u, ORG.subOrganizationOf))
        if u == URIRef(ID + "org/jc"):
            assert parents == []  # joint institution with the Federal Employment Agency, not a city office
            assert list(organisation.objects(u, ORG.linkedTo))
            continue
        assert len(parents) == 1 and parents[0] in departments, u
    assert one(organisation, URIRef(ID + "org/51"), ORG.subOrganizationOf) == URIRef(ID + "org/dez-iv")


# ------------------------------------------------------------------------------------------------- goals

def test_goals_are_example_data_with_strategic_parents(ziele):
    strategic = set(ziele.subjects(RDF.type, SG.StrategicGoal))
    operational = set(ziele.subjects(RDF.type, SG.OperationalGoal))
    assert 3 <= len(strategic) <= 4
    assert len(operational) >= 2 * len(strategic)
    goals = strategic | operational
    subjects = {s for s in ziele.subjects() if isinstance(s, URIRef)}
    assert subjects == goals, "ziele.ttl should only describe goals"
    for z in goals:
        assert one(ziele, z, SG.exampleData).toPython() is True, z
        label(ziele, z, "de")
        label(ziele, z, "en")
        comments = {str(c) for c in ziele.objects(z, RDFS.comment)}
        assert "Beispiel, keine beschlossenen Ziele der Stadt Köln" in comments
        code = str(one(ziele, z, SKOS.notation))
        assert z == URIRef(ID + "ziel/" + code.lower().replace(".", "-"))
    for z in operational:
        parent = one(ziele, z, SG.subGoalOf)
        assert parent in strategic, z
        assert str(one(ziele, z, SKOS.notation)).startswith(str(one(ziele, parent, SKOS.notation)) + ".")
    for z in strategic:
        assert not list(ziele.objects(z, SG.subGoalOf))


# ---------------------------------------------------------------------------- against the shared sources

def _need_shared() -> None:
    if not (REF / "stadtteile.csv").is_file():
        pytest.skip(f"shared reference data not available at {REF}")


def test_quarters_match_stadtteile_csv(gebiete):
    _need_shared()
    with (REF / "stadtteile.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 86
    for r in rows:
        q = URIRef(ID + "stadtteil/" + r["stadtteil_nr"])
        assert (q, RDF.type, SG.Quarter) in gebiete, r
        assert label(gebiete, q, "de") == r["stadtteil"]
        b = one(gebiete, q, SG.partOf)
        assert str(one(gebiete, b, SKOS.notation)) == r["stadtbezirk_nr"]
        assert label(gebiete, b, "de") == r["stadtbezirk"]


@pytest.mark.slow
def test_build_script_regenerates_committed_files(tmp_path):
    _need_shared()
    subprocess.run([sys.executable, str(BUILD), "--shared", str(SHARED), "--out", str(tmp_path)],
                   check=True, capture_output=True, cwd=REPO)
    for name in ("gebiete.ttl", "indikatoren.ttl", "geometrien.ttl"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), f"{name} differs from the build output"


@pytest.mark.slow
def test_example_script_regenerates_committed_file(tmp_path):
    _need_shared()
    script = REPO / "tools" / "build_example_indicators.py"
    subprocess.run([sys.executable, str(script), "--shared", str(SHARED), "--out", str(tmp_path)],
                   check=True, capture_output=True, cwd=REPO)
    assert (tmp_path / BEISPIEL.name).read_bytes() == BEISPIEL.read_bytes(), "indikatoren-beispiel.ttl is stale"


# ------------------------------------------------------------------------------ indicator cube (issue 10)

IND = ID + "indikator/"
ZG = ID + "zielgruppe/"
BEISPIEL = REPO / "data" / "beispiel" / "indikatoren-beispiel.ttl"
VOCAB = REPO / "data" / "vocab"
TOTAL = ID + "aufschluesselung/insgesamt"
STATUS = ID + "beobachtungsstatus/"
DS_EXAMPLE = ID + "datensatz/indikatoren-beispiel"
PREFIX = ("PREFIX sg: <https://w3id.org/sozialgraph/ontology#> PREFIX qb: <http://purl.org/linked-data/cube#> "
          "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
          "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")
FILES = {  # named graph of the test store -> files (as src/sozialgraph/reference loads them)
    "urn:x:official": [DATA / "indikator-definitionen.ttl", DATA / "indikatoren.ttl"],
    "urn:x:example": [BEISPIEL],
    "urn:x:vocab": sorted(VOCAB.glob("*.ttl")),
    "urn:x:areas": [DATA / "gebiete.ttl"],
}


@pytest.fixture(scope="module")
def cube():
    """An in-memory pyoxigraph store with the indicator files, the vocabularies and the areas, one graph each."""
    store = ox.Store()
    for graph, paths in FILES.items():
        for p in paths:
            store.load(path=str(p), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
    return store


def select(store, where: str, graph: str | None = None) -> list[dict[str, str]]:
    kwargs = {"default_graph": [ox.NamedNode(graph)]} if graph else {"use_default_graph_as_union": True}
    res = store.query(PREFIX + where, **kwargs)
    names = [v.value for v in res.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in res]


def values(store, indicator: str, graph: str = "urn:x:example") -> dict[tuple[str, int], float]:
    """(area IRI, year) -> value of an indicator's observations with a value in one graph."""
    rows = select(store, f"SELECT ?a ?y ?v WHERE {{ ?o sg:indicator <{IND}{indicator}> ; sg:refArea ?a ; "
                         "sg:refPeriod ?y ; sg:value ?v }", graph)
    return {(r["a"], int(r["y"])): float(r["v"]) for r in rows}


def press_rows() -> list[dict[str, str]]:
    _need_shared()
    with (REF / "kennzahlen_presse_und_webseiten.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("graph", ["urn:x:official", "urn:x:example"])
def test_every_observation_is_a_complete_cube_cell(cube, graph):
    rows = select(cube, """SELECT ?o (COUNT(DISTINCT ?ds) AS ?nds) (COUNT(DISTINCT ?i) AS ?ni) (COUNT(DISTINCT ?a) AS ?na)
        (COUNT(DISTINCT ?y) AS ?ny) (COUNT(DISTINCT ?b) AS ?nb) (COUNT(DISTINCT ?s) AS ?ns) (COUNT(DISTINCT ?src) AS ?nsrc)
        (COUNT(DISTINCT ?lic) AS ?nlic) (COUNT(DISTINCT ?u) AS ?nu) WHERE {
          ?o a qb:Observation .
          OPTIONAL { ?o qb:dataSet ?ds } OPTIONAL { ?o sg:indicator ?i } OPTIONAL { ?o sg:refArea ?a }
          OPTIONAL { ?o sg:refPeriod ?y } OPTIONAL { ?o sg:breakdown ?b } OPTIONAL { ?o sg:obsStatus ?s }
          OPTIONAL { ?o dcterms:source ?src } OPTIONAL { ?o dcterms:license ?lic } OPTIONAL { ?o sg:unit ?u }
        } GROUP BY ?o""", graph)
    assert len(rows) > 2000
    bad = [r for r in rows if any(r[k] != "1" for k in r if k != "o")]
    assert not bad, bad[:3]
    # the codes exist: a defined indicator, a Cologne area, breakdown and status from their schemes, a data set
    # with the cube structure
    dangling = select(cube, """SELECT DISTINCT ?o WHERE {
          GRAPH <%s> { ?o a qb:Observation ; sg:indicator ?i ; sg:refArea ?a ; sg:breakdown ?b ; sg:obsStatus ?s ;
                       qb:dataSet ?ds }
          FILTER (NOT EXISTS { ?i a sg:Indicator } || NOT EXISTS { ?a sg:partOf|^sg:partOf|sg:coversQuarter ?x }
                  || NOT EXISTS { ?b skos:inScheme <%saufschluesselung> }
                  || NOT EXISTS { ?s skos:inScheme <%sbeobachtungsstatus> }
                  || NOT EXISTS { ?ds qb:structure sg:IndicatorStructure ; rdfs:label ?l ; dcterms:license ?dl }) }"""
                      % (graph, ID, ID))
    assert not dangling, dangling[:3]


def test_official_observations_are_normal_totals_except_the_computed_estimates(cube):
    rows = select(cube, "SELECT ?o ?s ?b ?c WHERE { ?o a qb:Observation ; sg:obsStatus ?s ; sg:breakdown ?b "
                        "OPTIONAL { ?o rdfs:comment ?c FILTER(LANG(?c) = 'de') } }", "urn:x:official")
    assert {r["b"] for r in rows} == {TOTAL}
    estimated = [r for r in rows if r["s"] == STATUS + "geschaetzt"]
    assert {r["s"] for r in rows} == {STATUS + "normal", STATUS + "geschaetzt"}
    assert estimated and all("/haushalte_mit_kindern/" in r["o"] and r["c"].startswith("Abgeleitet") for r in estimated)
    assert not select(cube, "SELECT ?o WHERE { ?o sg:exampleData ?x }", "urn:x:official")
    assert not [r for r in rows if "/beobachtung/beispiel/" in r["o"]]


def test_households_with_children_are_households_times_share(cube):
    hh, share = values(cube, "haushalte", "urn:x:official"), values(cube, "anteil_haushalte_mit_kindern_pct", "urn:x:official")
    derived = values(cube, "haushalte_mit_kindern", "urn:x:official")
    assert len(derived) >= 86
    for cell, v in derived.items():
        assert v == round(hh[cell] * share[cell] / 100)
    # Altstadt/Süd 2025: 18,438 households × 7.425 % = 1,369.0 → 1,369
    assert derived[(ID + "stadtteil/101", 2025)] == 1369


def test_suppressed_observations_have_no_value_but_a_limit(cube):
    for graph in ("urn:x:official", "urn:x:example"):
        rows = select(cube, """SELECT ?o ?v ?below ?withheld WHERE { GRAPH <%s> { ?o a qb:Observation ; sg:obsStatus ?s .
            OPTIONAL { ?o sg:value ?v } OPTIONAL { ?o sg:suppressedBelow ?below } }
            BIND(EXISTS { ?s sg:valueWithheld true } AS ?withheld) }""" % graph)
        for r in rows:
            if r["withheld"] == "true":
                assert r["v"] is None and float(r["below"]) in (5, 10), r
            else:
                assert r["v"] is not None and r["below"] is None, r
    suppressed = select(cube, "SELECT ?o ?i ?below WHERE { ?o sg:obsStatus <%sgesperrt> ; sg:indicator ?i ; "
                              "sg:suppressedBelow ?below }" % STATUS, "urn:x:example")
    assert 3 <= len(suppressed) <= 40  # a few, so that consumers meet them
    ba = {"arbeitslose", "langzeitarbeitslose", "sgb2_leistungsberechtigte"}
    for r in suppressed:
        assert float(r["below"]) == (10 if r["i"].removeprefix(IND) in ba else 5)
        assert "/stadtteil-" in r["o"]  # only Stadtteil counts are small


def test_source_suppression_marks_are_not_zero_values(cube):
    """A suppressed ('*') or empty cell of the source long table must not become an observation with value 0, and
    every official 0 is a 0 in the source."""
    _need_shared()
    with (REF / "derived" / "indikatoren_stadtteile_long.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    code_of = {r["id"]: r["code"] for r in select(
        cube, "SELECT ?id ?code WHERE { ?i a sg:Indicator ; dcterms:identifier ?id ; skos:notation ?code }",
        "urn:x:official")}
    keys = {"Stadtteil": "stadtteil-{}", "Stadtbezirk": "stadtbezirk-{}", "Gesamtstadt": "stadt-koeln"}

    def iri(r):
        return (f"{ID}beobachtung/{code_of[r['indikator']]}/{keys[r['raumebene']].format(r['raum_nr'])}/{r['jahr']}")

    official = {r["o"]: Decimal(r["v"]) for r in select(
        cube, "SELECT ?o ?v WHERE { ?o a qb:Observation ; sg:value ?v }", "urn:x:official")}
    numeric = [r for r in rows if re.fullmatch(r"-?\d+(\.\d+)?", r["wert"].strip())]
    for r in rows:
        if r not in numeric:
            assert official.get(iri(r)) != 0, r
    source_zero = {iri(r) for r in numeric if Decimal(r["wert"]) == 0}
    long_iris = {iri(r) for r in rows}
    assert {o for o, v in official.items() if v == 0 and o in long_iris} == source_zero
    assert all(iri(r) in official for r in numeric)


def test_indicators_have_dimension_polarity_unit_and_merkmal_codes(cube):
    rows = select(cube, """SELECT ?i ?code (COUNT(DISTINCT ?ls) AS ?nls) (COUNT(DISTINCT ?pol) AS ?npol)
          (SAMPLE(?pol) AS ?p) (COUNT(DISTINCT ?u) AS ?nu) (SAMPLE(?m) AS ?merkmal) WHERE {
          ?i a sg:Indicator ; skos:notation ?code .
          OPTIONAL { ?i sg:lifeSituation ?ls FILTER(STRSTARTS(STR(?ls), "%slebenslage/")) }
          OPTIONAL { ?i sg:polarity ?pol } OPTIONAL { ?i sg:unit ?u } OPTIONAL { ?i sg:merkmalCode ?m }
        } GROUP BY ?i ?code""" % ID, "urn:x:official")
    by_code = {r["code"]: r for r in rows}
    for r in rows:
        assert r["nls"] == "1" and r["npol"] == "1" and r["nu"] == "1", r
    sg = str(SG)
    assert by_code["arbeitslosenquote"]["p"] == sg + "HigherIsMoreBurden"
    assert by_code["sgb2_quote"]["p"] == sg + "HigherIsMoreBurden"
    assert by_code["haushaltsnettoeinkommen_mittel"]["p"] == sg + "HigherIsLessBurden"
    assert by_code["wohnflaeche_je_einwohner"]["p"] == sg + "HigherIsLessBurden"
    assert by_code["einwohner"]["p"] == sg + "NoBurdenDirection"
    assert {c: by_code[c]["merkmal"] for c in by_code if by_code[c]["merkmal"]} == {
        "einwohner": "A0025A", "durchschnittsalter": "A0022S", "haushalte": "A0267A",
        "anteil_einpersonenhaushalte_pct": "A0273P", "anteil_haushalte_mit_kindern_pct": "A0275P",
        "wohnungen": "B0025A", "wohnflaeche_je_wohnung": "B0023S", "wohnflaeche_je_einwohner": "B0022S",
        "neubau_wohnungen_saldo": "B0009A", "anteil_gefoerderte_wohnungen_pct": "B0026P"}
    # every indicator the analysis method weighs is defined and has a burden direction
    method = Graph().parse(REPO / "data" / "analyse" / "methode-soziale-lage.ttl")
    weighed = {str(o).removeprefix(IND) for o in method.objects(None, SG.weightedIndicator)}
    assert weighed and weighed <= set(by_code)
    assert all(by_code[c]["p"] != sg + "NoBurdenDirection" for c in weighed)


def test_population_of_and_population_indicator_agree(cube):
    forward = {(r["i"], r["g"]) for r in select(cube, "SELECT ?i ?g WHERE { ?i sg:populationOf ?g }")}
    backward = {(r["i"], r["g"]) for r in select(cube, "SELECT ?i ?g WHERE { ?g sg:populationIndicator ?i }")}
    assert forward == backward
    groups = [g for _, g in forward]
    assert len(groups) == len(set(groups))  # one population indicator per group
    expected = {"senioren": "ab65", "kinder": "unter15", "jugendliche": "einwohner_15_17",
                "alleinerziehende": "alleinerziehende_haushalte", "arbeitsuchende": "arbeitslose",
                "langzeitarbeitslose": "langzeitarbeitslose",
                "menschen-mit-geringem-einkommen": "sgb2_leistungsberechtigte",
                "menschen-mit-migrationsgeschichte": "migrationshintergrund",
                "familien": "haushalte_mit_kindern", "alle": "einwohner"}
    assert {g.removeprefix(ZG): i.removeprefix(IND) for i, g in forward} == expected
    units = {r["i"]: r["u"] for r in select(cube, "SELECT ?i ?u WHERE { ?i a sg:Indicator ; sg:unit ?u }")}
    targets = {r["g"] for r in select(cube, "SELECT ?g WHERE { ?g a sg:TargetGroup }")}
    for i, g in forward:
        assert units[i] in ("Personen", "Haushalte") and g in targets, (i, g)
    # every population indicator has values per Stadtteil (official or example data)
    for i, _ in forward:
        quarters = {r["a"] for r in select(cube, f"SELECT DISTINCT ?a WHERE {{ ?o sg:indicator <{i}> ; "
                                                 "sg:refArea ?a ; sg:value ?v . ?a a sg:Quarter }")}
        assert len(quarters) >= 80, i


def test_press_figures_with_a_definite_year(cube):
    rows = select(cube, "SELECT ?o ?i ?a ?y ?d ?v ?src WHERE { ?o qb:dataSet <%sdatensatz/kennzahlen-presse> ; "
                        "sg:indicator ?i ; sg:refArea ?a ; sg:refPeriod ?y ; sg:value ?v ; dcterms:source ?src "
                        "OPTIONAL { ?o sg:refDate ?d } }" % ID, "urn:x:official")
    assert all(re.search(r"https?://\S+", r["src"]) for r in rows)
    alq = {r["a"].removeprefix(ID): float(r["v"]) for r in rows if r["i"] == IND + "arbeitslosenquote"}
    assert len(alq) == 13 and alq["stadt/koeln"] == 9.4 and alq["stadtteil/716"] == 24.0
    assert all(r["y"] == "2020" and r["d"] == "2020-12-31" for r in rows if r["i"] == IND + "arbeitslosenquote")
    child = {r["a"].removeprefix(ID): float(r["v"]) for r in rows if r["i"] == IND + "kinderarmut_unter18_regelleistungen"}
    assert child == {"stadt/koeln": 22.0, "stadtbezirk/8": 34.1, "stadtbezirk/9": 31.1, "stadtbezirk/7": 29.6,
                     "stadtbezirk/6": 27.2, "stadtbezirk/3": 7.0}
    # "Jahr unsicher" rows are left out: no unemployment rate for Hahnwald, none under 25 at all
    assert "stadtteil/207" not in alq
    assert not [r for r in rows if r["i"] == IND + "arbeitslosenquote_unter25"]
    if (REF / "kennzahlen_presse_und_webseiten.csv").is_file():
        usable = [r for r in press_rows() if re.fullmatch(r"\d{4}(-\d\d-\d\d)?", r["zeitpunkt"])
                  and re.fullmatch(r"\d+(\.\d+)?", r["wert"])]
        assert len(rows) == len(usable)


# ---------------------------------------------------------------------------------- synthetic series (issue 10)

def test_example_observations_are_labelled_beispieldaten(cube):
    rows = select(cube, "SELECT ?o ?ex ?ds ?s ?src WHERE { ?o a qb:Observation OPTIONAL { ?o sg:exampleData ?ex } "
                        "OPTIONAL { ?o qb:dataSet ?ds } OPTIONAL { ?o sg:obsStatus ?s } "
                        "OPTIONAL { ?o dcterms:source ?src } }", "urn:x:example")
    assert len(rows) > 5000
    for r in rows:
        assert r["ex"] == "true" and r["ds"] == DS_EXAMPLE, r
        assert r["s"] in (STATUS + "synthetisch", STATUS + "geschaetzt", STATUS + "gesperrt"), r
        assert r["o"].startswith(ID + "beobachtung/beispiel/")
        assert r["src"] == "Beispieldaten (synthetisch), erzeugt von tools/build_example_indicators.py"
    years = {int(r["y"]) for r in select(cube, "SELECT DISTINCT ?y WHERE { ?o sg:refPeriod ?y }", "urn:x:example")}
    assert years == set(range(2020, 2026))
    ds = select(cube, "SELECT ?l WHERE { <%s> rdfs:label ?l ; sg:exampleData true ; qb:structure sg:IndicatorStructure }"
                % DS_EXAMPLE, "urn:x:example")
    assert any("Beispieldaten" in r["l"] for r in ds)


def test_example_series_cover_all_areas_of_the_index_indicators(cube):
    areas = {r["a"] for r in select(cube, "SELECT ?a WHERE { { ?a a sg:Quarter } UNION { ?a a sg:Borough } "
                                          "UNION { ?a a sg:City } }", "urn:x:areas")}
    assert len(areas) == 96
    for code in ("sgb2_quote", "anteil_unter15_sgb2", "grundsicherung_alter_quote", "arbeitslosenquote",
                 "arbeitslosenquote_unter25", "haushaltsnettoeinkommen_mittel"):
        v = values(cube, code)
        for year in range(2020, 2026):
            assert {a for a, y in v if y == year} == areas, (code, year)


def test_synthetic_2020_unemployment_tracks_the_published_rates(cube):
    synthetic = values(cube, "arbeitslosenquote")
    published = [r for r in press_rows() if r["indikator"] == "arbeitslosenquote" and r["zeitpunkt"] == "2020-12-31"
                 and r["raumebene"] == "Stadtteil"]
    assert len(published) == 12
    for r in published:
        assert abs(synthetic[(ID + "stadtteil/" + r["raum_nr"], 2020)] - float(r["wert"])) <= 1.5, r
    top = min(float(r["wert"]) for r in published)
    others = [v for (a, y), v in synthetic.items() if y == 2020 and "/stadtteil/" in a
              and a.rsplit("/", 1)[1] not in {r["raum_nr"] for r in published}]
    assert len(others) == 74 and max(others) <= top  # the published 12 stay the 12 highest
    assert abs(synthetic[(str(CITY), 2020)] - 9.4) <= 0.2
    assert abs(values(cube, "arbeitslose")[(str(CITY), 2020)] - 57051) <= 57051 * 0.01


def test_synthetic_child_poverty_keeps_the_published_borough_order(cube):
    v = values(cube, "anteil_unter15_sgb2")
    b = {n: v[(ID + f"stadtbezirk/{n}", 2022)] for n in range(1, 10)}
    published = {8: 34.1, 9: 31.1, 7: 29.6, 6: 27.2, 3: 7.0}
    for n, value in published.items():
        assert abs(b[n] - value) <= 0.5, (n, b[n])
    assert b[8] > b[9] > b[7] > b[6] > max(b[n] for n in (1, 2, 4, 5)) and min(b[n] for n in (1, 2, 4, 5)) > b[3]
    assert abs(v[(str(CITY), 2022)] - 22.0) <= 1.0
    named = {"609", "405", "213", "802", "804", "809", "704", "716"}  # named with the highest child poverty 2022
    quarters = sorted(((value, a.rsplit("/", 1)[1]) for (a, y), value in v.items() if y == 2022 and "/stadtteil/" in a),
                      reverse=True)
    assert named <= {nr for _, nr in quarters[:20]}


def test_synthetic_income_matches_the_published_figures(cube):
    v = values(cube, "haushaltsnettoeinkommen_mittel")
    assert v[(ID + "stadtteil/716", 2023)] == 1722 and v[(ID + "stadtteil/609", 2023)] == 1842
    assert abs(v[(str(CITY), 2023)] - 3208) <= 30
    for nr in ("207", "309", "201", "602", "209", "306"):  # named with more than 4,500 € in 2023
        assert v[(ID + f"stadtteil/{nr}", 2023)] > 4500, nr
    quarters = sorted(value for (a, y), value in v.items() if y == 2023 and "/stadtteil/" in a)
    assert v[(ID + "stadtteil/716", 2023)] in quarters[:5] and v[(ID + "stadtteil/609", 2023)] in quarters[:8]


def test_borough_and_city_counts_are_sums_and_rates_weighted_means(cube):
    for code in ("arbeitslose", "sgb2_leistungsberechtigte", "alleinerziehende_haushalte"):
        v = values(cube, code)
        for n in range(1, 10):
            for year in (2020, 2025):
                parts = [value for (a, y), value in v.items() if y == year and f"/stadtteil/{n}" in a]
                if len(parts) == len([1 for (a, y) in v if y == 2020 and f"/stadtteil/{n}" in a]):
                    assert v[(ID + f"stadtbezirk/{n}", year)] == sum(parts), (code, n, year)
        assert v[(str(CITY), 2020)] == sum(v[(ID + f"stadtbezirk/{n}", 2020)] for n in range(1, 10))
    rate = values(cube, "sgb2_quote")
    for n in range(1, 10):
        parts = [value for (a, y), value in rate.items() if y == 2023 and f"/stadtteil/{n}" in a]
        assert min(parts) <= rate[(ID + f"stadtbezirk/{n}", 2023)] <= max(parts)
    # the count is the rate applied to the same population: city SGB II count / rate ≈ population 15-64 / 100
    count = values(cube, "sgb2_leistungsberechtigte")
    assert 600_000 < count[(str(CITY), 2023)] / rate[(str(CITY), 2023)] * 100 < 850_000


def test_synthetic_series_change_both_ways(cube):
    v = values(cube, "sgb2_quote")
    change = [v[(a, 2025)] / v[(a, 2022)] for (a, y) in v if y == 2022 and "/stadtteil/" in a]
    assert sum(c < 0.95 for c in change) >= 10 and sum(c > 1.05 for c in change) >= 10
    assert all(0.6 < c < 1.6 for c in change)  # small year-to-year changes, no jumps


@pytest.mark.slow
def test_example_graph_only_in_its_own_store_graph(full_store):
    fresh_store = full_store
    """init_store puts the synthetic series into …/graph/indicators/beispiel only, every observation there flagged;
    example_indicators=False empties that graph and leaves the rest."""
    native = fresh_store.native
    graphs = {r["g"].value for r in native.query(
        PREFIX + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?o sg:exampleData true ; a qb:Observation } }")}
    assert graphs <= {ns.G_INDICATORS_EXAMPLE, ns.G_PUBLIC_DEFAULT} and ns.G_INDICATORS_EXAMPLE in graphs
    assert not native.query(PREFIX + "ASK { GRAPH <%s> { ?o a qb:Observation FILTER NOT EXISTS { ?o sg:exampleData "
                                     "true } } }" % ns.G_INDICATORS_EXAMPLE)
    assert fresh_store.count(ns.G_INDICATORS_EXAMPLE) > 50_000
    counts = init_store(fresh_store, example_indicators=False)
    assert counts[ns.G_INDICATORS_EXAMPLE] == 0 and fresh_store.count(ns.G_INDICATORS_EXAMPLE) == 0
    assert fresh_store.count(ns.G_INDICATORS) > 20_000 and fresh_store.count(ns.G_GEO) == 95 * 6
    assert not native.query(PREFIX + "ASK { GRAPH ?g { ?o sg:exampleData true ; a qb:Observation } }")

@pytest.mark.slow
@pytest.mark.parametrize("graph", ["urn:x:official", "urn:x:example"])
def test_indicator_files_meet_the_data_cube_integrity_constraints(cube, graph):
    """W3C Data Cube IC-1 … IC-21 (capture/cube.py, as for imports) on each indicator graph with the ontology and
    the vocabularies (code lists)."""
    def triples(path):
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]

    context = triples(REPO / "ontology" / "sozialgraph.ttl") + triples(DATA / "indikator-definitionen.ttl")
    context += [ox.Triple(q.subject, q.predicate, q.object)
                for q in cube.quads_for_pattern(None, None, None, ox.NamedNode("urn:x:vocab"))]
    observations = [ox.Triple(q.subject, q.predicate, q.object)
                    for q in cube.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
    violations = cube_check.check(context + observations)
    assert not violations, [v.message("en") for v in violations]
