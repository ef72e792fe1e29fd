"""Steering: goals, needs, measures and evaluations through the submission path (CLI, HTTP), the competency
questions on a hand-made fixture, need suggestions from the gap ranking.

Fixture (tests/fixtures/steuerung/): analyse.ttl (burden: 609, 716, 802 multiply burdened, 213 not; gaps for
Alleinerziehende 609 rank 1, 716 rank 2, 802 rank 3; Senioren 802 rank 1, 213 rank 2), indikatoren.ttl (testquote:
609 20.0 (2022) 19.8 (2024); 716 15.0 / 13.0; 802 10.2 (2023)), and the CSV files submitted by sp and Amt 50.
Worked out by hand: Z9.1 (20 -> 16, 2022 -> 2030, senken, 609): path 2024 = 20 - 4 * 2/8 = 19.0 < 19.8 -> behind;
Z9.2 (10 -> 14, erhöhen, 802): path 2023 = 10 + 4 * 1/8 = 10.5 > 10.2 -> behind; Z9.3 (15 -> 11, senken, 716):
path 2024 = 14.0 > 13.0 -> on track.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from capture_helpers import ctx_for, dump_all
from click.testing import CliRunner

from sozialgraph import namespaces as ns
from sozialgraph.capture.tokens import create
from sozialgraph.cli.base import main
from sozialgraph.cli import steering as _steering_cli  # noqa: F401  (adds `steuerung` to the group)
from sozialgraph.sparql.binding import run_saved
from sozialgraph.steering import submit as sub
from sozialgraph.steering import suggestions as sug
from sozialgraph.web import create_app

F = Path(__file__).resolve().parent / "fixtures" / "steuerung"
ID = ns.ID
ORDER = (("ziele", "sp"), ("bedarfe", "sp"), ("massnahmen", "50"), ("evaluationen", "50"))


def prepare(store):
    store.load_file(F / "analyse.ttl", ns.G_ANALYSIS)
    store.load_file(F / "indikatoren.ttl", ns.indicator_graph("test-steuerung"))
    store.load_file(F.parent / "offers.ttl", ns.office_graph("50"))


def submit_all(ctx):
    for art, office in ORDER:
        res = sub.submit_file(ctx, (F / f"{art}.csv").read_bytes(), f"{art}.csv", art, office)
        assert res.accepted, res.report.to_text()


@pytest.fixture(scope="module")
def steering_ctx(tmp_path_factory, _reference_template):
    import shutil

    from sozialgraph.store.oxigraph import open_store

    path = tmp_path_factory.mktemp("steering") / "store"
    shutil.copytree(_reference_template, path)
    store = open_store(path)
    prepare(store)
    ctx = ctx_for(store)
    submit_all(ctx)
    return ctx


@pytest.fixture
def ctx(fresh_store):
    prepare(fresh_store)
    return ctx_for(fresh_store)


def local(iri: str) -> str:
    return iri.removeprefix(ID)


def csv_rows(art: str, rows: list[str]) -> bytes:
    header = (F / f"{art}.csv").read_text(encoding="utf-8").splitlines()[0]
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


# -- competency questions -------------------------------------------------------------------------------------
def q(store, name, **params):
    return list(run_saved(store, name, params))


def test_open_needs_in_quarter_and_their_measures(steering_ctx):
    rows = q(steering_ctx.store, "list-open-needs-in-quarter", stadtteil="Chorweiler")
    got = {(local(r["bedarf"].value), local(r["massnahme"].value) if r["massnahme"] else None) for r in rows}
    assert got == {("bedarf/sp/b1", "massnahme/50/m1"), ("bedarf/sp/b2", None)}  # b4 verworfen, b3 in 716


def test_burdened_quarters_without_measure_in_progress(steering_ctx):
    rows = q(steering_ctx.store, "list-burdened-quarters-without-measure")
    assert [r["nummer"].value for r in rows] == ["716", "802"]  # 609 has M1 in Umsetzung; 213 not multiply burdened


def test_goals_behind_target_path(steering_ctx):
    rows = q(steering_ctx.store, "list-goals-behind-target")
    behind = {(r["code"].value, local(r["gebiet"].value), r["pfadwert"].value) for r in rows}
    assert {(c, g) for c, g, _ in behind} == {("Z9.1", "stadtteil/609"), ("Z9.2", "stadtteil/802")}
    assert {c: float(p) for c, _, p in behind} == {"Z9.1": 19.0, "Z9.2": 10.5}
    z91 = [r for r in rows if r["code"].value == "Z9.1"]
    assert {local(r["massnahme"].value) for r in z91} == {"massnahme/50/m1"}
    assert {local(r["angebot"].value) for r in z91} == {"angebot/50/o1"}  # included by M1
    z9 = q(steering_ctx.store, "list-goals-behind-target", ziel="Z9")
    assert z9 == []  # the strategic goal has no target of its own


def test_offices_cooperating_in_quarter(steering_ctx):
    rows = q(steering_ctx.store, "list-offices-cooperating-in-quarter", stadtteil="609", zielgruppe="Familien")
    assert {r["code"].value for r in rows} == {"50", "51"}  # Alleinerziehende is narrower than Familien
    assert q(steering_ctx.store, "list-offices-cooperating-in-quarter", stadtteil="716",
             zielgruppe="Alleinerziehende") == []  # M2 is one office only


def test_offers_created_by_measure(steering_ctx):
    rows = q(steering_ctx.store, "list-offers-created-by-measure")
    got = {(local(r["massnahme"].value), local(r["angebot"].value)): int(r["erreichtLautEvaluation"].value)
           for r in rows}
    assert got == {("massnahme/50/m1", "angebot/50/o1"): 140, ("massnahme/50/m3", "angebot/50/o6"): 0}


# -- bad rows: a clear message naming row and column, nothing stored ------------------------------------------
BAD = [
    ("ziele", "sp", "Z8;Ziel;operativ;Z1;gibtsnicht;1;2022;2;2030;senken;609;;", "indikator",
     "'gibtsnicht' ist als Indikator nicht bekannt"),
    ("ziele", "sp", "Z8;Ziel;operativ;Z1;testquote;1;2020;2;2021;senken;609;;", "zieljahr",
     "Das Zieljahr 2021 liegt in der Vergangenheit"),
    ("bedarfe", "sp", "B9;x;Atlantis;Senioren;Gesundheit;;;;;festgestellt;;", "gebiet", "'Atlantis' ist als Gebiet"),
    ("massnahmen", "50", "M9;Fremd;51;Senioren;609;;;;geplant;;;;", "aemter",
     "Das einreichende Amt ist nicht unter den umsetzenden Ämtern"),
]


@pytest.mark.parametrize("art,office,row,column,text", BAD, ids=[b[3] for b in BAD])
def test_bad_row_is_named_and_nothing_is_stored(ctx, art, office, row, column, text):
    before = dump_all(ctx.store)
    res = sub.submit_file(ctx, csv_rows(art, [row]), f"{art}.csv", art, office, today=dt.date(2026, 12, 2))
    assert not res.accepted
    violations = [i for i in res.report.items if i.severity == "Violation"]
    assert [(v.row, v.column) for v in violations] == [(2, column)], res.report.to_text()
    assert text in violations[0].message_de and violations[0].message_en != violations[0].message_de
    assert dump_all(ctx.store) == before


def test_goals_only_from_the_stabsstelle(ctx):
    with pytest.raises(sub.SteeringRefused) as e:
        sub.submit_file(ctx, (F / "ziele.csv").read_bytes(), "ziele.csv", "ziele", "50")
    assert e.value.status == 403 and "Stabsstelle" in e.value.de


def test_kinds_keep_their_own_graphs_history_diff_rollback(ctx):
    submit_all(ctx)
    store = ctx.store
    assert {g.removeprefix(ns.steering_graph("")) for g in store.graphs() if g.startswith(ns.steering_graph(""))} \
        == {"sp/ziele", "sp/bedarfe", "50/massnahmen", "50/evaluationen"}
    goals = store.count(sub.steering_graph("sp", "ziele"))
    res = sub.submit_file(ctx, csv_rows("bedarfe", ["B1;nur einer;609;Senioren;Gesundheit;;;;;festgestellt;;"]),
                          "b.csv", "bedarfe", "sp")
    assert res.accepted and res.version == 3
    assert store.count(sub.steering_graph("sp", "ziele")) == goals  # the goals stay
    hist = sub.history(ctx, "sp")
    assert [(h["version"], h["art"], h["current"]) for h in hist] == [(1, "ziele", True), (2, "bedarfe", False),
                                                                     (3, "bedarfe", True)]
    d = sub.diff(ctx, "sp", 2, 3)
    assert {local(s) for s in d["removed"]} == {"bedarf/sp/b2", "bedarf/sp/b3", "bedarf/sp/b4"}
    assert [local(c["object"]) for c in d["changed"]] == ["bedarf/sp/b1"]
    back = sub.rollback(ctx, "sp", 2)
    assert back.version == 4 and back.art == "bedarfe"
    assert store.graph_ntriples(sub.steering_graph("sp", "bedarfe")) == \
        store.graph_ntriples(ns.version_graph("steuerung-sp", 2, "public"))
    # the offer history of an office never counts steering versions
    from sozialgraph.capture.submissions import history as offer_history
    assert offer_history(ctx, "sp") == []


def test_turtle_submission_of_another_office_subject_is_refused(ctx):
    ttl = (b"@prefix sg: <https://w3id.org/sozialgraph/ontology#> .\n"
           b"<https://w3id.org/sozialgraph/id/massnahme/51/x> a sg:Measure .\n")
    res = sub.submit_file(ctx, ttl, "m.ttl", "massnahmen", "50", dry_run=True)
    assert not res.accepted and any("nur Objekte unter" in i.message_de for i in res.report.items)


# -- suggestions ----------------------------------------------------------------------------------------------
def test_suggestions_accept_and_dismiss(ctx):
    rows = sug.suggestions(ctx, top=2)
    assert {s.id for s in rows} == {"609/alleinerziehende", "716/alleinerziehende", "802/senioren", "213/senioren"}
    assert {s.id for s in sug.suggestions(ctx, "Senioren", top=1)} == {"802/senioren"}
    sp = f"{ID}org/sp"
    need = sug.accept(ctx, "609/alleinerziehende", sp, today="2026-12-02")
    assert local(need) == "bedarf/sp/vorschlag-609-alleinerziehende"
    sug.dismiss(ctx, "716/alleinerziehende", sp, "Angebot im Nachbarstadtteil", today="2026-12-02")
    by_id = {s.id: s for s in sug.suggestions(ctx, top=2)}
    assert by_id["609/alleinerziehende"].status == "festgestellt" and by_id["609/alleinerziehende"].need == need
    assert by_id["716/alleinerziehende"].status == "verworfen"
    assert by_id["716/alleinerziehende"].reason == "Angebot im Nachbarstadtteil"
    with pytest.raises(Exception) as e:
        sug.accept(ctx, "716/alleinerziehende", sp)
    assert getattr(e.value, "status", None) == 409
    open_needs = {local(r["bedarf"].value) for r in q(ctx.store, "list-open-needs-in-quarter", stadtteil="609")}
    assert "bedarf/sp/vorschlag-609-alleinerziehende" in open_needs


# -- CLI and HTTP ---------------------------------------------------------------------------------------------
def test_cli_submit_and_template(ctx, tmp_path):
    runner = CliRunner()
    store_arg = ["--store", str(ctx.store.path)]
    ctx.store.close() if hasattr(ctx.store, "close") else None
    bad = tmp_path / "z.csv"
    bad.write_bytes(csv_rows("ziele", ["Z8;Ziel;operativ;Z1;gibtsnicht;1;2022;2;2030;senken;609;;"]))
    r = runner.invoke(main, [*store_arg, "steuerung", "submit", str(bad), "--art", "ziele", "--office", "sp"])
    assert r.exit_code == 1 and "Zeile 2, Spalte indikator" in r.output
    out = tmp_path / "vorlage.csv"
    r = runner.invoke(main, [*store_arg, "steuerung", "template", "--art", "massnahmen", "--out", str(out)])
    assert r.exit_code == 0 and out.read_bytes().startswith(b"\xef\xbb\xbfkennung;bezeichnung;")


def test_http_submit_needs_the_office_token(ctx):
    app = create_app({"store": str(ctx.store.path)}, context=ctx)
    client = app.test_client()
    token50, _ = create(ctx.store, f"{ID}org/50")
    data = (F / "massnahmen.csv").read_bytes()
    r = client.post("/api/steuerung/massnahmen?office=50", data=data, content_type="text/csv")
    assert r.status_code == 401
    r = client.post("/api/steuerung/massnahmen?office=51&dry_run=0", data=data, content_type="text/csv",
                    headers={"Authorization": f"Bearer {token50}"})
    assert r.status_code == 403
    r = client.post("/api/steuerung/massnahmen?office=50&dry_run=1", data=data, content_type="text/csv")
    assert r.status_code == 422  # dry run without token: checked, not stored; M1 addresses B1, not yet submitted
    assert "bedarfe" in r.get_json()["report"]["items"][0]["column"]
    bad = csv_rows("massnahmen", ["M9;Fremd;51;Senioren;609;;;;geplant;;;;"])
    r = client.post("/api/steuerung/massnahmen?office=50", data=bad, content_type="text/csv",
                    headers={"Authorization": f"Bearer {token50}"})
    body = r.get_json()
    assert r.status_code == 422 and body["report"]["items"][0]["row"] == 2
    assert body["report"]["items"][0]["column"] == "aemter"
    assert not any(g.startswith(ns.steering_graph("50")) for g in ctx.store.graphs())
    r = client.get("/api/bedarfsvorschlaege?zielgruppe=Senioren&top=1")
    assert r.status_code == 200 and [s["id"] for s in r.get_json()["suggestions"]] == ["802/senioren"]
    r = client.post("/api/bedarfsvorschlaege/802/senioren/annehmen", headers={"Authorization": f"Bearer {token50}"})
    assert r.status_code == 403  # only the Stabsstelle decides
