"""PostgreSQL as the shared store, for several dashboard processes and writers at once.

Why this shape: the embedded DuckDB file can be opened by one process only. Here PostgreSQL
holds everything that is written, and each process keeps an in-memory DuckDB copy of it (the
*snapshot*) as its analytic engine. So every read, the progress engine and every writer's SQL
run unchanged on DuckDB, and the statuses are the same on both backends by construction.

* **Reads** go to the snapshot. Before a read (at most every :data:`SYNC_INTERVAL` seconds) the
  process compares its snapshot's data version with ``malspor_state.data_version`` and, when
  another process has written, loads a fresh copy (``COPY ... TO STDOUT`` per table, in one
  REPEATABLE READ transaction so the tables agree). :attr:`PgStore.generation` is that version,
  so the dashboard's caches are keyed on it and every replica sees a write at its next rerun.
* **Writes** keep the one write path of :meth:`metrics.store.Store.write`: the role check first,
  then a PostgreSQL transaction that takes ``pg_advisory_xact_lock`` (two writers in two processes
  never interleave), refreshes the snapshot if it is behind, and runs the caller's block on a
  DuckDB transaction of the snapshot. The block's effect is then written to PostgreSQL as rows:
  per table whose content changed (a hash of every row, before and after), the rows that went
  (deleted by key) and the rows that came (``COPY FROM STDIN``), the sequences' last values, and
  a new data version, all in the same PostgreSQL transaction. A process killed at any point
  leaves no half batch: PostgreSQL rolls the transaction back.
* **Waiting uploads** (``pending_uploads``) are read and written in PostgreSQL directly.

Example::

    store = Store.open("postgresql://malspor@db.regionh.local/malspor", seed=seed)
    store.query_df("SELECT count(*) AS n FROM observations")    # on this process's snapshot
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import duckdb
import psycopg
import psycopg_pool

from metrics import audit
from metrics.model import Actor, MalsporError, PermissionDenied
from metrics.pg_schema import KEYS, PG_MIGRATIONS
from metrics.store import MIGRATIONS, SCHEMA_VERSION, UPLOAD_ID_RE, UPLOAD_TTL, Store

#: The advisory lock every writer and migration takes ("MALS").
LOCK_KEY = 0x4D414C53
#: Seconds between two checks of the data version by one process (``$MALSPOR_PG_SYNC``).
SYNC_INTERVAL = 0.1
#: In a write that only adds rows, a table that gains at least this many, and at least a tenth of
#: what it then holds, has its foreign keys checked once over the whole table instead of per row;
#: when the new rows are at least half of it, its indexes are built anew after the COPY as well.
BULK_ROWS = 20_000
_NULL = "\\N"
_CSV_PG = "(FORMAT csv, NULL '\\N')"


class ServerAddress(str):
    """A connection string as shown to people: the password left out; ``.name`` is the database."""

    def __new__(cls, url: str) -> ServerAddress:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            user, _, host = netloc.rpartition("@")
            netloc = f"{user.split(':', 1)[0]}:***@{host}"
        shown = super().__new__(cls, urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")))
        shown.database = unquote(parts.path.lstrip("/")) or "postgres"
        return shown

    @property
    def name(self) -> str:
        return self.database


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _quote(name: str) -> str:
    """An identifier from this program's own schema (never user input), quoted for both dialects.

    The only text formatted into SQL in this module: these identifiers, the paths of files in a
    temporary folder this process made, and the definitions of the schema's own foreign keys as
    PostgreSQL's catalog gives them back (and of its indexes). Every value is a bound parameter or goes through COPY.
    """
    return '"' + name.replace('"', '""') + '"'


class PgStore(Store):
    """Målspor's tables in PostgreSQL, read through an in-memory DuckDB snapshot per process."""

    backend = "postgresql"

    def __init__(self, url: str, *, read_only: bool = False) -> None:  # noqa: D107 - see the class
        self.url = url
        self.path = ServerAddress(url)  # type: ignore[assignment] - shown where a file's path is shown
        self.read_only = read_only
        self.sync_interval = float(os.environ.get("MALSPOR_PG_SYNC", SYNC_INTERVAL))
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._checked = 0.0
        self._version: int | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        try:  # one plain connection first: its error names the cause (a pool only says it timed out)
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.Error as exc:
            raise MalsporError("pg_connect_failed", server=self.path, reason=_first_line(exc)) from None
        self._pool = psycopg_pool.ConnectionPool(
            url, min_size=1, max_size=4, open=False, kwargs={"autocommit": True}, name="malspor")
        try:
            self._pool.open(wait=True, timeout=15)
        except psycopg_pool.PoolTimeout as exc:
            self._pool.close()
            raise MalsporError("pg_connect_failed", server=self.path, reason=_first_line(exc)) from None

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(  # type: ignore[override]
        cls,
        path: str,
        *,
        seed: Callable[[Store], object] | None = None,
        read_only: bool = False,
        create: bool = True,
    ) -> PgStore:
        """Connect, make or migrate the schema (``create``), load the snapshot, seed a new database."""
        store = cls(path, read_only=read_only)
        try:
            store._check_is_malspor(allow_new=create and not read_only)
            created = False if read_only else store.migrate()
            store._reload()
            if created and seed:
                seed(store)
        except BaseException:
            store.close()
            raise
        return store

    @contextlib.contextmanager
    def _pg(self) -> Iterator[psycopg.Connection]:
        """A pooled connection (autocommit: open a transaction with ``conn.transaction()``)."""
        try:
            with self._pool.connection(timeout=30) as conn:
                yield conn
        except psycopg_pool.PoolTimeout as exc:
            raise MalsporError("pg_connect_failed", server=self.path, reason=_first_line(exc)) from None
        except psycopg.OperationalError as exc:
            raise MalsporError("pg_connect_failed", server=self.path, reason=_first_line(exc)) from None

    def _tables(self, pg: psycopg.Connection) -> list[str]:
        return [r[0] for r in pg.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            " ORDER BY 1").fetchall()]

    def _check_is_malspor(self, *, allow_new: bool) -> None:
        """Refuse, before any write, a database that holds another program's tables (or none, unless new)."""
        with self._pg() as pg:
            tables = self._tables(pg)
            if not tables:
                if allow_new:
                    return
                raise MalsporError("pg_empty", server=self.path)
            first = None
            if "schema_version" in tables:
                rows = pg.execute("SELECT description FROM schema_version WHERE version = 1").fetchall()
                first = rows[0][0] if rows else None
            if first != MIGRATIONS[0][1]:
                raise MalsporError("db_not_malspor", path=self.path, tables=", ".join(tables[:8]))

    def close(self) -> None:
        self._pool.close()
        if self._con is not None:
            self._con.close()

    def _schema_version(self, pg: psycopg.Connection) -> int:
        if "schema_version" not in self._tables(pg):
            return 0
        return pg.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]

    def schema_version(self) -> int:
        """The highest applied migration in PostgreSQL, 0 for a database without schema."""
        with self._pg() as pg:
            return self._schema_version(pg)

    def migrate(self) -> bool:
        """Apply pending PostgreSQL migrations in one locked transaction. True if the schema was created now."""
        descriptions = {version: text for version, text, _ in MIGRATIONS}
        with self._pg() as pg, pg.transaction():
            pg.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            current = self._schema_version(pg)
            if current > SCHEMA_VERSION:
                raise MalsporError("db_schema_newer", path=self.path, version=current, supported=SCHEMA_VERSION)
            applied = current
            for version, statements in PG_MIGRATIONS:
                if version <= current:
                    continue
                for statement in statements:
                    statement(pg) if callable(statement) else pg.execute(statement)
                for recorded in range(applied + 1, version + 1):  # version 7 stands for 1-7
                    pg.execute("INSERT INTO schema_version (version, description) VALUES (%s, %s)",
                               [recorded, descriptions[recorded]])
                applied = version
            if applied != current:
                pg.execute("UPDATE malspor_state SET data_version = data_version + 1")
        return current == 0

    # ------------------------------------------------------------------ the snapshot
    def _columns(self, con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
        return [(name, kind) for name, kind in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?"
            " AND table_schema = 'main' ORDER BY ordinal_position", [table]).fetchall()]

    def _reload(self) -> None:
        """Replace this process's snapshot by a fresh copy of every table (one consistent read)."""
        with self._write_lock:
            scratch = Store(":memory:")
            scratch.migrate()  # the DuckDB schema, by the same migrations as the embedded file
            con = scratch._con
            with self._pg() as pg, pg.transaction(), tempfile.TemporaryDirectory(prefix="malspor-") as tmp:
                pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                version = pg.execute("SELECT data_version FROM malspor_state").fetchone()[0]
                con.execute("DELETE FROM schema_version")
                for table in ("schema_version", *KEYS):
                    self._copy_in(pg, con, table, Path(tmp) / f"{table}.csv")
                for name, last in pg.execute("SELECT sequence_name, last_value FROM malspor_sequences").fetchall():
                    if last is not None:
                        con.execute("SELECT setval(?, ?)", [name, last])
            old, self._con, self._version = self._con, con, version
            self._checked = time.monotonic()
        # The old snapshot is left to the garbage collector: a reader may still hold one of its cursors.
        del old

    def _copy_in(self, pg: psycopg.Connection, con: duckdb.DuckDBPyConnection, table: str, file: Path) -> None:
        """One table from PostgreSQL into the snapshot, through a CSV file (both sides at C speed)."""
        columns = self._columns(con, table)
        names = ", ".join(_quote(name) for name, _ in columns)
        order = ", ".join(_quote(k) for k in KEYS.get(table, ("version",)))
        with open(file, "wb") as out, pg.cursor().copy(
                f"COPY (SELECT {names} FROM {_quote(table)} ORDER BY {order}) TO STDOUT {_CSV_PG}") as copy:
            for block in copy:
                out.write(block)
        if file.stat().st_size == 0:
            return
        types = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns) + "}"
        con.execute(
            f"INSERT INTO {_quote(table)} SELECT * FROM read_csv(?, header = false, delim = ',', quote = '\"',"
            f" escape = '\"', nullstr = '\\N', allow_quoted_nulls = false, auto_detect = false,"
            f" columns = {types})", [str(file)])

    def _sync(self) -> None:
        """Load a fresh snapshot when another process has written since ours was made."""
        if getattr(self._local, "writing", False) or self._con is None:
            return
        now = time.monotonic()
        if now - self._checked < self.sync_interval:
            return
        with self._pg() as pg:
            version = pg.execute("SELECT data_version FROM malspor_state").fetchone()[0]
        self._checked = time.monotonic()
        if version != self._version:
            with self._write_lock:
                if version != self._version:
                    self._reload()

    @property
    def generation(self) -> int:  # type: ignore[override]
        """The data version in PostgreSQL that this process's snapshot holds (bumped by every write)."""
        self._sync()
        return int(self._version or 0)

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of this thread's own on the (fresh) snapshot; fetch results fully inside the block."""
        self._sync()
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    # ------------------------------------------------------------------ uploads waiting for confirmation
    def stash_upload(self, owner: str, file_name: str, content: bytes) -> str:
        if self.read_only:
            raise MalsporError("db_read_only", path=self.path)
        upload_id = secrets.token_hex(16)
        with self._pg() as pg, pg.transaction():
            pg.execute("DELETE FROM pending_uploads WHERE created_at < localtimestamp - %s", [UPLOAD_TTL])
            pg.execute("INSERT INTO pending_uploads (upload_id, owner, file_name, content) VALUES (%s, %s, %s, %s)",
                       [upload_id, owner, file_name, content])
        return upload_id

    def stashed_upload(self, upload_id: str, owner: str) -> tuple[str, bytes] | None:
        if not UPLOAD_ID_RE.fullmatch(upload_id or ""):
            return None
        with self._pg() as pg:
            row = pg.execute(
                "SELECT file_name, content FROM pending_uploads WHERE upload_id = %s AND lower(owner) = lower(%s)"
                " AND created_at >= localtimestamp - %s", [upload_id, owner, UPLOAD_TTL]).fetchone()
        return (row[0], bytes(row[1])) if row else None

    def drop_upload(self, upload_id: str) -> None:
        if self.read_only:
            return
        with self._pg() as pg:
            pg.execute("DELETE FROM pending_uploads WHERE upload_id = %s", [upload_id])

    # ------------------------------------------------------------------ the write path
    @contextlib.contextmanager
    def write(self, actor: Actor, action: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """The one write path, as :meth:`Store.write`, with PostgreSQL's lock and transaction around it."""
        if not actor.may(action):
            raise PermissionDenied(actor=actor, action=action)
        if self.read_only:
            raise MalsporError("db_read_only", path=self.path)
        cur: duckdb.DuckDBPyConnection | None = None
        try:
            with self._write_lock, self._pg() as pg, pg.transaction():
                cur, new_version = yield from self._locked_write(pg, action)
        except psycopg.errors.IntegrityError as exc:  # a rule PostgreSQL checks at commit (a deferred key)
            self._abandon(cur)
            raise MalsporError("pg_refused", server=self.path, reason=_first_line(exc)) from None
        except BaseException:
            self._abandon(cur)
            raise
        # PostgreSQL has committed; now the snapshot takes the same change.
        try:
            cur.execute("COMMIT")
            self._version, self._checked = new_version, time.monotonic()
        except duckdb.Error:
            self._version = None  # the next read loads a fresh copy
        finally:
            cur.close()

    @staticmethod
    def _abandon(cur: duckdb.DuckDBPyConnection | None) -> None:
        if cur is not None:
            with contextlib.suppress(duckdb.Error):
                cur.execute("ROLLBACK")
            cur.close()

    def _locked_write(self, pg: psycopg.Connection, action: str
                      ) -> Generator[duckdb.DuckDBPyConnection, None, tuple[duckdb.DuckDBPyConnection, int]]:
        """Inside PostgreSQL's transaction: lock, catch up, run the block on the snapshot, write it back."""
        pg.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        version = pg.execute("SELECT data_version FROM malspor_state FOR UPDATE").fetchone()[0]
        if version != self._version:
            self._reload()
        con = self._con
        before, cur = con.cursor(), con.cursor()
        self._local.writing = True
        try:
            before.execute("BEGIN TRANSACTION")
            prints = {table: self._fingerprint(before, table) for table in KEYS}
            cur.execute("BEGIN TRANSACTION")
            try:
                first = audit.last_id(cur)
                yield cur
                if audit.last_id(cur) <= first:
                    raise MalsporError("audit_missing", action=action)
                self._write_back(pg, before, cur, prints)
                new_version = pg.execute(
                    "UPDATE malspor_state SET data_version = data_version + 1 RETURNING data_version").fetchone()[0]
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    cur.execute("ROLLBACK")
                raise
        finally:
            self._local.writing = False
            with contextlib.suppress(duckdb.Error):
                before.execute("ROLLBACK")
            before.close()
        return cur, new_version

    @staticmethod
    def _fingerprint(cur: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int]:
        """Row count and the sum of every row's hash: equal before and after when nothing changed."""
        return tuple(cur.execute(f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM {_quote(table)} AS t")
                     .fetchall()[0])  # type: ignore[return-value]

    def _write_back(self, pg: psycopg.Connection, before: duckdb.DuckDBPyConnection,
                    cur: duckdb.DuckDBPyConnection, prints: dict[str, tuple[int, int]]) -> None:
        """Send the block's change to PostgreSQL: removed rows by key, added rows by COPY, the sequences."""
        after = {table: self._fingerprint(cur, table) for table in KEYS}
        changed = [table for table in KEYS if after[table] != prints[table]]
        with tempfile.TemporaryDirectory(prefix="malspor-") as tmp:
            added: list[tuple[str, Path, int]] = []
            append_only = True
            for table in reversed(changed):  # children first; the foreign keys are checked at commit anyway
                keys = KEYS[table]
                key_list = ", ".join(_quote(k) for k in keys)
                gone, came = Path(tmp) / f"{table}.gone.csv", Path(tmp) / f"{table}.came.csv"
                if prints[table][0] == 0:  # a table that was empty: every row came, none went (no diff to make)
                    n_came = cur.execute(
                        f"COPY (SELECT * FROM {_quote(table)} ORDER BY {key_list}) TO '{came}'"
                        " (HEADER false, NULLSTR '\\N')").fetchall()[0][0]
                    added.append((table, came, n_came))
                    continue
                old = before.sql(f"SELECT * FROM {_quote(table)}").to_arrow_table()
                cur.register("_malspor_before", old)
                try:
                    n_gone = cur.execute(
                        f"COPY (SELECT {key_list} FROM (SELECT * FROM _malspor_before EXCEPT ALL"
                        f" SELECT * FROM {_quote(table)})) TO '{gone}' (HEADER false, NULLSTR '\\N')").fetchall()[0][0]
                    n_came = cur.execute(  # in key order: PostgreSQL's indexes then grow at their end
                        f"COPY (SELECT * FROM (SELECT * FROM {_quote(table)} EXCEPT ALL SELECT * FROM _malspor_before)"
                        f" ORDER BY {key_list}) TO '{came}' (HEADER false, NULLSTR '\\N')").fetchall()[0][0]
                finally:
                    cur.unregister("_malspor_before")
                if n_gone:
                    self._delete_keys(pg, table, keys, gone, n_gone)
                    append_only = False
                if n_came:
                    added.append((table, came, n_came))
            bulk = [table for table, _, n in added if n >= BULK_ROWS and n * 10 >= after[table][0]]
            # Only when nothing was deleted: PostgreSQL cannot drop a key of a table that has a
            # deletion's check still pending in this transaction.
            rebuild = [table for table, _, n in added if table in bulk and n * 2 >= after[table][0]]
            restore = self._drop_checks(pg, bulk, rebuild) if bulk and append_only else []
            for table, file, _ in reversed(added):  # parents first
                names = ", ".join(_quote(name) for name, _ in self._columns(cur, table))
                with pg.cursor().copy(f"COPY {_quote(table)} ({names}) FROM STDIN {_CSV_PG}") as copy, \
                        open(file, "rb") as src:
                    while block := src.read(1 << 20):
                        copy.write(block)
            for statement in restore:  # each index built and each key checked now, over the whole table
                pg.execute(statement)
        for name, last in cur.execute("SELECT sequence_name, last_value FROM duckdb_sequences()").fetchall():
            pg.execute("INSERT INTO malspor_sequences VALUES (%s, %s) ON CONFLICT (sequence_name)"
                       " DO UPDATE SET last_value = excluded.last_value", [name, last])

    @staticmethod
    def _drop_checks(pg: psycopg.Connection, tables: list[str], rebuild: list[str]) -> list[str]:
        """Drop the foreign keys of ``tables`` (and the indexes of ``rebuild``) for this transaction;
        the statements that make them again, in the order to run them after the COPY.

        Why: PostgreSQL checks a foreign key once per inserted row (at commit, for a deferred one),
        which for a million rows costs more than the COPY itself; adding the key back checks every
        row in one join, and an index built over the whole table costs less than a million inserts
        into it (a duplicate key is refused when the primary key is made again, as by the COPY).
        An index is kept when another table's foreign key refers to its table. Dropping locks the
        table and the tables its keys refer to; all of them are locked here at once, in the order in
        which a snapshot reads them (:data:`KEYS`), so that a process loading its snapshot meanwhile
        waits for this commit instead of deadlocking with it. Another process sees neither the
        missing keys nor the new rows: both come with the commit.
        """
        keys = pg.execute(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text, c.conname,"
            " pg_get_constraintdef(c.oid) FROM pg_constraint AS c"
            " WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) ORDER BY c.conname",
            [[_quote(table) for table in tables]]).fetchall()
        referred = {row[0] for row in pg.execute(
            "SELECT DISTINCT confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'").fetchall()}
        indexes = pg.execute(
            "SELECT i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid), k.conname,"
            " pg_get_constraintdef(k.oid) FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid"
            " LEFT JOIN pg_constraint AS k ON k.conindid = i.indexrelid AND k.contype IN ('p', 'u')"
            " WHERE i.indrelid = ANY(%s::regclass[]) ORDER BY c.relname",
            [[_quote(table) for table in rebuild]]).fetchall()
        indexes = [row for row in indexes if row[0] not in referred]
        if not keys and not indexes:
            return []
        involved = {table.strip('"') for row in keys for table in row[:2]} | {row[0].strip('"') for row in indexes}
        pg.execute("LOCK TABLE " + ", ".join(_quote(t) for t in KEYS if t in involved) + " IN ACCESS EXCLUSIVE MODE")
        pg.execute("SET LOCAL maintenance_work_mem = '256MB'")
        again: list[str] = []
        for table, index, definition, constraint, constraint_def in indexes:
            table = _quote(table.strip('"'))
            if constraint:
                pg.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(constraint)}")
                again.append(f"ALTER TABLE {table} ADD CONSTRAINT {_quote(constraint)} {constraint_def}")
            else:
                pg.execute(f"DROP INDEX {_quote(index)}")
                again.append(definition)
        for table, _, name, definition in keys:
            table = _quote(table.strip('"'))
            pg.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(name)}")
            again.append(f"ALTER TABLE {table} ADD CONSTRAINT {_quote(name)} {definition}")
        return again

    def _delete_keys(self, pg: psycopg.Connection, table: str, keys: tuple[str, ...], file: Path, n: int) -> None:
        """Delete the rows whose keys are in ``file``; all of them must exist (else another process wrote)."""
        scratch = _quote(f"_malspor_gone_{table}")
        key_list = ", ".join(_quote(k) for k in keys)
        pg.execute(f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS SELECT {key_list} FROM {_quote(table)}"
                   " WITH NO DATA")
        with pg.cursor().copy(f"COPY {scratch} ({key_list}) FROM STDIN {_CSV_PG}") as copy, open(file, "rb") as src:
            while block := src.read(1 << 20):
                copy.write(block)
        match = " AND ".join(f"t.{_quote(k)} = g.{_quote(k)}" for k in keys)
        deleted = pg.execute(f"DELETE FROM {_quote(table)} AS t USING {scratch} AS g WHERE {match}").rowcount
        if deleted != n:
            raise MalsporError("pg_changed_meanwhile", server=self.path, table=table)

