"""The embedded DuckDB file next to the shared PostgreSQL store, measured in one run.

    python -m bench.bench_backends [--rows 1000000] [--pg postgresql://...]

Makes the same database twice, the benchmark targets of ``bench_ingest`` (1,000 targets) in a
DuckDB file and in a PostgreSQL database (``--pg``: a server whose user may create databases; by
default a throwaway server is started as in the tests, ``tests/pg_support.py``), imports the same
``--rows``-row CSV into each as ``python -m metrics import`` does, and then times the progress
engine over all targets on each (the median of 5). Prints each time and the ratio of PostgreSQL
to the file. The engine runs in DuckDB on both (on PostgreSQL over the process's snapshot), so
the statuses are compared as well: they must be identical.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.bench_ingest import ACTOR, make_base, make_csv
from metrics import ingest, progress
from metrics.database import open_store


def _engine(store) -> tuple[float, object]:
    times, status = [], None
    for _ in range(5):
        with store.read() as cur:
            start = time.perf_counter()
            status = progress.compute_status(cur, as_of=2026)
            times.append(time.perf_counter() - start)
    return statistics.median(times), status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg", help="a postgresql:// URL of a server whose user may create databases")
    args = parser.parse_args()
    server = None
    if not args.pg:
        from tests.pg_support import PgServer

        server = PgServer()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            csv_path, db = Path(tmp) / "obs.csv", Path(tmp) / "bench.duckdb"
            make_csv(csv_path, args.rows)
            make_base(db)
            if server:
                url = server.database()
            else:
                import psycopg

                name = f"malspor_bench_{int(time.time())}"
                with psycopg.connect(args.pg, autocommit=True) as con:
                    con.execute(f'CREATE DATABASE "{name}"')
                head, sep, query = args.pg.partition("?")
                url = head.rsplit("/", 1)[0] + "/" + name + sep + query
            make_base(url)  # the same targets, written through the PostgreSQL store
            results = {}
            for label, target in (("embedded file", db), ("postgresql", url)):
                with open_store(target, create=False) as store:
                    start = time.perf_counter()
                    done = ingest.import_observations(store, csv_path, ACTOR, max_bytes=1 << 31)
                    imported = time.perf_counter() - start
                    engine, status = _engine(store)
                    results[label] = (imported, engine, status, done.plan.counts["added"])
        file_import, file_engine, file_status, added = results["embedded file"]
        pg_import, pg_engine, pg_status, pg_added = results["postgresql"]
        same = file_status.equals(pg_status) and added == pg_added
        print(f"rows imported: {added:,} (file) / {pg_added:,} (postgresql); statuses identical: {same}")
        print(f"import     file {file_import:6.2f} s   postgresql {pg_import:6.2f} s   {pg_import / file_import:5.2f}x")
        print(f"engine     file {file_engine * 1000:6.1f} ms  postgresql {pg_engine * 1000:6.1f} ms  "
              f"{pg_engine / file_engine:5.2f}x")
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
