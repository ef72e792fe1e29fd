"""Indicator commands: import, history, rollback, define, check (`sozialgraph indicators …`).

Exit codes of import (as submit): 0 accepted (no Violation), 1 rejected (nothing stored), 2 usage error (unknown
format, dataset key or office, unreadable file). check: 0 every stored indicator graph satisfies the W3C Data
Cube integrity constraints, 1 otherwise. define: 0 stored, 1 rejected.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from sozialgraph.capture import indicators as ind
from sozialgraph.cli.base import Obj, main, pass_obj
from sozialgraph.errors import UnknownValue


@main.group()
def indicators() -> None:
    """Indicators as an RDF Data Cube: import the city's figures (Statistischer Datenkatalog or the long CSV of
    docs/indicators.md), versions and rollback, definitions, the W3C integrity constraints."""


def _usage(obj: Obj, exc) -> click.UsageError:
    return click.UsageError(exc.message(obj.lang))


@indicators.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(list(ind.FORMATS)),
              help="File format (default: recognised from the header).")
@click.option("--datensatz", "key", metavar="KEY",
              help="Dataset key (default: datenkatalog for the Datenkatalog format, import for the long CSV).")
@click.option("--dry-run", is_flag=True, help="Check only; store nothing.")
@click.option("--office", default="sp", show_default=True, help="Office that imports (code or name).")
@click.option("--user", help="Who imports (kept in the private provenance graph only).")
@click.option("--quelle", "source", help="Source text of a Datenkatalog file (default: the Statistischer "
                                          "Datenkatalog of the Amt für Stadtentwicklung und Statistik).")
@click.option("--lizenz", "licence", help="Licence of a Datenkatalog file (IRI or name; default DL-DE-BY-2.0).")
@click.option("--json", "as_json", is_flag=True, help="The result and report as JSON.")
@pass_obj
def import_cmd(obj: Obj, file: str, fmt: str | None, key: str | None, dry_run: bool, office: str,
               user: str | None, source: str | None, licence: str | None, as_json: bool) -> None:
    """Check an indicator file and, without errors, store it as a new version of its dataset (the synthetic
    series of the same indicators are replaced). Exit code 0: accepted, 1: rejected (nothing changed)."""
    data = Path(file).read_bytes()
    try:
        res = ind.import_file(obj.ctx, data, Path(file).name, fmt=fmt, key=key, office=office, user=user,
                              dry_run=dry_run, source=source, licence=licence)
    except (UnknownValue, ind.IndicatorError) as exc:
        raise _usage(obj, exc) from None
    if as_json:
        click.echo(json.dumps(res.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(res.report.to_text(obj.lang), nl=False)
    if res.accepted and res.version is not None:
        click.echo(obj.msg(f"Angenommen: Datensatz {ind.dataset_id(res.dataset)}, Version {res.version}, "
                           f"{res.observations} Beobachtungen; {res.replaced} synthetische Beobachtungen ersetzt.",
                           f"Accepted: dataset {ind.dataset_id(res.dataset)}, version {res.version}, "
                           f"{res.observations} observations; {res.replaced} synthetic observations replaced."),
                   err=True)
        obj.refresh_analysis("indicator import")
    elif res.accepted:
        click.echo(obj.msg(f"Geprüft (nichts gespeichert): {res.observations} Beobachtungen würden Datensatz "
                           f"{ind.dataset_id(res.dataset)} bilden.",
                           f"Checked (nothing stored): {res.observations} observations would make dataset "
                           f"{ind.dataset_id(res.dataset)}."), err=True)
    else:
        click.echo(obj.msg("Abgelehnt: nichts wurde geändert.", "Rejected: nothing was changed."), err=True)
    raise SystemExit(0 if res.accepted else 1)


@indicators.command()
@click.option("--datensatz", "key", metavar="KEY", help="Only this dataset (default: every imported dataset).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_obj
def history(obj: Obj, key: str | None, fmt: str) -> None:
    """Versions of the imported indicator datasets with their provenance."""
    try:
        rows = ind.history(obj.ctx, key)
    except ind.IndicatorError as exc:
        raise _usage(obj, exc) from None
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(obj.msg("Noch keine Version.", "No version yet."))
        return
    click.echo(obj.msg("Datensatz                  Version  Zeit                 Beobachtungen  Datei / SHA-256 / Person",
                       "Dataset                    Version  Time                 Observations   File / SHA-256 / user"))
    for r in rows:
        mark = "*" if r["current"] else " "
        used = f" ({obj.msg('zurück auf', 'back to')} {r['used'].rsplit('/', 1)[-1]})" if r.get("used") else ""
        click.echo(f"{mark}{ind.dataset_id(r['key']):25} {r['version']:>7}  {r['started'][:19]:20} "
                   f"{r.get('observations', 0):>13}  {r.get('fileName', '')}{used}  {r.get('sha256', '')[:12]}  "
                   f"{r.get('user', '')}")


@indicators.command()
@click.option("--datensatz", "key", metavar="KEY", required=True, help="Dataset key.")
@click.option("--to", "to", required=True, type=int, help="Version to make current again.")
@click.option("--office", default="sp", show_default=True, help="Office that rolls back.")
@click.option("--user", help="Who rolls back (private provenance).")
@pass_obj
def rollback(obj: Obj, key: str, to: int, office: str, user: str | None) -> None:
    """Make an earlier version current again (recorded as a new version; history is kept); the synthetic
    observations that later versions replaced come back."""
    try:
        res = ind.rollback(obj.ctx, key, to, office=office, user=user)
    except ind.VersionNotFound as exc:
        raise click.ClickException(exc.message(obj.lang)) from None
    except (UnknownValue, ind.IndicatorError) as exc:
        raise _usage(obj, exc) from None
    click.echo(obj.msg(f"Datensatz {ind.dataset_id(res.dataset)}: Version {to} ist wieder aktuell (als Version "
                       f"{res.version}); {res.extra['restoredSynthetic']} synthetische Beobachtungen zurück.",
                       f"Dataset {ind.dataset_id(res.dataset)}: version {to} is current again (as version "
                       f"{res.version}); {res.extra['restoredSynthetic']} synthetic observations restored."))
    obj.refresh_analysis("indicator rollback")


@indicators.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check only; store nothing.")
@pass_obj
def define(obj: Obj, file: str, dry_run: bool) -> None:
    """Add indicator definitions (Turtle: sg:Indicator with skos:notation, rdfs:label @de and @en, sg:unit,
    sg:lifeSituation, sg:polarity, optional sg:merkmalCode), checked with SHACL, to the graph
    …/graph/indicators/import/definitionen. Exit code 0: stored, 1: rejected."""
    report, n = ind.define(obj.ctx, Path(file).read_bytes(), Path(file).name, dry_run=dry_run)
    click.echo(report.to_text(obj.lang), nl=False)
    if report.conforms and not dry_run:
        click.echo(obj.msg(f"{n} Indikatordefinitionen gespeichert.", f"{n} indicator definitions stored."),
                   err=True)
    raise SystemExit(0 if report.conforms else 1)


@indicators.command()
@pass_obj
def check(obj: Obj) -> None:
    """Run the W3C Data Cube integrity constraints IC-1 … IC-21 over every stored indicator graph.
    Exit code 0: none violated, 1: a violation."""
    results = ind.check_stored(obj.ctx)
    bad = False
    for graph, violations in results.items():
        if not violations:
            click.echo(obj.msg(f"{graph}: alle 21 Bedingungen erfüllt.", f"{graph}: all 21 constraints hold."))
            continue
        bad = True
        for v in violations:
            click.echo(f"{graph}: {v.message(obj.lang)}")
    if not results:
        click.echo(obj.msg("Keine Indikatorgraphen im Speicher.", "No indicator graphs in the store."))
    raise SystemExit(1 if bad else 0)
