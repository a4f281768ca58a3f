"""The check: every row of a file typed and checked, and compared with the stored observations,
in one DuckDB query; each problem made a coded :class:`Problem` naming row, column and text.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Collection
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from metrics.ingest.fields import COLUMN_ALIASES, FALSE_WORDS, OBSERVATION_OPTIONAL, OBSERVATION_REQUIRED, TRUE_WORDS
from metrics.ingest.limits import _POOL, MAX_PROBLEMS, MAX_WARNINGS, _problem
from metrics.ingest.numbers import (
    _NUM_TEXT_CAREFUL,
    _VALUE_CAREFUL,
    GROUP_RE,
    MISSING_MARKERS,
    NUMBER_RE,
    YEAR_RE,
    _decide_decimal,
    _plain_numbers,
)
from metrics.ingest.table import ReadInfo
from metrics.model import MAX_YEAR, MIN_YEAR, Problem

VALUE_TOLERANCE = 1e-9

def _sql_column(columns: Collection[str], name: str, default: str = "''") -> str:
    """A column of the incoming table (``columns``: its names) in SQL, or a constant when the file lacks it
    (names are ours, not user text)."""
    return f'"{name}"' if name in columns else default


def _one_of(column: str, words: tuple[str, ...]) -> str:
    """SQL: the cell is one of ``words`` (our constants, inlined), in any case.

    Only a short cell whose first letter starts a word can be one, so ``lower()`` runs on few
    cells. Written with ``=`` and ``OR`` and a string search, never ``IN`` or a list, which DuckDB
    turns into a join over every row. (Eight such tests took 0.5 s on a million rows.)
    """
    longest = max(len(w.encode()) for w in words)
    firsts = sorted({ord(c) for w in words if w for c in (w[0].lower(), w[0].upper())})
    first = "(" + " OR ".join(f"ascii({column}) = {code}" for code in firsts) + ")"
    empty = f"WHEN {column} = '' THEN {'true' if '' in words else 'false'} "
    haystack = "\x1f" + "\x1f".join(w for w in words if w) + "\x1f"
    literal = "'" + haystack.replace("'", "''") + "'"
    return (f"(CASE {empty}WHEN strlen({column}) <= {longest} AND {first}"
            f" THEN contains({literal}, chr(31) || lower({column}) || chr(31)) ELSE false END)")


def _missing(column: str) -> str:
    """SQL: the cell is a missing marker (empty, ``..``, ``-``, ``n/a`` ...)."""
    return _one_of(column, MISSING_MARKERS)


_CHECK_SQL = """
WITH src AS (
    SELECT _row::BIGINT AS _row, {ord} AS _ord, {target_id} AS target_text, {year} AS year_text,
           {value} AS value_text, {geography} AS geo_text, {source} AS source_text,
           {note_da} AS note_da_text, {note_en} AS note_en_text,
           {data_class} AS class_text, {series_break} AS break_text, {typed} AS value_typed, {value_col} AS value_col
    FROM _ingest_incoming
),
known_geo AS (
    SELECT lower(geography) AS geo_key, min(geography) AS known_geography
    FROM (SELECT geography FROM target_definitions UNION SELECT DISTINCT geography FROM observations)
    GROUP BY 1
),
p AS (
    SELECT s.*, t.target_id, t.geography AS target_geography, t.baseline_year, t.baseline_value,
           t.lower_bound, t.upper_bound, t.unit,
           {target_missing} AS target_missing, {year_missing} AS year_missing, {value_missing} AS value_missing,
           {class_missing} AS class_missing, {source_missing} AS source_missing,
           {note_da_missing} AS note_da_missing, {note_en_missing} AS note_en_missing,
           {break_missing} AS break_missing,
           {has_percent} AS has_percent,
           {num_text} AS num_text,
           CASE WHEN NOT {geo_missing} THEN s.geo_text END AS geo_given
    FROM src s LEFT JOIN targets t ON t.target_id = lower(s.target_text)
),
typed AS (
    SELECT p.*,
        CASE WHEN strlen(p.year_text) = 4 AND p.year_text GLOB '[0-9][0-9][0-9][0-9]' THEN p.year_text::INTEGER
             WHEN regexp_full_match(p.year_text, '{year_re}')
             THEN TRY_CAST(regexp_extract(p.year_text, '^[+-]?[0-9]+') AS INTEGER) END AS year,
        {value_expr} AS value,
        coalesce(k.known_geography, p.geo_given, p.target_geography) AS geography,
        p.geo_given IS NOT NULL AND k.known_geography IS NULL AS new_geography,
        CASE WHEN p.class_missing THEN 'R' ELSE upper(p.class_text) END AS data_class,
        CASE WHEN p.source_missing THEN $default_source ELSE p.source_text END AS source,
        CASE WHEN NOT p.note_da_missing THEN p.note_da_text END AS note_da,
        CASE WHEN NOT p.note_en_missing THEN p.note_en_text END AS note_en,
        CASE WHEN p.break_missing OR {break_false} THEN false
             WHEN {break_true} THEN true END AS series_break
    FROM p LEFT JOIN known_geo k ON k.geo_key = lower(p.geo_given)
),
coded AS (
    SELECT *,
        CASE
            WHEN target_missing AND value_missing THEN CASE WHEN year_missing THEN 'skip_blank' ELSE 'skip_missing' END
            WHEN target_missing THEN 'target_missing'
            WHEN target_id IS NULL THEN 'unknown_target'
            WHEN value_missing THEN 'skip_missing'
            WHEN year IS NULL OR year NOT BETWEEN {min_year} AND {max_year} THEN 'bad_year'
            WHEN value IS NULL OR NOT isfinite(value) THEN 'value_not_number'
            WHEN has_percent AND unit <> '%' THEN 'percent_unit'
            WHEN value < lower_bound OR value > upper_bound THEN 'out_of_bounds'
            WHEN data_class NOT IN ('R', 'D', 'I') THEN 'bad_data_class'
            WHEN series_break IS NULL THEN 'bad_series_break'
            WHEN geography = target_geography AND year = baseline_year
                 AND abs(value - baseline_value) > $tol THEN 'baseline_conflict'
        END AS code
    FROM typed
)
SELECT c._row, c._ord, c.target_id, c.geography, c.year, c.value, c.data_class, c.source, c.note_da, c.note_en, c.series_break,
       c.new_geography, c.code,
       CASE WHEN c.code IS NOT NULL THEN c.value_text END AS value_text,
       CASE WHEN c.code IS NOT NULL THEN c.value_col END AS value_col,
       CASE WHEN c.code IS NOT NULL THEN c.target_text END AS target_text,
       CASE WHEN c.code IS NOT NULL THEN c.year_text END AS year_text,
       CASE WHEN c.code IS NOT NULL THEN c.class_text END AS class_text,
       CASE WHEN c.code IS NOT NULL THEN c.break_text END AS break_text,
       NULL::BIGINT AS first_row, NULL::DOUBLE AS first_value,
       o.value AS old_value, o.data_class AS old_data_class, o.series_break AS old_series_break,
       CASE WHEN c.code IS NOT NULL THEN NULL
            WHEN o.target_id IS NULL THEN 'added'
            WHEN abs(o.value - c.value) <= $tol
                 AND (c.class_missing OR o.data_class = c.data_class)
                 AND (c.source_missing OR o.source_hash = hash(c.source))
                 AND (c.note_da_missing OR o.note_da_hash = hash(c.note_da))
                 AND (c.note_en_missing OR o.note_en_hash = hash(c.note_en))
                 AND (c.break_missing OR o.series_break = c.series_break) THEN 'unchanged'
            ELSE 'revised' END AS change,
       -- a key for the test for repeated keys; a row that is not a good one gets one of its own
       CASE WHEN c.code IS NULL THEN hash(c.target_id, c.geography, c.year) ELSE hash(c._row, c._ord, 'row') END
           AS _key
