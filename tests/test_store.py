"""The embedded store: atomic graph replacement, public/private separation, dumps, locking."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest

from sozialgraph import namespaces as ns
from sozialgraph.store.oxigraph import OxigraphStore, StoreLockedError, open_store

EX = "http://example.org/"


def t(s, o):
    return ox.Triple(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o))


def values(store, graph):
    return sorted(q.object.value for q in store._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def test_replace_graphs_is_all_or_nothing(tmp_path):
    store = open_store(tmp_path / "s")
    g1, g2 = ns.GRAPH + "test/1", ns.GRAPH + "test/2"
    store.replace_graphs({g1: [t("a", "old1")], g2: [t("b", "old2")]})
    with pytest.raises(SyntaxError):
        # the extra update is broken: nothing of this call may become visible
        store.replace_graphs({g1: [t("a", "new1")], g2: [t("b", "new2")]}, extra_update="INSERT DATA { broken")
    assert values(store, g1) == ["old1"] and values(store, g2) == ["old2"]
    assert not [g for g in store.graphs() if "/staging/" in g], "staging graphs must be cleaned up"
    store.replace_graphs({g1: [t("a", "new1"), t("c", "x")], g2: []})
    assert values(store, g1) == ["new1", "x"] and values(store, g2) == []


def test_stale_staging_from_a_crash_is_removed(tmp_path):
    store = open_store(tmp_path / "s")
    store.stage([t("a", "orphan")])  # as if the process died between staging and the final update
    assert any("/staging/" in g for g in store.graphs())
    store.replace_graph(ns.GRAPH + "test/1", [t("a", "1")])
    assert not any("/staging/" in g for g in store.graphs())


def test_public_only_hides_private_graphs(tmp_path):
    store = open_store(tmp_path / "s")
    store.replace_graphs({ns.GRAPH + "office/x": [t("a", "public")],
                          ns.private_office_graph("x"): [t("a", "secret")]})
    q = "SELECT ?o WHERE { ?s ?p ?o }"
    assert {r["o"].value for r in store.select(q)} == {"public", "secret"}
    assert {r["o"].value for r in store.select(q, public_only=True)} == {"public"}
    q2 = "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert {r["o"].value for r in store.select(q2, public_only=True)} == {"public"}
    # asking for the private graph by name yields nothing
    assert store.select(q, public_only=True, default_graph=[ns.private_office_graph("x")]) == []
    buf = io.BytesIO()
    store.dump(buf, "nq")
    assert b"secret" not in buf.getvalue() and b"public" in buf.getvalue()


def test_generation_and_listeners(tmp_path):
    store = open_store(tmp_path / "s")
    seen = []
    store.listeners.append(lambda s: seen.append(s.generation))
    store.replace_graph(ns.GRAPH + "test/1", [t("a", "1")])
    store.update(f"DROP SILENT GRAPH <{ns.GRAPH}test/1>")
    assert seen == [1, 2]


def test_second_writer_gets_a_clear_message(tmp_path):
    path = tmp_path / "s"
    first = OxigraphStore(path)
    with pytest.raises(StoreLockedError) as e:
        OxigraphStore(path)
    assert "sozialgraph serve" in str(e.value)
    del first


def test_checkpoint_is_readable_while_writer_goes_on(tmp_path):
    store = open_store(tmp_path / "s")
    store.replace_graph(ns.GRAPH + "test/1", [t("a", "v1")])
    store.checkpoint(tmp_path / "cp")
    store.replace_graph(ns.GRAPH + "test/1", [t("a", "v2")])
    reader = open_store(tmp_path / "cp", read_only=True)
    assert [r["o"].value for r in reader.select("SELECT ?o { ?s ?p ?o }")] == ["v1"]
