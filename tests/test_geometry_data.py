"""The shipped district geometries (data/koeln/geometrien.ttl → …/graph/geo at init): 86 Stadtteil and 9
Stadtbezirk polygons in the triple shape of `sozialgraph geodata import`, each belonging to its area (the area's
inner point lies inside its polygon), loaded by init_store and read by the map code."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from sozialgraph import namespaces as ns
from sozialgraph.analysis import maps, search
from sozialgraph.reference import geodata
from sozialgraph.sparql.saved import load_query

ROOT = Path(__file__).resolve().parents[1]
GEO_FILE = ROOT / "data" / "koeln" / "geometrien.ttl"
GEBIETE = ROOT / "data" / "koeln" / "gebiete.ttl"
GS = "http://www.opengis.net/ont/geosparql#"
WGS = "http://www.w3.org/2003/01/geo/wgs84_pos#"
SG = ns.SG
WKT_START = ("POLYGON (", "MULTIPOLYGON (")  # no CRS IRI: CRS84 is GeoSPARQL's default


def parse(path: Path) -> list[ox.Triple]:
    with open(path, "rb") as fh:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(fh, ox.RdfFormat.TURTLE)]


@pytest.fixture(scope="module")
def geo() -> list[ox.Triple]:
    return parse(GEO_FILE)


@pytest.fixture(scope="module")
def areas() -> dict[str, tuple[str, float, float]]:
    """area IRI -> (class local name, lat, lon) from gebiete.ttl, for Stadtteile and Stadtbezirke."""
    kinds, lat, lon = {}, {}, {}
    for t in parse(GEBIETE):
        s, p, o = t.subject.value, t.predicate.value, t.object
        if p == ns.PREFIXES["rdf"] + "type" and o.value in (SG + "Quarter", SG + "Borough"):
            kinds[s] = o.value.removeprefix(SG)
        elif p == WGS + "lat":
            lat[s] = float(o.value)
        elif p == WGS + "long":
            lon[s] = float(o.value)
    return {s: (k, lat[s], lon[s]) for s, k in kinds.items()}


def by_predicate(triples: list[ox.Triple], predicate: str) -> dict[str, ox.Literal | ox.NamedNode]:
    out = {}
    for t in triples:
        if t.predicate.value == predicate:
            assert t.subject.value not in out, f"{t.subject.value}: two values of {predicate}"
            out[t.subject.value] = t.object
    return out


def inside(lon: float, lat: float, geom: dict) -> bool:
    """Point in (Multi)Polygon by ray casting, holes respected (even-odd over all rings)."""
    polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    hit = False
    for polygon in polygons:
        for ring in polygon:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
                if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    hit = not hit
    return hit


def test_86_quarters_and_9_boroughs_have_one_geometry_each(geo, areas):
    features = {t.subject.value for t in geo if t.predicate.value == ns.PREFIXES["rdf"] + "type"
                and t.object.value == GS + "Feature"}
    has_geometry = by_predicate(geo, GS + "hasGeometry")
    assert features == set(has_geometry) == set(areas)
    kinds = [areas[a][0] for a in features]
    assert kinds.count("Quarter") == 86 and kinds.count("Borough") == 9
    for area, g in has_geometry.items():
        assert g.value == area + "/geometrie"
    assert len(geo) == 95 * 6  # exactly the triples geodata.geometry_triples makes, nothing else


def test_each_polygon_contains_its_areas_inner_point(geo, areas):
    as_geojson = by_predicate(geo, GS + "asGeoJSON")
    as_wkt = by_predicate(geo, GS + "asWKT")
    assert len(as_geojson) == len(as_wkt) == 95
    outside = []
    for area, (kind, lat, lon) in areas.items():
        lit = as_geojson[area + "/geometrie"]
        assert lit.datatype.value == GS + "geoJSONLiteral"
        geom = json.loads(lit.value)
        assert geom["type"] in ("Polygon", "MultiPolygon")
        if not inside(lon, lat, geom):
            outside.append(area)
        wkt = as_wkt[area + "/geometrie"]
        assert wkt.datatype.value == GS + "wktLiteral"
        assert wkt.value == geodata.wkt(geom) and wkt.value.startswith(WKT_START)
    assert not outside, f"inner point outside its polygon: {outside}"
    # and a point of one Stadtteil is not inside another: Altstadt/Süd's point is not in Porz (701)
    _, lat, lon = areas[ns.ID + "stadtteil/101"]
    assert not inside(lon, lat, json.loads(as_geojson[ns.ID + "stadtteil/701/geometrie"].value))


def test_geometries_name_source_and_licence(geo):
    head = GEO_FILE.read_text(encoding="utf-8").split("@prefix", 1)[0]
    assert "CC BY 3.0 DE" in head and "Stadt Köln, Amt für Stadtentwicklung und Statistik / Offene Daten Köln" in head
    assert "2013-06-25_shape_stadtteil_0.zip" in head and "2013-10-04_shape_stadtbezirk_1.zip" in head
    sources = by_predicate(geo, ns.PREFIXES["dcterms"] + "source")
    assert len(sources) == 95
    for geometry, text in sources.items():
        kind = "Stadtteil" if "/stadtteil/" in geometry else "Stadtbezirk"
        assert f'Shapefile "{kind}" (2013)' in text.value and "CC BY 3.0 DE" in text.value


def test_init_loads_the_geometries_and_the_map_reads_them(ref_ctx):
    store = ref_ctx.store
    assert store.count(ns.G_GEO) == 95 * 6
    rows = store.select(load_query("area-geometries", internal=True).text, public_only=True)
    assert len({r["gebiet"].value for r in rows}) == 95
    m = maps.build(ref_ctx, search.run(ref_ctx, search.Search()))
    assert m.mode == "choropleth" and len(m.areas) == 86 and all(a.path for a in m.areas)
    assert len(m.outlines) == 9


def test_shared_geojson_gives_the_same_triples(geo, areas, shared_dir):
    """The file is what `sozialgraph geodata import` makes of the shared GeoJSON (up to dcterms:source)."""
    by_number = {(("stadtteil" if k == "Quarter" else "stadtbezirk"), a.rsplit("/", 1)[1]): a
                 for a, (k, _, _) in areas.items()}
    made = set()
    for name in ("stadtteile_2013_simplified.geojson", "stadtbezirke_2013_simplified.geojson"):
        data = json.loads((shared_dir / "ref" / "koeln" / "geo" / name).read_text(encoding="utf-8"))
        triples, matched, unmatched = geodata.geometry_triples(data, by_number, "x")
        assert not unmatched
        made |= {t for t in triples if t.predicate.value != ns.PREFIXES["dcterms"] + "source"}
    assert made == {t for t in geo if t.predicate.value != ns.PREFIXES["dcterms"] + "source"}

