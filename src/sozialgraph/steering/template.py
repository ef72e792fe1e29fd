"""The steering templates: one table of columns per kind (Ziele, Bedarfe, Maßnahmen, Evaluationen), reading CSV/XLSX
into rows, writing an empty template.

The columns reuse capture's ``Column`` (name, required, help, vocabulary kind, multi-valued, predicate); the cell
readers are capture's (encoding, delimiter, XLSX safety checks). KINDS is the one table; the mapping to RDF
(steering/submit.py), the XLSX explanation sheet and docs/steering.md read it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sozialgraph import namespaces as ns
from sozialgraph.capture.common import IngestError, Problem
from sozialgraph.capture.template import (HELP_SHEET, Column, Table, _csv_cells, _xlsx_cells, normalise_header)
from sozialgraph.csvsafe import safe_cell, safe_row, unneutralise
from sozialgraph.namespaces import KIND_NAMES

P = ns.PREFIXES
SG = P["sg"]

# kinds of values the steering columns take besides capture's KIND_NAMES (resolved in steering/submit.py)
EXTRA_KIND_NAMES: dict[str, tuple[str, str]] = {
    "gebiet": ("Gebiet (Stadtteil, Stadtbezirk, Sozialraum oder Stadt)", "area (quarter, borough, planning area, city)"),
    "indikator": ("Indikator", "indicator"),
    "zielart": ("Zielart (strategisch oder operativ)", "kind of goal (strategisch or operativ)"),
    "richtung": ("Zielrichtung (senken oder erhöhen)", "direction (senken or erhöhen)"),
    "bedarfsstatus": ("Bedarfsstatus", "need status"),
    "massnahmenstatus": ("Maßnahmenstatus", "measure status"),
    "bedarf": ("Bedarf", "need"),
    "angebot": ("Angebot", "offer"),
    "massnahme": ("Maßnahme", "measure"),
}


def kind_name(kind: str, lang: str = "de") -> str:
    de, en = EXTRA_KIND_NAMES.get(kind) or KIND_NAMES.get(kind, (kind, kind))
    return en if lang == "en" else de


@dataclass(frozen=True)
class Kind:
    name: str  # ziele | bedarfe | massnahmen | evaluationen
    label_de: str
    label_en: str
    sheet: str
    columns: tuple[Column, ...]
    sp_only: bool  # only the Stabsstelle Sozialplanung submits this kind

    @property
    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column_for_path(self, path: str | None) -> str | None:
        for c in self.columns:
            if path is not None and c.path == path:
                return c.name
        return None


AREAS_HELP = ("Stadtteil (Name oder Nummer, z. B. Chorweiler oder 609), Stadtbezirk (Nummer 1–9 oder 'Stadtbezirk "
              "Chorweiler'), Sozialraum oder 'Köln'")
AREAS_HELP_EN = ("Quarter (name or number, e.g. Chorweiler or 609), borough (number 1-9 or 'Stadtbezirk Chorweiler'), "
                 "planning area or 'Köln'")
REFS_HELP = ("Kennung (eigenes Amt), AMT/Kennung (anderes Amt) oder IRI", "identifier (own office), OFFICE/identifier "
             "(another office) or IRI")

ZIELE = Kind("ziele", "Ziele", "goals", "Ziele", (
    Column("kennung", True, "Code des Ziels (z. B. Z1.1); ein vorhandener Code ergänzt das Ziel um Zielwerte.",
           "Code of the goal (e.g. Z1.1); an existing code adds targets to that goal.", path=P["skos"] + "notation",
           example="Z1.3"),
    Column("bezeichnung", True, "Name des Ziels.", "Name of the goal.", path=P["rdfs"] + "label",
           example="Langzeitarbeitslose Menschen in Arbeit bringen"),
    Column("zielart", True, "strategisch oder operativ.", "strategisch (strategic) or operativ (operational).",
           kind="zielart", path=P["rdf"] + "type", example="operativ"),
    Column("oberziel", False, "Code des übergeordneten Ziels (bei operativen Zielen).",
           "Code of the parent goal (for operational goals).", kind="ziel", path=SG + "subGoalOf", example="Z1"),
    Column("beschreibung", False, "Kurze Beschreibung.", "Short description.", path=P["dcterms"] + "description"),
    Column("indikator", False, "Code des Indikators, der das Ziel misst (siehe Erläuterungen).",
           "Code of the indicator that measures the goal (see the explanations).", kind="indikator",
           path=SG + "measuredBy", example="arbeitslosenquote"),
    Column("ausgangswert", False, "Wert des Indikators im Ausgangsjahr (Komma oder Punkt).",
           "Value of the indicator in the baseline year.", path=SG + "baselineValue", example="12,4"),
    Column("ausgangsjahr", False, "Ausgangsjahr (vierstellig).", "Baseline year (four digits).",
           path=SG + "baselineYear", example="2022"),
    Column("zielwert", False, "Wert, den der Indikator im Zieljahr erreichen soll.",
           "Value the indicator is to reach in the target year.", path=SG + "targetValue", example="10"),
    Column("zieljahr", False, "Zieljahr (vierstellig, nicht in der Vergangenheit).",
           "Target year (four digits, not in the past).", path=SG + "targetYear", example="2030"),
    Column("richtung", False, "senken oder erhöhen.", "senken (decrease) or erhöhen (increase).", kind="richtung",
           path=SG + "goalDirection", example="senken"),
    Column("gebiete", False, AREAS_HELP + "; mehrere getrennt durch ';'.", AREAS_HELP_EN + "; several separated by ';'.",
           kind="gebiet", multi=True, path=SG + "forArea", example="609;716"),
    Column("zielgruppen", False, "Zielgruppen, getrennt durch ';'.", "Target groups, separated by ';'.",
           kind="zielgruppe", multi=True, path=SG + "targetGroup", example="Langzeitarbeitslose"),
    Column("lebenslagen", False, "Lebenslagendimensionen, getrennt durch ';'.",
           "Life-situation dimensions, separated by ';'.", kind="lebenslage", multi=True, path=SG + "lifeSituation",
           example="Erwerbsarbeit"),
), sp_only=True)

BEDARFE = Kind("bedarfe", "Bedarfe", "needs", "Bedarfe", (
    Column("kennung", True, "Eigene, dauerhafte Kennung des Bedarfs.", "Stable identifier of the need.",
           path=P["dcterms"] + "identifier", example="B-609-01"),
    Column("bezeichnung", False, "Kurzer Name des Bedarfs.", "Short name of the need.", path=P["rdfs"] + "label",
           example="Schuldnerberatung für Alleinerziehende in Chorweiler"),
    Column("gebiet", True, AREAS_HELP + " (genau eines).", AREAS_HELP_EN + " (exactly one).", kind="gebiet",
           path=SG + "needIn", example="Chorweiler"),
    Column("zielgruppe", True, "Zielgruppe (eine oder mehrere, getrennt durch ';').", "Target group(s).",
           kind="zielgruppe", multi=True, path=SG + "needOf", example="Alleinerziehende"),
    Column("lebenslage", True, "Lebenslagendimension.", "Life-situation dimension.", kind="lebenslage", multi=True,
           path=SG + "lifeSituation", example="Einkommen"),
    Column("fehlende_angebotsart", False, "Angebotsart, die fehlt.", "Offer type that is missing.",
           kind="angebotsart", path=SG + "missingOfferType", example="Schuldnerberatung"),
    Column("benoetigte_plaetze", False, "Wie viele Plätze (oder Angebote) zusätzlich gebraucht werden.",
           "How many places (or offers) are needed in addition.", path=SG + "neededPlaces", example="20"),
    Column("begruendung", False, "Begründung des Bedarfs.", "Justification of the need.",
           path=P["dcterms"] + "description"),
    Column("belege", False, "IRIs der Analyseergebnisse (sg:Gap, sg:BurdenScore, sg:Coverage) oder Beobachtungen, "
           "getrennt durch ';'.", "IRIs of analysis results or observations, separated by ';'.", multi=True,
           path=SG + "supportedBy"),
    Column("status", True, "vorgeschlagen, festgestellt, gedeckt oder verworfen.",
           "vorgeschlagen, festgestellt, gedeckt or verworfen.", kind="bedarfsstatus", path=SG + "needStatus",
           example="festgestellt"),
    Column("entschieden_von", False, "Amt oder Stabsstelle, das bzw. die entschieden hat; leer: das einreichende Amt.",
           "Office that decided; empty: the submitting office.", kind="amt", path=SG + "decidedBy", example="sp"),
    Column("entschieden_am", False, "Datum der Entscheidung (2026-01-31 oder 31.01.2026).", "Date of the decision.",
           path=SG + "decidedOn", example="2026-03-01"),
), sp_only=True)

MASSNAHMEN = Kind("massnahmen", "Maßnahmen", "measures", "Massnahmen", (
    Column("kennung", True, "Eigene, dauerhafte Kennung der Maßnahme im Amt.", "Stable identifier of the measure.",
           path=P["dcterms"] + "identifier", example="M-2026-01"),
    Column("bezeichnung", True, "Name der Maßnahme.", "Name of the measure.", path=P["rdfs"] + "label",
           example="Quartiersbüro Chorweiler"),
    Column("beschreibung", False, "Kurze Beschreibung.", "Short description.", path=P["dcterms"] + "description"),
    Column("aemter", False, "Umsetzende Ämter (Code oder Name), getrennt durch ';'; mehrere = integrierte Maßnahme. "
           "Das einreichende Amt muss dabei sein; leer: nur das einreichende Amt.",
           "Implementing offices, separated by ';' (several = integrated measure); must include the submitting "
           "office; empty: the submitting office.", kind="amt", multi=True, path=SG + "implementedBy",
           example="50;51"),
    Column("zielgruppen", False, "Zielgruppen, getrennt durch ';'.", "Target groups.", kind="zielgruppe", multi=True,
           path=SG + "targetGroup", example="Alleinerziehende"),
    Column("lebenslagen", False, "Lebenslagendimensionen, getrennt durch ';'.", "Life-situation dimensions.",
           kind="lebenslage", multi=True, path=SG + "lifeSituation"),
    Column("gebiete", False, AREAS_HELP + "; mehrere getrennt durch ';'.", AREAS_HELP_EN + "; several.",
           kind="gebiet", multi=True, path=SG + "forArea", example="609"),
    Column("ziele", False, "Codes der verfolgten Ziele, getrennt durch ';'.", "Codes of the goals pursued.",
           kind="ziel", multi=True, path=SG + "pursuesGoal", example="Z1.2"),
    Column("bedarfe", False, "Adressierte Bedarfe: " + REFS_HELP[0] + " (Bedarfe erfasst die Stabsstelle 'sp').",
           "Needs addressed: " + REFS_HELP[1] + " (needs are recorded by 'sp').", kind="bedarf", multi=True,
           path=SG + "addressesNeed", example="sp/B-609-01"),
    Column("angebote", False, "Angebote, die die Maßnahme schafft oder ändert: " + REFS_HELP[0] + ".",
           "Offers the measure creates or changes: " + REFS_HELP[1] + ".", kind="angebot", multi=True,
           path=SG + "includesOffer", example="SB-0042"),
    Column("status", True, "geplant, in Umsetzung, abgeschlossen oder eingestellt.",
           "geplant, in Umsetzung, abgeschlossen or eingestellt.", kind="massnahmenstatus", path=SG + "measureStatus",
           example="in Umsetzung"),
    Column("budget", False, "Budget in Euro.", "Budget in euro.", path=SG + "budget", example="120000"),
    Column("ressourcen", False, "Personal und Sachmittel als Text.", "Staff and means as text.",
           path=SG + "resources", example="2 Vollzeitstellen"),
    Column("beginn", False, "Beginn (2026-01-31 oder 31.01.2026).", "Start date.", path=SG + "startDate",
           example="2026-01-01"),
    Column("ende", False, "Ende (geplant oder tatsächlich).", "End date (planned or actual).", path=SG + "endDate"),
), sp_only=False)

EVALUATIONEN = Kind("evaluationen", "Evaluationen", "evaluations", "Evaluationen", (
    Column("kennung", True, "Eigene Kennung der Evaluation.", "Identifier of the evaluation.",
           path=P["dcterms"] + "identifier", example="E-2026-01"),
    Column("massnahme", True, "Bewertete Maßnahme: " + REFS_HELP[0] + "; das Amt muss sie umsetzen.",
           "Measure evaluated: " + REFS_HELP[1] + "; the office must implement it.", kind="massnahme",
           path=SG + "evaluation", example="M-2026-01"),
    Column("ziel", False, "Code des Ziels, dessen Indikatorverlauf bewertet wird.",
           "Code of the goal whose indicator path is assessed.", kind="ziel", path=SG + "evaluatedGoal",
           example="Z1.3"),
    Column("erreichte_personen", False, "Erreichte Personen im Evaluationszeitraum.", "People reached.",
           path=SG + "peopleReached", example="140"),
    Column("geschaffene_plaetze", False, "Geschaffene Plätze.", "Places created.", path=SG + "placesCreated"),
    Column("eroeffnete_angebote", False, "Eröffnete Angebote.", "Offers opened.", path=SG + "offersOpened"),
    Column("bewertung", True, "Ergebnis der Evaluation in Worten.", "Verdict in words.", path=SG + "verdict",
           example="Ziel der Teilnehmendenzahl erreicht."),
    Column("datum", True, "Datum der Bewertung.", "Date of the verdict.", path=P["dcterms"] + "date",
           example="2026-11-30"),
    Column("autor", True, "Wer bewertet hat (Stelle oder Person).", "Author (unit or person).",
           path=P["dcterms"] + "creator", example="Stabsstelle Sozialplanung"),
), sp_only=False)

KINDS: dict[str, Kind] = {k.name: k for k in (ZIELE, BEDARFE, MASSNAHMEN, EVALUATIONEN)}


def get_kind(name: str) -> Kind:
    kind = KINDS.get(ns.fold(name or ""))
    if kind is None:
        allowed = ", ".join(KINDS)
        raise IngestError(f"Unbekannte Art '{name}'; erlaubt: {allowed}.", f"Unknown kind '{name}'; allowed: {allowed}.")
    return kind


def read_table(data: bytes, fmt: str, kind: Kind) -> Table:
    header, body = _xlsx_cells(data) if fmt == "xlsx" else _csv_cells(data)
    names = [normalise_header(h) for h in header]
    if not any(names):
        raise IngestError("Die erste Zeile enthält keine Spaltennamen.", "The first row holds no column names.", row=1)
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n and n in seen:
            raise IngestError(f"Die Spalte '{n}' kommt in der Kopfzeile zweimal vor.",
                              f"The column '{n}' appears twice in the header row.", row=1, column=n)
        if n:
            seen[n] = i
    missing = [c for c in kind.required if c not in seen]
    if missing:
        raise IngestError(
            f"Es fehlen Pflichtspalten der Vorlage '{kind.name}': {', '.join(missing)}. Eine leere Vorlage erzeugt "
            f"'sozialgraph steuerung template --art {kind.name}'.",
            f"Required columns of the '{kind.name}' template are missing: {', '.join(missing)}. "
            f"'sozialgraph steuerung template --art {kind.name}' writes an empty one.", row=1)
    columns = kind.by_name
    problems = [Problem("Warning", f"Unbekannte Spalte '{n}' wird ignoriert.", f"Unknown column '{n}' is ignored.",
                        row=1, column=n) for n in seen if n not in columns]
    keep = [(n, i) for n, i in seen.items() if n in columns]
    table = Table([n for n, _ in keep], problems=problems)
    width = len(header)
    for rownum, cells in body:
        if not any(str(c).strip() for c in cells):
            continue
        if len(cells) != width:
            raise IngestError(f"Zeile {rownum} hat {len(cells)} Felder, die Kopfzeile aber {width}.",
                              f"Row {rownum} has {len(cells)} fields but the header has {width}.", row=rownum)
        table.rows.append((rownum, {n: unneutralise(str(cells[i]).strip()) for n, i in keep if str(cells[i]).strip()}))
    if not table.rows:
        raise IngestError("Die Datei enthält nur die Kopfzeile.", "The file holds only the header row.", row=2)
    return table


def template_csv(kind: Kind) -> bytes:
    """Header row only, semicolon-separated, UTF-8 with BOM (as German Excel opens it)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerow(safe_row(c.name for c in kind.columns))
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def template_xlsx(kind: Kind, resolver, indicators: list[tuple[str, str]]) -> bytes:
    """The kind's sheet with the header; sheet 'Erläuterungen' explaining every column and listing the allowed
    values, generated from the vocabularies in the store (``indicators``: (code, German label) pairs)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = kind.sheet
    bold = Font(bold=True)
    for i, c in enumerate(kind.columns, start=1):
        cell = ws.cell(row=1, column=i, value=safe_cell(c.name))
        cell.font = bold
        if c.required:
            cell.fill = PatternFill("solid", fgColor="FFE699")
    help_ws = wb.create_sheet(HELP_SHEET)
    help_ws.append(safe_row(["Spalte / column", "Pflicht / required", "Beschreibung", "Description",
                             "Beispiel / example"]))
    for c in kind.columns:
        help_ws.append(safe_row([c.name, "ja" if c.required else "nein", c.help_de, c.help_en, c.example]))
    for vkind in dict.fromkeys(c.kind for c in kind.columns if c.kind):
        values: list[tuple[str, str]] = []
        if vkind == "indikator":
            values = indicators
        elif vkind in ("zielart", "richtung"):
            values = [(v, "") for v in (("strategisch", "operativ") if vkind == "zielart" else ("senken", "erhöhen"))]
        elif vkind in KIND_NAMES or vkind in ("bedarfsstatus", "massnahmenstatus"):
            values = [(t.label("de"), t.notation or "") for t in resolver.values(vkind)]
        if not values:
            continue
        help_ws.append([])
        help_ws.append(safe_row([f"Erlaubte Werte: {kind_name(vkind)} / allowed values: {kind_name(vkind, 'en')}"]))
        help_ws.cell(row=help_ws.max_row, column=1).font = bold
        for label, code in values:
            help_ws.append(safe_row([label, code]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
