"""The status memo for committees, written from the data in Danish or English.

Modelled on the region's own memo (``../shared/seed/``): a first page with the overall
picture (how many targets in each status, what changed since the previous year, the targets
furthest behind), then theme by theme and focus area by focus area each target's status,
latest value against the target, the chart with glide path and projection, the analysts'
commentary, the initiatives and their funding, and the sources of the figures, with
illustrative values marked wherever they appear.

:func:`build_memo` collects everything once, with every text already in the memo's
language; the renderers only lay it out: :func:`to_pdf` (to read; fpdf2 with the bundled
DejaVu Sans, so Danish letters and the status symbols print on any machine), :func:`to_docx`
(to edit in Word), :func:`to_html` (one self-contained file to mail: images inline, every
text escaped, a Content-Security-Policy that allows no script) and :func:`to_markdown`.

Charts are PNGs from :func:`metrics.charts.figure_png` (kaleido and Chromium). Without a
working Chromium the memo is still written, with a sentence in place of each chart.

A database with more than :data:`FULL_LIMIT` targets gets a summary memo (status per theme
and the targets furthest behind, no charts) unless ``detail="full"`` is asked for.

Example::

    memo = build_memo(store, year=2026, lang="da")
    Path("statusnotat.pdf").write_bytes(render(memo, "pdf"))
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import hashlib
import html
import io
import re
import threading
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from metrics import commentary as commentary_mod
from metrics import i18n, marks, progress, views
from metrics.i18n import Lang
from metrics.model import TARGET_STATUSES, TREND_STATUSES, MalsporError, OneOf
from metrics.store import Store

FORMATS = ("pdf", "docx", "html", "md")
DETAILS = ("auto", "full", "summary")
#: ``detail="auto"`` writes a full memo (a section and a chart per target) up to this many targets.
FULL_LIMIT = 50
#: How many targets the first page lists as furthest behind; and per theme in a summary memo.
BEHIND_SHOWN = 3
SUMMARY_BEHIND_PER_THEME = 15
#: How many status changes the first page lists.
CHANGES_SHOWN = 15
#: Chart size in pixels: at 17 cm wide the 16 px type of the charts prints at about 8 pt.
CHART_WIDTH, CHART_HEIGHT = 1000, 480
FONT_DIR = Path(__file__).resolve().parent / "fonts"
MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
    "md": "text/markdown",
}
_MONTHS = {
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


# ---------------------------------------------------------------------- the memo's content
@dataclass
class Commentary:
    """An analyst's text as the memo prints it."""

    paragraphs: list[str]
    byline: str


@dataclass
class TargetSection:
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
    focus_area_id: str
    name: str
    commentary: Commentary | None
    targets: list[TargetSection]
    initiatives: list[tuple[str, str, str]]  # name, year, funding
    funding_total: str | None


@dataclass
class ThemeSection:
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
    """Everything the memo says, in its language; the renderers only lay it out."""

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

    def counts_header(self) -> list[str]:
        head = [self.t("col.status"), self.t("memo.count_col")]
        return head + [self.t("memo.caveat_col")] if self.caveats else head

    def counts_rows(self) -> list[list[str]]:
        return [[label, str(n)] + ([self.caveats.get(s, "")] if self.caveats else [])
                for s, label, n in self.counts]

    def theme_counts(self, theme: ThemeSection) -> tuple[list[str], list[list[str]]]:
        """Header and rows of a theme's counts table (summary memo), with the marked targets beside each status."""
        head = [self.t("col.status"), self.t("memo.count_col")]
        if not theme.caveats:
            return head, [[label, str(n)] for label, n in theme.counts]
        return head + [self.t("memo.caveat_col")], [[label, str(n), theme.caveats.get(label, "")]
                                                   for label, n in theme.counts]

    @property
    def date_text(self) -> str:
        return format_date(self.date, self.lang)

    @property
    def title(self) -> str:
        return self.t("memo.title")

    @property
    def subtitle(self) -> str:
        return self.t("memo.subtitle", year=self.year)

    @property
    def footer(self) -> str:
        return self.t("memo.footer", year=self.year, date=self.date_text)

    def changes_header(self) -> list[str]:
        return [self.t("col.target"), self.t("memo.col_before", year=self.year - 1),
                self.t("memo.col_before", year=self.year), self.t("memo.col_direction")]

    def behind_header(self) -> list[str]:
        return [self.t("col.target"), self.t("col.status"), self.t("col.latest"), self.t("col.goal"),
                self.t("memo.col_progress")]

    def initiatives_header(self) -> list[str]:
        return [self.t("col.initiative"), self.t("col.year"), self.t("col.funding")]


def format_date(day: _dt.date, lang: Lang | str) -> str:
    """``29. november 2026`` in Danish, ``29 November 2026`` in English (the memo's long form)."""
    L = Lang.of(lang)
    month = _MONTHS[L.code][day.month - 1]
    return f"{day.day}. {month} {day.year}" if L.is_danish else f"{day.day} {month} {day.year}"


def format_time(stamp: Any, lang: Lang | str) -> str:
    """A time stamp as the reader writes it (``12.05.2026 kl. 14:03``), through :meth:`Lang.date`."""
    return Lang.of(lang).date(pd.Timestamp(stamp).to_pydatetime(), with_time=True)


def _note(L: Lang, row: Any) -> str:
    """A row's note in the reader's language: ``note_da``/``note_en`` (method v2), else the old ``note``."""
    get = row.get if hasattr(row, "get") else (lambda k, d=None: d)
    text = L.pick(get("note_da"), get("note_en"))
    if text:
        return text
    old = get("note")
    return old if isinstance(old, str) else ""


def _years_text(years: list[int]) -> str:
    """``[2015, 2016, 2017, 2019]`` -> ``2015–2017, 2019``."""
    years = sorted(set(int(y) for y in years))
    parts, start, prev = [], None, None
    for y in years:
        if start is None:
            start = prev = y
        elif y == prev + 1:
            prev = y
        else:
            parts.append(str(start) if start == prev else f"{start}–{prev}")
            start = prev = y
    if start is not None:
        parts.append(str(start) if start == prev else f"{start}–{prev}")
    return ", ".join(parts)


def _rank(status: str) -> int | None:
    """Position of a status from best (0) to worst; None for 'cannot be assessed'."""
    if status in ("not_assessable",) or not isinstance(status, str):
        return None
    if status in TARGET_STATUSES:
        return TARGET_STATUSES.index(status)
    if status in TREND_STATUSES:
        return TREND_STATUSES.index(status)
    return None


