"""Bounds of the public endpoint over real HTTP: the time limit (worker killed, CPU freed, others answered),
the row cap, the limit on queries at once, and workers following writes through checkpoints."""

from __future__ import annotations

import os
import threading
import time

import pyoxigraph as ox
import pytest
import requests

from sozialgraph import config
from sozialgraph import namespaces as ns
from sozialgraph.context import Context
from sparql_support import serving

NUMS = " ".join(str(i) for i in range(200))
CROSS = ("SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{i} {{ {NUMS} }}" for i in range(6)) + " }")
CLOSURE = "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:x:p>|!<urn:x:p>)* ?b . ?b (<urn:x:p>|!<urn:x:p>)* ?c }"
QUICK = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/sozialgraph/ontology#Borough> }"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie has freed its CPU and memory
        return fh.read().split()[2] != "Z"


@pytest.fixture(scope="module")
def limited(ref_ctx):
    with serving(ref_ctx, query_timeout=2, query_workers=2, queue_timeout=1, max_rows=50) as srv:
        yield srv


@pytest.mark.slow
@pytest.mark.parametrize("query", [CROSS, CLOSURE], ids=["values-cross-product", "path-closure"])
def test_runaway_query_is_cut_while_another_client_is_answered(limited, query):
    from sozialgraph.web.views.sparql import get_pool

    out = {}

    def runaway():
        t0 = time.monotonic()
        out["resp"] = requests.get(limited.url + "/sparql", params={"query": query}, timeout=60)
        out["secs"] = time.monotonic() - t0

    th = threading.Thread(target=runaway)
    th.start()
    time.sleep(0.5)
    pool = get_pool(limited.app)
    busy_pids = {s.proc.pid for s in pool._slots}
    # a second client gets its answer while the runaway query runs
    r = requests.get(limited.url + "/sparql", params={"query": QUICK}, timeout=60)
    assert r.status_code == 200 and r.json()["results"]["bindings"][0]["n"]["value"] == "9"
    assert th.is_alive()  # the runaway query is still running
    th.join(60)
    resp = out["resp"]
    assert resp.status_code == 503
    body = resp.json()
    assert "query_timeout" in body["error_en"] and "2 s" in body["error_de"]
    assert resp.headers["Content-Type"].startswith("application/json")
    # the worker that ran it is gone (its CPU freed) and a replacement serves queries
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in busy_pids - {s.proc.pid for s in pool._slots}) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool.killed >= 1
    assert not any(_alive(p) for p in busy_pids - {s.proc.pid for s in pool._slots})
    r = requests.get(limited.url + "/sparql", params={"query": QUICK}, timeout=60)
    assert r.status_code == 200


@pytest.mark.slow
def test_cheap_queries_answered_while_expensive_ones_fill_the_workers(ref_ctx):
    """Two runaway queries hold both general workers; a cheap query is still answered, in normal time, by the
    fast lane; a third expensive query finds no general worker and gets 503 with Retry-After (queue limit)."""
    with serving(ref_ctx, query_timeout=6, query_workers=2, queue_timeout=0.5) as srv:
        _cheap_while_expensive(srv)


def _cheap_while_expensive(limited):
    from sozialgraph.web.views.sparql import get_pool

    results = []

    def runaway():
        results.append(requests.get(limited.url + "/sparql", params={"query": CROSS}, timeout=60))

    threads = [threading.Thread(target=runaway) for _ in range(2)]
    threads[0].start()
    deadline = time.monotonic() + 20
    while get_pool(limited.app).promoted < 1:  # past its second in the fast lane: on to a general worker
        assert time.monotonic() < deadline, "the first runaway query never left the fast lane"
        time.sleep(0.05)
    threads[1].start()  # the same text: known slow, straight to the other general worker
    time.sleep(0.5)
    t0 = time.monotonic()
    r = requests.get(limited.url + "/sparql", params={"query": QUICK}, timeout=60)
    assert r.status_code == 200 and r.json()["results"]["bindings"][0]["n"]["value"] == "9"
    assert time.monotonic() - t0 < 3.0  # not queued behind the runaways (they hold their workers for 6 s)
    third = requests.get(limited.url + "/sparql", params={"query": CROSS}, timeout=60)
    assert third.status_code == 503
    assert "query_workers" in third.json()["error_en"] and third.headers["Retry-After"]
    for t in threads:
        t.join(60)
    assert [x.status_code for x in results] == [503, 503]
    # the first moved on from the fast lane; the same text again skips it (known slow), so the fast lane stays free
    assert get_pool(limited.app).promoted == 1


def test_row_cap_is_reported_never_truncated(limited):
    q = "SELECT ?q WHERE { ?q a <https://w3id.org/sozialgraph/ontology#Quarter> }"
    r = requests.get(limited.url + "/sparql", params={"query": q}, timeout=60)
    assert r.status_code == 422
    assert r.headers["X-Max-Rows"] == "50"
    assert "max_rows" in r.json()["error_en"] and "50" in r.json()["error_de"]
    r = requests.get(limited.url + "/sparql", params={"query": q + " LIMIT 50"}, timeout=60)
    assert r.status_code == 200 and r.headers["X-Result-Rows"] == "50"
    assert len(r.json()["results"]["bindings"]) == 50
    c = "CONSTRUCT WHERE { ?q a <https://w3id.org/sozialgraph/ontology#Quarter> }"
    r = requests.get(limited.url + "/sparql", params={"query": c}, timeout=60)
    assert r.status_code == 422


@pytest.mark.slow
def test_workers_follow_writes_and_old_checkpoints_go(fresh_store):
    from sozialgraph.web.views.sparql import get_pool

    ctx = Context(config.load({"store": str(fresh_store.path)}), store=fresh_store)
    q = "SELECT ?o WHERE { <urn:x:s> <urn:x:p> ?o }"
    with serving(ctx, query_workers=1) as srv:
        assert requests.get(srv.url + "/sparql", params={"query": q, "format": "tsv"}, timeout=60).text == "?o\n"
        pool = get_pool(srv.app)
        first = pool.checkpoints()
        for i in range(3):
            fresh_store.replace_graph(ns.office_graph("99"), [ox.Triple(ox.NamedNode("urn:x:s"),
                                                                        ox.NamedNode("urn:x:p"), ox.Literal(str(i)))])
            r = requests.get(srv.url + "/sparql", params={"query": q, "format": "tsv"}, timeout=60)
            assert r.text == f'?o\n"{i}"\n'
        time.sleep(0.3)  # the background refresh after the last write
        left = pool.checkpoints()
        assert len(left) <= 2 and not set(first) & set(left)
        assert all(os.path.isdir(p) for p in left)
        root = pool.root
    assert not root.exists()  # closing the pool removes its checkpoints
