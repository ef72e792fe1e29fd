"""A bounded loopback load test of `sozialgraph serve`: cheap requests keep answering while expensive queries hit
the time limit, submissions go through, nothing answers 5xx but the 503 of the time limit, and the server recovers.

    .venv/bin/python bench/bench_load_test.py                       # 300 demo offers, 20 s of load
    .venv/bin/python bench/bench_load_test.py --offers 1000 --seconds 60 --cheap-clients 6

Setup (a fresh store in a temporary directory): `sozialgraph init`, `sozialgraph demo --offers N`, one upload
token from `sozialgraph token create --office 50`; then `sozialgraph serve --no-demo` on a free port of 127.0.0.1
with SOZIALGRAPH_QUERY_TIMEOUT (default 3 s). Load, all at once for --seconds: --cheap-clients threads cycling
through cheap requests (ASK, a small SELECT, /api/angebote, the page /angebote), --expensive-clients threads
sending cross products that run into the time limit, and --submissions real submissions (the capture fixture
good.csv, office 50) spread over the run. Printed: requests served, status counts, p50/p95 latency of the cheap
requests while expensive ones ran, 5xx counts (503 of expensive queries = the time limit, expected; any other
5xx is a failure), RSS of the server's processes (from /proc/PID/status), and a recovery check after the load.
Exit code 1 if a cheap request failed, an unexpected 5xx occurred, or the server did not recover.
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
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GOOD_CSV = ROOT / "tests" / "fixtures" / "capture" / "good.csv"
JSON = {"Accept": "application/sparql-results+json"}
CHEAP = [
    ("ASK", "/sparql", {"query": "ASK { ?s a <https://w3id.org/sozialgraph/ontology#Angebot> }"}),
    ("SELECT", "/sparql", {"query": "SELECT ?s ?n WHERE { ?s <https://schema.org/name> ?n } LIMIT 10"}),
    ("api/angebote", "/api/angebote", {"zielgruppe": "Senioren", "pro_seite": "10"}),
    ("angebote", "/angebote", {"stadtteil": "Deutz"}),
]
NUMS = " ".join(str(i) for i in range(300))
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{i} {{ {NUMS} }}" for i in range(6)) + " }"
TRIPLES3 = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sg(store: Path, *args: str, env=None) -> str:
    r = subprocess.run([str(BIN / "sozialgraph"), "--store", str(store), *args], capture_output=True, text=True,
                       env=env, check=False)
    if r.returncode:
        raise SystemExit(f"sozialgraph {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")
    return r.stdout


def descendants(pid: int) -> list[int]:
    """pid and every process below it (from /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def server_rss(pid: int) -> tuple[int, int]:
    """(total RSS in KiB of the server's processes, number of processes)."""
    procs = descendants(pid)
    return sum(rss_kib(p) for p in procs), len(procs)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


class Load:
    def __init__(self, base: str):
        self.base = base
        self.lock = threading.Lock()
        self.status: Counter[str] = Counter()
        self.cheap_ms: list[float] = []
        self.cheap_failures: list[str] = []
        self.unexpected_5xx: list[str] = []
        self.expensive_running = 0
        self.stop = threading.Event()

    def record(self, kind: str, code: int, ms: float | None = None, what: str = "") -> None:
        with self.lock:
            self.status[f"{kind} {code}"] += 1
            if ms is not None and self.expensive_running:
                self.cheap_ms.append(ms)
            if code >= 500 and not (kind == "expensive" and code == 503):
                self.unexpected_5xx.append(f"{kind} {what}: {code}")
            if kind == "cheap" and code != 200:
                self.cheap_failures.append(f"{what}: {code}")

    def cheap(self) -> None:
        s = requests.Session()
        i = 0
        while not self.stop.is_set():
            name, path, params = CHEAP[i % len(CHEAP)]
            i += 1
            t0 = time.perf_counter()
            try:
                r = s.get(self.base + path, params=params, headers=JSON if path == "/sparql" else {}, timeout=60)
                code = r.status_code
            except requests.RequestException as exc:
                code, name = 599, f"{name} ({type(exc).__name__})"
            self.record("cheap", code, (time.perf_counter() - t0) * 1000, name)

    def expensive(self) -> None:
        s = requests.Session()
        i = 0
        while not self.stop.is_set():
            q = (CROSS, TRIPLES3)[i % 2]
            i += 1
            with self.lock:
                self.expensive_running += 1
            try:
                r = s.get(self.base + "/sparql", params={"query": q}, headers=JSON, timeout=120)
                code = r.status_code
            except requests.RequestException:
                code = 599
            finally:
                with self.lock:
                    self.expensive_running -= 1
            self.record("expensive", code, what=q[:30])

    def submit(self, token: str, n: int, seconds: float) -> None:
        data = GOOD_CSV.read_bytes()
        for k in range(n):
            if self.stop.wait(seconds / (n + 1)):
                return
            try:
                r = requests.post(self.base + "/api/submissions", params={"office": "50", "filename": "good.csv"},
                                  data=data, headers={"Authorization": f"Bearer {token}",
                                                      "Content-Type": "text/csv"}, timeout=300)
                code = r.status_code
            except requests.RequestException:
                code = 599
            self.record("submission", code, what=f"#{k + 1}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--offers", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--cheap-clients", type=int, default=4)
    ap.add_argument("--expensive-clients", type=int, default=2)
    ap.add_argument("--submissions", type=int, default=3)
    ap.add_argument("--query-timeout", type=float, default=3)
    ap.add_argument("--keep", action="store_true", help="Keep the temporary store.")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sg-load-"))
    store = work / "store"
    t0 = time.perf_counter()
    sg(store, "init")
    sg(store, "demo", "--offers", str(args.offers))
    token = sg(store, "token", "create", "--office", "50").strip().splitlines()[0]
    print(f"setup: init + demo --offers {args.offers} + token in {time.perf_counter() - t0:.1f} s")

    port = free_port()
    env = {**os.environ, "SOZIALGRAPH_QUERY_TIMEOUT": str(args.query_timeout), "SOZIALGRAPH_PORT": str(port),
           "SOZIALGRAPH_HOST": "127.0.0.1"}
    log = open(work / "server.log", "wb")
    proc = subprocess.Popen([str(BIN / "sozialgraph"), "--store", str(store), "serve", "--no-demo"],
                            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"server exited ({proc.returncode}): {(work / 'server.log').read_text()[-2000:]}")
            try:
                if requests.get(base + "/sparql", params={"query": "ASK {}"}, headers=JSON, timeout=30).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not come up")
            time.sleep(0.3)
        rss0, nproc0 = server_rss(proc.pid)
        print(f"server up on {base} (pid {proc.pid}, {nproc0} processes, RSS {rss0 / 1024:.0f} MiB)")

        # baseline latency of the cheap requests, nothing else running
        base_ms = []
        for _ in range(3):
            for _, path, params in CHEAP:
                t = time.perf_counter()
                requests.get(base + path, params=params, headers=JSON if path == "/sparql" else {}, timeout=60)
                base_ms.append((time.perf_counter() - t) * 1000)

        load = Load(base)
        threads = [threading.Thread(target=load.expensive, daemon=True) for _ in range(args.expensive_clients)]
        threads += [threading.Thread(target=load.cheap, daemon=True) for _ in range(args.cheap_clients)]
        threads.append(threading.Thread(target=load.submit, args=(token, args.submissions, args.seconds),
                                        daemon=True))
        peak = [0, 0]

        def sample():
            while not load.stop.wait(1):
                r, n = server_rss(proc.pid)
                if r > peak[0]:
                    peak[:] = [r, n]

        threads.append(threading.Thread(target=sample, daemon=True))
        t_load = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        load.stop.set()
        for t in threads:
            t.join(180)
        secs = time.perf_counter() - t_load
        rss1, nproc1 = server_rss(proc.pid)

        # recovery: cheap requests alone again, and one expensive query still bounded
        rec_ms, rec_codes = [], Counter()
        for _ in range(3):
            for _, path, params in CHEAP:
                t = time.perf_counter()
                r = requests.get(base + path, params=params, headers=JSON if path == "/sparql" else {}, timeout=60)
                rec_ms.append((time.perf_counter() - t) * 1000)
                rec_codes[r.status_code] += 1
        t = time.perf_counter()
        again = requests.get(base + "/sparql", params={"query": CROSS}, headers=JSON, timeout=120).status_code
        again_s = time.perf_counter() - t

        total = sum(load.status.values())
        print(f"load: {secs:.1f} s, {args.cheap_clients} cheap + {args.expensive_clients} expensive clients, "
              f"{args.submissions} submissions, query timeout {args.query_timeout:g} s")
        print(f"requests served: {total} ({total / secs:.1f}/s)")
        for k, v in sorted(load.status.items()):
            print(f"  {k:22} {v}")
        print(f"cheap latency alone:                 p50 {pct(base_ms, .5):7.1f} ms  p95 {pct(base_ms, .95):7.1f} ms")
        print(f"cheap latency while expensive ran:   p50 {pct(load.cheap_ms, .5):7.1f} ms  "
              f"p95 {pct(load.cheap_ms, .95):7.1f} ms  (n={len(load.cheap_ms)})")
        print(f"cheap latency after (recovery):      p50 {pct(rec_ms, .5):7.1f} ms  p95 {pct(rec_ms, .95):7.1f} ms")
        n503 = sum(v for k, v in load.status.items() if k == "expensive 503")
        print(f"5xx: {n503} x 503 time limit (expensive, expected), {len(load.unexpected_5xx)} unexpected"
              + (f": {load.unexpected_5xx[:5]}" if load.unexpected_5xx else ""))
        print(f"server RSS: before {rss0 / 1024:.0f} MiB ({nproc0} processes), peak {peak[0] / 1024:.0f} MiB "
              f"({peak[1]} processes), after {rss1 / 1024:.0f} MiB ({nproc1} processes)")
        recovered = set(rec_codes) == {200} and again == 503 and proc.poll() is None
        print(f"recovered: {'yes' if recovered else 'NO'} (cheap after load: {dict(rec_codes)}; an expensive query "
              f"again: {again} after {again_s:.1f} s)")
        ok = recovered and not load.unexpected_5xx and not load.cheap_failures
        if load.cheap_failures:
            print(f"cheap failures: {load.cheap_failures[:10]}")
        sys.exit(0 if ok else 1)
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")


if __name__ == "__main__":
    main()
