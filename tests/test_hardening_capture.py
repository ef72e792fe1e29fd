"""Hardening of capture: closed submissions (only the office's own things, in the template's form), shared providers
never overwritten, http(s)-only links, plausibility checks. One problem per invalid file in
tests/fixtures/capture/hardening/; every rejected file leaves the store exactly as it was."""

from __future__ import annotations

import pytest
from capture_helpers import CAPTURE, ctx_for, dump_all

from sozialgraph import namespaces as ns
from sozialgraph.capture import read_submission
from sozialgraph.capture.submissions import submit_file
from sozialgraph.capture.validate import validate_staged

HARD = CAPTURE / "hardening"
SGSH = "https://w3id.org/sozialgraph/shapes#"
ID = "https://w3id.org/sozialgraph/id/"

# file -> (row, column, shape local name or None (found before SHACL), text in the German message,
#          text in the German report line: the row/column or the subject)
INVALID = {
    "rdf_foreign_offer.ttl": (None, None, None, "Angebot eines anderen Amts", f"<{ID}angebot/50/sb-1>"),
    "rdf_quarter_subject.ttl": (None, None, None, "ein Stadtteil", f"<{ID}stadtteil/501>"),
    "rdf_ontology_term.ttl": (None, None, None, "Begriff der Ontologie",
                              "<https://w3id.org/sozialgraph/ontology#Offer>"),
    "rdf_self_declared_office.ttl": (None, None, None, "ein Amt oder Dezernat", f"<{ID}org/99>"),
    "rdf_need_in_quarter_999.ttl": (None, None, None, "nur Angebote (sg:Offer)", f"<{ID}angebot/51/bedarf-1>"),
    "rdf_blank_node.ttl": (None, None, None, "Leere Knoten", "Leere Knoten"),
    "rdf_offer_typed_target_group.ttl": (None, None, "Offer-type", "nur ein sg:Offer", f"<{ID}angebot/51/h-1>"),
    "rdf_offer_extra_property.ttl": (None, None, "OfferShape", "Erfassungsvorlage", "rdfs:seeAlso"),
    "rdf_place_extra_property.ttl": (None, None, "PlaceShape", "Erfassungsvorlage", "schema:name"),
    "rdf_provider_extra_property.ttl": (None, None, "ProviderShape", "nur seinen Namen", "schema:url"),
    "rdf_provider_relabel.ttl": (None, None, None, "passt nicht zur IRI des Trägers",
                                 f"<{ID}traeger/beispieltraeger-kita>"),
    "rdf_provider_typed_office.ttl": (None, None, "Provider-type", "nur ein sg:Provider",
                                      f"<{ID}traeger/beispieltraeger-kita>"),
    "rdf_url_javascript.ttl": (None, None, "Offer-url", "http(s)-Adresse", "schema:url"),
    "csv_website_javascript.csv": (2, "website", "Offer-url", "keine http(s)-Adresse", "Zeile 2, Spalte website"),
    "csv_ages_reversed.csv": (2, "alter_von", "Offer-minAge", "nicht über 'alter_bis'", "Zeile 2, Spalte alter_von"),
}
WARNINGS = {  # accepted with one Warning
    "csv_coords_far_from_quarter.csv": (2, "breitengrad", "CoordinatesInQuarterShape", "3 km"),
    "csv_reached_vs_capacity.csv": (2, "erreichte_personen", "PeopleReachedPlausibleShape", "20-Fache"),
}


def _office(name: str) -> str:
    return "51" if name.endswith(".ttl") else "50"


def _staged(ctx, name: str, data: bytes | None = None):
    code = _office(name)
    return read_submission(data if data is not None else (HARD / name).read_bytes(), name, None,
                           office_iri=f"{ID}org/{code}", office_code=code, resolver=ctx.resolver())


def _key(i):
    return (i.severity, i.focus, i.path, i.shape, i.value)


def test_every_fixture_is_listed():
    assert sorted(p.name for p in HARD.iterdir()) == sorted(["valid.ttl", *INVALID, *WARNINGS])


