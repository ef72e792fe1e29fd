"""The store interface on every backend: atomic changes, the public default graph as a set, public/private
separation, round trips of terms, dumps, the change counter; embedded only: locking and checkpoints."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from conftest import xfail_on

from sozialgraph import namespaces as ns
from sozialgraph.errors import StoreLockedError
from sozialgraph.store.base import MERGED, Change
from sozialgraph.store.oxigraph import OxigraphStore, open_store

EX = "http://example.org/"
G1, G2, GP = ns.GRAPH + "test/1", ns.GRAPH + "test/2", ns.G_PRIVATE + "test/secret"


def t(s, o, p="p"):
    return ox.Triple(ox.NamedNode(EX + s), ox.NamedNode(EX + p), ox.Literal(o))


def values(store, graph):
    return sorted(tr.object.value for tr in store.triples(graph))


def merged(store):
    return {str(tr) for tr in store.triples(MERGED) if tr.subject.value.startswith(EX)}


def test_apply_replaces_several_graphs_and_writes_only_the_difference(backend_store):
    store = backend_store
    store.replace_graphs({G1: [t("a", "old1"), t("keep", "k")], G2: [t("b", "old2")]})
    store.replace_graphs({G1: [t("a", "new1"), t("keep", "k")], G2: []})
    assert values(store, G1) == ["k", "new1"]
    assert values(store, G2) == [] and G2 not in store.graphs()


def test_a_failing_change_changes_nothing(backend_store, monkeypatch):
    """The server runs one update request as one transaction: a failing last operation undoes the first ones."""
    store = backend_store
    xfail_on(store, "virtuoso", "Virtuoso keeps the earlier operations of an update request whose later operation "
                                "fails (docs/stores.md)")
    store.replace_graphs({G1: [t("a", "old1")], G2: [t("b", "old2")]})
    before = store.generation
    real = type(store)._update_ops

    def broken(self, change):  # a valid update whose last operation fails when it runs
        return real(self, change) + [f"CREATE GRAPH <{G1}>"]  # G1 exists: fails

    monkeypatch.setattr(type(store), "_update_ops", broken)
    with pytest.raises(Exception):
        store.replace_graphs({G1: [t("a", "new1")], G2: [t("b", "new2")]})
    monkeypatch.undo()
    assert values(store, G1) == ["old1"] and values(store, G2) == ["old2"]
    assert merged(store) == {str(t("a", "old1")), str(t("b", "old2"))}
    assert store.generation == before


def test_public_default_graph_is_the_merge_each_triple_once(backend_store):
    store = backend_store
    shared = t("provider", "Träger e. V.", "label")
    store.replace_graphs({G1: [shared, t("a", "1")], G2: [shared, t("b", "2")], GP: [t("secret", "x")]})
    res = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{EX}')) }}",
                       public_only=True)
    assert int(res[0]["n"].value) == 3  # shared once, a, b; the private triple is not public
    assert merged(store) == {str(shared), str(t("a", "1")), str(t("b", "2"))}
    # removed from one graph: still in the other, so still in the merge
    store.replace_graph(G1, [t("a", "1")])
    assert str(shared) in merged(store)
    # removed from both: gone
    store.replace_graph(G2, [t("b", "2")])
    assert merged(store) == {str(t("a", "1")), str(t("b", "2"))}
    # inserts, deletes and drops keep it too
    store.insert(G1, [shared])
    store.delete(G1, [t("a", "1")])
    assert merged(store) == {str(shared), str(t("b", "2"))}
    store.drop([G1, G2])
    assert merged(store) == set()
    assert MERGED not in store.graphs() and MERGED not in store.public_graphs()


@pytest.mark.slow
def test_blank_nodes_replace_the_graph_whole_and_the_merge_follows(backend_store):
    store = backend_store
    b = ox.BlankNode()
    store.replace_graph(G1, [ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "addr"), b),
                             ox.Triple(b, ox.NamedNode(EX + "street"), ox.Literal("Hauptstr. 1"))])
    store.replace_graph(G1, [t("a", "1")])
    assert values(store, G1) == ["1"]
    assert merged(store) == {str(t("a", "1"))}


def test_private_graphs_stay_out_of_public_queries(backend_store):
    store = backend_store
    store.replace_graphs({G1: [t("a", "public")], GP: [t("a", "SECRET")]})
    for q in ("SELECT ?o WHERE { ?s ?p ?o }", "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"):
        found = {r["o"].value for r in store.select(q, public_only=True) if "o" in r}
        assert "SECRET" not in found and "public" in found
    rows = store.select("SELECT ?o WHERE { ?s ?p ?o }", public_only=True, default_graph=[GP], named_graphs=[GP])
    assert rows == []
    assert GP in store.graphs() and GP not in store.public_graphs()


def test_terms_round_trip(backend_store):
    store = backend_store
    s = ox.NamedNode(EX + "münster/straße")
    terms = [ox.Literal("Grüße 👋 \"zitiert\"\nzweite Zeile", language="de"), ox.Literal("Hello", language="en"),
             ox.Literal("2026-12-02", datatype=ox.NamedNode(ns.PREFIXES["xsd"] + "date")),
             ox.Literal("true", datatype=ox.NamedNode(ns.PREFIXES["xsd"] + "boolean")),
             ox.Literal("12.5", datatype=ox.NamedNode(ns.PREFIXES["xsd"] + "decimal")),
             ox.Literal("42", datatype=ox.NamedNode(ns.PREFIXES["xsd"] + "integer")), ox.Literal("plain")]
    triples = [ox.Triple(s, ox.NamedNode(EX + f"p{i}"), o) for i, o in enumerate(terms)]
    store.write_new_graph(G1, triples)
    assert {str(x) for x in store.triples(G1)} == {str(x) for x in triples}
    assert store.count(G1) == len(triples)
    assert store.ask(f"ASK {{ GRAPH <{G1}> {{ ?s ?p \"plain\" }} }}", named_graphs=[G1], default_graph=[])
    assert not store.ask(f"ASK {{ GRAPH <{G1}> {{ ?s ?p \"nope\" }} }}", named_graphs=[G1], default_graph=[])


def test_dumps_keep_graphs_or_merge_them(backend_store):
    store = backend_store
    shared = t("x", "shared")
    store.replace_graphs({G1: [shared], G2: [shared, t("y", "2")], GP: [t("z", "SECRET")]})
    buf = io.BytesIO()
    store.dump(buf, "nq", graphs=[G1, G2])
    assert len(list(ox.parse(buf.getvalue(), ox.RdfFormat.N_QUADS))) == 3
    buf = io.BytesIO()
    store.dump(buf, "nt", public_only=True)
    lines = [line for line in buf.getvalue().decode().splitlines() if EX in line]
    assert len(lines) == 2 and not any("SECRET" in line for line in lines)


def test_change_counter_and_subscribers(backend_store):
    store = backend_store
    seen = []
    store.subscribe(lambda s: seen.append(s.generation))
    store.replace_graph(G1, [t("a", "1")])
    store.apply(Change(drop=[G1]))
    assert seen == [seen[0], seen[0] + 1]


def test_second_writer_gets_a_clear_message(tmp_path):
    path = tmp_path / "s"
    first = OxigraphStore(path)
    with pytest.raises(StoreLockedError) as exc:
        OxigraphStore(path)
    assert "sozialgraph serve" in exc.value.message("de") and "sozialgraph serve" in exc.value.message("en")
    first.close()
    OxigraphStore(path)  # released by close()


def test_checkpoint_is_a_consistent_read_only_copy(tmp_path):
    store = open_store(tmp_path / "s")
    store.replace_graph(G1, [t("a", "1")])
    store.checkpoint(tmp_path / "cp")
    store.replace_graph(G1, [t("a", "2")])
    reader = open_store(tmp_path / "cp", read_only=True)
    assert values(reader, G1) == ["1"] and values(store, G1) == ["2"]
