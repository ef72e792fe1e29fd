"""Helpers shared by the capture tests (not a test module)."""

from __future__ import annotations

import io
from pathlib import Path

from sozialgraph import config
from sozialgraph.context import Context

CAPTURE = Path(__file__).resolve().parent / "fixtures" / "capture"


def ctx_for(store) -> Context:
    return Context(config.load({"store": str(store.path or ""), "validate_workers": 1}), store=store)


def dump_all(store) -> bytes:
    """Every graph (private ones too) as N-Quads, sorted: equal bytes = equal store content."""
    buf = io.BytesIO()
    store.dump(buf, "nq", public_only=False)
    return b"\n".join(sorted(buf.getvalue().splitlines()))


def xlsx_bytes(rows: list[list], extra_sheet: str | None = None, formula_at: str | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Angebote"
    for r in rows:
        ws.append(r)
    if formula_at:
        ws[formula_at] = "=1+1"
    if extra_sheet:
        wb.create_sheet(extra_sheet).append(["x"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def good_rows() -> list[list[str]]:
    import csv

    text = (CAPTURE / "good.csv").read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))
