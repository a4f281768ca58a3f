"""Shared fixtures: every test gets its own database file, never data/malspor.duckdb."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from metrics.model import Actor
from metrics.store import Store

ADMIN = Actor("tester", "admin")
ANALYST = Actor("ana", "analyst")
VIEWER = Actor("viktor", "viewer")


@pytest.fixture(autouse=True)
def isolated_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point MALSPOR_DB at a fresh file for each test."""
    path = tmp_path / "malspor.duckdb"
    monkeypatch.setenv("MALSPOR_DB", str(path))
    return path


@pytest.fixture
def store(isolated_db: Path):
    """A seeded store on the test's own file."""
    s = Store.open(isolated_db)
    yield s
    s.close()


@pytest.fixture
def empty_store(isolated_db: Path):
    s = Store.open(isolated_db, seed=False)
    yield s
    s.close()


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def lock_holder(isolated_db: Path) -> Iterator[subprocess.Popen]:
    """Another process holding the (seeded) database file open read-write, as the dashboard does."""
    Store.open(isolated_db).close()
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
    """Page tests start and end with empty st.cache_data / st.cache_resource (the store is cached)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
