"""The capture template (Erfassungsvorlage): its columns, reading CSV/XLSX into rows, writing an empty template.

COLUMNS is the one table of the template's columns; the template writer, the reader, the mapping to RDF, the
XLSX explanation sheet and the docs all read it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from sozialgraph import namespaces as ns
from sozialgraph.capture.common import IngestError, Problem
from sozialgraph.csvsafe import unneutralise, safe_cell, safe_row  # the written template: no cell may be a formula
from sozialgraph.namespaces import KIND_NAMES

P = ns.PREFIXES


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help_de: str
    help_en: str
    kind: str | None = None  # vocabulary / lookup kind (sozialgraph.lookup.KIND_NAMES) or None
    multi: bool = False  # several values separated by ';'
    path: str | None = None  # predicate the column fills (on the offer, its place or the place's address)
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("kennung", True, "Eigene, dauerhafte Kennung des Angebots im Amt (bleibt bei jeder Einreichung gleich).",
           "The office's own stable identifier of the offer (stays the same in every submission).",
           path=P["dcterms"] + "identifier", example="SB-0042"),
    Column("bezeichnung", True, "Name des Angebots.", "Name of the offer.", path=P["rdfs"] + "label",
           example="Seniorenberatung Nippes"),
    Column("beschreibung", False, "Kurze Beschreibung.", "Short description.", path=P["dcterms"] + "description"),
    Column("angebotsart", True, "Eine Angebotsart (Bezeichnung, Synonym oder Code aus dem Vokabular).",
           "One offer type (label, synonym or code of the vocabulary).", kind="angebotsart",
           path=P["sg"] + "offerType", example="Sozialberatung"),
    Column("zielgruppen", True, "Eine oder mehrere Zielgruppen, getrennt durch ';'.",
           "One or more target groups, separated by ';'.", kind="zielgruppe", multi=True,
           path=P["sg"] + "targetGroup", example="Senioren;Alleinerziehende"),
    Column("lebenslagen", False, "Lebenslagendimensionen, getrennt durch ';'.",
           "Life-situation dimensions, separated by ';'.", kind="lebenslage", multi=True,
           path=P["sg"] + "lifeSituation", example="Gesundheit"),
    Column("traeger", True, "Name des Trägers.", "Provider name.", path=P["sg"] + "provider",
           example="Caritasverband für die Stadt Köln e. V."),
    Column("amt", False, "Verantwortliches Amt (Name oder Code); leer: das einreichende Amt.",
           "Responsible office (name or code); empty: the submitting office.", kind="amt",
           path=P["sg"] + "responsibleOffice", example="50"),
    Column("strasse", False, "Straße.", "Street.", path=P["schema"] + "streetAddress", example="Neusser Straße"),
    Column("hausnummer", False, "Hausnummer.", "House number.", path=P["schema"] + "streetAddress", example="450"),
    Column("plz", False, "Postleitzahl (5 Ziffern).", "Postcode (5 digits).", path=P["schema"] + "postalCode",
           example="50733"),
    Column("ort", False, "Ort; leer: Köln.", "Town; empty: Köln.", path=P["schema"] + "addressLocality",
           example="Köln"),
    Column("stadtteil", False, "Stadtteil (Name oder amtliche Nummer); Pflicht, außer bei Reichweite Gesamtstadt "
           "(oder Stadtbezirk, wenn die Spalte stadtbezirk gefüllt ist).",
           "Quarter (Stadtteil, name or official number); required unless reach is Gesamtstadt (or Stadtbezirk "
           "with the column stadtbezirk filled).", kind="stadtteil", path=P["sg"] + "quarter", example="Nippes"),
    Column("stadtbezirk", False, "Stadtbezirk (Name oder Nummer 1–9); muss zum Stadtteil passen.",
           "Borough (Stadtbezirk, name or number 1-9); must match the quarter.", kind="stadtbezirk",
           path=P["sg"] + "borough", example="Nippes"),
    Column("breitengrad", False, "Geografische Breite (WGS84, Dezimalgrad; Komma oder Punkt).",
           "Latitude (WGS84 decimal degrees; comma or point).", path=P["geo"] + "lat", example="50,9651"),
    Column("laengengrad", False, "Geografische Länge (WGS84, Dezimalgrad; Komma oder Punkt).",
           "Longitude (WGS84 decimal degrees; comma or point).", path=P["geo"] + "long", example="6,9542"),
    Column("reichweite", True, "Einrichtung, Quartier, Stadtteil, Stadtbezirk oder Gesamtstadt.",
           "Reach: Einrichtung, Quartier, Stadtteil, Stadtbezirk or Gesamtstadt.", kind="reichweite",
           path=P["sg"] + "reach", example="Stadtteil"),
    Column("ziele", False, "Codes der Ziele, zu denen das Angebot beiträgt, getrennt durch ';'.",
           "Codes of the goals the offer contributes to, separated by ';'.", kind="ziel", multi=True,
           path=P["sg"] + "contributesTo"),
    Column("telefon", False, "Telefonnummer.", "Telephone number.", path=P["schema"] + "telephone",
           example="0221 123456"),
    Column("email", False, "E-Mail-Adresse.", "E-mail address.", path=P["schema"] + "email",
           example="beratung@example.org"),
    Column("website", False, "Webseite (https://…).", "Web site (https://…).", path=P["schema"] + "url"),
    Column("oeffnungszeiten", False, "Öffnungszeiten als Text.", "Opening hours as text.",
           path=P["schema"] + "openingHours", example="Mo–Fr 9–16 Uhr"),
    Column("barrierefrei", False, "ja, nein oder teilweise.", "ja (yes), nein (no) or teilweise (partly).",
           kind="barrierefreiheit", path=P["sg"] + "accessibility", example="ja"),
    Column("kosten", False, "kostenlos, kostenpflichtig oder ermäßigt.",
           "kostenlos (free), kostenpflichtig (charged) or ermäßigt (reduced).", kind="kosten",
           path=P["sg"] + "cost", example="kostenlos"),
    Column("sprachen", False, "Sprachen (ISO-639-1-Code oder deutscher Name), getrennt durch ';'.",
           "Languages (ISO 639-1 code or German name), separated by ';'.", kind="sprache", multi=True,
           path=P["dcterms"] + "language", example="de;tr"),
    Column("gueltig_ab", False, "Gültig ab (2026-01-31 oder 31.01.2026).", "Valid from (2026-01-31 or 31.01.2026).",
           path=P["schema"] + "validFrom"),
    Column("gueltig_bis", False, "Gültig bis (2026-12-31 oder 31.12.2026).", "Valid until.",
           path=P["schema"] + "validThrough"),
    Column("alter_von", False, "Mindestalter der Zielgruppe in Jahren.", "Minimum age in years.",
           path=P["sg"] + "minAge"),
    Column("alter_bis", False, "Höchstalter der Zielgruppe in Jahren.", "Maximum age in years.",
           path=P["sg"] + "maxAge"),
    Column("plaetze", False, "Plätze (Kapazität, z. B. Betten).", "Capacity (places, beds).",
           path=P["sg"] + "capacity"),
    Column("erreichte_personen", False, "Erreichte Personen pro Jahr.", "People reached per year.",
           path=P["sg"] + "peopleReachedPerYear"),
    Column("vertraulich", False, "ja: Adresse und Koordinaten werden nicht veröffentlicht (z. B. Frauenhaus).",
           "ja (yes): address and coordinates are never published (e.g. a women's shelter).",
           path=P["sg"] + "confidential", example="nein"),
)

BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
REQUIRED = [c.name for c in COLUMNS if c.required]
# Predicates of the place / address that are not columns of their own, and where the report points for them.
EXTRA_PATH_COLUMNS = {
    P["sg"] + "location": "strasse",
    P["schema"] + "address": "strasse",
}
DATA_SHEET = "Angebote"
HELP_SHEET = "Erläuterungen"


def column_for_path(path: str | None) -> str | None:
    if path is None:
        return None
    for c in COLUMNS:
        if c.path == path:
            return c.name
    return EXTRA_PATH_COLUMNS.get(path)


@dataclass
class Table:
    """Rows of a template file: (spreadsheet row number, {column: text}); header = row 1."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def normalise_header(name: str) -> str:
    h = ns.fold(str(name or "").replace("\ufeff", ""))
    return re.sub(r"[^a-z0-9]+", "_", h).strip("_")


