"""Submissions: read -> validate -> (only without Violation) store a new version atomically, with provenance.

Graphs (docs/CONVENTIONS.md): the public part of the current dataset in …/graph/office/{code}, its confidential
part (street address, coordinates of offers marked vertraulich) in …/graph/private/office/{code}; every accepted
version in …/graph/private/version/{code}/{n}/public and …/private; provenance (sg:Submission, a prov:Activity) in
…/graph/provenance; the user name and the stored report in …/graph/private/provenance.

Writing a version takes two transactions: (1) the version graphs (new names nobody reads yet), (2) one SPARQL
update that swaps the office's graphs to that version and records the provenance. Readers see the old dataset or
the new one, never a mix; a crash after (1) leaves unreferenced version graphs that the next submission of the
office overwrites, a crash before (2) completes changes nothing visible.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass, field

import pyoxigraph as ox

from sozialgraph.errors import SozialgraphError
from sozialgraph import namespaces as ns
from sozialgraph.labels import curie
from sozialgraph.capture.readers import read_submission
from sozialgraph.capture.common import UnsupportedFormat
from sozialgraph.capture.template import column_for_path
from sozialgraph.errors import UnknownValue
from sozialgraph.sparql.saved import load_query
from sozialgraph.store.base import Change, nt_bytes
from sozialgraph.capture.validate import Item, Report, validate_staged
from sozialgraph.capture.template import COLUMNS

P = ns.PREFIXES
NN = ox.NamedNode
XSD = P["xsd"]

__all__ = ["SubmissionResult", "UnknownValue", "UnsupportedFormat", "submit_file", "submit_rows", "history",
           "diff", "rollback", "resolve_office", "get_version", "VersionNotFound"]


class VersionNotFound(SozialgraphError, LookupError):
    status = 404

    def __init__(self, code: str, version: int):
        self.code, self.version = code, version
        super().__init__(f"Amt {code} hat keine Version {version} (sozialgraph history --office {code}).",
                         f"Office {code} has no version {version} (sozialgraph history --office {code}).")


@dataclass
class SubmissionResult:
    accepted: bool
    version: int | None
    report: Report
    offers: int
    office: str = ""  # office code
    sha256: str = ""
    dry_run: bool = False
    file_name: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> str | None:
        return f"{self.office}-{self.version}" if self.version is not None else None

    def to_dict(self) -> dict:
        return {"accepted": self.accepted, "id": self.id, "office": self.office, "version": self.version,
                "offers": self.offers, "sha256": self.sha256, "fileName": self.file_name, "dryRun": self.dry_run,
                "report": self.report.to_dict()}


def resolve_office(ctx, office: str) -> tuple[str, str]:
    """(office IRI, code) for a code or a name, case-insensitive. UnknownValue with suggestions otherwise."""
    resolver = ctx.resolver()
    office_iri = resolver.resolve("amt", str(office))
    term = resolver.terms[office_iri]
    code = (term.notation or office_iri.rsplit("/", 1)[-1]).lower()
    return office_iri, code


def submit_file(ctx, data: bytes, filename: str, office: str, user: str | None = None,
                content_type: str | None = None, dry_run: bool = False, example_data: bool = False,
                today: str | None = None, workers: int | None = None) -> SubmissionResult:
    """Validate a submitted file and, when it has no Violation (and not ``dry_run``), store it as the office's
    new version. Raises UnknownValue (office) and UnsupportedFormat; every problem of the file is in the report."""
    office_iri, code = resolve_office(ctx, office)
    sha = hashlib.sha256(data).hexdigest()
    started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    staged = read_submission(data, filename, content_type, office_iri=office_iri, office_code=code,
                             resolver=ctx.resolver(), example_data=example_data, today=today)
    report = validate_staged(staged, ctx.store, workers=workers or ctx.settings.get("validate_workers", 2))
    report.items.extend(shared_provider_warnings(ctx.store, staged, code))
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    result = SubmissionResult(report.conforms, None, report, len(staged.offers), code, sha, dry_run, name)
    if not report.conforms or dry_run:
        return result
    with ctx.store.writing(float(ctx.settings.get("submit_wait", 120))):
        n = _latest_version(ctx.store, office_iri) + 1
        sub = NN(f"{ns.ID}einreichung/{code}/{n}")
        prov = _provenance(sub, office_iri, n, started, name, sha, len(staged.offers), report.warnings)
        private_prov = _private_provenance(sub, user, report)
        _write_version(ctx.store, code, n, staged.public, staged.private, prov, private_prov)
    result.version = n
    return result


def submit_rows(ctx, rows: list[dict[str, str]], office: str, filename: str = "rows.csv", **kwargs) -> SubmissionResult:
    """Submit template rows (dicts keyed by column name) as the CSV file they amount to."""

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[c.name for c in COLUMNS], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return submit_file(ctx, buf.getvalue().encode("utf-8"), filename, office, content_type="text/csv", **kwargs)


# -- shared providers -------------------------------------------------------------------------------------------
def shared_provider_warnings(store, staged, code: str) -> list[Item]:
    """A provider is one IRI for every office (…/id/traeger/{slug of the name}); each office states its name in its
    own graph, so nobody overwrites another office's statement. Spelt differently (same slug, other text), the
    public pages show both names: a Warning that names the other offices' spelling."""
    label = NN(P["rdfs"] + "label")
    provider = NN(P["sg"] + "provider")
    ours: dict[str, set[str]] = {}
    for t in staged.public:
        if t.predicate == label and isinstance(t.subject, NN) and isinstance(t.object, ox.Literal) \
                and t.subject.value.startswith(f"{ns.ID}traeger/"):
            ours.setdefault(t.subject.value, set()).add(t.object.value)
    if not ours:
        return []
    others = [g for g in store.graphs() if g.startswith(ns.office_graph("")) and g != ns.office_graph(code)]
    if not others:
        return []
    values = " ".join(f"<{p}>" for p in sorted(ours))
    rows = store.select(f"SELECT DISTINCT ?p ?l WHERE {{ VALUES ?p {{ {values} }} GRAPH ?g {{ ?p a <{P['sg']}Provider> ;"
                        f" <{label.value}> ?l }} }}", named_graphs=others)
    theirs: dict[str, set[str]] = {}
    for r in rows:
        theirs.setdefault(r["p"].value, set()).add(r["l"].value)
    first_row: dict[str, int] = {}
    for t in staged.public:
        if t.predicate == provider and isinstance(t.object, NN) and t.subject.value in staged.rows:
            first_row.setdefault(t.object.value, staged.rows[t.subject.value])
    out = []
    for prov, names in sorted(ours.items()):
        other = theirs.get(prov, set()) - names
        if not theirs.get(prov) or not other:
            continue
        spelt = ", ".join(f"'{n}'" for n in sorted(other))
        mine = ", ".join(f"'{n}'" for n in sorted(names))
        row = first_row.get(prov)
        out.append(Item("Warning",
                        f"Der Träger {mine} ist bei anderen Ämtern als {spelt} erfasst. Jedes Amt nennt den Namen nur "
                        "in seinen eigenen Daten, die öffentlichen Seiten zeigen dann beide Schreibweisen; bitte "
                        "dieselbe Schreibweise verwenden.",
                        f"Other offices record the provider {mine} as {spelt}. Each office states the name in its "
                        "own data only, so the public pages show both spellings; please use the same spelling.",
                        row, "traeger" if row is not None else None, prov, label.value, None, ", ".join(sorted(other))))
    return out


