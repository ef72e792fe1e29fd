"""Ingest: read a submitted file (capture template as CSV/XLSX, or RDF) into a staged submission.

Never writes the live store. ``read_submission`` is the one entry point:

- ``template``: the Erfassungsvorlage (COLUMNS, the one table of columns), reading CSV/XLSX into rows, writing an
  empty template;
- ``mapping``: template rows -> RDF triples (public and confidential part) with the source position (row, column)
  of every (subject, predicate), and row-level problems (unknown vocabulary values, bad numbers or dates);
- ``rdf``: Turtle / JSON-LD / N-Triples submissions in the ontology's terms.
"""

from __future__ import annotations

from sozialgraph.capture.common import IngestError, Problem, Staged, detect_format
from sozialgraph.capture.readers import read_submission

__all__ = ["IngestError", "Problem", "Staged", "detect_format", "read_submission"]
