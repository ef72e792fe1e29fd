"""Resolve what users type (IRI, code/notation, German or English label, synonym) to IRIs.

Matching is case-insensitive and tolerant of umlaut spellings ('Muelheim' = 'Mülheim'); a miss suggests the
closest known values. One resolver serves the capture template, the saved-query parameters and the search API,
so a value accepted in one place is accepted everywhere. The terms come from the store (queries/internal/
lookup-terms.rq): the vocabularies in the store are the one source of truth.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field

from sozialgraph import namespaces as ns
from sozialgraph.errors import ParameterError, UnknownValue
from sozialgraph.labels import pick
from sozialgraph.namespaces import KIND_NAMES
from sozialgraph.sparql.saved import load_query

@dataclass
class Term:
    iri: str
    kind: str
    notation: str | None = None
    labels: dict[str, str] = field(default_factory=dict)  # lang -> preferred label
    alt: list[str] = field(default_factory=list)

    def label(self, lang: str = "de") -> str:
        return pick(self.labels, lang) or self.iri


class Resolver:
    def __init__(self, terms: list[Term]):
        self.terms: dict[str, Term] = {t.iri: t for t in terms}
        self._index: dict[str, dict[str, str]] = defaultdict(dict)
        self._display: dict[str, list[str]] = defaultdict(list)
        for t in terms:
            keys = [t.iri, t.notation or "", *t.labels.values(), *t.alt]
            if t.iri.startswith(ns.ID):
                keys.append(t.iri.rsplit("/", 1)[-1])  # the slug
            for k in keys:
                if k:
                    self._index[t.kind].setdefault(ns.fold(k), t.iri)
            self._display[t.kind].append(t.label("de"))

    @classmethod
    def from_store(cls, store) -> "Resolver":

        q = load_query("lookup-terms", internal=True)
        by_iri: dict[str, Term] = {}
        for row in store.select(q.text):
            iri = row["term"].value
            t = by_iri.setdefault(iri, Term(iri, row["kind"].value))
            if "notation" in row and t.notation is None:
                t.notation = row["notation"].value
            if "label" in row:
                lit = row["label"]
                lang = getattr(lit, "language", None) or ""
                if row["labelType"].value == "pref":
                    t.labels.setdefault(lang, lit.value)
                else:
                    t.alt.append(lit.value)
        return cls(list(by_iri.values()))

    def kinds(self) -> list[str]:
        return sorted(self._index)

    def values(self, kind: str) -> list[Term]:
        """All terms of a kind, sorted by German label."""
        return sorted((t for t in self.terms.values() if t.kind == kind), key=lambda t: ns.fold(t.label("de")))

    def resolve(self, kind: str, value: str) -> str:
        """IRI for a value of the given kind, or UnknownValue with up to three suggestions."""
        v = value.strip()
        hit = self._index.get(kind, {}).get(ns.fold(v))
        if hit:
            return hit
        raise UnknownValue(kind, v, self.suggest(kind, v))

    def suggest(self, kind: str, value: str, n: int = 3) -> list[str]:
        index = self._index.get(kind, {})
        close = difflib.get_close_matches(ns.fold(value), list(index), n=n * 3, cutoff=0.6)
        out: list[str] = []
        for key in close:
            label = self.terms[index[key]].label("de")
            if label not in out:
                out.append(label)
        if not out:  # substring match as a second chance ("Senior" -> "Senioren")
            f = ns.fold(value)
            for key, iri in index.items():
                if f and (f in key or key in f):
                    label = self.terms[iri].label("de")
                    if label not in out:
                        out.append(label)
        return out[:n]

    def label(self, iri: str, lang: str = "de") -> str:
        t = self.terms.get(iri)
        return t.label(lang) if t else iri


def run_saved(store, name: str, values: dict[str, str] | None = None, resolver: Resolver | None = None,
              public_only: bool = True):
    """Run a saved query on a store with bound parameters. Returns the pyoxigraph result object."""
    q = load_query(name)
    if resolver is None and any(p.type in KIND_NAMES for p in q.params):
        resolver = Resolver.from_store(store)
    terms = q.bind(values or {}, resolver)
    return store.query(q.render(terms), public_only=public_only)
