"""Render SPARQL SELECT results for the terminal and for files: table, CSV, JSON."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox


def term_text(t) -> str:
    if t is None:
        return ""
    if isinstance(t, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return t.value
    return str(t)


def rows_of(result) -> tuple[list[str], list[list[str]]]:
    names = [v.value for v in result.variables]
    rows = [[term_text(sol[n]) for n in names] for sol in result]
    return names, rows


def render(names: list[str], rows: list[list[str]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(names, r)) for r in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(names)
        w.writerows(rows)
        return buf.getvalue()
    widths = [min(60, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
    def line(cells):
        return "  ".join((c if len(c) <= w else c[: w - 1] + "…").ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    return "\n".join(out) + "\n"
