"""Spreadsheet formula injection (OWASP "CSV injection"): the one rule for every CSV and XLSX the project writes.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with a single quote
``'`` so that Excel / LibreOffice show it as text instead of evaluating it (``=HYPERLINK(…)``, ``@SUM(1)``,
``-2+3``). Numbers are not formulas: values typed as numbers (int, float, Decimal; in XLSX they become numeric
cells) are returned untouched, and so is a :class:`Numeral` (the text of an RDF literal typed as a number, e.g.
from a SPARQL result) as long as it really is a plain decimal number such as ``-2`` or ``-6.95``.

Readers of the project's own files may undo the prefix with :func:`unneutralise` (a published CSV can be
submitted again).
"""

from __future__ import annotations

import re
from decimal import Decimal

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
# a plain decimal number (what a spreadsheet reads as a number constant, never as a formula)
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC_TYPES = frozenset(XSD + t for t in (
    "integer", "decimal", "double", "float", "long", "int", "short", "byte", "nonNegativeInteger",
    "nonPositiveInteger", "negativeInteger", "positiveInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte"))


class Numeral(str):
    """Text of a value typed as a number (an xsd numeric literal): kept by :func:`safe_cell` when it is a plain
    number. It is an ordinary ``str`` everywhere else (JSON, tables)."""

    __slots__ = ()


def safe_cell(value):
    """The value as a spreadsheet cell that cannot be a formula; None -> ''. Numbers (and bools) stay as they are,
    so XLSX keeps them numeric; text starting with = + - @ tab or CR gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float, Decimal)):
        return value
    text = str(value)
    if isinstance(value, Numeral) and NUMBER.fullmatch(text):
        return text
    if text.startswith(TRIGGERS):
        return QUOTE + text
    return text


def safe_row(values) -> list:
    """safe_cell of every value of a row (for csv.writer.writerow / openpyxl append)."""
    return [safe_cell(v) for v in values]


def unneutralise(text: str) -> str:
    """Undo safe_cell's prefix: "'=x" -> "=x" (only a quote followed by a trigger character is removed)."""
    if len(text) > 1 and text[0] == QUOTE and text[1] in "=+-@\t\r":
        return text[1:]
    return text
