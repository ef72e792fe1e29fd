"""Load the ontology, the vocabularies and Cologne's reference data into their named graphs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.resources import PACKAGE


# graph -> files (globs relative to the package data: ontology/, data/); see docs/CONVENTIONS.md
SOURCES: dict[str, list[str]] = {
    ns.G_ONTOLOGY: ["ontology/sozialgraph.ttl"],
    ns.G_VOCAB: ["data/vocab/*.ttl"],
    ns.G_REFERENCE: ["data/koeln/gebiete.ttl", "data/koeln/organisation.ttl", "data/koeln/ziele.ttl"],
    ns.G_INDICATORS: ["data/koeln/indikator-definitionen.ttl", "data/koeln/indikatoren.ttl"],
}


def files_for(graph: str) -> list[Path]:
    out: list[Path] = []
    for pattern in SOURCES[graph]:
        out.extend(sorted(PACKAGE.glob(pattern)))
    return out


def read_triples(paths: list[Path]) -> list[ox.Triple]:
    triples: list[ox.Triple] = []
    for p in paths:
        with open(p, "rb") as fh:
            for q in ox.parse(fh, ox.RdfFormat.TURTLE, base_iri=ns.BASE):
                triples.append(ox.Triple(q.subject, q.predicate, q.object))
    return triples


def init_store(store) -> dict[str, int]:
    """Replace the reference graphs in one atomic step; returns triples per graph."""
    contents = {g: read_triples(files_for(g)) for g in SOURCES}
    store.replace_graphs(contents)
    return {g: len(t) for g, t in contents.items()}


def is_initialized(store) -> bool:
    return store.has_graph(ns.G_ONTOLOGY) and store.has_graph(ns.G_REFERENCE)