def _commentary(comment: commentary_mod.Comment | None, year: int, L: Lang) -> Commentary | None:
    if comment is None:
        return None
    notes = []
    if comment.year != year:
        notes.append(L.t("memo.commentary_year", year=comment.year))
    if comment.lang != L.code:
        notes.append(L.t(f"memo.only_in.{comment.lang}"))
    byline = L.t("memo.commentary_by", author=comment.author, time=format_time(comment.created_at, L))
    if notes:
        byline += f" ({'; '.join(notes)})"
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", comment.text) if p.strip()]
    return Commentary(paragraphs=paragraphs, byline=byline)


def _progress_text(row: dict[str, Any], L: Lang) -> str:
    """How far along the way and the time a target is, in the overview's words (or a dash)."""
    return views.progress_words(row, L) or "–"


def _behind(rows: pd.DataFrame, L: Lang, limit: int) -> list[list[str]]:
    """The targets furthest behind, ranked by :func:`metrics.views.furthest_behind` (as the overview's list)."""
    return [[r["name"], r["status_line"], r["latest"], r["goal_deadline"], _progress_text(r, L)]
            for r in views.furthest_behind(rows, limit).to_dict("records")]


def _caveats(rows: pd.DataFrame, L: Lang) -> dict[str, str]:
    """status -> "short name – marks", one line per target whose status carries marks."""
    out: dict[str, list[str]] = {}
    for r in rows[rows["kind"] != "none"].to_dict("records"):
        found = marks.status_marks(r, L)
        if found:
            out.setdefault(r["status"], []).append(f"{_short_name(r, L)} – {'; '.join(found)}")
    return {s: "\n".join(items) for s, items in out.items()}  # one target a line (Markdown: " · ")


def _short_name(row: dict[str, Any], L: Lang) -> str:
    """The short label of a target (method v2's ``short_name_da/en``), else its name."""
    return L.pick(row.get("short_name_da"), row.get("short_name_en")) or str(row["name"])


#: Charts already drawn in this process, keyed by a hash of everything they show, so a second
#: format of the same memo (or the same chart in next week's memo) costs nothing.
_chart_cache: OrderedDict[str, bytes] = OrderedDict()
_chart_lock = threading.Lock()
CHART_CACHE_SIZE = 256


def _chart(detail: views.TargetDetail, year: int, L: Lang, name: str) -> tuple[bytes | None, str, str | None]:
    """(png, alt text, note): the target's chart as of ``year``; a note instead when it cannot be drawn."""
    from metrics import charts  # plotly is only needed when charts are drawn

    series = detail.series[detail.series["year"] <= year].reset_index(drop=True)
    if series.empty:
        return None, "", L.t("memo.no_chart_data", year=year)
    if detail.target["kind"] == "none" and len(series) < 2:
        return None, "", L.t("memo.one_point", year=int(series["year"].iloc[0]))
    alt = L.t("memo.chart_alt", name=name, geo=detail.geography, first=int(series["year"].min()),
                 last=int(series["year"].max()))
    key = hashlib.sha256(repr((sorted(detail.target.items()), sorted((detail.status or {}).items()),
                               series.to_csv(index=False), detail.geography, L.code, CHART_WIDTH, CHART_HEIGHT))
                         .encode()).hexdigest()
    with _chart_lock:
        cached = _chart_cache.get(key)
    if cached is not None:
        return cached, alt, None
    fig = charts.target_figure(dataclasses.replace(detail, series=series), L)
    fig.update_layout(title_text="", margin=dict(t=30))
    with warnings.catch_warnings():  # plotly warns that kaleido's server ignores an option it does not use
        warnings.simplefilter("ignore", UserWarning)
        png = charts.figure_png(fig, width=CHART_WIDTH, height=CHART_HEIGHT)
    with _chart_lock:
        _chart_cache[key] = png
        while len(_chart_cache) > CHART_CACHE_SIZE:
            _chart_cache.popitem(last=False)
    return png, alt, None


def _sources(detail: views.TargetDetail, year: int, L: Lang) -> tuple[list[str], bool]:
    """The sources of the figures up to ``year``, grouped, illustrative ones marked; and whether any is illustrative.

    The target's note ("Bemærkning") is in the reader's language (``note_da``/``note_en``).
    """
    target = detail.target
    lines = [L.t("memo.source_target", source=target["source"])]
    series = detail.series[detail.series["year"] <= year]
    groups: dict[tuple[str, str], list[int]] = {}
    for r in series.to_dict("records"):
        source = r["source"] if isinstance(r["source"], str) and r["source"] else target["source"]
        groups.setdefault((source, r["data_class"]), []).append(int(r["year"]))
    for (source, cls), years in groups.items():
        label = L.t(f"class.{cls}")
        mark = f"{L.t('memo.illustrative_mark')}: " if cls == "I" else ""
        lines.append(f"{_years_text(years)}: {mark}{source}" + ("" if cls in ("R", "I") else f" ({label})"))
    note = _note(L, target)
    if note:
        lines.append(L.t("memo.source_note", note=note))
    return lines, bool((series["data_class"] == "I").any())