def read_table(data: bytes, fmt: str) -> Table:
    if fmt == "xlsx":
        header, body = _xlsx_cells(data)
    else:
        header, body = _csv_cells(data)
    return _to_table(header, body)


def _to_table(header: list[str], body) -> Table:
    names = [normalise_header(h) for h in header]
    if not any(names):
        raise IngestError("Die erste Zeile enthält keine Spaltennamen.", "The first row holds no column names.",
                          row=1)
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for i, n in enumerate(names):
        if not n:
            continue
        if n in seen:
            raise IngestError(f"Die Spalte '{n}' kommt in der Kopfzeile zweimal vor.",
                              f"The column '{n}' appears twice in the header row.", row=1, column=n)
        seen[n] = i
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        raise IngestError(
            f"Es fehlen Pflichtspalten: {', '.join(missing)}. Vorhanden: {', '.join(n for n in names if n)}. "
            f"Eine leere Vorlage erzeugt 'sozialgraph template'.",
            f"Required columns are missing: {', '.join(missing)}. Present: {', '.join(n for n in names if n)}. "
            f"'sozialgraph template' writes an empty template.", row=1)
    for n in seen:
        if n not in BY_NAME:
            problems.append(Problem("Warning", f"Unbekannte Spalte '{n}' wird ignoriert.",
                                    f"Unknown column '{n}' is ignored.", row=1, column=n))
    keep = [(n, i) for n, i in seen.items() if n in BY_NAME]
    table = Table([n for n, _ in keep], problems=problems)
    width = len(header)
    for rownum, cells in body:
        if not any(str(c).strip() for c in cells):
            continue
        if len(cells) != width:
            raise IngestError(
                f"Zeile {rownum} hat {len(cells)} Felder, die Kopfzeile aber {width}. Prüfen Sie Trennzeichen "
                f"und Anführungszeichen in dieser Zeile.",
                f"Row {rownum} has {len(cells)} fields but the header has {width}. Check separators and quotes "
                f"in this row.", row=rownum)
        # a published CSV carries neutralised cells ('+49 …): read back as the value it stands for
        table.rows.append((rownum, {n: unneutralise(str(cells[i]).strip()) for n, i in keep if str(cells[i]).strip()}))
    if not table.rows:
        raise IngestError("Die Datei enthält keine Angebote (nur die Kopfzeile).",
                          "The file holds no offers (only the header row).", row=2)
    return table


