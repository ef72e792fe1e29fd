"""Indicator import: a CSV of figures -> qb:Observations -> SHACL + Data Cube ICs -> a new version of a dataset.

Two formats (docs/indicators.md), both read with the csv module, UTF-8 with or without BOM:

- ``datenkatalog``: Cologne's Statistischer Datenkatalog: semicolons, decimal comma, columns RAUMEBENE
  (Gesamtstadt, Stadtbezirke, Stadtteile), RAUM ("101 / Altstadt/Süd"), S_JAHR, then one column per Merkmal code
  (A0025A …), mapped to indicators by their sg:merkmalCode. "*" is a suppressed value; empty, "." and "-" are no
  observation.
- ``long``: one observation per row: raumebene, raum_nr, indikator (our code or a Merkmal code), jahr or stichtag,
  wert, einheit, quelle, lizenz, aufschluesselung, status, bezirk_nr; comma or semicolon (sniffed).

Areas are matched by level and number, never by name (Porz, Mülheim, Nippes, Ehrenfeld, Lindenthal and
Rodenkirchen are each a Stadtbezirk and a Stadtteil); a name that disagrees with the number is a Warning. Every
problem of the file goes into one report with row and column; any Violation (reading, SHACL in
shapes/shapes_indicators.ttl, or a W3C Data Cube integrity constraint, capture/cube.py) and nothing is stored.

Storing follows capture/submissions.py: an accepted import is version n of dataset ``key``
(…/id/datensatz/indikatoren-{key}); (1) the version graphs …/graph/private/version/indikatoren-{key}/{n}/public
(the observations) and …/private (the synthetic observations it replaced) are written first, (2) one atomic change
makes the version current in ns.indicator_graph(key), deletes the synthetic observations of the imported
indicators from ns.G_INDICATORS_EXAMPLE ("a city that imports its own file replaces it") and records the
provenance. Rollback makes an earlier version current again as a new version and restores the synthetic
observations the later ones had replaced.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.errors import SozialgraphError
from sozialgraph.resources import DATA_DIR, SHAPES_DIR
from sozialgraph.capture import cube
from sozialgraph.capture.submissions import _private_provenance, resolve_office
from sozialgraph.capture.validate import (Item, Report, _get_pool, _reset_pool, rdflib_graph, results_of,
                                         support_triples)
from sozialgraph.sparql.saved import load_query
from sozialgraph.store.base import Change, nt_bytes

P = ns.PREFIXES
NN = ox.NamedNode
XSD = P["xsd"]
RDF_TYPE = NN(P["rdf"] + "type")
SHAPES_FILE = "shapes_indicators.ttl"
FORMATS = ("datenkatalog", "long")
DEFAULT_KEY = {"datenkatalog": "datenkatalog", "long": "import"}
DEFINITIONS_KEY = "definitionen"
CITY = ns.ID + "stadt/koeln"
BREAKDOWN_SCHEME = ns.ID + "aufschluesselung"
STATUS_SCHEME = ns.ID + "beobachtungsstatus"
TOTAL = BREAKDOWN_SCHEME + "/insgesamt"
STATUS_NORMAL = STATUS_SCHEME + "/normal"
STATUS_SUPPRESSED = STATUS_SCHEME + "/gesperrt"
SUPPRESSED_BELOW = 5  # Cologne's statistics; the Federal Employment Agency suppresses below 10
SUPPRESSED_BELOW_BA = 10
DATENKATALOG_SOURCE = "Stadt Köln, Amt für Stadtentwicklung und Statistik, Statistischer Datenkatalog"
DATENKATALOG_LICENCE = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
NO_VALUE = {"", ".", "-", "–", "—"}
SUPPRESSED = "*"
LEVELS = {"gesamtstadt": "stadt", "stadt": "stadt", "koeln": "stadt", "stadt koeln": "stadt",
          "stadtbezirk": "stadtbezirk", "stadtbezirke": "stadtbezirk", "bezirk": "stadtbezirk",
          "bezirke": "stadtbezirk", "stadtteil": "stadtteil", "stadtteile": "stadtteil"}
LEVEL_WORDS = {"stadt": ("Gesamtstadt", "city"), "stadtbezirk": ("Stadtbezirk", "borough"),
               "stadtteil": ("Stadtteil", "quarter")}
AREA_KEY = {"stadt": lambda n: "stadt-koeln", "stadtbezirk": lambda n: f"stadtbezirk-{n}",
            "stadtteil": lambda n: f"stadtteil-{n}"}
DK_REQUIRED = ("RAUMEBENE", "RAUM", "S_JAHR")
DK_BOROUGH_COLUMNS = ("STADTBEZIRK_NR", "BEZIRK_NR", "STADTBEZIRK")
LONG_REQUIRED = ("raumebene", "raum_nr", "indikator", "wert", "quelle", "lizenz")
LONG_OPTIONAL = ("jahr", "stichtag", "einheit", "aufschluesselung", "status", "bezirk_nr", "raum")


class IndicatorError(SozialgraphError, ValueError):
    """A request that cannot be carried out (unknown format or dataset key, no such version)."""


class VersionNotFound(IndicatorError, LookupError):
    status = 404


# -- the report -------------------------------------------------------------------------------------------------
class ImportReport(Report):
    """The report of an import: like a submission's, counted in observations (or indicators, for definitions)."""

    nouns = (("Beobachtung", "Beobachtungen"), ("observation", "observations"))

    def summary(self, lang: str = "de") -> str:
        v, w, n = self.violations, self.warnings, self.offers
        (de1, de2), (en1, en2) = self.nouns
        if lang == "en":
            state = "accepted" if self.conforms else "rejected"
            return (f"{n} {en1 if n == 1 else en2}, {v} error{'' if v == 1 else 's'}, "
                    f"{w} warning{'' if w == 1 else 's'}: {state}.")
        state = "angenommen" if self.conforms else "abgelehnt"
        return f"{n} {de1 if n == 1 else de2}, {v} Fehler, {w} {'Warnung' if w == 1 else 'Warnungen'}: {state}."

    def to_text(self, lang: str = "de") -> str:
        text = super().to_text(lang)
        return text.replace("Correct the rows named above (warnings may stay) and submit the whole file again.",
                            "Correct the rows and columns named above (warnings may stay) and import the whole "
                            "file again.").replace(
            "Bitte korrigieren Sie die genannten Zeilen (Warnungen dürfen bleiben) und reichen Sie die ganze Datei "
            "erneut ein.", "Bitte korrigieren Sie die genannten Zeilen und Spalten (Warnungen dürfen bleiben) und "
            "importieren Sie die ganze Datei erneut.")

    def to_dict(self) -> dict:
        d = super().to_dict()
        d["observations"] = d.pop("offers")
        return d


def _v(report: ImportReport, de: str, en: str, row: int | None = None, column: str | None = None,
       severity: str = "Violation", value: str | None = None, focus: str | None = None) -> None:
    report.items.append(Item(severity, de, en, row, column, focus, None, None, value))


@dataclass
class ImportResult:
    accepted: bool
    version: int | None
    report: ImportReport
    observations: int
    dataset: str  # key
    fmt: str
    sha256: str = ""
    file_name: str = ""
    dry_run: bool = False
    replaced: int = 0  # synthetic observations replaced
    indicators: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"accepted": self.accepted, "dataset": self.dataset, "datasetIri": dataset_iri(self.dataset),
                "version": self.version, "format": self.fmt, "observations": self.observations,
                "replacedSynthetic": self.replaced, "indicators": self.indicators, "sha256": self.sha256,
                "fileName": self.file_name, "dryRun": self.dry_run, **self.extra, "report": self.report.to_dict()}


# -- names ------------------------------------------------------------------------------------------------------
def dataset_id(key: str) -> str:
    return f"indikatoren-{key}"


