"""Synthetic demo offers for Cologne (Beispieldaten), written in the capture template's format.

The generator yields rows of the Erfassungsvorlage (one dict per offer, German column names) and
``load_demo`` submits them office by office through the same path real submissions take
(sozialgraph.submissions.submit_file). Everything it invents is marked: names carry "(Beispiel)", contact
addresses use the reserved ``.example`` domain, streets are "Musterstraße"/"Beispielweg", and every offer is
stored with ``sg:exampleData true``. Areas, offices, vocabularies and goals are real reference data read from the
store. It streams, so 1,000,000 offers need no more memory than 1,000.

So that the analysis finds something worth finding, the offers are placed like real ones would be
(``DemoBasis.from_store`` reads what that needs once, generate_rows then streams):

- Where: an offer's Stadtteil is drawn with probability proportional to the people of one of its target groups
  living there (queries/internal/demo-group-population.rq: the group's sg:populationIndicator, else ab65 for
  Senioren, unter18 for Kinder, Jugendliche and Familien, else einwohner; each Stadtteil's latest value). Offers per
  1,000 people of a group are thus about even across Stadtteile, except for the DELIBERATE_GAPS below.
- Goals: only goals sharing a Lebenslage (sg:lifeSituation) with the offer, preferring those that share a target
  group (queries/internal/demo-goals.rq).
"""

from __future__ import annotations

import csv
import io
import itertools
import random
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from sozialgraph import namespaces as ns
from sozialgraph.sparql.binding import Resolver
from sozialgraph.sparql.saved import load_query
from sozialgraph.capture.template import COLUMNS
from sozialgraph.capture.submissions import submit_file
from sozialgraph.capture.readers import read_submission

# Deliberate gaps: the generator places no offer for the target group (or a narrower one) in the Stadtteil, so
# none is on site there (reach Einrichtung, Quartier, Stadtteil); offers of reach Stadtbezirk or Gesamtstadt from
# elsewhere still serve it. The Stadtteile are among those with the highest unemployment rate on 2020-12-31
# (city: 9.4 %), so burden and missing offers meet where a planner would look first. Source of the rates:
# ../shared/ref/koeln/kennzahlen_presse_und_webseiten.csv, EXPRESS after Statistisches Jahrbuch Köln,
# https://express.de/koeln/koeln-in-welchen-stadtteilen-sind-die-meisten-menschen-arbeitslos-87325
# The gaps themselves are invented (Beispieldaten), not a finding about Cologne.
DELIBERATE_GAPS: list[tuple[str, str, str]] = [
    # (Stadtteil number, target group label, why there)
    ("609", "Senioren", "Chorweiler, Arbeitslosenquote 18,7 %"),
    ("213", "Alleinerziehende", "Meschenich, Arbeitslosenquote 17,6 %"),
    ("802", "Langzeitarbeitslose", "Kalk, Arbeitslosenquote 17,8 %"),
    ("716", "Jugendliche", "Finkenberg, Arbeitslosenquote 24,0 % (höchste der 86 Stadtteile)"),
]

# Goals sharing a target group with the offer are this many times as likely as goals sharing only a Lebenslage.
SHARED_GROUP_WEIGHT = 4

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

ON_SITE = {"Einrichtung", "Quartier", "Stadtteil"}  # reaches of an offer that is there in person
REACH = [("Einrichtung", 45), ("Quartier", 10), ("Stadtteil", 25), ("Stadtbezirk", 13), ("Gesamtstadt", 7)]
PROVIDER_STEMS = ["Nachbarschaftshilfe", "Sozialwerk", "Familienhilfe", "Bürgerverein", "Stadtteilbüro",
                  "Jugendwerk", "Seniorenhilfe", "Gesundheitsladen", "Beratungsverbund", "Integrationshaus"]
STREETS = ["Musterstraße", "Beispielweg", "Am Beispielplatz", "Probegasse", "Musterallee"]
CONFIDENTIAL_STREET = "Musterhof"  # confidential offers only, so their addresses are told apart from public ones
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


