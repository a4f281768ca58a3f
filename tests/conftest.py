"""Shared fixtures: every test gets its own database file, never data/malspor.duckdb."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

# The test process keeps Python's own garbage collector settings (app_pages/_gc.py would freeze this
# process's heap at the first AppTest run, and earlier tests' dead cycles with it); tests/test_gc.py
# tests the shipped settings on purpose.
os.environ.setdefault("MALSPOR_GC", "python")

from metrics.database import open_store
from metrics.model import Actor
from metrics.seed import seed
from metrics.store import Store

ADMIN = Actor("tester", "admin")
ANALYST = Actor("ana", "analyst")
VIEWER = Actor("viktor", "viewer")


#: Test modules whose tests of a database run twice: on the embedded file and on PostgreSQL
#: (tests/pg_support.py). A test that is about the file itself is marked ``duckdb_only``.
BOTH_BACKENDS = {
    "test_store", "test_ingest_write", "test_ingest_undo", "test_ingest_plan", "test_ingest_check",
    "test_ingest_targets", "test_ingest_formats", "test_audit", "test_audit_chain", "test_commentary",
    "test_backup_signing", "test_export", "test_cli", "test_auth", "test_seed", "test_ingest_pending",
    "test_upload_page",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "db_backend" not in metafunc.fixturenames or module not in BOTH_BACKENDS:
        return
    only = metafunc.definition.get_closest_marker("duckdb_only")
    metafunc.parametrize("db_backend", ["duckdb"] if only else ["duckdb", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server for the whole run (started on first use), or a skip (a failure in CI)."""
    import os

    from tests.pg_support import PgServer

    try:
        server = PgServer()
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        if os.environ.get("MALSPOR_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required here but could not start: {exc}")
        pytest.skip(f"no PostgreSQL server: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_seeded_template(pg_server) -> str:
    """A seeded Målspor database that each PostgreSQL test's ``store`` is copied from (CREATE DATABASE ... TEMPLATE)."""
    url = pg_server.database()
    open_store(url, seed=seed).close()
    return url.partition("?")[0].rsplit("/", 1)[1]


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    """"duckdb" (the default everywhere) or "postgresql" (the second run of a BOTH_BACKENDS test)."""
    return getattr(request, "param", "duckdb")


@pytest.fixture(autouse=True)
def isolated_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_backend: str, request: pytest.FixtureRequest):
    """Point MALSPOR_DB at a fresh file (or a fresh PostgreSQL database) for each test."""
    monkeypatch.setenv("MALSPOR_BACKUP_KEY", "a-test-key-for-signed-backups")  # restore refuses unsigned backups
    if db_backend == "postgresql":
        server = request.getfixturevalue("pg_server")
        template = request.getfixturevalue("pg_seeded_template") if "store" in request.fixturenames else None
        url = server.database(template=template)
        monkeypatch.setenv("MALSPOR_DB", url)
        monkeypatch.setenv("MALSPOR_PG_SYNC", "0")  # every read sees another process's write at once
        yield url
        server.drop(url)
        return
    path = tmp_path / "malspor.duckdb"
    monkeypatch.setenv("MALSPOR_DB", str(path))
    yield path


@pytest.fixture
def store(isolated_db):
    """A seeded store on the test's own file (or PostgreSQL database, copied from a seeded one)."""
    s = open_store(isolated_db, seed=seed)
    yield s
    s.close()


@pytest.fixture
def empty_store(isolated_db):
    s = open_store(isolated_db, seed=False)
    yield s
    s.close()


def tamper(store: Store, sql: str, params: list | None = None) -> None:
    """Change the stored data around the write path (as someone with database access could): in the
    DuckDB file itself, or in PostgreSQL, whose change this process's snapshot then loads."""
    if store.backend == "postgresql":
        import psycopg

        with psycopg.connect(store.url, autocommit=True) as con:
            con.execute(sql.replace("?", "%s"), params or [])
        store._reload()
    else:
        store._con.execute(sql, params or [])


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def lock_holder(isolated_db: Path) -> Iterator[subprocess.Popen]:
    """Another process holding the (seeded) database file open read-write, as the dashboard does."""
    open_store(isolated_db, seed=seed).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys
            con = duckdb.connect({str(isolated_db)!r})
            print('ready', flush=True)
            sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield holder
    finally:
        holder.communicate("\n", timeout=10)


