"""The search page /angebote a planner works with (issue 12): facets that count what their links return and narrow
the search, several values per facet, the heading, clean URLs, the Bezirk/Stadtteil conflict, free text with the
vocabularies' synonyms, links for suggestions, spreadsheets for German Excel, print.

Expected answers are worked out by hand from tests/fixtures/offers.ttl (see tests/test_search_api.py for the six
offers); the facet-link check also runs over demo offers (slow).
"""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
import shutil
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

from sozialgraph import config
from sozialgraph.context import Context
from sozialgraph.store.oxigraph import open_store
from conftest import AppClient


def page(web, params, status=200):
    r = web.get("/angebote", params=params, timeout=30)
    assert r.status_code == status, r.text[:2000]
    return r.text


def total(text: str) -> int:
    return int(re.search(r'data-total="(\d+)"', text).group(1))


def facet_links(text: str) -> list[tuple[str, str, int, str]]:
    """(facet, href, count its link promises, visible count) of every facet link on a page."""
    out = []
    for m in re.finditer(r'<a href="([^"]+)" data-facet="(\w+)" data-count="(\d+)">[^<]*</a>\s*'
                         r'<span class="count">([^<]*)', text):
        out.append((m.group(2), htmllib.unescape(m.group(1)), int(m.group(3)), m.group(4)))
    return out


def check_every_facet_link(web, params) -> int:
    """Follow every facet link of a search: its result is the count shown (narrowing) or the current total plus
    the shown addition (a facet with a chosen value); the link keeps every current parameter (``params`` are
    given as the page writes them: codes and slugs)."""
    text = page(web, params)
    now = total(text)
    before = {k: v if isinstance(v, list) else [v] for k, v in parse_qs(urlsplit("/?" + "&".join(
        f"{k}={v}" for k, v in params)).query).items()}
    links = facet_links(text)
    assert links, "a search with results has facets"
    for facet, href, promised, shown in links:
        after = page(web, parse_qs(urlsplit(href).query))
        assert total(after) == promised, (facet, href)
        assert (now + int(shown[1:]) if shown.startswith("+") else int(shown)) == promised
        query = parse_qs(urlsplit(href).query)
        for k, vals in before.items():
            if k in ("stadtbezirk",) and "stadtteil" in query:
                continue  # inside a Stadtbezirk a Stadtteil facet narrows to the Stadtteil (its Bezirk is implied)
            assert set(vals) <= set(query.get(k, [])), (k, href)
        assert promised <= now or shown.startswith("+")  # narrowing, or an addition within a chosen facet
    return len(links)


@pytest.mark.parametrize("params", [
    [],
    [("zielgruppe", "senioren")],
    [("angebotsart", "beratung"), ("stadtbezirk", "1")],
    [("stadtbezirk", "1")],
    [("angebotsart", "kindertagesstaette"), ("angebotsart", "seniorennetzwerk")],
    [("q", "Seniorinnen"), ("stadtteil", "101")],
])
def test_every_facet_count_is_what_its_link_returns(web, params):
    assert check_every_facet_link(web, params) > 0


def test_area_facets_follow_the_level(web):
    city = {f for f, *_ in facet_links(page(web, []))}
    assert "stadtbezirk" in city and "stadtteil" not in city
    borough = page(web, [("stadtbezirk", "1")])
    quarters = [(href, n) for f, href, n, _ in facet_links(borough) if f == "stadtteil"]
    assert len(quarters) == 5 and not [1 for f, *_ in facet_links(borough) if f == "stadtbezirk"]
    quarter = page(web, [("stadtteil", "105")])
    assert not [1 for f, *_ in facet_links(quarter) if f in ("stadtteil", "stadtbezirk")]
    assert 'href="/angebote?stadtbezirk=1" class="up"' in quarter  # one level up


def test_heading_names_what_was_asked(web):
    # Deutz (105): o6 on site; o2 (reach Stadtbezirk) and o3 (city-wide) are no Senioren offers
    assert "<span data-total=\"1\">1</span> Angebot für Senioren, das den Stadtteil Deutz versorgt</h2>" in page(
        web, [("zielgruppe", "senioren"), ("stadtteil", "105")])
    text = page(web, [("zielgruppe", "senioren"), ("stadtbezirk", "1"), ("lang", "en")])
    assert "<span data-total=\"2\">2</span> offers for Older people that serve the borough Innenstadt</h2>" in text
    text = page(web, [("zielgruppe", "senioren"), ("zielgruppe", "kinder"), ("stadtteil", "101"), ("nur_vor_ort", "ja")])
    assert "1</span> Angebot für Senioren oder Kinder, das im Stadtteil Altstadt/Süd liegt</h2>" in text
    assert "6</span> Angebote in Köln</h2>" in page(web, [])


