"""Synthetic demo offers for Cologne (Beispieldaten), written in the capture template's format.

The generator yields rows of the Erfassungsvorlage (one dict per offer, German column names) and
``load_demo`` submits them office by office through the same path real submissions take
(sozialgraph.submissions.submit_file). Everything it invents is marked: names carry "(Beispiel)", contact
addresses use the reserved ``.example`` domain, streets are "Musterstraße"/"Beispielweg", and every offer is
stored with ``sg:exampleData true``. Areas, offices, vocabularies and goals are real reference data read from the
store. It streams, so 1,000,000 offers need no more memory than 1,000.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from pathlib import Path

from sozialgraph import namespaces as ns
from sozialgraph.sparql.saved import load_query
from sozialgraph.capture.template import COLUMNS
from sozialgraph.capture.submissions import submit_file
from sozialgraph.capture.readers import read_submission

# What each office plausibly offers: (offer type label, target groups, life-situation dimensions, weight).
PROFILES: dict[str, list[tuple[str, list[str], list[str], int]]] = {
    "50": [
        ("Sozialberatung", ["Menschen mit geringem Einkommen", "Alle"], ["Einkommen"], 5),
        ("Schuldnerberatung", ["Menschen mit geringem Einkommen", "Familien"], ["Einkommen"], 4),
        ("Begegnungsstätte", ["Senioren"], ["Soziale Teilhabe"], 6),
        ("Seniorennetzwerk", ["Senioren"], ["Soziale Teilhabe", "Gesundheit"], 5),
        ("Pflegeberatung", ["Pflegebedürftige", "Senioren"], ["Gesundheit"], 3),
        ("Tagesstätte", ["Menschen mit psychischen Erkrankungen", "Wohnungslose"], ["Soziale Teilhabe"], 2),
        ("Notunterkunft", ["Wohnungslose"], ["Wohnen"], 2),
        ("Migrationsberatung", ["Geflüchtete", "Menschen mit Migrationsgeschichte"], ["Soziale Teilhabe"], 3),
    ],
    "51": [
        ("Kindertagesstätte", ["Kinder", "Familien"], ["Bildung"], 8),
        ("Familienzentrum", ["Familien", "Alleinerziehende", "Kinder"], ["Bildung", "Soziale Teilhabe"], 5),
        ("Jugendeinrichtung", ["Jugendliche"], ["Bildung", "Soziale Teilhabe"], 5),
        ("Erziehungsberatung", ["Familien", "Alleinerziehende"], ["Bildung"], 3),
    ],
    "53": [
        ("Gesundheitsangebot", ["Alle", "Kinder", "Senioren"], ["Gesundheit"], 4),
        ("Suchtberatung", ["Suchtkranke"], ["Gesundheit"], 3),
        ("Gesundheitsangebot", ["Menschen mit psychischen Erkrankungen"], ["Gesundheit"], 2),
    ],
    "56": [
        ("Wohnberatung", ["Senioren", "Menschen mit Behinderungen", "Menschen mit geringem Einkommen"], ["Wohnen"], 3),
        ("Wohnraumvermittlung", ["Wohnungslose", "Geflüchtete", "Familien"], ["Wohnen"], 3),
        ("Notunterkunft", ["Wohnungslose", "Geflüchtete"], ["Wohnen"], 2),
    ],
    "57": [("Energieberatung", ["Menschen mit geringem Einkommen", "Alle"], ["Wohnen", "Einkommen"], 2)],
    "jc": [
        ("Qualifizierung und Beschäftigung", ["Arbeitsuchende", "Langzeitarbeitslose"], ["Erwerbsarbeit"], 5),
        ("Sprach- und Integrationskurs", ["Geflüchtete", "Menschen mit Migrationsgeschichte"],
         ["Bildung", "Erwerbsarbeit"], 3),
        ("Sozialberatung", ["Langzeitarbeitslose", "Alleinerziehende"], ["Einkommen", "Erwerbsarbeit"], 2),
    ],
    "ksk": [("Energieberatung", ["Alle", "Menschen mit geringem Einkommen"], ["Wohnen"], 2)],
    "awb": [("Abfallberatung", ["Alle"], ["Wohnen"], 1)],
}
# Share of all offers per office (Amt 51 and 50 run most facilities).
OFFICE_WEIGHTS = {"50": 30, "51": 30, "53": 10, "56": 8, "57": 4, "jc": 10, "ksk": 4, "awb": 4}

REACH = [("Einrichtung", 45), ("Quartier", 10), ("Stadtteil", 25), ("Stadtbezirk", 13), ("Gesamtstadt", 7)]
PROVIDER_STEMS = ["Nachbarschaftshilfe", "Sozialwerk", "Familienhilfe", "Bürgerverein", "Stadtteilbüro",
                  "Jugendwerk", "Seniorenhilfe", "Gesundheitsladen", "Beratungsverbund", "Integrationshaus"]
STREETS = ["Musterstraße", "Beispielweg", "Am Beispielplatz", "Probegasse", "Musterallee"]
OPENING = ["Mo–Fr 9–16 Uhr", "Mo, Mi, Fr 10–14 Uhr", "Di und Do 14–18 Uhr", "nach Vereinbarung",
           "Mo–Do 8–18 Uhr, Fr 8–13 Uhr", "täglich 10–20 Uhr"]
LANGS = [["de"], ["de", "en"], ["de", "tr"], ["de", "ar"], ["de", "en", "ru"], ["de", "uk"], ["de", "fa", "ar"]]
# Postcodes per Stadtbezirk (a few real Cologne postcodes of each borough).
PLZ = {"1": ["50667", "50672", "50674", "50676", "50677", "50678"], "2": ["50968", "50996", "50997", "50999"],
       "3": ["50858", "50859", "50931", "50933", "50935"], "4": ["50823", "50825", "50827"],
       "5": ["50733", "50735", "50737", "50739"], "6": ["50765", "50767", "50769"],
       "7": ["51143", "51145", "51147", "51149"], "8": ["51103", "51105", "51107", "51109"],
       "9": ["51061", "51063", "51065", "51067", "51069"]}


def quarters(store) -> list[dict[str, str]]:
    rows = store.select(load_query("list-quarters", internal=True).text, public_only=True)
    return [{k: v.value for k, v in r.items()} for r in rows]


def goal_codes(resolver) -> list[str]:
    return sorted(t.notation for t in resolver.values("ziel") if t.notation and "." in t.notation)


def _choice(rng: random.Random, weighted):
    items, weights = zip(*weighted)
    return rng.choices(items, weights)[0]


def generate_rows(n: int, seed: int, areas: list[dict[str, str]], goals: list[str],
                  office: str | None = None) -> Iterator[dict[str, str]]:
    """Yield ``n`` template rows. With ``office`` only that office's offers (kennung stays unique per office)."""
    rng = random.Random(seed)
    office_pool = [(o, w) for o, w in OFFICE_WEIGHTS.items() if office in (None, o)]
    counters: dict[str, int] = {}
    for _ in range(n):
        amt = _choice(rng, office_pool)
        typ, groups, dims, _w = _choice(rng, [(p, p[3]) for p in PROFILES[amt]])
        area = rng.choice(areas)
        reach = _choice(rng, REACH)
        counters[amt] = counters.get(amt, 0) + 1
        k = counters[amt]
        stem = rng.choice(PROVIDER_STEMS)
        provider = f"{stem} {area['bezirkName']} e. V. (Beispiel)"
        chosen_groups = rng.sample(groups, k=rng.randint(1, len(groups)))
        row = {
            "kennung": f"{amt.upper()}-{k:07d}",
            "bezeichnung": f"{typ} {area['name']} {k} (Beispiel)",
            "beschreibung": f"Synthetisches Beispielangebot: {typ} für {', '.join(chosen_groups)} "
                            f"im Stadtteil {area['name']}. Beispieldaten, kein reales Angebot.",
            "angebotsart": typ,
            "zielgruppen": ";".join(chosen_groups),
            "lebenslagen": ";".join(dims),
            "traeger": provider,
            "amt": amt,
            "reichweite": reach,
            "stadtteil": area["nummer"],
            "ort": "Köln",
            "oeffnungszeiten": rng.choice(OPENING) if rng.random() < 0.85 else "",
            "barrierefrei": rng.choice(["ja", "ja", "teilweise", "nein"]),
            "kosten": rng.choice(["kostenlos", "kostenlos", "kostenlos", "ermäßigt", "kostenpflichtig"]),
            "sprachen": ";".join(rng.choice(LANGS)),
            "email": f"kontakt-{ns.slug(amt)}-{k}@beispiel-traeger.example",
            "website": f"https://{ns.slug(stem)}-{ns.slug(area['name'])}.example/angebot/{k}",
            "ziele": ";".join(rng.sample(goals, k=min(len(goals), rng.randint(0, 2)))) if goals else "",
            "gueltig_ab": f"{rng.randint(2019, 2026)}-{rng.randint(1, 12):02d}-01",
            "erreichte_personen": str(rng.randint(10, 2500)) if rng.random() < 0.6 else "",
        }
        if typ in ("Kindertagesstätte", "Notunterkunft", "Tagesstätte"):
            row["plaetze"] = str(rng.randint(10, 120))
        if "Jugendliche" in chosen_groups:
            row["alter_von"], row["alter_bis"] = "12", "27"
        elif chosen_groups == ["Kinder"]:
            row["alter_von"], row["alter_bis"] = "0", "6"
        if reach in ("Einrichtung", "Quartier", "Stadtteil"):
            row["strasse"] = rng.choice(STREETS)
            row["hausnummer"] = str(rng.randint(1, 180))
            row["plz"] = rng.choice(PLZ.get(area["bezirkNummer"], ["50667"]))
            if area.get("lat") and rng.random() < 0.9:
                row["breitengrad"] = f"{float(area['lat']) + rng.uniform(-0.003, 0.003):.6f}"
                row["laengengrad"] = f"{float(area['long']) + rng.uniform(-0.004, 0.004):.6f}"
        if typ == "Notunterkunft" and rng.random() < 0.3:
            row["vertraulich"] = "ja"  # e.g. a protected shelter: street and coordinates stay private
        yield row


