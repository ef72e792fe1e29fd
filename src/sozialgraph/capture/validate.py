"""SHACL validation of a staged submission -> a report whose items name their source (row/column or focus/path).

The shapes in shapes/ are the rules. How they are run (see bench/bench_submit.py for the figures):

- SHACL Core shapes (shapes.ttl, shapes_recommended.ttl) run in pySHACL on the submission's own triples plus
  only the vocabulary/reference triples its values need (their rdf:type, the ontology's rdfs:subClassOf), never on
  the whole store. Large submissions are split by offer (every triple belongs to the offer it describes) and
  validated in two processes; providers shared by offers are given to every part and duplicate results merged.
- SPARQL-based constraints (shapes_sparql.ttl) run once each over the whole submission on Oxigraph, with $this
  unbound, instead of once per focus node; results are kept for the shape's target nodes. shapes_sparql.ttl
  documents the contract that makes this equal to the per-node evaluation; tests cross-check it against pySHACL
  running all shapes the standard way (``engine="pyshacl"``).
"""

from __future__ import annotations

import io
import json
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.labels import curie
from sozialgraph.resources import SHAPES_DIR
from sozialgraph.capture.common import Problem, Staged
from sozialgraph.capture.template import column_for_path
from sozialgraph.sparql.saved import load_query

CORE_FILES = ("shapes.ttl", "shapes_recommended.ttl")
SPARQL_FILES = ("shapes_sparql.ttl",)
SH = ns.PREFIXES["sh"]
SGSH = ns.PREFIXES["sgsh"]
SEVERITIES = ("Violation", "Warning", "Info")
WORD = {"Violation": ("Fehler", "Error"), "Warning": ("Warnung", "Warning"), "Info": ("Hinweis", "Note")}
PARALLEL_MIN_OFFERS = 1500  # below this a second process costs more than it saves


