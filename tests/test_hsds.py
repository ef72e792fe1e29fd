"""HSDS 3.0: the export validates against the official schemas (../shared/ref/hsds-3.0/schema, compiled
service_with_definitions.json for services, the per-entity schemas for the rest), and export -> import keeps every
offer and its links."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from sozialgraph import config
from sozialgraph import namespaces as ns
from sozialgraph.context import Context
from sozialgraph.capture import read_submission
from sozialgraph.publish.hsds import (FILES, export_hsds, hsds_to_csv, read_hsds, service_to_row,
                                      validate_export)
from sozialgraph.sparql.binding import Resolver

TODAY = "2026-11-26"


@pytest.fixture(scope="module")
def schema_dir(shared_dir):
    return shared_dir / "ref/hsds-3.0/schema"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, _reference_template):
    """Reference data + 300 demo offers of three offices, read by the template mapping and stored as-is."""
    from sozialgraph.capture.demo import office_csvs

    path = tmp_path_factory.mktemp("hsds") / "store"
    shutil.copytree(_reference_template, path)
    from sozialgraph.store.oxigraph import open_store

    store = open_store(path)
    ctx = Context(config.load({"store": str(path)}), store=store)
    resolver = Resolver.from_store(store)
    for office, data, _n in office_csvs(ctx, 300, 7):
        staged = read_submission(data, f"{office}.csv", "text/csv", office_iri=ns.ID + "org/" + office,
                                 office_code=office, resolver=resolver, example_data=True, today=TODAY)
        assert not [p for p in staged.problems if p.severity == "Violation"], staged.problems[:3]
        store.replace_graphs({ns.office_graph(office): staged.public,
                              ns.private_office_graph(office): staged.private})
    return store


@pytest.fixture(scope="module")
def exported(demo_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("hsds-out")
    counts = export_hsds(demo_store, out)
    return out, counts


def offers_of(store, graph):
    return {t.subject.value for t in store.triples(graph)
            if t.predicate.value == ns.PREFIXES["rdf"] + "type" and t.object.value == ns.SG + "Offer"}


@pytest.mark.slow
def test_export_validates_against_hsds_schemas(exported, schema_dir, demo_store):
    out, counts = exported
    assert validate_export(out, schema_dir) == []
    n_offers = sum(len(offers_of(demo_store, g)) for g in demo_store.public_graphs() if "/graph/office/" in g)
    assert counts["services"] == n_offers == 300
    assert counts["taxonomies"] >= 8 and counts["organizations"] > 1 and counts["locations"] > 0


def test_validation_is_real(exported, schema_dir, tmp_path):
    """The same check rejects a service without status and a location with a non-UUID id."""
    out, _ = exported
    bad = tmp_path / "bad"
    shutil.copytree(out, bad)
    services = json.loads((bad / "services.json").read_text())
    del services["contents"][0]["status"]
    (bad / "services.json").write_text(json.dumps(services))
    locs = json.loads((bad / "locations.json").read_text())
    locs["contents"][0]["id"] = "not-a-uuid"
    (bad / "locations.json").write_text(json.dumps(locs))
    problems = validate_export(bad, schema_dir)
    assert any(p.startswith("services[0]") and "status" in p for p in problems)
    assert any(p.startswith("locations[0]") and "uuid" in p for p in problems)


def test_no_private_address_in_export(exported, demo_store):
    out, _ = exported
    private = set()
    for g in demo_store.graphs():
        if g.startswith(ns.G_PRIVATE):
            private |= {t.object.value for t in demo_store.triples(g)
                        if t.predicate.value == ns.PREFIXES["schema"] + "streetAddress"}
    public = set()
    for g in demo_store.public_graphs():
        public |= {t.object.value for t in demo_store.triples(g)
                   if t.predicate.value == ns.PREFIXES["schema"] + "streetAddress"}
    only_private = private - public
    assert only_private, "the demo data should contain confidential addresses"
    text = "".join((out / f"{n}.json").read_text() for n in FILES)
    assert not [a for a in only_private if json.dumps(a, ensure_ascii=False)[1:-1] in text]


def test_round_trip_keeps_every_offer_and_its_links(exported, demo_store):
    """export -> HSDS -> template rows -> the submission mapping gives back the same public triples per office."""
    out, _ = exported
    services, orgs, lookup = read_hsds(out)
    resolver = Resolver.from_store(demo_store)
    by_office: dict[str, list[dict]] = {}
    for s in services:
        office = next(a["taxonomy_term"]["code"] for a in s["attributes"]
                      if a["taxonomy_term"]["taxonomy_detail"]["uri"] == ns.SG + "Office")
        by_office.setdefault(office, []).append(service_to_row(s, orgs, lookup))
    from sozialgraph.publish.hsds import rows_to_csv

    assert set(by_office) == {g.rsplit("/", 1)[1] for g in demo_store.public_graphs() if "/graph/office/" in g}
    for office, rows in by_office.items():
        staged = read_submission(rows_to_csv(rows), "hsds.csv", "text/csv", office_iri=ns.ID + "org/" + office,
                                 office_code=office, resolver=resolver, example_data=True, today=TODAY)
        assert not [p for p in staged.problems if p.severity == "Violation"], staged.problems[:3]
        original = set(demo_store.triples(ns.office_graph(office)))
        assert set(staged.offers) == offers_of(demo_store, ns.office_graph(office))
        back = set(staged.public)
        assert back == original, (sorted(map(str, original - back))[:5], sorted(map(str, back - original))[:5])


def test_official_hsds_example_tables_map_to_template_rows(shared_dir):
    """HSDS's own Tabular Data Package example becomes template rows (foreign taxonomies are left out)."""
    services, orgs, lookup = read_hsds(shared_dir / "ref/hsds-3.0/examples/csv")
    assert services
    rows = [service_to_row(s, orgs, lookup) for s in services]
    assert all(r["bezeichnung"] and r["kennung"] and r["traeger"] for r in rows)
    assert rows[0]["bezeichnung"] == services[0]["name"]