def write_csv(rows, fh, columns: list[str]) -> int:
    w = csv.DictWriter(fh, fieldnames=columns, extrasaction="raise", lineterminator="\n")
    w.writeheader()
    n = 0
    for r in rows:
        w.writerow(r)
        n += 1
    return n


def template_columns() -> list[str]:

    return [c.name for c in COLUMNS]


def split_counts(n: int) -> dict[str, int]:
    """Offers per office for a total of n (largest remainder, deterministic)."""
    total = sum(OFFICE_WEIGHTS.values())
    raw = {o: n * w / total for o, w in OFFICE_WEIGHTS.items()}
    counts = {o: int(v) for o, v in raw.items()}
    for o in sorted(raw, key=lambda o: raw[o] - counts[o], reverse=True)[: n - sum(counts.values())]:
        counts[o] += 1
    return counts


def office_csvs(ctx, n: int, seed: int) -> Iterator[tuple[str, bytes, int]]:
    """(office code, CSV bytes, number of offers) for each office, n offers in all."""
    areas = quarters(ctx.store)
    goals = goal_codes(ctx.resolver())
    cols = template_columns()
    for i, (office, count) in enumerate(split_counts(n).items()):
        if count == 0:
            continue
        buf = io.StringIO()
        write_csv(generate_rows(count, seed * 1000 + i, areas, goals, office=office), buf, cols)
        yield office, buf.getvalue().encode("utf-8"), count


