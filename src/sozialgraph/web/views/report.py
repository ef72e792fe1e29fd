"""/bericht: the latest Lebenslagenbericht, rendered from the store on request and kept until the store changes;
/bericht.pdf: the PDF that `sozialgraph bericht` wrote into the downloads folder, if there is one.

Why render instead of serving a file: the page then always shows the current graph (a new import or analysis run
gives the new report at once), needs no write access and no cron job; rendering takes a few seconds once per
store generation and language (kept in ``_rendered``), after that it is a dictionary lookup. Printing a PDF takes a
browser process and tens of seconds, so the server never does that on request: the operator writes it with
`sozialgraph bericht DOWNLOADS_DIR` and the server offers the file. The document's inline style is allowed by
its SHA-256 in this response's Content-Security-Policy (the site's policy allows no inline styles otherwise).
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from flask import Blueprint, Response, g, request, send_file

from sozialgraph.errors import SozialgraphError
from sozialgraph.publish import report
from sozialgraph.web import error_response, get_ctx
from sozialgraph.web.security import CSP

bp = Blueprint("report", __name__)
# (store id, generation, lang, year, date) -> HTML of the latest renders; not search.cached: that holds its lock
# while building, and the report's build itself reads cached planning data (a plain Lock would deadlock)
_rendered: dict[tuple, str] = {}
_lock = threading.Lock()
_KEEP = 4


def rendered(ctx, lang: str, year: str | None, date: str) -> str:
    store = ctx.store
    gen = store.generation  # read before the build: a write during it makes the next request render again
    key = (id(store), gen, lang, year or "", date)
    with _lock:
        hit = _rendered.get(key)
    if hit is not None:
        return hit
    html = report.render_html(ctx, year=year, date=date, lang=lang)
    with _lock:
        for old in [k for k in _rendered if k[:2] != key[:2]]:
            del _rendered[old]  # an older store generation
        while len(_rendered) >= _KEEP:
            del _rendered[next(iter(_rendered))]
        _rendered[key] = html
    return html


def downloads_folder(ctx) -> Path:
    folder = ctx.settings.get("downloads_dir") or ""
    return Path(folder) if folder else Path(ctx.store.path or "var/store").parent / "downloads"


@bp.get("/bericht")
def page():
    ctx = get_ctx()
    lang = g.get("lang", "de")
    year = (request.args.get("jahr") or "").strip() or None
    today = dt.date.today().isoformat()
    try:
        html = rendered(ctx, lang, year, today)
    except SozialgraphError as exc:
        return error_response(exc.status, exc.de, exc.en)
    resp = Response(html, mimetype="text/html")
    csp = CSP.replace("style-src 'self'", f"style-src 'self' {report.style_hash(report.stylesheet(lang))}")
    resp.headers["Content-Security-Policy"] = csp
    return resp


@bp.get("/bericht.pdf")
def pdf():
    path = downloads_folder(get_ctx()) / report.PDF_NAME
    if not path.is_file():
        return error_response(404, "Noch kein PDF des Lebenslagenberichts (sozialgraph bericht DOWNLOADS_ORDNER "
                              "schreibt es); die HTML-Fassung steht unter /bericht.",
                              "No PDF of the life-situation report yet (sozialgraph bericht DOWNLOADS_DIR writes "
                              "it); the HTML version is at /bericht.")
    return send_file(path, mimetype="application/pdf", conditional=True, max_age=300)
