"""RDF submissions (Turtle, JSON-LD, N-Triples) in the ontology's terms.

The file describes the office's offers directly. Reading parses it with pyoxigraph (syntax errors keep their line
and column), checks that every statement is about the office's own things (its offers and places, providers,
blank nodes), and moves the address and coordinates of confidential offers into the private part.
"""

from __future__ import annotations

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.capture.common import IngestError, Problem, Staged
from sozialgraph.capture.mapping import ADDRESS, EXAMPLE, LOCATION, OFFER, RDF_TYPE, TRUE

P = ns.PREFIXES
OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "ntriples": ox.RdfFormat.N_TRIPLES}
CONFIDENTIAL = ox.NamedNode(P["sg"] + "confidential")
SECRET_PLACE_PREDICATES = {P["geo"] + "lat", P["geo"] + "long", P["schema"] + "address"}


def parse(data: bytes, fmt: str) -> list[ox.Triple]:
    try:
        quads = list(ox.parse(data, OX_FORMATS[fmt], base_iri=ns.BASE))
    except SyntaxError as exc:
        raise IngestError(f"Die Datei ist kein gültiges {fmt_name(fmt)}: {exc}",
                          f"The file is not valid {fmt_name(fmt)}: {exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise IngestError(f"Die Datei ist nicht lesbar ({fmt_name(fmt)}): {exc}",
                          f"The file cannot be read ({fmt_name(fmt)}): {exc}") from None
    if any(q.graph_name != ox.DefaultGraph() for q in quads):
        raise IngestError("Die Datei enthält benannte Graphen; eingereicht wird ein einzelner Graph.",
                          "The file contains named graphs; a submission is one graph.")
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def fmt_name(fmt: str) -> str:
    return {"turtle": "Turtle", "jsonld": "JSON-LD", "ntriples": "N-Triples"}[fmt]


def read_rdf(data: bytes, fmt: str, *, office_iri: str, office_code: str, example_data: bool = False) -> Staged:
    triples = parse(data, fmt)
    if not triples:
        raise IngestError("Die Datei enthält keine Aussagen.", "The file contains no statements.")
    staged = Staged(fmt=fmt)
    offers = [t.subject for t in triples if t.predicate == RDF_TYPE and t.object == OFFER]
    if not offers:
        raise IngestError("Die Datei enthält kein Angebot (sg:Offer).", "The file contains no offer (sg:Offer).")
    own = (f"{ns.ID}angebot/{office_code}/", f"{ns.ID}standort/{office_code}/", f"{ns.ID}traeger/")
    offer_prefix = own[0]
    confidential = {t.subject for t in triples if t.predicate == CONFIDENTIAL and t.object == TRUE}
    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    seen = set()
    for o in offers:
        if o in seen:
            continue
        seen.add(o)
        if isinstance(o, ox.NamedNode):
            staged.offers.append(o.value)
            if not o.value.startswith(offer_prefix):
                staged.problems.append(Problem(
                    "Violation",
                    f"Die IRI des Angebots liegt nicht im Namensraum des Amts ({offer_prefix}{{Kennung}}).",
                    f"The offer's IRI is not in the office's namespace ({offer_prefix}{{kennung}}).",
                    focus=o.value))
        else:
            staged.problems.append(Problem(
                "Violation", "Ein Angebot braucht eine IRI (keinen leeren Knoten).",
                "An offer needs an IRI (not a blank node).", focus=str(o)))
    # ownership: everything reachable from an offer belongs to it (for chunking and for the confidential split)
    secret_subjects: set = set()
    secret_triples: set = set()
    for o in offers:
        stack, visited = [o], {o}
        while stack:
            s = stack.pop()
            if isinstance(s, ox.NamedNode):
                staged.owner.setdefault(s.value, o.value if isinstance(o, ox.NamedNode) else str(o))
            for t in by_subject.get(s, []):
                if isinstance(t.object, (ox.NamedNode, ox.BlankNode)) and t.object in by_subject \
                        and t.object not in visited and t.predicate != RDF_TYPE:
                    visited.add(t.object)
                    stack.append(t.object)
        if o in confidential:
            for t in by_subject.get(o, []):
                if t.predicate == LOCATION:
                    for pt in by_subject.get(t.object, []):
                        if pt.predicate.value in SECRET_PLACE_PREDICATES:
                            secret_triples.add(pt)
                            if pt.predicate == ADDRESS:
                                secret_subjects.add(pt.object)
    for s in by_subject:
        if isinstance(s, ox.NamedNode) and not s.value.startswith(own):
            staged.problems.append(Problem(
                "Violation",
                "Eine Einreichung darf nur Angebote des Amts, ihre Standorte und Träger beschreiben, nicht diese "
                "Ressource.",
                "A submission may describe only the office's offers, their places and providers, not this resource.",
                focus=s.value))
    for t in triples:
        if t in secret_triples or t.subject in secret_subjects:
            staged.private.append(t)
        else:
            staged.public.append(t)
    if example_data:
        staged.public.extend(ox.Triple(o, EXAMPLE, TRUE) for o in offers)
    return staged
