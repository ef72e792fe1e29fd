#!/usr/bin/env python3
"""Build the Cologne reference data (areas and indicators) as Turtle.

Reads the compiled reference files in ``<shared>/ref/koeln/`` (see SOURCES.md there) and writes

* ``data/koeln/gebiete.ttl``     – city, 9 Stadtbezirke, 86 Stadtteile, Sozialräume "Lebenswerte Veedel"
* ``data/koeln/indikatoren.ttl`` – qb:Observation per area, indicator and year (RDF Data Cube, structure
  sg:IndicatorStructure): the official figures (dataset indikatoren-koeln) and the figures of press and city web
  pages (dataset kennzahlen-presse)
* ``data/koeln/geometrien.ttl``  – the 86 Stadtteil and 9 Stadtbezirk polygons as GeoSPARQL WKT/GeoJSON literals

Only facts and figures are carried over (with their sources); no file of the shared folder is copied.
The output is deterministic: running the script twice gives the same bytes.

Usage::

    .venv/bin/python tools/build_reference_data.py [--shared ../shared] [--out data/koeln]

``--shared`` defaults to ``../shared`` relative to the repository root, ``--out`` to ``data/koeln``.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, SKOS

from sozialgraph.reference.geodata import geometry_triples

REPO = Path(__file__).resolve().parent.parent

BASE = "https://w3id.org/sozialgraph/"
ID = BASE + "id/"
SG = Namespace(BASE + "ontology#")
SGID = Namespace(ID)
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
QB = Namespace("http://purl.org/linked-data/cube#")
GEOSPARQL = Namespace("http://www.opengis.net/ont/geosparql#")

CITY = SGID["stadt/koeln"]
DS_GEBIETE = SGID["datensatz/gebiete-koeln"]
DS_INDIKATOREN = SGID["datensatz/indikatoren-koeln"]
DS_PRESSE = SGID["datensatz/kennzahlen-presse"]
TOTAL = SGID["aufschluesselung/insgesamt"]
STATUS_NORMAL = SGID["beobachtungsstatus/normal"]
STATUS_ESTIMATED = SGID["beobachtungsstatus/geschaetzt"]

LIC_CC_BY_DE_30 = URIRef("http://dcat-ap.de/def/licenses/cc-by-de/3.0")
LIC_DL_BY_DE_20 = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
LIC_CC_BY_40 = URIRef("http://dcat-ap.de/def/licenses/cc-by/4.0")

ATTRIBUTION = "Stadt Köln, Amt für Stadtentwicklung und Statistik / Offene Daten Köln"
RIGHTS_HOLDER = "Stadt Köln, Amt für Stadtentwicklung und Statistik"

# Original download URLs of the Offene-Daten-Köln datasets, as given in ref/koeln/SOURCES.md
SRC_STADTTEIL = URIRef("http://offenedaten-koeln.de/sites/default/files/2013-06-25_shape_stadtteil_0.zip")
SRC_STADTBEZIRK = URIRef("http://offenedaten-koeln.de/sites/default/files/2013-10-04_shape_stadtbezirk_1.zip")
SRC_BEVOELKERUNG = URIRef("http://www.offenedaten-koeln.de/node/303/download")
SRC_DATENKATALOG = URIRef("https://www.offenedaten-koeln.de/dataset/statistischer-datenkatalog-koeln")
SRC_ALTERSGRUPPEN = URIRef("http://www.offenedaten-koeln.de/sites/default/files/2012_Altersgruppen_Stadtteil.csv")
SOURCE_ALTERSGRUPPEN = ("Stadt Köln, Offene Daten Köln, Datensatz \"Altersgruppen\" 2012 "
                        "(via weberius/einwohnernachaltersgruppen src/test/resources/2012_Altersgruppen_*.csv)")
# Amtlicher Gemeindeschlüssel 05315000 (NRW 05, Regierungsbezirk Köln 3, kreisfreie Stadt 15)
SRC_AGS = URIRef("https://www.wikidata.org/wiki/Q365")

PREFIXES = {
    "sg": SG,
    "sgid": SGID,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "geo": GEO,
    "qb": QB,
}

# Indicator definitions (labels, units, descriptions) are vocabulary data kept in Turtle, not here:
# data/koeln/indikator-definitionen.ttl, read by indicator_codes().
DEFINITIONS = Path(__file__).resolve().parents[1] / "data" / "koeln" / "indikator-definitionen.ttl"


def definitions() -> Graph:
    g = Graph()
    g.parse(DEFINITIONS, format="turtle")
    return g


def indicator_codes() -> dict[str, str]:
    """Indicator code of the source CSV (dcterms:identifier) -> our code (skos:notation)."""
    g = definitions()
    return {str(g.value(s, DCTERMS.identifier)): str(g.value(s, SKOS.notation))
            for s in g.subjects(RDF.type, SG.Indicator)}


def indicator_units() -> dict[str, str]:
    """Our indicator code -> its unit (sg:unit of the definition), copied onto every observation."""
    g = definitions()
    return {str(g.value(s, SKOS.notation)): str(g.value(s, SG.unit)) for s in g.subjects(RDF.type, SG.Indicator)}


# Codes of the press/web figures (kennzahlen_presse_und_webseiten.csv) that differ from ours; the others are ours.
PRESS_CODES = {"anteil_unter18": "anteil_unter18_pct"}

LICENCE_BY_PREFIX = (
    ("CC BY 3.0 DE", LIC_CC_BY_DE_30),
    ("DL-DE-BY-2.0", LIC_DL_BY_DE_20),
)

HEADER_GEBIETE = """\
# Köln: Gesamtstadt, Stadtbezirke, Stadtteile und Sozialräume ("Lebenswerte Veedel")
# Cologne: city, boroughs (Stadtbezirke), quarters (Stadtteile) and planning areas (Sozialräume)
#
# GENERATED by tools/build_reference_data.py - do not edit by hand; re-run the script instead.
#
# Sources (facts and figures carried over, files not copied):
#   - Offene Daten Köln, Shapefile "Stadtteil" (2013):
#     http://offenedaten-koeln.de/sites/default/files/2013-06-25_shape_stadtteil_0.zip
#   - Offene Daten Köln, Shapefile "Stadtbezirk" (2013):
#     http://offenedaten-koeln.de/sites/default/files/2013-10-04_shape_stadtbezirk_1.zip
#     (both mirrored in the repository KoelnAPI/data, data/geo-base/; coordinates converted from
#     ETRS89/UTM 32N with false easting 2 500 000 to WGS84; areas computed from the polygons)
#   - Sozialräume "Lebenswerte Veedel" (sg:PlanningArea, sg:SocialSpace): city and press web pages named
#     per resource (dcterms:source); the assignment of Stadtteil numbers is derived, not official.
# Licence of the area data: Creative Commons Namensnennung 3.0 Deutschland (CC BY 3.0 DE),
#   http://dcat-ap.de/def/licenses/cc-by-de/3.0
# Attribution: "Stadt Köln, Amt für Stadtentwicklung und Statistik / Offene Daten Köln"
"""

HEADER_INDIKATOREN = """\
# Köln: Indikatoren je Stadtteil, Stadtbezirk und Gesamtstadt (RDF Data Cube observations)
# Cologne: indicators per quarter, borough and city
#
# GENERATED by tools/build_reference_data.py - do not edit by hand; re-run the script instead.
#
# Sources (figures carried over, files not copied):
#   - 2012: Offene Daten Köln, Datensatz "Bevölkerung" (2005-2012), http://www.offenedaten-koeln.de/node/303/download
#     (via KoelnAPI/data data/structure/bevoelkerung/bevoelkerung.csv). Licence CC BY 3.0 DE,
#     http://dcat-ap.de/def/licenses/cc-by-de/3.0
#   - 2024/2025: Stadt Köln, Amt für Stadtentwicklung und Statistik, Statistischer Datenkatalog,
#     https://www.offenedaten-koeln.de/dataset/statistischer-datenkatalog-koeln
#     (extract in PHILLIPD-crtl/high-seller.de src/data/stadtteile-wohnkennzahlen.json).
#     Licence Datenlizenz Deutschland - Namensnennung 2.0 (DL-DE-BY-2.0), http://dcat-ap.de/def/licenses/dl-by-de/2.0
#   - 2012 age groups (unter15, einwohner_15_17): Offene Daten Köln, Datensatz "Altersgruppen" 2012,
#     http://www.offenedaten-koeln.de/sites/default/files/2012_Altersgruppen_Stadtteil.csv (via
#     weberius/einwohnernachaltersgruppen src/test/resources/2012_Altersgruppen_*.csv). Licence CC BY 3.0 DE.
#   - Dataset kennzahlen-presse: single figures reported on press and city web pages (unemployment rate of the 12
#     Stadtteile with the highest rate on 31.12.2020, child poverty per Stadtbezirk 2022, share of under-18s on
#     31.12.2021, income 2023, ...), hand-transcribed in ../shared/ref/koeln/kennzahlen_presse_und_webseiten.csv;
#     each observation cites its page URL in dcterms:source. Figures are facts; the compilation is offered under
#     CC BY 4.0, http://dcat-ap.de/def/licenses/cc-by/4.0. Carried over are only numbers for areas of gebiete.ttl
#     with a definite year: yes/no flags ("ja"), ranges (">40") and approximate values ("ca.") are left out, and
#     so are rows without a usable year ("nicht angegeben", "Jahr unsicher (Seite ca. 2022)"): a figure with a
#     guessed year would enter the time series that the burden index compares year by year and could fake a
#     change; the uncertain rows stay documented in the shared file. A date (2020-12-31) gives sg:refDate and its
#     year as sg:refPeriod.
# Every observation (RDF Data Cube, structure sg:IndicatorStructure): sg:breakdown …/aufschluesselung/insgesamt,
# sg:obsStatus …/beobachtungsstatus/normal (official figure) or …/geschaetzt (computed here: rdfs:comment says
# how), sg:unit of its indicator, dcterms:source text and dcterms:license. Observations marked "abgeleitet" in
# rdfs:comment are computed by the script (no value in the source).
# Attribution: "Stadt Köln, Amt für Stadtentwicklung und Statistik / Offene Daten Köln"
"""

HEADER_GEOMETRIEN = """\
# Köln: Gebietsgeometrien der 86 Stadtteile und 9 Stadtbezirke (GeoSPARQL)
# Cologne: polygons of the 86 quarters and 9 boroughs (GeoSPARQL), loaded into …/graph/geo at `sozialgraph init`
#
# GENERATED by tools/build_reference_data.py - do not edit by hand; re-run the script instead.
# `sozialgraph geodata import FILE` replaces the geometries of the areas a file contains (same triple shape,
# src/sozialgraph/reference/geodata.py geometry_triples).
#
# Sources (geometries carried over, files not copied):
#   - Offene Daten Köln, Shapefile "Stadtteil" (2013):
#     http://offenedaten-koeln.de/sites/default/files/2013-06-25_shape_stadtteil_0.zip
#   - Offene Daten Köln, Shapefile "Stadtbezirk" (2013):
#     http://offenedaten-koeln.de/sites/default/files/2013-10-04_shape_stadtbezirk_1.zip
#     (both mirrored in the repository KoelnAPI/data, data/geo-base/; converted from ETRS89/UTM 32N with false
#     easting 2 500 000 to WGS84 and simplified with Douglas-Peucker, 10 m tolerance, per feature, 5 decimals:
#     ../shared/ref/koeln/geo/stadtteile_2013_simplified.geojson, stadtbezirke_2013_simplified.geojson)
# Shape per area: <area> a geosparql:Feature ; geosparql:hasGeometry <area/geometrie> . <area/geometrie> a
# geosparql:Geometry ; geosparql:asWKT (CRS84, lon lat) ; geosparql:asGeoJSON ; dcterms:source (text).
# Licence: Creative Commons Namensnennung 3.0 Deutschland (CC BY 3.0 DE), http://dcat-ap.de/def/licenses/cc-by-de/3.0
# Attribution: "Stadt Köln, Amt für Stadtentwicklung und Statistik / Offene Daten Köln"
"""


# --------------------------------------------------------------------------------------------------- helpers

def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def dec(text: str) -> Literal:
    """xsd:decimal literal in canonical-ish form (keeps the source's digits, always with a decimal point)."""
    d = Decimal(text.strip())
    s = format(d, "f")
    if "." not in s:
        s += ".0"
    return Literal(s, datatype=XSD.decimal)


def new_graph() -> Graph:
    g = Graph(bind_namespaces="none")
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    return g


def label(g: Graph, s: URIRef, de: str, en: str | None = None) -> None:
    g.add((s, RDFS.label, Literal(de, lang="de")))
    g.add((s, RDFS.label, Literal(en if en is not None else de, lang="en")))


def quarter_iri(nr: str) -> URIRef:
    return SGID[f"stadtteil/{nr}"]


def borough_iri(nr: str) -> URIRef:
    return SGID[f"stadtbezirk/{nr}"]


def write(g: Graph, header: str, path: Path) -> None:
    body = g.serialize(format="turtle")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + body, encoding="utf-8")