def _facts(row: dict[str, Any], detail: views.TargetDetail | None, L: Lang) -> list[tuple[str, str]]:
    t = L.t
    facts = [(t("memo.fact_status"), row["status_line"]), (t("memo.fact_geography"), row["geography"])]
    latest = row["latest"]
    if detail is not None and pd.notna(row["latest_year"]):
        last = detail.series[detail.series["year"] == row["latest_year"]]
        if not last.empty and last.iloc[0]["data_class"] == "I":
            latest += f" {t('memo.illustrative_mark')}"
    facts.append((t("memo.fact_latest"), latest))
    if row["kind"] != "none":
        goal = t("memo.fact_target_value", value=views.value_with_unit(row["target_value"], row, L),
                 year=int(row["target_year"]))
        if row["kind"] == "relative":
            goal += " " + t("explain.relative", pct=L.num(row["target_value_definition"]))
        if marks._flag(row, "settled"):
            goal += f" ({t('mark.settled', year=int(row['target_year']))})"
        elif row["deadline_passed"]:
            goal += f" ({t('memo.fact_deadline_passed')})"
        facts.append((t("memo.fact_target"), goal))
    else:
        facts.append((t("memo.fact_target"), t("overview.monitored")))
    baseline = f"{views.value_with_unit(row['baseline_value'], row, L)} ({int(row['baseline_year'])})"
    if detail is not None:
        base = detail.series[detail.series["is_baseline"] & (detail.series["year"] == row["baseline_year"])]
        if not base.empty and base.iloc[0]["data_class"] == "I":
            baseline += f" {t('memo.illustrative_mark')}"
    facts.append((t("memo.fact_baseline"), baseline))
    if row["kind"] != "none":
        if pd.notna(row.get("gap")) and row["status"] != "met":
            facts.append((t("memo.fact_gap"), views.difference_with_unit(row["gap"], row, L)))
        progress_text = _progress_text(row, L)
        if progress_text != "–":
            facts.append((t("memo.fact_progress"), progress_text))
        if pd.notna(row.get("projected_value")):
            facts.append((t("memo.fact_projection"),
                          t("explain.projection_value", value=views.value_with_unit(row["projected_value"], row, L),
                            year=int(row["target_year"]))))
    facts.append((t("memo.fact_data"), row["data"]))
    return facts


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
    with store.read() as cur:
        now = progress.compute_status(cur, as_of=year)
        before = progress.compute_status(cur, as_of=year - 1)
    rows = views.decorate(now[now["is_primary_geography"]], L).reset_index(drop=True)
    rows["status_line"] = [marks.status_line(r, L) for r in rows.to_dict("records")]
    short = store.targets().set_index("target_id")
    for col in ("short_name_da", "short_name_en"):
        if col in short:
            rows[col] = [short[col].get(tid) for tid in rows["target_id"]]
    rows["goal_deadline"] = [
        r["goal"] if r["kind"] == "none" else f"{r['goal']} ({int(r['target_year'])})" for r in rows.to_dict("records")]
    chosen = detail if detail != "auto" else ("full" if len(rows) <= FULL_LIMIT else "summary")

    # First page: counts, monitored indicators, changes since the previous year, furthest behind.
    total = views.summary(rows)
    counts = [(s, L.status(s), n) for s, n in views.status_counts(rows)]
    monitored_rows = rows[rows["kind"] == "none"]
    monitored = None
    if not monitored_rows.empty:
        trend = monitored_rows["status"].value_counts()
        items = [f"{L.status(s)}: {int(trend[s])}" for s in (*TREND_STATUSES, "not_assessable") if s in trend]
        monitored = t("memo.monitored", n=len(monitored_rows), items=", ".join(items))
        marked = [f"{_short_name(r, L)} – {'; '.join(found)}" for r in monitored_rows.to_dict("records")
                  if (found := marks.status_marks(r, L))]
        if marked:
            monitored += " " + t("memo.monitored_caveats", items=" · ".join(marked))
    prev_rows = before[before["is_primary_geography"]]
    prev = {(r["target_id"], r["geography"]): r for r in prev_rows.to_dict("records")}
    changes, better, worse = [], 0, 0
    for r in rows.to_dict("records"):
        old_row = prev.get((r["target_id"], r["geography"]))
        old = old_row["status"] if old_row is not None else None
        if not isinstance(old, str) or old == r["status"]:
            continue
        a, b = _rank(old), _rank(r["status"])
        if a is not None and b is not None:
            direction = t("memo.better") if b < a else t("memo.worse")
            better += b < a
            worse += b > a
        else:
            direction = t("memo.changed")
        changes.append([r["name"], marks.status_line(old_row, L, reason=False), marks.status_line(r, L, reason=False),
                        direction])
    changes_text = (t("memo.changes_summary", n=len(changes), year=year - 1, better=better, worse=worse)
                    if changes else t("memo.changes_none", year=year - 1))
    changes_more = (t("memo.changes_more", shown=CHANGES_SHOWN, n=len(changes))
                    if len(changes) > CHANGES_SHOWN else None)

    notes = commentary_mod.current_frame(store)
    themes = store.themes()
    focus_areas = store.focus_areas()
    initiatives = store.initiatives()
    chart_seconds, chart_error = 0.0, None
    sections: list[ThemeSection] = []
    any_illustrative = bool(rows["has_illustrative"].fillna(False).any())
    for th in themes.to_dict("records"):
        theme_rows = rows[rows["theme"] == th["theme_id"]]
        part = views.summary(theme_rows)
        section = ThemeSection(
            theme_id=th["theme_id"], name=L.pick(th["name_da"], th["name_en"]),
            summary=t("overview.theme_summary", on=part["good"], n=part["targets"]) if part["targets"] else None,
            counts=[(L.status(s), n) for s, n in views.status_counts(theme_rows)],
            empty_note=t("overview.no_targets_in_theme") if theme_rows.empty else None,
        )
        if chosen == "summary":
            section.behind = _behind(theme_rows, L, SUMMARY_BEHIND_PER_THEME)
            section.caveats = {L.status(s): text for s, text in _caveats(theme_rows, L).items()}
        for fa in focus_areas[focus_areas["theme_id"] == th["theme_id"]].to_dict("records"):
            fa_comment = _commentary(commentary_mod.latest_up_to(notes, year, L.code, focus_area_id=fa["focus_area_id"]),
                                     year, L)
            fa_inits = initiatives[initiatives["focus_area_id"] == fa["focus_area_id"]]
            focus = FocusSection(
                focus_area_id=fa["focus_area_id"], name=L.pick(fa["name_da"], fa["name_en"]),
                commentary=fa_comment, targets=[],
                initiatives=[(L.pick(i["name_da"], i["name_en"]), L.year(i["year"]),
                              "–" if pd.isna(i["funding_dkk"]) else L.num(i["funding_dkk"], decimals=0, unit="kr."))
                             for i in fa_inits.to_dict("records")],
                funding_total=None,
            )
            total_funding = fa_inits["funding_dkk"].sum(min_count=1)
            if pd.notna(total_funding):
                focus.funding_total = t("target.funding_total", total=L.num(total_funding, decimals=0, unit="kr."))
            if chosen == "full":
                for r in theme_rows[theme_rows["focus_area_id"] == fa["focus_area_id"]].to_dict("records"):
                    tdetail = views.target_detail(store, r["target_id"], r["geography"], year)
                    sources, illustrative = _sources(tdetail, year, L)
                    png, alt, note = None, "", None
                    if charts and chart_error is None:
                        started = time.perf_counter()
                        try:
                            png, alt, note = _chart(tdetail, year, L, r["name"])
                        except MalsporError as exc:
                            chart_error = _short_reason(exc)
                        chart_seconds += time.perf_counter() - started
                    if chart_error is not None:
                        note = t("memo.chart_missing", reason=chart_error)
                    comment = commentary_mod.latest_up_to(notes, year, L.code, target_id=r["target_id"])
                    focus.targets.append(TargetSection(
                        target_id=r["target_id"], name=r["name"], status=r["status"], status_text=r["status_line"],
                        facts=_facts(r, tdetail, L), illustrative=illustrative, chart_png=png, chart_alt=alt,
                        chart_note=note, commentary=_commentary(comment, year, L),
                        no_commentary=t("memo.no_commentary", year=year), sources=sources,
                    ))
            elif fa_comment is None:
                continue  # a summary memo lists a focus area only for its commentary
            section.focus_areas.append(focus)
        sections.append(section)
    return _scrub(Memo(
        lang=L.code, year=year, detail=chosen, date=today or _dt.date.today(), n_targets=len(rows),
        headline=t("memo.headline", on=total["good"], n=total["targets"]), counts=counts, monitored=monitored,
        changes=changes[:CHANGES_SHOWN], changes_text=changes_text, changes_more=changes_more,
        behind=_behind(rows, L, BEHIND_SHOWN), themes=sections, has_illustrative=any_illustrative,
        chart_seconds=chart_seconds, caveats=_caveats(rows, L),
    ))


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