@pytest.fixture
def streamlit_caches():
    """Page tests start and end with empty caches: Streamlit's (the store is cached) and the shared views'."""
    import streamlit as st

    from metrics import cache

    st.cache_data.clear()
    st.cache_resource.clear()
    cache.clear_all()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
    cache.clear_all()


def old_schema_database(path: Path, version: int) -> None:
    """A database at schema ``version`` holding the seed (with one revision and one commentary),
    written in that version's columns: the seed code itself writes today's columns only."""
    from metrics import ingest
    from metrics import store as store_module

    with open_store(":memory:", seed=seed) as new:
        frame = pd.DataFrame({"target_id": ["eud_share"], "year": ["2023"], "value": ["13.5"],
                              "note": ["revised"]})
        with new.write(ADMIN, "import_observations") as cur:
            plan = ingest.plan_observations(cur, frame)
            ingest.apply_plan(cur, plan, file_name="rev.csv", sha256="0" * 64, user="tester")
            cur.execute("INSERT INTO commentary (target_id, year, text, author) VALUES ('eud_share', 2024, 'ok', 'a')")
            from metrics import audit
            audit.record(cur, ADMIN, "import_observations", "observations", "x", None, None)
        tables = {t: new._con.sql("SELECT * FROM " + t + " ORDER BY ALL").to_arrow_table() for t in store_module.TABLES}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:version])
        mp.setattr(store_module, "SCHEMA_VERSION", version)
        with open_store(path, seed=False) as old:
            assert old.schema_version() == version
            con = old._con
            for table, data in tables.items():
                cols = [r[0] for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                    [table]).fetchall()]
                if not cols:  # a table a later migration added
                    continue
                con.register("old_rows", data)
                select = ", ".join("note_en AS note" if c == "note" else c for c in cols)
                con.execute("INSERT INTO " + table + " SELECT " + select + " FROM old_rows")
                con.unregister("old_rows")
            for seq, table, col in (("batch_id_seq", "import_batches", "batch_id"),
                                    ("history_id_seq", "observation_history", "history_id"),
                                    ("commentary_id_seq", "commentary", "commentary_id"),
                                    ("audit_id_seq", "audit_log", "audit_id")):
                if con.execute("SELECT count(*) FROM duckdb_sequences() WHERE sequence_name = ?", [seq]).fetchall()[0][0]:
                    con.execute(f"SELECT setval('{seq}', (SELECT max({col}) FROM {table}))")


def as_read(text: str) -> str:
    """A Markdown-escaped page text as the reader sees it: backslash escapes and the invisible
    word joiners that keep a bare URL from becoming a link (``_shared.md``) taken out."""
    import re

    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


@contextlib.contextmanager
def running_dashboard(db: Path) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free loopback port over ``db``; yields its base URL once
    /_stcore/health answers (within 60 s), and stops the server afterwards."""
    import os
    import socket
    import time
    import urllib.request

    from metrics.store import PROJECT_ROOT

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboard.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=PROJECT_ROOT, env={**os.environ, "MALSPOR_DB": str(db)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                    if resp.read().strip() == b"ok":
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("streamlit did not become healthy within 60 s")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


#: Seed targets whose status as of 2026 carries a mark (method v2), and the words it must carry
#: wherever the status is shown (memo, Excel, CSV).
MARKED = {
    "da": {"stem_admissions": "foreløbig: bygger på eksempeldata",
           "waste_recycling": "⚠ seneste tal fra 2020, nyt tal ventet senest",
           "district_heating_co2_neutral": "⚠ seneste tal fra 2021, nyt tal ventet senest",
           "eud_share": "frist overskredet, tal for 2025 mangler"},
    "en": {"stem_admissions": "provisional: rests on illustrative values",
           "waste_recycling": "⚠ latest figure from 2020, a new one was expected by",
           "district_heating_co2_neutral": "⚠ latest figure from 2021, a new one was expected by",
           "eud_share": "deadline passed, the figure for 2025 is not yet published"},
}
