"""The offer search behind /angebote, /api/angebote, the maps and the resource pages.

"Where" is answered in SPARQL, in the serves semantics of docs/CONVENTIONS.md: queries/internal/
search-serving-quarters.rq and search-serving-boroughs.rq give, once per store generation, which offers serve which
area and why. The search's area filter and the counts of its area facets read that same table, so an area facet
counts exactly what its link returns. Everything else works on an in-memory index of all public offers (one query
for their facet values, one for their places, one for the concept and goal hierarchies, one for the vocabularies'
names and synonyms), rebuilt when the store changes: facet filters (several values of one facet are OR, facets are
AND; a target group, offer type, life situation includes its narrower ones, a goal its sub-goals, from
skos:broader / sg:subGoalOf in the store), facet counts, sorting, paging. Free text is matched on name, description
and kennung with umlaut folding ("Muelheim" finds "Mülheim"), and on the names and synonyms (skos:prefLabel,
altLabel, hiddenLabel) of target groups, offer types and life situations: "Seniorinnen" finds the offers for
Senioren. Per-facet SPARQL filters (FILTER EXISTS with property paths per offer) measured 0.2-0.4 s per search on
2,000 offers; the index answers in milliseconds.

Facets follow the search: a facet without a chosen value lists the values of the current result with their
counts (its link narrows the result to exactly that count); a facet with chosen values lists the other values of
the result-without-that-facet with how many offers each would add (OR). Area facets follow the level: the
Stadtbezirke in all of Köln, the Stadtteile inside a Stadtbezirk, none inside a Stadtteil.

Only public graphs are ever queried (``public_only=True``).
"""

from __future__ import annotations

import difflib
import math
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from sozialgraph import namespaces as ns
from sozialgraph.labels import pick
from sozialgraph.sparql.binding import Resolver
from sozialgraph.errors import UnknownValue
from sozialgraph.sparql.saved import load_query
from sozialgraph.errors import ParameterError

P = ns.PREFIXES
RDFS_LABEL = P["rdfs"] + "label"

# URL parameter -> resolver kind, for the facet filters (all optional; a parameter may repeat: OR).
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
ALL_LIMIT = 1000  # "alle anzeigen" (print): at most this many results on one page; the exports hold every one
ALL_PARAMS = (*FILTERS, *WHERE, *SHORTHANDS, *OTHER_PARAMS)
REASONS = ("vor Ort", "Stadtbezirk", "Gesamtstadt")
REASONS_EN = {"vor Ort": "on site", "Stadtbezirk": "borough", "Gesamtstadt": "whole city"}
YES = ("1", "ja", "true", "on", "yes")

# the vocabularies whose names and synonyms the free text matches (facet parameter = scheme, see
# queries/internal/search-vocabulary-labels.rq)
TEXT_SCHEMES = ("zielgruppe", "angebotsart", "lebenslage")
MAX_PHRASE = 6  # words of the longest vocabulary name looked for in the free text

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
        # folded name or synonym -> {(facet parameter, concept IRI)}; hidden labels find, but are never shown
        self.names: dict[str, set[tuple[str, str]]] = {}
        for r in store.select(load_query("search-vocabulary-labels", internal=True).text, public_only=True):
            key = " ".join(ns.fold(r["name"].value).split())
            if key:
                self.names.setdefault(key, set()).add((r["schema"].value, r["begriff"].value))

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

    def label(self, iri: str | list[str] | None, lang: str = "de") -> str:
        """The display label (prefLabel / rdfs:label, never a synonym); several values of one facet: "A oder B"."""
        if iri is None:
            return ""
        if isinstance(iri, (list, tuple)):
            return (" or " if lang == "en" else " oder ").join(self.label(i, lang) for i in iri)
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


