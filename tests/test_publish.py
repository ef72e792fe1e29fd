"""Open-data releases: files, checksums, catalogue facts, public-only content, re-submittable CSV, CLI."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import DCAT, DCTERMS, RDF

from sozialgraph import config
from sozialgraph import namespaces as ns
from sozialgraph.context import Context
from sozialgraph.publish.release import CHECKSUMS, FORMATS, MANIFEST, csv_columns, write_release

SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
BASE_URL = "https://daten.example/sozialgraph"


@pytest.fixture(scope="module")
def release(ref_ctx, tmp_path_factory):
    return write_release(ref_ctx, tmp_path_factory.mktemp("pub"), BASE_URL, progress=False,
                         date=dt.date(2026, 11, 26))


@pytest.fixture(scope="module")
def catalogue(release):
    return rdflib.Graph().parse(release.path / "katalog.ttl")


def test_release_is_dated_and_has_every_format_per_dataset(release):
    assert release.path.name == "2026-11-26"
    assert release.datasets == ["sozialgraph", "angebote-50"]
    names = {f.name for f in release.files}
    for key in release.datasets:
        assert {f"{key}.ttl", f"{key}.nt.gz", f"{key}.jsonld", f"{key}-angebote.csv"} <= names
    assert {"katalog.ttl", "katalog.rdf", "katalog.jsonld", "void.ttl"} <= names
    manifest = json.loads((release.path / MANIFEST).read_text())
    assert {f["name"] for f in manifest["files"]} == names


def test_checksum_file_matches_the_bytes(release):
    lines = (release.path / CHECKSUMS).read_text().splitlines()
    assert len(lines) == len(release.files)
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((release.path / name).read_bytes()).hexdigest() == digest, name


def test_catalogue_states_size_checksum_type_and_licence_of_every_file(release, catalogue):
    dists = list(catalogue.subjects(RDF.type, DCAT.Distribution))
    assert len(dists) == len(release.datasets) * len(FORMATS)
    for d in dists:
        url = str(catalogue.value(d, DCAT.downloadURL))
        assert url.startswith(BASE_URL + "/downloads/")
        path = release.path / url.rsplit("/", 1)[1]
        data = path.read_bytes()
        assert int(catalogue.value(d, DCAT.byteSize)) == len(data)
        cs = catalogue.value(d, SPDX.checksum)
        assert str(catalogue.value(cs, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert catalogue.value(cs, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        mt = str(catalogue.value(d, DCAT.mediaType)).rsplit("/media-types/", 1)[1]
        expected = {"ttl": "text/turtle", "gz": "application/n-triples", "jsonld": "application/ld+json",
                    "csv": "text/csv"}[path.name.rsplit(".", 1)[1]]
        assert mt == expected
        assert str(catalogue.value(d, DCTERMS.license)) == config.BY_NAME["licence"].default


def test_catalogue_has_publisher_spatial_themes_and_conformance(catalogue):
    whole = rdflib.URIRef(ns.ID + "datensatz/sozialgraph")
    office = rdflib.URIRef(ns.ID + "datensatz/angebote-50")
    assert set(catalogue.subjects(RDF.type, DCAT.Dataset)) == {whole, office}
    assert catalogue.value(whole, DCTERMS.publisher) == rdflib.URIRef(ns.ID + "org/sp")
    assert catalogue.value(office, DCTERMS.publisher) == rdflib.URIRef(ns.ID + "org/50")
    assert "Amt für Soziales, Arbeit und Senioren" in str(catalogue.value(office, DCTERMS.title))
    spatial = set(catalogue.objects(office, DCTERMS.spatial))
    assert rdflib.URIRef("http://dcat-ap.de/def/politicalGeocoding/regionalKey/053150000000") in spatial
    themes = {str(t).rsplit("/", 1)[1] for t in catalogue.objects(office, DCAT.theme)}
    assert themes == {"SOCI", "HEAL", "GOVE"}
    assert catalogue.value(office, DCTERMS.conformsTo) == rdflib.URIRef(ns.ONTOLOGY_IRI)
    assert catalogue.value(office, DCAT.contactPoint) is not None
    assert (rdflib.URIRef(ns.ID + "katalog"), DCAT.service, None) in catalogue


def triples(quads) -> set:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in quads}


def test_dumps_hold_exactly_the_public_triples(release, ref_store):
    expected = set()
    for g in ref_store.public_graphs():
        expected |= set(ref_store.triples(g))
    with gzip.open(release.path / "sozialgraph.nt.gz", "rb") as fh:
        got = triples(ox.parse(fh, ox.RdfFormat.N_TRIPLES))
    assert got == expected
    office = set(ref_store.triples(ns.office_graph("50")))
    got_ttl = triples(ox.parse(path=str(release.path / "angebote-50.ttl"), format=ox.RdfFormat.TURTLE))
    assert got_ttl == office
    got_jsonld = triples(ox.parse(path=str(release.path / "angebote-50.jsonld"), format=ox.RdfFormat.JSON_LD))
    assert got_jsonld == office


def test_private_graphs_never_reach_a_release(fresh_store, tmp_path, repo_root):
    store = fresh_store
    store.load_file(repo_root / "tests/fixtures/offers.ttl", ns.office_graph("50"))
    secret = ox.Literal("Geheimweg 7 (vertraulich)")
    adr = ox.NamedNode(ns.ID + "standort/50/o2/adresse")
    store.extend([ox.Quad(adr, ox.NamedNode(ns.PREFIXES["schema"] + "streetAddress"), secret,
                          ox.NamedNode(ns.private_office_graph("50")))])
    ctx = Context(config.load({"store": str(store.path)}), store=store)
    rel = write_release(ctx, tmp_path / "out", BASE_URL, progress=False)
    for f in rel.files:
        data = (rel.path / f.name).read_bytes()
        if f.name.endswith(".gz"):
            data = gzip.decompress(data)
        assert b"Geheimweg" not in data, f.name
        assert b"/graph/private/" not in data, f.name


def test_offer_csv_uses_template_columns_and_can_be_submitted_again(release, ref_store):
    from sozialgraph.capture import read_submission
    from sozialgraph.capture.template import COLUMNS
    from sozialgraph.sparql.binding import Resolver

    text = (release.path / "angebote-50-angebote.csv").read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    template = [c.name for c in COLUMNS]
    assert header == csv_columns()
    assert header == [c for c in template if c in header]  # template order
    assert {"kennung", "bezeichnung", "angebotsart", "zielgruppen", "traeger", "reichweite"} <= set(header)

    staged = read_submission(text.encode("utf-8"), "angebote-50-angebote.csv", "text/csv",
                             office_iri=ns.ID + "org/50", office_code="50", resolver=Resolver.from_store(ref_store))
    assert [p for p in staged.problems if p.severity == "Violation"] == []
    original = {t.subject.value for t in ref_store.triples(ns.office_graph("50"))
                if t.predicate.value == ns.PREFIXES["rdf"] + "type" and t.object.value == ns.SG + "Offer"}
    assert set(staged.offers) == original
    # Providers are matched by name: the mapping mints …/traeger/{slug of name} (the fixture's hand-made provider
    # IRIs do not follow that pattern), so compare sg:provider after renaming through the labels.
    from sozialgraph.capture.mapping import provider_iri

    names = {r["p"].value: r["n"].value for r in ref_store.select(
        "SELECT ?p ?n WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?n }", public_only=True)}
    links = [ns.SG + p for p in ("offerType", "targetGroup", "lifeSituation", "responsibleOffice",
                                 "quarter", "borough", "reach", "contributesTo")]
    prov = ns.SG + "provider"
    assert {(t.subject.value, t.object.value) for t in staged.public if t.predicate.value == prov} == {
        (t.subject.value, provider_iri(names[t.object.value])) for t in ref_store.triples(ns.office_graph("50"))
        if t.predicate.value == prov}
    before = {(t.subject.value, t.predicate.value, t.object.value) for t in ref_store.triples(ns.office_graph("50"))
              if t.predicate.value in links and t.subject.value in original}
    after = {(t.subject.value, t.predicate.value, t.object.value) for t in staged.public + staged.private
             if t.predicate.value in links and t.subject.value in original}
    assert after == before


def test_licence_is_a_setting(ref_store, tmp_path):
    cc = "http://dcat-ap.de/def/licenses/cc-by/4.0"
    ctx = Context(config.load({"store": str(ref_store.path), "licence": cc}), store=ref_store)
    rel = write_release(ctx, tmp_path, BASE_URL, progress=False)
    g = rdflib.Graph().parse(rel.path / "katalog.ttl")
    assert {str(o) for o in g.objects(None, DCTERMS.license)} == {cc}


def test_cli_publish_and_export_keep_working(ref_store, tmp_path):
    from sozialgraph.cli import main

    runner = CliRunner()
    # The CLI opens the store itself; ref_store holds the lock, so run it on a copy.
    import shutil

    copy = tmp_path / "store"
    ref_store.flush()
    ref_store.checkpoint(copy)
    res = runner.invoke(main, ["--store", str(copy), "publish", str(tmp_path / "rel"), "--base-url", BASE_URL])
    assert res.exit_code == 0, res.output
    assert "Veröffentlicht:" in res.output
    dated = list((tmp_path / "rel").iterdir())
    assert len(dated) == 1 and (dated[0] / "katalog.ttl").is_file()
    res = runner.invoke(main, ["--store", str(copy), "export", "--format", "nt"])
    assert res.exit_code == 0
    assert ns.ID + "angebot/50/o1" in res.output
    shutil.rmtree(copy, ignore_errors=True)


# -- served live over real HTTP ---------------------------------------------------------------------------------
def test_katalog_is_content_negotiated(web):
    import requests

    for accept, fmt in (("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")):
        r = web.get("/katalog", headers={"Accept": accept}, timeout=60)
        assert r.status_code == 200
        assert r.headers["Content-Type"].split(";")[0] == accept
        g = rdflib.Graph().parse(data=r.content, format=fmt)
        assert (rdflib.URIRef(ns.ID + "katalog"), RDF.type, DCAT.Catalog) in g
        urls = {str(u) for u in g.objects(None, DCAT.downloadURL)}
        assert web.url + "/downloads/angebote-50.ttl" in urls
    r = web.get("/katalog", headers={"Accept": "text/html"}, timeout=60)
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]
    assert "Offene Daten" in r.text and "/downloads/sozialgraph.nt.gz" in r.text
    r = web.get("/katalog", headers={"Accept": "image/png"}, timeout=60)
    assert r.status_code == 406


def test_downloads_have_media_types_and_checksums(live_server):
    """Over real HTTP: the catalogue's download URLs are fetched as a harvester would."""
    import requests

    cat = rdflib.Graph().parse(data=requests.get(live_server.url + "/katalog.ttl", timeout=60).content,
                               format="turtle")
    expected_types = {".ttl": "text/turtle", ".nt.gz": "application/gzip", ".jsonld": "application/ld+json",
                      ".csv": "text/csv"}
    for d in cat.subjects(RDF.type, DCAT.Distribution):
        url = str(cat.value(d, DCAT.downloadURL))
        r = requests.get(url, timeout=60)
        assert r.status_code == 200, url
        suffix = next(s for s in expected_types if url.endswith(s))
        assert r.headers["Content-Type"].split(";")[0] == expected_types[suffix]
        digest = hashlib.sha256(r.content).hexdigest()
        assert digest == str(cat.value(cat.value(d, SPDX.checksum), SPDX.checksumValue))
        assert r.headers["X-Checksum-SHA256"] == digest
        assert len(r.content) == int(cat.value(d, DCAT.byteSize))
    sums = requests.get(live_server.url + "/downloads/SHA256SUMS", timeout=60)
    assert sums.status_code == 200 and sums.headers["Content-Type"].startswith("text/plain")
    assert "  angebote-50.ttl" in sums.text


