"""The operator's routes while the server runs: /api/admin/… (JSON), guarded by the admin token.

The embedded store can be opened by one process only, so while `sozialgraph serve` runs the command line cannot
write it; these routes do the operator's writes in the process that owns the store (the CLI's ``--server URL
--admin-token TOKEN`` calls them):

- ``POST /api/admin/tokens`` {"office": "50", "days": 30} → 201 {"token", "id", "office", "expires"} (the token is
  shown once; only its hash is stored), ``GET /api/admin/tokens?office=`` → the tokens (never hashes),
  ``DELETE /api/admin/tokens/ID`` → 204 or 404;
- ``POST /api/admin/backup`` {"dir": "NAME"} → 201 with the manifest: the backup of `sozialgraph backup` (dump.nq
  + manifest.json) into the folder NAME of the backup folder (setting ``backup_dir``; default ``backups`` next to
  the store). It is consistent: it is written under ``store.write_lock``, which every write of this process takes,
  so no write interleaves (submissions wait until it is done);
- ``POST /api/admin/geodata`` (a GeoJSON body) → 200 with the counts, like `sozialgraph geodata import`; 422 when
  the file matches no area.

The admin token is the operator's secret: setting ``admin_token``, or ``admin_token_file`` (a file holding it;
read on every request, so it can be rotated without a restart). Without either setting the routes are not
registered at all (404), and an empty token file is 404 too. A request carries ``Authorization: Bearer TOKEN``; a
missing or wrong one is 401. The routes are not in the public OpenAPI description.
"""

from __future__ import annotations

import hmac
import logging
import os
import tempfile
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, make_response, request

from sozialgraph.capture import tokens
from sozialgraph.capture.submissions import resolve_office
from sozialgraph.errors import SozialgraphError
from sozialgraph.store.backup import write_backup  # the one backup format (dump.nq + manifest.json)
from sozialgraph.reference.geodata import GeodataError, import_geojson
from sozialgraph.web import error_response, get_ctx

# Not named ``bp``: init_app registers it only when an admin token (or a token file) is configured, so that a
# server without one has no such routes at all (404), and the public OpenAPI description stays complete.
admin_bp = Blueprint("admin", __name__, url_prefix="/api/admin")
log = logging.getLogger(__name__)

REALM = 'Bearer realm="sozialgraph-admin"'


class AdminError(SozialgraphError):
    """A refused admin request: status, German and English message (and headers, e.g. WWW-Authenticate)."""


def _settings(app=None) -> dict:
    app = app or current_app
    return app.config.get("SOZIALGRAPH_SETTINGS") or app.extensions["sozialgraph"].settings


def _setting(name: str, default: str = "", app=None) -> str:
    """A setting (defaults < file < SOZIALGRAPH_* environment < flags, as every setting)."""
    value = _settings(app).get(name, default)
    return str(value or "").strip()


def init_app(app) -> None:
    """Register the admin routes when the operator set an admin token (admin_token or admin_token_file)."""
    if _setting("admin_token", app=app) or _setting("admin_token_file", app=app):
        app.register_blueprint(admin_bp)


def configured_token() -> str | None:
    """The admin token, or None: the admin routes are off. AdminError 503 if admin_token_file cannot be read."""
    token = _setting("admin_token")
    if token:
        return token
    path = _setting("admin_token_file")
    if not path:
        return None
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        log.error("admin_token_file %s cannot be read: %s", path, exc)
        raise AdminError("Die Datei mit dem Admin-Schlüssel (Einstellung admin_token_file) ist nicht lesbar.",
                         "The admin token file (setting admin_token_file) cannot be read.", status=503) from None
    return token or None


def _given_token() -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return None


@admin_bp.before_request
def _guard():
    try:
        expected = configured_token()
    except AdminError as exc:
        return error_response(exc.status, exc.de, exc.en)
    if expected is None:  # an empty admin_token_file: as if there were no admin routes
        return error_response(404, "Nicht gefunden.", "Not found.")
    given = _given_token()
    if given is None or not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        de = ("Der Admin-Schlüssel fehlt (Kopfzeile 'Authorization: Bearer …')." if given is None
              else "Der Admin-Schlüssel ist falsch.")
        en = ("The admin token is missing (header 'Authorization: Bearer …')." if given is None
              else "The admin token is wrong.")
        resp = make_response(error_response(401, de, en))
        resp.headers["WWW-Authenticate"] = REALM
        return resp
    return None


@admin_bp.errorhandler(SozialgraphError)
def _sozialgraph_error(exc: SozialgraphError):
    resp = make_response(error_response(exc.status, exc.de, exc.en,
                                        **({"suggestions": exc.suggestions} if getattr(exc, "suggestions", None)
                                           else {})))
    resp.headers.update(exc.headers)
    return resp


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise AdminError("Der Rumpf muss ein JSON-Objekt sein (Content-Type: application/json).",
                         "The body must be a JSON object (Content-Type: application/json).", status=400)
    return body


