"""`sozialgraph query NAME --endpoint URL`: saved queries at a remote endpoint through SPARQLWrapper, with the same
parameter handling as the local run (codes/labels resolved at the endpoint, values bound as escaped terms in the
query's VALUES lines)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from sozialgraph.cli import main
from sozialgraph.sparql.output import rows_of
from sozialgraph.sparql.saved import list_queries, load_query
from sozialgraph.sparql.binding import run_saved
from sparql_support import serving

EXAMPLES = {"zielgruppe": "Senioren", "stadtteil": "Altstadt/Süd", "amt": "jc", "ziel": "Z1"}


@pytest.fixture(scope="module")
def server(ref_ctx):
    with serving(ref_ctx) as srv:
        yield srv


@pytest.mark.parametrize("q", list_queries(), ids=lambda q: q.name)
def test_every_saved_query_remote_equals_local(server, ref_store, tmp_path, q):
    params = {p.name: EXAMPLES[p.name] for p in q.params if p.required}
    args = ["--store", str(tmp_path / "unused"), "query", q.name, "--endpoint", server.url + "/sparql",
            "--format", "json"]
    for k, v in params.items():
        args += ["-p", f"{k}={v}"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    names, rows = rows_of(run_saved(ref_store, q.name, params))
    assert json.loads(res.output) == [dict(zip(names, r)) for r in rows]


def test_not_exists_sees_the_parameter(server, ref_store, tmp_path):
    """CQ4 uses its parameter inside FILTER NOT EXISTS: a trailing VALUES block would leave it unbound there."""
    local = rows_of(run_saved(ref_store, "list-quarters-without-offer", {"zielgruppe": "Senioren"}))[1]
    all_quarters = len(list(ref_store.query("SELECT ?q { ?q a <https://w3id.org/sozialgraph/ontology#Quarter> }",
                                            public_only=True)))
    assert 0 < len(local) < all_quarters
    res = CliRunner().invoke(main, ["--store", str(tmp_path / "x"), "query", "list-quarters-without-offer", "-p",
                                    "zielgruppe=Senioren", "--endpoint", server.url + "/sparql", "--format", "csv"])
    assert res.exit_code == 0 and len(res.output.strip().splitlines()) == len(local) + 1


def test_bound_values_are_escaped_terms():
    q = load_query("list-quarters-without-offer")
    text = q.render({"zielgruppe": ox.Literal('a" } ; DROP ALL #')})
    assert 'VALUES ?zielgruppe { "a\\" } ; DROP ALL #" }' in text
    ox.Store().query(text)  # still one valid query


def test_remote_parameter_errors_and_unreachable_endpoint(server, tmp_path):
    res = CliRunner().invoke(main, ["--store", str(tmp_path / "x"), "query", "list-quarters-without-offer", "-p",
                                    "zielgruppe=Seniorn", "--endpoint", server.url + "/sparql"])
    assert res.exit_code == 2 and "Senioren" in res.output
    res = CliRunner().invoke(main, ["--store", str(tmp_path / "x"), "--lang", "en", "query", "list-offers",
                                    "--endpoint", "http://127.0.0.1:9/sparql"])
    assert res.exit_code == 1 and "cannot be reached" in res.output
