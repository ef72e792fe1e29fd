"""Core commands: settings, init, load, query, stats, export."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from sozialgraph import config, namespaces as ns
from sozialgraph.cli.base import Obj, main, pass_obj
from sozialgraph.reference import init_store
from sozialgraph.sparql.output import render, rows_of
from sozialgraph.sparql.remote import run_saved_remote
from sozialgraph.sparql.saved import list_queries, load_query
from sozialgraph.errors import ParameterError


@main.command("settings")
@pass_obj
def settings_cmd(obj: Obj) -> None:
    """List every setting with its current value and help."""
    for s in config.SETTINGS:
        click.echo(f"{s.name:16} {obj.settings[s.name]!s:45} SOZIALGRAPH_{s.name.upper()}  {s.help}")


@main.command()
@pass_obj
def init(obj: Obj) -> None:
    """Load ontology, vocabularies and Cologne's reference data (no demo offers)."""

    counts = init_store(obj.store, obj.settings["example_indicators"], obj.settings["example_steering"])
    for g, n in counts.items():
        click.echo(f"{g}  {n} Tripel")
    click.echo(obj.msg("Grunddaten geladen.", "Reference data loaded."))
    obj.refresh_analysis("init")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--graph", metavar="IRI", help="Target graph (default: one graph per file, …/graph/file/NAME).")
@click.option("--bulk", is_flag=True, help="Stream big files (fast, not transactional).")
@pass_obj
def load(obj: Obj, files: tuple[str, ...], graph: str | None, bulk: bool) -> None:
    """Load RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) into the store, each replacing its graph.

    This is the operator's raw loader; offices submit with `sozialgraph submit`, which validates first.
    """
    from tqdm import tqdm

    store = obj.store
    total_t0 = time.perf_counter()
    before = store.count()
    for f in tqdm(files, unit="Datei", disable=len(files) < 2 or not sys.stderr.isatty()):
        target = graph or f"{ns.GRAPH}file/{ns.slug(Path(f).stem)}"
        t0 = time.perf_counter()
        try:
            store.load_file(f, target, bulk=bulk)
        except (SyntaxError, ValueError) as exc:
            raise click.ClickException(obj.msg(f"{f}: nicht lesbar: {exc}", f"{f}: cannot be read: {exc}"))
        click.echo(f"{f} -> {target}  ({time.perf_counter() - t0:.2f} s)")
    added = store.count() - before
    secs = time.perf_counter() - total_t0
    click.echo(obj.msg(f"{added} Quads in {secs:.2f} s ({added / max(secs, 1e-9):,.0f}/s)",
                       f"{added} quads in {secs:.2f} s ({added / max(secs, 1e-9):,.0f}/s)"))


@main.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help="Query parameter (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--endpoint", metavar="URL", help="Run against a remote SPARQL endpoint instead of the local store.")
@click.option("--list", "list_only", is_flag=True, help="List the saved queries.")
@pass_obj
def query(obj: Obj, name: str | None, params: tuple[str, ...], fmt: str, endpoint: str | None,
          list_only: bool) -> None:
    """Run a saved query from queries/NAME.rq with bound parameters."""

    if list_only or not name:
        for q in list_queries():
            ps = " ".join(f"{p.name}={'…' if p.required else '[…]'}" for p in q.params)
            click.echo(f"{q.name:40} {q.title_in(obj.lang)}  {ps}")
        return
    values: dict[str, str] = {}
    for p in params:
        if "=" not in p:
            raise click.UsageError(obj.msg(f"--param erwartet KEY=VALUE, nicht '{p}'.",
                                           f"--param expects KEY=VALUE, not '{p}'."))
        k, v = p.split("=", 1)
        values[k.strip()] = v
    try:
        q = load_query(name)
    except KeyError:
        raise click.ClickException(obj.msg(f"Keine gespeicherte Abfrage '{name}' (sozialgraph query --list).",
                                           f"No saved query '{name}' (sozialgraph query --list).")) from None
    try:
        if endpoint:

            names, rows = run_saved_remote(endpoint, q, values, obj)
        else:
            terms = q.bind(values, obj.ctx.resolver())
            names, rows = rows_of(obj.store.query(q.render(terms), public_only=True))
    except ParameterError as exc:
        raise click.BadParameter(exc.message(obj.lang), param_hint="--param") from None
    click.echo(render(names, rows, fmt), nl=False)
    if fmt == "table":
        click.echo(obj.msg(f"{len(rows)} Zeilen", f"{len(rows)} rows"), err=True)


@main.command()
@pass_obj
def stats(obj: Obj) -> None:
    """Counts: triples per graph, offers per office."""

    store = obj.store
    for g in store.graphs():
        click.echo(f"{store.count(g):>10}  {g}")
    click.echo(f"{store.count():>10}  {obj.msg('insgesamt', 'total')}")
    q = load_query("count-offers-per-office", internal=True)
    for row in store.select(q.text, public_only=True):
        click.echo(f"{row['anzahl'].value:>10}  {obj.msg('Angebote', 'offers')}: {row['amtName'].value}")


@main.group(invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["nq", "trig", "ttl", "nt", "jsonld"]), default="nq",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File (default: stdout).")
@click.option("--all-graphs", is_flag=True, help="Include private graphs (operator backup; never publish).")
@click.pass_context
def export(click_ctx: click.Context, fmt: str, output: str | None, all_graphs: bool) -> None:
    """Dump the public graphs (N-Quads keeps the graphs; Turtle merges them); subcommands export other formats."""
    if click_ctx.invoked_subcommand:
        return
    obj = click_ctx.find_object(Obj)
    out = open(output, "wb") if output else sys.stdout.buffer
    try:
        obj.store.dump(out, fmt, public_only=not all_graphs)
    finally:
        if output:
            out.close()
