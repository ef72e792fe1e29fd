"""The steering pages (issue 11): /ziele, /massnahmen and a measure's page, needs on /bedarfe and the
Stadtteilprofil, an office's measures (_office_measures.html).

Store: conftest's read-only ``ref_ctx`` (reference data, the fixture offers and the steering fixture in
tests/fixtures/steuerung/: goals Z9, Z9.1–Z9.3 on the test indicator "testquote", needs B1–B4, measures M1–M3,
evaluation E1). Every expected figure is worked out by hand from those files in the comments below.
"""

from __future__ import annotations

import re
import shutil

import pyoxigraph as ox
import pytest
from flask import g, render_template

from sozialgraph import config, namespaces as ns
from sozialgraph.analysis import charts, planning
from sozialgraph.context import Context
from sozialgraph.sparql.saved import load_query
from sozialgraph.store.oxigraph import open_store
from sozialgraph.web import create_app
from sozialgraph.web.views import steering_pages
from conftest import AppClient, load_fixture_data

SG = ns.SG
ID = ns.ID
HOSTILE = '<script>alert("x")</script>&'


@pytest.fixture(scope="module")
def web(ref_ctx):
    return AppClient(create_app({"store": str(ref_ctx.store.path)}, context=ref_ctx))


def main(html: str) -> str:
    return html[html.index('<main id="main">'):html.index("</main>")]


FIXTURE = {"M1", "M2", "M3", "B1", "B2", "B3", "B4"}


def rows(html: str, attr: str) -> list[str]:
    """The fixture's measures or needs among the table rows, in page order (the reference data may carry example
    measures and needs of their own, data/beispiel/, which these tests leave aside)."""
    return [c for c in re.findall(rf'<tr {attr}="([^"]+)"', html) if c in FIXTURE]


def all_rows(html: str, attr: str) -> list[str]:
    return re.findall(rf'<tr {attr}="([^"]+)"', html)


# -- sparkline geometry --------------------------------------------------------------------------------------------
def test_sparkline_geometry_by_hand():
    # Z9.1: observations 2022: 20, 2024: 19.8; path 2022: 20 -> 2030: 16. Years 2022..2030 over 4..156 px
    # (152 px for 8 years: 19 px a year), values 16..20 over 36..4 px (8 px per unit).
    sp = charts.sparkline([(2024, 19.8), (2022, 20.0)], (2022, 20.0), (2030, 16.0), "de", title="Z9.1")
    assert sp.path == (4.0, 4.0, 156.0, 36.0)
    assert [(x, y) for x, y, _ in sp.dots] == [(4.0, 4.0), (42.0, 5.6)]  # 4 + 2 * 19; 36 - 3.8 * 8
    assert sp.line == "4.0,4.0 42.0,5.6"
    assert sp.desc == "Werte 2022: 20, 2024: 19,8; Zielpfad 2022: 20 → 2030: 16"
    # no observation: only the path, and the description says so
    empty = charts.sparkline([], (2022, 10.0), (2030, 14.0), "en")
    assert empty.dots == [] and empty.path == (4.0, 36.0, 156.0, 4.0) and empty.desc.startswith("no values")


