"""A planner's way through the web app in a real Chromium (Debian's /usr/bin/chromium via Playwright).

Store: reference data + the fixture offers + 400 demo offers (sozialgraph.demo, through the submission mapping)
+ the city's Stadtteil geometries when ../shared is present. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from sozialgraph import config, namespaces as ns
from sozialgraph.context import Context
from sozialgraph.store.oxigraph import open_store
from conftest import FIXTURES, ROOT, start_live_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium (/usr/bin/chromium) is not installed; "
                       "./run test installs it (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def browser():
    """Debian chromium through Playwright, one per test module (the other browser test modules import it)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, _reference_template):
    from sozialgraph.capture.demo import add_demo_graph

    path = tmp_path_factory.mktemp("browser") / "store"
    shutil.copytree(_reference_template, path)
    store = open_store(path)
    store.load_file(FIXTURES / "offers.ttl", ns.office_graph("50"))
    ctx = Context(config.load({"store": str(path)}), store=store)
    add_demo_graph(ctx, 400, 1)
    geo = (ROOT / ".." / "shared" / "ref" / "koeln" / "geo" / "stadtteile_2013_simplified.geojson").resolve()
    if geo.exists():
        from sozialgraph.reference.geodata import import_geojson

        import_geojson(ctx, str(geo))
    srv = start_live_server(ctx)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def page(demo_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 1000})
        pg = context.new_page()
        pg.set_default_timeout(20000)
        yield pg
        context.close()
        browser.close()


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_planner_finds_offers_for_seniors_in_a_borough(demo_server, page):
    page.goto(demo_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Angebote finden").click()
    page.wait_for_url("**/angebote")

    # search for Senioren in Stadtbezirk Rodenkirchen with the form (works without JavaScript: a GET form)
    form = page.get_by_role("search", name="Angebotssuche")
    # target groups are checkboxes (several may be chosen: OR within the facet)
    form.get_by_role("group", name=re.compile("^Zielgruppe")).get_by_label("Senioren", exact=True).check()
    form.get_by_label("Stadtbezirk").select_option(label="Rodenkirchen")
    form.get_by_role("button", name="Suchen").click()
    page.wait_for_url(re.compile(r".*/angebote\?.*zielgruppe=senioren.*"))
    q = query_of(page.url)
    assert q["zielgruppe"] == ["senioren"] and q["stadtbezirk"] == ["2"]
    heading = page.locator("#results-h")
    total = int(heading.locator("[data-total]").get_attribute("data-total"))
    # the heading names what was asked: the target group and the kind of area
    assert total > 1 and "für Senioren" in heading.inner_text() and "Stadtbezirk Rodenkirchen" in heading.inner_text()
    reasons = set(page.locator("ol.offers .reason").all_inner_texts())
    assert reasons <= {"vor Ort", "Stadtbezirk", "Gesamtstadt"} and "vor Ort" in reasons

    # narrow by Angebotsart with a facet link: the count shown next to it is the new total
    facet = page.locator('a[data-facet="angebotsart"]').first
    expected = int(facet.locator("xpath=following-sibling::span[@class='count']").inner_text())
    facet_name = facet.inner_text()
    facet.click()
    page.wait_for_url(re.compile(r".*angebotsart=.*"))
    assert query_of(page.url)["zielgruppe"] == ["senioren"]  # the URL holds the whole search
    assert int(page.locator("#results-h [data-total]").get_attribute("data-total")) == expected
    assert facet_name in page.locator("#facet-angebotsart").locator("xpath=..").inner_text()
    page.screenshot(path=str(ARTIFACTS / "suche-senioren-rodenkirchen.png"), full_page=True)

    # open an offer located in a Stadtteil, then follow its Stadtteil
    offer = page.locator("ol.offers li.offer").filter(has=page.locator(".reason-vor-ort")).first
    offer_name = offer.locator("h3 a").inner_text()
    offer.locator("h3 a").click()
    page.wait_for_url("**/id/angebot/**")
    assert page.locator("h1").inner_text() == offer_name
    assert page.locator('script[type="application/ld+json"]').count() == 1
    quarter_link = page.locator('a[data-rel="stadtteil"]')
    quarter_name = quarter_link.inner_text()
    quarter_link.click()
    page.wait_for_url("**/id/stadtteil/**")
    assert page.locator("h1").inner_text() == quarter_name
    assert page.get_by_role("heading", name=re.compile("Angebote für diesen Stadtteil")).is_visible()
    assert page.locator(f'ul.offerlinks a:text-is("{offer_name}")').count() >= 1

    # switch to English: same page, English labels
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r".*lang=en.*"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name=re.compile("Offers for this quarter")).is_visible()
    assert page.get_by_role("heading", name="By target group").is_visible()
    page.get_by_role("link", name="Deutsch").click()  # back to German for the other tests (cookie)
    page.wait_for_url(re.compile(r".*lang=de.*"))


def test_map_of_a_search_result(demo_server, page):
    page.goto(demo_server.url + "/karte?zielgruppe=senioren&lang=de")
    svg = page.locator("svg.map")
    assert svg.is_visible()
    assert svg.get_attribute("role") == "img"
    assert page.locator("svg.map title").first.text_content() == "Angebote: Senioren"
    assert page.locator("table.figures tbody tr").count() == 86
    # keyboard: an area of the map is a link that can be focused
    page.locator("svg.map a").first.focus()
    page.screenshot(path=str(ARTIFACTS / "karte-senioren.png"), full_page=True)
    page.get_by_label("Angebote je 1.000 Einwohner").check()
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url(re.compile(r".*wert=je1000.*"))
    assert "je 1.000 Einwohner" in page.locator("svg.map .legend").text_content()
