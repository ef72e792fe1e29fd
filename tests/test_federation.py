"""Federation: a query at one sozialgraph instance with SERVICE against a second one (a neighbouring city), both
real servers on 127.0.0.1. SERVICE is allowed only to endpoints named in the setting federation_allow."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from sozialgraph import config
from sozialgraph import namespaces as ns
from sozialgraph.context import Context
from sozialgraph.store.oxigraph import open_store
from sparql_support import serving

NEIGHBOUR = "https://w3id.org/sozialgraph-bonn/id/"
SG = ns.SG


@pytest.fixture(scope="module")
def neighbour(tmp_path_factory):
    """A second instance (Bonn) with one offer for Senioren (target group from the shared vocabulary)."""
    path = tmp_path_factory.mktemp("bonn") / "store"
    store = open_store(path)
    o = ox.NamedNode(NEIGHBOUR + "angebot/1")
    g = ns.office_graph("bonn-50")
    store.replace_graph(g, [
        ox.Triple(o, ox.NamedNode(ns.PREFIXES["rdf"] + "type"), ox.NamedNode(SG + "Offer")),
        ox.Triple(o, ox.NamedNode(ns.PREFIXES["rdfs"] + "label"), ox.Literal("Seniorentreff Beuel", language="de")),
        ox.Triple(o, ox.NamedNode(SG + "targetGroup"), ox.NamedNode(ns.ID + "zielgruppe/senioren")),
    ])
    ctx = Context(config.load({"store": str(path)}), store=store)
    with serving(ctx) as srv:
        yield srv


@pytest.fixture(scope="module")
def cologne(ref_ctx, neighbour):
    with serving(ref_ctx, federation_allow=neighbour.url + "/sparql") as srv:
        yield srv


FED = """PREFIX sg: <https://w3id.org/sozialgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?gruppe ?angebot ?name WHERE {
  ?gruppe skos:prefLabel "Senioren"@de .
  SERVICE <%s> { ?angebot a sg:Offer ; sg:targetGroup ?gruppe ; rdfs:label ?name }
}"""


@pytest.mark.slow
def test_service_query_across_two_instances(cologne, neighbour):
    r = requests.get(cologne.url + "/sparql", params={"query": FED % (neighbour.url + "/sparql")}, timeout=60)
    assert r.status_code == 200, r.text
    rows = r.json()["results"]["bindings"]
    assert [(b["angebot"]["value"], b["name"]["value"]) for b in rows] == [(NEIGHBOUR + "angebot/1",
                                                                           "Seniorentreff Beuel")]
    assert rows[0]["gruppe"]["value"] == ns.ID + "zielgruppe/senioren"  # joined with Cologne's vocabulary


def test_service_elsewhere_is_refused(cologne):
    for target in ("http://127.0.0.1:9/sparql", "?endpoint"):
        t = target if target.startswith("?") else f"<{target}>"
        q = f"SELECT * WHERE {{ SERVICE {t} {{ ?s ?p ?o }} }}"
        r = requests.get(cologne.url + "/sparql", params={"query": q}, timeout=60)
        assert r.status_code == 403 and "federation_allow" in r.json()["error_en"]
