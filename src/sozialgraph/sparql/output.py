"""Render SPARQL SELECT results for the terminal and for files: table, CSV, JSON."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox

from sozialgraph.csvsafe import NUMERIC_TYPES, Numeral, safe_row


def term_text(t) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.Literal) and t.datatype.value in NUMERIC_TYPES:
        return Numeral(t.value)  # plain str, but csvsafe keeps a negative number as it is
    if isinstance(t, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return t.value
    return str(t)


def rows_of(result) -> tuple[list[str], list[list[str]]]:
    names = [v.value for v in result.variables]
    rows = [[term_text(sol[n]) for n in names] for sol in result]
    return names, rows


def results_csv(result) -> str:
    """SELECT solutions as SPARQL 1.1 CSV (CRLF, blank nodes as _:id), every cell formula-safe (csvsafe)."""
    names = [v.value for v in result.variables]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(safe_row(names))
    for sol in result:
        w.writerow(safe_row("_:" + t.value if isinstance(t, ox.BlankNode) else term_text(t)
                            for t in (sol[n] for n in names)))
    return buf.getvalue()


def render(names: list[str], rows: list[list[str]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(names, r)) for r in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(safe_row(names))
        w.writerows(safe_row(r) for r in rows)  # no cell may start a spreadsheet formula (csvsafe)
        return buf.getvalue()
    widths = [min(60, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
    def line(cells):
        return "  ".join((c if len(c) <= w else c[: w - 1] + "…").ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    return "\n".join(out) + "\n"