def test_several_values_are_checkboxes_and_removable_chips(web):
    text = page(web, [("zielgruppe", "senioren"), ("zielgruppe", "kinder")])
    assert total(text) == 4  # o1, o5, o6 (Senioren) and o4 (Kinder)
    checked = re.findall(r'name="zielgruppe" value="([\w-]+)" checked', text)
    assert sorted(checked) == ["kinder", "senioren"]
    chips = re.findall(r'<a class="screen-only" href="([^"]+)" aria-label="Filter entfernen: Zielgruppe (\w+)"', text)
    assert {name: parse_qs(urlsplit(htmllib.unescape(href)).query) for href, name in chips} == {
        "Senioren": {"zielgruppe": ["kinder"]}, "Kinder": {"zielgruppe": ["senioren"]}}


def test_empty_parameters_redirect_to_the_clean_url(web):
    r = web.get("/angebote?q=&zielgruppe=senioren&zielgruppe=kinder&amt=&stadtteil=&sortierung=&lang=de")
    assert r.status_code == 302
    assert r.headers["Location"] == "/angebote?zielgruppe=senioren&zielgruppe=kinder&lang=de"


def test_default_sort_with_an_area_is_on_site_first_and_the_form_keeps_it(web):
    text = page(web, [("stadtteil", "101")])
    assert 'name="sortierung"' not in text  # nothing in the form overrides the default
    names = re.findall(r'<li class="offer">\s*<h3><a href="[^"]+">([^<]+)</a>', text)
    assert names == ["Begegnungsstätte Altstadt (Beispiel)", "Schuldnerberatung Südstadt (Beispiel)",
                     "Sozialberatung Gesamtstadt (Beispiel)"]  # vor Ort, Stadtbezirk, Gesamtstadt
    assert '<strong aria-current="true">Nähe (vor Ort zuerst)</strong>' in text
    by_name = page(web, [("stadtteil", "101"), ("sortierung", "name")])
    assert '<input type="hidden" name="sortierung" value="name">' in by_name
    assert '<a href="/angebote?stadtteil=101">Nähe (vor Ort zuerst)</a>' in by_name  # server-side sort links


def test_a_quarter_outside_the_borough_wins_with_a_message(web):
    text = page(web, [("stadtbezirk", "2"), ("stadtteil", "101")])
    assert total(text) == 3
    assert "Der Stadtteil Altstadt/Süd liegt nicht im Stadtbezirk Rodenkirchen; gezeigt wird der Stadtteil." in text
    assert '<a href="/angebote?stadtbezirk=2">Stattdessen den Stadtbezirk Rodenkirchen zeigen</a>' in text
    # the Bezirk select shows the Stadtteil's Bezirk
    assert '<option value="1" selected>Innenstadt</option>' in text
    assert '<option value="2" selected>' not in text


def test_result_lines_say_where_without_repeating(web):
    text = page(web, [("zielgruppe", "senioren")])
    assert ('<a href="/id/stadtteil/101">Altstadt/Süd</a> (Stadtbezirk <a href="/id/stadtbezirk/1">Innenstadt</a>)'
            ' · Musterstraße 1') in text
    assert 'Stadtbezirk <a href="/id/stadtbezirk/2">Rodenkirchen</a></dd>' in text  # o5: a Stadtbezirk only


def test_synonym_in_free_text_offers_its_facet_and_hidden_spellings_are_never_names(web):
    text = page(web, [("q", "Aeltere Menschen")])
    assert total(text) == 3
    link = re.search(r'<a href="([^"]+)">Zielgruppe Senioren wählen</a>', text)
    assert link and parse_qs(urlsplit(htmllib.unescape(link.group(1))).query) == {"zielgruppe": ["senioren"]}
    # the helper spelling appears only where the user's own text is repeated (title, field, heading, chip), never
    # as a name: not in the facets, the suggestions or the results
    assert text.count("Aeltere Menschen") == 5 and text.count("„Aeltere Menschen“") == 2
    facets = text[text.index('<aside class="facets"'):text.index("</aside>")]
    results = text[text.index('<p class="terms">'):]
    assert "Aeltere Menschen" not in facets + results and "Ältere Menschen" not in text
    english = page(web, [("q", "Seniorinnen"), ("lang", "en")])
    assert ">Choose target group Older people</a>" in english


def test_no_result_names_the_filters_and_suggests_links(web):
    text = page(web, [("q", "Senoiren"), ("stadtteil", "101")])
    assert total(text) == 0
    assert "Keine Angebote für diese Suche (Suchbegriff: Senoiren; Stadtteil: Altstadt/Süd)." in text
    assert "Entfernen Sie einen Filter" not in text
    m = re.search(r'Meinten Sie <a href="([^"]+)">Senioren</a>\?', text)
    assert m and parse_qs(urlsplit(htmllib.unescape(m.group(1))).query) == {"q": ["Senioren"], "stadtteil": ["101"]}


