"""The offer search behind /angebote, /api/angebote, the maps and the resource pages.

"Where" is answered in SPARQL, in the serves semantics of docs/CONVENTIONS.md (queries/internal/
offers-serving-quarter.rq, offers-serving-borough.rq); the area reaches the query only as a VALUES block built
from pyoxigraph terms (``SavedQuery.render``). Everything else works on an in-memory index of all public offers (one
query for their facet values, one for their places, one for the concept and goal hierarchies), rebuilt when the store
changes: facet filters (a target group, offer type, life situation includes its narrower ones, a goal its sub-goals,
from skos:broader / sg:subGoalOf in the store), facet counts over the current result, sorting, paging. Free text is
matched on name, description and kennung with umlaut folding ("Muelheim" finds "Mülheim"). Per-facet SPARQL
filters (FILTER EXISTS with property paths per offer) measured 0.2-0.4 s per search on 2,000 offers; the index
answers in milliseconds.

Only public graphs are ever queried (``public_only=True``).
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.labels import pick
from sozialgraph.sparql.binding import Resolver
from sozialgraph.errors import UnknownValue
from sozialgraph.sparql.saved import load_query
from sozialgraph.errors import ParameterError

P = ns.PREFIXES
RDFS_LABEL = P["rdfs"] + "label"

# URL parameter -> resolver kind, for the facet filters (all optional, one value each).
FILTERS: dict[str, str] = {
    "zielgruppe": "zielgruppe",
    "angebotsart": "angebotsart",
    "lebenslage": "lebenslage",
    "ziel": "ziel",
    "amt": "amt",
    "traeger": "traeger",
    "reichweite": "reichweite",
    "barrierefreiheit": "barrierefreiheit",
    "kosten": "kosten",
}
WHERE = ("stadtbezirk", "stadtteil")
# Yes/no shorthands of the issue: barrierefrei=ja -> barrierefreiheit=ja, kostenlos=ja -> kosten=kostenlos.
SHORTHANDS = {"barrierefrei": ("barrierefreiheit", P["bf"] + "ja"), "kostenlos": ("kosten", P["ko"] + "kostenlos")}
SORTS = ("grund", "name", "art", "stadtteil", "amt")
PER_PAGE = (10, 20, 50, 100)
OTHER_PARAMS = ("q", "nur_vor_ort", "sortierung", "seite", "pro_seite", "format", "lang", "wert")
ALL_PARAMS = (*FILTERS, *WHERE, *SHORTHANDS, *OTHER_PARAMS)
REASONS = ("vor Ort", "Stadtbezirk", "Gesamtstadt")
REASONS_EN = {"vor Ort": "on site", "Stadtbezirk": "borough", "Gesamtstadt": "whole city"}
YES = ("1", "ja", "true", "on", "yes")

# record field -> (facet parameter, hierarchical?) in display order
FACETS: tuple[tuple[str, str, bool], ...] = (
    ("zielgruppe", "groups", True),
    ("angebotsart", "type", True),
    ("stadtbezirk", "borough", False),
    ("stadtteil", "quarter", False),
    ("amt", "office", False),
    ("traeger", "provider", False),
    ("ziel", "goals", True),
    ("lebenslage", "life", True),
    ("reichweite", "reach", False),
    ("barrierefreiheit", "access", False),
    ("kosten", "cost", False),
)
FILTER_FIELDS = {param: (attr, hier) for param, attr, hier in FACETS}
FACET_NAMES: dict[str, tuple[str, str]] = {
    "zielgruppe": ("Zielgruppe", "Target group"),
    "angebotsart": ("Angebotsart", "Offer type"),
    "stadtbezirk": ("Stadtbezirk", "Borough"),
    "stadtteil": ("Stadtteil", "Quarter"),
    "amt": ("Amt", "Office"),
    "traeger": ("Träger", "Provider"),
    "ziel": ("Ziel", "Goal"),
    "lebenslage": ("Lebenslage", "Life situation"),
    "reichweite": ("Reichweite", "Reach"),
    "barrierefreiheit": ("Barrierefreiheit", "Accessibility"),
    "kosten": ("Kosten", "Cost"),
}

_PROP = {
    P["dcterms"] + "description": "description",
    P["dcterms"] + "identifier": "identifier",
    P["sg"] + "offerType": "type",
    P["sg"] + "targetGroup": "groups",
    P["sg"] + "lifeSituation": "life",
    P["sg"] + "provider": "provider",
    P["sg"] + "responsibleOffice": "office",
    P["sg"] + "quarter": "quarter",
    P["sg"] + "borough": "borough_own",
    P["sg"] + "reach": "reach",
    P["sg"] + "contributesTo": "goals",
    P["sg"] + "accessibility": "access",
    P["sg"] + "cost": "cost",
    P["sg"] + "location": "place",
    P["sg"] + "exampleData": "example",
}
MULTI = {"groups", "life", "goals"}


@dataclass
class Offer:
    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    description: str = ""
    identifier: str = ""
    type: str | None = None
    groups: list[str] = field(default_factory=list)
    life: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    provider: str | None = None
    office: str | None = None
    quarter: str | None = None
    borough_own: str | None = None
    borough: str | None = None  # sg:borough, or the borough of sg:quarter
    reach: str | None = None
    access: str | None = None
    cost: str | None = None
    place: str | None = None
    example: str | None = None
    lat: float | None = None
    long: float | None = None
    street: str = ""
    postcode: str = ""
    city: str = ""
    text: str = ""  # folded name + description + kennung for free-text search

    def label(self, lang: str = "de") -> str:
        return pick(self.labels, lang) or self.iri


@dataclass
class Area:
    iri: str
    kind: str  # stadtteil | stadtbezirk
    number: str = ""
    borough: str | None = None
    lat: float | None = None
    long: float | None = None


class Index:
    """All public offers, areas and hierarchies of one store generation."""

    def __init__(self, store, resolver: Resolver):
        self.resolver = resolver
        self.areas: dict[str, Area] = {}
        for r in store.select(load_query("list-areas", internal=True).text, public_only=True):
            a = self.areas.setdefault(r["gebiet"].value, Area(r["gebiet"].value, r["art"].value))
            if "nummer" in r:
                a.number = r["nummer"].value
            if "bezirk" in r:
                a.borough = r["bezirk"].value
            if "lat" in r and "long" in r:
                a.lat, a.long = float(r["lat"].value), float(r["long"].value)
        self.broader: dict[str, set[str]] = {}
        for r in store.select(load_query("concept-hierarchy", internal=True).text, public_only=True):
            self.broader.setdefault(r["eng"].value, set()).add(r["weit"].value)
        self._ancestors: dict[str, frozenset[str]] = {}
        self.offers: dict[str, Offer] = {}
        offer_gs = offer_graphs(store)
        for sol in store.query(load_query("offer-records", internal=True).text, public_only=True,
                               default_graph=offer_gs):
            o = self.offers.get(sol["angebot"].value)
            if o is None:
                o = self.offers[sol["angebot"].value] = Offer(sol["angebot"].value)
            p, v = sol["p"].value, sol["v"]
            if p == RDFS_LABEL:
                o.labels.setdefault(getattr(v, "language", None) or "", v.value)
                continue
            name = _PROP[p]
            if name in MULTI:
                getattr(o, name).append(v.value)
            elif name == "description":
                if not o.description or getattr(v, "language", None) == "de":
                    o.description = v.value
            elif getattr(o, name) in (None, ""):
                setattr(o, name, v.value)
        for r in store.select(load_query("offer-places", internal=True).text, public_only=True,
                              default_graph=offer_gs):
            o = self.offers.get(r["angebot"].value)
            if o is None:
                continue
            if "lat" in r and "long" in r:
                try:
                    o.lat, o.long = float(r["lat"].value), float(r["long"].value)
                except ValueError:
                    pass
            o.street = r["strasse"].value if "strasse" in r else o.street
            o.postcode = r["plz"].value if "plz" in r else o.postcode
            o.city = r["stadt"].value if "stadt" in r else o.city
        for o in self.offers.values():
            o.borough = o.borough_own or (self.areas[o.quarter].borough if o.quarter in self.areas else None)
            o.text = ns.fold(" ".join([*o.labels.values(), o.description, o.identifier]))

    def ancestors(self, iri: str) -> frozenset[str]:
        """The term itself and everything broader (skos:broader*, sg:subGoalOf*)."""
        hit = self._ancestors.get(iri)
        if hit is None:
            seen, todo = {iri}, [iri]
            while todo:
                for b in self.broader.get(todo.pop(), ()):
                    if b not in seen:
                        seen.add(b)
                        todo.append(b)
            hit = self._ancestors[iri] = frozenset(seen)
        return hit

    def has(self, o: Offer, attr: str, iri: str, hierarchical: bool) -> bool:
        """Whether the offer's value(s) of attr are iri (or, hierarchical, narrower than iri)."""
        v = getattr(o, attr)
        vals = v if isinstance(v, list) else ([v] if v else [])
        return any(iri in self.ancestors(x) for x in vals) if hierarchical else iri in vals

    def label(self, iri: str | None, lang: str = "de") -> str:
        if iri is None:
            return ""
        o = self.offers.get(iri)
        return o.label(lang) if o else self.resolver.label(iri, lang)

    def quarters(self, borough: str | None = None) -> list[Area]:
        return [a for a in self.areas.values() if a.kind == "stadtteil" and (borough is None or a.borough == borough)]


