"""Render time of the planner pages (issue 10) on demo data with stored analysis results; prints medians.

    .venv/bin/python bench/bench_pages.py                       # 10,000 demo offers (the issue's size)
    .venv/bin/python bench/bench_pages.py --offers 2000 10000 --repeat 15

For each size: a fresh on-disk store with the reference data, N demo offers, the city's Stadtteil geometries when
../shared is present, and analysis results (analysis/lebenslagen.py ``run`` when it runs, else the example results
of tests/test_planning_pages.py, same shape). Pages are rendered in-process (Flask's test client); the first
request after loading (which fills the per-generation caches) is reported apart from the median of the following
ones. Target from the issue: a Stadtteilprofil and /bedarfe under 300 ms median at 10,000 offers.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from sozialgraph import config  # noqa: E402
from sozialgraph.capture.demo import add_demo_graph  # noqa: E402
from sozialgraph.context import Context  # noqa: E402
from sozialgraph.reference import init_store  # noqa: E402
from sozialgraph.reference.geodata import import_geojson  # noqa: E402
from sozialgraph.analysis import planning  # noqa: E402
from sozialgraph.store.oxigraph import open_store  # noqa: E402
from sozialgraph.web import create_app  # noqa: E402
from test_planning_pages import run_analysis  # noqa: E402

URLS = [
    ("Stadtteilprofil 101", "/id/stadtteil/101"),
    ("Stadtteilprofil 609", "/id/stadtteil/609"),
    ("Stadtbezirk 1", "/id/stadtbezirk/1"),
    ("/lebenslagen (Belastungsindex)", "/lebenslagen?indikator=belastungsindex"),
    ("/lebenslagen einwohner, sortiert", "/lebenslagen?indikator=einwohner&sortierung=wert&richtung=ab"),
    ("/bedarfe", "/bedarfe"),
    ("/bedarfe?zielgruppe=senioren", "/bedarfe?zielgruppe=senioren"),
    ("/bedarfe.csv", "/bedarfe.csv?tabelle=rangfolge"),
    ("/vergleich 4", "/vergleich?stadtteil=101&stadtteil=609&stadtteil=405&stadtteil=808"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--offers", type=int, nargs="+", default=[10000])
    ap.add_argument("--repeat", type=int, default=11)
    args = ap.parse_args()
    for n in args.offers:
        tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
        try:
            path = tmp / "store"
            store = open_store(path)
            init_store(store)
            ctx = Context(config.load({"store": str(path)}), store=store)
            add_demo_graph(ctx, n, 1, bulk=True)
            geo = (ROOT / ".." / "shared" / "ref" / "koeln" / "geo" / "stadtteile_2013_simplified.geojson").resolve()
            if geo.exists():
                import_geojson(ctx, str(geo))
            t0 = time.perf_counter()
            which = run_analysis(ctx)
            print(f"{n} offers; analysis: {which} ({time.perf_counter() - t0:.1f} s)")
            client = create_app({"store": str(path)}, context=ctx).test_client()
            for name, url in URLS:
                t0 = time.perf_counter()
                status = client.get(url).status_code
                first = time.perf_counter() - t0
                times = []
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    client.get(url)
                    times.append(time.perf_counter() - t0)
                print(f"  {name:36s} {status}  first {first * 1000:7.0f} ms  median {statistics.median(times) * 1000:6.0f} ms")
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                planning.profile(ctx, "https://w3id.org/sozialgraph/id/stadtteil/101", "de")
                times.append(time.perf_counter() - t0)
            print(f"  {'planning.profile() alone (101)':36s}      median {statistics.median(times) * 1000:6.1f} ms")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
