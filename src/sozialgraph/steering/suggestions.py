"""Need suggestions (Bedarfsvorschläge) from the gap ranking: the Stadtteile ranked ≤ N per target group in the
sg:Gap nodes of ns.G_ANALYSIS. Open suggestions are derived from the current ranking when asked for; a planner's
decision keeps the suggestion as an sg:NeedSuggestion in …/graph/steering/vorschlaege: accepted (it becomes an
sg:Need there, sg:acceptedAs) or dismissed (who, when, why: sg:decidedBy, sg:decidedOn, sg:dismissalReason).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.errors import SozialgraphError
from sozialgraph.sparql.saved import load_query
from sozialgraph.store.base import Change

P = ns.PREFIXES
SG = P["sg"]
NN = ox.NamedNode
G_SUGGESTIONS = ns.steering_graph("vorschlaege")
STATUS = ns.ID + "bedarfsstatus/"
TOP = 3


@dataclass
class Suggestion:
    id: str  # "{stadtteil}/{zielgruppe}", e.g. "609/alleinerziehende"
    iri: str
    area: str
    area_number: str
    area_name: str
    target_group: str
    target_group_name: str
    rank: int
    score: float | None
    gap: str
    based_on: list[str] = field(default_factory=list)
    status: str = "vorgeschlagen"
    decided_by: str | None = None
    decided_on: str | None = None
    reason: str | None = None
    need: str | None = None


def _iri(sid: str) -> str:
    return f"{ns.ID}bedarfsvorschlag/{sid}"


def suggestions(ctx, zielgruppe: str | None = None, top: int = TOP) -> list[Suggestion]:
    """The current suggestions (rank ≤ top per target group) with any stored decision, best ranks first."""
    q = load_query("steering-gaps", internal=True)
    bind = {"zielgruppe": NN(ctx.resolver().resolve("zielgruppe", zielgruppe))} if zielgruppe else {}
    out: dict[str, Suggestion] = {}
    for r in ctx.store.select(q.render(bind), public_only=True):
        rank = int(r["rank"].value)
        if rank > top:
            continue
        sid = f"{r['nummer'].value}/{r['zielgruppe'].value.rsplit('/', 1)[-1]}"
        s = out.get(sid)
        if s is None:
            s = out[sid] = Suggestion(sid, _iri(sid), r["area"].value, r["nummer"].value,
                                      r["areaName"].value if "areaName" in r else r["nummer"].value,
                                      r["zielgruppe"].value, r["zielgruppeName"].value if "zielgruppeName" in r else "",
                                      rank, float(r["score"].value) if "score" in r else None, r["gap"].value)
        if "basedOn" in r and r["basedOn"].value not in s.based_on:
            s.based_on.append(r["basedOn"].value)
    for r in ctx.store.select(load_query("steering-suggestion-decisions", internal=True).text):
        sid = r["suggestion"].value.removeprefix(f"{ns.ID}bedarfsvorschlag/")
        if sid in out:
            s = out[sid]
            s.status = r["status"].value.rsplit("/", 1)[-1]
            s.decided_by = r["decidedBy"].value if "decidedBy" in r else None
            s.decided_on = r["decidedOn"].value if "decidedOn" in r else None
            s.reason = r["reason"].value if "reason" in r else None
            s.need = r["need"].value if "need" in r else None
    return sorted(out.values(), key=lambda s: (s.target_group_name, s.rank))


def _find(ctx, sid: str, top: int) -> Suggestion:
    sid = sid.removeprefix(f"{ns.ID}bedarfsvorschlag/").strip("/")
    for s in suggestions(ctx, top=top):
        if s.id == sid:
            if s.status != "vorgeschlagen":
                raise SozialgraphError(f"Über den Vorschlag {sid} ist schon entschieden ({s.status}).",
                                       f"The suggestion {sid} has already been decided ({s.status}).", status=409)
            return s
    raise SozialgraphError(f"Keinen Bedarfsvorschlag '{sid}' gefunden (Form: STADTTEIL/ZIELGRUPPE, z. B. "
                           "609/alleinerziehende; 'sozialgraph steuerung vorschlaege' listet sie).",
                           f"No need suggestion '{sid}' (form: QUARTER/TARGETGROUP, e.g. 609/alleinerziehende).",
                           status=404)


def _node(s: Suggestion, status: str, office_iri: str, today: str) -> list[ox.Triple]:
    n = NN(s.iri)
    t = lambda p, o: ox.Triple(n, NN(p), o)  # noqa: E731
    out = [t(P["rdf"] + "type", NN(SG + "NeedSuggestion")),
           t(P["rdfs"] + "label", ox.Literal(f"Bedarfsvorschlag: {s.target_group_name} in {s.area_name}", language="de")),
           t(SG + "needStatus", NN(STATUS + status)), t(SG + "decidedBy", NN(office_iri)),
           t(SG + "decidedOn", ox.Literal(today, datatype=NN(P["xsd"] + "date"))),
           t(SG + "supportedBy", NN(s.gap))]
    out += [t(SG + "supportedBy", NN(b)) for b in s.based_on]
    return out


def accept(ctx, sid: str, office_iri: str, top: int = TOP, today: str | None = None) -> str:
    """Accept a suggestion: it becomes an established sg:Need (returned IRI)."""
    today = today or dt.date.today().isoformat()
    with ctx.store.writing(float(ctx.settings.get("submit_wait", 120))):
        s = _find(ctx, sid, top)
        need = NN(f"{ns.ID}bedarf/sp/vorschlag-{s.area_number}-{s.target_group.rsplit('/', 1)[-1]}")
        t = lambda p, o: ox.Triple(need, NN(p), o)  # noqa: E731
        triples = _node(s, "festgestellt", office_iri, today) + [
            ox.Triple(NN(s.iri), NN(SG + "acceptedAs"), need),
            t(P["rdf"] + "type", NN(SG + "Need")), t(P["dcterms"] + "identifier", ox.Literal(f"vorschlag-{s.id}")),
            t(P["rdfs"] + "label", ox.Literal(f"{s.target_group_name} in {s.area_name}", language="de")),
            t(SG + "needIn", NN(s.area)), t(SG + "needOf", NN(s.target_group)),
            t(SG + "needStatus", NN(STATUS + "festgestellt")), t(SG + "decidedBy", NN(office_iri)),
            t(SG + "decidedOn", ox.Literal(today, datatype=NN(P["xsd"] + "date"))),
            t(P["dcterms"] + "description", ox.Literal(f"Aus der Lückenrangfolge (Rang {s.rank}) angenommen.",
                                                       language="de")),
            t(SG + "supportedBy", NN(s.gap))]
        ctx.store.apply(Change(insert={G_SUGGESTIONS: triples}))
    return need.value


def dismiss(ctx, sid: str, office_iri: str, reason: str, top: int = TOP, today: str | None = None) -> None:
    """Dismiss a suggestion; it is kept with who, when and why."""
    if not (reason or "").strip():
        raise SozialgraphError("Bitte eine Begründung angeben (--grund).", "Please give a reason (--grund).")
    today = today or dt.date.today().isoformat()
    with ctx.store.writing(float(ctx.settings.get("submit_wait", 120))):
        s = _find(ctx, sid, top)
        triples = _node(s, "verworfen", office_iri, today)
        triples.append(ox.Triple(NN(s.iri), NN(SG + "dismissalReason"), ox.Literal(reason.strip())))
        ctx.store.apply(Change(insert={G_SUGGESTIONS: triples}))
