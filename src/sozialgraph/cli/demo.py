"""`sozialgraph demo`: synthetic demo offers (Beispieldaten) through the submission path, or as files."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from sozialgraph.cli.base import Obj, main, pass_obj
from sozialgraph.capture import demo as demo_mod


@main.command()
@click.option("--offers", "n", type=click.IntRange(1, 10_000_000), default=2000, show_default=True,
              help="Number of offers.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same seed, same offers).")
@click.option("--out", type=click.Path(), metavar="PATH",
              help="Write instead of submitting: a directory gets one CSV per office (the capture template); "
                   "a file ending in .nt gets N-Triples, streamed (for 1,000,000 offers and more).")
@pass_obj
def demo(obj: Obj, n: int, seed: int, out: str | None) -> None:
    """Add synthetic demo offers for Cologne, clearly labelled Beispieldaten.

    Without --out the offers are submitted office by office through the same path as real submissions
    (template CSV -> validation -> versioned office graph).
    """

    t0 = time.perf_counter()
    if out is None:
        total = demo_mod.load_demo(obj.ctx, n, seed, echo=click.echo)
        click.echo(obj.msg(f"{total} Beispielangebote eingereicht in {time.perf_counter() - t0:.1f} s.",
                           f"{total} demo offers submitted in {time.perf_counter() - t0:.1f} s."))
        obj.refresh_analysis("demo")
        return
    path = Path(out)
    if path.suffix == ".nt":
        from tqdm import tqdm

        with open(path, "wb") as fh, tqdm(total=n, unit="Angebote", disable=not sys.stderr.isatty()) as bar:
            triples = demo_mod.write_ntriples(obj.ctx, n, seed, fh, progress=bar.update)
        click.echo(obj.msg(f"{n} Angebote, {triples} Tripel -> {path} ({time.perf_counter() - t0:.1f} s)",
                           f"{n} offers, {triples} triples -> {path} ({time.perf_counter() - t0:.1f} s)"))
        return
    paths = demo_mod.write_demo_files(obj.ctx, n, seed, path)
    for p in paths:
        click.echo(str(p))