# -- serving: which offers serve which area ---------------------------------------------------------------------
@dataclass
class Serving:
    """The serves relation of one kind of area (queries/internal/search-serving-*.rq), one store generation."""

    by_area: dict[str, dict[str, str]]  # area -> offer -> closest reason (vor Ort | Stadtbezirk)
    everywhere: dict[str, str]  # offers serving every area (Gesamtstadt) -> reason

    def reasons(self, area: str) -> dict[str, str]:
        """Offer -> closest reason (vor Ort < Stadtbezirk < Gesamtstadt) for the offers serving ``area``."""
        out = dict(self.everywhere)
        out.update(self.by_area.get(area, {}))  # an area's own reason is always closer than Gesamtstadt
        return out


def _serving(ctx, kind: str) -> Serving:
    name, var = ("search-serving-quarters", "stadtteil") if kind == "stadtteil" else ("search-serving-boroughs",
                                                                                      "stadtbezirk")
    store = ctx.store
    by_area: dict[str, dict[str, str]] = {}
    everywhere: dict[str, str] = {}
    for sol in store.query(load_query(name, internal=True).text, public_only=True, default_graph=search_graphs(store)):
        area = sol[var]
        target = everywhere if area is None else by_area.setdefault(area.value, {})
        o, why = sol["angebot"].value, sol["grund"].value
        if o not in target or REASONS.index(why) < REASONS.index(target[o]):
            target[o] = why
    return Serving(by_area, everywhere)


def get_serving(ctx, kind: str) -> Serving:
    """The serves relation for Stadtteile (kind 'stadtteil') or Stadtbezirke ('stadtbezirk'), cached per generation."""
    return cached(ctx, "serving-" + kind, lambda c: _serving(c, kind))


# -- parameters ------------------------------------------------------------------------------------------------
def _as_list(value: str | list[str] | None) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


@dataclass
class Search:
    filters: dict[str, list[str]] = field(default_factory=dict)  # parameter -> IRIs (OR); a single str is read too
    stadtteil: str | None = None
    stadtbezirk: str | None = None
    q: str = ""
    nur_vor_ort: bool = False
    sort: str = "name"
    page: int = 1
    per_page: int = 20
    show_all: bool = False  # the page: every result (at most ALL_LIMIT) on one page, for printing
    dropped_borough: str | None = None  # a Stadtbezirk given with a Stadtteil outside it (the Stadtteil wins)

    @property
    def where(self) -> str | None:
        return self.stadtteil or self.stadtbezirk

    @property
    def level(self) -> str | None:
        """'stadtteil', 'stadtbezirk' or None (all of Köln)."""
        return "stadtteil" if self.stadtteil else ("stadtbezirk" if self.stadtbezirk else None)

    def chosen(self, param: str) -> list[str]:
        return _as_list(self.filters.get(param))

    def is_empty(self) -> bool:
        return not (any(self.chosen(p) for p in self.filters) or self.where or self.q)

    def params(self, **changes: Any) -> dict[str, str | list[str]]:
        """The search as URL parameters (IRIs shortened to their code/slug; a repeated parameter as a list), with
        changes applied; a change to None removes the parameter. A Stadtteil implies its Stadtbezirk, which is
        then left out; a new Stadtbezirk drops the Stadtteil; a changed search starts on page 1."""
        out: dict[str, str | list[str]] = {}
        for k in self.filters:
            vals = [short(v) for v in self.chosen(k)]
            if vals:
                out[k] = vals[0] if len(vals) == 1 else vals
        if self.stadtteil:
            out["stadtteil"] = short(self.stadtteil)
        elif self.stadtbezirk:
            out["stadtbezirk"] = short(self.stadtbezirk)
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
        if self.show_all:
            out["alle"] = "ja"
        for k, v in changes.items():
            if v is None or v == []:
                out.pop(k, None)
            else:
                out[k] = v if isinstance(v, list) and len(v) > 1 else (v[0] if isinstance(v, list) else str(v))
        if changes.get("stadtbezirk") and "stadtteil" not in changes:
            out.pop("stadtteil", None)  # a new borough drops the quarter of the old one
        if changes.get("stadtteil"):
            out.pop("stadtbezirk", None)  # the quarter implies its borough
        has_area = bool(out.get("stadtteil") or out.get("stadtbezirk"))
        if out.get("sortierung") == ("grund" if has_area else "name"):
            out.pop("sortierung")  # the default of the changed search (an area chosen: on site first)
        if changes and "seite" not in changes:
            out.pop("seite", None)
        return out

    def adding(self, param: str, value: str) -> dict[str, str | list[str]]:
        """URL parameters with one more value of a facet (OR within the facet)."""
        return self.params(**{param: [short(v) for v in self.chosen(param)] + [short(value)]})

    def removing(self, param: str, value: str | None = None) -> dict[str, str | list[str]]:
        """URL parameters without one value of a facet (or without the whole parameter)."""
        if value is None or param not in self.filters:
            return self.params(**{param: None})
        return self.params(**{param: [short(v) for v in self.chosen(param) if v != value]})


