"""`sozialgraph backup` / `restore` in-process (click's CliRunner) on real on-disk stores: a backup restored into
a fresh path is the same store (every graph, private ones and the public default graph too); restore refuses a
store that is not empty; a damaged dump is refused."""

from __future__ import annotations

import io
import json
import shutil

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from capture_helpers import CAPTURE
from conftest import FIXTURE_OFFICE, FIXTURES
from sozialgraph import namespaces as ns
from sozialgraph.cli import main
from sozialgraph.store.oxigraph import open_store

EX = "https://example.org/backup-test/"


@pytest.fixture
def runner():
    return CliRunner()


def invoke(runner, store, *args):
    return runner.invoke(main, ["--store", str(store), *args], catch_exceptions=False)


def graph_contents(store) -> dict[str, bytes]:
    """Every named graph (the public default graph included) as N-Triples."""
    graphs = store.graphs() + [ns.G_PUBLIC_DEFAULT]
    return {g: store.graph_ntriples(g) for g in graphs}


def same_graph(a: bytes, b: bytes) -> bool:
    if b"_:" not in a and b"_:" not in b:  # no blank nodes: equal sorted lines
        return sorted(a.splitlines()) == sorted(b.splitlines())
    ga, gb = Graph(), Graph()
    ga.parse(data=a.decode("utf-8"), format="nt")
    gb.parse(data=b.decode("utf-8"), format="nt")
    return isomorphic(ga, gb)


@pytest.fixture
def source(tmp_path, runner, _reference_template):
    """A store with reference data, the fixture offers, a real submission (private graphs: provenance, versions,
    contacts), a token, and a private graph with blank nodes."""
    path = tmp_path / "source"
    shutil.copytree(_reference_template, path)
    store = open_store(path)
    store.load_file(FIXTURES / "offers.ttl", ns.office_graph(FIXTURE_OFFICE))
    b = ox.BlankNode()
    store.extend([
        ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), b, ox.NamedNode(ns.G_PRIVATE + "backup-test")),
        ox.Quad(b, ox.NamedNode(EX + "q"), ox.Literal("geheim", language="de"),
                ox.NamedNode(ns.G_PRIVATE + "backup-test")),
    ])
    store.close()
    del store
    r = invoke(runner, path, "submit", str(CAPTURE / "good.csv"), "--office", "51", "--user", "anna")
    assert r.exit_code == 0, r.output
    r = invoke(runner, path, "token", "create", "--office", "51")
    assert r.exit_code == 0, r.output
    return path


@pytest.mark.slow
def test_backup_restore_roundtrip(runner, tmp_path, source):
    r = invoke(runner, source, "backup", str(tmp_path / "bak"))
    assert r.exit_code == 0, r.output
    assert "Sicherung in" in r.output and "private Daten" in r.output
    manifest = json.loads((tmp_path / "bak" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sha256"] and manifest["quads"] > 0
    assert ns.G_TOKENS in manifest["graphs"] and ns.G_PRIVATE + "backup-test" in manifest["graphs"]
    assert any(g.startswith(ns.G_PRIVATE + "version/") for g in manifest["graphs"])
    assert ns.G_PUBLIC_DEFAULT not in manifest["graphs"]  # recomputed on restore, counted separately
    assert manifest["public_default_graph"]["triples"] > 0

    r = invoke(runner, tmp_path / "restored", "--lang", "en", "restore", str(tmp_path / "bak"))
    assert r.exit_code == 0, r.output
    assert "counts verified" in r.output

    orig, restored = open_store(source, read_only=True), open_store(tmp_path / "restored", read_only=True)
    a, b = graph_contents(orig), graph_contents(restored)
    assert sorted(a) == sorted(b)
    assert any(not ns.is_public_graph(g) for g in a)
    for g in a:
        assert same_graph(a[g], b[g]), g
    assert a[ns.G_PUBLIC_DEFAULT] and orig.count_public_default() == restored.count_public_default()
    # the N-Quads of all graphs, bnode-free lines, sorted: equal
    dumps = []
    for st in (orig, restored):
        buf = io.BytesIO()
        st.dump(buf, "nq", public_only=False)
        dumps.append(sorted(line for line in buf.getvalue().splitlines() if b"_:" not in line))
    assert dumps[0] == dumps[1]


def test_restore_refuses_non_empty_store(runner, tmp_path, source, _reference_template):
    r = invoke(runner, source, "backup", str(tmp_path / "bak"))
    assert r.exit_code == 0, r.output
    target = tmp_path / "full"
    shutil.copytree(_reference_template, target)
    before = open_store(target, read_only=True)
    count = before.count()
    before.close()
    r = runner.invoke(main, ["--store", str(target), "restore", str(tmp_path / "bak")])
    assert r.exit_code == 1
    assert "ist nicht leer" in r.output and "leeren Speicher" in r.output
    r = runner.invoke(main, ["--store", str(target), "--lang", "en", "restore", str(tmp_path / "bak")])
    assert r.exit_code == 1 and "is not empty" in r.output
    after = open_store(target, read_only=True)
    assert after.count() == count  # untouched


def test_backup_refuses_non_empty_directory_and_damaged_dump(runner, tmp_path, source):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    r = runner.invoke(main, ["--store", str(source), "backup", str(tmp_path / "used")])
    assert r.exit_code == 1 and "nicht leer" in r.output
    r = invoke(runner, source, "backup", str(tmp_path / "bak"))
    assert r.exit_code == 0, r.output
    with open(tmp_path / "bak" / "dump.nq", "ab") as fh:
        fh.write(b"<urn:x> <urn:y> <urn:z> <urn:g> .\n")
    r = runner.invoke(main, ["--store", str(tmp_path / "new"), "restore", str(tmp_path / "bak")])
    assert r.exit_code == 1 and "beschädigt" in r.output
    r = runner.invoke(main, ["--store", str(tmp_path / "new"), "restore", str(tmp_path)])
    assert r.exit_code == 1 and "keine Sicherung" in r.output


def test_backup_of_a_locked_store_says_what_to_do(runner, tmp_path, source):
    held = open_store(source)  # like a running server: holds RocksDB's lock
    try:
        r = runner.invoke(main, ["--store", str(source), "backup", str(tmp_path / "bak")])
    finally:
        held.close()
    assert r.exit_code == 1
    assert "sozialgraph serve" in r.output and "beenden Sie den Server" in r.output
