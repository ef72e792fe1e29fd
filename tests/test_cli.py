"""The command line, in-process (click's CliRunner) on a real on-disk store: exit codes and messages."""

from __future__ import annotations

import json

from pathlib import Path

import pytest
from click.testing import CliRunner

from sozialgraph import config
from sozialgraph.capture.tokens import hash_token
from sozialgraph.cli import main


@pytest.fixture
def runner():
    return CliRunner()


def invoke(runner, store, *args):
    return runner.invoke(main, ["--store", str(store), *args], catch_exceptions=False)


@pytest.mark.slow
def test_init_loads_reference_data(runner, tmp_path):
    store = tmp_path / "s"
    r = invoke(runner, store, "init")
    assert r.exit_code == 0 and "Grunddaten geladen" in r.output
    r = invoke(runner, store, "query", "list-quarters-without-offer", "-p", "zielgruppe=Senioren", "--format", "json")
    assert r.exit_code == 0
    rows = json.loads(r.output)
    assert len(rows) == 86  # no offers yet: every Stadtteil lacks one
    r = invoke(runner, store, "--lang", "en", "stats")
    assert r.exit_code == 0 and "total" in r.output and "graph/reference" in r.output


def test_query_on_fixture_and_formats(runner, ref_store):
    # ref_store is open in this process; the CLI opens its own handle to a copy
    import shutil
    import tempfile

    tmp = tempfile.mkdtemp()
    ref_store.checkpoint(f"{tmp}/s")
    store = f"{tmp}/s"
    r = invoke(runner, store, "query", "find-offers-serving-quarter", "-p", "zielgruppe=Familien",
               "-p", "stadtteil=104", "--format", "csv")
    assert r.exit_code == 0
    lines = r.output.strip().splitlines()
    assert lines[0].startswith("angebot,") and len(lines) == 2 and "Stadtbezirk" in lines[1]
    r = invoke(runner, store, "query", "find-offers-serving-quarter", "-p", "zielgruppe=Seniorn", "-p", "stadtteil=1")
    assert r.exit_code == 2 and "Meinten Sie 'Senioren'" in r.output
    r = invoke(runner, store, "query", "no-such-query")
    assert r.exit_code == 1 and "Keine gespeicherte Abfrage" in r.output
    r = invoke(runner, store, "query", "--list")
    assert "find-offers-serving-quarter" in r.output
    shutil.rmtree(tmp)


@pytest.mark.slow
def test_export_has_no_private_data(runner, tmp_path):
    store = tmp_path / "s"
    invoke(runner, store, "init")
    good = Path(__file__).parent / "fixtures" / "capture" / "good.csv"  # one offer with a confidential address
    r = invoke(runner, store, "submit", str(good), "--office", "50", "--user", "Anna Beispiel")
    assert r.exit_code == 0, r.output
    r = invoke(runner, store, "token", "create", "--office", "50")
    assert r.exit_code == 0, r.output
    token_hash = hash_token(r.output.splitlines()[0])
    secrets = ["Geheimweg", "Anna Beispiel", token_hash, "graph/private"]
    out = tmp_path / "dump.nq"
    assert invoke(runner, store, "export", "--format", "nq", "-o", str(out)).exit_code == 0
    text = out.read_text()
    assert "graph/reference" in text and "graph/office/50" in text
    assert [s for s in secrets if s in text] == []
    everything = tmp_path / "all.nq"  # the operator's backup holds them: the check above can fail
    assert invoke(runner, store, "export", "--format", "nq", "--all-graphs", "-o", str(everything)).exit_code == 0
    assert [s for s in secrets if s not in everything.read_text()] == []


def test_settings_are_documented():
    """docs/settings.md is the settings table as tools/build_settings_doc.py renders it (regenerate when stale),
    and README points to it."""
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("build_settings_doc", root / "tools" / "build_settings_doc.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    doc = (root / "docs" / "settings.md").read_text(encoding="utf-8")
    assert doc == tool.render(), "docs/settings.md is stale: run tools/build_settings_doc.py"
    for s in config.SETTINGS:
        assert f"| `{s.name}` | `SOZIALGRAPH_{s.name.upper()}` |" in doc
    assert "docs/settings.md" in (root / "README.md").read_text(encoding="utf-8")


def test_settings_precedence(tmp_path, monkeypatch):
    f = tmp_path / "c.toml"
    f.write_text('port = 9000\nmax_rows = 5\n')
    monkeypatch.setenv("SOZIALGRAPH_MAX_ROWS", "7")
    s = config.load({"max_rows": None, "host": "0.0.0.0"}, f)
    assert s["port"] == 9000 and s["max_rows"] == 7 and s["host"] == "0.0.0.0"
    f.write_text("nonsense = 1\n")
    with pytest.raises(ValueError):
        config.load({}, f)


def test_locked_store_gives_a_message_not_a_traceback(runner, tmp_path):
    from sozialgraph.store.oxigraph import open_store

    holder = open_store(tmp_path / "s")  # as a running server would
    r = runner.invoke(main, ["--store", str(tmp_path / "s"), "token", "create", "--office", "50"])
    assert r.exit_code == 1 and "sozialgraph serve" in r.output and "Traceback" not in r.output
    del holder


def test_rejected_report_says_what_to_do(runner, _reference_template, tmp_path):
    import shutil

    bad = tmp_path / "bad.csv"
    bad.write_text("kennung;bezeichnung;angebotsart;zielgruppen;traeger;reichweite;stadtteil\n"
                   "A1;Test;Sozialberatung;Seniorn;X e. V.;Stadtteil;Nippes\n", encoding="utf-8")
    path = tmp_path / "store"
    shutil.copytree(_reference_template, path)
    r = runner.invoke(main, ["--store", str(path), "validate", str(bad), "--office", "50"])
    assert r.exit_code == 1
    assert r.output.startswith("1 Angebot, 1 Fehler, ")
    assert "Zeile 2, Spalte zielgruppen: 'Seniorn' ist keine bekannte Zielgruppe. Meinten Sie 'Senioren'?" in r.output
    assert "Es wurde nichts gespeichert. Bitte korrigieren Sie die genannten Zeilen" in r.output
    r = runner.invoke(main, ["--lang", "en", "--store", str(path), "validate", str(bad), "--office", "50"])
    assert r.output.startswith("1 offer, 1 error, ") and "Nothing was stored." in r.output
