"""RDF submissions (Turtle, JSON-LD, N-Triples) in the ontology's terms.

The file describes the office's offers directly. Reading parses it with pyoxigraph (syntax errors keep their line
and column), checks that every statement is about the office's own things, in the IRI patterns of
docs/CONVENTIONS.md and with the class that pattern stands for: its offers (…/id/angebot/{office}/…, sg:Offer),
their places and addresses (…/id/standort/{office}/…, sg:Place or schema:PostalAddress) and providers
(…/id/traeger/{slug of the name}, sg:Provider). Nothing else may be a subject: not another office's offer, not a
Stadtteil, an office, a concept or an ontology term, not a blank node. What these things may state is the
template's form, checked by the closed shapes (shapes/shapes.ttl). Then the address and coordinates of
confidential offers move into the private part.
"""

from __future__ import annotations

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.capture.common import IngestError, Problem, Staged
from sozialgraph.capture.mapping import (ADDRESS, EXAMPLE, LABEL, LOCATION, OFFER, PLACE, POSTAL_ADDRESS, PROVIDER,
                                         RDF_TYPE, TRUE)

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
    staged.problems.extend(subject_problems(by_subject, office_code))
    for t in triples:
        if t in secret_triples or t.subject in secret_subjects:
            staged.private.append(t)
        else:
            staged.public.append(t)
    if example_data:
        staged.public.extend(ox.Triple(o, EXAMPLE, TRUE) for o in offers)
    return staged


# -- closed submissions: which subjects a submission may describe ------------------------------------------------
LEGAL_FORMS = ("e-v", "ev", "e-k", "ggmbh", "gmbh", "mbh", "ag", "gag", "eg", "kg", "kgaa", "ug", "gug", "ggmbh-i-g")
FOREIGN = (  # IRI prefix below ns.ID -> what it is (de, en), for the message about a subject outside the patterns
    ("angebot/", "ein Angebot eines anderen Amts", "an offer of another office"),
    ("standort/", "ein Standort eines anderen Amts", "a place of another office"),
    ("stadtteil/", "ein Stadtteil", "a quarter (Stadtteil)"),
    ("stadtbezirk/", "ein Stadtbezirk", "a borough (Stadtbezirk)"),
    ("sozialraum/", "ein Sozialraum", "a planning area (Sozialraum)"),
    ("stadt/", "die Stadt", "the city"),
    ("org/", "ein Amt oder Dezernat", "an office or department"),
    ("ziel/", "ein Ziel", "a goal"),
    ("bedarf/", "ein Bedarf", "a need"),
    ("massnahme/", "eine Maßnahme", "a measure"),
    ("indikator/", "ein Indikator", "an indicator"),
    ("beobachtung/", "ein Indikatorwert", "an indicator observation"),
    ("einreichung/", "eine Einreichung", "a submission"),
)


def provider_slug_ok(local: str, label: str) -> bool:
    """A provider's IRI is the slug of its name (docs/CONVENTIONS.md); the legal form (e. V., gGmbH …) may be left
    out of the IRI."""
    name = ns.slug(label)
    if name == local:
        return True
    return any(name == f"{local}-{form}" for form in LEGAL_FORMS)


def _what(iri: str) -> tuple[str, str]:
    if iri.startswith(ns.PREFIXES["sg"]):
        return "ein Begriff der Ontologie", "a term of the ontology"
    if iri.startswith(ns.ID):
        rest = iri[len(ns.ID):]
        for prefix, de, en in FOREIGN:
            if rest.startswith(prefix):
                return de, en
        return "ein Begriff aus Vokabular oder Stammdaten", "a vocabulary or reference term"
    return "eine fremde Ressource", "a resource of somebody else"


