"""The one label fallback (requested language, de, en, any, None) and the one IRI shortener."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from sozialgraph import namespaces as ns
from sozialgraph.labels import curie, pick

# every language present: each step below removes the one that should have won, so a wrong order shows
ALL = {"fr": "français", "de": "deutsch", "en": "english", "": "untagged", "it": "italiano"}


def without(*langs: str) -> dict[str, str]:
    return {k: v for k, v in ALL.items() if k not in langs}


def test_requested_language_wins_over_german_and_english():
    assert pick(ALL, "fr") == "français"
    assert pick(ALL, "en") == "english"
    assert pick(ALL, "de") == "deutsch"


def test_then_german_before_english():
    assert pick(without("fr"), "fr") == "deutsch"
    assert pick(without("fr"), "en") == "english"  # the requested English still wins over German


def test_then_english_before_any_other():
    # the search's old fallback skipped English and took the untagged label here
    assert pick(without("fr", "de"), "fr") == "english"
    assert pick(without("de"), "es") == "english"


def test_then_any_label_untagged_first():
    assert pick(without("fr", "de", "en"), "fr") == "untagged"
    assert pick({"it": "italiano", "nl": "nederlands"}, "de") == "italiano"


def test_then_none_so_the_caller_falls_back_to_the_iri():
    assert pick({}, "de") is None
    assert pick([], "de") is None
    assert pick(None, "de") is None
    assert pick({"de": "", "en": ""}, "de") is None  # empty texts are no labels
    assert pick({"de": "", "en": "english"}, "de") == "english"


def test_pyoxigraph_literals():
    lits = [ox.Literal("english", language="en"), ox.Literal("ohne Sprache"),
            ox.NamedNode("https://example.org/not-a-label"), ox.Literal("deutsch", language="de"),
            ox.Literal("zweites Deutsch", language="de")]
    assert pick(lits, "de") == "deutsch"  # the first of a language wins
    assert pick(lits, "fr") == "deutsch"
    assert pick(lits[:3], "fr") == "english"
    assert pick(lits[1:3], "en") == "ohne Sprache"
    assert pick(lits[2:3], "de") is None
    assert pick(iter(lits), "en") == "english"  # any iterable, e.g. a generator of objects


def test_rdflib_literals():
    g = rdflib.Graph()
    s = rdflib.URIRef("https://example.org/s")
    g.add((s, rdflib.RDFS.label, rdflib.Literal("english", lang="en")))
    g.add((s, rdflib.RDFS.label, rdflib.Literal("français", lang="fr")))
    g.add((s, rdflib.RDFS.label, rdflib.URIRef("https://example.org/o")))
    assert pick(g.objects(s, rdflib.RDFS.label), "fr") == "français"
    assert pick(g.objects(s, rdflib.RDFS.label), "de") == "english"


def test_language_tags_compare_case_insensitively():
    assert pick({"DE": "deutsch", "en": "english"}, "de") == "deutsch"
    assert pick([ox.Literal("english", language="en-GB")], "en") == "english"  # any label at least


@pytest.mark.parametrize("iri, expected", [
    (ns.SG + "Offer", "sg:Offer"),
    (ns.PREFIXES["skos"] + "prefLabel", "skos:prefLabel"),
    (ns.PREFIXES["rdf"] + "type", "rdf:type"),
    # longest namespace: zg: (…/id/zielgruppe/), not sgid: (…/id/)
    (ns.ID + "zielgruppe/senioren", "zg:senioren"),
    (ns.ID + "angebotsart/begegnungsstaette", "art:begegnungsstaette"),
    (ns.ID + "katalog", "sgid:katalog"),
    # no prefix leaves a local name without "/": the IRI itself
    (ns.ID + "stadtteil/101", ns.ID + "stadtteil/101"),
    (ns.ID + "zielgruppe/a/b", ns.ID + "zielgruppe/a/b"),
    ("https://example.org/x", "https://example.org/x"),
    (ns.PREFIXES["skos"], ns.PREFIXES["skos"]),  # the namespace alone has no local name
    ("", ""),
    (None, ""),
])
def test_curie(iri, expected):
    assert curie(iri) == expected
