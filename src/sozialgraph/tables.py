"""Tables for spreadsheets: the one writer of every CSV and XLSX download (searches, matrices, map figures, lists).

CSV is written for German Excel: semicolons, UTF-8 with BOM, decimal comma, CRLF line ends. XLSX is written with
openpyxl, numbers as numeric cells. Both carry the query's filters above the table (CSV: ``# name; value`` lines
before the header; XLSX: the first rows of the sheet, then an empty row, then the header), and every text cell goes
through csvsafe.safe_cell, so no cell can be a formula.

    table = Table(["Stadtteil", "Angebote je 1.000"], rows, filters=[("Zielgruppe", "Senioren")], title="Bedarfe")
    table.csv()   # bytes
    table.xlsx()  # bytes
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from sozialgraph.csvsafe import Numeral, safe_cell

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def german_number(value) -> str:
    """A number as German Excel reads it: decimal comma, no thousands separator (1234.5 -> '1234,5')."""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        text = repr(value) if value != int(value) or abs(value) >= 1e16 else str(int(value))
    else:
        text = str(value)
    return text.replace(".", ",")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) or (isinstance(value, Numeral) and safe_cell(value) == value):
        return german_number(value)
    return str(safe_cell(value))


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    filters: list[tuple[str, str]] = field(default_factory=list)  # (name, value) of the query that made the table
    title: str = "Tabelle"

    def csv(self) -> bytes:
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
        for name, value in self.filters:
            w.writerow([f"# {_csv_cell(name)}", _csv_cell(value)])
        w.writerow([_csv_cell(h) for h in self.headers])
        for row in self.rows:
            w.writerow([_csv_cell(v) for v in row])
        return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")

    def xlsx(self) -> bytes:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = "".join(c for c in self.title if c not in "[]:*?/\\")[:31] or "Tabelle"
        for name, value in self.filters:
            ws.append([safe_cell(name), safe_cell(value)])
        if self.filters:
            ws.append([])
        ws.append([safe_cell(h) for h in self.headers])
        header_row = ws.max_row
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
        for row in self.rows:
            ws.append([_xlsx_cell(v) for v in row])
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


def _xlsx_cell(value):
    if isinstance(value, Numeral) and safe_cell(value) == value:
        return Decimal(value) if "." in value else int(value)
    if isinstance(value, Decimal):
        return float(value)
    return safe_cell(value)
