"""The shared PostgreSQL store: the same schema as the file, writers in two processes, replicas that see a write."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import psycopg
import pytest

from metrics import commentary, ingest
from metrics.database import open_store
from metrics.model import MalsporError
from metrics.seed import seed
from tests.conftest import ANALYST, write_csv

pytestmark = pytest.mark.usefixtures("pg_server")


@pytest.fixture
def url(pg_server, pg_seeded_template):
    """A seeded PostgreSQL database of this test's own."""
    made = pg_server.database(template=pg_seeded_template)
    yield made
    pg_server.drop(made)


def _columns_pg(url: str) -> dict[str, list[str]]:
    with psycopg.connect(url) as con:
        rows = con.execute("SELECT table_name, column_name FROM information_schema.columns"
                           " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position").fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


def test_postgresql_has_every_table_and_column_of_the_file(url, tmp_path):
    pg = _columns_pg(url)
    with open_store(tmp_path / "f.duckdb", seed=None) as file_store, file_store.read() as cur:
        rows = cur.execute("SELECT table_name, column_name FROM information_schema.columns"
                           " WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall()
    duck: dict[str, list[str]] = {}
    for table, column in rows:
        duck.setdefault(table, []).append(column)
    for table, columns in duck.items():
        assert pg.get(table) == columns, table
    with psycopg.connect(url) as con:
        versions = [r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()]
    assert versions == list(range(1, len(versions) + 1)) and versions[-1] >= 8


@pytest.mark.parametrize("sql", [
    "INSERT INTO observations VALUES ('no_such_target', 'Region Hovedstaden', 2024, 1, 'R', 's', NULL, NULL, false, 1)",
    "INSERT INTO observations SELECT * FROM observations LIMIT 1",  # the key is a real index here
    "UPDATE observations SET data_class = 'X' WHERE year = 2024",
    "UPDATE observations SET value = 'NaN' WHERE year = 2024",
])
def test_postgresql_itself_refuses_what_breaks_the_rules(url, sql):
    with psycopg.connect(url) as con, pytest.raises(psycopg.errors.IntegrityError):
        with con.transaction():
            con.execute(sql)


def test_a_write_through_one_process_is_seen_by_another_at_its_next_read(url):
    reader = open_store(url)
    before = reader.generation
    writer = open_store(url)
    commentary.save(writer, ANALYST, target_id="eud_share", year=2026, text="set fra den anden proces")
    assert reader.generation > before
    assert reader.scalar("SELECT count(*) FROM commentary WHERE text = 'set fra den anden proces'") == 1
    reader.close()
    writer.close()


_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from metrics import ingest
    from metrics.database import open_store
    from metrics.model import Actor
    store = open_store(sys.argv[1])
    actor = Actor("proc" + sys.argv[2], "analyst", via="cli")
    for year in range(2030, 2036):
        csv = Path(sys.argv[3]) / f"w{sys.argv[2]}_{year}.csv"
        csv.write_text("target_id,year,value,geography,source\\n"
                       + "".join(f"eud_share,{year},{10 + int(sys.argv[2])},Kommune {i},Test\\n" for i in range(50)))
        ingest.import_observations(store, csv, actor)
    print("done", flush=True)
""")


def test_two_processes_importing_at_once_never_interleave_and_lose_nothing(url, tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, url, str(n), str(tmp_path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in (1, 2)]
    outs = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    with open_store(url) as store:
        batches = store.query_df("SELECT batch_id, user_name, n_added, n_revised FROM import_batches"
                                 " WHERE user_name LIKE 'proc%' ORDER BY batch_id")
        assert len(batches) == 12
        # each batch is whole: 50 rows added or revised, and the rows of each year carry one batch
        assert (batches["n_added"] + batches["n_revised"] == 50).all()
        per_year = store.query_df("SELECT year, count(DISTINCT batch_id) AS n, count(*) AS rows FROM observations"
                                  " WHERE target_id = 'eud_share' AND year >= 2030 GROUP BY year")
        assert (per_year["n"] == 1).all() and (per_year["rows"] == 50).all()
        assert store.integrity_problems() == []
        from metrics import audit

        assert audit.verify(store).ok


def test_a_writer_killed_half_way_leaves_nothing(url, tmp_path):
    script = textwrap.dedent("""
        import os, sys
        from metrics.database import open_store
        from metrics import audit
        from metrics.model import Actor
        store = open_store(sys.argv[1])
        actor = Actor("killed", "admin", via="cli")
        with store.write(actor, "write_commentary") as cur:
            cur.execute("INSERT INTO commentary (target_id, year, text, author) VALUES ('eud_share', 2026, 'half', 'k')")
            audit.record(cur, actor, "write_commentary", "commentary", "x", None, None)
            os._exit(9)   # killed before the change is committed
    """)
    with open_store(url) as store:
        before = store.checksum()
    proc = subprocess.run([sys.executable, "-c", script, url], capture_output=True, timeout=120)
    assert proc.returncode == 9
    with open_store(url) as store:
        assert store.checksum() == before


def test_an_empty_server_database_is_refused_without_create_and_a_bad_address_is_named(pg_server):
    empty = pg_server.database()
    try:
        with pytest.raises(MalsporError, match="holds no Målspor tables"):
            open_store(empty, create=False)
        with open_store(empty, seed=seed) as made:
            assert made.scalar("SELECT count(*) FROM targets") == 11
    finally:
        pg_server.drop(empty)
    with pytest.raises(MalsporError, match="Could not connect") as caught:
        open_store("postgresql://nobody:secret@/no_such_db?host=/nonexistent&connect_timeout=2")
    assert "secret" not in str(caught.value)


def test_a_waiting_upload_is_found_by_another_process_and_only_by_its_owner(url):
    one, two = open_store(url), open_store(url)
    upload = one.stash_upload("ana", "tal.csv", b"target_id;year;value\n")
    assert two.stashed_upload(upload, "ANA") == ("tal.csv", b"target_id;year;value\n")
    assert two.stashed_upload(upload, "bo") is None
    two.drop_upload(upload)
    assert one.stashed_upload(upload, "ana") is None
    one.close()
    two.close()


def test_backup_from_the_file_restores_into_postgresql_with_the_same_statuses(store, pg_server, tmp_path):
    from metrics import backup, progress
    from tests.conftest import ADMIN

    ingest.import_observations(store, write_csv(tmp_path / "r.csv", "target_id,year,value\neud_share,2024,15.5\n"),
                               ANALYST)
    backup.backup(store, tmp_path / "bk")
    target = pg_server.database()
    try:
        with open_store(target, seed=None) as pg:
            backup.restore(pg, tmp_path / "bk", ADMIN)
            with store.read() as a, pg.read() as b:
                assert progress.compute_status(a, as_of=2026).equals(progress.compute_status(b, as_of=2026))
            trail = "SELECT audit_id, action, row_hash FROM audit_log WHERE action <> 'restore' ORDER BY 1"
            assert store.query_df(trail).equals(pg.query_df(trail))
            from metrics import audit

            assert audit.verify(pg).ok
    finally:
        pg_server.drop(target)


def _foreign_keys(url: str) -> list[tuple[str, str]]:
    """Every foreign key and index in the database (the rules a big write drops for a moment)."""
    with psycopg.connect(url) as con:
        return con.execute("SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint"
                           " WHERE contype = 'f' UNION ALL SELECT tablename, indexdef FROM pg_indexes"
                           " WHERE schemaname = current_schema() ORDER BY 1, 2").fetchall()


def _bulk_write(store, target: str, n: int) -> None:
    """``n`` new observations of ``target`` in one write (big enough for the one-join key check)."""
    from metrics import audit
    from tests.conftest import ADMIN

    with store.write(ADMIN, "import_observations") as cur:
        cur.execute("INSERT INTO import_batches (file_name, sha256, user_name) VALUES ('bulk.csv', repeat('0', 64), 'x')")
        cur.execute("INSERT INTO observations (target_id, geography, year, value, source, batch_id)"
                    " SELECT ?, 'Område ' || (i // 100), 1901 + i % 100, i, 'test', currval('batch_id_seq')"
                    " FROM range(?) r(i)", [target, n])
        audit.record(cur, ADMIN, "import_observations", "observations", "bulk", None, {"rows": n})


def test_a_big_write_keeps_every_foreign_key_and_a_broken_one_is_refused_whole(url):
    from metrics import pg_store

    keys = _foreign_keys(url)
    n = pg_store.BULK_ROWS + 1000
    with open_store(url) as store:
        _bulk_write(store, "eud_share", n)
        assert _foreign_keys(url) == keys
        with store.read() as cur:
            before = cur.execute("SELECT count(*) FROM observations").fetchall()[0][0]
        # Around the write path (no new data version): a target this snapshot holds goes from PostgreSQL.
        cols = ", ".join("'gone_soon'" if c == "target_id" else c for c in _columns_pg(url)["target_definitions"])
        with psycopg.connect(url, autocommit=True) as con:
            con.execute(f"INSERT INTO target_definitions SELECT {cols} FROM target_definitions"
                        " WHERE target_id = 'eud_share'")
        store._reload()
        with psycopg.connect(url, autocommit=True) as con:
            con.execute("DELETE FROM target_definitions WHERE target_id = 'gone_soon'")
        with pytest.raises(MalsporError) as refused:  # checked by the key added back, in one join
            _bulk_write(store, "gone_soon", n)
        assert refused.value.code == "pg_refused"
        assert _foreign_keys(url) == keys
    with psycopg.connect(url) as con:
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] == before
