"""The admin routes (/api/admin/…, web/views/admin.py) and the CLI's --server mode: operations while serving.

In-process (Flask's test client over a fresh store): the admin token guards every route (401 without or with a
wrong one, 404 when none is configured); a token created over HTTP authorises a submission and is refused once
revoked; the backup route writes the backup format of `sozialgraph backup`, and restoring it gives the same store;
GeoJSON posted to the geodata route draws the map. One slow test runs `sozialgraph serve` as a real process and
drives it with the CLI (`token create --server`, `backup --server`) while it runs.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from serve_helpers import ADMIN_SETTINGS, ServeProcess, env, free_port, run
import requests
from click.testing import CliRunner

from sozialgraph import config, namespaces as ns
from sozialgraph.cli import main
from sozialgraph.context import Context
from sozialgraph.store.oxigraph import open_store
from sozialgraph.web import create_app

ROOT = Path(__file__).resolve().parents[1]
GOOD_CSV = ROOT / "tests" / "fixtures" / "capture" / "good.csv"
ADMIN = "s3cret"
AUTH = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture(autouse=True)
def _no_admin_environment(monkeypatch):
    for name in ADMIN_SETTINGS:
        monkeypatch.delenv("SOZIALGRAPH_" + name.upper(), raising=False)


def make_client(store, **extra):
    from sozialgraph.web.views.sparql import close_pool

    settings = config.load({"store": str(store.path), "validate_workers": 1})
    app = create_app({"store": str(store.path), "validate_workers": 1, **extra},
                     context=Context(settings, store=store))
    client = app.test_client(use_cookies=False)
    client.close_pool = lambda: close_pool(app)
    return client


@pytest.fixture
def client(fresh_store):
    c = make_client(fresh_store, admin_token=ADMIN)
    yield c
    c.close_pool()


def dump_sorted(store) -> list[bytes]:
    """Every quad (private graphs too) as sorted N-Quads lines, blank-node labels aside (a restore gives blank
    nodes new labels: same_store compares those graphs up to isomorphism)."""
    buf = io.BytesIO()
    store.dump(buf, "nq", public_only=False)
    return sorted(line for line in buf.getvalue().splitlines() if b"_:" not in line)


def same_store(a, b) -> bool:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    if dump_sorted(a) != dump_sorted(b) or a.graphs() != b.graphs():
        return False
    for g in a.graphs() + [ns.G_PUBLIC_DEFAULT]:
        x, y = a.graph_ntriples(g), b.graph_ntriples(g)
        if b"_:" not in x and b"_:" not in y:
            if sorted(x.splitlines()) != sorted(y.splitlines()):
                return False
            continue
        gx, gy = Graph(), Graph()
        gx.parse(data=x.decode("utf-8"), format="nt")
        gy.parse(data=y.decode("utf-8"), format="nt")
        if not isomorphic(gx, gy):
            return False
    return True


def submit(client, token: str, office: str = "50"):
    return client.post("/api/submissions", query_string={"office": office}, data=GOOD_CSV.read_bytes(),
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})


def test_admin_routes_need_the_admin_token(client, fresh_store):
    for method, path in (("post", "/api/admin/tokens"), ("get", "/api/admin/tokens"),
                         ("delete", "/api/admin/tokens/000000000000"), ("post", "/api/admin/backup"),
                         ("post", "/api/admin/geodata")):
        for headers in ({}, {"Authorization": "Bearer falsch"}, {"Authorization": "Basic czNjcmV0"}):
            r = getattr(client, method)(path, headers=headers, json={"office": "50", "dir": "x"})
            assert r.status_code == 401, (method, path, headers)
            body = r.get_json()
            assert body["ok"] is False and body["status"] == 401
            assert "Admin-Schlüssel" in body["error"] and "admin token" in body["error_en"]
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert fresh_store.count(ns.G_TOKENS) == 0
    # an upload token of an office is no admin token
    from sozialgraph.capture import tokens

    upload, _ = tokens.create(fresh_store, ns.ID + "org/50")
    assert client.get("/api/admin/tokens", headers={"Authorization": f"Bearer {upload}"}).status_code == 401


def test_without_an_admin_token_there_are_no_admin_routes(fresh_store, tmp_path):
    c = make_client(fresh_store)
    try:
        for headers in ({}, AUTH, {"Authorization": "Bearer "}):
            r = c.get("/api/admin/tokens", headers=headers)
            assert r.status_code == 404 and r.get_json()["status"] == 404
            assert c.post("/api/admin/backup", headers=headers, json={"dir": "x"}).status_code == 404
    finally:
        c.close_pool()
    empty = tmp_path / "empty-token"
    empty.write_text("\n")
    secret = tmp_path / "admin-token"
    secret.write_text("aus-datei\n")
    c = make_client(fresh_store, admin_token_file=str(empty))
    try:
        assert c.get("/api/admin/tokens", headers={"Authorization": "Bearer "}).status_code == 404
    finally:
        c.close_pool()
    c = make_client(fresh_store, admin_token_file=str(secret))
    try:
        assert c.get("/api/admin/tokens", headers={"Authorization": "Bearer aus-datei"}).status_code == 200
        assert c.get("/api/admin/tokens", headers=AUTH).status_code == 401
    finally:
        c.close_pool()


def test_token_create_authorises_a_submission_and_revoke_refuses_it(client, fresh_store):
    r = client.post("/api/admin/tokens", headers=AUTH, json={"office": "50", "days": 30})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    token, tid = body["token"], body["id"]
    assert token.startswith("sg_") and len(tid) == 12 and body["office"] == "50" and body["expires"]
    r = submit(client, token)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["version"] == 1

    listed = client.get("/api/admin/tokens", headers=AUTH, query_string={"office": "50"}).get_json()["tokens"]
    assert [t["id"] for t in listed] == [tid] and listed[0]["office"] == "50"
    assert not listed[0]["revoked"] and not listed[0]["expired"]
    assert all("hash" not in t for t in listed) and token not in json.dumps(listed)
    assert hashlib.sha256(token.encode()).hexdigest() not in json.dumps(listed)
    assert client.get("/api/admin/tokens", headers=AUTH, query_string={"office": "51"}).get_json()["tokens"] == []

    r = client.delete(f"/api/admin/tokens/{tid}", headers=AUTH)
    assert r.status_code == 204 and r.data == b""
    r = submit(client, token)
    assert r.status_code == 401 and "widerrufen" in r.get_json()["error"]
    listed = client.get("/api/admin/tokens", headers=AUTH).get_json()["tokens"]
    assert listed[0]["revoked"] is True
    r = client.delete("/api/admin/tokens/000000000000", headers=AUTH)
    assert r.status_code == 404 and r.get_json()["error_en"] == "No token '000000000000'."


def test_token_create_refuses_bad_input(client, fresh_store):
    r = client.post("/api/admin/tokens", headers=AUTH, json={"office": "Amt für Nichts"})
    assert r.status_code == 400 and "kein bekanntes Amt" in r.get_json()["error"]
    for body in ({}, {"office": "50", "days": "viele"}, {"office": "50", "days": 0}, ["50"]):
        r = client.post("/api/admin/tokens", headers=AUTH, json=body)
        assert r.status_code == 400, body
        assert r.get_json()["ok"] is False and r.get_json()["error_de"]
    r = client.post("/api/admin/tokens", headers=AUTH, data="office=50")
    assert r.status_code == 400 and "JSON" in r.get_json()["error"]
    assert fresh_store.count(ns.G_TOKENS) == 0


@pytest.mark.slow
def test_backup_route_writes_a_backup_that_restores_the_same_store(client, fresh_store, tmp_path):
    token = client.post("/api/admin/tokens", headers=AUTH, json={"office": "50"}).get_json()["token"]
    assert submit(client, token).status_code == 201
    r = client.post("/api/admin/backup", headers=AUTH, json={"dir": "erste"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    target = fresh_store.path.parent / "backups" / "erste"  # default backup_dir: "backups" next to the store
    assert Path(body["path"]) == target.resolve()
    assert sorted(p.name for p in target.iterdir()) == ["dump.nq", "manifest.json"]
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert body["manifest"] == manifest
    assert manifest["format"] == "sozialgraph-backup" and manifest["quads"] > 0
    assert ns.G_TOKENS in manifest["graphs"] and ns.office_graph("50") in manifest["graphs"]
    assert hashlib.sha256((target / "dump.nq").read_bytes()).hexdigest() == manifest["sha256"]

    restored = tmp_path / "restored"
    r = CliRunner().invoke(main, ["--store", str(restored), "restore", str(target)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    copy = open_store(restored)
    try:
        assert dump_sorted(copy) == dump_sorted(fresh_store)  # the same N-Quads (sorted lines)
        assert same_store(copy, fresh_store)
        assert copy.count_public_default() == fresh_store.count_public_default()
    finally:
        copy.close()

    # the same name again, and names that would leave the backup folder
    r = client.post("/api/admin/backup", headers=AUTH, json={"dir": "erste"})
    assert r.status_code == 409 and r.get_json()["error_de"]
    for name in ("../raus", "a/b", "..", "/tmp/x", "", "a\\b", None, 7):
        r = client.post("/api/admin/backup", headers=AUTH, json={"dir": name})
        assert r.status_code == 400, name
        assert "backup_dir" in r.get_json()["error"]
    assert not (fresh_store.path.parent / "raus").exists()


def test_backup_dir_setting(fresh_store, tmp_path):
    c = make_client(fresh_store, admin_token=ADMIN, backup_dir=str(tmp_path / "anderswo"))
    try:
        r = c.post("/api/admin/backup", headers=AUTH, json={"dir": "b"})
        assert r.status_code == 201, r.get_json()
        assert (tmp_path / "anderswo" / "b" / "dump.nq").is_file()
    finally:
        c.close_pool()


def geojson(number: int = 101) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"stadtteil_nr": number, "name": "Altstadt/Süd"},
         "geometry": {"type": "Polygon", "coordinates": [[[6.94, 50.92], [6.96, 50.92], [6.96, 50.935],
                                                          [6.94, 50.935], [6.94, 50.92]]]}}]}).encode("utf-8")


def test_geodata_route_draws_the_map(client, fresh_store):
    fresh_store.drop([ns.G_GEO])  # without the shipped polygons: proportional symbols only
    assert "<path" not in client.get("/karte.svg").get_data(as_text=True)
    r = client.post("/api/admin/geodata", headers={**AUTH, "Content-Type": "application/geo+json"},
                    data=geojson(101))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["imported"] == 1 and r.get_json()["unmatched"] == 0
    assert fresh_store.count(ns.G_GEO) > 0
    svg = client.get("/karte.svg")
    assert svg.status_code == 200 and "<path" in svg.get_data(as_text=True)

    r = client.post("/api/admin/geodata", headers=AUTH, data=geojson(4711))
    assert r.status_code == 422 and "Kein Gebiet der Datei passt" in r.get_json()["error"]
    r = client.post("/api/admin/geodata", headers=AUTH, data=b"{kein json")
    assert r.status_code == 422 and r.get_json()["error_en"].startswith("The file is not readable JSON")
    assert client.post("/api/admin/geodata", headers=AUTH, data=b"").status_code == 400


def test_cli_says_to_use_server_when_the_store_is_locked(tmp_path, fresh_store):
    runner = CliRunner()
    for args in (["token", "create", "--office", "50"], ["token", "list"], ["token", "revoke", "000000000000"],
                 ["backup", str(tmp_path / "bak")]):
        r = runner.invoke(main, ["--store", str(fresh_store.path), *args])
        assert r.exit_code == 1, args
        assert "sozialgraph serve" in r.output and "--server URL --admin-token" in r.output, r.output
        r = runner.invoke(main, ["--store", str(fresh_store.path), "--lang", "en", *args])
        assert r.exit_code == 1 and "opened by another process" in r.output and "--server" in r.output
    r = runner.invoke(main, ["token", "list", "--server", "http://127.0.0.1:9"], env={"SOZIALGRAPH_ADMIN_TOKEN": ""})
    assert r.exit_code == 2 and "SOZIALGRAPH_ADMIN_TOKEN" in r.output


# -- the real server -----------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_talks_to_the_running_server(tmp_path):
    store = tmp_path / "store"
    run(store, "init")
    admin = "admin-" + hashlib.sha256(str(tmp_path).encode()).hexdigest()[:16]
    srv = ServeProcess(store, free_port(), tmp_path / "serve.log", env(SOZIALGRAPH_ADMIN_TOKEN=admin))
    try:
        srv.wait_ready()
        # without --server the CLI cannot open the store, and says what to do
        r = run(store, "token", "create", "--office", "50", ok=False)
        assert r.returncode == 1 and "--server" in r.stderr, r.stderr
        # wrong admin token: 401 from the server, a clear message
        r = run(store, "token", "create", "--office", "50", "--server", srv.base, "--admin-token", "falsch",
                 ok=False)
        assert r.returncode == 1 and "401" in r.stderr and "Admin-Schlüssel ist falsch" in r.stderr, r.stderr

        r = run(store, "token", "create", "--office", "50", "--days", "7", "--server", srv.base,
                 "--admin-token", admin)
        token = r.stdout.strip().splitlines()[-1]
        assert token.startswith("sg_") and "Amt 50" in r.stderr
        resp = requests.post(f"{srv.base}/api/submissions", params={"office": "50"}, data=GOOD_CSV.read_bytes(),
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}, timeout=60)
        assert resp.status_code == 201, resp.text

        listed = run(store, "token", "list", "--server", srv.base, environ=env(SOZIALGRAPH_ADMIN_TOKEN=admin)).stdout
        assert "gültig" in listed and token not in listed

        # the admin token from the environment, as an operator's shell would have it
        r = run(store, "backup", "nach-einreichung", "--server", srv.base, environ=env(SOZIALGRAPH_ADMIN_TOKEN=admin))
        assert "Sicherung durch den Server" in r.stdout, r.stdout + r.stderr
        bak = tmp_path / "backups" / "nach-einreichung"  # default backup_dir: next to the store
        manifest = json.loads((bak / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["format"] == "sozialgraph-backup"
        graphs = manifest["graphs"]
        assert graphs.get("https://w3id.org/sozialgraph/graph/office/50", 0) > 0
        assert graphs.get("https://w3id.org/sozialgraph/graph/private/tokens", 0) > 0
        dump = (bak / "dump.nq").read_bytes()
        assert hashlib.sha256(dump).hexdigest() == manifest["sha256"]
        assert hashlib.sha256(token.encode()).hexdigest().encode() in dump  # the token's hash, never the token
        assert token.encode() not in dump
        r = run(store, "backup", "../raus", "--server", srv.base, "--admin-token", admin, ok=False)
        assert r.returncode == 1 and "400" in r.stderr

        # the server still serves, and the backup restores into a new store once it is stopped
        assert requests.get(f"{srv.base}/", timeout=30).status_code == 200
        assert srv.stop()[0] == 0, srv.stderr()
        r = run(tmp_path / "restored", "restore", str(bak))
        assert "Zahlen geprüft" in r.stdout
    finally:
        srv.kill()
