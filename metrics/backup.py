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
  initiative and commentary get the same numbers they would have had. A sequence behind the
  data it numbers (the next batch would take a number already used) is refused.
* **Signed**: with a key (``$MALSPOR_BACKUP_KEY``, or ``[backup] key`` in
  ``.streamlit/secrets.toml``, or ``--key-file``), ``manifest.sig`` holds an HMAC-SHA256 of
  ``manifest.json``; the manifest holds every file's SHA-256, so the signature covers every row.
  The key is never written into the backup. Restore refuses a backup without a valid signature
  unless an administrator asks for it explicitly (``--unsigned``, recorded in the audit trail):
  without the key, anyone who can edit the files can also fix the checksums.
* **Checked like an import**: every observation (and every replaced value in the history)
  against its target's bounds and baseline, the audit trail's hash chain, the sequences against
  the numbers in use, and every manifest field's type. A refusal writes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from metrics import audit
from metrics.model import Actor, MalsporError, PermissionDenied
from metrics.store import PROJECT_ROOT, SCHEMA_VERSION, TABLES, Store

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
KEY_ENV = "MALSPOR_BACKUP_KEY"
SECRETS = PROJECT_ROOT / ".streamlit" / "secrets.toml"
MIN_KEY = 16
#: A manifest larger than this is not one of ours (ours are a few kB).
MAX_MANIFEST_BYTES = 1 << 20
_FILE_RE = re.compile(r"[A-Za-z0-9_.-]+\.parquet")
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


