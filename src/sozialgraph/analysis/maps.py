"""Server-rendered SVG maps of Cologne's Stadtteile: no tile server, no CDN, works offline.

Per Stadtteil a value (offers located there, or offers per 1,000 inhabitants where `einwohner` observations exist)
drawn as a choropleth when district geometries were imported into …/graph/geo (`sozialgraph geodata import`), else
as proportional symbols at the Stadtteil centroids. Offers with coordinates are drawn as points. This module
computes the figures and the SVG geometry; templates/map_svg.html draws them, and the same figures go into a table
(the text alternative).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from sozialgraph.errors import SozialgraphError
from sozialgraph import namespaces as ns
from sozialgraph.sparql.saved import load_query
from sozialgraph.analysis.search import Result, cached, get_index

WIDTH = 640.0
PAD = 8.0
# Sequential blues (ColorBrewer "Blues", 5 classes); class 0 = no offers.
COLOURS = ("#f4f4f4", "#c6dbef", "#6baed6", "#2171b5", "#08306b")
MAX_RADIUS = 22.0


@dataclass
class Base:
    """What does not depend on the search: geometries, centroids, population (one per store generation)."""
    shapes: dict[str, list[list[list[tuple[float, float]]]]] = field(default_factory=dict)  # area -> polygons
    population: dict[str, tuple[str, float]] = field(default_factory=dict)  # area -> (year, value)


def _load_base(ctx) -> Base:
    base = Base()
    store = ctx.store
    for r in store.select(load_query("area-geometries", internal=True).text, public_only=True):
        try:
            geom = json.loads(r["geojson"].value)
        except ValueError:
            continue
        polys = polygons(geom)
        if polys:
            base.shapes[r["gebiet"].value] = polys
    for r in store.select(load_query("area-population", internal=True).text, public_only=True):
        area, year = r["gebiet"].value, r["jahr"].value
        try:
            value = float(r["wert"].value)
        except ValueError:
            continue
        if area not in base.population or year > base.population[area][0]:
            base.population[area] = (year, value)
    return base


def get_base(ctx) -> Base:
    return cached(ctx, "map-base", _load_base)


def polygons(geom: dict) -> list[list[list[tuple[float, float]]]]:
    """GeoJSON Polygon/MultiPolygon -> list of polygons, each a list of rings of (lon, lat)."""
    t = geom.get("type")
    if t == "Polygon":
        return [[[(float(p[0]), float(p[1])) for p in ring] for ring in geom["coordinates"]]]
    if t == "MultiPolygon":
        return [[[(float(p[0]), float(p[1])) for p in ring] for ring in poly] for poly in geom["coordinates"]]
    return []


class Projection:
    """Equirectangular projection scaled by cos(latitude) around the middle of the bounds: good enough for a city."""

    def __init__(self, lons: list[float], lats: list[float], width: float = WIDTH):
        self.lon0, self.lon1 = min(lons), max(lons)
        self.lat0, self.lat1 = min(lats), max(lats)
        self.k = math.cos(math.radians((self.lat0 + self.lat1) / 2))
        span = max((self.lon1 - self.lon0) * self.k, 1e-6)
        self.scale = (width - 2 * PAD) / span
        self.width = width
        self.height = (self.lat1 - self.lat0) * self.scale + 2 * PAD

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (round(PAD + (lon - self.lon0) * self.k * self.scale, 1),
                round(PAD + (self.lat1 - lat) * self.scale, 1))


@dataclass
class AreaFigure:
    iri: str
    label: str
    number: str
    borough: str
    count: int
    population: float | None
    value: float | None  # what is mapped: count, or count per 1,000 inhabitants
    cls: int = 0
    path: str = ""
    x: float = 0.0
    y: float = 0.0
    r: float = 0.0
    highlight: bool = False

    @property
    def colour(self) -> str:
        return COLOURS[self.cls]


@dataclass
class Map:
    title: str
    measure: str  # anzahl | je1000
    mode: str  # choropleth | symbole
    width: float
    height: float
    areas: list[AreaFigure]
    points: list[dict]
    legend: list[dict]
    unplaced: int  # offers in the result without a Stadtteil (reach Stadtbezirk/Gesamtstadt)
    population_year: str = ""
    outlines: list[str] = field(default_factory=list)  # borough outlines (choropleth) for orientation


def fmt(value: float | None, lang: str, digits: int = 1) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}" if digits else f"{value:,.0f}"
    return text.replace(",", "\u2009").replace(".", ",") if lang == "de" else text


def class_breaks(values: list[float], n: int = 4) -> list[float]:
    """Upper bounds of n classes over the positive values (quantiles, rounded, strictly increasing)."""
    pos = sorted(v for v in values if v > 0)
    if not pos:
        return []
    breaks: list[float] = []
    for i in range(1, n + 1):
        q = pos[min(len(pos) - 1, math.ceil(i * len(pos) / n) - 1)]
        q = round(q, 2)
        if not breaks or q > breaks[-1]:
            breaks.append(q)
    return breaks


def build(ctx, result: Result, lang: str = "de", measure: str = "anzahl", title: str = "",
          highlight: str | None = None, points: bool = True) -> Map:
    idx = get_index(ctx)
    base = get_base(ctx)
    quarters = idx.quarters()
    counts: dict[str, int] = {}
    unplaced = 0
    for o in result.offers:
        if o.quarter in idx.areas:
            counts[o.quarter] = counts.get(o.quarter, 0) + 1
        else:
            unplaced += 1
    if measure == "je1000" and not any(q.iri in base.population for q in quarters):
        measure = "anzahl"
    mode = "choropleth" if any(q.iri in base.shapes for q in quarters) else "symbole"

    # projection over everything drawn
    lons: list[float] = []
    lats: list[float] = []
    for q in quarters:
        for poly in base.shapes.get(q.iri, []):
            for ring in poly:
                lons.extend(p[0] for p in ring)
                lats.extend(p[1] for p in ring)
        if q.long is not None:
            lons.append(q.long)
            lats.append(q.lat)
    if not lons:  # no areas at all: a nominal box around Cologne
        lons, lats = [6.77, 7.17], [50.83, 51.09]
    proj = Projection(lons, lats)

    figures: list[AreaFigure] = []
    years = set()
    for q in quarters:
        n = counts.get(q.iri, 0)
        pop = base.population.get(q.iri)
        if pop:
            years.add(pop[0])
        value: float | None = float(n)
        if measure == "je1000":
            value = (n / pop[1] * 1000) if pop and pop[1] > 0 else None
        f = AreaFigure(q.iri, idx.label(q.iri, lang), q.number, idx.label(q.borough, lang), n,
                       pop[1] if pop else None, value, highlight=(q.iri == highlight))
        if q.iri in base.shapes:
            f.path = svg_path(base.shapes[q.iri], proj)
        if q.long is not None:
            f.x, f.y = proj(q.long, q.lat)
        figures.append(f)
    figures.sort(key=lambda f: f.number)

    values = [f.value for f in figures if f.value is not None]
    legend: list[dict] = []
    digits = 2 if measure == "je1000" else 0
    if mode == "choropleth":
        breaks = class_breaks(values)
        for f in figures:
            if f.value and f.value > 0:
                f.cls = 1 + next((i for i, b in enumerate(breaks) if f.value <= b), len(breaks) - 1)
        legend.append({"colour": COLOURS[0], "label": "0" if measure == "anzahl" else fmt(0, lang, digits)})
        low = 0.0
        for i, b in enumerate(breaks):
            legend.append({"colour": COLOURS[i + 1],
                           "label": f"{'> ' + fmt(low, lang, digits) + ' – ' if i else '> 0 – '}{fmt(b, lang, digits)}"})
            low = b
    else:
        top = max(values, default=0.0)
        for f in figures:
            if f.value and top > 0:
                f.r = round(MAX_RADIUS * math.sqrt(f.value / top), 1)
        if top > 0:
            y = 0.0
            for v in sorted({top, nice(top / 4, digits)} - {0.0}, reverse=True):
                r = round(MAX_RADIUS * math.sqrt(v / top), 1)
                legend.append({"r": r, "cy": round(y + r, 1), "label": fmt(v, lang, digits)})
                y += 2 * r + 4

    pts: list[dict] = []
    if points:
        for o in result.offers:
            if o.lat is not None and o.long is not None:
                x, y = proj(o.long, o.lat)
                pts.append({"iri": o.iri, "label": o.label(lang), "x": x, "y": y})
    outlines = [svg_path(base.shapes[b.iri], proj) for b in idx.areas.values()
                if b.kind == "stadtbezirk" and b.iri in base.shapes] if mode == "choropleth" else []
    return Map(title=title, measure=measure, mode=mode, width=proj.width, height=round(proj.height, 1),
               areas=figures, points=pts, legend=legend, unplaced=unplaced,
               population_year=max(years) if years else "", outlines=outlines)


def nice(value: float, digits: int) -> float:
    """A round number near value (1, 2, 5 times a power of ten; whole numbers for counts)."""
    if value <= 0:
        return 0.0
    exp = 10 ** math.floor(math.log10(value))
    out = min((m * exp for m in (1, 2, 5, 10)), key=lambda x: abs(x - value))
    return float(max(1, round(out))) if digits == 0 else round(out, 3)


def svg_path(polys, proj: Projection) -> str:
    parts = []
    for poly in polys:
        for ring in poly:
            pts = [proj(lon, lat) for lon, lat in ring]
            if len(pts) < 3:
                continue
            parts.append("M" + " L".join(f"{x} {y}" for x, y in pts) + " Z")
    return " ".join(parts)


# -- import of geometries (sozialgraph geodata import) ---------------------------------------------------------
NUMBER_KEYS = {"stadtteil": ("stadtteil_nr", "stadtteil_nummer", "nummer_stadtteil", "stt_nr"),
               "stadtbezirk": ("stadtbezirk_nr", "stadtbezirk_nummer", "nummer_stadtbezirk", "stb_nr")}
FINER_KEYS = ("stadtviertel_nr", "viertel_nr", "baublock_nr")
CRS84 = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326", "OGC:CRS84")


class GeodataError(SozialgraphError, ValueError):
    status = 422


def wkt(geom: dict) -> str:
    """GeoJSON Polygon/MultiPolygon as a GeoSPARQL WKT literal text (CRS84 axis order lon lat)."""
    def ring(r):
        return "(" + ", ".join(f"{p[0]} {p[1]}" for p in r) + ")"

    def poly(p):
        return "(" + ", ".join(ring(r) for r in p) + ")"

    crs = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> "
    if geom["type"] == "Polygon":
        return crs + "POLYGON " + poly(geom["coordinates"])
    return crs + "MULTIPOLYGON (" + ", ".join(poly(p) for p in geom["coordinates"]) + ")"


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
    import os

    import pyoxigraph as ox

    try:
        with open(path, "rb") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise GeodataError(f"Die Datei ist kein lesbares JSON: {exc}", f"The file is not readable JSON: {exc}") from None
    idx = get_index(ctx)
    areas = {(a.kind, a.number.lstrip("0") or "0"): a.iri for a in idx.areas.values() if a.number}
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