def short(iri: str) -> str:
    """The last path segment of a minted IRI (resolvable again by the Resolver), else the IRI."""
    return iri.rsplit("/", 1)[-1] if iri.startswith(ns.ID) else iri


def default_sort(s: Search) -> str:
    return "grund" if s.where else "name"


def _getlist(args, key: str) -> list[str]:
    if hasattr(args, "getlist"):
        return [v for v in args.getlist(key)]
    v = args.get(key)
    return _as_list(v)


def parse(args, resolver: Resolver, strict: bool = False, max_per_page: int = 100,
          errors: list[ParameterError] | None = None) -> Search:
    """Read a search from request arguments (a MultiDict or dict; facet parameters may repeat). ParameterError
    names the bad parameter; with ``errors`` given, bad values are collected there and left out instead.
    ``strict`` also rejects unknown parameter names (the JSON/CSV API)."""
    get = args.get
    if strict:
        for key in args:
            if key not in ALL_PARAMS:
                raise ParameterError(key, f"unbekannter Parameter. Erlaubt: {', '.join(ALL_PARAMS)}.",
                                     f"unknown parameter. Allowed: {', '.join(ALL_PARAMS)}.")
    s = Search()

    def fail(exc: ParameterError):
        if errors is None:
            raise exc
        errors.append(exc)

    def resolve(param: str, kind: str, raw: str) -> str | None:
        try:
            return resolver.resolve(kind, raw)
        except UnknownValue as exc:
            fail(ParameterError(param, exc.message("de"), exc.message("en"), exc.suggestions))
            return None

    for param, kind in FILTERS.items():
        for raw in _getlist(args, param):
            raw = (raw or "").strip()
            iri = resolve(param, kind, raw) if raw else None
            if iri and iri not in s.chosen(param):
                s.filters.setdefault(param, []).append(iri)
    for flag, (param, value) in SHORTHANDS.items():
        raw = (get(flag) or "").strip().lower()
        if raw in YES and value not in s.chosen(param):
            s.filters.setdefault(param, []).append(value)
        elif raw and raw not in YES + ("0", "nein", "false", "off", "no"):
            fail(ParameterError(flag, f"'{raw}' ist kein Ja/Nein-Wert (ja oder nein).",
                                f"'{raw}' is not a yes/no value (ja or nein)."))
    for param in WHERE:
        raw = (get(param) or "").strip()
        if raw:
            setattr(s, param, resolve(param, param, raw))
    s.q = (get("q") or "").strip()[:200]
    s.nur_vor_ort = (get("nur_vor_ort") or "").strip().lower() in YES
    s.show_all = (get("alle") or "").strip().lower() in YES
    sort = (get("sortierung") or "").strip()
    if sort and sort not in SORTS:
        fail(ParameterError("sortierung", f"'{sort}' ist keine Sortierung. Erlaubt: {', '.join(SORTS)}.",
                            f"'{sort}' is not a sort order. Allowed: {', '.join(SORTS)}."))
        sort = ""
    s.sort = sort or default_sort(s)
    try:
        s.page = _positive(get("seite"), "seite", 1, 10 ** 6)
        s.per_page = _positive(get("pro_seite"), "pro_seite", 20, max_per_page)
    except ParameterError as exc:
        fail(exc)
    return s


