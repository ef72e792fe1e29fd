"""Render time of the search page, the JSON API, a map and resource pages on demo data; prints medians.

    .venv/bin/python bench/bench_search.py                  # 2,000 demo offers (the issue's size)
    .venv/bin/python bench/bench_search.py --offers 2000 10000 --repeat 15

For each size: a fresh on-disk store with the reference data, N demo offers (sozialgraph.demo through the
submission mapping, one public graph) and the city's Stadtteil geometries when ../shared is present. Every URL is
requested over real HTTP (werkzeug on 127.0.0.1, `requests`); the first request after loading (which builds the
search index) is reported apart from the median of the following ones. Target from the issue: a search page well
under a second.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import requests  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from sozialgraph import config, namespaces as ns  # noqa: E402
from sozialgraph.context import Context  # noqa: E402
from sozialgraph.capture.demo import add_demo_graph  # noqa: E402
from sozialgraph.reference import init_store  # noqa: E402
from sozialgraph.store.oxigraph import open_store  # noqa: E402
from sozialgraph.web import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
URLS = [
    ("search, no filter", "/angebote"),
    ("search Senioren in Stadtbezirk 2", "/angebote?zielgruppe=senioren&stadtbezirk=2"),
    ("search Beratung serving Stadtteil 101", "/angebote?angebotsart=beratung&stadtteil=101"),
    ("search free text, page 3", "/angebote?q=beratung&seite=3"),
    ("API JSON Familien", "/api/angebote?zielgruppe=familien"),
    ("API CSV all", "/api/angebote?format=csv"),
    ("map Senioren", "/karte?zielgruppe=senioren"),
    ("page Stadtteil 101", "/id/stadtteil/101"),
    ("page Amt 50", "/id/org/50"),
    ("Turtle Stadtteil 101", "/id/stadtteil/101.ttl"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(work: Path, n: int) -> Context:
    path = work / f"store-{n}"
    store = open_store(path)
    init_store(store)
    ctx = Context(config.load({"store": str(path)}), store=store)
    add_demo_graph(ctx, n, 1, workdir=work)
    geo = (ROOT / ".." / "shared" / "ref" / "koeln" / "geo" / "stadtteile_2013_simplified.geojson").resolve()
    if geo.exists():
        from sozialgraph.reference.geodata import import_geojson

        import_geojson(ctx, str(geo))
    return ctx


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--offers", type=int, nargs="+", default=[2000])
    ap.add_argument("--repeat", type=int, default=11)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sg-bench-search-"))
    try:
        for n in args.offers:
            t0 = time.perf_counter()
            ctx = build(work, n)
            print(f"\n{n} demo offers: store built in {time.perf_counter() - t0:.1f} s "
                  f"({ctx.store.count()} quads)")
            app = create_app({"store": str(ctx.store.path)}, context=ctx)
            port = free_port()
            srv = make_server("127.0.0.1", port, app, threaded=True)
            threading.Thread(target=srv.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{port}"
            session = requests.Session()
            session.headers["Accept-Language"] = "de"
            print(f"{'request':42} {'first':>9} {'median':>9} {'max':>9} {'bytes':>9}")
            for name, url in URLS:
                times = []
                size = 0
                for _ in range(args.repeat + 1):
                    t = time.perf_counter()
                    r = session.get(base + url, timeout=120)
                    times.append(time.perf_counter() - t)
                    assert r.status_code == 200, (url, r.status_code)
                    size = len(r.content)
                rest = times[1:]
                print(f"{name:42} {times[0] * 1000:7.0f}ms {statistics.median(rest) * 1000:7.0f}ms "
                      f"{max(rest) * 1000:7.0f}ms {size:9d}")
            srv.shutdown()
            del app, ctx
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
