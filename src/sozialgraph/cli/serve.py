"""`sozialgraph serve`: set up the store on first start (reference data + demo offers) and serve it."""

from __future__ import annotations

import click
from sozialgraph import namespaces as ns
from sozialgraph.reference import init_store, is_initialized
from sozialgraph.capture.demo import load_demo
from sozialgraph.cli.base import Obj, main, pass_obj
from sozialgraph.web.server import run
from sozialgraph.web import create_app


def ensure_ready(ctx, demo_offers: int, seed: int, echo=click.echo) -> None:
    """Initialise an empty store and load the demo offers on first start."""

    store = ctx.store
    if not is_initialized(store):
        echo("Lade Ontologie, Vokabulare und Kölner Grunddaten … / loading reference data …")
        init_store(store)
    has_offers = any(g.startswith(f"{ns.GRAPH}office/")
                     for g in store.graphs())
    if not has_offers and demo_offers > 0:

        echo(f"Erzeuge {demo_offers} Beispielangebote (Beispieldaten) … / generating demo offers …")
        load_demo(ctx, demo_offers, seed, echo=echo)


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
    obj.store  # open now: a clear message if another process holds it
    ensure_ready(obj.ctx, 0 if no_demo else obj.settings["demo_offers"], obj.settings["demo_seed"])
    obj.close()  # the gunicorn worker opens the store itself (RocksDB must not cross a fork)
    settings = dict(obj.settings)
    url = f"http://{settings['host']}:{settings['port']}/"
    run(lambda: create_app(settings), settings["host"], settings["port"], settings["threads"],
        on_ready=lambda: click.echo(f"sozialgraph läuft auf / serving at {url}", err=True))
