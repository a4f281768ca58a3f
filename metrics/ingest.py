"""Reading, validating and applying imports of observations and target definitions.

The contract, shared by the command line and the pages:

* ``read_*_csv`` turns a file into a frame of text cells with a ``_row`` column that
  numbers rows as a spreadsheet does (header = row 1);
* ``validate_*`` / ``plan_observations`` check every row against the database and raise
  :class:`~metrics.model.ValidationError` listing every problem (row, column, value,
  what to do) or return a typed result;
* ``apply_*`` write inside a transaction the caller opened with ``Store.write``;
* ``import_observations``, ``import_targets`` and ``undo_batch`` put the three together.

Nothing is written unless every row is valid.
"""

from __future__ import annotations

import difflib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from metrics.model import (
    DATA_CLASSES,
    DIRECTIONS,
    KINDS,
    MAX_YEAR,
    MIN_YEAR,
    Actor,
    MalsporError,
    Problem,
    ValidationError,
)
from metrics.store import Store, sha256_file

MISSING_MARKERS = frozenset({"", "..", "-", "n/a", "na", "nan", "null"})
OBSERVATION_REQUIRED = ("target_id", "year", "value")
OBSERVATION_OPTIONAL = ("geography", "source", "note", "data_class", "series_break")
TARGET_REQUIRED = (
    "target_id", "focus_area_id", "name_da", "name_en", "unit", "kind",
    "baseline_year", "baseline_value", "direction", "source",
)
TARGET_OPTIONAL = (
    "theme_id", "sort_order", "description_da", "description_en", "unit_en", "geography",
    "baseline_data_class", "target_year", "target_value", "lower_bound", "upper_bound",
    "trend_window", "note",
)
TARGET_COLUMNS = TARGET_REQUIRED[:5] + TARGET_OPTIONAL
MAX_PROBLEMS = 200
VALUE_TOLERANCE = 1e-9