def _positive(raw, name: str, default: int, most: int) -> int:
    if raw is None or str(raw).strip() == "":
        return default
    raw = str(raw).strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= most:  # "²".isdigit() is True
        raise ParameterError(name, f"'{raw}' ist keine Zahl von 1 bis {most}.",
                             f"'{raw}' is not a number from 1 to {most}.")
    return int(raw)


def reconcile(idx: Index, s: Search) -> None:
    """A Stadtbezirk and a Stadtteil outside it: the Stadtteil wins (it is the more specific choice, and the GET
    form sends both selects); the Stadtbezirk is kept in ``dropped_borough`` for the page's message."""
    if s.stadtteil and s.stadtbezirk:
        own = idx.areas[s.stadtteil].borough if s.stadtteil in idx.areas else None
        if own != s.stadtbezirk:
            s.dropped_borough = s.stadtbezirk
        s.stadtbezirk = None


# -- running ---------------------------------------------------------------------------------------------------
def offer_graphs(store) -> list[str]:
    """The public graphs that hold offers: one per office (docs/CONVENTIONS.md)."""
    return [g for g in store.public_graphs() if g.startswith(ns.GRAPH + "office/")]


def search_graphs(store) -> list[str]:
    """Offers plus the areas and vocabularies the search rules need. Naming them (instead of every public graph)
    makes Oxigraph's evaluation several times faster; still public only."""
    return offer_graphs(store) + [ns.G_REFERENCE, ns.G_VOCAB]


def serving(ctx, area: str, kind: str) -> dict[str, str]:
    """Offer -> closest reason (vor Ort < Stadtbezirk < Gesamtstadt) for a Stadtteil or Stadtbezirk."""
    return get_serving(ctx, kind).reasons(area)


# -- free text -------------------------------------------------------------------------------------------------
@dataclass
class Phrase:
    """A run of words of the free text: a vocabulary name (``terms`` = its concepts) or a plain word."""
    text: str  # folded
    terms: frozenset[tuple[str, str]] = frozenset()  # (facet parameter, concept IRI)


def phrases(idx: Index, q: str) -> list[Phrase]:
    """The free text cut into vocabulary names (longest first) and plain words."""
    words = ns.fold(q).split()
    out: list[Phrase] = []
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + MAX_PHRASE), i, -1):
            text = " ".join(words[i:j])
            if text in idx.names:
                out.append(Phrase(text, frozenset(idx.names[text])))
                i = j
                break
        else:
            out.append(Phrase(words[i]))
            i += 1
    return out


def text_matches(idx: Index, o: Offer, parts: list[Phrase]) -> bool:
    """Every part is in the offer's name, description or kennung, or (a vocabulary name) is one of its concepts."""
    for part in parts:
        if part.text in o.text:
            continue
        if not any(idx.has(o, FILTER_FIELDS[param][0], iri, True) for param, iri in part.terms):
            return False
    return True


def _remove_phrase(q: str, part: Phrase) -> str:
    """The free text without one vocabulary name (compared folded, kept as typed otherwise)."""
    words = q.split()
    n = len(part.text.split())
    for i in range(len(words) - n + 1):
        if " ".join(ns.fold(w) for w in words[i:i + n]) == part.text:
            return " ".join(words[:i] + words[i + n:])
    return q


@dataclass
class TermSuggestion:
    param: str
    iri: str
    rest: str  # the free text without the matched name


def term_suggestions(idx: Index, s: Search) -> list[TermSuggestion]:
    """The concepts named in the free text that are not chosen yet: 'Zielgruppe Senioren wählen'."""
    out: list[TermSuggestion] = []
    for part in phrases(idx, s.q):
        for param, iri in sorted(part.terms):
            if iri not in s.chosen(param):
                out.append(TermSuggestion(param, iri, _remove_phrase(s.q, part)))
    return out


