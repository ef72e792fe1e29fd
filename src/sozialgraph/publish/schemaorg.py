"""schema.org JSON-LD for offers: one ``Service`` per offer (for search engines and offer pages).

Mapping: offer -> ``Service`` (``@id`` = offer IRI, ``identifier`` = kennung, ``serviceType`` = offer type,
``audience`` = target groups as ``Audience``, ``provider`` = provider ``Organization``, ``areaServed`` = Stadtteil /
Stadtbezirk / Köln by reach, ``availableLanguage`` = BCP 47 tags, ``isAccessibleForFree`` from the cost, telephone
and e-mail in ``availableChannel`` (a ``ServiceChannel`` with a ``ContactPoint``: Service itself has neither);
``hoursAvailable`` is left out: opening hours are free text, so they go to the place's ``openingHours``); place ->
``location`` (``Place`` with the public address and ``GeoCoordinates``). Only public graphs are read.
"""

from __future__ import annotations

import json
from typing import IO

from sozialgraph import namespaces as ns
from sozialgraph.publish.hsds import build_taxonomies, offer_records

CONTEXT = "https://schema.org"
CITY = ns.ID + "stadt/koeln"


def _num(value: str | None):
    if value in (None, ""):
        return None
    f = float(value)
    return int(f) if f.is_integer() else f


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}


def service(v: dict[str, str], names: dict[str, dict]) -> dict:
    """One offer (a row of queries/internal/hsds-offers.rq as plain strings) as a schema.org Service."""
    def name(iri: str | None) -> str | None:
        return names.get(iri or "", {}).get("name")

    reach = (v.get("reichweite") or "").rsplit("/", 1)[-1]
    if v.get("stadtteil") and reach not in ("stadtbezirk", "gesamtstadt"):
        area = {"@type": "Place", "@id": v["stadtteil"], "name": v.get("stadtteilName")}
    elif v.get("bezirk"):
        area = {"@type": "AdministrativeArea", "@id": v["bezirk"], "name": v.get("bezirkName")}
    elif reach == "gesamtstadt" or not v.get("stadtteil"):
        area = {"@type": "City", "@id": CITY, "name": "Köln"}
    else:
        area = {"@type": "Place", "@id": v["stadtteil"], "name": v.get("stadtteilName")}
    location = None
    if v.get("ort"):
        address = _clean({"@type": "PostalAddress", "streetAddress": v.get("strasse"), "postalCode": v.get("plz"),
                          "addressLocality": v.get("stadt"), "addressCountry": "DE"}) if v.get("stadt") else None
        geo = {"@type": "GeoCoordinates", "latitude": _num(v["lat"]), "longitude": _num(v["long"])} \
            if v.get("lat") and v.get("long") else None
        location = _clean({"@type": "Place", "@id": v["ort"], "name": v.get("ortName"), "address": address,
                           "geo": geo, "openingHours": v.get("oeffnungszeiten")})
    cost = (v.get("kosten") or "").rsplit("/", 1)[-1]
    return _clean({
        "@type": "Service",
        "@id": v["angebot"],
        "identifier": v.get("kennung"),
        "name": v.get("name"),
        "description": v.get("beschreibung"),
        "serviceType": name(v.get("art")),
        "category": [name(i) for i in (v.get("lebenslagen") or "").split() if name(i)],
        "audience": [{"@type": "Audience", "audienceType": name(i), "sameAs": i}
                     for i in (v.get("zielgruppen") or "").split() if name(i)],
        "provider": _clean({"@type": "Organization", "@id": v.get("traeger") or v.get("amt"),
                            "name": v.get("traegerName") if v.get("traeger") else v.get("amtName")}),
        "areaServed": _clean(area),
        "availableLanguage": [names[i].get("code") for i in (v.get("sprachen") or "").split()
                              if names.get(i, {}).get("code")],
        "isAccessibleForFree": True if cost == "kostenlos" else (False if cost else None),
        "url": v.get("url"),
        "availableChannel": _clean({
            "@type": "ServiceChannel", "serviceUrl": v.get("url"),
            "servicePhone": _clean({"@type": "ContactPoint", "telephone": v.get("telefon"), "email": v.get("email")})
            if v.get("telefon") or v.get("email") else None,
            "serviceLocation": location}) if v.get("url") or v.get("telefon") or v.get("email") else None,
        "location": location,
        "dateModified": v.get("geaendert"),
    })


def _rows(store, offer: str | None = None):
    return offer_records(store, offer)


def _names(store) -> dict[str, dict]:
    _taxonomies, _terms, by_iri = build_taxonomies(store)
    return by_iri


def offer_jsonld(store, offer_iri: str) -> dict | None:
    """The schema.org JSON-LD object for one offer page (None when the offer is not public)."""
    names = _names(store)
    for v in _rows(store, offer_iri):
        if v.get("name") or v.get("kennung"):
            return {"@context": CONTEXT, **service(v, names)}
    return None


def write_all(store, out: IO[str]) -> int:
    """Every public offer as one JSON-LD document {"@context", "@graph": [...]}, streamed; returns the count."""
    names = _names(store)
    out.write('{"@context": "https://schema.org", "@graph": [\n')
    n = 0
    for v in _rows(store):
        if n:
            out.write(",\n")
        out.write(json.dumps(service(v, names), ensure_ascii=False))
        n += 1
    out.write("\n]}\n")
    return n