@pytest.mark.slow
def test_import_submits_through_the_submission_path(exported, fresh_store, tmp_path):
    pytest.importorskip("sozialgraph.capture.submissions")
    from sozialgraph.publish.hsds import import_hsds

    out, _ = exported
    ctx = Context(config.load({"store": str(fresh_store.path)}), store=fresh_store)
    result, n = import_hsds(ctx, out, "50")
    assert n == 300
    # the import is one submission of office 50: responsible offices stay as exported
    assert result.accepted, result.report
    assert len(offers_of(fresh_store, ns.office_graph("50"))) == 300


def test_import_rejects_what_is_not_hsds(fresh_store, tmp_path):
    from sozialgraph.publish.hsds import HSDSError, import_hsds

    (tmp_path / "x.txt").write_text("hello")
    ctx = Context(config.load({"store": str(fresh_store.path)}), store=fresh_store)
    with pytest.raises(HSDSError) as exc:
        import_hsds(ctx, tmp_path, "50")
    assert "keine HSDS-Daten" in exc.value.message("de")
    assert "no HSDS data" in exc.value.message("en")
    assert fresh_store.graphs() == sorted(fresh_store.graphs())  # nothing written
    assert not [g for g in fresh_store.graphs() if "/graph/office/" in g]


def test_cli_export_hsds(ref_store, tmp_path):
    from sozialgraph.cli import main

    copy = tmp_path / "store"
    ref_store.flush()
    ref_store.checkpoint(copy)
    res = CliRunner().invoke(main, ["--store", str(copy), "export", "hsds", str(tmp_path / "out"), "--zip"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out.zip").is_file()
    services, _, _ = read_hsds(tmp_path / "out.zip")
    assert {s["name"] for s in services} >= {"Kita Bayenthal (Beispiel)"}
    res = CliRunner().invoke(main, ["--store", str(copy), "import", "hsds", str(tmp_path / "nothing"),
                                    "--office", "50"])
    assert res.exit_code == 2  # click: path does not exist
