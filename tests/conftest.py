"""Shared fixtures: stores (real on-disk Oxigraph), the app, a real HTTP server on 127.0.0.1.

- ``ref_store``: session-scoped, read-only use: reference data + tests/fixtures/offers.ttl (hand-made offers whose
  right answers are worked out in tests/test_queries.py). Do not write to it.
- ``fresh_store`` : a new on-disk store with the reference data without the synthetic
  indicator series, for write tests; ``full_store``: with them, as `init` leaves a store.
- ``live_server``: the app on a real HTTP server (werkzeug, threaded) at 127.0.0.1 on a free port over ``ref_store``.
- ``shared_dir``: ../shared (skips the test when it is absent).
"""

from __future__ import annotations

import os
import shutil
from http.cookies import SimpleCookie
import socket
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from sozialgraph import namespaces as ns
from sozialgraph.context import Context
from sozialgraph.reference import init_store
from sozialgraph.store.oxigraph import open_store

# The analysis is recomputed after every write in the product (setting analysis_after_write); the tests turn
# that off for speed (servers they start inherit it) and test_analysis.py turns it on where it is under test.
os.environ.setdefault("SOZIALGRAPH_ANALYSIS_AFTER_WRITE", "false")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_OFFICE = "50"  # graph of the hand-made fixture offers: …/graph/office/50


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    d = (ROOT / ".." / "shared").resolve()
    if not (d / "ref").is_dir():
        pytest.skip("../shared is not present (it is in CI)")
    return d


@pytest.fixture(scope="session")
def _reference_template(tmp_path_factory) -> Path:
    """A store with the reference data, built once and copied for each test that needs a fresh one."""
    path = tmp_path_factory.mktemp("reference") / "store"
    store = open_store(path)
    init_store(store, example_steering=False)  # the steering tests count the hand-made fixture only
    store.flush()
    del store
    return path


@pytest.fixture
def full_store(tmp_path, _reference_template):
    """A new on-disk store with the reference data and the synthetic indicator series, as `init` leaves it."""
    path = tmp_path / "store"
    shutil.copytree(_reference_template, path)
    return open_store(path)


@pytest.fixture(scope="session")
def _lean_template(tmp_path_factory) -> Path:
    """The reference data without the synthetic indicator series (Beispieldaten): for tests that bring their own
    indicator data (replacing or emptying the series' 82,000 triples costs about 15 s a test)."""
    path = tmp_path_factory.mktemp("reference-lean") / "store"
    store = open_store(path)
    init_store(store, example_indicators=False, example_steering=False)
    store.flush()
    del store
    return path


@pytest.fixture
def fresh_store(tmp_path, _lean_template):
    """A new on-disk store with the reference data but without the synthetic indicator series (most write tests
    compare whole-store dumps before and after, and the series' 82,000 triples made each such test 7 s)."""
    path = tmp_path / "store"
    shutil.copytree(_lean_template, path)
    return open_store(path)




def load_fixture_data(store) -> None:
    """The hand-made fixture of the read-only stores: offers (tests/fixtures/offers.ttl) and the steering fixture
    (tests/fixtures/steuerung/: analysis results, a test indicator, and the goals, needs, measures and evaluations
    that tests/test_steering.py submits, dumped once to shared.nq by submitting its CSV files)."""
    store.load_file(FIXTURES / "offers.ttl", ns.office_graph(FIXTURE_OFFICE))
    store.load_file(FIXTURES / "steuerung" / "analyse.ttl", ns.G_ANALYSIS)
    store.load_file(FIXTURES / "steuerung" / "indikatoren.ttl", ns.indicator_graph("test-steuerung"))
    graphs: dict[str, list] = {}
    with open(FIXTURES / "steuerung" / "shared.nq", "rb") as fh:
        for q in ox.parse(fh, ox.RdfFormat.N_QUADS):
            graphs.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
    store.replace_graphs(graphs)


@pytest.fixture(scope="session")
def ref_store(tmp_path_factory, _reference_template):
    path = tmp_path_factory.mktemp("ref") / "store"
    shutil.copytree(_reference_template, path)
    store = open_store(path)
    load_fixture_data(store)
    return store


@pytest.fixture(scope="session")
def ref_ctx(ref_store, tmp_path_factory):
    from sozialgraph import config

    settings = config.load({"store": str(ref_store.path)})
    return Context(settings, store=ref_store)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._srv = make_server("127.0.0.1", self.port, app, threaded=True)
        # a short poll interval: shutdown() waits for it (0.5 s by default, per server, per test)
        self._thread = threading.Thread(target=self._srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self):
        self._srv.shutdown()
        self._thread.join(5)


def start_live_server(ctx, **settings) -> LiveServer:
    from sozialgraph.web import create_app

    app = create_app({"store": str(ctx.store.path), **settings}, context=ctx)
    return LiveServer(app)


@pytest.fixture(scope="session")
def live_server(ref_ctx):
    srv = start_live_server(ref_ctx)
    yield srv
    srv.stop()


# -- store backends: the embedded store and real remote servers (oxigraph serve, Virtuoso) -------------------------
# Tests of the store, capture, saved queries and the endpoint take ``backend_store`` (fresh, reference data only)
# or ``backend_ref_store`` (reference data + the fixture offers; read-only use) and run once per backend. A remote
# server is started once per session on a free port of 127.0.0.1; "fresh" there means every graph that is not
# reference data is dropped before the test.

