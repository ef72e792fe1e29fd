"""Pages, search, maps, saved-query API and upload tokens on every store backend (the app in-process over the
embedded store, `oxigraph serve` and Virtuoso): the same answers from the same data."""

from __future__ import annotations

import pytest
from capture_helpers import ctx_for

from sozialgraph import config
from sozialgraph import namespaces as ns
from sozialgraph.capture.tokens import TokenError, check, create, revoke
from sozialgraph.context import Context
from sozialgraph.web import create_app
from sozialgraph.web.views.sparql import close_pool


@pytest.fixture(scope="module")
def client(backend_ref_store):
    settings = config.load({"store": str(backend_ref_store.path or "")})
    app = create_app(settings, context=Context(settings, store=backend_ref_store))
    yield app.test_client(use_cookies=False)
    close_pool(app)


def test_search_serves_semantics(client):
    r = client.get("/api/angebote", query_string={"zielgruppe": "Senioren", "stadtteil": "Bayenthal"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert [a["angebot"].rsplit("/", 1)[-1] for a in r.get_json()["ergebnisse"]] == ["o5"]  # borough-wide network


def test_pages_and_negotiation(client):
    html = client.get("/id/angebot/50/o5", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "Seniorennetzwerk Rodenkirchen" in html.get_data(as_text=True)
    ttl = client.get("/id/stadtteil/101", headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200 and "Altstadt/Süd" in ttl.get_data(as_text=True)
    assert client.get("/id/angebot/50/nichts", headers={"Accept": "text/html"}).status_code == 404


def test_map_and_saved_query_api(client):
    svg = client.get("/karte.svg", query_string={"zielgruppe": "senioren"})
    assert svg.status_code == 200 and svg.get_data(as_text=True).lstrip().startswith("<svg")
    r = client.get("/api/queries/find-offers-serving-quarter", query_string={"zielgruppe": "Familien",
                                                                             "stadtteil": "104"})
    assert r.status_code == 200
    assert [row["angebot"].rsplit("/", 1)[-1] for row in r.get_json()["rows"]] == ["o2"]


def test_tokens(backend_store):
    office = ns.ID + "org/50"
    token, tid = create(backend_store, office, 30)
    assert check(backend_store, token, office) is not None
    with pytest.raises(TokenError) as other:
        check(backend_store, token, ns.ID + "org/53")
    assert other.value.status == 403
    assert revoke(backend_store, tid)
    with pytest.raises(TokenError) as revoked:
        check(backend_store, token, office)
    assert revoked.value.status == 401
    public = ctx_for(backend_store).store.select("SELECT ?o WHERE { ?s ?p ?o }", public_only=True)
    assert not any(tid in r["o"].value for r in public if "o" in r)