FROM coded c
-- sources and notes are compared by hash: the join's table of stored rows stays small
LEFT JOIN (SELECT target_id, geography, year, value, data_class, series_break,
                  hash(source) AS source_hash, hash(note_da) AS note_da_hash,
                  hash(note_en) AS note_en_hash FROM observations) o
     ON c.code IS NULL AND o.target_id = c.target_id AND o.geography = c.geography AND o.year = c.year
"""

# The careful reading of a value cell: a typed workbook cell, the number pattern of the file's


#: Every spelling of a missing marker the case-blind test in SQL accepts ("NA", "Na", "N/A" ...).
_MARKER_SPELLINGS = pa.array(sorted({"".join(chars) for marker in MISSING_MARKERS for chars in itertools.product(
    *[(c.lower(), c.upper()) if c.isalpha() else (c,) for c in marker])}), pa.string())
_MARKER_BYTES = max(len(m.encode()) for m in MISSING_MARKERS)
#: Incoming column of each field, as the check names it.
_FIELD_TEXT = {"target_id": "target_text", "year": "year_text", "value": "value_text", "geography": "geo_text",
               "source": "source_text", "note_da": "note_da_text", "note_en": "note_en_text", "data_class": "class_text",
               "series_break": "break_text"}


def _may_hold_marker(column: pa.ChunkedArray) -> bool:
    """False only when no cell of the column is a missing marker (then the check skips the test)."""
    if not pa.types.is_string(column.type):
        return True
    shortest = pc.min(pc.binary_length(column)).as_py()
    if shortest is None or shortest > _MARKER_BYTES:  # every marker is short: most columns end here
        return shortest is None
    return bool(pc.any(pc.is_in(column, value_set=_MARKER_SPELLINGS)).as_py())


# The same target, geography and year twice: a different value is an error, the same one a warning.
_DUPLICATES_SQL = """
SELECT c._row, c._ord,
       CASE WHEN abs(c.value - d.first_value) > $tol THEN 'duplicate_key' ELSE 'duplicate_same' END AS dup_code,
       d.first_row, d.first_value
