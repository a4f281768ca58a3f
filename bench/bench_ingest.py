"""Benchmark: importing a 1,000,000-row canonical CSV, next to DuckDB's bare ``read_csv`` (the floor).

    python -m bench.bench_ingest [--rows 1000000] [--repeat 3]

Generates ``bench/out/ingest_<rows>.csv`` (``target_id, year, value, geography, source, note,
data_class``; 1,000 targets x 20 geographies x 50 years, every tenth row with a quoted note)
and a database holding the 1,000 targets and no observations. Each measurement runs in a
fresh process on a fresh copy of that database, and prints the median wall time and the
process's peak resident memory:

* floor: ``CREATE TABLE t AS SELECT * FROM read_csv(file)`` into a new DuckDB file, closed;
* the same bare read INSERTed into the real observations table (its NOT NULL and CHECK
  constraints; since migration 4 it has no key index), closed;
* import: ``metrics.ingest.import_observations`` as ``python -m metrics import FILE`` runs it
  (tolerant reading, every check, the plan against the stored rows, one batch and its audit row),
  store closed. The status preview is the dry run's (the preview the user confirms), measured apart;
* preview: ``python -m metrics import FILE --dry-run`` (the Upload page's preview): the same
  reading and checks, plus the status each target would have, nothing written;
* the same rows as a Danish Excel export (Windows-1252, semicolons, decimal commas, Danish
  headers, CRLF), imported the same way: the careful path of decoding and number reading;
* re-import of the same file into a database that holds it: everything unchanged, nothing written;
* the import's steps timed one by one (read, check and plan, status preview, insert, commit).

The size limit is raised for the run (the file is larger than the default 50 MB).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from bench.synthetic import OUT_DIR
from metrics.model import Actor
from metrics.store import Store

N_TARGETS, N_GEOS = 1000, 20
ACTOR = Actor("bench", "analyst")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_csv(path: Path, rows: int) -> None:
    """A canonical observation file of ``rows`` rows that every check accepts."""
    years = max(1, rows // (N_TARGETS * N_GEOS))
    con = duckdb.connect()
    con.execute(
        f"""COPY (
              SELECT 'target_' || lpad((i % {N_TARGETS})::VARCHAR, 5, '0') AS target_id,
                     1970 + (i // ({N_TARGETS} * {N_GEOS})) % {years} AS year,
                     round(10 + (hash(i) % 80000) / 1000.0, 3) AS value,
                     'Kommune ' || lpad(((i // {N_TARGETS}) % {N_GEOS})::VARCHAR, 2, '0') AS geography,
                     'Danmarks Statistik, statistikbanken.dk' AS source,
                     CASE WHEN i % 10 = 0 THEN 'revideret; se "note" i tabellen' END AS note,
                     'R' AS data_class
              FROM range({rows}) r(i)
            ) TO '{path}' (HEADER, DELIMITER ',')"""
    )
    con.close()


def make_danish_csv(source: Path, path: Path) -> None:
    """The canonical file as Excel saves it in Denmark: Windows-1252, ``;``, decimal comma, CRLF."""
    with source.open(newline="", encoding="utf-8") as fin, path.open("w", newline="", encoding="cp1252") as fout:
        reader, writer = csv.reader(fin), csv.writer(fout, delimiter=";", lineterminator="\r\n")
        next(reader)
        writer.writerow(["indikator", "år", "værdi", "område", "kilde", "bemærkning", "dataklasse"])
        for row in reader:
            row[2] = row[2].replace(".", ",")
            writer.writerow(row)


def make_base(path: Path | str) -> None:
    """A database with the benchmark's targets and no observations (a file, or a PostgreSQL URL)."""
    from metrics.database import is_server_url, open_store

    if not is_server_url(path):
        for suffix in ("", ".wal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    from metrics import audit  # every write is recorded in the audit trail (issue 6)

    admin = Actor("bench", "admin")
    with open_store(path, seed=False) as store, store.write(admin, "seed") as cur:
        cur.execute("INSERT INTO themes VALUES ('tema', 1, 'Tema', 'Theme')")
        cur.execute("INSERT INTO focus_areas VALUES ('fokus', 'tema', 1, 'Fokus', 'Focus')")
        cur.execute(
            f"""INSERT INTO target_definitions (target_id, sort_order, name_da, name_en, unit, kind, geography,
                    baseline_year, baseline_value, target_year, target_value, direction, lower_bound, upper_bound,
                    source)
                SELECT 'target_' || lpad(i::VARCHAR, 5, '0'), i, 'Mål ' || i, 'Target ' || i, '%', 'level',
                       'Region Hovedstaden', 2015, 50, 2030, 90, 'increase', 0, 100, 'bench'
                FROM range({N_TARGETS}) r(i)"""
        )
        cur.execute("INSERT INTO target_placement SELECT target_id, 'fokus' FROM target_definitions")
        audit.record(cur, admin, "seed", "database", store.path.name, None, {"targets": N_TARGETS},
                     detail="bench_ingest: benchmark targets")


def _fresh(base: Path, work: Path) -> Path:
    for suffix in ("", ".wal"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    shutil.copyfile(base, work)
    return work


def measure(method: str, csv_path: Path, base: Path, work: Path) -> dict:
    """Run one measurement in this (fresh) process."""
    from metrics import ingest

    db = _fresh(base, work)
    detail: dict = {}
    if method == "floor":
        Path(db).unlink()
        start = time.perf_counter()
        con = duckdb.connect(str(db))
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(csv_path)])
        con.close()
        seconds = time.perf_counter() - start
    elif method == "floor_constrained":
        con = duckdb.connect(str(db))
        start = time.perf_counter()
        con.execute("BEGIN")
        con.execute("INSERT INTO import_batches (file_name, sha256, user_name) VALUES ('bench', repeat('0', 64), 'b')")
        con.execute(
            """INSERT INTO observations (target_id, geography, year, value, data_class, source, note_en,
                                         series_break, batch_id)
               SELECT target_id, geography, year, value, data_class, source, note, false, 1 FROM read_csv(?)""",
            [str(csv_path)],
        )
        con.execute("COMMIT")
        con.close()
        seconds = time.perf_counter() - start
    elif method == "phases":  # the import's steps one by one, to show where the time goes
        from metrics import audit

        store = Store.open(db)
        marks = [time.perf_counter()]
        frame = ingest.read_observations(csv_path, max_bytes=1 << 31)
        info = frame.info
        marks.append(time.perf_counter())
        with store.write(ACTOR, "import_observations") as cur:
            plan = ingest.plan_observations(cur, frame)
            del frame
            marks.append(time.perf_counter())
            ingest.status_changes(cur, plan)
            marks.append(time.perf_counter())
            batch = ingest.apply_plan(cur, plan, file_name=info.file_name, sha256=info.sha256, user=ACTOR.name)
            audit.record(cur, ACTOR, "import_observations", "import_batch", str(batch), None, plan.counts)
            marks.append(time.perf_counter())
        store.close()
        marks.append(time.perf_counter())
        names = ("read", "check_and_plan", "status_preview", "insert", "commit_and_close")
        detail = {"phases": {n: b - a for n, a, b in zip(names, marks, marks[1:])}}
        seconds = marks[-1] - marks[0]
    else:
        if method == "reimport":  # the database already holds the file's rows (see main)
            _fresh(Path(str(base).replace("_base", "_loaded")), work)
        source = csv_path.with_name(csv_path.stem + "_dk.csv") if method == "import_dk" else csv_path
        store = Store.open(db)
        start = time.perf_counter()
        result = ingest.import_observations(store, source, ACTOR, max_bytes=1 << 31, dry_run=method == "preview")
        store.close()
        seconds = time.perf_counter() - start
        detail = {"counts": result.plan.counts, "batch_id": result.batch_id}
    return {"method": method, "seconds": seconds, "peak_rss_mb": _peak_rss_mb(), **detail}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per method (median reported)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--base", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.csv, args.base, args.work)))
        return
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    csv_path = OUT_DIR / f"ingest_{args.rows}.csv"
    base, work = OUT_DIR / "ingest_base.duckdb", OUT_DIR / "ingest_work.duckdb"
    start = time.perf_counter()
    if not csv_path.exists():
        make_csv(csv_path, args.rows)
    danish = csv_path.with_name(csv_path.stem + "_dk.csv")
    if not danish.exists() or danish.stat().st_mtime < csv_path.stat().st_mtime:
        make_danish_csv(csv_path, danish)
    make_base(base)
    loaded = OUT_DIR / "ingest_loaded.duckdb"  # the base with the file imported once, for the re-import
    _fresh(base, loaded)
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from metrics.store import Store; "
                    "from metrics import ingest; from bench.bench_ingest import ACTOR; "
                    "s = Store.open(sys.argv[1]); ingest.import_observations(s, Path(sys.argv[2]), ACTOR, "
                    "max_bytes=1 << 31, with_status=False); s.close()", str(loaded), str(csv_path)],
                   check=True, cwd=Path(__file__).resolve().parent.parent)
    print(f"file: {csv_path} ({csv_path.stat().st_size / 2**20:,.1f} MB, {args.rows:,} rows); "
          f"database with {N_TARGETS:,} targets (prepared in {time.perf_counter() - start:.1f} s)")
    results: dict[str, list[dict]] = {}
    for _ in range(args.repeat):
        for method in ("floor", "floor_constrained", "import", "preview", "import_dk", "reimport", "phases"):
            proc = subprocess.run(
                [sys.executable, "-m", "bench.bench_ingest", "--measure", method, "--csv", str(csv_path),
                 "--base", str(base), "--work", str(work)],
                capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
            )
            results.setdefault(method, []).append(json.loads(proc.stdout.strip().splitlines()[-1]))
    for suffix in ("", ".wal"):
        Path(str(work) + suffix).unlink(missing_ok=True)

    def med(method: str) -> tuple[float, float]:
        runs = results[method]
        return statistics.median(r["seconds"] for r in runs), max(r["peak_rss_mb"] for r in runs)

    floor, floor_mem = med("floor")
    constrained, constrained_mem = med("floor_constrained")
    imp, imp_mem = med("import")
    preview, preview_mem = med("preview")
    danish_time, danish_mem = med("import_dk")
    again, again_mem = med("reimport")
    counts = results["import"][-1]["counts"]
    print(f"floor: DuckDB read_csv into a new table     {floor:6.2f} s   peak RSS {floor_mem:6.0f} MB")
    print(f"read_csv INSERTed into observations         {constrained:6.2f} s   peak RSS {constrained_mem:6.0f} MB")
    print(f"import (python -m metrics import FILE)      {imp:6.2f} s   peak RSS {imp_mem:6.0f} MB   {counts}")
    print(f"preview with statuses (--dry-run)           {preview:6.2f} s   peak RSS {preview_mem:6.0f} MB")
    print(f"import of the Danish Excel export (cp1252)  {danish_time:6.2f} s   peak RSS {danish_mem:6.0f} MB")
    print(f"re-import of the same file (nothing to do)  {again:6.2f} s   peak RSS {again_mem:6.0f} MB")
    phases = {name: statistics.median(r["phases"][name] for r in results["phases"])
              for name in results["phases"][0]["phases"]}
    print("import, step by step (medians, s)           " + ", ".join(f"{k} {v:.2f}" for k, v in phases.items()))
    print(f"ratio import / floor                        {imp / floor:6.2f}x")
    print(f"ratio import / read_csv into observations   {imp / constrained:6.2f}x")
    print(f"median of {args.repeat} runs each, every run in a fresh process on a fresh copy of the database")


if __name__ == "__main__":
    main()
