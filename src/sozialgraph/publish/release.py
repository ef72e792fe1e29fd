"""Open-data releases: dumps of the public graphs, a flat CSV of offers, SHA-256 checksums, a DCAT-AP.de catalogue
and a VoID description.

A release has one dataset for the whole (every public graph) and one per office (its graph …/graph/office/{code}).
Each dataset is written as Turtle, N-Triples (gzip), JSON-LD and a CSV of its offers whose columns are those of the
capture template, so a published CSV can be submitted again. Only public graphs are ever read (private graphs hold
confidential addresses). The catalogue is built with rdflib from data/dcat/publication.ttl (static metadata, in
Turtle) plus what is measured here (files, byte sizes, checksums, dates, counts).

``write_release`` writes a dated directory atomically (built next to it, then renamed into place);
``ReleaseCache`` keeps one current release for the web server and rebuilds it after the store changes.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import sys
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, XSD

from sozialgraph import namespaces as ns
from sozialgraph.resources import DATA_DIR
from sozialgraph.publish.void import Subset, build_void
from sozialgraph.store.backup import sha256_file as sha256_of  # one file checksum
from sozialgraph.store.base import MERGED
from sozialgraph.sparql.saved import load_query
from sozialgraph.capture.template import COLUMNS
from sozialgraph.csvsafe import safe_row
from sozialgraph.sparql.output import term_text

STATIC_METADATA = DATA_DIR / "dcat" / "publication.ttl"

DCATDE = rdflib.Namespace("http://dcat-ap.de/def/dcatde/")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
VOID = rdflib.Namespace(ns.PREFIXES["void"])
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "https://www.iana.org/assignments/media-types/"

CATALOGUE = URIRef(ns.ID + "katalog")
WHOLE = URIRef(ns.ID + "datensatz/sozialgraph")
SERVICE = URIRef(ns.ID + "katalog/sparql")
TEMPLATE_DATASET = URIRef(ns.ID + "katalog/vorlage-datensatz")
TEMPLATE_OFFICE_DATASET = URIRef(ns.ID + "katalog/vorlage-amtsdatensatz")
TEMPLATE_PUBLISHER = URIRef(ns.ID + "katalog/vorlage-herausgeber")
PUBLISHER = URIRef(ns.ID + "org/sp")
ONTOLOGY = URIRef(ns.ONTOLOGY_IRI)
MANIFEST = "release.json"
CHECKSUMS = "SHA256SUMS"


@dataclass(frozen=True)
class FileFormat:
    key: str          # file suffix and distribution IRI segment
    media_type: str
    file_type: str    # EU file-type authority code
    label_de: str
    label_en: str
    rdf: str | None = None       # store.dump format, None for the CSV
    compress: str | None = None  # IANA media type of the compression


FORMATS: tuple[FileFormat, ...] = (
    FileFormat("ttl", "text/turtle", "RDF_TURTLE", "Turtle", "Turtle", rdf="ttl"),
    FileFormat("nt.gz", "application/n-triples", "RDF_N_TRIPLES", "N-Triples, gzip-komprimiert",
               "N-Triples, gzip-compressed", rdf="nt", compress="application/gzip"),
    FileFormat("jsonld", "application/ld+json", "JSON_LD", "JSON-LD", "JSON-LD", rdf="jsonld"),
    FileFormat("csv", "text/csv", "CSV", "CSV-Tabelle der Angebote", "CSV table of the offers"),
)

# Media types of every file a release may contain (the web server answers with these).
MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt.gz": "application/n-triples",  # served with Content-Encoding untouched: the file is the gzip
    ".gz": "application/gzip",
    ".jsonld": "application/ld+json",
    ".csv": "text/csv",
    ".rdf": "application/rdf+xml",
    ".json": "application/json",
    ".zip": "application/zip",
}


def media_type_of(name: str) -> str:
    if name == CHECKSUMS:
        return "text/plain"
    if name.endswith(".nt.gz"):
        return "application/gzip"
    for suffix, mt in MEDIA_TYPES.items():
        if name.endswith(suffix):
            return mt
    return "application/octet-stream"


@dataclass
class DatasetSpec:
    key: str                 # file stem: "sozialgraph" or "angebote-50"
    iri: str
    graphs: list[str]        # graphs dumped (all public)
    office: str | None = None
    office_iri: str | None = None
    names: dict[str, str] = field(default_factory=dict)  # office name per language


@dataclass
class FileEntry:
    name: str
    dataset: str
    format: str
    media_type: str
    size: int
    sha256: str


@dataclass
class Release:
    path: Path
    date: str
    issued: str
    base_url: str
    files: list[FileEntry]
    datasets: list[str]
    fingerprint: str = ""

    def file(self, name: str) -> FileEntry | None:
        return next((f for f in self.files if f.name == name), None)

    def to_json(self) -> dict:
        d = asdict(self)
        d["path"] = str(self.path)
        return d

    @classmethod
    def load(cls, path: Path) -> Release:
        d = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        d["path"] = path
        d["files"] = [FileEntry(**f) for f in d["files"]]
        return cls(**d)


# -- what to publish ---------------------------------------------------------------------------------------
def office_code(graph: str) -> str | None:
    prefix = ns.GRAPH + "office/"
    return graph[len(prefix):] if graph.startswith(prefix) else None


def plan_datasets(store) -> list[DatasetSpec]:
    """The whole (every public graph) and one dataset per office graph."""
    public = store.public_graphs()
    # the whole: the public default graph, the merge of every public graph (each triple once; store/base.py)
    specs = [DatasetSpec("sozialgraph", str(WHOLE), [MERGED])]
    labels = load_query("office-labels", internal=True)
    for g in public:
        code = office_code(g)
        if not code:
            continue
        office_iri = ns.ID + "org/" + code.lower()
        rows = store.select(labels.render({"amt": _ox_iri(office_iri)}), public_only=True)
        row = rows[0] if rows else {}
        names = {lang: row[f"name_{lang}"].value for lang in ("de", "en") if f"name_{lang}" in row}
        names.setdefault("de", f"Amt {code}")
        names.setdefault("en", names["de"])
        specs.append(DatasetSpec(f"angebote-{ns.slug(code)}", ns.ID + f"datensatz/angebote-{ns.slug(code)}", [g],
                                 office=code, office_iri=office_iri, names=names))
    return specs


def _ox_iri(value: str):
    import pyoxigraph as ox

    return ox.NamedNode(value)


# -- writing files -----------------------------------------------------------------------------------------
def csv_columns() -> list[str]:
    """Columns of the published offer CSV: the capture template's columns that the flat query fills, in the
    template's order (so the file can be submitted again)."""
    q = load_query("export-offers-flat", internal=True)
    import re

    produced = [v for v in re.findall(r"AS \?(\w+)\)", q.text)]
    try:

        template = [c.name for c in COLUMNS]
    except ImportError:  # the template module is not there yet: the query's own order
        return produced
    return [c for c in template if c in produced]


