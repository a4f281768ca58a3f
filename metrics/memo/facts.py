"""The memo's sentences about one target, focus area or list of targets, in the reader's language.

Plain functions of status rows and series (no store, no queries): the figures beside a target's
chart, its sources with illustrative values marked, an analyst's commentary with its byline,
the furthest-behind rows and the caveats of the counts table. :mod:`metrics.memo.content`
calls them once per target while it builds the memo.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from metrics import commentary as commentary_mod
from metrics import marks, views
from metrics.i18n import Lang
from metrics.model import TARGET_STATUSES, TREND_STATUSES

_MONTHS = {
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


@dataclass
class Commentary:
    """An analyst's text as the memo prints it: paragraphs and a byline (author, time, caveats)."""

    paragraphs: list[str]
    byline: str


def format_date(day: _dt.date, lang: Lang | str) -> str:
    """``29. november 2026`` in Danish, ``29 November 2026`` in English (the memo's long form)."""
    L = Lang.of(lang)
    month = _MONTHS[L.code][day.month - 1]
    return f"{day.day}. {month} {day.year}" if L.is_danish else f"{day.day} {month} {day.year}"


def format_time(stamp: Any, lang: Lang | str) -> str:
    """A time stamp as the reader writes it (``12.05.2026 kl. 14:03``), through :meth:`Lang.date`."""
    return Lang.of(lang).date(pd.Timestamp(stamp).to_pydatetime(), with_time=True)


def years_text(years: list[int]) -> str:
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


def rank(status: str) -> int | None:
    """Position of a status from best (0) to worst; None for 'cannot be assessed'."""
    if status in ("not_assessable",) or not isinstance(status, str):
        return None
    if status in TARGET_STATUSES:
        return TARGET_STATUSES.index(status)
    if status in TREND_STATUSES:
        return TREND_STATUSES.index(status)
    return None


def note(L: Lang, row: Any) -> str:
    """A row's note in the reader's language: ``note_da``/``note_en`` (method v2), else the old ``note``."""
    get = row.get if hasattr(row, "get") else (lambda k, d=None: d)
    text = L.pick(get("note_da"), get("note_en"))
    if text:
        return text
    old = get("note")
    return old if isinstance(old, str) else ""


def commentary(comment: commentary_mod.Comment | None, year: int, L: Lang) -> Commentary | None:
    """The comment as paragraphs with a byline that says who wrote it, when, and for which year or language."""
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


def progress_text(row: dict[str, Any], L: Lang) -> str:
    """How far along the way and the time a target is, in the overview's words (or a dash)."""
    return views.progress_words(row, L) or "–"


def behind(rows: pd.DataFrame, L: Lang, limit: int) -> list[list[str]]:
    """The targets furthest behind, ranked by :func:`metrics.views.furthest_behind` (as the overview's list)."""
    return [[r["name"], r["status_line"], r["latest"], r["goal_deadline"], progress_text(r, L)]
            for r in views.furthest_behind(rows, limit).to_dict("records")]


def short_name(row: dict[str, Any], L: Lang) -> str:
    """The short label of a target (method v2's ``short_name_da/en``), else its name."""
    return L.pick(row.get("short_name_da"), row.get("short_name_en")) or str(row["name"])


def named_first(items: list[str], L: Lang, *, indicators: bool = False, limit: int | None = None) -> list[str]:
    """The first ``limit`` (:data:`metrics.memo.CAVEATS_NAMED`) items, then how many more targets (or indicators).

    One more than the limit is named rather than counted ("og 1 mål mere" says less than the name).
    """
    from metrics.memo import CAVEATS_NAMED

    limit = CAVEATS_NAMED if limit is None else limit
    if len(items) <= limit + 1:
        return items
    key = "memo.caveats_more_indicators" if indicators else "memo.caveats_more"
    return items[:limit] + [L.t(key, n=L.num(len(items) - limit))]


def caveats(rows: pd.DataFrame, L: Lang) -> dict[str, str]:
    """status -> "short name – marks", one line per target whose status carries marks (the first few, then a count)."""
    out: dict[str, list[str]] = {}
    for r in rows[rows["kind"] != "none"].to_dict("records"):
        found = marks.status_marks(r, L)
        if found:
            out.setdefault(r["status"], []).append(f"{short_name(r, L)} – {'; '.join(found)}")
    return {s: "\n".join(named_first(items, L)) for s, items in out.items()}  # one a line (Markdown: " · ")


def _illustrative_source(source: str, L: Lang) -> str:
    """``⚠ eksempeldata: <source>``, or only ``⚠ <source>`` when the source itself begins with that word.

    A source written as "Eksempeldata: intet offentliggjort tal fundet" would otherwise read
    "eksempeldata: Eksempeldata: ...".
    """
    mark = L.t("memo.illustrative_mark")
    words = {Lang.of(code).t("class.I").casefold() for code in ("da", "en")}
    if any(source.casefold().startswith(w) for w in words):
        return f"{mark.split(' ', 1)[0]} {source}"
    return f"{mark}: {source}"