@dataclass(frozen=True)
class Goal:
    code: str
    life_situations: frozenset[str] | None = None  # IRIs; None = not known (any offer may link it)
    target_groups: frozenset[str] = frozenset()  # IRIs


@dataclass
class DemoBasis:
    """What the generator reads from the store, once: the Stadtteile, a population weight per target group and
    Stadtteil, the goals with their Lebenslagen and target groups, and the IRIs of the labels in PROFILES."""

    areas: list[dict[str, str]]
    goals: list[Goal]
    # group label -> its share of people per area (areas' order, sums to 1; 0 where the group has a gap)
    shares: dict[str, list[float]] = field(default_factory=dict)
    iris: dict[str, str] = field(default_factory=dict)  # label of a group or Lebenslage in PROFILES -> IRI
    broader: dict[str, set[str]] = field(default_factory=dict)  # group IRI -> itself and all broader group IRIs
    blocked: dict[str, set[str]] = field(default_factory=dict)  # Stadtteil number -> group labels never placed

    @classmethod
    def from_store(cls, store, resolver: Resolver | None = None) -> "DemoBasis":
        resolver = resolver or Resolver.from_store(store)
        areas = quarters(store)
        labels = {g for profiles in PROFILES.values() for p in profiles for g in p[1]}
        dims = {d for profiles in PROFILES.values() for p in profiles for d in p[2]}
        iris = {g: resolver.resolve("zielgruppe", g) for g in labels}
        iris |= {d: resolver.resolve("lebenslage", d) for d in dims}
        broader = _broader_groups(store)
        population = _group_population(store, [a["stadtteil"] for a in areas])
        blocked: dict[str, set[str]] = defaultdict(set)
        for number, group, _why in DELIBERATE_GAPS:
            gap = resolver.resolve("zielgruppe", group)
            blocked[number] |= {g for g in labels if gap in broader.get(iris[g], {iris[g]})}
        shares = {}
        for g in sorted(labels):
            people = [0.0 if g in blocked.get(a["nummer"], ()) else w
                      for a, w in zip(areas, population.get(iris[g]) or population["*"])]
            total = sum(people) or 1.0
            shares[g] = [w / total for w in people]
        return cls(areas, _goals(store), shares, iris, broader, dict(blocked))

    @classmethod
    def uniform(cls, areas: list[dict[str, str]], goals: list[str]) -> "DemoBasis":
        """The former generator's inputs (areas, goal codes): even spread, any goal, no gaps."""
        return cls(areas, [Goal(code) for code in goals])

    def goals_for(self, groups: list[str], dims: list[str]) -> tuple[list[str], list[int]]:
        """Codes of the goals an offer for these groups and Lebenslagen may contribute to, and their weights."""
        dim_iris = {self.iris.get(d, d) for d in dims}
        group_iris = set().union(*(self.broader.get(self.iris.get(g, g), {self.iris.get(g, g)}) for g in groups))
        codes, weights = [], []
        for goal in self.goals:
            if goal.life_situations is not None and not goal.life_situations & dim_iris:
                continue
            codes.append(goal.code)
            weights.append(SHARED_GROUP_WEIGHT if goal.target_groups & group_iris else 1)
        return codes, weights


def _broader_groups(store) -> dict[str, set[str]]:
    """Target group IRI -> itself and every broader group (skos:broader*)."""
    out: dict[str, set[str]] = defaultdict(set)
    for r in store.select(load_query("demo-broader-groups", internal=True).text, public_only=True):
        out[r["eng"].value].add(r["weit"].value)
    return dict(out)