def did_you_mean(idx: Index, q: str, lang: str = "de", n: int = 3) -> list[str]:
    """Display names (prefLabels, never hidden ones) of concepts whose names are close to the free text."""
    out: list[str] = []
    for key in difflib.get_close_matches(" ".join(ns.fold(q).split()), list(idx.names), n=n * 3, cutoff=0.75):
        for _param, iri in sorted(idx.names[key]):
            label = idx.label(iri, lang)
            if label not in out and ns.fold(label) != ns.fold(q):
                out.append(label)
    return out[:n]


# -- the search ------------------------------------------------------------------------------------------------
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
    def per_page(self) -> int:
        return min(max(self.total, 1), ALL_LIMIT) if self.search.show_all else self.search.per_page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def page_offers(self) -> list[Offer]:
        if self.search.show_all:
            return self.offers[:ALL_LIMIT]
        start = (self.search.page - 1) * self.search.per_page
        return self.offers[start:start + self.search.per_page]

    def by_location(self, kind: str = "stadtbezirk", lang: str = "de") -> list[dict]:
        """Offers of the result by the Stadtbezirk ('stadtbezirk') or Stadtteil ('stadtteil') they are located in
        (not: that they serve), largest first: the spread of a result over the city."""
        counts: dict[str, int] = {}
        for o in self.offers:
            where = o.borough if kind == "stadtbezirk" else o.quarter
            if where:
                counts[where] = counts.get(where, 0) + 1
        items = [{"iri": k, "wert": short(k), "label": self.index.label(k, lang), "anzahl": n}
                 for k, n in counts.items()]
        items.sort(key=lambda d: (-d["anzahl"], ns.fold(d["label"])))
        return items


class _Matcher:
    """Which offers pass which part of a search (each part tested once per offer)."""

    def __init__(self, ctx, idx: Index, s: Search):
        self.idx, self.s = idx, s
        parts = phrases(idx, s.q) if s.q else []
        self.candidates = [o for o in idx.offers.values() if not parts or text_matches(idx, o, parts)]
        self.passes: dict[str, set[str]] = {}
        for param in s.filters:
            vals = s.chosen(param)
            if vals:
                attr, hier = FILTER_FIELDS[param]
                self.passes[param] = {o.iri for o in self.candidates if any(idx.has(o, attr, v, hier) for v in vals)}
        self.ctx = ctx

    def area_reasons(self, area: str | None, kind: str | None) -> dict[str, str] | None:
        """Offer -> reason for the offers an area admits (only on-site ones with nur_vor_ort); None: no area."""
        if not area or not kind:
            return None
        reasons = serving(self.ctx, area, kind)
        if self.s.nur_vor_ort:
            reasons = {o: why for o, why in reasons.items() if why == "vor Ort"}
        return reasons

    def others(self, skip: str | None = None) -> list[Offer]:
        """Candidates passing every facet filter except ``skip`` (no area filter)."""
        keep = [p for p in self.passes if p != skip]
        return [o for o in self.candidates if all(o.iri in self.passes[p] for p in keep)]


def run(ctx, s: Search, lang: str = "de") -> Result:
    idx = get_index(ctx)
    reconcile(idx, s)
    m = _Matcher(ctx, idx, s)
    base = m.others()  # every filter but the area
    reasons = m.area_reasons(s.where, s.level)
    offers = base if reasons is None else [o for o in base if o.iri in reasons]
    facets = count_facets(m, base, offers, reasons, lang)
    offers.sort(key=_sort_key(idx, s, reasons or {}, lang))
    return Result(s, offers, reasons or {}, facets, idx)


def _item(idx: Index, iri: str, lang: str, anzahl: int, treffer: int) -> dict:
    """A facet value: ``anzahl`` offers of the result have it; its link returns ``treffer`` offers."""
    return {"iri": iri, "wert": short(iri), "label": idx.label(iri, lang), "anzahl": anzahl, "treffer": treffer}


