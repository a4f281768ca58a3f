"""The DuckDB store: schema, migrations, reads, and the one write path.

Why one class: DuckDB lets a single process open a file read-write, and a single
connection refuses use from two threads at once. So a process holds one
:class:`Store`, every read takes its own cursor (``con.cursor()``) and fetches fully,
and every change goes through :meth:`Store.write`, which checks the actor's role,
serialises writers with a lock and wraps the change in one transaction.

Why one module of about 800 lines: half of it is :data:`MIGRATIONS`, the schema's history,
which must stay in one ordered list; the rest is the class whose one lock and one connection
every read and write shares. Splitting the migrations out would be the next step if it grows.

The store imports nothing of ``metrics`` but :mod:`metrics.model` and :mod:`metrics.audit`:
seeding, which validates like an import, lives above it in :mod:`metrics.seed` and is handed
to :meth:`Store.open` as a function.

Example::

    store = Store.open("data/malspor.duckdb", seed=seed)   # created (and seeded by metrics.seed) on first use
    store.query_df("SELECT count(*) AS n FROM observations")
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from metrics import audit
from metrics.model import Actor, DatabaseLocked, MalsporError, PermissionDenied

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SEED_USER = "seed"

#: Versioned migrations, applied in order on open. Never edit a released one: add a new one.
MIGRATIONS: list[tuple[int, str, list[Any]]] = [
    (
        1,
        "themes, focus areas, targets, observations, history, batches, initiatives",
        [
            """CREATE TABLE themes (
                theme_id VARCHAR PRIMARY KEY CHECK (regexp_full_match(theme_id, '[a-z0-9_]+')),
                sort_order INTEGER NOT NULL,
                name_da VARCHAR NOT NULL CHECK (length(trim(name_da)) > 0),
                name_en VARCHAR NOT NULL CHECK (length(trim(name_en)) > 0)
            )""",
            """CREATE TABLE focus_areas (
                focus_area_id VARCHAR PRIMARY KEY CHECK (regexp_full_match(focus_area_id, '[a-z0-9_]+')),
                theme_id VARCHAR NOT NULL REFERENCES themes (theme_id),
                sort_order INTEGER NOT NULL,
                name_da VARCHAR NOT NULL CHECK (length(trim(name_da)) > 0),
                name_en VARCHAR NOT NULL CHECK (length(trim(name_en)) > 0)
            )""",
            """CREATE TABLE target_definitions (
                target_id VARCHAR PRIMARY KEY CHECK (regexp_full_match(target_id, '[a-z][a-z0-9_]*')),
                sort_order INTEGER NOT NULL DEFAULT 0,
                name_da VARCHAR NOT NULL CHECK (length(trim(name_da)) > 0),
                name_en VARCHAR NOT NULL CHECK (length(trim(name_en)) > 0),
                description_da VARCHAR,
                description_en VARCHAR,
                unit VARCHAR NOT NULL,
                unit_en VARCHAR,
                kind VARCHAR NOT NULL CHECK (kind IN ('level', 'relative', 'none')),
                geography VARCHAR NOT NULL DEFAULT 'Region Hovedstaden',
                baseline_year INTEGER NOT NULL CHECK (baseline_year BETWEEN 1900 AND 2100),
                baseline_value DOUBLE NOT NULL CHECK (isfinite(baseline_value)),
                baseline_data_class VARCHAR NOT NULL DEFAULT 'R' CHECK (baseline_data_class IN ('R', 'D', 'I')),
                target_year INTEGER CHECK (target_year BETWEEN 1900 AND 2100),
                target_value DOUBLE CHECK (isfinite(target_value)),
                direction VARCHAR NOT NULL CHECK (direction IN ('increase', 'decrease')),
                lower_bound DOUBLE,
                upper_bound DOUBLE,
                trend_window INTEGER NOT NULL DEFAULT 5 CHECK (trend_window BETWEEN 1 AND 50),
                source VARCHAR NOT NULL CHECK (length(trim(source)) > 0),
                note VARCHAR,
                CHECK (kind = 'none' OR (target_year IS NOT NULL AND target_value IS NOT NULL
                                         AND target_year > baseline_year)),
                CHECK (kind <> 'none' OR (target_year IS NULL AND target_value IS NULL)),
                CHECK (lower_bound IS NULL OR upper_bound IS NULL OR lower_bound < upper_bound),
                CHECK (lower_bound IS NULL OR baseline_value >= lower_bound),
                CHECK (upper_bound IS NULL OR baseline_value <= upper_bound)
            )""",
            # A target's place in the plan lives in its own table: DuckDB turns an UPDATE of a
            # foreign-key column into delete + insert, which a row referenced by observations
            # refuses; here the placement row is referenced by nothing and can move freely.
            """CREATE TABLE target_placement (
                target_id VARCHAR PRIMARY KEY REFERENCES target_definitions (target_id),
                focus_area_id VARCHAR NOT NULL REFERENCES focus_areas (focus_area_id)
            )""",
            """CREATE VIEW targets AS
               SELECT d.target_id, p.focus_area_id, d.* EXCLUDE (target_id)
               FROM target_definitions d JOIN target_placement p USING (target_id)""",
            "CREATE SEQUENCE batch_id_seq START 1",
            """CREATE TABLE import_batches (
                batch_id INTEGER PRIMARY KEY DEFAULT nextval('batch_id_seq'),
                file_name VARCHAR NOT NULL,
                sha256 VARCHAR NOT NULL CHECK (regexp_full_match(sha256, '[0-9a-f]{64}')),
                user_name VARCHAR NOT NULL,
                created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
                n_added INTEGER NOT NULL DEFAULT 0 CHECK (n_added >= 0),
                n_revised INTEGER NOT NULL DEFAULT 0 CHECK (n_revised >= 0),
                n_unchanged INTEGER NOT NULL DEFAULT 0 CHECK (n_unchanged >= 0),
                n_skipped INTEGER NOT NULL DEFAULT 0 CHECK (n_skipped >= 0),
                state VARCHAR NOT NULL DEFAULT 'committed' CHECK (state IN ('committed', 'undone')),
                undone_at TIMESTAMP,
                undone_by VARCHAR,
                CHECK ((state = 'undone') = (undone_at IS NOT NULL))
            )""",
            """CREATE TABLE observations (
                target_id VARCHAR NOT NULL REFERENCES target_definitions (target_id),
                geography VARCHAR NOT NULL DEFAULT 'Region Hovedstaden' CHECK (length(trim(geography)) > 0),
                year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2100),
                value DOUBLE NOT NULL CHECK (isfinite(value)),
                data_class VARCHAR NOT NULL DEFAULT 'R' CHECK (data_class IN ('R', 'D', 'I')),
                source VARCHAR NOT NULL CHECK (length(trim(source)) > 0),
                note VARCHAR,
                series_break BOOLEAN NOT NULL DEFAULT false,
                batch_id INTEGER NOT NULL REFERENCES import_batches (batch_id),
                PRIMARY KEY (target_id, geography, year)
            )""",
            "CREATE SEQUENCE history_id_seq START 1",
            """CREATE TABLE observation_history (
                history_id BIGINT PRIMARY KEY DEFAULT nextval('history_id_seq'),
                target_id VARCHAR NOT NULL,
                geography VARCHAR NOT NULL,
                year INTEGER NOT NULL,
                value DOUBLE NOT NULL,
                data_class VARCHAR NOT NULL,
                source VARCHAR NOT NULL,
                note VARCHAR,
                series_break BOOLEAN NOT NULL,
                batch_id INTEGER NOT NULL REFERENCES import_batches (batch_id),
                superseded_by INTEGER NOT NULL REFERENCES import_batches (batch_id),
                reason VARCHAR NOT NULL CHECK (reason IN ('revised', 'undone')),
                superseded_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
            )""",
            "CREATE SEQUENCE initiative_id_seq START 1000",
            """CREATE TABLE initiatives (
                initiative_id INTEGER PRIMARY KEY DEFAULT nextval('initiative_id_seq'),
                focus_area_id VARCHAR NOT NULL REFERENCES focus_areas (focus_area_id),
                name_da VARCHAR NOT NULL CHECK (length(trim(name_da)) > 0),
                name_en VARCHAR,
                funding_dkk DOUBLE CHECK (funding_dkk IS NULL OR funding_dkk >= 0),
                year INTEGER CHECK (year BETWEEN 1900 AND 2100),
                source VARCHAR,
                note VARCHAR
            )""",
        ],
    ),
    (
        2,
        "commentary: analysts' status text per target or focus area and year, every version kept",
        [
            "CREATE SEQUENCE commentary_id_seq START 1",
            # Append-only: saving adds a version, the newest per (subject, year, language) is current,
            # and an empty text withdraws the commentary. So the table is its own history.
            """CREATE TABLE commentary (
                commentary_id BIGINT PRIMARY KEY DEFAULT nextval('commentary_id_seq'),
                target_id VARCHAR REFERENCES target_definitions (target_id),
                focus_area_id VARCHAR REFERENCES focus_areas (focus_area_id),
                year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2100),
                lang VARCHAR NOT NULL DEFAULT 'da' CHECK (lang IN ('da', 'en')),
                text VARCHAR NOT NULL CHECK (length(text) <= 4000),
                author VARCHAR NOT NULL CHECK (length(trim(author)) > 0),
                created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
                CHECK ((target_id IS NULL) <> (focus_area_id IS NULL))
            )""",
        ],
    ),
    (
        3,
        "sign-in and audit: local accounts, role mappings for signed-in users, the audit trail",
        [
            """CREATE TABLE local_users (
                user_name VARCHAR PRIMARY KEY CHECK (regexp_full_match(user_name, '[A-Za-z0-9._@-]{2,64}')),
                role VARCHAR NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
                password_hash VARCHAR NOT NULL CHECK (starts_with(password_hash, 'scrypt$')),
                failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
                locked_until TIMESTAMP,
                created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
            )""",
            """CREATE TABLE role_mappings (
                pattern VARCHAR PRIMARY KEY CHECK (pattern = lower(pattern) AND contains(pattern, '@')),
                role VARCHAR NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
                updated_by VARCHAR NOT NULL,
                updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
            )""",
            "CREATE SEQUENCE audit_id_seq START 1",
            """CREATE TABLE audit_log (
                audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
                changed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
                user_name VARCHAR NOT NULL,
                role VARCHAR NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
                via VARCHAR NOT NULL CHECK (via IN ('dashboard', 'cli', 'system')),
                action VARCHAR NOT NULL,
                object_type VARCHAR NOT NULL,
                object_id VARCHAR,
                before VARCHAR,
                after VARCHAR,
                detail VARCHAR
            )""",
        ],
    ),
    (
        4,
        "observations without indexes: imports at the speed of a plain load; keys kept by the write path",
        # DuckDB keeps an ART index for a primary key and for each foreign key and maintains all
        # three on every insert: a million-row import spent 3.6x the time of a bare read_csv in
        # them alone. The table keeps its NOT NULL and CHECK constraints. The key (target,
        # geography, year) stays unique and every target and batch exists because the one write
        # path makes it so: an import is planned against the stored rows under the writer lock,
        # undo is refused under a later batch, restore verifies; Store.integrity_problems()
        # checks it (after every restore and in the tests). "Not blank" is tested without trim()
        # when the text starts with a visible character: trimming every source cost 0.2 s a
        # million rows.
        [
            """CREATE TABLE observations_v4 (
                target_id VARCHAR NOT NULL,
                geography VARCHAR NOT NULL DEFAULT 'Region Hovedstaden'
                    CHECK (CASE WHEN ascii(geography) NOT IN (0, 32) THEN true ELSE length(trim(geography)) > 0 END),
                year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2100),
                value DOUBLE NOT NULL CHECK (isfinite(value)),
                data_class VARCHAR NOT NULL DEFAULT 'R' CHECK (data_class IN ('R', 'D', 'I')),
                source VARCHAR NOT NULL
                    CHECK (CASE WHEN ascii(source) NOT IN (0, 32) THEN true ELSE length(trim(source)) > 0 END),
                note VARCHAR,
                series_break BOOLEAN NOT NULL DEFAULT false,
                batch_id INTEGER NOT NULL
            )""",
            """INSERT INTO observations_v4 SELECT target_id, geography, year, value, data_class, source, note,
                   series_break, batch_id FROM observations ORDER BY target_id, geography, year""",
            "DROP TABLE observations",
            "ALTER TABLE observations_v4 RENAME TO observations",
        ],
    ),
    (
        5,
        "method v2: update interval, publication lag and short names of targets; notes in Danish and English",
        # DuckDB refuses ALTER TABLE (NOT NULL or CHECK columns, a rename, a drop) on a table another
        # one references, so target_definitions is rebuilt, with its dependants (target_placement,
        # commentary, the targets view) dropped and made again around it; their rows are kept in
        # temporary copies. observations (no index since migration 4), observation_history and
        # initiatives are rebuilt the same way so that note_da, note_en stand where note stood.
        # Today's notes are English: they become note_en; note_da starts empty.
        [
            """CREATE TABLE target_definitions_v5 (
                target_id VARCHAR PRIMARY KEY CHECK (regexp_full_match(target_id, '[a-z][a-z0-9_]*')),
                sort_order INTEGER NOT NULL DEFAULT 0,
                name_da VARCHAR NOT NULL CHECK (length(trim(name_da)) > 0),
                name_en VARCHAR NOT NULL CHECK (length(trim(name_en)) > 0),
                short_name_da VARCHAR,
                short_name_en VARCHAR,
                description_da VARCHAR,
                description_en VARCHAR,
                unit VARCHAR NOT NULL,
                unit_en VARCHAR,
                kind VARCHAR NOT NULL CHECK (kind IN ('level', 'relative', 'none')),
                geography VARCHAR NOT NULL DEFAULT 'Region Hovedstaden',
                baseline_year INTEGER NOT NULL CHECK (baseline_year BETWEEN 1900 AND 2100),
                baseline_value DOUBLE NOT NULL CHECK (isfinite(baseline_value)),
                baseline_data_class VARCHAR NOT NULL DEFAULT 'R' CHECK (baseline_data_class IN ('R', 'D', 'I')),
                target_year INTEGER CHECK (target_year BETWEEN 1900 AND 2100),
                target_value DOUBLE CHECK (isfinite(target_value)),
                direction VARCHAR NOT NULL CHECK (direction IN ('increase', 'decrease')),
                lower_bound DOUBLE,
                upper_bound DOUBLE,
                trend_window INTEGER NOT NULL DEFAULT 5 CHECK (trend_window BETWEEN 1 AND 50),
                update_interval INTEGER NOT NULL DEFAULT 1 CHECK (update_interval >= 1),
                publication_lag INTEGER NOT NULL DEFAULT 1 CHECK (publication_lag >= 0),
                source VARCHAR NOT NULL CHECK (length(trim(source)) > 0),
                note_da VARCHAR,
                note_en VARCHAR,
                CHECK (kind = 'none' OR (target_year IS NOT NULL AND target_value IS NOT NULL
                                         AND target_year > baseline_year)),
                CHECK (kind <> 'none' OR (target_year IS NULL AND target_value IS NULL)),
                CHECK (lower_bound IS NULL OR upper_bound IS NULL OR lower_bound < upper_bound),
                CHECK (lower_bound IS NULL OR baseline_value >= lower_bound),
                CHECK (upper_bound IS NULL OR baseline_value <= upper_bound)
            )""",
            """INSERT INTO target_definitions_v5 BY NAME
               SELECT * EXCLUDE (note), note AS note_en FROM target_definitions""",
            "CREATE TEMPORARY TABLE placement_v5 AS SELECT * FROM target_placement",
            "CREATE TEMPORARY TABLE commentary_v5 AS SELECT * FROM commentary",
            "DROP VIEW targets",
            "DROP TABLE commentary",
            "DROP TABLE target_placement",
            "DROP TABLE target_definitions",
            "ALTER TABLE target_definitions_v5 RENAME TO target_definitions",
            """CREATE TABLE target_placement (
                target_id VARCHAR PRIMARY KEY REFERENCES target_definitions (target_id),
                focus_area_id VARCHAR NOT NULL REFERENCES focus_areas (focus_area_id)
            )""",
            "INSERT INTO target_placement BY NAME SELECT * FROM placement_v5",
            """CREATE TABLE commentary (
                commentary_id BIGINT PRIMARY KEY DEFAULT nextval('commentary_id_seq'),
                target_id VARCHAR REFERENCES target_definitions (target_id),
                focus_area_id VARCHAR REFERENCES focus_areas (focus_area_id),
                year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2100),
                lang VARCHAR NOT NULL DEFAULT 'da' CHECK (lang IN ('da', 'en')),
                text VARCHAR NOT NULL CHECK (length(text) <= 4000),
                author VARCHAR NOT NULL CHECK (length(trim(author)) > 0),
                created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
                CHECK ((target_id IS NULL) <> (focus_area_id IS NULL))
            )""",
            "INSERT INTO commentary BY NAME SELECT * FROM commentary_v5",
            "DROP TABLE placement_v5",
            "DROP TABLE commentary_v5",
            """CREATE VIEW targets AS
               SELECT d.target_id, p.focus_area_id, d.* EXCLUDE (target_id)
               FROM target_definitions d JOIN target_placement p USING (target_id)""",
            """CREATE TABLE observations_v5 (
                target_id VARCHAR NOT NULL,
                geography VARCHAR NOT NULL DEFAULT 'Region Hovedstaden'
                    CHECK (CASE WHEN ascii(geography) NOT IN (0, 32) THEN true ELSE length(trim(geography)) > 0 END),
                year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2100),
                value DOUBLE NOT NULL CHECK (isfinite(value)),
                data_class VARCHAR NOT NULL DEFAULT 'R' CHECK (data_class IN ('R', 'D', 'I')),
                source VARCHAR NOT NULL
                    CHECK (CASE WHEN ascii(source) NOT IN (0, 32) THEN true ELSE length(trim(source)) > 0 END),
                note_da VARCHAR,
                note_en VARCHAR,
                series_break BOOLEAN NOT NULL DEFAULT false,
                batch_id INTEGER NOT NULL
            )""",
            """INSERT INTO observations_v5 SELECT target_id, geography, year, value, data_class, source, NULL, note,
                   series_break, batch_id FROM observations ORDER BY target_id, geography, year""",
            "DROP TABLE observations",
            "ALTER TABLE observations_v5 RENAME TO observations",
            """CREATE TABLE observation_history_v5 (
                history_id BIGINT PRIMARY KEY DEFAULT nextval('history_id_seq'),
                target_id VARCHAR NOT NULL,
                geography VARCHAR NOT NULL,
                year INTEGER NOT NULL,
                value DOUBLE NOT NULL,
                data_class VARCHAR NOT NULL,
                source VARCHAR NOT NULL,
                note_da VARCHAR,
                note_en VARCHAR,
                series_break BOOLEAN NOT NULL,
                batch_id INTEGER NOT NULL REFERENCES import_batches (batch_id),
                superseded_by INTEGER NOT NULL REFERENCES import_batches (batch_id),
                reason VARCHAR NOT NULL CHECK (reason IN ('revised', 'undone')),
                superseded_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
            )""",
            """INSERT INTO observation_history_v5 BY NAME
               SELECT * EXCLUDE (note), note AS note_en FROM observation_history ORDER BY history_id""",
            "DROP TABLE observation_history",
            "ALTER TABLE observation_history_v5 RENAME TO observation_history",
            """CREATE TABLE initiatives_v5 (
                initiative_id INTEGER PRIMARY KEY DEFAULT nextval('initiative_id_seq'),
                focus_area_id VARCHAR NOT NULL REFERENCES focus_areas (focus_area_id),
                name_da VARCHAR NOT NULL CHECK (length(trim(name_da)) > 0),
                name_en VARCHAR,
                funding_dkk DOUBLE CHECK (funding_dkk IS NULL OR funding_dkk >= 0),
                year INTEGER CHECK (year BETWEEN 1900 AND 2100),
                source VARCHAR,
                note_da VARCHAR,
                note_en VARCHAR
            )""",
            """INSERT INTO initiatives_v5 BY NAME
               SELECT * EXCLUDE (note), note AS note_en FROM initiatives ORDER BY initiative_id""",
            "DROP TABLE initiatives",
            "ALTER TABLE initiatives_v5 RENAME TO initiatives",
        ],
    ),
    (
        6,
        "sessions that follow the account: user names unique without regard to case; revocable sign-in sessions",
        # admin, Admin and ADMIN were three accounts. The oldest of each such group keeps its name; the
        # others are renamed '<name>.dup2', '.dup3', ... (kept, not dropped: an administrator removes
        # them; the table is rebuilt, as DuckDB cannot index rows renamed in the same transaction), and a unique index on lower(user_name) refuses a new one. A sign-in session is a random
        # token kept in the browser; only its SHA-256 is stored, with the account's stamp (a hash of
        # name, role and password hash: a role or password change ends the session) and an expiry.
        # Sessions are not part of a backup (not in TABLES): a restore never brings one back.
        [
            """CREATE TABLE local_users_v6 (
                user_name VARCHAR PRIMARY KEY CHECK (regexp_full_match(user_name, '[A-Za-z0-9._@-]{2,64}')),
                role VARCHAR NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
                password_hash VARCHAR NOT NULL CHECK (starts_with(password_hash, 'scrypt$')),
                failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
                locked_until TIMESTAMP,
                created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
            )""",
            """INSERT INTO local_users_v6
               SELECT CASE WHEN rn = 1 THEN user_name ELSE left(user_name, 58) || '.dup' || CAST(rn AS VARCHAR) END,
                      role, password_hash, failed_attempts, locked_until, created_at
               FROM (SELECT *, row_number() OVER (PARTITION BY lower(user_name) ORDER BY created_at, user_name) AS rn
                     FROM local_users)
               ORDER BY created_at, user_name""",
            "DROP TABLE local_users",
            "ALTER TABLE local_users_v6 RENAME TO local_users",
            "CREATE UNIQUE INDEX local_users_name_ci ON local_users ((lower(user_name)))",
            """CREATE TABLE sessions (
                token_hash VARCHAR PRIMARY KEY CHECK (regexp_full_match(token_hash, '[0-9a-f]{64}')),
                user_name VARCHAR NOT NULL,
                account_stamp VARCHAR NOT NULL CHECK (regexp_full_match(account_stamp, '[0-9a-f]{64}')),
                created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
                expires_at TIMESTAMP NOT NULL,
                CHECK (expires_at > created_at)
            )""",
        ],
    ),
    (
        7,
        "audit trail as a hash chain: each row's hash covers its content and the previous row's hash",
        # audit_log is referenced by nothing, so columns can be added in place. The existing rows are
        # chained in audit_id order by Python (a step may be a callable taking the cursor): SQL has no
        # running hash. `python -m metrics audit --verify` recomputes the chain (metrics.audit.verify).
        [
            "ALTER TABLE audit_log ADD COLUMN prev_hash VARCHAR",
            "ALTER TABLE audit_log ADD COLUMN row_hash VARCHAR",
            lambda cur: audit.chain_existing(cur),
        ],
    ),
    (
        8,
        "pending uploads: a previewed file waits in the database for its confirmation",
        # An analyst's previewed upload is kept here, not only in the serving process's memory, so
        # that the step can be finished after a reload, and, with PostgreSQL and several dashboard
        # processes, by whichever process the browser reaches next (metrics.pg_store). Not data:
        # written outside the audited write path, never part of a backup, dropped after a day.
        [
            """CREATE TABLE pending_uploads (
                upload_id VARCHAR PRIMARY KEY CHECK (regexp_full_match(upload_id, '[0-9a-f]{32}')),
                owner VARCHAR NOT NULL,
                file_name VARCHAR NOT NULL,
                content BLOB NOT NULL,
                created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
            )""",
        ],
    ),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]

#: Tables in dependency order (parents first); used for checksums, backup and export.
TABLES = (
    "themes",
    "focus_areas",
    "target_definitions",
    "target_placement",
    "import_batches",
    "observations",
    "observation_history",
    "initiatives",
    "commentary",
    "local_users",
    "role_mappings",
    "audit_log",
)

#: How long a previewed upload waits for its confirmation (:meth:`Store.stash_upload`).
UPLOAD_TTL = dt.timedelta(hours=24)
#: A waiting upload's id (``secrets.token_hex(16)``); anything else is no upload, unasked.
UPLOAD_ID_RE = re.compile(r"[0-9a-f]{32}")

_LOCK_RE = re.compile(r"Conflicting lock is held in (?P<exe>.+?) \(PID (?P<pid>\d+)\)")


def is_server_url(target: object) -> bool:
    """True for a PostgreSQL connection string (``postgresql://...``), which selects the shared store."""
    return isinstance(target, str) and target.split("://", 1)[0].lower() in ("postgresql", "postgres")


def default_db_path() -> Path | str:
    """The database: ``$MALSPOR_DB`` if set (a file, or a ``postgresql://`` URL), else ``data/malspor.duckdb``."""
    env = os.environ.get("MALSPOR_DB")
    if env and is_server_url(env):
        return env
    return Path(env) if env else DATA_DIR / "malspor.duckdb"


def _describe_lock(message: str, path: Path) -> DatabaseLocked:
    """Turn DuckDB's lock error into a message a user can act on: which process holds the file."""
    match = _LOCK_RE.search(message)
    if not match:
        return DatabaseLocked("db_locked_unknown", path=path)
    pid = match.group("pid")
    cmd = ""
    with contextlib.suppress(OSError):
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        cmd = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    return DatabaseLocked("db_locked", path=path, pid=pid, program=cmd or match.group("exe"))


def _disk_full(message: str) -> bool:
    return "No space left on device" in message or "ENOSPC" in message or "disk is full" in message.lower()


#: Below this much free space a failed write is taken to be a full disk (DuckDB's own message may not say so).
LOW_DISK_BYTES = 4 << 20


def low_disk(path: Path | str) -> bool:
    """True when the disk holding ``path`` (or its nearest existing folder) has almost no space left."""
    import shutil

    folder = Path(path).resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free < LOW_DISK_BYTES
    except OSError:
        return False


def _folder(path: Path) -> Path:
    return path.resolve().parent if path.name != ":memory:" else Path.cwd()


def _os_error(exc: OSError, path: Path) -> MalsporError:
    """An operating-system error while opening or making a database, in words a user can act on."""
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return MalsporError("disk_full", path=path, folder=_folder(path))
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return MalsporError("db_no_permission", path=path)
    return MalsporError("db_open_failed", path=path, reason=exc.strerror or exc)


def _remove_new_database(path: Path) -> None:
    """Remove what a failed first open left behind (a 0-byte file nothing opens, its WAL)."""
    if path.name == ":memory:":
        return
    for leftover in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(OSError):
            leftover.unlink()


class Store:
    """One open DuckDB database: migrations, reads and the write path."""

    #: Which kind of store this is; :class:`metrics.pg_store.PgStore` says "postgresql".
    backend = "duckdb"

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path not in (None, "") else Path(default_db_path())
        self.read_only = read_only
        self._write_lock = threading.RLock()
        #: Bumped after every committed write: the dashboard keys its caches on it. Only one
        #: process can open the file for writing, so this process sees every change.
        self.generation = 0
        if self.path.name != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise _describe_lock(str(exc), self.path) from None
            if "not a valid DuckDB database file" in str(exc):
                raise MalsporError("db_not_duckdb", path=self.path) from None
            if _disk_full(str(exc)):
                raise MalsporError("disk_full", path=self.path, folder=_folder(self.path)) from None
            raise MalsporError("db_open_failed", path=self.path, reason=exc) from None

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(
        cls,
        path: Path | str | None = None,
        *,
        seed: Callable[[Store], object] | None = None,
        read_only: bool = False,
        create: bool = True,
    ) -> Store:
        """Open a Målspor database, apply migrations, and (``create=True``) create a new one.

        ``seed`` (normally :func:`metrics.seed.seed`; None makes an empty database) fills a database
        only when this call created its schema, so a database made with ``init --empty`` stays empty
        and a reopened one is not seeded twice. It runs here rather than in the caller so that a
        seed that fails (a full disk) removes the half-made file like any other failure of creating
        it. With ``create=False`` (every command but ``init`` and ``restore``) a path that does not
        exist is refused and nothing is made. A file that is not a Målspor database (another
        program's DuckDB file, a text file) is always refused, before anything is written into it.
        If the disk fills while a new database is made, the half-made file is removed and the
        message says what to free.
        """
        chosen = path if path not in (None, "") else default_db_path()
        if is_server_url(chosen):  # metrics.database.open_store opens the shared PostgreSQL store
            raise MalsporError("db_url_needs_server_store", path=chosen)
        target = Path(chosen)
        memory = target.name == ":memory:"
        existed = memory or target.exists()
        if not existed and (not create or read_only):
            raise MalsporError("db_missing", path=target)
        if existed and not memory and target.is_dir():
            raise MalsporError("db_is_folder", path=target)
        try:
            store = cls(target, read_only=read_only)
        except MalsporError:
            if not existed:
                _remove_new_database(target)
            raise
        except OSError as exc:
            if not existed:
                _remove_new_database(target)
            raise _os_error(exc, target) from None
        try:
            store._check_is_malspor(allow_new=create and not read_only)
            if read_only:
                return store
            created = store.migrate()
            if created and seed:  # ``seed=False`` (as older callers write it) is no seed, like None
                seed(store)
        except BaseException as exc:
            store.close()
            if not existed:
                _remove_new_database(target)
            if isinstance(exc, OSError):
                raise _os_error(exc, target) from None
            if isinstance(exc, duckdb.Error) and (_disk_full(str(exc)) or low_disk(target)):
                raise MalsporError("disk_full", path=target, folder=_folder(target)) from None
            raise
        return store

    def _check_is_malspor(self, *, allow_new: bool) -> None:
        """Refuse, before any write, a database that another program made (or an empty one unless new)."""
        with self.read() as cur:
            tables = [r[0] for r in cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()"
                " ORDER BY 1").fetchall()]
            if not tables:
                if allow_new:
                    return
                raise MalsporError("db_not_malspor_empty", path=self.path)
            if "schema_version" not in tables:
                raise MalsporError("db_not_malspor", path=self.path, tables=", ".join(tables[:8]))
            cols = {r[0] for r in cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'schema_version'"
                " AND table_catalog = current_database()").fetchall()}
            first = None
            if {"version", "description"} <= cols:
                rows = cur.execute("SELECT description FROM schema_version WHERE version = 1").fetchall()
                first = rows[0][0] if rows else None
            if first != MIGRATIONS[0][1]:
                raise MalsporError("db_not_malspor", path=self.path, tables=", ".join(tables[:8]))

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        """The highest applied migration, 0 for a database without schema."""
        with self.read() as cur:
            exists = cur.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
            ).fetchall()[0][0]
            if not exists:
                return 0
            return cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]

    def migrate(self) -> bool:
        """Apply pending migrations, each in one transaction. True if the schema was created now."""
        with self._write_lock:
            current = self.schema_version()
            if current > SCHEMA_VERSION:
                raise MalsporError("db_schema_newer", path=self.path, version=current, supported=SCHEMA_VERSION)
            cur = self._con.cursor()
            try:
                for version, description, statements in MIGRATIONS:
                    if version <= current:
                        continue
                    cur.execute("BEGIN TRANSACTION")
                    try:
                        cur.execute(
                            "CREATE TABLE IF NOT EXISTS schema_version ("
                            " version INTEGER PRIMARY KEY, description VARCHAR NOT NULL,"
                            " applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())"
                        )
                        for statement in statements:
                            statement(cur) if callable(statement) else cur.execute(statement)
                        cur.execute(
                            "INSERT INTO schema_version (version, description) VALUES (?, ?)",
                            [version, description],
                        )
                        cur.execute("COMMIT")
                    except BaseException:
                        with contextlib.suppress(duckdb.Error):  # keep the first error (a full disk), not this one
                            cur.execute("ROLLBACK")
                        raise
            finally:
                cur.close()
            return current == 0

    def is_empty(self) -> bool:
        """True when the database holds no targets."""
        return self.scalar("SELECT count(*) FROM targets") == 0

    # ------------------------------------------------------------------ reads
    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for this thread; fetch results fully inside the block."""
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def query_df(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """Run a read query with bound parameters and return a DataFrame."""
        with self.read() as cur:
            return cur.execute(sql, params or []).df()

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        with self.read() as cur:
            rows = cur.execute(sql, params or []).fetchall()
            return rows[0][0] if rows else None

    def themes(self) -> pd.DataFrame:
        return self.query_df("SELECT * FROM themes ORDER BY sort_order, theme_id")

    def focus_areas(self) -> pd.DataFrame:
        return self.query_df(
            "SELECT f.*, t.sort_order AS theme_order FROM focus_areas f JOIN themes t USING (theme_id)"
            " ORDER BY t.sort_order, f.sort_order, f.focus_area_id"
        )

    def targets(self) -> pd.DataFrame:
        """Every target with its theme and focus area, in the plan's order."""
        return self.query_df(
            """SELECT tg.*, f.theme_id, f.name_da AS focus_area_da, f.name_en AS focus_area_en,
                      th.name_da AS theme_da, th.name_en AS theme_en
               FROM targets tg JOIN focus_areas f USING (focus_area_id) JOIN themes th USING (theme_id)
               ORDER BY th.sort_order, f.sort_order, tg.sort_order, tg.target_id"""
        )

    def observations(self, target_id: str | None = None, geography: str | None = None) -> pd.DataFrame:
        """Observations, optionally of one target and geography, ordered by year."""
        return self.query_df(
            """SELECT * FROM observations
               WHERE ($target::VARCHAR IS NULL OR target_id = $target) AND ($geo::VARCHAR IS NULL OR geography = $geo)
               ORDER BY target_id, geography, year""",
            {"target": target_id, "geo": geography},
        )

    def initiatives(self, focus_area_id: str | None = None) -> pd.DataFrame:
        return self.query_df(
            """SELECT * FROM initiatives WHERE ($fa::VARCHAR IS NULL OR focus_area_id = $fa)
               ORDER BY focus_area_id, year NULLS LAST, initiative_id""",
            {"fa": focus_area_id},
        )

    def batches(self) -> pd.DataFrame:
        return self.query_df("SELECT * FROM import_batches ORDER BY batch_id DESC")

    def geographies(self) -> list[str]:
        df = self.query_df(
            "SELECT geography FROM observations UNION SELECT geography FROM target_definitions ORDER BY 1"
        )
        return df["geography"].tolist()

    def checksum(self) -> dict[str, str]:
        """A content hash per table: tests use it to prove a rejected change wrote nothing."""
        sums: dict[str, str] = {}
        with self.read() as cur:
            for table in (*TABLES, "schema_version"):
                rows = cur.execute("SELECT * FROM " + table + " ORDER BY ALL").fetchall()
                sums[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return sums

    def integrity_problems(self, cur: duckdb.DuckDBPyConnection | None = None) -> list[str]:
        """What breaks the observations' keys, in words; ``[]`` when the data are sound.

        The observations table has no index (migration 4), so its key and references are
        kept by the write path; this checks them: one row per target, geography and year,
        and every target and batch known. Pass the write cursor to check inside a change.
        """
        if cur is None:
            with self.read() as own:
                return self.integrity_problems(own)
        problems = []
        duplicates = cur.execute(
            "SELECT target_id, geography, year, count(*) FROM observations GROUP BY ALL HAVING count(*) > 1"
            " ORDER BY ALL LIMIT 5"
        ).fetchall()
        problems += [f"observations: {n} rows for {t}, {g}, {y}" for t, g, y, n in duplicates]
        orphans = cur.execute(
            "SELECT DISTINCT target_id FROM observations ANTI JOIN target_definitions USING (target_id)"
            " ORDER BY 1 LIMIT 5"
        ).fetchall()
        problems += [f"observations: unknown target {t}" for (t,) in orphans]
        batches = cur.execute(
            "SELECT DISTINCT batch_id FROM observations ANTI JOIN import_batches USING (batch_id) ORDER BY 1 LIMIT 5"
        ).fetchall()
        problems += [f"observations: unknown batch {b}" for (b,) in batches]
        return problems

    # ------------------------------------------------------------------ uploads waiting for confirmation
    def stash_upload(self, owner: str, file_name: str, content: bytes) -> str:
        """Keep a previewed upload until its owner confirms or drops it; returns its id.

        Not a change of data (nothing is audited or shown to others), so it bypasses
        :meth:`write`; the caller has checked that ``owner`` may import. Uploads older than
        :data:`UPLOAD_TTL` are removed on the way.
        """
        if self.read_only:
            raise MalsporError("db_read_only", path=self.path)
        upload_id = secrets.token_hex(16)
        with self._write_lock, self.read() as cur:
            cur.execute("DELETE FROM pending_uploads WHERE created_at < current_localtimestamp() - ?",
                        [UPLOAD_TTL])
            cur.execute("INSERT INTO pending_uploads (upload_id, owner, file_name, content) VALUES (?, ?, ?, ?)",
                        [upload_id, owner, file_name, content])
        return upload_id

    def stashed_upload(self, upload_id: str, owner: str) -> tuple[str, bytes] | None:
        """``(file name, bytes)`` of ``owner``'s waiting upload, or None (unknown, another's, expired)."""
        if not UPLOAD_ID_RE.fullmatch(upload_id or ""):
            return None
        with self.read() as cur:
            rows = cur.execute(
                "SELECT file_name, content FROM pending_uploads WHERE upload_id = ? AND lower(owner) = lower(?)"
                " AND created_at >= current_localtimestamp() - ?", [upload_id, owner, UPLOAD_TTL]).fetchall()
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    def drop_upload(self, upload_id: str) -> None:
        """Forget a waiting upload (confirmed or dropped); an unknown id is no error."""
        if self.read_only:
            return
        with self._write_lock, self.read() as cur:
            cur.execute("DELETE FROM pending_uploads WHERE upload_id = ?", [upload_id])

    # ------------------------------------------------------------------ the write path
    @contextlib.contextmanager
    def write(self, actor: Actor, action: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """The only way to change data: role check, writer lock, one transaction, an audit row.

        Raises :class:`PermissionDenied` before touching anything when ``actor`` may not
        perform ``action``. The block must call :func:`metrics.audit.record` at least once,
        or the change is refused; any exception inside the block rolls the whole change back.
        """
        if not actor.may(action):
            raise PermissionDenied(actor=actor, action=action)
        if self.read_only:
            raise MalsporError("db_read_only", path=self.path)
        with self._write_lock:
            cur = self._con.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                try:
                    before = audit.last_id(cur)
                    yield cur
                    if audit.last_id(cur) <= before:
                        raise MalsporError("audit_missing", action=action)
                    cur.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(duckdb.Error):  # keep the first error (a full disk), not this one
                        cur.execute("ROLLBACK")
                    raise
                self.generation += 1
            finally:
                cur.close()