# ------------------------------------------------------------------------------------------------- gebiete

def build_gebiete(ref: Path) -> Graph:
    g = new_graph()
    stadtteile = read_csv(ref / "stadtteile.csv")
    bezirke = read_csv(ref / "stadtbezirke.csv")
    centroids = {r["stadtteil_nr"]: r for r in read_csv(ref / "geo" / "stadtteile_centroids.csv")}
    sozialraeume = read_csv(ref / "sozialraeume_lebenswerte_veedel.csv")

    if len(stadtteile) != 86 or len(bezirke) != 9:
        raise SystemExit(f"unexpected counts: {len(stadtteile)} Stadtteile, {len(bezirke)} Stadtbezirke")

    # dataset description
    g.add((DS_GEBIETE, RDF.type, DCAT.Dataset))
    g.add((DS_GEBIETE, DCTERMS.title, Literal("Gebiete der Stadt Köln", lang="de")))
    g.add((DS_GEBIETE, DCTERMS.title, Literal("Areas of the City of Cologne", lang="en")))
    g.add((DS_GEBIETE, DCTERMS.description, Literal(
        "Gesamtstadt, 9 Stadtbezirke und 86 Stadtteile (Gebietsstand der Shapefiles 2013) sowie die Sozialräume "
        "des Programms \"Lebenswerte Veedel\". Koordinaten (geo:lat/geo:long, WGS84) sind Punkte, die sicher "
        "innerhalb der jeweiligen Fläche liegen (nahe dem Schwerpunkt); Flächen (sg:areaKm2) wurden aus den "
        "Polygonen in ETRS89/UTM 32N berechnet und sind keine amtlichen Flächenangaben. Die Zuordnung der "
        "Sozialräume zu Stadtteilen ist abgeleitet, nicht amtlich.", lang="de")))
    g.add((DS_GEBIETE, DCTERMS.description, Literal(
        "City, 9 boroughs and 86 quarters (boundaries of the 2013 shapefiles) and the planning areas of the "
        "\"Lebenswerte Veedel\" programme. Coordinates are points guaranteed inside each area (close to the "
        "centroid); areas were computed from the polygons in ETRS89/UTM 32N and are not official figures. The "
        "assignment of planning areas to quarters is derived, not official.", lang="en")))
    for src in (SRC_STADTTEIL, SRC_STADTBEZIRK):
        g.add((DS_GEBIETE, DCTERMS.source, src))
    g.add((DS_GEBIETE, DCTERMS.license, LIC_CC_BY_DE_30))
    g.add((DS_GEBIETE, DCTERMS.rightsHolder, Literal(RIGHTS_HOLDER)))
    g.add((DS_GEBIETE, DCTERMS.bibliographicCitation, Literal(ATTRIBUTION)))

    # city
    g.add((CITY, RDF.type, SG.City))
    g.add((CITY, RDFS.label, Literal("Köln", lang="de")))
    g.add((CITY, RDFS.label, Literal("Cologne", lang="en")))
    g.add((CITY, SKOS.notation, Literal("05315000")))
    g.add((CITY, RDFS.comment, Literal(
        "skos:notation ist der Amtliche Gemeindeschlüssel (AGS) der kreisfreien Stadt Köln.", lang="de")))
    g.add((CITY, RDFS.comment, Literal(
        "skos:notation is the official municipality key (Amtlicher Gemeindeschlüssel) of Cologne.", lang="en")))
    g.add((CITY, DCTERMS.source, SRC_AGS))
    g.add((CITY, DCTERMS.isPartOf, DS_GEBIETE))

    # boroughs
    bezirk_names: dict[str, str] = {}
    for r in bezirke:
        nr = r["stadtbezirk_nr"].strip()
        s = borough_iri(nr)
        bezirk_names[nr] = r["stadtbezirk"].strip()
        g.add((s, RDF.type, SG.Borough))
        label(g, s, bezirk_names[nr])
        g.add((s, SKOS.notation, Literal(nr)))
        g.add((s, SG.partOf, CITY))
        g.add((s, GEO.lat, dec(r["lat"])))
        g.add((s, GEO.long, dec(r["lon"])))
        g.add((s, SG.areaKm2, dec(r["flaeche_km2"])))
        g.add((s, DCTERMS.source, SRC_STADTBEZIRK))
        g.add((s, DCTERMS.isPartOf, DS_GEBIETE))

    # quarters
    for r in stadtteile:
        nr = r["stadtteil_nr"].strip()
        bnr = r["stadtbezirk_nr"].strip()
        if len(nr) != 3 or not nr.isdigit() or nr[0] != bnr or bnr not in bezirk_names:
            raise SystemExit(f"inconsistent Stadtteil row: {r}")
        c = centroids.get(nr)
        if c is None or (c["inner_point_lon"], c["inner_point_lat"]) != (r["lon"], r["lat"]):
            raise SystemExit(f"Stadtteil {nr}: inner point differs between stadtteile.csv and geo/ centroids")
        s = quarter_iri(nr)
        g.add((s, RDF.type, SG.Quarter))
        label(g, s, r["stadtteil"].strip())
        g.add((s, SKOS.notation, Literal(nr)))
        g.add((s, SG.partOf, borough_iri(bnr)))
        g.add((s, GEO.lat, dec(r["lat"])))
        g.add((s, GEO.long, dec(r["lon"])))
        g.add((s, SG.areaKm2, dec(r["flaeche_km2"])))
        g.add((s, DCTERMS.source, SRC_STADTTEIL))
        g.add((s, DCTERMS.isPartOf, DS_GEBIETE))

    # planning areas (Sozialräume)
    known = {r["stadtteil_nr"].strip() for r in stadtteile}
    for r in sozialraeume:
        sid = r["sozialraum_id"].strip()
        s = SGID[f"sozialraum/{sid.lower()}"]
        m = re.fullmatch(r"(\d+) \((.+)\)", r["programmphase"].strip())
        if not m:
            raise SystemExit(f"Sozialraum {sid}: unexpected programmphase {r['programmphase']!r}")
        count, period_de = m.group(1), m.group(2)
        period_en = period_de.replace("seit", "since")
        name = r["sozialraum"].strip()
        g.add((s, RDF.type, SG.PlanningArea))
        g.add((s, RDF.type, SG.SocialSpace))
        g.add((s, RDFS.label, Literal(f"Sozialraum {name} ({period_de})", lang="de")))
        g.add((s, RDFS.label, Literal(f"Planning area {name} ({period_en})", lang="en")))
        g.add((s, SKOS.notation, Literal(sid)))
        for nr in r["stadtteil_nrs"].split(";"):
            nr = nr.strip()
            if nr not in known:
                raise SystemExit(f"Sozialraum {sid}: unknown Stadtteil {nr}")
            g.add((s, SG.coversQuarter, quarter_iri(nr)))
        notes_de = [
            f"Einer der {count} Sozialräume des Programms \"Lebenswerte Veedel\" ({period_de}), Stadtbezirk "
            f"{r['stadtbezirk'].strip()}.",
            "Die Zuordnung zu Stadtteilen (sg:coversQuarter) ist aus den Quellseiten abgeleitet, nicht amtlich; "
            f"Belegstand: {r['sicherheit'].strip()}.",
        ]
        if r["teilgebiet_hinweis"].strip():
            notes_de.append(f"Teilgebiet: {r['teilgebiet_hinweis'].strip().rstrip('.')}.")
        if r["anmerkung"].strip():
            notes_de.append(f"Anmerkung: {r['anmerkung'].strip().rstrip('.')}.")
        g.add((s, RDFS.comment, Literal(" ".join(notes_de), lang="de")))
        g.add((s, RDFS.comment, Literal(
            f"One of the {count} planning areas of the \"Lebenswerte Veedel\" programme ({period_en}). The "
            "mapping to quarters (sg:coversQuarter) is derived from the source pages and is not official; a "
            "covered quarter may be covered only in part.", lang="en")))
        for url in r["quelle_url"].split(";"):
            url = url.strip()
            if url:
                g.add((s, DCTERMS.source, URIRef(url)))
        g.add((s, DCTERMS.isPartOf, DS_GEBIETE))
    return g