# ---------------------------------------------------------------------- reading
def decode_bytes(raw: bytes) -> str:
    """Text of a file: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_csv_text(path: Path | str) -> pd.DataFrame:
    """A comma-separated file as text cells, headers lower-cased, with a ``_row`` column."""
    path = Path(path)
    if not path.is_file():
        raise MalsporError(f"No such file: {path}")
    text = decode_bytes(path.read_bytes())
    if not text.strip():
        raise ValidationError([Problem(None, None, None, "The file is empty: it needs a header row and data rows.")])
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise ValidationError([Problem(None, None, None, f"The file is not a readable CSV table: {exc}")]) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.loc[:, [c for c in frame.columns if c and not c.startswith("unnamed:")]]
    frame = frame.apply(lambda col: col.str.strip())
    # pandas skips blank lines, so recover spreadsheet row numbers from the raw lines.
    frame.insert(0, "_row", _data_row_numbers(text, len(frame)))
    return frame


def _data_row_numbers(text: str, n_rows: int) -> list[int]:
    """Spreadsheet row numbers of the non-blank data rows (header = row 1)."""
    numbers: list[int] = []
    reader = pd.read_csv(io.StringIO(text), dtype=str, header=None, keep_default_na=False,
                         skip_blank_lines=False)
    for idx, row in enumerate(reader.itertuples(index=False), start=1):
        if idx == 1:
            continue
        if any(str(cell).strip() for cell in row):
            numbers.append(idx)
    if len(numbers) != n_rows:  # quoted line breaks: fall back to plain counting
        numbers = list(range(2, n_rows + 2))
    return numbers


def read_observations_csv(path: Path | str) -> pd.DataFrame:
    """An observation file in the canonical format (``target_id, year, value`` and optional columns)."""
    frame = read_csv_text(path)
    frame.attrs["file_name"] = Path(path).name
    return frame


def read_targets_csv(path: Path | str) -> pd.DataFrame:
    """A target-definition file with the columns of ``data/targets.csv``."""
    return read_csv_text(path)


# ---------------------------------------------------------------------- cell parsing
def _is_missing(text: str) -> bool:
    return text.strip().lower() in MISSING_MARKERS


def parse_number(text: str) -> float:
    """A number written with a decimal point (``13.4``, ``-2``, ``1e3``); raises ValueError."""
    cleaned = text.strip()
    if "," in cleaned:
        raise ValueError("use a point as decimal separator and no thousands separator")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError("the value must be a finite number")
    return value


def parse_year(text: str) -> int:
    """A whole year from 1900 to 2100; raises ValueError."""
    value = float(text.strip())
    if not value.is_integer() or not MIN_YEAR <= value <= MAX_YEAR:
        raise ValueError
    return int(value)


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("", "0", "false", "no", "nej", "f", "n"):
        return False
    if lowered in ("1", "true", "yes", "ja", "t", "y", "j", "x"):
        return True
    raise ValueError


def closest(word: str, choices: list[str]) -> str:
    """'Did you mean' text for an unknown identifier."""
    close = difflib.get_close_matches(word.lower(), choices, n=3, cutoff=0.5)
    if close:
        return "Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return "Known ids: " + ", ".join(sorted(choices)[:12]) + ("…" if len(choices) > 12 else "") + "."


def _missing_columns(frame: pd.DataFrame, required: tuple[str, ...]) -> list[Problem]:
    present = set(frame.columns)
    return [
        Problem(1, col, None, f"The required column '{col}' is missing from the header row. "
                f"Add it; the file has: {', '.join(c for c in frame.columns if c != '_row') or 'no columns'}.")
        for col in required
        if col not in present
    ]


# ---------------------------------------------------------------------- observations
@dataclass
class ImportPlan:
    """What an observation import would do, before anything is written."""

    rows: pd.DataFrame  # valid rows, typed, with a 'change' column: added | revised | unchanged
    skipped: list[Problem] = field(default_factory=list)  # warnings: rows left out
    file_name: str = ""

    def count(self, change: str) -> int:
        return int((self.rows["change"] == change).sum()) if len(self.rows) else 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": self.count("added"),
            "revised": self.count("revised"),
            "unchanged": self.count("unchanged"),
            "skipped": len(self.skipped),
        }

    @property
    def changes_anything(self) -> bool:
        return self.count("added") + self.count("revised") > 0

    def revisions(self) -> pd.DataFrame:
        """Each revised value, old and new."""
        cols = ["target_id", "geography", "year", "old_value", "value"]
        return self.rows.loc[self.rows["change"] == "revised", cols].reset_index(drop=True)


def _known_targets(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return cur.execute(
        "SELECT target_id, geography, baseline_year, baseline_value, lower_bound, upper_bound FROM targets"
    ).df()


def validate_observations(cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Check every row; return the typed valid rows and the skipped-row warnings.

    Raises :class:`ValidationError` listing every problem when any row is invalid.
    """
    problems = _missing_columns(frame, OBSERVATION_REQUIRED)
    if problems:
        raise ValidationError(problems)
    if frame.empty:
        raise ValidationError([Problem(None, None, None, "The file has a header but no data rows.")])
    targets = _known_targets(cur).set_index("target_id")
    known = targets.index.tolist()
    default_source = f"Import: {frame.attrs.get('file_name', 'file')}"
    skipped: list[Problem] = []
    out: list[dict[str, Any]] = []
    cols = set(frame.columns)
    for rec in frame.to_dict("records"):
        row = int(rec["_row"])
        tid = rec["target_id"]
        if _is_missing(tid) and _is_missing(rec["year"]) and _is_missing(rec["value"]):
            continue
        if tid not in targets.index:
            problems.append(Problem(row, "target_id", tid, f"Unknown target. {closest(tid, known)}"))
            continue
        target = targets.loc[tid]
        try:
            year = parse_year(rec["year"])
        except ValueError:
            problems.append(Problem(row, "year", rec["year"],
                                    f"The year must be a whole number from {MIN_YEAR} to {MAX_YEAR}."))
            continue
        if _is_missing(rec["value"]):
            skipped.append(Problem(row, "value", rec["value"],
                                   "No value (missing marker): the row is skipped, not stored as 0."))
            continue
        try:
            value = parse_number(rec["value"])
        except ValueError as exc:
            hint = str(exc) or "write a number such as 13.4"
            problems.append(Problem(row, "value", rec["value"], f"The value is not a number: {hint}."))
            continue
        lo, hi = target["lower_bound"], target["upper_bound"]
        if (pd.notna(lo) and value < lo) or (pd.notna(hi) and value > hi):
            problems.append(Problem(row, "value", rec["value"],
                                    f"Outside the target's natural bounds {_fmt_bounds(lo, hi)}. "
                                    "Check the unit (per cent, not a fraction) and the number."))
            continue
        geography = rec.get("geography", "") if "geography" in cols else ""
        geography = geography or target["geography"]
        data_class = (rec.get("data_class", "") or "R").upper() if "data_class" in cols else "R"
        if data_class not in DATA_CLASSES:
            problems.append(Problem(row, "data_class", rec["data_class"],
                                    "The data class must be R (real), D (derived) or I (illustrative)."))
            continue
        try:
            series_break = parse_bool(rec.get("series_break", "")) if "series_break" in cols else False
        except ValueError:
            problems.append(Problem(row, "series_break", rec["series_break"], "Write true or false."))
            continue
        if (geography == target["geography"] and year == target["baseline_year"]
                and abs(value - target["baseline_value"]) > VALUE_TOLERANCE):
            problems.append(Problem(row, "value", rec["value"],
                                    f"Disagrees with the target's baseline {target['baseline_value']:g} "
                                    f"for {geography} in {year}. Correct the value, or change the target's baseline first."))
            continue
        out.append({
            "_row": row, "target_id": tid, "geography": geography, "year": year, "value": value,
            "data_class": data_class,
            "source": (rec.get("source", "") if "source" in cols else "") or default_source,
            "note": (rec.get("note", "") if "note" in cols else "") or None,
            "series_break": series_break,
        })
        if len(problems) >= MAX_PROBLEMS:
            break
    rows = pd.DataFrame(out, columns=["_row", "target_id", "geography", "year", "value", "data_class",
                                      "source", "note", "series_break"])
    problems.extend(_duplicate_problems(rows))
    if problems:
        raise ValidationError(sorted(problems, key=lambda p: (p.row or 0)))
    rows = rows.drop_duplicates(subset=["target_id", "geography", "year"], keep="first")
    return rows.reset_index(drop=True), skipped


