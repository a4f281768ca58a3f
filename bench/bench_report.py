"""Benchmark: how long the status memo takes to build, per format, as one click would.

    python -m bench.bench_report [--year 2026] [--no-charts] [--repeat 1] [--synthetic-full]

Two databases: the seed (11 targets; a full memo with a chart per target) and the synthetic
one of ``bench.synthetic`` (1,000 targets x 29 geographies x 30 years; a summary memo, as the
dashboard gives it; with ``--synthetic-full`` also a full memo without charts, built once and
written in each format). The synthetic file is copied first, so the benchmark never holds the
shared ``bench/out/synthetic.duckdb`` open or migrates it in place.

Each figure is one click's work: computing the statuses (this year and the previous), reading
the targets, observations and commentary, drawing the charts (kaleido and Chromium; the first
chart of the process also starts the browser, reported separately) and rendering the file.

The floor, measured in the same run on the same database, is one status computation of every
target (:func:`metrics.progress.compute_status`, the one query the memo cannot do without);
each format's time is printed as a ratio to it. Beside it: how many times the memo called the
progress engine and how many SQL statements it ran, which must not grow with the number of
targets.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.synthetic import OUT_DIR, build
from metrics import memo, progress
from metrics.memo import chart as memo_chart
from metrics.seed import seed as seed_database
from metrics.store import Store


class Counter:
    """Counts calls of the progress engine and SQL statements run through :meth:`Store.read` while active."""

    def __init__(self) -> None:
        self.status_calls = 0
        self.queries = 0

    @contextlib.contextmanager
    def active(self) -> Iterator[Counter]:
        real_status, real_read = progress.compute_status, Store.read
        counter = self

        def compute_status(*args: Any, **kwargs: Any) -> Any:
            counter.status_calls += 1
            return real_status(*args, **kwargs)

        class _Cursor:
            def __init__(self, cur: Any) -> None:
                self._cur = cur

            def execute(self, *args: Any, **kwargs: Any) -> Any:
                counter.queries += 1
                return self._cur.execute(*args, **kwargs)

            def __getattr__(self, name: str) -> Any:
                return getattr(self._cur, name)

        @contextlib.contextmanager
        def read(store: Store) -> Iterator[Any]:
            with real_read(store) as cur:
                yield _Cursor(cur)

        progress.compute_status, Store.read = compute_status, read
        try:
            yield self
        finally:
            progress.compute_status, Store.read = real_status, real_read


def floor(store: Store, year: int, repeat: int = 5) -> float:
    """Seconds for one status computation of every target (the best of ``repeat``)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        with store.read() as cur:
            progress.compute_status(cur, as_of=year)
        best = min(best, time.perf_counter() - started)
    return best


Row = tuple[str, float, float, int, int, int]  # format, build s, render s, bytes, engine calls, queries


def measure(store: Store, year: int, detail: str, charts: bool, repeat: int) -> list[Row]:
    """(format, build s, render s, bytes, engine calls, queries) per format, the best of ``repeat`` runs."""
    rows = []
    for fmt in memo.FORMATS:
        best: Row | None = None
        for _ in range(repeat):
            memo_chart._chart_cache.clear()  # one click on a fresh memo: every chart drawn
            with Counter().active() as counts:
                started = time.perf_counter()
                built_memo = memo.build_memo(store, year, "da", detail=detail, charts=charts and fmt != "md")
                built = time.perf_counter()
            data = memo.render(built_memo, fmt)
            done = time.perf_counter()
            figures: Row = (fmt, built - started, done - built, len(data), counts.status_calls, counts.queries)
            if best is None or sum(figures[1:3]) < sum(best[1:3]):
                best = figures
        assert best is not None
        rows.append(best)
    return rows


def measure_built_once(store: Store, year: int, detail: str) -> list[Row]:
    """A memo built once (no charts), then written in each format: the build's figures on each row."""
    with Counter().active() as counts:
        started = time.perf_counter()
        built_memo = memo.build_memo(store, year, "da", detail=detail, charts=False)
        build_s = time.perf_counter() - started
    rows = []
    for fmt in memo.FORMATS:
        started = time.perf_counter()
        data = memo.render(built_memo, fmt)
        rows.append((fmt, build_s, time.perf_counter() - started, len(data), counts.status_calls, counts.queries))
    return rows


def show(title: str, floor_s: float, rows: list[Row]) -> None:
    print(f"\n{title}")
    print(f"  floor: one status computation of every target {floor_s * 1000:.0f} ms")
    print(f"  {'format':<7} {'build s':>8} {'render s':>9} {'total s':>8} {'x floor':>8} {'engine':>7} "
          f"{'queries':>8} {'size KiB':>9}")
    for fmt, b, r, n, calls, queries in rows:
        print(f"  {fmt:<7} {b:>8.2f} {r:>9.2f} {b + r:>8.2f} {(b + r) / floor_s:>7.1f}x {calls:>7} {queries:>8} "
              f"{n / 1024:>9,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--no-charts", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--synthetic-full", action="store_true",
                        help="also a full memo (no charts) of the 1,000 synthetic targets, built once")
    parser.add_argument("--skip-seed", action="store_true", help="only the synthetic database")
    args = parser.parse_args()
    charts = not args.no_charts
    tmp = Path(tempfile.mkdtemp(prefix="bench_report_"))
    try:
        if not args.skip_seed:
            with Store.open(tmp / "seed.duckdb", seed=seed_database) as seed:
                if charts:
                    from metrics import charts as charts_mod
                    from metrics import views

                    started = time.perf_counter()
                    detail = views.target_detail(seed, "eud_share", None, args.year)
                    charts_mod.figure_png(charts_mod.target_figure(detail, "da"))
                    print(f"Chromium start and first chart: {time.perf_counter() - started:.2f} s (once per process)")
                base = floor(seed, args.year)
                show(f"Seed database: {seed.scalar('SELECT count(*) FROM targets')} targets, full memo"
                     + (" with charts" if charts else " without charts"), base,
                     measure(seed, args.year, "full", charts, args.repeat))
                if charts:
                    memo.render(memo.build_memo(seed, args.year, "da"), "pdf")
                    started = time.perf_counter()
                    memo.render(memo.build_memo(seed, args.year, "da"), "docx")
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
            base = floor(big, args.year)
            show(f"Synthetic database: {n_targets:,} targets, {n_obs:,} observations, summary memo "
                 f"(open and migrate {opened:.2f} s)", base, measure(big, args.year, "auto", charts, args.repeat))
            if args.synthetic_full:
                show(f"Synthetic database: {n_targets:,} targets, full memo without charts, built once",
                     base, measure_built_once(big, args.year, "full"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
