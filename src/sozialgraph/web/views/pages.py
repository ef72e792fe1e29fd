"""Linked-data pages: every IRI under …/id/ dereferences at /id/… .

Content negotiation (Accept) picks HTML, Turtle, JSON-LD, N-Triples or RDF/XML; each format also has a stable
document URL (/id/stadtteil/101.ttl, .jsonld, .nt, .rdf, .html). Responses carry Vary: Accept, a Link header
with rel="alternate" for every format and Content-Location naming the document served. Data come from public
graphs only. HTML pages show labels in German (English by switch), link every related resource and answer the
obvious next question of each kind of thing: the offers of a Stadtteil by target group and the offices
responsible, an office's offers and their spread over the city, the offers of a target group, type, provider
or goal, with a map. Offer pages embed schema.org JSON-LD.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, g, make_response, render_template, request

from sozialgraph.analysis import charts, maps, planning, search
from sozialgraph import formats, namespaces as ns
from sozialgraph.labels import curie, pick
from sozialgraph.resources import RDF_TEMPLATES_DIR
from sozialgraph.publish.schemaorg import offer_jsonld
from sozialgraph.sparql.saved import load_query
from sozialgraph.web import error_response, get_ctx
from sozialgraph.web.security import safe_href
from sozialgraph.web.views.home import pagepath
from sozialgraph.web.views.steering_pages import office_measures

bp = Blueprint("pages", __name__)

P = ns.PREFIXES
RDF_TYPE = P["rdf"] + "type"
# the documents of every resource: extension -> media type (HTML, then formats.DOCUMENT_FORMATS)
DOCUMENTS: dict[str, str] = {"html": "text/html", **{f.key: f.media_type for f in formats.DOCUMENT_FORMATS}}
# resolver kind -> search parameter for "offers of this resource"
KIND_PARAM = {"zielgruppe": "zielgruppe", "angebotsart": "angebotsart", "lebenslage": "lebenslage",
              "reichweite": "reichweite", "barrierefreiheit": "barrierefreiheit", "kosten": "kosten",
              "amt": "amt", "traeger": "traeger", "ziel": "ziel", "stadtteil": "stadtteil",
              "stadtbezirk": "stadtbezirk"}
LABEL_PROPS = (P["rdfs"] + "label", P["skos"] + "prefLabel")
LABELS_FILE = RDF_TEMPLATES_DIR / "property-labels.ttl"


@lru_cache(maxsize=1)
def display_labels() -> dict[str, dict[str, str]]:
    """Labels of other vocabularies' terms (property-labels.ttl), iri -> {lang: label}."""
    out: dict[str, dict[str, str]] = {}
    with open(LABELS_FILE, "rb") as fh:
        for t in ox.parse(fh, ox.RdfFormat.TURTLE):
            out.setdefault(t.subject.value, {})[t.object.language or ""] = t.object.value
    return out


def split_path(rest: str) -> tuple[str, str | None]:
    """'stadtteil/101.ttl' -> ('stadtteil/101', 'ttl'); minted IRIs never contain a dot in their last segment."""
    head, _, last = rest.rpartition("/")
    if "." in last:
        stem, ext = last.rsplit(".", 1)
        if formats.by_extension(ext) is not None:
            return (head + "/" if head else "") + stem, ext
    return rest, None


def describe(store, iri: str) -> list[ox.Triple]:
    """The resource's triples in public graphs (and one level of blank nodes), without duplicates."""
    node = ox.NamedNode(iri)
    q = load_query("describe-resource", internal=True).render({"ressource": node})
    triples: dict[ox.Triple, None] = {}
    for s in store.query(q, public_only=True):
        triples[ox.Triple(node, s["eigenschaft"], s["wert"])] = None
        if s["p2"] is not None:
            triples[ox.Triple(s["wert"], s["p2"], s["o2"])] = None
    return list(triples)


def links_header(path: str) -> str:
    return ", ".join(f'<{path}.{ext}>; rel="alternate"; type="{media}"' for ext, media in DOCUMENTS.items())


