"""Benchmark: validate and submit a capture-template CSV of N offers end to end (sozialgraph.submissions).

For each size: a fresh on-disk store with the reference data, a demo CSV of one office (sozialgraph.demo), then
  read+map   reading the CSV and mapping rows to RDF
  validate   SHACL (fast engine: targeted Core shapes in pySHACL, 2 processes; SPARQL constraints once on Oxigraph)
  dry-run    submit_file(dry_run=True): read + validate, nothing written
  submit     submit_file into the empty office: read + validate + version graphs + office graphs + provenance
  resubmit   the same file again (the office graph changes only by its difference)
and, for the smallest size, the same validation with every shape run the standard way by pySHACL (engine
"pyshacl"), so the ratio is measured in the same run. Medians over --repeat runs.

    .venv/bin/python bench/bench_submit.py --sizes 1000 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def make_csv(ctx, n: int, seed: int = 1) -> bytes:
    from sozialgraph.capture import demo

    buf = io.StringIO()
    demo.write_csv(demo.generate_rows(n, seed, demo.quarters(ctx.store), demo.goal_codes(ctx.resolver()),
                                      office="50"), buf, demo.template_columns())
    return buf.getvalue().encode("utf-8")


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-pyshacl", action="store_true", help="skip the standard-pySHACL comparison")
    args = ap.parse_args()

    from sozialgraph import config
    from sozialgraph.context import Context
    from sozialgraph.capture import read_submission
    from sozialgraph.reference import init_store
    from sozialgraph.store.oxigraph import open_store
    from sozialgraph.capture.submissions import submit_file
    from sozialgraph.capture.validate import validate_staged

    tmp = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    template = tmp / "template"
    s = open_store(template)
    init_store(s)
    s.flush()
    del s
    print(f"{'offers':>7} {'triples':>8} {'read+map':>9} {'validate':>9} {'dry-run':>8} {'submit':>8} "
          f"{'resubmit':>9} {'pyshacl':>9}  (medians in s, {args.repeat} runs, {args.workers} workers)")
    try:
        for n in args.sizes:
            rows: dict[str, list[float]] = {k: [] for k in ("map", "validate", "dry", "submit", "resubmit")}
            triples = 0
            slow = None
            for i in range(args.repeat):
                path = tmp / f"store-{n}-{i}"
                shutil.copytree(template, path)
                store = open_store(path)
                ctx = Context(config.load({"store": str(path), "validate_workers": args.workers}), store=store)
                data = make_csv(ctx, n)
                resolver = ctx.resolver()
                t, st = timed(lambda: read_submission(data, "bench.csv", "text/csv",
                                                      office_iri="https://w3id.org/sozialgraph/id/org/50",
                                                      office_code="50", resolver=resolver))
                rows["map"].append(t)
                triples = len(st.triples)
                t, rep = timed(lambda: validate_staged(st, store, workers=args.workers))
                rows["validate"].append(t)
                if slow is None and not args.no_pyshacl and n == min(args.sizes):
                    ts, rep_slow = timed(lambda: validate_staged(st, store, engine="pyshacl"))
                    assert sorted(json.dumps(i.to_dict(), sort_keys=True) for i in rep_slow.items) == \
                        sorted(json.dumps(i.to_dict(), sort_keys=True) for i in rep.items), "engines disagree"
                    slow = ts
                t, res = timed(lambda: submit_file(ctx, data, "bench.csv", "50", dry_run=True))
                rows["dry"].append(t)
                t, res = timed(lambda: submit_file(ctx, data, "bench.csv", "50"))
                assert res.accepted and res.version == 1, res.report.summary()
                rows["submit"].append(t)
                t, res = timed(lambda: submit_file(ctx, data, "bench.csv", "50"))
                assert res.accepted and res.version == 2
                rows["resubmit"].append(t)
                del ctx, store
                shutil.rmtree(path, ignore_errors=True)
            med = {k: statistics.median(v) for k, v in rows.items()}
            print(f"{n:>7} {triples:>8} {med['map']:>9.2f} {med['validate']:>9.2f} {med['dry']:>8.2f} "
                  f"{med['submit']:>8.2f} {med['resubmit']:>9.2f} "
                  f"{(f'{slow:.2f}' if slow is not None else '-'):>9}", flush=True)
            if slow is not None:
                print(f"        standard pySHACL / fast engine (validate): {slow / med['validate']:.1f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
