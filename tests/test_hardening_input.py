"""Hardening of the inputs: upload bodies (limit with and without Content-Length, truncation), the form
/einreichen without or with a bad key, hostile XLSX files, long SPARQL GET queries, SERVICE checks before any
evaluation, the query workers' memory cap and the removal of checkpoints left by killed servers."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
import requests
from capture_helpers import CAPTURE, ctx_for, dump_all, good_rows, xlsx_bytes
from click.testing import CliRunner
from conftest import start_live_server

from sozialgraph.capture import tokens

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFFICE_50 = "https://w3id.org/sozialgraph/id/org/50"
GOOD = (CAPTURE / "good.csv").read_bytes()


@pytest.fixture
def srv(fresh_store):
    ctx = ctx_for(fresh_store)
    server = start_live_server(ctx, upload_limit_mb=1)
    server.ctx = ctx
    server.token50, _ = tokens.create(fresh_store, OFFICE_50)
    server.expired, _ = tokens.create(fresh_store, OFFICE_50, days=-1)
    server.revoked, revoked_id = tokens.create(fresh_store, OFFICE_50)
    tokens.revoke(fresh_store, revoked_id)
    yield server
    server.stop()


def _chunks(data: bytes, size: int = 64 * 1024):
    for i in range(0, len(data), size):
        yield data[i:i + size]


def _csv_of_size(n: int) -> bytes:
    """good.csv padded with extra copies of its last row's text in a comment-free way: only the size matters."""
    out = GOOD
    while len(out) < n:
        out += GOOD.split(b"\n", 1)[1]
    return out


# -- 1. upload bodies ------------------------------------------------------------------------------------------
def test_chunked_body_over_the_limit_is_413_and_changes_nothing(srv):
    before = dump_all(srv.ctx.store)
    body = _csv_of_size(int(1.5 * 1024 * 1024))
    r = requests.post(f"{srv.url}/api/submissions", params={"office": "50"}, data=_chunks(body),
                      headers={"Authorization": f"Bearer {srv.token50}", "Content-Type": "text/csv"}, timeout=60)
    assert r.request.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in r.request.headers
    assert r.status_code == 413, r.text
    assert r.json()["error_de"].startswith("Die Datei ist zu groß") and r.json()["error_en"]
    assert dump_all(srv.ctx.store) == before


def test_chunked_body_under_the_limit_is_stored_whole(srv):
    body = _csv_of_size(300 * 1024)
    r = requests.post(f"{srv.url}/api/submissions", params={"office": "50", "dry_run": "1"}, data=_chunks(body),
                      headers={"Authorization": f"Bearer {srv.token50}", "Content-Type": "text/csv"}, timeout=60)
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert r.status_code in (200, 422), r.text
    assert r.json()["sha256"] == hashlib.sha256(body).hexdigest()
    r = requests.post(f"{srv.url}/api/submissions", params={"office": "50"}, data=_chunks(GOOD, 100),
                      headers={"Authorization": f"Bearer {srv.token50}", "Content-Type": "text/csv"}, timeout=60)
    assert r.status_code == 201, r.text
    assert r.json()["sha256"] == hashlib.sha256(GOOD).hexdigest()


def test_multipart_chunked_over_the_limit_is_413(srv):
    before = dump_all(srv.ctx.store)
    boundary = "grenze123"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"g.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + _csv_of_size(1_200_000) + f"\r\n--{boundary}--\r\n".encode()
    r = requests.post(f"{srv.url}/api/submissions", params={"office": "50"}, data=_chunks(body),
                      headers={"Authorization": f"Bearer {srv.token50}",
                               "Content-Type": f"multipart/form-data; boundary={boundary}"}, timeout=60)
    assert r.status_code == 413, r.text
    assert dump_all(srv.ctx.store) == before


