"""The German home page with counts (and the same figures as JSON)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from sozialgraph.analysis import search
from sozialgraph.sparql.saved import load_query
from sozialgraph.web import get_ctx, wants_json
from sozialgraph.web.security import safe_href
from sozialgraph import namespaces as ns

bp = Blueprint("home", __name__)


def pagepath(iri: str) -> str:
    """Local path of a minted IRI (https://w3id.org/sozialgraph/id/... -> /id/...); another http(s) IRI as it is;
    any other scheme (javascript:, data:, urn:, …) is no link target: '' (callers show such a value as text)."""

    return "/" + iri[len(ns.BASE):] if iri.startswith(ns.BASE) else (safe_href(iri) or "")


def _overview(ctx) -> tuple[dict, list[dict]]:
    """The home page's figures, once per store generation."""
    store = ctx.store
    row = store.select(load_query("count-overview", internal=True).text, public_only=True)
    counts = {k: int(v.value) for k, v in (row[0].items() if row else [])}
    counts["triples"] = sum(store.count(g) for g in store.public_graphs())
    offices = [
        {"iri": r["amt"].value, "href": pagepath(r["amt"].value), "name": r["amtName"].value,
         "count": int(r["anzahl"].value)}
        for r in store.select(load_query("count-offers-per-office", internal=True).text, public_only=True)
    ]
    return counts, offices


@bp.get("/")
def index():
    counts, offices = search.cached(get_ctx(), "home", _overview)
    if wants_json():
        return jsonify({"counts": counts, "offices": offices})
    return render_template("home.html", counts=counts, offices=offices)
