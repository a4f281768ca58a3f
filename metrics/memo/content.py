"""What the memo says, collected once from a few batched queries, in the memo's language.

:func:`build_memo` asks the store for everything at once: one status computation for the
as-of year and one for the year before (for "changed since"), the targets, one query for the
observations of every target in its own geography (full memo only), the themes, focus areas,
initiatives and commentary. It never asks per target, so a memo of 1,000 targets costs the
same number of queries as one of 11. The result is plain dataclasses with every text already
written; :mod:`metrics.memo.layout` puts them in order and the writers lay them out.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from metrics import commentary as commentary_mod
from metrics import i18n, marks, progress, views
from metrics.i18n import Lang
from metrics.memo import BEHIND_SHOWN, CHANGES_SHOWN, DETAILS, FULL_LIMIT, SUMMARY_BEHIND_PER_THEME
from metrics.memo import chart as chart_mod
from metrics.memo import facts as F
from metrics.memo.facts import Commentary
from metrics.model import TREND_STATUSES, MalsporError, OneOf
from metrics.store import Store


@dataclass
class TargetSection:
    """One target as the memo shows it: status, figures, chart (or why not), commentary, sources."""

    target_id: str
    name: str
    status: str
    status_text: str
    facts: list[tuple[str, str]]
    illustrative: bool
    chart_png: bytes | None
    chart_alt: str
    chart_note: str | None
    commentary: Commentary | None
    no_commentary: str
    sources: list[str]


@dataclass
class FocusSection:
    """A focus area: its commentary, its targets and its initiatives with their funding."""

    focus_area_id: str
    name: str
    commentary: Commentary | None
    targets: list[TargetSection]
    initiatives: list[tuple[str, str, str]]  # name, year, funding
    funding_total: str | None


@dataclass
class ThemeSection:
    """A theme: its one-line summary, its focus areas; in a summary memo its counts and furthest behind."""

    theme_id: str
    name: str
    summary: str | None
    counts: list[tuple[str, int]] = field(default_factory=list)
    focus_areas: list[FocusSection] = field(default_factory=list)
    behind: list[list[str]] = field(default_factory=list)   # summary memo only
    empty_note: str | None = None
    caveats: dict[str, str] = field(default_factory=dict)   # status label -> marked targets (summary memo)


@dataclass
class Memo:
    """Everything the memo says, in its language; the layout orders it and the writers lay it out."""

    lang: str
    year: int
    detail: str
    date: _dt.date
    n_targets: int
    headline: str
    counts: list[tuple[str, str, int]]           # status, label, count
    monitored: str | None
    changes: list[list[str]]
    changes_text: str
    changes_more: str | None
    behind: list[list[str]]
    themes: list[ThemeSection]
    has_illustrative: bool
    chart_seconds: float = 0.0
    #: status -> the targets of that status whose status carries marks, with the marks
    #: (``"STEM-optag – foreløbig: bygger på eksempeldata"``), for the counts table.
    caveats: dict[str, str] = field(default_factory=dict)

    @property
    def L(self) -> Lang:  # noqa: N802 - the project's name for the reader's language
        return Lang.of(self.lang)

    def t(self, key: str, **kwargs: Any) -> str:
        return i18n.t(key, self.lang, **kwargs)

    @property
    def date_text(self) -> str:
        return F.format_date(self.date, self.lang)

    @property
    def title(self) -> str:
        return self.t("memo.title")

    @property
    def subtitle(self) -> str:
        return self.t("memo.subtitle", year=self.year)

    @property
    def footer(self) -> str:
        return self.t("memo.footer", year=self.year, date=self.date_text)

    def sections(self) -> list[TargetSection]:
        """Every target section, in the memo's order."""
        return [t for th in self.themes for f in th.focus_areas for t in f.targets]


# ---------------------------------------------------------------------- the queries, batched
@dataclass
class _Data:
    """Everything the memo reads from the store, fetched once."""

    now: pd.DataFrame
    before: pd.DataFrame
    targets: pd.DataFrame
    themes: pd.DataFrame
    focus_areas: pd.DataFrame
    initiatives: pd.DataFrame
    notes: pd.DataFrame
    observations: pd.DataFrame | None


