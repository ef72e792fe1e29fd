"""The spreadsheet writer (src/sozialgraph/tables.py): German-Excel CSV and XLSX with the filters on top."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from sozialgraph.csvsafe import Numeral
from sozialgraph.tables import Table, german_number

TABLE = Table(["Stadtteil", "Angebote", "je 1.000"],
              [["Mülheim", 12, 3.25], ["=HYPERLINK(1)", Numeral("-2"), Decimal("0.5")], ["Porz", None, 1234.0]],
              filters=[("Zielgruppe", "Senioren"), ("Stadtbezirk", "Porz")], title="Bedarfe")


def test_german_number():
    assert german_number(3.25) == "3,25"
    assert german_number(1234.0) == "1234"
    assert german_number(Decimal("0.50")) == "0,50"
    assert german_number(7) == "7"


def test_csv_is_for_german_excel():
    data = TABLE.csv()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["# Zielgruppe", "Senioren"]
    assert rows[1] == ["# Stadtbezirk", "Porz"]
    assert rows[2] == ["Stadtteil", "Angebote", "je 1.000"]
    assert rows[3] == ["Mülheim", "12", "3,25"]
    assert rows[4] == ["'=HYPERLINK(1)", "-2", "0,5"]  # text neutralised, a number is not
    assert rows[5] == ["Porz", "", "1234"]


def test_xlsx_has_filters_header_and_numeric_cells():
    wb = load_workbook(io.BytesIO(TABLE.xlsx()))
    ws = wb.active
    assert ws.title == "Bedarfe"
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][:2] == ["Zielgruppe", "Senioren"]
    assert values[2] == [None, None, None]
    assert values[3] == ["Stadtteil", "Angebote", "je 1.000"]
    assert values[4] == ["Mülheim", 12, 3.25]
    assert values[5] == ["'=HYPERLINK(1)", -2, 0.5]
    wb.close()