_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # store -> {key: (generation, value)}
_cache_lock = threading.Lock()


def cached(ctx, key: str, build):
    """``build(ctx)`` once per store generation (rebuilt after every write to the store)."""
    store = ctx.store
    with _cache_lock:
        per_store = _cache.setdefault(store, {})
        hit = per_store.get(key)
        if hit and hit[0] == store.generation:
            return hit[1]
        gen = store.generation  # read before the build: a write that lands during it makes the next call rebuild
        value = build(ctx)
        per_store[key] = (gen, value)
        return value


def get_index(ctx) -> Index:
    return cached(ctx, "index", lambda c: Index(c.store, c.resolver()))


# -- parameters ------------------------------------------------------------------------------------------------
@dataclass
class Search:
    filters: dict[str, str] = field(default_factory=dict)  # parameter -> IRI
    stadtteil: str | None = None
    stadtbezirk: str | None = None
    q: str = ""
    nur_vor_ort: bool = False
    sort: str = "name"
    page: int = 1
    per_page: int = 20

    @property
    def where(self) -> str | None:
        return self.stadtteil or self.stadtbezirk

    def params(self, **changes: Any) -> dict[str, str]:
        """The search as URL parameters (IRIs shortened to their code/slug), with changes applied;
        a change to None removes the parameter."""
        out: dict[str, str] = {}
        for k, v in self.filters.items():
            out[k] = short(v)
        if self.stadtbezirk:
            out["stadtbezirk"] = short(self.stadtbezirk)
        if self.stadtteil:
            out["stadtteil"] = short(self.stadtteil)
        if self.q:
            out["q"] = self.q
        if self.nur_vor_ort:
            out["nur_vor_ort"] = "ja"
        if self.sort != default_sort(self):
            out["sortierung"] = self.sort
        if self.page != 1:
            out["seite"] = str(self.page)
        if self.per_page != 20:
            out["pro_seite"] = str(self.per_page)
        for k, v in changes.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = str(v)
        if "stadtbezirk" in changes and "stadtteil" not in changes:
            out.pop("stadtteil", None)  # a new borough drops the quarter of the old one
        if changes and "seite" not in changes:
            out.pop("seite", None)  # a changed search starts on page 1
        return out


