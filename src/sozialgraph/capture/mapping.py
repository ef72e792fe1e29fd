"""Template rows -> RDF (docs/CONVENTIONS.md "Core terms"), split into the public and the confidential part.

Every subject minted for a row (offer, place, address) remembers its row, so that a SHACL result on (focus, path)
points back to "Zeile 14, Spalte zielgruppen". Values that do not resolve (unknown vocabulary value, bad number or
date) are reported here, with suggestions, and left out of the graph; SHACL then checks the graph itself.
"""

from __future__ import annotations

import datetime as dt
import re

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.errors import UnknownValue
from sozialgraph.capture.common import Problem, Staged
from sozialgraph.capture.template import BY_NAME, Table

P = ns.PREFIXES
NN = ox.NamedNode
RDF_TYPE = NN(P["rdf"] + "type")
XSD_DATE = NN(P["xsd"] + "date")
XSD_DECIMAL = NN(P["xsd"] + "decimal")
XSD_INTEGER = NN(P["xsd"] + "integer")
XSD_BOOLEAN = NN(P["xsd"] + "boolean")
TRUE = ox.Literal("true", datatype=XSD_BOOLEAN)
FALSE = ox.Literal("false", datatype=XSD_BOOLEAN)

OFFER = NN(P["sg"] + "Offer")
PLACE = NN(P["sg"] + "Place")
PROVIDER = NN(P["sg"] + "Provider")
POSTAL_ADDRESS = NN(P["schema"] + "PostalAddress")


def term(prefix: str, local: str) -> ox.NamedNode:
    return NN(P[prefix] + local)


PRED = {c.name: NN(c.path) for c in BY_NAME.values() if c.path}
LOCATION = term("sg", "location")
ADDRESS = term("schema", "address")
QUARTER = term("sg", "quarter")
LABEL = term("rdfs", "label")
EXAMPLE = term("sg", "exampleData")
MODIFIED = term("dcterms", "modified")

YES = {"ja", "j", "yes", "y", "true", "wahr", "1", "x"}
NO = {"nein", "n", "no", "false", "falsch", "0", ""}


def offer_iri(office_code: str, kennung: str) -> str:
    return f"{ns.ID}angebot/{office_code}/{ns.slug(kennung)}"


def place_iri(office_code: str, kennung: str) -> str:
    return f"{ns.ID}standort/{office_code}/{ns.slug(kennung)}"


def provider_iri(name: str) -> str:
    return f"{ns.ID}traeger/{ns.slug(name)}"


def parse_date(text: str) -> dt.date:
    t = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return dt.date.fromisoformat(t)
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", t)
    if m:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    raise ValueError(t)


def parse_decimal(text: str) -> str:
    t = text.strip().replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", t):
        raise ValueError(text)
    return t


def parse_count(text: str) -> int:
    t = text.strip().replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", text.strip()) else text.strip()
    if re.fullmatch(r"\d+([.,]0+)?", t):
        return int(re.split(r"[.,]", t)[0])
    raise ValueError(text)


