"""Shared fixtures: stores (real on-disk Oxigraph), the app, a real HTTP server on 127.0.0.1.

- ``ref_store``: session-scoped, read-only use: reference data + tests/fixtures/offers.ttl (hand-made offers whose
  right answers are worked out in tests/test_queries.py). Do not write to it.
- ``fresh_store``: a new on-disk store with the reference data only, for write tests.
- ``live_server``: the app on a real HTTP server (werkzeug, threaded) at 127.0.0.1 on a free port over ``ref_store``.
- ``shared_dir``: ../shared (skips the test when it is absent).
"""

from __future__ import annotations

import shutil
import socket
import threading
from pathlib import Path

import pytest

from sozialgraph import namespaces as ns
from sozialgraph.context import Context
from sozialgraph.reference import init_store
from sozialgraph.store.oxigraph import open_store

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
    init_store(store)
    store.flush()
    del store
    return path


@pytest.fixture
def fresh_store(tmp_path, _reference_template):
    path = tmp_path / "store"
    shutil.copytree(_reference_template, path)
    return open_store(path)


@pytest.fixture(scope="session")
def ref_store(tmp_path_factory, _reference_template):
    path = tmp_path_factory.mktemp("ref") / "store"
    shutil.copytree(_reference_template, path)
    store = open_store(path)
    store.load_file(FIXTURES / "offers.ttl", ns.office_graph(FIXTURE_OFFICE))
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
        self._thread = threading.Thread(target=self._srv.serve_forever, daemon=True)
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
