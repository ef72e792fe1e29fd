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
    fill: str = ""  # indicator maps: the class colour chosen by the caller
    text: str = ""  # indicator maps: the value as shown (German number, "gesperrt (< 5)")

    @property
    def colour(self) -> str:
        return self.fill or COLOURS[self.cls]


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
    unit: str = ""  # indicator maps: what is mapped, for the legend and the titles
    labels: list[dict] = field(default_factory=list)  # indicator maps: Stadtbezirk names {x, y, text}


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




# -- indicator choropleths (the planner pages) -------------------------------------------------------------------
def ring_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """(x, y, |area|) of a polygon ring (shoelace formula) in projected coordinates."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        f = x0 * y1 - x1 * y0
        a += f
        cx += (x0 + x1) * f
        cy += (y0 + y1) * f
    if abs(a) < 1e-9:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return sum(xs) / len(xs), sum(ys) / len(ys), 0.0
    return cx / (3 * a), cy / (3 * a), abs(a) / 2


def indicator_map(ctx, values: dict[str, tuple[float | None, str, str]], lang: str, title: str, unit: str,
                  legend: list[dict], highlight: str | None = None) -> Map:
    """A choropleth of the Stadtteile from values the caller computed (area -> (value, fill colour, text)), with
    Stadtbezirk borders and the Stadtbezirk names as the only labels (86 Stadtteil names cannot be read on a city
    map; the table beside it names them). Without geometries: coloured circles at the Stadtteil centroids."""
    idx = get_index(ctx)
    base = get_base(ctx)
    quarters = idx.quarters()
    mode = "choropleth" if any(q.iri in base.shapes for q in quarters) else "punkte"
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
    if not lons:
        lons, lats = [6.77, 7.17], [50.83, 51.09]
    proj = Projection(lons, lats)
    figures = []
    for q in sorted(quarters, key=lambda q: q.number):
        value, fill, text = values.get(q.iri, (None, "#e8e8e8", "–"))
        f = AreaFigure(q.iri, idx.label(q.iri, lang), q.number, idx.label(q.borough, lang), 0, None, value,
                       highlight=q.iri == highlight, fill=fill, text=text)
        if q.iri in base.shapes:
            f.path = svg_path(base.shapes[q.iri], proj)
        if q.long is not None:
            f.x, f.y = proj(q.long, q.lat)
        f.r = 7.0
        figures.append(f)
    boroughs = sorted((a for a in idx.areas.values() if a.kind == "stadtbezirk"), key=lambda a: a.number)
    outlines = [svg_path(base.shapes[b.iri], proj) for b in boroughs if b.iri in base.shapes] \
        if mode == "choropleth" else []
    labels = []
    for b in boroughs:
        pos = None
        if b.iri in base.shapes:  # centroid of the borough's largest ring
            rings = [[proj(lon, lat) for lon, lat in poly[0]] for poly in base.shapes[b.iri] if poly and poly[0]]
            if rings:
                x, y, _a = max((ring_centroid(r) for r in rings), key=lambda c: c[2])
                pos = (round(x, 1), round(y, 1))
        if pos is None:  # the mean of its Stadtteile's centroids
            pts = [(f.x, f.y) for f in figures if f.x and idx.areas[f.iri].borough == b.iri]
            if pts:
                pos = (round(sum(p[0] for p in pts) / len(pts), 1), round(sum(p[1] for p in pts) / len(pts), 1))
        if pos:
            labels.append({"x": pos[0], "y": pos[1], "text": idx.label(b.iri, lang)})
    return Map(title=title, measure="indikator", mode=mode, width=proj.width, height=round(proj.height, 1),
               areas=figures, points=[], legend=legend, unplaced=0, outlines=outlines, unit=unit, labels=labels)