# --------------------------------------------------------------------------------------------- indikatoren

def area_of(row: dict[str, str]) -> tuple[URIRef, str]:
    """(area IRI, area key for the observation IRI) of a long-format row."""
    level = row["raumebene"].strip()
    nr = row["raum_nr"].strip()
    if level == "Stadtteil":
        return quarter_iri(nr), f"stadtteil-{nr}"
    if level == "Stadtbezirk":
        return borough_iri(nr), f"stadtbezirk-{nr}"
    if level == "Gesamtstadt":
        return CITY, "stadt-koeln"
    raise SystemExit(f"unknown raumebene {level!r}")


def licence_of(text: str) -> URIRef:
    for prefix, iri in LICENCE_BY_PREFIX:
        if text.strip().startswith(prefix):
            return iri
    raise SystemExit(f"unknown licence {text!r}")


UNITS: dict[str, str] = {}  # filled from the definitions by build_indikatoren()


def add_observation(g: Graph, code: str, area: URIRef, key: str, year: str, value: Literal,
                    source: str, licence: URIRef, dataset: URIRef = DS_INDIKATOREN,
                    status: URIRef = STATUS_NORMAL, ref_date: str | None = None) -> URIRef:
    o = SGID[f"beobachtung/{code}/{key}/{year}"]
    if (o, RDF.type, QB.Observation) in g:
        raise SystemExit(f"duplicate observation {o}")
    g.add((o, RDF.type, QB.Observation))
    g.add((o, QB.dataSet, dataset))
    g.add((o, SG.indicator, SGID[f"indikator/{code}"]))
    g.add((o, SG.refArea, area))
    g.add((o, SG.refPeriod, Literal(year, datatype=XSD.gYear)))
    g.add((o, SG.breakdown, TOTAL))
    g.add((o, SG.value, value))
    g.add((o, SG.obsStatus, status))
    g.add((o, SG.unit, Literal(UNITS[code])))
    if ref_date is not None:
        g.add((o, SG.refDate, Literal(ref_date, datatype=XSD.date)))
    g.add((o, DCTERMS.source, Literal(source)))
    g.add((o, DCTERMS.license, licence))
    return o


