"""Generate N demo offers as N-Triples and load them into a fresh on-disk store; print time and triples/s.

    .venv/bin/python bench/bench_load.py                 # 10k, 100k, 1M offers
    .venv/bin/python bench/bench_load.py --sizes 10000   # one size
    .venv/bin/python bench/bench_load.py --repeat 3      # medians over 3 loads per size

For each size: generation time (the same generator and row→RDF mapping as real submissions), a bulk load
(``sozialgraph load --bulk``: streaming, not transactional) and, up to 100k offers, a transactional load (one
atomic graph replacement, as submissions use). Peak memory (RSS) of this process is printed at the end.
"""

from __future__ import annotations

import argparse
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
from sozialgraph.capture.demo import write_ntriples  # noqa: E402
from sozialgraph.reference import init_store  # noqa: E402
from sozialgraph.store.oxigraph import open_store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--transactional-max", type=int, default=100_000)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sg-bench-load-"))
    try:
        ref = work / "ref"
        store = open_store(ref)
        init_store(store)
        ctx = Context(config.load({"store": str(ref)}), store=store)
        print(f"{'offers':>9} {'triples':>11} {'gen s':>8} {'bulk s':>8} {'bulk tr/s':>11} {'txn s':>8} {'txn tr/s':>10}")
        for n in args.sizes:
            nt = work / f"demo-{n}.nt"
            t0 = time.perf_counter()
            with open(nt, "wb") as fh:
                triples = write_ntriples(ctx, n, 1, fh)
            gen = time.perf_counter() - t0
            bulk, txn = [], []
            for i in range(args.repeat):
                target = work / f"bulk-{n}-{i}"
                s = open_store(target)
                t0 = time.perf_counter()
                s.load_file(nt, ns.office_graph("bench"), bulk=True)
                s.flush()
                bulk.append(time.perf_counter() - t0)
                del s
                shutil.rmtree(target)
                if n <= args.transactional_max:
                    target = work / f"txn-{n}-{i}"
                    s = open_store(target)
                    t0 = time.perf_counter()
                    s.load_file(nt, ns.office_graph("bench"))
                    txn.append(time.perf_counter() - t0)
                    del s
                    shutil.rmtree(target)
            b = statistics.median(bulk)
            line = f"{n:>9} {triples:>11} {gen:>8.2f} {b:>8.2f} {triples / b:>11,.0f}"
            if txn:
                tm = statistics.median(txn)
                line += f" {tm:>8.2f} {triples / tm:>10,.0f}"
            print(line, flush=True)
            nt.unlink()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process: {rss:.0f} MiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
