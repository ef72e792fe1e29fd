"""The home page over real HTTP: German by default, English by switch, the same figures as JSON."""

from __future__ import annotations

import re

import requests


def test_home_page_german_with_counts(web):
    r = web.get("/", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert '<html lang="de">' in r.text and "Wer bietet was, für wen, wo?" in r.text
    offers = re.search(r'data-count="offers">([\d.]+)<', r.text).group(1)
    assert offers == "6"  # the six fixture offers
    assert re.search(r'data-count="quarters">86<', r.text)
    assert "Beispieldaten" in r.text


def test_home_english_and_json(web):
    r = web.get("/?lang=en", timeout=10)
    assert '<html lang="en">' in r.text and "Who offers what, for whom, where?" in r.text
    assert r.cookies.get("lang") == "en"
    r = web.get("/", headers={"Accept": "application/json"}, timeout=10)
    data = r.json()
    assert data["counts"]["offers"] == 6 and data["counts"]["boroughs"] == 9
    by_office = {o["name"]: o["count"] for o in data["offices"]}
    assert by_office["Amt für Soziales, Arbeit und Senioren"] == 4 and by_office["Jobcenter Köln"] == 1


def test_unknown_path_is_a_404_with_the_error_envelope(web):
    r = web.get("/api/does-not-exist", timeout=10)
    assert r.status_code == 404
    body = r.json()
    assert body["ok"] is False and body["status"] == 404 and body["error_de"] and body["error_en"]