def _office(value) -> tuple[str, str]:
    if not isinstance(value, str) or not value.strip():
        raise AdminError("Feld 'office' fehlt (Code oder Name des Amts).",
                         "Field 'office' is missing (code or name of the office).", status=400)
    return resolve_office(get_ctx(), value.strip())  # UnknownValue (400, with suggestions) otherwise


# -- upload tokens -------------------------------------------------------------------------------------------------
@admin_bp.post("/tokens")
def token_create():
    body = _json_body()
    office_iri, code = _office(body.get("office"))
    days = body.get("days")
    if days is None:
        days = int(_settings().get("token_days", 365))
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise AdminError("Feld 'days' muss eine ganze Zahl ab 1 sein.", "Field 'days' must be a whole number >= 1.",
                         status=400)
    store = get_ctx().store
    tok, tid = tokens.create(store, office_iri, days)
    row = next((r for r in tokens.list_tokens(store, office_iri) if r["id"] == tid), {})
    log.info("admin: token %s created for office %s", tid, code)
    return jsonify({"ok": True, "status": 201, "token": tok, "id": tid, "office": code,
                    "expires": row.get("expires")}), 201


@admin_bp.get("/tokens")
def token_list():
    office = request.args.get("office")
    office_iri = _office(office)[0] if office else None
    rows = tokens.list_tokens(get_ctx().store, office_iri)
    out = [{"id": r["id"], "office": r["office"].rsplit("/", 1)[-1], "office_iri": r["office"],
            "created": r.get("created"), "expires": r.get("expires"), "revoked": r["revoked"],
            "expired": r["expired"]} for r in rows]
    return jsonify({"ok": True, "tokens": out})


@admin_bp.delete("/tokens/<token_id>")
def token_revoke(token_id: str):
    store = get_ctx().store
    with store.write_lock:  # look-up and revocation in one step
        done = tokens.revoke(store, token_id)
    if not done:
        return error_response(404, f"Kein Schlüssel '{token_id}'.", f"No token '{token_id}'.")
    log.info("admin: token %s revoked", token_id)
    return Response(status=204)


# -- backup --------------------------------------------------------------------------------------------------------
def backup_root() -> Path:
    configured = _setting("backup_dir")
    if configured:
        return Path(configured)
    return Path(str(_settings().get("store") or "var/store")).parent / "backups"


def _backup_name(value) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if (not name or "/" in name or "\\" in name or ".." in name or name == "." or name.startswith("~")
            or any(ord(c) < 32 for c in name)):
        raise AdminError(
            "Feld 'dir' muss ein einfacher Ordnername sein (ohne / und ..): die Sicherung kommt in diesen Ordner "
            "im Sicherungsordner des Servers (Einstellung backup_dir).",
            "Field 'dir' must be a plain folder name (no / and no ..): the backup goes into that folder in the "
            "server's backup folder (setting backup_dir).", status=400)
    return name


@admin_bp.post("/backup")
def backup():

    name = _backup_name(_json_body().get("dir"))
    target = backup_root() / name
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        return error_response(409, f"Die Sicherung '{name}' gibt es schon: wählen Sie einen neuen Namen.",
                              f"The backup '{name}' exists already: choose a new name.")
    store = get_ctx().store
    store_name = str(store.path) if getattr(store, "path", None) else _setting("store_url")
    with store.write_lock:  # no write of this process (the store's only writer) can interleave
        manifest, _changed = write_backup(store, target, store_name)
    log.info("admin: backup %s written (%s quads)", target, manifest["quads"])
    return jsonify({"ok": True, "status": 201, "dir": name, "path": str(target.resolve()),
                    "manifest": manifest}), 201


# -- geodata -------------------------------------------------------------------------------------------------------
@admin_bp.post("/geodata")
def geodata():
    data = request.get_data(cache=False)
    if not data.strip():
        return error_response(400, "Der Rumpf ist leer: erwartet wird eine GeoJSON-Datei.",
                              "The body is empty: a GeoJSON file is expected.")
    filename = Path(request.args.get("filename") or "upload.geojson").name or "upload.geojson"
    ctx = get_ctx()
    with tempfile.TemporaryDirectory(prefix="sozialgraph-geo-") as tmp:
        path = Path(tmp) / filename
        path.write_bytes(data)
        try:
            with ctx.store.write_lock:  # read the kept geometries and replace the graph in one step
                n, unmatched = import_geojson(ctx, str(path))
        except GeodataError as exc:
            return error_response(422, exc.de, exc.en)
    log.info("admin: geodata imported (%d areas, %d unmatched)", n, len(unmatched))
    return jsonify({"ok": True, "status": 200, "imported": n, "unmatched": len(unmatched),
                    "unmatched_names": unmatched})
