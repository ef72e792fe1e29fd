"""Shapes: one invalid file per problem (row, column, shape it must trigger), the fast engine equals pySHACL,
shapes pass SHACL-for-SHACL, the demo data pass the same shapes."""

from __future__ import annotations

import pytest
from capture_helpers import CAPTURE, ctx_for

from sozialgraph.capture import read_submission
from sozialgraph.capture.validate import SHAPES_DIR, shapes_graph, support_triples, validate_staged

SGSH = "https://w3id.org/sozialgraph/shapes#"

# file -> (row, column, shape local name or None, text in the German message); every file has exactly one Violation
INVALID = {
    "unknown_zielgruppe.csv": (3, "zielgruppen", "Offer-targetGroup", "Meinten Sie 'Senioren'?"),
    "unknown_angebotsart.csv": (4, "angebotsart", "Offer-offerType", "Meinten Sie 'Schuldnerberatung'"),
    "duplicate_kennung.csv": (5, "kennung", "Offer-identifier", "Zeile 2"),
    "dates_reversed.csv": (2, "gueltig_ab", "Offer-validFrom", "nicht nach 'gültig bis'"),
    "bad_date.csv": (2, "gueltig_ab", "Offer-validFrom", "kein gültiges Datum"),
    "coords_outside.csv": (2, "breitengrad", "Place-lat", "nicht in Köln"),
    "quarter_not_in_borough.csv": (2, "stadtbezirk", "QuarterInBoroughShape", "nicht im angegebenen Stadtbezirk"),
    "missing_quarter.csv": (2, "stadtteil", "AreaRequiredShape", "Stadtteil fehlt"),
    "bad_plz.csv": (2, "plz", "Address-postalCode", "5 Ziffern"),
    "missing_column.csv": (1, None, None, "Pflichtspalten: zielgruppen"),
    "ragged.csv": (3, None, None, "31 Felder"),
    "broken_encoding.csv": (4, None, None, "Kodierung"),
    "empty.csv": (None, None, None, "leer"),
    "malformed.ttl": (None, None, None, "line 4"),
    "malformed.jsonld": (None, None, None, "JSON-LD"),
    "unknown_class_value.ttl": (None, None, "Offer-targetGroup", "Zielgruppe"),
}


def _office(name: str) -> tuple[str, str]:
    code = "51" if name.endswith((".ttl", ".jsonld")) else "50"
    return f"https://w3id.org/sozialgraph/id/org/{code}", code


def _staged(ctx, path):
    iri, code = _office(path.name)
    return read_submission(path.read_bytes(), path.name, None, office_iri=iri, office_code=code,
                           resolver=ctx.resolver())


def test_every_invalid_file_is_listed():
    assert sorted(p.name for p in (CAPTURE / "invalid").iterdir()) == sorted(INVALID)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_file_names_its_one_problem(name, ref_ctx):
    row, column, shape, text = INVALID[name]
    report = validate_staged(_staged(ref_ctx, CAPTURE / "invalid" / name), ref_ctx.store, workers=1)
    violations = [i for i in report.items if i.severity == "Violation"]
    assert len(violations) == 1, report.to_text()
    v = violations[0]
    assert (v.row, v.column) == (row, column)
    assert (v.shape == SGSH + shape) if shape else v.shape is None
    assert text in v.message_de
    assert v.message_en and v.message_en != v.message_de


@pytest.mark.parametrize("name", ["good.csv", "good-cp1252-comma.csv", "good.ttl"])
def test_good_files_conform(name, ref_ctx):
    report = validate_staged(_staged(ref_ctx, CAPTURE / name), ref_ctx.store, workers=1)
    assert report.conforms, report.to_text()


def _key(i):
    return (i.severity, i.focus, i.path, i.shape, i.value)


@pytest.mark.parametrize("name", ["good.csv", "good.ttl", "invalid/unknown_class_value.ttl",
                                  "invalid/quarter_not_in_borough.csv", "invalid/missing_quarter.csv",
                                  "invalid/dates_reversed.csv", "invalid/coords_outside.csv",
                                  "invalid/bad_plz.csv"])
