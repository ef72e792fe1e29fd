"""The planner pages in a real Chromium (Debian's /usr/bin/chromium via Playwright), at 1280 px and 390 px width.

Store: reference data + fixture offers + 300 demo offers + the city's Stadtteil geometries when ../shared is present +
analysis results (tests/test_planning_pages.py run_analysis). Screenshots go to test-artifacts/; axe-core (from
node_modules, installed by ./run test) checks each page when present.
"""

from __future__ import annotations

import re
import shutil

import pytest

from sozialgraph.reference.geodata import import_geojson
from conftest import ROOT, start_live_server
from axe_support import violations
from test_browser import ARTIFACTS, browser, pytestmark  # noqa: F401  (the fixture; same marks: slow, browser, skipif)
from test_planning_pages import planning_store

WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def planning_server(tmp_path_factory, _reference_template):
    path = tmp_path_factory.mktemp("browser-planning") / "store"
    shutil.copytree(_reference_template, path)
    ctx = planning_store(path)
    geo = (ROOT / ".." / "shared" / "ref" / "koeln" / "geo" / "stadtteile_2013_simplified.geojson").resolve()
    if geo.exists():
        import_geojson(ctx, str(geo))
    srv = start_live_server(ctx)
    yield srv
    srv.stop()


# the Stadtteil page is checked within its profile: the rest of resource.html is not this issue's (its "Nach
# Zielgruppe" <summary> elements hold links, axe's nested-interactive)
PAGES = [("stadtteil-101", "/id/stadtteil/101", ".profile"), ("lebenslagen", "/lebenslagen?indikator=belastungsindex", None),
         ("bedarfe-senioren", "/bedarfe?zielgruppe=senioren", None),
         ("vergleich", "/vergleich?stadtteil=101&stadtteil=609", None)]


@pytest.mark.parametrize("width", WIDTHS)
def test_planner_pages_render_and_are_accessible(planning_server, browser, width):
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        for name, url, scope in PAGES:
            page.goto(planning_server.url + url)
            assert page.locator("h1").first.is_visible()
            page.screenshot(path=str(ARTIFACTS / f"planung-{name}-{width}.png"), full_page=True)
            found = violations(page, scope)
            assert found == [], (name, found)
        assert errors == []  # e.g. nothing blocked by the CSP
    finally:
        context.close()


def test_planner_answers_the_question_without_sparql(planning_server, browser):
    """Which Stadtteile are multiply burdened, and where do Senioren lack offers relative to their number?"""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(planning_server.url + "/")
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Lebenslagen").click()
        page.wait_for_url("**/lebenslagen")
        page.get_by_label("Kennzahl").select_option("belastungsindex")
        page.get_by_role("button", name="Anzeigen").click()
        page.wait_for_url(re.compile(r".*indikator=belastungsindex.*"))
        assert page.get_by_role("heading", name=re.compile("Mehrfach belastete Stadtteile")).is_visible()

        page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Bedarfe").click()
        page.wait_for_url("**/bedarfe")
        page.get_by_role("checkbox", name="Senioren").check()
        page.get_by_role("button", name="Anzeigen").click()
        page.wait_for_url(re.compile(r".*/bedarfe\?zielgruppe=senioren$"))  # empty fields dropped from the URL
        heading = page.get_by_role("heading", name=re.compile("Wo fehlen Angebote für Senioren"))
        assert heading.is_visible() and heading.bounding_box()["y"] < 900  # at first sight
        first = page.locator('table.ranking[data-group="senioren"] tbody tr').first
        assert first.locator("td").first.inner_text() == "1" and first.is_visible()
        page.screenshot(path=str(ARTIFACTS / "planung-frage-senioren.png"))
    finally:
        context.close()
