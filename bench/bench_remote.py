"""The store backends side by side: embedded Oxigraph, `oxigraph serve` and Virtuoso (remote, SPARQL 1.1 Query +
Update through store.sparql.SparqlStore), the same work on each, in one run.

    .venv/bin/python bench/bench_remote.py                           # 2000 demo offers, 5 repeats
    .venv/bin/python bench/bench_remote.py --offers 5000 --repeat 9 --backends embedded virtuoso

For each backend, in a fresh data directory (remote: a real server on 127.0.0.1 from tests/remote_servers.py;
Virtuoso is skipped, with the reason printed, when it is not installed):
  init          reference data (sozialgraph.reference.init_store)
  demo load     --offers demo offers through the normal submission path (capture.demo.load_demo: validation,
                version graphs, office graphs, provenance), one submission per office
  1,000 offers  the first submission of a CSV of --first demo rows (generated for office 50, seed 7) into an
                office that has no offers yet (default 'sp', Stabsstelle Sozialplanung)
  resubmission  the same file again (the office graph changes only by its difference: nothing)
then every saved query (queries/*.rq) with all its parameters bound (PARAMS, by parameter type), run with
store.query(..., public_only=True) and the result consumed fully: one warm-up, then --repeat timed runs, median.
Printed: one Markdown table, embedded ms and each remote backend's ms with its ratio to embedded; the rows for
init, demo load and the two submissions (seconds); the median of the per-query ratios per backend. Figures are
printed, never asserted; a query whose row count differs between backends is marked; a remote query that does
not answer within --query-timeout is shown as a timeout (its ratio a lower bound; the server may go on
evaluating it while the queries after it are timed).
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from remote_servers import (oxigraph_available, start_oxigraph, start_virtuoso,  # noqa: E402
                            virtuoso_available)

from sozialgraph import config  # noqa: E402
from sozialgraph.capture import demo  # noqa: E402
from sozialgraph.capture.submissions import submit_file  # noqa: E402
from sozialgraph.context import Context  # noqa: E402
from sozialgraph.errors import StoreError  # noqa: E402
from sozialgraph.reference import init_store  # noqa: E402
from sozialgraph.sparql.binding import Resolver  # noqa: E402
from sozialgraph.sparql.saved import list_queries  # noqa: E402
from sozialgraph.store.oxigraph import open_store  # noqa: E402
from sozialgraph.store.sparql import SparqlStore  # noqa: E402

BACKENDS = ["embedded", "oxigraph-serve", "virtuoso"]
# parameter values by parameter type (queries/*.rq '#+ param: NAME TYPE ...'); ziel: the first goal code found
PARAMS = {"zielgruppe": "Senioren", "stadtteil": "Chorweiler", "stadtbezirk": "Porz", "amt": "50",
          "lebenslage": "Wohnen", "angebotsart": "Beratungsstelle", "reichweite": "Stadtteil"}


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def first_csv(ctx, n: int, seed: int = 7) -> bytes:
    """n demo rows of office 50's profiles as a capture-template CSV."""
    buf = io.StringIO()
    demo.write_csv(demo.generate_rows(n, seed, demo.quarters(ctx.store), demo.goal_codes(ctx.resolver()),
                                      office="50"), buf, demo.template_columns())
    return buf.getvalue().encode("utf-8")


def bound_queries(store) -> tuple[dict[str, str], dict[str, str]]:
    """{query name: query text with every parameter bound}, and the values used."""
    resolver = Resolver.from_store(store)
    values = dict(PARAMS)
    goals = sorted(t.notation for t in resolver.values("ziel") if t.notation)
    if goals:
        values["ziel"] = goals[0]
    texts = {}
    for q in list_queries():
        bind = {p.name: values[p.type] if p.type in values else values[p.name] for p in q.params
                if p.type in values or p.name in values}
        missing = [p.name for p in q.params if p.required and p.name not in bind]
        if missing:
            print(f"  ({q.name}: no value for {missing}, skipped)")
            continue
        texts[q.name] = q.render(q.bind(bind, resolver))
    return texts, values


