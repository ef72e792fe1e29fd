"""POST /api/submissions, GET /api/submissions/ID and the form /einreichen over real HTTP (127.0.0.1)."""

from __future__ import annotations

import pytest
import requests
from capture_helpers import CAPTURE, ctx_for, dump_all, good_rows, xlsx_bytes
from conftest import start_live_server

from sozialgraph.capture import tokens

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFFICE_50 = "https://w3id.org/sozialgraph/id/org/50"
OFFICE_51 = "https://w3id.org/sozialgraph/id/org/51"


@pytest.fixture
def srv(fresh_store):
    ctx = ctx_for(fresh_store)
    server = start_live_server(ctx, upload_limit_mb=1)
    server.ctx = ctx
    server.token50, _ = tokens.create(fresh_store, OFFICE_50)
    server.token51, _ = tokens.create(fresh_store, OFFICE_51)
    server.expired, _ = tokens.create(fresh_store, OFFICE_50, days=-1)
    yield server
    server.stop()


def post(srv, data, token, office="50", ctype="text/csv", **params):
    return requests.post(f"{srv.url}/api/submissions", params={"office": office, **params}, data=data,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": ctype}, timeout=60)


def test_multipart_csv_accepted_then_get(srv):
    r = requests.post(f"{srv.url}/api/submissions", params={"office": "50"},
                      files={"file": ("good.csv", (CAPTURE / "good.csv").read_bytes(), "text/csv")},
                      headers={"Authorization": f"Bearer {srv.token50}"}, timeout=60)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["ok"] is True and body["version"] == 1 and body["offers"] == 4 and body["id"] == "50-1"
    assert r.headers["Location"].endswith("/api/submissions/50-1")
    g = requests.get(f"{srv.url}/api/submissions/50-1", headers={"Authorization": f"Bearer {srv.token50}"},
                     timeout=30).json()
    assert g["status"] == "current" and g["provenance"]["fileName"] == "good.csv"
    assert g["report"]["offers"] == 4 and "user" not in g
    anonymous = requests.get(f"{srv.url}/api/submissions/50-1", timeout=30).json()
    assert anonymous["report"] is None and anonymous["provenance"]["offers"] == 4
    assert requests.get(f"{srv.url}/api/submissions/50-7", timeout=30).status_code == 404


def test_raw_xlsx_body_accepted(srv):
    r = post(srv, xlsx_bytes(good_rows()), srv.token50, ctype=XLSX, filename="bestand.xlsx")
    assert r.status_code == 201, r.text
    assert r.json()["fileName"] == "bestand.xlsx"


def test_rejected_report_points_at_row_and_column(srv):
    before = dump_all(srv.ctx.store)
    rows = good_rows()
    rows[2][rows[0].index("zielgruppen")] = "Seniorn"
    r = post(srv, xlsx_bytes(rows), srv.token50, ctype=XLSX)
    assert r.status_code == 422
    body = r.json()
    assert body["ok"] is False and body["status"] == 422
    item = [i for i in body["report"]["items"] if i["severity"] == "Violation"][0]
    assert (item["row"], item["column"]) == (3, "zielgruppen")
    assert "Meinten Sie 'Senioren'?" in item["message_de"]
    assert dump_all(srv.ctx.store) == before


@pytest.mark.parametrize("case, status", [
    ("other_office", 403), ("expired", 401), ("no_token", 401), ("unknown_token", 401), ("unknown_office", 404),
    ("no_office", 400), ("too_large", 413), ("unknown_format", 415), ("empty", 422), ("malformed_ttl", 422),
    ("ragged", 422), ("formula", 422), ("duplicate", 422),
])
def test_bad_requests_change_nothing(srv, case, status):
    before = dump_all(srv.ctx.store)
    good = (CAPTURE / "good.csv").read_bytes()
    if case == "other_office":
        r = post(srv, good, srv.token51)
    elif case == "expired":
        r = post(srv, good, srv.expired)
    elif case == "no_token":
        r = requests.post(f"{srv.url}/api/submissions?office=50", data=good, timeout=30)
    elif case == "unknown_token":
        r = post(srv, good, "sg_nichtdabei")
    elif case == "unknown_office":
        r = post(srv, good, srv.token50, office="99")
    elif case == "no_office":
        r = requests.post(f"{srv.url}/api/submissions", data=good, timeout=30,
                          headers={"Authorization": f"Bearer {srv.token50}"})
    elif case == "too_large":
        r = post(srv, good * 3000, srv.token50)
    elif case == "unknown_format":
        r = post(srv, b"%PDF-1.4", srv.token50, ctype="application/pdf")
    elif case == "empty":
        r = post(srv, b"", srv.token50)
    elif case == "malformed_ttl":
        r = post(srv, (CAPTURE / "invalid" / "malformed.ttl").read_bytes(), srv.token51, office="51",
                 ctype="text/turtle")
    elif case == "ragged":
        r = post(srv, (CAPTURE / "invalid" / "ragged.csv").read_bytes(), srv.token50)
    elif case == "formula":
        r = post(srv, xlsx_bytes(good_rows(), formula_at="B2"), srv.token50, ctype=XLSX)
    else:
        r = post(srv, (CAPTURE / "invalid" / "duplicate_kennung.csv").read_bytes(), srv.token50)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["ok"] is False and body["status"] == status and body["error_de"] and body["error_en"]
    assert dump_all(srv.ctx.store) == before


def test_error_messages_in_english(srv):
    r = requests.post(f"{srv.url}/api/submissions?office=50&lang=en", data=b"x", timeout=30,
                      headers={"Authorization": f"Bearer {srv.token51}", "Content-Type": "text/csv"})
    assert r.status_code == 403 and "another office" in r.json()["error"]


def test_form_upload_shows_report(srv):
    page = requests.get(f"{srv.url}/einreichen", timeout=30)
    assert page.status_code == 200 and 'name="datei"' in page.text and "Amt für Kinder, Jugend und Familie" in page.text
    bad = (CAPTURE / "invalid" / "unknown_zielgruppe.csv").read_bytes()
    r = requests.post(f"{srv.url}/einreichen", data={"office": "50", "token": srv.token50},
                      files={"datei": ("liste.csv", bad, "text/csv")}, timeout=60)
    assert r.status_code == 422
    assert "data-status=\"rejected\"" in r.text and "&#39;Seniorn&#39; ist keine bekannte Zielgruppe" in r.text
    r = requests.post(f"{srv.url}/einreichen", data={"office": "50", "token": srv.token50},
                      files={"datei": ("liste.xlsx", xlsx_bytes(good_rows()), XLSX)}, timeout=60)
    assert r.status_code == 201 and "Version 1" in r.text
    r = requests.post(f"{srv.url}/einreichen", data={"office": "50", "token": srv.token51},
                      files={"datei": ("liste.csv", bad, "text/csv")}, timeout=60)
    assert r.status_code == 403


def test_form_escapes_file_names(srv):
    r = requests.post(f"{srv.url}/einreichen", data={"office": "50", "token": srv.token50, "nur_pruefen": "1"},
                      files={"datei": ("<b onmouseover=x>.csv", (CAPTURE / "good.csv").read_bytes(), "text/csv")},
                      timeout=60)
    assert r.status_code == 200 and "<b onmouseover" not in r.text and "&lt;b onmouseover=x&gt;.csv" in r.text


def test_template_downloads(srv):
    r = requests.get(f"{srv.url}/einreichen/vorlage.xlsx", timeout=30)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert requests.get(f"{srv.url}/einreichen/vorlage.csv", timeout=30).content.startswith(b"\xef\xbb\xbfkennung")
