"""`sozialgraph bericht OUTDIR [--jahr Y] [--datum YYYY-MM-DD] [--pdf/--no-pdf]`: the Lebenslagenbericht."""

from __future__ import annotations

import datetime as dt
import time

import click
from sozialgraph.cli.base import Obj, main, pass_obj
from sozialgraph.publish import report


def _date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"'{value}' ist kein Datum JJJJ-MM-TT / is not a date YYYY-MM-DD.") from None


@main.command("bericht")
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--jahr", metavar="Y", help="Report year (default: the latest year of the stored analysis).")
@click.option("--datum", metavar="YYYY-MM-DD", help="Date printed on the report (default: today); the same store "
              "and the same date give a byte-identical HTML file.")
@click.option("--pdf/--no-pdf", default=True, show_default=True,
              help="Also print bericht.pdf with headless Chromium.")
@pass_obj
def bericht(obj: Obj, outdir: str, jahr: str | None, datum: str | None, pdf: bool) -> None:
    """Write the Lebenslagenbericht from the graph: OUTDIR/bericht.html (one self-contained file: city overview,
    method, one chapter per Stadtbezirk, one profile per Stadtteil, maps and charts, goals, needs, measures,
    sources) and OUTDIR/bericht.pdf. The report's language follows --lang."""

    date = _date(datum)
    t0 = time.perf_counter()
    try:
        written = report.write(obj.ctx, outdir, year=jahr, date=date, lang=obj.lang, pdf=False)
    except report.ParameterError as exc:
        raise click.UsageError(exc.message(obj.lang)) from None
    click.echo(f"{written['html']}")
    if pdf:
        try:
            click.echo(str(report.print_pdf(written["html"], written["html"].with_name(report.PDF_NAME))))
        except report.SozialgraphError as exc:  # no Chromium, or it failed: the HTML stays, exit 1
            raise click.ClickException(exc.message(obj.lang)) from None
    secs = time.perf_counter() - t0
    click.echo(obj.msg(f"Lebenslagenbericht geschrieben ({secs:.1f} s).", f"Life-situation report written "
                                                                          f"({secs:.1f} s)."))
