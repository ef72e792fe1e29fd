"""Checks on the sozialgraph ontology (ontology/sozialgraph.ttl) and the SKOS vocabularies (data/vocab/*.ttl).

What is pinned here: both parse; every sg: class and property is documented in German and English and has a
domain and a range; the alignments to standard vocabularies promised in ontology/README.md are present; every
concept has labels, notation and scheme; notations and labels are unambiguous per scheme; no skos:broader
cycles; the concepts the project relies on exist (looked up by German prefLabel) with their broader links; and
no file uses an sg: term that the ontology does not declare.
"""

from __future__ import annotations

import importlib.util
import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_FILE = ROOT / "ontology" / "sozialgraph.ttl"
README_FILE = ROOT / "ontology" / "README.md"
VOCAB_DIR = ROOT / "data" / "vocab"

SG = Namespace("https://w3id.org/sozialgraph/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/sozialgraph/ontology")
ID = "https://w3id.org/sozialgraph/id/"
EU_LANG = "http://publications.europa.eu/resource/authority/language/"
VANN = Namespace("http://purl.org/vocab/vann/")
SCHEMA = Namespace("https://schema.org/")  # as src/sozialgraph/namespaces.py
ORG = Namespace("http://www.w3.org/ns/org#")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
GEOSPARQL = Namespace("http://www.opengis.net/ont/geosparql#")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
PROV = Namespace("http://www.w3.org/ns/prov#")
QB = Namespace("http://purl.org/linked-data/cube#")

# file -> (scheme IRI, sg: class every concept of the scheme carries)
VOCABS = {
    "zielgruppen.ttl": (URIRef(ID + "zielgruppe"), SG.TargetGroup),
    "angebotsarten.ttl": (URIRef(ID + "angebotsart"), SG.OfferType),
    "lebenslagen.ttl": (URIRef(ID + "lebenslage"), SG.LifeSituationDimension),
    "reichweite.ttl": (URIRef(ID + "reichweite"), SG.Reach),
    "barrierefreiheit.ttl": (URIRef(ID + "barrierefreiheit"), SG.AccessibilityStatus),
    "kosten.ttl": (URIRef(ID + "kosten"), SG.CostCategory),
    "sprachen.ttl": (URIRef(ID + "sprache"), SG.Language),
    "massnahmenstatus.ttl": (URIRef(ID + "massnahmenstatus"), SKOS.Concept),
    "bedarfsstatus.ttl": (URIRef(ID + "bedarfsstatus"), SKOS.Concept),
    "aufschluesselungen.ttl": (URIRef(ID + "aufschluesselung"), SG.Breakdown),
    "beobachtungsstatus.ttl": (URIRef(ID + "beobachtungsstatus"), SG.ObservationStatus),
}
SCHEME = {name.split(".")[0]: scheme for name, (scheme, _cls) in VOCABS.items()}
LANGUAGE_SCHEME = SCHEME["sprachen"]

# Core terms of docs/CONVENTIONS.md plus the terms the brief of this ontology asks for.
CORE_CLASSES = [
    "Offer", "Place", "AdministrativeArea", "City", "Borough", "Quarter", "PlanningArea", "Department", "Office",
    "StaffUnit", "Provider", "Goal", "StrategicGoal", "OperationalGoal", "Need", "Measure", "Indicator",
    "Submission", "TargetGroup", "OfferType", "LifeSituationDimension", "Reach",
]
CORE_OBJECT_PROPERTIES = [
    "offerType", "targetGroup", "lifeSituation", "provider", "responsibleOffice", "location", "quarter",
    "borough", "reach", "contributesTo", "accessibility", "cost", "partOf", "coversQuarter", "subGoalOf",
    "addressesNeed", "pursuesGoal", "needIn", "needOf", "implementedBy", "evaluation", "indicator", "refArea",
]
CORE_DATATYPE_PROPERTIES = [
    "minAge", "maxAge", "capacity", "peopleReachedPerYear", "confidential", "exampleData", "areaKm2",
    "refPeriod", "value", "unit",
]