def _fmt_bounds(lo: float, hi: float) -> str:
    lo_s = f"{lo:g}" if pd.notna(lo) else "-∞"
    hi_s = f"{hi:g}" if pd.notna(hi) else "∞"
    return f"[{lo_s}, {hi_s}]"


def _duplicate_problems(rows: pd.DataFrame) -> list[Problem]:
    """The same target, geography and year twice with different values (DuckDB would collapse them)."""
    if rows.empty:
        return []
    key = ["target_id", "geography", "year"]
    dup = rows[rows.duplicated(subset=key, keep=False)]
    problems = []
    for _, group in dup.groupby(key, sort=False):
        if group["value"].nunique() > 1:
            first = int(group["_row"].iloc[0])
            for _, r in group.iloc[1:].iterrows():
                problems.append(Problem(int(r["_row"]), "value", f"{r['value']:g}",
                                        f"{r['target_id']} / {r['geography']} / {r['year']} already appears in row "
                                        f"{first} with the value {group['value'].iloc[0]:g}. Keep one of the rows."))
    return problems


def plan_observations(cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> ImportPlan:
    """Validate a file's rows and compare them with the database: added, revised or unchanged."""
    rows, skipped = validate_observations(cur, frame)
    cur.register("incoming", rows)
    try:
        merged = cur.execute(
            """SELECT i.*, o.value AS old_value, o.data_class AS old_data_class, o.source AS old_source,
                      o.note AS old_note, o.series_break AS old_series_break,
                      CASE WHEN o.target_id IS NULL THEN 'added'
                           WHEN abs(o.value - i.value) <= 1e-9 AND o.data_class = i.data_class
                                AND o.source = i.source AND o.note IS NOT DISTINCT FROM i.note
                                AND o.series_break = i.series_break THEN 'unchanged'
                           ELSE 'revised' END AS change
               FROM incoming i LEFT JOIN observations o USING (target_id, geography, year)
               ORDER BY i._row"""
        ).df()
    finally:
        cur.unregister("incoming")
    return ImportPlan(rows=merged, skipped=skipped, file_name=frame.attrs.get("file_name", ""))


def apply_plan(cur: duckdb.DuckDBPyConnection, plan: ImportPlan, *, file_name: str, sha256: str, user: str) -> int | None:
    """Write a plan as one batch inside the caller's transaction; the batch id, or None if nothing changed."""
    if not plan.changes_anything:
        return None
    counts = plan.counts
    batch_id = cur.execute(
        """INSERT INTO import_batches (file_name, sha256, user_name, n_added, n_revised, n_unchanged, n_skipped)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING batch_id""",
        [file_name, sha256, user, counts["added"], counts["revised"], counts["unchanged"], counts["skipped"]],
    ).fetchall()[0][0]
    changed = plan.rows.loc[plan.rows["change"] != "unchanged",
                            ["target_id", "geography", "year", "value", "data_class", "source", "note",
                             "series_break", "change"]]
    cur.register("changed", changed)
    try:
        cur.execute(
            """INSERT INTO observation_history (target_id, geography, year, value, data_class, source, note,
                                                series_break, batch_id, superseded_by, reason)
               SELECT o.target_id, o.geography, o.year, o.value, o.data_class, o.source, o.note,
                      o.series_break, o.batch_id, ?, 'revised'
               FROM observations o JOIN changed c USING (target_id, geography, year)
               WHERE c.change = 'revised'""",
            [batch_id],
        )
        cur.execute(
            """INSERT INTO observations (target_id, geography, year, value, data_class, source, note,
                                         series_break, batch_id)
               SELECT target_id, geography, year, value, data_class, source, note, series_break, ?
               FROM changed
               ON CONFLICT (target_id, geography, year) DO UPDATE SET
                   value = excluded.value, data_class = excluded.data_class, source = excluded.source,
                   note = excluded.note, series_break = excluded.series_break, batch_id = excluded.batch_id""",
            [batch_id],
        )
    finally:
        cur.unregister("changed")
    return int(batch_id)


@dataclass
class ImportResult:
    """The outcome of an import or dry run, for the command line and the Upload page."""

    plan: ImportPlan
    batch_id: int | None
    dry_run: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "dry_run": self.dry_run,
            "batch_id": self.batch_id,
            "counts": self.plan.counts,
            "revised": [
                {"target_id": r.target_id, "geography": r.geography, "year": int(r.year),
                 "old_value": float(r.old_value), "new_value": float(r.value)}
                for r in self.plan.revisions().itertuples()
            ],
            "warnings": [p.as_dict() for p in self.plan.skipped],
        }


