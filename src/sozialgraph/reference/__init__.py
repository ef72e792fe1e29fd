"""Load the ontology, the vocabularies and Cologne's reference data into their named graphs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.resources import PACKAGE
from sozialgraph.store import Change


# graph -> files (globs relative to the package data: ontology/, data/); see docs/CONVENTIONS.md. A glob that
# matches nothing (e.g. data/analyse/*.ttl before the method file exists) adds nothing.
SOURCES: dict[str, list[str]] = {
    ns.G_ONTOLOGY: ["ontology/sozialgraph.ttl"],
    ns.G_VOCAB: ["data/vocab/*.ttl"],
    ns.G_REFERENCE: ["data/koeln/gebiete.ttl", "data/koeln/organisation.ttl", "data/koeln/ziele.ttl",
                     "data/analyse/*.ttl"],
    ns.G_INDICATORS: ["data/koeln/indikator-definitionen.ttl", "data/koeln/indikatoren.ttl"],
    # synthetic indicator series 2020-2025 (Beispieldaten); left out (and emptied) with example_indicators=False
    ns.G_INDICATORS_EXAMPLE: ["data/beispiel/indikatoren-beispiel.ttl"],
    # example goals with targets, needs, measures and evaluations (Beispieldaten, docs/steering.md); left out
    # (and emptied) with example_steering=False
    ns.G_STEERING_EXAMPLE: ["data/beispiel/steuerung-beispiel.ttl"],
    # district polygons; `sozialgraph geodata import` replaces them area by area
    ns.G_GEO: ["data/koeln/geometrien.ttl"],
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


def init_store(store, example_indicators: bool = True, example_steering: bool = True) -> dict[str, int]:
    """Replace the reference graphs in one atomic step; returns triples per graph.

    example_indicators, example_steering (settings of the same names): load the synthetic indicator series and
    the example steering set (Beispieldaten) into ns.G_INDICATORS_EXAMPLE and ns.G_STEERING_EXAMPLE; when False
    that graph is emptied instead, so a re-init also removes it."""
    left_out = {g for g, keep in ((ns.G_INDICATORS_EXAMPLE, example_indicators),
                                  (ns.G_STEERING_EXAMPLE, example_steering)) if not keep}
    contents = {g: [] if g in left_out else read_triples(files_for(g)) for g in SOURCES}
    if is_initialized(store):
        store.replace_graphs(contents)  # a diff against what is there: cheap when little changed
    else:
        # First start: nothing references these graphs yet, so they are bulk-loaded (one transactional write of
        # the ~110,000 triples took 30 s). The reference graph, one of the two is_initialized looks for, comes
        # last in one atomic step (it has no blank nodes, so the public merge is extended, not rebuilt): an init
        # cut short before it counts as not done and is redone in full.
        for g, triples in contents.items():
            if g != ns.G_REFERENCE:
                store.write_new_graph(g, triples)
        store.rebuild_public_default()
        store.apply(Change(replace={ns.G_REFERENCE: contents[ns.G_REFERENCE]}))
    return {g: len(t) for g, t in contents.items()}


def is_initialized(store) -> bool:
    return store.has_graph(ns.G_ONTOLOGY) and store.has_graph(ns.G_REFERENCE)
