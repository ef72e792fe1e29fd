"""The W3C Data Cube integrity constraints IC-1 … IC-21 (https://www.w3.org/TR/vocab-data-cube/#wf-rules).

One ASK query per constraint in queries/cube/ic-NN.rq, written from the Recommendation's text; each file's header
names the constraint in German (``title``) and English (``title_en``) and the variable whose bindings are the
offending nodes (``focus``). The Recommendation first *normalises* a cube (§10.3: qb:componentProperty from
qb:dimension/qb:measure/qb:attribute, types, attachment levels pushed down to the observations). Here that is
update-free: the two phases are CONSTRUCT queries (queries/cube/normalize-1.rq, normalize-2.rq) whose results are
added to a scratch in-memory pyoxigraph Store holding the ontology (the structure sg:IndicatorStructure), the
vocabularies (code lists) and the observations; the ICs then run there unchanged. IC-20 and IC-21 are templates in
the Recommendation: they run once per parent-child property of a qb:HierarchicalCodeList
(queries/cube/hierarchy-properties.rq).

Deviations: IC-14 exempts observations whose sg:obsStatus has ``sg:valueWithheld true`` (suppressed small counts
carry no value; SDMX has a missing-value mechanism, the Data Cube has none). IC-12 compares one key per
observation instead of all pairs (same result, linear instead of quadratic); IC-19's two ASKs are one with UNION.

The offending nodes of a violated constraint come from the same query text run as ``SELECT DISTINCT *`` (the ASK's
pattern is its WHERE clause), limited to a few rows.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.resources import QUERY_DIR
from sozialgraph.sparql.saved import SavedQuery, parse_query_file

CUBE_DIR = QUERY_DIR / "cube"
IC_NUMBERS = tuple(range(1, 22))
PLACEHOLDER = "<urn:sozialgraph:parent-child-property>"
EXAMPLES = 5  # offending nodes named per violated constraint


@dataclass
class Violation:
    """A violated integrity constraint: its number, wording (de/en) and a few offending nodes."""

    ic: int
    title_de: str
    title_en: str
    examples: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def name(self) -> str:
        return f"IC-{self.ic}"

    def message(self, lang: str = "de") -> str:
        title = self.title_en if lang == "en" else self.title_de
        if not self.examples:
            return title
        word = "e.g." if lang == "en" else "z. B."
        return f"{title} ({word} {', '.join(self.examples)})"

    def to_dict(self) -> dict:
        return {"ic": self.name, "message_de": self.message("de"), "message_en": self.message("en"),
                "examples": self.examples, "source": self.source}


@lru_cache(maxsize=None)
def constraint(n: int) -> SavedQuery:
    """The ASK query of IC-n (queries/cube/ic-NN.rq) with its header."""
    return parse_query_file(CUBE_DIR / f"ic-{n:02d}.rq")


@lru_cache(maxsize=None)
def _query(name: str) -> SavedQuery:
    return parse_query_file(CUBE_DIR / f"{name}.rq")


def as_select(ask: str) -> str:
    """The ASK query as ``SELECT DISTINCT * WHERE { … } LIMIT n``: the bindings that make it true."""
    text, n = re.subn(r"^ASK\s*\{", "SELECT DISTINCT * WHERE {", ask, count=1, flags=re.M)
    if not n:
        raise ValueError("not an ASK query")
    return f"{text.rstrip()}\nLIMIT {EXAMPLES}\n"


def scratch_store(triples: Iterable[ox.Triple]) -> ox.Store:
    """An in-memory store with the triples in its default graph, normalised as the Recommendation's §10.3."""
    mem = ox.Store()
    mem.bulk_load(_nt(triples), ox.RdfFormat.N_TRIPLES)  # a scratch store: nothing to keep transactional
    for phase in ("normalize-1", "normalize-2"):
        derived = list(mem.query(_query(phase).text))  # blank nodes stay the store's own: no re-parsing
        mem.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in derived)
    return mem


def _nt(triples: Iterable[ox.Triple]) -> bytes:
    buf = io.BytesIO()
    ox.serialize(triples, buf, ox.RdfFormat.N_TRIPLES)
    return buf.getvalue()


def _instances(mem: ox.Store, n: int) -> list[str]:
    """The query texts of IC-n: one, or for the templates IC-20/IC-21 one per parent-child property."""
    text = constraint(n).text
    if n not in (20, 21):
        return [text]
    out = []
    for row in mem.query(_query("hierarchy-properties").text):
        inverse = row["inverse"].value == "true"
        if inverse == (n == 21):
            out.append(text.replace(PLACEHOLDER, str(row["p"])))
    return out


def _term(t) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<{t.value}>"
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    return t.value


def check_store(mem: ox.Store, numbers: Iterable[int] = IC_NUMBERS) -> list[Violation]:
    """Run the ICs on a normalised scratch store; the violated ones with example offending nodes."""
    out = []
    for n in numbers:
        q = constraint(n)
        focus = q.meta.get("focus", "")
        for text in _instances(mem, n):
            if not bool(mem.query(text)):
                continue
            examples = []
            for row in mem.query(as_select(text)):
                node = row[focus] if focus else None
                if node is not None:
                    examples.append(_term(node))
            out.append(Violation(n, q.title, q.title_in("en"), list(dict.fromkeys(examples)),
                                 q.meta.get("source", "")))
            break
    return out


def check(triples: Iterable[ox.Triple], numbers: Iterable[int] = IC_NUMBERS) -> list[Violation]:
    """The violated constraints of a cube given as triples (observations + structure + code lists)."""
    return check_store(scratch_store(triples), numbers)


def context_triples(store) -> list[ox.Triple]:
    """What the observations are checked with: the ontology (sg:IndicatorStructure and the component properties)
    and the vocabularies (the code lists)."""
    out: list[ox.Triple] = []
    for g in (ns.G_ONTOLOGY, ns.G_VOCAB):
        if store.has_graph(g):
            out.extend(store.triples(g))
    return out


def check_graphs(store, graphs: list[str]) -> dict[str, list[Violation]]:
    """Each stored indicator graph checked on its own (with ontology and vocabularies): graph -> violations."""
    context = context_triples(store)
    return {g: check(context + list(store.triples(g))) for g in graphs}
