"""axe-core in a Playwright page: inject node_modules/axe-core/axe.min.js and return the WCAG 2 A/AA violations.

axe-core is an npm package (./run test installs it: ``npm install --no-save axe-core@4``). The script is evaluated
over the DevTools protocol (``page.evaluate``) rather than added as a <script> element (``page.add_script_tag``):
an inline <script> is blocked by the site's Content-Security-Policy (script-src 'self'), and switching the policy
off for the test (bypass_csp) would hide real CSP problems of the pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require_axe() -> Path:
    if not AXE.exists():
        pytest.skip(f"axe-core not found at {AXE} (npm install --no-save axe-core@4; ./run test does it)")
    return AXE


def violations(page, include: str | None = None, exclude: list[str] | None = None) -> list[dict]:
    """axe-core's violations on the page (or within the CSS selector ``include``, without ``exclude``):
    [{"id": rule, "impact": ..., "help": ..., "nodes": [CSS targets, at most 5]}]."""
    path = require_axe()
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(path.read_text(encoding="utf-8"))
    context = {"include": [[include]] if include else [["html"]], "exclude": [[e] for e in exclude or []]}
    result = page.evaluate("async ([context, tags]) => await axe.run(context, {runOnly: {type: 'tag', values: tags}})",
                           [context, TAGS])
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [" ".join(n["target"]) for n in v["nodes"]][:5]} for v in result["violations"]]
