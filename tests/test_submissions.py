"""Submissions end to end on every store backend: graphs, confidentiality, versions, diff, rollback, bad input."""

from __future__ import annotations

import io

import pytest
from capture_helpers import CAPTURE, ctx_for, dump_all, good_rows, xlsx_bytes

from sozialgraph import namespaces as ns
from sozialgraph.errors import UnknownValue
from sozialgraph.capture.submissions import diff, get_version, history, rollback, submit_file


@pytest.fixture
def ctx(backend_store):
    """Every test here runs on each store backend (embedded, oxigraph serve, Virtuoso)."""
    return ctx_for(backend_store)


def good() -> bytes:
    return (CAPTURE / "good.csv").read_bytes()


def test_accepted_submission_writes_public_private_version_and_provenance(ctx):
    res = submit_file(ctx, good(), "good.csv", "Amt für Soziales, Arbeit und Senioren", user="Anna Beispiel")
    assert (res.accepted, res.version, res.offers, res.office) == (True, 1, 4, "50")
    store = ctx.store
    graphs = set(store.graphs())
    for g in (ns.office_graph("50"), ns.private_office_graph("50"), ns.version_graph("50", 1, "public"),
              ns.version_graph("50", 1, "private"), ns.G_PROVENANCE, ns.G_PRIVATE_PROVENANCE):
        assert g in graphs, g
    assert store.count(ns.office_graph("50")) == store.count(ns.version_graph("50", 1, "public"))
    public = io.BytesIO()
    store.dump(public, "nq", public_only=True)
    text = public.getvalue().decode()
    assert "Geheimweg" not in text and '"50.9421"' not in text and "Anna Beispiel" not in text
    assert "Neusser Straße 450" in text  # not confidential
    assert "https://w3id.org/sozialgraph/id/angebot/50/fh-2" in text  # the confidential offer itself is public
    row = store.select(
        "PREFIX sg: <https://w3id.org/sozialgraph/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        "SELECT ?n ?c ?w ?sha WHERE { ?s a sg:Submission ; sg:versionNumber ?n ; sg:offerCount ?c ; "
        "sg:warningCount ?w ; sg:sha256 ?sha ; prov:wasAssociatedWith <https://w3id.org/sozialgraph/id/org/50> }",
        public_only=True)
    assert [(r["n"].value, r["c"].value, r["w"].value) for r in row] == [("1", "4", str(res.report.warnings))]
    import hashlib

    assert row[0]["sha"].value == hashlib.sha256(good()).hexdigest()
    offer = store.select("SELECT ?o WHERE { <https://w3id.org/sozialgraph/id/angebot/50/sb-1> "
                         "<https://w3id.org/sozialgraph/ontology#responsibleOffice> ?o }", public_only=True)
    assert offer[0]["o"].value == "https://w3id.org/sozialgraph/id/org/50"


def test_public_query_never_sees_confidential_coordinates(ctx):
    submit_file(ctx, good(), "good.csv", "50")
    rows = ctx.store.select("PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> SELECT ?lat WHERE { "
                            "<https://w3id.org/sozialgraph/id/standort/50/fh-2> geo:lat ?lat }", public_only=True)
    assert rows == []
    rows = ctx.store.select("PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> SELECT ?lat WHERE { "
                            "<https://w3id.org/sozialgraph/id/standort/50/fh-2> geo:lat ?lat }")
    assert {r["lat"].value for r in rows} == {"50.9421"}  # private office graph and version graph


def test_resubmission_updates_in_place_history_diff_rollback(ctx):
    submit_file(ctx, good(), "good.csv", "50", user="a")
    rows = good_rows()
    hdr = rows[0]
    rows[1][hdr.index("oeffnungszeiten")] = "Mo 9–12 Uhr"
    del rows[3]  # SD-3 removed
    rows.append(["NEU-5", "Neues Angebot", "neu", "Sozialberatung", "Senioren", "", "Beispielträger Neu e. V."]
                + [""] * 3 + ["Nippes"] + [""] * 3 + ["Stadtteil"] + [""] * (len(hdr) - 15))
    res = submit_file(ctx, xlsx_bytes(rows), "zweite.xlsx", "50", user="b")
    assert res.accepted and res.version == 2, res.report.to_text()
    offers = ctx.store.select("PREFIX sg: <https://w3id.org/sozialgraph/ontology#> SELECT ?o WHERE { GRAPH "
                              "<https://w3id.org/sozialgraph/graph/office/50> { ?o a sg:Offer } }")
    assert len(offers) == 4  # not duplicated
    d = diff(ctx, "50", 1, 2)
    assert [a["kennung"] for a in d["added"]] == ["NEU-5"]
    assert [r["kennung"] for r in d["removed"]] == ["SD-3"]
    assert [(c["kennung"], list(c["fields"])) for c in d["changed"]] == [("SB-1", ["oeffnungszeiten"])]
    assert d["changed"][0]["fields"]["oeffnungszeiten"] == {"old": ["Mo–Fr 9–16 Uhr"], "new": ["Mo 9–12 Uhr"]}
    before = ctx.store.count(ns.office_graph("50"))
    rb = rollback(ctx, "50", 1)
    assert rb.version == 3
    assert ctx.store.count(ns.office_graph("50")) != before
    assert diff(ctx, "50", 1, 3) == {**diff(ctx, "50", 1, 3), "added": [], "removed": [], "changed": []}
    h = history(ctx, "sozialamt" if False else "50")
    assert [(v["version"], v["current"], v.get("user")) for v in h] == [(1, False, "a"), (2, False, "b"),
                                                                          (3, True, None)]
    assert h[2]["used"].endswith("/einreichung/50/1")
    info = get_version(ctx, "50", 2)
    assert info["status"] == "superseded" and info["report"]["offers"] == 4


def test_rejected_and_dry_run_change_nothing(ctx):
    submit_file(ctx, good(), "good.csv", "50")
    before = dump_all(ctx.store)
    for f in sorted((CAPTURE / "invalid").iterdir()):
        res = submit_file(ctx, f.read_bytes(), f.name, "51" if f.suffix in (".ttl", ".jsonld") else "50")
        assert not res.accepted and res.version is None, f.name
    assert submit_file(ctx, good(), "good.csv", "50", dry_run=True).accepted
    assert dump_all(ctx.store) == before


def test_unknown_office_suggests(ctx):
    with pytest.raises(UnknownValue) as exc:
        submit_file(ctx, good(), "good.csv", "Gesundheitsamtt")
    assert "Gesundheitsamt" in exc.value.message("de")


def test_rdf_submission_keeps_confidential_address_private(ctx):
    res = submit_file(ctx, (CAPTURE / "good.ttl").read_bytes(), "good.ttl", "51")
    assert res.accepted and res.offers == 2
    pub = {t.object.value for t in ctx.store.triples(ns.office_graph("51"))}
    priv = {t.object.value for t in ctx.store.triples(ns.private_office_graph("51"))}
    assert "Verborgene Gasse 3" in priv and "Verborgene Gasse 3" not in pub
    assert "50.9651" in pub  # the other offer is not confidential


def test_example_data_flag(ctx):
    submit_file(ctx, good(), "good.csv", "50", example_data=True)
    rows = ctx.store.select("SELECT DISTINCT ?o WHERE { GRAPH <https://w3id.org/sozialgraph/graph/office/50> "
                            "{ ?o <https://w3id.org/sozialgraph/ontology#exampleData> true } }")
    assert len(rows) == 4


def test_report_formats(ctx):
    res = submit_file(ctx, (CAPTURE / "invalid" / "unknown_zielgruppe.csv").read_bytes(), "x.csv", "50",
                      dry_run=True)
    assert "Zeile 3, Spalte zielgruppen: 'Seniorn' ist keine bekannte Zielgruppe. Meinten Sie 'Senioren'?" \
        in res.report.to_text("de")
    assert "Row 3, column zielgruppen: 'Seniorn' is not a known target group. Did you mean 'Senioren'?" \
        in res.report.to_text("en")
    import json

    j = json.loads(res.report.to_json())
    assert j["conforms"] is False and j["items"][0]["row"] == 3
    import rdflib

    g = rdflib.Graph().parse(data=res.report.to_turtle(), format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, sh.conforms, rdflib.Literal(False)) in g
    assert len(list(g.subjects(rdflib.RDF.type, sh.ValidationResult))) == len(res.report.items)