def import_observations(store: Store, path: Path | str, actor: Actor, *, dry_run: bool = False) -> ImportResult:
    """Validate a file and, unless ``dry_run``, commit it as one batch (atomic)."""
    frame = read_observations_csv(path)
    digest = sha256_file(path)
    if dry_run:
        with store.read() as cur:
            plan = plan_observations(cur, frame)
        return ImportResult(plan=plan, batch_id=None, dry_run=True)
    with store.write(actor, "import_observations") as cur:
        plan = plan_observations(cur, frame)
        batch_id = apply_plan(cur, plan, file_name=Path(path).name, sha256=digest, user=actor.name)
    return ImportResult(plan=plan, batch_id=batch_id, dry_run=False)


def undo_batch(store: Store, batch_id: int, actor: Actor) -> dict[str, int]:
    """Undo a committed batch: remove what it added, restore what it revised.

    Refused, with nothing changed, when the batch is unknown, already undone, or a later
    batch has since revised some of its values (undo that one first).
    """
    with store.write(actor, "undo_batch") as cur:
        found = cur.execute("SELECT state, undone_at, file_name FROM import_batches WHERE batch_id = ?",
                            [batch_id]).fetchall()
        batch = found[0] if found else None
        if batch is None:
            raise MalsporError(f"There is no import batch {batch_id}. List them with 'python -m metrics batches'.")
        if batch[0] == "undone":
            raise MalsporError(f"Batch {batch_id} ({batch[2]}) was already undone at {batch[1]:%Y-%m-%d %H:%M}.")
        later = cur.execute(
            """SELECT h.superseded_by, count(*) FROM observation_history h
               JOIN import_batches b ON b.batch_id = h.superseded_by
               WHERE h.batch_id = ? AND h.reason = 'revised' AND b.state = 'committed'
               GROUP BY 1 ORDER BY 1""",
            [batch_id],
        ).fetchall()
        if later:
            which = ", ".join(f"batch {b} ({n} values)" for b, n in later)
            raise MalsporError(f"Batch {batch_id} cannot be undone: {which} later revised its values. "
                               "Undo the later batch first.")
        removed = cur.execute(
            """INSERT INTO observation_history (target_id, geography, year, value, data_class, source, note,
                                                series_break, batch_id, superseded_by, reason)
               SELECT target_id, geography, year, value, data_class, source, note, series_break, batch_id, ?, 'undone'
               FROM observations WHERE batch_id = ?""",
            [batch_id, batch_id],
        ).fetchall()[0][0]
        cur.execute("DELETE FROM observations WHERE batch_id = ?", [batch_id])
        restored = cur.execute(
            """INSERT INTO observations (target_id, geography, year, value, data_class, source, note,
                                         series_break, batch_id)
               SELECT target_id, geography, year, value, data_class, source, note, series_break, batch_id
               FROM observation_history WHERE superseded_by = ? AND reason = 'revised'""",
            [batch_id],
        ).fetchall()[0][0]
        cur.execute(
            "UPDATE import_batches SET state = 'undone', undone_at = current_localtimestamp(), undone_by = ? "
            "WHERE batch_id = ?",
            [actor.name, batch_id],
        )
    return {"removed": int(removed) - int(restored), "restored": int(restored)}


