"""A throwaway PostgreSQL server for the tests, and a fresh database per test.

The server is Debian's ``postgresql`` (which ``.ci/run`` installs), started once per test run in a
temporary folder on a Unix socket (no TCP port), as the ``postgres`` user when the tests run as
root (``initdb`` and ``pg_ctl`` refuse root). ``$MALSPOR_TEST_PG`` (a ``postgresql://`` URL of a
server whose user may create databases) is used instead when set. Without either, the PostgreSQL
variants of the tests are skipped, unless ``$MALSPOR_REQUIRE_PG`` is set (CI sets it): then they fail.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

_counter = itertools.count(1)


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class PgServer:
    """A running server and the URL of its maintenance database; ``database()`` makes a new one."""

    def __init__(self) -> None:
        self.external = os.environ.get("MALSPOR_TEST_PG")
        self._folder: Path | None = None
        if self.external:
            self.base = self.external
            return
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        self._folder = Path(tempfile.mkdtemp(prefix="malspor-pg-"))
        data, sock = self._folder / "data", self._folder / "sock"
        sock.mkdir()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self._folder, "postgres")
            shutil.chown(sock, "postgres")
            self._folder.chmod(0o755)
        self._pg_ctl, self._data = pg_ctl, data
        self._run([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
        self._run([pg_ctl, "-D", str(data), "-w", "-l", str(self._folder / "log"), "-o",
                   f"-k {sock} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
                   " -c full_page_writes=off -c max_connections=200", "start"])
        self.base = f"postgresql://postgres@/postgres?host={sock}"

    def _run(self, args: list[str]) -> None:
        if getattr(self, "_as_postgres", False):
            args = ["runuser", "-u", "postgres", "--", *args]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)

    def url(self, database: str) -> str:
        """The base URL pointed at another database of the same server."""
        head, sep, query = self.base.partition("?")
        return head.rsplit("/", 1)[0] + "/" + database + sep + query

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.base, autocommit=True) as con:
            con.execute(sql)

    def database(self, *, template: str | None = None) -> str:
        """A new, empty (or ``template``'s copy) database; returns its URL."""
        name = f"malspor_t{os.getpid()}_{next(_counter)}"
        self.admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.partition("?")[0].rsplit("/", 1)[1]
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self._folder is None:
            return
        try:
            self._run([self._pg_ctl, "-D", str(self._data), "-m", "immediate", "stop"])
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)