def run_backend(name: str, work: Path, args, servers: list) -> dict:
    """Build the data on one backend and time everything. Returns {'steps': {...}, 'queries': {...}, ...}."""
    datadir = work / name
    datadir.mkdir()
    startup = None
    if name == "embedded":
        store = open_store(datadir / "store")
    elif name == "oxigraph-serve":
        srv = start_oxigraph(datadir)
        servers.append(srv)
        startup = srv.startup_seconds
        store = SparqlStore(srv.query_url, srv.update_url, timeout=600)
    else:
        srv = start_virtuoso(datadir)
        servers.append(srv)
        startup = srv.startup_seconds
        store = SparqlStore(srv.query_url, srv.update_url, timeout=600)
    ctx = Context(config.load({"store": "", "validate_workers": args.workers}), store=store)
    steps: dict[str, float] = {}
    steps["init"], _ = timed(lambda: init_store(store))
    steps["demo"], total = timed(lambda: demo.load_demo(ctx, args.offers, args.seed, echo=lambda *_: None))
    data = first_csv(ctx, args.first)
    for step, version in (("first", 1), ("resubmit", 2)):
        t, res = timed(lambda: submit_file(ctx, data, "erste-einreichung.csv", args.office,
                                           content_type="text/csv", example_data=True))
        steps[step] = t
        if not res.accepted or res.version != version:
            print(f"  ({name}: {step} not accepted as version {version}: accepted={res.accepted}, "
                  f"version={res.version})\n{res.report.to_text('en')[:2000]}")
    texts, values = bound_queries(store)
    queries: dict[str, tuple[float | None, int]] = {}
    limit = args.query_timeout
    for qname, text in texts.items():
        try:  # warm-up, and the row count; a remote query over --query-timeout is reported, not repeated
            t, rows = timed(lambda: len(list(store.query(text, public_only=True, timeout=limit))))
        except StoreError:
            print(f"  ({name}: {qname} did not answer within {limit:.0f} s)", flush=True)
            queries[qname] = (None, -1)
            continue
        times = []
        for _ in range(args.repeat):
            t, res = timed(lambda: list(store.query(text, public_only=True, timeout=limit)))
            times.append(t)
        queries[qname] = (statistics.median(times), rows)
    print(f"  {name}: init {steps['init']:.1f} s, demo {total} offers {steps['demo']:.1f} s, "
          f"first {args.first} {steps['first']:.1f} s, resubmit {steps['resubmit']:.1f} s"
          + (f", server start {startup:.1f} s" if startup is not None else ""), flush=True)
    store.close()
    del ctx, store
    gc.collect()
    return {"steps": steps, "queries": queries, "values": values, "offers": total}


def warm_up(work: Path, args) -> None:
    """Untimed: reference data and a small submission on a throwaway embedded store, so the one-time costs of the
    process (imports, parsing the shapes and the template) do not land on the first backend."""
    store = open_store(work / "warm-up")
    ctx = Context(config.load({"store": "", "validate_workers": args.workers}), store=store)
    init_store(store)
    submit_file(ctx, first_csv(ctx, 20), "warm-up.csv", args.office, content_type="text/csv", example_data=True)
    bound_queries(store)
    store.close()
    del ctx, store
    gc.collect()
    shutil.rmtree(work / "warm-up", ignore_errors=True)