class _Mapper:
    def __init__(self, office_iri: str, office_code: str, resolver, example_data: bool, today: str | None):
        self.office = NN(office_iri)
        self.code = office_code
        self.resolver = resolver
        self.example_data = example_data
        self.today = ox.Literal(today or dt.date.today().isoformat(), datatype=XSD_DATE)
        self.cache: dict[tuple[str, str], str | UnknownValue] = {}
        self.staged = Staged(fmt="csv")
        self.providers: set[str] = set()
        self.kennungen: dict[str, tuple[int, str]] = {}

    def problem(self, row: int, column: str, de: str, en: str, focus: str | None, value: str | None = None,
                severity: str = "Violation") -> None:
        col = BY_NAME.get(column)
        self.staged.problems.append(Problem(severity, de, en, row=row, column=column, focus=focus,
                                            path=col.path if col else None, value=value))

    def resolve(self, kind: str, value: str) -> str:
        key = (kind, ns.fold(value))
        hit = self.cache.get(key)
        if hit is None:
            try:
                hit = self.resolver.resolve(kind, value)
            except UnknownValue as exc:
                hit = exc
            self.cache[key] = hit
        if isinstance(hit, UnknownValue):
            raise UnknownValue(hit.kind, value.strip(), hit.suggestions)
        return hit

    def concepts(self, row: int, column: str, raw: str, focus: str) -> list[ox.NamedNode]:
        col = BY_NAME[column]
        parts = [p.strip() for p in raw.split(";")] if col.multi else [raw.strip()]
        out = []
        for part in parts:
            if not part:
                continue
            try:
                out.append(NN(self.resolve(col.kind, part)))
            except UnknownValue as exc:
                self.problem(row, column, exc.message("de"), exc.message("en"), focus, part)
        if not col.multi and ";" in raw:
            self.problem(row, column, f"Nur ein Wert erlaubt, nicht '{raw}'.", f"Only one value allowed, not "
                         f"'{raw}'.", focus, raw)
            return []
        return out

    def map_row(self, row: int, v: dict[str, str]) -> None:
        st = self.staged
        kennung = v.get("kennung", "")
        if not kennung:
            self.problem(row, "kennung", "Die Kennung fehlt; jedes Angebot braucht eine eigene Kennung.",
                         "The identifier (kennung) is missing; every offer needs one.", None)
            return
        s = offer_iri(self.code, kennung)
        if s in self.kennungen:
            first_row, first = self.kennungen[s]
            same = "dieselbe Kennung" if first == kennung else f"eine gleichwertige Kennung ('{first}')"
            self.problem(row, "kennung", f"Die Kennung '{kennung}' ist doppelt: Zeile {first_row} hat {same}.",
                         f"The identifier '{kennung}' is a duplicate: row {first_row} has the same one.", s, kennung)
            return
        self.kennungen[s] = (row, kennung)
        st.offers.append(s)
        st.rows[s] = row
        st.owner[s] = s
        subj = NN(s)
        pub: list[ox.Triple] = st.public
        priv: list[ox.Triple] = st.private

        def add(p, o, target=pub, subject=subj):
            target.append(ox.Triple(subject, p, o))

        add(RDF_TYPE, OFFER)
        add(PRED["kennung"], ox.Literal(kennung))
        for col in ("bezeichnung", "beschreibung"):
            if v.get(col):
                add(PRED[col], ox.Literal(v[col], language="de"))
        for col in ("angebotsart", "zielgruppen", "lebenslagen", "reichweite", "ziele", "barrierefrei", "kosten",
                    "sprachen"):
            if v.get(col):
                for c in self.concepts(row, col, v[col], s):
                    add(PRED[col], c)
        if v.get("traeger"):
            prov = provider_iri(v["traeger"])
            add(PRED["traeger"], NN(prov))
            if prov not in self.providers:
                self.providers.add(prov)
                pub.append(ox.Triple(NN(prov), RDF_TYPE, PROVIDER))
                pub.append(ox.Triple(NN(prov), LABEL, ox.Literal(v["traeger"], language="de")))
        office = [self.office]
        if v.get("amt"):
            office = self.concepts(row, "amt", v["amt"], s)
        for o in office:
            add(PRED["amt"], o)

        confidential = False
        if v.get("vertraulich"):
            flag = ns.fold(v["vertraulich"])
            if flag in YES:
                confidential = True
            elif flag not in NO:
                self.problem(row, "vertraulich", f"'{v['vertraulich']}' ist kein gültiger Wert; erlaubt: ja, nein.",
                             f"'{v['vertraulich']}' is not valid; allowed: ja, nein.", s, v["vertraulich"])
            add(PRED["vertraulich"], TRUE if confidential else FALSE)

        quarter = self.concepts(row, "stadtteil", v["stadtteil"], s) if v.get("stadtteil") else []
        for q in quarter:
            add(QUARTER, q)
        if v.get("stadtbezirk"):
            for b in self.concepts(row, "stadtbezirk", v["stadtbezirk"], s):
                add(PRED["stadtbezirk"], b)

        # the place: public part (label, quarter), confidential part (address, coordinates) when vertraulich
        street = " ".join(x for x in (v.get("strasse", ""), v.get("hausnummer", "")) if x)
        has_address = bool(street or v.get("plz") or v.get("ort"))
        lat = lon = None
        for col in ("breitengrad", "laengengrad"):
            if v.get(col):
                try:
                    val = ox.Literal(parse_decimal(v[col]), datatype=XSD_DECIMAL)
                except ValueError:
                    self.problem(row, col, f"'{v[col]}' ist keine Dezimalzahl (z. B. 50,9375).",
                                 f"'{v[col]}' is not a decimal number (e.g. 50.9375).", place_iri(self.code, kennung),
                                 v[col])
                    continue
                if col == "breitengrad":
                    lat = val
                else:
                    lon = val
        if has_address or lat is not None or lon is not None:
            pl_iri = place_iri(self.code, kennung)
            pl = NN(pl_iri)
            st.rows[pl_iri] = row
            st.owner[pl_iri] = s
            add(LOCATION, pl)
            add(RDF_TYPE, PLACE, subject=pl)
            if v.get("bezeichnung"):
                add(LABEL, ox.Literal(v["bezeichnung"], language="de"), subject=pl)
            for q in quarter:
                add(QUARTER, q, subject=pl)
            secret = priv if confidential else pub
            if lat is not None:
                add(PRED["breitengrad"], lat, target=secret, subject=pl)
            if lon is not None:
                add(PRED["laengengrad"], lon, target=secret, subject=pl)
            if has_address:
                ad_iri = pl_iri + "/adresse"
                ad = NN(ad_iri)
                st.rows[ad_iri] = row
                st.owner[ad_iri] = s
                add(ADDRESS, ad, target=secret, subject=pl)
                add(RDF_TYPE, POSTAL_ADDRESS, target=secret, subject=ad)
                if street:
                    add(PRED["strasse"], ox.Literal(street), target=secret, subject=ad)
                if v.get("plz"):
                    add(PRED["plz"], ox.Literal(v["plz"]), target=secret, subject=ad)
                add(PRED["ort"], ox.Literal(v.get("ort") or "Köln"), target=secret, subject=ad)

        for col in ("telefon", "email", "oeffnungszeiten"):
            if v.get(col):
                add(PRED[col], ox.Literal(v[col]))
        if v.get("website"):
            url = v["website"].strip()
            scheme = re.match(r"([a-z][a-z0-9+.-]*):(?!\d)", url, re.I)  # 'www.x.de:8080' is a host, not a scheme
            if scheme and scheme.group(1).lower() not in ("http", "https"):
                self.problem(row, "website", f"'{v['website']}' ist keine http(s)-Adresse; erlaubt sind nur "
                             "Webseiten mit http:// oder https:// (nicht javascript:, data:, file: o. Ä.).",
                             f"'{v['website']}' is not an http(s) address; only web sites with http:// or https:// "
                             "are allowed (not javascript:, data:, file: or the like).", s, v["website"])
            else:
                url = scheme.group(1).lower() + url[len(scheme.group(1)):] if scheme else "https://" + url
                try:
                    if " " in url or "." not in url or not re.match(r"https?://[^/?#\s@]+([/?#]|$)", url, re.I):
                        raise ValueError(url)
                    add(PRED["website"], NN(url))
                except ValueError:
                    self.problem(row, "website", f"'{v['website']}' ist keine gültige Web-Adresse.",
                                 f"'{v['website']}' is not a valid web address.", s, v["website"])
        for col in ("gueltig_ab", "gueltig_bis"):
            if v.get(col):
                try:
                    add(PRED[col], ox.Literal(parse_date(v[col]).isoformat(), datatype=XSD_DATE))
                except ValueError:
                    self.problem(row, col, f"'{v[col]}' ist kein gültiges Datum (2026-01-31 oder 31.01.2026).",
                                 f"'{v[col]}' is not a valid date (2026-01-31 or 31.01.2026).", s, v[col])
        for col in ("alter_von", "alter_bis", "plaetze", "erreichte_personen"):
            if v.get(col):
                try:
                    add(PRED[col], ox.Literal(str(parse_count(v[col])), datatype=XSD_INTEGER))
                except ValueError:
                    self.problem(row, col, f"'{v[col]}' ist keine ganze Zahl ≥ 0.",
                                 f"'{v[col]}' is not a whole number ≥ 0.", s, v[col])
        if self.example_data:
            add(EXAMPLE, TRUE)
        add(MODIFIED, self.today)


def map_rows(table: Table, *, office_iri: str, office_code: str, resolver, example_data: bool = False,
             today: str | None = None) -> Staged:
    m = _Mapper(office_iri, office_code, resolver, example_data, today)
    for row, values in table.rows:
        m.map_row(row, values)
    return m.staged
