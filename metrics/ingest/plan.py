"""The plan: what an import would do (added, revised, unchanged, skipped), and the statuses it changes."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from metrics import progress
from metrics.ingest.check import _check, _missing_frame_columns, _row_problems
from metrics.ingest.limits import _problem, _reject
from metrics.ingest.table import ReadInfo, ReadResult
from metrics.model import Problem, ValidationError

PLAN_COLUMNS = ["_row", "_ord", "target_id", "geography", "year", "value", "data_class", "source", "note_da", "note_en",
                "series_break",
                "old_value", "old_data_class", "old_series_break", "change"]


#: The rows of a preview (:meth:`ImportPlan.changes`, ``import --dry-run --format json`` key ``changes``).
CHANGE_COLUMNS = ["row", "target_id", "geography", "year", "old_value", "new_value", "action"]
#: How many changed rows a preview lists one by one; then "and N more".
PREVIEW_CHANGES = 200


@dataclass
class ImportPlan:
    """What an observation import would do, before anything is written.

    ``table`` (pyarrow) holds the valid rows, typed, with a ``change`` column: added, revised
    or unchanged; ``rows`` is the same as a pandas frame, made on first use (a million rows
    stay in Arrow form on the way from the check to the write).
    """

    table: pa.Table
    skipped: list[Problem] = field(default_factory=list)  # warnings: rows left out (at most MAX_WARNINGS + 1)
    file_name: str = ""
    n_skipped: int | None = None  # every skipped row, also those beyond the listed warnings
    info: ReadInfo | None = None
    notes: list[Problem] = field(default_factory=list)  # how the file was read, new geographies, same file
    _rows: pd.DataFrame | None = field(default=None, repr=False)
    _change_counts: dict[str, int] | None = field(default=None, repr=False)

    @property
    def rows(self) -> pd.DataFrame:
        if self._rows is None:
            self._rows = self.table.to_pandas()
        return self._rows

    def count(self, change: str) -> int:
        if self._change_counts is None:  # one pass over the column, kept: the table never changes
            column = self.table["change"].combine_chunks()
            counted = pc.value_counts(column).to_pylist() if len(column) else []
            self._change_counts = {c["values"]: int(c["counts"]) for c in counted}
        return self._change_counts.get(change, 0)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": self.count("added"),
            "revised": self.count("revised"),
            "unchanged": self.count("unchanged"),
            "skipped": len(self.skipped) if self.n_skipped is None else self.n_skipped,
        }

    @property
    def changes_anything(self) -> bool:
        return self.count("added") + self.count("revised") > 0

    def changed(self) -> pa.Table:
        """The rows the import writes (added or revised)."""
        if not self.count("unchanged"):
            return self.table
        return self.table.filter(pc.not_equal(self.table["change"], "unchanged"))

    def revisions(self) -> pd.DataFrame:
        """Each revised value, old and new, in the file's row order."""
        revised = self.table.filter(pc.equal(self.table["change"], "revised"))
        frame = revised.select(["_row", "target_id", "geography", "year", "old_value", "value"]).to_pandas()
        return frame.sort_values("_row").drop(columns="_row").reset_index(drop=True)

    def changes(self, limit: int = PREVIEW_CHANGES) -> pd.DataFrame:
        """The first ``limit`` rows the plan writes, in the file's order: :data:`CHANGE_COLUMNS`.

        ``row`` is the spreadsheet row (the header is row 1), ``action`` ``add`` or ``revise``,
        ``old_value`` the stored value a revision replaces (None for an addition). A top-N query
        in DuckDB over the plan's Arrow table: a million-row plan is not copied to pandas for it.
        The total is ``counts["added"] + counts["revised"]``.
        """
        if not self.changes_anything or limit <= 0:
            return pd.DataFrame(columns=CHANGE_COLUMNS)
        with duckdb.connect() as con:  # in memory, this call's own
            con.register("_plan", self.table.select(["_row", "_ord", "target_id", "geography", "year", "value",
                                                     "old_value", "change"]))
            return con.execute(
                """SELECT _row::BIGINT AS "row", _ord, target_id, geography, year::INTEGER AS year,
                          CASE WHEN change = 'revised' THEN old_value END AS old_value, value AS new_value,
                          CASE WHEN change = 'added' THEN 'add' ELSE 'revise' END AS action
                   FROM _plan WHERE change IN ('added', 'revised')
                   ORDER BY _row, _ord LIMIT ?""",
                [int(limit)],
            ).df()[CHANGE_COLUMNS + ["_ord"]]

    def fingerprint(self) -> str:
        """A digest of what the plan would change: a preview is confirmed only if it still holds."""
        digest = hashlib.sha256(repr(self.counts).encode())
        changed = self.changed().select(["target_id", "geography", "year", "value", "change", "old_value"])
        if changed.num_rows:  # a sum of row hashes: the order of the rows does not matter
            with duckdb.connect() as con:  # in memory, this call's own
                con.register("_changed", changed)
                total = con.execute("SELECT (sum(hash(target_id, geography, year, value, change, old_value))"
                                    " % 18446744073709551616)::VARCHAR FROM _changed").fetchall()[0][0]
            digest.update(total.encode())
        return digest.hexdigest()


