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
    # an area facet counts the offers that serve the area (its link's result): Innenstadt o2 and o6 on site and the
    # city-wide o3; every other Stadtbezirk only o3
    boroughs = {f["label"]: (f["anzahl"], f["treffer"]) for f in body["facetten"]["stadtbezirk"]}
    assert len(boroughs) == 9 and boroughs.pop("Innenstadt") == (3, 3) and set(boroughs.values()) == {(1, 1)}
    assert body["facetten"]["stadtteil"] == []  # in all of Köln the area facet lists the Stadtbezirke only
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
    links = re.findall(r'<a href="([^"]+)" data-facet="angebotsart" data-count="1">', html)
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


# -- issue 12: several values per facet, facet counts = link results, synonyms, spreadsheets ----------------------
def test_repeated_parameter_is_or_within_a_facet_and_facets_are_and(web):
    r = web.get("/api/angebote", params=[("angebotsart", "kita"), ("angebotsart", "Seniorennetzwerk")], timeout=30)
    assert set(ids(r.json())) == {"o4", "o5"}
    assert r.json()["suche"]["angebotsart"] == ["kindertagesstaette", "seniorennetzwerk"]
    r = web.get("/api/angebote", params=[("angebotsart", "kita"), ("angebotsart", "seniorennetzwerk"),
                                         ("zielgruppe", "senioren")], timeout=30)
    assert set(ids(r.json())) == {"o5"}


def test_a_facet_with_a_chosen_value_offers_the_others_as_additions(web):
    body = api(web, angebotsart="kita").json()
    types = {f["wert"]: f for f in body["facetten"]["angebotsart"]}
    kita = types["kindertagesstaette"]
    assert kita["gewaehlt"] is True and kita["anzahl"] == 1
    assert kita["treffer"] == 6  # its link removes it: every offer again
    # adding Beratung (o2, o3, o6 with its narrower types) to Kita (o4) gives 4; Begegnungsstätte (o1) gives 2
    assert types["beratung"]["treffer"] == 4 and types["begegnungsstaette"]["treffer"] == 2
    assert types["schuldnerberatung"]["treffer"] == 2
    r = web.get("/api/angebote", params=[("angebotsart", "kita"), ("angebotsart", "beratung")], timeout=30)
    assert r.json()["anzahl"] == 4


def test_inside_a_borough_the_area_facet_lists_its_quarters_with_what_their_links_return(web):
    body = api(web, stadtbezirk="1").json()
    assert set(ids(body)) == {"o1", "o2", "o3", "o6"}
    assert body["facetten"]["stadtbezirk"] == []
    quarters = {f["wert"]: f["treffer"] for f in body["facetten"]["stadtteil"]}
    # 101: o1 on site, o2 (reach Stadtbezirk, Innenstadt), o3 city-wide; 105 Deutz: o6, o2, o3; the others o2, o3
    assert quarters == {"101": 3, "102": 2, "103": 2, "104": 2, "105": 3}
    for code, n in quarters.items():
        assert api(web, stadtbezirk="1", stadtteil=code).json()["anzahl"] == n
    assert api(web, stadtteil="105").json()["facetten"]["stadtteil"] == []  # inside a Stadtteil: no area facet


def test_a_quarter_outside_the_given_borough_wins(web):
    body = api(web, stadtbezirk="2", stadtteil="101").json()
    assert ids(body) == {"o1": "vor Ort", "o2": "Stadtbezirk", "o3": "Gesamtstadt"}
    assert body["suche"] == {"stadtteil": "101", "pro_seite": "100"}


@pytest.mark.parametrize("q", ["Seniorinnen", "ältere menschen", "Aeltere Menschen", "Senior*innen"])
def test_free_text_finds_the_offers_of_a_synonym(web, q):
    # o1, o5, o6 are for Senioren; none of them has the word in its name or description
    assert set(ids(api(web, q=q).json())) == {"o1", "o5", "o6"}


def test_free_text_combines_a_synonym_with_a_word(web):
    assert set(ids(api(web, q="Seniorinnen Deutz").json())) == {"o6"}
    assert set(ids(api(web, q="Alleinerziehende").json())) == {"o2"}  # a label found via the concept
    assert set(ids(api(web, q="Beratung").json())) == {"o2", "o3", "o6"}  # an offer type includes its narrower ones


def test_xlsx_of_the_api_has_the_filters_on_top_and_every_offer(web):
    import openpyxl

    r = web.client.get("/api/angebote", query_string={"format": "xlsx", "zielgruppe": "senioren", "pro_seite": "1"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:2] == ["Suche", "3 Angebote für Senioren"]
    assert ["Zielgruppe", "Senioren"] == rows[1][:2]
    header = rows.index(next(r for r in rows if r[0] == "Bezeichnung"))
    assert rows[header - 1] == [None] * len(rows[header - 1])  # an empty row between filters and table
    names = [r[0] for r in rows[header + 1:]]
    assert sorted(names) == ["Begegnungsstätte Altstadt (Beispiel)", "Pflegeberatung Deutz (Beispiel)",
                             "Seniorennetzwerk Rodenkirchen (Beispiel)"]  # all, no paging
    o1 = rows[header + 1 + names.index("Begegnungsstätte Altstadt (Beispiel)")]
    assert o1[rows[header].index("Breite")] == 50.9293  # a number cell
