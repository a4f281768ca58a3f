"""Writing: a plan as one batch in the caller's transaction, and the import put together, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from metrics import audit, progress
from metrics.ingest.limits import ImportRefused
from metrics.ingest.plan import ImportPlan, plan_observations, status_changes
from metrics.ingest.read import read_observations
from metrics.model import Actor, PermissionDenied
from metrics.store import Store

#: How many revised values an import's audit row lists one by one (the batch keeps them all).
AUDIT_VALUES = 1000

_WRITE_COLUMNS = ["target_id", "geography", "year", "value", "data_class", "source", "note_da", "note_en",
                  "series_break", "change"]


def apply_plan(cur: duckdb.DuckDBPyConnection, plan: ImportPlan, *, file_name: str, sha256: str, user: str) -> int | None:
    """Write a plan as one batch inside the caller's transaction; the batch id, or None if nothing changed."""
    counts = plan.counts
    if counts["added"] + counts["revised"] == 0:
        return None
    batch_id = cur.execute(
        """INSERT INTO import_batches (file_name, sha256, user_name, n_added, n_revised, n_unchanged, n_skipped)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING batch_id""",
        [file_name, sha256, user, counts["added"], counts["revised"], counts["unchanged"], counts["skipped"]],
    ).fetchall()[0][0]
    cur.register("_ingest_changed", plan.table.select(_WRITE_COLUMNS))
    try:
        if counts["revised"]:
            cur.execute(
                """INSERT INTO observation_history (target_id, geography, year, value, data_class, source, note_da, note_en,
                                                    series_break, batch_id, superseded_by, reason)
                   SELECT o.target_id, o.geography, o.year, o.value, o.data_class, o.source, o.note_da, o.note_en,
                          o.series_break, o.batch_id, ?, 'revised'
                   FROM observations o JOIN _ingest_changed c USING (target_id, geography, year)
                   WHERE c.change = 'revised'""",
                [batch_id],
            )
            # the table has no key index (migration 4): the revised rows are replaced, not upserted
            cur.execute(
                """DELETE FROM observations o USING _ingest_changed c
                   WHERE c.change = 'revised' AND o.target_id = c.target_id AND o.geography = c.geography
                     AND o.year = c.year"""
            )
        # one plain insert of every new and revised row: no index to maintain, so as fast as a bare load
        cur.execute(
            """INSERT INTO observations (target_id, geography, year, value, data_class, source, note_da, note_en,
                                         series_break, batch_id)
               SELECT target_id, geography, year, value, data_class, source, note_da, note_en, series_break, ?
               FROM _ingest_changed WHERE change <> 'unchanged'""",
            [batch_id],
        )
    finally:
        cur.unregister("_ingest_changed")
    return int(batch_id)


@dataclass
class ImportResult:
    """The outcome of an import or dry run, for the command line and the Upload page."""

    plan: ImportPlan
    batch_id: int | None
    dry_run: bool
    status: pd.DataFrame | None = None  # status_changes(); None when not computed
    as_of: int | None = None
    _changes: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def changes(self) -> pd.DataFrame:
        """The first :data:`PREVIEW_CHANGES` rows written (:meth:`ImportPlan.changes`); a dry run adds
        ``cell``, the value's text as it stands in the file, and ``replaced``, what a revision writes
        over besides the value (:func:`_replaced`)."""
        if self._changes is None:
            self._changes = self.plan.changes()
        return self._changes

    @property
    def more_changes(self) -> int:
        """How many changed rows :attr:`changes` leaves out ("and N more")."""
        return max(0, self.plan.count("added") + self.plan.count("revised") - len(self.changes))

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "ok": True,
            "dry_run": self.dry_run,
            "batch_id": self.batch_id,
            "file_name": self.plan.file_name,
            "sha256": self.plan.info.sha256 if self.plan.info else None,
            "counts": self.plan.counts,
            # every row to be added or revised, in the file's order (the first PREVIEW_CHANGES, then a count)
            "changes": [
                {"row": int(r.row), "target_id": r.target_id, "geography": r.geography, "year": int(r.year),
                 "old_value": None if pd.isna(r.old_value) else float(r.old_value), "new_value": float(r.new_value),
                 "action": r.action,
                 # a dry run: what a revision writes over besides the value
                 **({"replaced": [{"field": f, "old": old, "new": new} for f, old, new in r.replaced]}
                    if hasattr(r, "replaced") else {})}
                for r in self.changes.itertuples()
            ],
            "changes_more": self.more_changes,
            "revised": [
                {"target_id": r.target_id, "geography": r.geography, "year": int(r.year),
                 "old_value": float(r.old_value), "new_value": float(r.value)}
                for r in self.plan.revisions().itertuples()
            ],
            # None: not computed (a commit without with_status); [] : computed, nothing changes
            "status_changes": None if self.status is None else [
                {"target_id": r.target_id, "geography": r.geography, "as_of": self.as_of,
                 "before": r.status_before, "after": r.status_after}
                for r in self.status.itertuples()
            ],
            "warnings": [p.as_dict(lang) for p in self.plan.skipped],
            "notes": [p.text(lang) for p in self.plan.notes],
        }


