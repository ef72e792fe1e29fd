"""Steering over HTTP: POST /api/steuerung/{art} (Bearer token of the office; ?dry_run=1 needs none and stores
nothing), GET /api/bedarfsvorschlaege, POST /api/bedarfsvorschlaege/{stadtteil}/{zielgruppe}/annehmen|verwerfen
(token of the Stabsstelle Sozialplanung "sp"). Errors in the one envelope (web.error_response)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from sozialgraph.capture.common import IngestError, UnsupportedFormat
from sozialgraph.capture.submissions import resolve_office
from sozialgraph.capture.tokens import TokenError, check
from sozialgraph.errors import SozialgraphError, UnknownValue
from sozialgraph.steering import submit as sub
from sozialgraph.steering import suggestions as sug
from sozialgraph.steering.template import get_kind
from sozialgraph.web import error_response, get_ctx
from sozialgraph.web.views.submissions import _bearer, _upload, token_id

bp = Blueprint("steering_api", __name__)


def _token(office_iri: str):
    try:
        check(get_ctx().store, _bearer(), office_iri)
    except TokenError as exc:
        headers = {"WWW-Authenticate": 'Bearer realm="sozialgraph"'} if exc.status == 401 else {}
        resp = error_response(exc.status, exc.de, exc.en)
        resp[0].headers.update(headers)
        return resp
    return None


@bp.post("/api/steuerung/<art>")
def submit_steering(art: str):
    ctx = get_ctx()
    try:
        kind = get_kind(art)
        office_iri, code = resolve_office(ctx, request.args.get("office", ""))
    except IngestError as exc:
        return error_response(404, exc.de, exc.en)
    except UnknownValue as exc:
        return error_response(404 if request.args.get("office") else 400, exc.de, exc.en)
    dry_run = request.args.get("dry_run", "").lower() in ("1", "true", "ja", "yes")
    token = _bearer()
    if not (dry_run and not token):
        refused = _token(office_iri)
        if refused:
            return refused
    data, name, ctype = _upload()
    try:
        res = sub.submit_file(ctx, data, name, kind.name, code, user=f"token:{token_id(token)}" if token else None,
                              content_type=ctype, dry_run=dry_run)
    except (UnsupportedFormat, SozialgraphError) as exc:
        return error_response(exc.status, exc.de, exc.en)
    body = res.to_dict()
    if not res.accepted:
        return error_response(422, "Die Einreichung wurde abgelehnt: " + res.report.summary("de"),
                              "The submission was rejected: " + res.report.summary("en"), **body)
    status = 200 if dry_run else 201
    return jsonify({"ok": True, **body, "status": status}), status


@bp.get("/api/bedarfsvorschlaege")
def list_suggestions():
    try:
        rows = sug.suggestions(get_ctx(), request.args.get("zielgruppe") or None,
                               int(request.args.get("top", sug.TOP)))
    except UnknownValue as exc:
        return error_response(400, exc.de, exc.en)
    except ValueError:
        return error_response(400, "Parameter 'top' ist keine ganze Zahl.", "Parameter 'top' is not an integer.")
    return jsonify({"ok": True, "suggestions": [r.__dict__ for r in rows]})


@bp.post("/api/bedarfsvorschlaege/<stadtteil>/<zielgruppe>/<action>")
def decide(stadtteil: str, zielgruppe: str, action: str):
    ctx = get_ctx()
    if action not in ("annehmen", "verwerfen"):
        return error_response(404, "Erlaubt sind 'annehmen' und 'verwerfen'.", "Allowed: 'annehmen', 'verwerfen'.")
    office_iri, _code = resolve_office(ctx, sub.SP)
    refused = _token(office_iri)
    if refused:
        return refused
    sid = f"{stadtteil}/{zielgruppe}"
    try:
        if action == "annehmen":
            need = sug.accept(ctx, sid, office_iri)
            return jsonify({"ok": True, "suggestion": sid, "need": need, "status": 201}), 201
        reason = request.args.get("grund") or (request.get_json(silent=True) or {}).get("grund", "")
        sug.dismiss(ctx, sid, office_iri, reason)
        return jsonify({"ok": True, "suggestion": sid, "status": 200}), 200
    except SozialgraphError as exc:
        return error_response(exc.status, exc.de, exc.en)
