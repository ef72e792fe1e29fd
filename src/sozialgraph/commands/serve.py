"""`sozialgraph serve`: set up the store on first start (reference data + demo offers) and serve it."""

from __future__ import annotations

import click


def ensure_ready(ctx, demo_offers: int, seed: int, echo=click.echo) -> None:
    """Initialise an empty store and load the demo offers on first start."""
    from ..reference import init_store, is_initialized

    store = ctx.store
    if not is_initialized(store):
        echo("Lade Ontologie, Vokabulare und Kölner Grunddaten … / loading reference data …")
        init_store(store)
    has_offers = any(g.startswith(f"{__import__('sozialgraph.namespaces').namespaces.GRAPH}office/")
                     for g in store.graphs())
    if not has_offers and demo_offers > 0:
        from ..demo import load_demo

        echo(f"Erzeuge {demo_offers} Beispielangebote (Beispieldaten) … / generating demo offers …")
        load_demo(ctx, demo_offers, seed, echo=echo)


def register(main: click.Group) -> None:
    from ..cli import Obj, pass_obj

    @main.command()
    @click.option("--host", help="Listen address (setting host).")
    @click.option("--port", type=int, help="Port (setting port).")
    @click.option("--threads", type=int, help="Request threads (setting threads).")
    @click.option("--no-demo", is_flag=True, help="Do not load demo offers into an empty store.")
    @pass_obj
    def serve(obj: Obj, host: str | None, port: int | None, threads: int | None, no_demo: bool) -> None:
        """Serve the graph: web pages, SPARQL endpoint, API (gunicorn)."""
        from ..server import run
        from ..web import create_app

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