@bp.get("/id/<path:rest>")
def resource(rest: str):
    ctx = get_ctx()
    local, ext = split_path(rest)  # a document URL names its format; else Accept (HTML when there is none)
    iri = ns.ID + local
    try:
        ox.NamedNode(iri)
    except ValueError:
        return error_response(404, "Nicht gefunden.", "Not found.")
    negotiated = ext is None
    fmt = formats.negotiate(request.accept_mimetypes) if negotiated else formats.by_extension(ext)
    if fmt is None:
        available = ", ".join(DOCUMENTS.values())
        resp = make_response(error_response(406, f"Kein passendes Format. Verfügbar: {available}.",
                                            f"No acceptable format. Available: {available}."))
        resp.headers["Vary"] = "Accept"
        resp.headers["Link"] = links_header("/id/" + local)
        return resp
    triples = describe(ctx.store, iri)
    if not triples:
        return error_response(404, f"Zu {iri} gibt es keine öffentlichen Daten.", f"There are no public data about {iri}.")
    path = "/id/" + local
    if fmt == "html":
        ext = "html"
        resp = Response(render_page(ctx, iri, path, triples), mimetype="text/html")
    else:
        ext = fmt.key
        resp = Response(formats.serialize(triples, fmt), mimetype=fmt.media_type)
    resp.headers["Link"] = links_header(path)
    resp.headers["Content-Location"] = f"{path}.{ext}"
    if negotiated:
        resp.headers["Vary"] = "Accept"
    return resp


# -- HTML ------------------------------------------------------------------------------------------------------
def label_map(store, iris: set[str], lang: str) -> dict[str, str]:
    """Labels (labels.pick: lang, then de, en, any) for IRIs from the public graphs and property-labels.ttl;
    an IRI without one is missing (the caller shows its CURIE)."""
    found: dict[str, dict[str, str]] = {}
    terms = [ox.NamedNode(i) for i in sorted(iris)]
    if terms:
        for s in store.query(load_query("labels-of", internal=True).render({"x": terms}), public_only=True):
            found.setdefault(s["x"].value, {}).setdefault(s["label"].language or "", s["label"].value)
    for i in iris:
        if i not in found and i in display_labels():
            found[i] = display_labels()[i]
    return {i: label for i, by in found.items() if (label := pick(by, lang))}


def literal_text(lit: ox.Literal, lang: str) -> str:
    dt = lit.datatype.value if lit.datatype else ""
    if lang == "de" and dt.endswith(("#decimal", "#double")):
        return lit.value.replace(".", ",")
    if dt.endswith("#boolean"):
        return {"true": "ja" if lang == "de" else "yes", "false": "nein" if lang == "de" else "no"}.get(lit.value,
                                                                                                      lit.value)
    return lit.value


def render_page(ctx, iri: str, path: str, triples: list[ox.Triple]) -> str:
    lang = g.get("lang", "de")
    store = ctx.store
    main = [t for t in triples if t.subject == ox.NamedNode(iri)]
    types = [t.object.value for t in main if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode)]
    iris = {t.predicate.value for t in main} | {t.object.value for t in main if isinstance(t.object, ox.NamedNode)}
    labels = label_map(store, iris | {iri}, lang)
    # own label: the literal in the page language first
    own = [t.object for t in main if t.predicate.value in LABEL_PROPS and isinstance(t.object, ox.Literal)]
    title = next((lit.value for lit in own if lit.language == lang), None) or labels.get(iri) or local_name(iri)
    # properties, grouped, with values as links or text; other-language labels and long literals kept
    rows: dict[str, list[dict]] = {}
    for t in main:
        p = t.predicate.value
        if p in LABEL_PROPS and isinstance(t.object, ox.Literal) and t.object.language not in (lang, None, ""):
            continue  # the other language's label (still in the RDF documents)
        o = t.object
        if isinstance(o, ox.NamedNode):
            v = {"href": pagepath(o.value) or None, "text": labels.get(o.value) or curie(o.value), "iri": o.value}
        elif isinstance(o, ox.Literal):
            if o.language and o.language != lang and any(
                    isinstance(x.object, ox.Literal) and x.predicate == t.predicate and x.object.language == lang
                    for x in main):
                continue
            v = {"text": literal_text(o, lang), "lang": o.language}
            # only http(s) values are links, and mailto:/tel: for contact values; any other scheme stays text
            v["href"] = safe_href(o.value)
            if p == P["schema"] + "email" and o.value.strip():
                v["href"] = safe_href(o.value if o.value.lower().startswith("mailto:") else "mailto:" + o.value.strip(),
                                      contact=True)
            if p == P["schema"] + "telephone" and (digits := re.sub(r"[^0-9+]", "", o.value)):
                v["href"] = safe_href("tel:" + digits, contact=True)
        else:
            v = {"text": "[…]"}
        rows.setdefault(p, []).append(v)
    props = [{"iri": p, "href": pagepath(p) or None, "label": labels.get(p) or curie(p), "vals": vals}
             for p, vals in rows.items()]
    order = {RDF_TYPE: 0, P["dcterms"] + "description": 1}
    props.sort(key=lambda d: (order.get(d["iri"], 2), ns.fold(d["label"])))

    extra = related(ctx, iri, types, lang)
    backlinks = []
    if not extra.get("param"):
        q = load_query("resource-backlinks", internal=True).render({"ressource": ox.NamedNode(iri)})
        sols = list(store.query(q, public_only=True))
        src = {s["quelle"].value for s in sols if isinstance(s["quelle"], ox.NamedNode)}
        bl = label_map(store, src | {s["eigenschaft"].value for s in sols}, lang)
        backlinks = [{"href": pagepath(s["quelle"].value) or None, "text": bl.get(s["quelle"].value) or curie(s["quelle"].value),
                      "via": bl.get(s["eigenschaft"].value) or curie(s["eigenschaft"].value)}
                     for s in sols if isinstance(s["quelle"], ox.NamedNode)]
    alternates = [{"href": f"{path}.{f.key}", "type": f.media_type, "name": f.label}
                  for f in formats.DOCUMENT_FORMATS]
    # the Stadtteilprofil on Stadtteil pages, its Stadtbezirk equivalent on Stadtbezirk pages (issue 10)
    profile = planning.profile(ctx, iri, lang) if extra.get("param") in ("stadtteil", "stadtbezirk") else None
    return render_template("resource.html", iri=iri, title=title, props=props, types=types, labels=labels,
                           extra=extra, backlinks=backlinks, alternates=alternates, pagepath=pagepath, fmt=maps.fmt,
                           ix=search.get_index(ctx),
                           reasons_en=search.REASONS_EN, profile=profile, num=charts.number,
                           office_measures=office_measures(ctx, iri, lang) if extra.get("param") == "amt" else [])


