"""Indicators over HTTP: POST /api/indikatoren (import a file), GET /api/indikatoren (list the indicators).

POST takes a multipart upload or the raw body, `?format=datenkatalog|long`, `?datensatz=KEY`, `?dry_run=1`, and
the upload token of the importing office (Authorization: Bearer …; the office is `?office=`, default the
Stabsstelle Sozialplanung "sp"). A dry run needs no token and writes nothing. Answers: 201 accepted (200 for a dry
run) with the report, 422 rejected (the report; nothing stored), 400 bad parameter, 401 missing/unknown/expired
token, 403 token of another office, 404 unknown office, 413 too large, 503 store busy.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from sozialgraph.analysis import lebenslagen
from sozialgraph.capture import indicators as ind
from sozialgraph.capture.tokens import TokenError, check
from sozialgraph.errors import StoreError, UnknownValue
from sozialgraph.web import error_response, get_ctx
from sozialgraph.web.views.submissions import _bearer, _upload, token_id

bp = Blueprint("indicators", __name__)


def _truthy(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true", "ja", "yes")


@bp.post("/api/indikatoren")
def import_indicators():
    ctx = get_ctx()
    data, name, _ctype = _upload()
    dry_run = _truthy("dry_run")
    token = _bearer()
    try:
        office_iri, code = ind.resolve_office(ctx, request.args.get("office") or "sp")
    except UnknownValue as exc:
        return error_response(404, exc.message("de"), exc.message("en"), suggestions=exc.suggestions)
    if not (dry_run and not token):
        try:
            check(ctx.store, token, office_iri)
        except TokenError as exc:
            de, en = exc.de, exc.en
            if exc.status == 401:
                de += " Für den Import von Indikatoren braucht es den Upload-Schlüssel des Amts (meist der " \
                      "Stabsstelle Sozialplanung, 'sozialgraph token create --office sp'); ?dry_run=1 prüft ohne."
                en += " Importing indicators needs the office's upload token (usually the Stabsstelle " \
                      "Sozialplanung's, 'sozialgraph token create --office sp'); ?dry_run=1 checks without one."
            resp = error_response(exc.status, de, en)
            if exc.status == 401:
                resp[0].headers["WWW-Authenticate"] = 'Bearer realm="sozialgraph"'
            return resp
    fmt = request.args.get("format") or None
    user = f"token:{token_id(token)}" if token else "anonym (nur prüfen)"
    try:
        res = ind.import_file(ctx, data, name, fmt=fmt, key=request.args.get("datensatz") or None, office=code,
                              user=user, dry_run=dry_run)
    except ind.IndicatorError as exc:
        return error_response(exc.status, exc.de, exc.en)
    except StoreError as exc:  # busy with other writers (503 + Retry-After), or a remote store failing
        resp = error_response(exc.status, exc.de, exc.en)
        resp[0].headers.update(exc.headers)
        return resp
    body = res.to_dict()
    if not res.accepted:
        first = next((i for i in res.report.items if i.severity == "Violation"), None)
        de_first = f" Erster Fehler: {first.text('de')}" if first else ""
        en_first = f" First error: {first.text('en')}" if first else ""
        return error_response(422, "Der Import wurde abgelehnt, nichts wurde gespeichert: "
                              + res.report.summary("de") + de_first,
                              "The import was rejected, nothing was stored: " + res.report.summary("en") + en_first,
                              **body)
    status = 200 if dry_run else 201
    if not dry_run:
        lebenslagen.refresh(ctx, "indicator import")  # derived: never fails the stored import
    return jsonify({"ok": True, **body, "status": status}), status


@bp.get("/api/indikatoren")
def list_indicators():
    rows = ind.list_indicators(get_ctx().store)
    return jsonify({"ok": True, "count": len(rows), "indicators": rows})
