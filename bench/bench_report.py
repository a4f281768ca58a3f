"""Benchmark: how long the status memo takes to build, per format, as one click would.

    python -m bench.bench_report [--year 2026] [--no-charts] [--repeat 1]

Two databases: the seed (11 targets; a full memo with a chart per target) and the synthetic
one of ``bench.synthetic`` (1,000 targets x 29 geographies x 30 years; a summary memo, as the
dashboard gives it). The synthetic file is copied first, so the benchmark never holds the
shared ``bench/out/synthetic.duckdb`` open or migrates it in place.

Each figure is one click's work: computing the statuses (this year and the previous), reading
the commentary, drawing the charts (kaleido and Chromium; the first chart of the process also
starts the browser, reported separately) and rendering the file.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from bench.synthetic import OUT_DIR, build
from metrics import report
from metrics.seed import seed as seed_database
from metrics.store import Store


def measure(store: Store, year: int, detail: str, charts: bool, repeat: int) -> list[tuple[str, float, float, int]]:
    """(format, build seconds, render seconds, bytes) per format, the best of ``repeat`` runs."""
    rows = []
    for fmt in report.FORMATS:
        best: tuple[float, float, int] | None = None
        for _ in range(repeat):
            report._chart_cache.clear()  # one click on a fresh memo: every chart drawn
            started = time.perf_counter()
            memo = report.build_memo(store, year, "da", detail=detail, charts=charts and fmt != "md")
            built = time.perf_counter()
            data = report.render(memo, fmt)
            done = time.perf_counter()
            figures = (built - started, done - built, len(data))
            if best is None or sum(figures[:2]) < sum(best[:2]):
                best = figures
        assert best is not None
        rows.append((fmt, *best))
    return rows


def show(title: str, rows: list[tuple[str, float, float, int]]) -> None:
    print(f"\n{title}")
    print(f"  {'format':<7} {'build s':>8} {'render s':>9} {'total s':>8} {'size KiB':>9}")
    for fmt, b, r, n in rows:
        print(f"  {fmt:<7} {b:>8.2f} {r:>9.2f} {b + r:>8.2f} {n / 1024:>9,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--no-charts", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    charts = not args.no_charts
    tmp = Path(tempfile.mkdtemp(prefix="bench_report_"))
    try:
        with Store.open(tmp / "seed.duckdb", seed=seed_database) as seed:
            if charts:
                from metrics import charts as charts_mod
                from metrics import views

                started = time.perf_counter()
                detail = views.target_detail(seed, "eud_share", None, args.year)
                charts_mod.figure_png(charts_mod.target_figure(detail, "da"))
                print(f"Chromium start and first chart: {time.perf_counter() - started:.2f} s (once per process)")
            show(f"Seed database: {seed.scalar('SELECT count(*) FROM targets')} targets, full memo"
                 + (" with charts" if charts else " without charts"),
                 measure(seed, args.year, "full", charts, args.repeat))
            if charts:
                report.render(report.build_memo(seed, args.year, "da"), "pdf")
                started = time.perf_counter()
                report.render(report.build_memo(seed, args.year, "da"), "docx")
                print(f"  Word right after the PDF (charts cached): {time.perf_counter() - started:.2f} s")
        synthetic = OUT_DIR / "synthetic.duckdb"
        if not synthetic.exists():
            OUT_DIR.mkdir(parents=True, exist_ok=True)
            build(synthetic).close()
        copy = tmp / "synthetic.duckdb"
        shutil.copyfile(synthetic, copy)
        started = time.perf_counter()
        with Store.open(copy, seed=seed_database) as big:
            opened = time.perf_counter() - started
            n_targets = big.scalar("SELECT count(*) FROM targets")
            n_obs = big.scalar("SELECT count(*) FROM observations")
            show(f"Synthetic database: {n_targets:,} targets, {n_obs:,} observations, summary memo "
                 f"(open and migrate {opened:.2f} s)", measure(big, args.year, "auto", charts, args.repeat))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
