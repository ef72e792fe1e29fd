"""Linked-data pages over real HTTP: content negotiation, document URLs, what each page answers."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
import rdflib
import requests

from sozialgraph import namespaces as ns
from conftest import FIXTURES, start_live_server

SKOS = rdflib.Namespace(ns.PREFIXES["skos"])
SG = rdflib.Namespace(ns.SG)
Q101 = rdflib.URIRef(ns.ID + "stadtteil/101")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def get(web, path, accept=None, **params):
    headers = {"Accept-Language": "de"}
    if accept:
        headers["Accept"] = accept
    return web.get(path, headers=headers, params=params, timeout=30, allow_redirects=False)


@pytest.mark.parametrize("accept, media, rdflib_format, ext", [
    ("text/turtle", "text/turtle", "turtle", "ttl"),
    ("application/ld+json", "application/ld+json", "json-ld", "jsonld"),
    ("application/n-triples", "application/n-triples", "nt", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml", "rdf"),
    ("text/turtle;q=0.9, application/rdf+xml;q=0.5", "text/turtle", "turtle", "ttl"),
])
def test_content_negotiation(web, accept, media, rdflib_format, ext):
    r = get(web, "/id/stadtteil/101", accept)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == media
    assert "Accept" in r.headers["Vary"]
    assert r.headers["Content-Location"] == f"/id/stadtteil/101.{ext}"
    links = r.headers["Link"]
    for doc_ext, doc_media in [("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                               ("nt", "application/n-triples"), ("rdf", "application/rdf+xml")]:
        assert f'</id/stadtteil/101.{doc_ext}>; rel="alternate"; type="{doc_media}"' in links
    g = rdflib.Graph().parse(data=r.content, format=rdflib_format)
    assert (Q101, SKOS.notation, rdflib.Literal("101")) in g
    assert (Q101, SG.partOf, rdflib.URIRef(ns.ID + "stadtbezirk/1")) in g


@pytest.mark.parametrize("ext, rdflib_format", [("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")])
def test_stable_document_url_per_format(web, ext, rdflib_format):
    r = get(web, f"/id/stadtteil/101.{ext}", "text/html")  # the document URL wins over Accept
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.content, format=rdflib_format)
    assert (Q101, SKOS.notation, rdflib.Literal("101")) in g


def test_browser_gets_html_with_alternate_links(web):
    r = get(web, "/id/stadtteil/101", BROWSER)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert r.headers["Content-Location"] == "/id/stadtteil/101.html" and "Accept" in r.headers["Vary"]
    assert '<link rel="alternate" type="text/turtle" href="/id/stadtteil/101.ttl">' in r.text
    assert "<h1>Altstadt/Süd</h1>" in r.text
    assert get(web, "/id/stadtteil/101").headers["Content-Type"].startswith("text/html")  # no Accept


def test_unknown_resource_and_unacceptable_format(web):
    r = get(web, "/id/stadtteil/999", "text/turtle")
    assert r.status_code == 404
    r = get(web, "/id/stadtteil/101", "image/png")
    assert r.status_code == 406 and "text/turtle" in r.text


def test_offer_page_links_everything_and_embeds_schema_org(web):
    r = get(web, "/id/angebot/50/o1", BROWSER)
    html = r.text
    for href in ["/id/stadtteil/101", "/id/stadtbezirk/1", "/id/org/50", "/id/traeger/beispieltraeger-a",
                 "/id/zielgruppe/senioren", "/id/angebotsart/begegnungsstaette", "/id/standort/50/o1",
                 "/id/ziel/z1-1"]:
        assert f'href="{href}"' in html, href
    assert "Musterstraße 1, 50676 Köln" in html
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    doc = json.loads(blocks[0])
    assert doc["@context"] == "https://schema.org" and doc["@id"] == ns.ID + "angebot/50/o1"
    assert doc["name"] == "Begegnungsstätte Altstadt (Beispiel)"
    assert doc["audience"][0]["audienceType"] == "Senioren"


def test_quarter_page_lists_offers_by_target_group_and_offices(web):
    html = get(web, "/id/stadtteil/102", BROWSER).text
    assert 'data-total="2"' in html  # o2 on site, o3 city-wide
    groups = re.findall(r"<summary><a href=\"(/id/zielgruppe/[^\"]+)\">", html)
    assert set(groups) == {"/id/zielgruppe/alleinerziehende", "/id/zielgruppe/menschen-mit-geringem-einkommen"}
    offices = html[html.index('id="aemter"'):]
    assert 'href="/id/org/50"' in offices and 'href="/id/org/jc"' in offices
    assert '<svg ' in html and 'class="map"' in html


def test_office_page_lists_offers_and_their_spread(web):
    html = get(web, "/id/org/50", BROWSER).text
    assert 'data-total="4"' in html  # o1, o2, o5, o6
    for o in ("o1", "o2", "o5", "o6"):
        assert f'href="/id/angebot/50/{o}"' in html
    spread = html[html.index('id="verteilung"'):]
    rows = dict(re.findall(r'<a href="/id/stadtbezirk/(\d)">[^<]+</a></td><td class="num">(\d+)</td>', spread))
    assert rows == {"1": "3", "2": "1"}
    assert 'class="map"' in html


def test_target_group_page_in_english(web):
    r = get(web, "/id/zielgruppe/senioren", BROWSER, lang="en")
    assert "<h1>Older people</h1>" in r.text and "Offers" in r.text
    assert 'data-total="3"' in r.text  # o1, o5, o6
    de = get(web, "/id/zielgruppe/senioren", BROWSER, lang="de")
    assert "<h1>Senioren</h1>" in de.text


def test_private_data_and_markup_in_data(fresh_store):
    from sozialgraph import config
    from sozialgraph.context import Context

    fresh_store.load_file(FIXTURES / "offers.ttl", ns.office_graph("50"))
    place = ox.NamedNode(ns.ID + "standort/50/o2")
    offer = ox.NamedNode(ns.ID + "angebot/50/o2")
    fresh_store.extend([
        ox.Quad(place, ox.NamedNode(ns.PREFIXES["rdfs"] + "label"), ox.Literal("Geheime Adresse 7"),
                ox.NamedNode(ns.private_office_graph("50"))),
        ox.Quad(offer, ox.NamedNode(ns.PREFIXES["dcterms"] + "description"),
                ox.Literal('<script>alert("x")</script> Beratung', language="de"), ox.NamedNode(ns.office_graph("50"))),
    ])
    ctx = Context(config.load({"store": str(fresh_store.path)}), store=fresh_store)
    srv = start_live_server(ctx)
    try:
        assert requests.get(srv.url + "/id/standort/50/o2", timeout=30).status_code == 404  # only private data
        for accept in (BROWSER, "text/turtle", "application/n-triples"):
            r = requests.get(srv.url + "/id/angebot/50/o2", headers={"Accept": accept}, timeout=30)
            assert r.status_code == 200 and "Geheime Adresse" not in r.text
        html = requests.get(srv.url + "/id/angebot/50/o2", headers={"Accept": BROWSER}, timeout=30).text
        assert '<script>alert("x")' not in html and "&lt;script&gt;alert" in html
    finally:
        srv.stop()