# ---------------------------------------------------------------------- targets
def validate_targets(cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> pd.DataFrame:
    """Check target definitions; return them typed, or raise ValidationError with every problem."""
    problems = _missing_columns(frame, TARGET_REQUIRED)
    if problems:
        raise ValidationError(problems)
    if frame.empty:
        raise ValidationError([Problem(None, None, None, "The file has a header but no targets.")])
    focus = dict(cur.execute("SELECT focus_area_id, theme_id FROM focus_areas").fetchall())
    cols = set(frame.columns)
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}

    def get(rec: dict[str, str], col: str) -> str:
        return rec.get(col, "") if col in cols else ""

    for rec in frame.to_dict("records"):
        row = int(rec["_row"])
        errs: list[Problem] = []

        def num(col: str, *, integer: bool = False, required: bool = False) -> float | int | None:
            text = get(rec, col)
            if text == "":
                if required:
                    errs.append(Problem(row, col, text, "Required: fill in a number."))
                return None
            try:
                value = parse_year(text) if integer and col.endswith("_year") else parse_number(text)
                if integer and not float(value).is_integer():
                    raise ValueError
                return int(value) if integer else value
            except ValueError:
                what = f"a whole year from {MIN_YEAR} to {MAX_YEAR}" if col.endswith("_year") else (
                    "a whole number" if integer else "a number with a decimal point")
                errs.append(Problem(row, col, text, f"Write {what}."))
                return None

        tid = rec["target_id"]
        if not tid or not tid.replace("_", "").isalnum() or not tid[0].isalpha() or tid != tid.lower():
            errs.append(Problem(row, "target_id", tid, "Use a readable slug of lower-case letters, digits and _, "
                                                      "starting with a letter (e.g. eud_share)."))
        elif tid in seen:
            errs.append(Problem(row, "target_id", tid, f"The target already appears in row {seen[tid]}; keep one."))
        seen.setdefault(tid, row)
        fa = rec["focus_area_id"]
        if fa not in focus:
            errs.append(Problem(row, "focus_area_id", fa, f"Unknown focus area. {closest(fa, list(focus))}"))
        elif get(rec, "theme_id") and get(rec, "theme_id") != focus[fa]:
            errs.append(Problem(row, "theme_id", get(rec, "theme_id"),
                                f"The focus area '{fa}' belongs to the theme '{focus[fa]}'."))
        for col in ("name_da", "name_en", "unit", "source"):
            if not rec[col]:
                errs.append(Problem(row, col, "", "Required: fill it in."))
        kind = rec["kind"].lower()
        if kind not in KINDS:
            errs.append(Problem(row, "kind", rec["kind"], "The kind must be level, relative or none."))
        direction = rec["direction"].lower()
        if direction not in DIRECTIONS:
            errs.append(Problem(row, "direction", rec["direction"], "The direction must be increase or decrease."))
        data_class = (get(rec, "baseline_data_class") or "R").upper()
        if data_class not in DATA_CLASSES:
            errs.append(Problem(row, "baseline_data_class", data_class, "Write R, D or I."))
        b_year = num("baseline_year", integer=True, required=True)
        b_val = num("baseline_value", required=True)
        t_year = num("target_year", integer=True)
        t_val = num("target_value")
        lo, hi = num("lower_bound"), num("upper_bound")
        window = num("trend_window", integer=True)
        sort_order = num("sort_order", integer=True)
        if window is not None and not 1 <= window <= 50:
            errs.append(Problem(row, "trend_window", get(rec, "trend_window"), "The trend window is 1 to 50 years."))
        if not errs:
            errs.extend(_check_target_logic(row, kind, direction, b_year, b_val, t_year, t_val, lo, hi))
        if errs:
            problems.extend(errs)
            continue
        out.append({
            "target_id": tid, "focus_area_id": fa, "sort_order": sort_order or 0,
            "name_da": rec["name_da"], "name_en": rec["name_en"],
            "description_da": get(rec, "description_da") or None, "description_en": get(rec, "description_en") or None,
            "unit": rec["unit"], "unit_en": get(rec, "unit_en") or None, "kind": kind,
            "geography": get(rec, "geography") or "Region Hovedstaden",
            "baseline_year": b_year, "baseline_value": b_val, "baseline_data_class": data_class,
            "target_year": t_year, "target_value": t_val, "direction": direction,
            "lower_bound": lo, "upper_bound": hi, "trend_window": window or 5,
            "source": rec["source"], "note": get(rec, "note") or None, "_row": row,
        })
    typed = pd.DataFrame(out)
    if not problems:
        problems.extend(_target_conflicts_with_data(cur, typed))
    if problems:
        raise ValidationError(sorted(problems, key=lambda p: (p.row or 0)))
    return typed