def _raw_request(srv, head: bytes, body: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
        s.sendall(head + body)
        s.shutdown(socket.SHUT_WR)  # the client gives up: fewer bytes than announced
        out = b""
        while True:
            part = s.recv(65536)
            if not part:
                return out
            out += part


def test_truncated_body_is_rejected(srv):
    before = dump_all(srv.ctx.store)
    head = (f"POST /api/submissions?office=50 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
            f"Authorization: Bearer {srv.token50}\r\nContent-Length: {len(GOOD) + 500}\r\n"
            f"Connection: close\r\n\r\n").encode()
    out = _raw_request(srv, head, GOOD)
    assert out.startswith(b"HTTP/1.1 400"), out[:300]
    assert "unvollständig".encode() in out
    assert dump_all(srv.ctx.store) == before


# -- 2. the form /einreichen -------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["missing", "wrong", "expired", "revoked"])
def test_form_bad_key_is_401_in_german(srv, which):
    before = dump_all(srv.ctx.store)
    token = {"missing": "", "wrong": "sg_falsch", "expired": srv.expired, "revoked": srv.revoked}[which]
    r = requests.post(f"{srv.url}/einreichen", data={"office": "50", "token": token},
                      files={"datei": ("liste.csv", GOOD, "text/csv")}, timeout=60)
    assert r.status_code == 401, r.text[:500]
    assert "text/html" in r.headers["Content-Type"] and 'role="alert"' in r.text
    assert ("Upload-Schlüssel" in r.text or "Schlüssel" in r.text) and 'name="datei"' in r.text
    assert r.headers["Content-Language"] == "de"
    assert dump_all(srv.ctx.store) == before


def test_form_bad_key_in_english(srv):
    r = requests.post(f"{srv.url}/einreichen?lang=en", data={"office": "50", "token": "sg_falsch"},
                      files={"datei": ("liste.csv", GOOD, "text/csv")}, timeout=60)
    assert r.status_code == 401 and r.headers["Content-Language"] == "en"
    assert "token" in r.text.lower() and "Schlüssel" not in r.text.split('role="alert"')[1].split("</p>")[0]
    r = requests.post(f"{srv.url}/einreichen", data={"office": "50"}, cookies={"lang": "en"},
                      files={"datei": ("liste.csv", GOOD, "text/csv")}, timeout=60)
    assert r.status_code == 401 and "Please enter the office's upload token" in r.text.replace("&#39;", "'")


def test_form_check_only_needs_no_key_and_writes_nothing(srv):
    before = dump_all(srv.ctx.store)
    r = requests.post(f"{srv.url}/einreichen", data={"office": "50", "nur_pruefen": "1"},
                      files={"datei": ("liste.csv", GOOD, "text/csv")}, timeout=60)
    assert r.status_code == 200, r.text[:500]
    assert dump_all(srv.ctx.store) == before
    bad = (CAPTURE / "invalid" / "unknown_zielgruppe.csv").read_bytes()
    r = requests.post(f"{srv.url}/einreichen", data={"office": "50", "nur_pruefen": "1", "token": ""},
                      files={"datei": ("liste.csv", bad, "text/csv")}, timeout=60)
    assert r.status_code == 422 and "Seniorn" in r.text
    assert dump_all(srv.ctx.store) == before
    page = requests.get(f"{srv.url}/einreichen", timeout=30).text
    assert 'name="token"' in page and 'name="token" type="password" autocomplete="off" required' not in page


# -- 3. hostile XLSX -------------------------------------------------------------------------------------------
def _replace_part(data: bytes, name: str, edit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            dst.writestr(info, edit(content) if info.filename == name else content)
    return out.getvalue()


BOMB = (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
        b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>')
XXE = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _with_doctype(decl: bytes) -> bytes:
    def edit(xml: bytes) -> bytes:
        head, sep, rest = xml.partition(b"?>")
        return head + sep + decl + rest if sep else decl + xml

    return _replace_part(xlsx_bytes(good_rows()), "xl/worksheets/sheet1.xml", edit)


def _corrupt() -> bytes:
    data = bytearray(xlsx_bytes(good_rows()))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + info.compress_size - 10, 7):
        data[i] ^= 0x5A
    return bytes(data)


HOSTILE = {"bomb": (_with_doctype(BOMB), "DOCTYPE"), "xxe": (_with_doctype(XXE), "DOCTYPE"),
           "corrupt": (_corrupt(), "beschädigt")}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_xlsx_over_the_api(srv, case):
    data, word = HOSTILE[case]
    before = dump_all(srv.ctx.store)
    r = requests.post(f"{srv.url}/api/submissions", params={"office": "50"}, data=data,
                      headers={"Authorization": f"Bearer {srv.token50}", "Content-Type": XLSX}, timeout=60)
    assert r.status_code in (400, 422), r.text
    assert word in r.json()["error_de"], r.json()["error_de"]
    assert dump_all(srv.ctx.store) == before


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_xlsx_in_the_cli(fresh_store, tmp_path, case):
    from sozialgraph.cli import main

    data, word = HOSTILE[case]
    before = dump_all(fresh_store)
    path = str(fresh_store.path)
    fresh_store.close()  # release the lock: the CLI opens the store itself
    import gc

    gc.collect()
    f = tmp_path / "liste.xlsx"
    f.write_bytes(data)
    for cmd in ("validate", "submit"):
        r = CliRunner().invoke(main, ["--store", path, cmd, str(f), "--office", "50"])
        assert r.exit_code in (1, 2), r.output
        assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
        assert word in r.output, r.output
    from sozialgraph.store.oxigraph import open_store

    assert dump_all(open_store(path)) == before


def test_valid_xlsx_still_reads():
    from sozialgraph.capture.template import read_table

    assert len(read_table(xlsx_bytes(good_rows()), "xlsx").rows) == 4


# -- 4. long GET queries, errors for RDF clients ---------------------------------------------------------------
@pytest.fixture
def client(ref_ctx):
    from sozialgraph.web import create_app
    from sozialgraph.web.views.sparql import close_pool

    app = create_app({"store": str(ref_ctx.store.path), "query_workers": 0}, context=ref_ctx)
    yield app.test_client()
    close_pool(app)


def test_long_get_query_is_json_414(client):
    q = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * 9000
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 414 and r.is_json
    assert "bitte POST verwenden" in r.json["error_de"] and "use POST" in r.json["error_en"]
    r = client.get("/sparql", query_string={"query": q, "lang": "en"})
    assert r.status_code == 414 and r.is_json and "use POST" in r.json["error"]
    r = client.post("/sparql", data=q, content_type="application/sparql-query")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    short = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * 5000
    assert client.get("/sparql", query_string={"query": short}).status_code == 200


def test_gunicorn_request_line_limit_is_raised():
    src = (Path(__file__).resolve().parents[1] / "src" / "sozialgraph" / "web" / "server.py").read_text()
    assert '"limit_request_line": 8190' in src


@pytest.mark.parametrize("accept, media", [("text/turtle", "text/turtle"), ("application/n-triples", "application/n-triples"),
                                           ("application/json", "application/json"),
                                           ("application/ld+json", "application/json"), ("text/plain", "text/plain")])
def test_id_errors_for_rdf_clients_are_not_html(client, accept, media):
    r = client.get("/id/angebot/gibt-es-nicht-4711", headers={"Accept": accept})
    assert r.status_code in ((404, 406) if accept == "text/plain" else (404,))  # no plain-text documents: 406
    assert r.mimetype == media, (r.mimetype, r.get_data(as_text=True)[:200])
    text = r.get_data(as_text=True)
    assert "<html" not in text.lower()
    if media == "text/turtle":
        import pyoxigraph as ox

        assert list(ox.parse(text.encode(), ox.RdfFormat.TURTLE)) == [] and "404" in text
    r = client.get("/id/angebot/gibt-es-nicht-4711", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.mimetype == "text/html"


# -- 5. SERVICE is checked before anything runs ----------------------------------------------------------------
class _Listener:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.hits: list[bytes] = []
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.hits.append(c.recv(1000) or b"(connect)")
            c.close()


@pytest.mark.parametrize("workers", [0, 1])
def test_ask_with_service_is_403_and_fetches_nothing(ref_ctx, workers):
    from sozialgraph.web import create_app
    from sozialgraph.web.views.sparql import close_pool

    lst = _Listener()
    app = create_app({"store": str(ref_ctx.store.path), "query_workers": workers}, context=ref_ctx)
    c = app.test_client()
    try:
        for q in (f"ASK {{ SERVICE <http://127.0.0.1:{lst.port}/x> {{ ?s ?p ?o }} }}",
                  f"ASK {{ SERVICE SILENT <http://127.0.0.1:{lst.port}/x> {{ ?s ?p ?o }} }}",
                  f"SELECT * {{ ?a ?b ?c FILTER EXISTS {{ SERVICE <http://127.0.0.1:{lst.port}/x> {{ ?s ?p ?o }} }} }}",
                  "ASK { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"):
            r = c.get("/sparql", query_string={"query": q}, headers={"Accept": "application/sparql-results+json"})
            assert r.status_code == 403, r.get_data(as_text=True)[:300]
        time.sleep(0.3)
        assert lst.hits == []
    finally:
        close_pool(app)
        lst.sock.close()


def test_failing_allowed_service_is_not_a_500(ref_ctx):
    from sozialgraph.web import create_app
    from sozialgraph.web.views.sparql import close_pool

    lst = _Listener()  # accepts and closes at once: an endpoint that answers nothing
    app = create_app({"store": str(ref_ctx.store.path), "query_workers": 0,
                      "federation_allow": f"http://127.0.0.1:{lst.port}/"}, context=ref_ctx)
    try:
        for form in ("ASK", "SELECT *"):
            r = app.test_client().get("/sparql", query_string={
                "query": f"{form} {{ SERVICE <http://127.0.0.1:{lst.port}/x> {{ ?s ?p ?o }} }}"},
                headers={"Accept": "application/sparql-results+json"})
            assert r.status_code != 500 and 400 <= r.status_code < 600 and r.is_json, r.get_data(as_text=True)[:300]
            assert "SERVICE" in r.json["error_de"]
    finally:
        close_pool(app)
        lst.sock.close()


# -- 6. query workers: memory cap, stale checkpoints -----------------------------------------------------------
# a string doubled 28 times: 16 bytes * 2**28 = 4 GiB, far over the cap, reached in well under a second
MEMORY_HOG = ('SELECT (STRLEN(?x28) AS ?n) WHERE { BIND("0123456789abcdef" AS ?x0) '
              + " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(28)) + " }")


@pytest.mark.slow
def test_memory_cap_stops_the_query_and_the_worker_is_replaced(ref_ctx):
    from sozialgraph.sparql.pool import SparqlPool
    from sozialgraph.sparql.protocol import ProtocolError

    settings = {**ref_ctx.settings, "query_workers": 1, "query_memory_mb": 1024, "query_timeout": 60.0}
    pool = SparqlPool(ref_ctx.store, settings)
    try:
        with pytest.raises(ProtocolError) as info:
            pool.run(pool.job(MEMORY_HOG, formats={"select": "json"}))
        assert info.value.status in (503, 422) and "query_memory_mb" in info.value.de
        res = pool.run(pool.job("ASK { ?s ?p ?o }", formats={"ask": "json"}))  # a fresh worker took its place
        assert b"true" in res.body and pool._slots and all(s.proc.poll() is None for s in pool._slots)
        print("worker", [ln for ln in Path(f"/proc/{pool._slots[0].proc.pid}/status").read_text().splitlines()
                         if ln.startswith(("VmSize", "VmRSS"))])
    finally:
        pool.close()


def test_stale_checkpoints_of_dead_servers_are_removed(fresh_store, tmp_path):
    from sozialgraph.sparql.pool import SparqlPool

    base = Path(f"{fresh_store.path}-checkpoints")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = base / f"{dead.pid}-0123abcd"
    (stale / "g1-abcdef").mkdir(parents=True)
    (stale / "g1-abcdef" / "CURRENT").write_text("x")
    alive = base / f"{os.getpid()}-fedcba98"
    alive.mkdir()
    other = base / "notes"
    other.mkdir()
    pool = SparqlPool(fresh_store, {"query_timeout": 10.0, "query_workers": 1, "queue_timeout": 5.0,
                                    "max_rows": 100, "federation_allow": ""})
    try:
        assert b"true" in pool.run(pool.job("ASK { ?s ?p ?o }", formats={"ask": "json"})).body
        assert not stale.exists() and alive.exists() and other.exists()
    finally:
        pool.close()


def test_a_submission_queued_too_long_is_503_with_retry_after_and_stores_nothing(fresh_store):
    """Submissions are queued on the store's write lock; one that waits longer than submit_wait gets 503 with
    Retry-After (never a hang), and nothing of it is stored; once the lock is free the same file is accepted."""
    from sozialgraph import config
    from sozialgraph.context import Context
    from sozialgraph.web import create_app

    token, _ = tokens.create(fresh_store, OFFICE_50)
    settings = config.load({"store": str(fresh_store.path), "submit_wait": 0.5, "validate_workers": 1})
    client = create_app(settings, context=Context(settings, store=fresh_store)).test_client()
    held, release = threading.Event(), threading.Event()

    def writer():  # another submission holding the store
        with fresh_store.write_lock:
            held.set()
            release.wait(30)

    th = threading.Thread(target=writer)
    th.start()
    held.wait(10)
    before = dump_all(fresh_store)
    body = (CAPTURE / "good.csv").read_bytes()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    t0 = time.monotonic()
    r = client.post("/api/submissions?office=50", data=body, headers=headers)
    assert r.status_code == 503 and r.headers["Retry-After"] and "submit_wait" in r.get_json()["error_en"]
    assert time.monotonic() - t0 < 20
    release.set()
    th.join(10)
    assert dump_all(fresh_store) == before
    assert client.post("/api/submissions?office=50", data=body, headers=headers).status_code == 201