def sources(target: dict[str, Any], series: pd.DataFrame, L: Lang) -> tuple[list[str], bool]:
    """The sources of the figures in ``series``, grouped, illustrative ones marked; and whether any is illustrative.

    The target's note ("Bemærkning") is in the reader's language (``note_da``/``note_en``).
    """
    lines = [L.t("memo.source_target", source=target["source"])]
    groups: dict[tuple[str, str], list[int]] = {}
    for r in series.to_dict("records"):
        source = r["source"] if isinstance(r["source"], str) and r["source"] else target["source"]
        groups.setdefault((source, r["data_class"]), []).append(int(r["year"]))
    for (source, cls), years in groups.items():
        text = _illustrative_source(source, L) if cls == "I" else source
        lines.append(f"{years_text(years)}: {text}" + ("" if cls in ("R", "I") else f" ({L.t(f'class.{cls}')})"))
    text = note(L, target)
    if text:
        lines.append(L.t("memo.source_note", note=text))
    return lines, bool((series["data_class"] == "I").any()) if len(series) else False


def facts(row: dict[str, Any], series: pd.DataFrame | None, L: Lang) -> list[tuple[str, str]]:
    """(label, value) of the figures beside a target: status, geography, latest, target, baseline, gap, progress..."""
    t = L.t
    out = [(t("memo.fact_status"), row["status_line"]), (t("memo.fact_geography"), row["geography"])]
    latest = row["latest"]
    if series is not None and pd.notna(row["latest_year"]):
        last = series[series["year"] == row["latest_year"]]
        if not last.empty and last.iloc[0]["data_class"] == "I":
            latest += f" {t('memo.illustrative_mark')}"
    out.append((t("memo.fact_latest"), latest))
    if row["kind"] != "none":
        goal = t("memo.fact_target_value", value=views.value_with_unit(row["target_value"], row, L),
                 year=int(row["target_year"]))
        if row["kind"] == "relative":
            goal += " " + t("memo.fact_relative", pct=L.num(row["target_value_definition"], unit="%"))
        if marks._flag(row, "settled"):
            goal += f" ({marks.settled_text(row, L)})"
        elif row["deadline_passed"]:
            goal += f" ({t('memo.fact_deadline_passed')})"
        out.append((t("memo.fact_target"), goal))
    else:
        out.append((t("memo.fact_target"), t("overview.monitored")))
    baseline = f"{views.value_with_unit(row['baseline_value'], row, L)} ({int(row['baseline_year'])})"
    if series is not None:
        base = series[series["is_baseline"] & (series["year"] == row["baseline_year"])]
        if not base.empty and base.iloc[0]["data_class"] == "I":
            baseline += f" {t('memo.illustrative_mark')}"
    out.append((t("memo.fact_baseline"), baseline))
    if row["kind"] != "none":
        if pd.notna(row.get("gap")) and row["status"] != "met":
            out.append((t("memo.fact_gap"), views.difference_with_unit(row["gap"], row, L)))
        words = progress_text(row, L)
        if words != "–":
            out.append((t("memo.fact_progress"), words))
        if pd.notna(row.get("projected_value")):
            out.append((t("memo.fact_projection"),
                        views.projection_text(row, views.value_with_unit(row["projected_value"], row, L), L)))
    out.append((t("memo.fact_data"), row["data"]))
    return out


def series_of(target: dict[str, Any], observed: pd.DataFrame, as_of: int) -> pd.DataFrame:
    """A target's series in its own geography up to ``as_of``, with ``is_baseline``, as the target page shows it.

    ``observed`` holds the target's observations in its geography up to ``as_of``. A baseline that
    is not an observation is added from the target's definition, as :func:`metrics.views.target_detail` does.
    """
    observed = observed.assign(is_baseline=False)
    base_year = target["baseline_year"]
    has_base = (observed["year"] == base_year).any()
    if not has_base and pd.notna(base_year) and int(base_year) <= int(as_of):
        baseline = {"target_id": target["target_id"], "geography": target["geography"], "year": base_year,
                    "value": target["baseline_value"], "data_class": target["baseline_data_class"],
                    "source": target["source"], "note_da": target["note_da"], "note_en": target["note_en"],
                    "series_break": False, "batch_id": None, "is_baseline": True}
        observed = pd.concat([pd.DataFrame([baseline]), observed] if len(observed) else [pd.DataFrame([baseline])],
                             ignore_index=True)
    observed.loc[observed["year"] == base_year, "is_baseline"] = True
    series = observed.sort_values("year").reset_index(drop=True)
    series["is_baseline"] = series["is_baseline"].astype(bool)
    return series