def backup_key(key_file: Path | str | None = None) -> bytes | None:
    """The signing key: ``key_file``, else ``$MALSPOR_BACKUP_KEY``, else ``[backup] key`` in the secrets; None if none."""
    text: str | None = None
    if key_file is not None:
        try:
            text = Path(key_file).read_text(encoding="utf-8").strip()
        except (OSError, ValueError) as exc:
            raise MalsporError("backup_key_unreadable", path=key_file, reason=exc) from None
    elif os.environ.get(KEY_ENV, "").strip():
        text = os.environ[KEY_ENV].strip()
    elif SECRETS.is_file():
        import tomllib

        try:
            secrets = tomllib.loads(SECRETS.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise MalsporError("backup_key_unreadable", path=SECRETS, reason=exc) from None
        section = secrets.get("backup")
        value = section.get("key") if isinstance(section, dict) else None
        text = value.strip() if isinstance(value, str) and value.strip() else None
    if text is None:
        return None
    if len(text) < MIN_KEY:
        raise MalsporError("backup_key_short", min=MIN_KEY)
    return text.encode("utf-8")


def _signature(manifest_bytes: bytes, key: bytes) -> str:
    return "hmac-sha256:" + hmac.new(key, manifest_bytes, hashlib.sha256).hexdigest()


def signature_state(folder: Path | str, key: bytes | None) -> str:
    """``signed`` (valid), ``unsigned`` (no signature file), ``wrong`` (it does not match) or ``no_key``."""
    folder = Path(folder)
    sig = folder / SIGNATURE
    if key is None:
        return "no_key"
    if not sig.is_file():
        return "unsigned"
    try:
        stored = sig.read_bytes()[:200].decode("ascii").strip()
        expected = _signature((folder / MANIFEST).read_bytes(), key)
    except (OSError, ValueError):
        return "wrong"
    return "signed" if hmac.compare_digest(stored, expected) else "wrong"


def check_signature(folder: Path | str, key: bytes | None, *, allow_unsigned: bool = False) -> str:
    """Refuse a backup without a valid signature unless ``allow_unsigned``; returns the state found."""
    state = signature_state(folder, key)
    if state != "signed" and not allow_unsigned:
        raise MalsporError("backup_signature_unsigned" if state == "unsigned" else "backup_signature_wrong"
                           if state == "wrong" else "backup_signature_no_key", folder=folder, env=KEY_ENV)
    return state


def backup(store: Store, out_dir: Path | str, *, key: bytes | None | str = "default") -> dict[str, Any]:
    """Write every table to ``out_dir`` (created; must be empty or absent); returns the manifest.

    Signed (``manifest.sig``) with ``key``, by default :func:`backup_key`; ``key=None`` writes an
    unsigned backup. ``manifest["signed"]`` is not in the file; it says whether it was signed.
    """
    if isinstance(key, str):
        key = backup_key()
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise MalsporError("backup_folder_not_empty", folder=out)
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
    data = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    (out / MANIFEST).write_bytes(data)
    if key is not None:
        (out / SIGNATURE).write_text(_signature(data, key) + "\n", encoding="ascii")
    return {**manifest, "signed": key is not None}


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


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def read_manifest(folder: Path | str) -> dict[str, Any]:
    """The manifest of a backup folder, checked: format, version, field types, every file present and unchanged."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise MalsporError("backup_not_folder", folder=folder)
    if not path.is_file():
        raise MalsporError("backup_no_manifest", folder=folder, manifest=MANIFEST)
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise ValueError(f"larger than {MAX_MANIFEST_BYTES // 1024} KiB")
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise MalsporError("backup_manifest_unreadable", path=path, reason=exc) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise MalsporError("backup_manifest_invalid", path=path)
    if manifest.get("format_version") != FORMAT_VERSION or not _int(manifest.get("format_version")):
        raise MalsporError("backup_format_version", found=manifest.get("format_version"), supported=FORMAT_VERSION)
    version = manifest.get("schema_version")
    if not _int(version) or version < 1:
        raise MalsporError("backup_schema_invalid", path=path)
    if version > SCHEMA_VERSION:
        raise MalsporError("backup_schema_newer", version=version, supported=SCHEMA_VERSION)
    tables = manifest.get("tables")
    if not isinstance(tables, dict):
        raise MalsporError("backup_field_invalid", path=path, field="tables", expected="an object of tables")
    for table, entry in tables.items():
        if not isinstance(entry, dict):
            raise MalsporError("backup_field_invalid", path=path, field=f"tables.{table}", expected="an object")
        if not isinstance(entry.get("file"), str) or not _FILE_RE.fullmatch(entry["file"]):
            raise MalsporError("backup_field_invalid", path=path, field=f"tables.{table}.file",
                               expected="a file name in the folder, e.g. themes.parquet")
        if not _int(entry.get("rows")) or entry["rows"] < 0:
            raise MalsporError("backup_field_invalid", path=path, field=f"tables.{table}.rows",
                               expected="a whole number of rows")
        if not isinstance(entry.get("sha256"), str):
            raise MalsporError("backup_field_invalid", path=path, field=f"tables.{table}.sha256",
                               expected="a SHA-256 in hexadecimal")
    sequences = manifest.get("sequences", {})
    if not isinstance(sequences, dict):
        raise MalsporError("backup_field_invalid", path=path, field="sequences", expected="an object of sequences")
    for name, saved in sequences.items():
        if not isinstance(saved, dict) or not (saved.get("last_value") is None or _int(saved.get("last_value"))):
            raise MalsporError("backup_field_invalid", path=path, field=f"sequences.{name}",
                               expected="an object with a whole-number last_value (or null)")
    unknown = set(tables) - set(BACKUP_TABLES)
    if unknown:
        raise MalsporError("backup_tables_unknown", tables=sorted(unknown))
    for table in ("schema_version", *TABLES):
        entry = tables.get(table)
        if entry is None:
            continue  # a table added by a later migration than the backup's
        file = folder / entry["file"]
        if not file.is_file() or file.parent != folder:
            raise MalsporError("backup_file_missing", file=entry["file"], table=table)
        if _sha256(file) != entry["sha256"]:
            raise MalsporError("backup_checksum", file=file.name)
    missing = [t for t in ("themes", "focus_areas", "target_definitions", "observations", "schema_version")
               if t not in tables]
    if missing:
        raise MalsporError("backup_tables_missing", tables=missing)
    return manifest


def restore(store: Store, folder: Path | str, actor: Actor, *, key: bytes | None | str = "default",
            allow_unsigned: bool = False) -> dict[str, int]:
    """Load a backup into an empty database in one transaction; returns rows per table.

    Refuses, with nothing written: a backup without a valid signature by ``key`` (default
    :func:`backup_key`) unless ``allow_unsigned``; damaged or foreign files; observations that
    break their target's rules; a broken audit chain; sequences behind the data.
    """
    if not actor.may("restore"):  # before reading anything: a viewer learns nothing about the files
        raise PermissionDenied(actor=actor, action="restore")
    folder = Path(folder)
    if isinstance(key, str):
        key = backup_key()
    manifest = read_manifest(folder)
    signature = check_signature(folder, key, allow_unsigned=allow_unsigned)
    held = {t: int(store.scalar("SELECT count(*) FROM " + t)) for t in TABLES}
    if any(held.values()):
        what = ", ".join(f"{n} {t}" for t, n in held.items() if n)
        raise MalsporError("restore_not_empty", path=store.path, held=what)
    frames: dict[str, pa.Table] = {}
    with store.read() as cur:
        for table, entry in manifest["tables"].items():
            try:
                data = pq.read_table(folder / entry["file"])
            except (pa.ArrowException, OSError, ValueError) as exc:
                raise MalsporError("backup_file_unreadable", file=entry["file"], reason=exc) from None
            if data.num_rows != entry.get("rows"):
                raise MalsporError("backup_row_count", file=entry["file"], rows=data.num_rows, expected=entry.get("rows"))
            if table in _NOTE_RENAMED and manifest["schema_version"] < 5 and "note" in data.column_names:
                # Before migration 5 the one note was English: it is note_en now.
                data = data.rename_columns(["note_en" if c == "note" else c for c in data.column_names])
            extra = set(data.column_names) - set(_columns(cur, table))
            if extra:
                raise MalsporError("backup_columns_unknown", table=table, columns=sorted(extra))
            frames[table] = data
        here = _sequences(cur)
        plan = _sequence_plan(here, manifest.get("sequences") or {})
        users = _sequence_users(cur)
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
            try:
                cur.execute("INSERT INTO " + table + " (" + cols + ") SELECT " + cols + " FROM restore_rows")
            except duckdb.Error as exc:
                raise MalsporError("backup_rows_invalid", table=table, reason=_first_line(exc)) from None
            cur.unregister("restore_rows")
            counts[table] = data.num_rows
        broken = store.integrity_problems(cur)  # the observations' keys are kept by the write path, not an index
        if broken:
            raise MalsporError("backup_keys_broken", problems="; ".join(broken))
        broken = rule_problems(cur)
        if broken:
            raise MalsporError("backup_rules_broken", problems="; ".join(broken))
        _check_audit_chain(cur, manifest["schema_version"])
        _check_sequences(cur, here, plan, users)
        # The migration record: the backup's rows up to its version, this database's rows above it.
        cur.execute("DELETE FROM schema_version WHERE version <= ?", [manifest["schema_version"]])
        cur.register("restore_rows", frames["schema_version"])
        try:
            cur.execute("INSERT INTO schema_version BY NAME SELECT * FROM restore_rows")
        except duckdb.Error as exc:
            raise MalsporError("backup_rows_invalid", table="schema_version", reason=_first_line(exc)) from None
        cur.unregister("restore_rows")
        # Last: DuckDB's setval is not transactional, so it runs only once everything else has worked.
        for name, value in plan:
            cur.execute("SELECT setval(?, ?)", [name, value])
        # After the sequences: the restore's own row continues the backup's audit numbering and chain.
        after: dict[str, Any] = {t: n for t, n in counts.items() if n}
        if signature != "signed":
            after["signature"] = signature
        audit.record(cur, actor, "restore", "database", str(store.path.name), None, after, detail=f"from {folder}")
    return counts


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__


def rule_problems(cur: Any) -> list[str]:
    """Stored values that break their target's rules (bounds, baseline, a target outside its bounds), in words."""
    rows = cur.execute(
        """WITH v AS (
               SELECT 'observations' AS tbl, target_id, geography, year, value FROM observations
               UNION ALL SELECT 'observation_history', target_id, geography, year, value FROM observation_history)
           SELECT v.tbl, v.target_id, v.geography, v.year, v.value, t.lower_bound, t.upper_bound,
                  CASE WHEN (t.lower_bound IS NOT NULL AND v.value < t.lower_bound)
                         OR (t.upper_bound IS NOT NULL AND v.value > t.upper_bound) THEN 'bounds'
                       ELSE 'baseline' END AS why
           FROM v JOIN target_definitions t USING (target_id)
           WHERE (t.lower_bound IS NOT NULL AND v.value < t.lower_bound)
              OR (t.upper_bound IS NOT NULL AND v.value > t.upper_bound)
              OR (v.tbl = 'observations' AND v.geography = t.geography AND v.year = t.baseline_year
                  AND abs(v.value - t.baseline_value) > 1e-9)
           ORDER BY v.tbl DESC, v.target_id, v.geography, v.year LIMIT 5"""
    ).fetchall()
    problems = []
    for tbl, tid, geo, year, value, lo, hi, why in rows:
        if why == "bounds":
            problems.append(f"{tbl}: {tid}, {geo}, {year}: {value:g} outside [{_g(lo)}, {_g(hi)}]")
        else:
            problems.append(f"{tbl}: {tid}, {geo}, {year}: {value:g} differs from the baseline")
    targets = cur.execute(
        """SELECT target_id, target_value, lower_bound, upper_bound FROM target_definitions
           WHERE kind = 'level' AND ((lower_bound IS NOT NULL AND target_value < lower_bound)
                                     OR (upper_bound IS NOT NULL AND target_value > upper_bound))
           ORDER BY 1 LIMIT 5"""
    ).fetchall()
    problems += [f"target_definitions: {tid}: target {v:g} outside [{_g(lo)}, {_g(hi)}]" for tid, v, lo, hi in targets]
    return problems


def _g(value: Any) -> str:
    return "" if value is None else f"{value:g}"


def _check_audit_chain(cur: Any, backup_version: int) -> None:
    """A backup made with the chain must bring it intact; an older one's rows are chained now."""
    if backup_version >= 7:
        check = audit.verify(cur)
        if not check.ok:
            raise MalsporError("backup_audit_edited" if check.reason == "edited" else "backup_audit_missing_before"
                               if check.reason == "missing_before" else "backup_audit_unchained", id=check.broken_id,
                               previous=check.previous_id if check.previous_id is not None else "-")
    else:
        audit.chain_existing(cur)


def _sequence_users(cur: Any) -> dict[str, list[tuple[str, str]]]:
    """For every sequence, the (table, column) pairs it numbers (their DEFAULT nextval)."""
    rows = cur.execute(
        """SELECT table_name, column_name, column_default FROM duckdb_columns()
           WHERE column_default LIKE 'nextval(%' AND database_name = current_database() ORDER BY 1, 2"""
    ).fetchall()
    users: dict[str, list[tuple[str, str]]] = {}
    for table, column, default in rows:
        match = re.search(r"nextval\('([^']+)'", default)
        if match:
            users.setdefault(match.group(1), []).append((table, column))
    return users


def _check_sequences(cur: Any, here: dict[str, dict[str, Any]], plan: list[tuple[str, int]],
                     users: dict[str, list[tuple[str, str]]]) -> None:
    """Refuse a sequence whose next number is already in use in the restored rows."""
    planned = dict(plan)
    for name, pairs in sorted(users.items()):
        state = here.get(name)
        if state is None:
            continue
        last = planned.get(name, state["last_value"])
        following = state["start_value"] if last is None else int(last) + state["increment_by"]
        for table, column in pairs:
            # names from this program's schema (duckdb_columns), never from the backup
            used = cur.execute('SELECT max("' + column + '") FROM ' + table).fetchall()[0][0]
            if used is not None and following <= int(used):
                raise MalsporError("backup_sequence_behind", name=name, last="-" if last is None else last,
                                   table=table, column=column, used=used)


def _sequence_plan(here: dict[str, dict[str, Any]], backed_up: dict[str, dict[str, Any]]) -> list[tuple[str, int]]:
    """The setval calls that give each sequence its backed-up state; refuses what cannot be reproduced."""
    plan = []
    for name, saved in sorted(backed_up.items()):
        if name not in here:
            raise MalsporError("backup_sequence_unknown", name=name)
        last = saved.get("last_value")
        if last is not None:
            plan.append((name, int(last)))
        elif here[name]["last_value"] is not None:
            # Never used in the backup, used here: step back to just before the start, if allowed.
            before_start = here[name]["start_value"] - here[name]["increment_by"]
            if before_start < here[name]["min_value"]:
                raise MalsporError("backup_sequence_used", name=name)
            plan.append((name, before_start))
    return plan
