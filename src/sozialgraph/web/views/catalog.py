"""Open data live: `/katalog` (DCAT-AP.de, content-negotiated), `/downloads/<file>` (the current release with its
media types and SHA-256 checksums), and the ontology documentation at `/ontology` (Turtle for machines, HTML for
people, version IRI, changelog, vocabularies and shapes)."""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from flask import Blueprint, Response, current_app, g, redirect, render_template, request, send_file
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, SKOS

from sozialgraph import formats, namespaces as ns
from sozialgraph.labels import pick
from sozialgraph.resources import CHANGELOG_FILE, ONTOLOGY_FILE, SHAPES_DIR
from sozialgraph.publish.release import CHECKSUMS, ReleaseCache, media_type_of
from sozialgraph.web import error_response, get_ctx
from sozialgraph.sparql.saved import load_query

bp = Blueprint("catalog", __name__)

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def init_app(app) -> None:
    app.extensions["sozialgraph.releases"] = None


def _cache() -> ReleaseCache:
    cache = current_app.extensions.get("sozialgraph.releases")
    if cache is None:
        ctx = get_ctx()
        folder = ctx.settings.get("downloads_dir") or ""
        if not folder:
            folder = Path(ctx.store.path or "var/store").parent / "downloads"
        cache = current_app.extensions["sozialgraph.releases"] = ReleaseCache(folder)
    return cache


def base_url() -> str:
    pub = get_ctx().settings.get("public_url") or ""
    return (pub or request.url_root).rstrip("/")


def current_release():
    return _cache().get(get_ctx(), base_url())


def negotiate(ext: str | None = None):
    """The answer format (formats.negotiate): "html", a formats.RdfFormatInfo (Turtle, RDF/XML, JSON-LD,
    N-Triples) or None (406). The URL's ending (/katalog.ttl) if there is one, else ?format= (ttl, rdf, jsonld,
    nt, html), else the Accept header."""
    if ext is not None:
        return formats.by_extension(ext)
    return formats.negotiate(request.accept_mimetypes, request.args.get("format"))


def not_acceptable():
    return error_response(406, "Dieses Format gibt es hier nicht. Verfügbar: HTML, Turtle (text/turtle), RDF/XML "
                               "(application/rdf+xml), JSON-LD (application/ld+json), N-Triples.",
                          "Format not available. Available: HTML, Turtle, RDF/XML, JSON-LD, N-Triples.")


def parse_files(*paths: Path) -> list[ox.Quad]:
    """The triples of RDF files (for formats.serialize), each file's blank nodes its own."""
    return [t for p in paths
            for t in ox.parse(path=str(p), format=formats.rdf_format(str(p)), rename_blank_nodes=True)]


def rdf_response(triples, fmt: formats.RdfFormatInfo, filename: str) -> Response:
    resp = Response(formats.serialize(triples, fmt), mimetype=fmt.media_type)
    if fmt.media_type.startswith("text/"):
        resp.headers["Content-Type"] = f"{fmt.media_type}; charset=utf-8"
    resp.headers["Content-Disposition"] = f'inline; filename="{filename}.{fmt.key}"'
    resp.headers["Vary"] = "Accept"
    return resp


# -- catalogue -----------------------------------------------------------------------------------------------
@bp.get("/katalog")
@bp.get("/katalog.<ext>")
def katalog(ext: str | None = None):
    fmt = negotiate(ext)
    if fmt is None:
        return not_acceptable()
    release = current_release()
    if fmt != "html":
        return rdf_response(parse_files(release.path / "katalog.ttl"), fmt, "katalog")
    graph = rdflib.Graph().parse(release.path / "katalog.ttl", format="turtle")
    return render_template("katalog.html", datasets=_datasets(graph, release, g.get("lang", "de")),
                           release=release, base=base_url())


def _text(graph: rdflib.Graph, subject, predicate, lang: str) -> str:
    return pick(graph.objects(subject, predicate), lang) or ""