def _check_target_logic(row: int, kind: str, direction: str, b_year: int, b_val: float,
                        t_year: int | None, t_val: float | None, lo: float | None, hi: float | None) -> list[Problem]:
    errs: list[Problem] = []
    if kind == "none":
        if t_year is not None or t_val is not None:
            errs.append(Problem(row, "target_value", None, "A monitored indicator (kind none) has no target "
                                                           "year or value: leave them empty, or choose level/relative."))
    else:
        if t_year is None or t_val is None:
            errs.append(Problem(row, "target_year" if t_year is None else "target_value", "",
                                "A target needs both a target year and a target value."))
        elif t_year <= b_year:
            errs.append(Problem(row, "target_year", str(t_year),
                                f"The target year must come after the baseline year {b_year}."))
        else:
            absolute = b_val * (1 + t_val / 100) if kind == "relative" else t_val
            if kind == "relative" and t_val <= -100:
                errs.append(Problem(row, "target_value", f"{t_val:g}", "A relative change cannot be -100 % or less."))
            sign = 1 if direction == "increase" else -1
            if sign * (absolute - b_val) <= 0:
                errs.append(Problem(row, "direction", direction,
                                    f"The direction '{direction}' does not fit a move from {b_val:g} to {absolute:g}. "
                                    "Swap the direction or correct the values."))
            if (lo is not None and absolute < lo) or (hi is not None and absolute > hi):
                errs.append(Problem(row, "target_value", f"{t_val:g}",
                                    f"The target {absolute:g} lies outside the bounds {_fmt_bounds(lo, hi)}."))
    if lo is not None and hi is not None and lo >= hi:
        errs.append(Problem(row, "lower_bound", f"{lo:g}", "The lower bound must be below the upper bound."))
    elif (lo is not None and b_val < lo) or (hi is not None and b_val > hi):
        errs.append(Problem(row, "baseline_value", f"{b_val:g}",
                            f"The baseline lies outside the bounds {_fmt_bounds(lo, hi)}."))
    return errs


