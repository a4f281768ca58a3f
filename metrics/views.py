"""Rows ready for display: the status table and series shaped for the pages, in the user's language.

Pages stay thin by asking this module what to show; it holds no streamlit code, so its
output is tested directly. Selection and filter logic (which target a click opens,
which filters a URL carries) are pure functions here too.

Why about 800 lines: one shaping function per thing a page shows (overview rows, target
detail, explorer rows, changes, progress words), each small, next to the dataclasses they
return; split by page they would repeat the status joins and the language handling. If it
grows, the natural cut is by page (``views/overview.py``, ``views/target.py``, ...).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from metrics import cache, html_table, i18n, marks, progress
from metrics.i18n import Lang
from metrics.model import STATUSES, TARGET_STATUSES
from metrics.store import Store

GOOD_STATUSES = ("met", "on_track")
TARGET_PAGE_PATH = "target"


# ---------------------------------------------------------------------- status
def status_table(store: Store, as_of: int, geography: str | None = None) -> pd.DataFrame:
    """The progress engine's output for the store's data: computed once per data version and year.

    Shared by every session and page (:mod:`metrics.cache`); ``geography`` filters the shared table.
    """
    def compute() -> pd.DataFrame:
        with store.read() as cur:
            return progress.compute_status(cur, as_of=as_of)

    frame = cache.STATUS.get(("status", cache.data_version(store), int(as_of)), compute)
    if geography is not None:
        frame = frame[frame["geography"] == geography].reset_index(drop=True)
    return frame


def target_status(store: Store, target_id: str, as_of: int) -> pd.DataFrame:
    """One target's rows of the status table: taken from the shared table when it is computed,
    else asked of the engine for that target alone (which filters before it joins)."""
    shared = cache.STATUS.peek(("status", cache.data_version(store), int(as_of)))
    if shared is not None:
        return shared[shared["target_id"] == target_id].reset_index(drop=True)
    with store.read() as cur:
        return progress.compute_status(cur, as_of=as_of, target_id=target_id)


def shared_view(store: Store, name: str, *key: Any, compute: Any) -> Any:
    """A view's value for the store's current data, computed once and shared (see :mod:`metrics.cache`)."""
    return cache.VIEWS.get((name, cache.data_version(store), *key), compute)


def _text(lang: str, da: Any, en: Any) -> str:
    """The Danish or English variant of a bilingual field, falling back to Danish."""
    chosen = da if lang == "da" else en
    return chosen if isinstance(chosen, str) and chosen else (da if isinstance(da, str) else "")


def unit_of(row: pd.Series | dict, lang: str) -> str:
    return _text(lang, row["unit"], row.get("unit_en"))


def target_link(target_id: str, geography: str | None = None, lang: Lang | str | None = None,
                year: int | None = None, present: bool = False) -> str:
    """A relative link to a target page that keeps the reader's view, e.g.
    ``target?target=eud_share&geo=Region+Hovedstaden&lang=en&year=2019&present=1``.

    Defaults are left out (Danish, no year: this year's status, not presenting), as in the frame's URL.
    """
    params: dict[str, str] = {"target": target_id}
    if geography:
        params["geo"] = geography
    code = Lang.of(lang).code if lang else i18n.DEFAULT_LANGUAGE
    if code != i18n.DEFAULT_LANGUAGE:
        params["lang"] = code
    if year is not None:
        params["year"] = str(int(year))
    if present:
        params["present"] = "1"
    return f"{TARGET_PAGE_PATH}?{urllib.parse.urlencode(params)}"


def status_text(status: str, reason: Any, lang: str) -> str:
    """Icon, words and, when a status cannot be assessed, the reason."""
    text = i18n.status_label(status, lang)
    if isinstance(reason, str) and reason:
        text += f": {i18n.t('reason.' + reason, lang)}"
    return text


def value_with_unit(value: Any, row: pd.Series | dict, lang: str) -> str:
    return i18n.fmt_number(value, lang, unit=unit_of(row, lang))


def difference_with_unit(value: Any, row: pd.Series | dict, lang: str, decimals: int | None = None) -> str:
    """A difference (gap, change a year): for a share in percentage points, e.g. ``17 procentpoint``."""
    return i18n.fmt_number(value, lang, decimals=decimals, unit=i18n.difference_unit(unit_of(row, lang), lang))


def key_figures(status: dict[str, Any], target: dict[str, Any], lang: Lang | str) -> list[tuple[str, str]]:
    """The target page's three key figures as (label, value): latest, target and gap.

    A short unit stays with the number ("13 %"); a long one ("mio. passagerer") moves into the
    label, so the large number is never cut: ``("Seneste (2024) · mio. passagerer", "171,8")``.
    """
    L = Lang.of(lang)
    unit = unit_of(target, L)
    diff = L.diff_unit(unit)

    def figure(label: str, value: Any, unit_text: str) -> tuple[str, str]:
        # each figure by its own unit: the gap of a share is in "percentage points", however short "%" is
        if len(unit_text) <= 3:
            return label, L.num(value, unit=unit_text)
        return f"{label} · {unit_text}", L.num(value)

    out = [figure(f"{L.t('col.latest')} ({L.year(status['latest_year'])})", status["latest_value"], unit)]
    if target["kind"] != "none":
        passed = bool(status["deadline_passed"]) if pd.notna(status["deadline_passed"]) else False
        deadline = L.t("target.deadline_passed" if passed else "target.deadline_open", year=L.year(status["target_year"]))
        out.append(figure(f"{L.t('col.goal')} ({deadline})", status["target_value"], unit))
        out.append(figure(L.t("col.gap"), status["gap"], diff))
    return out


def decorate(status: pd.DataFrame, lang: Lang | str) -> pd.DataFrame:
    """Add display columns to status rows: name, latest, goal, deadline, status text, data, link.

    ``status_text`` is icon, words and reason; ``status_line`` adds the marks a status rests on
    (provisional, stale, a passed deadline without its figure, :mod:`metrics.marks`), and
    ``status_marks`` holds those marks as a list.
    """
    L = Lang.of(lang)
    rows = status.copy()
    rows["name"] = [L.pick(da, en) for da, en in zip(rows["name_da"], rows["name_en"])]
    latest, goal, deadline, status_col, data, line, mark_lists = [], [], [], [], [], [], []
    for r in rows.to_dict("records"):
        latest.append("–" if pd.isna(r["latest_value"]) else
                      f"{value_with_unit(r['latest_value'], r, L)} ({int(r['latest_year'])})")
        goal.append(L.t("overview.monitored") if r["kind"] == "none" else value_with_unit(r["target_value"], r, L))
        deadline.append("–" if pd.isna(r["target_year"]) else
                        f"{int(r['target_year'])}" + (f" ({L.t('deadline.passed')})" if r["deadline_passed"] else ""))
        status_col.append(status_text(r["status"], r["reason"], L))
        line.append(marks.status_line(r, L))
        mark_lists.append(marks.status_marks(r, L))
        cls = r["data_class"]
        data.append("–" if not isinstance(cls, str) else
                    L.t(f"class.{cls}") + (f" ⚠ {L.t('class.I')}" if r["has_illustrative"] and cls != "I" else ""))
    rows["latest"], rows["goal"], rows["deadline"], rows["status_text"], rows["data"] = (
        latest, goal, deadline, status_col, data)
    rows["status_line"], rows["status_marks"] = line, mark_lists
    rows["link"] = [target_link(t, g, L) for t, g in zip(rows["target_id"], rows["geography"])]
    return rows


def _series_by_target(store: Store, as_of: int, *, own_geography_only: bool = False) -> pd.DataFrame:
    return store.query_df(
        """SELECT o.target_id, o.geography, list(o.year ORDER BY o.year) AS years, list(o.value ORDER BY o.year) AS values
           FROM observations o """ + ("SEMI JOIN targets t ON t.target_id = o.target_id AND t.geography = o.geography "
                                      if own_geography_only else "") +
        "WHERE o.year <= ? GROUP BY ALL",
        [int(as_of)],
    )


def overview_rows(store: Store, as_of: int, lang: Lang | str) -> pd.DataFrame:
    """One row per target (its own geography), with display texts in ``lang`` and a sparkline.

    ``trend`` holds the series' values up to ``as_of`` (oldest first), ``trend_years`` their years.
    """
    status = status_table(store, as_of)
    rows = decorate(status[status["is_primary_geography"]], lang)
    series = {(t, g): (list(y), list(v)) for t, g, y, v in
              _series_by_target(store, as_of, own_geography_only=True).itertuples(index=False, name=None)}
    keys = list(zip(rows["target_id"], rows["geography"]))
    rows["trend"] = [series.get(k, ([], []))[1] for k in keys]
    rows["trend_years"] = [series.get(k, ([], []))[0] for k in keys]
    return rows.reset_index(drop=True)


#: Statuses that put a target on the "furthest behind" list, worst first.
BEHIND_STATUSES = ("not_met", "moving_away", "insufficient", "moderate")


def lag(distance_covered: Any, time_elapsed: Any) -> float:
    """How far a target trails its schedule: time elapsed minus distance covered (−inf if unknown).

    Example: a target 48 % of the way in time with −110 % of the distance covered lags 1.58.
    """
    if pd.isna(distance_covered) or pd.isna(time_elapsed):
        return float("-inf")
    return float(time_elapsed) - float(distance_covered)


def furthest_behind(rows: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The targets furthest behind, worst status first, and within a status the largest lag.

    One ranking for the overview's list and the memo's first page. ``rows`` are status rows
    (with ``name`` when decorated); monitored indicators never count.
    """
    bad = rows[(rows["kind"] != "none") & rows["status"].isin(BEHIND_STATUSES)].copy()
    if bad.empty:
        return bad
    bad["_rank"] = [BEHIND_STATUSES.index(s) for s in bad["status"]]
    bad["_lag"] = [-lag(d, t) for d, t in zip(bad["distance_covered"], bad["time_elapsed"])]
    order = ["_rank", "_lag"] + (["name"] if "name" in bad else ["target_id"])
    return bad.sort_values(order, kind="stable").drop(columns=["_rank", "_lag"]).head(limit)


def summary(rows: pd.DataFrame) -> dict[str, int]:
    """How many targets there are, how many are met or on track, and how many indicators are monitored.

    Monitored indicators (kind ``none``) have no target, so they never count as targets.
    """
    targets = rows[rows["kind"] != "none"]
    return {"targets": len(targets), "good": int(targets["status"].isin(GOOD_STATUSES).sum()),
            "monitored": int((rows["kind"] == "none").sum())}


def status_counts(rows: pd.DataFrame) -> list[tuple[str, int]]:
    """(status, count) for the targets' statuses, in the method's order, zero counts left out."""
    counts = rows.loc[rows["kind"] != "none", "status"].value_counts()
    return [(s, int(counts[s])) for s in TARGET_STATUSES if s in counts]


# ---------------------------------------------------------------------- the overview's tables
def status_filter(value: Any) -> tuple[str, ...]:
    """The statuses a ``?status=moving_away,insufficient`` asks for: target statuses, in the method's order.

    Unknown values (a hand-edited link) are dropped, not an error; a list of values is accepted too.
    """
    items = value if isinstance(value, (list, tuple)) else [value]
    wanted = {v.strip() for raw in items if isinstance(raw, str) for v in raw.split(",")}
    return tuple(s for s in TARGET_STATUSES if s in wanted)


def filter_by_status(rows: pd.DataFrame, statuses: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """The targets with one of ``statuses`` (all rows when none are chosen; monitored indicators drop out)."""
    if not statuses:
        return rows
    return rows[(rows["kind"] != "none") & rows["status"].isin(list(statuses))]


def progress_words(row: pd.Series | dict, lang: Lang | str) -> str | None:
    """How far along the way and the time a target is, in words (one wording for overview and memo).

    ``"har nået en tredjedel af vejen på halvdelen af tiden"`` (plain fractions where they fit,
    :meth:`metrics.i18n.Lang.share`, else a percentage); next to no distance reads ``"er næsten ikke
    kommet nærmere målet på fire femtedele af tiden"``; a target that has moved away from its
    baseline reads ``"er gået tilbage siden basisåret, svarende til en tiendedel af vejen til målet,
    på fire femtedele af tiden"``, never a bare negative share. Past the whole way it says so
    (``"har passeret målet på en fjerdedel af tiden"``, ``"... svarende til mere end hele vejen til
    målet ..."``), never "755 % af vejen"; at or past the deadline ``"ved fristen"``, ``"efter
    fristen"``, never "120 % af tiden". None without a distance or time, or when no time has passed
    since the baseline (only the baseline measured).

    The time is the share up to the latest figure (the method's time elapsed); when that figure is
    stale the sentence says up to which year (``"på 6 % af tiden frem til 2019"``), so an old figure
    is not read as "only 6 % of the time has gone". A trend status rests on the recent window, not
    on the baseline: where the two point different ways the sentence says so (``"er gået tilbage
    siden basisåret, ... , men er gået frem siden 2023"`` beside "utilstrækkelig fremgang"), so the
    status and its reason never seem to contradict each other.
    """
    L = Lang.of(lang)
    d, t = row.get("distance_covered"), row.get("time_elapsed")
    if pd.isna(d) or pd.isna(t) or float(t) <= 0:
        return None  # nothing measured since the baseline: the caller says where the target stands
    d, t = float(d), float(t)
    whole = 0.005  # within half a percent of the whole way (or the whole time) counts as the whole
    if t > 1 + whole:
        time = L.t("progress.time_after")
    elif t >= 1 - whole:
        time = L.t("progress.time_deadline")
    elif t > 0.95:
        time = L.t("progress.time_almost")
    else:
        time = L.t("progress.time", share=L.share(t))
    if _flag(row.get("stale")) and pd.notna(row.get("latest_year")):
        time = L.t("progress.until", time=time, year=L.year(row["latest_year"]))
    if d < 0:
        back = abs(d)
        if back > 1 + whole:
            words = L.t("progress.back_more", time=time)
        elif back > 0.95:
            words = L.t("progress.back_whole", time=time)
        else:
            words = L.t("progress.back", distance=L.share(back), time=time)
        if _window_moved(row) > 0:
            return L.t("progress.window_forward", words=words, year=L.year(row["window_start"]))
        return words
    words = _ahead_words(d, time, whole, L)
    if d >= 0.05 and _window_moved(row) < 0:
        return L.t("progress.window_back", words=words, year=L.year(row["window_start"]))
    return words


# A target's statuses judged on the recent window's trend (not a settled or an unassessable one; the
# monitored indicators' categories have no baseline-to-target way to compare with).
_WINDOW_JUDGED = frozenset(TARGET_STATUSES) - {"met", "not_met", "not_assessable"}


def _window_moved(row: pd.Series | dict) -> int:
    """+1 when a trend status's window moved towards the target, -1 away from it, 0 otherwise.

    0 too when the window starts at the baseline: it then tells nothing the baseline does not.
    """
    start, base, ratio = row.get("window_start"), row.get("baseline_year"), row.get("ratio")
    if row.get("status") not in _WINDOW_JUDGED or pd.isna(start) or pd.isna(ratio):
        return 0
    if pd.notna(base) and int(start) <= int(base):
        return 0
    if float(ratio) > 0 and row["status"] != "moving_away":
        return 1
    return -1 if float(ratio) < 0 and row["status"] == "moving_away" else 0


def _ahead_words(d: float, time: str, whole: float, L: Lang) -> str:
    """:func:`progress_words` for a target at or past its baseline (``d`` the share of the way covered)."""
    if d < 0.05:
        return L.t("progress.none", time=time)
    if d > 1 + whole:
        return L.t("progress.passed", time=time)
    if d >= 1 - whole:
        return L.t("progress.whole", time=time)
    if d > 0.95:
        return L.t("progress.almost", time=time)
    return L.t("progress.covered", distance=L.share(d), time=time)


def behind_progress(row: pd.Series | dict, lang: Lang | str) -> str:
    """Why a target is behind in words (:func:`progress_words`).

    Without a distance or time (no measurement since the baseline) it says where the target stands instead.
    """
    L = Lang.of(lang)
    words = progress_words(row, L)
    if words is not None:
        return words
    return L.t("overview.behind_standing", latest=row.get("latest") or "–", goal=row.get("goal") or "–")


def spark_label(row: pd.Series | dict, lang: Lang | str) -> str:
    """The sparkline's text alternative: ``"Udvikling 2015–2023: fra 13,4 % til 13 %"``."""
    L = Lang.of(lang)
    years, values = list(row.get("trend_years") or []), list(row.get("trend") or [])
    if not values:
        return L.t("overview.spark_none")
    unit = unit_of(row, L)
    if len(values) == 1 or len(years) != len(values):
        return L.t("overview.spark_one", value=L.num(values[-1], unit=unit),
                   year=L.year(years[-1] if years else row.get("latest_year")))
    return L.t("overview.spark", first=L.year(years[0]), last=L.year(years[-1]),
               start=L.num(values[0], unit=unit), end=L.num(values[-1], unit=unit))


def _data_note(row: dict, L: Lang) -> str:
    """The name's second line: the geography, and the data class where it is not plainly measured."""
    parts = [str(row["geography"])]
    if _flag(row.get("has_illustrative")):
        parts.append("⚠ " + L.t("overview.has_illustrative"))
    elif isinstance(row.get("data_class"), str) and row["data_class"] not in ("R", "I"):
        parts.append(L.t("overview.data_class", cls=L.t(f"class.{row['data_class']}")))
    return " · ".join(parts)


def _flag(value: Any) -> bool:
    try:
        return bool(value) and value == value
    except (TypeError, ValueError):
        return False


def _name_cell(row: dict, L: Lang, year: int | None, present: bool, extra: str = "") -> html_table.Cell:
    note = _data_note(row, L) + (f" · {extra}" if extra else "")
    return html_table.Cell(row["name"], href=target_link(row["target_id"], row["geography"], L, year, present),
                           subs=(note,))


def _status_cell(row: dict, L: Lang) -> html_table.Cell:
    why = row.get("reason")
    subs = (L.t("reason." + why),) if isinstance(why, str) and why else ()
    return html_table.Cell(L.status(str(row["status"])), subs=subs, marks=tuple(marks.status_marks(row, L)),
                           css=f"ms-status ms-status-{row['status']}")


def _deadline_cell(row: dict, L: Lang) -> html_table.Cell:
    if pd.isna(row.get("target_year")):
        return html_table.Cell("–")
    passed = _flag(row.get("deadline_passed"))
    return html_table.Cell(L.year(row["target_year"]), subs=(L.t("deadline.passed"),) if passed else (),
                           css="nowrap")


def _spark_cell(row: dict, L: Lang) -> html_table.Cell:
    return html_table.Cell("", spark=list(row.get("trend") or []), spark_label=spark_label(row, L))


def overview_table(rows: pd.DataFrame, lang: Lang | str, *, caption: str = "", label: str = "",
                   year: int | None = None, present: bool = False) -> str:
    """The targets of ``rows`` (decorated, with ``trend``) as an escaped HTML table for ``st.html``.

    Each row: the full name as a link to the target page (keeping language, year and presentation
    mode) with its geography and data below, the latest value with its year, the target value, the
    deadline (passed or not), the status with its reason and marks, and a sparkline with a text alternative.
    """
    L = Lang.of(lang)
    columns = [
        html_table.Column("name", L.t("col.target")),
        html_table.Column("latest", L.t("col.latest"), L.t("overview.help_latest")),
        html_table.Column("goal", L.t("col.goal")),
        html_table.Column("deadline", L.t("col.deadline"), L.t("overview.help_deadline")),
        html_table.Column("status", L.t("col.status"), L.t("overview.help_status")),
        html_table.Column("trend", L.t("col.trend"), L.t("overview.help_trend")),
    ]
    body = [{"name": _name_cell(r, L, year, present), "latest": r["latest"], "goal": r["goal"],
             "deadline": _deadline_cell(r, L), "status": _status_cell(r, L), "trend": _spark_cell(r, L)}
            for r in rows.to_dict("records")]
    return html_table.table(columns, body, caption=caption, label=label)


def behind_table(rows: pd.DataFrame, lang: Lang | str, limit: int, *, label: str = "",
                 year: int | None = None, present: bool = False) -> str:
    """The targets furthest behind (:func:`furthest_behind`, the memo's ranking) and why, as HTML; "" if none."""
    L = Lang.of(lang)
    behind = furthest_behind(rows, limit)
    if behind.empty:
        return ""
    columns = [
        html_table.Column("name", L.t("col.target")),
        html_table.Column("status", L.t("col.status")),
        html_table.Column("why", L.t("overview.behind_why"), L.t("overview.help_behind_why")),
    ]
    body = [{"name": _name_cell(r, L, year, present), "status": _status_cell(r, L),
             "why": html_table.Cell(behind_progress(r, L),
                                    subs=(L.t("overview.behind_standing", latest=r["latest"], goal=r["goal"])
                                          + (f" {L.t('overview.behind_by', year=L.year(r['target_year']))}"
                                             if pd.notna(r.get("target_year")) else ""),))}
            for r in behind.to_dict("records")]
    return html_table.table(columns, body, label=label)


def monitored_table(rows: pd.DataFrame, lang: Lang | str, *, label: str = "", themes: dict[str, str] | None = None,
                    year: int | None = None, present: bool = False) -> str:
    """The monitored indicators (kind ``none``) of ``rows``: name, latest, the trend's category, sparkline."""
    L = Lang.of(lang)
    monitored = rows[rows["kind"] == "none"]
    columns = [
        html_table.Column("name", L.t("overview.col_indicator")),
        html_table.Column("latest", L.t("col.latest"), L.t("overview.help_latest")),
        html_table.Column("status", L.t("col.status"), L.t("overview.help_development")),
        html_table.Column("trend", L.t("col.trend"), L.t("overview.help_trend")),
    ]
    body = [{"name": _name_cell(r, L, year, present, (themes or {}).get(r["theme"], "")), "latest": r["latest"],
             "status": _status_cell(r, L), "trend": _spark_cell(r, L)}
            for r in monitored.to_dict("records")]
    return html_table.table(columns, body, label=label)


# ---------------------------------------------------------------------- changes since the previous import
@dataclass
class Changes:
    """What the latest import changed: its batch, the values it brought, the statuses it moved."""

    batch: dict[str, Any] | None
    values: pd.DataFrame = field(default_factory=pd.DataFrame)
    statuses: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_values: int = 0  # all values the import brought; ``values`` holds the first CHANGES_SHOWN


#: How many changed values the overview lists (a large import is summarised by its count).
CHANGES_SHOWN = 200


def changes_since_previous_import(store: Store, as_of: int, lang: Lang | str) -> Changes:
    """Compare the data with and without the latest committed import (the seed does not count)."""
    batches = store.query_df(
        "SELECT * FROM import_batches WHERE state = 'committed' AND user_name <> 'seed' ORDER BY batch_id DESC LIMIT 1"
    )
    if batches.empty:
        return Changes(batch=None)
    batch = batches.iloc[0].to_dict()
    bid = int(batch["batch_id"])
    values = store.query_df(
        """SELECT o.target_id, t.name_da, t.name_en, o.geography, o.year, h.value AS old_value, o.value AS new_value
           FROM observations o JOIN targets t USING (target_id)
           LEFT JOIN observation_history h ON h.superseded_by = o.batch_id AND h.reason = 'revised'
                AND h.target_id = o.target_id AND h.geography = o.geography AND h.year = o.year
           WHERE o.batch_id = ? ORDER BY o.target_id, o.geography, o.year LIMIT ?""",
        [bid, CHANGES_SHOWN],
    )
    n_values = int(store.scalar("SELECT count(*) FROM observations WHERE batch_id = ?", [bid]))
    values["name"] = [_text(lang, d, e) for d, e in zip(values["name_da"], values["name_en"])]
    with store.read() as cur:
        superseded = cur.sql(
            "SELECT target_id, geography, year, value, data_class, series_break FROM observation_history "
            "WHERE superseded_by = ? AND reason = 'revised'", params=[bid]).to_arrow_table()
        before = progress.compute_status_replaced(cur, superseded, as_of, without_batch=bid)
    after = status_table(store, as_of)
    key = ["target_id", "geography"]
    merged = after[key + ["name_da", "name_en", "status"]].merge(
        before[key + ["status"]], on=key, how="left", suffixes=("", "_before"))
    moved = merged[merged["status"] != merged["status_before"]].copy()
    moved["name"] = [_text(lang, d, e) for d, e in zip(moved["name_da"], moved["name_en"])]
    moved["change"] = [
        f"{i18n.status_label(b, lang) if isinstance(b, str) else '–'} → {i18n.status_label(a, lang)}"
        for b, a in zip(moved["status_before"], moved["status"])
    ]
    return Changes(batch=batch, values=values, statuses=moved.reset_index(drop=True), n_values=n_values)


# ---------------------------------------------------------------------- one target
@dataclass
class TargetDetail:
    """Everything the target page shows about one target in one geography, as of one year.

    ``series`` and ``all_series`` hold only observations up to ``as_of``: the chart and the
    tables show what the status and the memo rest on, never a later figure.
    """

    target: dict[str, Any]
    geography: str
    status: dict[str, Any] | None
    series: pd.DataFrame
    all_status: pd.DataFrame
    all_series: pd.DataFrame
    initiatives: pd.DataFrame
    as_of: int | None = None

    @cached_property
    def geographies(self) -> list[str]:
        """The target's geographies, its own first (made once: the page asks several times a rerun)."""
        return self.all_status["geography"].tolist()


def _note(row: Any, L: i18n.Lang) -> str:
    """A row's note (``note_da``/``note_en``) in the reader's language, falling back to the other."""
    return L.pick(row.get("note_da"), row.get("note_en"))


def _initiatives_up_to(initiatives: pd.DataFrame, as_of: int) -> pd.DataFrame:
    """The initiatives started by ``as_of`` (those without a year are kept): the page shows the plan as it stood."""
    year = pd.to_numeric(initiatives["year"], errors="coerce")
    return initiatives[year.isna() | (year <= as_of)].reset_index(drop=True)


def target_detail(store: Store, target_id: str, geography: str | None, as_of: int) -> TargetDetail | None:
    """The target, its status in ``geography`` (default: its own) and its series up to ``as_of``; None if unknown."""
    targets = store.targets()
    match = targets[targets["target_id"] == target_id]
    if match.empty:
        return None
    target = match.iloc[0].to_dict()
    all_status = target_status(store, target_id, as_of)
    geos = all_status["geography"].tolist()
    geo = geography if geography in geos else target["geography"]
    row = all_status[all_status["geography"] == geo]
    observed = store.observations(target_id)
    observed = observed[observed["year"] <= int(as_of)].assign(is_baseline=False)
    home = target["geography"]
    has_base = ((observed["geography"] == home) & (observed["year"] == target["baseline_year"])).any()
    if not has_base and pd.notna(target["baseline_year"]) and int(target["baseline_year"]) <= int(as_of):
        baseline = {"target_id": target_id, "geography": home, "year": target["baseline_year"],
                    "value": target["baseline_value"], "data_class": target["baseline_data_class"],
                    "source": target["source"], "note_da": target["note_da"], "note_en": target["note_en"],
                    "series_break": False, "batch_id": None, "is_baseline": True}
        observed = pd.concat([pd.DataFrame([baseline]), observed] if len(observed) else [pd.DataFrame([baseline])],
                             ignore_index=True)
    observed.loc[(observed["geography"] == home) & (observed["year"] == target["baseline_year"]), "is_baseline"] = True
    all_series = observed.sort_values(["geography", "year"]).reset_index(drop=True)
    all_series["is_baseline"] = all_series["is_baseline"].astype(bool)
    return TargetDetail(
        target=target, geography=geo, status=row.iloc[0].to_dict() if len(row) else None,
        series=all_series[all_series["geography"] == geo].reset_index(drop=True),
        all_status=all_status, all_series=all_series,
        initiatives=_initiatives_up_to(store.initiatives(target["focus_area_id"]), int(as_of)), as_of=int(as_of),
    )


def series_table(detail: TargetDetail, lang: i18n.Lang | str) -> pd.DataFrame:
    """The series as the table in the chart's other tab, every cell formatted: year, value, data, source, note."""
    L = i18n.Lang.of(lang)
    s = detail.series
    unit = unit_of(detail.target, L)
    notes = [_note(r, L) for r in s.to_dict("records")]
    return pd.DataFrame({
        L.t("col.year"): [L.year(y) for y in s["year"]],
        L.t("col.value"): [L.num(v, unit=unit) for v in s["value"]],
        L.t("col.data"): [L.t(f"class.{c}") if isinstance(c, str) else "–" for c in s["data_class"]],
        L.t("col.source"): [x if isinstance(x, str) and x else "–" for x in s["source"]],
        L.t("col.note"): [
            " · ".join(x for x in (
                L.t("target.baseline_point") if b else "",
                L.t("chart.series_break") if br is True else "",
                n,
            ) if x)
            for b, br, n in zip(s["is_baseline"], s["series_break"].fillna(False), notes)
        ],
    })


def series_csv_frame(detail: TargetDetail) -> pd.DataFrame:
    """The series as a downloadable table (machine-readable columns), up to the as-of year."""
    cols = ["target_id", "geography", "year", "value", "data_class", "source", "note_da", "note_en", "series_break",
            "is_baseline"]
    return detail.all_series[cols].assign(unit=detail.target["unit"])


def explanation(status: dict[str, Any], target: dict[str, Any], lang: i18n.Lang | str) -> list[tuple[str, str]]:
    """The 'how is this computed' lines with the actual numbers, as (label, value) pairs."""
    L = i18n.Lang.of(lang)
    unit = unit_of(target, L)
    num = lambda v: L.num(v, unit=unit)  # noqa: E731
    pct = lambda v: L.pct(v, decimals=2)  # noqa: E731
    method = status.get("method")
    linear = method == "linear"
    diff = lambda v, d=None: L.num(v, decimals=d, unit=L.diff_unit(unit))  # noqa: E731
    rate = (lambda v: diff(v, 2) + L.t("explain.per_year")) if linear else pct
    lines: list[tuple[str, str]] = [
        (L.t("explain.as_of"), L.year(status["as_of"])),
        (L.t("explain.baseline"), f"{num(status['baseline_value'])} ({L.year(status['baseline_year'])})"),
    ]
    if target["kind"] != "none":
        goal = num(status["target_value"])
        if target["kind"] == "relative":
            goal += " " + L.t("explain.relative", pct=L.num(target["target_value"], unit="%"))
        lines.append((L.t("explain.target"), f"{goal} ({L.year(status['target_year'])})"))
    if pd.notna(status["latest_year"]):
        lines.append((L.t("explain.latest"), f"{num(status['latest_value'])} ({L.year(status['latest_year'])})"))
    if target["kind"] != "none" and pd.notna(status.get("target_year")):
        year = L.year(status["target_year"])
        key = ("explain.deadline_settled" if _flag(status.get("settled")) else
               "explain.deadline_passed" if _flag(status.get("deadline_passed")) else "explain.deadline_open")
        lines.append((L.t("explain.deadline"), L.t(key, year=year, settled=marks.settled_text(status, L))))
    if pd.notna(status.get("window_start")):
        window = L.t("explain.window_value", start=int(status["window_start"]), end=int(status["latest_year"]),
                     n=int(status["n_window"]), years=int(target["trend_window"]))
        if pd.notna(status.get("break_year")) and status["break_year"] == status["window_start"]:
            window += " " + L.t("explain.break_start")
        lines.append((L.t("explain.window"), window))
    if isinstance(method, str) and method:
        lines.append((L.t("explain.method"), L.t(f"method.{method}")))
    if pd.notna(status.get("actual_rate")):
        lines.append((L.t("explain.actual_rate"), rate(status["actual_rate"])))
    if pd.notna(status.get("required_rate")):
        lines.append((L.t("explain.required_rate"), rate(status["required_rate"])))
    if pd.notna(status.get("ratio")):
        lines.append((L.t("explain.ratio"), L.num(status["ratio"], decimals=2)))
    if target["kind"] != "none":
        lines.append((L.t("explain.thresholds"), L.t("explain.thresholds_value")))
    else:
        lines.append((L.t("explain.thresholds"), L.t("explain.trend_thresholds_value")))
    lines.append((L.t("col.status"), marks.status_line(status, L)))
    if target["kind"] != "none":
        if pd.notna(status.get("gap")):
            lines.append((L.t("explain.gap"), diff(status["gap"])))
        for key, col in (("explain.distance", "distance_covered"), ("explain.time", "time_elapsed"),
                         ("explain.linear_pace", "linear_pace_ratio")):
            if pd.notna(status.get(col)):
                value = status[col]
                lines.append((L.t(key), L.num(value, decimals=2) if col == "linear_pace_ratio"
                              else L.pct(value, decimals=0)))
        if pd.notna(status.get("required_pace_linear")) and not _flag(status.get("deadline_passed")):
            needed = diff(status["required_pace_linear"], 2) + L.t("explain.per_year")
            if pd.notna(status.get("required_pace_compound")):
                needed += f" ({pct(status['required_pace_compound'])}{L.t('explain.per_year')})"
            lines.append((L.t("explain.pace_from_now"), needed))
        if pd.notna(status.get("projected_value")):
            lines.append((L.t("explain.projection"), projection_text(status, num(status["projected_value"]), L)))
            year_met = status.get("projected_year_met")
            lines.append((L.t("explain.year_met"),
                          L.year(year_met) if pd.notna(year_met) else L.t("explain.not_by_2100")))
    return lines


def projection_text(row: pd.Series | dict, value: str, lang: Lang | str) -> str:
    """The projection at the target year in words, and, when the trend rests on two figures only, that it does.

    A straight line through two points can run to a bound (the commuters' 20 % in 2018 and 17 % in 2019
    project 0 % in 2035): the reader is told it is drawn from those two, not from a longer trend.
    """
    L = Lang.of(lang)
    text = L.t("explain.projection_value", value=value, year=L.year(row["target_year"]))
    n, first, last = row.get("n_window"), row.get("window_start"), row.get("latest_year")
    if pd.notna(n) and int(n) == 2 and pd.notna(first) and pd.notna(last):
        return L.t("explain.projection_two", text=text, first=L.year(first), last=L.year(last))
    return text


def initiatives_table(frame: pd.DataFrame, lang: i18n.Lang | str) -> pd.DataFrame:
    """The focus area's initiatives: name, year, funding and note, in the reader's language."""
    L = i18n.Lang.of(lang)
    records = frame.to_dict("records")
    return pd.DataFrame({
        L.t("col.initiative"): [L.pick(r["name_da"], r["name_en"]) for r in records],
        L.t("col.year"): [L.year(r["year"]) for r in records],
        L.t("col.funding"): ["–" if pd.isna(r["funding_dkk"]) else L.num(r["funding_dkk"], decimals=0, unit="kr.")
                             for r in records],
        L.t("col.note"): [_note(r, L) for r in records],
    }, columns=[L.t("col.initiative"), L.t("col.year"), L.t("col.funding"), L.t("col.note")])


# ---------------------------------------------------------------------- gap explorer
@dataclass(frozen=True)
class Filters:
    """The explorer's filters; they round-trip through the URL's query string."""

    themes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    geographies: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, query: dict[str, list[str]], known_themes: list[str], known_geos: list[str]) -> Filters:
        """Filters from query parameters (lists, comma-separated values allowed); unknown values dropped."""
        def values(key: str, allowed: list[str] | tuple[str, ...]) -> tuple[str, ...]:
            items = [v for raw in query.get(key, []) for v in str(raw).split(",") if v]
            return tuple(dict.fromkeys(v for v in items if v in allowed))
        return cls(values("theme", known_themes), values("status", STATUSES), values("geo", known_geos))

    def to_query(self) -> dict[str, str]:
        """Query parameters for these filters (empty filters left out)."""
        out = {}
        for key, vals in (("theme", self.themes), ("status", self.statuses), ("geo", self.geographies)):
            if vals:
                out[key] = ",".join(vals)
        return out

    def apply(self, rows: pd.DataFrame) -> pd.DataFrame:
        keep = pd.Series(True, index=rows.index)
        if self.themes:
            keep &= rows["theme"].isin(self.themes)
        if self.statuses:
            keep &= rows["status"].isin(self.statuses)
        if self.geographies:
            keep &= rows["geography"].isin(self.geographies)
        else:
            keep &= rows["is_primary_geography"]
        return rows[keep]


def _missing(r: dict[str, Any], L: i18n.Lang, *, pace: bool = False) -> str:
    """Why a figure of the explorer cannot be computed ("" when there is no particular reason)."""
    if r["status"] in ("met", "not_met") and _flag(r.get("settled")):
        return L.t("explorer.why_settled")
    if pace and r["status"] == "met":
        return L.t("explorer.why_met")
    if pace and _flag(r.get("deadline_passed")):
        return L.t("explorer.why_deadline")
    if r["status"] == "not_assessable":
        return L.t("explorer.why_not_assessable")
    return ""


def explorer_rows(store: Store, as_of: int, lang: i18n.Lang | str, filters: Filters) -> pd.DataFrame:
    """Targets (not monitored indicators) with gap figures, filtered; numeric and display columns.

    Every display column (``*_text``) is the formatted text the reader sees, never ``None``: a
    figure that cannot be computed is a dash, with the reason in the matching ``*_why`` column
    (e.g. ``ratio_why`` = "kan ikke beregnes: status kan ikke vurderes"). ``status_line`` is the
    status with its marks (provisional, stale, deadline) from :func:`metrics.marks.status_line`.
    """
    L = i18n.Lang.of(lang)
    status = status_table(store, as_of)
    status = status[status["kind"] != "none"]
    themes = store.themes().set_index("theme_id")
    rows = decorate(filters.apply(status), L)
    rows["theme_name"] = [L.pick(themes.loc[t, "name_da"], themes.loc[t, "name_en"]) if t in themes.index else t
                          for t in rows["theme"]]
    records = rows.to_dict("records")
    rows["gap_text"] = ["–" if pd.isna(r["gap"]) else difference_with_unit(r["gap"], r, L) for r in records]
    rows["status_line"] = [marks.status_line(r, L) for r in records]
    why = [_missing(r, L) for r in records]
    rows["gap_why"] = ["" if pd.notna(r["gap"]) else w for r, w in zip(records, why)]
    for col, text in (("distance_covered", "distance"), ("time_elapsed", "time")):
        rows[f"{text}_text"] = ["–" if pd.isna(r[col]) else L.pct(r[col], decimals=0) for r in records]
        rows[f"{text}_why"] = ["" if pd.notna(r[col]) else w for r, w in zip(records, why)]
    rows["ratio_text"] = ["–" if pd.isna(r["ratio"]) else L.num(r["ratio"], decimals=2) for r in records]
    rows["ratio_why"] = ["" if pd.notna(r["ratio"]) else w for r, w in zip(records, why)]
    # "What would it take": yearly change needed from now against the recent actual change, in % a year.
    needed, actual = [], []
    for r in records:
        if _flag(r.get("deadline_passed")) or r["status"] in ("met", "not_met"):
            needed.append(None)  # no "from now" once the deadline has passed or the target is met
        elif pd.notna(r["required_pace_compound"]):
            needed.append(r["required_pace_compound"])
        elif pd.notna(r["required_pace_linear"]) and r["latest_value"]:
            needed.append(r["required_pace_linear"] / abs(r["latest_value"]))
        else:
            needed.append(None)
        if pd.isna(r["actual_rate"]):
            actual.append(None)
        elif r["method"] == "compound":
            actual.append(r["actual_rate"])
        else:
            actual.append(r["actual_rate"] / abs(r["window_start_value"]) if r["window_start_value"] else None)
    rows["needed_pct"] = pd.array(needed, dtype="Float64") * 100
    rows["actual_pct"] = pd.array(actual, dtype="Float64") * 100
    per_year = L.t("explain.per_year")
    rows["needed_text"] = ["–" if pd.isna(v) else L.num(v, decimals=1, unit="%") + per_year for v in rows["needed_pct"]]
    rows["needed_why"] = ["" if pd.notna(v) else _missing(r, L, pace=True) for v, r in zip(rows["needed_pct"], records)]
    rows["actual_text"] = ["–" if pd.isna(v) else L.num(v, decimals=1, unit="%") + per_year for v in rows["actual_pct"]]
    rows["actual_why"] = ["" if pd.notna(v) else _missing(r, L) for v, r in zip(rows["actual_pct"], records)]
    return rows.reset_index(drop=True)


def explorer_csv_frame(rows: pd.DataFrame, lang: i18n.Lang | str) -> pd.DataFrame:
    """The gap table as the explorer's CSV: the headings and texts the reader sees, a reason beside a dash."""
    L = i18n.Lang.of(lang)
    records = rows.to_dict("records")

    def text(r: dict[str, Any], key: str) -> str:
        why = r.get(f"{key}_why") or ""
        return f"{r[f'{key}_text']} ({why})" if why else r[f"{key}_text"]

    return pd.DataFrame({
        L.t("col.target"): [r["name"] for r in records], L.t("col.geography"): [r["geography"] for r in records],
        L.t("col.latest"): [r["latest"] for r in records], L.t("col.goal"): [r["goal"] for r in records],
        L.t("col.deadline"): [r["deadline"] for r in records],
        **{L.t(f"col.{key}"): [text(r, key) for r in records] for key in ("gap", "distance", "time", "ratio")},
        L.t("col.needed"): [text(r, "needed") for r in records], L.t("col.actual"): [text(r, "actual") for r in records],
        L.t("col.status"): [r["status_line"] for r in records],
    }, columns=[L.t(f"col.{c}") for c in ("target", "geography", "latest", "goal", "deadline", "gap", "distance",
                                           "time", "ratio", "needed", "actual", "status")])


def selected_target(event: Any, rows: pd.DataFrame) -> tuple[str, str] | None:
    """The (target_id, geography) a chart or table selection points at, or None.

    Accepts a Plotly selection (points carrying ``customdata`` = [target_id, geography]) or
    a dataframe selection (``rows`` = positions in ``rows``). Pure, so it is tested without a browser.
    """
    if not event:
        return None
    selection = event.get("selection", event) if isinstance(event, dict) else getattr(event, "selection", None)
    if not selection:
        return None
    get = selection.get if isinstance(selection, dict) else (lambda k, d=None: getattr(selection, k, d))
    for point in get("points", []) or []:
        custom = point.get("customdata") if isinstance(point, dict) else None
        if custom and len(custom) >= 2:
            return str(custom[0]), str(custom[1])
    positions = get("rows", []) or []
    if positions and 0 <= positions[0] < len(rows):
        r = rows.iloc[positions[0]]
        return str(r["target_id"]), str(r["geography"])
    return None
