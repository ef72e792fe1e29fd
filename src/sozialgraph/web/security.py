"""Security headers on every response, the favicon, and the one check of which link values may become an href.

Every response gets a Content-Security-Policy (only this site's own scripts, styles and images; no plugins, no
framing, no foreign <base>), X-Content-Type-Options: nosniff, Referrer-Policy and X-Frame-Options. The pages use
no inline JavaScript (JSON-LD data blocks, <script type="application/ld+json">, are data and never executed) and no
inline styles, so the policy needs neither 'unsafe-inline' nor hashes. Headers a view sets itself are kept
(setdefault); the SPARQL endpoints' CORS headers are not touched.
"""

from __future__ import annotations

from flask import Flask, current_app, send_from_directory

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
))
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}

# schemes a value may link to: web pages always, mail and phone only where the value is a contact value
WEB_SCHEMES = ("http://", "https://")
CONTACT_SCHEMES = ("mailto:", "tel:")


def safe_href(value: str | None, *, contact: bool = False) -> str | None:
    """``value`` if it may be an href (http(s); with ``contact`` also mailto:/tel:), else None (show it as text).
    ``javascript:``, ``data:``, ``vbscript:`` and every other scheme never become links."""
    v = (value or "").strip()
    low = v.lower()
    for scheme in WEB_SCHEMES + (CONTACT_SCHEMES if contact else ()):
        if low.startswith(scheme) and len(v) > len(scheme):
            return v
    return None


def add_security_headers(response):
    for k, v in HEADERS.items():
        response.headers.setdefault(k, v)
    return response


def favicon():
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 24 * 3600)


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.add_url_rule("/favicon.ico", "favicon", favicon, methods=["GET"])