def build_indikatoren(ref: Path) -> Graph:
    g = new_graph()
    rows = read_csv(ref / "derived" / "indikatoren_stadtteile_long.csv")
    stadtteile = {r["stadtteil_nr"].strip() for r in read_csv(ref / "stadtteile.csv")}

    UNITS.update(indicator_units())
    g.add((DS_INDIKATOREN, RDF.type, QB.DataSet))
    g.add((DS_INDIKATOREN, RDF.type, DCAT.Dataset))
    g.add((DS_INDIKATOREN, QB.structure, SG.IndicatorStructure))
    g.add((DS_INDIKATOREN, RDFS.label, Literal("Indikatoren Köln (Stadtteile, Stadtbezirke, Gesamtstadt)", lang="de")))
    g.add((DS_INDIKATOREN, RDFS.label, Literal("Cologne indicators (quarters, boroughs, city)", lang="en")))
    g.add((DS_INDIKATOREN, DCTERMS.description, Literal(
        "Bevölkerungsstruktur 2012 (Datensätze \"Bevölkerung\" und \"Altersgruppen\", CC BY 3.0 DE) und "
        "Bevölkerungs- und Wohnkennzahlen 2024/2025 (Statistischer Datenkatalog, DL-DE-BY-2.0) je Stadtteil, "
        "Stadtbezirk und Gesamtstadt. Jede Beobachtung nennt Quelle und Lizenz.", lang="de")))
    g.add((DS_INDIKATOREN, DCTERMS.description, Literal(
        "Population structure 2012 (datasets \"Bevölkerung\" and \"Altersgruppen\", CC BY 3.0 DE) and population "
        "and housing figures 2024/2025 (statistical data catalogue, DL-DE-BY-2.0) per quarter, borough and city. "
        "Every observation names its source and licence.", lang="en")))
    g.add((DS_INDIKATOREN, DCTERMS.source, SRC_BEVOELKERUNG))
    g.add((DS_INDIKATOREN, DCTERMS.source, SRC_DATENKATALOG))
    g.add((DS_INDIKATOREN, DCTERMS.source, SRC_ALTERSGRUPPEN))
    g.add((DS_INDIKATOREN, DCTERMS.license, LIC_CC_BY_DE_30))
    g.add((DS_INDIKATOREN, DCTERMS.license, LIC_DL_BY_DE_20))
    g.add((DS_INDIKATOREN, DCTERMS.rightsHolder, Literal(RIGHTS_HOLDER)))
    g.add((DS_INDIKATOREN, DCTERMS.bibliographicCitation, Literal(ATTRIBUTION)))

    codes = indicator_codes()
    # (code, year) -> {Stadtbezirk nr -> list of Stadtteil values}, for derived borough sums
    einwohner_2025_by_bezirk: dict[str, list[Decimal]] = defaultdict(list)
    bezirk_has_2025: set[str] = set()
    source_2025 = None
    licence_2025 = None

    for r in rows:
        src_code = r["indikator"].strip()
        code = codes.get(src_code)
        if code is None:
            raise SystemExit(f"indicator {src_code!r} has no definition in {DEFINITIONS.name}")
        area, key = area_of(r)
        if r["raumebene"].strip() == "Stadtteil" and r["raum_nr"].strip() not in stadtteile:
            raise SystemExit(f"unknown Stadtteil in indicators: {r}")
        year = r["jahr"].strip()
        licence = licence_of(r["lizenz"])
        add_observation(g, code, area, key, year, dec(r["wert"]), r["quelle"].strip(), licence)
        if code == "einwohner" and year == "2025":
            source_2025, licence_2025 = r["quelle"].strip(), licence
            if r["raumebene"].strip() == "Stadtteil":
                einwohner_2025_by_bezirk[r["raum_nr"].strip()[0]].append(Decimal(r["wert"]))
            elif r["raumebene"].strip() == "Stadtbezirk":
                bezirk_has_2025.add(r["raum_nr"].strip())

    # The 2025 source gives a borough value only for Innenstadt: add einwohner 2025 for the other boroughs as
    # the sum of their quarters (for Innenstadt and the city the sum equals the published value).
    if source_2025 is not None:
        for bnr in sorted(einwohner_2025_by_bezirk):
            if bnr in bezirk_has_2025:
                continue
            total = sum(einwohner_2025_by_bezirk[bnr], Decimal(0))
            o = add_observation(g, "einwohner", borough_iri(bnr), f"stadtbezirk-{bnr}", "2025",
                                dec(str(total)), source_2025 + "; Summe der Stadtteilwerte (berechnet)",
                                licence_2025)
            g.add((o, RDFS.comment, Literal(
                "Abgeleitet: Summe der Einwohnerzahlen 2025 der Stadtteile dieses Stadtbezirks; die Quelle "
                "enthält keinen eigenen Bezirkswert.", lang="de")))
            g.add((o, RDFS.comment, Literal(
                "Derived: sum of the 2025 inhabitants of this borough's quarters; the source has no borough "
                "value.", lang="en")))

    add_age_groups(g, ref)
    add_households_with_children(g)
    add_press_figures(g, ref)
    return g


