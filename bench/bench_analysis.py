"""Time the whole analysis (burden index, coverage, gaps; sozialgraph.analysis.lebenslagen.run) on a store with
the reference data and N demo offers; print the median of a few runs and the time of each input query.

    .venv/bin/python bench/bench_analysis.py                  # 100,000 offers, 3 runs
    .venv/bin/python bench/bench_analysis.py --offers 10000 --repeat 5

The offers are generated like `sozialgraph demo --offers N --out x.nt` (the same generator and row→RDF mapping as
real submissions) and bulk-loaded (`sozialgraph load --bulk`: streaming, not transactional), as bench_load.py does.
The figure printed is what a user waits for after `sozialgraph analyse run`; it is printed, never asserted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sozialgraph import config, namespaces as ns  # noqa: E402
from sozialgraph.analysis import lebenslagen  # noqa: E402
from sozialgraph.capture.demo import write_ntriples  # noqa: E402
from sozialgraph.context import Context  # noqa: E402
from sozialgraph.reference import init_store  # noqa: E402
from sozialgraph.store.oxigraph import open_store  # noqa: E402


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--offers", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sg-bench-analysis-"))
    try:
        path = work / "store"
        store = open_store(path)
        init_store(store)
        ctx = Context(config.load({"store": str(path)}), store=store)
        nt = work / "demo.nt"
        with open(nt, "wb") as fh:
            (triples, gen) = timed(write_ntriples, ctx, args.offers, 1, fh)
        _, load = timed(store.load_file, nt, ns.office_graph("beispiel"), bulk=True)
        store.flush()
        print(f"{args.offers:,} offers, {triples:,} triples: generated in {gen:.1f} s, bulk-loaded in {load:.1f} s")

        s = store
        method = lebenslagen.load_method(s)
        areas, t_areas = timed(lebenslagen.quarters, s)
        groups, t_groups = timed(lebenslagen.target_groups, s)
        _, t_obs = timed(lebenslagen.observations, s, [i.iri for i in method.indicators])
        _, t_pop = timed(lebenslagen.population, s, groups)
        counts, t_counts = timed(lebenslagen.offer_counts, s)
        print(f"inputs: quarters {t_areas:.2f} s, target groups {t_groups:.2f} s, observations {t_obs:.2f} s, "
              f"population {t_pop:.2f} s, offer counts {t_counts:.2f} s ({len(counts):,} rows)")

        times, summary = [], {}
        for _ in range(args.repeat):
            summary, t = timed(lebenslagen.run, ctx)
            times.append(t)
        print(f"run(ctx): median {statistics.median(times):.2f} s of {args.repeat} "
              f"({', '.join(f'{t:.2f}' for t in times)}); year {summary['year']}, {summary['burden_scores']} burden "
              f"scores, {summary['coverage']} coverage, {summary['gaps']} gaps, {summary['triples']:,} triples")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