def load_demo(ctx, n: int, seed: int, echo=print) -> int:
    """Submit n demo offers, one submission per office, through the normal submission path."""

    total = 0
    for office, data, count in office_csvs(ctx, n, seed):
        res = submit_file(ctx, data, f"beispieldaten-{office}.csv", office, user="demo",
                          content_type="text/csv", example_data=True)
        if not res.accepted:
            raise RuntimeError(f"Demo-Einreichung für Amt {office} abgelehnt / rejected:\n"
                               + res.report.to_text("de"))
        total += count
        echo(f"  Amt {office}: {count} Beispielangebote, Version {res.version}")
    return total


def write_demo_files(ctx, n: int, seed: int, outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for office, data, _count in office_csvs(ctx, n, seed):
        p = outdir / f"beispieldaten-{office}.csv"
        p.write_bytes(data)
        paths.append(p)
    return paths


def write_ntriples(ctx, n: int, seed: int, fh, progress=None, chunk: int = 5000) -> int:
    """Stream n demo offers as N-Triples (public part) through the template mapping; returns triples written.

    Rows are mapped in chunks with the same reader real submissions use (sozialgraph.ingest), so the files
    loaded by the benchmarks have exactly the shape of submitted data. Memory stays flat whatever n is.
    """
    import itertools

    import pyoxigraph as ox


    resolver = ctx.resolver()
    areas = quarters(ctx.store)
    goals = goal_codes(resolver)
    cols = template_columns()
    rows = generate_rows(n, seed, areas, goals)
    written = 0
    while True:
        batch = list(itertools.islice(rows, chunk))
        if not batch:
            break
        by_office: dict[str, list[dict[str, str]]] = {}
        for r in batch:
            by_office.setdefault(r["amt"], []).append(r)
        for office, office_rows in by_office.items():
            buf = io.StringIO()
            write_csv(office_rows, buf, cols)
            staged = read_submission(buf.getvalue().encode("utf-8"), f"beispieldaten-{office}.csv", "text/csv",
                                     office_iri=resolver.resolve("amt", office), office_code=office,
                                     resolver=resolver, example_data=True)
            errors = [p for p in staged.problems if p.severity == "Violation"]
            if errors:
                raise RuntimeError(f"Demo-Zeilen nicht abbildbar / demo rows not mappable: {errors[0].message_de}")
            ox.serialize(staged.public, fh, ox.RdfFormat.N_TRIPLES)
            written += len(staged.public)
        if progress:
            progress(len(batch))
    return written


def add_demo_graph(ctx, n: int, seed: int = 1, graph: str | None = None, bulk: bool = False,
                   workdir: Path | None = None) -> int:
    """Add n demo offers to ctx.store as one graph (default …/graph/office/beispiel), mapped exactly like
    submissions but without validation or versions: the quick way for benchmarks and browser tests to get a
    realistic store. Returns the number of triples written."""
    import tempfile

    target = graph or ns.office_graph("beispiel")
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        nt = Path(tmp) / "demo.nt"
        with open(nt, "wb") as fh:
            written = write_ntriples(ctx, n, seed, fh)
        ctx.store.load_file(nt, target, bulk=bulk)
    return written
