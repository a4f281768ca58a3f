"""Benchmark: how long the command line takes to start, against a bare interpreter in the same run.

    python -m bench.bench_cli [--repeat 9] [--compare main]

Times, each in a fresh process, ``python -m metrics --help``, ``status --help``, ``status`` and
``status --format json`` on a seeded database in a temporary folder, and three floors:
``python -c pass`` (the interpreter), ``python -c "import duckdb"`` and ``import duckdb, pandas``
(what a command that reads the store cannot do without: the store returns DataFrames). The runs
are interleaved (one of each, then again) so that load from other processes on the machine falls
on all of them alike; each figure is the median of ``--repeat`` runs after one warm-up run (which
also writes the bytecode caches). Printed: the median, its ratio to each floor, and which heavy
libraries the command imported (from ``-X importtime``).

``--compare REF`` also times the same commands with the ``metrics`` package of a git revision
(exported with ``git archive`` into a temporary folder, never run in another checkout), so a
before and an after come from one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Libraries whose import a user waits for; ``-X importtime`` tells which ones a command loaded.
HEAVY = ("pandas", "numpy", "pyarrow", "duckdb", "fpdf", "docx", "openpyxl", "plotly", "streamlit", "jinja2")
FLOORS = {
    "python -c pass": ["-c", "pass"],
    "import duckdb": ["-c", "import duckdb"],
    "import duckdb, pandas": ["-c", "import duckdb, pandas"],
}


def commands(db: Path) -> dict[str, list[str]]:
    """The command lines timed, as arguments of ``python``."""
    return {
        "--help": ["-m", "metrics", "--help"],
        "status --help": ["-m", "metrics", "status", "--help"],
        "status": ["-m", "metrics", "status", "--db", str(db)],
        "status --format json": ["-m", "metrics", "status", "--db", str(db), "--format", "json"],
    }


def run_once(args: list[str], cwd: Path) -> float:
    """Wall time of one fresh ``python`` process; a failing command stops the benchmark."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=_env(cwd))
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed in {cwd}:\n{proc.stderr.decode(errors='replace')}")
    return seconds


def heavy_imports(args: list[str], cwd: Path) -> list[str]:
    """Which of :data:`HEAVY` the command imports, read from ``python -X importtime``."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=_env(cwd))
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in proc.stderr.splitlines()
             if line.startswith("import time:")}
    return [name for name in HEAVY if name in names]


def _env(cwd: Path) -> dict[str, str]:
    """The environment of a timed run: the package of ``cwd`` first on the path, no $MALSPOR_DB."""
    env = {k: v for k, v in os.environ.items() if k not in ("MALSPOR_DB", "PYTHONPATH")}
    env["PYTHONPATH"] = str(cwd)
    return env


def export_revision(ref: str, into: Path) -> Path:
    """The ``metrics`` package (and ``data/``) of git revision ``ref``, written into a new folder."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref, "metrics", "data"], cwd=PROJECT_ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def seeded_database(folder: Path) -> Path:
    """A database with the seed (11 targets, 49 observations), made by this checkout's code."""
    from metrics.seed import seed
    from metrics.store import Store

    db = folder / "seed.duckdb"
    Store.open(db, seed=seed).close()
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=9, help="timed runs of each command (default 9)")
    parser.add_argument("--compare", metavar="REF", help="also time the metrics package of this git revision")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_cli_"))
    try:
        db = seeded_database(tmp)
        trees = {"this checkout": PROJECT_ROOT}
        if args.compare:
            trees[args.compare] = export_revision(args.compare, tmp / "compare")
        jobs: dict[tuple[str, str], tuple[list[str], Path]] = {
            ("floor", name): (argv, PROJECT_ROOT) for name, argv in FLOORS.items()}
        for tree, root in trees.items():
            for name, argv in commands(db).items():
                jobs[(tree, name)] = (argv, root)
        for argv, cwd in jobs.values():  # warm-up: bytecode caches, the file system's cache
            run_once(argv, cwd)
        times: dict[tuple[str, str], list[float]] = {key: [] for key in jobs}
        for _ in range(args.repeat):
            for key, (argv, cwd) in jobs.items():
                times[key].append(run_once(argv, cwd))
        median = {key: statistics.median(values) for key, values in times.items()}
        floors = [median[("floor", name)] for name in FLOORS]
        print(f"python {sys.version.split()[0]}, median of {args.repeat} runs each, interleaved; "
              f"ratios to the floors measured in this run\n")
        header = f"{'':16} {'command':22} {'median s':>9}  " + "  ".join(f"{'/ ' + n:>22}" for n in FLOORS)
        print(header + "  heavy imports")
        for (tree, name), (argv, cwd) in jobs.items():
            seconds = median[(tree, name)]
            ratios = "  ".join(f"{seconds / floor:>21.2f}x" for floor in floors)
            loaded = ", ".join(heavy_imports(argv, cwd)) or "-"
            print(f"{tree:16} {name:22} {seconds:>9.3f}  {ratios}  {loaded}")
        spread = max(max(v) / min(v) for v in times.values())
        print(f"\nlargest max/min spread of one command's runs: {spread:.2f}x (other load on the machine)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