def offer_rows(store, graph: str):
    """Rows (lists of text in csv_columns() order) of the offers in one office graph. The query runs on a dataset
    of that graph plus the vocabularies and reference data: far faster than over the union of all graphs."""
    q = load_query("export-offers-flat", internal=True)
    cols = csv_columns()
    result = store.query(q.text, public_only=True, default_graph=[ns.G_VOCAB, ns.G_REFERENCE, graph])
    for sol in result:
        yield [term_text(sol[c]) for c in cols]  # numeric literals as csvsafe.Numeral


def write_offers_csv(store, out, graphs: list[str]) -> int:
    """The offers of the (office) ``graphs`` as CSV with the template's columns; returns the number of rows."""
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(safe_row(csv_columns()))
    n = 0
    for g in graphs:
        for row in offer_rows(store, g):
            w.writerow(safe_row(row))  # no cell may start a spreadsheet formula (csvsafe); numbers stay
            n += 1
    return n


def _dump(store, path: Path, fmt: FileFormat, graphs: list[str]) -> None:
    """One graph, or several in a format whose documents concatenate (N-Triples, Turtle): Oxigraph's native dump
    graph by graph. Several graphs as JSON-LD: one document through the generic serialiser."""
    assert all(ns.is_public_graph(g) for g in graphs), "only public graphs are published"
    native = hasattr(store, "dump_graph") and (len(graphs) == 1 or fmt.rdf in ("nt", "ttl"))

    def write(fh):
        if native:
            for g in graphs:
                store.dump_graph(fh, fmt.rdf, g)
        else:
            store.dump(fh, fmt.rdf, graphs=graphs)

    if fmt.compress:
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz:
            write(gz)
    else:
        with open(path, "wb") as fh:
            write(fh)