# -- /ziele ------------------------------------------------------------------------------------------------------------
def test_goal_tree_with_targets_latest_values_and_path(web):
    r = web.get("/ziele")
    assert r.status_code == 200
    html = main(r.text)
    # the tree: Z9 (strategic) holds Z9.1, Z9.2, Z9.3 (operational), in that order
    z9 = html[html.index('data-goal="Z9"'):]
    assert [m for m in re.findall(r'data-goal="(Z9[.0-9]*)"', z9)][:4] == ["Z9", "Z9.1", "Z9.2", "Z9.3"]
    assert "strategisch" in z9[:z9.index('data-goal="Z9.1"')]

    def card(code: str) -> str:
        part = html[html.index(f'data-goal="{code}"'):]
        nxt = re.search(r'data-goal="Z', part[10:])
        return part[:nxt.start() + 10] if nxt else part

    # Z9.1 senken 20 (2022) -> 16 (2030); latest 19.8 (2024); path 20 - 4 * 2/8 = 19.0 -> 19.8 > 19: behind
    c = card("Z9.1")
    assert 'data-figure="ausgangswert">20 (2022)<' in c and 'data-figure="zielwert">16 (2030)<' in c
    assert 'data-figure="richtung">senken<' in c
    assert 'data-figure="neuester-wert">19,8 (2024)' in c and 'data-figure="pfadwert">19,00<' in c
    assert 'data-behind="true"' in c and "hinter dem Zielpfad" in c
    assert '<svg class="sparkline"' in c and 'points="4.0,4.0 42.0,5.6"' in c
    assert 'href="/massnahmen/50/m1"' in c  # M1 pursues Z9.1 ...
    assert 'href="/id/angebot/50/o1"' in c  # ... and includes offer o1
    # Z9.2 erhöhen 10 -> 14; latest 10.2 (2023); path 10 + 4 * 1/8 = 10.5 -> 10.2 < 10.5: behind
    c = card("Z9.2")
    assert 'data-figure="neuester-wert">10,2 (2023)' in c and 'data-figure="pfadwert">10,50<' in c
    assert 'data-behind="true"' in c and "erhöhen" in c
    # Z9.3 senken 15 -> 11; latest 13 (2024); path 15 - 4 * 2/8 = 14 -> 13 < 14: on track; M2 pursues it
    c = card("Z9.3")
    assert 'data-figure="neuester-wert">13 (2024)' in c and 'data-figure="pfadwert">14,00<' in c
    assert 'data-behind="false"' in c and "auf Kurs" in c and 'href="/massnahmen/50/m2"' in c
    # the strategic goal collects its sub-goals' measures (M1, M2) and offers (o1)
    c = html[html.index('data-goal="Z9"'):html.index('data-goal="Z9.1"')]
    assert c.count('href="/massnahmen/50/m') == 2 and 'data-figure="angebote">1<' in c
    # the summary of goals behind their path: of the fixture's, Z9.1 and Z9.2 (the reference data's example goals
    # may add their own; their count is the number of links)
    summary = html[html.index('data-figure="ziele"'):]
    summary = summary[:summary.index("</p>")]
    assert 'href="#ziel-z9-1">Z9.1<' in summary and 'href="#ziel-z9-2">Z9.2<' in summary
    assert 'href="#ziel-z9-3"' not in summary and 'href="#ziel-z9"' not in summary
    links = summary.count('href="#ziel-')
    assert f'data-figure="hinter">{links}<' in summary
    # example goals (data/koeln/ziele.ttl) are labelled as such
    assert "Beispieldaten" in card("Z1")


def test_goal_agrees_with_the_saved_behind_query(ref_ctx):
    """The page's rule is the saved competency question's rule: the same goals are behind."""
    q = ref_ctx.store.select(load_query("list-goals-behind-target").text, public_only=True)
    saved = {r["ziel"].value for r in q}
    s = planning.get_steering(ref_ctx)
    page = {x.iri for x in s.goals.values() if any(x.behind(tr) for tr in x.tracks)}
    assert page == saved
    assert {x for x in page if x.startswith(ID + "ziel/z9")} == {ID + "ziel/z9-1", ID + "ziel/z9-2"}


def test_goal_page_and_english(web):
    r = web.get("/ziele/z9-1")
    assert r.status_code == 200
    html = main(r.text)
    assert "<h1>Z9.1 Testquote in Chorweiler senken</h1>" in html
    assert 'href="/ziele/z9">Z9 Testziel Armut</a>' in html  # the parent goal
    assert "die Testquote sinkt langsamer als der Zielpfad" in html  # E1 evaluates Z9.1
    assert web.get("/ziele/gibt-es-nicht").status_code == 404
    assert web.get("/ziele?x=1").status_code == 400
    en = web.get("/ziele?lang=en").text
    assert "<h1>Goals</h1>" in en and "behind the target path" in en and "on track" in en
    assert 'data-figure="richtung">decrease<' in en and "operational" in en
    assert 'data-figure="neuester-wert">19.8 (2024)' in en


