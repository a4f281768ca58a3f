"""The whole database as Parquet files, and back: ``python -m metrics backup`` / ``restore``.

A backup is a folder with one Parquet file per table of :data:`metrics.store.TABLES` plus
``schema_version``, and ``manifest.json`` with the schema version, each file's row count and
SHA-256, and the next value of every sequence. Rows are written in a fixed order and the
manifest holds no clock time, so the same database always gives byte-identical files:
``backup -> restore -> backup`` reproduces the folder exactly (the tests hold us to that).

Restore decisions:

* **Into an empty database only** (a new file, or one made with ``init --empty``). DuckDB
  refuses to delete a referenced row and insert it again in one transaction (its documented
  foreign-key limitation), so replacing content in place cannot be one transaction; rather
  than half-replace, restore refuses a database that holds data and says what to do.
* **All or nothing**: every table is loaded in one transaction through ``Store.write`` with
  the ``restore`` permission (administrators). Files are checked against the manifest first.
* **Older backups are accepted** when the migrations since only added tables or columns (so
  far all of them: migration 2 added ``commentary``; migration 5 split ``note`` into ``note_da``
  and ``note_en``, and an older backup's ``note`` is read as ``note_en``); the added columns take their defaults
  and the database keeps its newer ``schema_version`` rows. A backup from a newer Målspor is
  refused.
* Sequences get their backed-up value with ``setval``, so the next batch, history row,
  initiative and commentary get the same numbers they would have had.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from metrics import audit
from metrics.model import Actor, MalsporError, PermissionDenied
from metrics.store import SCHEMA_VERSION, TABLES, Store

MANIFEST = "manifest.json"
FORMAT = "malspor-backup"
FORMAT_VERSION = 1
#: Everything a backup holds: the data tables, then the migration record.
BACKUP_TABLES = (*TABLES, "schema_version")
#: Tables whose ``note`` became ``note_da`` and ``note_en`` in migration 5.
_NOTE_RENAMED = ("target_definitions", "observations", "observation_history", "initiatives")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sequences(cur: Any) -> dict[str, dict[str, Any]]:
    rows = cur.execute(
        """SELECT sequence_name, start_value, min_value, increment_by, last_value FROM duckdb_sequences()
           WHERE NOT temporary ORDER BY sequence_name"""
    ).fetchall()
    return {name: {"start_value": int(start), "min_value": int(minimum), "increment_by": int(inc),
                   "last_value": None if last is None else int(last)}
            for name, start, minimum, inc, last in rows}


def _columns(cur: Any, table: str) -> list[str]:
    rows = cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def backup(store: Store, out_dir: Path | str) -> dict[str, Any]:
    """Write every table to ``out_dir`` (created; must be empty or absent); returns the manifest."""
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise MalsporError(f"{out} already exists and is not an empty folder: choose a new folder for the backup.")
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, Any] = {}
    with store.read() as cur:
        cur.execute("BEGIN TRANSACTION")  # one consistent snapshot of every table
        try:
            for table in BACKUP_TABLES:
                data = cur.sql("SELECT * FROM " + table + " ORDER BY ALL").to_arrow_table()
                path = out / f"{table}.parquet"
                pq.write_table(data, path, compression="zstd")
                tables[table] = {"file": path.name, "rows": data.num_rows, "sha256": _sha256(path)}
            sequences = _sequences(cur)
        finally:
            cur.execute("ROLLBACK")
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "schema_version": store.schema_version(),
        "tables": tables, "sequences": sequences,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def backup_zip(store: Store) -> bytes:
    """The backup folder as one zip file (for a download from the dashboard)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "backup"
        backup(store, folder)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
            for path in sorted(folder.iterdir()):
                zf.write(path, arcname=f"malspor-backup/{path.name}")
        return buffer.getvalue()


