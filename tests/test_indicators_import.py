"""Indicator import (capture/indicators.py): the Datenkatalog and the long CSV, every kind of bad input (message
with row and column, nothing stored), Porz and Mülheim, replacing the synthetic series, history and rollback,
definitions, HTTP (POST/GET /api/indikatoren) and the CLI (`sozialgraph indicators …`), in-process.

The stores get the breakdown/status concepts and three test indicators (fictional Merkmal codes Z…) from
tests/fixtures/indikatoren/, so the tests do not depend on the indicator data being regenerated right now."""

from __future__ import annotations

import gc

import pyoxigraph as ox
import pytest
from capture_helpers import ctx_for, dump_all
from click.testing import CliRunner

from sozialgraph import namespaces as ns
from sozialgraph.capture import indicators as ind
from sozialgraph.capture.tokens import create as create_token
from sozialgraph.cli import main
from sozialgraph.cli import indicators as _indicator_commands  # noqa: F401  (registers `sozialgraph indicators`)
from sozialgraph.web import create_app

from conftest import FIXTURES

F = FIXTURES / "indikatoren"
TODAY = "2025-06-30"
ID = ns.ID
SG = ns.PREFIXES["sg"]
DK_HEAD = "RAUMEBENE;RAUM;S_JAHR;Z0025A;Z0611A;Z0701A\n"
LONG_HEAD = "raumebene,raum_nr,bezirk_nr,indikator,jahr,stichtag,wert,einheit,quelle,lizenz\n"
SRC = '"Stadt Köln, Amt für Stadtentwicklung und Statistik"'


def prepare(store) -> None:
    """Concepts, the three test indicators (through `define`) and two synthetic observations of one of them."""
    store.insert(ns.G_VOCAB, [ox.Triple(q.subject, q.predicate, q.object)
                              for q in ox.parse(path=str(F / "grundlagen-vokabular.ttl"))])
    report, n = ind.define(ctx_for(store), (F / "definitionen.ttl").read_bytes())
    assert report.conforms and n == 3, report.to_text()
    store.load_file(F / "beispiel.ttl", ns.G_INDICATORS_EXAMPLE)


@pytest.fixture
def ctx(fresh_store):
    prepare(fresh_store)
    return ctx_for(fresh_store)


def run(ctx, data: bytes | str, name: str = "x.csv", **kw) -> ind.ImportResult:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return ind.import_file(ctx, data, name, today=TODAY, **kw)


def obs(store, graph: str, iri: str) -> dict[str, str]:
    """The properties of one observation in a graph: local name -> value (one each)."""
    out = {}
    for t in store.triples(graph):
        if t.subject.value == iri:
            out[t.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]] = t.object.value
    return out


