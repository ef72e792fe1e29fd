"""CLI in-process: template, validate, submit (exit codes), history, diff, rollback, tokens."""

from __future__ import annotations

import json

import pytest
from capture_helpers import CAPTURE, dump_all
from click.testing import CliRunner

from sozialgraph.cli import main


@pytest.fixture
def run(fresh_store):
    path = str(fresh_store.path)
    fresh_store.close()  # release the lock: the CLI opens the store itself
    import gc

    gc.collect()

    def invoke(*args):
        return CliRunner().invoke(main, ["--store", path, *args], catch_exceptions=False)

    return invoke


@pytest.mark.slow
def test_submit_validate_history_diff_rollback(run, tmp_path):
    good = str(CAPTURE / "good.csv")
    r = run("submit", good, "--office", "50", "--user", "anna")
    assert r.exit_code == 0, r.output
    assert "Angenommen: Amt 50, Version 1, 4 Angebote." in r.output
    bad = str(CAPTURE / "invalid" / "unknown_zielgruppe.csv")
    r = run("submit", bad, "--office", "amt für soziales, arbeit und senioren")
    assert r.exit_code == 1
    assert "Zeile 3, Spalte zielgruppen: 'Seniorn' ist keine bekannte Zielgruppe. Meinten Sie 'Senioren'?" in r.output
    r = run("--lang", "en", "validate", bad, "--office", "50")
    assert r.exit_code == 1 and "Row 3, column zielgruppen" in r.output
    r = run("validate", good, "--office", "50", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.output)["report"]["conforms"] is True
    r = run("validate", bad, "--office", "50", "--format", "turtle")
    assert "sh:ValidationReport" in r.output and "sgsh:row 3" in r.output
    r = run("submit", str(CAPTURE / "good-cp1252-comma.csv"), "--office", "50")
    assert r.exit_code == 0
    r = run("history", "--office", "50")
    assert "anna" in r.output and "good-cp1252-comma.csv" in r.output
    r = run("diff", "--office", "50", "1", "2")
    assert r.exit_code == 0 and "0 neu, 0 entfernt, 0 geändert" in r.output
    r = run("rollback", "--office", "50", "--to", "1")
    assert r.exit_code == 0 and "als Version 3" in r.output
    r = run("diff", "--office", "50", "1", "9")
    assert r.exit_code == 1 and "keine Version 9" in r.output


def test_unknown_office_is_a_usage_error(run):
    r = run("validate", str(CAPTURE / "good.csv"), "--office", "Jugendamtt")
    assert r.exit_code == 2 and "kein bekanntes Amt" in r.output


def test_unknown_format_is_a_usage_error(run, tmp_path):
    f = tmp_path / "x.pdf"
    f.write_bytes(b"%PDF")
    r = run("validate", str(f), "--office", "50")
    assert r.exit_code == 2 and "Unbekanntes Dateiformat" in r.output


def test_template_files(run, tmp_path):
    r = run("template", "--format", "csv", "-o", str(tmp_path / "v.csv"))
    assert r.exit_code == 0 and (tmp_path / "v.csv").read_bytes().startswith(b"\xef\xbb\xbfkennung;")
    r = run("template", "-o", str(tmp_path / "v.xlsx"))
    assert r.exit_code == 0 and (tmp_path / "v.xlsx").stat().st_size > 5000


def test_tokens_create_list_revoke(run, fresh_store):
    r = run("token", "create", "--office", "51")
    assert r.exit_code == 0
    token = r.stdout.strip().splitlines()[0]
    assert token.startswith("sg_")
    listed = run("token", "list").output
    assert token not in listed and "gültig" in listed
    tid = listed.split()[0]
    assert run("token", "revoke", tid).exit_code == 0
    assert "widerrufen" in run("token", "list", "--office", "51").output
    assert run("token", "revoke", "000000000000").exit_code == 1
    from sozialgraph.store.oxigraph import open_store

    store = open_store(fresh_store.path)
    assert token not in dump_all(store).decode()
