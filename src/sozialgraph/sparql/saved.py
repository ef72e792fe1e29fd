"""Saved SPARQL queries: `queries/*.rq`, one per file, with a header of `#+ key: value` lines.

Header keys: `title` (German), `title_en`, `description`, `description_en`, `returns`, and one `param` line per
parameter: `#+ param: NAME TYPE required|optional -- Hilfe / help`. TYPE is a kind known to sozialgraph.lookup
(zielgruppe, angebotsart, stadtteil, stadtbezirk, amt, ziel, lebenslage, reichweite, ...: value given as IRI,
code or label), or `iri`, `string`, `integer`, `decimal`, `date`.

Binding: each parameter stands in the query as a line `VALUES ?name { UNDEF }`, placed in the innermost group where
the value is most selective. The file runs as it is in any SPARQL editor (UNDEF = no restriction); to bind a value,
``render`` puts the RDF term, built and escaped by pyoxigraph (``str(NamedNode(...))``/``str(Literal(...))``), in
place of UNDEF. No user text ever reaches the query except as such a term. This binds the same way on the local
store and on any remote endpoint, and it is fast: a VALUES line first in its group binds the value before the
patterns that use it, while pyoxigraph's ``substitutions=`` joined late and was several times slower in a one-off
hand measurement (bench/bench_sparql.py times the saved queries as bound here).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.resources import QUERY_DIR
from sozialgraph.errors import ParameterError, UnknownValue
from sozialgraph.namespaces import KIND_NAMES

XSD = ns.PREFIXES["xsd"]


@dataclass
class Param:
    name: str
    type: str
    required: bool
    help: str = ""


@dataclass
class SavedQuery:
    name: str
    text: str
    meta: dict[str, str] = field(default_factory=dict)
    params: list[Param] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.meta.get("title", self.name)

    def title_in(self, lang: str) -> str:
        return self.meta.get("title_en", self.title) if lang == "en" else self.title

    def description_in(self, lang: str) -> str:
        d = self.meta.get("description", "")
        return self.meta.get("description_en", d) if lang == "en" else d

    @property
    def form(self) -> str:
        m = re.search(r"^\s*(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", _strip_prologue(self.text), re.I | re.M)
        return m.group(1).upper() if m else "SELECT"

    def as_dict(self, lang: str = "de") -> dict:
        return {
            "name": self.name,
            "title": self.title_in(lang),
            "title_de": self.title,
            "title_en": self.meta.get("title_en", self.title),
            "description": self.description_in(lang),
            "returns": self.meta.get("returns", ""),
            "form": self.form,
            "parameters": [
                {"name": p.name, "type": p.type, "required": p.required, "help": p.help} for p in self.params
            ],
        }

    def render(self, terms: dict[str, ox.NamedNode | ox.Literal | list]) -> str:
        """The query text with bound parameters in their VALUES lines (unbound ones stay UNDEF). A list of terms
        binds several values (one VALUES row each)."""
        text = self.text
        for name, value in terms.items():
            values = value if isinstance(value, list) else [value]
            for term in values:
                if not isinstance(term, (ox.NamedNode, ox.Literal)):
                    raise TypeError(f"{name}: {term!r} is not an RDF term")
            block = " ".join(str(t) for t in values)
            text, n = _values_line(name).subn(lambda m: f"{m.group(1)}{block}{m.group(2)}", text)
            if not n:
                raise KeyError(f"{self.name}: no line 'VALUES ?{name} {{ UNDEF }}'")
        return text

    def bind(self, values: dict[str, str], resolver) -> dict[str, ox.NamedNode | ox.Literal]:
        """Turn user-supplied strings into RDF terms; ParameterError on anything wrong."""
        known = {p.name for p in self.params}
        for key in values:
            if key not in known:
                raise ParameterError(
                    key, f"unbekannter Parameter. Erlaubt: {', '.join(sorted(known)) or 'keine'}.",
                    f"unknown parameter. Allowed: {', '.join(sorted(known)) or 'none'}.")
        out: dict[str, ox.NamedNode | ox.Literal] = {}
        for p in self.params:
            raw = values.get(p.name)
            if raw is None or str(raw).strip() == "":
                if p.required:
                    raise ParameterError(p.name, "fehlt, ist aber erforderlich.", "is required but missing.")
                continue
            out[p.name] = convert(p, str(raw), resolver)
        return out


def convert(p: Param, raw: str, resolver) -> ox.NamedNode | ox.Literal:
    raw = raw.strip()
    if p.type in KIND_NAMES:
        if resolver is None:
            raise ParameterError(p.name, "kann ohne Datenbestand nicht aufgelöst werden.", "cannot be resolved.")
        try:
            return ox.NamedNode(resolver.resolve(p.type, raw))
        except UnknownValue as exc:
            raise ParameterError(p.name, exc.message("de"), exc.message("en"), exc.suggestions) from None
    if p.type == "iri":
        try:
            return ox.NamedNode(raw)
        except ValueError:
            raise ParameterError(p.name, f"'{raw}' ist keine gültige IRI.", f"'{raw}' is not a valid IRI.") from None
    if p.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", raw):
            raise ParameterError(p.name, f"'{raw}' ist keine ganze Zahl.", f"'{raw}' is not an integer.")
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    if p.type == "decimal":
        try:
            val = float(raw.replace(",", "."))
        except ValueError:
            raise ParameterError(p.name, f"'{raw}' ist keine Zahl.", f"'{raw}' is not a number.") from None
        return ox.Literal(repr(val), datatype=ox.NamedNode(XSD + "decimal"))
    if p.type == "date":
        try:
            d = dt.date.fromisoformat(raw) if "-" in raw else dt.datetime.strptime(raw, "%d.%m.%Y").date()
        except ValueError:
            raise ParameterError(p.name, f"'{raw}' ist kein Datum (2026-01-31 oder 31.01.2026).",
                                 f"'{raw}' is not a date (2026-01-31 or 31.01.2026).") from None
        return ox.Literal(d.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    return ox.Literal(raw)


def _values_line(name: str) -> re.Pattern:
    return re.compile(r"(VALUES\s+\?" + re.escape(name) + r"\s*\{\s*)UNDEF(\s*\})")


def _strip_prologue(text: str) -> str:
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith(("#", "PREFIX", "prefix", "BASE"))]
    return "\n".join(lines)


def parse_query_file(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[Param] = []
    last = None
    for line in text.splitlines():
        if not line.startswith("#+"):
            if line.strip() and not line.startswith("#"):
                break
            continue
        body = line[2:].strip()
        m = re.match(r"([a-z_]+):\s*(.*)$", body)
        if m:
            key, val = m.group(1), m.group(2)
            if key == "param":
                pm = re.match(r"(\w+)\s+([\w:]+)\s+(required|optional)\s*(?:--\s*(.*))?$", val)
                if not pm:
                    raise ValueError(f"{path.name}: bad param line: {val!r}")
                params.append(Param(pm.group(1), pm.group(2), pm.group(3) == "required", pm.group(4) or ""))
                last = None
            else:
                meta[key] = val
                last = key
        elif last:  # continuation line
            meta[last] += " " + body
    for p in params:
        if not _values_line(p.name).search(text):
            raise ValueError(f"{path.name}: parameter {p.name} has no line 'VALUES ?{p.name} {{ UNDEF }}'")
    return SavedQuery(path.stem, text, meta, params)


@lru_cache(maxsize=None)
def _load(path_str: str, mtime: float) -> SavedQuery:
    return parse_query_file(Path(path_str))


def load_query(name: str, internal: bool = False) -> SavedQuery:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise KeyError(name)
    path = QUERY_DIR / ("internal" if internal else "") / f"{name}.rq"
    if not path.is_file():
        raise KeyError(name)
    return _load(str(path), path.stat().st_mtime)


def list_queries() -> list[SavedQuery]:
    return [load_query(p.stem) for p in sorted(QUERY_DIR.glob("*.rq"))]
