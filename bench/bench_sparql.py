"""SPARQL endpoint latency and throughput: sozialgraph (gunicorn, every safeguard on) next to the native Oxigraph
server on the same data, in the same run.

    .venv/bin/python bench/bench_sparql.py                        # 10k and 100k demo offers
    .venv/bin/python bench/bench_sparql.py --sizes 10000 --requests 30 --clients 4

For each size: reference data + N demo offers (sozialgraph.demo.add_demo_graph, seed 1) in a fresh store, served
by `sozialgraph serve` (gunicorn, one process owning the store, query workers with time limit, row cap, queue and
checkpoints switched on); the public graphs are dumped as N-Quads and loaded into `oxigraph serve
--union-default-graph` (PyPI package `oxigraph`). Both get the identical query text: each saved query with its
parameters bound in its VALUES lines (SavedQuery.render), asking for SPARQL JSON. Printed: median and
p95 latency of sequential requests per query, and throughput (requests/s) with --clients concurrent clients
cycling through all queries; the ratio column is sozialgraph / native. A query whose result exceeds the row cap
(max_rows, 10000; sozialgraph answers 422) is sent to both servers with LIMIT 10000 appended.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sozialgraph import config, namespaces as ns  # noqa: E402
from sozialgraph.context import Context  # noqa: E402
from sozialgraph.capture.demo import add_demo_graph  # noqa: E402
from sozialgraph.sparql.saved import list_queries  # noqa: E402
from sozialgraph.reference import init_store  # noqa: E402
from sozialgraph.store.oxigraph import open_store  # noqa: E402

BIN = Path(sys.executable).parent
PARAMS = {"zielgruppe": "Senioren", "stadtteil": "Deutz", "amt": "Amt für Soziales, Arbeit und Senioren",
          "ziel": "Z1"}
JSON = {"Accept": "application/sparql-results+json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, secs: float = 300) -> None:
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.returncode}")
        try:
            requests.get(url, params={"query": "ASK {}"}, headers=JSON, timeout=60)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def build(work: Path, n: int) -> tuple[Path, Path, dict[str, str]]:
    """Store with reference data + n offers, an N-Quads dump of its public graphs, and the bound query texts."""
    store_dir = work / f"store-{n}"
    store = open_store(store_dir)
    init_store(store)
    ctx = Context(config.load({"store": str(store_dir)}), store=store)
    add_demo_graph(ctx, n, 1, graph=ns.office_graph("bench"), bulk=True, workdir=work)
    store.optimize()
    resolver = ctx.resolver()
    texts = {}
    for q in list_queries():
        values = {p.name: PARAMS[p.name] for p in q.params if p.required}
        texts[q.name] = q.render(q.bind(values, resolver))
    dump = work / f"public-{n}.nq"
    with open(dump, "wb") as fh:
        store.dump(fh, "nq", public_only=True)
    store.flush()
    del store, ctx, resolver
    import gc

    gc.collect()
    return store_dir, dump, texts


def latency(url: str, text: str, repeat: int) -> tuple[float, float, int]:
    s = requests.Session()
    r = s.post(url, data={"query": text}, headers=JSON, timeout=120)  # warm-up, and the row count
    r.raise_for_status()
    rows = len(r.json()["results"]["bindings"])
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = s.post(url, data={"query": text}, headers=JSON, timeout=120)
        r.content
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.text[:300]
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))], rows


def throughput(url: str, texts: list[str], clients: int, per_client: int) -> float:
    errors = []

    def client(k: int) -> None:
        s = requests.Session()
        for i in range(per_client):
            r = s.post(url, data={"query": texts[(i + k) % len(texts)]}, headers=JSON, timeout=300)
            if r.status_code != 200:
                errors.append(r.status_code)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.perf_counter() - t0
    if errors:
        print(f"    ({len(errors)} errors: {sorted(set(errors))})")
    return clients * per_client / secs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--requests", type=int, default=20, help="sequential requests per query for the latency")
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients for the throughput")
    ap.add_argument("--per-client", type=int, default=15, help="requests per client for the throughput")
    ap.add_argument("--query-workers", type=int, default=2)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sg-bench-sparql-"))
    procs: list[subprocess.Popen] = []
    try:
        for n in args.sizes:
            t0 = time.perf_counter()
            store_dir, dump, texts = build(work, n)
            print(f"\n== {n} offers (data built in {time.perf_counter() - t0:.0f} s) ==", flush=True)
            native_dir = work / f"native-{n}"
            subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(native_dir), "--file", str(dump)],
                           check=True, capture_output=True)
            subprocess.run([str(BIN / "oxigraph"), "optimize", "--location", str(native_dir)], check=True,
                           capture_output=True)
            p1, p2 = free_port(), free_port()
            env = {**os.environ, "SOZIALGRAPH_QUERY_WORKERS": str(args.query_workers)}
            sg = subprocess.Popen([str(BIN / "sozialgraph"), "--store", str(store_dir), "serve", "--no-demo",
                                   "--port", str(p1), "--threads", "8"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            nat = subprocess.Popen([str(BIN / "oxigraph"), "serve", "--location", str(native_dir), "--bind",
                                    f"127.0.0.1:{p2}", "--union-default-graph"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs += [sg, nat]
            sg_url, nat_url = f"http://127.0.0.1:{p1}/sparql", f"http://127.0.0.1:{p2}/query"
            wait_up(sg_url, sg)
            wait_up(nat_url, nat)
            print(f"{'query':38} {'rows':>6} {'sg med ms':>10} {'native med':>10} {'ratio':>6} "
                  f"{'sg p95 ms':>10} {'native p95':>10} {'ratio':>6}")
            ratios = []
            for name, text in list(texts.items()):
                probe = requests.post(sg_url, data={"query": text}, headers=JSON, timeout=300)
                if probe.status_code == 422:  # more rows than max_rows: both servers get the query with LIMIT
                    text = texts[name] = text.rstrip() + "\nLIMIT 10000\n"
                    name += " (LIMIT 10000)"
                sm, sp, rows = latency(sg_url, text, args.requests)
                nm, np_, nrows = latency(nat_url, text, args.requests)
                assert rows == nrows, (name, rows, nrows)
                ratios.append(sm / nm)
                print(f"{name:38} {rows:>6} {sm * 1000:>10.1f} {nm * 1000:>10.1f} {sm / nm:>6.2f} "
                      f"{sp * 1000:>10.1f} {np_ * 1000:>10.1f} {sp / np_:>6.2f}", flush=True)
            print(f"median latency ratio over the queries: {statistics.median(ratios):.2f} "
                  f"(range {min(ratios):.2f}-{max(ratios):.2f})")
            tl = list(texts.values())
            ts = throughput(sg_url, tl, args.clients, args.per_client)
            tn = throughput(nat_url, tl, args.clients, args.per_client)
            print(f"throughput, {args.clients} clients: sozialgraph {ts:.1f} req/s, native {tn:.1f} req/s, "
                  f"ratio {ts / tn:.2f}", flush=True)
            for p in (sg, nat):
                p.terminate()
                p.wait(30)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
