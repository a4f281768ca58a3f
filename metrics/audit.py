"""The audit trail: who changed what, when, from which value to which.

Every write goes through ``Store.write``, which refuses to commit a change that did not
call :func:`record` at least once, so no write can leave the trail silently. Values are
stored as JSON text (``before`` and ``after``), readable by people and by tools.

The trail is a hash chain (migration 7): each row's ``row_hash`` is the SHA-256 of its content
(:data:`CHAINED` columns, as canonical JSON) and the previous row's hash (``prev_hash``), so an
audit row edited or deleted with raw SQL breaks the chain at that row, and :func:`verify`
(``python -m metrics audit --verify``) names it. The chain makes tampering visible; it has no
key, so someone who can write the file can also rebuild the whole chain: the signed backup
(:mod:`metrics.backup`) is what pins a trail to a point in time.

Example::

    with store.write(actor, "undo_batch") as cur:
        ...
        audit.record(cur, actor, "undo_batch", "import_batch", "7", {"state": "committed"}, {"state": "undone"})
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from metrics.model import Actor

#: Longest JSON stored for one side of a change; larger payloads are summarised.
MAX_JSON = 200_000


def _default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def to_json(value: Any) -> str | None:
    """JSON text of a value (None stays NULL); NaN becomes null; very large payloads are cut with a note."""
    if value is None:
        return None
    def clean(v: Any) -> Any:
        if isinstance(v, float) and math.isnan(v):
            return None
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v
    text = json.dumps(clean(value), ensure_ascii=False, default=_default, sort_keys=True)
    if len(text) > MAX_JSON:
        text = json.dumps({"truncated": True, "size": len(text), "start": text[:1000]}, ensure_ascii=False)
    return text


#: The columns a row's hash covers, in this order.
CHAINED = ("audit_id", "changed_at", "user_name", "role", "via", "action", "object_type", "object_id",
           "before", "after", "detail")
#: The "previous hash" of the first row of the chain.
GENESIS = "0" * 64


def row_hash(values: dict[str, Any] | tuple[Any, ...], prev_hash: str) -> str:
    """The hash of one audit row: its :data:`CHAINED` values (a dict or a tuple in that order) and the previous hash."""
    row = [values[c] for c in CHAINED] if isinstance(values, dict) else list(values)

    def canon(v: Any) -> Any:
        if isinstance(v, (dt.datetime, pd.Timestamp)):
            return pd.Timestamp(v).strftime("%Y-%m-%dT%H:%M:%S.%f")
        if hasattr(v, "item"):
            return v.item()
        return v

    text = json.dumps([canon(v) for v in row], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + "\n" + text).encode("utf-8")).hexdigest()


def _chained(cur: duckdb.DuckDBPyConnection) -> bool:
    """True when the trail has its hash columns (schema 7 on); older schemas write without them."""
    return bool(cur.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'audit_log' AND column_name = 'row_hash'"
        " AND table_catalog = current_database()").fetchall()[0][0])


def record(cur: duckdb.DuckDBPyConnection, actor: Actor, action: str, object_type: str, object_id: str | None,
           before: Any, after: Any, detail: str | None = None) -> None:
    """Add one row to the audit trail inside the caller's transaction, chained to the row before it."""
    values = [actor.name, actor.role, actor.via, action, object_type, None if object_id is None else str(object_id),
              to_json(before), to_json(after), detail]
    if not _chained(cur):
        cur.execute(
            """INSERT INTO audit_log (user_name, role, via, action, object_type, object_id, before, after, detail)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""", values)
        return
    audit_id, changed_at = cur.execute("SELECT nextval('audit_id_seq'), current_localtimestamp()").fetchall()[0]
    last = cur.execute("SELECT row_hash FROM audit_log ORDER BY audit_id DESC LIMIT 1").fetchall()
    prev = last[0][0] if last and last[0][0] else GENESIS
    digest = row_hash((audit_id, changed_at, *values), prev)
    cur.execute(
        """INSERT INTO audit_log (audit_id, changed_at, user_name, role, via, action, object_type, object_id, before,
                                  after, detail, prev_hash, row_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [audit_id, changed_at, *values, prev, digest],
    )


def chain_existing(cur: duckdb.DuckDBPyConnection, *, only_missing: bool = False) -> int:
    """Give every row (or, ``only_missing``, every row from the first without a hash) its place in the chain.

    Migration 7 chains the rows written before it; a restore of an older backup chains its rows.
    Returns how many rows were (re)chained.
    """
    cols = ", ".join(CHAINED)
    rows = cur.execute(f"SELECT {cols}, row_hash FROM audit_log ORDER BY audit_id").fetchall()
    start = 0
    if only_missing:
        start = next((i for i, r in enumerate(rows) if r[-1] is None), len(rows))
    prev = rows[start - 1][-1] if start > 0 else GENESIS
    ids, prevs, hashes = [], [], []
    for r in rows[start:]:
        digest = row_hash(r[:-1], prev)
        ids.append(r[0])
        prevs.append(prev)
        hashes.append(digest)
        prev = digest
    if ids:
        cur.register("audit_chain", pd.DataFrame({"audit_id": ids, "prev_hash": prevs, "row_hash": hashes}))
        cur.execute("""UPDATE audit_log SET prev_hash = c.prev_hash, row_hash = c.row_hash
                       FROM audit_chain c WHERE audit_log.audit_id = c.audit_id""")
        cur.unregister("audit_chain")
    return len(ids)


@dataclass(frozen=True)
class ChainCheck:
    """What :func:`verify` found: ``ok``, the rows checked, and the first broken row with why."""

    ok: bool
    rows: int
    broken_id: int | None = None
    reason: str | None = None  # "edited", "missing_before", "unchained"
    previous_id: int | None = None  # the row before the broken one (for "missing_before")


def verify(store_or_cur: Any) -> ChainCheck:
    """Recompute the chain in ``audit_id`` order; the first row whose hash or link does not hold is named.

    * ``edited``: the row's content no longer gives its hash (changed with raw SQL);
    * ``missing_before``: its ``prev_hash`` is not the hash of the row before it (a row between
      was deleted, or the row before was replaced together with its hash);
    * ``unchained``: the row has no hash at all (inserted around the write path).
    """
    sql = f"SELECT {', '.join(CHAINED)}, prev_hash, row_hash FROM audit_log ORDER BY audit_id"
    if hasattr(store_or_cur, "read"):
        with store_or_cur.read() as cur:
            rows = cur.execute(sql).fetchall()
    else:
        rows = store_or_cur.execute(sql).fetchall()
    prev, prev_id = GENESIS, None
    for r in rows:
        content, stored_prev, stored = r[:len(CHAINED)], r[-2], r[-1]
        audit_id = int(content[0])
        if stored is None:
            return ChainCheck(False, len(rows), audit_id, "unchained", prev_id)
        if stored_prev != prev:
            return ChainCheck(False, len(rows), audit_id, "missing_before", prev_id)
        if row_hash(content, stored_prev) != stored:
            return ChainCheck(False, len(rows), audit_id, "edited", prev_id)
        prev, prev_id = stored, audit_id
    return ChainCheck(True, len(rows))


def last_id(cur: duckdb.DuckDBPyConnection) -> int:
    return int(cur.execute("SELECT coalesce(max(audit_id), 0) FROM audit_log").fetchall()[0][0])


def read(store: Any, *, user: str | None = None, action: str | None = None, since: dt.date | None = None,
         until: dt.date | None = None, limit: int | None = 5000) -> pd.DataFrame:
    """The trail, newest first, filtered by user, action and date range (inclusive)."""
    return store.query_df(
        """SELECT audit_id, changed_at, user_name, role, via, action, object_type, object_id, before, after, detail
           FROM audit_log
           WHERE ($user::VARCHAR IS NULL OR user_name = $user)
             AND ($action::VARCHAR IS NULL OR action = $action)
             AND ($since::DATE IS NULL OR changed_at >= $since::DATE)
             AND ($until::DATE IS NULL OR changed_at < $until::DATE + INTERVAL 1 DAY)
           ORDER BY audit_id DESC
           LIMIT $limit""",
        {"user": user, "action": action, "since": since, "until": until, "limit": limit or 1_000_000_000},
    )
