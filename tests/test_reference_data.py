"""Checks of the Cologne reference data in data/koeln/*.ttl (areas, indicators, offices, example goals)."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS, XSD

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
    for name in ("gebiete.ttl", "indikatoren.ttl"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), f"{name} differs from the build output"
