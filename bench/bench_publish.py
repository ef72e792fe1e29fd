"""Publish the demo data at 10k and 100k offers; print the time of each step side by side.

    .venv/bin/python bench/bench_publish.py                   # 10k and 100k offers
    .venv/bin/python bench/bench_publish.py --sizes 10000     # one size
    .venv/bin/python bench/bench_publish.py --repeat 3        # medians over 3 runs per size

Set-up (not timed as publishing): reference data, then the demo generator's CSV per office read by the same
template mapping real submissions use, each office stored as its public and private graph. Timed: the whole
release (`write_release`: dumps, offer CSVs, checksums, DCAT-AP.de catalogue, VoID), the HSDS export and the
schema.org export. Figures: median seconds, offers per second, release size.
"""

from __future__ import annotations

import argparse
import io
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sozialgraph import config, namespaces as ns  # noqa: E402
from sozialgraph.context import Context  # noqa: E402
from sozialgraph.capture.demo import office_csvs  # noqa: E402
from sozialgraph.capture import read_submission  # noqa: E402
from sozialgraph.publish.hsds import export_hsds  # noqa: E402
from sozialgraph.publish.schemaorg import write_all  # noqa: E402
from sozialgraph.publish.release import write_release  # noqa: E402
from sozialgraph.reference import init_store  # noqa: E402
from sozialgraph.store.oxigraph import open_store  # noqa: E402


def setup(path: Path, n: int, seed: int) -> Context:
    store = open_store(path)
    init_store(store)
    ctx = Context(config.load({"store": str(path)}), store=store)
    resolver = ctx.resolver()
    for office, data, _count in office_csvs(ctx, n, seed):
        staged = read_submission(data, f"{office}.csv", "text/csv", office_iri=resolver.resolve("amt", office),
                                 office_code=office, resolver=resolver, example_data=True)
        store.replace_graphs({ns.office_graph(office): staged.public,
                              ns.private_office_graph(office): staged.private})
    return ctx


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sg-bench-publish-"))
    results = []
    try:
        for n in args.sizes:
            t0 = time.perf_counter()
            ctx = setup(work / f"store-{n}", n, args.seed)
            setup_s = time.perf_counter() - t0
            triples = sum(ctx.store.count(g) for g in ctx.store.public_graphs())
            runs: dict[str, list[float]] = {"release": [], "hsds": [], "schemaorg": []}
            size = 0
            for i in range(args.repeat):
                out = work / f"rel-{n}-{i}"
                holder = {}
                runs["release"].append(timed(lambda: holder.setdefault(
                    "rel", write_release(ctx, out, "https://daten.example", progress=False))))
                size = sum(f.size for f in holder["rel"].files)
                runs["hsds"].append(timed(lambda: export_hsds(ctx.store, work / f"hsds-{n}-{i}")))
                runs["schemaorg"].append(timed(lambda: write_all(ctx.store, io.StringIO())))
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(work / f"hsds-{n}-{i}", ignore_errors=True)
            med = {k: statistics.median(v) for k, v in runs.items()}
            results.append((n, triples, setup_s, med, size))
            print(f"{n:>8} offers: set-up {setup_s:6.1f} s | release {med['release']:6.1f} s "
                  f"({n / med['release']:,.0f} offers/s, {size / 1e6:,.1f} MB) | HSDS {med['hsds']:6.1f} s | "
                  f"schema.org {med['schemaorg']:6.1f} s", flush=True)
            del ctx
            shutil.rmtree(work / f"store-{n}", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"{'offers':>8} {'public triples':>15} {'release s':>10} {'HSDS s':>8} {'schema.org s':>13} {'MB':>8}")
    for n, triples, _setup, med, size in results:
        print(f"{n:>8} {triples:>15,} {med['release']:>10.1f} {med['hsds']:>8.1f} {med['schemaorg']:>13.1f} "
              f"{size / 1e6:>8.1f}")
    if len(results) > 1:
        (n0, _, _, m0, _), (n1, _, _, m1, _) = results[0], results[-1]
        print(f"ratio {n1 // n0}x offers: release {m1['release'] / m0['release']:.1f}x, "
              f"HSDS {m1['hsds'] / m0['hsds']:.1f}x, schema.org {m1['schemaorg'] / m0['schemaorg']:.1f}x")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
