"""The planner's search in a real Chromium (issue 12): Senioren in Chorweiler with the form, narrowed by two offer
types with the facet links, exported as XLSX and CSV through the page's links, printed to PDF, the same in English;
screenshots at 1280 and 390 px in test-artifacts/; axe-core finds no WCAG 2 A/AA violation in any state.

Store: test_browser.py's demo_server (reference data + the fixture offers + 400 demo offers).
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

import axe_support
from test_browser import ARTIFACTS, browser, demo_server, pytestmark  # noqa: F401  (fixtures; slow, browser)

WORDS = {
    "de": {"search": "Angebotssuche", "group": "Zielgruppe", "senioren": "Senioren", "quarter": "Stadtteil",
           "button": "Suchen", "heading": "Angebote für Senioren, die den Stadtteil Chorweiler versorgen",
           "xlsx": "Als XLSX", "csv": "Als CSV (Excel)", "print": "Drucken / alle anzeigen", "facets": "Eingrenzen",
           "name": "Bezeichnung", "search_row": "Suche"},
    "en": {"search": "Offer search", "group": "Target group", "senioren": "Older people", "quarter": "Quarter",
           "button": "Search", "heading": "offers for Older people that serve the quarter Chorweiler",
           "xlsx": "As XLSX", "csv": "As CSV (Excel)", "print": "Print / show all", "facets": "Narrow down",
           "name": "Name", "search_row": "Search"},
}


def total(page) -> int:
    return int(page.locator("#results-h [data-total]").get_attribute("data-total"))


def assert_accessible(page, state: str) -> None:
    found = axe_support.violations(page)
    assert found == [], (state, found)


def shoot(page, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        # 390 px: the form and the page do not overflow to the side
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), (name, width)
        assert page.locator("form.search").evaluate("f => f.getBoundingClientRect().right <= window.innerWidth"), \
            (name, width)
        page.screenshot(path=str(ARTIFACTS / f"suche-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("lang", ["de", "en"])
def test_planner_searches_narrows_exports_and_prints(demo_server, browser, lang, tmp_path):
    axe_support.require_axe()
    w = WORDS[lang]
    context = browser.new_context(locale="de-DE" if lang == "de" else "en-GB", accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(30000)
        page.goto(f"{demo_server.url}/angebote?lang={lang}")
        assert_accessible(page, "empty search")

        # Senioren in Stadtteil Chorweiler with the form (a GET form; its empty fields are redirected away)
        form = page.get_by_role("search", name=w["search"])
        form.get_by_role("group", name=re.compile(w["group"])).get_by_label(w["senioren"], exact=True).check()
        form.get_by_label(w["quarter"], exact=True).select_option(label="Chorweiler")
        form.get_by_role("button", name=w["button"]).click()
        page.wait_for_url(re.compile(r".*stadtteil=609.*"))
        query = parse_qs(urlsplit(page.url).query)
        assert query["zielgruppe"] == ["senioren"] and query["stadtteil"] == ["609"]
        assert all(v != [""] for v in query.values()) and "sortierung" not in query
        first = total(page)
        assert first > 0 and w["heading"] in page.locator("#results-h").inner_text()
        reasons = page.locator("ol.offers .reason").all_inner_texts()
        order = ["vor Ort", "Stadtbezirk", "Gesamtstadt"] if lang == "de" else ["on site", "borough", "whole city"]
        assert [order.index(r) for r in reasons] == sorted(order.index(r) for r in reasons)  # on site first
        assert_accessible(page, "Senioren in Chorweiler")
        shoot(page, f"senioren-chorweiler-{lang}")

        # narrow by two offer types: the first facet link narrows to its count, the second adds its offers (OR)
        links = page.locator('a[data-facet="angebotsart"]')
        assert links.count() >= 2
        a = links.nth(0)
        expected = int(a.get_attribute("data-count"))
        assert int(a.locator("xpath=following-sibling::span[@class='count']").inner_text()) == expected
        a.click()
        page.wait_for_url(re.compile(r".*angebotsart=.*"))
        assert total(page) == expected <= first
        b = page.locator('a[data-facet="angebotsart"]').first
        expected = int(b.get_attribute("data-count"))
        added = b.locator("xpath=following-sibling::span[@class='count']").inner_text()
        assert added.startswith("+") and int(added[1:].split()[0]) == expected - total(page)
        b.click()
        page.wait_for_load_state()
        query = parse_qs(urlsplit(page.url).query)
        assert len(query["angebotsart"]) == 2 and query["zielgruppe"] == ["senioren"]
        assert total(page) == expected
        assert page.locator("ul.chips li").count() == 4  # Zielgruppe, Stadtteil, two offer types
        narrowed = total(page)
        assert_accessible(page, "two offer types")
        shoot(page, f"zwei-angebotsarten-{lang}")

        # the exports through the page's links: XLSX (openpyxl) and CSV for German Excel (';', BOM)
        with page.expect_download() as info:
            page.get_by_role("link", name=w["xlsx"]).click()
        assert info.value.suggested_filename == "angebote.xlsx"
        ws = openpyxl.load_workbook(io.BytesIO(info.value.path().read_bytes())).active
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        assert rows[0][0] == w["search_row"] and w["heading"].split(" ", 1)[-1][:20] in rows[0][1]
        head = next(i for i, r in enumerate(rows) if r[0] == w["name"])
        assert len(rows) - head - 1 == narrowed
        with page.expect_download() as info:
            page.get_by_role("link", name=w["csv"]).click()
        assert info.value.suggested_filename == "angebote.csv"
        raw = info.value.path().read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        head = next(i for i, r in enumerate(table) if r and r[0] == w["name"])
        assert table[0][0] == "# " + w["search_row"] and len(table) - head - 1 == narrowed

        # print: every result, the search on top, the address and the date at the foot; no form, no facets
        page.get_by_role("link", name=w["print"]).click()
        page.wait_for_url(re.compile(r".*alle=ja.*"))
        assert page.locator("ol.offers li.offer").count() == narrowed
        assert_accessible(page, "print view")
        page.emulate_media(media="print")
        assert not page.locator("form.search").is_visible() and not page.locator("aside.facets").is_visible()
        assert page.locator(".printfooter").is_visible()
        page.screenshot(path=str(ARTIFACTS / f"suche-druck-{lang}.png"), full_page=True)
        pdf = tmp_path / f"suche-{lang}.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=False)
        page.emulate_media(media="screen")
        pypdf = pytest.importorskip("pypdf")
        text = " ".join(p.extract_text() for p in pypdf.PdfReader(str(pdf)).pages)
        flat = " ".join(text.split())
        assert str(narrowed) in flat and "Chorweiler" in flat and w["facets"] not in flat
        assert "alle=ja" in flat.replace(" ", "") and re.search(r"\d{4}", flat)
        (ARTIFACTS / f"suche-druck-{lang}.pdf").write_bytes(pdf.read_bytes())
    finally:
        context.close()