def test_unknown_download_is_404_and_nothing_outside_is_served(web):
    import requests

    for name in ("nope.ttl", "release.json", "..%2Fstore", ".hidden"):
        r = web.get("/downloads/" + name, headers={"Accept": "application/json"}, timeout=60)
        assert r.status_code == 404, name
        assert r.json()["ok"] is False


def test_ontology_is_served_as_turtle_and_as_documentation(web, repo_root):
    import requests

    r = web.get("/ontology", headers={"Accept": "text/turtle"}, timeout=60)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    assert r.content == (repo_root / "ontology/sozialgraph.ttl").read_bytes()
    onto = rdflib.Graph().parse(data=r.content, format="turtle")
    version_iri = str(onto.value(rdflib.URIRef(ns.ONTOLOGY_IRI), rdflib.OWL.versionIRI))
    version = version_iri.rsplit("/", 1)[1]
    html = web.get("/ontology", headers={"Accept": "text/html"}, timeout=60)
    assert html.status_code == 200 and "text/html" in html.headers["Content-Type"]
    assert version_iri in html.text and 'id="Offer"' in html.text
    en = web.get("/ontology?lang=en", headers={"Accept": "text/html"}, timeout=60)
    assert "Classes" in en.text
    assert web.get(f"/ontology/{version}", headers={"Accept": "text/turtle"},
                        timeout=60).status_code == 200
    assert web.get("/ontology/99.0.0", timeout=60).status_code == 404
    log = web.get("/ontology/changelog", timeout=60)
    assert log.status_code == 200 and version in log.text


def test_schemaorg_export_describes_every_public_offer(ref_store, tmp_path):
    from sozialgraph.cli import main
    from sozialgraph.publish.schemaorg import offer_jsonld

    copy = tmp_path / "store"
    ref_store.flush()
    ref_store.checkpoint(copy)
    out = tmp_path / "schema.jsonld"
    res = CliRunner().invoke(main, ["--store", str(copy), "export", "schemaorg", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["@context"] == "https://schema.org"
    ids = {s["@id"] for s in doc["@graph"]}
    assert ids == {ns.ID + f"angebot/50/o{i}" for i in range(1, 7)}
    o5 = next(s for s in doc["@graph"] if s["@id"].endswith("/o5"))
    assert o5["@type"] == "Service" and o5["serviceType"] == "Seniorennetzwerk"
    assert o5["areaServed"]["@id"] == ns.ID + "stadtbezirk/2"
    assert o5["audience"][0]["audienceType"] == "Senioren"
    one = offer_jsonld(ref_store, ns.ID + "angebot/50/o1")
    assert one["@context"] == "https://schema.org" and one["location"]["geo"]["latitude"] == 50.9293
    assert offer_jsonld(ref_store, ns.ID + "angebot/50/gibt-es-nicht") is None
