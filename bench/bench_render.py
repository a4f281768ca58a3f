"""Benchmark: time to render the overview and a target page (Streamlit AppTest, warm, median).

    python -m bench.bench_render [--repeat 7]

Runs on the seed database and on the synthetic one of ``bench.synthetic`` (1,000 targets x
29 geographies x 30 years, built if missing). "Warm" means the process has rendered the page
once already, so the store is open and the cached views are filled, as for a second visitor.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.synthetic import OUT_DIR, build
from metrics.seed import seed
from metrics.store import PROJECT_ROOT, Store


def measure(db: Path, page: str | None, query: dict[str, str], repeat: int) -> tuple[float, float]:
    """(cold seconds, warm median seconds) of rendering a page in a fresh process."""
    code = f"""
import os, statistics, sys, time
os.environ["MALSPOR_DB"] = {str(db)!r}
from streamlit.testing.v1 import AppTest
times = []
for i in range({repeat + 1}):
    at = AppTest.from_file({str(PROJECT_ROOT / 'dashboard.py')!r}, default_timeout=120)
    for k, v in {query!r}.items():
        at.query_params[k] = v
    if {page!r}:
        at.switch_page({page!r})
    start = time.perf_counter()
    at.run()
    times.append(time.perf_counter() - start)
    assert not at.exception, at.exception
print(times[0], statistics.median(times[1:]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    cold, warm = out.stdout.strip().splitlines()[-1].split()
    return float(cold), float(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    seed_db = Path(tempfile.mkdtemp()) / "seed.duckdb"
    Store.open(seed_db, seed=seed).close()
    synthetic = OUT_DIR / "synthetic.duckdb"
    if not synthetic.exists():
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        build(synthetic).close()
    cases = [
        ("seed", seed_db, "overview", None, {}),
        ("seed", seed_db, "target page (eud_share)", "app_pages/target.py", {"target": "eud_share"}),
        ("seed", seed_db, "gap explorer", "app_pages/explorer.py", {}),
        ("synthetic 870k", synthetic, "overview", None, {}),
        ("synthetic 870k", synthetic, "target page", "app_pages/target.py", {"target": "target_00001"}),
        ("synthetic 870k", synthetic, "gap explorer", "app_pages/explorer.py", {}),
    ]
    print(f"{'database':<16} {'page':<26} {'cold s':>8} {'warm median s':>14}")
    for label, db, name, page, query in cases:
        cold, warm = measure(db, page, query, args.repeat)
        print(f"{label:<16} {name:<26} {cold:>8.2f} {warm:>14.3f}")


if __name__ == "__main__":
    main()
