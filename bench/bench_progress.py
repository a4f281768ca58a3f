"""Benchmark: every status of the synthetic database, by the engine against a single plain query.

    python -m bench.bench_progress [--targets 1000 --geographies 29 --years 30] [--repeat 7] [--naive]

The floor is one hand-written DuckDB query of the headline statuses only (``FLOOR_SQL``, straight
from progress-methodology.md); the bench checks that it gives the engine's status for every target
and geography, and prints the engine's median time (warm) over the floor's. ``--naive`` adds the
plain Python loop (about 45 s). Each method runs in a fresh process, which reports its peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.synthetic import OUT_DIR, build
import pandas as pd

from metrics import progress
from metrics.model import MODERATE_RATIO, ON_TRACK_RATIO, TREND_THRESHOLD
from metrics.store import Store


#: The floor: the headline status of every target and geography written straight from
#: progress-methodology.md as one plain DuckDB query, with no other column, no provisional/stale
#: flags, no projection and no ordering. The engine computes all that too; the ratio says what it costs.
FLOOR_SQL = """
WITH t AS (
    SELECT *, CASE WHEN direction = 'increase' THEN 1 ELSE -1 END AS d FROM targets
),
-- the baseline counts as an observation at year b of the target's own geography
o AS (
    SELECT target_id, geography, year, value, series_break FROM observations
    UNION ALL
    SELECT target_id, geography, baseline_year, baseline_value, false FROM t
    WHERE NOT EXISTS (SELECT 1 FROM observations x WHERE x.target_id = t.target_id
                      AND x.geography = t.geography AND x.year = t.baseline_year)
),
-- per series: the baseline value, the latest year t at or before min(as of, T), the break
s AS (
    SELECT o.target_id, o.geography,
           coalesce(max(o.value) FILTER (WHERE o.year = t.baseline_year), arg_min(o.value, o.year)) AS x_b,
           max(o.year) FILTER (WHERE o.year <= least($as_of, coalesce(t.target_year, $as_of))) AS t,
           arg_max(o.value, o.year) FILTER (WHERE o.year <= least($as_of, coalesce(t.target_year, $as_of))) AS x_t,
           max(o.year) FILTER (WHERE o.series_break AND o.year <= least($as_of, coalesce(t.target_year, $as_of))) AS brk,
           coalesce(bool_or(o.year >= t.target_year AND o.year <= $as_of), false) AS settled
    FROM o JOIN t USING (target_id) GROUP BY o.target_id, o.geography
),
-- the window: from t - 5 (the target's setting), or from the break, up to t
w AS (
    SELECT s.target_id, s.geography, count(*) AS n, arg_min(o.value, o.year) AS x_t0, min(o.year) AS t0
    FROM s JOIN t USING (target_id) JOIN o ON o.target_id = s.target_id AND o.geography = s.geography
    WHERE o.year BETWEEN greatest(s.t - t.trend_window, coalesce(s.brk, s.t - t.trend_window)) AND s.t
    GROUP BY s.target_id, s.geography
),
r AS (
    SELECT s.target_id, s.geography, t.kind, t.d, s.t, s.x_t, s.settled, w.n, w.t0, w.x_t0, t.target_year AS tt,
           CASE t.kind WHEN 'level' THEN t.target_value WHEN 'relative' THEN s.x_b * (1 + t.target_value / 100) END AS x_tt
    FROM s JOIN t USING (target_id) LEFT JOIN w ON w.target_id = s.target_id AND w.geography = s.geography
),
r2 AS (
    SELECT *,
           kind <> 'none' AND d * (x_t - x_tt) >= -$tol * greatest(1, abs(x_tt)) AS is_met,
           x_t0 > 0 AND x_t > 0 AND (kind = 'none' OR x_tt > 0) AS cagr_ok
    FROM r
),
r3 AS (
    SELECT *,
           CASE WHEN cagr_ok THEN pow(x_t / x_t0, 1 / (t - t0)) - 1 ELSE (x_t - x_t0) / (t - t0) END AS ar,
           CASE WHEN cagr_ok THEN pow(x_tt / x_t0, 1 / (tt - t0)) - 1 ELSE (x_tt - x_t0) / (tt - t0) END AS rr
    FROM r2
)
SELECT target_id, geography,
    CASE
        WHEN t IS NULL THEN 'not_assessable'
        WHEN settled THEN CASE WHEN is_met THEN 'met' ELSE 'not_met' END
        WHEN is_met THEN 'met'
        WHEN n < 2 THEN 'not_assessable'
        WHEN kind = 'none' THEN
            CASE WHEN NOT cagr_ok AND x_t0 = 0 THEN 'not_assessable'
                 WHEN d * CASE WHEN cagr_ok THEN ar ELSE ar / abs(x_t0) END > $trend THEN 'significant_progress'
                 WHEN d * CASE WHEN cagr_ok THEN ar ELSE ar / abs(x_t0) END > 0 THEN 'moderate_progress'
                 WHEN d * CASE WHEN cagr_ok THEN ar ELSE ar / abs(x_t0) END >= -$trend THEN 'moderate_movement_away'
                 ELSE 'significant_movement_away' END
        WHEN d * (x_t0 - x_tt) >= 0 THEN 'moving_away'
        WHEN rr = 0 OR NOT isfinite(ar / rr) THEN 'moving_away'
        WHEN ar / rr >= $on_track THEN 'on_track'
        WHEN ar / rr >= $moderate THEN 'moderate'
        WHEN ar / rr >= 0 THEN 'insufficient'
        ELSE 'moving_away'
    END AS status
FROM r3
"""


def floor_status(con, as_of: int) -> pd.DataFrame:
    """The floor's statuses (``target_id, geography, status``), in no particular order."""
    return con.execute(FLOOR_SQL, {"as_of": int(as_of), "tol": progress.MET_TOLERANCE, "trend": TREND_THRESHOLD,
                                   "on_track": ON_TRACK_RATIO, "moderate": MODERATE_RATIO}).df()


def disagreements(engine: pd.DataFrame, floor: pd.DataFrame) -> int:
    """How many (target, geography) pairs have a different status, or are in one frame only."""
    keys = ["target_id", "geography"]
    both = engine[keys + ["status"]].merge(floor, on=keys, how="outer", suffixes=("_engine", "_floor"))
    return int((both["status_engine"].astype(object) != both["status_floor"].astype(object)).sum())


def seed_disagreements(years: range = range(2010, 2032)) -> int:
    """The same check on the seed data (breaks, illustrative values, relative and monitored targets), every as-of year."""
    from metrics.seed import seed

    store = Store.open(":memory:", seed=seed)
    with store.read() as cur:
        return sum(disagreements(progress.compute_status(cur, as_of=y), floor_status(cur, y)) for y in years)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(method: str, db: Path, repeat: int, as_of: int) -> dict:
    """Run in a fresh process. ``time``: engine and floor in turn, ``repeat`` pairs after one warm-up
    pair, so both see the same load of the machine; ``engine``/``floor``/``naive``: one run, for
    that method's peak memory."""
    store = Store.open(db, read_only=True)
    runs = {"engine": progress.compute_status, "floor": floor_status}
    if method == "time":
        times: dict[str, list[float]] = {"engine": [], "floor": []}
        frames = {}
        for _ in range(repeat + 1):
            for name, run in runs.items():
                start = time.perf_counter()
                with store.read() as cur:
                    frames[name] = run(cur, as_of=as_of)
                times[name].append(time.perf_counter() - start)
        engine, floor = times["engine"][1:], times["floor"][1:]
        return {"engine": statistics.median(engine), "floor": statistics.median(floor), "runs": len(engine),
                "pair_ratios": sorted(e / f for e, f in zip(engine, floor)), "rows": len(frames["engine"]),
                "disagree": disagreements(frames["engine"], frames["floor"]),
                "statuses": frames["engine"]["status"].value_counts().to_dict()}
    start = time.perf_counter()
    if method == "naive":
        targets = store.query_df("SELECT * FROM targets")
        obs = store.query_df("SELECT target_id, geography, year, value, data_class, series_break FROM observations")
        start = time.perf_counter()
        frame = progress.naive_status(targets, obs, as_of)
    else:
        with store.read() as cur:
            frame = runs[method](cur, as_of=as_of)
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": _peak_rss_mb(),
            "statuses": frame["status"].value_counts().to_dict()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--geographies", type=int, default=29)
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--naive", action="store_true", help="also time the plain Python loop (about 45 s)")
    parser.add_argument("--as-of", type=int, default=2026)
    parser.add_argument("--measure", choices=["time", "engine", "floor", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, default=OUT_DIR / "synthetic.duckdb")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.db, args.repeat, args.as_of)))
        return
    args.db.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with build(args.db, args.targets, args.geographies, args.years) as store:
        n_obs = store.scalar("SELECT count(*) FROM observations")
    print(f"synthetic database: {args.targets:,} targets x {args.geographies} geographies x {args.years} years "
          f"= {n_obs:,} observations (built in {time.perf_counter() - start:.1f} s)")
    results = {}
    for method in ("time", "engine", "floor") + (("naive",) if args.naive else ()):
        proc = subprocess.run(
            [sys.executable, "-m", "bench.bench_progress", "--measure", method, "--db", str(args.db),
             "--repeat", str(args.repeat), "--as-of", str(args.as_of)],
            capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
        )
        results[method] = json.loads(proc.stdout.strip().splitlines()[-1])
    t = results["time"]
    print(f"floor (one plain query of the statuses): median {t['floor'] * 1000:,.0f} ms, "
          f"peak RSS {results['floor']['peak_rss_mb']:,.0f} MB")
    print(f"engine (every column of the status table): median {t['engine'] * 1000:,.0f} ms, "
          f"peak RSS {results['engine']['peak_rss_mb']:,.0f} MB  ({t['runs']} warm runs each, in turn)")
    ratios = t["pair_ratios"]
    print(f"engine / floor: {t['engine'] / t['floor']:,.2f}x (run by run: {ratios[0]:.2f}-{ratios[-1]:.2f}x)")
    print(f"statuses that differ between engine and floor: {t['disagree']} of {t['rows']:,} "
          f"({'same statuses' if t['disagree'] == 0 else 'NOT THE SAME'})")
    print(f"the same on the seed data, as of 2010-2031: {seed_disagreements()} statuses differ")
    if "naive" in results:
        n = results["naive"]
        print(f"naive (Python loop): {n['seconds']:,.2f} s, peak RSS {n['peak_rss_mb']:,.0f} MB; "
              f"{n['seconds'] / t['engine']:,.0f}x the engine; status counts agree: {t['statuses'] == n['statuses']}")

if __name__ == "__main__":
    main()
