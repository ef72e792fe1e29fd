"""The public SPARQL endpoint over real HTTP: the W3C SPARQL 1.1 Protocol test suite (../shared/ref), every result
format parsed back by a real parser, real clients (SPARQLWrapper, rdflib's SPARQLStore), the public-only dataset,
read-only, CORS, service description and VoID."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests
from SPARQLWrapper import CSV, JSON, N3, TSV, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from sozialgraph import config
from sozialgraph import namespaces as ns
from sozialgraph.context import Context
from sozialgraph.store.oxigraph import open_store
from sparql_support import serving

KASEI = "http://kasei.us/2009/09/sparql/data/"
SECRET = "Geheimstraße 1"


# -- fixtures ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(ref_ctx):
    with serving(ref_ctx) as srv:
        yield srv


@pytest.fixture(scope="module")
def private_server(tmp_path_factory, _reference_template):
    """A store with a private graph holding a confidential address and a token hash."""
    path = tmp_path_factory.mktemp("private") / "store"
    shutil.copytree(_reference_template, path)
    store = open_store(path)
    priv = ox.NamedNode(ns.private_office_graph("50"))
    tok = ox.NamedNode(ns.G_TOKENS)
    s = ox.NamedNode(ns.ID + "standort/50/x/adresse")
    store.extend([ox.Quad(s, ox.NamedNode("https://schema.org/streetAddress"), ox.Literal(SECRET), priv),
                  ox.Quad(ox.NamedNode(ns.ID + "token/1"), ox.NamedNode(ns.SG + "tokenHash"),
                          ox.Literal("sha256:geheim"), tok)])
    ctx = Context(config.load({"store": str(path)}), store=store)
    with serving(ctx) as srv:
        srv.store = store
        yield srv


def get(srv, **params):
    return requests.get(srv.url + "/sparql", params=params, timeout=30)


# -- W3C SPARQL 1.1 Protocol test suite ----------------------------------------------------------------------
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
MANIFEST = Path(__file__).resolve().parents[2] / "shared" / "ref" / "sparql11-protocol" / "manifest.ttl"


def _manifest_tests():
    if not MANIFEST.is_file():
        return []
    g = rdflib.Graph().parse(MANIFEST, format="turtle")
    entries = next(g.objects(None, MF.entries))
    return [str(e).rsplit("#", 1)[-1] for e in rdflib.collection.Collection(g, entries)]


@pytest.fixture(scope="module")
def w3c(shared_dir, tmp_path_factory):
    d = shared_dir / "ref" / "sparql11-protocol"
    path = tmp_path_factory.mktemp("w3c") / "store"
    store = open_store(path)
    for n in (1, 2, 3):
        store.load_file(d / f"data{n}.nt", f"{KASEI}data{n}.rdf")
    ctx = Context(config.load({"store": str(path)}), store=store)
    g = rdflib.Graph().parse(d / "manifest.ttl", format="turtle")
    with serving(ctx) as srv:
        yield srv, g, store


def _parse_answer(resp, expected_format: str | None):
    ct = resp.headers.get("Content-Type", "").split(";")[0].strip()
    if expected_format == "boolean":
        assert ct in ("application/sparql-results+json", "application/sparql-results+xml")
        return bool(ox.parse_query_results(resp.content, ox.QueryResultsFormat.from_media_type(ct)))
    if expected_format == "tabular":
        assert ct in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                      "text/tab-separated-values")
        return list(ox.parse_query_results(resp.content, ox.QueryResultsFormat.from_media_type(ct)))
    if expected_format == "RDF":
        assert ct in ("application/rdf+xml", "text/turtle", "application/n-triples")
        return rdflib.Graph().parse(data=resp.content, format={"application/rdf+xml": "xml",
                                                               "text/turtle": "turtle"}.get(ct, "nt"))
    return None


@pytest.mark.parametrize("name", _manifest_tests() or ["manifest-missing"])
def test_w3c_protocol(w3c, name):
    """Every test of the W3C suite. Query tests must pass as written. Update tests are run too: this endpoint is
    read-only, so where the suite expects an update to succeed we require 403 and an unchanged store instead
    (and skip the follow-up requests that check the update's effect)."""
    srv, g, store = w3c
    test = rdflib.URIRef(str(MANIFEST.as_uri()).rsplit("/", 0)[0] + "#" + name)
    test = next(s for s in g.subjects(MF.name, None) if str(s).endswith("#" + name))
    action = g.value(test, MF.action)
    requests_list = list(rdflib.collection.Collection(g, g.value(action, HT.requests)))
    is_update = name.startswith("update_")
    before = store.count()
    for i, req in enumerate(requests_list):
        method = str(g.value(req, HT.methodName))
        path = str(g.value(req, HT.absolutePath))
        assert path.startswith("/sparql/")
        url = srv.url + "/sparql" + path[len("/sparql/"):]
        headers = {}
        hl = g.value(req, HT.headers)
        if hl is not None:
            for h in rdflib.collection.Collection(g, hl):
                headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
        body = g.value(req, HT.body)
        data = None
        if body is not None:
            enc = str(g.value(body, CNT.characterEncoding) or "UTF-8")
            data = str(g.value(body, CNT.chars)).encode(enc.lower().replace("utf-16", "utf-16-le"))
        resp = requests.request(method, url, headers=headers, data=data, timeout=30)
        expect = g.value(req, HT.resp)
        statuses = {str(s).rsplit("#", 1)[-1] for s in g.objects(expect, MF.expectedStatus)}
        assert "Traceback" not in resp.text
        if is_update:
            if method == "POST" and "application/sparql-query" not in headers.get("content-type", ""):
                assert resp.status_code == 403, resp.text
                assert store.count() == before
                continue
            if i > 0:
                pytest.skip("follow-up request checks an update's effect; this endpoint is read-only")
        if statuses == {"StatusCode4xx"}:
            assert 400 <= resp.status_code < 500, (resp.status_code, resp.text)
            body_json = resp.json()
            assert body_json["ok"] is False and body_json["error"]
            continue
        assert 200 <= resp.status_code < 400, (resp.status_code, resp.text)
        fmt = g.value(expect, MF.expectedFormat)
        answer = _parse_answer(resp, str(fmt) if fmt is not None else None)
        expected_bool = g.value(expect, MF.expectedBoolean)
        if expected_bool is not None:
            assert answer is expected_bool.toPython()
    assert store.count() == before


# -- the protocol cases the issue names ------------------------------------------------------------------------
def test_get_update_is_refused(server, ref_ctx):
    before = ref_ctx.store.count()
    r = get(server, update="CLEAR ALL")
    assert r.status_code == 403
    assert "schreibgeschützt" in r.json()["error_de"]
    assert ref_ctx.store.count() == before


@pytest.mark.parametrize("kind", ["form", "direct", "as-query"])
def test_update_is_refused_and_changes_nothing(server, ref_ctx, kind):
    before = ref_ctx.store.count()
    text = "DROP ALL"
    if kind == "form":
        r = requests.post(server.url + "/sparql", data={"update": text}, timeout=30)
    elif kind == "direct":
        r = requests.post(server.url + "/sparql", data=text.encode(),
                          headers={"Content-Type": "application/sparql-update"}, timeout=30)
    else:
        r = requests.post(server.url + "/sparql", data={"query": "PREFIX x: <http://x/>\n" + text}, timeout=30)
    assert r.status_code == 403, r.text
    assert ref_ctx.store.count() == before


def test_two_query_parameters_and_missing_query(server):
    r = requests.get(server.url + "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", timeout=30)
    assert r.status_code == 400 and "Mehr als ein" in r.json()["error_de"]
    r = requests.post(server.url + "/sparql?query=ASK%7B%7D", data={"query": "ASK {}"}, timeout=30)
    assert r.status_code == 400
    r = requests.post(server.url + "/sparql", data={"x": "1"}, timeout=30)
    assert r.status_code == 400 and "query" in r.json()["error_en"]


@pytest.mark.parametrize("ctype,status", [(None, 400), ("text/plain", 415), ("application/json", 415),
                                          ("application/sparql-query; charset=ISO-8859-1", 415)])
def test_bad_content_types(server, ctype, status):
    headers = {"Content-Type": ctype} if ctype else {}
    r = requests.post(server.url + "/sparql", data=b"ASK {}", headers=headers, timeout=30)
    assert r.status_code == status, r.text


def test_syntax_error_says_where(server):
    r = get(server, query="SELECT * WHERE { ?s ?p }")
    assert r.status_code == 400
    body = r.json()
    assert "1:" in body["error_en"] and "Syntax" in body["error_en"]
    assert "Traceback" not in r.text


def test_not_acceptable(server):
    r = requests.get(server.url + "/sparql", params={"query": "SELECT * {} "}, headers={"Accept": "image/png"},
                     timeout=30)
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.json()["error_en"]
    r = get(server, query="CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", format="csv")
    assert r.status_code == 406


SELECT = ("PREFIX sg: <https://w3id.org/sozialgraph/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT ?q ?name WHERE { ?q a sg:Quarter ; rdfs:label ?name FILTER(LANG(?name) = 'de') } ORDER BY ?name")
CONSTRUCT = ("PREFIX sg: <https://w3id.org/sozialgraph/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "CONSTRUCT { ?q rdfs:label ?name } WHERE { ?q a sg:Quarter ; rdfs:label ?name }")


@pytest.mark.parametrize("accept,fmt", [("application/sparql-results+json", ox.QueryResultsFormat.JSON),
                                        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
                                        ("text/csv", ox.QueryResultsFormat.CSV),
                                        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
                                        ("text/html;q=0.5, text/csv;q=0.9, application/sparql-results+xml;q=0.1",
                                         ox.QueryResultsFormat.CSV)])
def test_select_formats_parse_back(server, ref_store, accept, fmt):
    r = requests.get(server.url + "/sparql", params={"query": SELECT}, headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith(fmt.media_type)
    local = [s["name"].value for s in ref_store.query(SELECT, public_only=True)]
    if fmt == ox.QueryResultsFormat.CSV:  # CSV carries plain values; read it with the csv module
        rows = list(csv.DictReader(io.StringIO(r.text)))
        got = [row["name"] for row in rows]
    else:
        got = [s["name"].value for s in ox.parse_query_results(r.content, fmt)]
    assert got == local and len(got) > 80
    assert r.headers["X-Result-Rows"] == str(len(local))
    assert r.headers["X-Max-Rows"] == "10000"


@pytest.mark.parametrize("fmt,rdflib_fmt", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"),
                                            ("rdfxml", "xml")])
def test_construct_formats_parse_back_with_rdflib(server, fmt, rdflib_fmt):
    r = get(server, query=CONSTRUCT, format=fmt)
    assert r.status_code == 200, r.text
    g = rdflib.Graph().parse(data=r.content, format=rdflib_fmt)
    names = {str(o) for o in g.objects(None, rdflib.RDFS.label)}
    assert "Mülheim" in names or any("Mülheim" in n for n in names)
    assert int(r.headers["X-Result-Rows"]) == len(g)


def test_describe_and_accept_negotiation_for_graphs(server):
    r = requests.get(server.url + "/sparql", params={"query": f"DESCRIBE <{ns.ID}stadtbezirk/9>"},
                     headers={"Accept": "application/rdf+xml;q=0.5, application/n-triples"}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/n-triples")
    assert len(list(ox.parse(r.content, ox.RdfFormat.N_TRIPLES))) > 3


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # inside SPARQLWrapper
def test_sparqlwrapper_select_ask_construct(server):
    w = SPARQLWrapper(server.url + "/sparql")
    w.setQuery(SELECT)
    for fmt in (JSON, XML, CSV, TSV):
        w.setReturnFormat(fmt)
        res = w.query().convert()
        assert res, fmt
    w.setReturnFormat(JSON)
    assert len(w.query().convert()["results"]["bindings"]) > 80
    w.setQuery("ASK { ?s a <https://w3id.org/sozialgraph/ontology#Borough> }")
    assert w.query().convert()["boolean"] is True
    w.setQuery(CONSTRUCT)
    for fmt in (XML, N3):  # SPARQLWrapper sends format=xml / format=n3 as well as an Accept header
        w.setReturnFormat(fmt)
        g = w.query().convert()
        if isinstance(g, bytes):  # SPARQLWrapper leaves Turtle/N3 unparsed
            g = rdflib.Graph().parse(data=g, format="turtle")
        assert isinstance(g, rdflib.Graph) and len(g) > 80
    w.setMethod("POST")
    w.setReturnFormat(JSON)
    w.setQuery(SELECT)
    assert len(w.query().convert()["results"]["bindings"]) > 80


def test_sparqlwrapper_sees_errors(server):
    w = SPARQLWrapper(server.url + "/sparql")
    w.setQuery("SELECT * WHERE { ?s ?p")
    with pytest.raises(SPARQLWrapperException) as exc:
        w.query()
    assert "Syntax" in str(exc.value)


def test_rdflib_sparqlstore(server):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    st = SPARQLStore(server.url + "/sparql")
    g = rdflib.Graph(store=st)
    rows = list(g.query(SELECT))
    assert len(rows) > 80
    assert bool(g.query("ASK { ?s ?p ?o }").askAnswer)
    st.close()


# -- public data only --------------------------------------------------------------------------------------------
LEAKS = [
    ("graph-var", {"query": "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?o), 'Geheimstra') || "
                            "CONTAINS(STR(?o), 'sha256') || CONTAINS(STR(?g), '/private/')) }"}),
    ("default", {"query": "SELECT ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'Geheimstra') || "
                          "CONTAINS(STR(?o), 'sha256')) }"}),
    ("graph-iri", {"query": f"SELECT ?o WHERE {{ GRAPH <{ns.private_office_graph('50')}> {{ ?s ?p ?o }} }}"}),
    ("from", {"query": f"SELECT ?o FROM <{ns.private_office_graph('50')}> WHERE {{ ?s ?p ?o }}"}),
    ("from-named", {"query": f"SELECT ?g ?o FROM NAMED <{ns.G_TOKENS}> FROM NAMED <{ns.private_office_graph('50')}>"
                             " WHERE { GRAPH ?g { ?s ?p ?o } }"}),
    ("default-graph-uri", {"query": "SELECT ?o WHERE { ?s ?p ?o }",
                           "default-graph-uri": ns.private_office_graph("50")}),
    ("named-graph-uri", {"query": "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                         "named-graph-uri": [ns.G_TOKENS, ns.private_office_graph("50")]}),
]


@pytest.mark.parametrize("label,params", LEAKS, ids=[l for l, _ in LEAKS])
def test_private_graphs_are_unreachable(private_server, label, params):
    assert private_server.store.count(ns.private_office_graph("50")) == 1  # the secret is really there
    r = requests.get(private_server.url + "/sparql", params={**params, "format": "tsv"}, timeout=30)
    assert r.status_code == 200, r.text
    assert "Geheimstra" not in r.text and "sha256:geheim" not in r.text
    assert "/graph/private/" not in r.text
    assert r.headers["X-Result-Rows"] == "0"


def test_protocol_dataset_beats_from_and_from_is_honoured(server):
    q = f"SELECT (COUNT(*) AS ?n) FROM <{ns.G_VOCAB}> WHERE {{ ?s ?p ?o }}"
    n_from = int(get(server, query=q).json()["results"]["bindings"][0]["n"]["value"])
    n_all = int(get(server, query="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").json()
                ["results"]["bindings"][0]["n"]["value"])
    n_proto = int(get(server, query=q, **{"default-graph-uri": ns.G_ONTOLOGY}).json()
                  ["results"]["bindings"][0]["n"]["value"])
    assert 0 < n_from < n_all and 0 < n_proto < n_all and n_from != n_proto


def test_service_refused_unless_allowed(server):
    r = get(server, query="SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert r.status_code == 403 and "federation_allow" in r.json()["error_en"]


# -- descriptions and CORS -----------------------------------------------------------------------------------
def test_service_description(server):
    r = requests.get(server.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = rdflib.URIRef(server.url + "/sparql")
    assert (endpoint, SD.endpoint, endpoint) in g
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in g
    names = {str(n) for n in g.objects(None, SD.name)}
    assert ns.G_VOCAB in names and not any("/private/" in n for n in names)
    r = requests.get(server.url + "/sparql", headers={"Accept": "application/ld+json"}, timeout=30)
    assert r.headers["Content-Type"].startswith("application/ld+json") and json.loads(r.text)
    r = requests.get(server.url + "/sparql", headers={"Accept": "text/html,*/*;q=0.8"}, timeout=30,
                     allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/abfrage")


def test_void(server, ref_store):
    r = requests.get(server.url + "/.well-known/void", timeout=30)
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    VOID = rdflib.Namespace(ns.PREFIXES["void"])
    ds = rdflib.URIRef(server.url + "/.well-known/void#sozialgraph")
    assert (ds, VOID.sparqlEndpoint, rdflib.URIRef(server.url + "/sparql")) in g
    subsets = {str(s): int(g.value(s, VOID.triples)) for s in g.objects(ds, VOID.subset)}
    assert subsets[ns.G_VOCAB] == ref_store.count(ns.G_VOCAB)
    assert int(g.value(ds, VOID.triples)) == sum(ref_store.count(x) for x in ref_store.public_graphs())


def test_cors(server):
    r = requests.options(server.url + "/sparql", headers={"Origin": "https://example.org",
                                                          "Access-Control-Request-Method": "POST",
                                                          "Access-Control-Request-Headers": "content-type"},
                         timeout=30)
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    r = requests.post(server.url + "/sparql", data={"query": "ASK {}"}, headers={"Origin": "https://example.org"},
                      timeout=30)
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Result-Rows" in r.headers["Access-Control-Expose-Headers"]
