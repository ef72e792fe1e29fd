"""Steering submissions: goals, needs, measures and evaluations through the path of offer submissions.

read (template CSV/XLSX or Turtle/JSON-LD/N-Triples) -> RDF with the row of every subject -> checks that need the
store, the date or the submitter -> SHACL (shapes/shapes_steering.ttl) -> only without Violation: a new version,
written atomically with provenance.

Who: goals and needs only the Stabsstelle Sozialplanung ("sp"); measures and evaluations every office, for its own
measures (the measure's sg:implementedBy offices must include the submitting office).

Graphs: one graph per office and kind, ``ns.steering_graph(f"{code}/{art}")`` (…/graph/steering/sp/ziele,
…/graph/steering/50/massnahmen): a submission of one kind replaces exactly that graph, so goals and needs stay
when measures are submitted, and a rollback restores one graph. Versions: …/graph/private/version/steuerung-
{code}/{n}/public, one number sequence per office over all kinds (each version holds one kind); provenance: a
prov:Activity …/id/einreichung/steuerung-{code}/{n} in …/graph/provenance with dcterms:type = the kind (not an
sg:Submission, so the offer history of an office never counts it), user and report in the private provenance.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.capture import rdf as capture_rdf
from sozialgraph.capture.common import IngestError, Problem, Staged, detect_format
from sozialgraph.capture.mapping import parse_count, parse_date, parse_decimal
from sozialgraph.capture.submissions import (SubmissionResult, VersionNotFound, _lit, _private_provenance,
                                             resolve_office)
from sozialgraph.capture.validate import (Item, Report, _nt, problem_item, rdflib_graph, results_of,
                                          shapes_graph, support_triples)
from sozialgraph.errors import SozialgraphError, UnknownValue
from sozialgraph.labels import curie
from sozialgraph.sparql.saved import load_query
from sozialgraph.steering.template import Kind, get_kind, kind_name, read_table
from sozialgraph.store.base import Change, nt_bytes

P = ns.PREFIXES
SG = P["sg"]
NN = ox.NamedNode
RDF_TYPE = NN(P["rdf"] + "type")
SP = "sp"  # the Stabsstelle Sozialplanung: the one office that submits goals and needs
SHAPES_FILE = "shapes_steering.ttl"
CLASS = {"ziele": None, "bedarfe": SG + "Need", "massnahmen": SG + "Measure", "evaluationen": SG + "Evaluation"}
GOAL_CLASSES = {SG + "Goal", SG + "StrategicGoal", SG + "OperationalGoal"}
# classes that are targets of the steering shapes: a referenced thing's type stays out of the data SHACL sees
TARGET_CLASSES = GOAL_CLASSES | {SG + "Need", SG + "Measure", SG + "Evaluation"}
ZIELART = {"strategisch": SG + "StrategicGoal", "strategic": SG + "StrategicGoal", "operativ": SG + "OperationalGoal",
           "operational": SG + "OperationalGoal"}
RICHTUNG = {"senken": SG + "Decrease", "sinken": SG + "Decrease", "decrease": SG + "Decrease",
            "erhoehen": SG + "Increase", "steigern": SG + "Increase", "increase": SG + "Increase"}
# column -> how its text becomes a term (columns with a vocabulary kind are resolved instead)
VALUE = {"bezeichnung": "text_de", "beschreibung": "text_de", "begruendung": "text_de", "ressourcen": "text",
         "bewertung": "text", "autor": "text", "ausgangswert": "decimal", "zielwert": "decimal", "budget": "decimal",
         "ausgangsjahr": "year", "zieljahr": "year", "benoetigte_plaetze": "integer", "erreichte_personen": "integer",
         "geschaffene_plaetze": "integer", "eroeffnete_angebote": "integer", "entschieden_am": "date",
         "beginn": "date", "ende": "date", "datum": "date", "belege": "iri"}
# reference columns: kind -> (IRI segment, class it must have, default office of a bare identifier: None = own)
REFS = {"bedarf": ("bedarf", SG + "Need", SP), "angebot": ("angebot", SG + "Offer", None),
        "massnahme": ("massnahme", SG + "Measure", None)}
REF_PREDICATES = {SG + "subGoalOf": ("ziel", GOAL_CLASSES), SG + "pursuesGoal": ("ziel", GOAL_CLASSES),
                  SG + "evaluatedGoal": ("ziel", GOAL_CLASSES), SG + "addressesNeed": ("bedarf", {SG + "Need"}),
                  SG + "includesOffer": ("angebot", {SG + "Offer"}), SG + "measuredBy": ("indikator",
                                                                                      {SG + "Indicator"})}


class SteeringRefused(SozialgraphError, PermissionError):
    """A submission this office may not make at all (goals or needs from another office than 'sp')."""

    status = 403


class SteeringReport(Report):
    """capture's report, counting objects instead of offers."""

    def summary(self, lang: str = "de") -> str:
        v, w = self.violations, self.warnings
        if lang == "en":
            return (f"{self.offers} object{'s' if self.offers != 1 else ''}, {v} error{'s' if v != 1 else ''}, "
                    f"{w} warning{'s' if w != 1 else ''}: {'accepted' if self.conforms else 'rejected'}.")
        return (f"{self.offers} {'Objekt' if self.offers == 1 else 'Objekte'}, {v} Fehler, "
                f"{w} {'Warnung' if w == 1 else 'Warnungen'}: {'angenommen' if self.conforms else 'abgelehnt'}.")


