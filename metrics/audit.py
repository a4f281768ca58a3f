"""The audit trail: who changed what, when, from which value to which.

Every write goes through ``Store.write``, which refuses to commit a change that did not
call :func:`record` at least once, so no write can leave the trail silently. Values are
stored as JSON text (``before`` and ``after``), readable by people and by tools.

Example::

    with store.write(actor, "undo_batch") as cur:
        ...
        audit.record(cur, actor, "undo_batch", "import_batch", "7", {"state": "committed"}, {"state": "undone"})
"""

from __future__ import annotations

import datetime as dt
import json
import math
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


def record(cur: duckdb.DuckDBPyConnection, actor: Actor, action: str, object_type: str, object_id: str | None,
           before: Any, after: Any, detail: str | None = None) -> None:
    """Add one row to the audit trail inside the caller's transaction."""
    cur.execute(
        """INSERT INTO audit_log (user_name, role, via, action, object_type, object_id, before, after, detail)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [actor.name, actor.role, actor.via, action, object_type, None if object_id is None else str(object_id),
         to_json(before), to_json(after), detail],
    )


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
