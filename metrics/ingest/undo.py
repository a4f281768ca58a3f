"""Undo: a committed batch taken back (what it added removed, what it revised restored), and what the
Upload page offers to undo."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from metrics import audit
from metrics.ingest.limits import ImportRefused
from metrics.model import Actor
from metrics.store import SEED_USER, Store

def is_seed_batch(user_name: Any) -> bool:
    """True for the batch the seed loaded (the action plan's own figures), made by :data:`store.SEED_USER`."""
    return user_name == SEED_USER


def undoable_batches(store: Store) -> pd.DataFrame:
    """The batches the Upload page offers to undo: committed ones, newest first, never the seed."""
    batches = store.batches()
    return batches[(batches["state"] == "committed") & ~batches["user_name"].map(is_seed_batch)]


def _undo_checks(cur: duckdb.DuckDBPyConnection, batch_id: int, include_seed: bool) -> tuple[Any, ...]:
    """The batch's row, or :class:`ImportRefused` when it cannot be undone (nothing is written)."""
    found = cur.execute("SELECT state, undone_at, file_name, user_name FROM import_batches WHERE batch_id = ?",
                        [batch_id]).fetchall()
    batch = found[0] if found else None
    if batch is None:
        raise ImportRefused("no_batch", batch=batch_id)
    if batch[0] == "undone":
        raise ImportRefused("already_undone", batch=batch_id, file=batch[2], when=batch[1])
    if is_seed_batch(batch[3]) and not include_seed:
        raise ImportRefused("undo_seed", batch=batch_id, file=batch[2])
    later = cur.execute(
        """SELECT DISTINCT h.superseded_by FROM observation_history h
           JOIN import_batches b ON b.batch_id = h.superseded_by
           WHERE h.batch_id = ? AND h.reason = 'revised' AND b.state = 'committed'
           ORDER BY 1""",
        [batch_id],
    ).fetchall()
    if later:
        raise ImportRefused("undo_blocked", batch=batch_id, later=", ".join(str(b[0]) for b in later))
    return batch


def _undo_counts(cur: duckdb.DuckDBPyConnection, batch_id: int) -> dict[str, int]:
    """What undoing the batch would do, from the data as they stand: values removed, earlier values restored."""
    held, restored = cur.execute(
        """SELECT (SELECT count(*) FROM observations WHERE batch_id = $b),
                  (SELECT count(*) FROM observation_history WHERE superseded_by = $b AND reason = 'revised')""",
        {"b": batch_id},
    ).fetchall()[0]
    return {"removed": int(held) - int(restored), "restored": int(restored)}


def undo_preview(store: Store, batch_id: int, *, include_seed: bool = False) -> dict[str, Any]:
    """What :func:`undo_batch` would do, before anything is written: the page's confirmation says it.

    ``{"batch": id, "file": name, "removed": n, "restored": m}`` (the counts ``undo_batch``
    returns), or :class:`ImportRefused` for the refusals ``undo_batch`` would give.
    """
    with store.read() as cur:
        batch = _undo_checks(cur, int(batch_id), include_seed)
        return {"batch": int(batch_id), "file": batch[2], **_undo_counts(cur, int(batch_id))}


def undo_batch(store: Store, batch_id: int, actor: Actor, *, include_seed: bool = False) -> dict[str, int]:
    """Undo a committed batch: remove what it added, restore what it revised.

    Refused with :class:`ImportRefused`, nothing changed, when the batch is unknown, already
    undone, a later batch has since revised some of its values (undo that one first), or it is
    the seed batch and ``include_seed`` is not given (undoing it leaves every target with only
    its baseline: ``python -m metrics undo ID --include-seed`` asks for it explicitly).
    """
    with store.write(actor, "undo_batch") as cur:
        batch = _undo_checks(cur, batch_id, include_seed)
        removed = cur.execute(
            """INSERT INTO observation_history (target_id, geography, year, value, data_class, source, note_da, note_en,
                                                series_break, batch_id, superseded_by, reason)
               SELECT target_id, geography, year, value, data_class, source, note_da, note_en, series_break, batch_id, ?, 'undone'
               FROM observations WHERE batch_id = ?""",
            [batch_id, batch_id],
        ).fetchall()[0][0]
        cur.execute("DELETE FROM observations WHERE batch_id = ?", [batch_id])
        restored = cur.execute(
            """INSERT INTO observations (target_id, geography, year, value, data_class, source, note_da, note_en,
                                         series_break, batch_id)
               SELECT target_id, geography, year, value, data_class, source, note_da, note_en, series_break, batch_id
               FROM observation_history WHERE superseded_by = ? AND reason = 'revised'""",
            [batch_id],
        ).fetchall()[0][0]
        cur.execute(
            "UPDATE import_batches SET state = 'undone', undone_at = current_localtimestamp(), undone_by = ? "
            "WHERE batch_id = ?",
            [actor.name, batch_id],
        )
        counts = {"removed": int(removed) - int(restored), "restored": int(restored)}
        audit.record(cur, actor, "undo_batch", "import_batch", str(batch_id), {"state": "committed"},
                     {"state": "undone", **counts}, detail=batch[2])
    return counts


def data_version(store: Store) -> str:
    """Changes whenever a batch is committed or undone: a page's cached preview is stale after that."""
    count, last, undone = store.query_df(
        "SELECT count(*) AS n, coalesce(max(batch_id), 0) AS last, count(undone_at) AS undone FROM import_batches"
    ).iloc[0]
    return f"{count}:{last}:{undone}"
