"""The one VoID builder: the description of the public dataset served at /.well-known/void and written into every
release (void.ttl). The whole dataset is the public default graph (the merge of the public graphs, each triple
once), so its void:triples equals COUNT(*) over the default graph at the endpoint and the lines of the N-Triples
dump; subsets are the public named graphs (endpoint) or the office datasets (release)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from sozialgraph import namespaces as ns

VOID = ns.PREFIXES["void"]
DCT = ns.PREFIXES["dcterms"]
RDF_TYPE = ox.NamedNode(ns.PREFIXES["rdf"] + "type")
XSD_INT = ox.NamedNode(ns.PREFIXES["xsd"] + "integer")
FORMATS = ("Turtle", "N-Triples", "JSON-LD")
VOCABULARIES = (ns.SG, ns.PREFIXES["skos"], ns.PREFIXES["dcterms"], ns.PREFIXES["schema"], ns.PREFIXES["org"],
                ns.PREFIXES["geo"], ns.PREFIXES["prov"], ns.PREFIXES["qb"])


@dataclass
class Subset:
    iri: str
    triples: int
    title_de: str | None = None
    entities: int | None = None  # offers in it
    dumps: list[str] = field(default_factory=list)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(int(n)), datatype=XSD_INT)


def build_void(whole: str, endpoint: str, triples: int, subsets: list[Subset], *, licence: str = "",
               title_de: str | None = None, dumps: list[str] = (),
               class_partitions: list[tuple[str, int]] = ()) -> list[ox.Triple]:
    w = ox.NamedNode(whole)
    ep = ox.NamedNode(endpoint)
    out = [ox.Triple(w, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
           ox.Triple(w, ox.NamedNode(VOID + "sparqlEndpoint"), ep),
           ox.Triple(w, ox.NamedNode(VOID + "uriSpace"), ox.Literal(ns.ID)),
           ox.Triple(w, ox.NamedNode(VOID + "triples"), _int(triples))]
    if title_de:
        out.append(ox.Triple(w, ox.NamedNode(DCT + "title"), ox.Literal(title_de, language="de")))
    if licence:
        out.append(ox.Triple(w, ox.NamedNode(DCT + "license"), ox.NamedNode(licence)))
    out += [ox.Triple(w, ox.NamedNode(VOID + "vocabulary"), ox.NamedNode(v)) for v in VOCABULARIES]
    out += [ox.Triple(w, ox.NamedNode(VOID + "dataDump"), ox.NamedNode(d)) for d in dumps]
    out += _features(w)
    for s in subsets:
        node = ox.NamedNode(s.iri)
        out += [ox.Triple(w, ox.NamedNode(VOID + "subset"), node),
                ox.Triple(node, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
                ox.Triple(node, ox.NamedNode(VOID + "triples"), _int(s.triples)),
                ox.Triple(node, ox.NamedNode(VOID + "sparqlEndpoint"), ep)]
        if s.title_de:
            out.append(ox.Triple(node, ox.NamedNode(DCT + "title"), ox.Literal(s.title_de, language="de")))
        if s.entities is not None:
            out.append(ox.Triple(node, ox.NamedNode(VOID + "entities"), _int(s.entities)))
        out += [ox.Triple(node, ox.NamedNode(VOID + "dataDump"), ox.NamedNode(d)) for d in s.dumps]
        if s.dumps:
            out += _features(node)
    for i, (cls, n) in enumerate(class_partitions, 1):
        part = ox.NamedNode(f"{whole}/klasse/{i}")
        out += [ox.Triple(w, ox.NamedNode(VOID + "classPartition"), part),
                ox.Triple(part, ox.NamedNode(VOID + "class"), ox.NamedNode(cls)),
                ox.Triple(part, ox.NamedNode(VOID + "entities"), _int(n))]
    return out


def _features(node: ox.NamedNode) -> list[ox.Triple]:
    return [ox.Triple(node, ox.NamedNode(VOID + "feature"), ox.NamedNode(f"http://www.w3.org/ns/formats/{f}"))
            for f in FORMATS]