def versions() -> dict[str, str]:
    out = {"nproc": str(os.cpu_count()), "python": platform.python_version(),
           "platform": platform.platform(), "pyoxigraph": importlib.metadata.version("pyoxigraph"),
           "load average": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    ok, binary = oxigraph_available()
    if ok:
        r = subprocess.run([binary, "--version"], capture_output=True, text=True)
        out["oxigraph CLI"] = (r.stdout or r.stderr).strip()
    ok, binary = virtuoso_available()
    if ok:
        r = subprocess.run([binary, "-?"], capture_output=True, text=True)
        lines = (r.stdout + r.stderr).splitlines()
        out["virtuoso"] = " ".join(l.strip() for l in lines[:2] if l.strip()) or "?"
    else:
        out["virtuoso"] = f"not installed ({binary})"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--offers", type=int, default=2000, help="demo offers, one submission per office")
    ap.add_argument("--first", type=int, default=1000, help="offers of the first submission into a new office")
    ap.add_argument("--office", default="sp", help="the office without demo offers that gets that submission")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per query (after one warm-up)")
    ap.add_argument("--query-timeout", type=float, default=20.0,
                    help="seconds a remote query may take (the embedded store has no timeout)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1, help="validation processes (validate_workers)")
    ap.add_argument("--backends", nargs="+", choices=BACKENDS, default=BACKENDS)
    args = ap.parse_args()
    if "embedded" not in args.backends:
        args.backends.insert(0, "embedded")  # the reference of every ratio

    machine = versions()
    print("machine: " + "; ".join(f"{k} {v}" for k, v in machine.items()))
    print(f"{args.offers} demo offers (seed {args.seed}), first submission {args.first} offers into office "
          f"'{args.office}', {args.repeat} timed runs per query, validate_workers {args.workers}", flush=True)

    work = Path(tempfile.mkdtemp(prefix="sg-bench-remote-"))
    servers: list = []
    results: dict[str, dict] = {}
    skipped: dict[str, str] = {}
    t_all = time.perf_counter()
    try:
        warm_up(work, args)
        for name in args.backends:
            if name == "oxigraph-serve":
                ok, why = oxigraph_available()
            elif name == "virtuoso":
                ok, why = virtuoso_available()
            else:
                ok, why = True, ""
            if not ok:
                skipped[name] = why
                print(f"  {name}: skipped: {why}", flush=True)
                continue
            results[name] = run_backend(name, work, args, servers)
            for s in servers:
                s.stop()
    finally:
        for s in servers:
            try:
                s.stop()
            except Exception as exc:  # noqa: BLE001 (stop the others anyway)
                print(f"  (stopping {s.name}: {exc})")
        shutil.rmtree(work, ignore_errors=True)

    remotes = [b for b in args.backends if b != "embedded"]
    emb = results["embedded"]
    print(f"\nparameters: " + ", ".join(f"{k}={v}" for k, v in sorted(emb["values"].items())))
    head = "| query | rows | embedded ms |"
    rule = "|---|---:|---:|"
    for b in remotes:
        head += f" {b} ms | ratio |"
        rule += "---:|---:|"
    print("\n" + head + "\n" + rule)
    ratios: dict[str, list[float]] = {b: [] for b in remotes}
    for qname, (e_med, e_rows) in emb["queries"].items():
        line = f"| {qname} | {e_rows} | {e_med * 1000:.1f} |"
        marks = []
        for b in remotes:
            if b not in results or qname not in results[b]["queries"]:
                line += " - | - |"
                continue
            med, rows = results[b]["queries"][qname]
            if med is None:
                line += f" timeout (>{args.query_timeout:.0f} s) | >{args.query_timeout / e_med:.0f} |"
                ratios[b].append(args.query_timeout / e_med)  # a lower bound, counted as such in the median
                continue
            ratios[b].append(med / e_med)
            line += f" {med * 1000:.1f} | {med / e_med:.2f} |"
            if rows != e_rows:
                marks.append(f"{b}: {rows} rows")
        print(line + (f" ({'; '.join(marks)})" if marks else ""))
    labels = {"init": "init (reference data), s", "demo": f"demo load ({args.offers} offers), s",
              "first": f"first {args.first:,}-offer submission, s", "resubmit": "resubmission (same file), s"}
    for step, label in labels.items():
        e = emb["steps"][step]
        line = f"| {label} | | {e:.2f} |"
        for b in remotes:
            if b in results:
                v = results[b]["steps"][step]
                line += f" {v:.2f} | {v / e:.2f} |"
            else:
                line += " - | - |"
        print(line)
    line = "| median of the per-query ratios | | 1.00 |"
    for b in remotes:
        line += (f" | {statistics.median(ratios[b]):.2f} |" if ratios[b] else " - | - |")
    print(line)
    for b, why in skipped.items():
        print(f"\n{b} skipped: {why}")
    print(f"\n(total run {time.perf_counter() - t_all:.0f} s; load average at the end "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