# -- /massnahmen ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("query, expected", [
    ("", ["M1", "M2", "M3"]),  # all three (their order: test_measure_list_counts_order_and_errors)
    ("?amt=51", ["M1"]),  # only M1 has Amt 51 (with 50: integrated)
    ("?amt=51&amt=50", ["M1", "M2", "M3"]),  # several values: any of them
    ("?status=geplant", ["M2"]),
    ("?status=geplant&status=abgeschlossen", ["M2", "M3"]),
    ("?gebiet=6", ["M1"]),  # Stadtbezirk 6 Chorweiler holds 609 Chorweiler (M1)
    ("?gebiet=Kalk", ["M3"]),  # the name: Stadtteil 802 Kalk first
    ("?gebiet=7", ["M2"]),  # Stadtbezirk 7 Porz holds 716 Finkenberg
    ("?zielgruppe=alleinerziehende", ["M1", "M2"]),
    ("?zielgruppe=familien", ["M1", "M2"]),  # Familien includes the narrower Alleinerziehende
    ("?zielgruppe=alleinerziehende&status=abgeschlossen", []),
    ("?amt=50&gebiet=609&status=in-umsetzung", ["M1"]),
])
def test_measure_filters(web, query, expected):
    r = web.get("/massnahmen" + query)
    assert r.status_code == 200
    html = main(r.text)
    assert sorted(rows(html, "data-measure")) == sorted(expected)
    assert re.search(rf"<strong>{len(all_rows(html, 'data-measure'))}</strong> von [0-9]+ Maßnahmen", html)


def test_measure_list_counts_order_and_errors(web):
    html = main(web.get("/massnahmen").text)
    # by German label: Beratungsnetz Finkenberg (M2), Quartiersbüro Chorweiler (M1), Seniorentreff Kalk (M3)
    assert rows(html, "data-measure") == ["M2", "M1", "M3"]
    m1 = html[html.index('<tr data-measure="M1"'):]
    assert "integriert</strong>" in m1[:m1.index("</tr>")]  # M1 has two offices, M2 and M3 one
    m2 = html[html.index('<tr data-measure="M2"'):]
    assert "integriert</strong>" not in m2[:m2.index("</tr>")]
    # each option's count is the number of listed measures with that value (eingestellt: from the vocabulary)
    table = html[html.index('<table class="ranking measures"'):]
    for param, value, needle in (("amt", "50", 'href="/id/org/50"'), ("amt", "51", 'href="/id/org/51"'),
                                 ("status", "geplant", 'data-status="geplant"'),
                                 ("status", "eingestellt", 'data-status="eingestellt"')):
        n = sum(1 for row in table.split("<tr ")[1:] if needle in row)
        assert re.search(rf'name="{param}" value="{value}"><label[^>]*>[^<]+<span class="muted" data-count="{n}">',
                         html), (param, value, n)
    # Stadtteil and Stadtbezirk of the same name are told apart
    filtered = main(web.get("/massnahmen?gebiet=6").text)
    assert "Gebiet: Stadtbezirk 6 Chorweiler" in filtered and 'value="6" checked' in filtered
    for bad, word in (("?status=unbekannt", "status"), ("?gebiet=Atlantis", "gebiet"), ("?amt=999", "amt"),
                      ("?zielgruppe=Marsianer", "zielgruppe"), ("?foo=1", "foo")):
        r = web.get("/massnahmen" + bad)
        assert r.status_code == 400 and f"&#39;{word}&#39;" in r.text, bad
    # empty GET-form fields are dropped by a redirect
    r = web.get("/massnahmen?amt=&status=geplant")
    assert r.status_code == 302 and r.headers["Location"].endswith("/massnahmen?status=geplant")


