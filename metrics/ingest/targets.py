"""Target definition files: read as observation files are (:mod:`.read`), numbers by :mod:`.numbers`,
checked against the focus areas and the stored observations, and written in one transaction."""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from metrics import audit
from metrics.ingest.fields import TARGET_ALIASES, TARGET_REQUIRED
from metrics.ingest.limits import MAX_PROBLEMS, _problem
from metrics.ingest.numbers import decide_decimal, has_percent, parse_number, parse_year
from metrics.ingest.read import read_cells
from metrics.ingest.table import ReadResult
from metrics.model import DATA_CLASSES, DEFAULT_GEOGRAPHY, DIRECTIONS, KINDS, MAX_YEAR, MIN_YEAR, Actor, OneOf, Problem, Sentence, Term, \
    ValidationError
from metrics.store import Store

#: The columns holding decimal numbers: the file's decimal mark is decided from their cells.
DECIMAL_COLUMNS = ("baseline_value", "target_value", "lower_bound", "upper_bound")
_TYPED = "_typed_"  # prefix of a workbook's "this cell held a number" column


def read_targets_csv(path: Path | str, *, max_bytes: int | None = 1 << 40) -> ReadResult:
    """A target-definition file (the columns of ``data/targets.csv``) as text cells with a ``_row`` column.

    Read as an observation file is (:func:`~metrics.ingest.read.read_cells`): the same encodings,
    delimiters, workbooks and coded problems. Headings are compared lower-case; an older file's
    ``note`` is ``note_en`` (:data:`TARGET_ALIASES`). A workbook's number cells are marked in
    ``_typed_<column>``. No upload size limit by default (a trusted file from the command line).
    """
    raw, info = read_cells(path, max_bytes=max_bytes)
    names = [TARGET_ALIASES.get(h.lower(), h.lower()) for h in raw.header]
    # an alias gives way to the column it stands for when the file has both (as before)
    names = [h.lower() if n != h.lower() and n in [x.lower() for x in raw.header] else n
             for h, n in zip(raw.header, names)]
    problems = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            problems.append(_problem(raw.header_row, raw.header[i], None, "duplicate_column", field=name,
                                     headers=f"'{raw.header[seen[name]]}' ({raw.letter(seen[name])}), "
                                             f"'{raw.header[i]}' ({raw.letter(i)})"))
        seen.setdefault(name, i)
    if problems:
        raise ValidationError(problems)
    columns: dict[str, Any] = {"_row": raw.rows}
    for i, name in enumerate(names):
        columns[name] = raw.columns[i]
        if i in raw.typed:
            columns[_TYPED + name] = raw.typed[i]
    return ReadResult(pa.table(columns), info)


def closest(word: str, choices: list[str]) -> Sentence:
    """'Did you mean' text for an unknown identifier (English as a str, the reader's with ``for_lang``)."""
    close = difflib.get_close_matches(word.lower(), choices, n=3, cutoff=0.5)
    if close:
        return Sentence("problem.did_you_mean", choices=OneOf(f"'{c}'" for c in close))
    return Sentence("problem.known_ids", ids=", ".join(sorted(choices)[:12]) + ("…" if len(choices) > 12 else ""))


def _missing_columns(frame: pd.DataFrame, required: tuple[str, ...]) -> list[Problem]:
    present = set(frame.columns)
    return [
        Problem(1, col, None, code="target_column_missing", params={
                "column": col, "found": [c for c in frame.columns if c != "_row"] or Term("problem.no_columns")})
        for col in required
        if col not in present
    ]


def _bounds(lo: float | None, hi: float | None) -> dict[str, float]:
    """The bounds as message parameters ``lower`` and ``upper``; a missing bound is infinite."""
    return {"lower": float(lo) if pd.notna(lo) else -math.inf, "upper": float(hi) if pd.notna(hi) else math.inf}