def _datasets(graph: rdflib.Graph, release, lang: str) -> list[dict]:
    out = []
    for ds in sorted(graph.subjects(RDF.type, DCAT.Dataset), key=str):
        dists = []
        for d in graph.objects(ds, DCAT.distribution):
            url = str(graph.value(d, DCAT.downloadURL))
            name = url.rsplit("/", 1)[-1]
            entry = release.file(name)
            dists.append({"title": _text(graph, d, DCTERMS.title, lang), "href": f"/downloads/{name}",
                          "name": name, "media_type": entry.media_type if entry else "",
                          "size": entry.size if entry else 0, "sha256": entry.sha256 if entry else ""})
        out.append({"iri": str(ds), "title": _text(graph, ds, DCTERMS.title, lang),
                    "description": _text(graph, ds, DCTERMS.description, lang),
                    "modified": str(graph.value(ds, DCTERMS.modified) or ""),
                    "distributions": sorted(dists, key=lambda x: x["name"])})
    out.sort(key=lambda d: (not d["iri"].endswith("/sozialgraph"), d["title"]))
    return out


# -- downloads -----------------------------------------------------------------------------------------------
@bp.get("/downloads/")
@bp.get("/downloads")
def downloads_index():
    return redirect("/katalog", code=303)


@bp.get("/downloads/<name>")
def download(name: str):
    if not SAFE_NAME.fullmatch(name) or name == "release.json":
        return error_response(404, f"Keine Datei '{name}' in der aktuellen Veröffentlichung.",
                              f"No file '{name}' in the current release.")
    release = current_release()
    entry = release.file(name)
    if entry is None and name != CHECKSUMS:
        return error_response(404, f"Keine Datei '{name}' in der aktuellen Veröffentlichung (siehe /katalog).",
                              f"No file '{name}' in the current release (see /katalog).")
    path = release.path / name
    resp = send_file(path, mimetype=media_type_of(name), conditional=True, etag=False, max_age=300)
    if entry is not None:
        digest = base64.b64encode(bytes.fromhex(entry.sha256)).decode()
        resp.set_etag(entry.sha256)
        resp.headers["Repr-Digest"] = f"sha-256=:{digest}:"
        resp.headers["Digest"] = f"sha-256={digest}"
        resp.headers["X-Checksum-SHA256"] = entry.sha256
    if name.endswith(".nt.gz"):
        resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Link"] = '</katalog>; rel="describedby"; type="text/turtle"'
    return resp


# -- ontology documentation ----------------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _ontology(mtime: float) -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")


def ontology_graph() -> rdflib.Graph:
    return _ontology(ONTOLOGY_FILE.stat().st_mtime)


def _local(iri: str) -> str:
    return iri.split("#", 1)[1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]


def _terms(graph: rdflib.Graph, kinds, lang: str) -> list[dict]:
    out = []
    subjects = {s for k in kinds for s in graph.subjects(RDF.type, k) if str(s).startswith(ns.SG)}
    for s in subjects:
        out.append({
            "iri": str(s), "local": _local(str(s)),
            "label": _text(graph, s, RDFS.label, lang) or _local(str(s)),
            "comment": _text(graph, s, SKOS.definition, lang) or _text(graph, s, RDFS.comment, lang),
            "parents": [{"local": _local(str(p)), "iri": str(p), "internal": str(p).startswith(ns.SG)}
                        for p in graph.objects(s, RDFS.subClassOf) if isinstance(p, rdflib.URIRef)]
            + [{"local": _local(str(p)), "iri": str(p), "internal": str(p).startswith(ns.SG)}
               for p in graph.objects(s, RDFS.subPropertyOf) if isinstance(p, rdflib.URIRef)],
            "domain": [_local(str(d)) for d in graph.objects(s, RDFS.domain) if isinstance(d, rdflib.URIRef)],
            "range": [_local(str(r)) for r in graph.objects(s, RDFS.range) if isinstance(r, rdflib.URIRef)],
            "equivalent": [str(e) for p in (OWL.equivalentClass, OWL.equivalentProperty, SKOS.exactMatch,
                                            SKOS.closeMatch) for e in graph.objects(s, p)
                           if isinstance(e, rdflib.URIRef)],
        })
    return sorted(out, key=lambda t: t["local"].lower())