def plan_observations(cur: duckdb.DuckDBPyConnection, rows: ReadResult | pd.DataFrame) -> ImportPlan:
    """Check a file's rows and compare them with the database: added, revised, unchanged or skipped.

    ``rows`` is what :func:`~metrics.ingest.read.read_observations` returned, or a frame of text
    cells with canonical column names written by hand (then ``_row`` counts from 2 unless given).

    A row is *unchanged* when its value equals the stored one and every source, note, data
    class or series break the file gives (a non-empty cell) equals the stored one too: a wide
    StatBank table restating known figures does not overwrite their sources with the file name.

    Raises :class:`ValidationError` with every problem (at most :data:`MAX_PROBLEMS`, then one
    "and N more") when any row is invalid. Works on a read cursor (preview) or inside
    ``Store.write`` (commit), so both see the same checks.
    """
    columns = list(rows.columns) if isinstance(rows, pd.DataFrame) else rows.table.column_names
    problems = _missing_frame_columns(columns)
    if problems:
        raise ValidationError(problems)
    if len(rows) == 0:
        raise _reject(_problem(1, None, None, "only_header"))
    if isinstance(rows, pd.DataFrame):
        rows = ReadResult.of_frame(rows)
    info, incoming = rows.info, rows.table
    cur.register("_ingest_incoming", incoming)
    try:
        checked = _check(cur, info, incoming)
        errors, _ = _row_problems(cur, info, warnings=False)
        if errors:
            raise ValidationError(errors)
        skipped, n_skipped = _row_problems(cur, info, warnings=True)
        new_geographies = [r[0] for r in cur.execute(
            "SELECT DISTINCT geography FROM _ingest_checked WHERE code IS NULL AND new_geography ORDER BY 1 LIMIT 21"
        ).fetchall()]
        same_file = [r[0] for r in cur.execute(
            "SELECT batch_id FROM import_batches WHERE sha256 = ? AND state = 'committed' ORDER BY batch_id",
            [info.sha256],
        ).fetchall()] if info.sha256 else []
    finally:
        cur.unregister("_ingest_incoming")
        with contextlib.suppress(duckdb.Error):
            cur.unregister("_ingest_checked")
    table = checked.select(PLAN_COLUMNS)
    del checked
    if n_skipped:  # only then is a copy needed; a clean file's rows pass through as they are
        table = table.filter(pc.is_valid(table["change"]))
    notes = info.notes()
    if new_geographies:
        shown = ", ".join(new_geographies[:20]) + ("…" if len(new_geographies) > 20 else "")
        notes.append(_problem(None, None, None, "new_geographies", geographies=shown))
    if same_file:
        notes.append(_problem(None, None, None, "same_file", batches=", ".join(str(b) for b in same_file)))
    return ImportPlan(table=table, skipped=skipped, file_name=info.file_name, n_skipped=n_skipped, info=info,
                      notes=notes)


STATUS_CHANGE_COLUMNS = ["target_id", "name_da", "name_en", "geography", "is_primary_geography",
                         "status_before", "status_after"]


def status_changes(cur: duckdb.DuckDBPyConnection, plan: ImportPlan, as_of: int | None = None) -> pd.DataFrame:
    """Each target and geography whose status the plan would change, before -> after, at ``as_of``.

    The progress engine runs twice on ``cur``: on the stored observations, and with the plan's
    rows in their place (:func:`metrics.progress.compute_status_replaced`). Nothing is written,
    so this works for a preview on a read cursor as well as inside the import's transaction.
    A geography new to a target has ``status_before`` None.
    """
    if not plan.changes_anything:
        return pd.DataFrame(columns=STATUS_CHANGE_COLUMNS)
    as_of = progress.current_year() if as_of is None else int(as_of)
    changed_ids = pc.filter(plan.table["target_id"], pc.not_equal(plan.table["change"], "unchanged"))
    ids = set(pc.unique(changed_ids).to_pylist())
    before = progress.compute_status(cur, as_of=as_of)
    changed = plan.table.filter(pc.not_equal(plan.table["change"], "unchanged"))
    after = progress.compute_status_replaced(
        cur, changed.select(["target_id", "geography", "year", "value", "data_class", "series_break"]), as_of)
    after = after[after["target_id"].isin(ids)]
    old = before.loc[before["target_id"].isin(ids), ["target_id", "geography", "status"]]
    merged = after.merge(old, on=["target_id", "geography"], how="left", suffixes=("_after", "_before"))
    diff = merged[merged["status_before"].isna() | (merged["status_before"] != merged["status_after"])]
    diff = diff.assign(status_before=diff["status_before"].astype(object).where(diff["status_before"].notna(), None))
    return diff[STATUS_CHANGE_COLUMNS].reset_index(drop=True)
