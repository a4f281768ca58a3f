"""What a status rests on, said beside the status wherever it is shown.

Method version 2 (progress-methodology.md, "Settled, provisional and stale") gives each
status three facts of its own: whether it is *settled* (the target year has been measured),
*provisional* (it rests on an illustrative value) and *stale* (the latest figure is older than
the target's update interval and publication lag allow). A reader must see them next to the
status, never only in a column off-screen, so every view (overview, target page, explorer,
memo, Excel, accessible tables) builds its status text here.

Example: STEM as of 2026 rests on illustrative 2022-23 values, so
``status_line(row, Lang("da"))`` is ``"▲ på rette vej (foreløbig: bygger på eksempeldata)"``;
waste recycling with its latest figure from 2020 gets
``"? kan ikke vurderes: … (⚠ seneste tal fra 2020, nyt tal ventet senest 2022)"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from metrics.i18n import Lang


def _flag(row: Mapping[str, Any], key: str) -> bool:
    value = row.get(key)
    try:
        return bool(value) and value == value  # NaN and None are False
    except (TypeError, ValueError):
        return False


def _int(row: Mapping[str, Any], key: str) -> int | None:
    value = row.get(key)
    try:
        if value is None or value != value:
            return None
        return int(value)
    except (TypeError, ValueError):
        return None


def settled_text(row: Mapping[str, Any], lang: Lang | str) -> str:
    """What a settled status was judged on: the figure at the target year, or the latest before it.

    The method judges a settled target on the value at T, the last observation at or before T.
    When T itself was not measured but a later year was (EUD: 13 % in 2023, nothing for 2025,
    17,5 % in 2026), that is the 2023 figure, and the reader must not take the later one for it:
    ``"afgjort med tallet fra 2023, det seneste til og med 2025"``; else ``"afgjort med tallet for 2025"``.
    """
    L = Lang.of(lang)
    if _settled_earlier(row):
        return L.t("mark.settled_earlier", year=_int(row, "latest_year"), target=_int(row, "target_year"))
    return L.t("mark.settled", year=_int(row, "target_year"))


def _settled_earlier(row: Mapping[str, Any]) -> bool:
    """Settled on a figure from before the target year (the target year not measured, a later one was)."""
    target_year, latest = _int(row, "target_year"), _int(row, "latest_year")
    return _flag(row, "settled") and None not in (target_year, latest) and latest < target_year


def status_marks(row: Mapping[str, Any], lang: Lang | str) -> list[str]:
    """The marks of one status row of :func:`metrics.progress.compute_status`, in reading order.

    Provisional first (it qualifies the status itself), then a passed deadline whose figure
    is missing, or a settled status judged on a figure from before the target year, then
    staleness with the year the next figure was expected.
    """
    L = Lang.of(lang)
    marks: list[str] = []
    if _flag(row, "provisional"):
        marks.append(L.t("mark.provisional"))
    target_year = _int(row, "target_year")
    if _settled_earlier(row):
        marks.append(settled_text(row, L))
    if _flag(row, "deadline_passed") and not _flag(row, "settled") and target_year is not None:
        marks.append(L.t("mark.deadline_missing", year=target_year))
    latest, expected = _int(row, "latest_year"), _int(row, "next_expected_year")
    if _flag(row, "stale") and latest is not None:
        marks.append(L.t("mark.stale", year=latest, next=L.year(expected)))
    return marks


def status_line(row: Mapping[str, Any], lang: Lang | str, *, reason: bool = True) -> str:
    """Icon, words, the reason a status cannot be assessed, and the marks in parentheses.

    ``"▲ på rette vej (foreløbig: bygger på eksempeldata)"``; ``reason=False`` leaves the
    not-assessable reason out where it is shown elsewhere.
    """
    L = Lang.of(lang)
    status = str(row.get("status") or "not_assessable")
    text = L.status(status)
    why = row.get("reason")
    if reason and isinstance(why, str) and why:
        text += f": {L.t('reason.' + why)}"
    marks = status_marks(row, L)
    if marks:
        text += " (" + "; ".join(marks) + ")"
    return text