@dataclass
class SteeringResult(SubmissionResult):
    art: str = ""

    @property
    def id(self) -> str | None:
        return f"steuerung-{self.office}-{self.version}" if self.version is not None else None

    def to_dict(self) -> dict:
        d = super().to_dict()
        d["art"] = self.art
        d["objects"] = d.pop("offers")
        return d


def steering_graph(code: str, art: str) -> str:
    return ns.steering_graph(f"{code}/{art}")


def version_key(code: str) -> str:
    return f"steuerung-{code}"


def subject_iri(kind: Kind, code: str, kennung: str) -> str:
    if kind.name == "ziele":
        return f"{ns.ID}ziel/{ns.slug(kennung)}"
    segment = {"bedarfe": "bedarf", "massnahmen": "massnahme", "evaluationen": "evaluation"}[kind.name]
    return f"{ns.ID}{segment}/{code}/{ns.slug(kennung)}"


def unknown_message(kind: str, value: str, suggestions: list[str]) -> tuple[str, str]:
    de = f"'{value}' ist als {kind_name(kind)} nicht bekannt."
    en = f"'{value}' is not a known {kind_name(kind, 'en')}."
    if suggestions:
        de += " Meinten Sie " + " oder ".join(f"'{s}'" for s in suggestions) + "?"
        en += " Did you mean " + " or ".join(f"'{s}'" for s in suggestions) + "?"
    return de, en


# -- lookups in the store -----------------------------------------------------------------------------------------
def indicators(store) -> dict[str, tuple[str, str]]:
    """Indicator IRI -> (code, German label), from the public graphs."""
    out: dict[str, tuple[str, str]] = {}
    for r in store.select(load_query("steering-indicators", internal=True).text, public_only=True):
        label = r.get("label")
        prev = out.get(r["indicator"].value)
        if prev is None or (label is not None and label.language == "de"):
            out[r["indicator"].value] = (r["code"].value, label.value if label is not None else r["code"].value)
    return out


def types_of(store, iris: set[str]) -> dict[str, set[str]]:
    if not iris:
        return {}
    q = load_query("steering-types", internal=True)
    out: dict[str, set[str]] = {}
    for r in store.select(q.render({"s": [NN(i) for i in sorted(iris)]}), public_only=True):
        out.setdefault(r["s"].value, set()).add(r["type"].value)
    return out


def implementers(store, measures: set[str]) -> dict[str, set[str]]:
    if not measures:
        return {}
    q = load_query("steering-implementers", internal=True)
    out: dict[str, set[str]] = {}
    for r in store.select(q.render({"measure": [NN(m) for m in sorted(measures)]}), public_only=True):
        out.setdefault(r["measure"].value, set()).add(r["office"].value)
    return out