def test_valid_base_file_is_accepted_by_both_engines(fresh_store):
    ctx = ctx_for(fresh_store)
    st = _staged(ctx, "valid.ttl")
    for engine in ("fast", "pyshacl"):
        report = validate_staged(st, fresh_store, engine=engine, workers=1)
        assert report.conforms and not report.items, report.to_text()


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_file_is_rejected_and_nothing_stored(name, fresh_store):
    row, column, shape, text, where = INVALID[name]
    ctx = ctx_for(fresh_store)
    before = dump_all(fresh_store)
    res = submit_file(ctx, (HARD / name).read_bytes(), name, _office(name))
    assert not res.accepted and res.version is None
    violations = [i for i in res.report.items if i.severity == "Violation"]
    assert len(violations) == 1, res.report.to_text()
    v = violations[0]
    assert (v.row, v.column) == (row, column)
    assert (v.shape == SGSH + shape) if shape else v.shape is None, v.shape
    assert text in v.message_de
    assert where in v.text("de")
    assert v.message_en and v.message_en != v.message_de
    assert "Es wurde nichts gespeichert" in res.report.to_text("de")
    assert dump_all(fresh_store) == before


@pytest.mark.parametrize("name", sorted([n for n in INVALID if n.endswith(".ttl")] + list(WARNINGS)))
def test_fast_engine_equals_pyshacl(name, fresh_store):
    """Closed shapes (property shapes moved off the node shape in the fast path) and the new SPARQL warnings give
    the same results in both engines."""
    ctx = ctx_for(fresh_store)
    st = _staged(ctx, name)
    fast = validate_staged(st, fresh_store, engine="fast", workers=1)
    slow = validate_staged(st, fresh_store, engine="pyshacl")
    assert sorted(map(_key, fast.items)) == sorted(map(_key, slow.items))
    assert fast.items


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_implausible_values_are_warnings_and_accepted(name, fresh_store):
    row, column, shape, text = WARNINGS[name]
    ctx = ctx_for(fresh_store)
    res = submit_file(ctx, (HARD / name).read_bytes(), name, "50")
    assert res.accepted and res.version == 1, res.report.to_text()
    warnings = [i for i in res.report.items if i.severity == "Warning" and i.shape == SGSH + shape]
    assert len(warnings) == 1, res.report.to_text()
    w = warnings[0]
    assert (w.row, w.column) == (row, column)
    assert text in w.message_de and w.message_en
    assert f"Zeile {row}, Spalte {column}" in w.text("de")


def test_coordinates_near_the_quarter_give_no_warning(fresh_store):
    ctx = ctx_for(fresh_store)
    data = (HARD / "csv_coords_far_from_quarter.csv").read_bytes().replace(b"50,8900;7,0600", b"50,9651;6,9542")
    report = validate_staged(_staged(ctx, "near.csv", data), fresh_store, workers=1)
    assert not [i for i in report.items if i.shape == SGSH + "CoordinatesInQuarterShape"], report.to_text()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd",
                                 "ftp://example.org/x", "vbscript:msgbox", "JavaScript:alert(1)"])
def test_template_website_must_be_http(url, fresh_store):
    ctx = ctx_for(fresh_store)
    data = (HARD / "csv_website_javascript.csv").read_text(encoding="utf-8").replace("javascript:alert(1)", url)
    report = validate_staged(_staged(ctx, "x.csv", data.encode()), fresh_store, workers=1)
    bad = [i for i in report.items if i.severity == "Violation"]
    assert [(i.row, i.column) for i in bad] == [(2, "website")], report.to_text()


@pytest.mark.parametrize("url", ["www.example.org/beratung", "https://example.org", "HTTP://example.org/x",
                                 "example.org:8080/pfad"])
def test_template_website_http_forms_are_accepted(url, fresh_store):
    ctx = ctx_for(fresh_store)
    data = (HARD / "csv_website_javascript.csv").read_text(encoding="utf-8").replace("javascript:alert(1)", url)
    st = _staged(ctx, "x.csv", data.encode())
    report = validate_staged(st, fresh_store, workers=1)
    assert report.conforms, report.to_text()
    urls = [t.object.value for t in st.public if t.predicate.value == "https://schema.org/url"]
    assert len(urls) == 1 and urls[0].startswith(("http://", "https://"))


@pytest.mark.parametrize("iri", ["data:text/html,x", "file:///etc/passwd", "ftp://example.org/x",
                                 "mailto:a@example.org", "https://user@evil.example/"])
def test_rdf_url_must_be_http(iri, fresh_store):
    ctx = ctx_for(fresh_store)
    data = (HARD / "rdf_url_javascript.ttl").read_text().replace("javascript:alert(1)", iri)
    report = validate_staged(_staged(ctx, "x.ttl", data.encode()), fresh_store, workers=1)
    assert {i.shape for i in report.items if i.severity == "Violation"} == {SGSH + "Offer-url"}, report.to_text()


