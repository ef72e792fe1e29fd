"""Time the whole Lebenslagenbericht (publish/report.py) for Cologne's 86 Stadtteile: HTML, and the PDF when
Chromium is there. Store: the reference data, N demo offers (bulk-loaded, as bench_analysis.py), the example
steering set (data/beispiel/steuerung-beispiel.ttl), after the analysis run. Prints the seconds (target: the whole
report within a minute); never asserts them.

    .venv/bin/python bench/bench_report.py                  # 2,000 offers, HTML and PDF
    .venv/bin/python bench/bench_report.py --offers 20000 --no-pdf

Printed: the first HTML render (reads the planning data of a new store generation: observations, burden,
coverage, gaps), a second render (those cached, as on the server), and the PDF print.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sozialgraph import config, namespaces as ns  # noqa: E402
from sozialgraph.analysis import lebenslagen  # noqa: E402
from sozialgraph.capture.demo import write_ntriples  # noqa: E402
from sozialgraph.context import Context  # noqa: E402
from sozialgraph.publish import report  # noqa: E402
from sozialgraph.reference import init_store  # noqa: E402
from sozialgraph.store.oxigraph import open_store  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "beispiel" / "steuerung-beispiel.ttl"


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--offers", type=int, default=2_000)
    ap.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=True)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sg-bench-report-"))
    try:
        path = work / "store"
        store = open_store(path)
        init_store(store)
        ctx = Context(config.load({"store": str(path)}), store=store)
        nt = work / "demo.nt"
        with open(nt, "wb") as fh:
            write_ntriples(ctx, args.offers, 1, fh)
        store.load_file(nt, ns.office_graph("beispiel"), bulk=True)
        store.load_file(EXAMPLE, ns.G_STEERING_EXAMPLE)
        _, t_run = timed(lebenslagen.run, ctx)
        print(f"{args.offers:,} offers; analysis run {t_run:.1f} s (not part of the report)")
        out = work / "out"
        written, t_first = timed(report.write, ctx, out, date="2026-12-02", pdf=False)
        size = written["html"].stat().st_size
        _, t_second = timed(report.render_html, ctx, date="2026-12-02")
        print(f"HTML: first {t_first:.1f} s (planning data read), again {t_second:.1f} s (cached); "
              f"{size / 1e6:.1f} MB, 86 Stadtteile")
        if args.pdf:
            if report.find_chromium() is None:
                print("PDF: skipped, no Chromium")
            else:
                pdf, t_pdf = timed(report.print_pdf, written["html"], out / report.PDF_NAME)
                print(f"PDF: {t_pdf:.1f} s, {pdf.stat().st_size / 1e6:.1f} MB")
                print(f"whole report (HTML + PDF): {t_first + t_pdf:.1f} s")
        else:
            print(f"whole report (HTML): {t_first:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
