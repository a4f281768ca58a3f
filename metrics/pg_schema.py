"""The PostgreSQL schema: the same tables, keys and rules as the embedded DuckDB file.

Why a second schema: PostgreSQL holds what is written when several processes share the data
(:mod:`metrics.pg_store`); each process reads through an in-memory DuckDB copy made by the
DuckDB migrations of :mod:`metrics.store`. The two must agree column for column (a test compares
them), so a new migration is added to both lists with the same version and description.

What differs, and why:

* **A PostgreSQL database starts at the current version.** There is no old PostgreSQL data to
  carry forward, so migration 7 creates the schema as DuckDB has it after migrations 1-7 and
  records all seven versions in ``schema_version`` with DuckDB's descriptions.
* **The observations key is a real index** (primary key and foreign keys), which DuckDB gave up
  for speed in migration 4. Foreign keys are ``DEFERRABLE INITIALLY DEFERRED``: a change arrives
  as a set of deleted and inserted rows, and is checked as a whole when it commits.
* **Sequences are numbered by the DuckDB copy** (its ``DEFAULT nextval(...)``), so ids arrive as
  plain values; ``malspor_sequences`` keeps each sequence's last value, so every process's copy
  continues from it, and ``malspor_state`` holds the data version every write bumps.
* **``pending_uploads``** keeps an upload that is waiting for its confirmation, so that any
  replica can finish it (the embedded file has the same table from migration 8). It is read and
  written in PostgreSQL directly, never copied into a process.
* DuckDB's ``regexp_full_match``, ``isfinite``, ``starts_with`` and ``contains`` are written
  with PostgreSQL's ``~``, comparisons with ``'NaN'``/``'Infinity'``, ``LIKE`` and ``strpos``.
"""

from __future__ import annotations

from typing import Any

_FK = "DEFERRABLE INITIALLY DEFERRED"
_FINITE = "NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)"
_ROLE = "CHECK (role IN ('viewer', 'analyst', 'admin'))"

#: The tables a process copies into DuckDB and writes back as changed rows, in dependency order,
#: with their keys. ``schema_version`` is copied but never written back (migrations write it).
KEYS: dict[str, tuple[str, ...]] = {
    "themes": ("theme_id",),
    "focus_areas": ("focus_area_id",),
    "target_definitions": ("target_id",),
    "target_placement": ("target_id",),
    "import_batches": ("batch_id",),
    "observations": ("target_id", "geography", "year"),
    "observation_history": ("history_id",),
    "initiatives": ("initiative_id",),
    "commentary": ("commentary_id",),
    "local_users": ("user_name",),
    "role_mappings": ("pattern",),
    "audit_log": ("audit_id",),
    "sessions": ("token_hash",),
}

