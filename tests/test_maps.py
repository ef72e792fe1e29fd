"""Maps: figures per Stadtteil, proportional symbols without geometries, choropleth after `geodata import`,
offers per 1,000 inhabitants, the SVG and its table over HTTP, and the import's messages."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest
import requests
from click.testing import CliRunner

from sozialgraph import config, namespaces as ns
from sozialgraph.analysis import maps, search
from sozialgraph.reference import geodata
from sozialgraph.cli import main
from sozialgraph.context import Context
from conftest import FIXTURES, start_live_server

SVG = "{http://www.w3.org/2000/svg}"


def ctx_for(store) -> Context:
    return Context(config.load({"store": str(store.path)}), store=store)


def geo_file(shared_dir, name: str):
    return shared_dir / "ref" / "koeln" / "geo" / name


def test_the_shipped_polygons_give_a_choropleth_from_the_start(ref_ctx):
    """data/koeln/geometrien.ttl is loaded at init: every map is a choropleth of the 86 Stadtteile with the nine
    Stadtbezirk borders, without `geodata import`."""
    m = maps.build(ref_ctx, search.run(ref_ctx, search.Search()))
    assert m.mode == "choropleth" and len(m.areas) == 86 and all(a.path for a in m.areas)
    assert len(m.outlines) == 9
    assert {a.number for a in m.areas if a.cls > 0} == {"101", "102", "105", "201"}


def test_symbols_at_centroids_without_geometries(fresh_store):
    fresh_store.load_file(FIXTURES / "offers.ttl", ns.office_graph("50"))
    fresh_store.drop([ns.G_GEO])
    ctx = ctx_for(fresh_store)
    res = search.run(ctx, search.Search())
    m = maps.build(ctx, res)
    assert m.mode == "symbole" and m.measure == "anzahl"
    counts = {a.number: a.count for a in m.areas if a.count}
    assert counts == {"101": 1, "102": 1, "105": 1, "201": 1}
    assert m.unplaced == 2  # o3 (city-wide) and o5 (borough only) have no Stadtteil
    assert len(m.areas) == 86 and all(a.r > 0 for a in m.areas if a.count) and not any(a.r for a in m.areas if not a.count)
    assert [p["iri"] for p in m.points] == [ns.ID + "angebot/50/o1"]  # the only offer with coordinates
    assert all(0 <= a.x <= m.width and 0 <= a.y <= m.height for a in m.areas)


def test_offers_per_1000_inhabitants(ref_ctx):
    res = search.run(ref_ctx, search.Search())
    m = maps.build(ref_ctx, res, measure="je1000")
    assert m.measure == "je1000" and m.population_year
    a = next(a for a in m.areas if a.number == "101")
    assert a.population and a.value == pytest.approx(1 / a.population * 1000)


def test_map_page_svg_and_table_over_http(web):
    r = web.get("/karte.svg", params={"zielgruppe": "senioren"}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(r.content)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    assert root.find(SVG + "title").text == "Angebote: Senioren"
    values = {p.get("data-area"): p.get("data-value") for p in root.iter(SVG + "path") if p.get("data-area")}
    assert len(values) == 86  # the shipped polygons: a choropleth
    assert {a for a, v in values.items() if v not in ("0.0", "")} == {"101", "105"}  # o1, o6; o5 has no Stadtteil
    page = web.get("/karte", params={"zielgruppe": "senioren", "lang": "de"}, timeout=30)
    html = page.text
    assert page.status_code == 200 and "<table" in html and "<caption" in html
    assert "1 Angebote ohne Stadtteil" in html
    assert web.get("/karte", params={"wert": "alles"}, timeout=30).status_code == 400


def test_geodata_import_gives_a_choropleth(fresh_store, shared_dir):
    fresh_store.load_file(FIXTURES / "offers.ttl", ns.office_graph("50"))
    fresh_store.drop([ns.G_GEO])  # as before the shipped polygons: the import alone draws the choropleth
    ctx = ctx_for(fresh_store)
    n, unmatched = geodata.import_geojson(ctx, str(geo_file(shared_dir, "stadtteile_2013_simplified.geojson")))
    assert n == 86 and unmatched == []
    n, _ = geodata.import_geojson(ctx, str(geo_file(shared_dir, "stadtbezirke_2013_simplified.geojson")))
    assert n == 9
    before = fresh_store.count(ns.G_GEO)
    geodata.import_geojson(ctx, str(geo_file(shared_dir, "stadtteile_2013_simplified.geojson")))  # again: replaces
    assert fresh_store.count(ns.G_GEO) == before == 95 * 6
    wkt = next(t.object.value for t in fresh_store.triples(ns.G_GEO) if t.predicate.value.endswith("#asWKT"))
    assert wkt.startswith(("POLYGON (", "MULTIPOLYGON ("))  # CRS84, GeoSPARQL's default: no CRS IRI
    m = maps.build(ctx, search.run(ctx, search.Search()), highlight=ns.ID + "stadtteil/101")
    assert m.mode == "choropleth" and all(a.path for a in m.areas)
    by_number = {a.number: a for a in m.areas}
    assert by_number["101"].cls > 0 and by_number["909"].cls == 0 and by_number["101"].highlight
    assert len(m.outlines) == 9
    srv = start_live_server(ctx)
    try:
        root = ET.fromstring(requests.get(srv.url + "/karte.svg", timeout=30).content)
        paths = [p for p in root.iter(SVG + "path") if p.get("data-area")]
        assert len(paths) == 86
        filled = {p.get("data-area") for p in paths if p.get("data-value") not in ("0.0", "")}
        assert filled == {"101", "102", "105", "201"}
    finally:
        srv.stop()


def test_geodata_file_that_matches_nothing(tmp_path, _reference_template, shared_dir):
    store_dir = tmp_path / "store"
    shutil.copytree(_reference_template, store_dir)
    bad = tmp_path / "viertel.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Irgendwo", "nr": 4711},
         "geometry": {"type": "Polygon", "coordinates": [[[6.9, 50.9], [6.95, 50.9], [6.95, 50.95], [6.9, 50.9]]]}}]}))
    runner = CliRunner()
    r = runner.invoke(main, ["--store", str(store_dir), "geodata", "import", str(bad)])
    assert r.exit_code == 1
    assert "Kein Gebiet der Datei passt zu einem Stadtteil oder Stadtbezirk (1 Gebiete gelesen)" in r.output
    assert "'stadtteil_nr'" in r.output
    r = runner.invoke(main, ["--store", str(store_dir), "--lang", "en", "geodata", "import",
                             str(geo_file(shared_dir, "stadtviertel_2013_simplified.geojson"))])
    assert r.exit_code == 1 and "No area in the file matches a quarter or borough (371 areas read)" in r.output
    r = runner.invoke(main, ["--store", str(store_dir), "geodata", "import",
                             str(geo_file(shared_dir, "stadtbezirke_2013_simplified.geojson"))])
    assert r.exit_code == 0 and "9 Gebietsgeometrien importiert" in r.output
    utm = tmp_path / "utm.geojson"
    utm.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {
        "name": "urn:ogc:def:crs:EPSG::25832"}}, "features": []}))
    r = runner.invoke(main, ["--store", str(store_dir), "geodata", "import", str(utm)])
    assert r.exit_code == 1 and "EPSG::25832 wird nicht unterstützt" in r.output