def _provider_labels(store, provider: str, graph: str | None = None) -> set[str]:
    q = f"SELECT ?l WHERE {{ <{provider}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    if graph:
        return {r["l"].value for r in store.select(q, default_graph=[graph])}
    return {r["l"].value for r in store.select(q, public_only=True)}


def test_shared_provider_is_never_overwritten(fresh_store):
    """Office 50 uses a provider; office 53 cannot rename it. A differently spelt name with the same slug lands only
    in office 53's graph, with a Warning: the public pages then show both spellings."""
    ctx = ctx_for(fresh_store)
    assert submit_file(ctx, (CAPTURE / "good.csv").read_bytes(), "good.csv", "50").accepted
    provider = f"{ID}traeger/beispieltraeger-nippes-e-v"
    assert _provider_labels(fresh_store, provider) == {"Beispielträger Nippes e. V."}
    office_50 = fresh_store.graph_ntriples(ns.office_graph("50"))
    ttl = (HARD / "valid.ttl").read_text().replace("angebot/51/", "angebot/53/").replace("standort/51/", "standort/53/")
    ttl = ttl.replace("org:51", "org:53").replace("tr:beispieltraeger-kita", "tr:beispieltraeger-nippes-e-v")

    before = dump_all(fresh_store)
    hijack = ttl.replace("Beispielträger Kita e. V.", "Office 53 hat umbenannt")
    res = submit_file(ctx, hijack.encode(), "x.ttl", "53")
    assert not res.accepted
    [v] = [i for i in res.report.items if i.severity == "Violation"]
    assert "passt nicht zur IRI des Trägers" in v.message_de and v.focus == provider
    hijack = ttl.replace('"Beispielträger Kita e. V."@de', '"Beispielträger Nippes e. V."@de ; '
                                                            '<https://schema.org/url> <https://evil.example/>')
    assert not submit_file(ctx, hijack.encode(), "x.ttl", "53").accepted
    assert dump_all(fresh_store) == before

    variant = ttl.replace("Beispielträger Kita e. V.", "Beispielträger Nippes e.V.")
    res = submit_file(ctx, variant.encode(), "x.ttl", "53")
    assert res.accepted, res.report.to_text()
    [w] = [i for i in res.report.items if i.severity == "Warning" and i.focus == provider]
    assert "'Beispielträger Nippes e. V.'" in w.message_de and "beide Schreibweisen" in w.message_de
    assert fresh_store.graph_ntriples(ns.office_graph("50")) == office_50  # office 50's statement untouched
    assert _provider_labels(fresh_store, provider, ns.office_graph("53")) == {"Beispielträger Nippes e.V."}
    assert _provider_labels(fresh_store, provider) == {"Beispielträger Nippes e. V.", "Beispielträger Nippes e.V."}

    same = ttl.replace("Beispielträger Kita e. V.", "Beispielträger Nippes e. V.")
    res = submit_file(ctx, same.encode(), "x.ttl", "53")
    assert res.accepted and not [i for i in res.report.items if i.focus == provider], res.report.to_text()


def test_provider_iri_may_leave_out_the_legal_form(fresh_store):
    ctx = ctx_for(fresh_store)
    st = _staged(ctx, "valid.ttl")  # tr:beispieltraeger-kita is 'Beispielträger Kita e. V.'
    assert not st.problems
    data = (HARD / "valid.ttl").read_text().replace("Beispielträger Kita e. V.", "Beispielträger Kita Betrug")
    st = _staged(ctx, "x.ttl", data.encode())
    assert [p.focus for p in st.problems] == [f"{ID}traeger/beispieltraeger-kita"]


@pytest.mark.parametrize("name", ["rdf_quarter_subject.ttl", "rdf_offer_extra_property.ttl"])
def test_jsonld_and_ntriples_are_closed_too(name, fresh_store):
    import io

    import pyoxigraph as ox

    ctx = ctx_for(fresh_store)
    triples = list(ox.parse((HARD / name).read_bytes(), ox.RdfFormat.TURTLE))
    before = dump_all(fresh_store)
    for fmt, ext in ((ox.RdfFormat.JSON_LD, "jsonld"), (ox.RdfFormat.N_TRIPLES, "nt")):
        buf = io.BytesIO()
        ox.serialize(triples, buf, fmt)
        res = submit_file(ctx, buf.getvalue(), f"x.{ext}", "51")
        assert not res.accepted and res.report.violations == 1, res.report.to_text()
        assert any(INVALID[name][3] in i.message_de for i in res.report.items if i.severity == "Violation")
    assert dump_all(fresh_store) == before
