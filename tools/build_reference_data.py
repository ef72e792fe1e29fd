#!/usr/bin/env python3
"""Build the Cologne reference data (areas and indicators) as Turtle.

Reads the compiled reference files in ``<shared>/ref/koeln/`` (see SOURCES.md there) and writes

* ``data/koeln/gebiete.ttl``     – city, 9 Stadtbezirke, 86 Stadtteile, Sozialräume "Lebenswerte Veedel"
* ``data/koeln/indikatoren.ttl`` – sg:Indicator descriptions and qb:Observation per area, indicator and year

Only facts and figures are carried over (with their sources); no file of the shared folder is copied.
The output is deterministic: running the script twice gives the same bytes.

Usage::

    .venv/bin/python tools/build_reference_data.py [--shared ../shared] [--out data/koeln]

``--shared`` defaults to ``../shared`` relative to the repository root, ``--out`` to ``data/koeln``.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, SKOS

REPO = Path(__file__).resolve().parent.parent

BASE = "https://w3id.org/sozialgraph/"
ID = BASE + "id/"
SG = Namespace(BASE + "ontology#")
SGID = Namespace(ID)
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
QB = Namespace("http://purl.org/linked-data/cube#")

CITY = SGID["stadt/koeln"]
DS_GEBIETE = SGID["datensatz/gebiete-koeln"]
DS_INDIKATOREN = SGID["datensatz/indikatoren-koeln"]

LIC_CC_BY_DE_30 = URIRef("http://dcat-ap.de/def/licenses/cc-by-de/3.0")
LIC_DL_BY_DE_20 = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")

ATTRIBUTION = "Stadt Köln, Amt für Stadtentwicklung und Statistik / Offene Daten Köln"
RIGHTS_HOLDER = "Stadt Köln, Amt für Stadtentwicklung und Statistik"

# Original download URLs of the Offene-Daten-Köln datasets, as given in ref/koeln/SOURCES.md
SRC_STADTTEIL = URIRef("http://offenedaten-koeln.de/sites/default/files/2013-06-25_shape_stadtteil_0.zip")
SRC_STADTBEZIRK = URIRef("http://offenedaten-koeln.de/sites/default/files/2013-10-04_shape_stadtbezirk_1.zip")
SRC_BEVOELKERUNG = URIRef("http://www.offenedaten-koeln.de/node/303/download")
SRC_DATENKATALOG = URIRef("https://www.offenedaten-koeln.de/dataset/statistischer-datenkatalog-koeln")
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

# Indicator codes of derived/indikatoren_stadtteile_long.csv -> code used here (IRI segment, lower case),
# labels, unit and description. Merkmal codes of the Statistischer Datenkatalog from the source extract.
INDICATORS: dict[str, dict[str, str]] = {
    "einwohner": dict(
        code="einwohner", de="Einwohnerinnen und Einwohner", en="Inhabitants", unit="Personen",
        comment_de=(
            "Zahl der Einwohnerinnen und Einwohner. 2012: Datensatz \"Bevölkerung\", Tabelle \"Einwohner in Köln\" "
            "(Einwohner mit Haupt- und Nebenwohnung). 2025: Statistischer Datenkatalog, Merkmal A0025A "
            "(Abgrenzung Haupt-/Nebenwohnung in der Quelle nicht angegeben). Die Jahre sind daher nur "
            "eingeschränkt vergleichbar. Bezugsgröße für Angebote je 1.000 Einwohner."),
        comment_en=(
            "Number of inhabitants. 2012: dataset \"Bevölkerung\" (main and secondary residence). 2025: "
            "statistical data catalogue, feature A0025A (residence definition not stated in the source). "
            "The years are only partly comparable. Denominator for offers per 1,000 inhabitants."),
    ),
    "einwohner_hauptwohnsitz": dict(
        code="einwohner_hauptwohnsitz", de="Einwohner mit Hauptwohnsitz", en="Inhabitants (main residence)",
        unit="Personen",
        comment_de="Einwohnerinnen und Einwohner mit Hauptwohnung (Datensatz \"Bevölkerung\", Wohnstatus).",
        comment_en="Inhabitants with main residence (dataset \"Bevölkerung\", residence status).",
    ),
    "unter18": dict(
        code="unter18", de="Einwohner unter 18 Jahren", en="Inhabitants under 18", unit="Personen",
        comment_de="Einwohnerinnen und Einwohner im Alter unter 18 Jahren.",
        comment_en="Inhabitants aged under 18.",
    ),
    "anteil_unter18_pct": dict(
        code="anteil_unter18_pct", de="Anteil unter 18 Jahren", en="Share under 18", unit="Prozent",
        comment_de="Anteil der unter 18-Jährigen an den Einwohnern in Prozent.",
        comment_en="Share of inhabitants aged under 18, in per cent.",
    ),
    "ab65": dict(
        code="ab65", de="Einwohner ab 65 Jahren", en="Inhabitants aged 65 and over", unit="Personen",
        comment_de="Einwohnerinnen und Einwohner im Alter von 65 Jahren und älter.",
        comment_en="Inhabitants aged 65 and over.",
    ),
    "anteil_ab65_pct": dict(
        code="anteil_ab65_pct", de="Anteil ab 65 Jahren", en="Share aged 65 and over", unit="Prozent",
        comment_de="Anteil der Einwohner ab 65 Jahren in Prozent.",
        comment_en="Share of inhabitants aged 65 and over, in per cent.",
    ),
    "ab75": dict(
        code="ab75", de="Einwohner ab 75 Jahren", en="Inhabitants aged 75 and over", unit="Personen",
        comment_de="Einwohnerinnen und Einwohner im Alter von 75 Jahren und älter.",
        comment_en="Inhabitants aged 75 and over.",
    ),
    "anteil_ab75_pct": dict(
        code="anteil_ab75_pct", de="Anteil ab 75 Jahren", en="Share aged 75 and over", unit="Prozent",
        comment_de="Anteil der Einwohner ab 75 Jahren in Prozent.",
        comment_en="Share of inhabitants aged 75 and over, in per cent.",
    ),
    "migrationshintergrund": dict(
        code="migrationshintergrund", de="Einwohner mit Migrationshintergrund",
        en="Inhabitants with a migration background", unit="Personen",
        comment_de="Einwohnerinnen und Einwohner mit Migrationshintergrund (Definition der Kölner Statistik).",
        comment_en="Inhabitants with a migration background (definition of Cologne's statistics office).",
    ),
    "anteil_migrationshintergrund_pct": dict(
        code="anteil_migrationshintergrund_pct", de="Anteil mit Migrationshintergrund",
        en="Share with a migration background", unit="Prozent",
        comment_de="Anteil der Einwohner mit Migrationshintergrund in Prozent.",
        comment_en="Share of inhabitants with a migration background, in per cent.",
    ),
    "auslaender": dict(
        code="auslaender", de="Ausländerinnen und Ausländer", en="Foreign nationals", unit="Personen",
        comment_de="Einwohnerinnen und Einwohner ohne deutsche Staatsangehörigkeit.",
        comment_en="Inhabitants without German citizenship.",
    ),
    "anteil_auslaender_pct": dict(
        code="anteil_auslaender_pct", de="Ausländeranteil", en="Share of foreign nationals", unit="Prozent",
        comment_de="Anteil der Einwohner ohne deutsche Staatsangehörigkeit in Prozent.",
        comment_en="Share of inhabitants without German citizenship, in per cent.",
    ),
    "durchschnittsalter": dict(
        code="durchschnittsalter", de="Durchschnittsalter", en="Average age", unit="Jahre",
        comment_de="Durchschnittsalter der Einwohner in Jahren (Statistischer Datenkatalog, Merkmal A0022S).",
        comment_en="Average age of inhabitants in years (statistical data catalogue, feature A0022S).",
    ),
    "haushalte": dict(
        code="haushalte", de="Haushalte", en="Households", unit="Haushalte",
        comment_de="Zahl der Haushalte (Statistischer Datenkatalog, Merkmal A0267A).",
        comment_en="Number of households (statistical data catalogue, feature A0267A).",
    ),
    "anteilEinpersonen": dict(
        code="anteil_einpersonenhaushalte_pct", de="Anteil Einpersonenhaushalte", en="Share of single-person households",
        unit="Prozent",
        comment_de="Anteil der Einpersonenhaushalte an allen Haushalten in Prozent (Merkmal A0273P; "
                   "Quellkennung anteilEinpersonen).",
        comment_en="Share of single-person households in per cent (feature A0273P; source code anteilEinpersonen).",
    ),
    "anteilMitKindern": dict(
        code="anteil_haushalte_mit_kindern_pct", de="Anteil Haushalte mit Kindern", en="Share of households with children",
        unit="Prozent",
        comment_de="Anteil der Haushalte mit Kindern an allen Haushalten in Prozent (Merkmal A0275P; "
                   "Quellkennung anteilMitKindern).",
        comment_en="Share of households with children in per cent (feature A0275P; source code anteilMitKindern).",
    ),
    "wohnungen": dict(
        code="wohnungen", de="Wohnungen", en="Dwellings", unit="Wohnungen",
        comment_de="Wohnungsbestand (Merkmal B0025A; laut Quelle nach Zensus 2022 fortgeschrieben).",
        comment_en="Housing stock (feature B0025A; updated from the 2022 census according to the source).",
    ),
    "wohnflaecheJeWohnung": dict(
        code="wohnflaeche_je_wohnung", de="Wohnfläche je Wohnung", en="Living space per dwelling", unit="m²",
        comment_de="Durchschnittliche Wohnfläche je Wohnung in Quadratmetern (Merkmal B0023S; "
                   "Quellkennung wohnflaecheJeWohnung).",
        comment_en="Average living space per dwelling in square metres (feature B0023S).",
    ),
    "wohnflaecheJeEinwohner": dict(
        code="wohnflaeche_je_einwohner", de="Wohnfläche je Einwohner", en="Living space per inhabitant", unit="m²",
        comment_de="Durchschnittliche Wohnfläche je Einwohner in Quadratmetern (Merkmal B0022S; "
                   "Quellkennung wohnflaecheJeEinwohner).",
        comment_en="Average living space per inhabitant in square metres (feature B0022S).",
    ),
    "neubauWohnungen": dict(
        code="neubau_wohnungen_saldo", de="Neubau von Wohnungen (Saldo)", en="New dwellings (net)",
        unit="Wohnungen (Saldo)",
        comment_de="Saldo der Wohnungen aus Neubau/Abgang im Berichtsjahr (Merkmal B0009A; Quellkennung "
                   "neubauWohnungen). Je Stadtteil ist das jüngste Jahr mit Wert angegeben.",
        comment_en="Net change of dwellings from construction in the reference year (feature B0009A). For each "
                   "quarter the latest year with a value is given.",
    ),
    "anteilGefoerdert": dict(
        code="anteil_gefoerderte_wohnungen_pct", de="Anteil geförderter Wohnungen", en="Share of subsidised dwellings",
        unit="Prozent",
        comment_de="Anteil öffentlich geförderter Wohnungen am Wohnungsbestand in Prozent (Merkmal B0026P; "
                   "Quellkennung anteilGefoerdert).",
        comment_en="Share of publicly subsidised dwellings in the housing stock, in per cent (feature B0026P).",
    ),
}

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
# Each observation names its source text and licence. Observations marked "abgeleitet" in rdfs:comment are sums
# computed by the script (no value in the source).
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


def add_observation(g: Graph, code: str, area: URIRef, key: str, year: str, value: Literal,
                    source: str, licence: URIRef) -> URIRef:
    o = SGID[f"beobachtung/{code}/{key}/{year}"]
    if (o, RDF.type, QB.Observation) in g:
        raise SystemExit(f"duplicate observation {o}")
    g.add((o, RDF.type, QB.Observation))
    g.add((o, QB.dataSet, DS_INDIKATOREN))
    g.add((o, SG.indicator, SGID[f"indikator/{code}"]))
    g.add((o, SG.refArea, area))
    g.add((o, SG.refPeriod, Literal(year, datatype=XSD.gYear)))
    g.add((o, SG.value, value))
    g.add((o, DCTERMS.source, Literal(source)))
    g.add((o, DCTERMS.license, licence))
    return o


def build_indikatoren(ref: Path) -> Graph:
    g = new_graph()
    rows = read_csv(ref / "derived" / "indikatoren_stadtteile_long.csv")
    stadtteile = {r["stadtteil_nr"].strip() for r in read_csv(ref / "stadtteile.csv")}

    g.add((DS_INDIKATOREN, RDF.type, QB.DataSet))
    g.add((DS_INDIKATOREN, RDF.type, DCAT.Dataset))
    g.add((DS_INDIKATOREN, RDFS.label, Literal("Indikatoren Köln (Stadtteile, Stadtbezirke, Gesamtstadt)", lang="de")))
    g.add((DS_INDIKATOREN, RDFS.label, Literal("Cologne indicators (quarters, boroughs, city)", lang="en")))
    g.add((DS_INDIKATOREN, DCTERMS.description, Literal(
        "Bevölkerungsstruktur 2012 (Datensatz \"Bevölkerung\", CC BY 3.0 DE) und Bevölkerungs- und Wohnkennzahlen "
        "2024/2025 (Statistischer Datenkatalog, DL-DE-BY-2.0) je Stadtteil, Stadtbezirk und Gesamtstadt. Jede "
        "Beobachtung nennt Quelle und Lizenz.", lang="de")))
    g.add((DS_INDIKATOREN, DCTERMS.description, Literal(
        "Population structure 2012 (dataset \"Bevölkerung\", CC BY 3.0 DE) and population and housing figures "
        "2024/2025 (statistical data catalogue, DL-DE-BY-2.0) per quarter, borough and city. Every observation "
        "names its source and licence.", lang="en")))
    g.add((DS_INDIKATOREN, DCTERMS.source, SRC_BEVOELKERUNG))
    g.add((DS_INDIKATOREN, DCTERMS.source, SRC_DATENKATALOG))
    g.add((DS_INDIKATOREN, DCTERMS.license, LIC_CC_BY_DE_30))
    g.add((DS_INDIKATOREN, DCTERMS.license, LIC_DL_BY_DE_20))
    g.add((DS_INDIKATOREN, DCTERMS.rightsHolder, Literal(RIGHTS_HOLDER)))
    g.add((DS_INDIKATOREN, DCTERMS.bibliographicCitation, Literal(ATTRIBUTION)))

    used: set[str] = set()
    # (code, year) -> {Stadtbezirk nr -> list of Stadtteil values}, for derived borough sums
    einwohner_2025_by_bezirk: dict[str, list[Decimal]] = defaultdict(list)
    bezirk_has_2025: set[str] = set()
    source_2025 = None
    licence_2025 = None

    for r in rows:
        src_code = r["indikator"].strip()
        meta = INDICATORS.get(src_code)
        if meta is None:
            raise SystemExit(f"indicator {src_code!r} has no description in INDICATORS")
        code = meta["code"]
        used.add(src_code)
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

    for src_code in sorted(used):
        meta = INDICATORS[src_code]
        s = SGID[f"indikator/{meta['code']}"]
        g.add((s, RDF.type, SG.Indicator))
        label(g, s, meta["de"], meta["en"])
        g.add((s, SKOS.notation, Literal(meta["code"])))
        g.add((s, SG.unit, Literal(meta["unit"])))
        for p in (RDFS.comment, DCTERMS.description):
            g.add((s, p, Literal(meta["comment_de"], lang="de")))
            g.add((s, p, Literal(meta["comment_en"], lang="en")))
        g.add((s, DCTERMS.isPartOf, DS_INDIKATOREN))
    return g


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
    print(f"wrote {args.out / 'gebiete.ttl'} and {args.out / 'indikatoren.ttl'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