# -- the report -----------------------------------------------------------------------------------------------
@dataclass
class Item(Problem):
    """One line of the report: a Problem of reading/mapping or a SHACL result, with its wording and place."""

    def message(self, lang: str = "de") -> str:
        return self.message_en if lang == "en" else self.message_de

    def where(self, lang: str = "de") -> str:
        if self.row is not None:
            if lang == "en":
                return f"Row {self.row}" + (f", column {self.column}" if self.column else "")
            return f"Zeile {self.row}" + (f", Spalte {self.column}" if self.column else "")
        if self.focus:
            return f"<{self.focus}>" + (f" {curie(self.path)}" if self.path else "")
        return ""

    def text(self, lang: str = "de") -> str:
        where = self.where(lang)
        msg = self.message(lang)
        if self.value and self.row is None and self.value not in msg:
            msg += f" ({'value' if lang == 'en' else 'Wert'}: {curie(self.value)})"
        return f"{where}: {msg}" if where else msg

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    items: list[Item] = field(default_factory=list)
    offers: int = 0

    @property
    def conforms(self) -> bool:
        return not any(i.severity == "Violation" for i in self.items)

    def count(self, severity: str) -> int:
        return sum(1 for i in self.items if i.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("Violation")

    @property
    def warnings(self) -> int:
        return self.count("Warning")

    def summary(self, lang: str = "de") -> str:
        v, w = self.violations, self.warnings
        if lang == "en":
            state = "accepted" if self.conforms else "rejected"
            return (f"{self.offers} offer{'' if self.offers == 1 else 's'}, {v} error{'' if v == 1 else 's'}, "
                    f"{w} warning{'' if w == 1 else 's'}: {state}.")
        state = "angenommen" if self.conforms else "abgelehnt"
        return (f"{self.offers} {'Angebot' if self.offers == 1 else 'Angebote'}, {v} Fehler, "
                f"{w} {'Warnung' if w == 1 else 'Warnungen'}: {state}.")

    def to_text(self, lang: str = "de") -> str:
        lines = [self.summary(lang)]
        for sev in SEVERITIES:
            for i in self.items:
                if i.severity == sev:
                    word = WORD[sev][1 if lang == "en" else 0]
                    lines.append(f"{word}: {i.text(lang)}")
        if not self.conforms:
            lines.append("Nothing was stored. Correct the rows named above (warnings may stay) and submit the whole "
                         "file again." if lang == "en" else
                         "Es wurde nichts gespeichert. Bitte korrigieren Sie die genannten Zeilen (Warnungen dürfen "
                         "bleiben) und reichen Sie die ganze Datei erneut ein.")
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict:
        return {"conforms": self.conforms, "offers": self.offers, "violations": self.violations,
                "warnings": self.warnings, "items": [i.to_dict() for i in self.items]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, d: dict) -> "Report":
        return cls([Item(**i) for i in d.get("items", [])], d.get("offers", 0))

    def to_turtle(self) -> str:
        """The SHACL validation report (sh:ValidationReport) as Turtle; row and column as sgsh:row/sgsh:column."""
        NN, L = ox.NamedNode, ox.Literal
        rdf_type = NN(ns.PREFIXES["rdf"] + "type")
        report = ox.BlankNode()
        triples = [ox.Triple(report, rdf_type, NN(SH + "ValidationReport")),
                   ox.Triple(report, NN(SH + "conforms"),
                             L("true" if self.conforms else "false", datatype=NN(ns.PREFIXES["xsd"] + "boolean")))]
        for i in self.items:
            r = ox.BlankNode()
            triples += [ox.Triple(report, NN(SH + "result"), r),
                        ox.Triple(r, rdf_type, NN(SH + "ValidationResult")),
                        ox.Triple(r, NN(SH + "resultSeverity"), NN(SH + i.severity)),
                        ox.Triple(r, NN(SH + "resultMessage"), L(i.message_de, language="de")),
                        ox.Triple(r, NN(SH + "resultMessage"), L(i.message_en, language="en"))]
            if i.focus:
                triples.append(ox.Triple(r, NN(SH + "focusNode"), _node(i.focus)))
            if i.path:
                triples.append(ox.Triple(r, NN(SH + "resultPath"), NN(i.path)))
            if i.shape:
                triples.append(ox.Triple(r, NN(SH + "sourceShape"), _node(i.shape)))
            if i.value is not None:
                triples.append(ox.Triple(r, NN(SH + "value"), _value(i.value)))
            if i.row is not None:
                triples.append(ox.Triple(r, NN(SGSH + "row"), L(str(i.row), datatype=NN(ns.PREFIXES["xsd"] + "integer"))))
            if i.column:
                triples.append(ox.Triple(r, NN(SGSH + "column"), L(i.column)))
        buf = io.BytesIO()
        ox.serialize(triples, buf, ox.RdfFormat.TURTLE,
                     prefixes={k: ns.PREFIXES[k] for k in ("sh", "sgsh", "sg", "xsd", "rdfs", "dcterms", "schema",
                                                           "geo")})
        return buf.getvalue().decode("utf-8")


def _node(value: str):
    if value.startswith("_:"):
        return ox.BlankNode(value[2:])
    try:
        return ox.NamedNode(value)
    except ValueError:
        return ox.Literal(value)


def _value(value: str):
    if re.match(r"[a-z][a-z0-9+.-]*:", value, re.I) and " " not in value:
        try:
            return ox.NamedNode(value)
        except ValueError:
            pass
    return ox.Literal(value)


# -- shapes -----------------------------------------------------------------------------------------------------
@lru_cache(maxsize=4)
def shapes_graph(files: tuple[str, ...] = CORE_FILES + SPARQL_FILES):
    import rdflib

    g = rdflib.Graph()
    for f in files:
        g.parse(SHAPES_DIR / f, format="turtle")
    return g


@dataclass
class SparqlConstraint:
    shape: str
    target_class: str
    severity: str
    query: str
    message_de: str
    message_en: str


@lru_cache(maxsize=1)
def sparql_constraints() -> tuple[SparqlConstraint, ...]:
    import rdflib
    from rdflib.namespace import SH as RSH

    g = shapes_graph(SPARQL_FILES)
    out = []
    for shape, constraint in g.subject_objects(RSH.sparql):
        prologue = ""
        for prefixes in g.objects(constraint, RSH.prefixes):
            for decl in g.objects(prefixes, RSH.declare):
                prologue += f"PREFIX {g.value(decl, RSH.prefix)}: <{g.value(decl, RSH.namespace)}>\n"
        msgs = {m.language: str(m) for m in g.objects(constraint, RSH.message)} or \
            {m.language: str(m) for m in g.objects(shape, RSH.message)}
        sev = g.value(shape, RSH.severity) or RSH.Violation
        for target in g.objects(shape, RSH.targetClass):
            out.append(SparqlConstraint(str(shape), str(target), str(sev).rsplit("#", 1)[-1],
                                        prologue + str(g.value(constraint, RSH.select)),
                                        msgs.get("de", msgs.get("en", "")), msgs.get("en", msgs.get("de", ""))))
    assert all(isinstance(c.query, str) for c in out) and rdflib
    return tuple(out)


@lru_cache(maxsize=1)
def shape_for_path() -> dict[str, str]:
    """Path -> the (Violation) property shape that checks it, for items found while mapping."""
    import rdflib
    from rdflib.namespace import SH as RSH

    g = shapes_graph(("shapes.ttl",))
    out: dict[str, str] = {}
    for ps, path in g.subject_objects(RSH.path):
        if isinstance(path, rdflib.URIRef):
            out.setdefault(str(path), str(ps))
    return out


# -- support data: what the submission's values need from the store ---------------------------------------------
# Stadtteil centroids and areas for sgsh:CoordinatesInQuarterShape (a Warning: no polygons are in the store by
# default, so a place is compared with the centroid of its Stadtteil, with a generous tolerance)
QUARTER_CENTROIDS = """
PREFIX sg: <https://w3id.org/sozialgraph/ontology#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
SELECT ?s ?p ?o WHERE {
  VALUES ?p { geo:lat geo:long sg:areaKm2 }
  ?s a sg:Quarter ; ?p ?o .
  FILTER (isIRI(?s) && isLiteral(?o))
}"""
_support_cache: dict[tuple[int, int], list[ox.Triple]] = {}
_support_lock = threading.Lock()


def support_triples(store) -> list[ox.Triple]:
    """rdf:type / rdfs:subClassOf / sg:partOf / skos:inScheme triples of ontology, vocabularies and reference data,
    and the Stadtteile's centroids (geo:lat, geo:long) and areas (sg:areaKm2)."""

    key = (id(store), store.generation)
    with _support_lock:
        hit = _support_cache.get(key)
        if hit is None:
            q = load_query("validation-support", internal=True)
            rows = store.query(q.text, default_graph=[ns.G_ONTOLOGY, ns.G_VOCAB, ns.G_REFERENCE])
            hit = [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]
            rows = store.query(QUARTER_CENTROIDS, default_graph=[ns.G_REFERENCE])
            hit += [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]
            _support_cache.clear()
            _support_cache[key] = hit
        return hit


# -- running the shapes -----------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def targeted_core_shapes():
    """The Core shapes with every property shape targeted directly (the node shape's targets copied onto it,
    the sh:property link dropped). Same results (a result's sh:sourceShape is the property shape either way),
    but pySHACL evaluates each property shape once for all focus nodes instead of once per focus node:
    about eight times faster (bench/bench_submit.py)."""
    import rdflib
    from rdflib.namespace import SH as RSH

    from rdflib.collection import Collection

    g = rdflib.Graph()
    for t in shapes_graph(CORE_FILES):
        g.add(t)
    moved: dict = {}  # closed node shape -> paths of the property shapes taken off it
    for node, ps in list(g.subject_objects(RSH.property)):
        targets = list(g.objects(node, RSH.targetClass))
        if not targets or (ps, RSH.targetClass, None) in g:
            continue  # a property shape shared by node shapes with other targets: leave it as it is
        for c in targets:
            g.add((ps, RSH.targetClass, c))
        if (ps, RSH.severity, None) not in g and (node, RSH.severity, None) in g:
            g.add((ps, RSH.severity, g.value(node, RSH.severity)))
        g.remove((node, RSH.property, ps))
        if g.value(node, RSH.closed) is not None and g.value(node, RSH.closed).toPython() is True:
            moved.setdefault(node, []).extend(p for p in g.objects(ps, RSH.path) if isinstance(p, rdflib.URIRef))
    # sh:closed allows the paths of the node shape's sh:property values: the moved ones become ignored properties,
    # so the closed shape allows exactly what it allows in the shapes as written (the pySHACL cross-check)
    for node, paths in moved.items():
        ignored = []
        for lst in list(g.objects(node, RSH.ignoredProperties)):
            ignored += list(Collection(g, lst))
            Collection(g, lst).clear()
            g.remove((node, RSH.ignoredProperties, lst))
        head = rdflib.BNode()
        Collection(g, head, list(dict.fromkeys(ignored + paths)))
        g.add((node, RSH.ignoredProperties, head))
    return g


def rdflib_graph(nt: bytes):
    """An rdflib Graph from N-Triples, parsed by pyoxigraph (rdflib's own N-Triples parser took about 60 µs per
    line, most of a 10,000-offer validation). Terms come out exactly as rdflib's parser makes them: simple
    literals without datatype, language-tagged literals with their tag."""
    import rdflib

    xsd_string = ns.PREFIXES["xsd"] + "string"
    lang_string = ns.PREFIXES["rdf"] + "langString"
    iris: dict[str, rdflib.URIRef] = {}
    bnodes: dict[str, rdflib.BNode] = {}

    def term(t):
        if isinstance(t, ox.NamedNode):
            r = iris.get(t.value)
            if r is None:
                r = iris[t.value] = rdflib.URIRef(t.value)
            return r
        if isinstance(t, ox.BlankNode):
            r = bnodes.get(t.value)
            if r is None:
                r = bnodes[t.value] = rdflib.BNode(t.value)
            return r
        if t.language:
            return rdflib.Literal(t.value, lang=t.language)
        dtype = t.datatype.value
        if dtype in (xsd_string, lang_string):
            return rdflib.Literal(t.value)
        return rdflib.Literal(t.value, datatype=term(t.datatype))

    g = rdflib.Graph()
    g.addN((term(q.subject), term(q.predicate), term(q.object), g)
           for q in ox.parse(nt, ox.RdfFormat.N_TRIPLES))
    return g


def _core_results(nt: bytes) -> list[tuple]:
    """pySHACL with the Core shapes on one N-Triples document; results as plain tuples (picklable)."""
    import gc

    import rdflib
    from pyshacl import validate

    enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects that live until the end: collection only costs time
    try:
        data = rdflib_graph(nt)
        _conforms, results, _text = validate(data, shacl_graph=targeted_core_shapes(), inference="none",
                                             advanced=False, allow_warnings=True, allow_infos=True,
                                             meta_shacl=False, js=False, abort_on_first=False)
        return results_of(results)
    finally:
        if enabled:
            gc.enable()


def results_of(results) -> list[tuple]:
    from rdflib import RDF, URIRef
    from rdflib.namespace import SH as RSH

    out = []
    for r in results.subjects(RDF.type, RSH.ValidationResult):
        msgs = {m.language: str(m) for m in results.objects(r, RSH.resultMessage)}
        path = results.value(r, RSH.resultPath)
        value = results.value(r, RSH.value)
        out.append((
            str(results.value(r, RSH.resultSeverity)).rsplit("#", 1)[-1],
            msgs.get("de") or msgs.get(None) or msgs.get("en", ""),
            msgs.get("en") or msgs.get(None) or msgs.get("de", ""),
            str(results.value(r, RSH.focusNode)),
            str(path) if isinstance(path, URIRef) else None,
            str(results.value(r, RSH.sourceShape)),
            None if value is None else str(value),
        ))
    return out


def _nt(triples) -> bytes:
    buf = io.BytesIO()
    ox.serialize(triples, buf, ox.RdfFormat.N_TRIPLES)
    return buf.getvalue()


_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool
    import multiprocessing

    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))
        return _pool