_OWN_SERIES_SQL = """
    SELECT o.* FROM observations o JOIN targets t ON t.target_id = o.target_id AND t.geography = o.geography
    WHERE o.year <= $year ORDER BY o.target_id, o.year"""


def _fetch(store: Store, year: int, detail: str) -> tuple[_Data, str]:
    """The memo's queries and the detail chosen: two status computations and one query per table, never per target.

    The observations (for the charts and the sources) are read only for a full memo.
    """
    with store.read() as cur:
        now = progress.compute_status(cur, as_of=year)
        before = progress.compute_status(cur, as_of=year - 1)
        n_targets = int(now["is_primary_geography"].sum())
        chosen = detail if detail != "auto" else ("full" if n_targets <= FULL_LIMIT else "summary")
        observations = cur.execute(_OWN_SERIES_SQL, {"year": int(year)}).df() if chosen == "full" else None
    data = _Data(now=now, before=before, targets=store.targets(), themes=store.themes(),
                 focus_areas=store.focus_areas(), initiatives=store.initiatives(),
                 notes=commentary_mod.current_frame(store), observations=observations)
    return data, chosen


class _Notes:
    """The current commentary, split once by subject, for :func:`metrics.commentary.latest_up_to`."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._empty = frame.iloc[0:0]
        self._by = {column: ({k: g for k, g in frame.groupby(column)} if len(frame) else {})
                    for column in ("target_id", "focus_area_id")}

    def latest(self, year: int, lang: str, **subject: str) -> commentary_mod.Comment | None:
        ((column, key),) = subject.items()
        return commentary_mod.latest_up_to(self._by[column].get(key, self._empty), year, lang, **subject)


# ---------------------------------------------------------------------- building
def build_memo(store: Store, year: int | None = None, lang: Lang | str = i18n.DEFAULT_LANGUAGE, *,
               detail: str = "auto", charts: bool = True, today: _dt.date | None = None) -> Memo:
    """Collect the memo for the status as of ``year`` (default: this year) in ``lang``.

    Every status it shows carries its marks (:func:`metrics.marks.status_line`): provisional,
    stale, a deadline passed without the figure for the target year.
    """
    if str(lang) not in i18n.LANGUAGES:
        raise MalsporError("memo_lang_unknown", language=str(lang), choices=OneOf(i18n.LANGUAGES))
    if detail not in DETAILS:
        raise MalsporError("memo_detail_unknown", detail=detail, choices=OneOf(DETAILS))
    L = Lang.of(str(lang))
    year = int(year or progress.current_year())
    t = L.t
    data, chosen = _fetch(store, year, detail)
    rows = views.decorate(data.now[data.now["is_primary_geography"]], L).reset_index(drop=True)
    rows["goal_deadline"] = [
        r["goal"] if r["kind"] == "none" else f"{r['goal']} ({int(r['target_year'])})" for r in rows.to_dict("records")]

    changes, better, worse = _changes(rows, data.before, L)
    total = views.summary(rows)
    notes = _Notes(data.notes)
    sections, chart_seconds = _themes(data, rows, year, L, chosen, charts, notes)
    return _scrub(Memo(
        lang=L.code, year=year, detail=chosen, date=today or _dt.date.today(), n_targets=len(rows),
        headline=t("memo.headline", on=total["good"], n=total["targets"]),
        counts=[(s, L.status(s), n) for s, n in views.status_counts(rows)], monitored=_monitored(rows, L),
        changes=changes[:CHANGES_SHOWN],
        changes_text=(t("memo.changes_summary", n=len(changes), year=year - 1, better=better, worse=worse)
                      if changes else t("memo.changes_none", year=year - 1)),
        changes_more=(t("memo.changes_more", shown=CHANGES_SHOWN, n=len(changes))
                      if len(changes) > CHANGES_SHOWN else None),
        behind=F.behind(rows, L, BEHIND_SHOWN), themes=sections,
        has_illustrative=bool(rows["has_illustrative"].fillna(False).any()),
        chart_seconds=chart_seconds, caveats=F.caveats(rows, L),
    ))


def _monitored(rows: pd.DataFrame, L: Lang) -> str | None:
    """The sentence on the indicators followed without a target: how many, their trends, their caveats."""
    monitored_rows = rows[rows["kind"] == "none"]
    if monitored_rows.empty:
        return None
    trend = monitored_rows["status"].value_counts()
    items = [f"{L.status(s)}: {int(trend[s])}" for s in (*TREND_STATUSES, "not_assessable") if s in trend]
    text = L.t("memo.monitored", n=len(monitored_rows), items=", ".join(items))
    marked = [f"{F.short_name(r, L)} – {'; '.join(found)}" for r in monitored_rows.to_dict("records")
              if (found := marks.status_marks(r, L))]
    if marked:
        text += " " + L.t("memo.monitored_caveats", items=" · ".join(F.named_first(marked, L, indicators=True)))
    return text


def _changes(rows: pd.DataFrame, before: pd.DataFrame, L: Lang) -> tuple[list[list[str]], int, int]:
    """The targets whose status differs from the year before: rows, and how many got better and worse."""
    prev = {(r["target_id"], r["geography"]): r for r in before[before["is_primary_geography"]].to_dict("records")}
    changes, better, worse = [], 0, 0
    for r in rows.to_dict("records"):
        old_row = prev.get((r["target_id"], r["geography"]))
        old = old_row["status"] if old_row is not None else None
        if not isinstance(old, str) or old == r["status"]:
            continue
        a, b = F.rank(old), F.rank(r["status"])
        if a is not None and b is not None:
            direction = L.t("memo.better") if b < a else L.t("memo.worse")
            better += b < a
            worse += b > a
        else:
            direction = L.t("memo.changed")
        changes.append([r["name"], marks.status_line(old_row, L, reason=False), marks.status_line(r, L, reason=False),
                        direction])
    return changes, better, worse


def _themes(data: _Data, rows: pd.DataFrame, year: int, L: Lang, chosen: str, charts: bool,
            notes: _Notes) -> tuple[list[ThemeSection], float]:
    """Theme by theme and focus area by focus area; in a full memo every target with its chart."""
    t = L.t
    drawer = _Charts(charts, L, year)
    targets = {r["target_id"]: r for r in data.targets.to_dict("records")}
    status_of = {r["target_id"]: r for r in data.now[data.now["is_primary_geography"]].to_dict("records")}
    observed = ({tid: g for tid, g in data.observations.groupby("target_id", sort=False)}
                if data.observations is not None else {})
    empty_obs = data.observations.iloc[0:0] if data.observations is not None else None
    inits_by_fa = {k: g for k, g in data.initiatives.groupby("focus_area_id", sort=False)}
    by_theme = {k: g for k, g in rows.groupby("theme", sort=False)}
    sections: list[ThemeSection] = []
    for th in data.themes.to_dict("records"):
        theme_rows = by_theme.get(th["theme_id"], rows.iloc[0:0])
        part = views.summary(theme_rows)
        section = ThemeSection(
            theme_id=th["theme_id"], name=L.pick(th["name_da"], th["name_en"]),
            summary=t("overview.theme_summary", on=part["good"], n=part["targets"]) if part["targets"] else None,
            counts=[(L.status(s), n) for s, n in views.status_counts(theme_rows)],
            empty_note=t("overview.no_targets_in_theme") if theme_rows.empty else None,
        )
        if chosen == "summary":
            section.behind = F.behind(theme_rows, L, SUMMARY_BEHIND_PER_THEME)
            section.caveats = {L.status(s): text for s, text in F.caveats(theme_rows, L).items()}
        for fa in data.focus_areas[data.focus_areas["theme_id"] == th["theme_id"]].to_dict("records"):
            fa_comment = F.commentary(notes.latest(year, L.code, focus_area_id=fa["focus_area_id"]), year, L)
            if chosen != "full" and fa_comment is None:
                continue  # a summary memo lists a focus area only for its commentary
            focus = _focus(fa, fa_comment, inits_by_fa.get(fa["focus_area_id"], data.initiatives.iloc[0:0]), L)
            if chosen == "full":
                for r in theme_rows[theme_rows["focus_area_id"] == fa["focus_area_id"]].to_dict("records"):
                    target = targets[r["target_id"]]
                    series = F.series_of(target, observed.get(r["target_id"], empty_obs), year)
                    focus.targets.append(_target(r, target, status_of.get(r["target_id"]), series, year, L,
                                                 drawer, notes))
            section.focus_areas.append(focus)
        sections.append(section)
    return sections, drawer.seconds


def _focus(fa: dict[str, Any], comment: Commentary | None, inits: pd.DataFrame, L: Lang) -> FocusSection:
    """A focus area's section without its targets: name, commentary, initiatives and their total funding."""
    funding = lambda v: "–" if pd.isna(v) else L.num(v, decimals=0, unit="kr.")  # noqa: E731
    total = inits["funding_dkk"].sum(min_count=1)
    return FocusSection(
        focus_area_id=fa["focus_area_id"], name=L.pick(fa["name_da"], fa["name_en"]), commentary=comment, targets=[],
        initiatives=[(L.pick(i["name_da"], i["name_en"]), L.year(i["year"]), funding(i["funding_dkk"]))
                     for i in inits.to_dict("records")],
        funding_total=L.t("target.funding_total", total=funding(total)) if pd.notna(total) else None,
    )