def subject_problems(by_subject: dict, office_code: str) -> list[Problem]:
    """Every subject of the submission in one of the office's IRI patterns, with that pattern's class; a provider's
    IRI the slug of its name. One Violation per subject that is not."""
    offer_ns, place_ns, provider_ns = (f"{ns.ID}angebot/{office_code}/", f"{ns.ID}standort/{office_code}/",
                                       f"{ns.ID}traeger/")
    out: list[Problem] = []

    def bad(subject, de, en, value=None):  # no path: it would name the shape of that path, and none applies
        out.append(Problem("Violation", de, en, focus=subject.value if isinstance(subject, ox.NamedNode)
                           else str(subject), value=value))

    for subj, ts in by_subject.items():
        types = {t.object for t in ts if t.predicate == RDF_TYPE}
        if not isinstance(subj, ox.NamedNode):
            if OFFER not in types:  # a blank-node offer is reported above
                bad(subj, "Leere Knoten (ohne IRI) sind in einer Einreichung nicht erlaubt; jede Ressource braucht "
                          "die IRI, die die Erfassungsvorlage vergibt (Angebot, Standort, Adresse, Träger).",
                    "Blank nodes (without IRI) are not allowed in a submission; every resource needs the IRI the "
                    "template gives it (offer, place, address, provider).")
            continue
        iri = subj.value
        if iri.startswith(offer_ns) and "/" not in iri[len(offer_ns):] and iri[len(offer_ns):]:
            if OFFER not in types:
                bad(subj, f"Unter {offer_ns} stehen nur Angebote (sg:Offer); diese Ressource ist keines.",
                    f"Only offers (sg:Offer) live under {offer_ns}; this resource is none.")
        elif iri.startswith(place_ns) and iri[len(place_ns):]:
            if not types & {PLACE, POSTAL_ADDRESS}:
                bad(subj, f"Unter {place_ns} stehen nur Standorte (sg:Place) und ihre Adressen "
                          "(schema:PostalAddress); diese Ressource ist keines von beiden.",
                    f"Only places (sg:Place) and their addresses (schema:PostalAddress) live under {place_ns}; "
                    "this resource is neither.")
        elif iri.startswith(provider_ns) and iri[len(provider_ns):] and "/" not in iri[len(provider_ns):]:
            local = iri[len(provider_ns):]
            labels = [t.object for t in ts if t.predicate == LABEL and isinstance(t.object, ox.Literal)]
            if PROVIDER not in types:
                bad(subj, "Unter …/id/traeger/ stehen nur Träger (sg:Provider); diese Ressource ist keiner.",
                    "Only providers (sg:Provider) live under …/id/traeger/; this resource is none.")
            for lab in labels:
                if not provider_slug_ok(local, lab.value):
                    bad(subj, f"Der Name '{lab.value}' passt nicht zur IRI des Trägers: ein Träger wird von "
                              "mehreren Ämtern genutzt, seine IRI ist der Name in Kleinbuchstaben "
                              f"(…/id/traeger/{ns.slug(lab.value)}). Einen anderen Namen für einen bestehenden "
                              "Träger kann eine Einreichung nicht setzen.",
                        f"The name '{lab.value}' does not match the provider's IRI: a provider is shared by "
                        f"several offices, its IRI is its name as a slug (…/id/traeger/{ns.slug(lab.value)}). A "
                        "submission cannot give an existing provider another name.", value=lab.value)
        else:
            de, en = _what(iri)
            if iri.startswith(f"{ns.ID}angebot/") or iri.startswith(f"{ns.ID}standort/"):
                de += f" (die Kennungen dieses Amts liegen unter {offer_ns} bzw. {place_ns}; Namensraum des Amts)"
                en += f" (this office's identifiers are below {offer_ns} and {place_ns}: the office's namespace)"
            bad(subj, "Eine Einreichung darf nur die Angebote des Amts, ihre Standorte und Adressen und ihre Träger "
                      f"beschreiben; diese Ressource ist {de}.",
                f"A submission may describe only the office's offers, their places and addresses and their "
                f"providers; this resource is {en}.")
    return out