def test_measure_page_by_hand(web):
    r = web.get("/massnahmen/50/m1")
    assert r.status_code == 200
    html = main(r.text)
    assert "<h1>Quartiersbüro Chorweiler</h1>" in html
    assert 'data-integrated="true"' in html and "(2 Ämter)" in html
    assert 'href="/id/org/50"' in html and 'href="/id/org/51"' in html
    assert 'data-figure="budget">120.000 €<' in html and "2 Vollzeitstellen" in html
    assert 'data-figure="zeitraum">2026-01-01 – 2027-12-31<' in html
    assert 'href="/ziele/z9-1">Z9.1 Testquote in Chorweiler senken</a>' in html
    assert 'data-need="B1"' in html and 'href="/id/angebot/50/o1"' in html
    ev = html[html.index('data-evaluation="E1"'):]
    assert 'data-figure="personen">140<' in ev and 'data-figure="plaetze">12<' in ev
    assert 'data-figure="eroeffnet">1<' in ev and "2026-11-30" in ev and "Stabsstelle Sozialplanung" in ev
    # M2: one office (not integrated), no budget, open end, no evaluation
    m2 = main(web.get("/massnahmen/50/m2").text)
    assert 'data-integrated' not in m2 and 'data-figure="budget">–<' in m2
    assert 'data-figure="zeitraum">2026-06-01 – …<' in m2 and "Noch keine Evaluation." in m2
    assert web.get("/massnahmen/50/m99").status_code == 404
    en = main(web.get("/massnahmen/50/m1?lang=en").text)
    assert "integrated" in en and 'data-figure="budget">120,000 €<' in en and "people reached" in en


# -- needs on /bedarfe and the Stadtteilprofil -------------------------------------------------------------------------
@pytest.mark.parametrize("query, expected", [
    ("", ["B1", "B2", "B3", "B4"]),
    ("?zielgruppe=alleinerziehende", ["B1", "B3"]),
    ("?stadtbezirk=7", ["B3"]),  # Porz: 716 Finkenberg
    ("?stadtbezirk=6", ["B1", "B2", "B4"]),  # Chorweiler: 609
    ("?lebenslage=bildung", ["B4"]),
    ("?zielgruppe=alleinerziehende&stadtbezirk=6", ["B1"]),
])
def test_needs_on_bedarfe_filtered_like_the_matrix(web, query, expected):
    r = web.get("/bedarfe" + query)
    assert r.status_code == 200
    html = main(r.text)
    section = html[html.index('id="needs-h"'):html.index('id="matrix-h"')]
    assert sorted(rows(section, "data-need")) == expected
    if expected:
        assert f'data-figure="bedarfe">{len(all_rows(section, "data-need"))}<' in section


def test_needs_list_status_and_measures(web):
    html = main(web.get("/bedarfe").text)
    section = html[html.index('id="needs-h"'):html.index('id="matrix-h"')]
    # ordered by status: vorgeschlagen (B2), festgestellt (B1), gedeckt (B3), verworfen (B4)
    assert rows(section, "data-need") == ["B2", "B1", "B3", "B4"]
    b1 = section[section.index('data-need="B1"'):section.index('data-need="B3"')]
    assert "festgestellt" in b1 and 'href="/massnahmen/50/m1"' in b1 and "20 Plätze" in b1
    b2 = section[section.index('data-need="B2"'):section.index('data-need="B1"')]
    assert 'data-no-measure="true"' in b2


def test_profile_lists_open_needs_and_their_measures(web):
    html = web.get("/id/stadtteil/609").text
    prof = html[html.index('id="offene-bedarfe"'):]
    prof = prof[:prof.index("</section>")]
    # open in 609: B1 (festgestellt, M1) and B2 (vorgeschlagen, none); B4 is verworfen
    assert rows(prof, "data-need") == ["B2", "B1"]
    assert 'href="/massnahmen/50/m1"' in prof
    # 716: B3 is gedeckt, not open
    html = web.get("/id/stadtteil/716").text
    prof = html[html.index('id="offene-bedarfe"'):]
    assert rows(prof[:prof.index("</section>")], "data-need") == []
    # a Stadtbezirk profile shows the open needs of its Stadtteile
    html = web.get("/id/stadtbezirk/6").text
    prof = html[html.index('id="offene-bedarfe"'):]
    assert rows(prof[:prof.index("</section>")], "data-need") == ["B2", "B1"]
    en = web.get("/id/stadtteil/609?lang=en").text
    assert "Open needs and measures" in en and "no measure" in en