FROM _ingest_checked c
JOIN (SELECT target_id, geography, year, min(_row) AS first_row, arg_min(value, _row) AS first_value
      FROM _ingest_checked WHERE code IS NULL GROUP BY ALL HAVING count(*) > 1) AS d
  ON c.target_id = d.target_id AND c.geography = d.geography AND c.year = d.year
WHERE c.code IS NULL AND c._row > d.first_row
"""

_PATCH_DUPLICATES_SQL = """
SELECT c.* REPLACE (coalesce(d.dup_code, c.code) AS code, coalesce(d.first_row, c.first_row) AS first_row,
                    coalesce(d.first_value, c.first_value) AS first_value,
                    coalesce(d.value_text, c.value_text) AS value_text,
                    coalesce(d.value_col, c.value_col) AS value_col,
                    CASE WHEN d.dup_code IS NULL THEN c.change END AS change)
FROM _ingest_checked c LEFT JOIN (
    SELECT d.*, i."value" AS value_text, {value_col} AS value_col
    FROM _ingest_duplicates d JOIN _ingest_incoming i ON i._row = d._row AND {ord} = d._ord
) d ON d._row = c._row AND d._ord = c._ord
"""


def _check(cur: duckdb.DuckDBPyConnection, info: ReadInfo, incoming: pa.Table) -> pa.Table:
    """Type and check every row and compare it with the stored observations, in one query.

    Returns an Arrow table with one row per file row: the typed fields, ``code`` (None for a
    good row, else what is wrong or why it is skipped) and, for good rows, the stored values
    and ``change`` (added, revised, unchanged). It is registered as ``_ingest_checked``.

    Tests a whole column can be spared are left out of the query: the missing-marker test of a
    column without a marker, the careful number reading of a column of plain numbers (``13.4``
    or ``13,4`` by the file's decimal mark). The columns are looked at first (beside the decimal
    decision); the result is the same, a million rows are checked in two thirds of the time.
    """
    present = [name for name in _FIELD_TEXT if name in incoming.column_names]
    markers = {name: _POOL.submit(_may_hold_marker, incoming[name]) for name in present}
    plain = (_POOL.submit(_plain_numbers, incoming["value"], info.default_decimal)
             if "_value_typed" not in incoming.column_names else None)
    names = incoming.column_names
    info.decimal = _decide_decimal(cur, names, info.default_decimal)
    plain_values = plain is not None and plain.result() and info.decimal == info.default_decimal

    def missing(name: str) -> str:
        if name in markers and not markers[name].result():
            return "false"
        return _missing("s." + _FIELD_TEXT[name])

    columns = {name: _sql_column(names, name) for name in OBSERVATION_OPTIONAL}
    sql = _CHECK_SQL.format(
        ord=_sql_column(names, "_ord", "0"), target_id='"target_id"', year='"year"', value='"value"',
        typed=_sql_column(names, "_value_typed", "false"), value_col=_sql_column(names, "_value_col", "NULL::VARCHAR"),
        target_missing=missing("target_id"), year_missing=missing("year"),
        value_missing=missing("value"), class_missing=missing("data_class"),
        source_missing=missing("source"), note_da_missing=missing("note_da"),
        note_en_missing=missing("note_en"),
        break_missing=missing("series_break"), geo_missing=missing("geography"),
        break_false=_one_of("p.break_text", FALSE_WORDS), break_true=_one_of("p.break_text", TRUE_WORDS),
        has_percent="false" if plain_values else "suffix(s.value_text, '%')",
        num_text="s.value_text" if plain_values else _NUM_TEXT_CAREFUL,
        value_expr=(("TRY_CAST(p.value_text AS DOUBLE)" if info.decimal == "." else
                     "TRY_CAST(replace(p.value_text, ',', '.') AS DOUBLE)") if plain_values else _VALUE_CAREFUL),
        min_year=MIN_YEAR, max_year=MAX_YEAR, year_re=YEAR_RE, **columns,
    )
    params: dict[str, Any] = {"default_source": f"Import: {info.file_name}", "tol": VALUE_TOLERANCE}
    if not plain_values:  # DuckDB refuses parameters a query does not use
        params |= {"number_re": NUMBER_RE[info.decimal], "group_re": GROUP_RE[info.decimal], "decimal": info.decimal}
    checked = _arrow(cur, sql, params)
    cur.register("_ingest_checked", checked)
    # A cheap test first (the hash of each key, made by the check); the exact grouping only when
    # some key may repeat (or two hashes collide, which only costs that grouping).
    keys = checked["_key"].combine_chunks().to_numpy(zero_copy_only=False)
    repeats = bool(pd.Series(keys, copy=False).duplicated().any())
    if repeats:
        duplicates = _arrow(cur, _DUPLICATES_SQL, {"tol": VALUE_TOLERANCE})
        if duplicates.num_rows:
            cur.register("_ingest_duplicates", duplicates)
            try:
                checked = _arrow(cur, _PATCH_DUPLICATES_SQL.format(
                    value_col=_sql_column(names, "_value_col", "NULL::VARCHAR").replace('"_value_col"', 'i."_value_col"'),
                    ord=_sql_column(names, "_ord", "0").replace('"_ord"', 'i."_ord"')), {})
            finally:
                cur.unregister("_ingest_duplicates")
            cur.register("_ingest_checked", checked)
    return checked


def _row_problems(cur: duckdb.DuckDBPyConnection, info: ReadInfo, *, warnings: bool) -> tuple[list[Problem], int]:
    """Problems (or, with ``warnings``, skipped rows) of the checked rows, capped, and their total."""
    where = ("c.code IN ('skip_blank', 'skip_missing', 'duplicate_same')" if warnings else
             "c.code IS NOT NULL AND c.code NOT IN ('skip_blank', 'skip_missing', 'duplicate_same')")
    limit = MAX_WARNINGS if warnings else MAX_PROBLEMS
    total = cur.execute("SELECT count(*) FROM _ingest_checked c WHERE " + where).fetchall()[0][0]
    if not total:
        return [], 0
    found = cur.execute(
        "SELECT c._row AS row_number, c.code, c.target_text, c.year_text, c.value_text, c.value_col, c.class_text,"
        "       c.break_text, c.target_id, c.geography, c.year, c.value, c.first_row, c.first_value,"
        "       t.lower_bound, t.upper_bound, t.unit, t.baseline_value"
        " FROM _ingest_checked c LEFT JOIN targets t ON t.target_id = c.target_id"
        " WHERE " + where + " ORDER BY c._row, c._ord LIMIT ?",
        [limit],
    ).df()
    known = [r[0] for r in cur.execute("SELECT target_id FROM targets ORDER BY target_id").fetchall()]
    problems = [_row_problem(r, info, known) for r in found.itertuples(index=False)]
    if total > limit:
        problems.append(_problem(None, None, None, "more_warnings" if warnings else "too_many", count=total - limit))
    return problems, int(total)


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _row_problem(r: Any, info: ReadInfo, known: list[str]) -> Problem:
    """One Problem from a checked row: the column as the file names it, the offending text, what to do."""
    code, row = r.code, int(r.row_number)
    value_column = r.value_col if isinstance(r.value_col, str) else info.header("value")
    if code in ("skip_missing", "skip_blank"):
        return _problem(row, None if code == "skip_blank" else value_column, r.value_text, code)
    if code == "duplicate_same":
        return _problem(row, value_column, r.value_text, code, first_row=int(r.first_row))
    if code == "target_missing":
        return _problem(row, info.header("target_id"), r.target_text, code, example=known[0] if known else "")
    if code == "unknown_target":
        close = difflib.get_close_matches(str(r.target_text).lower(), known, n=3, cutoff=0.5)
        if close:
            return _problem(row, info.header("target_id"), r.target_text, code,
                            suggestions=" / ".join(f"'{c}'" for c in close))
        shown = ", ".join(known[:12]) + ("…" if len(known) > 12 else "")
        return _problem(row, info.header("target_id"), r.target_text, "unknown_target_list", known=shown)
    if code == "bad_year":
        return _problem(row, info.header("year"), r.year_text, code)
    if code == "value_not_number":
        suffix = "comma" if info.decimal == "," else "point"
        return _problem(row, value_column, r.value_text, f"value_not_number_{suffix}")
    if code == "percent_unit":
        return _problem(row, value_column, r.value_text, code, unit=r.unit)
    if code == "out_of_bounds":
        lower, upper = _num(r.lower_bound), _num(r.upper_bound)
        return _problem(row, value_column, r.value_text, code,
                        lower=-math.inf if lower is None else lower, upper=math.inf if upper is None else upper)
    if code == "bad_data_class":
        return _problem(row, info.header("data_class"), r.class_text, code)
    if code == "bad_series_break":
        return _problem(row, info.header("series_break"), r.break_text, code)
    if code == "baseline_conflict":
        return _problem(row, value_column, r.value_text, code, baseline=_num(r.baseline_value),
                        geography=r.geography, year=int(r.year))
    if code == "duplicate_key":
        return _problem(row, value_column, r.value_text, code, target=r.target_id, geography=r.geography,
                        year=int(r.year), first_row=int(r.first_row), first_value=_num(r.first_value))
    raise AssertionError(f"unhandled check code {code}")  # every code of _CHECK_SQL is handled above


def _missing_frame_columns(columns: list[str]) -> list[Problem]:
    """The required fields a table of rows lacks (``columns``: its column names)."""
    present = set(columns)
    return [_problem(1, name, None, "missing_column", field=name, aliases=", ".join(COLUMN_ALIASES[name][:6]),
                     found=", ".join(f"'{c}'" for c in columns if not c.startswith("_")))
            for name in OBSERVATION_REQUIRED if name not in present]


def _arrow(cur: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> pa.Table:
    """A query's result as an Arrow table (no copy through pandas)."""
    return cur.sql(sql, params=params).to_arrow_table(1 << 20)  # large batches: later filters stay fast