def _short_reason(exc: Exception) -> str:
    """The first line of a chart error, short enough for the memo."""
    text = str(exc).split("\n", 1)[0]
    return "Chromium" if "chromium" in text.lower() else (text[:120] + "…" if len(text) > 120 else text)


# ---------------------------------------------------------------------- HTML
_CSS = """
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;color:#1a1a1a;max-width:52rem;margin:2rem auto;
padding:0 1rem;line-height:1.45;font-size:11pt}
h1{font-size:1.9em;margin:.2em 0}h2{font-size:1.45em;border-bottom:2px solid #0072B2;padding-bottom:.15em;
margin-top:1.8em}h3{font-size:1.2em;margin-top:1.4em}h4{font-size:1.05em;margin:1.2em 0 .3em}
.kind{letter-spacing:.2em;font-weight:bold;color:#555;margin:0}.meta{color:#444}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em}th,td{border:1px solid #bbb;padding:.3em .5em;
text-align:left;vertical-align:top}th{background:#eef2f6}table.facts th{width:32%;background:#f6f6f6}
.status{font-weight:bold;padding:.05em .4em;border-left:.45em solid #7f7f7f}
figure{margin:.6em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption,.note,.sources{font-size:.9em;color:#444}.commentary{background:#f4f8fb;border-left:4px solid #0072B2;
padding:.4em .8em;margin:.6em 0}.byline{font-size:.85em;color:#555;font-style:italic}
.illustrative{background:#fff6d6;padding:.3em .6em;border:1px dashed #b08800}
article.target{border-top:1px solid #ddd;margin-top:1em}
footer{margin-top:3em;font-size:.85em;color:#555;border-top:1px solid #bbb;padding-top:.5em}
@media print{body{margin:0;max-width:none}article.target,figure,table{break-inside:avoid}h2,h3,h4{break-after:avoid}
.first{break-after:page}}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _html_table(header: list[str] | None, rows: list[list[str]], cls: str = "") -> str:
    out = [f'<table class="{_e(cls)}">' if cls else "<table>"]
    if header:
        out.append("<thead><tr>" + "".join(f'<th scope="col">{_e(h)}</th>' for h in header) + "</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{_e(c)}</td>".replace("\n", "<br>") for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _status_span(status: str, text: str) -> str:
    colour = i18n.STATUS_COLOURS.get(status, "#7f7f7f")
    return f'<span class="status" style="border-left-color:{_e(colour)}">{_e(text)}</span>'


def _html_commentary(c: Commentary | None, empty: str | None = None) -> str:
    if c is None:
        return f'<p class="note">{_e(empty)}</p>' if empty else ""
    body = "".join(f"<p>{_e(p)}</p>".replace("\n", "<br>") for p in c.paragraphs)
    return f'<div class="commentary">{body}<p class="byline">{_e(c.byline)}</p></div>'


def to_html(memo: Memo) -> bytes:
    """One self-contained HTML file: styles and images inline, every text escaped, no script allowed."""
    t = memo.t
    page_rule = ("@page{size:A4;margin:2cm 2cm 2.2cm;@bottom-left{content:\"" + _css_string(memo.footer) + "\"}"
                 "@bottom-right{content:\"" + _css_string(memo.t("memo.page", page="\" counter(page) \"",
                                                                   pages="\" counter(pages) \"")) + "\"}}")
    parts = [
        "<!DOCTYPE html>", f'<html lang="{_e(memo.lang)}"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        'style-src \'unsafe-inline\'">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(memo.title)} · {memo.year}</title>", f"<style>{_CSS}{page_rule}</style></head><body>",
        '<header class="first-head">', f'<p class="kind">{_e(t("memo.kind"))}</p>', f"<h1>{_e(memo.title)}</h1>",
        f'<p class="meta"><strong>{_e(memo.subtitle)}</strong><br>{_e(t("memo.prepared", date=memo.date_text))}</p>',
        "</header>", '<main><section class="first">', f"<h2>{_e(t('memo.overall'))}</h2>",
        f"<p><strong>{_e(memo.headline)}</strong></p>",
    ]
    if memo.counts:
        parts.append(_html_table(memo.counts_header(), memo.counts_rows()))
    if memo.monitored:
        parts.append(f"<p>{_e(memo.monitored)}</p>")
    parts.append(f"<h3>{_e(t('memo.changes_title', year=memo.year - 1))}</h3><p>{_e(memo.changes_text)}</p>")
    if memo.changes:
        parts.append(_html_table(memo.changes_header(), memo.changes))
    if memo.changes_more:
        parts.append(f'<p class="note">{_e(memo.changes_more)}</p>')
    parts.append(f"<h3>{_e(t('memo.behind_title'))}</h3>")
    if memo.behind:
        parts.append(f'<p class="note">{_e(t("memo.behind_intro"))}</p>' + _html_table(memo.behind_header(), memo.behind))
    else:
        parts.append(f"<p>{_e(t('memo.behind_none'))}</p>")
    if memo.detail == "summary":
        parts.append(f"<p><em>{_e(t('memo.summary_mode', n=memo.n_targets))}</em></p>")
    else:
        parts.append(f'<p class="note">{_e(t("memo.contents_note"))}</p>')
    if memo.has_illustrative:
        parts.append(f'<p class="illustrative">{_e(t("memo.illustrative_note"))}</p>')
    parts.append(f'<p class="note">{_e(t("memo.method_note"))}</p></section>')
    for theme in memo.themes:
        parts.append(f'<section class="theme"><h2>{_e(theme.name)}</h2>')
        if theme.summary:
            parts.append(f"<p><strong>{_e(theme.summary)}</strong></p>")
        if theme.empty_note:
            parts.append(f'<p class="note">{_e(theme.empty_note)}</p>')
        if memo.detail == "summary":
            if theme.counts:
                parts.append(_html_table(*memo.theme_counts(theme)))
            if theme.behind:
                parts.append(f"<h3>{_e(t('memo.theme_behind', n=SUMMARY_BEHIND_PER_THEME))}</h3>"
                             + _html_table(memo.behind_header(), theme.behind))
        for focus in theme.focus_areas:
            parts.append(f'<section class="focus"><h3>{_e(focus.name)}</h3>')
            parts.append(_html_commentary(focus.commentary))
            for target in focus.targets:
                parts.append(f'<article class="target" id="{_e(target.target_id)}"><h4>{_e(target.name)}</h4>')
                parts.append(f"<p>{_status_span(target.status, target.status_text)}</p>")
                parts.append(_html_table(None, [[k, v] for k, v in target.facts[1:]], "facts"))
                if target.chart_png:
                    data = base64.b64encode(target.chart_png).decode("ascii")
                    parts.append(f'<figure><img src="data:image/png;base64,{data}" alt="{_e(target.chart_alt)}" '
                                 f'width="{CHART_WIDTH}" height="{CHART_HEIGHT}"><figcaption>'
                                 f'{_e(t("memo.chart_caption"))}</figcaption></figure>')
                elif target.chart_note:
                    parts.append(f'<p class="note">{_e(target.chart_note)}</p>')
                parts.append(f"<p><strong>{_e(t('memo.commentary'))}</strong></p>")
                parts.append(_html_commentary(target.commentary, target.no_commentary))
                parts.append(f'<p class="sources"><strong>{_e(t("memo.sources"))}:</strong><br>'
                             + "<br>".join(_e(s) for s in target.sources) + "</p></article>")
            if memo.detail == "full":
                parts.append(_html_initiatives(memo, focus))
            parts.append("</section>")
        parts.append("</section>")
    parts.append(f"</main><footer>{_e(memo.footer)}</footer></body></html>")
    return "\n".join(parts).encode("utf-8")


def _css_string(text: str) -> str:
    """Text for a CSS string literal (quotes and backslashes escaped; no user text goes here)."""
    return text.replace("\\", "\\\\").replace("\n", " ").replace("<", "\\3C ")


def _html_initiatives(memo: Memo, focus: FocusSection) -> str:
    out = f"<h4>{_e(memo.t('memo.initiatives'))}</h4>"
    if not focus.initiatives:
        return out + f'<p class="note">{_e(memo.t("target.no_initiatives"))}</p>'
    out += _html_table(memo.initiatives_header(), [list(i) for i in focus.initiatives])
    if focus.funding_total:
        out += f"<p>{_e(focus.funding_total)}</p>"
    return out


# ---------------------------------------------------------------------- Markdown
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def _m(text: Any) -> str:
    """Text safe in Markdown: special characters escaped (so '<script>' stays text), newlines as spaces."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(_m(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_m(str(c).replace("\n", " · ")) for c in row) + " |" for row in rows]
    return out + [""]


