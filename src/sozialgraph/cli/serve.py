"""`sozialgraph serve`: set up the store on first start (reference data + demo offers) and serve it."""

from __future__ import annotations

import json
import subprocess
import sys

import click
from sozialgraph import namespaces as ns
from sozialgraph.context import Context
from sozialgraph.errors import SozialgraphError
from sozialgraph.reference import init_store, is_initialized
from sozialgraph.analysis import lebenslagen
from sozialgraph.capture.demo import load_demo
from sozialgraph.cli.base import Obj, main, pass_obj
from sozialgraph.web.server import run
from sozialgraph.web import create_app


def ensure_ready(ctx, demo_offers: int, seed: int, echo=click.echo) -> None:
    """Initialise an empty store and load the demo offers on first start."""

    store = ctx.store
    wrote = False
    if not is_initialized(store):
        echo("Lade Ontologie, Vokabulare und Kölner Grunddaten … / loading reference data …")
        init_store(store, ctx.settings["example_indicators"], ctx.settings["example_steering"])
        wrote = True
    has_offers = any(g.startswith(f"{ns.GRAPH}office/")
                     for g in store.graphs())
    if not has_offers and demo_offers > 0:
        echo(f"Erzeuge {demo_offers} Beispielangebote (Beispieldaten) … / generating demo offers …")
        load_demo(ctx, demo_offers, seed, echo=echo)
        wrote = True
    if wrote or not store.has_graph(ns.G_ANALYSIS):
        echo("Berechne die Analyse der Lebenslagen … / computing the life-situation analysis …")
        lebenslagen.refresh(ctx, "first start")


@main.command()
@click.option("--host", help="Listen address (setting host).")
@click.option("--port", type=int, help="Port (setting port).")
@click.option("--threads", type=int, help="Request threads (setting threads).")
@click.option("--no-demo", is_flag=True, help="Do not load demo offers into an empty store.")
@pass_obj
def serve(obj: Obj, host: str | None, port: int | None, threads: int | None, no_demo: bool) -> None:
    """Serve the graph: web pages, SPARQL endpoint, API (gunicorn)."""

    for k, v in (("host", host), ("port", port), ("threads", threads)):
        if v is not None:
            obj.settings[k] = v
    settings = dict(obj.settings)
    # The store is prepared in a fresh interpreter, never in this process: opening RocksDB once starts its
    # process-wide background threads (flush, compaction), which closing the store does not end and which a fork
    # does not copy. A gunicorn worker forked from a process that had opened the store waits forever for every
    # flush (the first checkpoint after a write, the second bulk load) and crashes at exit joining threads it
    # never had. tests/test_serve_process.py starts the server this way and submits while querying.
    demo = 0 if no_demo else settings["demo_offers"]
    done = subprocess.run([sys.executable, "-m", __name__, json.dumps(settings), str(demo),
                           str(settings["demo_seed"]), obj.lang], stdin=subprocess.DEVNULL)
    if done.returncode:
        raise SystemExit(done.returncode)  # the child said why (e.g. the store is held by another process)
    url = f"http://{settings['host']}:{settings['port']}/"
    run(lambda: create_app(settings), settings["host"], settings["port"], settings["threads"],
        on_ready=lambda: click.echo(f"sozialgraph läuft auf / serving at {url}", err=True))


def _prepare(settings: dict, demo_offers: int, seed: int, lang: str) -> None:
    """In a fresh interpreter (see serve): open the store (a clear message if another process holds it), initialise
    it and load the demo offers on first start."""
    ctx = Context(settings)
    try:
        ensure_ready(ctx, demo_offers, seed)
    except SozialgraphError as exc:
        raise click.ClickException(exc.message(lang)) from None
    finally:
        ctx.close()


if __name__ == "__main__":
    try:
        _prepare(json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
