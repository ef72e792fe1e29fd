"""What every reader produces: a staged submission (triples, source positions, problems), and the dispatcher."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from sozialgraph.errors import SozialgraphError

# format name -> (file extensions, media types)
FORMATS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "csv": ((".csv", ".txt"), ("text/csv", "application/csv", "text/comma-separated-values", "text/plain")),
    "xlsx": ((".xlsx",), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)),
    "turtle": ((".ttl",), ("text/turtle", "application/x-turtle")),
    "jsonld": ((".jsonld", ".json"), ("application/ld+json", "application/json")),
    "ntriples": ((".nt",), ("application/n-triples",)),
}


class IngestError(SozialgraphError, ValueError):
    """The file as a whole cannot be read (syntax, encoding, shape of the table). Becomes one Violation."""

    status = 422

    def __init__(self, de: str, en: str, row: int | None = None, column: str | None = None):
        self.row, self.column = row, column
        super().__init__(de, en)


class UnsupportedFormat(SozialgraphError, ValueError):
    """Neither the file name nor the content type names a format we read (HTTP 415)."""

    status = 415

    def __init__(self, filename: str, content_type: str | None):
        self.filename, self.content_type = filename, content_type
        known = ", ".join(ext for exts, _ in FORMATS.values() for ext in exts)
        super().__init__(f"Unbekanntes Dateiformat ('{filename}', {content_type or 'ohne Inhaltstyp'}). "
                         f"Erlaubt sind: {known}.",
                         f"Unknown file format ('{filename}', {content_type or 'no content type'}). Allowed: {known}.")


@dataclass
class Problem:
    """One finding of reading or mapping (before SHACL)."""

    severity: str  # 'Violation' | 'Warning' | 'Info'
    message_de: str
    message_en: str
    row: int | None = None
    column: str | None = None
    focus: str | None = None
    path: str | None = None
    shape: str | None = None
    value: str | None = None


@dataclass
class Staged:
    """A submission read into RDF, not yet validated or stored."""

    fmt: str
    public: list[ox.Triple] = field(default_factory=list)
    private: list[ox.Triple] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # subject IRI -> spreadsheet row (template formats)
    offers: list[str] = field(default_factory=list)  # offer IRIs in file order
    owner: dict[str, str] = field(default_factory=dict)  # subject IRI -> the offer it describes (for chunking)

    @property
    def triples(self) -> list[ox.Triple]:
        return self.public + self.private

    @property
    def fatal(self) -> bool:
        return any(p.severity == "Violation" and p.focus is None and p.row is None for p in self.problems) \
            and not self.offers


def detect_format(filename: str, content_type: str | None, data: bytes = b"") -> str:
    name = (filename or "").lower()
    for fmt, (exts, _types) in FORMATS.items():
        if name.endswith(exts):
            return fmt
    ctype = (content_type or "").split(";")[0].strip().lower()
    for fmt, (_exts, types) in FORMATS.items():
        if ctype in types:
            return fmt
    if data[:4] == b"PK\x03\x04" and not ctype:
        return "xlsx"
    raise UnsupportedFormat(filename, content_type)
