"""Package data: ontology, shapes, saved queries, vocabularies and reference data, templates and static files.

The top-level folders ``ontology/``, ``shapes/``, ``queries/`` and ``data/`` of the repository are the sources; the
package reaches them through links inside ``src/sozialgraph/`` so that a checkout, an editable install and a
wheel (which carries copies) all read them the same way, through ``importlib.resources``. Nothing here reads
outside the installed package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE = Path(str(resources.files("sozialgraph")))

ONTOLOGY_DIR = PACKAGE / "ontology"
SHAPES_DIR = PACKAGE / "shapes"
QUERY_DIR = PACKAGE / "queries"
DATA_DIR = PACKAGE / "data"
TEMPLATES_DIR = PACKAGE / "web" / "templates"
STATIC_DIR = PACKAGE / "web" / "static"
RDF_TEMPLATES_DIR = TEMPLATES_DIR / "rdf"

ONTOLOGY_FILE = ONTOLOGY_DIR / "sozialgraph.ttl"
CHANGELOG_FILE = ONTOLOGY_DIR / "CHANGELOG.md"


def data_files(pattern: str) -> list[Path]:
    """Files below data/ matching a glob pattern, sorted."""
    return sorted(DATA_DIR.glob(pattern))