def _target_conflicts_with_data(cur: duckdb.DuckDBPyConnection, typed: pd.DataFrame) -> list[Problem]:
    """Stored observations that the new definitions would contradict (baseline, bounds)."""
    cur.register("incoming_targets", typed)
    try:
        rows = cur.execute(
            """SELECT t._row, t.target_id, o.geography, o.year, o.value,
                      (o.geography = t.geography AND o.year = t.baseline_year
                       AND abs(o.value - t.baseline_value) > 1e-9) AS baseline_conflict
               FROM incoming_targets t JOIN observations o USING (target_id)
               WHERE (o.geography = t.geography AND o.year = t.baseline_year AND abs(o.value - t.baseline_value) > 1e-9)
                  OR (t.lower_bound IS NOT NULL AND o.value < t.lower_bound)
                  OR (t.upper_bound IS NOT NULL AND o.value > t.upper_bound)
               ORDER BY t._row, o.geography, o.year"""
        ).fetchall()
    finally:
        cur.unregister("incoming_targets")
    problems = []
    for row, tid, geo, year, value, baseline_conflict in rows[:MAX_PROBLEMS]:
        if baseline_conflict:
            problems.append(Problem(row, "baseline_value", None,
                                    f"{tid}: the stored observation for {geo} in {year} is {value:g}; the baseline "
                                    "must agree with it. Correct the baseline or the observation."))
        else:
            problems.append(Problem(row, "lower_bound", None,
                                    f"{tid}: the stored observation for {geo} in {year} ({value:g}) lies outside "
                                    "the new bounds."))
    return problems


def apply_targets(cur: duckdb.DuckDBPyConnection, typed: pd.DataFrame) -> dict[str, int]:
    """Insert or update target definitions inside the caller's transaction."""
    existing = {r[0] for r in cur.execute("SELECT target_id FROM targets").fetchall()}
    frame = typed.drop(columns=["_row"])
    cur.register("incoming_targets", frame)
    try:
        definition_cols = [c for c in frame.columns if c not in ("target_id", "focus_area_id")]
        assignments = ", ".join(f"{c} = i.{c}" for c in definition_cols)
        cur.execute("UPDATE target_definitions SET " + assignments +
                    " FROM incoming_targets i WHERE target_definitions.target_id = i.target_id")
        cur.execute("INSERT INTO target_definitions BY NAME SELECT * EXCLUDE (focus_area_id) FROM incoming_targets i "
                    "WHERE i.target_id NOT IN (SELECT target_id FROM target_definitions)")
        cur.execute("DELETE FROM target_placement WHERE target_id IN (SELECT target_id FROM incoming_targets)")
        cur.execute("INSERT INTO target_placement SELECT target_id, focus_area_id FROM incoming_targets")
    finally:
        cur.unregister("incoming_targets")
    added = int((~frame["target_id"].isin(existing)).sum())
    return {"added": added, "updated": len(frame) - added}


def import_targets(store: Store, path: Path | str, actor: Actor) -> dict[str, int]:
    """Add or update target definitions from a CSV, all or nothing."""
    frame = read_targets_csv(path)
    with store.write(actor, "edit_targets") as cur:
        return apply_targets(cur, validate_targets(cur, frame))
