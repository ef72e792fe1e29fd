"""Steering commands (`sozialgraph steuerung …`): submit goals, needs, measures and evaluations, templates,
history, diff, rollback, need suggestions. Exit codes of submit: 0 accepted, 1 rejected, 2 usage error."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

import click

from sozialgraph.capture.common import UnsupportedFormat
from sozialgraph.capture.submissions import VersionNotFound, resolve_office
from sozialgraph.cli.base import Obj, main, pass_obj
from sozialgraph.errors import SozialgraphError, UnknownValue
from sozialgraph.steering import submit as sub
from sozialgraph.steering import suggestions as sug
from sozialgraph.steering.template import KINDS, get_kind, template_csv, template_xlsx

ARTEN = click.Choice(list(KINDS))


@main.group("steuerung")
def steering() -> None:
    """Steuerung: Ziele, Bedarfe, Maßnahmen, Evaluationen, Bedarfsvorschläge / steering objects."""


@steering.command("submit")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--art", required=True, type=ARTEN, help="ziele | bedarfe | massnahmen | evaluationen")
@click.option("--office", required=True, help="Office code or name (goals and needs: sp).")
@click.option("--user", help="Who submits (private provenance only).")
@click.option("--dry-run", is_flag=True, help="Only check, store nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_obj
def submit_cmd(obj: Obj, file: str, art: str, office: str, user: str | None, dry_run: bool, fmt: str) -> None:
    """Check a steering file and, without errors, store it as the office's new version of that kind."""
    try:
        res = sub.submit_file(obj.ctx, Path(file).read_bytes(), Path(file).name, art, office, user=user,
                              content_type=mimetypes.guess_type(file)[0], dry_run=dry_run)
    except UnknownValue as exc:
        raise click.BadParameter(exc.message(obj.lang), param_hint="--office") from None
    except (UnsupportedFormat, sub.SteeringRefused) as exc:
        raise click.UsageError(exc.message(obj.lang)) from None
    click.echo(json.dumps(res.to_dict(), ensure_ascii=False, indent=2) if fmt == "json" else
               res.report.to_text(obj.lang), nl=fmt == "json")
    if res.accepted and not dry_run:
        click.echo(obj.msg(f"Angenommen: Amt {res.office}, {art}, Version {res.version}.",
                           f"Accepted: office {res.office}, {art}, version {res.version}."), err=True)
    elif not res.accepted:
        click.echo(obj.msg("Abgelehnt: nichts wurde geändert.", "Rejected: nothing was changed."), err=True)
    raise SystemExit(0 if res.accepted else 1)


@steering.command("template")
@click.option("--art", required=True, type=ARTEN)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="File; .csv or .xlsx (with the explanation sheet).")
@pass_obj
def template_cmd(obj: Obj, art: str, out: str) -> None:
    """Write an empty steering template (CSV or XLSX)."""
    kind = get_kind(art)
    if out.lower().endswith(".csv"):
        data = template_csv(kind)
    else:
        data = template_xlsx(kind, obj.ctx.resolver(),
                             [(code, label) for code, label in sorted(sub.indicators(obj.store).values())])
    Path(out).write_bytes(data)
    click.echo(obj.msg(f"Vorlage geschrieben: {out}", f"Template written: {out}"))


@steering.command("history")
@click.option("--office", required=True)
@pass_obj
def history_cmd(obj: Obj, office: str) -> None:
    """Accepted steering versions of an office."""
    rows = sub.history(obj.ctx, office)
    if not rows:
        click.echo(obj.msg("Noch keine Version.", "No version yet."))
    for r in rows:
        mark = "*" if r["current"] else " "
        click.echo(f"{mark} {r['version']:>4}  {r['art']:<13} {r['started']}  {r.get('fileName', '')}")


@steering.command("diff")
@click.option("--office", required=True)
@click.argument("v1", type=int)
@click.argument("v2", type=int)
@pass_obj
def diff_cmd(obj: Obj, office: str, v1: int, v2: int) -> None:
    """Objects added, removed and changed between two versions of the same kind (JSON)."""
    try:
        click.echo(json.dumps(sub.diff(obj.ctx, office, v1, v2), ensure_ascii=False, indent=2))
    except VersionNotFound as exc:
        raise click.ClickException(exc.message(obj.lang)) from None


@steering.command("rollback")
@click.option("--office", required=True)
@click.option("--to", "to", required=True, type=int)
@click.option("--user")
@pass_obj
def rollback_cmd(obj: Obj, office: str, to: int, user: str | None) -> None:
    """Make an earlier version current again (as a new version)."""
    res = sub.rollback(obj.ctx, office, to, user=user)
    click.echo(obj.msg(f"Version {to} ({res.art}) ist wieder aktuell, als Version {res.version}.",
                       f"Version {to} ({res.art}) is current again, as version {res.version}."))


@steering.command("vorschlaege")
@click.option("--zielgruppe")
@click.option("--top", type=int, default=sug.TOP, show_default=True, help="Ranks per target group.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_obj
def suggestions_cmd(obj: Obj, zielgruppe: str | None, top: int, fmt: str) -> None:
    """Need suggestions from the gap ranking, with their decisions."""
    rows = sug.suggestions(obj.ctx, zielgruppe, top)
    if fmt == "json":
        click.echo(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r.id:<28} Rang {r.rank}  {r.target_group_name} in {r.area_name}: {r.status}")


@steering.group("vorschlag")
def suggestion() -> None:
    """Accept or dismiss one need suggestion (as the Stabsstelle Sozialplanung)."""


@suggestion.command("annehmen")
@click.argument("sid")
@click.option("--top", type=int, default=sug.TOP)
@pass_obj
def accept_cmd(obj: Obj, sid: str, top: int) -> None:
    try:
        need = sug.accept(obj.ctx, sid, resolve_office(obj.ctx, sub.SP)[0], top)
    except SozialgraphError as exc:
        raise click.ClickException(exc.message(obj.lang)) from None
    click.echo(obj.msg(f"Angenommen als Bedarf {need}", f"Accepted as need {need}"))


@suggestion.command("verwerfen")
@click.argument("sid")
@click.option("--grund", required=True, help="Why (kept with the suggestion).")
@click.option("--top", type=int, default=sug.TOP)
@pass_obj
def dismiss_cmd(obj: Obj, sid: str, grund: str, top: int) -> None:
    try:
        sug.dismiss(obj.ctx, sid, resolve_office(obj.ctx, sub.SP)[0], grund, top)
    except SozialgraphError as exc:
        raise click.ClickException(exc.message(obj.lang)) from None
    click.echo(obj.msg(f"Verworfen: {sid}", f"Dismissed: {sid}"))