def short(iri: str) -> str:
    """The last path segment of a minted IRI (resolvable again by the Resolver), else the IRI."""
    return iri.rsplit("/", 1)[-1] if iri.startswith(ns.ID) else iri


def default_sort(s: Search) -> str:
    return "grund" if s.where else "name"


def parse(args, resolver: Resolver, strict: bool = False, max_per_page: int = 100) -> Search:
    """Read a search from request arguments (a MultiDict or dict). ParameterError names the bad parameter.
    ``strict`` also rejects unknown parameter names (the JSON/CSV API)."""
    get = args.get
    if strict:
        for key in args:
            if key not in ALL_PARAMS:
                raise ParameterError(key, f"unbekannter Parameter. Erlaubt: {', '.join(ALL_PARAMS)}.",
                                     f"unknown parameter. Allowed: {', '.join(ALL_PARAMS)}.")
    s = Search()

    def resolve(param: str, kind: str, raw: str) -> str:
        try:
            return resolver.resolve(kind, raw)
        except UnknownValue as exc:
            raise ParameterError(param, exc.message("de"), exc.message("en"), exc.suggestions) from None

    for param, kind in FILTERS.items():
        raw = (get(param) or "").strip()
        if raw:
            s.filters[param] = resolve(param, kind, raw)
    for flag, (param, value) in SHORTHANDS.items():
        raw = (get(flag) or "").strip().lower()
        if raw in YES and param not in s.filters:
            s.filters[param] = value
        elif raw and raw not in YES + ("0", "nein", "false", "off", "no"):
            raise ParameterError(flag, f"'{raw}' ist kein Ja/Nein-Wert (ja oder nein).",
                                 f"'{raw}' is not a yes/no value (ja or nein).")
    for param in WHERE:
        raw = (get(param) or "").strip()
        if raw:
            setattr(s, param, resolve(param, param, raw))
    s.q = (get("q") or "").strip()[:200]
    s.nur_vor_ort = (get("nur_vor_ort") or "").strip().lower() in YES
    sort = (get("sortierung") or "").strip()
    if sort and sort not in SORTS:
        raise ParameterError("sortierung", f"'{sort}' ist keine Sortierung. Erlaubt: {', '.join(SORTS)}.",
                             f"'{sort}' is not a sort order. Allowed: {', '.join(SORTS)}.")
    s.sort = sort or default_sort(s)
    s.page = _positive(get("seite"), "seite", 1, 10 ** 6)
    s.per_page = _positive(get("pro_seite"), "pro_seite", 20, max_per_page)
    return s


