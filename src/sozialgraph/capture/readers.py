"""The one entry point of capture: a submitted file (CSV, XLSX or RDF) read into a staged submission.

Never writes the live store: ``template`` reads the Erfassungsvorlage, ``mapping`` turns its rows into RDF with the
source position of every statement, ``rdf`` reads Turtle / JSON-LD / N-Triples in the ontology's terms.
"""

from __future__ import annotations

from sozialgraph.capture import mapping, rdf, template
from sozialgraph.capture.common import IngestError, Problem, Staged, detect_format


def read_submission(data: bytes, filename: str, content_type: str | None, *, office_iri: str, office_code: str,
                    resolver, example_data: bool = False, today: str | None = None) -> Staged:
    """Read a submitted file into a Staged submission. Raises UnsupportedFormat; reports everything else."""

    fmt = detect_format(filename, content_type, data)
    try:
        if not data.strip(b" \t\r\n\xef\xbb\xbf"):
            raise IngestError("Die Datei ist leer.", "The file is empty.")
        if fmt in ("csv", "xlsx"):
            table = template.read_table(data, fmt)
            staged = mapping.map_rows(table, office_iri=office_iri, office_code=office_code, resolver=resolver,
                                      example_data=example_data, today=today)
            staged.problems[:0] = table.problems
            staged.fmt = fmt
            return staged
        return rdf.read_rdf(data, fmt, office_iri=office_iri, office_code=office_code, example_data=example_data)
    except IngestError as exc:
        return Staged(fmt=fmt, problems=[Problem("Violation", exc.de, exc.en, row=exc.row, column=exc.column)])