# -- the Datenkatalog ---------------------------------------------------------------------------------------------
def test_datenkatalog_file_becomes_version_1_with_its_figures(ctx):
    res = run(ctx, (F / "datenkatalog.csv").read_bytes(), "datenkatalog.csv")
    assert res.accepted and res.version == 1 and res.dataset == "datenkatalog", res.report.to_text()
    # 12 rows x 3 Merkmale = 36 cells; '.' (Porz 2023), '-' (706 2023) and empty (901 2023) are no observation
    assert res.observations == 33
    g = ns.indicator_graph("datenkatalog")
    store = ctx.store
    city = obs(store, g, f"{ID}beobachtung/test_einwohner/stadt-koeln/2023")
    assert city["value"] == "1084831"  # '1.084.831': thousands dots
    assert city["refArea"] == f"{ID}stadt/koeln" and city["refPeriod"] == "2023"
    assert city["breakdown"] == f"{ID}aufschluesselung/insgesamt"
    assert city["obsStatus"] == f"{ID}beobachtungsstatus/normal"
    assert city["dataSet"] == f"{ID}datensatz/indikatoren-datenkatalog"
    assert city["license"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert "Statistischer Datenkatalog" in city["source"]
    assert obs(store, g, f"{ID}beobachtung/test_sgb2_quote/stadtteil-101/2024")["value"] == "9"  # '9,0'
    assert obs(store, g, f"{ID}beobachtung/test_sgb2_quote/stadtbezirk-7/2023")["value"] == "12.4"
    suppressed = obs(store, g, f"{ID}beobachtung/test_arbeitslose/stadtteil-101/2024")
    assert "value" not in suppressed and suppressed["suppressedBelow"] == "5"
    assert suppressed["obsStatus"] == f"{ID}beobachtungsstatus/gesperrt"
    assert obs(store, g, f"{ID}beobachtung/test_arbeitslose/stadtbezirk-7/2023") == {}  # '.'
    # the version graph holds the same, the provenance names file, checksum, count and office
    version = ns.version_graph("indikatoren-datenkatalog", 1, "public")
    assert store.graph_ntriples(version) == store.graph_ntriples(g)
    (h,) = ind.history(ctx, "datenkatalog")
    assert h["fileName"] == "datenkatalog.csv" and h["sha256"] == res.sha256 and len(h["sha256"]) == 64
    assert h["observations"] == 33 and h["office"] == f"{ID}org/sp" and h["current"]


def test_bom_is_optional_and_the_format_is_recognised(ctx):
    data = (F / "datenkatalog.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    with_bom = ind.stage(ctx, data, today=TODAY)
    without = ind.stage(ctx, data[3:], today=TODAY)
    assert with_bom.fmt == without.fmt == "datenkatalog"
    assert ind.nt_bytes(with_bom.triples) == ind.nt_bytes(without.triples)


# -- the long CSV ---------------------------------------------------------------------------------------------------
def test_long_csv_with_breakdown_reference_date_status_and_licence_names(ctx):
    res = run(ctx, (F / "lang.csv").read_bytes(), "lang.csv")
    assert res.accepted and res.dataset == "import" and res.observations == 6, res.report.to_text()
    g = ns.indicator_graph("import")
    store = ctx.store
    female = obs(store, g, f"{ID}beobachtung/test_einwohner/stadtteil-706/2022/weiblich")
    assert female["breakdown"] == f"{ID}aufschluesselung/weiblich" and female["value"] == "8190"
    assert female["refDate"] == "2022-12-31" and female["refPeriod"] == "2022" and female["unit"] == "Personen"
    borough = obs(store, g, f"{ID}beobachtung/test_sgb2_quote/stadtbezirk-7/2022")
    assert borough["value"] == "12.9" and borough["obsStatus"] == f"{ID}beobachtungsstatus/vorlaeufig"
    assert borough["license"] == "http://dcat-ap.de/def/licenses/cc-by-de/3.0"  # 'CC BY 3.0 DE'
    assert obs(store, g, f"{ID}beobachtung/test_sgb2_quote/stadtbezirk-9/2022")["value"] == "17.4"  # Merkmal code
    ba = obs(store, g, f"{ID}beobachtung/test_arbeitslose/stadtteil-901/2022")
    assert ba["suppressedBelow"] == "10" and "value" not in ba  # Bundesagentur für Arbeit: below 10


def test_long_csv_with_semicolons_gives_the_same_observations(ctx):
    text = (F / "lang.csv").read_text(encoding="utf-8")
    rows = [r for r in __import__("csv").reader(text.splitlines())]
    out = __import__("io").StringIO()
    __import__("csv").writer(out, delimiter=";").writerows(rows)
    a = ind.stage(ctx, text.encode(), today=TODAY)
    b = ind.stage(ctx, ("\ufeff" + out.getvalue()).encode(), today=TODAY)
    assert a.report.conforms and b.report.conforms
    assert sorted(ind.nt_bytes(a.triples).splitlines()) == sorted(ind.nt_bytes(b.triples).splitlines())


# -- bad input: a clear message with row and column, 4xx, nothing stored --------------------------------------------
def long_row(**kw) -> str:
    row = {"raumebene": "Stadtteil", "raum_nr": "706", "bezirk_nr": "7", "indikator": "test_einwohner",
           "jahr": "2024", "stichtag": "", "wert": "16218", "einheit": "Personen", "quelle": SRC,
           "lizenz": "DL-DE-BY-2.0"}
    row.update(kw)
    return ",".join(row[c] for c in LONG_HEAD.strip().split(",")) + "\n"


BAD = {
    # name: (file text, row, column, German text, English text)
    "unknown_area": (DK_HEAD + "Stadtteile;999 / Nirgendwo;2024;1;2;3\n", 2, "RAUM",
                     "Es gibt keinen Stadtteil mit der Nummer '999'", "no quarter numbered '999'"),
    "borough_number_as_quarter": (DK_HEAD + "Stadtteile;7 / Porz;2024;1;2;3\n", 2, "RAUM",
                                  "7 ist die Nummer des Stadtbezirks Porz", "e.g. 706 for the quarter Porz"),
    "quarter_in_wrong_borough": (LONG_HEAD + long_row(bezirk_nr="3"), 2, "bezirk_nr",
                                 "Der Stadtteil 706 (Porz) liegt im Stadtbezirk 7 (Porz), nicht im Stadtbezirk 3 "
                                 "(Lindenthal)", "lies in borough 7 (Porz), not in borough 3 (Lindenthal)"),
    "merkmal_without_mapping": ("RAUMEBENE;RAUM;S_JAHR;Z0025A;Z9999Z\nStadtteile;101 / Altstadt/Süd;2024;1;2\n",
                                1, "Z9999Z", "Das Merkmal 'Z9999Z' ist keinem Indikator zugeordnet",
                                "mapped to no indicator"),
    "text_in_number_column": (DK_HEAD + "Stadtteile;101 / Altstadt/Süd;2024;viele;2;3\n", 2, "Z0025A",
                              "'viele' ist keine Zahl", "'viele' is not a number"),
    "text_in_long_value": (LONG_HEAD + long_row(wert="ca. 16000"), 2, "wert", "'ca. 16000' ist keine Zahl",
                           "is not a number"),
    "duplicate": (DK_HEAD + "Stadtteile;101 / Altstadt/Süd;2024;1;2;3\nStadtteile;101;2024;1;;\n", 3, "Z0025A",
                  "steht schon in Zeile 2, Spalte Z0025A", "is already in row 2, column Z0025A"),
    "future_year": (DK_HEAD + "Stadtteile;101 / Altstadt/Süd;2026;1;2;3\n", 2, "S_JAHR",
                    "Das Jahr 2026 liegt in der Zukunft (heute ist der 30.06.2025)", "lies in the future"),
    "future_reference_date": (LONG_HEAD + long_row(jahr="", stichtag="2025-12-31"), 2, "stichtag",
                              "Der Stichtag 31.12.2025 liegt in der Zukunft", "lies in the future"),
    "empty_file": ("", None, None, "Die Datei ist leer.", "The file is empty."),
    "only_bom": ("\ufeff\n", None, None, "Die Datei ist leer.", "The file is empty."),
    "missing_columns": ("raumebene,raum_nr,indikator,jahr,wert\nStadtteil,706,test_einwohner,2024,1\n", 1, None,
                        "Pflichtspalten fehlen: quelle, lizenz", "Required columns are missing: quelle, lizenz"),
    "unit_mismatch": (LONG_HEAD + long_row(einheit="Prozent"), 2, "einheit",
                      "Die Einheit 'Prozent' passt nicht zum Indikator test_einwohner (Einheit 'Personen')",
                      "does not match indicator test_einwohner"),
    "unknown_indicator": (LONG_HEAD + long_row(indikator="quote_x"), 2, "indikator",
                          "'quote_x' ist kein bekannter Indikator", "is not a known indicator"),
    "unknown_licence": (LONG_HEAD + long_row(lizenz="frei"), 2, "lizenz", "'frei' ist keine bekannte Lizenz",
                        "is not a known licence"),
    "name_only": (DK_HEAD + "Stadtteile;Porz;2024;1;2;3\n", 2, "RAUM", "nie über den Namen allein",
                  "never by name alone"),
    "not_utf8": (None, 2, None, "nicht in UTF-8 kodiert", "not UTF-8 encoded"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_names_row_and_column_and_stores_nothing(ctx, name):
    text, row, column, de, en = BAD[name]
    data = (DK_HEAD + "Stadtteile;101 / Altstadt/Süd;2024;1;2;3\n").encode("cp1252").replace(b"\xfc", b"\xfc\xfc") \
        if text is None else text.encode("utf-8")
    before = dump_all(ctx.store)
    res = run(ctx, data)
    assert not res.accepted and res.version is None
    violations = [i for i in res.report.items if i.severity == "Violation"]
    assert len(violations) == 1, res.report.to_text()
    (v,) = violations
    assert (v.row, v.column) == (row, column), v
    assert de in v.message_de and en in v.message_en, (v.message_de, v.message_en)
    text_de = res.report.to_text("de")
    if row is not None:
        assert f"Zeile {row}" + (f", Spalte {column}" if column else "") in text_de
        assert f"Row {row}" + (f", column {column}" if column else "") in res.report.to_text("en")
    assert "Es wurde nichts gespeichert" in text_de
    assert dump_all(ctx.store) == before


def test_one_run_lists_every_problem(ctx):
    text = (DK_HEAD + "Stadtteile;999;2024;1;2;3\nStadtteile;101;2031;1;2;3\nStadtteile;102;2024;x;2;y\n")
    res = run(ctx, text)
    places = sorted((i.row, i.column) for i in res.report.items if i.severity == "Violation")
    assert places == [(2, "RAUM"), (3, "S_JAHR"), (4, "Z0025A"), (4, "Z0701A")]


@pytest.mark.slow
def test_overlap_with_another_dataset_is_skipped_when_equal_and_refused_when_different(ctx):
    assert run(ctx, (F / "datenkatalog.csv").read_bytes()).accepted
    same = LONG_HEAD + long_row(jahr="2024", wert="16218") + long_row(raum_nr="102", bezirk_nr="1", wert="1")
    res = run(ctx, same)
    assert res.accepted and res.observations == 1, res.report.to_text()
    assert [(i.severity, i.row) for i in res.report.items] == [("Info", 2)]
    before = dump_all(ctx.store)
    res = run(ctx, LONG_HEAD + long_row(jahr="2024", wert="16000"))
    assert not res.accepted and "steht schon mit dem Wert 16218" in res.report.items[0].message_de
    assert dump_all(ctx.store) == before


# -- Porz, Mülheim: a borough and a quarter of the same name --------------------------------------------------------
def test_areas_are_matched_by_level_and_number_not_by_name(ctx):
    text = (DK_HEAD + "Stadtbezirke;7 / Porz;2024;116412;;\nStadtteile;706 / Porz;2024;16218;;\n"
            "Stadtbezirke;9 / Mülheim;2024;150000;;\nStadtteile;901 / Mülheim;2024;44012;;\n"
            "Stadtteile;702 / Porz;2024;9000;;\n")
    res = run(ctx, text)
    assert res.accepted, res.report.to_text()
    areas = {t.object.value for t in ind.stage(ctx, text.encode(), today=TODAY).triples
             if t.predicate.value == SG + "refArea"}
    assert areas == {f"{ID}stadtbezirk/7", f"{ID}stadtteil/706", f"{ID}stadtbezirk/9", f"{ID}stadtteil/901",
                     f"{ID}stadtteil/702"}
    (w,) = [i for i in res.report.items if i.severity == "Warning"]
    assert (w.row, w.column) == (6, "RAUM")
    assert w.message_de == "Der Name 'Porz' passt nicht zur Nummer 702 (Westhoven); zugeordnet wird nach der Nummer."


# -- the synthetic series, history, rollback ------------------------------------------------------------------------
SYNTH = [f"{ID}beobachtung/beispiel/test_sgb2_quote/stadtteil-706/{y}" for y in (2023, 2024)]
OTHER_SYNTH = f"{ID}beobachtung/beispiel/test_einwohner_other/stadtteil-706/2024"


def synthetic(store) -> set[str]:
    return {t.subject.value for t in store.triples(ns.G_INDICATORS_EXAMPLE)
            if t.predicate.value == SG + "indicator"}


@pytest.mark.slow
def test_import_replaces_the_synthetic_series_and_rollback_brings_it_back(ctx):
    store = ctx.store
    assert set(SYNTH) | {OTHER_SYNTH} == synthetic(store)
    dry = run(ctx, (F / "datenkatalog.csv").read_bytes(), dry_run=True)
    assert dry.accepted and dry.replaced == 2 and synthetic(store) == set(SYNTH) | {OTHER_SYNTH}
    v1 = run(ctx, (F / "datenkatalog.csv").read_bytes(), "v1.csv")
    assert v1.version == 1 and v1.replaced == 2
    assert synthetic(store) == {OTHER_SYNTH}  # the other indicator's synthetic series stays
    # version 2 without the SGB II column: the synthetic SGB II series comes back
    text = "RAUMEBENE;RAUM;S_JAHR;Z0025A\nStadtteile;706 / Porz;2024;16218\n"
    v2 = run(ctx, text, "v2.csv")
    assert v2.version == 2 and v2.extra["restoredSynthetic"] == 2, v2.report.to_text()
    assert synthetic(store) == set(SYNTH) | {OTHER_SYNTH}
    assert {t.subject.value for t in store.triples(ns.indicator_graph("datenkatalog"))
            if t.predicate.value == SG + "indicator"} == {f"{ID}beobachtung/test_einwohner/stadtteil-706/2024"}
    # rollback to version 1: its observations again, the SGB II synthetic series replaced again
    back = ind.rollback(ctx, "datenkatalog", 1)
    assert back.version == 3 and back.extra["rolledBackTo"] == 1
    assert store.graph_ntriples(ns.indicator_graph("datenkatalog")) == store.graph_ntriples(
        ns.version_graph("indikatoren-datenkatalog", 1, "public"))
    assert synthetic(store) == {OTHER_SYNTH}
    hist = ind.history(ctx, "datenkatalog")
    assert [(h["version"], h["current"], h.get("fileName")) for h in hist] == [
        (1, False, "v1.csv"), (2, False, "v2.csv"), (3, True, "v1.csv")]
    assert hist[2]["used"] == f"{ID}einreichung/indikatoren-datenkatalog/1"
    with pytest.raises(ind.VersionNotFound) as exc:
        ind.rollback(ctx, "datenkatalog", 9)
    assert exc.value.status == 404 and "keine Version 9" in exc.value.de
    # every stored indicator graph of this store is a well-formed cube (the official one aside: issue 10)
    checked = ind.check_stored(ctx)
    assert checked[ns.indicator_graph("datenkatalog")] == [] and checked[ns.G_INDICATORS_EXAMPLE] == []


# -- definitions ---------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_define_checks_labels_unit_life_situation_and_polarity(ctx):
    bad = (F / "definitionen.ttl").read_text().replace('test_arbeitslose> a sg:Indicator ;', 'test_neu> a sg:Indicator ;')
    bad = bad.replace('skos:notation "test_arbeitslose"', 'skos:notation "test_neu"')
    bad = bad.replace('rdfs:label "Arbeitslose (Test)"@de , "Unemployed (test)"@en ;', 'rdfs:label "Neu"@de ;')
    bad = bad.replace("sg:polarity sg:HigherIsMoreBurden ;\n    sg:merkmalCode \"Z0701A\"", 'sg:merkmalCode "Z0702A"')
    before = dump_all(ctx.store)
    report, _n = ind.define(ctx, bad.encode())
    shapes = sorted(i.shape.rsplit("#", 1)[-1] for i in report.items if i.severity == "Violation")
    assert shapes == ["Indicator-labelEn", "Indicator-polarity"], report.to_text()
    assert dump_all(ctx.store) == before
    good = bad.replace('rdfs:label "Neu"@de ;', 'rdfs:label "Neu"@de , "New"@en ; sg:polarity sg:NoBurdenDirection ;')
    report, n = ind.define(ctx, good.encode())
    assert report.conforms and n == 3, report.to_text()
    assert ind.Known.from_store(ctx.store).by_merkmal["Z0702A"] == f"{ID}indikator/test_neu"


def test_define_refuses_a_merkmal_code_of_another_indicator(ctx):
    text = (F / "definitionen.ttl").read_text().replace("test_arbeitslose", "test_zwei").replace('"Z0701A"',
                                                                                                 '"Z0025A"')
    report, _n = ind.define(ctx, text.encode())
    assert any("Z0025A gehört schon zum Indikator" in i.message_de for i in report.items)


# -- HTTP -----------------------------------------------------------------------------------------------------------
@pytest.fixture
def client(ctx):
    app = create_app({"store": str(ctx.store.path), "validate_workers": 1, "upload_limit_mb": 1}, context=ctx)
    return app.test_client(use_cookies=False)


def sp_token(ctx) -> str:
    token, _id = create_token(ctx.store, f"{ID}org/sp")
    return token


@pytest.mark.slow
def test_http_import_needs_the_token_except_for_a_dry_run(ctx, client):
    data = (F / "datenkatalog.csv").read_bytes()
    before = dump_all(ctx.store)
    r = client.post("/api/indikatoren", data=data, content_type="text/csv")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    body = r.get_json()
    assert body["ok"] is False and body["status"] == 401 and "Upload-Schlüssel fehlt" in body["error"]
    r = client.post("/api/indikatoren", data=data, content_type="text/csv",
                    headers={"Authorization": "Bearer sg_falsch"})
    assert r.status_code == 401 and "unbekannt" in r.get_json()["error"]
    other, _id = create_token(ctx.store, f"{ID}org/50")
    r = client.post("/api/indikatoren", data=data, content_type="text/csv",
                    headers={"Authorization": f"Bearer {other}"})
    assert r.status_code == 403
    before = dump_all(ctx.store)
    r = client.post("/api/indikatoren?dry_run=1", data=data, content_type="text/csv")
    assert r.status_code == 200 and r.get_json()["accepted"] and r.get_json()["observations"] == 33
    assert dump_all(ctx.store) == before
    token = sp_token(ctx)
    r = client.post("/api/indikatoren", data={"datei": (__import__("io").BytesIO(data), "dk.csv")},
                    content_type="multipart/form-data", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["ok"] and body["version"] == 1 and body["fileName"] == "dk.csv"
    assert body["datasetIri"] == f"{ID}datensatz/indikatoren-datenkatalog"


@pytest.mark.slow
def test_http_bad_file_is_422_with_the_report_and_too_large_is_413(ctx, client):
    token = sp_token(ctx)
    before = dump_all(ctx.store)
    r = client.post("/api/indikatoren?lang=en", data=BAD["duplicate"][0].encode(), content_type="text/csv",
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422
    body = r.get_json()
    assert body["ok"] is False and body["status"] == 422 and "Row 3, column Z0025A" in body["error"]
    assert "Zeile 3, Spalte Z0025A" in body["error_de"]
    assert body["report"]["violations"] == 1 and body["report"]["items"][0]["row"] == 3
    r = client.post("/api/indikatoren", data=b"x" * (1024 * 1024 + 10), content_type="text/csv",
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 413 and r.get_json()["status"] == 413
    assert dump_all(ctx.store) == before


@pytest.mark.slow
def test_http_lists_indicators_with_years(ctx, client):
    assert run(ctx, (F / "datenkatalog.csv").read_bytes()).accepted
    r = client.get("/api/indikatoren")
    assert r.status_code == 200
    rows = {i["code"]: i for i in r.get_json()["indicators"]}
    sgb2 = rows["test_sgb2_quote"]
    assert sgb2["label_de"] == "SGB-II-Quote (Test)" and sgb2["label_en"] == "SGB II rate (test)"
    assert sgb2["unit"] == "Prozent" and sgb2["polarity"] == SG + "HigherIsMoreBurden"
    assert sgb2["dimension"] == f"{ID}lebenslage/einkommen" and sgb2["merkmalCode"] == "Z0611A"
    assert sgb2["years"] == [2023, 2024]  # imported 2023/2024; the synthetic 2023/2024 were replaced


# -- CLI ------------------------------------------------------------------------------------------------------------
@pytest.fixture
def cli(fresh_store):
    prepare(fresh_store)
    path = str(fresh_store.path)
    fresh_store.close()
    gc.collect()

    def invoke(*args):
        return CliRunner().invoke(main, ["--store", path, *args], catch_exceptions=False)

    return invoke


@pytest.mark.slow
def test_cli_import_history_rollback_check(cli, tmp_path):
    good = str(F / "datenkatalog.csv")
    r = cli("indicators", "import", good, "--dry-run")
    assert r.exit_code == 0 and "Geprüft (nichts gespeichert): 33 Beobachtungen" in r.output
    r = cli("indicators", "import", good, "--format", "datenkatalog")
    assert r.exit_code == 0, r.output
    assert "33 Beobachtungen, 0 Fehler, 0 Warnungen: angenommen." in r.output
    assert "Angenommen: Datensatz indikatoren-datenkatalog, Version 1, 33 Beobachtungen; 2 synthetische" in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD["future_year"][0].replace("2026", "2099"), encoding="utf-8")  # the CLI's today: the clock
    r = cli("indicators", "import", str(bad))
    assert r.exit_code == 1
    assert "Fehler: Zeile 2, Spalte S_JAHR: Das Jahr 2099 liegt in der Zukunft" in r.output
    assert "Abgelehnt: nichts wurde geändert." in r.output
    r = cli("--lang", "en", "indicators", "import", str(bad), "--format", "datenkatalog")
    assert r.exit_code == 1 and "Error: Row 2, column S_JAHR: The year 2099 lies in the future" in r.output
    r = cli("indicators", "import", good, "--format", "long")
    assert r.exit_code == 1 and "Pflichtspalten fehlen" in r.output
    r = cli("indicators", "import", good, "--datensatz", "Nicht Erlaubt")
    assert r.exit_code == 2 and "kein möglicher Datensatzname" in r.output
    r = cli("indicators", "import", good, "--datensatz", "zweiter")
    assert r.exit_code == 1 and "steht schon mit dem Wert" not in r.output and "übersprungen" in r.output
    r = cli("indicators", "history")
    assert r.exit_code == 0 and "indikatoren-datenkatalog" in r.output and "datenkatalog.csv" in r.output
    r = cli("indicators", "rollback", "--datensatz", "datenkatalog", "--to", "1")
    assert r.exit_code == 0 and "Version 1 ist wieder aktuell (als Version 2)" in r.output
    r = cli("indicators", "rollback", "--datensatz", "datenkatalog", "--to", "7")
    assert r.exit_code == 1 and "keine Version 7" in r.output
    r = cli("indicators", "check")
    assert r.exit_code == 0 and "alle 21 Bedingungen erfüllt" in r.output, r.output
    r = cli("indicators", "define", str(F / "datenkatalog.csv"))
    assert r.exit_code == 1 and "Turtle-Datei ist fehlerhaft" in r.output


@pytest.mark.slow
def test_cli_check_fails_on_a_violated_constraint(fresh_store):
    prepare(fresh_store)
    broken = [ox.Triple(ox.NamedNode(f"{ID}beobachtung/x"), ox.NamedNode(ns.PREFIXES["rdf"] + "type"),
                        ox.NamedNode(ns.PREFIXES["qb"] + "Observation"))]
    fresh_store.insert(ns.indicator_graph("kaputt"), broken)
    path = str(fresh_store.path)
    fresh_store.close()
    gc.collect()
    r = CliRunner().invoke(main, ["--store", path, "indicators", "check"], catch_exceptions=False)
    assert r.exit_code == 1
    assert "import/kaputt: IC-1 Eindeutiger Datensatz" in r.output and f"<{ID}beobachtung/x>" in r.output