def to_markdown(memo: Memo, image_dir: Path | None = None, image_prefix: str = "") -> str:
    """The memo as Markdown. With ``image_dir`` the charts are written there as PNGs and linked."""
    t = memo.t
    lines = [f"**{_m(t('memo.kind'))}**", "", f"# {_m(memo.title)}", "", f"**{_m(memo.subtitle)}**  ",
             _m(t("memo.prepared", date=memo.date_text)), "", f"## {_m(t('memo.overall'))}", "",
             f"**{_m(memo.headline)}**", ""]
    if memo.counts:
        lines += _md_table(memo.counts_header(), memo.counts_rows())
    if memo.monitored:
        lines += [_m(memo.monitored), ""]
    lines += [f"### {_m(t('memo.changes_title', year=memo.year - 1))}", "", _m(memo.changes_text), ""]
    if memo.changes:
        lines += _md_table(memo.changes_header(), memo.changes)
    if memo.changes_more:
        lines += [_m(memo.changes_more), ""]
    lines += [f"### {_m(t('memo.behind_title'))}", ""]
    if memo.behind:
        lines += [_m(t("memo.behind_intro")), ""] + _md_table(memo.behind_header(), memo.behind)
    else:
        lines += [_m(t("memo.behind_none")), ""]
    lines += [f"*{_m(t('memo.summary_mode', n=memo.n_targets))}*" if memo.detail == "summary"
              else _m(t("memo.contents_note")), ""]
    if memo.has_illustrative:
        lines += [f"> {_m(t('memo.illustrative_note'))}", ""]
    lines += [_m(t("memo.method_note")), ""]
    for theme in memo.themes:
        lines += [f"## {_m(theme.name)}", ""]
        if theme.summary:
            lines += [f"**{_m(theme.summary)}**", ""]
        if theme.empty_note:
            lines += [_m(theme.empty_note), ""]
        if memo.detail == "summary":
            if theme.counts:
                lines += _md_table(*memo.theme_counts(theme))
            if theme.behind:
                lines += [f"### {_m(t('memo.theme_behind', n=SUMMARY_BEHIND_PER_THEME))}", ""]
                lines += _md_table(memo.behind_header(), theme.behind)
        for focus in theme.focus_areas:
            lines += [f"### {_m(focus.name)}", ""]
            lines += _md_commentary(focus.commentary)
            for target in focus.targets:
                lines += [f"#### {_m(target.name)}", "", f"**{_m(target.status_text)}**", ""]
                lines += _md_table(["", ""], [[k, v] for k, v in target.facts[1:]])
                if target.chart_png and image_dir is not None:
                    image_dir.mkdir(parents=True, exist_ok=True)
                    (image_dir / f"{target.target_id}.png").write_bytes(target.chart_png)
                    lines += [f"![{_m(target.chart_alt)}]({image_prefix}{target.target_id}.png)", ""]
                elif target.chart_note:
                    lines += [f"*{_m(target.chart_note)}*", ""]
                lines += [f"**{_m(t('memo.commentary'))}**", ""]
                lines += _md_commentary(target.commentary) if target.commentary else [_m(target.no_commentary), ""]
                lines += [f"**{_m(t('memo.sources'))}:**", ""] + [f"- {_m(s)}" for s in target.sources] + [""]
            if memo.detail == "full":
                lines += [f"#### {_m(t('memo.initiatives'))}", ""]
                if focus.initiatives:
                    lines += _md_table(memo.initiatives_header(), [list(i) for i in focus.initiatives])
                    if focus.funding_total:
                        lines += [_m(focus.funding_total), ""]
                else:
                    lines += [_m(t("target.no_initiatives")), ""]
    lines += ["---", "", _m(memo.footer), ""]
    return "\n".join(lines)