# -- template rows -> RDF -----------------------------------------------------------------------------------------
class _Mapper:
    def __init__(self, ctx, kind: Kind, office_iri: str, code: str, example_data: bool):
        self.ctx, self.kind, self.office_iri, self.code = ctx, kind, office_iri, code
        self.resolver = ctx.resolver()
        self.example_data = example_data
        self.staged = Staged(fmt="csv")
        self.kennungen: dict[str, int] = {}
        self._indicators: dict[str, str] | None = None
        self.own_goals: dict[str, str] = {}  # goals of this very file (a new strategic goal and its sub-goals)

    def problem(self, row: int, column: str, de: str, en: str, focus: str | None, value: str | None = None):
        col = self.kind.by_name.get(column)
        self.staged.problems.append(Problem("Violation", de, en, row=row, column=column, focus=focus,
                                            path=col.path if col else None, value=value))

    def indicator_index(self) -> dict[str, str]:
        if self._indicators is None:
            self._indicators = {}
            for iri, (code, label) in indicators(self.ctx.store).items():
                for key in (iri, code, label):
                    self._indicators.setdefault(ns.fold(key), iri)
        return self._indicators

    def resolve(self, kind: str, value: str) -> str:
        """One cell value of a vocabulary/reference kind -> IRI; UnknownValue-like ValueError(de, en) otherwise."""
        v = value.strip()
        if kind == "gebiet":
            f = ns.fold(v)
            for prefix, k in (("stadtbezirk ", "stadtbezirk"), ("bezirk ", "stadtbezirk"),
                              ("sozialraum ", "sozialraum"), ("stadtteil ", "stadtteil")):
                if f.startswith(prefix):
                    return self.resolver.resolve(k, v[len(prefix):])
            suggestions: list[str] = []
            for k in ("stadtteil", "stadtbezirk", "sozialraum", "stadt"):
                try:
                    return self.resolver.resolve(k, v)
                except UnknownValue as exc:
                    suggestions += exc.suggestions
            raise UnknownValue("gebiet", v, suggestions[:3])
        if kind == "indikator":
            hit = self.indicator_index().get(ns.fold(v))
            if hit:
                return hit
            close = difflib.get_close_matches(ns.fold(v), list(self.indicator_index()), n=3, cutoff=0.6)
            raise UnknownValue("indikator", v, [c for c in close if not c.startswith("http")][:3])
        if kind in ("zielart", "richtung"):
            table = ZIELART if kind == "zielart" else RICHTUNG
            hit = table.get(ns.fold(v))
            if hit:
                return hit
            raise UnknownValue(kind, v, [])
        if kind == "ziel" and ns.fold(v) in self.own_goals:
            return self.own_goals[ns.fold(v)]
        if kind in REFS:
            segment, _cls, default = REFS[kind]
            if re.match(r"https?://", v):
                return v
            owner, _, kennung = v.rpartition("/")
            owner = ns.fold(owner) if owner else (default or self.code)
            return f"{ns.ID}{segment}/{ns.slug(owner)}/{ns.slug(kennung)}"
        return self.resolver.resolve(kind, v)

    def values(self, row: int, column: str, raw: str, focus: str) -> list[ox.NamedNode | ox.Literal]:
        col = self.kind.by_name[column]
        parts = [p.strip() for p in raw.split(";")] if col.multi else [raw.strip()]
        if not col.multi and col.kind and ";" in raw:
            self.problem(row, column, f"Nur ein Wert erlaubt, nicht '{raw}'.", f"Only one value allowed, not '{raw}'.",
                         focus, raw)
            return []
        out: list[ox.NamedNode | ox.Literal] = []
        for part in (p for p in parts if p):
            try:
                out.append(self.term(column, col.kind, part))
            except UnknownValue as exc:
                de, en = unknown_message(exc.kind, exc.value, exc.suggestions)
                self.problem(row, column, de, en, focus, part)
            except ValueError as exc:
                de, en = exc.args if len(exc.args) == 2 else (str(exc), str(exc))
                self.problem(row, column, de, en, focus, part)
        return out

    def term(self, column: str, kind: str | None, text: str) -> ox.NamedNode | ox.Literal:
        if kind:
            return NN(self.resolve(kind, text))
        how = VALUE.get(column, "text")
        xsd = P["xsd"]
        try:
            if how == "text_de":
                return ox.Literal(text, language="de")
            if how == "decimal":
                return ox.Literal(parse_decimal(text), datatype=NN(xsd + "decimal"))
            if how == "integer":
                return ox.Literal(str(parse_count(text)), datatype=NN(xsd + "integer"))
            if how == "year":
                if not re.fullmatch(r"(19|20)\d\d", text):
                    raise ValueError(text)
                return ox.Literal(text, datatype=NN(xsd + "gYear"))
            if how == "date":
                return ox.Literal(parse_date(text).isoformat(), datatype=NN(xsd + "date"))
            if how == "iri":
                return NN(text)
        except ValueError:
            word = {"decimal": ("keine Zahl (z. B. 12,5)", "not a number (e.g. 12.5)"),
                    "integer": ("keine ganze Zahl ≥ 0", "not a whole number ≥ 0"),
                    "year": ("kein Jahr (vierstellig, z. B. 2030)", "not a year (four digits, e.g. 2030)"),
                    "date": ("kein gültiges Datum (2026-01-31 oder 31.01.2026)",
                             "not a valid date (2026-01-31 or 31.01.2026)"),
                    "iri": ("keine gültige IRI", "not a valid IRI")}[how]
            raise ValueError(f"'{text}' ist {word[0]}.", f"'{text}' is {word[1]}.") from None
        return ox.Literal(text)

    def map_row(self, row: int, v: dict[str, str]) -> None:
        st = self.staged
        kennung = v.get("kennung", "")
        if not kennung:
            self.problem(row, "kennung", "Die Kennung fehlt; jede Zeile braucht eine eigene Kennung.",
                         "The identifier (kennung) is missing; every row needs one.", None)
            return
        s = subject_iri(self.kind, self.code, kennung)
        if s in self.kennungen:
            self.problem(row, "kennung", f"Die Kennung '{kennung}' ist doppelt: Zeile {self.kennungen[s]} hat dieselbe.",
                         f"The identifier '{kennung}' is a duplicate of row {self.kennungen[s]}.", s, kennung)
            return
        self.kennungen[s] = row
        st.offers.append(s)
        st.rows[s] = row
        subj = NN(s)
        cls = CLASS[self.kind.name]
        if cls:
            st.public.append(ox.Triple(subj, RDF_TYPE, NN(cls)))
        ident = P["skos"] + "notation" if self.kind.name == "ziele" else P["dcterms"] + "identifier"
        st.public.append(ox.Triple(subj, NN(ident), ox.Literal(kennung)))
        defaults = {"aemter": self.office_iri, "entschieden_von": self.office_iri}
        for col in self.kind.columns:
            if col.name == "kennung":
                continue
            raw = v.get(col.name, "")
            if not raw:
                if col.name in defaults and (col.name != "entschieden_von" or v.get("entschieden_am")):
                    st.public.append(ox.Triple(subj, NN(col.path), NN(defaults[col.name])))
                continue
            for value in self.values(row, col.name, raw, s):
                if col.name == "massnahme":  # the link goes from the measure to its evaluation
                    st.public.append(ox.Triple(value, NN(col.path), subj))
                else:
                    st.public.append(ox.Triple(subj, NN(col.path), value))
        if self.example_data:
            st.public.append(ox.Triple(subj, NN(SG + "exampleData"), ox.Literal("true", datatype=NN(P["xsd"] + "boolean"))))