def add_age_groups(g: Graph, ref: Path) -> None:
    """unter15 (0-2 + 3-5 + 6-14) and einwohner_15_17 of 2012 from the "Altersgruppen" tables."""
    src = ref / "source"
    tables = (
        ("weberius_2012_Altersgruppen_Stadtteil.csv", lambda r: (quarter_iri(r["Nr."].strip()),
                                                                 f"stadtteil-{r['Nr.'].strip()}")),
        ("weberius_2012_Altersgruppen_Stadtbezirk.csv", lambda r: (borough_iri(r["Nr."].strip()),
                                                                   f"stadtbezirk-{r['Nr.'].strip()}")),
        ("weberius_2012_Altersgruppen_Insgesamt.csv", lambda r: (CITY, "stadt-koeln")),
    )
    for name, area_of_row in tables:
        for r in read_csv(src / name):
            cells = {k.strip(): v.strip() for k, v in r.items()}
            area, key = area_of_row(r)
            under15 = sum(int(cells[k]) for k in ("0 - 2", "3 - 5", "6 - 14"))
            add_observation(g, "unter15", area, key, "2012", dec(str(under15)), SOURCE_ALTERSGRUPPEN + "; Summe "
                            "der Altersgruppen 0-2, 3-5 und 6-14 Jahre", LIC_CC_BY_DE_30)
            add_observation(g, "einwohner_15_17", area, key, "2012", dec(cells["15 - 17"]), SOURCE_ALTERSGRUPPEN,
                            LIC_CC_BY_DE_30)


