"""The release catalogue passes the official DCAT-AP.de 3.0 SHACL shapes with no Violation.

Shapes version (see ../shared/ref/SOURCES.md): DCAT-AP.de 3.0 as GovData's validator configures it (validator type
``v30_de_spec``) = SEMIC DCAT-AP 3.0.0 shapes (``dcat-ap-3/3.0.0/shacl/dcat-ap-SHACL.ttl``) plus GovData's
``dcat-ap-de/validation-repo/v3.0/shapes/`` (dcat-ap-SHACL-DE, dcat-ap-de-deprecated,
dcat-ap-spec-german-additions, dcat-ap-de-controlledvocabularies; commit 0715dd6 of
GovDataOfficial/DCAT-AP.de-SHACL-Validation). ``dcat-ap-de-imports.ttl`` only lists remote vocabularies via
owl:imports; offline we load the local copy of the DCAT-AP.de licence list as ontology graph, and the catalogue
itself types and places in their schemes the few controlled-vocabulary terms it uses (data/dcat/publication.ttl).
Warnings are allowed (e.g. GovData's contributorID, which only applies to deliveries to GovData).
"""

from __future__ import annotations

import pyshacl
import pytest
import rdflib
from rdflib.namespace import SH

from sozialgraph import config
from sozialgraph.context import Context
from sozialgraph.publish.release import write_release

DE_SHAPES = ["dcat-ap-SHACL-DE.ttl", "dcat-ap-de-deprecated.ttl", "dcat-ap-spec-german-additions.ttl",
             "dcat-ap-de-controlledvocabularies.ttl"]


@pytest.fixture(scope="module")
def shapes(shared_dir):
    g = rdflib.Graph()
    g.parse(shared_dir / "ref/dcat-ap-3/3.0.0/shacl/dcat-ap-SHACL.ttl")
    for name in DE_SHAPES:
        g.parse(shared_dir / "ref/dcat-ap-de/validation-repo/v3.0/shapes" / name)
    return g


@pytest.fixture(scope="module")
def licences(shared_dir):
    return rdflib.Graph().parse(
        shared_dir / "ref/dcat-ap-de/validation-repo/dashboard-live/shapes/dcat-ap-de-licenses-open.rdf",
        format="xml")


@pytest.fixture(scope="module")
def release(ref_store, tmp_path_factory):
    ctx = Context(config.load({"store": str(ref_store.path)}), store=ref_store)
    return write_release(ctx, tmp_path_factory.mktemp("release"), "https://daten.example/sozialgraph",
                         progress=False)


def validate(data: rdflib.Graph, shapes: rdflib.Graph, ont: rdflib.Graph | None = None):
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ont, inference="none",
                                              allow_warnings=True, advanced=True)
    violations = [r for r in report.subjects(SH.resultSeverity, SH.Violation)]
    return conforms, violations, text


@pytest.mark.slow
@pytest.mark.parametrize("name,fmt", [("katalog.ttl", "turtle"), ("katalog.rdf", "xml"), ("katalog.jsonld", "json-ld")])
def test_catalogue_has_no_violation(release, shapes, licences, name, fmt):
    data = rdflib.Graph().parse(release.path / name, format=fmt)
    conforms, violations, text = validate(data, shapes, licences)
    assert not violations, text


def test_shapes_catch_a_broken_catalogue(release, shapes):
    """The same shapes do fire on our catalogue with the publisher and a licence taken away (the check is real)."""
    data = rdflib.Graph().parse(release.path / "katalog.ttl")
    DCT = rdflib.Namespace("http://purl.org/dc/terms/")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    dist = next(data.subjects(rdflib.RDF.type, dcat.Distribution))
    data.remove((dist, DCT.license, None))
    data.remove((None, DCT.publisher, None))
    conforms, violations, text = validate(data, shapes)
    assert not conforms
    assert "dcterms:license" in text or "license" in text
    assert "publisher" in text