# -- writing ----------------------------------------------------------------------------------------------------
def _lit(value, dtype: str | None = None) -> ox.Literal:
    return ox.Literal(str(value), datatype=NN(XSD + dtype)) if dtype else ox.Literal(str(value))


def _provenance(sub, office_iri, n, started, file_name, sha, offers, warnings, used: int | None = None,
                code: str | None = None) -> list[ox.Triple]:
    t = lambda p, o: ox.Triple(sub, NN(p), o)  # noqa: E731
    ended = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    out = [
        t(P["rdf"] + "type", NN(P["sg"] + "Submission")),
        t(P["rdf"] + "type", NN(P["prov"] + "Activity")),
        t(P["sg"] + "versionNumber", _lit(n, "integer")),
        t(P["prov"] + "wasAssociatedWith", NN(office_iri)),
        t(P["prov"] + "startedAtTime", _lit(started.isoformat().replace("+00:00", "Z"), "dateTime")),
        t(P["prov"] + "endedAtTime", _lit(ended.isoformat().replace("+00:00", "Z"), "dateTime")),
        t(P["sg"] + "fileName", _lit(file_name)),
        t(P["sg"] + "sha256", _lit(sha)),
        t(P["sg"] + "offerCount", _lit(offers, "integer")),
        t(P["sg"] + "warningCount", _lit(warnings, "integer")),
    ]
    if used is not None:
        out.append(t(P["prov"] + "used", NN(f"{ns.ID}einreichung/{code}/{used}")))
        out.append(t(P["rdfs"] + "comment", ox.Literal(f"Zurückgesetzt auf Version {used}", language="de")))
        out.append(t(P["rdfs"] + "comment", ox.Literal(f"Rolled back to version {used}", language="en")))
    return out


