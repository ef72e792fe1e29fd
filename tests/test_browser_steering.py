"""The steering pages (issue 11) in a real Chromium (Debian's /usr/bin/chromium via Playwright) at 1280 and 390 px:
/ziele, /ziele/z9, /massnahmen (filtered and not), a measure's page, the needs on /bedarfe and on a Stadtteilprofil.

Store: conftest's ``live_server`` over the read-only ``ref_store`` (reference data, fixture offers, steering fixture).
Screenshots go to test-artifacts/steuerung-*.png; axe-core (tests/axe_support.py) must report no WCAG 2.1 A/AA
violation. The Stadtteil page and /bedarfe are checked within the parts this issue adds (the rest of those pages is
the planner pages' and resource page's, tested in tests/test_browser_planning.py).
"""

from __future__ import annotations

import re

import pytest

from axe_support import violations
from test_browser import ARTIFACTS, browser, pytestmark  # noqa: F401  (the fixture; same marks: slow, browser, skipif)

WIDTHS = (1280, 390)
PAGES = [("ziele", "/ziele", None), ("ziel-z9", "/ziele/z9", None), ("massnahmen", "/massnahmen", None),
         ("massnahmen-gefiltert", "/massnahmen?amt=51&status=in-umsetzung", None),
         ("massnahme-m1", "/massnahmen/50/m1", None), ("massnahme-m1-en", "/massnahmen/50/m1?lang=en", None),
         ("bedarfe", "/bedarfe", "#bedarfe-liste"), ("stadtteil-609", "/id/stadtteil/609", "#profil-bedarfe")]


@pytest.mark.parametrize("width", WIDTHS)
def test_steering_pages_render_and_are_accessible(live_server, browser, width):
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        for name, url, scope in PAGES:
            resp = page.goto(live_server.url + url)
            assert resp.status == 200, url
            assert page.locator("h1").first.is_visible()
            page.screenshot(path=str(ARTIFACTS / f"steuerung-{name}-{width}.png"), full_page=True)
            found = violations(page, scope)
            assert found == [], (name, found)
        assert errors == []  # e.g. nothing blocked by the CSP
    finally:
        context.close()


def test_planner_finds_the_integrated_measure_and_its_evaluation(live_server, browser):
    """Which measures does Amt 51 carry out, and what did the evaluation of the integrated one find? Without SPARQL."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        page.goto(live_server.url + "/massnahmen")
        page.get_by_role("checkbox", name=re.compile("^Amt für Kinder, Jugend und Familie")).check()
        page.get_by_role("button", name="Anzeigen").click()
        page.wait_for_url(re.compile(r".*/massnahmen\?amt=51$"))  # empty fields dropped, the office's code kept
        row = page.locator('tr[data-measure="M1"]')
        assert row.is_visible() and "integriert" in row.inner_text()
        row.get_by_role("link", name="Quartiersbüro Chorweiler").click()
        page.wait_for_url("**/massnahmen/50/m1")
        ev = page.locator('tr[data-evaluation="E1"]')
        assert ev.locator('[data-figure="personen"]').inner_text() == "140"
        page.screenshot(path=str(ARTIFACTS / "steuerung-frage-amt51.png"))
        page.get_by_role("link", name=re.compile("^Z9.1")).first.click()
        page.wait_for_url("**/ziele/z9-1")
        assert page.locator('#ziel-z9-1 td[data-behind="true"]').first.is_visible()
        assert page.locator("#ziel-z9-1 svg.sparkline").first.is_visible()
    finally:
        context.close()
