"""`sozialgraph analyse run|burden|coverage|gaps`: the analysis of the Lebenslagen (docs/analyse.md)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click
from sozialgraph.analysis import lebenslagen
from sozialgraph.cli.base import Obj, main, pass_obj
from sozialgraph.errors import SozialgraphError, UnknownValue
from sozialgraph.tables import Table, german_number

FORMATS = ["table", "csv", "json", "xlsx"]


class UsageProblem(click.ClickException):
    """A value the user gave that names nothing (exit 2, like click's own usage errors)."""

    exit_code = 2


def _num(value, digits: int = 3):
    return None if value is None else round(value, digits)


# (German header, English header, value of a row); numbers stay numbers for CSV/XLSX
BURDEN_COLUMNS = [
    ("Rang", "rank", lambda r: r.rank),
    ("Nummer", "number", lambda r: r.area_number),
    ("Stadtteil", "quarter", lambda r: r.area_label),
    ("Stadtbezirk", "borough", lambda r: r.borough_label),
    ("Jahr", "year", lambda r: r.year),
    ("Dimension", "dimension", lambda r: r.life_situation_label or "insgesamt"),
    ("Belastungswert", "score", lambda r: _num(r.score)),
    ("Statusklasse", "status class", lambda r: r.status_label),
    ("Veränderung", "change", lambda r: _num(r.change)),
    ("Vergleichsjahr", "compared with", lambda r: r.compared_with),
    ("Dynamik", "dynamics", lambda r: r.dynamics_label),
    ("belastete Dimensionen", "burdened dimensions", lambda r: r.burdened_dimensions),
    ("mehrfach belastet", "multiply burdened", lambda r: r.multiply_burdened),
]
COVERAGE_COLUMNS = [
    ("Nummer", "number", lambda r: r.area_number),
    ("Stadtteil", "quarter", lambda r: r.area_label),
    ("Stadtbezirk", "borough", lambda r: r.borough_label),
    ("Zielgruppe", "target group", lambda r: r.target_group_label),
    ("vor Ort", "on site", lambda r: r.offers_on_site),
    ("für den Stadtbezirk", "for the borough", lambda r: r.offers_for_borough),
    ("gesamtstädtisch", "city-wide", lambda r: r.offers_city_wide),
    ("Personen", "people", lambda r: r.population),
    ("Jahr der Personenzahl", "year of people", lambda r: r.population_year),
    ("Angebote je 1.000", "offers per 1,000", lambda r: _num(r.offers_per_thousand)),
    ("Plätze vor Ort", "places on site", lambda r: r.places_on_site),
    ("Plätze je 1.000", "places per 1,000", lambda r: _num(r.places_per_thousand)),
]
GAP_COLUMNS = [
    ("Rang", "rank", lambda r: r.rank),
    ("Nummer", "number", lambda r: r.area_number),
    ("Stadtteil", "quarter", lambda r: r.area_label),
    ("Stadtbezirk", "borough", lambda r: r.borough_label),
    ("Zielgruppe", "target group", lambda r: r.target_group_label or "insgesamt"),
    ("Lückenwert", "gap score", lambda r: _num(r.score)),
    ("Belastungswert", "burden score", lambda r: _num(r.burden_score)),
    ("Statusklasse", "status class", lambda r: r.status_label),
    ("z Belastung", "z burden", lambda r: _num(r.z_burden)),
    ("z Versorgung", "z coverage", lambda r: _num(r.z_coverage)),
    ("vor Ort", "on site", lambda r: r.offers_on_site),
    ("Personen", "people", lambda r: r.population),
    ("Angebote je 1.000", "offers per 1,000", lambda r: _num(r.offers_per_thousand)),
    ("Zielgruppen", "target groups", lambda r: r.groups),
]


def _text(value, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("ja" if value else "nein")
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, (int, float)):
        return str(value) if lang == "en" else german_number(value)
    return str(value)


def aligned(headers: list[str], rows: list[list], lang: str) -> str:
    """Text columns, numbers right-aligned."""
    cells = [[_text(v, lang) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    numeric = [all(isinstance(row[i], (int, float)) or row[i] is None for row in rows) for i in range(len(headers))]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells]) + "\n"


def emit(obj: Obj, rows: list, columns, fmt: str, out: str | None, title: str,
         filters: list[tuple[str, str]]) -> None:
    lang = obj.lang
    headers = [en if lang == "en" else de for de, en, _ in columns]
    values = [[get(r) for _, _, get in columns] for r in rows]
    if fmt == "json":
        data = (json.dumps([dataclasses.asdict(r) for r in rows], ensure_ascii=False, indent=1) + "\n").encode()
    elif fmt == "csv":
        data = Table(headers, values, filters, title).csv()
    elif fmt == "xlsx":
        if not out:
            raise UsageProblem(obj.msg("Für --format xlsx bitte --out DATEI angeben.",
                                       "For --format xlsx please give --out FILE."))
        data = Table(headers, values, filters, title).xlsx()
    else:
        data = aligned(headers, values, lang).encode()
    if out:
        Path(out).write_bytes(data)
        click.echo(obj.msg(f"{len(rows)} Zeilen -> {out}", f"{len(rows)} rows -> {out}"), err=True)
    else:
        click.echo(data.decode("utf-8-sig"), nl=False)
    if not rows:
        click.echo(obj.msg("Keine Ergebnisse (läuft die Analyse mit Indikatorwerten? sozialgraph analyse run).",
                           "No results (does the analysis have indicator values? sozialgraph analyse run)."),
                   err=True)


def _group(obj: Obj, text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return obj.ctx.resolver().resolve("zielgruppe", text)
    except UnknownValue as exc:
        raise UsageProblem(exc.message(obj.lang)) from None


def _lang(obj: Obj, lang: str | None) -> None:
    if lang:
        obj.lang = lang


def output_options(f):
    f = click.option("--lang", type=click.Choice(["de", "en"]), default=None,
                     help="Language of headers and labels (default: the group's --lang).")(f)
    f = click.option("--out", type=click.Path(dir_okay=False), metavar="FILE", help="Write to FILE.")(f)
    f = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                     help="table: aligned text; csv/xlsx: for German Excel; json: a list of objects.")(f)
    return f


@main.group()
def analyse() -> None:
    """Analysis of the Lebenslagen: burden index, coverage per target group, gap ranking (docs/analyse.md)."""


@analyse.command("run")
@click.option("--jahr", type=int, help="Analysis year (default: the latest with values for half the quarters).")
@pass_obj
def run_cmd(obj: Obj, jahr: int | None) -> None:
    """Compute everything and replace the graph …/graph/analysis in one step."""
    obj.store  # a clear message when the store is locked
    error = None
    try:
        s = lebenslagen.run(obj.ctx, year=jahr)
    except SozialgraphError as exc:
        error = exc.message(obj.lang)
    if error:
        raise UsageProblem(error)
    years = f"{s['years'][0]}–{s['years'][-1]}" if s["years"] else "–"
    click.echo(obj.msg(
        f"Analyse gespeichert (Graph …/graph/analysis): Jahr {s['year'] or '–'} (Jahre {years}), Methode "
        f"{s['method'].rsplit('/', 1)[-1]} Version {s['version']}; {s['burden_scores']} Belastungswerte, "
        f"{s['coverage']} Versorgungswerte, {s['gaps']} Lückenwerte; {s['multiply_burdened']} Stadtteile mehrfach "
        f"belastet; {s['seconds']:.1f} s.",
        f"Analysis stored (graph …/graph/analysis): year {s['year'] or '–'} (years {years}), method "
        f"{s['method'].rsplit('/', 1)[-1]} version {s['version']}; {s['burden_scores']} burden scores, "
        f"{s['coverage']} coverage figures, {s['gaps']} gap scores; {s['multiply_burdened']} quarters multiply "
        f"burdened; {s['seconds']:.1f} s."))
    if s["left_out"]:
        click.echo(obj.msg("Nicht berücksichtigt (keine Richtung, keine Lebenslage oder Gewicht 0): ",
                           "Left out (no direction, no life situation or weight 0): ")
                   + ", ".join(i.rsplit("/", 1)[-1] for i in s["left_out"]), err=True)
    if s["year"] is None:
        click.echo(obj.msg("Kein Belastungsindex: die Indikatoren der Methode haben in keinem Jahr Werte für die "
                           "Hälfte der Stadtteile.",
                           "No burden index: the method's indicators have values for half the quarters in no year."),
                   err=True)


def _call(obj: Obj, fn, **kwargs):
    error = None
    try:
        return fn(obj.ctx, lang=obj.lang, **kwargs)
    except SozialgraphError as exc:
        error = exc.message(obj.lang)
    raise UsageProblem(error)


@analyse.command("burden")
@click.option("--jahr", type=int, help="Year (default: the analysis year).")
@output_options
@pass_obj
def burden_cmd(obj: Obj, jahr: int | None, fmt: str, out: str | None, lang: str | None) -> None:
    """Burden index per Stadtteil: overall, then per Lebenslagendimension, by rank."""
    _lang(obj, lang)
    rows = _call(obj, lebenslagen.burden, year=jahr)
    filters = [(obj.msg("Jahr", "year"), str(rows[0].year))] if rows else []
    emit(obj, rows, BURDEN_COLUMNS, fmt, out, obj.msg("Belastungsindex", "Burden index"), filters)


@analyse.command("coverage")
@click.option("--zielgruppe", metavar="NAME", help="Target group (code, name or IRI); default: all.")
@output_options
@pass_obj
def coverage_cmd(obj: Obj, zielgruppe: str | None, fmt: str, out: str | None, lang: str | None) -> None:
    """Coverage per Stadtteil and target group: offers on site, for the borough, city-wide, per 1,000 people."""
    _lang(obj, lang)
    group = _group(obj, zielgruppe)
    rows = _call(obj, lebenslagen.coverage, zielgruppe=group)
    filters = [(obj.msg("Zielgruppe", "target group"), rows[0].target_group_label)] if group and rows else []
    emit(obj, rows, COVERAGE_COLUMNS, fmt, out, obj.msg("Versorgung", "Coverage"), filters)


@analyse.command("gaps")
@click.option("--zielgruppe", metavar="NAME", help="Target group (code, name or IRI); default: the overall ranking.")
@click.option("--jahr", type=int, help="Year of the burden index (default: the analysis year).")
@output_options
@pass_obj
def gaps_cmd(obj: Obj, zielgruppe: str | None, jahr: int | None, fmt: str, out: str | None,
             lang: str | None) -> None:
    """Gap ranking: high burden and low coverage first, for a target group or overall."""
    _lang(obj, lang)
    group = _group(obj, zielgruppe)
    rows = _call(obj, lebenslagen.gaps, zielgruppe=group, year=jahr)
    if group and not rows:
        click.echo(obj.msg("Keine Rangfolge: für diese Zielgruppe gibt es keine Bevölkerungszahl (kein "
                           "sg:populationIndicator mit Werten) oder noch keinen Belastungsindex.",
                           "No ranking: this target group has no population figure (no sg:populationIndicator "
                           "with values) or there is no burden index yet."), err=True)
    filters = [(obj.msg("Zielgruppe", "target group"),
                rows[0].target_group_label if group and rows else obj.msg("insgesamt", "overall"))]
    emit(obj, rows, GAP_COLUMNS, fmt, out, obj.msg("Versorgungslücken", "Gaps"), filters)