def graph_sizes(store) -> dict[str, int]:
    """Triples per public graph (one query, counted inside Oxigraph)."""
    q = load_query("count-graph-triples", internal=True).text
    sizes = {r["g"].value: int(r["n"].value) for r in store.select(q, public_only=True)}
    sizes[MERGED] = store.count_public_default()
    return sizes


def fingerprint(store, sizes: dict[str, int] | None = None) -> str:
    """Changes whenever a public graph changes size (cheap enough to check once per process)."""
    counts = sizes if sizes is not None else graph_sizes(store)
    return hashlib.sha256(json.dumps(counts, sort_keys=True).encode()).hexdigest()[:16]


def write_release(ctx, outdir: str | Path, base_url: str = "", *, date: dt.date | None = None,
                  progress: bool | None = None, dated: bool = True,
                  echo: Callable[[str], None] | None = None) -> Release:
    """Write a complete release into OUTDIR/YYYY-MM-DD (or OUTDIR itself with ``dated=False``), atomically."""
    from tqdm import tqdm

    store = ctx.store
    settings = ctx.settings
    base_url = (base_url or settings.get("public_url") or ns.BASE.rstrip("/")).rstrip("/")
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    date = date or now.date()
    outdir = Path(outdir)
    target = outdir / date.isoformat() if dated else outdir
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        specs = plan_datasets(store)
        steps = [(s, f) for s in specs for f in FORMATS]
        show = progress if progress is not None else sys.stderr.isatty()

        def write_step(spec: DatasetSpec, fmt: FileFormat) -> FileEntry:
            name = f"{spec.key}-angebote.csv" if fmt.rdf is None else f"{spec.key}.{fmt.key}"
            path = tmp / name
            if fmt.rdf is None and spec.office:
                with open(path, "w", encoding="utf-8", newline="") as fh:
                    write_offers_csv(store, fh, spec.graphs)
            elif fmt.rdf is None:
                with open(path, "wb") as out:
                    out.write(",".join(csv_columns()).encode("utf-8") + b"\r\n")
                    for other in specs:
                        if other.office:
                            with open(tmp / f"{other.key}-angebote.csv", "rb") as part:
                                part.readline()  # header
                                shutil.copyfileobj(part, out)
            else:
                _dump(store, path, fmt, spec.graphs)
            return FileEntry(name, spec.key, fmt.key, fmt.media_type, path.stat().st_size, sha256_of(path))

        # Oxigraph releases the GIL while it evaluates and serialises: files are written in parallel; the whole's
        # CSV last, because it is the office CSVs put together (offers live only in office graphs).
        last = [(s, f) for (s, f) in steps if s.office is None and f.rdf is None]
        first = [sf for sf in steps if sf not in last]
        files = []
        with tqdm(total=len(steps), desc="Veröffentlichung / publishing", unit="Datei", disable=not show) as bar, \
                ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
            for fut in as_completed([pool.submit(write_step, s, f) for s, f in first]):
                files.append(fut.result())
                bar.update()
            for s, f in last:
                files.append(write_step(s, f))
                bar.update()
        order = {s.key: i for i, s in enumerate(specs)}
        files.sort(key=lambda f: (order[f.dataset], [x.key for x in FORMATS].index(f.format)))
        release = Release(target, date.isoformat(), now.isoformat(), base_url, files, [s.key for s in specs])
        sizes = graph_sizes(store)
        stats = _stats(store, specs, sizes)
        cat = build_catalogue(release, specs, stats, settings)
        void = release_void(release, specs, stats, store, settings.get("licence", ""))
        extra = []
        for name, graph, fmt in (("katalog.ttl", cat, "turtle"), ("katalog.rdf", cat, "xml"),
                                 ("katalog.jsonld", cat, "json-ld"), ("void.ttl", void, "turtle")):
            graph.serialize(tmp / name, format=fmt, encoding="utf-8")
            extra.append(FileEntry(name, "", name.rsplit(".", 1)[1], media_type_of(name),
                                   (tmp / name).stat().st_size, sha256_of(tmp / name)))
        release.files += extra
        release.fingerprint = fingerprint(store, sizes)
        with open(tmp / CHECKSUMS, "w", encoding="utf-8") as fh:
            for f in release.files:
                fh.write(f"{f.sha256}  {f.name}\n")
        (tmp / MANIFEST).write_text(json.dumps(release.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
            target.rename(old)
        tmp.rename(target)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    release.path = target
    if echo:
        total = sum(f.size for f in release.files)
        echo(f"{target}: {len(release.files)} Dateien, {total / 1e6:.1f} MB")
    return release


# -- figures for the catalogue -----------------------------------------------------------------------------
def _stats(store, specs: list[DatasetSpec], sizes: dict[str, int]) -> dict[str, dict]:
    q = load_query("publish-offer-stats", internal=True).text
    times = {r["amt"].value: r for r in store.select(load_query("publish-submission-times", internal=True).text,
                                                       public_only=True)}
    out: dict[str, dict] = {}
    for spec in sorted(specs, key=lambda s: s.office is None):  # offices first, the whole sums them up
        if spec.office:
            rows = store.select(q, public_only=True, default_graph=spec.graphs)
            r = {k: v.value for k, v in (rows[0].items() if rows else [])}
        else:
            parts = [out[s.key] for s in specs if s.office]
            r = {"angebote": str(sum(int(p.get("angebote") or 0) for p in parts))}
            for key, pick in (("beginn", min), ("ende", max), ("geaendert", max)):
                values = [p[key] for p in parts if p.get(key)]
                if values:
                    r[key] = pick(values)
        sub = times.get(spec.office_iri or "") if spec.office else None
        if spec.office is None and times:
            firsts = [t["erste"].value for t in times.values()]
            lasts = [t["letzte"].value for t in times.values()]
            sub = {"erste": min(firsts), "letzte": max(lasts)}
        elif sub is not None:
            sub = {"erste": sub["erste"].value, "letzte": sub["letzte"].value}
        r["erste_einreichung"] = (sub or {}).get("erste")
        r["letzte_einreichung"] = (sub or {}).get("letzte")
        r["triples"] = sum(sizes.get(g, 0) for g in spec.graphs)
        out[spec.key] = r
    return out


def _date_literal(value: str | None) -> Literal | None:
    if not value:
        return None
    text = value[:10]
    try:
        return Literal(dt.date.fromisoformat(text).isoformat(), datatype=XSD.date)
    except ValueError:
        return None


# -- the DCAT-AP.de catalogue ------------------------------------------------------------------------------
def download_url(release: Release, name: str) -> URIRef:
    return URIRef(f"{release.base_url}/downloads/{name}")


def build_catalogue(release: Release, specs: list[DatasetSpec], stats: dict[str, dict],
                    settings: dict) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(STATIC_METADATA, format="turtle")
    for prefix, iri in (("dcat", DCAT), ("dcterms", DCTERMS), ("dcatde", DCATDE), ("spdx", SPDX), ("foaf", FOAF),
                        ("sgid", ns.ID), ("vcard", "http://www.w3.org/2006/vcard/ns#"),
                        ("skos", ns.PREFIXES["skos"]), ("xsd", XSD)):
        g.bind(prefix, iri, override=True)
    defaults = list(g.predicate_objects(TEMPLATE_DATASET))
    publisher_defaults = list(g.predicate_objects(TEMPLATE_PUBLISHER))
    office_tmpl = list(g.predicate_objects(TEMPLATE_OFFICE_DATASET))
    for t in (TEMPLATE_DATASET, TEMPLATE_PUBLISHER, TEMPLATE_OFFICE_DATASET):
        g.remove((t, None, None))

    issued = Literal(release.issued, datatype=XSD.dateTime)
    licence = URIRef(settings.get("licence") or "http://dcat-ap.de/def/licenses/dl-by-de/2.0")
    g.add((licence, RDF.type, DCTERMS.LicenseDocument))
    attribution = Literal("Stadt Köln, Stabsstelle Sozialplanung: sozialgraph Köln")
    homepage = URIRef(f"{release.base_url}/katalog")
    endpoint = URIRef(f"{release.base_url}/sparql")
    void_url = download_url(release, "void.ttl")

    g.add((CATALOGUE, DCTERMS.issued, issued))
    g.add((CATALOGUE, DCTERMS.modified, issued))
    g.add((CATALOGUE, DCTERMS.license, licence))
    g.add((CATALOGUE, FOAF.homepage, homepage))
    g.add((homepage, RDF.type, FOAF.Document))
    g.add((CATALOGUE, DCAT.service, SERVICE))
    g.add((SERVICE, DCAT.endpointURL, endpoint))
    g.add((SERVICE, DCAT.endpointDescription, endpoint))
    g.add((SERVICE, DCTERMS.license, licence))
    g.add((endpoint, RDF.type, RDFS.Resource))

    for spec in specs:
        ds = URIRef(spec.iri)
        st = stats.get(spec.key, {})
        g.add((CATALOGUE, DCAT.dataset, ds))
        g.add((SERVICE, DCAT.servesDataset, ds))
        g.add((ds, RDF.type, DCAT.Dataset))
        for p, o in defaults:
            g.add((ds, p, o))
        if spec.office:
            for p, o in office_tmpl:
                if isinstance(o, Literal) and o.language in spec.names:
                    o = Literal(str(o).replace("{amt}", spec.names[o.language]), lang=o.language)
                g.add((ds, p, o))
            agent = URIRef(spec.office_iri)
            g.add((ds, DCTERMS.publisher, agent))
            g.add((ds, DCTERMS.creator, agent))
            g.add((agent, RDF.type, FOAF.Agent))
            g.add((agent, RDF.type, FOAF.Organization))
            for lang, name in spec.names.items():
                g.add((agent, FOAF.name, Literal(f"Stadt Köln, {name}" if lang == "de" else
                                                 f"City of Cologne, {name}", lang=lang)))
            for p, o in publisher_defaults:
                g.add((agent, p, o))
            g.add((ds, DCTERMS.identifier, Literal(f"sozialgraph-angebote-{spec.office}")))
            g.add((ds, DCAT.keyword, Literal(spec.names["de"], lang="de")))
        else:
            g.add((ds, DCTERMS.publisher, PUBLISHER))
            g.add((ds, DCTERMS.identifier, Literal("sozialgraph")))
            g.add((ds, RDFS.seeAlso, void_url))
        g.add((ds, DCAT.landingPage, homepage))
        g.add((ds, DCTERMS.issued, issued))
        modified = _date_literal(st.get("geaendert")) or _date_literal(st.get("letzte_einreichung"))
        g.add((ds, DCTERMS.modified, modified or Literal(release.date, datatype=XSD.date)))
        start = _date_literal(st.get("beginn")) or _date_literal(st.get("erste_einreichung"))
        end = _date_literal(st.get("ende"))
        if start or end:
            period = BNode()
            g.add((ds, DCTERMS.temporal, period))
            g.add((period, RDF.type, DCTERMS.PeriodOfTime))
            if start:
                g.add((period, DCAT.startDate, start))
            if end:
                g.add((period, DCAT.endDate, end))
        title = {t.language: str(t) for t in g.objects(ds, DCTERMS.title)}
        for f in release.files:
            if f.dataset != spec.key:
                continue
            fmt = next(x for x in FORMATS if x.key == f.format)
            dist = URIRef(f"{spec.iri}/{ns.slug(fmt.key)}")
            url = download_url(release, f.name)
            g.add((ds, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCTERMS.title, Literal(f"{title.get('de', spec.key)} ({fmt.label_de})", lang="de")))
            g.add((dist, DCTERMS.title, Literal(f"{title.get('en', spec.key)} ({fmt.label_en})", lang="en")))
            g.add((dist, DCAT.accessURL, url))
            g.add((dist, DCAT.downloadURL, url))
            g.add((url, RDF.type, RDFS.Resource))
            g.add((dist, DCAT.mediaType, URIRef(IANA + fmt.media_type)))
            g.add((dist, DCTERMS.format, URIRef(FILE_TYPE + fmt.file_type)))
            if fmt.compress:
                g.add((dist, DCAT.compressFormat, URIRef(IANA + fmt.compress)))
            g.add((dist, DCAT.byteSize, Literal(str(f.size), datatype=XSD.nonNegativeInteger)))
            checksum = BNode()
            g.add((dist, SPDX.checksum, checksum))
            g.add((checksum, RDF.type, SPDX.Checksum))
            g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))
            g.add((dist, DCTERMS.license, licence))
            g.add((dist, DCATDE.licenseAttributionByText, attribution))
            g.add((dist, DCTERMS.issued, issued))
            g.add((dist, DCTERMS.modified, issued))
            if fmt.rdf:
                g.add((dist, DCTERMS.conformsTo, ONTOLOGY))
    return g


