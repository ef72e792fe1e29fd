"""Hardening of what the project writes: no spreadsheet formulas in any CSV/XLSX (OWASP CSV injection), security
headers on every response, JSON-LD that cannot end its <script> block, only safe link schemes, /favicon.ico."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pyoxigraph as ox
import pytest

from sozialgraph import namespaces as ns
from sozialgraph.csvsafe import Numeral, safe_cell, safe_row, unneutralise
from conftest import FIXTURES

EVIL = {  # fixture offer -> its new label
    "o1": '=HYPERLINK("http://x")',
    "o2": "@SUM(1)",
    "o4": "-2+3",
    "o6": "</script><!--<script>alert(1)</script>",
}
PROVIDER_B = "+1+1"
TAB = "\tTabulator"
SCRIPT = "</script><!--<script>alert(1)</script>"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def evil_turtle() -> str:
    text = (FIXTURES / "offers.ttl").read_text(encoding="utf-8")
    labels = {"o1": "Begegnungsstätte Altstadt (Beispiel)", "o2": "Schuldnerberatung Südstadt (Beispiel)",
              "o4": "Kita Bayenthal (Beispiel)", "o6": "Pflegeberatung Deutz (Beispiel)"}
    for key, old in labels.items():
        new = json.dumps(EVIL[key], ensure_ascii=False)  # a Turtle string literal (JSON escapes are valid Turtle)
        text = text.replace(f'"o{key[1:]}" ; rdfs:label "{old}"@de', f'"o{key[1:]}" ; rdfs:label {new}@de', 1)
    text = text.replace('"Beispielträger B gGmbH"@de', f'"{PROVIDER_B}"@de')
    text = text.replace('geo:lat "50.9293"^^xsd:decimal', 'geo:lat "-50.9293"^^xsd:decimal')
    text = text.replace('schema:streetAddress "Musterstraße 1"', 'schema:streetAddress "\\tTabulator"')
    assert text.count("HYPERLINK") == 1 and text.count(PROVIDER_B) == 1 and "-50.9293" in text
    return text


@pytest.fixture(scope="module")
def evil_store(tmp_path_factory, _reference_template):
    from sozialgraph.store.oxigraph import open_store

    path = tmp_path_factory.mktemp("evil") / "store"
    shutil.copytree(_reference_template, path)
    store = open_store(path)
    ttl = tmp_path_factory.mktemp("evilttl") / "offers.ttl"
    ttl.write_text(evil_turtle(), encoding="utf-8")
    store.load_file(ttl, ns.office_graph("50"))
    offer5 = ox.NamedNode(ns.ID + "angebot/50/o5")
    g = ox.NamedNode(ns.office_graph("50"))
    P = ns.PREFIXES
    store.extend([
        ox.Quad(offer5, ox.NamedNode(P["rdfs"] + "seeAlso"), ox.NamedNode("javascript:alert(1)"), g),
        ox.Quad(offer5, ox.NamedNode(P["rdfs"] + "seeAlso"), ox.NamedNode("data:text/html,%3Cb%3Ex"), g),
        ox.Quad(offer5, ox.NamedNode(P["rdfs"] + "seeAlso"), ox.NamedNode("https://example.org/gut"), g),
        ox.Quad(offer5, ox.NamedNode(P["schema"] + "url"), ox.Literal("javascript:alert(2)"), g),
        ox.Quad(offer5, ox.NamedNode(P["rdfs"] + "comment"), ox.Literal("JavaScript:alert(3)"), g),
        ox.Quad(offer5, ox.NamedNode(P["schema"] + "email"), ox.Literal("info@example.org"), g),
        ox.Quad(offer5, ox.NamedNode(P["schema"] + "telephone"), ox.Literal("+49 221 123456"), g),
        ox.Quad(offer5, ox.NamedNode(P["dcterms"] + "description"), ox.Literal(SCRIPT, language="de"), g),
    ])
    return store


@pytest.fixture(scope="module")
def app(evil_store):
    from sozialgraph import config
    from sozialgraph.context import Context
    from sozialgraph.web import create_app
    from sozialgraph.web.views.sparql import close_pool

    ctx = Context(config.load({"store": str(evil_store.path)}), store=evil_store)
    app = create_app({"store": str(evil_store.path)}, context=ctx)
    yield app
    close_pool(app)


@pytest.fixture
def client(app):
    return app.test_client()


def offer(key: str) -> str:
    return ns.ID + f"angebot/50/{key}"


def assert_no_formula_cells(rows, numeric_ok=()):
    for row in rows:
        for name, value in row.items():
            if name in numeric_ok and re.fullmatch(r"-?\d+(\.\d+)?", value or ""):
                continue
            assert not (value or "").startswith(TRIGGERS), (name, value)


# -- 1. formula injection -------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,expected", [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("@SUM(1)", "'@SUM(1)"),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("-2", "'-2"),                      # text: the OWASP rule applies to every text cell
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("Beratung - Köln", "Beratung - Köln"),
    ("a=b", "a=b"),
    ("", ""),
    (None, ""),
    (-2, -2),                            # numbers are numbers, not formulas
    (-6.95, -6.95),
    (Numeral("-2"), "-2"),               # text of an xsd number
    (Numeral("-50.9293"), "-50.9293"),
    (Numeral("-2+3"), "'-2+3"),          # an ill-typed "number" is still text
])
def test_safe_cell(value, expected):
    got = safe_cell(value)
    assert got == expected and type(got) is type(expected) or (isinstance(expected, str) and isinstance(got, str)
                                                                 and got == expected)


def test_unneutralise_undoes_only_the_prefix():
    for v in ('=HYPERLINK("http://x")', "@SUM(1)", "+1+1", "-2+3", "\tx"):
        assert unneutralise(safe_cell(v)) == v
    assert unneutralise("'nur Text") == "'nur Text"


def test_search_csv_neutralises_text_cells_and_keeps_numbers(client):
    r = client.get("/api/angebote?format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = {row["angebot"]: row for row in csv.DictReader(io.StringIO(r.get_data(as_text=True)))}
    assert rows[offer("o1")]["bezeichnung"] == '\'=HYPERLINK("http://x")'
    assert rows[offer("o2")]["bezeichnung"] == "'@SUM(1)"
    assert rows[offer("o4")]["bezeichnung"] == "'-2+3"
    assert rows[offer("o4")]["traeger"] == "'+1+1"
    assert rows[offer("o1")]["strasse"] == "'\tTabulator"
    assert rows[offer("o1")]["lat"] == "-50.9293"  # a number, untouched
    assert_no_formula_cells(rows.values(), numeric_ok=("lat", "long"))
    # JSON is data, not a spreadsheet: unchanged
    js = client.get("/api/angebote?format=json").get_json()
    assert {e["bezeichnung"] for e in js["ergebnisse"]} >= {'=HYPERLINK("http://x")', "@SUM(1)", "-2+3"}


def test_saved_query_csv_neutralises_and_json_does_not(client):
    r = client.get("/api/queries/list-offers?format=csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Access-Control-Allow-Origin"] == "*"  # CORS stays
    rows = {row["angebot"]: row for row in csv.DictReader(io.StringIO(r.get_data(as_text=True)))}
    assert rows[offer("o1")]["bezeichnung"] == '\'=HYPERLINK("http://x")'
    assert rows[offer("o2")]["bezeichnung"] == "'@SUM(1)"
    assert rows[offer("o4")]["bezeichnung"] == "'-2+3" and rows[offer("o4")]["traeger"] == "'+1+1"
    assert_no_formula_cells(rows.values())
    assert int(r.headers["X-Result-Rows"]) == len(rows)
    # Accept: text/csv is the same CSV
    assert client.get("/api/queries/list-offers", headers={"Accept": "text/csv"}).data == r.data
    js = client.get("/api/queries/list-offers").get_json()
    assert {row["bezeichnung"] for row in js["rows"]} >= {'=HYPERLINK("http://x")', "-2+3"}
    sj = client.get("/api/queries/list-offers?format=sparql-json")
    assert sj.headers["Content-Type"].startswith("application/sparql-results+json")
    assert "=HYPERLINK" in sj.get_data(as_text=True)


def test_sparql_results_csv_keeps_typed_numbers():
    from sozialgraph.sparql.output import render, results_csv, rows_of

    store = ox.Store()
    q = ('SELECT ?t ?n ?d ?s ?b WHERE { VALUES (?t ?n ?d ?s) { ("-2+3" -2 -6.95 "@SUM(1)") ("=1+1" 3 1.5 "+1+1") } '
         'BIND(BNODE() AS ?b) }')
    out = list(csv.reader(io.StringIO(results_csv(store.query(q)))))
    assert out[0] == ["t", "n", "d", "s", "b"]
    assert out[1][:4] == ["'-2+3", "-2", "-6.95", "'@SUM(1)"] and out[1][4].startswith("_:")
    assert out[2][:4] == ["'=1+1", "3", "1.5", "'+1+1"]
    # the CLI's renderer (sozialgraph query --format csv)
    names, rows = rows_of(store.query(q))
    cli = list(csv.reader(io.StringIO(render(names, rows, "csv"))))
    assert [r[:4] for r in cli[1:]] == [["'-2+3", "-2", "-6.95", "'@SUM(1)"], ["'=1+1", "3", "1.5", "'+1+1"]]
    assert render(names, rows, "json").count("'") == 0  # JSON and table are not spreadsheets
    assert json.loads(render(names, rows, "json"))[0]["t"] == "-2+3"


def test_cli_query_csv(evil_store, tmp_path):
    from click.testing import CliRunner

    from sozialgraph.cli import main

    evil_store.checkpoint(str(tmp_path / "s"))
    r = CliRunner().invoke(main, ["--store", str(tmp_path / "s"), "query", "list-offers", "--format", "csv"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert '\'=HYPERLINK("http://x")' in {row["bezeichnung"] for row in rows}
    assert_no_formula_cells(rows)


def test_published_offer_csv(evil_store):
    from sozialgraph.publish.release import write_offers_csv

    buf = io.StringIO()
    n = write_offers_csv(evil_store, buf, [ns.office_graph("50")])
    rows = {row["kennung"]: row for row in csv.DictReader(io.StringIO(buf.getvalue()))}
    assert n == len(rows) == 6
    assert rows["o1"]["bezeichnung"] == '\'=HYPERLINK("http://x")'
    assert rows["o2"]["bezeichnung"] == "'@SUM(1)"
    assert rows["o4"]["bezeichnung"] == "'-2+3" and rows["o4"]["traeger"] == "'+1+1"
    assert rows["o1"]["breitengrad"] == "-50.9293"  # xsd:decimal: a number, untouched
    assert_no_formula_cells(rows.values(), numeric_ok=("breitengrad", "laengengrad"))


class _Term:
    def __init__(self, de, notation="", en="", alt=()):
        self._de, self.notation, self.labels, self.alt = de, notation, {"de": de, "en": en}, set(alt)

    def label(self, lang):
        return self.labels.get(lang) or self._de


class _Resolver:
    def values(self, kind):
        return [_Term('=HYPERLINK("http://x")', "-2+3", "@SUM(1)", ["+1+1"]), _Term("Senioren", "1", "Seniors")]


def test_capture_template_has_no_formulas():
    from openpyxl import load_workbook

    from sozialgraph.capture.template import COLUMNS, template_csv, template_xlsx

    header = next(csv.reader(io.StringIO(template_csv().decode("utf-8-sig")), delimiter=";"))
    assert header == [c.name for c in COLUMNS]
    wb = load_workbook(io.BytesIO(template_xlsx(_Resolver())))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in cells]
    for v in ('\'=HYPERLINK("http://x")', "'-2+3", "'@SUM(1)", "'+1+1"):
        assert v in values
    assert "Senioren" in values and [c.value for c in wb["Angebote"][1]] == [c.name for c in COLUMNS]


# -- 2. security headers ----------------------------------------------------------------------------------------
PAGES = ["/", "/angebote", "/angebote?zielgruppe=senioren", "/karte", "/abfrage", "/einreichen", "/katalog",
         "/id/angebot/50/o1", "/id/angebot/50/o5", "/id/stadtteil/101", "/id/zielgruppe/senioren"]


@pytest.mark.parametrize("path", PAGES + ["/api/angebote", "/api/queries", "/static/style.css", "/karte.svg",
                                          "/gibt-es-nicht", "/id/angebot/50/o1.ttl", "/favicon.ico"])
def test_security_headers_on_every_response(client, path):
    r = client.get(path)
    r.close()  # static files are streamed
    assert r.status_code in (200, 404), (path, r.status_code)
    csp = r.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("default-src") == ["'self'"]
    assert directives.get("frame-ancestors") == ["'none'"] and directives.get("object-src") == ["'none'"]
    assert directives.get("base-uri") == ["'self'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")


def test_sparql_endpoint_keeps_cors_and_gets_the_headers(client):
    r = client.get("/sparql", query_string={"query": "ASK {}"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in r.headers


def test_error_envelope_gets_the_headers_and_stays_bilingual(client):
    r = client.get("/api/angebote?format=xls")
    assert r.status_code == 400 and r.headers["X-Frame-Options"] == "DENY"
    body = r.get_json()
    assert body["error_de"].startswith("Parameter") and body["error_en"].startswith("Parameter")


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_no_inline_script_or_style(client, path):
    """The CSP forbids inline scripts, styles and event handlers: the pages must not use them."""
    html = client.get(path).get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
        assert 'type="application/ld+json"' in tag, tag  # data blocks only, never executed
    assert not re.search(r"<style\b", html, flags=re.I)
    assert not re.search(r"\sstyle\s*=", html, flags=re.I)
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I)
    assert "javascript:" not in html.lower() or path == "/id/angebot/50/o5"  # o5 shows such values as text
    for src in re.findall(r'\s(?:src|href)="([^"]*)"', html):
        assert not src.lower().startswith(("javascript:", "data:", "vbscript:")), src


# -- 3. JSON-LD in HTML -----------------------------------------------------------------------------------------
def test_jsonld_cannot_break_out_of_its_script_block(client):
    html = client.get("/id/angebot/50/o6", headers={"Accept": "text/html"}).get_data(as_text=True)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    assert len(blocks) == 1
    block = blocks[0]
    assert "<" not in block and ">" not in block and "&" not in block
    assert "\\u003c/script\\u003e" in block
    assert json.loads(block)["name"] == EVIL["o6"]  # the same data once parsed
    assert "<!--" not in html
    assert html.count("<script") == 1 and html.count("</script>") == 1
    assert "&lt;/script&gt;&lt;!--&lt;script&gt;" in html  # the title, as text


def test_jsonld_escapes_ampersand():
    from sozialgraph.web.views.pages import jsonld_for_html

    text = jsonld_for_html({"name": "A & B <i>"})
    assert text == '{"name": "A \\u0026 B \\u003ci\\u003e"}' and json.loads(text)["name"] == "A & B <i>"


# -- 4. link values ---------------------------------------------------------------------------------------------
def test_only_safe_schemes_become_links(client):
    html = client.get("/id/angebot/50/o5", headers={"Accept": "text/html"}).get_data(as_text=True)
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:", "vbscript:"))]
    assert "javascript:alert(1)" in html and "javascript:alert(2)" in html and "JavaScript:alert(3)" in html
    assert "https://example.org/gut" in hrefs
    assert "mailto:info@example.org" in hrefs
    assert "tel:+49221123456" in hrefs


def test_safe_href_and_pagepath():
    from sozialgraph.web.security import safe_href
    from sozialgraph.web.views.home import pagepath

    assert safe_href("https://example.org/x") == "https://example.org/x"
    assert safe_href(" HTTP://example.org") == "HTTP://example.org"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x", "mailto:a@b",
                "tel:123", "//evil.example/", "https://", "", None):
        assert safe_href(bad) is None, bad
    assert safe_href("mailto:a@b.de", contact=True) == "mailto:a@b.de"
    assert safe_href("tel:+49221", contact=True) == "tel:+49221"
    assert safe_href("javascript:x", contact=True) is None
    assert pagepath(ns.ID + "stadtteil/101") == "/id/stadtteil/101"
    assert pagepath("https://schema.org/Service") == "https://schema.org/Service"
    assert pagepath("javascript:alert(1)") == "" and pagepath("urn:x:y") == ""


# -- 5. favicon -------------------------------------------------------------------------------------------------
def test_favicon(client):
    r = client.get("/favicon.ico")
    data = r.data
    r.close()
    assert r.status_code == 200 and r.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert data[:4] == b"\x00\x00\x01\x00" and len(data) < 4096
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)


def test_row_helper():
    assert safe_row(["=a", 1, None, "b"]) == ["'=a", 1, "", "b"]


# -- in a real browser: the CSP blocks nothing the pages need, and the injected values run no script -------------
@pytest.mark.slow
@pytest.mark.browser
def test_pages_in_chromium_have_no_csp_violation(app):
    from pathlib import Path

    from conftest import LiveServer

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium (/usr/bin/chromium) is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    srv = LiveServer(app)
    problems, dialogs = [], []
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for path in PAGES + ["/karte.svg"]:
                page.goto(srv.url + path)
                if path.startswith("/id/angebot/50/o"):
                    assert page.locator('script[type="application/ld+json"]').count() == 1
                if not path.endswith(".svg"):  # the stylesheet loads (style.css sets body margin 0)
                    assert page.evaluate("getComputedStyle(document.body).margin") == "0px", path
            browser.close()
    finally:
        srv.stop()
    assert not [m for m in problems if "Content Security Policy" in m], problems
    assert dialogs == []
