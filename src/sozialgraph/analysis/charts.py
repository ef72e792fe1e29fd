"""Geometry of the small server-rendered charts of the planning pages, and the classes of their choropleths.

No HTML here: ``bar_chart`` computes bars (positions, widths, colours, labelled numbers in the page's language) that
templates/_bar_chart.html draws as SVG; ``quantile_breaks``/``classify`` put values into colour classes for the
indicator maps and the coverage matrix. Quantiles (equal numbers of areas per class) are used throughout because
they need no tuning and make every class visible on the map; the legend says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Sequential palettes, 5 classes each (ColorBrewer). "burden": darker = more burden; "neutral": darker = higher.
PALETTES: dict[str, tuple[str, ...]] = {
    "burden": ("#fef0d9", "#fdcc8a", "#fc8d59", "#c73a26", "#b30000"),
    "neutral": ("#eff3ff", "#bdd7e7", "#6baed6", "#2166ac", "#08519c"),
}
# text colour readable on each class colour (WCAG AA against the fill)
INK: dict[str, tuple[str, ...]] = {
    "burden": ("#1a1a1a", "#1a1a1a", "#1a1a1a", "#ffffff", "#ffffff"),
    "neutral": ("#1a1a1a", "#1a1a1a", "#1a1a1a", "#ffffff", "#ffffff"),
}
NO_VALUE = "#e8e8e8"
# status classes of the burden index (slug of the class IRI) -> fill, ink; high status = low burden
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "hoch": ("#1b7837", "#ffffff"),
    "mittel": ("#a6d96a", "#1a1a1a"),
    "niedrig": ("#fdae61", "#1a1a1a"),
    "sehr-niedrig": ("#d7191c", "#ffffff"),
}
STATUS_ORDER = ("hoch", "mittel", "niedrig", "sehr-niedrig")


def number(value: float | None, lang: str = "de", digits: int | None = None) -> str:
    """A figure as the page shows it: German 1.234,5 (English 1,234.5); '–' for none. Digits: as many as the
    value has, at most 2, unless given."""
    if value is None:
        return "–"
    if digits is None:
        digits = len(f"{value:.2f}".rstrip("0").split(".")[1])
    text = f"{value:,.{digits}f}"
    if lang == "de":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text.replace("-", "−")


@dataclass
class BarItem:
    label: str
    value: float | None
    note: str = ""  # shown instead of a number when value is None ("gesperrt (< 5)", "keine Angabe")
    highlight: bool = False
    example: bool = False  # synthetic figure (Beispieldaten)


@dataclass
class Bar:
    label: str
    text: str
    y: float
    x: float
    width: float
    fill: str
    highlight: bool
    example: bool


@dataclass
class BarChart:
    width: float
    height: float
    label_width: float
    zero_x: float
    bars: list[Bar] = field(default_factory=list)
    row: float = 20.0
    bar_height: float = 13.0
    title: str = ""  # accessible name (the chart's figures are also in its text)

    @property
    def desc(self) -> str:
        return "; ".join(f"{b.label}: {b.text}" for b in self.bars)


def bar_chart(items: list[BarItem], lang: str = "de", title: str = "", width: float = 360.0,
              label_width: float = 120.0, value_width: float = 92.0, digits: int | None = None,
              colour: str = "#4a7bb7", highlight_colour: str = "#d95f02") -> BarChart:
    """Horizontal bars, one row per item: label | bar (from a zero line; negative values to its left) | number."""
    row, bar_h = 20.0, 13.0
    vals = [i.value for i in items if i.value is not None]
    lo, hi = min(vals + [0.0]), max(vals + [0.0])
    span = (hi - lo) or 1.0
    area = width - label_width - value_width
    zero = label_width + area * (0 - lo) / span
    chart = BarChart(width=width, height=row * len(items) + 4, label_width=label_width, zero_x=round(zero, 1),
                     row=row, bar_height=bar_h, title=title)
    for n, it in enumerate(items):
        y = round(n * row + (row - bar_h) / 2, 1)
        if it.value is None:
            text, x, w = it.note or "–", zero, 0.0
        else:
            text = number(it.value, lang, digits)
            w = area * abs(it.value) / span
            x = zero - w if it.value < 0 else zero
        chart.bars.append(Bar(it.label, text, y, round(x, 1), round(w, 1),
                              highlight_colour if it.highlight else colour, it.highlight, it.example))
    return chart


def quantile_breaks(values: list[float], n: int = 5) -> list[float]:
    """Upper bounds of up to n quantile classes (each holds about len(values)/n values); strictly increasing,
    the last is the maximum."""
    vals = sorted(values)
    if not vals:
        return []
    breaks: list[float] = []
    for i in range(1, n + 1):
        q = vals[min(len(vals) - 1, math.ceil(i * len(vals) / n) - 1)]
        if not breaks or q > breaks[-1]:
            breaks.append(q)
    return breaks


def classify(value: float | None, breaks: list[float]) -> int | None:
    """Index of the class (0-based) whose upper bound is the first >= value; None without a value."""
    if value is None or not breaks:
        return None
    return next((i for i, b in enumerate(breaks) if value <= b), len(breaks) - 1)


def class_colours(n_classes: int, palette: str = "neutral", reverse: bool = False) -> list[tuple[str, str, str]]:
    """(fill, ink, CSS class) for n classes spread over the palette; reverse: the first class is the darkest.
    The CSS class (``c-{palette}-{i}`` in static/analyse.css) colours HTML cells, since the pages' CSP allows no
    inline styles; SVG takes the fill as an attribute."""
    fills, inks = PALETTES[palette], INK[palette]
    if n_classes <= 0:
        return []
    picks = [round(i * (len(fills) - 1) / max(1, n_classes - 1)) for i in range(n_classes)] if n_classes > 1 else [2]
    out = [(fills[p], inks[p], f"c-{palette}-{p}") for p in picks]
    return out[::-1] if reverse else out


def legend(breaks: list[float], colours: list[tuple[str, str]], lang: str = "de",
           digits: int | None = None, low: float | None = None) -> list[dict]:
    """Legend rows {colour, label} for quantile classes: 'min – b1', '> b1 – b2', …"""
    out = []
    prev = low
    for i, b in enumerate(breaks):
        if i == 0:
            label = f"{number(prev, lang, digits)} – {number(b, lang, digits)}" if prev is not None else \
                f"≤ {number(b, lang, digits)}"
        else:
            label = f"> {number(prev, lang, digits)} – {number(b, lang, digits)}"
        out.append({"colour": colours[i][0], "label": label, "css": colours[i][2]})
        prev = b
    return out


# -- sparkline: an indicator's path toward its target (the /ziele page) ---------------------------------------------
@dataclass
class Sparkline:
    width: float
    height: float
    line: str  # SVG polyline points of the observed values ("x,y x,y …")
    dots: list[tuple[float, float, str]]  # (x, y, "year: value") of each observation
    path: tuple[float, float, float, float]  # the target path: baseline (x1, y1) to target (x2, y2)
    title: str = ""
    desc: str = ""


def sparkline(points: list[tuple[int, float]], baseline: tuple[int, float], target: tuple[int, float],
              lang: str = "de", title: str = "", width: float = 160.0, height: float = 40.0,
              pad: float = 4.0) -> Sparkline:
    """A small line chart: the observed values (year, value) as a line with dots and the target path from the
    baseline (year, value) to the target (year, value) as a second line. Years run left to right over the span of
    all of them, values bottom to top over their range (both padded by ``pad`` pixels)."""
    pts = sorted(points)
    years = [y for y, _ in pts] + [baseline[0], target[0]]
    vals = [v for _, v in pts] + [baseline[1], target[1]]
    y0, y1 = min(years), max(years)
    lo, hi = min(vals), max(vals)
    xspan, vspan = (y1 - y0) or 1, (hi - lo) or 1.0

    def x(year: int) -> float:
        return round(pad + (width - 2 * pad) * (year - y0) / xspan, 1)

    def y(value: float) -> float:
        return round(height - pad - (height - 2 * pad) * (value - lo) / vspan, 1)

    dots = [(x(yr), y(v), f"{yr}: {number(v, lang)}") for yr, v in pts]
    path = (x(baseline[0]), y(baseline[1]), x(target[0]), y(target[1]))
    de = lang != "en"
    desc = ("Werte " if de else "values ") + ", ".join(d[2] for d in dots) if dots else \
        ("keine Werte" if de else "no values")
    desc += ("; Zielpfad " if de else "; target path ") + \
        f"{baseline[0]}: {number(baseline[1], lang)} → {target[0]}: {number(target[1], lang)}"
    return Sparkline(width, height, " ".join(f"{a},{b}" for a, b, _ in dots), dots, path, title, desc)