def add_households_with_children(g: Graph) -> None:
    """haushalte_mit_kindern = haushalte × anteil_haushalte_mit_kindern_pct / 100 of the same area and year,
    rounded to whole households (status geschaetzt)."""
    def values(code: str) -> dict[tuple[URIRef, str], tuple[Decimal, Literal, URIRef]]:
        out = {}
        for o in g.subjects(SG.indicator, SGID[f"indikator/{code}"]):
            out[(g.value(o, SG.refArea), str(g.value(o, SG.refPeriod)))] = (
                Decimal(str(g.value(o, SG.value))), g.value(o, DCTERMS.source), g.value(o, DCTERMS.license))
        return out
    households, shares = values("haushalte"), values("anteil_haushalte_mit_kindern_pct")
    for (area, year) in sorted(households.keys() & shares.keys()):
        n, source, licence = households[(area, year)]
        share = shares[(area, year)][0]
        estimate = (n * share / 100).quantize(Decimal(1))
        key = area_key(area)
        o = add_observation(g, "haushalte_mit_kindern", area, key, year, dec(str(estimate)),
                            f"{source}; Haushalte × Anteil der Haushalte mit Kindern (berechnet)", licence,
                            status=STATUS_ESTIMATED)
        g.add((o, RDFS.comment, Literal(
            f"Abgeleitet (geschätzt): {n} Haushalte × {share} % Haushalte mit Kindern, auf ganze Haushalte gerundet.",
            lang="de")))
        g.add((o, RDFS.comment, Literal(
            f"Derived (estimated): {n} households × {share} % households with children, rounded.", lang="en")))


