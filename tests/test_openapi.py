"""/api/openapi.json: a valid OpenAPI 3.0 document that describes every /api/ route of the app, and a schemathesis
run against a real server on 127.0.0.1 (bounded examples per operation): no 5xx, every answer conforms to the
document (status code, content type, headers, body schema)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from sozialgraph.web import create_app

SCHEMATHESIS_EXAMPLES = 25  # per operation; bench/bench_fuzz.py runs more
IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture(scope="module")
def client(ref_ctx):
    app = create_app({"store": str(ref_ctx.store.path)}, context=ref_ctx)
    return app.test_client()


@pytest.fixture(scope="module")
def doc(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


@pytest.mark.slow
def test_document_is_valid_openapi_3_0(doc):
    import schemathesis

    assert doc["openapi"].startswith("3.0.")
    schemathesis.openapi.from_dict(doc).validate()  # the OpenAPI 3.0 JSON Schema (schemathesis bundles it)
    try:
        from openapi_spec_validator import validate
        from openapi_spec_validator.validation.validators import OpenAPIV30SpecValidator
    except ImportError:  # optional: also checks $refs, path parameters, duplicate operation ids
        return
    validate(doc, cls=OpenAPIV30SpecValidator)  # raises on an invalid document


def test_every_api_route_is_described(client, doc):
    app = client.application
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            for method in rule.methods - IGNORED_METHODS:
                routes.add((path, method.lower()))
    assert routes, "no /api/ routes found"
    described = {(p, m) for p, ops in doc["paths"].items() for m in ops if m != "parameters"}
    assert routes - described == set(), "routes without description"
    assert described - routes == set(), "described operations the app does not have"
    # the error envelope is a component every operation's errors point to
    env = doc["components"]["schemas"]["Error"]
    assert set(env["required"]) == {"ok", "error", "error_de", "error_en", "status"}
    for (path, method) in routes:
        op = doc["paths"][path][method]
        assert op.get("summary") and op["responses"]
        for status, resp in op["responses"].items():
            if status.startswith(("4", "5")):
                schema = resp["content"]["application/json"]["schema"]
                assert "Error" in str(schema), (path, method, status)


def test_document_knows_the_saved_queries_and_limits(doc, client, ref_ctx):
    names = [q["name"] for q in client.get("/api/queries").get_json()["queries"]]
    params = {p.get("name"): p for p in doc["paths"]["/api/queries/{name}"]["get"]["parameters"]}
    assert params["name"]["schema"]["enum"] == names
    params = {p.get("name"): p for p in doc["paths"]["/api/angebote"]["get"]["parameters"]}
    assert params["pro_seite"]["schema"]["maximum"] == ref_ctx.settings["max_rows"]
    assert doc["servers"][0]["url"].startswith("http://localhost")


def test_errors_match_the_envelope(client, doc):
    import jsonschema

    env = doc["components"]["schemas"]["Error"]
    for url in ("/api/angebote?zielgruppe=niemand", "/api/angebote?unbekannt=1", "/api/queries/gibt-es-nicht",
                "/api/submissions/xx", "/api/submissions/50-999", "/api/nichts"):
        r = client.get(url)
        assert 400 <= r.status_code < 500, url
        jsonschema.validate(r.get_json(), env)
        assert r.get_json()["status"] == r.status_code
    r = client.post("/api/submissions?office=50", data=b"a;b\n", content_type="text/csv")
    assert r.status_code == 401
    jsonschema.validate(r.get_json(), env)


def conformance_checks():
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                                   response_schema_conformance, status_code_conformance)

    return [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
            response_schema_conformance]


def fuzz_api(base_url: str, examples: int) -> tuple[dict[str, int], list[str]]:
    """schemathesis over every operation of the server's /api/openapi.json: (cases run per operation,
    failures). Positive cases (valid by the document); 5xx and any answer the document does not describe fail."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    raw = requests.get(base_url + "/api/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(raw)
    session, checks = requests.Session(), conformance_checks()
    ran: dict[str, int] = {}
    failures: list[str] = []
    for result in schema.get_all_operations():
        op = result.ok()
        ran[op.label] = 0

        @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def run(case):
            ran[op.label] += 1
            case.call_and_validate(base_url=base_url, session=session, checks=checks, timeout=60)

        try:
            run()
        except Exception as exc:  # every operation's failure, reported together
            failures.append(f"{op.label}: {exc}")
    return ran, failures


TEMPLATE = Path(__file__).resolve().parents[1] / "src" / "sozialgraph" / "web" / "templates" / "openapi.json"


@pytest.mark.slow
def test_schemathesis_against_live_server(live_server):
    ran, failures = fuzz_api(live_server.url, SCHEMATHESIS_EXAMPLES)
    assert not failures, "\n\n".join(failures)
    described = json.loads(TEMPLATE.read_text(encoding="utf-8"))["paths"]
    operations = sum(1 for ops in described.values() for m in ops if m != "parameters")
    assert len(ran) == operations and all(ran.values()), ran  # every described operation was fuzzed
