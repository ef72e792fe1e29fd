"""The one table of RDF formats: short names, file endings, media types, pyoxigraph formats; and the one content
negotiation for RDF answers (pages, catalogue, ontology, shapes)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from sozialgraph import namespaces as ns


@dataclass(frozen=True)
class RdfFormatInfo:
    key: str  # the short name used in URLs (?format=ttl) and file endings
    media_type: str
    ox_format: ox.RdfFormat
    names: tuple[str, ...]  # other names and file endings that mean this format
    also_media: tuple[str, ...] = ()  # other media types accepted on input
    label: str = ""

    @property
    def prefixed(self) -> bool:
        """Serialisations that take a prefix map."""
        return self.ox_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD)


RDF_FORMATS: tuple[RdfFormatInfo, ...] = (
    RdfFormatInfo("ttl", "text/turtle", ox.RdfFormat.TURTLE, ("turtle",), ("application/x-turtle",), "Turtle"),
    RdfFormatInfo("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, ("json-ld",), ("application/json",),
                  "JSON-LD"),
    RdfFormatInfo("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, ("ntriples",), (), "N-Triples"),
    RdfFormatInfo("rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML, ("rdfxml", "xml", "owl"), (), "RDF/XML"),
    RdfFormatInfo("nq", "application/n-quads", ox.RdfFormat.N_QUADS, ("nquads",), (), "N-Quads"),
    RdfFormatInfo("trig", "application/trig", ox.RdfFormat.TRIG, (), (), "TriG"),
)
BY_KEY = {f.key: f for f in RDF_FORMATS}
BY_NAME = {n: f for f in RDF_FORMATS for n in (f.key, *f.names)}
BY_MEDIA = {m: f for f in RDF_FORMATS for m in (f.media_type, *f.also_media)}
# what pages and documents offer by negotiation (triple formats; datasets only as dumps)
DOCUMENT_FORMATS = tuple(BY_KEY[k] for k in ("ttl", "jsonld", "nt", "rdf"))
HTML_MEDIA = ("text/html", "application/xhtml+xml")


def info(name_or_path: str) -> RdfFormatInfo:
    """A format by short name, file name/ending or media type; ValueError with the known names otherwise."""
    text = str(name_or_path).strip()
    if text.lower().split(";")[0].strip() in BY_MEDIA:
        return BY_MEDIA[text.lower().split(";")[0].strip()]
    key = text.rsplit(".", 1)[-1].lower()
    if key in BY_NAME:
        return BY_NAME[key]
    raise ValueError(f"Unbekanntes RDF-Format '{name_or_path}' / unknown RDF format "
                     f"(bekannt/known: {', '.join(sorted(BY_NAME))})")


def rdf_format(name_or_path: str) -> ox.RdfFormat:
    return info(name_or_path).ox_format


def serialize(triples, fmt: RdfFormatInfo | str) -> bytes:
    """Triples (or quads, for dataset formats) in a format, with the project's prefixes where the format has them."""
    f = fmt if isinstance(fmt, RdfFormatInfo) else info(fmt)
    kwargs = {"prefixes": ns.PREFIXES} if f.prefixed else {}
    return ox.serialize(triples, format=f.ox_format, **kwargs)


def by_extension(ext: str | None, html: bool = True,
                 offered: tuple[RdfFormatInfo, ...] = DOCUMENT_FORMATS) -> RdfFormatInfo | str | None:
    """The format a document URL's ending names (/id/stadtteil/101.ttl, /katalog.html): "html", an offered
    RdfFormatInfo by its short name exactly, or None."""
    if ext == "html" and html:
        return "html"
    return next((f for f in offered if f.key == ext), None)


def negotiate(accept, format_param: str | None = None, html: bool = True,
              offered: tuple[RdfFormatInfo, ...] = DOCUMENT_FORMATS) -> RdfFormatInfo | str | None:
    """The answer format of a document: a ``?format=`` value wins, then the Accept header (q-values honoured).
    Returns "html", an RdfFormatInfo, or None when nothing offered is acceptable (answer 406)."""
    if format_param:
        key = format_param.strip().lower()
        if key in ("html", "htm") and html:
            return "html"
        try:
            f = info(key)
        except ValueError:
            return None
        return f if f in offered else None
    choices = (list(HTML_MEDIA) if html else []) + [f.media_type for f in offered]
    if BY_KEY["jsonld"] in offered:
        choices.append("application/json")  # JSON from a script: JSON-LD (q-values honoured like the others)
    if accept is None or not list(accept.values()):
        return "html" if html else offered[0]
    best = accept.best_match(choices)
    if best is None:
        return None
    if best in HTML_MEDIA:
        return "html"
    return BY_MEDIA[best]
