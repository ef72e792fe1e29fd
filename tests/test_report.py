"""The Lebenslagenbericht (publish/report.py, `sozialgraph bericht`, /bericht) and the example steering set
(data/beispiel/steuerung-beispiel.ttl).

Store: the reference data (conftest), the steering fixture (load_fixture_data) and the example set in
…/graph/steering/beispiel, after lebenslagen.run. Worked out by hand from the example indicator series
(data/beispiel/indikatoren-beispiel.ttl): ZB1.2 (SGB-II-Quote Finkenberg 716, 37.5 in 2022 -> 32.0 in 2030,
senken): latest 2025 value 33.6; path 2025 = 37.5 - 5.5 * 3/8 = 35.4375 -> on track (33.6 < 35.44), achieved
(37.5 - 33.6) / 5.5 = 70.9 % -> "71 %". ZB2.1 (Grundsicherung im Alter Chorweiler 609, 19.1 -> 17.0): 2025 value
25.3; path = 19.1 - 2.1 * 3/8 = 18.3125 -> behind.
"""

from __future__ import annotations

import html as htmlmod
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import load_fixture_data

from sozialgraph import config
from sozialgraph import namespaces as ns
from sozialgraph.analysis import lebenslagen
from sozialgraph.capture.validate import _nt, rdflib_graph, results_of, support_triples
from sozialgraph.cli import report as _report_cli  # noqa: F401  (adds `bericht` to the group)
from sozialgraph.cli.base import main
from sozialgraph.context import Context
from sozialgraph.publish import report
from sozialgraph.sparql.saved import load_query
from sozialgraph.steering import submit as sub
from sozialgraph.store.oxigraph import open_store
from sozialgraph.web import create_app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "beispiel" / "steuerung-beispiel.ttl"
DATE = "2026-12-02"
NN = ox.NamedNode
SG = ns.SG


def example_triples() -> list[ox.Triple]:
    with open(EXAMPLE, "rb") as fh:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(fh, ox.RdfFormat.TURTLE,
                                                                              base_iri=ns.BASE)]


@pytest.fixture(scope="module")
def report_ctx(tmp_path_factory, _reference_template):
    path = tmp_path_factory.mktemp("report") / "store"
    shutil.copytree(_reference_template, path)
    store = open_store(path)
    load_fixture_data(store)
    store.load_file(EXAMPLE, ns.G_STEERING_EXAMPLE)
    ctx = Context(config.load({"store": str(path)}), store=store)
    lebenslagen.run(ctx)
    return ctx


@pytest.fixture(scope="module")
def html(report_ctx) -> str:
    return report.render_html(report_ctx, date=DATE)


def areas(store, cls: str) -> list[tuple[str, str]]:
    """(IRI, German label) of every Stadtbezirk or Stadtteil, read from the reference graph."""
    out = []
    for t in store.triples(ns.G_REFERENCE):
        if t.predicate.value == ns.PREFIXES["rdf"] + "type" and t.object.value == SG + cls:
            out.append(t.subject.value)
    labels = {t.subject.value: t.object.value for t in store.triples(ns.G_REFERENCE)
              if t.predicate.value == ns.PREFIXES["rdfs"] + "label" and getattr(t.object, "language", "") == "de"}
    return sorted((a, labels[a]) for a in out)


# -- the example set ----------------------------------------------------------------------------------------------
def test_example_set_conforms_to_the_steering_shapes(report_ctx):
    """The project's SHACL path for steering data (steering/submit.py validate): the staged triples plus the
    support triples of the things they name, referenced goals' types left out, shapes_steering.ttl."""
    from pyshacl import validate as shacl

    triples = example_triples()
    used = {t.object for t in triples if isinstance(t.object, NN)}
    subjects = {t.subject for t in triples}
    needed = [t for t in support_triples(report_ctx.store)
              if (t.subject in used and not (t.predicate.value == ns.PREFIXES["rdf"] + "type"
                                             and t.object.value in sub.TARGET_CLASSES and t.subject not in subjects))
              or t.predicate.value.endswith("#subClassOf")]
    conforms, results, text = shacl(rdflib_graph(_nt(triples + needed)), shacl_graph=sub.steering_shapes(),
                                    inference="none", advanced=False, allow_warnings=True, meta_shacl=False)
    assert conforms, text
    assert results_of(results) == []