# -- RDF submissions ----------------------------------------------------------------------------------------------
def read_rdf(data: bytes, fmt: str, kind: Kind, code: str) -> Staged:
    """An RDF steering submission: every subject is one of the office's objects of this kind (for evaluations
    also the evaluated measure, stating only sg:evaluation)."""
    triples = capture_rdf.parse(data, fmt)
    if not triples:
        raise IngestError("Die Datei enthält keine Aussagen.", "The file contains no statements.")
    staged = Staged(fmt=fmt, public=triples)
    prefix = subject_iri(kind, code, "x")[:-1]
    wanted = {NN(c) for c in ([CLASS[kind.name]] if CLASS[kind.name] else GOAL_CLASSES)}
    for t in triples:
        if t.predicate == RDF_TYPE and t.object in wanted and isinstance(t.subject, NN):
            if t.subject.value not in staged.offers:
                staged.offers.append(t.subject.value)
    if not staged.offers:
        raise IngestError(f"Die Datei enthält keine Objekte der Art '{kind.name}'.",
                          f"The file contains no objects of the kind '{kind.name}'.")
    for s in dict.fromkeys(t.subject for t in triples):
        iri = s.value if isinstance(s, NN) else None
        ok = iri is not None and iri.startswith(prefix) and iri[len(prefix):] and "/" not in iri[len(prefix):] \
            and iri in staged.offers
        if not ok and kind.name == "evaluationen" and iri is not None:
            ok = all(t.predicate.value == SG + "evaluation" for t in triples if t.subject == s)
        if not ok:
            staged.problems.append(Problem(
                "Violation", f"Eine Einreichung der Art '{kind.name}' darf nur Objekte unter {prefix}… beschreiben, "
                f"jedes mit seiner Klasse; diese Ressource gehört nicht dazu.",
                f"A submission of the kind '{kind.name}' may describe only objects below {prefix}…, each with its "
                f"class; this resource is not one of them.", focus=str(s) if iri is None else iri))
    return staged


