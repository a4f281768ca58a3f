"""Benchmark: every status of the synthetic database, by the engine and by a naive loop.

    python -m bench.bench_progress [--targets 1000 --geographies 29 --years 30] [--repeat 5]

Prints the engine's median time (warm), the naive Python loop's time, their ratio, and
each one's peak memory (resident set size, measured in a fresh process per method).
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
from metrics import progress
from metrics.store import Store


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(method: str, db: Path, repeat: int, as_of: int) -> dict:
    """Run in a fresh process: time ``method`` and report its peak memory."""
    store = Store.open(db, read_only=True)
    base_rss = _peak_rss_mb()
    times = []
    if method == "engine":
        for _ in range(repeat + 1):  # the first run warms caches and is not counted
            start = time.perf_counter()
            with store.read() as cur:
                frame = progress.compute_status(cur, as_of=as_of)
            times.append(time.perf_counter() - start)
        times = times[1:]
    else:
        targets = store.query_df("SELECT * FROM targets")
        obs = store.query_df("SELECT target_id, geography, year, value, data_class, series_break FROM observations")
        start = time.perf_counter()
        frame = progress.naive_status(targets, obs, as_of)
        times.append(time.perf_counter() - start)
    return {"method": method, "seconds": statistics.median(times), "runs": len(times), "rows": len(frame),
            "peak_rss_mb": _peak_rss_mb(), "rss_before_mb": base_rss,
            "statuses": frame["status"].value_counts().to_dict()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--geographies", type=int, default=29)
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--as-of", type=int, default=2026)
    parser.add_argument("--measure", choices=["engine", "naive"], help=argparse.SUPPRESS)
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
    for method in ("engine", "naive"):
        proc = subprocess.run(
            [sys.executable, "-m", "bench.bench_progress", "--measure", method, "--db", str(args.db),
             "--repeat", str(args.repeat), "--as-of", str(args.as_of)],
            capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
        )
        results[method] = json.loads(proc.stdout.strip().splitlines()[-1])
    e, n = results["engine"], results["naive"]
    print(f"engine (one DuckDB query): median {e['seconds'] * 1000:,.0f} ms over {e['runs']} warm runs, "
          f"{e['rows']:,} statuses, peak RSS {e['peak_rss_mb']:,.0f} MB")
    print(f"naive (Python loop)      : {n['seconds']:,.2f} s, {n['rows']:,} statuses, "
          f"peak RSS {n['peak_rss_mb']:,.0f} MB")
    print(f"speed-up                 : {n['seconds'] / e['seconds']:,.1f}x")
    same = e["statuses"] == n["statuses"]
    print(f"status counts agree      : {same} {e['statuses']}")


if __name__ == "__main__":
    main()