def _values(idx: Index, o: Offer, attr: str, hierarchical: bool) -> set[str]:
    v = getattr(o, attr)
    vals = v if isinstance(v, list) else ([v] if v else [])
    if hierarchical:
        return set().union(*(idx.ancestors(x) for x in vals)) if vals else set()
    return set(vals)


def count_facets(m: _Matcher, base: list[Offer], offers: list[Offer], reasons: dict[str, str] | None,
                 lang: str) -> dict[str, list[dict]]:
    idx, s = m.idx, m.s
    in_result = {o.iri for o in offers}
    out: dict[str, list[dict]] = {}
    for param, attr, hierarchical in FACETS:
        if param in WHERE:
            out[param] = _area_facet(m, base, param, lang)
            continue
        chosen = s.chosen(param)
        counts: dict[str, int] = {}
        for o in offers:
            for x in _values(idx, o, attr, hierarchical):
                counts[x] = counts.get(x, 0) + 1
        if not chosen:  # the link narrows the result to exactly these offers
            items = [_item(idx, k, lang, n, n) for k, n in counts.items()]
        else:  # OR within the facet: the link adds the offers of the other filters that have the value
            others = [o for o in m.others(skip=param) if reasons is None or o.iri in reasons]
            added: dict[str, int] = {}
            for o in others:
                if o.iri in in_result:
                    continue
                for x in _values(idx, o, attr, hierarchical):
                    added[x] = added.get(x, 0) + 1
            items = [_item(idx, k, lang, counts.get(k, 0), len(in_result) + n)
                     for k, n in added.items() if k not in chosen]
            for k in chosen:  # a chosen value: its link removes it
                rest = [c for c in chosen if c != k]
                left = sum(1 for o in others if not rest or any(idx.has(o, attr, c, hierarchical) for c in rest))
                items.append({**_item(idx, k, lang, counts.get(k, 0), left), "gewaehlt": True})
        items.sort(key=lambda d: (-d["anzahl"], -d["treffer"], ns.fold(d["label"])))
        out[param] = items
    return out


def _area_facet(m: _Matcher, base: list[Offer], param: str, lang: str) -> list[dict]:
    """Stadtbezirke in all of Köln; the Stadtteile of the chosen Stadtbezirk; nothing inside a Stadtteil. A count is
    what the link returns: the offers of every other filter that serve the area (serves rule)."""
    idx, s = m.idx, m.s
    if param == "stadtbezirk" and s.level is None:
        areas = [a.iri for a in idx.areas.values() if a.kind == "stadtbezirk"]
    elif param == "stadtteil" and s.level == "stadtbezirk":
        areas = [a.iri for a in idx.quarters(s.stadtbezirk)]
    else:
        return []
    items = []
    for area in areas:
        reasons = m.area_reasons(area, param)
        n = sum(1 for o in base if o.iri in reasons)
        if n:
            items.append(_item(idx, area, lang, n, n))
    items.sort(key=lambda d: (-d["anzahl"], ns.fold(d["label"])))
    return items


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


