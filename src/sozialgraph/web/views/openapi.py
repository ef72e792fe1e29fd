"""GET /api/openapi.json: the OpenAPI 3.0 description of every /api/... route (web/templates/openapi.json).

The file is the description; at request time it gets the server's own address (``servers``), the names of the
saved queries (an enum of /api/queries/{name}) and the page size limit of /api/angebote (setting max_rows).
tests/test_openapi.py checks that it is a valid OpenAPI 3.0 document, that every /api/ route of the app is in it,
and runs schemathesis against a live server.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, jsonify

from sozialgraph.sparql import protocol
from sozialgraph.sparql.saved import list_queries
from sozialgraph.web import get_ctx
from sozialgraph.web.views.sparql import base_url

bp = Blueprint("openapi", __name__)
bp.after_request(protocol.add_cors)

DOCUMENT = Path(__file__).resolve().parents[1] / "templates" / "openapi.json"


@lru_cache(maxsize=1)
def _template() -> dict:
    with open(DOCUMENT, encoding="utf-8") as fh:
        return json.load(fh)


def document() -> dict:
    """The description for this server (a fresh copy: callers may change it)."""
    doc = copy.deepcopy(_template())
    doc["servers"] = [{"url": base_url().rstrip("/") or "/"}]
    names = [q.name for q in list_queries()]
    for p in doc["paths"]["/api/queries/{name}"]["get"]["parameters"]:
        if p.get("name") == "name" and p.get("in") == "path":
            p["schema"]["enum"] = names
    for p in doc["paths"]["/api/angebote"]["get"]["parameters"]:
        if p.get("name") == "pro_seite":
            p["schema"]["maximum"] = int(get_ctx().settings["max_rows"])
    return doc


@bp.get("/api/openapi.json")
def openapi():
    resp = jsonify(document())
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp
