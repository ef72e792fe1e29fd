"""Indicator import at Datenkatalog scale: 86 Stadtteile x 20 years x 100 Merkmale (172,000 figures) in one file.

The bench's own in-memory store gets the reference data, the breakdown/status concepts of the test fixtures and
100 temporary indicator definitions (Merkmal codes B0000A … B0099A, graph …/graph/indicators/import/definitionen);
then the generated file is imported (dry run: read, map, SHACL, Data Cube ICs) and imported for real (the same
plus the version write). Prints the median seconds of each over --repeat runs (target: within a minute).

    .venv/bin/python bench/bench_indicators.py [--quarters 86] [--years 20] [--merkmale 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

from sozialgraph import config
from sozialgraph import namespaces as ns
from sozialgraph.capture import indicators
from sozialgraph.context import Context
from sozialgraph.reference import init_store
from sozialgraph.store.oxigraph import OxigraphStore

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "indikatoren"


def definitions(n: int) -> bytes:
    lines = ["@prefix sg: <https://w3id.org/sozialgraph/ontology#> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
             "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
             "@prefix ll: <https://w3id.org/sozialgraph/id/lebenslage/> ."]
    for i in range(n):
        lines.append(f'<https://w3id.org/sozialgraph/id/indikator/bench_{i:03d}> a sg:Indicator ; '
                     f'skos:notation "bench_{i:03d}" ; rdfs:label "Bench {i}"@de , "Bench {i}"@en ; '
                     f'sg:unit "Personen" ; sg:lifeSituation ll:wohnen ; sg:polarity sg:NoBurdenDirection ; '
                     f'sg:merkmalCode "B{i:04d}A" .')
    return "\n".join(lines).encode()


def datenkatalog(quarters: list[tuple[str, str]], years: int, merkmale: int, seed: int = 1) -> bytes:
    rnd = random.Random(seed)
    head = ["RAUMEBENE", "RAUM", "S_JAHR"] + [f"B{i:04d}A" for i in range(merkmale)]
    rows = [";".join(head)]
    for number, name in quarters:
        for y in range(2025 - years, 2025):
            cells = ["Stadtteile", f"{number} / {name}", str(y)]
            for _ in range(merkmale):
                r = rnd.random()
                cells.append("*" if r < 0.02 else f"{rnd.randint(0, 99999) / 10:.1f}".replace(".", ","))
            rows.append(";".join(cells))
    return ("\ufeff" + "\n".join(rows) + "\n").encode("utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quarters", type=int, default=86)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--merkmale", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2, help="SHACL processes (setting validate_workers)")
    args = ap.parse_args()
    store = OxigraphStore(None)
    init_store(store)
    store.insert(ns.G_VOCAB, [ox.Triple(q.subject, q.predicate, q.object)
                              for q in ox.parse(path=str(FIXTURES / "grundlagen-vokabular.ttl"))])
    ctx = Context(config.load({"validate_workers": args.workers}), store=store)
    report, _n = indicators.define(ctx, definitions(args.merkmale))
    assert report.conforms, report.to_text()
    known = indicators.Known.from_store(store)
    quarters = sorted((a.number, a.label) for (level, _), a in known.areas.items() if level == "stadtteil")
    quarters = quarters[:args.quarters]
    data = datenkatalog(quarters, args.years, args.merkmale)
    figures = len(quarters) * args.years * args.merkmale
    print(f"file: {len(data) / 1e6:.1f} MB, {len(quarters)} Stadtteile x {args.years} years x {args.merkmale} "
          f"Merkmale = {figures:,} figures")
    for label, dry in (("dry run (read, map, SHACL, ICs)", True), ("import (and store the version)", False)):
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            res = indicators.import_file(ctx, data, "bench.csv", dry_run=dry, today="2025-06-30")
            times.append(time.perf_counter() - t)
            assert res.accepted, res.report.to_text()[:2000]
        print(f"{label}: median {statistics.median(times):.1f} s over {args.repeat} runs "
              f"({res.observations:,} observations)")


if __name__ == "__main__":
    main()