def jsonld_for_html(doc) -> str:
    """JSON for a <script type="application/ld+json"> block: <, > and & as \\u003c, \\u003e, \\u0026 (the same JSON),
    so no value (a title "</script><!--<script>") can end the block or open a comment or tag."""
    text = json.dumps(doc, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def related(ctx, iri: str, types: list[str], lang: str) -> dict:
    """The next questions for this kind of resource: its offers (grouped, counted, mapped)."""
    idx = search.get_index(ctx)
    out: dict = {}
    if iri in idx.offers:
        o = idx.offers[iri]
        out["offer"] = o
        doc = offer_jsonld(ctx.store, iri)  # issue 6's schema.org mapping (public graphs only)
        if doc:
            out["jsonld"] = jsonld_for_html(doc)
        if o.quarter:
            s = search.Search(stadtteil=o.quarter, nur_vor_ort=True, sort="name")
            res = search.run(ctx, s, lang)
            out["neighbours"] = [x for x in res.offers if x.iri != iri][:10]
            out["neighbours_total"] = res.total - 1
            out["neighbours_url"] = "/angebote?" + _qs(s.params())
        return out
    term = idx.resolver.terms.get(iri)
    param = KIND_PARAM.get(term.kind) if term else None
    if param is None:
        return out
    s = search.Search()
    if param in ("stadtteil", "stadtbezirk"):
        setattr(s, param, iri)
    else:
        s.filters[param] = iri
    s.sort = search.default_sort(s)
    res = search.run(ctx, s, lang)
    out.update(param=param, result=res, search_url="/angebote?" + _qs(s.params()),
               map_url="/karte?" + _qs(s.params()), first=res.offers[:20])
    if param == "stadtteil":
        groups: dict[str, list] = {}
        for o in res.offers:
            for z in o.groups or [""]:
                groups.setdefault(z, []).append(o)
        out["by_group"] = sorted(((idx.label(z, lang) if z else "–", (pagepath(z) or None) if z else None, v)
                                  for z, v in groups.items()), key=lambda t: ns.fold(t[0]))
    if param in ("stadtteil", "stadtbezirk", "amt", "zielgruppe", "angebotsart", "traeger", "ziel"):
        out["map"] = maps.build(ctx, res, lang, title=idx.label(iri, lang),
                                highlight=iri if param == "stadtteil" else None)
    if param == "stadtbezirk":
        out["quarters"] = sorted(idx.quarters(iri), key=lambda a: a.number)
    return out


def _qs(params: dict) -> str:
    return urlencode(params, doseq=True)  # a facet with several values repeats its parameter