def _cells(changes: pd.DataFrame, table: pa.Table) -> list[str | None]:
    """The value cell of each preview row as the file holds it (``17.612``), from the rows read.

    Only the preview's rows are looked up (an Arrow ``is_in`` over the row numbers), so a
    million-row file costs no copy of its cells.
    """
    names = table.column_names
    if changes.empty or "_row" not in names or "value" not in names:
        return [None] * len(changes)
    rows = table["_row"].cast(pa.int64())
    index = pc.indices_nonzero(pc.is_in(rows, value_set=pa.array(changes["row"].astype("int64").unique())))
    found = table.take(index)
    ords = found["_ord"].to_pylist() if "_ord" in names else [0] * found.num_rows
    texts = {(int(r), int(o)): v for r, o, v in zip(found["_row"].to_pylist(), ords, found["value"].to_pylist())}
    return [texts.get((int(r), int(o))) for r, o in zip(changes["row"], changes["_ord"])]


#: The fields besides the value that a revision writes over, as the preview names them.
REPLACED_FIELDS = ("source", "note_da", "note_en", "data_class", "series_break")


def _replaced(cur: duckdb.DuckDBPyConnection, plan: ImportPlan, changes: pd.DataFrame) -> list[tuple]:
    """For each preview row, what a revision writes over besides the value: ``(field, old, new)`` tuples.

    A revision replaces the stored row whole: a file with its own source gives the value that
    source, one without a note column leaves the value without the note it had (the old row is
    kept in the history, and an undo brings it back). The preview says so, row by row, so that
    "exactly what will be written" includes it. Only the preview's revised rows are looked up.
    """
    empty: list[tuple] = [()] * len(changes)
    revised = changes.index[changes["action"] == "revise"]
    if not len(revised):
        return empty
    keys = pa.table({"_row": pa.array(changes.loc[revised, "row"].astype("int64")),
                     "_ord": pa.array(changes.loc[revised, "_ord"].astype("int64")),
                     "_at": pa.array(revised.astype("int64"))})
    new = plan.table.select(["_row", "_ord", "target_id", "geography", "year", *REPLACED_FIELDS])
    cur.register("_preview_keys", keys)
    cur.register("_preview_new", new)
    try:
        pairs = ", ".join(f"n.{f}, o.{f}" for f in REPLACED_FIELDS)
        found = cur.execute(
            f"""SELECT k._at, {pairs}
                FROM _preview_keys k
                JOIN _preview_new n ON n._row::BIGINT = k._row AND n._ord::BIGINT = k._ord
                JOIN observations o ON o.target_id = n.target_id AND o.geography = n.geography AND o.year = n.year"""
        ).fetchall()
    finally:
        cur.unregister("_preview_keys")
        cur.unregister("_preview_new")
    out = list(empty)
    positions = {label: i for i, label in enumerate(changes.index)}
    for at, *values in found:
        out[positions[at]] = tuple((f, values[2 * i + 1], values[2 * i]) for i, f in enumerate(REPLACED_FIELDS)
                                   if _differs(values[2 * i + 1], values[2 * i]))
    return out


def _differs(old: Any, new: Any) -> bool:
    """A field changes: an empty text and a missing one count as the same."""
    return (None if old == "" else old) != (None if new == "" else new)


def import_observations(
    store: Store,
    source: Path | str | bytes,
    actor: Actor,
    *,
    dry_run: bool = False,
    file_name: str | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
    as_of: int | None = None,
    with_status: bool | None = None,
    expect: str | None = None,
) -> ImportResult:
    """Check a file and, unless ``dry_run``, commit it as one batch (all rows or none).

    ``with_status`` runs the status preview (:func:`status_changes`): by default for a dry run,
    which is the preview, and not for a commit, which the user makes after seeing that preview
    (the progress engine over every observation would be a third of a million-row import).

    ``source`` is a path or uploaded bytes (with ``file_name``). ``expect`` is the
    :meth:`ImportPlan.fingerprint` of the preview the user confirmed: if the data changed
    since, nothing is written and :class:`ImportRefused` says so. The role is checked first,
    and again by ``Store.write``.
    """
    if not dry_run and not actor.may("import_observations"):
        raise PermissionDenied(actor=actor, action="import_observations")
    read = read_observations(source, file_name=file_name, sheet=sheet, max_bytes=max_bytes)
    info = read.info
    as_of = progress.current_year() if as_of is None else int(as_of)
    with_status = dry_run if with_status is None else with_status
    if dry_run:
        with store.read() as cur:
            plan = plan_observations(cur, read)
            status = status_changes(cur, plan, as_of) if with_status else None
            changes = plan.changes()
            replaced = _replaced(cur, plan, changes)
        return ImportResult(plan=plan, batch_id=None, dry_run=True, status=status, as_of=as_of,
                            _changes=changes.assign(cell=_cells(changes, read.table), replaced=replaced))
    with store.write(actor, "import_observations") as cur:
        plan = plan_observations(cur, read)
        del read  # the typed plan is all that is needed now; a large file's text cells can go
        if expect is not None and plan.fingerprint() != expect:
            raise ImportRefused("preview_stale")
        status = status_changes(cur, plan, as_of) if with_status else None
        batch_id = apply_plan(cur, plan, file_name=info.file_name, sha256=info.sha256, user=actor.name)
        revised = plan.revisions().head(AUDIT_VALUES)
        audit.record(
            cur, actor, "import_observations", "import_batch", None if batch_id is None else str(batch_id),
            {"values": [{"target_id": r.target_id, "geography": r.geography, "year": int(r.year),
                         "value": float(r.old_value)} for r in revised.itertuples()]},
            {"file_name": info.file_name, "sha256": info.sha256, "counts": plan.counts,
             "values": [{"target_id": r.target_id, "geography": r.geography, "year": int(r.year),
                         "value": float(r.value)} for r in revised.itertuples()]},
            detail=None if batch_id is not None else "nothing changed: every row was already stored",
        )
    return ImportResult(plan=plan, batch_id=batch_id, dry_run=False, status=status, as_of=as_of)