def test_example_set_references_exist_and_everything_is_labelled_beispieldaten(report_ctx):
    triples = example_triples()
    subjects = {t.subject.value for t in triples}
    refs = {t.object.value for t in triples if t.predicate.value in sub.REF_PREDICATES}
    known = sub.types_of(report_ctx.store, refs)
    for t in triples:
        if t.predicate.value in sub.REF_PREDICATES:
            _what, classes = sub.REF_PREDICATES[t.predicate.value]
            assert known.get(t.object.value, set()) & classes, f"{t.subject.value} -> unknown {t.object.value}"
    flagged = {t.subject.value for t in triples if t.predicate.value == SG + "exampleData" and t.object.value == "true"}
    assert flagged == subjects
    kinds = {t.object.value.rsplit("#")[-1] for t in triples if t.predicate.value == ns.PREFIXES["rdf"] + "type"}
    assert kinds == {"StrategicGoal", "OperationalGoal", "Need", "Measure", "Evaluation"}
    # integrated: at least one measure of several offices; target years not in the past for an issue of 2026
    offices = {}
    for t in triples:
        if t.predicate.value == SG + "implementedBy":
            offices.setdefault(t.subject.value, set()).add(t.object.value)
    assert max(len(v) for v in offices.values()) >= 2
    assert all(int(t.object.value) >= 2026 for t in triples if t.predicate.value == SG + "targetYear")


def test_example_needs_are_in_quarters_the_analysis_finds_burdened(report_ctx):
    needs_in = {t.object.value for t in example_triples() if t.predicate.value == SG + "needIn"}
    assert needs_in == {ns.ID + f"stadtteil/{n}" for n in ("213", "609", "716", "802")}
    rows = report_ctx.store.select(load_query("page-burden-scores", internal=True).text, public_only=True)
    multiply = {r["gebiet"].value for r in rows if "lebenslage" not in r and "mehrfach" in r
                and r["mehrfach"].value in ("true", "1")}
    assert needs_in <= multiply


# -- the report ---------------------------------------------------------------------------------------------------
def test_every_borough_and_quarter_is_in_the_report(report_ctx, html):
    boroughs = areas(report_ctx.store, "Borough")
    quarters = areas(report_ctx.store, "Quarter")
    assert len(boroughs) == 9 and len(quarters) == 86
    text = htmlmod.unescape(html)
    for iri, name in boroughs + quarters:
        assert name in text, name
        assert f'href="{iri}"' in html, iri  # each has its heading linked to its IRI
    assert html.count('<section class="quarter"') == 86 and html.count('<section class="chapter" id="sb-') == 9


def test_same_store_and_date_give_the_same_bytes(report_ctx, html, tmp_path):
    out1, out2 = tmp_path / "a", tmp_path / "b"
    report.write(report_ctx, out1, date=DATE, pdf=False)
    report.write(report_ctx, out2, date=DATE, pdf=False)
    assert (out1 / "bericht.html").read_bytes() == (out2 / "bericht.html").read_bytes() == html.encode("utf-8")
    other = report.render_html(report_ctx, date="2027-01-15")
    assert other != html and other.replace("2027-01-15", DATE) == html  # only the date differs


def test_a_figure_matches_its_stored_observation(report_ctx, html):
    # the Stadtteil profile of Chorweiler (609): its SGB-II-Quote links to the observation it shows
    section = html[html.index('id="st-609"'):html.index('id="st-610"')]
    row = re.search(r'<tr data-indicator="sgb2_quote">.*?</tr>', section, re.S).group(0)
    iri, shown = re.search(r'<a class="fig" href="([^"]+)" data-obs="[^"]+">([^<]+)</a>', row).groups()
    assert "stadtteil-609" in iri or "stadtteil/609" in iri
    q = load_query("page-observations", internal=True)
    stored = [r for r in report_ctx.store.select(q.text, public_only=True) if r["beobachtung"].value == iri]
    assert len(stored) == 1 and stored[0]["gebiet"].value == ns.ID + "stadtteil/609"
    value = float(stored[0]["wert"].value)
    assert shown == f"{value:.1f}".replace(".", ",")  # German decimal comma, as the example series has one digit
    assert value == 41.8  # the example series' 2025 value for Chorweiler (data/beispiel/indikatoren-beispiel.ttl)


def test_goal_progress_worked_out_by_hand(html):
    row = re.search(r'<tr data-goal="ZB1.2">.*?</tr>', html, re.S).group(0)
    assert 'data-on-track="true"' in row and ">35,44<" in row and "71 %" in row and ">33,6<" in row
    row = re.search(r'<tr data-goal="ZB2.1">.*?</tr>', html, re.S).group(0)
    assert 'data-on-track="false"' in row and ">18,31<" in row and ">25,3<" in row