def test_bad_value_is_a_400_with_the_form_and_suggestion_links(web):
    text = page(web, [("zielgruppe", "Seniorn"), ("stadtteil", "101")], status=400)
    assert "ist keine bekannte Zielgruppe" in text and 'role="search"' in text
    m = re.search(r'Meinten Sie\s*<a href="([^"]+)">Senioren</a>\?', text)
    assert m and parse_qs(urlsplit(htmllib.unescape(m.group(1))).query) == {"stadtteil": ["101"],
                                                                            "zielgruppe": ["Senioren"]}
    assert "data-total" not in text  # no result for a search that could not be read


def test_csv_for_german_excel_with_the_filters_on_top(web):
    text = page(web, [("zielgruppe", "senioren"), ("stadtteil", "101")])
    href = htmllib.unescape(re.search(r'<a href="([^"]+)" type="text/csv" download>Als CSV \(Excel\)</a>', text)[1])
    r = web.client.get(href)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.data.startswith(b"\xef\xbb\xbf") and b"\r\n" in r.data
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["# Suche", "1 Angebot für Senioren, das den Stadtteil Altstadt/Süd versorgt"]
    assert ["# Zielgruppe", "Senioren"] in rows and ["# Stadtteil", "Altstadt/Süd"] in rows
    head = next(i for i, row in enumerate(rows) if row[0] == "Bezeichnung")
    table = [dict(zip(rows[head], row)) for row in rows[head + 1:]]
    assert [(t["Bezeichnung"], t["Grund"], t["Breite"]) for t in table] == [
        ("Begegnungsstätte Altstadt (Beispiel)", "vor Ort", "50,9293")]  # decimal comma


def test_xlsx_link_of_the_page(web):
    text = page(web, [("angebotsart", "beratung"), ("lang", "en")])
    href = htmllib.unescape(re.search(r'<a href="([^"]+)" type="application/vnd[^"]+" download>As XLSX</a>', text)[1])
    ws = openpyxl.load_workbook(io.BytesIO(web.client.get(href).data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    label = rows[1][1]  # the English label of Beratung
    assert rows[0][:2] == ["Search", f"3 offers of type {label}"] and rows[1][0] == "Offer type"
    assert rows[2][:2] == ["Results", "3"]
    head = next(i for i, row in enumerate(rows) if row[0] == "Name")
    assert len(rows) - head - 1 == 3


def test_print_view_shows_every_result_with_the_search_and_the_address(web, repo_root):
    text = page(web, [("pro_seite", "10"), ("seite", "1")])
    link = htmllib.unescape(re.search(r'<a href="([^"]+)">Drucken / alle anzeigen</a>', text)[1])
    assert parse_qs(urlsplit(link).query) == {"pro_seite": ["10"], "alle": ["ja"]}
    everything = page(web, [("alle", "ja"), ("pro_seite", "10")])
    assert everything.count('<li class="offer">') == 6 and 'class="pager"' not in everything
    footer = re.search(r'<div class="print-only printfooter">([^<]+)</div>', everything)[1]
    assert "http://localhost/angebote?pro_seite=10&amp;alle=ja" in footer and re.search(r"\d\d\.\d\d\.\d{4}", footer)
    css = (repo_root / "src" / "sozialgraph" / "web" / "static" / "style.css").read_text(encoding="utf-8")
    printing = css[css.index("@media print"):]
    assert "size: A4" in css and "aside.facets" in printing and "form.search" in printing
    assert ".print-only { display: block; }" in printing


def test_unknown_page_format_is_a_400(web):
    r = web.get("/angebote", params={"format": "pdf"})
    assert r.status_code == 400 and "Parameter 'format': 'pdf'" in htmllib.unescape(r.text)


# -- the same check over demo offers: many values, Stadtbezirk and Stadtteil levels ---------------------------------
@pytest.fixture(scope="module")
def demo_web(tmp_path_factory, _reference_template):
    from sozialgraph.capture.demo import add_demo_graph
    from sozialgraph.web import create_app

    path = tmp_path_factory.mktemp("search-demo") / "store"
    shutil.copytree(_reference_template, path)
    store = open_store(path)
    ctx = Context(config.load({"store": str(path)}), store=store)
    add_demo_graph(ctx, 300, 1)
    return AppClient(create_app({"store": str(path)}, context=ctx))


@pytest.mark.slow
@pytest.mark.parametrize("params", [
    [("zielgruppe", "senioren"), ("stadtteil", "609")],  # Chorweiler
    [("zielgruppe", "senioren"), ("stadtbezirk", "6")],  # Chorweiler
    [("zielgruppe", "senioren"), ("stadtbezirk", "7"), ("angebotsart", "begegnungsstaette"),  # Porz
     ("angebotsart", "beratung")],
    [("q", "Seniorinnen")],
])
def test_every_facet_link_on_demo_data(demo_web, params):
    assert check_every_facet_link(demo_web, params) > 5
