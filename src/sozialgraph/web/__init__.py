"""The web application: create_app() and the blueprints in sozialgraph/web/views/*.py (each exposes ``bp``)."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading
import time
from typing import Any

from flask import Flask, g, jsonify, request

from sozialgraph import config
from sozialgraph.analysis import maps, planning, search
from sozialgraph.errors import SozialgraphError
from sozialgraph.context import Context
from sozialgraph.web import i18n
from sozialgraph.web import security
from sozialgraph.web import views


log = logging.getLogger(__name__)


def warm_up(app: Flask) -> float:
    """Build what page views read from memory (search index, "serves" tables, map base, planning and steering
    data) before the server takes requests, so that no first request waits for it; returns the seconds. A part
    that fails is logged and built on its first request instead (the store may be empty)."""
    ctx = app.extensions["sozialgraph"]
    t0 = time.perf_counter()
    for name, build in (("index", search.get_index), ("stadtteil", lambda c: search.get_serving(c, "stadtteil")),
                        ("stadtbezirk", lambda c: search.get_serving(c, "stadtbezirk")), ("map", maps.get_base),
                        ("planning", planning.get_data), ("steering", planning.get_steering)):
        try:
            build(ctx)
        except (SozialgraphError, KeyError, ValueError) as exc:
            log.warning("warm-up of %s failed: %s", name, exc)
    return time.perf_counter() - t0


def keep_warm(app: Flask) -> None:
    """Warm up now and again after every write (in a background thread, so the write's answer does not wait):
    the page after a submission reads rebuilt data instead of building it."""
    warm_up(app)
    ctx = app.extensions["sozialgraph"]
    pending = threading.Event()

    def rewarm() -> None:
        while pending.is_set():
            pending.clear()
            warm_up(app)

    def changed(_store) -> None:
        if not pending.is_set():
            pending.set()
            threading.Thread(target=rewarm, name="sozialgraph-warm-up", daemon=True).start()

    ctx.store.subscribe(changed)


def create_app(test_config: dict[str, Any] | None = None, context: Context | None = None) -> Flask:
    app = Flask(__name__)
    settings = config.load(test_config or {})
    ctx = context or Context(settings)
    app.extensions["sozialgraph"] = ctx
    app.config["SOZIALGRAPH_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings["upload_limit_mb"] * 1024 * 1024
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    i18n.init_app(app)
    security.init_app(app)  # CSP, nosniff, Referrer-Policy, X-Frame-Options on every response; /favicon.ico


    for info in sorted(pkgutil.iter_modules(views.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"{views.__name__}.{info.name}")
        if hasattr(mod, "bp"):
            app.register_blueprint(mod.bp)
        if hasattr(mod, "init_app"):
            mod.init_app(app)

    @app.errorhandler(404)
    def not_found(exc):
        return error_response(404, "Nicht gefunden.", "Not found.")

    @app.errorhandler(405)
    def method_not_allowed(exc):
        return error_response(405, "Methode nicht erlaubt.", "Method not allowed.")

    @app.errorhandler(413)
    def too_large(exc):
        mb = settings["upload_limit_mb"]
        return error_response(413, f"Die Datei ist zu groß (höchstens {mb} MiB, Einstellung upload_limit_mb).",
                              f"The file is too large (at most {mb} MiB, setting upload_limit_mb).")

    @app.errorhandler(500)
    def server_error(exc):
        return error_response(500, "Interner Fehler.", "Internal error.")

    return app


def get_ctx() -> Context:
    from flask import current_app

    return current_app.extensions["sozialgraph"]


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.path.startswith("/api/") or best == "application/json" or request.args.get("format") == "json"


def error_response(status: int, de: str, en: str, as_json: bool | None = None, **extra):
    """The one error envelope: JSON {"ok": false, "error", "error_de", "error_en", "status"} or an HTML page.
    ``as_json`` forces the choice (e.g. for SPARQL clients, which never ask for application/json)."""
    lang = g.get("lang", "de")
    msg = en if lang == "en" else de
    if as_json or (as_json is None and wants_json()):
        body = {"ok": False, "error": msg, "error_de": de, "error_en": en, "status": status, **extra}
        return jsonify(body), status
    from flask import render_template

    return render_template("error.html", status=status, message=msg), status