# -- checks that need the store, the date or the submitter --------------------------------------------------------
def check_rules(ctx, staged: Staged, kind: Kind, office_iri: str, today: dt.date) -> list[Problem]:
    out: list[Problem] = []

    def bad(focus: str, path: str, de: str, en: str, value: str | None = None):
        row = staged.rows.get(focus)
        out.append(Problem("Violation", de, en, row=row, column=kind.column_for_path(path) if row else None,
                           focus=focus, path=path, value=value))

    by_s: dict[str, list[ox.Triple]] = {}
    for t in staged.public:
        if isinstance(t.subject, NN):
            by_s.setdefault(t.subject.value, []).append(t)
    # references must name things that exist (in the store or in this submission)
    refs = {t.object.value for t in staged.public if t.predicate.value in REF_PREDICATES and isinstance(t.object, NN)}
    evaluated = {t.subject.value for t in staged.public if t.predicate.value == SG + "evaluation"}
    known = types_of(ctx.store, refs | evaluated)
    for t in staged.public:
        if t.predicate == RDF_TYPE and isinstance(t.subject, NN):
            known.setdefault(t.subject.value, set()).add(t.object.value)
    for t in staged.public:
        p = t.predicate.value
        if p in REF_PREDICATES and isinstance(t.object, NN):
            what, classes = REF_PREDICATES[p]
            if not known.get(t.object.value, set()) & classes:
                de, en = unknown_message(what, curie(t.object.value), [])
                bad(t.subject.value, p, de, en, t.object.value)
    # an evaluation evaluates a measure the office implements
    impl = implementers(ctx.store, evaluated)
    for t in staged.public:
        if t.predicate.value == SG + "evaluation":
            m = t.subject.value
            focus = t.object.value
            if SG + "Measure" not in known.get(m, set()):
                de, en = unknown_message("massnahme", curie(m), [])
                bad(focus, SG + "evaluation", de, en, m)
            elif office_iri not in impl.get(m, set()):
                bad(focus, SG + "evaluation", "Diese Maßnahme setzt das einreichende Amt nicht um; ein Amt bewertet nur "
                    "Maßnahmen, an denen es beteiligt ist (sg:implementedBy).",
                    "The submitting office does not implement this measure; an office evaluates only measures it "
                    "takes part in (sg:implementedBy).", m)
    for s, ts in by_s.items():
        types = {t.object.value for t in ts if t.predicate == RDF_TYPE}
        if types & GOAL_CLASSES:
            years = {t.predicate.value: t.object.value for t in ts if t.predicate.value in (SG + "targetYear",
                                                                                         SG + "baselineYear")}
            target = years.get(SG + "targetYear")
            if target and target.isdigit() and int(target) < today.year:
                bad(s, SG + "targetYear", f"Das Zieljahr {target} liegt in der Vergangenheit; ein Zieljahr ist "
                    f"{today.year} oder später.", f"The target year {target} is in the past; a target year is "
                    f"{today.year} or later.", target)
            base = years.get(SG + "baselineYear")
            if base and target and base.isdigit() and target.isdigit() and int(base) >= int(target):
                bad(s, SG + "baselineYear", f"Das Ausgangsjahr {base} liegt nicht vor dem Zieljahr {target}.",
                    f"The baseline year {base} is not before the target year {target}.", base)
            has = {t.predicate.value for t in ts}
            if SG + "targetValue" in has:
                for need, col_de, col_en in ((SG + "measuredBy", "Indikator", "indicator"),
                                             (SG + "targetYear", "Zieljahr", "target year"),
                                             (SG + "goalDirection", "Zielrichtung", "direction")):
                    if need not in has and not any(p.focus == s and p.path == need for p in staged.problems):
                        bad(s, need, f"Ein Zielwert braucht auch {col_de}.", f"A target value also needs the {col_en}.")
        if SG + "Measure" in types:
            offices = {t.object.value for t in ts if t.predicate.value == SG + "implementedBy"}
            if offices and office_iri not in offices:
                bad(s, SG + "implementedBy", "Das einreichende Amt ist nicht unter den umsetzenden Ämtern; ein Amt "
                    "reicht nur Maßnahmen ein, die es selbst (mit) umsetzt. Bitte das eigene Amt in 'aemter' "
                    "aufnehmen oder die Maßnahme vom zuständigen Amt einreichen lassen.",
                    "The submitting office is not among the implementing offices; an office submits only measures it "
                    "implements itself (alone or with others). Add your office to 'aemter' or let the responsible "
                    "office submit the measure.")
    return out


