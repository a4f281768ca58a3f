"""The progress engine: where each target stands, by the method of progress-methodology.md (version 2).

:func:`compute_status` judges every target and geography at once in one DuckDB query.
:func:`assess_series` is the same method written plainly for one series; it is the
reference the tests hold the query to, and the naive baseline of the benchmark.

Worked example (the EUD target, Region Hovedstaden, as of 2026): baseline 14 % in 2015,
target 30 % by 2025, observations 14 % each year 2015-2021 (illustrative), 13.4 % in 2022,
13 % in 2023 (real); update interval 1 year, publication lag 0 (the figures are out in the spring).

* The deadline 2025 has passed, but no figure for 2025 (or later) is in: the target is not
  *settled*, so it keeps its trend status, marked "deadline passed, figure for 2025 missing".
  The latest observation at or before 2025 is used: t = 2023, x_t = 13.0.  Not met: 13.0 < 30.
* Window: the earliest observation at or after t - 5 = 2018, so t0 = 2018, x_t0 = 14.0.
* Actual rate AR = CAGR(14, 13, 5) = (13/14)^(1/5) - 1 = -1.47 % a year.
* Required rate RR = CAGR(14, 30, 2025 - 2018) = (30/14)^(1/7) - 1 = +11.50 % a year.
* ratio = AR / RR = -0.128 < 0, so the status is **moving_away**.
* *Provisional*: the window's first value (2018, 14 %) is illustrative, so the status rests on a
  number nobody measured.
* *Stale*: 2026 - 2023 = 3 > interval 1 + lag 0; the next figure was expected by 2024.
* Projection from the latest value: the least-squares slope through 2018-2023 is
  -3.4 / 17.5 = -0.194 a year, so x_hat(2025) = 13 - 0.194 * 2 = 12.61 %; the line starts at
  (2023, 13) and never reaches 30, so there is no year met.
* gap = 30 - 13 = 17 points; distance covered = (13 - 14)/(30 - 14) = -0.0625;
  time elapsed = (2023 - 2015)/(2025 - 2015) = 0.8.
* Had 2025 been measured at 20 %, the target would be *settled*: **not_met** (20 < 30), whatever
  the trend; at 30 % or more, **met**.

Why over 500 lines: the one status query and its plain reference must be read side by side
(the tests hold one to the other), with the worked example above; the rest is the
"status with these rows replaced" view that the import preview and the overview share.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from metrics.model import MODERATE_RATIO, ON_TRACK_RATIO, TARGET_STATUSES, TREND_STATUSES, TREND_THRESHOLD

#: Tolerance for "the latest value meets the target", so 18537.6 == 15448 * 1.2 counts as met.
MET_TOLERANCE = 1e-9
#: The projection looks no further than this for the year a target would be met.
PROJECTION_HORIZON = 2100

#: Columns of the status table, in the order the command line prints them.
STATUS_COLUMNS = [
    "target_id", "theme", "focus_area_id", "name_da", "name_en", "short_name_da", "short_name_en", "unit", "unit_en", "kind", "direction",
    "geography", "is_primary_geography", "baseline_year", "baseline_value", "target_year", "target_value",
    "target_value_definition", "as_of", "latest_year", "latest_value", "window_start", "window_start_value",
    "n_window", "trend_slope", "break_year", "gap", "distance_covered", "time_elapsed", "actual_rate",
    "required_rate", "ratio", "method", "status", "reason", "settled", "provisional", "stale", "next_expected_year",
    "linear_pace_ratio", "required_pace_linear", "required_pace_compound",
    "projected_value", "projected_year_met", "data_class", "has_illustrative", "deadline_passed", "trend_window",
    "update_interval", "publication_lag", "lower_bound", "upper_bound",
]

#: JSON keys promised by the command line (issue: foundation, item 5).
JSON_KEYS = [
    "target_id", "theme", "name_da", "name_en", "unit", "kind", "direction", "geography", "baseline_year",
    "baseline_value", "target_year", "target_value", "latest_year", "latest_value", "gap", "distance_covered",
    "time_elapsed", "actual_rate", "required_rate", "ratio", "method", "status", "linear_pace_ratio",
    "projected_value", "projected_year_met", "data_class", "deadline_passed", "settled", "provisional", "stale",
    "next_expected_year",
]


def current_year() -> int:
    return _dt.date.today().year


_STATUS_SQL = """
WITH
tg AS (
    SELECT t.*, f.theme_id AS theme, CASE WHEN t.direction = 'increase' THEN 1 ELSE -1 END AS d,
           CASE WHEN t.kind = 'none' THEN $as_of ELSE least($as_of, t.target_year) END AS cutoff
    FROM targets t JOIN focus_areas f USING (focus_area_id)
    WHERE $target::VARCHAR IS NULL OR t.target_id = $target::VARCHAR
),
-- The baseline of the definition counts as an observation of the target's own geography.
-- Read twice (the series and the window) but not materialized: writing 870,000 rows out once cost
-- more than scanning the table twice (bench_progress: 20-35 ms of the engine's 150-200 ms).
obs_all AS NOT MATERIALIZED (
    SELECT target_id, geography, year, value, data_class, series_break FROM observations
    -- one target or geography asked for: filter before anything is joined
    WHERE ($target::VARCHAR IS NULL OR target_id = $target::VARCHAR) AND ($geo::VARCHAR IS NULL OR geography = $geo::VARCHAR)
    UNION ALL
    SELECT tg.target_id, tg.geography, tg.baseline_year, tg.baseline_value, tg.baseline_data_class, false
    FROM tg ANTI JOIN observations o
      ON o.target_id = tg.target_id AND o.geography = tg.geography AND o.year = tg.baseline_year
    WHERE $geo::VARCHAR IS NULL OR tg.geography = $geo::VARCHAR
),
-- One pass over each series: its own baseline (the value at the baseline year, else its first
-- observation) and its latest observation by the cut-off (as of, or the target year if earlier).
ser AS (
    SELECT o.target_id, o.geography,
           bool_or(o.year = tg.baseline_year) AS has_b,
           min(o.year) AS first_year, arg_min(o.value, o.year) AS first_value,
           max(o.value) FILTER (WHERE o.year = tg.baseline_year) AS value_at_b,
           max(o.year) FILTER (WHERE o.year <= tg.cutoff) AS t,
           arg_max(o.value, o.year) FILTER (WHERE o.year <= tg.cutoff) AS x_t,
           arg_max(o.data_class, o.year) FILTER (WHERE o.year <= tg.cutoff) AS class_t,
           max(o.year) FILTER (WHERE o.year <= tg.cutoff AND o.series_break) AS break_year,
           count(*) FILTER (WHERE o.year <= tg.cutoff) AS n_obs,
           -- settled: the target year has been measured (an observation for T or later, by the as-of year)
           coalesce(bool_or(o.year >= tg.target_year AND o.year <= $as_of), false) AS measured_T
    FROM obs_all o JOIN tg USING (target_id)
    WHERE $geo::VARCHAR IS NULL OR o.geography = $geo::VARCHAR
    GROUP BY o.target_id, o.geography
),
geo2 AS (
    SELECT tg.*, ser.geography AS geo,
           ser.geography = tg.geography AS is_primary_geography,
           CASE WHEN has_b THEN tg.baseline_year ELSE first_year END AS b,
           CASE WHEN has_b THEN value_at_b ELSE first_value END AS x_b,
           CASE tg.kind WHEN 'level' THEN tg.target_value
                        WHEN 'relative' THEN (CASE WHEN has_b THEN value_at_b ELSE first_value END)
                                             * (1 + tg.target_value / 100) END AS x_goal,
           ser.t, ser.x_t, ser.class_t, ser.break_year, ser.n_obs,
           ser.t IS NOT NULL AND ser.measured_T AS settled,
           greatest(ser.t - tg.trend_window, coalesce(ser.break_year, ser.t - tg.trend_window)) AS window_from
    FROM tg JOIN ser USING (target_id)
),
-- The window: from t minus the trend window (or the latest break, if later) up to t.
win AS (
    SELECT o.target_id, o.geography,
           min(o.year) AS t0, arg_min(o.value, o.year) AS x_t0, arg_min(o.data_class, o.year) AS class_t0,
           count(*) AS n_window, regr_slope(o.value, o.year - g.t ORDER BY o.year) AS slope,
           CASE WHEN min(o.data_class) = max(o.data_class) THEN min(o.data_class) ELSE 'mixed' END AS data_class,
           bool_or(o.data_class = 'I') AS has_illustrative
    FROM obs_all o JOIN geo2 g ON g.target_id = o.target_id AND g.geo = o.geography
    WHERE o.year BETWEEN g.window_from AND g.t
    GROUP BY o.target_id, o.geography
),
j AS (
    SELECT g.*, w.t0, w.x_t0, w.class_t0, w.n_window, w.slope, w.data_class AS window_class, w.has_illustrative
    FROM geo2 g
    LEFT JOIN win w ON w.target_id = g.target_id AND w.geography = g.geo
),
rates AS (
    SELECT *,
           CASE WHEN kind = 'none' THEN x_t0 > 0 AND x_t > 0
                ELSE x_t0 > 0 AND x_t > 0 AND x_goal > 0 END AS compound_ok,
           kind <> 'none' AND d * (x_t - x_goal) >= -$tol * greatest(1, abs(x_goal)) AS is_met
    FROM j
),
rates2 AS (
    SELECT *,
        CASE WHEN n_window >= 2 THEN
            CASE WHEN compound_ok THEN pow(x_t / x_t0, 1.0 / (t - t0)) - 1 ELSE (x_t - x_t0) / (t - t0) END
        END AS actual_rate,
        CASE WHEN n_window >= 2 AND kind <> 'none' THEN
            CASE WHEN compound_ok THEN pow(x_goal / x_t0, 1.0 / (target_year - t0)) - 1
                 ELSE (x_goal - x_t0) / (target_year - t0) END
        END AS required_rate
    FROM rates
),
judged AS (
    SELECT *,
        -- a ratio of infinities (a start value next to zero) is no ratio: DuckDB orders NaN above every number
        CASE WHEN required_rate IS NOT NULL AND required_rate <> 0 AND isfinite(actual_rate / required_rate)
             THEN actual_rate / required_rate END AS ratio,
        CASE WHEN kind = 'none' AND n_window >= 2 THEN
            CASE WHEN compound_ok THEN d * actual_rate
                 WHEN x_t0 <> 0 THEN d * actual_rate / abs(x_t0) END
        END AS trend_growth
    FROM rates2
)
SELECT
    target_id, theme, focus_area_id, name_da, name_en, short_name_da, short_name_en, unit, unit_en, kind, direction,
    geo AS geography, is_primary_geography, b AS baseline_year, x_b AS baseline_value, target_year,
    x_goal AS target_value, target_value AS target_value_definition, $as_of AS as_of,
    t AS latest_year, x_t AS latest_value, t0 AS window_start, x_t0 AS window_start_value,
    coalesce(n_window, 0) AS n_window,
    slope AS trend_slope, break_year,
    x_goal - x_t AS gap,
    CASE WHEN kind <> 'none' AND x_goal <> x_b THEN (x_t - x_b) / (x_goal - x_b) END AS distance_covered,
    CASE WHEN kind <> 'none' AND target_year > b THEN (t - b) / (target_year - b) END AS time_elapsed,
    actual_rate, required_rate, ratio,
    CASE WHEN n_window >= 2 THEN CASE WHEN compound_ok THEN 'compound' ELSE 'linear' END END AS method,
    CASE
        WHEN t IS NULL THEN 'not_assessable'
        WHEN settled THEN CASE WHEN is_met THEN 'met' ELSE 'not_met' END
        WHEN is_met THEN 'met'
        WHEN n_window < 2 THEN 'not_assessable'
        WHEN kind = 'none' THEN
            CASE WHEN trend_growth IS NULL THEN 'not_assessable'
                 WHEN trend_growth > $trend THEN 'significant_progress'
                 WHEN trend_growth > 0 THEN 'moderate_progress'
                 WHEN trend_growth >= -$trend THEN 'moderate_movement_away'
                 ELSE 'significant_movement_away' END
        WHEN d * (x_t0 - x_goal) >= 0 THEN 'moving_away'
        WHEN ratio >= $on_track THEN 'on_track'
        WHEN ratio >= $moderate THEN 'moderate'
        WHEN ratio >= 0 THEN 'insufficient'
        ELSE 'moving_away'
    END AS status,
    CASE
        WHEN t IS NULL THEN 'no_data'
        WHEN is_met OR settled THEN NULL
        WHEN n_window < 2 AND n_obs = 1 AND t = b THEN 'only_baseline'
        WHEN n_window < 2 AND break_year = t THEN 'series_break'
        WHEN n_window < 2 THEN 'too_few_in_window'
        WHEN kind = 'none' AND trend_growth IS NULL THEN 'zero_start'
        WHEN kind <> 'none' AND d * (x_t0 - x_goal) >= 0 THEN 'fell_back_from_met'
    END AS reason,
    settled,
    -- provisional: the latest value is illustrative, or the window's first one for a status judged on the trend
    t IS NOT NULL AND (class_t = 'I' OR (NOT settled AND NOT is_met AND n_window >= 2 AND class_t0 = 'I'
                                         AND NOT (kind = 'none' AND trend_growth IS NULL))) AS provisional,
    t IS NOT NULL AND NOT settled AND $as_of - t > update_interval + publication_lag AS stale,
    t + update_interval + publication_lag AS next_expected_year,
    CASE WHEN kind <> 'none' AND t > b AND x_goal <> x_b
         THEN ((x_t - x_b) / (t - b)) / ((x_goal - x_b) / (target_year - b)) END AS linear_pace_ratio,
    CASE WHEN kind <> 'none' AND target_year > t THEN (x_goal - x_t) / (target_year - t) END AS required_pace_linear,
    CASE WHEN kind <> 'none' AND target_year > t AND x_t > 0 AND x_goal > 0
         THEN pow(x_goal / x_t, 1.0 / (target_year - t)) - 1 END AS required_pace_compound,
    -- the projection starts at the latest observation: x_hat(y) = x_t + slope * (y - t), clamped
    CASE WHEN kind <> 'none' AND n_window >= 2 AND NOT settled
         THEN least(greatest(x_t + slope * (target_year - t), coalesce(lower_bound, '-infinity'::DOUBLE)),
                    coalesce(upper_bound, 'infinity'::DOUBLE)) END AS projected_value,
    CASE WHEN is_met THEN t
         WHEN settled THEN NULL
         WHEN kind <> 'none' AND n_window >= 2 AND d * slope > 0
              AND t + (x_goal - x_t) / slope <= $horizon
         THEN greatest(t + 1, ceil(t + (x_goal - x_t) / slope - $tol))::INTEGER END AS projected_year_met,
    window_class AS data_class, coalesce(has_illustrative, false) AS has_illustrative,
    kind <> 'none' AND $as_of > target_year AS deadline_passed,
    trend_window, update_interval, publication_lag, lower_bound, upper_bound,
    sort_order
FROM judged
"""


def _status_params(as_of: int, geography: str | None, target_id: str | None = None) -> dict[str, Any]:
    return {
        "as_of": int(as_of), "geo": geography, "target": target_id, "tol": MET_TOLERANCE, "trend": TREND_THRESHOLD,
        "on_track": ON_TRACK_RATIO, "moderate": MODERATE_RATIO, "horizon": PROJECTION_HORIZON,
    }


def compute_status(
    con: duckdb.DuckDBPyConnection, as_of: int | None = None, geography: str | None = None,
    target_id: str | None = None,
) -> pd.DataFrame:
    """Status of every target and geography at ``as_of`` (default: this calendar year), in one query.

    ``geography`` and ``target_id`` narrow the result (the target page asks for one target).

    ``con`` is any DuckDB connection or cursor that sees the tables ``targets``,
    ``focus_areas`` and ``observations`` (a database, or registered frames). Rows come in
    the plan's order: theme, focus area, target, primary geography first.
    """
    as_of = current_year() if as_of is None else int(as_of)
    table = con.sql(
        "SELECT s.* FROM (" + _STATUS_SQL + ") s "
        "JOIN focus_areas f USING (focus_area_id) JOIN themes th ON th.theme_id = f.theme_id "
        "ORDER BY th.sort_order, f.sort_order, s.sort_order, s.target_id, "
        "NOT s.is_primary_geography, s.geography",
        params=_status_params(as_of, geography, target_id),
    ).to_arrow_table()
    return arrow_frame(table.select(STATUS_COLUMNS))


#: Arrow integer types and the nullable pandas dtypes DuckDB's ``.df()`` gives them when a value is missing.
_NULLABLE_INTEGERS = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
}


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """``table`` as pandas with the dtypes DuckDB's own ``.df()`` gives, by way of Arrow.

    Why: ``.df()`` makes a Python object of every string and spent a quarter of the engine's time
    on the 29,000-row status table (``bench/bench_progress.py``); Arrow hands the strings over in
    bulk. The dtypes stay those of ``.df()``, so no caller sees a change: an integer or boolean
    column with a missing value is nullable (``Int32``, ``boolean``), a string column with no value
    at all is ``object`` of None, a decimal is a float.
    """
    columns: dict[str, Any] = {}
    for name, column in zip(table.column_names, table.columns):
        kind = column.type
        if pa.types.is_integer(kind) and column.null_count:
            columns[name] = column.to_pandas(types_mapper=_NULLABLE_INTEGERS.get)
        elif pa.types.is_boolean(kind) and column.null_count:
            columns[name] = column.to_pandas().astype("boolean")
        elif (pa.types.is_string(kind) or pa.types.is_large_string(kind)) and column.null_count == len(column):
            columns[name] = pd.Series([None] * len(column), dtype=object)
        elif pa.types.is_decimal(kind):
            columns[name] = column.to_pandas().astype("float64")
        else:
            columns[name] = column.to_pandas()
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))


def compute_status_frames(
    targets: pd.DataFrame, observations: pd.DataFrame, as_of: int | None = None,
    geography: str | None = None,
) -> pd.DataFrame:
    """:func:`compute_status` on in-memory frames (tests, previews of an import).

    ``targets`` needs the columns of the ``targets`` table plus ``theme_id``;
    ``observations`` those of the ``observations`` table (``batch_id`` may be left out).
    """
    con = duckdb.connect()
    try:
        tg = targets.copy()
        if "theme_id" not in tg:
            tg["theme_id"] = "theme"
        fa = tg[["focus_area_id", "theme_id"]].drop_duplicates("focus_area_id").assign(sort_order=0)
        th = tg[["theme_id"]].drop_duplicates().assign(sort_order=0)
        for column, default in (("update_interval", 1), ("publication_lag", 1), ("short_name_da", None),
                                ("short_name_en", None)):
            if column not in tg:
                tg[column] = default
        con.register("targets", tg.drop(columns=["theme_id"]))
        con.register("focus_areas", fa)
        con.register("themes", th)
        obs = observations.copy()
        if "series_break" not in obs:
            obs["series_break"] = False
        if "data_class" not in obs:
            obs["data_class"] = "R"
        con.register("observations", obs)
        return compute_status(con, as_of=as_of, geography=geography)
    finally:
        con.close()


def compute_status_replaced(
    con: duckdb.DuckDBPyConnection, rows: Any, as_of: int | None = None, *, without_batch: int | None = None,
) -> pd.DataFrame:
    """:func:`compute_status` as if the stored observations with the keys of ``rows`` were ``rows``.

    "The status if these rows were replaced", written once: an import's preview passes the rows it
    would write; "what the latest import changed" passes the values that batch superseded and
    ``without_batch`` (its id), which also leaves out the rows that batch added. ``rows`` is a
    pandas or Arrow table with ``target_id, geography, year, value, data_class, series_break``.

    Nothing is written: a temporary view ``observations`` (visible to this cursor only, dropped
    at once) shadows the table while the engine runs, so a read cursor will do, and so will the
    cursor of an import's own transaction.
    """
    # Identifiers only are formatted in (the database's own name, quoted); the batch id is a value
    # in a registered one-row table, as a view's definition cannot take a bound parameter.
    database = con.execute("SELECT current_database()").fetchall()[0][0].replace('"', '""')
    con.register("_status_rows", rows)
    con.register("_status_without", pd.DataFrame({"batch_id": pd.array([without_batch], dtype="Int64")}))
    try:
        con.execute(
            "CREATE OR REPLACE TEMP VIEW observations AS "
            "SELECT o.target_id, o.geography, o.year, o.value, o.data_class, o.series_break "
            f'FROM "{database}".main.observations o '
            "ANTI JOIN _status_rows r USING (target_id, geography, year) "
            "WHERE o.batch_id IS DISTINCT FROM (SELECT batch_id FROM _status_without) "
            "UNION ALL SELECT target_id::VARCHAR, geography::VARCHAR, year::INTEGER, value::DOUBLE, data_class::VARCHAR, "
            "series_break::BOOLEAN FROM _status_rows"
        )
        return compute_status(con, as_of=as_of)
    finally:
        con.execute("DROP VIEW IF EXISTS temp.main.observations")
        con.unregister("_status_rows")
        con.unregister("_status_without")


# --------------------------------------------------------------------------- reference
@dataclass(frozen=True)
class TargetDef:
    """The parts of a target definition the method needs (absolute target value)."""

    kind: str
    direction: str
    baseline_year: int
    baseline_value: float
    target_year: int | None = None
    target_value: float | None = None  # absolute; for 'relative' pass baseline * (1 + p/100)
    trend_window: int = 5
    lower_bound: float | None = None
    upper_bound: float | None = None
    update_interval: int = 1
    publication_lag: int = 1


def _cagr(x0: float, x1: float, n: float) -> float | None:
    """Compound annual growth rate, e.g. ``_cagr(100, 121, 2) == 0.10``; None where undefined."""
    if x0 > 0 and x1 > 0 and n > 0:
        return (x1 / x0) ** (1.0 / n) - 1
    return None


def _clamp(value: float, target: TargetDef) -> float:
    if target.lower_bound is not None and not math.isnan(target.lower_bound):
        value = max(value, target.lower_bound)
    if target.upper_bound is not None and not math.isnan(target.upper_bound):
        value = min(value, target.upper_bound)
    return value


#: Statuses judged on the trend of the window (so a window starting on an illustrative value makes them provisional).
_TREND_JUDGED = frozenset(TARGET_STATUSES + TREND_STATUSES) - {"met", "not_met", "not_assessable"}


def assess_series(target: TargetDef, series: pd.DataFrame, as_of: int) -> dict[str, Any]:
    """Judge one series (columns ``year, value`` and optional ``series_break``, ``data_class``) step by step.

    This is the method of progress-methodology.md as plain Python: slow, but easy to read
    and check against the document. The baseline must already be a row of ``series``.
    """
    out = _assess(target, series, as_of)
    # Provisional: the status rests on a number nobody measured, the latest value or, for a status
    # judged on the trend, the value at the start of the window.
    out["provisional"] = bool(out.pop("_latest_i", False)
                              or (out["status"] in _TREND_JUDGED and out.pop("_start_i", False)))
    out.pop("_start_i", None)
    return out


def _assess(target: TargetDef, series: pd.DataFrame, as_of: int) -> dict[str, Any]:
    d = 1 if target.direction == "increase" else -1
    has_target = target.kind != "none"
    T = target.target_year
    cutoff = min(as_of, T) if has_target else as_of
    known = series[series["year"] <= as_of]
    s = known[known["year"] <= cutoff].sort_values("year")
    classes = s["data_class"] if "data_class" in s else pd.Series("R", index=s.index)
    out: dict[str, Any] = {"status": "not_assessable", "method": None, "ratio": None,
                           "actual_rate": None, "required_rate": None, "latest_year": None,
                           "window_start": None, "projected_value": None, "projected_year_met": None,
                           "settled": False, "provisional": False, "stale": False, "next_expected_year": None,
                           "deadline_passed": has_target and as_of > T}
    if s.empty:
        return out
    t, x_t = int(s["year"].iloc[-1]), float(s["value"].iloc[-1])
    out.update(latest_year=t, latest_value=x_t, next_expected_year=t + target.update_interval + target.publication_lag,
               _latest_i=classes.iloc[-1] == "I")
    # Settled: the target year has been measured, so the target is met or not, whatever the trend.
    settled = has_target and bool((known["year"] >= T).any())
    out["settled"] = settled
    # Stale: no newer figure although one was due (the interval plus the publication lag have passed).
    out["stale"] = not settled and as_of - t > target.update_interval + target.publication_lag
    x_T = target.target_value
    is_met = has_target and d * (x_t - x_T) >= -MET_TOLERANCE * max(1.0, abs(x_T))
    start = t - target.trend_window
    if "series_break" in s and s["series_break"].any():
        start = max(start, int(s.loc[s["series_break"].astype(bool), "year"].max()))
    w = s[s["year"] >= start]
    out["_start_i"] = classes.loc[w.index[0]] == "I"
    if settled:
        out.update(status="met" if is_met else "not_met", projected_year_met=t if is_met else None)
        return out
    if is_met:
        out.update(status="met", projected_year_met=t)
        return out
    if len(w) < 2:
        return out
    t0, x_t0 = int(w["year"].iloc[0]), float(w["value"].iloc[0])
    out["window_start"] = t0
    if not has_target:
        g = _cagr(x_t0, x_t, t - t0)
        out["method"] = "compound" if g is not None else "linear"
        if g is None:
            if x_t0 == 0:
                return out
            g = (x_t - x_t0) / (t - t0) / abs(x_t0)
        g *= d
        out["actual_rate"] = g
        if g > TREND_THRESHOLD:
            out["status"] = "significant_progress"
        elif g > 0:
            out["status"] = "moderate_progress"
        elif g >= -TREND_THRESHOLD:
            out["status"] = "moderate_movement_away"
        else:
            out["status"] = "significant_movement_away"
        return out
    ar, rr = _cagr(x_t0, x_t, t - t0), _cagr(x_t0, x_T, T - t0)
    if ar is None or rr is None or x_t0 <= 0 or x_t <= 0 or x_T <= 0:
        ar = (x_t - x_t0) / (t - t0)
        rr = (x_T - x_t0) / (T - t0)
        out["method"] = "linear"
    else:
        out["method"] = "compound"
    ratio = ar / rr if rr != 0 else None
    out.update(actual_rate=ar, required_rate=rr, ratio=ratio)
    if d * (x_t0 - x_T) >= 0:
        out["status"] = "moving_away"
    elif ratio >= ON_TRACK_RATIO:
        out["status"] = "on_track"
    elif ratio >= MODERATE_RATIO:
        out["status"] = "moderate"
    elif ratio >= 0:
        out["status"] = "insufficient"
    else:
        out["status"] = "moving_away"
    # Projection, drawn from the latest value: x_hat(y) = x_t + slope * (y - t), the slope of the
    # least-squares line through the window, clamped to the natural bounds.
    xs = w["year"].to_numpy(dtype=float)
    ys = w["value"].to_numpy(dtype=float)
    slope = float(np.polyfit(xs - t, ys, 1)[0])
    out["projected_value"] = float(_clamp(x_t + slope * (T - t), target))
    # The first year y > t with d * (x_hat(y) - x_T) >= 0 (the bounds hold the target, so the
    # clamp does not move that year), or none up to the horizon.
    if d * slope > 0:
        crossing = t + (x_T - x_t) / slope
        if crossing <= PROJECTION_HORIZON:
            out["projected_year_met"] = max(t + 1, math.ceil(crossing - MET_TOLERANCE))
    return out


def naive_status(targets: pd.DataFrame, observations: pd.DataFrame, as_of: int) -> pd.DataFrame:
    """Every status by a Python loop over targets and geographies (the benchmark's baseline)."""
    rows = []
    obs_by_key = dict(tuple(observations.groupby(["target_id", "geography"])))
    for tg in targets.itertuples(index=False):
        geos = {g for (tid, g) in obs_by_key if tid == tg.target_id} | {tg.geography}
        for geo in sorted(geos):
            columns = ["year", "value", "series_break"] + (["data_class"] if "data_class" in observations else [])
            series = obs_by_key.get((tg.target_id, geo), observations.iloc[0:0])[columns]
            if geo == tg.geography and not (series["year"] == tg.baseline_year).any():
                base_row = pd.DataFrame({"year": [tg.baseline_year], "value": [tg.baseline_value],
                                         "series_break": [False],
                                         "data_class": [getattr(tg, "baseline_data_class", "R")]})[columns]
                series = pd.concat([series, base_row], ignore_index=True)
            at_b = series.loc[series["year"] == tg.baseline_year, "value"]
            x_b = float(at_b.iloc[0]) if len(at_b) else float(series.sort_values("year")["value"].iloc[0])
            x_T = None
            if tg.kind == "level":
                x_T = float(tg.target_value)
            elif tg.kind == "relative":
                x_T = x_b * (1 + float(tg.target_value) / 100)
            definition = TargetDef(
                kind=tg.kind, direction=tg.direction, baseline_year=int(tg.baseline_year), baseline_value=x_b,
                target_year=None if tg.kind == "none" else int(tg.target_year), target_value=x_T,
                trend_window=int(tg.trend_window), lower_bound=tg.lower_bound, upper_bound=tg.upper_bound,
                update_interval=int(getattr(tg, "update_interval", 1)),
                publication_lag=int(getattr(tg, "publication_lag", 1)),
            )
            result = assess_series(definition, series, as_of)
            rows.append({"target_id": tg.target_id, "geography": geo, **result})
    return pd.DataFrame(rows)
