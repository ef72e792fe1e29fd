"""District geometries: `sozialgraph geodata import FILE` reads official GeoJSON (Stadtteile, Stadtbezirke) into
…/graph/geo as GeoSPARQL WKT literals, matched to the reference areas by level and official number."""

from __future__ import annotations

import json
import os

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.errors import SozialgraphError
from sozialgraph.sparql.saved import load_query


NUMBER_KEYS = {"stadtteil": ("stadtteil_nr", "stadtteil_nummer", "nummer_stadtteil", "stt_nr"),
               "stadtbezirk": ("stadtbezirk_nr", "stadtbezirk_nummer", "nummer_stadtbezirk", "stb_nr")}
FINER_KEYS = ("stadtviertel_nr", "viertel_nr", "baublock_nr")
CRS84 = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326", "OGC:CRS84")


class GeodataError(SozialgraphError, ValueError):
    status = 422


def wkt(geom: dict) -> str:
    """GeoJSON Polygon/MultiPolygon as a GeoSPARQL WKT literal text (CRS84, axis order lon lat). The CRS IRI is
    left out: CRS84 is GeoSPARQL's default for a wktLiteral without one, and Virtuoso refuses a literal that
    starts with it ("RDF box with a geometry RDF type and a non-geometry content")."""
    def ring(r):
        return "(" + ", ".join(f"{p[0]} {p[1]}" for p in r) + ")"

    def poly(p):
        return "(" + ", ".join(ring(r) for r in p) + ")"

    if geom["type"] == "Polygon":
        return "POLYGON " + poly(geom["coordinates"])
    return "MULTIPOLYGON (" + ", ".join(poly(p) for p in geom["coordinates"]) + ")"


def geometry_triples(data: dict, areas: dict[tuple[str, str], str], source: str):
    """Triples for the features of a GeoJSON FeatureCollection matched to areas ((kind, number) -> IRI).
    Returns (triples, matched area IRIs, unmatched feature descriptions)."""
    import pyoxigraph as ox

    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeodataError("Die Datei ist keine GeoJSON-FeatureCollection.", "The file is not a GeoJSON FeatureCollection.")
    crs = ((data.get("crs") or {}).get("properties") or {}).get("name")
    if crs and crs not in CRS84:
        raise GeodataError(f"Koordinatenbezugssystem {crs} wird nicht unterstützt; erwartet WGS84 (CRS84/EPSG:4326).",
                           f"Coordinate reference system {crs} is not supported; expected WGS84 (CRS84/EPSG:4326).")
    P = ns.PREFIXES
    gs = P["geosparql"]
    a = ox.NamedNode(P["rdf"] + "type")
    triples: list = []
    matched: list[str] = []
    unmatched: list[str] = []
    for i, feat in enumerate(data.get("features") or []):
        props = (feat or {}).get("properties") or {}
        geom = (feat or {}).get("geometry") or {}
        area = None
        finer = any(props.get(k) not in (None, "") for k in FINER_KEYS)  # e.g. a Stadtviertel names its Stadtteil
        for kind in () if finer else ("stadtteil", "stadtbezirk"):  # a Stadtteil feature also names its Stadtbezirk: try it first
            num = next((props[k] for k in NUMBER_KEYS[kind] if props.get(k) not in (None, "")), None)
            if num is not None:
                area = areas.get((kind, str(num).strip().lstrip("0") or "0"))
                break
        if area is None or area in matched or geom.get("type") not in ("Polygon", "MultiPolygon"):
            name = props.get("stadtteil") or props.get("stadtbezirk") or props.get("name") or f"#{i + 1}"
            unmatched.append(str(name))
            continue
        lon, lat = _first_point(geom)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise GeodataError("Die Koordinaten sind keine geographischen Längen/Breiten (WGS84); bitte die Datei "
                               "nach WGS84 umrechnen.", "The coordinates are not WGS84 longitude/latitude; "
                               "convert the file to WGS84 first.")
        node, g = ox.NamedNode(area), ox.NamedNode(area + "/geometrie")
        triples += [
            ox.Triple(node, a, ox.NamedNode(gs + "Feature")),
            ox.Triple(node, ox.NamedNode(gs + "hasGeometry"), g),
            ox.Triple(g, a, ox.NamedNode(gs + "Geometry")),
            ox.Triple(g, ox.NamedNode(gs + "asWKT"), ox.Literal(wkt(geom), datatype=ox.NamedNode(gs + "wktLiteral"))),
            ox.Triple(g, ox.NamedNode(gs + "asGeoJSON"),
                      ox.Literal(json.dumps(geom, separators=(",", ":")), datatype=ox.NamedNode(gs + "geoJSONLiteral"))),
            ox.Triple(g, ox.NamedNode(P["dcterms"] + "source"), ox.Literal(source)),
        ]
        matched.append(area)
    return triples, matched, unmatched


def _first_point(geom: dict) -> tuple[float, float]:
    c = geom["coordinates"]
    while isinstance(c[0], list):
        c = c[0]
    return float(c[0]), float(c[1])


def import_geojson(ctx, path: str) -> tuple[int, list[str]]:
    """Import a GeoJSON file of Stadtteile or Stadtbezirke into …/graph/geo, keeping geometries of other areas.
    Returns (number of areas matched, unmatched feature names). GeodataError when nothing matches."""
    try:
        with open(path, "rb") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise GeodataError(f"Die Datei ist kein lesbares JSON: {exc}", f"The file is not readable JSON: {exc}") from None
    areas = {(r["art"].value, r["nummer"].value.lstrip("0") or "0"): r["gebiet"].value
             for r in ctx.store.select(load_query("list-areas", internal=True).text, public_only=True)
             if "nummer" in r}
    triples, matched, unmatched = geometry_triples(data, areas, os.path.basename(path))
    if not matched:
        raise GeodataError(
            f"Kein Gebiet der Datei passt zu einem Stadtteil oder Stadtbezirk ({len(unmatched)} Gebiete gelesen). "
            "Erwartet wird je Gebiet die amtliche Nummer in der Eigenschaft 'stadtteil_nr' oder 'stadtbezirk_nr' "
            "und eine Polygon-Geometrie.",
            f"No area in the file matches a quarter or borough ({len(unmatched)} areas read). Each feature needs "
            "the official number in the property 'stadtteil_nr' or 'stadtbezirk_nr' and a polygon geometry.")
    replaced = set(matched)
    keep = [t for t in ctx.store.triples(ns.G_GEO)
            if isinstance(t.subject, ox.NamedNode) and t.subject.value not in replaced
            and t.subject.value.removesuffix("/geometrie") not in replaced]
    ctx.store.replace_graph(ns.G_GEO, keep + triples)
    return len(matched), unmatched