def _schemes(lang: str) -> list[dict]:

    rows = get_ctx().store.select(load_query("list-concept-schemes", internal=True).text, public_only=True,
                                  default_graph=[ns.G_VOCAB])
    return [{"iri": r["schema"].value, "count": int(r["anzahl"].value),
             "title": pick({t: r[f"titel_{t}"].value for t in ("de", "en") if r.get(f"titel_{t}")}, lang)
             or r["schema"].value} for r in rows]


@bp.get("/ontology")
@bp.get("/ontology.<ext>")
@bp.get("/ontology/<version>")
def ontology(ext: str | None = None, version: str | None = None):
    graph = ontology_graph()
    onto = rdflib.URIRef(ns.ONTOLOGY_IRI)
    current = str(graph.value(onto, OWL.versionInfo) or "")
    if version is not None and version != current:
        return error_response(404, f"Keine Ontologie-Version '{version}'; aktuell ist {current}.",
                              f"No ontology version '{version}'; the current one is {current}.")
    fmt = negotiate(ext)
    if fmt is None:
        return not_acceptable()
    if fmt is formats.BY_KEY["ttl"]:
        resp = send_file(ONTOLOGY_FILE, mimetype="text/turtle", conditional=True)
        resp.headers["Content-Type"] = "text/turtle; charset=utf-8"
        resp.headers["Vary"] = "Accept"
        return resp
    if fmt != "html":
        return rdf_response(parse_files(ONTOLOGY_FILE), fmt, "sozialgraph")
    lang = g.get("lang", "de")
    header = {
        "iri": ns.ONTOLOGY_IRI, "title": _text(graph, onto, DCTERMS.title, lang),
        "description": _text(graph, onto, RDFS.comment, lang) or _text(graph, onto, DCTERMS.description, lang),
        "version": current, "version_iri": str(graph.value(onto, OWL.versionIRI) or ""),
        "licence": str(graph.value(onto, DCTERMS.license) or ""),
        "modified": str(graph.value(onto, DCTERMS.modified) or ""),
        "prefix": str(graph.value(onto, rdflib.URIRef(ns.PREFIXES["vann"] + "preferredNamespacePrefix")) or "sg"),
    }
    changelog = CHANGELOG_FILE.read_text(encoding="utf-8") if CHANGELOG_FILE.is_file() else ""
    resp = Response(render_template(
        "ontology.html", o=header, changelog=changelog, schemes=_schemes(lang),
        classes=_terms(graph, [OWL.Class, RDFS.Class], lang),
        object_properties=_terms(graph, [OWL.ObjectProperty], lang),
        datatype_properties=_terms(graph, [OWL.DatatypeProperty], lang)))
    resp.headers["Vary"] = "Accept, Accept-Language"
    return resp


@bp.get("/ontology/changelog")
def changelog():
    if not CHANGELOG_FILE.is_file():
        return error_response(404, "Kein Änderungsprotokoll.", "No changelog.")
    return Response(CHANGELOG_FILE.read_text(encoding="utf-8"), mimetype="text/markdown")


@bp.get("/ontology/vokabulare.ttl")
def vocabularies():
    return _graph_dump([ns.G_VOCAB], "vokabulare")


@bp.get("/ontology/shapes.ttl")
def shapes():
    files = sorted(SHAPES_DIR.glob("*.ttl"))
    if not files:
        return error_response(404, "Keine Shapes vorhanden.", "No shapes.")
    return rdf_response(parse_files(*files), formats.BY_KEY["ttl"], "shapes")


def _graph_dump(graphs: list[str], name: str) -> Response:
    import io

    buf = io.BytesIO()
    get_ctx().store.dump(buf, "ttl", graphs=[x for x in graphs if ns.is_public_graph(x)])
    resp = Response(buf.getvalue(), mimetype="text/turtle")
    resp.headers["Content-Type"] = "text/turtle; charset=utf-8"
    resp.headers["Content-Disposition"] = f'inline; filename="{name}.ttl"'
    return resp