def _md_commentary(c: Commentary | None) -> list[str]:
    if c is None:
        return []
    out = []
    for p in c.paragraphs:
        out += [f"> {_m(p)}", ">"]
    return out + [f"> *{_m(c.byline)}*", ""]


# ---------------------------------------------------------------------- DOCX
def to_docx(memo: Memo) -> bytes:
    """A Word document: real headings, tables and pictures, page numbers and the date in the footer."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    t = memo.t
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    lang_tag = "da-DK" if memo.lang == "da" else "en-GB"
    for style_name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Title"):
        rpr = doc.styles[style_name].element.get_or_add_rPr()
        lang_el = rpr.find(qn("w:lang"))
        if lang_el is None:
            lang_el = OxmlElement("w:lang")
            rpr.append(lang_el)
        lang_el.set(qn("w:val"), lang_tag)
    props = doc.core_properties
    props.title = f"{memo.title} · {memo.year}"
    props.subject = memo.subtitle
    props.author = "Målspor"
    props.language = lang_tag

    def field(run: Any, instruction: str) -> None:
        for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            elif text == instruction:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = f" {instruction} "
            else:
                el = OxmlElement("w:t")
                el.text = text
            run._r.append(el)

    footer = section.footer.paragraphs[0]
    footer.text = ""
    footer.add_run(memo.footer + "    ")
    page_text = t("memo.page", page="\0", pages="\1")
    before, rest = page_text.split("\0")
    middle, after = rest.split("\1")
    footer.add_run(before)
    field(footer.add_run(), "PAGE")
    footer.add_run(middle)
    field(footer.add_run(), "NUMPAGES")
    footer.add_run(after)
    for run in footer.runs:
        run.font.size = Pt(8.5)

    def table(header: list[str] | None, rows: list[list[str]], widths: list[float] | None = None) -> None:
        tbl = doc.add_table(rows=0, cols=len(rows[0]) if rows else len(header or []))
        tbl.style = "Table Grid"
        if header:
            cells = tbl.add_row().cells
            for cell, text in zip(cells, header):
                cell.text = ""
                cell.paragraphs[0].add_run(text).bold = True
            tr_pr = tbl.rows[0]._tr.get_or_add_trPr()
            el = OxmlElement("w:tblHeader")
            el.set(qn("w:val"), "true")
            tr_pr.append(el)
        for row in rows:
            cells = tbl.add_row().cells
            for i, (cell, text) in enumerate(zip(cells, row)):
                cell.text = str(text)
                if header is None and i == 0:
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
        if widths:
            for row in tbl.rows:
                for cell, w in zip(row.cells, widths):
                    cell.width = Cm(w)
        doc.add_paragraph()

    def note(text: str, italic: bool = True) -> None:
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.italic = italic
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)

    kind = doc.add_paragraph()
    kind_run = kind.add_run(t("memo.kind"))
    kind_run.bold = True
    kind_run.font.size = Pt(12)
    doc.add_heading(memo.title, level=0)
    sub = doc.add_paragraph()
    sub.add_run(memo.subtitle).bold = True
    sub.add_run("\n" + t("memo.prepared", date=memo.date_text))
    doc.add_heading(t("memo.overall"), level=1)
    doc.add_paragraph().add_run(memo.headline).bold = True
    if memo.counts:
        table(memo.counts_header(), memo.counts_rows(), [6, 2.4, 8.2] if memo.caveats else [10, 3])
    if memo.monitored:
        doc.add_paragraph(memo.monitored)
    doc.add_heading(t("memo.changes_title", year=memo.year - 1), level=2)
    doc.add_paragraph(memo.changes_text)
    if memo.changes:
        table(memo.changes_header(), memo.changes, [6.5, 3.7, 3.7, 2.6])
    if memo.changes_more:
        note(memo.changes_more)
    doc.add_heading(t("memo.behind_title"), level=2)
    if memo.behind:
        note(t("memo.behind_intro"))
        table(memo.behind_header(), memo.behind, [3.8, 3.8, 2.2, 2.2, 4.6])
    else:
        doc.add_paragraph(t("memo.behind_none"))
    if memo.detail == "summary":
        note(t("memo.summary_mode", n=memo.n_targets))
    else:
        note(t("memo.contents_note"))
    if memo.has_illustrative:
        p = doc.add_paragraph()
        run = p.add_run(t("memo.illustrative_note"))
        run.bold = True
        run.font.color.rgb = RGBColor(0x7A, 0x5C, 0x00)
    note(t("memo.method_note"))
    for theme in memo.themes:
        doc.add_page_break()
        doc.add_heading(theme.name, level=1)
        if theme.summary:
            doc.add_paragraph().add_run(theme.summary).bold = True
        if theme.empty_note:
            note(theme.empty_note)
        if memo.detail == "summary":
            if theme.counts:
                head, body = memo.theme_counts(theme)
                table(head, body, [6, 2.4, 8.2] if theme.caveats else [10, 3])
            if theme.behind:
                doc.add_heading(t("memo.theme_behind", n=SUMMARY_BEHIND_PER_THEME), level=2)
                table(memo.behind_header(), theme.behind, [3.8, 3.8, 2.2, 2.2, 4.6])
        for focus in theme.focus_areas:
            doc.add_heading(focus.name, level=2)
            if focus.commentary:
                _docx_commentary(doc, focus.commentary, note, Cm)
            for target in focus.targets:
                doc.add_heading(target.name, level=3)
                p = doc.add_paragraph()
                run = p.add_run(target.status_text)
                run.bold = True
                colour = i18n.STATUS_COLOURS.get(target.status, "#7F7F7F").lstrip("#")
                run.font.color.rgb = RGBColor.from_string(colour.upper())
                table(None, [[k, v] for k, v in target.facts[1:]], [4.5, 12.1])
                if target.chart_png:
                    doc.add_picture(io.BytesIO(target.chart_png), width=Cm(16.4))
                    pic = doc.paragraphs[-1]
                    pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    doc_pr = pic._p.xpath(".//wp:docPr")
                    if doc_pr:
                        doc_pr[0].set("descr", target.chart_alt)
                    note(t("memo.chart_caption"))
                elif target.chart_note:
                    note(target.chart_note)
                doc.add_paragraph().add_run(t("memo.commentary")).bold = True
                if target.commentary:
                    _docx_commentary(doc, target.commentary, note, Cm)
                else:
                    note(target.no_commentary)
                doc.add_paragraph().add_run(t("memo.sources") + ":").bold = True
                for source in target.sources:
                    p = doc.add_paragraph(source, style="List Bullet")
                    for run in p.runs:
                        run.font.size = Pt(9)
            if memo.detail == "full":
                doc.add_heading(t("memo.initiatives"), level=3)
                if focus.initiatives:
                    table(memo.initiatives_header(), [list(i) for i in focus.initiatives], [10.6, 2, 4])
                    if focus.funding_total:
                        doc.add_paragraph(focus.funding_total)
                else:
                    note(t("target.no_initiatives"))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_commentary(doc: Any, c: Commentary, note: Any, cm: Any) -> None:
    for para in c.paragraphs:
        p = doc.add_paragraph(para)
        p.paragraph_format.left_indent = cm(0.6)
    note(c.byline)


# ---------------------------------------------------------------------- PDF
def to_pdf(memo: Memo) -> bytes:
    """An A4 PDF with the bundled DejaVu Sans: bookmarks per heading, page numbers and the date on every page."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    t = memo.t
    footer_text = memo.footer
    page_template = t("memo.page", page="{page}", pages="{nb}")

    class _PDF(FPDF):
        def footer(self) -> None:  # noqa: D401 - fpdf2 hook
            self.set_y(-14)
            self.set_font("DejaVu", size=8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 5, footer_text, align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, page_template.replace("{page}", str(self.page_no())), align="R")
            self.set_text_color(0, 0, 0)

    pdf = _PDF(format="A4", unit="mm")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
    pdf.set_title(f"{memo.title} · {memo.year}")
    pdf.set_author("Målspor")
    pdf.set_subject(memo.subtitle)
    pdf.set_lang("da-DK" if memo.lang == "da" else "en-GB")
    pdf.set_creator("Målspor")
    width = pdf.epw

    def text(value: str, size: float = 10, style: str = "", colour: tuple[int, int, int] = (0, 0, 0),
             gap: float = 1.5, indent: float = 0) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*colour)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(width - indent, size * 0.5, value, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(gap)

    def heading(value: str, level: int, need: float = 30) -> None:
        """A heading, on a new page unless ``need`` mm of what follows fit below it."""
        size = {0: 20, 1: 16, 2: 13, 3: 11.5}[level]
        if pdf.will_page_break(size * 0.5 + need):
            pdf.add_page()
        pdf.ln(2 if level > 1 else 4)
        pdf.start_section(value, level=max(0, level - 1)) if level >= 1 else None
        text(value, size, "B", gap=1.5 if level > 1 else 2.5)
        if level == 1:
            pdf.set_draw_color(0, 114, 178)
            pdf.set_line_width(0.6)
            pdf.line(pdf.l_margin, pdf.get_y() - 1.5, pdf.l_margin + width, pdf.get_y() - 1.5)
            pdf.ln(1.5)

    def table(header: list[str] | None, rows: list[list[str]], widths: tuple[float, ...]) -> None:
        pdf.set_font("DejaVu", "", 9)
        pdf.set_draw_color(170, 170, 170)
        pdf.set_line_width(0.2)
        heads = FontFace(emphasis="BOLD", fill_color=(232, 238, 244))
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.6, padding=1.2,
                       first_row_as_headings=header is not None, headings_style=heads,
                       v_align="TOP") as tbl:
            if header is not None:
                row = tbl.row()
                for h in header:
                    row.cell(h)
            for values in rows:
                row = tbl.row()
                for i, v in enumerate(values):
                    row.cell(str(v), style=FontFace(emphasis="BOLD") if header is None and i == 0 else None)
        pdf.ln(3)

    def commentary(c: Commentary) -> None:
        for para in c.paragraphs:
            text(para, 10, indent=4, gap=1)
        text(c.byline, 8.5, "I", (80, 80, 80), gap=2, indent=4)

    pdf.add_page()
    text(t("memo.kind"), 11, "B", (90, 90, 90), gap=1)
    heading(memo.title, 0)
    text(memo.subtitle, 11, "B", gap=0.5)
    text(t("memo.prepared", date=memo.date_text), 9, "", (80, 80, 80), gap=3)
    heading(t("memo.overall"), 1)
    text(memo.headline, 12, "B", gap=2)
    if memo.counts:
        table(memo.counts_header(), memo.counts_rows(), (2.4, 1, 4) if memo.caveats else (3, 1))
    if memo.monitored:
        text(memo.monitored, 9.5)
    heading(t("memo.changes_title", year=memo.year - 1), 2)
    text(memo.changes_text, 9.5)
    if memo.changes:
        table(memo.changes_header(), memo.changes, (3.2, 2.4, 2.4, 1.2))
    if memo.changes_more:
        text(memo.changes_more, 8.5, "I", (80, 80, 80))
    heading(t("memo.behind_title"), 2, need=65)  # the heading stays with the table's first row
    if memo.behind:
        text(t("memo.behind_intro"), 8.5, "I", (80, 80, 80))
        table(memo.behind_header(), memo.behind, (2.3, 3.0, 1.4, 1.4, 2.9))
    else:
        text(t("memo.behind_none"), 9.5)
    text(t("memo.summary_mode", n=memo.n_targets) if memo.detail == "summary" else t("memo.contents_note"),
         8.5, "I", (80, 80, 80))
    if memo.has_illustrative:
        pdf.set_fill_color(255, 246, 214)
        pdf.set_font("DejaVu", "B", 8.5)
        pdf.multi_cell(width, 4.3, t("memo.illustrative_note"), border=1, fill=True, new_x="LMARGIN", new_y="NEXT",
                       padding=1.5, align="L")
        pdf.set_fill_color(255, 255, 255)
        pdf.ln(2)
    text(t("memo.method_note"), 8.5, "", (80, 80, 80))

    for theme in memo.themes:
        pdf.add_page()
        heading(theme.name, 1)
        if theme.summary:
            text(theme.summary, 10.5, "B")
        if theme.empty_note:
            text(theme.empty_note, 9.5, "I", (80, 80, 80))
        if memo.detail == "summary":
            if theme.counts:
                head, body = memo.theme_counts(theme)
                table(head, body, (2.4, 1, 4) if theme.caveats else (3, 1))
            if theme.behind:
                heading(t("memo.theme_behind", n=SUMMARY_BEHIND_PER_THEME), 2)
                table(memo.behind_header(), theme.behind, (2.3, 3.0, 1.4, 1.4, 2.9))
        for focus in theme.focus_areas:
            first_need = 30 + (6.5 * len(focus.targets[0].facts) + 12 if focus.targets else 0)
            heading(focus.name, 2, need=first_need)
            if focus.commentary:
                commentary(focus.commentary)
            for target in focus.targets:
                heading(target.name, 3, need=6.5 * len(target.facts) + 12)  # status and figures stay together
                colour = i18n.STATUS_COLOURS.get(target.status, "#7F7F7F").lstrip("#")
                rgb = tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))
                pdf.set_fill_color(*rgb)
                pdf.rect(pdf.l_margin, pdf.get_y() + 0.4, 2.2, 5.2, style="F")
                pdf.set_fill_color(255, 255, 255)
                text(target.status_text, 10.5, "B", indent=4, gap=1.5)
                table(None, [[k, v] for k, v in target.facts[1:]], (1, 2.8))
                if target.chart_png:
                    height = width * CHART_HEIGHT / CHART_WIDTH
                    if pdf.will_page_break(height + 8):
                        pdf.add_page()
                    pdf.image(io.BytesIO(target.chart_png), x=pdf.l_margin, w=width, alt_text=target.chart_alt)
                    text(t("memo.chart_caption"), 7.5, "I", (90, 90, 90), gap=2)
                elif target.chart_note:
                    text(target.chart_note, 8.5, "I", (80, 80, 80))
                text(t("memo.commentary"), 10, "B", gap=0.8)
                if target.commentary:
                    commentary(target.commentary)
                else:
                    text(target.no_commentary, 8.5, "I", (80, 80, 80))
                text(t("memo.sources") + ":", 9, "B", gap=0.5)
                for source in target.sources:
                    text("• " + source, 8, "", (60, 60, 60), gap=0.3, indent=2)
                pdf.ln(3)
            if memo.detail == "full":
                heading(t("memo.initiatives"), 3)
                if focus.initiatives:
                    table(memo.initiatives_header(), [list(i) for i in focus.initiatives], (5.2, 1, 2))
                    if focus.funding_total:
                        text(focus.funding_total, 9.5)
                else:
                    text(t("target.no_initiatives"), 9, "I", (80, 80, 80))
    return bytes(pdf.output())