# remote backends are slow (a server per session, HTTP per request): the quick loop (-m "not slow") runs embedded only
BACKENDS = ["embedded", pytest.param("oxigraph-serve", marks=pytest.mark.slow),
            pytest.param("virtuoso", marks=pytest.mark.slow)]


def _start_remote(kind: str, tmp_path_factory):
    import remote_servers as rs

    if kind == "oxigraph-serve":
        ok, why = rs.oxigraph_available()
        if not ok:
            pytest.skip(why)
        return rs.start_oxigraph(tmp_path_factory.mktemp("oxigraph-serve"), extra_args=["--timeout-s", "20"])
    ok, why = rs.virtuoso_available()
    if not ok:
        pytest.skip(f"Virtuoso nicht installiert / not installed: {why}")
    return rs.start_virtuoso(tmp_path_factory.mktemp("virtuoso"))


@pytest.fixture(scope="session")
def _remote_servers(tmp_path_factory):
    servers: dict = {}
    yield lambda kind: servers.get(kind) or servers.setdefault(kind, _start_remote(kind, tmp_path_factory))
    for srv in servers.values():
        srv.stop()


def _remote_store(srv):
    from sozialgraph.store.sparql import SparqlStore

    return SparqlStore(srv.query_url, srv.update_url, timeout=120)


REFERENCE_GRAPHS = [ns.G_ONTOLOGY, ns.G_VOCAB, ns.G_REFERENCE, ns.G_INDICATORS]


def reset_to_reference(store) -> None:
    """Drop every graph but the reference data (and load that if it is missing)."""
    extra = [g for g in store.graphs() if g not in REFERENCE_GRAPHS]
    if extra:
        store.drop(extra)
    if not all(store.has_graph(g) for g in REFERENCE_GRAPHS):
        init_store(store, example_indicators=False, example_steering=False)


@pytest.fixture(params=BACKENDS)
def backend_store(request, tmp_path, _reference_template, _remote_servers):
    if request.param == "embedded":
        path = tmp_path / "store"
        shutil.copytree(_reference_template, path)
        yield open_store(path)
        return
    store = _remote_store(_remote_servers(request.param))
    store.backend_name = request.param
    reset_to_reference(store)
    yield store


@pytest.fixture(scope="session", params=BACKENDS)
def backend_ref_store(request, tmp_path_factory, _reference_template, _remote_servers):
    if request.param == "embedded":
        path = tmp_path_factory.mktemp("ref-embedded") / "store"
        shutil.copytree(_reference_template, path)
        store = open_store(path)
    else:
        store = _remote_store(_remote_servers(request.param))
        store.backend_name = request.param
        reset_to_reference(store)
    load_fixture_data(store)
    return store


VIRTUOSO_COMPILER = ("Virtuoso 7.2.5 fails to compile list-multiply-burdened-quarters (SQ156 'Internal Optimized "
                     "compiler error', a sub-select for the latest year with an optional year parameter); "
                     "docs/stores.md, known gaps")
VIRTUOSO_TRANSITIVE = ("Virtuoso 7.2.5 evaluates a transitive skos:broader path wrongly inside MINUS or a nested "
                       "EXISTS (wrong rows); docs/stores.md, known gaps")


def xfail_on(store, backend: str, reason: str) -> None:
    if getattr(store, "backend_name", "embedded") == backend:
        pytest.xfail(reason)


# -- the app in-process: pages and API tests that do not test the HTTP protocol itself ---------------------------
class _Response:
    """A Flask test response with the few attributes of a requests.Response the tests read."""

    def __init__(self, resp):
        self._resp = resp
        self.status_code = resp.status_code
        self.headers = resp.headers
        self.content = resp.data
        self.text = resp.get_data(as_text=True)
        jar = SimpleCookie()
        for header in resp.headers.getlist("Set-Cookie"):
            jar.load(header)
        self.cookies = {k: m.value for k, m in jar.items()}
        resp.close()  # files sent with send_file are closed here, as a server would

    def json(self):
        return self._resp.get_json()


class AppClient:
    """Flask's test client behind a requests-like ``get``/``post`` (``url`` is a base to prefix paths with)."""

    url = "http://localhost"

    def __init__(self, app):
        self.app = app
        self.client = app.test_client(use_cookies=False)  # like separate requests: no state between tests

    def _path(self, url: str) -> str:
        return url[len(self.url):] if url.startswith(self.url) else url

    def get(self, url, params=None, headers=None, timeout=None, allow_redirects=False):
        return _Response(self.client.get(self._path(url), query_string=params, headers=headers or {},
                                         follow_redirects=allow_redirects))

    def post(self, url, data=None, headers=None, timeout=None, files=None, params=None):
        return _Response(self.client.post(self._path(url), data=data, headers=headers or {}, query_string=params))


@pytest.fixture(scope="session")
def web(ref_ctx):
    """The app over ref_store, in-process (Flask's test client)."""
    from sozialgraph.web import create_app
    from sozialgraph.web.views.sparql import close_pool

    app = create_app({"store": str(ref_ctx.store.path)}, context=ref_ctx)
    yield AppClient(app)
    close_pool(app)
