"""Set semantics of the public default graph on demo data, on every backend: COUNT(*) over the default graph at
the endpoint = distinct public triples = triples of the published N-Triples dump = VoID's figure; a provider's
DESCRIBE holds each triple once; counting providers gives the number of providers."""

from __future__ import annotations

import gzip
import io
import json

import pyoxigraph as ox
import pytest
from capture_helpers import ctx_for

from sozialgraph import namespaces as ns
from sozialgraph.capture.demo import load_demo
from sozialgraph.publish.release import write_release
from sozialgraph.web import create_app

SG = ns.SG


@pytest.fixture
def demo(backend_store):
    ctx = ctx_for(backend_store)
    load_demo(ctx, 160, seed=3, echo=lambda *_: None)
    app = create_app({"store": str(backend_store.path or ""), "query_workers": 0}, context=ctx)
    return ctx, app.test_client()


def select(client, query: str) -> list[dict]:
    r = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["results"]["bindings"]


def distinct_public_triples(store) -> set[bytes]:
    lines: set[bytes] = set()
    for g in store.public_graphs():
        lines |= {line for line in store.graph_ntriples(g).splitlines() if line.strip()}
    return lines


@pytest.mark.slow
def test_default_graph_counts_agree(demo, tmp_path):
    ctx, client = demo
    store = ctx.store
    expected = len(distinct_public_triples(store))
    per_graph_sum = sum(store.count(g) for g in store.public_graphs())
    assert per_graph_sum > expected, "the demo data must share triples between graphs for this test to mean anything"
    n = int(select(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]["value"])
    assert n == expected
    release = write_release(ctx, tmp_path / "release", "https://daten.example/sg", progress=False)
    with gzip.open(release.path / "sozialgraph.nt.gz", "rb") as fh:
        dumped = [line for line in fh.read().splitlines() if line.strip()]
    assert len(dumped) == len(set(dumped)) == expected
    void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    ds = ox.NamedNode("http://localhost/.well-known/void#sozialgraph")
    figures = [t.object.value for t in ox.parse(void.data, ox.RdfFormat.N_TRIPLES)
               if t.subject == ds and t.predicate.value == "http://rdfs.org/ns/void#triples"]
    assert figures == [str(expected)]


@pytest.mark.slow
def test_providers_counted_once_and_described_once(demo):
    ctx, client = demo
    providers = {r["p"].value for g in ctx.store.public_graphs()
                 for r in ctx.store.select(f"SELECT DISTINCT ?p WHERE {{ GRAPH <{g}> {{ ?p a <{SG}Provider> }} }}",
                                           default_graph=[], named_graphs=[g])}
    shared = [p for p in providers
              if sum(1 for g in ctx.store.public_graphs() if ctx.store.ask(
                  f"ASK {{ GRAPH <{g}> {{ <{p}> a <{SG}Provider> }} }}", default_graph=[], named_graphs=[g])) > 1]
    assert shared, "some provider must be stated by several offices"
    rows = select(client, f"SELECT (COUNT(?p) AS ?n) WHERE {{ ?p a <{SG}Provider> }}")
    assert int(rows[0]["n"]["value"]) == len(providers)
    r = client.post("/sparql", data={"query": f"DESCRIBE <{shared[0]}>"}, headers={"Accept": "application/n-triples"})
    lines = [line for line in r.data.splitlines() if line.strip()]
    assert lines and len(lines) == len(set(lines))