SG_NAME = re.compile(r"(?<![\w/#:.-])sg:([A-Za-z][A-Za-z0-9_]*)")
SG_PREFIX_DECL = re.compile(r"(?:@prefix|PREFIX)\s+sg:\s*<([^>]*)>", re.IGNORECASE)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """The slug rule of docs/CONVENTIONS.md."""
    text = text.lower()
    for umlaut, folded in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, folded)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def texts(graph: Graph, subject, predicate, lang: str | None = None) -> list[str]:
    return [
        str(o) for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and (lang is None or o.language == lang)
    ]


def vocab_files() -> list[str]:
    return sorted(set(VOCABS) | {p.name for p in VOCAB_DIR.glob("*.ttl")})


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@pytest.fixture(scope="module")
def vocab_by_file() -> dict[str, Graph]:
    return {name: Graph().parse(VOCAB_DIR / name, format="turtle") for name in vocab_files()}


@pytest.fixture(scope="module")
def vocab(vocab_by_file) -> Graph:
    union = Graph()
    for graph in vocab_by_file.values():
        union += graph
    return union


@pytest.fixture(scope="module")
def sg_terms(onto) -> dict[URIRef, set[URIRef]]:
    """sg: IRI -> its rdf:types in the ontology (classes, properties, other declared resources)."""
    terms: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, o in onto.subject_objects(RDF.type):
        if isinstance(s, URIRef) and s.startswith(str(SG)):
            terms[s].add(o)
    return terms


def documented_terms(sg_terms) -> list[URIRef]:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    return sorted(t for t, types in sg_terms.items() if types & kinds)


def concepts_of(vocab: Graph, scheme: URIRef) -> set[URIRef]:
    return {c for c in vocab.subjects(SKOS.inScheme, scheme) if (c, RDF.type, SKOS.Concept) in vocab}


def concept(vocab: Graph, scheme_key: str, pref_de: str) -> URIRef:
    """The concept of a scheme with this German prefLabel; fails if there is not exactly one."""
    scheme = SCHEME[scheme_key]
    found = [c for c in vocab.subjects(SKOS.prefLabel, Literal(pref_de, lang="de")) if (c, SKOS.inScheme, scheme) in vocab]
    assert len(found) == 1, f"{scheme_key}: expected one concept with prefLabel {pref_de!r}@de, found {found}"
    return found[0]


def broader_closure(vocab: Graph, start: URIRef) -> set[URIRef]:
    seen: set[URIRef] = set()
    todo = list(vocab.objects(start, SKOS.broader))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(vocab.objects(node, SKOS.broader))
    return seen


# ------------------------------------------------------------------------------------------------ parsing


def test_ontology_parses_and_is_an_owl_ontology(onto):
    assert len(onto) > 300
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto


@pytest.mark.parametrize("name", vocab_files())
def test_vocab_file_parses(name, vocab_by_file):
    assert name in VOCABS, f"data/vocab/{name} is not a known vocabulary; add it to VOCABS in this test"
    assert len(vocab_by_file[name]) > 0


@pytest.mark.parametrize("path", [ONTOLOGY_FILE, *(VOCAB_DIR / n for n in VOCABS)], ids=lambda p: p.name)
def test_file_opens_with_comment_naming_licence(path):
    head = path.read_text(encoding="utf-8").split("@prefix", 1)[0]
    assert head.lstrip().startswith("#"), f"{path.name} must open with a comment"
    head = " ".join(line.lstrip("#").strip() for line in head.splitlines())
    assert "CC BY 4.0" in head
    if path.parent == VOCAB_DIR:
        assert "sozialgraph's own" in head
    if path.name == "sprachen.ttl":
        assert "EU Publications Office" in head and "Named Authority List" in head


# ------------------------------------------------------------------------------------------------ ontology