# -- CSV ---------------------------------------------------------------------------------------------------------
def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or Windows-1252; anything else is an error naming the line."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        raise IngestError("Die Datei ist UTF-16-kodiert. Bitte als 'CSV UTF-8' oder 'CSV (Trennzeichen-getrennt)' "
                          "speichern.", "The file is UTF-16 encoded. Save it as 'CSV UTF-8'.")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise IngestError(f"Die Datei enthält Null-Bytes (Zeile {line}); sie ist keine Textdatei.",
                          f"The file contains NUL bytes (line {line}); it is not a text file.", row=line)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = data[: exc.start].count(b"\n") + 1
        first_error = exc
    # Windows-1252 only if there is no valid UTF-8 multibyte sequence: a mix means a broken file.
    if re.search(rb"[\xc2-\xf4][\x80-\xbf]", data):
        raise IngestError(
            f"Die Kodierung ist fehlerhaft (Zeile {bad_line}): die Datei mischt UTF-8 mit einer anderen "
            f"Kodierung. Bitte als 'CSV UTF-8' speichern.",
            f"Broken encoding (line {bad_line}): the file mixes UTF-8 with another encoding. Save it as "
            f"'CSV UTF-8'.", row=bad_line)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise IngestError(
            f"Die Datei ist weder UTF-8 noch Windows-1252 (Zeile {bad_line}, Byte {first_error.start}).",
            f"The file is neither UTF-8 nor Windows-1252 (line {bad_line}, byte {first_error.start}).",
            row=bad_line) from None


def _csv_cells(data: bytes):
    text = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise IngestError("Die Datei ist leer.", "The file is empty.") from None
    except csv.Error as exc:
        raise IngestError(f"Die Kopfzeile ist keine gültige CSV-Zeile: {exc}.",
                          f"The header is not a valid CSV line: {exc}.", row=1) from None

    def body():
        rownum = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise IngestError(f"Zeile {rownum + 1} ist keine gültige CSV-Zeile: {exc}.",
                                  f"Row {rownum + 1} is not a valid CSV line: {exc}.", row=rownum + 1) from None
            rownum += 1
            yield rownum, cells

    return header, body()


