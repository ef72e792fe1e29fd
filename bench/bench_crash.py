"""Kill `sozialgraph submit` with SIGKILL at random moments and check the store after each crash.

After every kill the store must open, and: the office graph equals the public graph of its latest accepted version
(no half-written version is current), versions are numbered 1..n without gaps, and the public default graph is
exactly the merge of the public graphs. Prints kills, crashes survived, versions accepted, and the timings.

    .venv/bin/python bench/bench_crash.py --kills 50 --offers 1500
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sozialgraph import config, namespaces as ns  # noqa: E402
from sozialgraph.capture.demo import office_csvs  # noqa: E402
from sozialgraph.capture.submissions import history  # noqa: E402
from sozialgraph.context import Context  # noqa: E402
from sozialgraph.reference import init_store  # noqa: E402
from sozialgraph.store.base import MERGED  # noqa: E402
from sozialgraph.store.oxigraph import open_store  # noqa: E402


def sozialgraph() -> list[str]:
    script = Path(sys.executable).with_name("sozialgraph")
    return [str(script)] if script.is_file() else [sys.executable, "-c", "from sozialgraph.cli import main; main()"]


def check(store_path: Path, office: str) -> tuple[bool, str, int]:
    """(consistent, why not, accepted versions) of the store after a crash."""
    store = open_store(store_path)
    try:
        ctx = Context(config.load({"store": str(store_path)}), store=store)
        rows = history(ctx, office)
        numbers = sorted(r["version"] for r in rows)
        if numbers != list(range(1, len(numbers) + 1)):
            return False, f"version numbers {numbers}", len(numbers)
        if numbers:
            current = store.graph_ntriples(ns.office_graph(office))
            latest = store.graph_ntriples(ns.version_graph(office, numbers[-1], "public"))
            if set(current.splitlines()) != set(latest.splitlines()):
                return False, f"office graph differs from version {numbers[-1]}", len(numbers)
        merged: set[bytes] = set()
        for g in store.public_graphs():
            merged |= set(store.graph_ntriples(g).splitlines())
        if merged != set(store.graph_ntriples(MERGED).splitlines()):
            return False, "public default graph differs from the merge of the public graphs", len(numbers)
        return True, "", len(numbers)
    finally:
        store.close()


def run(kills: int, offers: int, seed: int) -> dict:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store_path = tmp / "store"
        store = open_store(store_path)
        init_store(store)
        ctx = Context(config.load({"store": str(store_path)}), store=store)
        office, data, count = max(office_csvs(ctx, offers, seed), key=lambda t: t[2])
        store.close()
        files = []
        for i in range(2):  # two different files, so that a resubmission really changes the office's graph
            f = tmp / f"angebote-{i}.csv"
            lines = data.decode("utf-8").splitlines(keepends=True)
            f.write_text("".join(lines[:1] + lines[1:][: len(lines) - 1 - i * 10]), encoding="utf-8")
            files.append(f)
        cmd = sozialgraph() + ["--store", str(store_path)]
        t0 = time.perf_counter()
        done = subprocess.run(cmd + ["submit", str(files[0]), "--office", office], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(done.stdout + done.stderr)
        t0 = time.perf_counter()  # the kills interrupt resubmissions: their duration sets the window of delays
        done = subprocess.run(cmd + ["submit", str(files[1]), "--office", office], capture_output=True, text=True)
        full = time.perf_counter() - t0
        survived, failures, killed_before_end, accepted_after = 0, [], 0, []
        for k in range(kills):
            delay = rng.uniform(0.2, full * 1.1)
            proc = subprocess.Popen(cmd + ["submit", str(files[(k + 1) % 2]), "--office", office],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(delay)
            if proc.poll() is None:
                killed_before_end += 1
            elif proc.returncode != 0:
                raise SystemExit(f"submit failed before the kill: {proc.stderr.read().decode()[-500:]}")
            proc.kill()
            proc.wait()
            proc.stderr.close()
            ok, why, versions = check(store_path, office)
            accepted_after.append(versions)
            if ok:
                survived += 1
            else:
                failures.append(f"kill {k + 1} after {delay:.2f} s: {why}")
        return {"office": office, "offers": count, "submit_seconds": full, "kills": kills,
                "killed_mid_submission": killed_before_end, "survived": survived, "failures": failures,
                "versions_at_end": accepted_after[-1] if accepted_after else 2}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--offers", type=int, default=1500, help="demo offers generated; the biggest office's are used")
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    r = run(a.kills, a.offers, a.seed)
    print(f"office {r['office']}: {r['offers']} offers, one uninterrupted resubmission (process start to exit) "
          f"{r['submit_seconds']:.1f} s")
    print(f"kills: {r['kills']} (during a submission: {r['killed_mid_submission']}); consistent after the kill: "
          f"{r['survived']} of {r['kills']}; accepted versions at the end: {r['versions_at_end']}")
    for f in r["failures"]:
        print("  FAILED:", f)
    print(f"kill delays drawn uniformly from 0.2 .. {r['submit_seconds'] * 1.1:.1f} s")


if __name__ == "__main__":
    main()