def _private_provenance(sub, user: str | None, report: Report | None, report_json: str | None = None):
    out = []
    if user:
        out.append(ox.Triple(sub, NN(P["sg"] + "submittedBy"), _lit(user)))
    text = report_json if report_json is not None else (json.dumps(report.to_dict(), ensure_ascii=False)
                                                        if report is not None else None)
    if text is not None:
        out.append(ox.Triple(sub, NN(P["sg"] + "validationReport"), _lit(text)))
    return out


def _swap(store, code: str, n: int) -> dict[str, bytes]:
    """The office's current graphs as the content of version ``n``."""
    return {ns.office_graph(code): store.graph_ntriples(ns.version_graph(code, n, "public")),
            ns.private_office_graph(code): store.graph_ntriples(ns.version_graph(code, n, "private"))}


def _write_version(store, code, n, public, private, prov, private_prov) -> None:
    vpub, vpriv = ns.version_graph(code, n, "public"), ns.version_graph(code, n, "private")
    pub_nt, priv_nt = nt_bytes(public), nt_bytes(private)
    # (1) the version graphs: new names that nothing references until (2) records their provenance, so they are
    # written with the fast non-transactional writer (leftovers of a crashed attempt are replaced).
    store.write_new_graph(vpub, pub_nt)
    store.write_new_graph(vpriv, priv_nt)
    # (2) one atomic change: the office's graphs become the new version, provenance is recorded. The store
    # writes only the difference to the current dataset (a resubmission usually changes few offers).
    store.apply(Change(replace={ns.office_graph(code): pub_nt, ns.private_office_graph(code): priv_nt},
                       insert={ns.G_PROVENANCE: prov, ns.G_PRIVATE_PROVENANCE: private_prov}))


# -- reading versions -------------------------------------------------------------------------------------------
def versions(store, office_iri: str) -> list[dict]:
    q = load_query("submission-versions", internal=True)
    out = []
    for r in store.select(q.render({"office": NN(office_iri)})):
        d = {k: v.value for k, v in r.items()}
        d["version"] = int(d["version"])
        for k in ("offers", "warnings"):
            if k in d:
                d[k] = int(d[k])
        out.append(d)
    return out


def _latest_version(store, office_iri: str) -> int:
    vs = versions(store, office_iri)
    return max((v["version"] for v in vs), default=0)


def history(ctx, office: str) -> list[dict]:
    """Every accepted version of an office, oldest first; 'current' marks the one in effect."""
    office_iri, code = resolve_office(ctx, office)
    vs = versions(ctx.store, office_iri)
    latest = max((v["version"] for v in vs), default=0)
    for v in vs:
        v["current"] = v["version"] == latest
        v["id"] = f"{code}-{v['version']}"
        v.pop("report", None)
    return vs