_V7: list[str] = [
    """CREATE TABLE schema_version (
        version INTEGER PRIMARY KEY,
        description VARCHAR NOT NULL,
        applied_at TIMESTAMP NOT NULL DEFAULT localtimestamp
    )""",
    "CREATE TABLE malspor_state (id INTEGER PRIMARY KEY CHECK (id = 1), data_version BIGINT NOT NULL)",
    "INSERT INTO malspor_state VALUES (1, 1)",
    "CREATE TABLE malspor_sequences (sequence_name VARCHAR PRIMARY KEY, last_value BIGINT)",
    """CREATE TABLE themes (
        theme_id VARCHAR PRIMARY KEY CHECK (theme_id ~ '^[a-z0-9_]+$'),
        sort_order INTEGER NOT NULL,
        name_da VARCHAR NOT NULL CHECK (length(trim(name_da)) > 0),
        name_en VARCHAR NOT NULL CHECK (length(trim(name_en)) > 0)
    )""",
    f"""CREATE TABLE focus_areas (
        focus_area_id VARCHAR PRIMARY KEY CHECK (focus_area_id ~ '^[a-z0-9_]+$'),
        theme_id VARCHAR NOT NULL REFERENCES themes (theme_id) {_FK},
        sort_order INTEGER NOT NULL,
        name_da VARCHAR NOT NULL CHECK (length(trim(name_da)) > 0),
        name_en VARCHAR NOT NULL CHECK (length(trim(name_en)) > 0)
    )""",
    f"""CREATE TABLE target_definitions (
        target_id VARCHAR PRIMARY KEY CHECK (target_id ~ '^[a-z][a-z0-9_]*$'),
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
        baseline_value DOUBLE PRECISION NOT NULL CHECK (baseline_value {_FINITE}),
        baseline_data_class VARCHAR NOT NULL DEFAULT 'R' CHECK (baseline_data_class IN ('R', 'D', 'I')),
        target_year INTEGER CHECK (target_year BETWEEN 1900 AND 2100),
        target_value DOUBLE PRECISION CHECK (target_value {_FINITE}),
        direction VARCHAR NOT NULL CHECK (direction IN ('increase', 'decrease')),
        lower_bound DOUBLE PRECISION,
        upper_bound DOUBLE PRECISION,
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
    f"""CREATE TABLE target_placement (
        target_id VARCHAR PRIMARY KEY REFERENCES target_definitions (target_id) {_FK},
        focus_area_id VARCHAR NOT NULL REFERENCES focus_areas (focus_area_id) {_FK}
    )""",
    """CREATE VIEW targets AS
       SELECT d.target_id, p.focus_area_id, d.sort_order, d.name_da, d.name_en, d.short_name_da,
              d.short_name_en, d.description_da, d.description_en, d.unit, d.unit_en, d.kind, d.geography,
              d.baseline_year, d.baseline_value, d.baseline_data_class, d.target_year, d.target_value,
              d.direction, d.lower_bound, d.upper_bound, d.trend_window, d.update_interval,
              d.publication_lag, d.source, d.note_da, d.note_en
       FROM target_definitions d JOIN target_placement p USING (target_id)""",
    """CREATE TABLE import_batches (
        batch_id INTEGER PRIMARY KEY,
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        user_name VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL DEFAULT localtimestamp,
        n_added INTEGER NOT NULL DEFAULT 0 CHECK (n_added >= 0),
        n_revised INTEGER NOT NULL DEFAULT 0 CHECK (n_revised >= 0),
        n_unchanged INTEGER NOT NULL DEFAULT 0 CHECK (n_unchanged >= 0),
        n_skipped INTEGER NOT NULL DEFAULT 0 CHECK (n_skipped >= 0),
        state VARCHAR NOT NULL DEFAULT 'committed' CHECK (state IN ('committed', 'undone')),
        undone_at TIMESTAMP,
        undone_by VARCHAR,
        CHECK ((state = 'undone') = (undone_at IS NOT NULL))
    )""",
    f"""CREATE TABLE observations (
        target_id VARCHAR NOT NULL REFERENCES target_definitions (target_id) {_FK},
        geography VARCHAR NOT NULL DEFAULT 'Region Hovedstaden' CHECK (length(trim(geography)) > 0),
        year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2100),
        value DOUBLE PRECISION NOT NULL CHECK (value {_FINITE}),
        data_class VARCHAR NOT NULL DEFAULT 'R' CHECK (data_class IN ('R', 'D', 'I')),
        source VARCHAR NOT NULL CHECK (length(trim(source)) > 0),
        note_da VARCHAR,
        note_en VARCHAR,
        series_break BOOLEAN NOT NULL DEFAULT false,
        batch_id INTEGER NOT NULL REFERENCES import_batches (batch_id) {_FK},
        PRIMARY KEY (target_id, geography, year)
    )""",
    "CREATE INDEX observations_batch ON observations (batch_id)",
    f"""CREATE TABLE observation_history (
        history_id BIGINT PRIMARY KEY,
        target_id VARCHAR NOT NULL,
        geography VARCHAR NOT NULL,
        year INTEGER NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        data_class VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        note_da VARCHAR,
        note_en VARCHAR,
        series_break BOOLEAN NOT NULL,
        batch_id INTEGER NOT NULL REFERENCES import_batches (batch_id) {_FK},
        superseded_by INTEGER NOT NULL REFERENCES import_batches (batch_id) {_FK},
        reason VARCHAR NOT NULL CHECK (reason IN ('revised', 'undone')),
        superseded_at TIMESTAMP NOT NULL DEFAULT localtimestamp
    )""",
    f"""CREATE TABLE initiatives (
        initiative_id INTEGER PRIMARY KEY,
        focus_area_id VARCHAR NOT NULL REFERENCES focus_areas (focus_area_id) {_FK},
        name_da VARCHAR NOT NULL CHECK (length(trim(name_da)) > 0),
        name_en VARCHAR,
        funding_dkk DOUBLE PRECISION CHECK (funding_dkk IS NULL OR funding_dkk >= 0),
        year INTEGER CHECK (year BETWEEN 1900 AND 2100),
        source VARCHAR,
        note_da VARCHAR,
        note_en VARCHAR
    )""",
    f"""CREATE TABLE commentary (
        commentary_id BIGINT PRIMARY KEY,
        target_id VARCHAR REFERENCES target_definitions (target_id) {_FK},
        focus_area_id VARCHAR REFERENCES focus_areas (focus_area_id) {_FK},
        year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2100),
        lang VARCHAR NOT NULL DEFAULT 'da' CHECK (lang IN ('da', 'en')),
        text VARCHAR NOT NULL CHECK (length(text) <= 4000),
        author VARCHAR NOT NULL CHECK (length(trim(author)) > 0),
        created_at TIMESTAMP NOT NULL DEFAULT localtimestamp,
        CHECK ((target_id IS NULL) <> (focus_area_id IS NULL))
    )""",
    f"""CREATE TABLE local_users (
        user_name VARCHAR PRIMARY KEY CHECK (user_name ~ '^[A-Za-z0-9._@-]{{2,64}}$'),
        role VARCHAR NOT NULL {_ROLE},
        password_hash VARCHAR NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
        failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
        locked_until TIMESTAMP,
        created_at TIMESTAMP NOT NULL DEFAULT localtimestamp
    )""",
    "CREATE UNIQUE INDEX local_users_name_ci ON local_users ((lower(user_name)))",
    f"""CREATE TABLE role_mappings (
        pattern VARCHAR PRIMARY KEY CHECK (pattern = lower(pattern) AND strpos(pattern, '@') > 0),
        role VARCHAR NOT NULL {_ROLE},
        updated_by VARCHAR NOT NULL,
        updated_at TIMESTAMP NOT NULL DEFAULT localtimestamp
    )""",
    f"""CREATE TABLE audit_log (
        audit_id BIGINT PRIMARY KEY,
        changed_at TIMESTAMP NOT NULL DEFAULT localtimestamp,
        user_name VARCHAR NOT NULL,
        role VARCHAR NOT NULL {_ROLE},
        via VARCHAR NOT NULL CHECK (via IN ('dashboard', 'cli', 'system')),
        action VARCHAR NOT NULL,
        object_type VARCHAR NOT NULL,
        object_id VARCHAR,
        before VARCHAR,
        after VARCHAR,
        detail VARCHAR,
        prev_hash VARCHAR,
        row_hash VARCHAR
    )""",
    """CREATE TABLE sessions (
        token_hash VARCHAR PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        user_name VARCHAR NOT NULL,
        account_stamp VARCHAR NOT NULL CHECK (account_stamp ~ '^[0-9a-f]{64}$'),
        created_at TIMESTAMP NOT NULL DEFAULT localtimestamp,
        expires_at TIMESTAMP NOT NULL,
        CHECK (expires_at > created_at)
    )""",
]

_V8: list[str] = [
    """CREATE TABLE pending_uploads (
        upload_id VARCHAR PRIMARY KEY CHECK (upload_id ~ '^[0-9a-f]{32}$'),
        owner VARCHAR NOT NULL,
        file_name VARCHAR NOT NULL,
        content BYTEA NOT NULL,
        created_at TIMESTAMP NOT NULL DEFAULT localtimestamp
    )""",
]

#: (version, statements): applied in order on open; the descriptions come from DuckDB's list.
#: Version 7 stands for versions 1-7 (see the module's docstring).
PG_MIGRATIONS: list[tuple[int, list[Any]]] = [(7, _V7), (8, _V8)]
