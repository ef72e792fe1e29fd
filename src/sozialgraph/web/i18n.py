"""German by default, English by switch (?lang=en, remembered in a cookie) or Accept-Language."""

from __future__ import annotations

from flask import Flask, g, request
from markupsafe import Markup

LANGS = ("de", "en")


def pick_lang() -> str:
    q = request.args.get("lang")
    if q in LANGS:
        return q
    c = request.cookies.get("lang")
    if c in LANGS:
        return c
    best = request.accept_languages.best_match(LANGS)
    return best or "de"


def t(de: str, en: str) -> str:
    return en if g.get("lang", "de") == "en" else de


def init_app(app: Flask) -> None:
    @app.before_request
    def _set_lang():
        g.lang = pick_lang()

    @app.after_request
    def _remember(resp):
        q = request.args.get("lang")
        if q in LANGS:
            resp.set_cookie("lang", q, max_age=365 * 24 * 3600, samesite="Lax")
        resp.headers.setdefault("Content-Language", g.get("lang", "de"))
        if "Vary" in resp.headers:
            if "Accept-Language" not in resp.headers["Vary"]:
                resp.headers["Vary"] += ", Accept-Language"
        else:
            resp.headers["Vary"] = "Accept-Language"
        return resp

    @app.context_processor
    def _inject():
        def lang_url(lang: str) -> Markup:
            args = request.args.to_dict(flat=False)
            args["lang"] = [lang]
            from urllib.parse import urlencode

            return request.path + "?" + urlencode(args, doseq=True)

        return {"_": t, "lang": g.get("lang", "de"), "lang_url": lang_url}