def read_manifest(folder: Path | str) -> dict[str, Any]:
    """The manifest of a backup folder, checked: format, version, every file present and unchanged."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise MalsporError(f"{folder} is not a folder. Give the folder that 'python -m metrics backup' wrote.")
    if not path.is_file():
        raise MalsporError(f"{folder} has no {MANIFEST}: it is not a Målspor backup.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MalsporError(f"{path} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise MalsporError(f"{path} is not a Målspor backup manifest.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise MalsporError(f"The backup has format version {manifest.get('format_version')}; this Målspor reads "
                           f"version {FORMAT_VERSION}.")
    version = manifest.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise MalsporError(f"{path} names no valid schema version.")
    if version > SCHEMA_VERSION:
        raise MalsporError(f"The backup has schema version {version}, newer than this program's {SCHEMA_VERSION}. "
                           "Restore it with the Målspor that made it, or update Målspor.")
    tables = manifest.get("tables") or {}
    for table in ("schema_version", *TABLES):
        entry = tables.get(table)
        if entry is None:
            continue  # a table added by a later migration than the backup's
        file = folder / str(entry.get("file", ""))
        if not file.is_file() or file.parent != folder:
            raise MalsporError(f"The backup lacks {entry.get('file')} for table {table}.")
        if _sha256(file) != entry.get("sha256"):
            raise MalsporError(f"{file.name} does not match the manifest's checksum: the backup is damaged or was "
                               "edited. Nothing was restored.")
    unknown = set(tables) - set(BACKUP_TABLES)
    if unknown:
        raise MalsporError(f"The backup holds tables this Målspor does not know: {', '.join(sorted(unknown))}.")
    missing = [t for t in ("themes", "focus_areas", "target_definitions", "observations", "schema_version")
               if t not in tables]
    if missing:
        raise MalsporError(f"The backup lacks the tables {', '.join(missing)}.")
    return manifest


def restore(store: Store, folder: Path | str, actor: Actor) -> dict[str, int]:
    """Load a backup into an empty database in one transaction; returns rows per table."""
    if not actor.may("restore"):  # before reading anything: a viewer learns nothing about the files
        raise PermissionDenied(f"User '{actor.name}' with role '{actor.role}' may not restore a backup.")
    folder = Path(folder)
    manifest = read_manifest(folder)
    held = {t: int(store.scalar("SELECT count(*) FROM " + t)) for t in TABLES}
    if any(held.values()):
        what = ", ".join(f"{n} {t}" for t, n in held.items() if n)
        raise MalsporError(
            f"The database {store.path} already holds data ({what}). Restore only goes into an empty database: "
            f"give a new file with --db NEW.duckdb (it is created), check it, then stop the dashboard and put the "
            f"new file in place of the old one.")
    frames: dict[str, pa.Table] = {}
    with store.read() as cur:
        for table, entry in manifest["tables"].items():
            data = pq.read_table(folder / entry["file"])
            if data.num_rows != entry.get("rows"):
                raise MalsporError(f"{entry['file']} has {data.num_rows} rows; the manifest says {entry.get('rows')}.")
            if table in _NOTE_RENAMED and manifest["schema_version"] < 5 and "note" in data.column_names:
                # Before migration 5 the one note was English: it is note_en now.
                data = data.rename_columns(["note_en" if c == "note" else c for c in data.column_names])
            extra = set(data.column_names) - set(_columns(cur, table))
            if extra:
                raise MalsporError(f"The backup's table {table} has columns this database lacks: "
                                   f"{', '.join(sorted(extra))}. It was made by a different Målspor.")
            frames[table] = data
        plan = _sequence_plan(_sequences(cur), manifest.get("sequences") or {})
    counts: dict[str, int] = {}
    with store.write(actor, "restore") as cur:
        for table in TABLES:
            if table not in frames:
                counts[table] = 0
                continue
            data = frames[table]
            cur.register("restore_rows", data)
            cols = ", ".join('"' + c.replace('"', '""') + '"' for c in data.column_names)
            # table and column names come from this program's schema, never from the user
            cur.execute("INSERT INTO " + table + " (" + cols + ") SELECT " + cols + " FROM restore_rows")
            cur.unregister("restore_rows")
            counts[table] = data.num_rows
        broken = store.integrity_problems(cur)  # the observations' keys are kept by the write path, not an index
        if broken:
            raise MalsporError("The backup's observations break the database's keys, so nothing was restored: "
                               + "; ".join(broken) + ".")
        # The migration record: the backup's rows up to its version, this database's rows above it.
        cur.execute("DELETE FROM schema_version WHERE version <= ?", [manifest["schema_version"]])
        cur.register("restore_rows", frames["schema_version"])
        cur.execute("INSERT INTO schema_version BY NAME SELECT * FROM restore_rows")
        cur.unregister("restore_rows")
        # Last: DuckDB's setval is not transactional, so it runs only once everything else has worked.
        for name, value in plan:
            cur.execute("SELECT setval(?, ?)", [name, value])
        # After the sequences: the restore's own row continues the backup's audit numbering.
        audit.record(cur, actor, "restore", "database", str(store.path.name), None,
                     {t: n for t, n in counts.items() if n}, detail=f"from {folder}")
    return counts


def _sequence_plan(here: dict[str, dict[str, Any]], backed_up: dict[str, dict[str, Any]]) -> list[tuple[str, int]]:
    """The setval calls that give each sequence its backed-up state; refuses what cannot be reproduced."""
    plan = []
    for name, saved in sorted(backed_up.items()):
        if name not in here:
            raise MalsporError(f"The backup has a sequence {name} this database lacks.")
        last = saved.get("last_value")
        if last is not None:
            plan.append((name, int(last)))
        elif here[name]["last_value"] is not None:
            # Never used in the backup, used here: step back to just before the start, if allowed.
            before_start = here[name]["start_value"] - here[name]["increment_by"]
            if before_start < here[name]["min_value"]:
                raise MalsporError(f"The sequence {name} of this database has been used, so the "
                                   "backup's numbering cannot be reproduced. Restore into a new file (--db NEW.duckdb).")
            plan.append((name, before_start))
    return plan
