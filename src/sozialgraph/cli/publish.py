"""`sozialgraph publish OUTDIR`, `sozialgraph export hsds|schemaorg OUTDIR`, `sozialgraph import hsds DIR_OR_ZIP`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from sozialgraph.cli.base import Obj, main, pass_obj
from sozialgraph.publish.release import write_release
from sozialgraph.publish.schemaorg import write_all
from sozialgraph.publish import hsds
from sozialgraph.publish.hsds import HSDSError


@main.command()
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--base-url", metavar="URL",
              help="Public base URL the files will be served under (setting public_url; default: the w3id base).")
@click.option("--undated", is_flag=True, help="Write into OUTDIR itself instead of OUTDIR/YYYY-MM-DD.")
@pass_obj
def publish(obj: Obj, outdir: str, base_url: str | None, undated: bool) -> None:
    """Write a dated open-data release: dumps (Turtle, N-Triples gzip, JSON-LD), offer CSV, SHA-256 checksums,
    DCAT-AP.de catalogue and VoID, one dataset per office plus the whole. Only public graphs are published."""

    url = base_url or obj.settings.get("public_url") or ""
    if not url:
        click.echo(obj.msg("Hinweis: keine öffentliche Adresse (--base-url oder Einstellung public_url); "
                           "die Download-Links zeigen auf https://w3id.org/sozialgraph/downloads/….",
                           "Note: no public URL (--base-url or setting public_url); download links point to "
                           "https://w3id.org/sozialgraph/downloads/…."), err=True)
    t0 = time.perf_counter()
    rel = write_release(obj.ctx, outdir, url, dated=not undated, progress=None)
    secs = time.perf_counter() - t0
    for f in rel.files:
        click.echo(f"{f.sha256[:12]}  {f.size:>12}  {f.name}")
    total = sum(f.size for f in rel.files)
    click.echo(obj.msg(f"Veröffentlicht: {rel.path} ({len(rel.datasets)} Datensätze, {len(rel.files)} Dateien, "
                       f"{total / 1e6:.1f} MB, {secs:.1f} s)",
                       f"Published: {rel.path} ({len(rel.datasets)} datasets, {len(rel.files)} files, "
                       f"{total / 1e6:.1f} MB, {secs:.1f} s)"))

export = main.commands["export"]

@export.command("hsds")
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--zip", "as_zip", is_flag=True, help="Also write OUTDIR.zip.")
@pass_obj
def export_hsds(obj: Obj, outdir: str, as_zip: bool) -> None:
    """Write the public offers as HSDS 3.0 (Open Referral) JSON: services, organizations, locations,
    service_at_locations, taxonomies and taxonomy terms."""

    counts = hsds.export_hsds(obj.store, Path(outdir), zip_too=as_zip)
    for k, v in counts.items():
        click.echo(f"{v:>10}  {k}")
    click.echo(obj.msg(f"HSDS geschrieben nach {outdir}", f"HSDS written to {outdir}"))

@export.command("schemaorg")
@click.argument("output", type=click.Path(dir_okay=False, allow_dash=True), default="-")
@pass_obj
def export_schemaorg(obj: Obj, output: str) -> None:
    """Write every public offer as schema.org JSON-LD (one @graph) to OUTPUT (default: stdout)."""

    if output == "-":
        n = write_all(obj.store, sys.stdout)
    else:
        with open(output, "w", encoding="utf-8") as fh:
            n = write_all(obj.store, fh)
    click.echo(obj.msg(f"{n} Angebote als schema.org JSON-LD", f"{n} offers as schema.org JSON-LD"), err=True)

@main.group("import")
def import_group() -> None:
    """Import data from other standards into a submission (same validation and report as `submit`)."""

@import_group.command("hsds")
@click.argument("source", type=click.Path(exists=True))
@click.option("--office", required=True, metavar="CODE", help="Submitting office (code, name or IRI).")
@click.option("--dry-run", is_flag=True, help="Validate and report only; change nothing.")
@click.option("--user", metavar="NAME", help="Who submits (kept in the private provenance graph).")
@pass_obj
def import_hsds(obj: Obj, source: str, office: str, dry_run: bool, user: str | None) -> None:
    """Map an HSDS 3.0 directory or ZIP (JSON from `export hsds`, or the Tabular Data Package CSVs) to the
    capture template and submit it for OFFICE."""

    try:
        result, rows = hsds.import_hsds(obj.ctx, Path(source), office, user=user, dry_run=dry_run)
    except HSDSError as exc:
        raise click.ClickException(exc.message(obj.lang)) from None
    report = result.report
    text = report.to_text(obj.lang) if hasattr(report, "to_text") else str(report)
    if text:
        click.echo(text, err=not result.accepted)
    if not result.accepted:
        click.echo(obj.msg(f"Abgelehnt: {rows} Angebote aus HSDS, nichts geändert.",
                           f"Rejected: {rows} offers from HSDS, nothing changed."), err=True)
        sys.exit(1)
    click.echo(obj.msg(f"{rows} Angebote aus HSDS übernommen" + (" (Probelauf)" if dry_run else
                                                                 f", Version {result.version}"),
                       f"{rows} offers imported from HSDS" + (" (dry run)" if dry_run else
                                                              f", version {result.version}")))
    if not dry_run:
        obj.refresh_analysis("HSDS import")