class _Charts:
    """Draws the charts, gives up after the first failure (no Chromium) and says why in every later note."""

    def __init__(self, enabled: bool, L: Lang, year: int) -> None:
        self.enabled, self.L, self.year = enabled, L, year
        self.error: str | None = None
        self.seconds = 0.0

    def draw(self, data: chart_mod.ChartData, name: str) -> tuple[bytes | None, str, str | None]:
        png, alt, note = None, "", None
        if self.enabled and self.error is None:
            started = time.perf_counter()
            try:
                png, alt, note = chart_mod.draw(data, self.year, self.L, name)
            except MalsporError as exc:
                self.error = chart_mod.short_reason(exc)
            self.seconds += time.perf_counter() - started
        if self.error is not None:
            note = self.L.t("memo.chart_missing", reason=self.error)
        return png, alt, note


def _target(row: dict[str, Any], target: dict[str, Any], status: dict[str, Any] | None, series: pd.DataFrame,
            year: int, L: Lang, drawer: _Charts, notes: _Notes) -> TargetSection:
    """One target's section from its status row, definition and series (no query here)."""
    source_lines, illustrative = F.sources(target, series, L)
    png, alt, note = drawer.draw(chart_mod.ChartData(target, row["geography"], status, series), row["name"])
    comment = notes.latest(year, L.code, target_id=row["target_id"])
    return TargetSection(
        target_id=row["target_id"], name=row["name"], status=row["status"], status_text=row["status_line"],
        facts=F.facts(row, series, L), illustrative=illustrative, chart_png=png, chart_alt=alt, chart_note=note,
        commentary=F.commentary(comment, year, L), no_commentary=L.t("memo.no_commentary", year=year),
        sources=source_lines,
    )


#: Characters no document format can hold (XML forbids C0 controls other than tab and newline).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _scrub(value: Any) -> Any:
    """Every text of the memo without control characters (tabs become spaces), so Word and PDF accept it."""
    if isinstance(value, str):
        return _CONTROL.sub("", value.replace("\t", " "))
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_scrub(v) for v in value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            current = getattr(value, f.name)
            if isinstance(current, (str, list, tuple, dict)) or dataclasses.is_dataclass(current):
                setattr(value, f.name, _scrub(current))
        return value
    return value