def dataset_iri(key: str) -> str:
    return f"{ns.ID}datensatz/{dataset_id(key)}"


def check_key(key: str) -> str:
    key = (key or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,40}", key) or key == DEFINITIONS_KEY:
        raise IndicatorError(
            f"'{key}' ist kein möglicher Datensatzname (Kleinbuchstaben, Ziffern und -, nicht '{DEFINITIONS_KEY}').",
            f"'{key}' is not a possible dataset key (lower-case letters, digits and -, not '{DEFINITIONS_KEY}').")
    return key


def _lit(value, dtype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    return ox.Literal(str(value), datatype=NN(XSD + dtype)) if dtype else ox.Literal(str(value))


# -- what the store knows ----------------------------------------------------------------------------------------
@dataclass
class Area:
    iri: str
    level: str
    number: str
    label: str
    borough_number: str | None = None


@dataclass
class Indicator:
    iri: str
    code: str
    unit: str | None
    label: str
    merkmal: set[str] = field(default_factory=set)


@dataclass
class Known:
    """Areas, indicators, breakdowns, statuses and licences, read once per import."""

    areas: dict[tuple[str, str], Area]
    indicators: dict[str, Indicator]  # IRI -> indicator
    by_code: dict[str, str]  # folded code -> IRI
    by_merkmal: dict[str, str]  # upper-case Merkmal code -> IRI
    breakdowns: dict[str, str]  # folded notation / label -> IRI
    statuses: dict[str, str]
    withheld: set[str]
    licences: dict[str, str]  # token key / IRI -> IRI

    @classmethod
    def from_store(cls, store) -> "Known":
        areas: dict[tuple[str, str], Area] = {}
        for r in store.select(load_query("indicator-areas", internal=True).text):
            level = r["level"].value
            number = r["number"].value if "number" in r else ""
            if level == "stadt":
                number = "0"
            areas[(level, number)] = Area(r["area"].value, level, number, r["label"].value if "label" in r else "",
                                          r["boroughNumber"].value if "boroughNumber" in r else None)
        indicators: dict[str, Indicator] = {}
        for r in store.select(load_query("indicator-definitions", internal=True).text):
            iri = r["indicator"].value
            ind = indicators.setdefault(iri, Indicator(iri, r["code"].value if "code" in r else iri.rsplit("/", 1)[-1],
                                                       None, ""))
            if "unit" in r:
                ind.unit = r["unit"].value
            if "label" in r:
                ind.label = r["label"].value
            if "merkmal" in r:
                ind.merkmal.add(r["merkmal"].value.strip().upper())
        by_code = {ns.fold(i.code): i.iri for i in indicators.values()}
        by_merkmal = {m: i.iri for i in indicators.values() for m in i.merkmal}
        breakdowns: dict[str, str] = {}
        statuses: dict[str, str] = {}
        withheld: set[str] = set()
        for r in store.select(load_query("indicator-concepts", internal=True).text):
            target = breakdowns if r["scheme"].value == BREAKDOWN_SCHEME else statuses
            iri = r["concept"].value
            target[ns.fold(iri.rsplit("/", 1)[-1])] = iri
            for k in ("notation", "label"):
                if k in r:
                    target[ns.fold(r[k].value)] = iri
            if "withheld" in r and r["withheld"].value in ("true", "1"):
                withheld.add(iri)
        return cls(areas, indicators, by_code, by_merkmal, breakdowns, statuses, withheld, known_licences(store))


def _licence_key(text: str) -> frozenset[str]:
    """'DL-DE-BY-2.0', 'dl-by-de/2.0' and 'CC BY 3.0 DE' as sets of tokens (licence names differ in order)."""
    return frozenset(t for t in re.split(r"[\s/_-]+|(?<=[a-z])(?=\d)", ns.fold(text)) if t and t != "licenses")


@lru_cache(maxsize=1)
def _catalogue_licences() -> tuple[tuple[str, str], ...]:
    """Licence IRIs and labels of the DCAT-AP.de catalogue metadata (data/dcat/publication.ttl)."""
    out = []
    lic_type = NN(P["dcterms"] + "LicenseDocument")
    label = NN(P["skos"] + "prefLabel")
    triples = list(ox.parse(path=str(DATA_DIR / "dcat" / "publication.ttl"), format=ox.RdfFormat.TURTLE))
    licences = {t.subject for t in triples if t.predicate == RDF_TYPE and t.object == lic_type}
    for t in triples:
        if t.subject in licences and t.predicate == label:
            out.append((t.subject.value, t.object.value))
    out += [(s.value, "") for s in licences]
    return tuple(out)


def known_licences(store) -> dict[str, str]:
    """Names a file may give for a licence: its IRI, its label, or its short name ('DL-DE-BY-2.0', 'CC BY 3.0
    DE'), for the licences of the catalogue and those that stored observations already name."""
    pairs = list(_catalogue_licences())
    pairs += [(r["licence"].value, "") for r in store.select(load_query("indicator-licences", internal=True).text)]
    out: dict[str, str] = {}
    for iri, label in pairs:
        out[iri] = iri
        if label:
            out[ns.fold(label)] = iri
        tail = iri.split("/licenses/", 1)[-1] if "/licenses/" in iri else ""
        if tail:
            out[" ".join(sorted(_licence_key(tail)))] = iri
    return out


def resolve_licence(known: Known, text: str) -> str | None:
    text = text.strip()
    if text in known.licences:
        return known.licences[text]
    for key in (ns.fold(text), " ".join(sorted(_licence_key(text)))):
        if key in known.licences:
            return known.licences[key]
    if re.match(r"https?://\S+$", text):
        try:
            return NN(text).value
        except ValueError:
            return None
    return None


# -- reading the table --------------------------------------------------------------------------------------------
@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (file row number, cells)


def read_table(data: bytes, report: ImportReport, delimiters: str = ";,\t") -> Table | None:
    """CSV bytes -> header and rows (row 1 = header). Problems (encoding, empty, ragged rows) into the report."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        _v(report, f"Die Datei ist nicht in UTF-8 kodiert (erstes fremdes Byte in Zeile {line}). Bitte als CSV "
                   f"UTF-8 speichern.", f"The file is not UTF-8 encoded (first foreign byte in row {line}). Please "
                   f"save it as CSV UTF-8.", row=line)
        return None
    if not text.strip():
        _v(report, "Die Datei ist leer.", "The file is empty.")
        return None
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in delimiters}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    try:
        for cells in reader:
            n = reader.line_num
            if header is None:
                header = [c.strip() for c in cells]
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                _v(report, f"Die Zeile hat {len(cells)} Felder, die Kopfzeile {len(header)}. Bitte Trennzeichen "
                           f"'{delimiter}' in Werten in Anführungszeichen setzen.",
                   f"The row has {len(cells)} fields, the header {len(header)}. Please quote values that contain "
                   f"the separator '{delimiter}'.", row=n)
                continue
            rows.append((n, [c.strip() for c in cells]))
    except csv.Error as exc:
        _v(report, f"Die CSV-Datei ist fehlerhaft: {exc}.", f"The CSV file is malformed: {exc}.",
           row=reader.line_num)
        return None
    if header is None or not any(header):
        _v(report, "Die Datei ist leer.", "The file is empty.")
        return None
    if not rows and report.conforms:
        _v(report, "Die Datei hat eine Kopfzeile, aber keine Datenzeilen.", "The file has a header but no data rows.",
           row=1)
    return Table(header, rows)


def detect_format(header: list[str]) -> str | None:
    names = {h.strip().lower() for h in header}
    if "indikator" in names:
        return "long"
    if {"raumebene", "raum"} <= names:
        return "datenkatalog"
    return None


def parse_number(text: str, decimal_comma: bool) -> Decimal | None:
    """'1.234,5' (decimal comma, thousands dots) or '1234.5' (decimal point) -> Decimal; None if it is no number."""
    t = text.replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if decimal_comma and re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?", t):
        t = t.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[+-]?\d+,\d+", t):
        t = t.replace(",", ".")
    elif not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", t):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def decimal_lexical(d: Decimal) -> str:
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".") or "0"
    return s


# -- rows -> observations -------------------------------------------------------------------------------------------
@dataclass
class Cell:
    """One figure of the file, with where it came from."""

    row: int
    column: str  # the column of the value (for messages)
    area: Area
    indicator: Indicator
    year: int
    date: str | None
    value: Decimal | None  # None: suppressed
    breakdown: str
    status: str
    source: str
    licence: str
    unit: str | None = None
    suppressed_below: int = SUPPRESSED_BELOW


class Reader:
    """Reads the rows of either format into Cells, reporting every problem with row and column."""

    def __init__(self, known: Known, report: ImportReport, today: dt.date):
        self.known, self.report, self.today = known, report, today

    def violation(self, de, en, row, column, value=None):
        _v(self.report, de, en, row, column, value=value)

    # areas
    def area(self, level_text: str, number_text: str, name: str, row: int, level_col: str, number_col: str,
             borough_text: str = "", borough_col: str = "") -> Area | None:
        level = LEVELS.get(ns.fold(level_text))
        if level is None:
            self.violation(f"'{level_text}' ist keine Raumebene; erlaubt: Gesamtstadt, Stadtbezirke, Stadtteile.",
                           f"'{level_text}' is no area level; allowed: Gesamtstadt, Stadtbezirke, Stadtteile.",
                           row, level_col, level_text)
            return None
        number = number_text.strip()
        if level == "stadt":
            if number not in ("", "0", "05315000"):
                self.violation(f"Für die Gesamtstadt ist die Nummer 0 (oder leer), nicht '{number}'.",
                               f"The city's number is 0 (or empty), not '{number}'.", row, number_col, number)
                return None
            number = "0"
        elif not number:
            self.violation("Die Gebietsnummer fehlt. Gebiete werden über Raumebene und Nummer zugeordnet, nie über "
                           "den Namen allein (Porz, Mülheim, Nippes … sind Stadtbezirk und Stadtteil).",
                           "The area number is missing. Areas are matched by level and number, never by name alone "
                           "(Porz, Mülheim, Nippes … are both a borough and a quarter).", row, number_col)
            return None
        number = number.lstrip("0") or "0" if level != "stadt" and number.isdigit() else number
        area = self.known.areas.get((level, number))
        if area is None:
            de_level, en_level = LEVEL_WORDS[level]
            other = next((a for (lv, n), a in self.known.areas.items() if n == number and lv != level), None)
            hint_de = hint_en = ""
            if other is not None:
                o_de, o_en = LEVEL_WORDS[other.level]
                hint_de = (f" {number} ist die Nummer des {o_de}s {other.label}; bitte die Raumebene "
                           f"'{o_de}' angeben" + (" oder die dreistellige Stadtteilnummer (z. B. 706 für den "
                                                   "Stadtteil Porz)." if level == "stadtteil" else "."))
                hint_en = (f" {number} is the number of the {o_en} {other.label}; please give the level "
                           f"'{o_de}'" + (" or the three-digit quarter number (e.g. 706 for the quarter Porz)."
                                          if level == "stadtteil" else "."))
            self.violation(f"Es gibt keinen {de_level} mit der Nummer '{number_text}'.{hint_de}",
                           f"There is no {en_level} numbered '{number_text}'.{hint_en}", row, number_col, number_text)
            return None
        if name and ns.fold(name) != ns.fold(area.label) and not (level == "stadt" and ns.fold(name) in
                                                                    ("koeln", "stadt koeln", "gesamtstadt")):
            _v(self.report, f"Der Name '{name}' passt nicht zur Nummer {area.number} ({area.label}); zugeordnet wird "
                            f"nach der Nummer.",
               f"The name '{name}' does not match number {area.number} ({area.label}); the number decides.",
               row, number_col, severity="Warning", value=name)
        borough = borough_text.strip()
        if borough and level == "stadtteil" and borough != area.borough_number:
            b = self.known.areas.get(("stadtbezirk", borough))
            given = f"{borough} ({b.label})" if b else f"'{borough}'"
            own = self.known.areas.get(("stadtbezirk", area.borough_number or ""))
            self.violation(f"Der Stadtteil {area.number} ({area.label}) liegt im Stadtbezirk {area.borough_number}"
                           f"{f' ({own.label})' if own else ''}, nicht im Stadtbezirk {given}.",
                           f"Quarter {area.number} ({area.label}) lies in borough {area.borough_number}"
                           f"{f' ({own.label})' if own else ''}, not in borough {given}.", row, borough_col, borough)
            return None
        return area

    # periods
    def year(self, text: str, row: int, column: str) -> int | None:
        t = text.strip()
        if not re.fullmatch(r"\d{4}", t):
            self.violation(f"'{text}' ist kein Jahr (vierstellig, z. B. 2024).",
                           f"'{text}' is not a year (four digits, e.g. 2024).", row, column, text)
            return None
        y = int(t)
        if y > self.today.year:
            self.violation(f"Das Jahr {y} liegt in der Zukunft (heute ist der {self.today:%d.%m.%Y}).",
                           f"The year {y} lies in the future (today is {self.today.isoformat()}).", row, column, t)
            return None
        if y < 1800:
            self.violation(f"Das Jahr {y} ist nicht plausibel.", f"The year {y} is not plausible.", row, column, t)
            return None
        return y

    def date(self, text: str, row: int, column: str) -> dt.date | None:
        t = text.strip()
        try:
            d = dt.date.fromisoformat(t) if "-" in t else dt.datetime.strptime(t, "%d.%m.%Y").date()
        except ValueError:
            self.violation(f"'{text}' ist kein Stichtag (JJJJ-MM-TT oder TT.MM.JJJJ).",
                           f"'{text}' is not a reference date (YYYY-MM-DD or DD.MM.YYYY).", row, column, text)
            return None
        if d > self.today:
            self.violation(f"Der Stichtag {d:%d.%m.%Y} liegt in der Zukunft (heute ist der {self.today:%d.%m.%Y}).",
                           f"The reference date {d.isoformat()} lies in the future (today is "
                           f"{self.today.isoformat()}).", row, column, t)
            return None
        return d

    def number(self, text: str, row: int, column: str, decimal_comma: bool) -> tuple[bool, Decimal | None]:
        """(ok, value): value None with ok = suppressed ('*')."""
        if text == SUPPRESSED:
            return True, None
        d = parse_number(text, decimal_comma)
        if d is None:
            sep = "Dezimalkomma" if decimal_comma else "Dezimalpunkt oder -komma"
            sep_en = "decimal comma" if decimal_comma else "decimal point or comma"
            self.violation(f"'{text}' ist keine Zahl ({sep}; '*' = gesperrt, leer, '.' oder '-' = kein Wert).",
                           f"'{text}' is not a number ({sep_en}; '*' = suppressed, empty, '.' or '-' = no value).",
                           row, column, text)
            return False, None
        return True, d

    # the two formats
    def datenkatalog(self, table: Table, source: str, licence: str) -> list[Cell]:
        cols = {h.upper(): i for i, h in enumerate(table.header)}
        missing = [c for c in DK_REQUIRED if c not in cols]
        if missing:
            self.violation(f"Pflichtspalten fehlen: {', '.join(missing)} (Datenkatalog: RAUMEBENE, RAUM, S_JAHR und "
                           f"je Merkmal eine Spalte).",
                           f"Required columns are missing: {', '.join(missing)} (Datenkatalog: RAUMEBENE, RAUM, "
                           f"S_JAHR and one column per Merkmal).", 1, None)
            return []
        borough_col = next((c for c in DK_BOROUGH_COLUMNS if c in cols), None)
        skip = set(DK_REQUIRED) | set(DK_BOROUGH_COLUMNS) | {"RAUM_NR", "RAUMNAME"}
        merkmale: list[tuple[int, str, Indicator]] = []
        for i, h in enumerate(table.header):
            code = h.strip().upper()
            if code in skip or not code:
                continue
            iri = self.known.by_merkmal.get(code)
            if iri is None:
                self.violation(f"Das Merkmal '{h}' ist keinem Indikator zugeordnet (sg:merkmalCode). Zuordnungen "
                               f"stehen in data/koeln/indikator-definitionen.ttl; neue mit 'sozialgraph indicators "
                               f"define DATEI.ttl'.",
                               f"The Merkmal '{h}' is mapped to no indicator (sg:merkmalCode). Mappings are in "
                               f"data/koeln/indikator-definitionen.ttl; add one with 'sozialgraph indicators define "
                               f"FILE.ttl'.", 1, h, h)
                continue
            merkmale.append((i, h, self.known.indicators[iri]))
        if not report_ok(self.report):
            return []
        out: list[Cell] = []
        for n, cells in table.rows:
            raum = cells[cols["RAUM"]]
            m = re.fullmatch(r"\s*(\d+)\s*(?:/\s*(.*?))?\s*", raum)
            number, name = (m.group(1), m.group(2) or "") if m else ("", raum)
            area = self.area(cells[cols["RAUMEBENE"]], number, name, n, "RAUMEBENE", "RAUM",
                             cells[cols[borough_col]] if borough_col else "", borough_col or "")
            year = self.year(cells[cols["S_JAHR"]], n, "S_JAHR")
            if area is None or year is None:
                continue
            for i, column, ind in merkmale:
                text = cells[i]
                if text in NO_VALUE:
                    continue
                ok, value = self.number(text, n, column, decimal_comma=True)
                if not ok:
                    continue
                out.append(Cell(n, column, area, ind, year, None, value, TOTAL,
                                STATUS_SUPPRESSED if value is None else STATUS_NORMAL, source, licence))
        return out

    def long(self, table: Table) -> list[Cell]:
        cols = {h.strip().lower(): i for i, h in enumerate(table.header)}
        missing = [c for c in LONG_REQUIRED if c not in cols]
        if "jahr" not in cols and "stichtag" not in cols:
            missing.append("jahr oder stichtag")
        if missing:
            self.violation(f"Pflichtspalten fehlen: {', '.join(missing)} (siehe docs/indicators.md).",
                           f"Required columns are missing: {', '.join(missing).replace(' oder ', ' or ')} (see "
                           f"docs/indicators.md).", 1, None)
            return []

        def get(cells, name):
            return cells[cols[name]] if name in cols else ""

        out: list[Cell] = []
        for n, cells in table.rows:
            area = self.area(get(cells, "raumebene"), get(cells, "raum_nr"), get(cells, "raum"), n, "raumebene",
                             "raum_nr", get(cells, "bezirk_nr"), "bezirk_nr")
            code = get(cells, "indikator")
            iri = self.known.by_code.get(ns.fold(code)) or self.known.by_merkmal.get(code.strip().upper())
            if iri is None:
                self.violation(f"'{code}' ist kein bekannter Indikator (weder Code noch Merkmalscode). Neue "
                               f"Indikatoren mit 'sozialgraph indicators define DATEI.ttl'.",
                               f"'{code}' is not a known indicator (neither code nor Merkmal code). Add new "
                               f"indicators with 'sozialgraph indicators define FILE.ttl'.", n, "indikator", code)
            ind = self.known.indicators.get(iri) if iri else None
            year, date = None, None
            if get(cells, "stichtag"):
                d = self.date(get(cells, "stichtag"), n, "stichtag")
                if d is not None:
                    date, year = d.isoformat(), d.year
                    if get(cells, "jahr") and get(cells, "jahr") != str(d.year):
                        self.violation(f"Jahr {get(cells, 'jahr')} passt nicht zum Stichtag {d:%d.%m.%Y}.",
                                       f"Year {get(cells, 'jahr')} does not match the reference date "
                                       f"{d.isoformat()}.", n, "jahr", get(cells, "jahr"))
                        year = None
            elif get(cells, "jahr"):
                year = self.year(get(cells, "jahr"), n, "jahr")
            else:
                self.violation("Jahr oder Stichtag fehlt.", "Year or reference date is missing.", n, "jahr")
            text = get(cells, "wert")
            if text in NO_VALUE:
                continue
            ok, value = self.number(text, n, "wert", decimal_comma=False)
            unit = get(cells, "einheit") or None
            if ind is not None and unit and ind.unit and ns.fold(unit) != ns.fold(ind.unit):
                self.violation(f"Die Einheit '{unit}' passt nicht zum Indikator {ind.code} (Einheit '{ind.unit}').",
                               f"The unit '{unit}' does not match indicator {ind.code} (unit '{ind.unit}').",
                               n, "einheit", unit)
                ok = False
            source = get(cells, "quelle")
            if not source:
                self.violation("Die Quelle fehlt (Text, z. B. 'Stadt Köln, Amt für Stadtentwicklung und Statistik').",
                               "The source is missing (text, e.g. 'Stadt Köln, Amt für Stadtentwicklung und "
                               "Statistik').", n, "quelle")
                ok = False
            licence = resolve_licence(self.known, get(cells, "lizenz"))
            if licence is None:
                self.violation(f"'{get(cells, 'lizenz')}' ist keine bekannte Lizenz; bitte eine IRI oder einen Namen "
                               f"wie 'DL-DE-BY-2.0' oder 'CC BY 3.0 DE' angeben.",
                               f"'{get(cells, 'lizenz')}' is not a known licence; please give an IRI or a name like "
                               f"'DL-DE-BY-2.0' or 'CC BY 3.0 DE'.", n, "lizenz", get(cells, "lizenz"))
                ok = False
            breakdown = TOTAL
            if get(cells, "aufschluesselung"):
                breakdown = self.known.breakdowns.get(ns.fold(get(cells, "aufschluesselung")))
                if breakdown is None:
                    self.violation(f"'{get(cells, 'aufschluesselung')}' ist keine bekannte Aufschlüsselung.",
                                   f"'{get(cells, 'aufschluesselung')}' is not a known breakdown.", n,
                                   "aufschluesselung", get(cells, "aufschluesselung"))
                    ok = False
            status = STATUS_SUPPRESSED if ok and value is None else STATUS_NORMAL
            if get(cells, "status"):
                given = self.known.statuses.get(ns.fold(get(cells, "status")))
                if given is None:
                    self.violation(f"'{get(cells, 'status')}' ist kein Beobachtungsstatus (normal, vorläufig, "
                                   f"geschätzt, synthetisch, gesperrt).",
                                   f"'{get(cells, 'status')}' is not an observation status (normal, vorläufig, "
                                   f"geschätzt, synthetisch, gesperrt).", n, "status", get(cells, "status"))
                    ok = False
                elif ok and (given in self.known.withheld) != (value is None):
                    self.violation("Ein gesperrter Wert steht als '*' mit dem Status gesperrt; ein Wert hat einen "
                                   "anderen Status.",
                                   "A suppressed value is written '*' with the status gesperrt; a value has another "
                                   "status.", n, "status", get(cells, "status"))
                    ok = False
                else:
                    status = given
            if not ok or area is None or ind is None or year is None:
                continue
            below = SUPPRESSED_BELOW_BA if "bundesagentur" in ns.fold(source) else SUPPRESSED_BELOW
            out.append(Cell(n, "wert", area, ind, year, date, value, breakdown, status, source, licence, unit, below))
        return out


def report_ok(report: ImportReport) -> bool:
    return report.conforms


def breakdown_notation(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def observation_iri(c: Cell) -> str:
    base = f"{ns.ID}beobachtung/{c.indicator.code}/{AREA_KEY[c.area.level](c.area.number)}/{c.year}"
    return base if c.breakdown == TOTAL else f"{base}/{breakdown_notation(c.breakdown)}"


def observation_triples(cells: list[Cell], dataset: str, report: ImportReport) -> tuple[list[ox.Triple], dict]:
    """The cells as qb:Observations (duplicates reported); also obs IRI -> (row, column)."""
    seen: dict[str, Cell] = {}
    triples: list[ox.Triple] = []
    ds = NN(dataset)
    p = {k: NN(v) for k, v in (("dataSet", P["qb"] + "dataSet"), ("indicator", P["sg"] + "indicator"),
                                ("refArea", P["sg"] + "refArea"), ("refPeriod", P["sg"] + "refPeriod"),
                                ("breakdown", P["sg"] + "breakdown"), ("obsStatus", P["sg"] + "obsStatus"),
                                ("value", P["sg"] + "value"), ("suppressedBelow", P["sg"] + "suppressedBelow"),
                                ("unit", P["sg"] + "unit"), ("refDate", P["sg"] + "refDate"),
                                ("source", P["dcterms"] + "source"), ("license", P["dcterms"] + "license"))}
    obs_type = NN(P["qb"] + "Observation")
    for c in cells:
        iri = observation_iri(c)
        first = seen.get(iri)
        if first is not None:
            _v(report, f"Doppelte Angabe: Indikator {c.indicator.code}, {c.area.label or c.area.number}, {c.year}"
                       f"{'' if c.breakdown == TOTAL else ', ' + breakdown_notation(c.breakdown)} steht schon in "
                       f"Zeile {first.row}, Spalte {first.column}.",
               f"Duplicate: indicator {c.indicator.code}, {c.area.label or c.area.number}, {c.year}"
               f"{'' if c.breakdown == TOTAL else ', ' + breakdown_notation(c.breakdown)} is already in row "
               f"{first.row}, column {first.column}.", c.row, c.column)
            continue
        seen[iri] = c
        s = NN(iri)
        triples += [ox.Triple(s, RDF_TYPE, obs_type), ox.Triple(s, p["dataSet"], ds),
                    ox.Triple(s, p["indicator"], NN(c.indicator.iri)), ox.Triple(s, p["refArea"], NN(c.area.iri)),
                    ox.Triple(s, p["refPeriod"], _lit(c.year, "gYear")),
                    ox.Triple(s, p["breakdown"], NN(c.breakdown)), ox.Triple(s, p["obsStatus"], NN(c.status)),
                    ox.Triple(s, p["source"], _lit(c.source)), ox.Triple(s, p["license"], NN(c.licence))]
        if c.value is None:
            triples.append(ox.Triple(s, p["suppressedBelow"], _lit(c.suppressed_below, "decimal")))
        else:
            triples.append(ox.Triple(s, p["value"], _lit(decimal_lexical(c.value), "decimal")))
        if c.unit:
            triples.append(ox.Triple(s, p["unit"], _lit(c.unit)))
        if c.date:
            triples.append(ox.Triple(s, p["refDate"], _lit(c.date, "date")))
    return triples, {iri: (c.row, c.column) for iri, c in seen.items()}


def dataset_triples(key: str, cells: list[Cell]) -> list[ox.Triple]:
    ds = NN(dataset_iri(key))
    out = [ox.Triple(ds, RDF_TYPE, NN(P["qb"] + "DataSet")),
           ox.Triple(ds, NN(P["qb"] + "structure"), NN(P["sg"] + "IndicatorStructure")),
           ox.Triple(ds, NN(P["rdfs"] + "label"), _lit(f"Indikatoren: Import {key}", lang="de")),
           ox.Triple(ds, NN(P["rdfs"] + "label"), _lit(f"Indicators: import {key}", lang="en"))]
    for src in sorted({c.source for c in cells}):
        out.append(ox.Triple(ds, NN(P["dcterms"] + "source"), _lit(src)))
    for lic in sorted({c.licence for c in cells}):
        out.append(ox.Triple(ds, NN(P["dcterms"] + "license"), NN(lic)))
    return out


# -- validation ---------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _shapes_file():
    import rdflib

    g = rdflib.Graph()
    g.parse(SHAPES_DIR / SHAPES_FILE, format="turtle")
    return g


@lru_cache(maxsize=2)
def indicator_shapes(kind: str = "import"):
    """The Core part of shapes/shapes_indicators.ttl for an import (observation and data set shapes) or for
    definitions (indicator shapes): the other shapes' targets and the SPARQL constraints are taken off (an import
    names indicators without their definitions; SPARQL constraints run once on Oxigraph, ``sparql_items``)."""
    import rdflib
    from rdflib.namespace import SH as RSH

    g = rdflib.Graph()
    for t in _shapes_file():
        g.add(t)
    off = [P["sg"] + "Indicator"] if kind == "import" else [P["qb"] + "Observation", P["qb"] + "DataSet"]
    for cls in off:
        g.remove((None, RSH.targetClass, rdflib.URIRef(cls)))
    g.remove((None, RSH.sparql, None))
    return g


@lru_cache(maxsize=1)
def sparql_constraints() -> tuple[tuple[str, str, str, str, str], ...]:
    """(shape, target class, query, message de, message en) of the SPARQL constraints of shapes_indicators.ttl."""
    from rdflib.namespace import SH as RSH

    g = _shapes_file()
    out = []
    for shape, c in g.subject_objects(RSH.sparql):
        prologue = "".join(f"PREFIX {g.value(d, RSH.prefix)}: <{g.value(d, RSH.namespace)}>\n"
                           for pre in g.objects(c, RSH.prefixes) for d in g.objects(pre, RSH.declare))
        msgs = {m.language: str(m) for m in g.objects(c, RSH.message)}
        for target in g.objects(shape, RSH.targetClass):
            out.append((str(shape), str(target), prologue + str(g.value(c, RSH.select)), msgs.get("de", ""),
                        msgs.get("en", "")))
    return tuple(out)


def sparql_items(data: list[ox.Triple], positions: dict, kind: str = "import") -> list[Item]:
    """The SPARQL constraints, each run once over all the staged triples with $this unbound (the query binds $this
    to its target class itself, so this equals the per-focus-node evaluation)."""
    wanted = (P["qb"] + "Observation", P["qb"] + "DataSet") if kind == "import" else (P["sg"] + "Indicator",)
    mem = ox.Store()
    mem.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in data)
    items = []
    for shape, target, query, de, en in sparql_constraints():
        if target not in wanted:
            continue
        for sol in mem.query(query):
            this = sol["this"]
            row, column = positions.get(this.value, (None, None))
            value = sol["value"] if "?value" in query else None
            items.append(Item("Violation", de, en, row, column, this.value, None, shape,
                              value.value if value is not None else this.value))
    return items


PARALLEL_MIN_OBSERVATIONS = 20000  # below this a second process costs more than it saves


def _core_results(nt: bytes, kind: str) -> list[tuple]:
    """pySHACL with the Core part of shapes_indicators.ttl on one N-Triples document (picklable results)."""
    import gc

    from pyshacl import validate

    enabled = gc.isenabled()
    gc.disable()  # many small objects that live until the end: collection only costs time
    try:
        _c, results, _t = validate(rdflib_graph(nt), shacl_graph=indicator_shapes(kind), inference="none",
                                   advanced=False, allow_warnings=True, meta_shacl=False, js=False,
                                   abort_on_first=False)
        return results_of(results)
    finally:
        if enabled:
            gc.enable()


def shacl_items(data: list[ox.Triple], support: list[ox.Triple], positions: dict, kind: str = "import",
                workers: int = 1) -> list[Item]:
    """shapes/shapes_indicators.ttl on the staged triples (+ the types their values need): the Core shapes in
    pySHACL (a large import split by observation over ``workers`` processes: every shape looks at one observation
    and the types of its values only, so the parts give the results of the whole), the SPARQL constraints once on
    Oxigraph."""
    used = {t.object for t in data if isinstance(t.object, ox.NamedNode)}
    needed = [t for t in support if t.subject in used or t.predicate.value.endswith("#subClassOf")]
    obs_type = NN(P["qb"] + "Observation")
    observations = sorted({t.subject.value for t in data if t.predicate == RDF_TYPE and t.object == obs_type})
    parts = workers if workers > 1 and len(observations) >= PARALLEL_MIN_OBSERVATIONS else 1
    if parts == 1:
        results = _core_results(nt_bytes(data + needed), kind)
    else:
        part_of = {o: i * parts // len(observations) for i, o in enumerate(observations)}
        groups: list[list[ox.Triple]] = [list(needed) for _ in range(parts)]
        for t in data:
            i = part_of.get(t.subject.value) if isinstance(t.subject, ox.NamedNode) else None
            for g in (groups if i is None else [groups[i]]):
                g.append(t)
        docs = [nt_bytes(g) for g in groups]
        del groups
        try:
            pool = _get_pool(parts - 1)
            futures = [pool.submit(_core_results, d, kind) for d in docs[1:]]
            results = _core_results(docs[0], kind)
            for f in futures:
                results += f.result()
        except BrokenProcessPool:  # a worker could not start: do it here
            _reset_pool()
            results = _core_results(nt_bytes(data + needed), kind)
    items = []
    for sev, de, en, focus, path, shape, value in dict.fromkeys(results):
        row, column = positions.get(focus, (None, None))
        items.append(Item(sev, de, en, row, column, focus, path, shape, value))
    return items + sparql_items(data, positions, kind)


def cube_items(store, data: list[ox.Triple]) -> list[Item]:
    return [Item("Violation", f"W3C-Data-Cube-Bedingung verletzt: {v.message('de')}",
                 f"W3C Data Cube constraint violated: {v.message('en')}", None, None, None, None, v.source, None)
            for v in cube.check(cube.context_triples(store) + data)]


def _support(store, known: Known) -> list[ox.Triple]:
    ind_type = NN(P["sg"] + "Indicator")
    return support_triples(store) + [ox.Triple(NN(i), RDF_TYPE, ind_type) for i in known.indicators]


# -- staging -----------------------------------------------------------------------------------------------------
@dataclass
class Staged:
    fmt: str
    key: str
    report: ImportReport
    triples: list[ox.Triple] = field(default_factory=list)  # observations + data set description
    indicators: set[str] = field(default_factory=set)
    skipped: int = 0


def stage(ctx, data: bytes, fmt: str | None = None, key: str | None = None, today: dt.date | str | None = None,
          source: str | None = None, licence: str | None = None) -> Staged:
    """Read, map and check a file; nothing is written."""
    today = dt.date.fromisoformat(today) if isinstance(today, str) else (today or dt.date.today())
    if fmt is not None and fmt not in FORMATS:
        raise IndicatorError(f"Unbekanntes Importformat '{fmt}'; erlaubt: {', '.join(FORMATS)}.",
                             f"Unknown import format '{fmt}'; allowed: {', '.join(FORMATS)}.")
    report = ImportReport()
    table = read_table(data, report)
    if table is None:
        return Staged(fmt or "long", check_key(key or DEFAULT_KEY[fmt or "long"]), report)
    fmt = fmt or detect_format(table.header)
    if fmt is None:
        _v(report, "Das Format ist nicht zu erkennen: erwartet wird der Datenkatalog (Spalten RAUMEBENE, RAUM, "
                   "S_JAHR, Merkmale) oder das lange Format (Spalten raumebene, raum_nr, indikator, jahr, wert, "
                   "quelle, lizenz); siehe docs/indicators.md.",
           "The format cannot be recognised: expected the Datenkatalog (columns RAUMEBENE, RAUM, S_JAHR, Merkmale) "
           "or the long format (columns raumebene, raum_nr, indikator, jahr, wert, quelle, lizenz); see "
           "docs/indicators.md.", 1)
        return Staged("long", check_key(key or "import"), report)
    key = check_key(key or DEFAULT_KEY[fmt])
    store = ctx.store
    known = Known.from_store(store)
    reader = Reader(known, report, today)
    if fmt == "datenkatalog":
        lic = resolve_licence(known, licence) if licence else DATENKATALOG_LICENCE
        if lic is None:
            raise IndicatorError(f"'{licence}' ist keine bekannte Lizenz.", f"'{licence}' is not a known licence.")
        cells = reader.datenkatalog(table, source or DATENKATALOG_SOURCE, lic)
    else:
        cells = reader.long(table)
    staged = Staged(fmt, key, report)
    obs, positions = observation_triples(cells, dataset_iri(key), report)
    obs, staged.skipped = _drop_known(store, key, obs, positions, report)
    staged.indicators = {c.indicator.iri for c in cells}
    report.offers = len({t.subject for t in obs})
    if not report.conforms or not obs:
        if report.conforms and not obs:
            _v(report, "Die Datei enthält keine neuen Werte.", "The file contains no new values.")
        return staged
    staged.triples = obs + dataset_triples(key, cells)
    report.items += shacl_items(staged.triples, _support(store, known), positions,
                                workers=int(ctx.settings.get("validate_workers", 2)))
    if report.conforms:
        report.items += cube_items(store, staged.triples)
    report.items.sort(key=lambda i: (i.row if i.row is not None else 10**9, i.severity != "Violation"))
    return staged


def _drop_known(store, key: str, obs: list[ox.Triple], positions: dict, report: ImportReport):
    """Observations that other (non-synthetic) indicator graphs already hold under the same IRI: the same value is
    skipped (an Info), another value is a Violation (one observation, one data set: IC-1)."""
    others = [g for g in store.graphs() if (g == ns.G_INDICATORS or g.startswith(ns.indicator_graph("")))
              and g != ns.indicator_graph(key) and g != ns.indicator_graph(DEFINITIONS_KEY)]
    if not others:
        return obs, 0
    existing: dict[str, tuple[str | None, str]] = {}
    for r in store.select(load_query("indicator-observation-values", internal=True).text, named_graphs=others):
        existing[r["obs"].value] = (r["value"].value if "value" in r else None, r["graph"].value)
    value_p = NN(P["sg"] + "value")
    values = {t.subject.value: t.object.value for t in obs if t.predicate == value_p}
    drop = set()
    for iri in positions:
        if iri not in existing:
            continue
        row, column = positions[iri]
        old, graph = existing[iri]
        new = values.get(iri)
        same = (old is None and new is None) or (old is not None and new is not None and Decimal(old) == Decimal(new))
        if same:
            drop.add(iri)
            _v(report, f"Der Wert steht schon im Graphen {graph}; übersprungen.",
               f"The value is already in graph {graph}; skipped.", row, column, severity="Info")
        else:
            _v(report, f"Diese Beobachtung ({iri.removeprefix(ns.ID)}) steht schon mit dem Wert {old or 'gesperrt'} im "
                       f"Graphen {graph}; eine Beobachtung gehört zu genau einem Datensatz. Bitte den Wert dort "
                       f"ändern oder die Zelle leeren.",
               f"This observation ({iri.removeprefix(ns.ID)}) is already in graph {graph} with the value "
               f"{old or 'suppressed'}; an observation belongs to exactly one data set. Change it there or empty "
               f"the cell.", row, column)
    if not drop:
        return obs, 0
    return [t for t in obs if t.subject.value not in drop], len(drop)


# -- importing ---------------------------------------------------------------------------------------------------
def import_file(ctx, data: bytes, filename: str = "", fmt: str | None = None, key: str | None = None,
                office: str = "sp", user: str | None = None, dry_run: bool = False,
                today: dt.date | str | None = None, source: str | None = None,
                licence: str | None = None) -> ImportResult:
    """Check a file and, without Violation (and not ``dry_run``), store it as the next version of its dataset."""
    office_iri, code = resolve_office(ctx, office)
    sha = hashlib.sha256(data).hexdigest()
    started = _now()
    staged = stage(ctx, data, fmt, key, today, source, licence)
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    result = ImportResult(staged.report.conforms, None, staged.report, staged.report.offers, staged.key, staged.fmt,
                          sha, name, dry_run, indicators=sorted(staged.indicators))
    store = ctx.store
    result.replaced = len({t.subject for t in _synthetic_of(store, staged.indicators)})
    if not result.accepted or dry_run:
        return result
    with store.writing(float(ctx.settings.get("submit_wait", 120))):
        n = _latest(store, staged.key) + 1
        replaced, delete, restore = _example_change(store, staged.key, staged.indicators)
        prov = _provenance(staged.key, n, office_iri, started, name, sha, staged.report.offers,
                           staged.report.warnings)
        private_prov = _private_provenance(NN(_submission_iri(staged.key, n)), user, staged.report)
        _write_version(store, staged.key, n, staged.triples, replaced, prov, private_prov, delete_example=delete,
                       insert_example=restore)
    result.version = n
    result.replaced = len({t.subject for t in replaced})
    result.extra["restoredSynthetic"] = len({t.subject for t in restore})
    return result


def _example_change(store, key: str, indicators: set[str]):
    """What the synthetic series become when version with these ``indicators`` is current: (the synthetic
    triples it replaces, to delete now, to restore). Every synthetic observation an earlier version of this
    dataset replaced is kept in that version's private graph; those of indicators the new version no longer has
    come back."""
    code = dataset_id(key)
    indicator_p = NN(P["sg"] + "indicator")
    wanted = {NN(i) for i in indicators}
    ever: dict[bytes, ox.Triple] = {}
    for v in versions(store, key):
        for t in store.triples(ns.version_graph(code, v["version"], "private")):
            ever.setdefault(nt_bytes([t]).strip(), t)
    present_now = _synthetic_of(store, indicators)
    for t in present_now:
        ever.setdefault(nt_bytes([t]).strip(), t)
    current = set(nt_bytes(store.triples(ns.G_INDICATORS_EXAMPLE)).splitlines()) if store.has_graph(
        ns.G_INDICATORS_EXAMPLE) else set()
    gone = {t.subject for t in ever.values() if t.predicate == indicator_p and t.object in wanted}
    replaced = [t for t in ever.values() if t.subject in gone]
    delete = [t for k, t in ever.items() if t.subject in gone and k in current]
    restore = [t for k, t in ever.items() if t.subject not in gone and k not in current]
    return replaced, delete, restore


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _synthetic_of(store, indicators: set[str]) -> list[ox.Triple]:
    """The triples of the synthetic observations (ns.G_INDICATORS_EXAMPLE) of these indicators."""
    if not indicators or not store.has_graph(ns.G_INDICATORS_EXAMPLE):
        return []
    triples = list(store.triples(ns.G_INDICATORS_EXAMPLE))
    indicator_p = NN(P["sg"] + "indicator")
    wanted = {NN(i) for i in indicators}
    subjects = {t.subject for t in triples if t.predicate == indicator_p and t.object in wanted}
    return [t for t in triples if t.subject in subjects]


def _submission_iri(key: str, n: int) -> str:
    return f"{ns.ID}einreichung/{dataset_id(key)}/{n}"


def _version_entity(key: str, n: int) -> str:
    return f"{dataset_iri(key)}/version/{n}"


def _provenance(key, n, office_iri, started, file_name, sha, observations, warnings,
                used: int | None = None) -> list[ox.Triple]:
    sub, entity = NN(_submission_iri(key, n)), NN(_version_entity(key, n))
    ended = _now()

    def stamp(t: dt.datetime) -> ox.Literal:
        return _lit(t.isoformat().replace("+00:00", "Z"), "dateTime")

    out = [ox.Triple(sub, RDF_TYPE, NN(P["sg"] + "Submission")),
           ox.Triple(sub, RDF_TYPE, NN(P["prov"] + "Activity")),
           ox.Triple(sub, NN(P["sg"] + "versionNumber"), _lit(n, "integer")),
           ox.Triple(sub, NN(P["prov"] + "wasAssociatedWith"), NN(office_iri)),
           ox.Triple(sub, NN(P["prov"] + "startedAtTime"), stamp(started)),
           ox.Triple(sub, NN(P["prov"] + "endedAtTime"), stamp(ended)),
           ox.Triple(sub, NN(P["sg"] + "fileName"), _lit(file_name)),
           ox.Triple(sub, NN(P["sg"] + "sha256"), _lit(sha)),
           ox.Triple(sub, NN(P["sg"] + "warningCount"), _lit(warnings, "integer")),
           ox.Triple(sub, NN(P["prov"] + "generated"), entity),
           ox.Triple(entity, RDF_TYPE, NN(P["prov"] + "Entity")),
           ox.Triple(entity, RDF_TYPE, NN(P["void"] + "Dataset")),
           ox.Triple(entity, NN(P["prov"] + "specializationOf"), NN(dataset_iri(key))),
           ox.Triple(entity, NN(P["prov"] + "wasGeneratedBy"), sub),
           ox.Triple(entity, NN(P["void"] + "entities"), _lit(observations, "integer"))]
    if used is not None:
        out += [ox.Triple(sub, NN(P["prov"] + "used"), NN(_submission_iri(key, used))),
                ox.Triple(sub, NN(P["rdfs"] + "comment"), _lit(f"Zurückgesetzt auf Version {used}", lang="de")),
                ox.Triple(sub, NN(P["rdfs"] + "comment"), _lit(f"Rolled back to version {used}", lang="en"))]
    return out


def _write_version(store, key, n, public, replaced, prov, private_prov, delete_example=None,
                   insert_example=None) -> None:
    """(1) the version graphs (names nothing references yet), (2) one atomic change: the dataset's graph becomes
    the version, synthetic observations go or come back, provenance is recorded."""
    code = dataset_id(key)
    pub_nt = nt_bytes(public)
    store.write_new_graph(ns.version_graph(code, n, "public"), pub_nt)
    store.write_new_graph(ns.version_graph(code, n, "private"), nt_bytes(replaced))
    change = Change(replace={ns.indicator_graph(key): pub_nt},
                    insert={ns.G_PROVENANCE: prov, ns.G_PRIVATE_PROVENANCE: private_prov})
    if delete_example:
        change.delete[ns.G_INDICATORS_EXAMPLE] = delete_example
    if insert_example:
        change.insert[ns.G_INDICATORS_EXAMPLE] = insert_example
    store.apply(change)


# -- versions ------------------------------------------------------------------------------------------------------
def versions(store, key: str | None = None) -> list[dict]:
    q = load_query("indicator-versions", internal=True)
    bind = {"dataset": NN(dataset_iri(key))} if key else {}
    out = []
    for r in store.select(q.render(bind)):
        d = {k: v.value for k, v in r.items()}
        d["version"] = int(d["version"])
        d["key"] = d["dataset"].rsplit("/indikatoren-", 1)[-1]
        for k in ("observations", "warnings"):
            if k in d:
                d[k] = int(d[k])
        out.append(d)
    return out


def _latest(store, key: str) -> int:
    return max((v["version"] for v in versions(store, key)), default=0)


def history(ctx, key: str | None = None) -> list[dict]:
    """Every version of one dataset (or of all imported datasets), oldest first; 'current' marks the one in
    effect."""
    vs = versions(ctx.store, check_key(key) if key else None)
    latest: dict[str, int] = {}
    for v in vs:
        latest[v["key"]] = max(latest.get(v["key"], 0), v["version"])
    for v in vs:
        v["current"] = v["version"] == latest[v["key"]]
        v.pop("report", None)
    return vs


def rollback(ctx, key: str, to: int, office: str = "sp", user: str | None = None) -> ImportResult:
    """Make version ``to`` current again, as a new version; the synthetic observations that later versions had
    replaced come back (those of indicators version ``to`` also has stay replaced)."""
    key = check_key(key)
    office_iri, _code = resolve_office(ctx, office)
    store = ctx.store
    code = dataset_id(key)
    with store.writing(float(ctx.settings.get("submit_wait", 120))):
        vs = {v["version"]: v for v in versions(store, key)}
        if to not in vs:
            raise VersionNotFound(f"Der Datensatz {code} hat keine Version {to} (sozialgraph indicators history "
                                  f"--datensatz {key}).",
                                  f"Dataset {code} has no version {to} (sozialgraph indicators history --datensatz "
                                  f"{key}).", status=404)
        n = max(vs) + 1
        public = list(store.triples(ns.version_graph(code, to, "public")))
        indicator_p = NN(P["sg"] + "indicator")
        replaced, delete, restore = _example_change(store, key, {t.object.value for t in public
                                                                 if t.predicate == indicator_p})
        old = vs[to]
        prov = _provenance(key, n, office_iri, _now(), old.get("fileName", ""), old.get("sha256", ""),
                           old.get("observations", 0), old.get("warnings", 0), used=to)
        private_prov = _private_provenance(NN(_submission_iri(key, n)), user, None, old.get("report"))
        _write_version(store, key, n, public, replaced, prov, private_prov, delete_example=delete,
                       insert_example=restore)
    report = ImportReport.from_dict(json.loads(old["report"])) if old.get("report") else ImportReport()
    return ImportResult(True, n, report, old.get("observations", 0), key, "", old.get("sha256", ""),
                        old.get("fileName", ""), replaced=len({t.subject for t in replaced}),
                        extra={"rolledBackTo": to, "restoredSynthetic": len({t.subject for t in restore})})


# -- definitions ---------------------------------------------------------------------------------------------------
def define(ctx, data: bytes, filename: str = "definitionen.ttl", dry_run: bool = False) -> tuple[ImportReport, int]:
    """Add indicator definitions (Turtle) to …/graph/indicators/import/definitionen after SHACL (labels de/en,
    unit, life-situation dimension, polarity, code, Merkmal code). Returns the report and the number of indicators
    defined; nothing is stored with a Violation."""
    report = ImportReport()
    report.nouns = (("Indikator", "Indikatoren"), ("indicator", "indicators"))
    try:
        triples = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(data, ox.RdfFormat.TURTLE, base_iri=ns.BASE)]
    except SyntaxError as exc:
        _v(report, f"Die Turtle-Datei ist fehlerhaft: {exc}", f"The Turtle file is malformed: {exc}")
        return report, 0
    ind_type = NN(P["sg"] + "Indicator")
    subjects = {t.subject for t in triples if t.predicate == RDF_TYPE and t.object == ind_type}
    if not subjects:
        _v(report, "Die Datei definiert keinen Indikator (a sg:Indicator).",
           "The file defines no indicator (a sg:Indicator).")
        return report, 0
    store = ctx.store
    known = Known.from_store(store)
    graph = ns.indicator_graph(DEFINITIONS_KEY)
    notation = NN(P["skos"] + "notation")
    merkmal_p = NN(P["sg"] + "merkmalCode")
    for t in triples:
        if t.subject not in subjects:
            if not isinstance(t.subject, ox.BlankNode):
                _v(report, "Die Datei darf nur Indikatoren beschreiben.", "The file may describe indicators only.",
                   focus=str(t.subject.value), value=t.predicate.value)
            continue
        if t.predicate == notation and t.subject.value != f"{ns.ID}indikator/{t.object.value}":
            _v(report, f"Die IRI eines Indikators ist …/id/indikator/{{Code}}: hier {ns.ID}indikator/"
                       f"{t.object.value}.", f"An indicator's IRI is …/id/indikator/{{code}}: here {ns.ID}indikator/"
                       f"{t.object.value}.", focus=t.subject.value)
        if t.predicate == merkmal_p:
            other = known.by_merkmal.get(t.object.value.strip().upper())
            if other and other != t.subject.value:
                _v(report, f"Der Merkmalscode {t.object.value} gehört schon zum Indikator {other}.",
                   f"The Merkmal code {t.object.value} already belongs to indicator {other}.", focus=t.subject.value)
    ours = {t.subject for t in store.triples(graph)} if store.has_graph(graph) else set()
    for s in subjects:
        ind = known.indicators.get(s.value)
        if ind is not None and s not in ours:
            _v(report, f"Der Indikator {ind.code} ist schon in den Referenzdaten definiert; bitte einen neuen Code "
                       f"wählen.", f"Indicator {ind.code} is already defined in the reference data; please choose a "
                       f"new code.", focus=s.value)
    vocab = [t for t in support_triples(store)]
    report.items += shacl_items(triples, vocab, {}, kind="define")
    report.offers = len(subjects)
    if not report.conforms or dry_run:
        return report, len(subjects)
    with store.writing(float(ctx.settings.get("submit_wait", 120))):
        keep = [t for t in store.triples(graph) if t.subject not in subjects] if store.has_graph(graph) else []
        store.replace_graph(graph, keep + triples)
    return report, len(subjects)


# -- checking the stored graphs ------------------------------------------------------------------------------------
def indicator_graphs(store) -> list[str]:
    """The stored indicator graphs with observations: official, synthetic, imported."""
    return [g for g in store.graphs() if g in (ns.G_INDICATORS, ns.G_INDICATORS_EXAMPLE)
            or (g.startswith(ns.indicator_graph("")) and g != ns.indicator_graph(DEFINITIONS_KEY))]


def check_stored(ctx) -> dict[str, list[cube.Violation]]:
    """The W3C Data Cube ICs over each stored indicator graph (with ontology, vocabularies and definitions)."""
    store = ctx.store
    extra = list(store.triples(ns.indicator_graph(DEFINITIONS_KEY))) if store.has_graph(
        ns.indicator_graph(DEFINITIONS_KEY)) else []
    context = cube.context_triples(store) + extra
    return {g: cube.check(context + list(store.triples(g))) for g in indicator_graphs(store)}


def list_indicators(store) -> list[dict]:
    """Indicators with code, labels, unit, dimension, polarity, Merkmal code and the years with observations."""
    out = []
    for r in store.select(load_query("indicator-list", internal=True).text, public_only=True):
        d = {k: v.value for k, v in r.items()}
        years = sorted({int(y) for y in d.pop("years", "").split() if y.isdigit()})
        out.append({"indicator": d["indicator"], "code": d.get("code"), "label_de": d.get("label_de"),
                    "label_en": d.get("label_en"), "unit": d.get("unit"), "dimension": d.get("dimension"),
                    "polarity": d.get("polarity"), "merkmalCode": d.get("merkmal"), "years": years})
    return out