# -- VoID ----------------------------------------------------------------------------------------------------
def release_void(release: Release, specs: list[DatasetSpec], stats: dict[str, dict], store,
                 licence: str = "") -> rdflib.Graph:
    """The release's VoID (publish/void.py): the whole as the public default graph, one subset per office."""
    def dumps(key: str) -> list[str]:
        return [str(download_url(release, f.name)) for f in release.files
                if f.dataset == key and f.format in ("ttl", "nt.gz")]

    whole = specs[0]
    subsets = [Subset(s.iri, int(stats.get(s.key, {}).get("triples", 0)), s.names.get("de", s.key),
                      int(stats.get(s.key, {}).get("angebote", 0) or 0), dumps(s.key)) for s in specs[1:]]
    q = load_query("void-class-partitions", internal=True).text
    partitions = [(r["klasse"].value, int(r["anzahl"].value)) for r in store.select(q, public_only=True)]
    triples = build_void(whole.iri, f"{release.base_url}/sparql", int(stats.get(whole.key, {}).get("triples", 0)),
                         subsets, licence=licence, title_de="sozialgraph Köln", dumps=dumps(whole.key),
                         class_partitions=partitions)
    g = rdflib.Graph()
    for prefix in ("void", "dcterms", "sgid"):
        g.bind(prefix, ns.PREFIXES[prefix])
    g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    return g


# -- the live release of the web server ----------------------------------------------------------------------
class ReleaseCache:
    """One current release in ``directory`` for the server; rebuilt when the store has changed since."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._release: Release | None = None
        self._key: tuple | None = None

    def get(self, ctx, base_url: str) -> Release:
        store = ctx.store
        key = (id(store), store.generation, base_url)
        with self._lock:
            if self._release is not None and self._key == key:
                return self._release
            current = self.directory / "aktuell"
            if self._release is None and (current / MANIFEST).is_file():
                try:
                    rel = Release.load(current)
                    if rel.base_url == base_url and rel.fingerprint == fingerprint(store):
                        self._release, self._key = rel, key
                        return rel
                except (OSError, ValueError, TypeError, KeyError):
                    pass
            rel = write_release(ctx, current, base_url, dated=False, progress=False)
            self._release, self._key = rel, key
            return rel