# -- the office page's measures ------------------------------------------------------------------------------------------
def test_office_measures_partial(ref_ctx, web):
    m51 = [r for r in steering_pages.office_measures(ref_ctx, ID + "org/51", "de") if r["m"].code in FIXTURE]
    assert [r["m"].code for r in m51] == ["M1"]
    m50 = steering_pages.office_measures(ref_ctx, ID + "org/50", "de")
    assert [r["m"].code for r in m50 if r["m"].code in FIXTURE] == ["M1", "M2", "M3"]
    assert not any(r["m"].code in FIXTURE for r in steering_pages.office_measures(ref_ctx, ID + "org/jc", "de"))
    with web.app.test_request_context("/id/org/51"):
        g.lang = "de"
        html = render_template("_office_measures.html", office_measures=m51)
        assert "Maßnahmen (1)" in html and 'href="/massnahmen/50/m1"' in html and "integriert" in html
        assert render_template("_office_measures.html", office_measures=[]).strip() == ""


# -- escaping -----------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_web(tmp_path_factory, _reference_template):
    path = tmp_path_factory.mktemp("steering-hostile") / "store"
    shutil.copytree(_reference_template, path)
    store = open_store(path)
    load_fixture_data(store)
    N, L = ox.NamedNode, ox.Literal
    rdf_type, label = N(ns.PREFIXES["rdf"] + "type"), N(ns.PREFIXES["rdfs"] + "label")
    m, n, z = N(ID + "massnahme/50/boese"), N(ID + "bedarf/sp/boese"), N(ID + "ziel/boese")
    triples = [
        ox.Triple(m, rdf_type, N(SG + "Measure")), ox.Triple(m, label, L(HOSTILE, language="de")),
        ox.Triple(m, N(ns.PREFIXES["dcterms"] + "identifier"), L("M-" + HOSTILE)),
        ox.Triple(m, N(SG + "implementedBy"), N(ID + "org/50")), ox.Triple(m, N(SG + "forArea"), N(ID + "stadtteil/609")),
        ox.Triple(m, N(SG + "resources"), L(HOSTILE)), ox.Triple(m, N(SG + "addressesNeed"), n),
        ox.Triple(m, N(SG + "pursuesGoal"), z),
        ox.Triple(n, rdf_type, N(SG + "Need")), ox.Triple(n, label, L(HOSTILE, language="de")),
        ox.Triple(n, N(SG + "needIn"), N(ID + "stadtteil/609")),
        ox.Triple(n, N(SG + "needStatus"), N(ID + "bedarfsstatus/festgestellt")),
        ox.Triple(n, N(ns.PREFIXES["dcterms"] + "description"), L(HOSTILE, language="de")),
        ox.Triple(z, rdf_type, N(SG + "OperationalGoal")), ox.Triple(z, label, L(HOSTILE, language="de")),
        ox.Triple(z, N(ns.PREFIXES["skos"] + "notation"), L("Z-" + HOSTILE)),
    ]
    store.replace_graph(ns.GRAPH + "steering/50/test-boese", triples)
    ctx = Context(config.load({"store": str(path)}), store=store)
    return AppClient(create_app({"store": str(path)}, context=ctx))


@pytest.mark.parametrize("url", ["/massnahmen", "/massnahmen/50/boese", "/bedarfe", "/id/stadtteil/609", "/ziele",
                                 "/ziele/boese"])
def test_hostile_labels_are_escaped(hostile_web, url):
    r = hostile_web.get(url)
    assert r.status_code == 200, url
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;" in r.text


def test_hostile_label_on_the_office_partial(hostile_web):
    ctx = hostile_web.app.extensions["sozialgraph"]
    rows_ = steering_pages.office_measures(ctx, ID + "org/50", "de")
    with hostile_web.app.test_request_context("/id/org/50"):
        g.lang = "de"
        html = render_template("_office_measures.html", office_measures=rows_)
    assert "<script>" not in html and "&lt;script&gt;" in html
