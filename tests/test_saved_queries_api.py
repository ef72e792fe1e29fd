"""Saved queries over HTTP (/api/queries) and the query page /abfrage (plain HTML forms, no JavaScript)."""

from __future__ import annotations

import csv
import io
import re

import pytest
import requests

from sozialgraph import namespaces as ns
from sozialgraph.sparql.saved import list_queries
from sozialgraph.sparql.binding import run_saved
from sozialgraph.sparql.output import rows_of
from sparql_support import serving

EXAMPLES = {"zielgruppe": "Senioren", "stadtteil": "101", "amt": "jc", "ziel": "Z1"}


@pytest.fixture(scope="module")
def server(ref_ctx):
    with serving(ref_ctx) as srv:
        yield srv


def test_list(server):
    r = requests.get(server.url + "/api/queries", timeout=30)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    qs = {q["name"]: q for q in r.json()["queries"]}
    assert set(qs) == {q.name for q in list_queries()}
    fq = qs["find-offers-serving-quarter"]
    assert fq["title"].startswith("Angebote für eine Zielgruppe")
    assert {p["name"] for p in fq["parameters"]} == {"zielgruppe", "stadtteil"}
    assert all(p["required"] for p in fq["parameters"])
    en = requests.get(server.url + "/api/queries?lang=en", timeout=30).json()["queries"]
    assert any(q["title"] == "Offers for a target group that serve a quarter" for q in en)


@pytest.mark.parametrize("q", list_queries(), ids=lambda q: q.name)
def test_every_saved_query_answers_like_the_local_run(server, ref_store, q):
    params = {p.name: EXAMPLES[p.name] for p in q.params if p.required}
    r = requests.get(server.url + f"/api/queries/{q.name}", params=params, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    names, rows = rows_of(run_saved(ref_store, q.name, params))
    assert body["columns"] == names
    assert [[row.get(n, "") for n in names] for row in body["rows"]] == rows
    assert body["row_count"] == len(rows)
    c = requests.get(server.url + f"/api/queries/{q.name}", params={**params, "format": "csv"}, timeout=30)
    assert c.headers["Content-Type"].startswith("text/csv")
    assert len(list(csv.reader(io.StringIO(c.text)))) == len(rows) + 1


def test_parameters_are_bound_as_terms(server):
    r = requests.get(server.url + "/api/queries/find-offers-serving-quarter",
                     params={"zielgruppe": "Senioren", "stadtteil": "Altstadt/Süd"}, timeout=30).json()
    assert r["parameters"] == {"zielgruppe": ns.ID + "zielgruppe/senioren", "stadtteil": ns.ID + "stadtteil/101"}
    # an injection attempt is just an unknown value
    evil = 'x" } } ; DROP ALL ; SELECT * { ?s ?p ?o'
    r = requests.get(server.url + "/api/queries/find-offers-serving-quarter",
                     params={"zielgruppe": evil, "stadtteil": "101"}, timeout=30)
    assert r.status_code == 400 and r.json()["parameter"] == "zielgruppe"


@pytest.mark.parametrize("params,param,fragment", [
    ({"stadtteil": "101"}, "zielgruppe", "erforderlich"),
    ({"zielgruppe": "Seniorn", "stadtteil": "101"}, "zielgruppe", "Senioren"),
    ({"zielgruppe": "Senioren", "stadtteil": "Atlstadt"}, "stadtteil", "kein bekannter Stadtteil"),
    ({"zielgruppe": "Senioren", "stadtteil": "101", "farbe": "rot"}, "farbe", "unbekannter Parameter"),
])
def test_invalid_parameters_say_which_and_why(server, params, param, fragment):
    r = requests.get(server.url + "/api/queries/find-offers-serving-quarter", params=params, timeout=30)
    assert r.status_code == 400
    body = r.json()
    assert body["ok"] is False and body["parameter"] == param
    assert f"'{param}'" in body["error_de"] and fragment in body["error_de"] + " ".join(body.get("suggestions", []))
    assert body["error_en"].startswith(f"Parameter '{param}'")


def test_unknown_query_and_format(server):
    r = requests.get(server.url + "/api/queries/gibt-es-nicht", timeout=30)
    assert r.status_code == 404 and r.json()["ok"] is False
    r = requests.get(server.url + "/api/queries/list-offers?format=xlsx", timeout=30)
    assert r.status_code == 400 and "format" in r.json()["error_en"].lower()


def test_sparql_json_variant(server):
    r = requests.get(server.url + "/api/queries/list-offices-for-quarter", params={"stadtteil": "101"},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert r.json()["head"]["vars"][0] == "stadtteil"


# -- the page ----------------------------------------------------------------------------------------------------
def test_page_without_javascript(server):
    r = requests.get(server.url + "/abfrage", timeout=30)
    assert r.status_code == 200
    html = r.text
    assert "<script" not in html
    assert "PREFIX sg: &lt;https://w3id.org/sozialgraph/ontology#&gt;" in html
    for q in list_queries():
        assert q.title in html.replace("&#34;", '"').replace("&#39;", "'")
    assert 'action="/abfrage"' in html


def test_page_runs_a_query_with_downloads_and_permalink(server):
    q = "SELECT ?b WHERE { ?b a <https://w3id.org/sozialgraph/ontology#Borough> }"
    r = requests.get(server.url + "/abfrage", params={"query": q}, timeout=30)
    assert r.status_code == 200
    assert r.text.count("<tr>") == 10  # header + 9 boroughs
    links = dict(re.findall(r'<a href="(/sparql\?[^"]+)" download>([^<]+)</a>', r.text))
    assert set(links.values()) == {"JSON", "XML", "CSV", "TSV"}
    for href in links:
        d = requests.get(server.url + href.replace("&amp;", "&"), timeout=30)
        assert d.status_code == 200
    perma = re.search(r'<a href="([^"]+)" class="permalink"', r.text).group(1).replace("&amp;", "&")
    assert requests.get(server.url + perma, timeout=30).text.count("<tr>") == 10


def test_page_escapes_and_reports_errors(server):
    r = requests.get(server.url + "/abfrage", params={"query": "SELECT <script>alert(1)</script>"}, timeout=30)
    assert r.status_code == 400
    assert "<script>alert" not in r.text and "&lt;script&gt;" in r.text
    assert "Syntaxfehler" in r.text
    r = requests.get(server.url + "/abfrage?lang=en", params={"query": "SELECT * {"}, timeout=30)
    assert "Syntax error" in r.text


def test_page_saved_query_form(server):
    r = requests.get(server.url + "/abfrage", params={"gespeichert": "list-offices-for-quarter",
                                                      "stadtteil": "Altstadt/Süd"}, timeout=30)
    assert r.status_code == 200 and "<table" in r.text
    assert "/api/queries/list-offices-for-quarter?stadtteil=" in r.text
    r = requests.get(server.url + "/abfrage", params={"gespeichert": "list-offices-for-quarter",
                                                      "stadtteil": "Atlstadt"}, timeout=30)
    assert r.status_code == 400 and "Parameter" in r.text
    r = requests.get(server.url + "/abfrage", params={"beispiel": "list-offers"}, timeout=30)
    assert "GROUP_CONCAT" in r.text


def test_browser_on_sparql_goes_to_the_page(server):
    r = requests.get(server.url + "/sparql", params={"query": "ASK {}"},
                     headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
                     allow_redirects=True, timeout=30)
    assert r.url.startswith(server.url + "/abfrage?query=") and "Ja" in r.text