def _positive(raw, name: str, default: int, most: int) -> int:
    if raw is None or str(raw).strip() == "":
        return default
    raw = str(raw).strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= most:  # "²".isdigit() is True
        raise ParameterError(name, f"'{raw}' ist keine Zahl von 1 bis {most}.",
                             f"'{raw}' is not a number from 1 to {most}.")
    return int(raw)


# -- running ---------------------------------------------------------------------------------------------------
def offer_graphs(store) -> list[str]:
    """The public graphs that hold offers: one per office (docs/CONVENTIONS.md)."""
    return [g for g in store.public_graphs() if g.startswith(ns.GRAPH + "office/")]


def search_graphs(store) -> list[str]:
    """Offers plus the areas and vocabularies the search rules need. Naming them (instead of every public graph)
    makes Oxigraph's evaluation several times faster; still public only."""
    return offer_graphs(store) + [ns.G_REFERENCE, ns.G_VOCAB]


def serving(store, s: Search) -> dict[str, str]:
    """Offer -> closest reason (vor Ort < Stadtbezirk < Gesamtstadt) for the search's Stadtteil/Stadtbezirk."""
    if s.stadtteil:
        text = load_query("offers-serving-quarter", internal=True).render({"stadtteil": ox.NamedNode(s.stadtteil)})
    else:
        text = load_query("offers-serving-borough", internal=True).render({"stadtbezirk": ox.NamedNode(s.stadtbezirk)})
    out: dict[str, str] = {}
    for sol in store.query(text, public_only=True, default_graph=search_graphs(store)):
        o, why = sol["angebot"].value, sol["grund"].value
        if o not in out or REASONS.index(why) < REASONS.index(out[o]):
            out[o] = why
    return out


@dataclass
class Result:
    search: Search
    offers: list[Offer]  # all matches, sorted
    reasons: dict[str, str]
    facets: dict[str, list[dict]]
    index: Index

    @property
    def total(self) -> int:
        return len(self.offers)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.search.per_page))

    def page_offers(self) -> list[Offer]:
        start = (self.search.page - 1) * self.search.per_page
        return self.offers[start:start + self.search.per_page]