def _group_population(store, area_iris: list[str]) -> dict[str, list[float]]:
    """Target group IRI -> people per Stadtteil (in area_iris' order); "*" -> inhabitants. Each Stadtteil's latest
    value; a Stadtteil without one gets the group's share of its inhabitants elsewhere."""
    inhabitants = _latest((r["gebiet"].value, r["jahr"].value, r["wert"].value)
                          for r in store.select(load_query("area-population", internal=True).text, public_only=True))
    by_group: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for r in store.select(load_query("demo-group-population", internal=True).text, public_only=True):
        by_group[r["zielgruppe"].value].append((r["stadtteil"].value, r["jahr"].value, r["wert"].value))
    total = [inhabitants.get(a, 0.0) for a in area_iris]
    out = {"*": total}
    for group, rows in by_group.items():
        values = _latest(rows)
        known = [a for a in area_iris if a in values]
        base = sum(inhabitants.get(a, 0.0) for a in known)
        share = sum(values[a] for a in known) / base if base else 0.0
        weights = [values[a] if a in values else share * inhabitants.get(a, 0.0) for a in area_iris]
        if sum(weights) > 0:
            out[group] = weights
    return out


def _latest(rows) -> dict[str, float]:
    """(area, year, value) rows -> area: value of its latest year."""
    best: dict[str, tuple[str, float]] = {}
    for area, year, value in rows:
        if area not in best or year > best[area][0]:
            best[area] = (year, float(value))
    return {a: v for a, (_y, v) in best.items()}


def _goals(store) -> list[Goal]:
    found: dict[str, tuple[set[str], set[str]]] = {}
    for r in store.select(load_query("demo-goals", internal=True).text, public_only=True):
        dims, groups = found.setdefault(r["code"].value, (set(), set()))
        if "lebenslage" in r:
            dims.add(r["lebenslage"].value)
        if "zielgruppe" in r:
            groups.add(r["zielgruppe"].value)
    return [Goal(code, frozenset(d), frozenset(g)) for code, (d, g) in sorted(found.items())]


def _choice(rng: random.Random, weighted):
    items, weights = zip(*weighted)
    return rng.choices(items, weights)[0]


def _sample(rng: random.Random, items: list[str], weights: list[int], k: int) -> list[str]:
    """k distinct items, each draw weighted (without replacement)."""
    items, weights, out = list(items), list(weights), []
    for _ in range(min(k, len(items))):
        i = rng.choices(range(len(items)), weights)[0]
        out.append(items.pop(i))
        weights.pop(i)
    return out


class _Spreader:
    """Draws the Stadtteil of each offer so that the offers of every group follow its people.

    An area's chance is what it still lacks of its share: for each of the offer's groups, share x (offers of the
    group so far + 1) - offers of the group already there, summed over the groups, floored at 0. The first offer
    is drawn by the shares alone; later ones fill the areas that are behind, so counts stay within about one
    offer of their share (independent draws would scatter them, and small gaps would appear by chance). Counted
    apart for on-site offers and the others. Areas where a group has a deliberate gap are never drawn for it.
    Memory: one count per group and area, whatever the number of offers."""

    def __init__(self, basis: DemoBasis):
        self.basis = basis
        n = len(basis.areas)
        self.placed: dict[tuple[str, bool], list[int]] = defaultdict(lambda: [0] * n)
        self.total: Counter[tuple[str, bool]] = Counter()
        self._blocked: dict[frozenset[str], list[bool]] = {}  # groups -> areas barred for one of them

    def area(self, rng: random.Random, groups: list[str], on_site: bool) -> dict[str, str]:
        areas, shares = self.basis.areas, self.basis.shares
        if not shares:  # the former inputs: even spread
            return rng.choice(areas)
        key = frozenset(groups)
        if key not in self._blocked:
            self._blocked[key] = [bool(self.basis.blocked.get(a["nummer"], set()) & key) for a in areas]
        blocked = self._blocked[key]
        lack = [0.0] * len(areas)
        for g in groups:
            placed, due = self.placed[g, on_site], self.total[g, on_site] + 1
            lack = [x + s * due - c for x, s, c in zip(lack, shares[g], placed)]
        weights = [0.0 if b else max(x, 0.0) for x, b in zip(lack, blocked)]
        if not any(weights):  # all areas behind are blocked for one of the groups: by the shares alone
            weights = [0.0 if b else sum(shares[g][i] for g in groups) for i, b in enumerate(blocked)]
        if not any(weights):  # no people of these groups anywhere they may go: evenly
            weights = [0.0 if b else 1.0 for b in blocked]
        i = rng.choices(range(len(areas)), weights)[0]
        for g in groups:
            self.placed[g, on_site][i] += 1
            self.total[g, on_site] += 1
        return areas[i]