# -- words: what was asked -------------------------------------------------------------------------------------
def heading(idx: Index, s: Search, total: int, lang: str = "de") -> str:
    """'47 Angebote für Senioren, die den Stadtteil Chorweiler versorgen' (English: '47 offers for Older people
    that serve the quarter Chorweiler'); target groups and offer types named, the rest is in describe()."""
    de = lang != "en"
    one = total == 1
    text = f"{total} " + (("Angebot" if one else "Angebote") if de else ("offer" if one else "offers"))
    types = s.chosen("angebotsart")
    if types:
        text += (" der Angebotsart " if de else " of type ") + idx.label(types, lang)
    groups = s.chosen("zielgruppe")
    if groups:
        text += (" für " if de else " for ") + idx.label(groups, lang)
    if s.q:
        text += (f" zum Suchbegriff „{s.q}“" if de else f" matching “{s.q}”")
    if s.where:
        area = idx.label(s.where, lang)
        if de:
            art = "den Stadtteil" if s.stadtteil else "den Stadtbezirk"
            where = "im Stadtteil" if s.stadtteil else "im Stadtbezirk"
            rel = "das" if one else "die"
            verb = (f"{where} {area} liegt" if one else f"{where} {area} liegen") if s.nur_vor_ort else \
                (f"{art} {area} versorgt" if one else f"{art} {area} versorgen")
            text += f", {rel} {verb}"
        else:
            kind = "quarter" if s.stadtteil else "borough"
            verb = ("is" if one else "are") + f" located in the {kind} {area}" if s.nur_vor_ort else \
                ("serves" if one else "serve") + f" the {kind} {area}"
            text += f" that {verb}"
    elif not (types or groups or s.q):
        text += " in Köln" if de else " in Cologne"
    return text


def describe(idx: Index, s: Search, lang: str = "de") -> list[dict]:
    """The chosen filters, one entry per value: {param, name, value, iri} (for chips, exports, empty results)."""
    de = lang != "en"
    out: list[dict] = []
    if s.q:
        out.append({"param": "q", "name": "Suchbegriff" if de else "Search term", "value": s.q, "iri": None})
    for param, (name_de, name_en) in FACET_NAMES.items():
        if param == "stadtteil" and s.stadtteil:
            out.append({"param": param, "name": name_de if de else name_en, "iri": s.stadtteil,
                        "value": idx.label(s.stadtteil, lang)})
        elif param == "stadtbezirk" and s.stadtbezirk and not s.stadtteil:
            out.append({"param": param, "name": name_de if de else name_en, "iri": s.stadtbezirk,
                        "value": idx.label(s.stadtbezirk, lang)})
        elif param not in WHERE:
            for iri in s.chosen(param):
                out.append({"param": param, "name": name_de if de else name_en, "iri": iri,
                            "value": idx.label(iri, lang)})
    if s.nur_vor_ort and s.where:
        out.append({"param": "nur_vor_ort", "name": "Nur vor Ort" if de else "On site only",
                    "value": "ja" if de else "yes", "iri": None})
    return out


def filter_rows(idx: Index, s: Search, lang: str = "de") -> list[tuple[str, str]]:
    """The filters as (name, value) rows for the top of an export (several values of one facet: 'A oder B')."""
    rows: dict[str, list[str]] = {}
    for d in describe(idx, s, lang):
        rows.setdefault(d["name"], []).append(d["value"])
    joiner = " or " if lang == "en" else " oder "
    return [(name, joiner.join(values)) for name, values in rows.items()]


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


# the columns of the spreadsheet exports (tables.Table), German and English
TABLE_COLUMNS = (("Bezeichnung", "Name"), ("Angebotsart", "Offer type"), ("Zielgruppen", "Target groups"),
                 ("Stadtteil", "Quarter"), ("Stadtbezirk", "Borough"), ("Grund", "Reason"),
                 ("Reichweite", "Reach"), ("Amt", "Office"), ("Träger", "Provider"), ("Straße", "Street"),
                 ("PLZ", "Postcode"), ("Ort", "Town"), ("Breite", "Latitude"), ("Länge", "Longitude"),
                 ("IRI", "IRI"))


def table_row(idx: Index, o: Offer, reasons: dict[str, str], lang: str) -> list:
    why = reasons.get(o.iri)
    return [o.label(lang), idx.label(o.type, lang), ", ".join(idx.label(g, lang) for g in o.groups),
            idx.label(o.quarter, lang), idx.label(o.borough, lang),
            (REASONS_EN[why] if lang == "en" else why) if why else "", idx.label(o.reach, lang),
            idx.label(o.office, lang), idx.label(o.provider, lang), o.street, o.postcode, o.city, o.lat, o.long,
            o.iri]
