"""An installable package: the wheel (not an editable install) in a fresh virtualenv, run from a directory outside
the checkout, initialises a store, answers a saved query, publishes a release and serves pages. Everything it needs
(queries, shapes, ontology, vocabularies, reference data, templates, static files) is package data."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_wheel_works_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)], check=True,
                   cwd=tmp_path)
    wheel = next(dist.glob("sozialgraph-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("sozialgraph/ontology/sozialgraph.ttl", "sozialgraph/shapes/shapes.ttl",
                   "sozialgraph/queries/find-offers-serving-quarter.rq", "sozialgraph/data/vocab/zielgruppen.ttl",
                   "sozialgraph/data/koeln/gebiete.ttl", "sozialgraph/web/templates/base.html",
                   "sozialgraph/web/static/style.css"):
        assert needed in names, needed
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOZIALGRAPH_", "PYTHONPATH"))}
    sg = str(venv / "bin" / "sozialgraph")

    def run(*args):
        r = subprocess.run([sg, "--store", "store", *args], cwd=elsewhere, env=env, capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stderr + r.stdout
        return r.stdout

    # the installed copy is the one that runs, not the checkout
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import sozialgraph; print(sozialgraph.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout
    assert str(venv) in where and str(ROOT) not in where
    assert "Grunddaten geladen" in run("init")
    out = run("query", "list-quarters-without-offer", "-p", "zielgruppe=Senioren", "--format", "csv")
    assert len(out.strip().splitlines()) == 1 + 86  # no offers yet: every Stadtteil
    run("publish", "release", "--undated")
    assert (elsewhere / "release" / "katalog.ttl").is_file()
    port = _free_port()
    log = open(tmp_path / "serve.log", "wb")
    server = subprocess.Popen([sg, "--store", "store", "serve", "--no-demo", "--port", str(port)], cwd=elsewhere,
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while True:
            try:
                r = requests.get(f"http://127.0.0.1:{port}/angebote?zielgruppe=Senioren", timeout=10)
                break
            except requests.ConnectionError:
                assert time.time() < deadline and server.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.3)
        assert r.status_code == 200 and "Senioren" in r.text
        assert requests.get(f"http://127.0.0.1:{port}/static/style.css", timeout=10).status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        log.close()