def run(ctx, s: Search, lang: str = "de") -> Result:
    idx = get_index(ctx)
    offers = list(idx.offers.values())
    for param, iri in s.filters.items():
        attr, hierarchical = FILTER_FIELDS[param]
        offers = [o for o in offers if idx.has(o, attr, iri, hierarchical)]
    reasons: dict[str, str] = {}
    if s.where:
        reasons = serving(ctx.store, s)
        offers = [o for o in offers if o.iri in reasons]
        if s.nur_vor_ort:
            offers = [o for o in offers if reasons[o.iri] == "vor Ort"]
    if s.q:
        words = ns.fold(s.q).split()
        offers = [o for o in offers if all(w in o.text for w in words)]
    facets = count_facets(idx, offers, lang)
    offers.sort(key=_sort_key(idx, s, reasons, lang))
    return Result(s, offers, reasons, facets, idx)


def count_facets(idx: Index, offers: list[Offer], lang: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for param, attr, hierarchical in FACETS:
        counts: dict[str, int] = {}
        for o in offers:
            v = getattr(o, attr)
            vals = v if isinstance(v, list) else ([v] if v else [])
            if hierarchical:
                vals = set().union(*(idx.ancestors(x) for x in vals)) if vals else set()
            for x in set(vals):
                counts[x] = counts.get(x, 0) + 1
        items = [{"iri": k, "wert": short(k), "label": idx.label(k, lang), "anzahl": n} for k, n in counts.items()]
        items.sort(key=lambda d: (-d["anzahl"], ns.fold(d["label"])))
        out[param] = items
    return out


def _sort_key(idx: Index, s: Search, reasons: dict[str, str], lang: str):
    def name(o: Offer) -> str:
        return ns.fold(o.label(lang))

    def last(text: str) -> tuple[int, str]:
        return (0 if text else 1, text)

    if s.sort == "grund":
        return lambda o: (REASONS.index(reasons[o.iri]) if o.iri in reasons else 0, name(o), o.iri)
    if s.sort == "art":
        return lambda o: (last(ns.fold(idx.label(o.type, lang))), name(o), o.iri)
    if s.sort == "stadtteil":
        return lambda o: (last(ns.fold(idx.label(o.quarter, lang))), name(o), o.iri)
    if s.sort == "amt":
        return lambda o: (last(ns.fold(idx.label(o.office, lang))), name(o), o.iri)
    return lambda o: (name(o), o.iri)


# -- output ----------------------------------------------------------------------------------------------------
def ref(idx: Index, iri: str | None, lang: str) -> dict | None:
    if not iri:
        return None
    return {"iri": iri, "label": idx.label(iri, lang)}


def offer_json(idx: Index, o: Offer, reasons: dict[str, str], lang: str) -> dict:
    address = None
    if o.street or o.postcode or o.city:
        address = {"strasse": o.street, "plz": o.postcode, "ort": o.city}
    return {
        "angebot": o.iri,
        "bezeichnung": o.label(lang),
        "angebotsart": ref(idx, o.type, lang),
        "zielgruppen": [ref(idx, g, lang) for g in o.groups],
        "traeger": ref(idx, o.provider, lang),
        "amt": ref(idx, o.office, lang),
        "stadtteil": ref(idx, o.quarter, lang),
        "stadtbezirk": ref(idx, o.borough, lang),
        "reichweite": ref(idx, o.reach, lang),
        "adresse": address,
        "lat": o.lat,
        "long": o.long,
        "grund": reasons.get(o.iri),
    }


CSV_COLUMNS = ("angebot", "bezeichnung", "angebotsart", "zielgruppen", "traeger", "amt", "stadtteil", "stadtbezirk",
               "reichweite", "strasse", "plz", "ort", "lat", "long", "grund")


def offer_csv_row(idx: Index, o: Offer, reasons: dict[str, str], lang: str) -> list:
    return [o.iri, o.label(lang), idx.label(o.type, lang), "; ".join(idx.label(g, lang) for g in o.groups),
            idx.label(o.provider, lang), idx.label(o.office, lang), idx.label(o.quarter, lang),
            idx.label(o.borough, lang), idx.label(o.reach, lang), o.street, o.postcode, o.city,
            "" if o.lat is None else o.lat, "" if o.long is None else o.long, reasons.get(o.iri, "")]