def generate_rows(n: int, seed: int, basis: DemoBasis | list[dict[str, str]], goals: list[str] | None = None,
                  office: str | None = None) -> Iterator[dict[str, str]]:
    """Yield ``n`` template rows. With ``office`` only that office's offers (kennung stays unique per office).

    ``basis`` comes from DemoBasis.from_store; the older form (areas, goal codes) spreads offers evenly and links
    any goal."""
    if not isinstance(basis, DemoBasis):
        basis = DemoBasis.uniform(basis, goals or [])
    rng = random.Random(seed)
    office_pool = [(o, w) for o, w in OFFICE_WEIGHTS.items() if office in (None, o)]
    spreader = _Spreader(basis)
    counters: dict[str, int] = {}
    for _ in range(n):
        amt = _choice(rng, office_pool)
        typ, groups, dims, _w = _choice(rng, [(p, p[3]) for p in PROFILES[amt]])
        chosen_groups = rng.sample(groups, k=rng.randint(1, len(groups)))
        reach = _choice(rng, REACH)
        area = spreader.area(rng, chosen_groups, reach in ON_SITE)
        counters[amt] = counters.get(amt, 0) + 1
        k = counters[amt]
        stem = rng.choice(PROVIDER_STEMS)
        provider = f"{stem} {area['bezirkName']} e. V. (Beispiel)"
        goal_pool, goal_weights = basis.goals_for(chosen_groups, dims)
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
            "ziele": ";".join(_sample(rng, goal_pool, goal_weights, rng.randint(0, 2))),
            "gueltig_ab": f"{rng.randint(2019, 2026)}-{rng.randint(1, 12):02d}-01",
            "erreichte_personen": str(rng.randint(10, 2500)) if rng.random() < 0.6 else "",
        }
        if typ in ("Kindertagesstätte", "Notunterkunft", "Tagesstätte"):
            row["plaetze"] = str(rng.randint(10, 120))
        if "Jugendliche" in chosen_groups:
            row["alter_von"], row["alter_bis"] = "12", "27"
        elif chosen_groups == ["Kinder"]:
            row["alter_von"], row["alter_bis"] = "0", "6"
        if reach in ON_SITE:
            row["strasse"] = rng.choice(STREETS)
            row["hausnummer"] = str(rng.randint(1, 180))
            row["plz"] = rng.choice(PLZ.get(area["bezirkNummer"], ["50667"]))
            if area.get("lat") and rng.random() < 0.9:
                row["breitengrad"] = f"{float(area['lat']) + rng.uniform(-0.003, 0.003):.6f}"
                row["laengengrad"] = f"{float(area['long']) + rng.uniform(-0.004, 0.004):.6f}"
        if typ == "Notunterkunft" and rng.random() < 0.3:
            row["vertraulich"] = "ja"  # e.g. a protected shelter: street and coordinates stay private
            if row.get("strasse"):
                row["strasse"] = CONFIDENTIAL_STREET  # never the address of a public offer too
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
    basis = DemoBasis.from_store(ctx.store, ctx.resolver())
    cols = template_columns()
    for i, (office, count) in enumerate(split_counts(n).items()):
        if count == 0:
            continue
        buf = io.StringIO()
        write_csv(generate_rows(count, seed * 1000 + i, basis, office=office), buf, cols)
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
    resolver = ctx.resolver()
    cols = template_columns()
    rows = generate_rows(n, seed, DemoBasis.from_store(ctx.store, resolver))
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
    target = graph or ns.office_graph("beispiel")
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        nt = Path(tmp) / "demo.nt"
        with open(nt, "wb") as fh:
            written = write_ntriples(ctx, n, seed, fh)
        ctx.store.load_file(nt, target, bulk=bulk)
    return written
