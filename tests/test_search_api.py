"""The offer search over real HTTP: /api/angebote (JSON, CSV) and the page /angebote.

Expected answers are worked out by hand from tests/fixtures/offers.ttl:
o1 Begegnungsstätte, Senioren, 101 Altstadt/Süd (Innenstadt), reach Einrichtung, Amt 50, coordinates + address
o2 Schuldnerberatung (< Beratung), Alleinerziehende (< Familien), 102 Neustadt/Süd (Innenstadt), reach Stadtbezirk
o3 Sozialberatung (< Beratung), geringes Einkommen, no Stadtteil, reach Gesamtstadt, Jobcenter
o4 Kita, Kinder, 201 Bayenthal (Rodenkirchen), reach Einrichtung, Amt 51
o5 Seniorennetzwerk, Senioren, Stadtbezirk 2 Rodenkirchen without Stadtteil, reach Stadtbezirk
o6 Pflegeberatung (< Beratung), Pflegebedürftige + Senioren, 105 Deutz (Innenstadt), reach Stadtteil
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
import requests

from sozialgraph import namespaces as ns
from conftest import FIXTURES, start_live_server

ANG = ns.ID + "angebot/50/"


def api(web, **params):
    return web.get("/api/angebote", params=params, timeout=30)


def ids(body) -> dict[str, str | None]:
    return {r["angebot"].rsplit("/", 1)[-1]: r["grund"] for r in body["ergebnisse"]}


def test_all_offers_with_the_fields_the_issue_names(web):
    r = api(web)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["ok"] is True and body["anzahl"] == 6
    o1 = next(x for x in body["ergebnisse"] if x["angebot"] == ANG + "o1")
    assert o1["bezeichnung"] == "Begegnungsstätte Altstadt (Beispiel)"
    assert o1["angebotsart"] == {"iri": ns.ID + "angebotsart/begegnungsstaette", "label": "Begegnungsstätte"}
    assert [z["iri"] for z in o1["zielgruppen"]] == [ns.ID + "zielgruppe/senioren"]
    assert o1["traeger"]["label"] == "Beispielträger A e. V."
    assert o1["amt"]["iri"] == ns.ID + "org/50"
    assert o1["stadtteil"]["label"] == "Altstadt/Süd" and o1["stadtbezirk"]["label"] == "Innenstadt"
    assert o1["reichweite"]["iri"] == ns.ID + "reichweite/einrichtung"
    assert o1["adresse"] == {"strasse": "Musterstraße 1", "plz": "50676", "ort": "Köln"}
    assert (o1["lat"], o1["long"]) == (50.9293, 6.9553)
    o5 = next(x for x in body["ergebnisse"] if x["angebot"] == ANG + "o5")
    assert o5["stadtteil"] is None and o5["stadtbezirk"]["label"] == "Rodenkirchen"  # sg:borough without quarter


@pytest.mark.parametrize("value", ["Neustadt/Süd", "neustadt/sued", "102", ns.ID + "stadtteil/102"])
def test_quarter_given_as_label_code_or_iri_serves_semantics(web, value):
    # 102 is in Innenstadt: o2 is located there; o3 serves the whole city; o6 (Deutz, reach Stadtteil) does not
    assert ids(api(web, stadtteil=value).json()) == {"o2": "vor Ort", "o3": "Gesamtstadt"}


def test_reach_borough_serves_the_other_quarters_of_its_borough(web):
    # 101 Altstadt/Süd: o1 on site, o2 (102, reach Stadtbezirk, same borough) by borough, o3 city-wide;
    # o6 (105 Deutz, same borough, but reach Stadtteil) is not included
    assert ids(api(web, stadtteil="101").json()) == {"o1": "vor Ort", "o2": "Stadtbezirk", "o3": "Gesamtstadt"}


def test_only_on_site_switch(web):
    assert ids(api(web, stadtteil="101", nur_vor_ort="ja").json()) == {"o1": "vor Ort"}


def test_borough_search_for_seniors(web):
    body = api(web, zielgruppe="Senioren", stadtbezirk="Rodenkirchen").json()
    assert ids(body) == {"o5": "Stadtbezirk"}
    body = api(web, stadtbezirk="2").json()
    assert ids(body) == {"o4": "vor Ort", "o5": "Stadtbezirk", "o3": "Gesamtstadt"}
    assert [r["grund"] for r in body["ergebnisse"]] == ["vor Ort", "Stadtbezirk", "Gesamtstadt"]  # closest first


def test_broader_target_group_and_offer_type_include_narrower(web):
    assert set(ids(api(web, zielgruppe="Familien").json())) == {"o2"}  # via Alleinerziehende
    assert set(ids(api(web, angebotsart="Beratung").json())) == {"o2", "o3", "o6"}
    assert set(ids(api(web, angebotsart="beratung", amt="50").json())) == {"o2", "o6"}


def test_goal_includes_sub_goals_and_other_filters(web):
    assert set(ids(api(web, ziel=ns.ID + "ziel/z1").json())) == {"o1", "o2"}  # o1 via sub-goal z1-1
    assert set(ids(api(web, traeger="Beispielträger B gGmbH").json())) == {"o3", "o4"}
    assert set(ids(api(web, reichweite="Gesamtstadt").json())) == {"o3"}
    assert set(ids(api(web, lebenslage="Einkommen").json())) == {"o2", "o3"}


def test_free_text_folds_umlauts(web):
    assert set(ids(api(web, q="Suedstadt").json())) == {"o2"}
    assert set(ids(api(web, q="begegnungsstätte altstadt").json())) == {"o1"}


def test_facet_counts_follow_the_result(web):
    body = api(web, angebotsart="Beratung").json()
    groups = {f["wert"]: f["anzahl"] for f in body["facetten"]["zielgruppe"]}
    assert groups["senioren"] == 1 and groups["familien"] == 1 and groups["alleinerziehende"] == 1
    assert "kinder" not in groups
    boroughs = {f["label"]: f["anzahl"] for f in body["facetten"]["stadtbezirk"]}
    assert boroughs == {"Innenstadt": 2}  # o2, o6; o3 has no borough
    types = {f["wert"]: f["anzahl"] for f in body["facetten"]["angebotsart"]}
    assert types["beratung"] == 3


def test_paging_and_sorting(web):
    body = api(web, pro_seite="2", seite="2", sortierung="name").json()
    assert body["anzahl"] == 6 and body["seiten"] == 3 and len(body["ergebnisse"]) == 2
    everything = api(web, sortierung="name").json()["ergebnisse"]
    names = [r["bezeichnung"] for r in everything]
    assert names == sorted(names, key=ns.fold)
    assert [r["bezeichnung"] for r in body["ergebnisse"]] == names[2:4]


@pytest.mark.parametrize("params, param", [
    ({"zielgruppe": "Seniorn"}, "zielgruppe"),
    ({"stadtteil": "Nirgendwo"}, "stadtteil"),
    ({"amt": "99"}, "amt"),
    ({"zielgrupe": "Senioren"}, "zielgrupe"),
    ({"sortierung": "zufall"}, "sortierung"),
    ({"seite": "0"}, "seite"),
    ({"format": "xml"}, "format"),
    ({"zielgruppe": 'x" } ; DROP ALL ; SELECT * {'}, "zielgruppe"),
])
def test_bad_values_get_400_naming_the_parameter(web, params, param):
    r = api(web, **params)
    assert r.status_code == 400
    body = r.json()
    assert body["ok"] is False and body["status"] == 400 and body["parameter"] == param
    assert f"'{param}'" in body["error_de"] and f"'{param}'" in body["error_en"]


def test_unknown_value_suggests_close_values(web):
    body = api(web, zielgruppe="Seniorn").json()
    assert body["suggestions"] == ["Senioren"] and "Meinten Sie 'Senioren'?" in body["error_de"]
    en = web.get("/api/angebote", params={"zielgruppe": "Seniorn", "lang": "en"}, timeout=30)
    assert "Did you mean 'Senioren'?" in en.json()["error"]


def test_csv_has_the_whole_result(web):
    r = api(web, format="csv", stadtteil="101", pro_seite="1")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8"))))
    assert [row["angebot"].rsplit("/", 1)[-1] for row in rows] == ["o1", "o2", "o3"]  # no paging in CSV
    assert rows[0]["strasse"] == "Musterstraße 1" and rows[0]["grund"] == "vor Ort"
    assert rows[1]["zielgruppen"] == "Alleinerziehende" and rows[1]["stadtbezirk"] == "Innenstadt"


def test_search_page_holds_the_whole_search_in_the_url(web):
    r = web.get("/angebote", params={"zielgruppe": "senioren", "stadtbezirk": "2",
                                                            "lang": "de"}, timeout=30)
    assert r.status_code == 200
    html = r.text
    assert 'data-total="1"' in html and "Seniorennetzwerk Rodenkirchen (Beispiel)" in html
    # facet links keep the current search and add one value
    links = re.findall(r'<a href="([^"]+)" data-facet="angebotsart">', html)
    assert len(links) == 1
    query = parse_qs(urlsplit(links[0].replace("&amp;", "&")).query)
    assert query == {"zielgruppe": ["senioren"], "stadtbezirk": ["2"], "angebotsart": ["seniorennetzwerk"]}
    assert 'class="reason reason-stadtbezirk"' in html
    assert "/karte?zielgruppe=senioren&amp;stadtbezirk=2" in html


def test_search_page_escapes_input_and_shows_errors_in_german(web):
    r = web.get("/angebote", params={"q": "<script>alert(1)</script>"},
                     headers={"Accept-Language": "de"}, timeout=30)
    assert r.status_code == 200 and "<script>alert(1)" not in r.text and "&lt;script&gt;" in r.text
    bad = web.get("/angebote", params={"stadtteil": "Nirgendwo"},
                       headers={"Accept-Language": "de"}, timeout=30)
    assert bad.status_code == 400 and "ist kein bekannter Stadtteil" in bad.text


def test_private_graphs_never_reach_the_search(fresh_store):
    from sozialgraph import config
    from sozialgraph.context import Context

    fresh_store.load_file(FIXTURES / "offers.ttl", ns.office_graph("50"))
    secret = ox.NamedNode(ANG + "geheim")
    sg = ns.SG
    fresh_store.extend([
        ox.Quad(secret, ox.NamedNode(ns.PREFIXES["rdf"] + "type"), ox.NamedNode(sg + "Offer"),
                ox.NamedNode(ns.private_office_graph("50"))),
        ox.Quad(secret, ox.NamedNode(ns.PREFIXES["rdfs"] + "label"), ox.Literal("Geheimes Frauenhaus"),
                ox.NamedNode(ns.private_office_graph("50"))),
        ox.Quad(ox.NamedNode(ns.ID + "standort/50/o2"), ox.NamedNode(ns.PREFIXES["geo"] + "lat"),
                ox.Literal("50.1", datatype=ox.NamedNode(ns.PREFIXES["xsd"] + "decimal")),
                ox.NamedNode(ns.private_office_graph("50"))),
    ])
    ctx = Context(config.load({"store": str(fresh_store.path)}), store=fresh_store)
    srv = start_live_server(ctx)
    try:
        body = requests.get(srv.url + "/api/angebote", timeout=30).json()
        assert body["anzahl"] == 6 and ANG + "geheim" not in {x["angebot"] for x in body["ergebnisse"]}
        o2 = next(x for x in body["ergebnisse"] if x["angebot"] == ANG + "o2")
        assert o2["lat"] is None
        assert requests.get(srv.url + "/angebote", params={"q": "Frauenhaus"}, timeout=30).text.count(
            "Geheimes Frauenhaus") == 0
    finally:
        srv.stop()
