"""Submissions over HTTP: POST /api/submissions, GET /api/submissions/ID, the German form /einreichen.

Every request that writes carries an upload token of the office (Authorization: Bearer …, or the form's token
field). Answers: 201 accepted (with the report), 422 rejected (with the report), 400 bad request, 401 no/unknown/
expired token, 403 token of another office, 404 unknown office or version, 413 too large, 415 unknown format.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, g, jsonify, make_response, render_template, request, url_for
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from sozialgraph.analysis import lebenslagen
from sozialgraph.capture.common import UnsupportedFormat
from sozialgraph.errors import UnknownValue
from sozialgraph.capture.submissions import VersionNotFound, get_version, resolve_office, submit_file
from sozialgraph.capture.tokens import TokenError, check
from sozialgraph.errors import StoreError
from sozialgraph.web import error_response, get_ctx, wants_json
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


_CHUNK = 64 * 1024
_DRAIN_SECONDS = 5.0  # after the limit: read on (discarding) this long, so the client can read the 413


def _fail(status: int, de: str, en: str):
    abort(make_response(error_response(status, de, en)))


def _truncated(got: int, announced: int | None):
    if announced is None:
        _fail(400, "Der Rumpf der Anfrage ist unvollständig oder fehlerhaft (Chunked-Kodierung abgebrochen).",
              "The request body is incomplete or malformed (chunked encoding broken off).")
    _fail(400, f"Der Rumpf der Anfrage ist unvollständig: {got} von {announced} angekündigten Bytes (Content-Length) "
               f"sind angekommen. Bitte die Datei erneut senden.",
          f"The request body is incomplete: {got} of the {announced} bytes announced (Content-Length) arrived. "
          f"Please send the file again.")


def read_body() -> bytes:
    """The whole request body, read with a counting limit (MAX_CONTENT_LENGTH = upload_limit_mb), with or without
    Content-Length (chunked): more than the limit is 413 (never cut off and accepted), fewer bytes than the
    Content-Length announced (a broken-off upload) is 400. Read once per request (cached on ``g``)."""
    if "_raw_body" in g:
        return g._raw_body
    env = request.environ
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    announced = request.content_length
    if announced is not None and limit is not None and announced > limit:
        raise RequestEntityTooLarge()
    if announced is None and not env.get("wsgi.input_terminated"):
        # no length and a server that does not end the stream: reading could block forever
        if "chunked" in env.get("HTTP_TRANSFER_ENCODING", "").lower():
            _fail(411, "Dieser Server nimmt Chunked-Uploads nicht an; bitte mit Content-Length senden.",
                  "This server does not take chunked uploads; send them with a Content-Length.")
        g._raw_body = b""
        return b""
    stream = env["wsgi.input"]
    parts: list[bytes] = []
    got = 0
    while announced is None or got < announced:
        size = _CHUNK if announced is None else min(_CHUNK, announced - got)
        try:
            chunk = stream.read(size)
        except HTTPException:
            raise
        except Exception:  # the server's reader: a broken chunk, a reset connection
            _truncated(got, announced)
        if not chunk:
            break
        got += len(chunk)
        if limit is not None and got > limit:
            _drain(stream)
            raise RequestEntityTooLarge()
        parts.append(chunk)
    if announced is not None and got < announced:
        _truncated(got, announced)
    g._raw_body = b"".join(parts)
    return g._raw_body


def _drain(stream) -> None:
    """Read and discard the rest of an over-long body for a short while (a client that is still sending may
    otherwise see a reset connection instead of the 413)."""
    end = time.monotonic() + _DRAIN_SECONDS
    try:
        while time.monotonic() < end and stream.read(_CHUNK):
            pass
    except Exception:
        pass


@dataclass
class _File:
    filename: str
    mimetype: str | None
    data: bytes


def _parsed():
    """(form, files) of a multipart or urlencoded body, parsed from read_body() (never from the raw stream)."""
    if "_parsed_body" not in g:
        data = read_body()
        if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            import io

            parser = FormDataParser(max_content_length=current_app.config.get("MAX_CONTENT_LENGTH"))
            _, form, parsed = parser.parse(io.BytesIO(data), request.mimetype, len(data), request.mimetype_params)
            files = {}
            for key, f in parsed.items(multi=True):
                files.setdefault(key, _File(f.filename or "", f.mimetype, f.read()))
                f.close()
        else:
            form, files = ImmutableMultiDict(), {}
        g._parsed_body = (form, files)
    return g._parsed_body


def _upload() -> tuple[bytes, str, str | None]:
    """(data, file name, content type) from a multipart upload or the raw body."""
    form, files = _parsed()
    if files:
        f = next(iter(files.values()))
        return f.data, f.filename or "upload", f.mimetype
    ctype = (request.content_type or "").split(";")[0].strip().lower() or None
    name = request.args.get("filename") or f"upload.{EXT_FOR_TYPE.get(ctype or '', 'bin')}"
    return read_body(), name, ctype


class _Refused(Exception):
    """A submission refused before validation: status, German and English message, extra JSON fields, headers."""

    def __init__(self, status: int, de: str, en: str, headers: dict | None = None, **extra):
        super().__init__(de)
        self.status, self.de, self.en, self.headers, self.extra = status, de, en, headers or {}, extra

    def response(self):
        resp = make_response(error_response(self.status, self.de, self.en, **self.extra))
        resp.headers.update(self.headers)
        return resp


def _office(office: str | None):
    if not office:
        raise _Refused(400, "Parameter 'office' fehlt (Code oder Name des Amts).",
                       "Parameter 'office' is missing (code or name of the office).")
    try:
        return resolve_office(get_ctx(), office)
    except UnknownValue as exc:
        raise _Refused(404, exc.message("de"), exc.message("en"), suggestions=exc.suggestions) from None


def _office_or_error(office: str | None):
    try:
        return _office(office), None
    except _Refused as exc:
        return None, exc.response()


def _process(office_param: str | None, token: str | None, data: bytes, name: str, ctype: str | None,
             dry_run: bool, form: bool = False):
    """Run one submission: the result, or _Refused (office, token, format). From the form (``form``), a dry run
    ("nur prüfen") needs no token: it stores nothing."""
    ctx = get_ctx()
    office_iri, code = _office(office_param)
    if not (form and dry_run and not token):
        try:
            check(ctx.store, token, office_iri)
        except TokenError as exc:
            de, en = exc.de, exc.en
            if form and not token:
                de = "Bitte den Upload-Schlüssel des Amts eingeben (für „nur prüfen“ ist keiner nötig)."
                en = "Please enter the office's upload token (none is needed for 'check only')."
            headers = {"WWW-Authenticate": 'Bearer realm="sozialgraph"'} if exc.status == 401 else {}
            raise _Refused(exc.status, de, en, headers) from None
    user = f"token:{token_id(token)}" if token else "anonym (nur prüfen)"
    try:
        res = submit_file(ctx, data, name, code, user=user, content_type=ctype, dry_run=dry_run)
    except UnsupportedFormat as exc:
        raise _Refused(415, exc.de, exc.en) from None
    except StoreError as exc:  # busy with other writers (503 + Retry-After), or a remote store failing
        raise _Refused(exc.status, exc.de, exc.en, exc.headers) from None
    if res.accepted and not dry_run:
        lebenslagen.refresh(ctx, "submission")  # derived: never fails the stored submission
    return res


def token_id(token: str | None) -> str:

    return hash_token(token or "")[:12]


@bp.post("/api/submissions")
def create_submission():
    data, name, ctype = _upload()
    dry_run = request.args.get("dry_run", "").lower() in ("1", "true", "ja", "yes")
    try:
        res = _process(request.args.get("office"), _bearer(), data, name, ctype, dry_run)
    except _Refused as exc:
        return exc.response()
    body = {"ok": res.accepted, **res.to_dict()}
    if not res.accepted:
        first = next((i for i in body["report"].get("items", []) if i.get("severity") == "Violation"), None)
        de_first = f" Erster Fehler: {first['message_de']}" if first else ""
        en_first = f" First error: {first['message_en']}" if first else ""
        return error_response(422, "Die Einreichung wurde abgelehnt: " + res.report.summary("de") + de_first,
                              "The submission was rejected: " + res.report.summary("en") + en_first,
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
    fields, files = _parsed()
    selected = fields.get("office", "")

    def again(status: int, message: str):
        return render_template("einreichen.html", offices=offices, selected=selected, error=message), status

    f = files.get("datei")
    if f is None or not f.filename:
        return again(400, "Bitte eine Datei auswählen." if g.get("lang") != "en" else "Please choose a file.")
    dry_run = fields.get("nur_pruefen") == "1"
    try:
        res = _process(fields.get("office"), fields.get("token", "").strip() or None, f.data, f.filename,
                       f.mimetype, dry_run, form=True)
    except _Refused as exc:
        if wants_json():
            return exc.response()
        resp = make_response(again(exc.status, exc.en if g.get("lang") == "en" else exc.de))
        resp.headers.update(exc.headers)
        return resp
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
