"""Reading the capture template: CSV dialects and encodings, XLSX, the template writer; RDF parsing."""

from __future__ import annotations

import pytest
from capture_helpers import CAPTURE, ctx_for, good_rows, xlsx_bytes

from sozialgraph.capture import IngestError, detect_format, read_submission
from sozialgraph.capture.common import UnsupportedFormat
from sozialgraph.capture.template import COLUMNS, REQUIRED, read_table, template_csv, template_xlsx

OFFICE = "https://w3id.org/sozialgraph/id/org/50"


def test_columns_table_is_the_contract():
    names = [c.name for c in COLUMNS]
    for required in ("kennung", "bezeichnung", "angebotsart", "zielgruppen", "traeger", "reichweite"):
        assert required in REQUIRED
    assert len(set(names)) == len(names)
    assert all(c.help_de and c.help_en for c in COLUMNS)
    assert {c.name: c.kind for c in COLUMNS}["zielgruppen"] == "zielgruppe"


def test_csv_semicolon_bom_and_cp1252_comma_read_the_same():
    a = read_table((CAPTURE / "good.csv").read_bytes(), "csv")
    b = read_table((CAPTURE / "good-cp1252-comma.csv").read_bytes(), "csv")
    assert a.rows == b.rows
    assert [r for r, _ in a.rows] == [2, 3, 4, 5]  # header = Zeile 1
    assert a.rows[3][1]["bezeichnung"] == "Begegnungsstätte Mülheim"
    assert a.rows[0][1]["sprachen"] == "de;tr"


def test_header_case_spaces_and_umlauts_are_normalised():
    data = "Kennung,BEZEICHNUNG,Angebotsart,Zielgruppen,Träger,Reichweite,Gültig ab,Foo\nA,B,C,D,E,F,G,H\n".encode()
    t = read_table(data, "csv")
    assert t.rows[0][1]["gueltig_ab"] == "G"
    assert "traeger" in t.rows[0][1]
    assert [p.column for p in t.problems] == ["foo"] and t.problems[0].severity == "Warning"


@pytest.mark.parametrize("data, needle", [
    (b"kennung;bezeichnung\nA;B\n", "Pflichtspalten"),
    ("kennung;kennung;bezeichnung;angebotsart;zielgruppen;traeger;reichweite\n".encode(), "zweimal"),
    (b"\xff\xfek\x00", "UTF-16"),
    (b"kennung;bezeichnung;angebotsart;zielgruppen;traeger;reichweite\n", "keine Angebote"),
])
def test_bad_tables(data, needle):
    with pytest.raises(IngestError) as exc:
        read_table(data, "csv")
    assert needle in exc.value.de


def test_xlsx_reads_rows_with_spreadsheet_numbers():
    rows = good_rows()
    t = read_table(xlsx_bytes(rows), "xlsx")
    assert [r for r, _ in t.rows] == [2, 3, 4, 5]
    assert t.rows == read_table((CAPTURE / "good.csv").read_bytes(), "csv").rows


def test_xlsx_numbers_and_dates_become_text():
    import datetime as dt

    rows = good_rows()
    hdr = rows[0]
    row = list(rows[1])
    row[hdr.index("plz")] = 50733
    row[hdr.index("gueltig_ab")] = dt.datetime(2026, 1, 31)
    row[hdr.index("breitengrad")] = 50.9651
    t = read_table(xlsx_bytes([hdr, row]), "xlsx")
    v = t.rows[0][1]
    assert (v["plz"], v["gueltig_ab"], v["breitengrad"]) == ("50733", "2026-01-31", "50.9651")


def test_xlsx_with_formula_is_refused_naming_the_cell():
    with pytest.raises(IngestError) as exc:
        read_table(xlsx_bytes(good_rows(), formula_at="C3"), "xlsx")
    assert "C3" in exc.value.de and exc.value.row == 3


def test_xlsx_with_several_sheets_is_refused():
    with pytest.raises(IngestError) as exc:
        read_table(xlsx_bytes(good_rows(), extra_sheet="Tabelle2"), "xlsx")
    assert "mehrere Tabellenblätter" in exc.value.de


def test_template_xlsx_explains_columns_and_lists_values_from_the_store(fresh_store):
    from io import BytesIO

    from openpyxl import load_workbook

    ctx = ctx_for(fresh_store)
    wb = load_workbook(BytesIO(template_xlsx(ctx.resolver())))
    assert wb.sheetnames == ["Angebote", "Erläuterungen"]
    assert [c.value for c in wb["Angebote"][1]] == [c.name for c in COLUMNS]
    text = " ".join(str(c.value) for row in wb["Erläuterungen"].iter_rows() for c in row if c.value)
    for label in ("Senioren", "Kindertagesstätte", "Gesamtstadt", "Mülheim", "kostenlos"):
        assert label in text
    # the filled template (with its explanation sheet) is accepted by the reader
    wb["Angebote"].append(good_rows()[1][: len(COLUMNS)])
    buf = BytesIO()
    wb.save(buf)
    assert len(read_table(buf.getvalue(), "xlsx").rows) == 1


def test_template_csv_is_header_only_semicolon_utf8_bom():
    data = template_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").strip() == ";".join(c.name for c in COLUMNS)


@pytest.mark.parametrize("name, ctype, fmt", [
    ("a.csv", None, "csv"), ("A.XLSX", None, "xlsx"), ("x.ttl", None, "turtle"), ("x", "application/ld+json", "jsonld"),
    ("x.nt", None, "ntriples"), ("upload", "text/csv; charset=utf-8", "csv"),
])
def test_detect_format(name, ctype, fmt):
    assert detect_format(name, ctype) == fmt


def test_unknown_format_raises():
    with pytest.raises(UnsupportedFormat):
        detect_format("x.pdf", "application/pdf")


def test_mapping_splits_confidential_address_and_coordinates(fresh_store):
    ctx = ctx_for(fresh_store)
    st = read_submission((CAPTURE / "good.csv").read_bytes(), "good.csv", None, office_iri=OFFICE,
                         office_code="50", resolver=ctx.resolver())
    public = {(t.subject.value, t.predicate.value, t.object.value) for t in st.public}
    private = {(t.subject.value, t.predicate.value, t.object.value) for t in st.private}
    assert any(o.startswith("Geheimweg") for _s, _p, o in private)
    assert not any("Geheimweg" in o or o == "50.9421" for _s, _p, o in public)
    offer = "https://w3id.org/sozialgraph/id/angebot/50/fh-2"
    assert (offer, "https://w3id.org/sozialgraph/ontology#quarter",
            "https://w3id.org/sozialgraph/id/stadtteil/103") in public
    assert any(o == "Neusser Straße 450" for _s, _p, o in public)  # not confidential: public
    assert st.rows[offer] == 3
    assert "https://w3id.org/sozialgraph/id/stadtteil/901" in {o for _s, _p, o in public}  # 'Muelheim'


def test_rdf_offer_outside_office_namespace_is_reported(fresh_store):
    data = (CAPTURE / "good.ttl").read_bytes()
    st = read_submission(data, "good.ttl", None, office_iri="https://w3id.org/sozialgraph/id/org/50",
                         office_code="50", resolver=None)
    assert any("Namensraum" in p.message_de for p in st.problems)