def _reset_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def _chunks(staged: Staged, support: list[ox.Triple], parts: int) -> list[list[ox.Triple]]:
    """Split the submission by offer into ``parts`` groups; triples of no offer (providers) go to every group."""
    index = {o: i * parts // max(1, len(staged.offers)) for i, o in enumerate(staged.offers)}
    groups: list[list[ox.Triple]] = [list(support) for _ in range(parts)]
    for t in staged.triples:
        owner = staged.owner.get(t.subject.value if isinstance(t.subject, ox.NamedNode) else str(t.subject))
        if owner is None or owner not in index:
            for g in groups:
                g.append(t)
        else:
            groups[index[owner]].append(t)
    return groups


def run_core(staged: Staged, support: list[ox.Triple], workers: int = 2) -> list[tuple]:
    used = {t.object for t in staged.triples if isinstance(t.object, ox.NamedNode)}
    needed = [t for t in support if t.subject in used or t.predicate.value.endswith("#subClassOf")]
    parts = workers if workers > 1 and len(staged.offers) >= PARALLEL_MIN_OFFERS else 1
    if parts == 1:
        return _core_results(_nt(staged.triples + needed))
    groups = [_nt(g) for g in _chunks(staged, needed, parts)]
    try:
        pool = _get_pool(parts - 1)
        futures = [pool.submit(_core_results, g) for g in groups[1:]]
        results = _core_results(groups[0])
        for f in futures:
            results += f.result()
    except BrokenProcessPool:  # a worker could not start (e.g. a __main__ without guard): do it here
        _reset_pool()
        results = _core_results(_nt(staged.triples + needed))
    return list(dict.fromkeys(results))


def run_sparql(staged: Staged, support: list[ox.Triple]) -> list[tuple]:
    mem = ox.Store()
    mem.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in staged.triples)
    mem.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in support)
    rdf_type = ox.NamedNode(ns.PREFIXES["rdf"] + "type")
    out = []
    for c in sparql_constraints():
        targets = {q.subject for q in mem.quads_for_pattern(None, rdf_type, ox.NamedNode(c.target_class))}
        for sol in mem.query(c.query):
            this = sol["this"]
            if this is None or this not in targets:
                continue
            value, path = sol["value"] if "value" in _vars(c) else None, sol["path"] if "path" in _vars(c) else None
            value = value if value is not None else this  # SHACL 5.3.2: no ?value -> sh:value is $this
            out.append((c.severity, _fill(c.message_de, sol, c), _fill(c.message_en, sol, c), this.value,
                        path.value if path is not None else None, c.shape, value.value))
    return list(dict.fromkeys(out))


