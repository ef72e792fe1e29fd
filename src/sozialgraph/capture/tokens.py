"""Upload tokens: one office each, stored only as SHA-256 hashes in the private graph …/graph/private/tokens.

A token authorises `POST /api/submissions` for its own office only; an expired or revoked token is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import pyoxigraph as ox

from sozialgraph.errors import SozialgraphError
from sozialgraph import namespaces as ns
from sozialgraph.sparql.saved import load_query

P = ns.PREFIXES
NN = ox.NamedNode


class TokenError(SozialgraphError, PermissionError):
    """status 401 (no/unknown/expired/revoked token) or 403 (token of another office)."""

    def __init__(self, status: int, de: str, en: str):
        super().__init__(de, en, status=status)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _dt(value: dt.datetime) -> ox.Literal:
    return ox.Literal(value.isoformat().replace("+00:00", "Z"), datatype=NN(P["xsd"] + "dateTime"))


def _parse_dt(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def create(store, office_iri: str, days: int = 365) -> tuple[str, str]:
    """A new token for an office: (token shown once, its id). Only the hash is stored."""
    token = "sg_" + secrets.token_urlsafe(32)
    h = hash_token(token)
    tid = h[:12]
    node = NN(f"{ns.ID}token/{tid}")
    now = _now()
    triples = [
        ox.Triple(node, NN(P["rdf"] + "type"), NN(P["sg"] + "UploadToken")),
        ox.Triple(node, NN(P["sg"] + "tokenHash"), ox.Literal(h)),
        ox.Triple(node, NN(P["sg"] + "office"), NN(office_iri)),
        ox.Triple(node, NN(P["dcterms"] + "created"), _dt(now)),
        ox.Triple(node, NN(P["sg"] + "expires"), _dt(now + dt.timedelta(days=days))),
    ]
    store.insert(ns.G_TOKENS, triples)
    return token, tid


def _rows(store, **bind) -> list[dict]:
    q = load_query("tokens", internal=True)
    out = []
    for r in store.select(q.render(bind)):
        d = {k: v.value for k, v in r.items()}
        d["id"] = d["token"].rsplit("/", 1)[-1]
        d["revoked"] = d.get("revoked") == "true"
        d["expired"] = bool(d.get("expires")) and _parse_dt(d["expires"]) <= _now()
        out.append(d)
    return out


def list_tokens(store, office_iri: str | None = None) -> list[dict]:
    rows = _rows(store, **({"office": NN(office_iri)} if office_iri else {}))
    for r in rows:
        r.pop("hash", None)
    return rows


def revoke(store, token_id: str) -> bool:
    """Revoke a token by its id (or the token itself). False if there is no such token."""
    tid = hash_token(token_id)[:12] if token_id.startswith("sg_") else token_id.strip().lower()
    if not all(c in "0123456789abcdef" for c in tid) or len(tid) != 12:
        return False
    if not any(r["id"] == tid for r in _rows(store)):
        return False
    node = NN(f"{ns.ID}token/{tid}")
    t = ox.Triple(node, NN(P["sg"] + "revoked"), ox.Literal("true", datatype=NN(P["xsd"] + "boolean")))
    store.insert(ns.G_TOKENS, [t])
    return True


def check(store, token: str | None, office_iri: str) -> dict:
    """The token's record if it may write ``office_iri``; TokenError (401/403) otherwise."""
    if not token:
        raise TokenError(401, "Ein Upload-Schlüssel fehlt (Kopfzeile 'Authorization: Bearer …').",
                         "An upload token is missing (header 'Authorization: Bearer …').")
    rows = _rows(store, hash=ox.Literal(hash_token(token)))
    if not rows:
        raise TokenError(401, "Der Upload-Schlüssel ist unbekannt.", "The upload token is unknown.")
    r = rows[0]
    if r["revoked"]:
        raise TokenError(401, "Der Upload-Schlüssel wurde widerrufen.", "The upload token has been revoked.")
    if r["expired"]:
        raise TokenError(401, f"Der Upload-Schlüssel ist am {r['expires'][:10]} abgelaufen; "
                              f"'sozialgraph token create' stellt einen neuen aus.",
                         f"The upload token expired on {r['expires'][:10]}; 'sozialgraph token create' issues a "
                         f"new one.")
    if r["office"] != office_iri:
        raise TokenError(403, "Dieser Upload-Schlüssel gehört zu einem anderen Amt und darf dessen Daten nicht "
                              "ändern.",
                         "This upload token belongs to another office and may not change this office's data.")
    return r