def area_key(area: URIRef) -> str:
    tail = str(area).removeprefix(ID)
    if tail == "stadt/koeln":
        return "stadt-koeln"
    kind, nr = tail.split("/")
    return f"{kind}-{nr}"


def press_period(text: str) -> tuple[str, str | None] | None:
    """(year, date or None) of a 'zeitpunkt' cell; None when it names no definite year."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text[:4], text
    if re.fullmatch(r"\d{4}", text):
        return text, None
    return None


def add_press_figures(g: Graph, ref: Path) -> None:
    """The numbers for named areas in kennzahlen_presse_und_webseiten.csv, as dataset kennzahlen-presse."""
    g.add((DS_PRESSE, RDF.type, QB.DataSet))
    g.add((DS_PRESSE, RDF.type, DCAT.Dataset))
    g.add((DS_PRESSE, QB.structure, SG.IndicatorStructure))
    g.add((DS_PRESSE, RDFS.label, Literal("Kennzahlen aus Presse- und Webseiten (Köln)", lang="de")))
    g.add((DS_PRESSE, RDFS.label, Literal("Figures from press and web pages (Cologne)", lang="en")))
    g.add((DS_PRESSE, DCTERMS.description, Literal(
        "Einzelne Zahlen für Kölner Gebiete, wie sie Presse- und Webseiten nach dem Statistischen Jahrbuch Köln und "
        "den Kölner Statistischen Nachrichten berichten (Arbeitslosenquote der 12 Stadtteile mit der höchsten Quote "
        "am 31.12.2020, Kinderarmut je Stadtbezirk 2022, Anteil unter 18-Jähriger 2021, Einkommen 2023). Jede "
        "Beobachtung nennt die Seite. Zahlen ohne sicheres Jahr, Spannen und Ja/Nein-Angaben sind nicht übernommen.",
        lang="de")))
    g.add((DS_PRESSE, DCTERMS.description, Literal(
        "Single figures for Cologne areas as press and web pages report them after Cologne's statistical yearbook "
        "and statistical bulletins (unemployment rate of the 12 quarters with the highest rate on 31 Dec 2020, child "
        "poverty per borough 2022, share of under-18s 2021, income 2023). Every observation names its page. Figures "
        "without a definite year, ranges and yes/no flags are left out.", lang="en")))
    g.add((DS_PRESSE, DCTERMS.license, LIC_CC_BY_40))
    g.add((DS_PRESSE, DCTERMS.bibliographicCitation, Literal(ATTRIBUTION)))

    sozialraeume = {r["sozialraum_id"].strip().lower() for r in read_csv(ref / "sozialraeume_lebenswerte_veedel.csv")}
    for r in read_csv(ref / "kennzahlen_presse_und_webseiten.csv"):
        level, nr = r["raumebene"].strip(), r["raum_nr"].strip()
        period = press_period(r["zeitpunkt"])
        value = r["wert"].strip()
        if period is None or not re.fullmatch(r"-?\d+(\.\d+)?", value):
            continue  # flags, ranges, approximate values, no definite year (see the file header)
        code = PRESS_CODES.get(r["indikator"].strip(), r["indikator"].strip())
        if code not in UNITS:
            raise SystemExit(f"press figure with unknown indicator {code!r}: {r}")
        if level == "Sozialraum":
            if nr.lower() not in sozialraeume:
                continue
            area, key = SGID[f"sozialraum/{nr.lower()}"], f"sozialraum-{nr.lower()}"
        else:
            area, key = area_of({"raumebene": level, "raum_nr": nr})
        year, date = period
        o = add_observation(g, code, area, key, year, dec(value), f"{r['quelle'].strip()}, {r['quelle_url'].strip()}",
                            LIC_CC_BY_40, dataset=DS_PRESSE, ref_date=date)
        if r["anmerkung"].strip():
            g.add((o, RDFS.comment, Literal("Anmerkung der Quelle: " + r["anmerkung"].strip(), lang="de")))


# ------------------------------------------------------------------------------------------------ geometries

def build_geometrien(ref: Path) -> bytes:
    """The simplified 2013 polygons in the triple shape of sozialgraph.reference.geodata.geometry_triples."""
    areas = {("stadtteil", r["stadtteil_nr"].strip()): str(quarter_iri(r["stadtteil_nr"].strip()))
             for r in read_csv(ref / "stadtteile.csv")}
    areas |= {("stadtbezirk", r["stadtbezirk_nr"].strip()): str(borough_iri(r["stadtbezirk_nr"].strip()))
              for r in read_csv(ref / "stadtbezirke.csv")}
    triples = []
    for name, shapefile, src in (("stadtteile_2013_simplified.geojson", "Stadtteil", SRC_STADTTEIL),
                                 ("stadtbezirke_2013_simplified.geojson", "Stadtbezirk", SRC_STADTBEZIRK)):
        data = json.loads((ref / "geo" / name).read_text(encoding="utf-8"))
        source = (f"{ATTRIBUTION}, Shapefile \"{shapefile}\" (2013), {src}, vereinfacht (Douglas-Peucker 10 m); "
                  "Lizenz CC BY 3.0 DE")
        found, matched, unmatched = geometry_triples(data, areas, source)
        expected = 86 if shapefile == "Stadtteil" else 9
        if unmatched or len(matched) != expected:
            raise SystemExit(f"{name}: {len(matched)} areas matched, unmatched {unmatched}")
        triples += found
    triples.sort(key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                        prefixes={"geosparql": str(GEOSPARQL), "dcterms": str(DCTERMS)})


# --------------------------------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                    help="path of the shared folder (default: ../shared relative to the repository root)")
    ap.add_argument("--out", type=Path, default=REPO / "data" / "koeln",
                    help="output directory (default: data/koeln)")
    args = ap.parse_args(argv)
    ref = args.shared / "ref" / "koeln"
    if not (ref / "stadtteile.csv").is_file():
        print(f"reference data not found: {ref}", file=sys.stderr)
        return 2
    write(build_gebiete(ref), HEADER_GEBIETE, args.out / "gebiete.ttl")
    write(build_indikatoren(ref), HEADER_INDIKATOREN, args.out / "indikatoren.ttl")
    (args.out / "geometrien.ttl").write_bytes(HEADER_GEOMETRIEN.encode("utf-8") + b"\n" + build_geometrien(ref))
    print(f"wrote {args.out / 'gebiete.ttl'}, {args.out / 'indikatoren.ttl'} and {args.out / 'geometrien.ttl'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
