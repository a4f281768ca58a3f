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
    "nav.target": {"da": "Mål i detaljer", "en": "Target details"},
    "nav.explorer": {"da": "Afstand til målene", "en": "Gap explorer"},
    "app.present": {"da": "Præsentationstilstand", "en": "Presentation mode"},
    "app.present_help": {"da": "Stor skrift og ingen sidepanel, til projektor", "en": "Large type and no sidebar, for a projector"},
    "app.present_exit": {"da": "Afslut præsentation", "en": "Leave presentation mode"},
    "app.unexpected": {"da": "Siden kunne ikke vises. Prøv igen; fortsætter fejlen, så kontakt en administrator.",
                       "en": "The page could not be shown. Try again; if it persists, contact an administrator."},
    "overview.theme_summary": {"da": "{on} af {n} mål nået eller på rette vej", "en": "{on} of {n} targets met or on track"},
    "overview.status_counts": {"da": "Mål efter status", "en": "Targets by status"},
    "overview.open_hint": {"da": "Vælg en række eller brug linket for at se målet i detaljer.",
                           "en": "Select a row or use the link to see the target in detail."},
    "overview.jump": {"da": "Gå til et mål", "en": "Go to a target"},
    "overview.jump_placeholder": {"da": "Vælg et mål …", "en": "Choose a target …"},
    "overview.changes": {"da": "Ændret ved seneste import", "en": "Changed by the latest import"},
    "overview.changes_none": {"da": "Ingen import siden databasen blev oprettet.", "en": "No import since the database was created."},
    "overview.changes_batch": {"da": "Import {batch} · {file} · {user} · {time}", "en": "Import {batch} · {file} · {user} · {time}"},
    "overview.changes_values": {"da": "Nye og reviderede værdier", "en": "New and revised values"},
    "overview.changes_more": {"da": "De første {shown} af {n} værdier vises.", "en": "The first {shown} of {n} values are shown."},
    "overview.changes_statuses": {"da": "Statusændringer", "en": "Status changes"},
    "overview.changes_no_status": {"da": "Importen ændrede ingen status.", "en": "The import changed no status."},
    "col.trend": {"da": "Udvikling", "en": "Trend"},
    "col.open": {"da": "Åbn", "en": "Open"},
    "col.value": {"da": "Værdi", "en": "Value"},
    "col.old_value": {"da": "Før", "en": "Before"},
    "col.new_value": {"da": "Nu", "en": "Now"},
    "col.change": {"da": "Ændring", "en": "Change"},
    "col.source": {"da": "Kilde", "en": "Source"},
    "col.note": {"da": "Bemærkning", "en": "Note"},
    "col.theme": {"da": "Tema", "en": "Theme"},
    "col.gap": {"da": "Afstand til mål", "en": "Gap"},
    "col.distance": {"da": "Tilbagelagt", "en": "Distance covered"},
    "col.time": {"da": "Tid gået", "en": "Time elapsed"},
    "col.ratio": {"da": "Forhold", "en": "Ratio"},
    "col.initiative": {"da": "Initiativ", "en": "Initiative"},
    "col.funding": {"da": "Bevilling", "en": "Funding"},
    "col.needed": {"da": "Nødvendig ændring pr. år", "en": "Change needed a year"},
    "col.actual": {"da": "Faktisk ændring pr. år", "en": "Actual change a year"},
    "method.compound": {"da": "sammensat vækst (CAGR)", "en": "compound growth (CAGR)"},
    "method.linear": {"da": "lineær (en værdi er 0 eller negativ)", "en": "linear (a value is 0 or negative)"},
    "chart.observed": {"da": "Målt", "en": "Measured"},
    "chart.derived": {"da": "Afledt", "en": "Derived"},
    "chart.illustrative": {"da": "Eksempeldata (ikke målt)", "en": "Illustrative (not measured)"},
    "chart.illustrative_short": {"da": "eksempel", "en": "illustrative"},
    "chart.glide_path": {"da": "Planlagt forløb", "en": "Glide path"},
    "chart.target": {"da": "Mål", "en": "Target"},
    "chart.projection": {"da": "Fremskrivning ved nuværende tempo", "en": "Projection at the current pace"},
    "chart.gap": {"da": "Mangler", "en": "Gap"},
    "chart.series_break": {"da": "databrud", "en": "series break"},
    "target.title": {"da": "Mål i detaljer", "en": "Target details"},
    "target.choose": {"da": "Vælg mål", "en": "Choose a target"},
    "target.unknown": {"da": "Målet '{target}' findes ikke. Vælg et mål på listen.", "en": "There is no target '{target}'. Choose one from the list."},
    "target.geography": {"da": "Område", "en": "Geography"},
    "target.no_observations": {"da": "Der er endnu ingen observationer for dette mål i {geo}.",
                               "en": "There are no observations for this target in {geo} yet."},
    "target.illustrative_warning": {"da": "⚠ Serien indeholder eksempeldata: værdier markeret 'eksempel' er ikke målinger og skal erstattes af rigtige tal.",
                                    "en": "⚠ The series contains illustrative values: points marked 'illustrative' are not measurements and are to be replaced by real figures."},
    "target.chart": {"da": "Graf", "en": "Chart"},
    "target.table": {"da": "Tabel", "en": "Table"},
    "target.how": {"da": "Sådan er status beregnet", "en": "How the status is computed"},
    "target.how_intro": {"da": "Metoden følger Eurostats: forholdet mellem den faktiske og den nødvendige årlige vækst i de seneste år.",
                         "en": "The method follows Eurostat's: the ratio of the actual to the required yearly growth over recent years."},
    "target.initiatives": {"da": "Initiativer i indsatsområdet", "en": "Initiatives in the focus area"},
    "target.no_initiatives": {"da": "Ingen initiativer registreret for indsatsområdet.", "en": "No initiatives recorded for the focus area."},
    "target.funding_total": {"da": "Samlet bevilling: {total}", "en": "Total funding: {total}"},
    "target.download_csv": {"da": "Hent serien (CSV)", "en": "Download the series (CSV)"},
    "target.download_png": {"da": "Hent grafen (PNG)", "en": "Download the chart (PNG)"},
    "target.compare": {"da": "Sammenlign områder", "en": "Compare geographies"},
    "target.compare_title": {"da": "Alle områder", "en": "All geographies"},
    "target.baseline_point": {"da": "basisår", "en": "baseline"},
    "target.focus_area": {"da": "Indsatsområde", "en": "Focus area"},
    "target.source": {"da": "Kilde til målet", "en": "Source of the target"},
    "target.back": {"da": "← Tilbage til overblikket", "en": "← Back to the overview"},
    "explain.as_of": {"da": "Status pr. år", "en": "Status as of"},
    "explain.baseline": {"da": "Basisår og -værdi", "en": "Baseline"},
    "explain.target": {"da": "Mål", "en": "Target"},
    "explain.relative": {"da": "({pct} % i forhold til basisåret)", "en": "({pct} % relative to the baseline)"},
    "explain.latest": {"da": "Seneste måling", "en": "Latest measurement"},
    "explain.deadline": {"da": "Frist", "en": "Deadline"},
    "explain.deadline_passed": {"da": "overskredet: vurderet på seneste måling til og med målåret",
                                "en": "passed: judged on the latest measurement up to the target year"},
    "explain.window": {"da": "Vurderingsperiode", "en": "Assessment window"},
    "explain.window_value": {"da": "{start}–{end} ({n} målinger; højst {years} år tilbage)",
                             "en": "{start}–{end} ({n} measurements; at most {years} years back)"},
    "explain.break_start": {"da": "(starter ved databrud)", "en": "(starts at the series break)"},
    "explain.method": {"da": "Metode", "en": "Method"},
    "explain.actual_rate": {"da": "Faktisk årlig vækst", "en": "Actual yearly growth"},
    "explain.required_rate": {"da": "Nødvendig årlig vækst fra periodens start", "en": "Required yearly growth from the window's start"},
    "explain.ratio": {"da": "Forhold (faktisk ÷ nødvendig)", "en": "Ratio (actual ÷ required)"},
    "explain.thresholds": {"da": "Grænser", "en": "Thresholds"},
    "explain.thresholds_value": {"da": "på rette vej ≥ 0,95 · moderat ≥ 0,60 · utilstrækkelig ≥ 0 · bevæger sig væk < 0",
                                 "en": "on track ≥ 0.95 · moderate ≥ 0.60 · insufficient ≥ 0 · moving away < 0"},
    "explain.trend_thresholds_value": {"da": "betydelig fremgang > 1 % · moderat fremgang > 0 · moderat tilbagegang ≥ −1 % · betydelig tilbagegang < −1 % om året",
                                       "en": "significant progress > 1 % · moderate progress > 0 · moderate movement away ≥ −1 % · significant movement away < −1 % a year"},
    "explain.gap": {"da": "Afstand til målet", "en": "Gap to the target"},
    "explain.distance": {"da": "Tilbagelagt del af vejen", "en": "Distance covered"},
    "explain.time": {"da": "Forløbet del af tiden", "en": "Time elapsed"},
    "explain.linear_pace": {"da": "Lineært tempo i forhold til planen", "en": "Linear pace ratio"},
    "explain.pace_from_now": {"da": "Nødvendigt tempo herfra", "en": "Required pace from now"},
    "explain.per_year": {"da": " om året", "en": " a year"},
    "explain.projection": {"da": "Fremskrivning", "en": "Projection"},
    "explain.projection_value": {"da": "{value} i {year} ved tendensen i perioden", "en": "{value} in {year} at the window's trend"},
    "explain.year_met": {"da": "Målet nås ved tendensen i", "en": "Target met at the trend in"},
    "explain.not_by_2100": {"da": "ikke før 2100", "en": "not before 2100"},
    "explorer.title": {"da": "Afstand til målene", "en": "Gap explorer"},
    "explorer.intro": {"da": "Alle mål i én tabel. Filtrene gemmes i adressen, så et kopieret link viser det samme.",
                       "en": "Every target in one table. The filters are kept in the address, so a copied link shows the same view."},
    "explorer.filter_theme": {"da": "Tema", "en": "Theme"},
    "explorer.filter_status": {"da": "Status", "en": "Status"},
    "explorer.filter_geo": {"da": "Område (tomt: målets eget)", "en": "Geography (empty: the target's own)"},
    "explorer.nothing": {"da": "Ingen mål matcher filtrene. Fjern et filter for at se flere.",
                        "en": "No target matches the filters. Remove a filter to see more."},
    "explorer.on_schedule": {"da": "Efter planen", "en": "On schedule"},
    "explorer.scatter_title": {"da": "Tilbagelagt afstand mod forløbet tid", "en": "Distance covered against time elapsed"},
    "explorer.scatter_help": {"da": "Over diagonalen: foran planen. Under: bagud. Klik på et punkt for at åbne målet.",
                              "en": "Above the diagonal: ahead of plan. Below: behind. Click a point to open the target."},
    "explorer.pace_title": {"da": "Hvad skal der til?", "en": "What would it take?"},
    "explorer.pace_help": {"da": "Den årlige ændring, der skal til herfra for at nå målet, ved siden af den faktiske årlige ændring i de seneste år.",
                           "en": "The yearly change needed from now to reach the target, beside the actual yearly change in recent years."},
    "explorer.needed": {"da": "Nødvendig ændring pr. år herfra", "en": "Change needed a year from now"},
    "explorer.actual": {"da": "Faktisk ændring pr. år (seneste år)", "en": "Actual change a year (recent years)"},
    "explorer.pct_per_year": {"da": "% om året", "en": "% a year"},
    "explorer.table": {"da": "Tabel", "en": "Table"},
    "explorer.all": {"da": "Alle", "en": "All"},
    "explorer.own_geography": {"da": "Målets eget område", "en": "The target's own geography"},
    "explorer.count": {"da": "{n} mål vist", "en": "{n} targets shown"},
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


def difference_unit(unit: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The unit of a difference between two values: a gap in a share is in percentage points."""
    if unit == "%":
        return "procentpoint" if lang == "da" else "percentage points"
    return unit


def fmt_percent(fraction: Any, lang: str = DEFAULT_LANGUAGE, decimals: int = 1) -> str:
    """A fraction as a percentage: ``fmt_percent(0.0502, 'da') == '5,0 %'``."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    return fmt_number(float(fraction) * 100, lang, decimals=decimals, unit="%")