# ---------------------------------------------------------------------- entry points
def render(memo: Memo, fmt: str) -> bytes:
    """The memo in one of :data:`FORMATS`, as bytes."""
    if fmt == "pdf":
        return to_pdf(memo)
    if fmt == "docx":
        return to_docx(memo)
    if fmt == "html":
        return to_html(memo)
    if fmt == "md":
        return to_markdown(memo).encode("utf-8")
    raise MalsporError("format_unknown", fmt=fmt, choices=OneOf(FORMATS))


def file_name(year: int, lang: str, fmt: str) -> str:
    """``statusnotat_2026.pdf`` (Danish) or ``status_memo_2026_en.pdf``."""
    return f"statusnotat_{year}.{fmt}" if lang == "da" else f"status_memo_{year}_en.{fmt}"


def memo_bytes(store: Store, fmt: str, year: int | None = None, lang: str = i18n.DEFAULT_LANGUAGE,
               detail: str = "auto", charts: bool = True) -> bytes:
    """Build and render in one call (the dashboard's download buttons use this)."""
    if fmt not in FORMATS:
        raise MalsporError("format_unknown", fmt=fmt, choices=OneOf(FORMATS))
    return render(build_memo(store, year, lang, detail=detail, charts=charts and fmt != "md"), fmt)