# ---------------------------------------------------------------------- targets
def validate_targets(cur: duckdb.DuckDBPyConnection, rows: ReadResult | pd.DataFrame) -> pd.DataFrame:
    """Check target definitions; return them typed, or raise ValidationError with every problem.

    ``rows`` is what :func:`read_targets_csv` returned, or a frame of text cells with a ``_row``
    column (then numbers are written with a decimal point). Numbers are read as in an observation
    file (:func:`~metrics.ingest.numbers.parse_number`), by the decimal mark the file uses.
    """
    if isinstance(rows, ReadResult):
        frame = rows.table.to_pandas(types_mapper=pd.ArrowDtype).astype(object)
        default = rows.info.default_decimal
    else:
        frame, default = rows, "."
    problems = _missing_columns(frame, TARGET_REQUIRED)
    if problems:
        raise ValidationError(problems)
    if frame.empty:
        raise ValidationError([Problem(None, None, None, code="targets_none")])
    typed_columns = {c[len(_TYPED):] for c in frame.columns if c.startswith(_TYPED)}
    decimal = decide_decimal((text for col in DECIMAL_COLUMNS if col in frame.columns
                              for text, typed in zip(frame[col], frame.get(_TYPED + col, [False] * len(frame)))
                              if not typed), default)
    if isinstance(rows, ReadResult):
        rows.info.decimal = decimal
    focus = dict(cur.execute("SELECT focus_area_id, theme_id FROM focus_areas").fetchall())
    cols = set(frame.columns)
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}

    def get(rec: dict[str, Any], col: str) -> str:
        return rec.get(col, "") if col in cols else ""

    for rec in frame.to_dict("records"):
        row = int(rec["_row"])
        errs: list[Problem] = []

        def num(col: str, *, integer: bool = False, required: bool = False) -> float | int | None:
            text = get(rec, col)
            if text == "":
                if required:
                    errs.append(Problem(row, col, text, code="number_required"))
                return None
            typed = col in typed_columns and bool(rec[_TYPED + col])
            try:
                if integer and col.endswith("_year"):
                    return parse_year(text)
                value = parse_number(text, decimal, typed=typed)
            except ValueError:
                errs.append(Problem(row, col, text, params={"min": MIN_YEAR, "max": MAX_YEAR}, code=(
                    "write_year" if col.endswith("_year") else "write_integer" if integer
                    else "value_not_number_comma" if decimal == "," else "value_not_number_point")))
                return None
            if integer and not value.is_integer():
                errs.append(Problem(row, col, text, params={"min": MIN_YEAR, "max": MAX_YEAR}, code="write_integer"))
                return None
            if has_percent(text) and get(rec, "unit") != "%":
                errs.append(Problem(row, col, text, code="percent_unit", params={"unit": get(rec, "unit")}))
                return None
            return int(value) if integer else value

        tid = rec["target_id"]
        if not tid or not tid.replace("_", "").isalnum() or not tid[0].isalpha() or tid != tid.lower():
            errs.append(Problem(row, "target_id", tid, code="target_id_invalid"))
        elif tid in seen:
            errs.append(Problem(row, "target_id", tid, code="target_id_duplicate", params={"row": seen[tid]}))
        seen.setdefault(tid, row)
        fa = rec["focus_area_id"]
        if fa not in focus:
            errs.append(Problem(row, "focus_area_id", fa, code="focus_area_unknown", params={"hint": closest(fa, list(focus))}))
        elif get(rec, "theme_id") and get(rec, "theme_id") != focus[fa]:
            errs.append(Problem(row, "theme_id", get(rec, "theme_id"),
                                code="theme_mismatch", params={"focus_area": fa, "theme": focus[fa]}))
        for col in ("name_da", "name_en", "unit", "source"):
            if not rec[col]:
                errs.append(Problem(row, col, "", code="required"))
        kind = rec["kind"].lower()
        if kind not in KINDS:
            errs.append(Problem(row, "kind", rec["kind"], code="kind_invalid"))
        direction = rec["direction"].lower()
        if direction not in DIRECTIONS:
            errs.append(Problem(row, "direction", rec["direction"], code="direction_invalid"))
        data_class = (get(rec, "baseline_data_class") or "R").upper()
        if data_class not in DATA_CLASSES:
            errs.append(Problem(row, "baseline_data_class", data_class, code="data_class_invalid"))
        b_year = num("baseline_year", integer=True, required=True)
        b_val = num("baseline_value", required=True)
        t_year = num("target_year", integer=True)
        t_val = num("target_value")
        lo, hi = num("lower_bound"), num("upper_bound")
        window = num("trend_window", integer=True)
        interval = num("update_interval", integer=True)
        lag = num("publication_lag", integer=True)
        sort_order = num("sort_order", integer=True)
        if window is not None and not 1 <= window <= 50:
            errs.append(Problem(row, "trend_window", get(rec, "trend_window"), code="trend_window_invalid"))
        if interval is not None and not 1 <= interval <= 50:
            errs.append(Problem(row, "update_interval", get(rec, "update_interval"), code="update_interval_invalid"))
        if lag is not None and not 0 <= lag <= 50:
            errs.append(Problem(row, "publication_lag", get(rec, "publication_lag"), code="publication_lag_invalid"))
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
            "geography": get(rec, "geography") or DEFAULT_GEOGRAPHY,
            "baseline_year": b_year, "baseline_value": b_val, "baseline_data_class": data_class,
            "target_year": t_year, "target_value": t_val, "direction": direction,
            "lower_bound": lo, "upper_bound": hi, "trend_window": window or 5,
            "update_interval": 1 if interval is None else interval, "publication_lag": 1 if lag is None else lag,
            "short_name_da": get(rec, "short_name_da") or None, "short_name_en": get(rec, "short_name_en") or None,
            "source": rec["source"], "note_da": get(rec, "note_da") or None, "note_en": get(rec, "note_en") or None,
            "_row": row,
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
            errs.append(Problem(row, "target_value", None, code="indicator_has_target"))
    else:
        if t_year is None or t_val is None:
            errs.append(Problem(row, "target_year" if t_year is None else "target_value", "",
                                code="target_incomplete"))
        elif t_year <= b_year:
            errs.append(Problem(row, "target_year", str(t_year),
                                code="target_year_early", params={"baseline_year": b_year}))
        else:
            absolute = b_val * (1 + t_val / 100) if kind == "relative" else t_val
            if kind == "relative" and t_val <= -100:
                errs.append(Problem(row, "target_value", f"{t_val:g}", code="relative_too_low"))
            sign = 1 if direction == "increase" else -1
            if sign * (absolute - b_val) <= 0:
                errs.append(Problem(row, "direction", direction,
                                    code="direction_mismatch", params={"direction": direction, "start": b_val,
                                                                       "end": absolute}))
            if (lo is not None and absolute < lo) or (hi is not None and absolute > hi):
                errs.append(Problem(row, "target_value", f"{t_val:g}",
                                    code="target_outside_bounds", params={"target": absolute, **_bounds(lo, hi)}))
    if lo is not None and hi is not None and lo >= hi:
        errs.append(Problem(row, "lower_bound", f"{lo:g}", code="bounds_order"))
    elif (lo is not None and b_val < lo) or (hi is not None and b_val > hi):
        errs.append(Problem(row, "baseline_value", f"{b_val:g}",
                            code="baseline_outside_bounds", params=_bounds(lo, hi)))
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
                                    code="target_baseline_conflict",
                                    params={"target": tid, "geography": geo, "year": year, "value": value}))
        else:
            problems.append(Problem(row, "lower_bound", None,
                                    code="observation_outside_bounds",
                                    params={"target": tid, "geography": geo, "year": year, "value": value}))
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
        typed = validate_targets(cur, frame)
        ids = typed["target_id"].tolist()
        before = cur.execute("SELECT * FROM targets WHERE list_contains(?, target_id) ORDER BY target_id",
                             [ids]).df()
        counts = apply_targets(cur, typed)
        after = cur.execute("SELECT * FROM targets WHERE list_contains(?, target_id) ORDER BY target_id",
                            [ids]).df()
        audit.record(cur, actor, "import_targets", "targets", ",".join(ids),
                     {r["target_id"]: r for r in before.to_dict("records")},
                     {r["target_id"]: r for r in after.to_dict("records")}, detail=Path(path).name)
        return counts
