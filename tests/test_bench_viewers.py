"""The load benchmark works end to end: real servers, real websocket sessions, a ratio and no errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.e2e
def test_one_viewer_opens_three_pages_without_an_error():
    done = subprocess.run([sys.executable, "-m", "bench.bench_viewers", "--viewers", "1", "--rounds", "1",
                           "--timeout", "60"], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    row = next(line for line in done.stdout.splitlines() if line.strip().startswith("1 |"))
    ratio_p50, ratio_p95, errors = re.search(r"\|\s+([\d.]+)x\s+([\d.]+)x \|\s+(\d+) \|", row).groups()
    assert float(ratio_p50) > 0 and float(ratio_p95) > 0 and errors == "0"
    # The dashboard logged its full collections (app_pages/_gc.py) and the bench counted them.
    assert re.search(r"full garbage collections during these crowds: \d+", done.stdout), done.stdout


def test_full_collections_are_counted_within_the_crowds_only(tmp_path):
    from bench.bench_viewers import full_collections

    log = tmp_path / "gc0.log"
    log.write_text("100.000 12.5 300\n150.000 58.0 14000\n200.500 7.0 0\n", encoding="utf-8")
    assert full_collections([log, tmp_path / "missing.log"], 120.0, 200.0) == [58.0]


def test_replicas_get_the_sessions_round_robin_and_the_file_refuses_replicas():
    from bench.bench_viewers import deal, main

    assert deal(5, [8001, 8002]) == [8001, 8002, 8001, 8002, 8001]
    assert deal(20, [8001, 8002]).count(8001) == 10
    with pytest.raises(SystemExit, match="needs PostgreSQL"):
        main(["--viewers", "2", "--replicas", "2"])