@lru_cache(maxsize=64)
def _vars_of(query: str) -> frozenset:
    return frozenset(re.findall(r"[?$](\w+)", query))


def _vars(c: SparqlConstraint) -> frozenset:
    return _vars_of(c.query)


def _fill(template: str, sol, c: SparqlConstraint) -> str:
    def sub(m):
        name = m.group(1)
        if name not in _vars(c):
            return m.group(0)
        t = sol[name]
        return t.value if t is not None else ""
    return re.sub(r"\{[?$](\w+)\}", sub, template)


def validate_staged(staged: Staged, store, *, engine: str = "fast", workers: int = 2) -> Report:
    """Validate a staged submission against shapes/ with the vocabularies and reference data of ``store``."""
    items = [problem_item(p) for p in staged.problems]
    report = Report(items, offers=len(staged.offers))
    if not staged.triples:
        return report
    support = support_triples(store)
    if engine == "pyshacl":
        results = pyshacl_all(staged, support)
    else:
        results = run_core(staged, support, workers) + run_sparql(staged, support)
    taken = {(i.row, i.column) for i in items if i.row is not None} | {(i.focus, i.path) for i in items}
    shacl_items = []
    for sev, de, en, focus, path, shape, value in results:
        row = staged.rows.get(focus)
        column = column_for_path(path) if row is not None else None
        if (row is not None and (row, column) in taken) or (focus, path) in taken:
            continue
        shacl_items.append(Item(sev, de, en, row, column, focus, path, shape, value))
    shacl_items.sort(key=lambda i: (i.row or 0, i.focus or "", i.path or "", i.shape or ""))
    report.items.extend(shacl_items)
    report.items.sort(key=lambda i: (i.row if i.row is not None else 10**9, SEVERITIES.index(i.severity)))
    return report


def pyshacl_all(staged: Staged, support: list[ox.Triple]) -> list[tuple]:
    """Reference evaluation: every shape (Core and SPARQL) in pySHACL, standard per-focus-node semantics."""
    import rdflib
    from pyshacl import validate

    data = rdflib.Graph()
    data.parse(data=_nt(staged.triples + support), format="nt")
    _c, results, _t = validate(data, shacl_graph=shapes_graph(), inference="none", advanced=False,
                               allow_warnings=True, meta_shacl=False, abort_on_first=False)
    return list(dict.fromkeys(results_of(results)))


def problem_item(p: Problem) -> Item:
    shape = p.shape or (shape_for_path().get(p.path) if p.path else None)
    return Item(p.severity, p.message_de, p.message_en, p.row, p.column, p.focus, p.path, shape, p.value)