# -- XLSX --------------------------------------------------------------------------------------------------------
def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


XLSX_UNPACKED_LIMIT = 512 * 1024 * 1024  # bytes all parts of one workbook may unpack to (a zip bomb stops here)
_MARKUP_DECL = re.compile(rb"<!(?!--|\[CDATA\[)")  # <!DOCTYPE, <!ENTITY, …: anything but a comment or CDATA


def _check_xlsx_parts(data: bytes) -> None:
    """Refuse a workbook before openpyxl parses it (openpyxl expands entities unless defusedxml is installed):
    any XML part with a document type or entity declaration (XXE, "billion laughs"), an XML part not in UTF-8,
    broken compression or checksums, and more than XLSX_UNPACKED_LIMIT unpacked bytes. Every part is unpacked
    once, in pieces, so corrupt data shows here rather than as a crash inside openpyxl."""
    import zipfile
    import zlib

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(f"Die Datei ist keine lesbare XLSX-Arbeitsmappe (kein gültiges ZIP-Archiv: {exc}).",
                          f"The file is not a readable XLSX workbook (not a valid ZIP archive: {exc}).") from None
    total = 0
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            is_xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
            tail, first = b"", True
            try:
                with zf.open(info) as part:
                    while True:
                        piece = part.read(1024 * 1024)
                        if not piece:
                            if is_xml and _declares(tail, final=True):
                                raise _doctype_error(info.filename)
                            break
                        total += len(piece)
                        if total > XLSX_UNPACKED_LIMIT:
                            mb = XLSX_UNPACKED_LIMIT // (1024 * 1024)
                            raise IngestError(
                                f"Die XLSX-Datei entpackt sich zu mehr als {mb} MiB; so wird sie nicht angenommen "
                                f"(möglicherweise eine ZIP-Bombe).",
                                f"The XLSX file unpacks to more than {mb} MiB; it is not accepted (possibly a "
                                f"zip bomb).")
                        if not is_xml:
                            continue
                        if first and (piece.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in piece[:4]):
                            raise IngestError(
                                f"Der XML-Teil '{info.filename}' der XLSX-Datei ist nicht UTF-8-kodiert; so wird "
                                f"er nicht gelesen. Bitte die Datei in Excel neu speichern.",
                                f"The XML part '{info.filename}' of the XLSX file is not UTF-8 encoded; it is not "
                                f"read. Save the file again in Excel.")
                        if _declares(tail + piece, final=False):
                            raise _doctype_error(info.filename)
                        tail, first = piece[-16:], False
            except IngestError:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
                    RuntimeError) as exc:
                raise IngestError(
                    f"Die XLSX-Datei ist beschädigt: der Teil '{info.filename}' lässt sich nicht entpacken "
                    f"({type(exc).__name__}: {exc}).",
                    f"The XLSX file is damaged: its part '{info.filename}' cannot be unpacked "
                    f"({type(exc).__name__}: {exc}).") from None


def _declares(buf: bytes, final: bool) -> bool:
    """A markup declaration in ``buf``; near its end (where '<!--' may be cut) only when nothing follows."""
    return any(final or m.start() < len(buf) - 9 for m in _MARKUP_DECL.finditer(buf))


def _doctype_error(part: str) -> IngestError:
    return IngestError(
        f"Die XLSX-Datei enthält im Teil '{part}' eine DOCTYPE- oder ENTITY-Deklaration. Solche Dateien werden aus "
        f"Sicherheitsgründen nicht gelesen (XML-Entitäten, XXE); Excel schreibt so etwas nie. Bitte die Datei in "
        f"Excel neu speichern.",
        f"The XLSX file has a DOCTYPE or ENTITY declaration in its part '{part}'. Such files are not read, for "
        f"security (XML entities, XXE); Excel never writes them. Save the file again in Excel.")


