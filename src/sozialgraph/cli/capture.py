"""Capture commands: template, validate, submit, history, diff, rollback, token create/list/revoke.

Exit codes of validate and submit: 0 accepted (no Violation), 1 rejected, 2 usage error (unknown office, unknown
format, unreadable file).
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

import click
from sozialgraph.cli.base import Obj, main, pass_obj
from sozialgraph.cli.backup import admin_request, server_options
from sozialgraph.capture.template import template_csv, template_xlsx
from sozialgraph.capture.common import UnsupportedFormat
from sozialgraph.errors import UnknownValue, StoreLockedError
from sozialgraph.capture.submissions import submit_file
from sozialgraph.capture.submissions import history as hist
from sozialgraph.capture.submissions import VersionNotFound, diff as do_diff
from sozialgraph.capture.submissions import VersionNotFound, rollback as do_rollback
from sozialgraph.capture.submissions import resolve_office
from sozialgraph.capture.tokens import create
from sozialgraph.capture.tokens import list_tokens
from sozialgraph.capture.tokens import revoke

FORMATS_OUT = ["text", "json", "turtle"]


def _office_error(obj, exc) -> click.ClickException:
    return click.BadParameter(exc.message(obj.lang), param_hint="--office")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="File (default: erfassungsvorlage.FORMAT).")
@pass_obj
def template(obj: Obj, fmt: str, output: str | None) -> None:
    """Write an empty capture template (Erfassungsvorlage); XLSX explains every column and lists every allowed
    value from the vocabularies in the store."""

    data = template_csv() if fmt == "csv" else template_xlsx(obj.ctx.resolver())
    path = Path(output or f"erfassungsvorlage.{fmt}")
    path.write_bytes(data)
    click.echo(obj.msg(f"Vorlage geschrieben: {path}", f"Template written: {path}"))

def _run(obj: Obj, file: str, office: str, fmt: str, dry_run: bool, user: str | None,
         report_file: str | None):

    data = Path(file).read_bytes()
    ctype = mimetypes.guess_type(file)[0]
    try:
        res = submit_file(obj.ctx, data, Path(file).name, office, user=user, content_type=ctype,
                          dry_run=dry_run)
    except UnknownValue as exc:
        raise _office_error(obj, exc) from None
    except UnsupportedFormat as exc:
        raise click.UsageError(exc.en if obj.lang == "en" else exc.de) from None
    rendered = {"text": lambda: res.report.to_text(obj.lang),
                "json": lambda: json.dumps(res.to_dict(), ensure_ascii=False, indent=2) + "\n",
                "turtle": lambda: res.report.to_turtle()}[fmt]()
    if report_file:
        Path(report_file).write_text(rendered, encoding="utf-8")
    else:
        click.echo(rendered, nl=False)
    return res

@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--office", required=True, help="Office code or name (case-insensitive).")
@click.option("--format", "fmt", type=click.Choice(FORMATS_OUT), default="text", show_default=True,
              help="Report format (turtle: the SHACL validation report).")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of stdout.")
@pass_obj
def validate(obj: Obj, file: str, office: str, fmt: str, report_file: str | None) -> None:
    """Check a submission (CSV, XLSX, Turtle, JSON-LD, N-Triples) without writing anything.
    Exit code 0: no error, 1: errors."""
    res = _run(obj, file, office, fmt, True, None, report_file)
    raise SystemExit(0 if res.accepted else 1)

@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--office", required=True, help="Office code or name (case-insensitive).")
@click.option("--user", help="Who submits (kept in the private provenance graph only).")
@click.option("--format", "fmt", type=click.Choice(FORMATS_OUT), default="text", show_default=True)
@click.option("--report", "report_file", type=click.Path(dir_okay=False, writable=True))
@pass_obj
def submit(obj: Obj, file: str, office: str, user: str | None, fmt: str, report_file: str | None) -> None:
    """Validate and, without errors, replace the office's dataset atomically as a new version.
    Exit code 0: accepted, 1: rejected (nothing changed)."""
    res = _run(obj, file, office, fmt, False, user, report_file)
    if res.accepted:
        click.echo(obj.msg(f"Angenommen: Amt {res.office}, Version {res.version}, {res.offers} Angebote.",
                           f"Accepted: office {res.office}, version {res.version}, {res.offers} offers."),
                   err=True)
        obj.refresh_analysis("submission")
    else:
        click.echo(obj.msg("Abgelehnt: nichts wurde geändert.", "Rejected: nothing was changed."), err=True)
    raise SystemExit(0 if res.accepted else 1)

@main.command()
@click.option("--office", required=True, help="Office code or name.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_obj
def history(obj: Obj, office: str, fmt: str) -> None:
    """Accepted versions of an office with their provenance."""

    try:
        rows = hist(obj.ctx, office)
    except UnknownValue as exc:
        raise _office_error(obj, exc) from None
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(obj.msg("Noch keine Version.", "No version yet."))
        return
    head = obj.msg("Version  Zeit                  Angebote  Warnungen  Datei / SHA-256 / Person",
                   "Version  Time                  Offers    Warnings   File / SHA-256 / user")
    click.echo(head)
    for r in rows:
        mark = "*" if r["current"] else " "
        used = f" ({obj.msg('zurück auf', 'back to')} {r['used'].rsplit('/', 1)[-1]})" if r.get("used") else ""
        click.echo(f"{mark}{r['version']:>6}  {r['started'][:19]:20}  {r.get('offers', 0):>8}  "
                   f"{r.get('warnings', 0):>9}  {r.get('fileName', '')}{used}  {r.get('sha256', '')[:12]}  "
                   f"{r.get('user', '')}")

@main.command()
@click.option("--office", required=True, help="Office code or name.")
@click.argument("v1", type=int)
@click.argument("v2", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_obj
def diff(obj: Obj, office: str, v1: int, v2: int, fmt: str) -> None:
    """Offers added, removed and changed (with the changed fields) between two versions."""

    try:
        d = do_diff(obj.ctx, office, v1, v2)
    except UnknownValue as exc:
        raise _office_error(obj, exc) from None
    except VersionNotFound as exc:
        raise click.ClickException(exc.en if obj.lang == "en" else exc.de) from None
    if fmt == "json":
        click.echo(json.dumps(d, ensure_ascii=False, indent=2))
        return
    click.echo(obj.msg(f"Amt {d['office']}: Version {v1} -> {v2}: {len(d['added'])} neu, "
                       f"{len(d['removed'])} entfernt, {len(d['changed'])} geändert",
                       f"Office {d['office']}: version {v1} -> {v2}: {len(d['added'])} added, "
                       f"{len(d['removed'])} removed, {len(d['changed'])} changed"))
    for a in d["added"]:
        click.echo(f"+ {a['kennung']}")
    for r in d["removed"]:
        click.echo(f"- {r['kennung']}")
    for c in d["changed"]:
        click.echo(f"~ {c['kennung']}")
        for f, vals in c["fields"].items():
            click.echo(f"    {f}: {'; '.join(vals['old']) or '–'} -> {'; '.join(vals['new']) or '–'}")

@main.command()
@click.option("--office", required=True, help="Office code or name.")
@click.option("--to", "to", required=True, type=int, help="Version to make current again.")
@click.option("--user", help="Who rolls back (private provenance).")
@pass_obj
def rollback(obj: Obj, office: str, to: int, user: str | None) -> None:
    """Make an earlier version current again (recorded as a new version; history is kept)."""

    try:
        res = do_rollback(obj.ctx, office, to, user=user)
    except UnknownValue as exc:
        raise _office_error(obj, exc) from None
    except VersionNotFound as exc:
        raise click.ClickException(exc.en if obj.lang == "en" else exc.de) from None
    click.echo(obj.msg(f"Amt {res.office}: Version {to} ist wieder aktuell (als Version {res.version}).",
                       f"Office {res.office}: version {to} is current again (as version {res.version})."))
    obj.refresh_analysis("rollback")

@main.group()
def token() -> None:
    """Upload tokens for POST /api/submissions (one office each; only hashes are stored).

    While `sozialgraph serve` runs on the embedded store, add --server URL --admin-token TOKEN: the running
    server does it (its admin routes /api/admin/tokens)."""


def _token_store(obj: Obj):
    """The store for a token command, or a message that says to go through the running server."""

    try:
        return obj.ctx.store
    except StoreLockedError:
        path = obj.settings.get("store")
        raise click.ClickException(obj.msg(
            f"Der Speicher {path} ist von einem anderen Prozess geöffnet (läuft 'sozialgraph serve'?). "
            f"Schlüssel verwaltet dann der laufende Server: dieselbe Anweisung mit --server URL --admin-token "
            f"TOKEN (oder Umgebungsvariable SOZIALGRAPH_ADMIN_TOKEN), z. B. 'sozialgraph token create --office 50 "
            f"--server http://127.0.0.1:8000 --admin-token …'.",
            f"The store {path} is opened by another process (is 'sozialgraph serve' running?). Then the running "
            f"server manages tokens: the same command with --server URL --admin-token TOKEN (or environment "
            f"variable SOZIALGRAPH_ADMIN_TOKEN), e.g. 'sozialgraph token create --office 50 --server "
            f"http://127.0.0.1:8000 --admin-token …'.")) from None


def _print_tokens(obj: Obj, rows: list[dict]) -> None:
    for r in rows:
        state = obj.msg("widerrufen", "revoked") if r["revoked"] else (
            obj.msg("abgelaufen", "expired") if r["expired"] else obj.msg("gültig", "valid"))
        click.echo(f"{r['id']}  {r['office'].rsplit('/', 1)[-1]:6}  {(r.get('created') or '')[:19]}  "
                   f"{(r.get('expires') or '')[:19]}  {state}")


@token.command("create")
@click.option("--office", required=True, help="Office code or name.")
@click.option("--days", type=int, help="Days the token stays valid (setting token_days).")
@server_options
@pass_obj
def token_create(obj: Obj, office: str, days: int | None, server: str | None, admin_token: str | None) -> None:
    """Issue a token; it is shown once."""

    if server:
        body = {"office": office, **({"days": days} if days is not None else {})}
        data = admin_request(obj, server, admin_token, "POST", "/api/admin/tokens", json_body=body).json()
        tok, tid, code = data["token"], data["id"], data.get("office", office)
    else:
        _token_store(obj)
        try:
            office_iri, code = resolve_office(obj.ctx, office)
        except UnknownValue as exc:
            raise _office_error(obj, exc) from None
        tok, tid = create(obj.store, office_iri, days if days is not None else obj.settings["token_days"])
    click.echo(tok)
    click.echo(obj.msg(f"Schlüssel {tid} für Amt {code}; er wird nur jetzt angezeigt.",
                       f"Token {tid} for office {code}; it is shown only now."), err=True)

@token.command("list")
@click.option("--office", help="Only this office's tokens.")
@server_options
@pass_obj
def token_list(obj: Obj, office: str | None, server: str | None, admin_token: str | None) -> None:
    """List tokens (id, office, created, expires, state); never the tokens themselves."""

    if server:
        params = {"office": office} if office else None
        rows = admin_request(obj, server, admin_token, "GET", "/api/admin/tokens", params=params).json()["tokens"]
        _print_tokens(obj, rows)
        return
    _token_store(obj)
    office_iri = None
    if office:
        try:
            office_iri, _code = resolve_office(obj.ctx, office)
        except UnknownValue as exc:
            raise _office_error(obj, exc) from None
    _print_tokens(obj, list_tokens(obj.store, office_iri))

@token.command("revoke")
@click.argument("token_id")
@server_options
@pass_obj
def token_revoke(obj: Obj, token_id: str, server: str | None, admin_token: str | None) -> None:
    """Revoke a token by its id (from `token list`)."""

    if server:
        from urllib.parse import quote

        r = admin_request(obj, server, admin_token, "DELETE", "/api/admin/tokens/" + quote(token_id, safe=""),
                          allow_404=True)
        done = r.status_code != 404
    else:
        done = revoke(_token_store(obj), token_id)
    if not done:
        raise click.ClickException(obj.msg(f"Kein Schlüssel '{token_id}'.", f"No token '{token_id}'."))
    click.echo(obj.msg(f"Schlüssel {token_id} widerrufen.", f"Token {token_id} revoked."))