def get_version(ctx, office: str, version: int) -> dict:
    """Status, provenance and report of one version (VersionNotFound if there is none)."""
    office_iri, code = resolve_office(ctx, office)
    vs = versions(ctx.store, office_iri)
    latest = max((v["version"] for v in vs), default=0)
    for v in vs:
        if v["version"] == version:
            report = json.loads(v.pop("report")) if v.get("report") else None
            return {"id": f"{code}-{version}", "office": code, "officeIri": office_iri, "version": version,
                    "status": "current" if version == latest else "superseded",
                    "provenance": {k: v.get(k) for k in ("submission", "started", "fileName", "sha256", "offers",
                                                        "warnings", "used")},
                    "user": v.get("user"), "report": report}
    raise VersionNotFound(code, version)


def offer_fields(store, code: str, n: int) -> dict[str, dict[str, set[str]]]:
    q = load_query("submission-offer-fields", internal=True)
    skip = {P["rdf"] + "type", P["dcterms"] + "modified", P["sg"] + "location", P["schema"] + "address"}
    out: dict[str, dict[str, set[str]]] = {}
    for r in store.select(q.text, default_graph=[ns.version_graph(code, n, "public"),
                                                 ns.version_graph(code, n, "private")]):
        p = r["p"].value
        if p in skip:
            continue
        fld = column_for_path(p) or curie(p)
        out.setdefault(r["offer"].value, {}).setdefault(fld, set()).add(r["o"].value)
    return out


def diff(ctx, office: str, v1: int, v2: int) -> dict:
    """Offers added, removed and changed (with the changed fields: old and new values) from v1 to v2."""
    office_iri, code = resolve_office(ctx, office)
    known = {v["version"] for v in versions(ctx.store, office_iri)}
    for v in (v1, v2):
        if v not in known:
            raise VersionNotFound(code, v)
    a, b = offer_fields(ctx.store, code, v1), offer_fields(ctx.store, code, v2)

    def kennung(o, src):
        return sorted(src[o].get("kennung", {o}))[0]

    changed = []
    for o in sorted(set(a) & set(b), key=lambda o: kennung(o, b)):
        fields = {f: {"old": sorted(a[o].get(f, set())), "new": sorted(b[o].get(f, set()))}
                  for f in sorted(set(a[o]) | set(b[o])) if a[o].get(f, set()) != b[o].get(f, set())}
        if fields:
            changed.append({"offer": o, "kennung": kennung(o, b), "fields": fields})
    return {"office": code, "from": v1, "to": v2,
            "added": [{"offer": o, "kennung": kennung(o, b)} for o in sorted(set(b) - set(a), key=lambda o: kennung(o, b))],
            "removed": [{"offer": o, "kennung": kennung(o, a)} for o in sorted(set(a) - set(b), key=lambda o: kennung(o, a))],
            "changed": changed}


def rollback(ctx, office: str, to: int, user: str | None = None) -> SubmissionResult:
    """Make version ``to`` current again, as a new version (history is never rewritten)."""
    office_iri, code = resolve_office(ctx, office)
    store = ctx.store
    with store.writing(float(ctx.settings.get("submit_wait", 120))):
        vs = {v["version"]: v for v in versions(store, office_iri)}
        if to not in vs:
            raise VersionNotFound(code, to)
        old = vs[to]
        n = max(vs) + 1
        started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        sub = NN(f"{ns.ID}einreichung/{code}/{n}")
        prov = _provenance(sub, office_iri, n, started, old.get("fileName", ""), old.get("sha256", ""),
                           old.get("offers", 0), old.get("warnings", 0), used=to, code=code)
        report = Report.from_dict(json.loads(old["report"])) if old.get("report") else Report()
        private_prov = _private_provenance(sub, user, None, old.get("report"))
        for part in ("public", "private"):
            store.write_new_graph(ns.version_graph(code, n, part),
                                  store.graph_ntriples(ns.version_graph(code, to, part)))
        store.apply(Change(replace=_swap(store, code, n),
                           insert={ns.G_PROVENANCE: prov, ns.G_PRIVATE_PROVENANCE: private_prov}))
    return SubmissionResult(True, n, report, old.get("offers", 0), code, old.get("sha256", ""), False,
                            old.get("fileName", ""), extra={"rolledBackTo": to})
