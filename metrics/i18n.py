"""One translation table for every UI text, Danish first, and Danish number formats.

``t("status.on_track", "da") == "på rette vej"``; ``fmt_number(15448, "da") == "15.448"``;
``fmt_number(13.4, "da", unit="%") == "13,4 %"``.
"""

from __future__ import annotations

import math
from typing import Any

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"

#: Status icons: shape and text carry the meaning, colour only repeats it.
STATUS_ICONS: dict[str, str] = {
    "met": "✔",
    "on_track": "▲",
    "moderate": "◆",
    "insufficient": "▼",
    "moving_away": "✖",
    "not_assessable": "?",
    "significant_progress": "▲",
    "moderate_progress": "△",
    "moderate_movement_away": "▽",
    "significant_movement_away": "▼",
}

#: Okabe-Ito, a palette colour-blind readers can tell apart.
STATUS_COLOURS: dict[str, str] = {
    "met": "#009E73",
    "on_track": "#0072B2",
    "moderate": "#E69F00",
    "insufficient": "#D55E00",
    "moving_away": "#CC79A7",
    "not_assessable": "#7F7F7F",
    "significant_progress": "#0072B2",
    "moderate_progress": "#56B4E9",
    "moderate_movement_away": "#E69F00",
    "significant_movement_away": "#D55E00",
}

TEXTS: dict[str, dict[str, str]] = {
    # statuses (progress-methodology.md gives the Danish labels)
    "status.met": {"da": "mål nået", "en": "target met"},
    "status.on_track": {"da": "på rette vej", "en": "on track"},
    "status.moderate": {"da": "moderat fremgang", "en": "moderate progress"},
    "status.insufficient": {"da": "utilstrækkelig fremgang", "en": "insufficient progress"},
    "status.moving_away": {"da": "bevæger sig væk fra målet", "en": "moving away from the target"},
    "status.not_assessable": {"da": "kan ikke vurderes", "en": "cannot be assessed"},
    "status.significant_progress": {"da": "betydelig fremgang", "en": "significant progress"},
    "status.moderate_progress": {"da": "moderat fremgang", "en": "moderate progress"},
    "status.moderate_movement_away": {"da": "moderat tilbagegang", "en": "moderate movement away"},
    "status.significant_movement_away": {"da": "betydelig tilbagegang", "en": "significant movement away"},
    # reasons a status cannot be assessed
    "reason.no_data": {"da": "ingen observationer til og med året", "en": "no observations up to the year"},
    "reason.only_baseline": {"da": "kun basisåret er målt", "en": "only the baseline has been measured"},
    "reason.series_break": {"da": "databrud: for få målinger efter metodeskiftet",
                            "en": "series break: too few measurements since the change of method"},
    "reason.too_few_in_window": {"da": "under to målinger i de seneste år",
                                 "en": "fewer than two measurements in recent years"},
    "reason.zero_start": {"da": "startværdien er 0", "en": "the starting value is 0"},
    "reason.fell_back_from_met": {"da": "målet var nået, men er det ikke længere",
                                  "en": "the target was met but no longer is"},
    # data classes
    "class.R": {"da": "målt", "en": "measured"},
    "class.D": {"da": "afledt", "en": "derived"},
    "class.I": {"da": "eksempeldata", "en": "illustrative"},
    "class.mixed": {"da": "blandet", "en": "mixed"},
    # frame
    "app.title": {"da": "Målspor", "en": "Målspor"},
    "app.subtitle": {"da": "Mål og resultater i den regionale udviklingsstrategi (RUS)",
                     "en": "Targets and results of the regional development strategy (RUS)"},
    "app.language": {"da": "Sprog", "en": "Language"},
    "app.as_of": {"da": "Status pr. år", "en": "Status as of year"},
    "app.db_error": {"da": "Databasen kunne ikke åbnes.", "en": "The database could not be opened."},
    "nav.overview": {"da": "Overblik", "en": "Overview"},
    # overview
    "overview.title": {"da": "Overblik over målene", "en": "Overview of the targets"},
    "overview.summary": {"da": "{on} af {n} mål er nået eller på rette vej",
                         "en": "{on} of {n} targets met or on track"},
    "overview.empty": {"da": "Databasen indeholder endnu ingen mål. Kør 'python -m metrics init' for at indlæse "
                             "handlingsplanens mål.",
                       "en": "The database holds no targets yet. Run 'python -m metrics init' to load the action "
                             "plan's targets."},
    "overview.no_targets_in_theme": {"da": "Ingen mål i dette tema endnu.", "en": "No targets in this theme yet."},
    "overview.monitored": {"da": "følges uden mål", "en": "monitored, no target"},
    "overview.illustrative_note": {"da": "Indeholder eksempeldata (ikke målinger)",
                                   "en": "Contains illustrative values (not measurements)"},
    "col.target": {"da": "Mål", "en": "Target"},
    "col.geography": {"da": "Område", "en": "Geography"},
    "col.latest": {"da": "Seneste", "en": "Latest"},
    "col.goal": {"da": "Målværdi", "en": "Target value"},
    "col.deadline": {"da": "Frist", "en": "Deadline"},
    "col.status": {"da": "Status", "en": "Status"},
    "col.data": {"da": "Data", "en": "Data"},
    "col.year": {"da": "År", "en": "Year"},
    "deadline.passed": {"da": "overskredet", "en": "passed"},
    # --- dashboard pages (overview, target page, gap explorer)
    # --- upload and import messages
    # --- status memo and exports
    # --- sign-in, roles and audit
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **kwargs: Any) -> str:
    """The text for ``key`` in ``lang``; the key itself if missing (tests catch that)."""
    entry = TEXTS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**kwargs) if kwargs else text


def status_label(status: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Icon and words, e.g. ``"▲ på rette vej"``: never colour alone."""
    return f"{STATUS_ICONS.get(status, '?')} {t('status.' + status, lang)}"


def fmt_number(value: Any, lang: str = DEFAULT_LANGUAGE, *, decimals: int | None = None, unit: str = "") -> str:
    """A number in the language's format: Danish ``15.448`` and ``13,4``; English ``15,448`` and ``13.4``.

    ``decimals=None`` shows up to one decimal for small values and none for values of 1,000 or more.
    A ``%`` unit is written with a space in Danish (``13,4 %``) and without in English (``13.4%``).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if decimals is None:
        decimals = 0 if abs(number) >= 1000 or float(number).is_integer() else 1
    text = f"{number:,.{decimals}f}"
    if lang == "da":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    if text.startswith("-"):
        text = "−" + text[1:]
    if unit:
        if unit == "%":
            text = f"{text} %" if lang == "da" else f"{text}%"
        else:
            text = f"{text} {unit}"
    return text


def fmt_percent(fraction: Any, lang: str = DEFAULT_LANGUAGE, decimals: int = 1) -> str:
    """A fraction as a percentage: ``fmt_percent(0.0502, 'da') == '5,0 %'``."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    return fmt_number(float(fraction) * 100, lang, decimals=decimals, unit="%")