def write_memo(store: Store, fmt: str, out: Path | str, year: int | None = None,
               lang: str = i18n.DEFAULT_LANGUAGE, detail: str = "auto", charts: bool = True) -> dict[str, Any]:
    """Write the memo to ``out``; Markdown gets its charts as PNGs in a folder beside it. Returns figures."""
    out = Path(out)
    if fmt not in FORMATS:
        raise MalsporError("format_unknown", fmt=fmt, choices=OneOf(FORMATS))
    if not out.parent.exists():
        raise MalsporError("folder_missing", folder=out.parent)
    started = time.perf_counter()
    memo = build_memo(store, year, lang, detail=detail, charts=charts)
    built = time.perf_counter()
    if fmt == "md":
        image_dir = out.with_name(out.stem + "_grafer") if memo.lang == "da" else out.with_name(out.stem + "_charts")
        data = to_markdown(memo, image_dir=image_dir, image_prefix=image_dir.name + "/").encode("utf-8")
    else:
        data = render(memo, fmt)
    out.write_bytes(data)
    return {"path": out, "format": fmt, "bytes": len(data), "detail": memo.detail, "targets": memo.n_targets,
            "year": memo.year, "lang": memo.lang, "charts": sum(1 for th in memo.themes for f in th.focus_areas
                                                               for tg in f.targets if tg.chart_png),
            "chart_seconds": memo.chart_seconds, "build_seconds": built - started,
            "render_seconds": time.perf_counter() - built, "memo": memo}
