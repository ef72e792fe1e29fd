"""The one prefix -> IRI map of the project. Everything else imports it.

See docs/CONVENTIONS.md for the IRI patterns and named graphs.
"""

from __future__ import annotations

import re
import unicodedata

BASE = "https://w3id.org/sozialgraph/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
ONTOLOGY_IRI = BASE + "ontology"

PREFIXES: dict[str, str] = {
    "sg": ONTOLOGY_IRI + "#",
    "sgid": ID,
    "zg": ID + "zielgruppe/",
    "art": ID + "angebotsart/",
    "ll": ID + "lebenslage/",
    "rw": ID + "reichweite/",
    "bf": ID + "barrierefreiheit/",
    "ko": ID + "kosten/",
    "lang": "http://publications.europa.eu/resource/authority/language/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "cpsv": "http://purl.org/vocab/cpsv#",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "geosparql": "http://www.opengis.net/ont/geosparql#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "void": "http://rdfs.org/ns/void#",
    "sh": "http://www.w3.org/ns/shacl#",
    "vann": "http://purl.org/vocab/vann/",
    "sgsh": BASE + "shapes#",
}

SG = PREFIXES["sg"]

# Named graphs (docs/CONVENTIONS.md)
G_ONTOLOGY = GRAPH + "ontology"
G_VOCAB = GRAPH + "vocab"
G_REFERENCE = GRAPH + "reference"
G_INDICATORS = GRAPH + "indicators"
G_INDICATORS_EXAMPLE = GRAPH + "indicators/beispiel"  # synthetic indicator series (Beispieldaten), one switch
G_ANALYSIS = GRAPH + "analysis"  # burden index, coverage and gap ranking with their provenance (analysis/)
G_GEO = GRAPH + "geo"
G_PROVENANCE = GRAPH + "provenance"
# the public default graph: the RDF merge of every public graph, each triple once (store/base.py)
G_PUBLIC_DEFAULT = GRAPH + "default"
G_PRIVATE = GRAPH + "private/"
G_PRIVATE_PROVENANCE = G_PRIVATE + "provenance"
G_TOKENS = G_PRIVATE + "tokens"

# Kinds a user may name, with the German and English word used in messages.
KIND_NAMES: dict[str, tuple[str, str]] = {
    "zielgruppe": ("Zielgruppe", "target group"),
    "angebotsart": ("Angebotsart", "offer type"),
    "lebenslage": ("Lebenslagendimension", "life-situation dimension"),
    "reichweite": ("Reichweite", "reach"),
    "barrierefreiheit": ("Angabe zur Barrierefreiheit", "accessibility value"),
    "kosten": ("Kostenangabe", "cost value"),
    "sprache": ("Sprache", "language"),
    "stadtteil": ("Stadtteil", "quarter (Stadtteil)"),
    "stadtbezirk": ("Stadtbezirk", "borough (Stadtbezirk)"),
    "sozialraum": ("Sozialraum", "planning area"),
    "stadt": ("Stadt", "city"),
    "amt": ("Amt", "office"),
    "dezernat": ("Dezernat", "department"),
    "ziel": ("Ziel", "goal"),
    "traeger": ("Träger", "provider"),
}


def office_graph(code: str) -> str:
    return f"{GRAPH}office/{code}"


def private_office_graph(code: str) -> str:
    return f"{G_PRIVATE}office/{code}"


def indicator_graph(key: str) -> str:
    """Graph of an imported indicator dataset (capture/indicators.py), e.g. …/graph/indicators/import/datenkatalog."""
    return f"{GRAPH}indicators/import/{key}"


def steering_graph(code: str) -> str:
    """Goals, needs, measures and evaluations submitted by an office (steering/), current version."""
    return f"{GRAPH}steering/{code}"


G_STEERING_EXAMPLE = GRAPH + "steering/beispiel"  # example goals with targets, needs and measures (Beispieldaten)


def version_graph(code: str, n: int, part: str) -> str:
    assert part in ("public", "private")
    return f"{G_PRIVATE}version/{code}/{n}/{part}"


def is_public_graph(iri: str) -> bool:
    return not iri.startswith(G_PRIVATE)


_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def fold(text: str) -> str:
    """Lower-case, umlauts spelled out, other accents stripped: 'Mülheim' -> 'muelheim'."""
    text = text.strip().translate(_FOLD).lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def slug(text: str) -> str:
    """IRI path segment: folded, runs of other characters -> '-'."""
    s = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return s or "x"


def sparql_prefixes(names: list[str] | None = None) -> str:
    names = names or list(PREFIXES)
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in names)
