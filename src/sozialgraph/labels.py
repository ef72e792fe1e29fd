"""The one label fallback and the one IRI shortener of the project.

``pick`` chooses a label by language: the requested language, else German, else English, else any label (an
untagged one first), else None, so that the caller falls back to the IRI or its CURIE. ``curie`` shortens an
IRI with the prefixes of :mod:`sozialgraph.namespaces` (the longest namespace that leaves a valid local name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from sozialgraph import namespaces as ns

FALLBACK_LANGS = ("de", "en")
# a local name that reads well after "prefix:" (no "/", "#", "?" ...)
_LOCAL = re.compile(r"[\w.-]+")
# (namespace, prefix), longest namespace first
_NAMESPACES = sorted(((base, p) for p, base in ns.PREFIXES.items()), key=lambda t: -len(t[0]))


def _by_lang(labels) -> dict[str, str]:
    """{language tag (lower case, "" for none): first non-empty text} from a mapping or literals."""
    out: dict[str, str] = {}
    if isinstance(labels, Mapping):
        items = ((lang, text) for lang, text in labels.items())
    else:
        items = ((lit.language, lit.value if isinstance(lit, ox.Literal) else str(lit))
                 for lit in labels if isinstance(lit, ox.Literal) or hasattr(lit, "language"))
    for lang, text in items:
        if text is None or text == "":
            continue
        out.setdefault((lang or "").lower(), str(text))
    return out


def pick(labels: Mapping[str | None, str] | Iterable | None, lang: str = "de") -> str | None:
    """The label in ``lang``, else in German, else in English, else any (untagged first), else None.

    ``labels`` is a mapping language tag -> text ("" or None for no tag) or an iterable of literals (pyoxigraph,
    or rdflib: anything with ``language``); other terms (IRIs, blank nodes) and empty texts are passed over.
    With several labels in one language the first wins."""
    by = _by_lang(labels or {})
    if not by:
        return None
    for want in ((lang or "").lower(), *FALLBACK_LANGS, ""):
        if want in by:
            return by[want]
    return next(iter(by.values()))


def curie(iri: str | None) -> str:
    """``prefix:local`` for the longest namespace of ``iri`` whose rest is a valid local name, else the IRI itself
    ("" for None). 'https://w3id.org/sozialgraph/id/zielgruppe/senioren' -> 'zg:senioren';
    'https://w3id.org/sozialgraph/id/stadtteil/101' stays as it is (no prefix leaves a local name)."""
    if not iri:
        return ""
    for base, prefix in _NAMESPACES:
        if iri.startswith(base) and _LOCAL.fullmatch(iri[len(base):]):
            return f"{prefix}:{iri[len(base):]}"
    return iri
