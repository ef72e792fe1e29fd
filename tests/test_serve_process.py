"""`sozialgraph serve` as a real process, the way `./run serve` starts it (gunicorn master + one gthread worker).

Regression test for a server that stopped after its first accepted submission: the gunicorn master had opened the
store before forking, so RocksDB's process-wide background threads (flush, compaction) lived in the master only;
in the forked worker every flush (the first SPARQL checkpoint, the second bulk load) waited for them forever, and
at exit the worker hung or died with SIGSEGV joining threads it never had.

Only the command line is used, through subprocesses (no imports from the package), so the test survives a
restructuring of the modules. Every request has a timeout: a hang fails the test instead of stalling it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests
from serve_helpers import ServeProcess, free_port, run

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
GOOD_CSV = ROOT / "tests" / "fixtures" / "capture" / "good.csv"
REQUEST_TIMEOUT = 30  # seconds; a submission or query here takes well under one second
ALLOWED = {201, 422, 503}
DCT_ID = "http://purl.org/dc/terms/identifier"


def _csv(prefix: str) -> bytes:
    """tests/fixtures/capture/good.csv (four valid offers) with every kennung made unique by ``prefix``."""
    text = GOOD_CSV.read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    out = [lines[0]] + [f"{prefix}{line}" for line in lines[1:] if line.strip()]
    return ("\n".join(out) + "\n").encode("utf-8")


def _kennungen(prefix: str) -> set[str]:
    text = GOOD_CSV.read_bytes().decode("utf-8-sig")
    return {prefix + line.split(";", 1)[0] for line in text.splitlines()[1:] if line.strip()}


def _submit(srv: ServeProcess, token: str, office: str, data: bytes) -> tuple[int, float]:
    t0 = time.monotonic()
    r = requests.post(f"{srv.base}/api/submissions", params={"office": office}, data=data,
                      headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
                      timeout=REQUEST_TIMEOUT)
    return r.status_code, time.monotonic() - t0


def _sparql(srv: ServeProcess, query: str) -> requests.Response:
    return requests.post(f"{srv.base}/sparql", data=query.encode("utf-8"),
                         headers={"Content-Type": "application/sparql-query",
                                  "Accept": "application/sparql-results+json"}, timeout=REQUEST_TIMEOUT)


def _identifiers(srv: ServeProcess, office: str) -> set[str]:
    """dcterms:identifier (the kennung) of the offers an office's public graph holds, over HTTP SPARQL."""
    r = _sparql(srv, f"SELECT ?k WHERE {{ GRAPH <https://w3id.org/sozialgraph/graph/office/{office}> "
                     f"{{ ?o <{DCT_ID}> ?k }} }}")
    assert r.status_code == 200, r.text
    return {b["k"]["value"] for b in r.json()["results"]["bindings"]}


@pytest.fixture
def server(tmp_path):
    store = tmp_path / "store"
    run(store, "init")
    tokens = {office: run(store, "token", "create", "--office", office).stdout.strip().splitlines()[-1]
              for office in ("50", "51")}
    srv = ServeProcess(store, free_port(), tmp_path / "serve.log")
    try:
        srv.wait_ready()
        yield srv, tokens
    finally:
        srv.kill()


def test_submissions_and_queries_never_hang_and_stop_is_clean(server):
    srv, tokens = server
    timings: dict[str, float] = {}
    assert _sparql(srv, "ASK {}").status_code == 200

    # queries running in threads during all three submissions
    stop = threading.Event()
    during: list[tuple[int | str, float]] = []

    def query_loop():
        while not stop.is_set() and len(during) < 200:
            t0 = time.monotonic()
            try:
                status: int | str = _sparql(srv, "ASK { ?s ?p ?o }").status_code
            except requests.RequestException as exc:  # a timeout is a hang
                status = type(exc).__name__
            during.append((status, time.monotonic() - t0))
            time.sleep(0.02)

    readers = [threading.Thread(target=query_loop, daemon=True) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        # 1 and 2: two offices at the same time (concurrent writers); 3: office 50 again, replacing its offers
        steps = [[("50", "A1-"), ("51", "B1-")], [("50", "A2-")]]
        expected: dict[str, set[str]] = {}
        for n, step in enumerate(steps, 1):
            results: dict[str, tuple[int | str, float]] = {}

            def one(office: str, prefix: str):
                try:
                    results[office] = _submit(srv, tokens[office], office, _csv(prefix))
                except requests.RequestException as exc:
                    results[office] = (type(exc).__name__, float(REQUEST_TIMEOUT))

            writers = [threading.Thread(target=one, args=s) for s in step]
            for t in writers:
                t.start()
            for t in writers:
                t.join(REQUEST_TIMEOUT + 5)
            for office, prefix in step:
                status, secs = results.get(office, ("no answer", 0.0))
                timings[f"step{n}-submit-{office}"] = secs
                assert status in ALLOWED, f"submission {prefix} of office {office}: {status}\n{srv.stderr()}"
                assert status == 201, f"a valid file was not accepted ({status})"
                expected[office] = _kennungen(prefix)
            # right after the 201s an HTTP query sees exactly the new offers of each office
            for office, ids in expected.items():
                t0 = time.monotonic()
                assert _identifiers(srv, office) == ids
                timings[f"step{n}-query-{office}"] = time.monotonic() - t0
    finally:
        stop.set()
        for t in readers:
            t.join(REQUEST_TIMEOUT + 5)

    assert during, "no query ran during the submissions"
    bad = [d for d in during if d[0] != 200 and d[0] not in ALLOWED]
    assert not bad, f"queries during submissions failed or hung: {bad[:5]}"
    timings["max-query-during"] = max(s for _, s in during)

    rc, secs = srv.stop()
    timings["stop"] = secs
    log = srv.stderr()
    print("timings (s):", {k: round(v, 2) for k, v in timings.items()}, f"queries during: {len(during)}")
    assert rc is not None, f"server did not stop within 30 s after SIGTERM:\n{log}"
    assert "SIGSEGV" not in log, log
    assert "SIGKILL" not in log, log
    assert rc == 0, f"exit status {rc} after SIGTERM:\n{log}"
    assert secs < 10, f"stop took {secs:.1f} s (graceful_timeout is 10 s: the worker hung at exit)\n{log}"