def test_fast_engine_equals_pyshacl(name, ref_ctx):
    """Targeted property shapes, SPARQL constraints run once on Oxigraph, two processes: same results as pySHACL
    running every shape the standard way."""
    st = _staged(ref_ctx, CAPTURE / name)
    fast = validate_staged(st, ref_ctx.store, engine="fast", workers=1)
    slow = validate_staged(st, ref_ctx.store, engine="pyshacl")
    assert sorted(map(_key, fast.items)) == sorted(map(_key, slow.items))
    assert fast.items or name == "good.ttl"  # the comparison is not vacuous


def test_duplicate_identifier_in_rdf_is_found_by_both_engines(ref_ctx):
    text = (CAPTURE / "good.ttl").read_text().replace('"SCHUTZ-2"', '"KITA-1"')
    iri, code = _office("x.ttl")
    st = read_submission(text.encode(), "x.ttl", None, office_iri=iri, office_code=code, resolver=None)
    for engine in ("fast", "pyshacl"):
        report = validate_staged(st, ref_ctx.store, engine=engine, workers=1)
        shapes = {i.shape for i in report.items if i.severity == "Violation"}
        assert shapes == {SGSH + "UniqueIdentifierShape"}, engine


def test_parallel_validation_equals_single_process(fresh_store):
    """Two processes split by offer give the same items as one (providers are shared across the parts)."""
    from sozialgraph.capture import demo, validate

    ctx = ctx_for(fresh_store)
    rows = list(demo.generate_rows(60, 3, demo.quarters(fresh_store), demo.goal_codes(ctx.resolver()), office="50"))
    rows[5].update(breitengrad="52.1", laengengrad="6.95", strasse="Musterweg")
    import io

    buf = io.StringIO()
    demo.write_csv(rows, buf, demo.template_columns())
    st = read_submission(buf.getvalue().encode(), "x.csv", None, office_iri="https://w3id.org/sozialgraph/id/org/50",
                         office_code="50", resolver=ctx.resolver())
    old = validate.PARALLEL_MIN_OFFERS
    validate.PARALLEL_MIN_OFFERS = 10
    try:
        two = validate_staged(st, fresh_store, workers=2)
    finally:
        validate.PARALLEL_MIN_OFFERS = old
    one = validate_staged(st, fresh_store, workers=1)
    assert [i.to_dict() for i in two.items] == [i.to_dict() for i in one.items]
    assert two.violations == 1


def test_shapes_pass_shacl_for_shacl():
    from pyshacl import validate

    conforms, _g, text = validate(shapes_graph(), meta_shacl=True, shacl_graph=None, inference="none")
    # meta_shacl validates the shapes graph against SHACL-for-SHACL before validating; data = shapes here
    assert conforms, text


def test_every_property_shape_has_name_and_messages_in_both_languages():
    from rdflib import URIRef
    from rdflib.namespace import SH

    g = shapes_graph()
    shapes = set(g.subjects(SH.path, None))
    assert len(shapes) > 30
    for s in shapes:
        assert isinstance(s, URIRef), s
        assert {m.language for m in g.objects(s, SH.name)} >= {"de", "en"}, s
        assert {m.language for m in g.objects(s, SH.message)} >= {"de", "en"}, s


def test_shape_prefixes_match_namespaces():
    import re

    from sozialgraph.namespaces import PREFIXES

    for f in SHAPES_DIR.glob("*.ttl"):
        for prefix, iri in re.findall(r"@prefix (\w+):\s*<([^>]+)>", f.read_text()):
            assert PREFIXES.get(prefix) == iri, (f.name, prefix)


@pytest.mark.slow
def test_demo_data_pass_the_same_shapes_in_pyshacl(fresh_store):
    """Reference data + 40 demo offers, every shape, standard pySHACL."""
    import io

    from sozialgraph.capture import demo

    ctx = ctx_for(fresh_store)
    buf = io.StringIO()
    demo.write_csv(demo.generate_rows(40, 7, demo.quarters(fresh_store), demo.goal_codes(ctx.resolver()),
                                      office="51"), buf, demo.template_columns())
    st = read_submission(buf.getvalue().encode(), "demo.csv", None,
                         office_iri="https://w3id.org/sozialgraph/id/org/51", office_code="51",
                         resolver=ctx.resolver(), example_data=True)
    report = validate_staged(st, fresh_store, engine="pyshacl")
    assert report.conforms, report.to_text()
    assert support_triples(fresh_store)