# -- SHACL --------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def steering_shapes():
    return shapes_graph((SHAPES_FILE,))


def validate(ctx, staged: Staged, kind: Kind, office_iri: str, today: dt.date) -> Report:
    from pyshacl import validate as shacl  # noqa: PLC0415  (heavy third-party import, as in capture/validate.py)

    problems = list(staged.problems)
    if staged.public:
        problems += check_rules(ctx, staged, kind, office_iri, today)
    items = [problem_item(p) for p in problems]
    report = SteeringReport(items, offers=len(staged.offers))
    if not staged.public:
        return report
    used = {t.object for t in staged.public if isinstance(t.object, NN)}
    staged_subjects = {t.subject for t in staged.public}
    needed = [t for t in support_triples(ctx.store)
              if (t.subject in used and not (t.predicate == RDF_TYPE and t.object.value in TARGET_CLASSES
                                             and t.subject not in staged_subjects))
              or t.predicate.value.endswith("#subClassOf")]
    offers = {t.object.value for t in staged.public if t.predicate.value == SG + "includesOffer"}
    for s, types in types_of(ctx.store, offers).items():
        needed += [ox.Triple(NN(s), RDF_TYPE, NN(c)) for c in types if c == SG + "Offer"]
    data = rdflib_graph(_nt(staged.public + needed))
    _c, results, _t = shacl(data, shacl_graph=steering_shapes(), inference="none", advanced=False,
                            allow_warnings=True, meta_shacl=False, abort_on_first=False)
    taken = {(i.row, i.column) for i in items if i.row is not None} | {(i.focus, i.path) for i in items}
    for sev, de, en, focus, path, shape, value in results_of(results):
        row = staged.rows.get(focus)
        column = kind.column_for_path(path) if row is not None else None
        if (row is not None and (row, column) in taken) or (focus, path) in taken:
            continue
        report.items.append(Item(sev, de, en, row, column, focus, path, shape, value))
    report.items.sort(key=lambda i: (i.row if i.row is not None else 10**9, i.column or "", i.severity))
    return report


