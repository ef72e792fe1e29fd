"""The steering pages (issue 11): /ziele (goal tree with targets and sparklines), /massnahmen (filtered list) and a
page per measure; the data of the office page's measure list (_office_measures.html).

/ziele shows every goal, strategic then operational, with its indicator, baseline, target value and year,
direction, the latest value per area against the linear target path (analysis/planning.py Goal.behind, the formula
of queries/list-goals-behind-target.rq) and a sparkline (analysis/charts.py sparkline); /ziele/{slug} shows one goal
with its sub-goals and every contributing measure and offer. /massnahmen takes ``amt``, ``status``, ``gebiet``
(Stadtteil or Stadtbezirk) and ``zielgruppe`` (each several times; codes, names or IRIs as elsewhere), resolved and
bound as values in queries/internal/page-measure-filter.rq; empty parameters are dropped by a redirect.
/massnahmen/{amt}/{kennung} is the page of the measure …/id/massnahme/{amt}/{kennung}. Goals, measures, needs and
evaluations are read once per store generation (planning.get_steering).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, g, redirect, render_template, request

from sozialgraph import namespaces as ns
from sozialgraph.analysis import charts, planning, search
from sozialgraph.errors import UnknownValue
from sozialgraph.labels import pick
from sozialgraph.sparql.saved import load_query
from sozialgraph.web import error_response, get_ctx
from sozialgraph.web.i18n import t
from sozialgraph.web.views.home import pagepath
from sozialgraph.web.views.lebenslagen import clean_args

bp = Blueprint("steering_pages", __name__)

FILTERS = ("amt", "status", "gebiet", "zielgruppe")
PARAMS = (*FILTERS, "lang")
OFFERS_SHOWN = 10  # contributing offers listed per goal on /ziele (all on the goal's own page)
DIRECTION = {planning.DECREASE: ("senken", "decrease"), planning.INCREASE: ("erhöhen", "increase")}


class BadRequest(Exception):
    def __init__(self, de: str, en: str):
        super().__init__(de)
        self.de, self.en = de, en


def _lang() -> str:
    return g.get("lang", "de")


def _suffix(lang: str) -> str:
    return "?lang=en" if lang == "en" else ""


def measure_path(m: planning.Measure) -> str:
    return f"/massnahmen/{m.office_code}/{m.slug}"


def _refs(idx, iris: list[str], lang: str) -> list[dict]:
    return sorted(({"iri": i, "label": idx.label(i, lang), "href": pagepath(i)} for i in iris),
                  key=lambda r: ns.fold(r["label"]))


# -- /ziele ----------------------------------------------------------------------------------------------------------
def _track_view(goal: planning.Goal, track: planning.Track, idx, lang: str) -> dict:
    last = track.latest()
    out = {"area": track.area, "area_label": idx.label(track.area, lang) if track.area != planning.CITY else
           t("Köln", "Cologne"), "latest": last, "behind": goal.behind(track), "example": track.example,
           "path_value": goal.path_value(last[0]) if last else None, "spark": None}
    if goal.has_target:
        title = f"{goal.code}: {out['area_label']}"
        out["spark"] = charts.sparkline(track.points, (goal.baseline_year, goal.baseline),
                                        (goal.target_year, goal.target), lang, title=title)
    return out


def goal_view(ctx, goal: planning.Goal, lang: str, all_offers: bool = False) -> dict:
    s = planning.get_steering(ctx)
    idx = search.get_index(ctx)
    d = planning.get_data(ctx)
    ind = d.indicators.get(goal.indicator) if goal.indicator else None
    offers = s.contributing_offers(goal.iri)
    tracks = [_track_view(goal, tr, idx, lang) for tr in goal.tracks]
    return {"goal": goal, "label": goal.label(lang), "description": goal.description(lang),
            "kind": t("strategisch", "strategic") if goal.strategic else t("operativ", "operational"),
            "indicator": goal.indicator, "indicator_label": (ind.label(lang) if ind else idx.label(goal.indicator, lang))
            if goal.indicator else "", "unit": ind.unit if ind else "",
            "direction": (DIRECTION[goal.direction][1 if lang == "en" else 0] if goal.direction in DIRECTION else ""),
            "areas": _refs(idx, goal.areas, lang), "groups": _refs(idx, goal.groups, lang),
            "lives": _refs(idx, goal.lives, lang), "tracks": tracks,
            "behind": any(tr["behind"] for tr in tracks),
            "measures": [{"label": m.label(lang), "code": m.code, "href": measure_path(m),
                          "status_label": idx.label(m.status, lang) if m.status else ""}
                         for m in s.contributing_measures(goal.iri)],
            "offers": [{"label": idx.label(o, lang), "href": pagepath(o)}
                       for o in (offers if all_offers else offers[:OFFERS_SHOWN])],
            "offers_total": len(offers),
            "offers_url": "/angebote?" + urlencode({"ziel": goal.code, **({"lang": "en"} if lang == "en" else {})}),
            "children": [goal_view(ctx, s.goals[c], lang, all_offers) for c in goal.children]}


@bp.get("/ziele")
def ziele():
    ctx = get_ctx()
    lang = _lang()
    for k in request.args:
        if k != "lang":
            return error_response(400, f"Unbekannter Parameter '{k}'. Erlaubt: lang.",
                                  f"Unknown parameter '{k}'. Allowed: lang.")
    s = planning.get_steering(ctx)
    tree = [goal_view(ctx, x, lang) for x in s.roots()]
    behind = sorted((x for x in s.goals.values() if any(x.behind(tr) for tr in x.tracks)),
                    key=planning.goal_key)
    return render_template("ziele.html", tree=tree, single=None, behind=behind, total=len(s.goals),
                           example=any(x.example for x in s.goals.values()), num=charts.number, suffix=_suffix(lang),
                           pagepath=pagepath)


@bp.get("/ziele/<slug>")
def ziel(slug: str):
    ctx = get_ctx()
    lang = _lang()
    s = planning.get_steering(ctx)
    goal = s.goals.get(ns.ID + "ziel/" + slug)
    if goal is None:
        return error_response(404, f"Es gibt kein Ziel '{slug}'.", f"There is no goal '{slug}'.")
    view = goal_view(ctx, goal, lang, all_offers=True)
    parent = s.goals.get(goal.parent) if goal.parent else None
    return render_template("ziele.html", tree=[view], single=view, behind=[], total=len(s.goals),
                           parent=parent, example=goal.example, num=charts.number, suffix=_suffix(lang), pagepath=pagepath,
                           evaluations=[e for m in s.measures.values() for e in m.evaluations
                                        if e.goal in s.subtree(goal.iri)])


# -- /massnahmen -----------------------------------------------------------------------------------------------------
@dataclass
class Chosen:
    param: str
    iri: str
    label: str


@dataclass
class MeasureList:
    measures: list[dict]
    chosen: dict[str, list[Chosen]]
    options: dict[str, list[dict]]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def _resolve_area(resolver, raw: str) -> str:
    for kind in ("stadtteil", "stadtbezirk"):
        try:
            return resolver.resolve(kind, raw)
        except UnknownValue:
            continue
    sugg = resolver.suggest("stadtteil", raw.strip()) + resolver.suggest("stadtbezirk", raw.strip())
    hint = f" Meinten Sie: {', '.join(sugg[:3])}?" if sugg else ""
    hint_en = f" Did you mean: {', '.join(sugg[:3])}?" if sugg else ""
    raise BadRequest(f"Parameter 'gebiet': '{raw}' ist kein bekannter Stadtteil oder Stadtbezirk.{hint}",
                     f"Parameter 'gebiet': '{raw}' is not a known quarter or borough.{hint_en}")


def _resolve(resolver, param: str, raw: str) -> str:
    if param == "gebiet":
        return _resolve_area(resolver, raw)
    kind = {"amt": "amt", "status": "massnahmenstatus", "zielgruppe": "zielgruppe"}[param]
    try:
        return resolver.resolve(kind, raw)
    except UnknownValue as exc:
        raise BadRequest(f"Parameter '{param}': {exc.message('de')}", f"Parameter '{param}': {exc.message('en')}") \
            from None


def area_label(idx, iri: str, lang: str) -> str:
    """'609 Chorweiler' for a Stadtteil, 'Stadtbezirk 6 Chorweiler' for a Stadtbezirk (they share names)."""
    a = idx.areas.get(iri)
    if a is None:
        return idx.label(iri, lang)
    if a.kind == "stadtbezirk":
        return f"{t('Stadtbezirk', 'Borough')} {a.number} {idx.label(iri, lang)}"
    return f"{a.number} {idx.label(iri, lang)}"


def measure_row(ctx, m: planning.Measure, lang: str) -> dict:
    idx = search.get_index(ctx)
    return {"m": m, "label": m.label(lang), "href": measure_path(m), "iri": m.iri,
            "offices": _refs(idx, m.offices, lang), "groups": _refs(idx, m.groups, lang),
            "areas": _refs(idx, m.areas, lang), "status": m.status,
            "status_label": idx.label(m.status, lang) if m.status else "",
            "status_slug": (m.status or "").rsplit("/", 1)[-1]}


def filtered(ctx, args, lang: str) -> MeasureList:
    for k in args:
        if k not in PARAMS:
            raise BadRequest(f"Unbekannter Parameter '{k}'. Erlaubt: {', '.join(PARAMS)}.",
                             f"Unknown parameter '{k}'. Allowed: {', '.join(PARAMS)}.")
    resolver = ctx.resolver()
    idx = search.get_index(ctx)
    s = planning.get_steering(ctx)
    chosen: dict[str, list[Chosen]] = {}
    for param in FILTERS:
        for raw in args.getlist(param):
            iri = _resolve(resolver, param, raw)
            if iri not in [c.iri for c in chosen.get(param, [])]:
                chosen.setdefault(param, []).append(Chosen(param, iri, area_label(idx, iri, lang) if param == "gebiet"
                                                           else idx.label(iri, lang)))
    q = load_query("page-measure-filter", internal=True)
    terms = {p: [ox.NamedNode(c.iri) for c in cs] for p, cs in chosen.items()}
    hits = [r["massnahme"].value for r in ctx.store.select(q.render(terms), public_only=True)]
    ms = sorted((s.measures[h] for h in dict.fromkeys(hits) if h in s.measures),
                key=lambda m: (ns.fold(m.label(lang)), m.iri))
    rows = [measure_row(ctx, m, lang) for m in ms]
    # filter options: every value that some measure has, with the count among the listed measures
    everything = list(s.measures.values())
    order = {x: i for i, x in enumerate(planning.MEASURE_STATUS_ORDER)}
    statuses = {x.iri for x in resolver.values("massnahmenstatus")} | {m.status for m in everything if m.status}
    values = {"amt": {o for m in everything for o in m.offices}, "status": statuses,
              "gebiet": {a for m in everything for a in m.areas}, "zielgruppe": {z for m in everything for z in m.groups}}
    for param, cs in chosen.items():
        values[param].update(c.iri for c in cs)
    counts = {"amt": {}, "status": {}, "gebiet": {}, "zielgruppe": {}}
    for m in ms:
        for param, vals in (("amt", m.offices), ("status", [m.status] if m.status else []), ("gebiet", m.areas),
                            ("zielgruppe", m.groups)):
            for v in vals:
                counts[param][v] = counts[param].get(v, 0) + 1
    options: dict[str, list[dict]] = {}
    for param, vals in values.items():
        sel = {c.iri for c in chosen.get(param, [])}
        opts = [{"iri": v, "value": search.short(v) if param != "status" else v.rsplit("/", 1)[-1],
                 "label": area_label(idx, v, lang) if param == "gebiet" else idx.label(v, lang),
                 "selected": v in sel, "count": counts[param].get(v, 0)} for v in vals]
        if param == "status":
            opts.sort(key=lambda o: (order.get(o["value"], 9), o["iri"]))
        elif param == "gebiet":
            opts.sort(key=lambda o: (idx.areas[o["iri"]].number if o["iri"] in idx.areas else "", o["iri"]))
        else:
            opts.sort(key=lambda o: ns.fold(o["label"]))
        options[param] = opts
    return MeasureList(rows, chosen, options, counts)


@bp.get("/massnahmen")
def massnahmen():
    cleaned = clean_args(request.args)
    if cleaned is not None:
        return redirect(request.path + ("?" + urlencode(cleaned, doseq=True) if cleaned else ""), 302)
    ctx = get_ctx()
    lang = _lang()
    try:
        ml = filtered(ctx, request.args, lang)
    except BadRequest as exc:
        return error_response(400, exc.de, exc.en)
    return render_template("massnahmen.html", ml=ml, total=len(planning.get_steering(ctx).measures),
                           suffix=_suffix(lang), filters=FILTERS)


@bp.get("/massnahmen/<amt>/<slug>")
def massnahme(amt: str, slug: str):
    ctx = get_ctx()
    lang = _lang()
    s = planning.get_steering(ctx)
    idx = search.get_index(ctx)
    m = s.measures.get(f"{ns.ID}massnahme/{amt}/{slug}")
    if m is None:
        return error_response(404, f"Es gibt keine Maßnahme '{amt}/{slug}'.", f"There is no measure '{amt}/{slug}'.")
    row = measure_row(ctx, m, lang)
    goals = [{"label": f"{s.goals[x].code} {s.goals[x].label(lang)}", "href": f"/ziele/{s.goals[x].slug}"}
             if x in s.goals else {"label": idx.label(x, lang), "href": pagepath(x)} for x in m.goals]
    needs = planning.need_rows(ctx, [s.needs[n] for n in m.needs if n in s.needs], lang)
    offers = [{"label": idx.label(o, lang), "href": pagepath(o), "known": o in idx.offers} for o in m.offers]
    evals = [{"e": e, "goal": (f"{s.goals[e.goal].code} {s.goals[e.goal].label(lang)}" if e.goal in s.goals else
                               idx.label(e.goal, lang)) if e.goal else "",
              "goal_href": f"/ziele/{s.goals[e.goal].slug}" if e.goal in s.goals else ""} for e in m.evaluations]
    return render_template("massnahme.html", r=row, m=m, goals=goals, needs=needs, offers=offers, evals=evals,
                           num=charts.number, pagepath=pagepath, suffix=_suffix(lang),
                           description=pick(m.descriptions, lang) or "")


# -- the office page's measure list ----------------------------------------------------------------------------------
def office_measures(ctx, office: str, lang: str) -> list[dict]:
    """The measures the office (…/id/org/{code}) implements, alone or with others (integriert), for
    _office_measures.html; [] for any other resource."""
    s = planning.get_steering(ctx)
    return [measure_row(ctx, m, lang) for m in s.measures_of_office(office)]