def _xlsx_cells(data: bytes):
    import zipfile

    from openpyxl import load_workbook

    _check_xlsx_parts(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise IngestError(f"Die Datei ist keine lesbare XLSX-Arbeitsmappe ({exc}).",
                          f"The file is not a readable XLSX workbook ({exc}).") from None
    sheets = [ws for ws in wb.worksheets if ws.title != HELP_SHEET]
    if len(sheets) != 1:
        names = ", ".join(f"'{ws.title}'" for ws in wb.worksheets)
        raise IngestError(
            f"Die Arbeitsmappe hat mehrere Tabellenblätter ({names}). Erlaubt ist ein Blatt mit den Angeboten "
            f"(dazu höchstens das Blatt '{HELP_SHEET}' der Vorlage).",
            f"The workbook has several sheets ({names}). Allowed is one sheet of offers (plus at most the "
            f"template's '{HELP_SHEET}' sheet).")
    ws = sheets[0]
    rows = []
    for r_idx, row in enumerate(ws.iter_rows(), start=1):
        cells = []
        for c_idx, cell in enumerate(row, start=1):
            if getattr(cell, "data_type", None) == "f":
                from openpyxl.utils import get_column_letter

                ref = f"{get_column_letter(c_idx)}{r_idx}"
                raise IngestError(
                    f"Zelle {ref} (Zeile {r_idx}) enthält eine Formel. Bitte nur Werte einreichen "
                    f"(Kopieren, 'Werte einfügen').",
                    f"Cell {ref} (row {r_idx}) contains a formula. Submit values only (copy, 'paste values').",
                    row=r_idx)
            cells.append(_cell_text(cell.value))
        rows.append(cells)
    wb.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise IngestError("Das Tabellenblatt ist leer.", "The sheet is empty.")
    header = rows[0]
    while header and not header[-1].strip():
        header = header[:-1]
    width = len(header)
    # openpyxl pads rows to the sheet's width: cut trailing empty cells beyond the header, keep real extras.
    body = []
    for i, cells in enumerate(rows[1:], start=2):
        while len(cells) > width and not cells[-1].strip():
            cells = cells[:-1]
        cells = cells + [""] * (width - len(cells))
        body.append((i, cells))
    return header, body


# -- writing the empty template ----------------------------------------------------------------------------------
def template_csv() -> bytes:
    """Header row only, semicolon-separated, UTF-8 with BOM (as German Excel opens it)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerow(safe_row(c.name for c in COLUMNS))
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def template_xlsx(resolver) -> bytes:
    """Sheet 'Angebote' with the header; sheet 'Erläuterungen' explaining every column and listing every allowed
    value, generated from the vocabularies in the store."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter


    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFE699")
    for i, c in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i, value=safe_cell(c.name))
        cell.font = bold
        if c.required:
            cell.fill = required_fill
        ws.column_dimensions[get_column_letter(i)].width = max(12, len(c.name) + 4)
    ws.freeze_panes = "A2"

    help_ws = wb.create_sheet(HELP_SHEET)
    help_ws.append(safe_row(["Spalte / column", "Pflicht / required", "Beschreibung", "Description",
                             "Beispiel / example", "Erlaubte Werte / allowed values"]))
    for cell in help_ws[1]:
        cell.font = bold
    for c in COLUMNS:
        allowed = ""
        if c.kind:
            allowed = f"siehe unten: {KIND_NAMES[c.kind][0]} / see below"
        help_ws.append(safe_row([c.name, "ja" if c.required else "nein", c.help_de, c.help_en, c.example, allowed]))
    for kind in dict.fromkeys(c.kind for c in COLUMNS if c.kind):
        help_ws.append([])
        de, en = KIND_NAMES[kind]
        help_ws.append(safe_row([f"Erlaubte Werte: {de} / allowed values: {en}"]))
        help_ws.cell(row=help_ws.max_row, column=1).font = bold
        help_ws.append(["Bezeichnung", "Code", "English", "Synonyme / synonyms"])
        for t in resolver.values(kind):
            help_ws.append(safe_row([t.label("de"), t.notation or "", t.labels.get("en", ""),
                                     "; ".join(sorted(t.alt))]))
    for col, width in zip("ABCDEF", (34, 16, 60, 50, 24, 40)):
        help_ws.column_dimensions[col].width = width
    for row in help_ws.iter_rows(min_row=2, max_col=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
