"""Submissions over HTTP: POST /api/submissions, GET /api/submissions/ID, the German form /einreichen.

Every request that writes carries an upload token of the office (Authorization: Bearer …, or the form's token
field). Answers: 201 accepted (with the report), 422 rejected (with the report), 400 bad request, 401 no/unknown/
expired token, 403 token of another office, 404 unknown office or version, 413 too large, 415 unknown format.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, render_template, request, url_for

from sozialgraph.capture.common import UnsupportedFormat
from sozialgraph.errors import UnknownValue
from sozialgraph.capture.submissions import VersionNotFound, get_version, resolve_office, submit_file
from sozialgraph.capture.tokens import TokenError, check
from sozialgraph.web import error_response, get_ctx
from sozialgraph.capture.tokens import hash_token
from sozialgraph.capture.template import template_csv, template_xlsx

bp = Blueprint("submissions", __name__)

EXT_FOR_TYPE = {"text/csv": "csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
                "text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt"}


def _bearer() -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return None


def _upload() -> tuple[bytes, str, str | None]:
    """(data, file name, content type) from a multipart upload or the raw body."""
    if request.files:
        f = next(iter(request.files.values()))
        return f.read(), f.filename or "upload", f.mimetype
    ctype = (request.content_type or "").split(";")[0].strip().lower() or None
    name = request.args.get("filename") or f"upload.{EXT_FOR_TYPE.get(ctype or '', 'bin')}"
    return request.get_data(cache=False), name, ctype


def _office_or_error(office: str | None):
    if not office:
        return None, error_response(400, "Parameter 'office' fehlt (Code oder Name des Amts).",
                                    "Parameter 'office' is missing (code or name of the office).")
    try:
        return resolve_office(get_ctx(), office), None
    except UnknownValue as exc:
        return None, error_response(404, exc.message("de"), exc.message("en"), suggestions=exc.suggestions)


def _process(office_param: str | None, token: str | None, data: bytes, name: str, ctype: str | None,
             dry_run: bool):
    """Run one submission; returns (result or None, error response or None)."""
    ctx = get_ctx()
    found, err = _office_or_error(office_param)
    if err:
        return None, err
    office_iri, code = found
    try:
        check(ctx.store, token, office_iri)
    except TokenError as exc:
        resp = error_response(exc.status, exc.de, exc.en)
        if exc.status == 401:
            resp[0].headers["WWW-Authenticate"] = 'Bearer realm="sozialgraph"'
        return None, resp
    try:
        res = submit_file(ctx, data, name, code, user=f"token:{token_id(token)}", content_type=ctype,
                          dry_run=dry_run)
    except UnsupportedFormat as exc:
        return None, error_response(415, exc.de, exc.en)
    return res, None


def token_id(token: str | None) -> str:

    return hash_token(token or "")[:12]


@bp.post("/api/submissions")
def create_submission():
    data, name, ctype = _upload()
    dry_run = request.args.get("dry_run", "").lower() in ("1", "true", "ja", "yes")
    res, err = _process(request.args.get("office"), _bearer(), data, name, ctype, dry_run)
    if err:
        return err
    body = {"ok": res.accepted, **res.to_dict()}
    if not res.accepted:
        return error_response(422, "Die Einreichung wurde abgelehnt: " + res.report.summary("de"),
                              "The submission was rejected: " + res.report.summary("en"),
                              **{k: v for k, v in body.items() if k != "ok"})
    status = 200 if dry_run else 201
    resp = jsonify({**body, "status": status})
    if res.version is not None:
        resp.headers["Location"] = url_for("submissions.show_submission", sub_id=res.id)
    return resp, status


@bp.get("/api/submissions/<sub_id>")
def show_submission(sub_id: str):
    code, _, num = sub_id.rpartition("-")
    if not code or not num.isdigit():
        return error_response(404, f"Keine Einreichung '{sub_id}' (Form: AMT-VERSION, z. B. 50-3).",
                              f"No submission '{sub_id}' (form: OFFICE-VERSION, e.g. 50-3).")
    ctx = get_ctx()
    found, err = _office_or_error(code)
    if err:
        return err
    office_iri, code = found
    try:
        info = get_version(ctx, code, int(num))
    except VersionNotFound as exc:
        return error_response(404, exc.de, exc.en)
    info.pop("user", None)  # personal data: never over HTTP
    # the report may name confidential details: only for the office's own token
    try:
        check(ctx.store, _bearer(), office_iri)
    except TokenError:
        info["report"] = None
        info["reportNote"] = ("Der Prüfbericht ist nur mit dem Upload-Schlüssel des Amts abrufbar."
                              if g.get("lang") != "en" else "The report is available with the office's token.")
    return jsonify({"ok": True, **info})


@bp.route("/einreichen", methods=["GET", "POST"])
def form():
    ctx = get_ctx()
    offices = [(t.notation or t.iri.rsplit("/", 1)[-1], t.label(g.get("lang", "de")))
               for t in ctx.resolver().values("amt")]
    if request.method == "GET":
        return render_template("einreichen.html", offices=offices, selected=request.args.get("office", ""))
    f = request.files.get("datei")
    if f is None or not f.filename:
        return render_template("einreichen.html", offices=offices, selected=request.form.get("office", ""),
                               error=("Bitte eine Datei auswählen." if g.get("lang") != "en"
                                      else "Please choose a file.")), 400
    dry_run = request.form.get("nur_pruefen") == "1"
    res, err = _process(request.form.get("office"), request.form.get("token", "").strip(), f.read(),
                        f.filename, f.mimetype, dry_run)
    if err:
        return err
    status = (200 if dry_run else 201) if res.accepted else 422
    return render_template("einreichen_ergebnis.html", res=res, report=res.report, dry_run=dry_run), status


@bp.get("/einreichen/vorlage.<fmt>")
def template_download(fmt: str):

    if fmt == "csv":
        return Response(template_csv(), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=erfassungsvorlage.csv"})
    if fmt == "xlsx":
        return Response(template_xlsx(get_ctx().resolver()), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": "attachment; filename=erfassungsvorlage.xlsx"})
    return error_response(404, "Vorlage gibt es als .xlsx und .csv.", "The template exists as .xlsx and .csv.")