# -- submitting ---------------------------------------------------------------------------------------------------
def read(ctx, data: bytes, filename: str, content_type: str | None, kind: Kind, office_iri: str, code: str,
         example_data: bool = False) -> Staged:
    fmt = detect_format(filename, content_type, data)
    try:
        if not data.strip(b" \t\r\n\xef\xbb\xbf"):
            raise IngestError("Die Datei ist leer.", "The file is empty.")
        if fmt in ("csv", "xlsx"):
            table = read_table(data, fmt, kind)
            m = _Mapper(ctx, kind, office_iri, code, example_data)
            if kind.name == "ziele":
                m.own_goals = {ns.fold(v["kennung"]): subject_iri(kind, code, v["kennung"])
                               for _row, v in table.rows if v.get("kennung")}
            for row, values in table.rows:
                m.map_row(row, values)
            m.staged.problems[:0] = table.problems
            m.staged.fmt = fmt
            return m.staged
        return read_rdf(data, fmt, kind, code)
    except IngestError as exc:
        return Staged(fmt=fmt, problems=[Problem("Violation", exc.de, exc.en, row=exc.row, column=exc.column)])


def submit_file(ctx, data: bytes, filename: str, art: str, office: str, user: str | None = None,
                content_type: str | None = None, dry_run: bool = False, example_data: bool = False,
                today: dt.date | None = None) -> SteeringResult:
    """Validate a steering file and, without Violation (and not ``dry_run``), make it the office's current objects
    of that kind as a new version. Raises UnknownValue (office), UnsupportedFormat, SteeringRefused (403)."""
    kind = get_kind(art)
    office_iri, code = resolve_office(ctx, office)
    if kind.sp_only and code != SP:
        raise SteeringRefused(
            f"{kind.label_de} reicht nur die Stabsstelle Sozialplanung (Amt 'sp') ein, nicht Amt {code}.",
            f"Only the Stabsstelle Sozialplanung (office 'sp') submits {kind.label_en}, not office {code}.")
    today = today or dt.date.today()
    sha = hashlib.sha256(data).hexdigest()
    started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    staged = read(ctx, data, filename, content_type, kind, office_iri, code, example_data)
    report = validate(ctx, staged, kind, office_iri, today)
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    result = SteeringResult(report.conforms, None, report, len(staged.offers), code, sha, dry_run, name, art=kind.name)
    if not report.conforms or dry_run:
        return result
    store = ctx.store
    with store.writing(float(ctx.settings.get("submit_wait", 120))):
        n = max((v["version"] for v in versions(store, office_iri)), default=0) + 1
        sub = NN(f"{ns.ID}einreichung/{version_key(code)}/{n}")
        nt = nt_bytes(staged.public)
        store.write_new_graph(ns.version_graph(version_key(code), n, "public"), nt)
        store.apply(Change(replace={steering_graph(code, kind.name): nt},
                           insert={ns.G_PROVENANCE: _provenance(sub, office_iri, n, started, kind.name, name, sha,
                                                                report.warnings),
                                   ns.G_PRIVATE_PROVENANCE: _private_provenance(sub, user, report)}))
    result.version = n
    return result


def _provenance(sub, office_iri, n, started, art, file_name, sha, warnings, used: str | None = None):
    t = lambda p, o: ox.Triple(sub, NN(p), o)  # noqa: E731
    ended = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    stamp = lambda d: _lit(d.isoformat().replace("+00:00", "Z"), "dateTime")  # noqa: E731
    out = [t(P["rdf"] + "type", NN(P["prov"] + "Activity")), t(SG + "versionNumber", _lit(n, "integer")),
           t(P["prov"] + "wasAssociatedWith", NN(office_iri)), t(P["dcterms"] + "type", _lit(art)),
           t(P["prov"] + "startedAtTime", stamp(started)), t(P["prov"] + "endedAtTime", stamp(ended)),
           t(SG + "fileName", _lit(file_name)), t(SG + "sha256", _lit(sha)),
           t(SG + "warningCount", _lit(warnings, "integer"))]
    if used:
        out.append(t(P["prov"] + "used", NN(used)))
    return out


# -- versions: history, diff, rollback ----------------------------------------------------------------------------
def versions(store, office_iri: str) -> list[dict]:
    q = load_query("steering-versions", internal=True)
    out = []
    for r in store.select(q.render({"office": NN(office_iri)})):
        d = {k: v.value for k, v in r.items()}
        d["version"] = int(d["version"])
        if "warnings" in d:
            d["warnings"] = int(d["warnings"])
        out.append(d)
    return out