def test_needs_measures_and_evaluations_in_their_quarter(html):
    chorweiler = html[html.index('id="st-609"'):html.index('id="st-610"')]
    assert 'data-need="BSP-B1"' in chorweiler and 'data-measure="BSP-M1"' in chorweiler
    assert 'data-evaluation="BSP-E1"' in chorweiler and "220" in chorweiler
    assert "integriert" in chorweiler  # BSP-M1: Amt 50 and Gesundheitsamt
    assert 'data-need="B1"' in chorweiler  # the steering fixture's need in 609 too
    kalk = html[html.index('id="st-802"'):html.index('id="st-803"')]
    assert 'data-need="BSP-B3"' in kalk and 'data-measure="BSP-M3"' in kalk and 'data-need="BSP-B1"' not in kalk
    assert "Beispieldaten" in chorweiler


def test_report_is_self_contained_and_escaped(html):
    assert "<script" not in html and "<link" not in html and 'src="' not in html
    assert html.count("<style>") == 1 and "<svg" in html
    assert "<style>" + report.stylesheet() + "</style>" in html


def test_english_report(report_ctx):
    en = report.render_html(report_ctx, date=DATE, lang="en")
    assert '<html lang="en">' in en and "Cologne life-situation report" in en and "on track" in en


def test_unknown_year_is_refused(report_ctx):
    with pytest.raises(report.ParameterError) as e:
        report.build(report_ctx, year="1999", date=DATE)
    assert "1999" in e.value.de and "2025" in e.value.de


def test_cli_writes_html_and_refuses_bad_values(report_ctx, tmp_path, monkeypatch):
    store_path = str(report_ctx.store.path)
    monkeypatch.setattr("sozialgraph.cli.base.Context", lambda settings: Context(settings, store=report_ctx.store))
    runner = CliRunner()
    r = runner.invoke(main, ["--store", store_path, "bericht", str(tmp_path / "o"), "--datum", DATE, "--no-pdf"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o" / "bericht.html").read_text(encoding="utf-8") == report.render_html(report_ctx, date=DATE)
    r = runner.invoke(main, ["--store", store_path, "bericht", str(tmp_path / "x"), "--datum", "2.12.2026"])
    assert r.exit_code == 2 and "JJJJ-MM-TT" in r.output
    r = runner.invoke(main, ["--store", store_path, "bericht", str(tmp_path / "y"), "--jahr", "1999", "--no-pdf"])
    assert r.exit_code == 2 and "Für 1999 gibt es keine Analyse" in r.output
    # no PDF engine: a clear message, exit 1, the HTML is there
    monkeypatch.setattr(report, "find_chromium", lambda: None)
    r = runner.invoke(main, ["--store", store_path, "bericht", str(tmp_path / "z"), "--datum", DATE])
    assert r.exit_code == 1 and "Kein PDF-Werkzeug gefunden" in r.output
    assert (tmp_path / "z" / "bericht.html").exists() and not (tmp_path / "z" / "bericht.pdf").exists()
    r = runner.invoke(main, ["--store", store_path, "--lang", "en", "bericht", str(tmp_path / "z"), "--datum", DATE])
    assert r.exit_code == 1 and "No PDF engine found" in r.output


@pytest.mark.slow
def test_pdf_has_every_borough_and_quarter(report_ctx, tmp_path):
    if report.find_chromium() is None:
        pytest.skip("Chromium ist nicht installiert / not installed")
    pypdf = pytest.importorskip("pypdf")
    written = report.write(report_ctx, tmp_path, date=DATE, pdf=True)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(written["pdf"]).pages)
    flat = " ".join(text.split())
    for _iri, name in areas(report_ctx.store, "Borough") + areas(report_ctx.store, "Quarter"):
        assert name in text or name in flat, name


# -- the server ---------------------------------------------------------------------------------------------------
def test_bericht_page_and_pdf_on_the_server(report_ctx, tmp_path):
    settings = {"store": str(report_ctx.store.path), "downloads_dir": str(tmp_path)}
    app = create_app(settings, context=Context(config.load(settings), store=report_ctx.store))
    client = app.test_client()
    r = client.get("/bericht")
    assert r.status_code == 200 and r.mimetype == "text/html"
    body = r.get_data(as_text=True)
    assert "Lebenslagenbericht Köln 2025" in body and 'id="st-609"' in body
    csp = r.headers["Content-Security-Policy"]
    assert report.style_hash(report.stylesheet()) in csp and "unsafe-inline" not in csp
    assert client.get("/bericht?lang=en").get_data(as_text=True).count("Cologne life-situation report") >= 1
    r = client.get("/bericht?jahr=1999")
    assert r.status_code == 400
    r = client.get("/bericht.pdf")
    assert r.status_code == 404 and "sozialgraph bericht" in r.get_data(as_text=True)
    (tmp_path / "bericht.pdf").write_bytes(b"%PDF-1.4 test")
    r = client.get("/bericht.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data == b"%PDF-1.4 test"
    r.close()