def test_ontology_header(onto):
    o = ONTOLOGY_IRI
    for lang in ("de", "en"):
        assert texts(onto, o, DCTERMS.title, lang), f"dcterms:title @{lang} missing"
        assert texts(onto, o, RDFS.comment, lang), f"rdfs:comment @{lang} missing"
    assert texts(onto, o, OWL.versionInfo) == ["0.1.0"]
    assert (o, OWL.versionIRI, URIRef("https://w3id.org/sozialgraph/ontology/0.1.0")) in onto
    assert (o, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in onto
    assert texts(onto, o, VANN.preferredNamespacePrefix) == ["sg"]
    assert texts(onto, o, VANN.preferredNamespaceUri) == [str(SG)]
    for prop in (DCTERMS.created, DCTERMS.modified):
        values = list(onto.objects(o, prop))
        assert len(values) == 1 and values[0].datatype == XSD.date, f"{prop} must be one xsd:date"


def test_core_terms_are_declared_with_the_right_kind(sg_terms):
    for name in CORE_CLASSES:
        assert OWL.Class in sg_terms.get(SG[name], set()), f"sg:{name} is not an owl:Class"
    for name in CORE_OBJECT_PROPERTIES:
        assert OWL.ObjectProperty in sg_terms.get(SG[name], set()), f"sg:{name} is not an owl:ObjectProperty"
    for name in CORE_DATATYPE_PROPERTIES:
        assert OWL.DatatypeProperty in sg_terms.get(SG[name], set()), f"sg:{name} is not an owl:DatatypeProperty"


def test_every_sg_term_has_bilingual_label_and_comment(onto, sg_terms):
    terms = documented_terms(sg_terms)
    assert len(terms) >= len(CORE_CLASSES) + len(CORE_OBJECT_PROPERTIES) + len(CORE_DATATYPE_PROPERTIES)
    problems = []
    for term in terms:
        for lang in ("de", "en"):
            if len(texts(onto, term, RDFS.label, lang)) != 1:
                problems.append(f"{term.fragment}: needs exactly one rdfs:label @{lang}")
            if not texts(onto, term, RDFS.comment, lang):
                problems.append(f"{term.fragment}: rdfs:comment @{lang} missing")
        if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in onto:
            problems.append(f"{term.fragment}: rdfs:isDefinedBy <{ONTOLOGY_IRI}> missing")
    assert not problems, "\n".join(problems)


def test_every_sg_property_has_domain_and_range_of_its_kind(onto, sg_terms):
    problems = []
    for term, types in sorted(sg_terms.items()):
        is_object = OWL.ObjectProperty in types
        is_datatype = OWL.DatatypeProperty in types
        if not (is_object or is_datatype):
            continue
        if is_object and is_datatype:
            problems.append(f"{term.fragment}: both object and datatype property")
        if not list(onto.objects(term, RDFS.domain)):
            problems.append(f"{term.fragment}: rdfs:domain missing")
        ranges = list(onto.objects(term, RDFS.range))
        if len(ranges) != 1:
            problems.append(f"{term.fragment}: needs exactly one rdfs:range")
            continue
        in_xsd = str(ranges[0]).startswith(str(XSD))
        if is_datatype and not in_xsd:
            problems.append(f"{term.fragment}: datatype property with non-XSD range {ranges[0]}")
        if is_object and in_xsd:
            problems.append(f"{term.fragment}: object property with datatype range {ranges[0]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "prop, datatype",
    [
        ("refPeriod", XSD.gYear), ("value", XSD.decimal), ("peopleReachedPerYear", XSD.integer),
        ("confidential", XSD.boolean), ("exampleData", XSD.boolean), ("areaKm2", XSD.decimal),
        ("minAge", XSD.integer), ("maxAge", XSD.integer), ("capacity", XSD.integer), ("rank", XSD.integer),
    ],
)
def test_datatype_ranges_match_conventions(onto, prop, datatype):
    assert (SG[prop], RDFS.range, datatype) in onto


def domain_members(onto, prop) -> set:
    """The classes of a property's rdfs:domain: the class itself, or the members of its owl:unionOf."""
    out = set()
    for d in onto.objects(prop, RDFS.domain):
        union = onto.value(d, OWL.unionOf)
        out |= set(Collection(onto, union)) if union is not None else {d}
    return out


@pytest.mark.parametrize(
    "prop, domain, range_",
    [
        ("offerType", SG.Offer, SG.OfferType), ("targetGroup", SG.Offer, SG.TargetGroup),
        ("provider", SG.Offer, SG.Provider), ("responsibleOffice", SG.Offer, SG.Office),
        ("location", SG.Offer, SG.Place), ("borough", SG.Offer, SG.Borough), ("reach", SG.Offer, SG.Reach),
        ("contributesTo", SG.Offer, SG.Goal), ("cost", SG.Offer, SG.CostCategory),
        ("subGoalOf", SG.Goal, SG.Goal), ("coversQuarter", SG.PlanningArea, SG.Quarter),
        ("needIn", SG.Need, SG.AdministrativeArea), ("needOf", SG.Need, SG.TargetGroup),
        ("pursuesGoal", SG.Measure, SG.Goal), ("indicator", QB.Observation, SG.Indicator),
        ("refArea", QB.Observation, SG.AdministrativeArea),
    ],
)
def test_object_property_domain_and_range(onto, prop, domain, range_):
    assert domain in domain_members(onto, SG[prop])
    assert (SG[prop], RDFS.range, range_) in onto


@pytest.mark.parametrize(
    "subject, predicate, obj",
    [
        (SG.Offer, RDFS.subClassOf, SCHEMA.Service),
        (SG.Offer, SKOS.closeMatch, CPSV.PublicService),
        (SG.Place, RDFS.subClassOf, SCHEMA.Place),
        (SG.Place, RDFS.subClassOf, GEO.SpatialThing),
        (SG.AdministrativeArea, RDFS.subClassOf, GEOSPARQL.Feature),
        (SG.Office, RDFS.subClassOf, ORG.OrganizationalUnit),
        (SG.Department, RDFS.subClassOf, ORG.OrganizationalUnit),
        (SG.StaffUnit, RDFS.subClassOf, SG.Office),
        (SG.Provider, RDFS.subClassOf, ORG.Organization),
        (SG.Provider, RDFS.subClassOf, SCHEMA.Organization),
        (SG.StrategicGoal, RDFS.subClassOf, SG.Goal),
        (SG.OperationalGoal, RDFS.subClassOf, SG.Goal),
        (SG.Submission, RDFS.subClassOf, PROV.Activity),
        (SG.TargetGroup, RDFS.subClassOf, SKOS.Concept),
        (SG.OfferType, RDFS.subClassOf, SKOS.Concept),
        (SG.LifeSituationDimension, RDFS.subClassOf, SKOS.Concept),
        (SG.Reach, RDFS.subClassOf, SKOS.Concept),
        (SG.AccessibilityStatus, RDFS.subClassOf, SKOS.Concept),
        (SG.CostCategory, RDFS.subClassOf, SKOS.Concept),
        (SG.Language, RDFS.subClassOf, SKOS.Concept),
        (SG.refArea, RDF.type, QB.DimensionProperty),
        (SG.refPeriod, RDF.type, QB.DimensionProperty),
        (SG.value, RDF.type, QB.MeasureProperty),
    ],
)
def test_alignment_to_standard_vocabularies(onto, subject, predicate, obj):
    assert (subject, predicate, obj) in onto


@pytest.mark.parametrize("area", ["City", "Borough", "Quarter", "PlanningArea", "SocialSpace", "Neighbourhood"])
def test_area_levels_are_administrative_areas(onto, area):
    assert SG.AdministrativeArea in set(onto.transitive_objects(SG[area], RDFS.subClassOf))


def test_no_subclass_or_subproperty_cycles(onto, sg_terms):
    for term in sg_terms:
        for prop in (RDFS.subClassOf, RDFS.subPropertyOf):
            above = set(onto.transitive_objects(term, prop)) - {term}
            assert all(term not in set(onto.objects(x, prop)) for x in above), f"cycle through {term} via {prop}"


# ------------------------------------------------------------------------------------------------ sg: usage


@pytest.mark.parametrize(
    "path",
    [ONTOLOGY_FILE, *sorted(VOCAB_DIR.glob("*.ttl"))],
    ids=lambda p: p.name,
)
def test_every_sg_term_used_is_declared(path, sg_terms):
    text = path.read_text(encoding="utf-8")
    for declared in SG_PREFIX_DECL.findall(text):
        assert declared == str(SG), f"{path.name}: prefix sg: bound to <{declared}>"
    graph = Graph().parse(path, format="turtle")
    used = {
        node for triple in graph for node in triple
        if isinstance(node, URIRef) and node.startswith(str(SG))
    }
    used |= {SG[name] for name in SG_NAME.findall(text)}  # also prefixed names in comments and literals
    undeclared = sorted(t.fragment for t in used if t not in sg_terms)
    assert not undeclared, f"{path.name} uses undeclared sg: terms: {undeclared}"


def project_prefixes() -> dict[str, str]:
    """PREFIXES of src/sozialgraph/namespaces.py, loaded from the file (the package need not be installed)."""
    path = ROOT / "src" / "sozialgraph" / "namespaces.py"
    if not path.exists():
        pytest.skip("src/sozialgraph/namespaces.py not present")
    spec = importlib.util.spec_from_file_location("_sg_namespaces_for_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PREFIXES


@pytest.mark.parametrize("path", [ONTOLOGY_FILE, *(VOCAB_DIR / n for n in VOCABS)], ids=lambda p: p.name)
def test_prefixes_match_project_namespace_map(path):
    prefixes = project_prefixes()
    declared = re.findall(r"@prefix\s+([\w-]*):\s*<([^>]*)>", path.read_text(encoding="utf-8"))
    wrong = [(name, iri, prefixes[name]) for name, iri in declared if name in prefixes and prefixes[name] != iri]
    assert not wrong, f"{path.name}: prefixes differ from namespaces.py (name, here, there): {wrong}"


# ------------------------------------------------------------------------------------------------ vocabularies


@pytest.mark.parametrize("name", sorted(VOCABS))
def test_scheme_is_complete(name, vocab_by_file):
    graph = vocab_by_file[name]
    scheme, _cls = VOCABS[name]
    assert set(graph.subjects(RDF.type, SKOS.ConceptScheme)) == {scheme}
    for lang in ("de", "en"):
        assert texts(graph, scheme, DCTERMS.title, lang), f"{name}: dcterms:title @{lang} missing"
    tops = set(graph.objects(scheme, SKOS.hasTopConcept))
    assert tops, f"{name}: skos:hasTopConcept missing"
    assert tops == set(graph.subjects(SKOS.topConceptOf, scheme)), f"{name}: hasTopConcept and topConceptOf differ"
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert concepts and concepts == concepts_of(graph, scheme), f"{name}: a concept is not in the file's scheme"
    for c in concepts:
        broader = set(graph.objects(c, SKOS.broader))
        if broader:
            assert c not in tops, f"{c} has skos:broader and is also a top concept"
            assert broader <= concepts, f"{c}: skos:broader points outside the scheme"
        else:
            assert c in tops, f"{c} has no skos:broader but is not a top concept"


@pytest.mark.parametrize("name", sorted(VOCABS))
def test_every_concept_is_well_formed(name, vocab_by_file):
    graph = vocab_by_file[name]
    scheme, cls = VOCABS[name]
    problems = []
    for c in sorted(graph.subjects(RDF.type, SKOS.Concept)):
        for lang in ("de", "en"):
            if len(texts(graph, c, SKOS.prefLabel, lang)) != 1:
                problems.append(f"{c}: needs exactly one skos:prefLabel @{lang}")
        if len(list(graph.objects(c, SKOS.notation))) != 1:
            problems.append(f"{c}: needs exactly one skos:notation")
        if (c, RDF.type, cls) not in graph:
            problems.append(f"{c}: rdf:type {cls.fragment} missing")
        if scheme == LANGUAGE_SCHEME:
            code = c.removeprefix(EU_LANG)
            if not c.startswith(EU_LANG) or not re.fullmatch(r"[A-Z]{3}", code):
                problems.append(f"{c}: not an EU authority language IRI")
            if texts(graph, c, DCTERMS.identifier) != [code]:
                problems.append(f"{c}: dcterms:identifier must be {code!r}")
            if not all(re.fullmatch(r"[a-z]{2,3}", n) for n in texts(graph, c, SKOS.notation)):
                problems.append(f"{c}: notation must be a lower-case language tag")
            continue
        for lang in ("de", "en"):
            if not texts(graph, c, SKOS.definition, lang):
                problems.append(f"{c}: skos:definition @{lang} missing")
        if not all(re.fullmatch(r"[A-Z]+(?:-[A-Z0-9]+)+", n) for n in texts(graph, c, SKOS.notation)):
            problems.append(f"{c}: notation must be an upper-case code like ZG-SEN")
        slug = c.removeprefix(str(scheme) + "/")
        if slug == str(c) or not SLUG.match(slug):
            problems.append(f"{c}: IRI must be <{scheme}/{{slug}}>")
        names = texts(graph, c, SKOS.prefLabel, "de") + texts(graph, c, SKOS.altLabel, "de")
        if slug not in {slugify(n) for n in names}:
            problems.append(f"{c}: slug is not the slug of its German prefLabel or an altLabel")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(VOCABS))
def test_notations_are_unique_per_scheme(name, vocab_by_file):
    graph = vocab_by_file[name]
    scheme, _cls = VOCABS[name]
    seen: dict[str, URIRef] = {}
    for c in concepts_of(graph, scheme):
        for notation in texts(graph, c, SKOS.notation):
            assert notation not in seen, f"{name}: notation {notation!r} on {seen[notation]} and {c}"
            seen[notation] = c


@pytest.mark.parametrize("name", sorted(VOCABS))
def test_labels_are_unambiguous_per_scheme(name, vocab_by_file):
    """A label (pref or alt, per language, case-insensitive) names one concept, so free text maps to one IRI."""
    graph = vocab_by_file[name]
    scheme, _cls = VOCABS[name]
    owner: dict[tuple[str, str], URIRef] = {}
    for c in concepts_of(graph, scheme):
        pref = {(lit.language, str(lit).casefold()) for lit in graph.objects(c, SKOS.prefLabel)}
        alt = {(lit.language, str(lit).casefold()) for lit in graph.objects(c, SKOS.altLabel)}
        assert not pref & alt, f"{c}: same label as prefLabel and altLabel: {pref & alt}"
        for key in pref | alt:
            assert owner.setdefault(key, c) == c, f"{name}: label {key} on {owner[key]} and {c}"


def test_no_broader_cycles(vocab):
    for c in set(vocab.subjects(RDF.type, SKOS.Concept)):
        assert c not in broader_closure(vocab, c), f"skos:broader cycle through {c}"


# ------------------------------------------------------------------------------------------------ content

REQUIRED = {
    "zielgruppen": [
        "Familien", "Alleinerziehende", "Kinder", "Jugendliche", "Senioren", "Menschen mit Behinderungen",
        "Pflegebedürftige", "Geflüchtete", "Menschen mit Migrationsgeschichte", "Wohnungslose", "Arbeitsuchende",
        "Langzeitarbeitslose", "Menschen mit geringem Einkommen", "Suchtkranke",
        "Menschen mit psychischen Erkrankungen", "Alle",
    ],
    "angebotsarten": [
        "Beratung", "Sozialberatung", "Schuldnerberatung", "Suchtberatung", "Pflegeberatung", "Wohnberatung",
        "Migrationsberatung", "Erziehungsberatung", "Energieberatung", "Abfallberatung", "Begegnungsstätte",
        "Seniorennetzwerk", "Familienzentrum", "Kindertagesstätte", "Jugendeinrichtung", "Notunterkunft",
        "Tagesstätte", "Gesundheitsangebot", "Sprach- und Integrationskurs", "Qualifizierung und Beschäftigung",
        "Wohnraumvermittlung",
    ],
    "lebenslagen": ["Einkommen", "Erwerbsarbeit", "Bildung", "Wohnen", "Gesundheit", "Soziale Teilhabe"],
    "reichweite": ["Einrichtung", "Quartier", "Stadtteil", "Stadtbezirk", "Gesamtstadt"],
    "barrierefreiheit": ["barrierefrei", "nicht barrierefrei", "teilweise barrierefrei"],
    "kosten": ["kostenlos", "kostenpflichtig", "ermäßigt"],
}


@pytest.mark.parametrize("scheme_key, label", [(k, v) for k, vs in REQUIRED.items() for v in vs])
def test_required_concept_exists(vocab, scheme_key, label):
    concept(vocab, scheme_key, label)


@pytest.mark.parametrize(
    "scheme_key, narrower, broader",
    [
        ("zielgruppen", "Alleinerziehende", "Familien"),
        ("zielgruppen", "Langzeitarbeitslose", "Arbeitsuchende"),
        *[
            ("angebotsarten", n, "Beratung")
            for n in ["Sozialberatung", "Schuldnerberatung", "Suchtberatung", "Pflegeberatung", "Wohnberatung",
                      "Migrationsberatung", "Erziehungsberatung"]
        ],
    ],
)
def test_required_broader_link(vocab, scheme_key, narrower, broader):
    assert (concept(vocab, scheme_key, narrower), SKOS.broader, concept(vocab, scheme_key, broader)) in vocab


@pytest.mark.parametrize(
    "scheme_key, top",
    [("angebotsarten", t) for t in ["Beratung", "Begegnungsstätte", "Seniorennetzwerk", "Familienzentrum",
                                     "Kindertagesstätte", "Jugendeinrichtung", "Notunterkunft", "Tagesstätte",
                                     "Gesundheitsangebot", "Sprach- und Integrationskurs",
                                     "Qualifizierung und Beschäftigung", "Wohnraumvermittlung"]]
    + [("lebenslagen", t) for t in REQUIRED["lebenslagen"]]
    + [("reichweite", t) for t in REQUIRED["reichweite"]],
)
def test_required_top_concept(vocab, scheme_key, top):
    assert (concept(vocab, scheme_key, top), SKOS.topConceptOf, SCHEME[scheme_key]) in vocab


@pytest.mark.parametrize(
    "scheme_key, pref, alts, slug, notation",
    [
        ("zielgruppen", "Senioren", {"Seniorinnen und Senioren", "Ältere Menschen"}, "senioren", "ZG-SEN"),
        ("zielgruppen", "Alleinerziehende", set(), "alleinerziehende", None),
        ("zielgruppen", "Menschen mit Behinderungen", set(), "menschen-mit-behinderungen", None),
        ("angebotsarten", "Kindertagesstätte", {"Kita"}, "kindertagesstaette", None),
        ("barrierefreiheit", "barrierefrei", {"ja"}, "ja", None),
        ("barrierefreiheit", "nicht barrierefrei", {"nein"}, "nein", None),
        ("barrierefreiheit", "teilweise barrierefrei", {"teilweise"}, "teilweise", None),
        ("kosten", "kostenlos", set(), "kostenlos", None),
        ("kosten", "kostenpflichtig", set(), "kostenpflichtig", None),
        ("kosten", "ermäßigt", set(), "ermaessigt", None),
    ],
)
def test_required_labels_and_iris(vocab, scheme_key, pref, alts, slug, notation):
    c = concept(vocab, scheme_key, pref)
    assert c == URIRef(f"{SCHEME[scheme_key]}/{slug}")
    assert alts <= set(texts(vocab, c, SKOS.altLabel, "de"))
    if notation:
        assert texts(vocab, c, SKOS.notation) == [notation]


def test_alle_is_a_top_concept_of_its_own(vocab):
    """zg:alle must not be broader than other groups: with sg:targetGroup/skos:broader* that would make
    "offers for everyone" mean "all offers"."""
    alle = concept(vocab, "zielgruppen", "Alle")
    assert (alle, SKOS.topConceptOf, SCHEME["zielgruppen"]) in vocab
    assert not list(vocab.subjects(SKOS.broader, alle))


def test_reach_levels_are_ordered(vocab):
    ranks = []
    for label in REQUIRED["reichweite"]:
        values = [int(v) for v in vocab.objects(concept(vocab, "reichweite", label), SG.rank)]
        assert len(values) == 1, f"{label}: needs exactly one sg:rank"
        ranks.append(values[0])
    assert ranks == [1, 2, 3, 4, 5]
    slugs = [concept(vocab, "reichweite", label).rsplit("/", 1)[1] for label in REQUIRED["reichweite"]]
    assert slugs == ["einrichtung", "quartier", "stadtteil", "stadtbezirk", "gesamtstadt"]


LANGUAGES = {  # EU code: (notation, German prefLabel)
    "DEU": ("de", "Deutsch"), "ENG": ("en", "Englisch"), "TUR": ("tr", "Türkisch"), "ARA": ("ar", "Arabisch"),
    "RUS": ("ru", "Russisch"), "POL": ("pl", "Polnisch"), "ITA": ("it", "Italienisch"),
    "ELL": ("el", "Griechisch"), "FRA": ("fr", "Französisch"), "SPA": ("es", "Spanisch"),
    "FAS": ("fa", "Persisch"), "KUR": ("ku", "Kurdisch"), "UKR": ("uk", "Ukrainisch"),
    "RON": ("ro", "Rumänisch"), "BUL": ("bg", "Bulgarisch"), "SRP": ("sr", "Serbisch"),
    "HRV": ("hr", "Kroatisch"), "BOS": ("bs", "Bosnisch"), "SQI": ("sq", "Albanisch"),
    "TIR": ("ti", "Tigrinya"), "PRS": ("prs", "Dari"), "PUS": ("ps", "Paschtu"), "SOM": ("so", "Somali"),
    "VIE": ("vi", "Vietnamesisch"), "ZHO": ("zh", "Chinesisch"), "POR": ("pt", "Portugiesisch"),
    "NLD": ("nl", "Niederländisch"), "TAM": ("ta", "Tamil"), "URD": ("ur", "Urdu"),
    "GSG": ("gsg", "Deutsche Gebärdensprache"),
}


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_language(vocab, code):
    notation, label = LANGUAGES[code]
    c = URIRef(EU_LANG + code)
    assert (c, RDF.type, SKOS.Concept) in vocab
    assert (c, SKOS.inScheme, LANGUAGE_SCHEME) in vocab
    assert texts(vocab, c, SKOS.notation) == [notation]
    assert texts(vocab, c, SKOS.prefLabel, "de") == [label]


def test_language_alt_labels(vocab):
    assert "Farsi" in texts(vocab, URIRef(EU_LANG + "FAS"), SKOS.altLabel, "de")
    assert "DGS" in texts(vocab, URIRef(EU_LANG + "GSG"), SKOS.altLabel, "de")


# ------------------------------------------------------------------------------------------------ README

COMPETENCY_QUESTIONS = {
    1: "queries/list-offers.rq",
    2: "queries/find-offers-serving-quarter.rq",
    3: "queries/count-offers-by-quarter-and-group.rq",
    4: "queries/list-quarters-without-offer.rq",
    5: "queries/list-offices-for-quarter.rq",
    6: "queries/find-offers-for-goal.rq",
    7: "queries/count-offers-by-life-situation.rq",
    8: "queries/count-offers-of-office-by-borough.rq",
}


@pytest.mark.parametrize("number", sorted(COMPETENCY_QUESTIONS))
def test_readme_names_competency_question_and_its_query(number):
    text = README_FILE.read_text(encoding="utf-8")
    blocks = re.split(r"(?=\bCQ\d+\b)", text)
    own = [b for b in blocks if re.match(rf"CQ{number}\b", b)]
    assert own, f"CQ{number} missing in ontology/README.md"
    assert any(COMPETENCY_QUESTIONS[number] in b for b in own), f"CQ{number} does not name {COMPETENCY_QUESTIONS[number]}"


def test_readme_links_conventions():
    assert "docs/CONVENTIONS.md" in README_FILE.read_text(encoding="utf-8")


def test_every_sg_term_used_by_code_queries_shapes_and_data_is_declared():
    """Code, queries, shapes and reference data may only use sg: terms the ontology declares."""
    import re

    root = Path(__file__).resolve().parents[1]
    onto = (root / "ontology" / "sozialgraph.ttl").read_text(encoding="utf-8")
    declared = set(re.findall(r"^sg:([A-Za-z]+)", onto, re.M))
    used: dict[str, str] = {}
    for folder, pattern in (("src", "**/*.py"), ("queries", "**/*.rq"), ("shapes", "*.ttl"), ("data", "**/*.ttl")):
        for f in (root / folder).glob(pattern):
            for term in re.findall(r"\bsg:([A-Za-z]+)", f.read_text(encoding="utf-8")):
                used.setdefault(term, str(f.relative_to(root)))
    missing = {t: f for t, f in used.items() if t not in declared}
    assert not missing, f"sg: terms used but not declared in the ontology: {missing}"