def history(ctx, office: str) -> list[dict]:
    """Every accepted steering version of an office, oldest first; 'current' marks the one in effect per kind."""
    office_iri, code = resolve_office(ctx, office)
    vs = versions(ctx.store, office_iri)
    latest = {}
    for v in vs:
        latest[v["art"]] = v["version"]
    for v in vs:
        v["current"] = latest[v["art"]] == v["version"]
        v["id"] = f"{version_key(code)}-{v['version']}"
        v.pop("report", None)
    return vs


def _version(ctx, office: str, n: int) -> tuple[str, str, dict]:
    office_iri, code = resolve_office(ctx, office)
    for v in versions(ctx.store, office_iri):
        if v["version"] == n:
            return office_iri, code, v
    raise VersionNotFound(code, n)


def _objects(store, code: str, n: int) -> dict[str, dict[str, set[str]]]:
    out: dict[str, dict[str, set[str]]] = {}
    for t in store.triples(ns.version_graph(version_key(code), n, "public")):
        out.setdefault(t.subject.value, {}).setdefault(curie(t.predicate.value), set()).add(t.object.value)
    return out


def diff(ctx, office: str, v1: int, v2: int) -> dict:
    """Objects added, removed and changed (with old and new values per property) from v1 to v2 (same kind)."""
    _iri, code, a_v = _version(ctx, office, v1)
    _iri, code, b_v = _version(ctx, office, v2)
    if a_v["art"] != b_v["art"]:
        raise SozialgraphError(f"Version {v1} enthält {a_v['art']}, Version {v2} {b_v['art']}; verglichen werden "
                               "nur Versionen derselben Art.",
                               f"Version {v1} holds {a_v['art']}, version {v2} {b_v['art']}; only versions of the same "
                               "kind are compared.")
    a, b = _objects(ctx.store, code, v1), _objects(ctx.store, code, v2)
    changed = []
    for s in sorted(set(a) & set(b)):
        fields = {f: {"old": sorted(a[s].get(f, set())), "new": sorted(b[s].get(f, set()))}
                  for f in sorted(set(a[s]) | set(b[s])) if a[s].get(f, set()) != b[s].get(f, set())}
        if fields:
            changed.append({"object": s, "fields": fields})
    return {"office": code, "art": a_v["art"], "from": v1, "to": v2, "added": sorted(set(b) - set(a)),
            "removed": sorted(set(a) - set(b)), "changed": changed}


def rollback(ctx, office: str, to: int, user: str | None = None) -> SteeringResult:
    """Make version ``to`` current again for its kind, as a new version (history is never rewritten)."""
    office_iri, code = resolve_office(ctx, office)
    store = ctx.store
    with store.writing(float(ctx.settings.get("submit_wait", 120))):
        vs = {v["version"]: v for v in versions(store, office_iri)}
        if to not in vs:
            raise VersionNotFound(code, to)
        old = vs[to]
        n = max(vs) + 1
        started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        sub = NN(f"{ns.ID}einreichung/{version_key(code)}/{n}")
        nt = store.graph_ntriples(ns.version_graph(version_key(code), to, "public"))
        store.write_new_graph(ns.version_graph(version_key(code), n, "public"), nt)
        prov = _provenance(sub, office_iri, n, started, old["art"], old.get("fileName", ""), old.get("sha256", ""),
                           old.get("warnings", 0), used=old["submission"])
        prov.append(ox.Triple(sub, NN(P["rdfs"] + "comment"), ox.Literal(f"Zurückgesetzt auf Version {to}", language="de")))
        prov.append(ox.Triple(sub, NN(P["rdfs"] + "comment"), ox.Literal(f"Rolled back to version {to}", language="en")))
        store.apply(Change(replace={steering_graph(code, old["art"]): nt},
                           insert={ns.G_PROVENANCE: prov,
                                   ns.G_PRIVATE_PROVENANCE: _private_provenance(sub, user, None, old.get("report"))}))
    report = SteeringReport.from_dict(json.loads(old["report"])) if old.get("report") else SteeringReport()
    objects = len({line.split(b" ", 1)[0] for line in nt.splitlines() if line.strip()})
    return SteeringResult(True, n, report, objects, code, old.get("sha256", ""), False, old.get("fileName", ""),
                          extra={"rolledBackTo": to}, art=old["art"])
