"""One translation table for every UI text, Danish first, and Danish number formats.

``t("status.on_track", "da") == "på rette vej"``; ``fmt_number(15448, "da") == "15.448"``;
``fmt_number(13.4, "da", unit="%") == "13,4 %"``.

Why about 1,100 lines: nearly all of it is :data:`TEXTS`, every text of the product in both
languages side by side, so that a missing or stale translation is seen next to its pair
(``tests/test_i18n.py`` checks both exist for every key). The code, :class:`Lang` and the number
and date formats, is the last ~210 lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"

#: Status icons: shape and text carry the meaning, colour only repeats it. Every status has
#: an icon of its own, so a trend category of a monitored indicator never looks like a
#: target's status (progress-methodology.md, "Headline status").
STATUS_ICONS: dict[str, str] = {
    "met": "✔",
    "not_met": "⊘",
    "on_track": "▲",
    "moderate": "◆",
    "insufficient": "▼",
    "moving_away": "✖",
    "not_assessable": "?",
    "significant_progress": "⇑",
    "moderate_progress": "↗",
    "moderate_movement_away": "↘",
    "significant_movement_away": "⇓",
}

#: Status colours ordered by severity (the worst the darkest red), each at least 3:1 against
#: white (WCAG 1.4.11; tests/test_i18n.py computes the ratios). Hues stay apart for
#: colour-blind readers: green, blue, amber, vermilion, red, crimson, grey.
#: Streamlit's and Plotly's own English labels, as a Danish page gives them to screen readers
#: (``app_pages/_chrome.py``; WCAG 3.1.2, language of parts). Exact texts, then prefixes.
CHROME_DA: dict[str, str] = {
    "Skip to main content": "Gå til hovedindholdet",
    "Sidebar": "Sidepanel",
    "Collapse sidebar": "Skjul sidepanelet",
    "Expand sidebar": "Vis sidepanelet",
    "App pages": "Sider",
    "Main menu": "Hovedmenu",
    "Link to heading": "Link til overskriften",
    "Choose an option": "Vælg",
    "Choose options": "Vælg",
    "No results": "Ingen resultater",
    "Open": "Åbn",
    "Close": "Luk",
    "Clear all": "Ryd alle",
    "Show password": "Vis adgangskode",
    "Hide password": "Skjul adgangskode",
    "Show/hide columns": "Vis eller skjul kolonner",
    "Download as CSV": "Hent som CSV",
    "Search": "Søg",
    "Fullscreen": "Fuld skærm",
    "Close fullscreen": "Luk fuld skærm",
    "Drag and drop file here": "Træk og slip filen her",
    "Drag and drop files here": "Træk og slip filerne her",
    "Browse files": "Vælg fil",
    "Upload": "Upload",
    "Delete": "Slet",
    "Remove file": "Fjern filen",
    "Running...": "Arbejder …",
    "Stop": "Stop",
    "Download plot as a PNG": "Hent grafen som PNG",
    "Download plot": "Hent grafen",
    "Zoom": "Zoom",
    "Pan": "Panorér",
    "Box Select": "Vælg med rektangel",
    "Lasso Select": "Vælg med lasso",
    "Zoom in": "Zoom ind",
    "Zoom out": "Zoom ud",
    "Autoscale": "Tilpas akserne",
    "Reset axes": "Nulstil akserne",
    "Reset view": "Nulstil visningen",
    "Toggle Spike Lines": "Vis eller skjul hjælpelinjer",
    "Show closest data on hover": "Vis nærmeste punkt ved pegning",
    "Compare data on hover": "Sammenlign punkter ved pegning",
}
#: Labels with a part of their own: (JavaScript regular expression, replacement with ``$1``).
CHROME_PATTERNS_DA: list[tuple[str, str]] = [
    (r"^Help for (.+)$", "Hjælp til $1"),
    (r"^(?:Limit )?([0-9.]+) ?MB per file(.*)$", "Højst $1 MB pr. fil$2"),
]

STATUS_COLOURS: dict[str, str] = {
    "met": "#007A5A",                        # 5.3:1
    "on_track": "#0072B2",                   # 5.2:1
    "moderate": "#B36B00",                   # 4.2:1
    "insufficient": "#D55E00",               # 3.9:1
    "moving_away": "#B21F1F",                # 6.8:1
    "not_met": "#7A0019",                    # 11.4:1
    "not_assessable": "#6B6B6B",             # 5.3:1
    "significant_progress": "#007A5A",
    "moderate_progress": "#0072B2",
    "moderate_movement_away": "#B36B00",
    "significant_movement_away": "#B21F1F",
}

TEXTS: dict[str, dict[str, str]] = {
    # statuses (progress-methodology.md gives the Danish labels)
    "status.met": {"da": "mål nået", "en": "target met"},
    "status.not_met": {"da": "ikke nået", "en": "not met"},
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
    # what a status rests on (progress-methodology.md, "Settled, provisional and stale")
    "mark.provisional": {"da": "foreløbig: bygger på eksempeldata", "en": "provisional: rests on illustrative values"},
    "mark.stale": {"da": "⚠ seneste tal fra {year}, nyt tal ventet senest {next}",
                   "en": "⚠ latest figure from {year}, a new one was expected by {next}"},
    "mark.deadline_missing": {"da": "frist overskredet, tal for {year} mangler",
                              "en": "deadline passed, the figure for {year} is not yet published"},
    "mark.settled": {"da": "afgjort med tallet for {year}", "en": "settled by the figure for {year}"},
    "mark.settled_earlier": {"da": "afgjort med tallet fra {year}, det seneste til og med {target}",
                             "en": "settled by the figure from {year}, the latest up to {target}"},
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
    "overview.open_hint": {"da": "Klik på et måls navn (eller gå til det med Tab og tryk Enter) for at se det i detaljer.",
                           "en": "Click a target's name (or reach it with Tab and press Enter) to see it in detail."},
    "overview.summary_count": {"da": "{on} af {n}", "en": "{on} of {n}"},
    "overview.summary_rest": {"da": "mål er nået eller på rette vej", "en": "targets met or on track"},
    "overview.summary_monitored_one": {"da": "Desuden følges 1 indikator uden mål (nederst på siden).",
                                       "en": "In addition, 1 indicator is monitored without a target (at the bottom of the page)."},
    "overview.summary_monitored_many": {"da": "Desuden følges {m} indikatorer uden mål (nederst på siden).",
                                        "en": "In addition, {m} indicators are monitored without a target (at the bottom of the page)."},
    "overview.filter": {"da": "Vis mål med status", "en": "Show targets with the status"},
    "overview.filter_help": {"da": "Vælg en eller flere statusser; valget gemmes i adressen. Vælg igen for at fjerne det.",
                             "en": "Choose one or more statuses; the choice is kept in the address. Choose again to remove it."},
    "overview.filter_shown": {"da": "Viser {shown} af {n} mål: {statuses}. Indikatorer uden mål er skjult, mens der er valgt en status.",
                              "en": "Showing {shown} of {n} targets: {statuses}. Indicators without a target are hidden while a status is chosen."},
    "overview.filter_or": {"da": " eller ", "en": " or "},
    "overview.behind_title": {"da": "Længst fra målet", "en": "Furthest behind"},
    "overview.behind_intro": {"da": "De mål, der er længst bagud i forhold til planen, som i statusnotatet: værst status først, derefter størst forskel mellem forløbet tid og tilbagelagt vej.",
                              "en": "The targets furthest behind their schedule, as in the status memo: worst status first, then the largest gap between time elapsed and distance covered."},
    "overview.behind_none": {"da": "Intet mål er bagud: alle mål, der kan vurderes, er nået, på rette vej eller i moderat fremgang.",
                             "en": "No target is behind: every target that can be assessed is met, on track or making moderate progress."},
    "overview.behind_why": {"da": "Hvor langt bagud", "en": "How far behind"},
    "overview.help_behind_why": {"da": "Tilbagelagt del af vejen fra basisåret mod målet, sammenlignet med den forløbne del af tiden frem til fristen",
                                 "en": "The share of the way from the baseline to the target covered, against the share of the time to the deadline elapsed"},
    "progress.covered": {"da": "har nået {distance} af vejen {time}", "en": "has come {distance} of the way {time}"},
    "progress.almost": {"da": "har nået næsten hele vejen {time}", "en": "has come almost the whole way {time}"},
    "progress.whole": {"da": "har nået hele vejen {time}", "en": "has come the whole way {time}"},
    "progress.passed": {"da": "har passeret målet {time}", "en": "has passed the target {time}"},
    "progress.none": {"da": "er næsten ikke kommet nærmere målet {time}",
                      "en": "has come almost no closer to the target {time}"},
    "progress.time": {"da": "på {share} af tiden", "en": "in {share} of the time"},
    "progress.until": {"da": "{time} frem til {year}", "en": "{time} up to {year}"},
    "progress.window_forward": {"da": "{words}, men er gået frem siden {year}",
                                "en": "{words}, but has moved forward since {year}"},
    "progress.window_back": {"da": "{words}, men er gået tilbage siden {year}",
                             "en": "{words}, but has moved back since {year}"},
    "progress.time_almost": {"da": "på næsten hele tiden", "en": "in almost all of the time"},
    "progress.time_deadline": {"da": "ved fristen", "en": "by the deadline"},
    "progress.time_after": {"da": "efter fristen", "en": "after the deadline"},
    "progress.about": {"da": "omkring {share}", "en": "about {share}"},
    "overview.behind_standing": {"da": "seneste {latest}; mål {goal}", "en": "latest {latest}; target {goal}"},
    "overview.behind_by": {"da": "i {year}", "en": "by {year}"},
    "overview.targets_title": {"da": "Alle mål efter tema", "en": "Every target by theme"},
    "overview.theme_table": {"da": "Mål i temaet {theme}", "en": "Targets in the theme {theme}"},
    "overview.no_match_in_filter": {"da": "Ingen mål har den valgte status.", "en": "No target has the chosen status."},
    "overview.monitored_title": {"da": "Indikatorer, der følges uden mål", "en": "Indicators monitored without a target"},
    "overview.monitored_intro": {"da": "Disse indikatorer har intet mål og tæller ikke med ovenfor; de vurderes på deres udvikling i de seneste år (⇑ betydelig fremgang, ↗ moderat fremgang, ↘ moderat tilbagegang, ⇓ betydelig tilbagegang).",
                                 "en": "These indicators have no target and do not count above; they are judged by their trend over recent years (⇑ significant progress, ↗ moderate progress, ↘ moderate movement away, ⇓ significant movement away)."},
    "overview.col_indicator": {"da": "Indikator", "en": "Indicator"},
    "overview.help_latest": {"da": "Seneste måling til og med statusåret, med året den gælder",
                             "en": "The latest measurement up to the status year, with the year it is for"},
    "overview.help_deadline": {"da": "Året målet skal være nået", "en": "The year by which the target is to be met"},
    "overview.help_status": {"da": "Vurderet efter Eurostats metode: den faktiske mod den nødvendige årlige vækst i de seneste år; nedenunder, hvad vurderingen hviler på",
                             "en": "Judged by Eurostat's method: the actual against the required yearly growth over recent years; below, what the judgement rests on"},
    "overview.help_trend": {"da": "Alle målinger til og med statusåret, ældste til venstre", "en": "Every measurement up to the status year, oldest on the left"},
    "overview.help_development": {"da": "Vurderet på den gennemsnitlige årlige ændring i de seneste år, i den ønskede retning eller væk fra den",
                                  "en": "Judged by the average yearly change over recent years, in the wanted direction or away from it"},
    "overview.has_illustrative": {"da": "indeholder eksempeldata", "en": "contains illustrative values"},
    "overview.data_class": {"da": "data: {cls}", "en": "data: {cls}"},
    "overview.spark": {"da": "Udvikling {first}–{last}: fra {start} til {end}", "en": "Trend {first}–{last}: from {start} to {end}"},
    "overview.spark_one": {"da": "Kun én måling: {value} i {year}", "en": "Only one measurement: {value} in {year}"},
    "overview.spark_none": {"da": "Ingen målinger", "en": "No measurements"},
    "overview.more_title": {"da": "Hent, find og se ændringer", "en": "Download, find and see changes"},
    "page.title": {"da": "{page} · Målspor", "en": "{page} · Målspor"},
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
    "col.gap": {"da": "Mangler til målet", "en": "Still to go"},
    "col.distance": {"da": "Nået af vejen", "en": "Share of the way covered"},
    "col.time": {"da": "Brugt af tiden", "en": "Share of the time used"},
    "col.ratio": {"da": "Tempo mod det nødvendige", "en": "Pace against the pace needed"},
    "col.initiative": {"da": "Initiativ", "en": "Initiative"},
    "col.funding": {"da": "Bevilling", "en": "Funding"},
    "col.needed": {"da": "Nødvendig ændring pr. år herfra", "en": "Change needed a year from now"},
    "col.actual": {"da": "Faktisk ændring pr. år i de seneste år", "en": "Actual change a year in recent years"},
    "method.compound": {"da": "sammensat vækst (CAGR)", "en": "compound growth (CAGR)"},
    "method.linear": {"da": "lineær (en værdi er 0 eller negativ)", "en": "linear (a value is 0 or negative)"},
    "chart.observed": {"da": "Målt (blå prik)", "en": "Measured (blue dot)"},
    "chart.derived": {"da": "Afledt (blå firkant)", "en": "Derived (blue square)"},
    "chart.illustrative": {"da": "Eksempeldata, ikke målt (åben grå cirkel)", "en": "Illustrative, not measured (open grey circle)"},
    "chart.illustrative_short": {"da": "eksempel", "en": "illustrative"},
    "chart.glide_path": {"da": "Planlagt forløb (grå stiplet linje)", "en": "Glide path (grey dashed line)"},
    "chart.target": {"da": "Mål (grøn stjerne)", "en": "Target (green star)"},
    "chart.target_label": {"da": "Mål {year}: {value}", "en": "Target {year}: {value}"},
    "chart.projection": {"da": "Fremskrivning ved nuværende tempo (orange prikket linje)", "en": "Projection at the current pace (orange dotted line)"},
    "chart.projection_hover": {"da": "Fremskrevet {year}: {value}", "en": "Projected {year}: {value}"},
    "chart.gap": {"da": "Mangler til målet (brun lodret streg)", "en": "Gap to the target (brown vertical bar)"},
    "chart.gap_label": {"da": "Mangler: {value}", "en": "Gap: {value}"},
    "chart.series_break": {"da": "databrud", "en": "series break"},
    "chart.target_line": {"da": "Mål (stiplet vandret linje)", "en": "Target (dashed horizontal line)"},
    "chart.on_schedule": {"da": "Efter planen (stiplet diagonal)", "en": "On schedule (dashed diagonal)"},
    "chart.status_legend": {"da": "Status (form og farve):", "en": "Status (shape and colour):"},
    "chart.distance": {"da": "Tilbagelagt del af vejen", "en": "Distance covered"},
    "chart.time": {"da": "Forløbet del af tiden", "en": "Time elapsed"},
    "chart.scatter_title": {"da": "Tilbagelagt afstand mod forløbet tid", "en": "Distance covered against time elapsed"},
    "chart.needed": {"da": "Nødvendig ændring pr. år herfra (skraveret)", "en": "Change needed a year from now (hatched)"},
    "chart.actual": {"da": "Faktisk ændring pr. år, seneste år (fyldt)", "en": "Actual change a year, recent years (solid)"},
    "chart.pace_title": {"da": "Hvad skal der til?", "en": "What would it take?"},
    "chart.pct_per_year": {"da": "% om året", "en": "% a year"},
    "chart.compare_title": {"da": "Alle områder", "en": "All geographies"},
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
    "target.deadline_open": {"da": "frist {year}", "en": "deadline {year}"},
    "target.deadline_passed": {"da": "frist {year}, overskredet", "en": "deadline {year}, passed"},
    "target.series_label": {"da": "Målingerne bag grafen", "en": "The measurements behind the chart"},
    "explain.what": {"da": "Trin", "en": "Step"},
    "explain.as_of": {"da": "Status pr. år", "en": "Status as of"},
    "explain.baseline": {"da": "Basisår og -værdi", "en": "Baseline"},
    "explain.target": {"da": "Mål", "en": "Target"},
    "explain.relative": {"da": "({pct} i forhold til basisåret)", "en": "({pct} relative to the baseline)"},
    "explain.latest": {"da": "Seneste måling", "en": "Latest measurement"},
    "explain.deadline": {"da": "Frist", "en": "Deadline"},
    "explain.deadline_passed": {"da": "{year}, overskredet: indtil tallet for {year} foreligger, vurderes målet fortsat på tendensen",
                                "en": "{year}, passed: until the figure for {year} is out, the target is still judged on its trend"},
    "explain.deadline_open": {"da": "{year}, ikke overskredet", "en": "{year}, not passed"},
    "explain.deadline_settled": {"da": "{year}, {settled}", "en": "{year}, {settled}"},
    "explain.window": {"da": "Vurderingsperiode", "en": "Assessment window"},
    "explain.window_value": {"da": "{start}–{end} ({n} målinger; højst {years} år tilbage)",
                             "en": "{start}–{end} ({n} measurements; at most {years} years back)"},
    "explain.break_start": {"da": "(starter ved databrud)", "en": "(starts at the series break)"},
    "explain.method": {"da": "Metode", "en": "Method"},
    "explain.actual_rate": {"da": "Faktisk årlig vækst", "en": "Actual yearly growth"},
    "explain.required_rate": {"da": "Nødvendig årlig vækst fra periodens start", "en": "Required yearly growth from the window's start"},
    "explain.ratio": {"da": "Tempo mod det nødvendige (faktisk ÷ nødvendig vækst)",
                      "en": "Pace against the pace needed (actual ÷ required growth)"},
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
    "explain.projection_value": {"da": "{value} i {year} ved tendensen i perioden", "en": "{value} in {year} if the trend of recent years holds"},
    "explain.projection_two": {"da": "{text} (ud fra kun to tal, {first} og {last})",
                               "en": "{text} (from only two figures, {first} and {last})"},
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
    "explorer.table_label": {"da": "Afstand til målene, ét mål pr. række", "en": "Gap to the targets, one target a row"},
    "explorer.pace_label": {"da": "Hvad skal der til, ét mål pr. række", "en": "What it would take, one target a row"},
    "explorer.open_hint": {"da": "Klik på et måls navn, eller gå til det med Tab og tryk Enter, for at se målet i detaljer.",
                           "en": "Click a target's name, or reach it with Tab and press Enter, to see the target in detail."},
    "explorer.why_not_assessable": {"da": "kan ikke beregnes: status kan ikke vurderes",
                                    "en": "cannot be computed: the status cannot be assessed"},
    "explorer.why_settled": {"da": "afgjort: målåret er målt", "en": "settled: the target year has been measured"},
    "explorer.why_met": {"da": "målet er nået", "en": "the target is met"},
    "explorer.why_deadline": {"da": "fristen er overskredet", "en": "the deadline has passed"},
    "explorer.help_target": {"da": "Målets fulde navn og det område, tallene gælder; klik for at se målet i detaljer.",
                             "en": "The target's full name and the area the figures are for; click to see the target in detail."},
    "explorer.help_latest": {"da": "Seneste tal til og med statusåret, og året det er fra.",
                             "en": "The latest figure up to the status year, and the year it is from."},
    "explorer.col_goal": {"da": "Målværdi og frist", "en": "Target value and deadline"},
    "explorer.help_goal": {"da": "Den værdi, målet skal nå, og året, det skal være nået; 'overskredet', når året er passeret.",
                           "en": "The value the target is to reach, and the year by which; 'passed' once that year is over."},
    "explorer.help_gap": {"da": "Forskellen mellem seneste tal og målværdien.",
                          "en": "The difference between the latest figure and the target value."},
    "explorer.help_distance": {"da": "Hvor stor en del af vejen fra basisåret til målværdien, der er tilbagelagt. "
                                     "Negativ: længere fra målet end i basisåret.",
                               "en": "How much of the way from the baseline to the target value has been covered. "
                                     "Negative: further from the target than at the baseline."},
    "explorer.help_time": {"da": "Hvor stor en del af tiden fra basisåret til fristen, der var gået ved seneste tal.",
                           "en": "How much of the time from the baseline to the deadline had passed at the latest figure."},
    "explorer.help_ratio": {"da": "Den faktiske årlige udvikling i de seneste år delt med den, der skal til. "
                                  "1 eller mere: hurtigt nok; under 0: bevæger sig væk fra målet.",
                            "en": "The actual yearly change in recent years divided by the change needed. "
                                  "1 or more: fast enough; below 0: moving away from the target."},
    "explorer.help_status": {"da": "Status efter metoden, med hvad den bygger på: foreløbig (eksempeldata), "
                                   "gamle tal eller en overskredet frist.",
                             "en": "The status by the method, with what it rests on: provisional (illustrative values), "
                                   "old figures or a passed deadline."},
    "explorer.help_needed": {"da": "Den ændring i procent om året, der skal til fra seneste tal for at nå målet til fristen.",
                             "en": "The change in per cent a year needed from the latest figure to meet the target by the deadline."},
    "explorer.help_actual": {"da": "Den gennemsnitlige ændring i procent om året i vurderingsperioden (højst 5 år tilbage).",
                             "en": "The average change in per cent a year over the assessment window (at most 5 years back)."},
    "explorer.csv_name": {"da": "afstand_til_maalene.csv", "en": "gap_explorer.csv"},
    # --- upload and import messages
    # where a problem is (metrics.model.Problem.render)
    "problem.at_row": {"da": "række {row}", "en": "row {row}"},
    "problem.at_column": {"da": "kolonne '{column}'", "en": "column '{column}'"},
    "problem.shown_value": {"da": " (værdi '{value}')", "en": " (value '{value}')"},
    # problems with the file as a whole
    "problem.file_too_large": {
        "da": "Filen fylder {size}, og grænsen er {limit}. Del den op i mindre filer, eller hæv grænsen "
              "(--max-size eller MALSPOR_MAX_UPLOAD_MB).",
        "en": "The file is {size} and the limit is {limit}. Split it into smaller files, or raise the limit "
              "(--max-size or MALSPOR_MAX_UPLOAD_MB)."},
    "problem.file_empty": {"da": "Filen er tom: den skal have en overskriftsrække og datarækker.",
                           "en": "The file is empty: it needs a header row and data rows."},
    "problem.not_text": {
        "da": "Filen er ikke en tabel: den indeholder binære data (fx et billede, en PDF eller en zip-fil). Gem arket "
              "fra Excel som CSV eller .xlsx, og upload den fil.",
        "en": "The file is not a table: it contains binary data (such as an image, a PDF or a zip file). Save the "
              "sheet from Excel as CSV or .xlsx and upload that file."},
    "problem.encoding_unknown": {
        "da": "Filens tegn kan ikke læses som UTF-8, UTF-16 eller Windows-1252 (byte {byte} på position {position}). "
              "Gem den fra Excel som 'CSV UTF-8'.",
        "en": "The file's characters cannot be read as UTF-8, UTF-16 or Windows-1252 (byte {byte} at position "
              "{position}). Save it from Excel as 'CSV UTF-8'."},
    "problem.xls_old": {
        "da": "Filen er en gammel Excel 97-2003-projektmappe (.xls), som ikke kan læses. Åbn den i Excel, og gem den "
              "som .xlsx eller CSV.",
        "en": "The file is an old Excel 97-2003 workbook (.xls), which cannot be read. Open it in Excel and save it "
              "as .xlsx or CSV."},
    "problem.xlsx_unreadable": {
        "da": "Filen ligner en Excel-projektmappe, men kan ikke læses ({reason}). Åbn den i Excel, og gem den igen "
              "som .xlsx, eller gem arket som CSV.",
        "en": "The file looks like an Excel workbook but cannot be read ({reason}). Open it in Excel and save it "
              "again as .xlsx, or save the sheet as CSV."},
    "problem.sheet_not_found": {"da": "Projektmappen har intet ark '{sheet}'. Dens ark er: {sheets}.",
                                "en": "The workbook has no sheet '{sheet}'. Its sheets are: {sheets}."},
    "problem.not_a_table": {
        "da": "Overskriftsrækken har kun én kolonne ('{header}'): intet komma, semikolon eller tabulatortegn "
              "adskiller kolonnerne. Gem arket fra Excel som CSV, eller brug skabelonen.",
        "en": "The header row has only one column ('{header}'): no comma, semicolon or tab separates the columns. "
              "Save the sheet from Excel as CSV, or use the template."},
    "problem.not_a_table_sheet": {
        "da": "Arket '{sheet}' har kun én kolonne ('{header}') og er ikke tabellen. Vælg arket med tabellen "
              "(projektmappens ark: {sheets}).",
        "en": "The sheet '{sheet}' has only one column ('{header}') and is not the table. Choose the sheet with "
              "the table (the workbook's sheets: {sheets})."},
    "problem.only_header": {
        "da": "Filen har en overskriftsrække, men ingen datarækker. Tilføj en række pr. mål, område og år under "
              "overskrifterne.",
        "en": "The file has a header but no data rows. Add one row per target, geography and year below the "
              "header."},
    "problem.unclosed_quote": {
        "da": "Et anførselstegn (\") åbner her en celle, som aldrig lukkes, så resten af filen løber ind i én celle. "
              "Luk anførselstegnet, eller fjern det.",
        "en": "A quotation mark (\") opens a cell here that is never closed, so the rest of the file runs into one "
              "cell. Close the quotation mark or remove it."},
    "problem.cell_too_long": {
        "da": "En celle er længere end {limit} tegn; sandsynligvis er et anførselstegn ikke lukket. Ret cellen.",
        "en": "A cell is longer than {limit} characters; probably a quotation mark is not closed. Correct the "
              "cell."},
    "problem.csv_unreadable": {"da": "Filen kan ikke læses som en tabel: {reason}. Gem den igen fra Excel som CSV.",
                               "en": "The file cannot be read as a table: {reason}. Save it again from Excel as "
                                     "CSV."},
    "problem.missing_column": {
        "da": "Den påkrævede kolonne '{field}' mangler i overskriftsrækken (navne, der forstås: {aliases}). "
              "Overskriftsrækken har: {found}. Tilføj kolonnen, eller hent skabelonen.",
        "en": "The required column '{field}' is missing from the header row (accepted names: {aliases}). The "
              "header row has: {found}. Add the column, or download the template."},
    "problem.duplicate_column": {"da": "To kolonner betyder '{field}': {headers}. Behold den ene.",
                                 "en": "Two columns mean '{field}': {headers}. Keep one of them."},
    "problem.unnamed_column": {
        "da": "Kolonne {letter} har værdier, men ingen overskrift. Giv den en overskrift (fx bemærkning), eller "
              "slet den.",
        "en": "Column {letter} has values but no heading. Give it a heading (such as note) or delete it."},
    "problem.extra_cells": {
        "da": "Rækken har {cells} celler, men overskriftsrækken har {columns} kolonner. Fjern de ekstra celler, "
              "eller giv dem en overskrift.",
        "en": "The row has {cells} cells but the header row has {columns} columns. Remove the extra cells or give "
              "them a heading."},
    # problems with a row
    "problem.target_missing": {"da": "Målets id mangler. Skriv et id som {example}.",
                               "en": "The target id is empty. Fill in an id such as {example}."},
    "problem.unknown_target": {"da": "Ukendt mål. Mente du {suggestions}?",
                               "en": "Unknown target. Did you mean {suggestions}?"},
    "problem.unknown_target_list": {"da": "Ukendt mål. Kendte id'er: {known}.",
                                    "en": "Unknown target. Known ids: {known}."},
    "problem.bad_year": {"da": "Året skal være et helt tal fra 1900 til 2100, fx 2024.",
                         "en": "The year must be a whole number from 1900 to 2100, such as 2024."},
    "problem.value_not_number_comma": {
        "da": "Værdien er ikke et tal. Filen skriver decimaler med komma (fx 13,4 eller 1.234,5); skriv værdien "
              "sådan, eller lad cellen stå tom, hvis tallet mangler.",
        "en": "The value is not a number. This file writes decimals with a comma (such as 13,4 or 1.234,5); write "
              "the value that way, or leave the cell empty if there is no figure."},
    "problem.value_not_number_point": {
        "da": "Værdien er ikke et tal. Filen skriver decimaler med punktum (fx 13.4 eller 1,234.5); skriv værdien "
              "sådan, eller lad cellen stå tom, hvis tallet mangler.",
        "en": "The value is not a number. This file writes decimals with a point (such as 13.4 or 1,234.5); write "
              "the value that way, or leave the cell empty if there is no figure."},
    "problem.percent_unit": {
        "da": "Værdien har et %-tegn, men målet måles i '{unit}'. Fjern %-tegnet, eller tjek målets id.",
        "en": "The value has a % sign, but the target is measured in '{unit}'. Remove the % sign, or check the "
              "target id."},
    "problem.out_of_bounds": {
        "da": "Uden for målets naturlige grænser [{lower}; {upper}]. Tjek enheden (procent, ikke brøkdel) og tallet.",
        "en": "Outside the target's natural bounds [{lower}, {upper}]. Check the unit (per cent, not a fraction) "
              "and the number."},
    "problem.bad_data_class": {
        "da": "Dataklassen skal være R (målt), D (afledt) eller I (eksempeldata).",
        "en": "The data class must be R (real), D (derived) or I (illustrative)."},
    "problem.bad_series_break": {"da": "Skriv ja eller nej (eller true/false).",
                                 "en": "Write true or false (or ja/nej)."},
    "problem.baseline_conflict": {
        "da": "Afviger fra målets basisværdi {baseline} for {geography} i {year}. Ret værdien, eller ret først "
              "målets basisværdi.",
        "en": "Disagrees with the target's baseline {baseline} for {geography} in {year}. Correct the value, or "
              "change the target's baseline first."},
    "problem.duplicate_key": {
        "da": "{target} / {geography} / {year} står allerede i række {first_row} med værdien {first_value}. Behold "
              "kun én af rækkerne.",
        "en": "{target} / {geography} / {year} already appears in row {first_row} with the value {first_value}. "
              "Keep one of the rows."},
    "problem.too_many": {
        "da": "… og {count} problemer mere. Ret dem ovenfor (de har ofte én fælles årsag), og upload igen.",
        "en": "… and {count} more problems. Fix the ones above (they often share one cause) and upload again."},
    # warnings: rows left out
    "problem.skip_missing": {"da": "Ingen værdi: rækken springes over og gemmes ikke som 0.",
                             "en": "No value: the row is skipped, not stored as 0."},
    "problem.skip_blank": {"da": "Hverken mål, år eller værdi: rækken springes over.",
                           "en": "No target, year or value: the row is skipped."},
    "problem.duplicate_same": {"da": "Gentager række {first_row} med samme værdi: tælles én gang.",
                               "en": "Repeats row {first_row} with the same value: counted once."},
    "problem.more_warnings": {"da": "… og {count} oversprungne rækker mere.",
                              "en": "… and {count} more skipped rows."},
    # notes: how the file was read
    "problem.read_csv": {"da": "Læst som {encoding}, adskilt med {delimiter}, decimaler med {decimal}.",
                         "en": "Read as {encoding}, separated by {delimiter}, decimals with a {decimal}."},
    "problem.read_xlsx": {"da": "Læst som Excel-projektmappe, ark '{sheet}', decimaler i tekstceller med {decimal}.",
                          "en": "Read as an Excel workbook, sheet '{sheet}', decimals in text cells with a "
                                "{decimal}."},
    "problem.read_wide": {"da": "Bred tabel: {count} årskolonner ({years}) er vendt til rækker.",
                          "en": "Wide layout: {count} year columns ({years}) turned into rows."},
    "problem.ignored_columns": {"da": "Kolonner, der ikke bruges: {columns}.",
                                "en": "Columns not used: {columns}."},
    "problem.new_geographies": {"da": "Nye områder (findes ikke i databasen endnu): {geographies}. Tjek stavningen.",
                                "en": "New geographies (not yet in the database): {geographies}. Check the "
                                      "spelling."},
    "problem.same_file": {"da": "Samme fil (sha256) blev importeret før som kørsel {batches}.",
                          "en": "The same file (sha256) was imported before as batch {batches}."},
    "sep.comma": {"da": "komma", "en": "comma"},
    "sep.semicolon": {"da": "semikolon", "en": "semicolon"},
    "sep.tab": {"da": "tabulator", "en": "tab"},
    "sep.point": {"da": "punktum", "en": "point"},
    # refusals of an import or an undo (metrics.ingest.ImportRefused)
    "refusal.no_batch": {"da": "Der findes ingen importkørsel {batch}.", "en": "There is no import batch {batch}."},
    "refusal.already_undone": {"da": "Kørsel {batch} ({file}) er allerede fortrudt ({when}).",
                               "en": "Batch {batch} ({file}) was already undone at {when}."},
    "refusal.undo_blocked": {
        "da": "Kørsel {batch} kan ikke fortrydes: kørsel {later} har siden revideret nogle af dens værdier. "
              "Fortryd kørsel {later} først.",
        "en": "Batch {batch} cannot be undone: batch {later} has since revised some of its values. Undo batch "
              "{later} first."},
    "refusal.preview_stale": {
        "da": "Data er ændret siden forhåndsvisningen (en anden import eller fortrydelse). Intet er gemt. Se den nye "
              "forhåndsvisning, og bekræft igen.",
        "en": "The data changed since the preview (another import or undo). Nothing was written. Review the new "
              "preview and confirm again."},
    "refusal.no_file": {"da": "Filen findes ikke: {path}.", "en": "No such file: {path}."},
    # the Upload page
    "nav.upload": {"da": "Upload", "en": "Upload"},
    "upload.title": {"da": "Upload målinger", "en": "Upload measurements"},
    "upload.intro": {
        "da": "Upload en fil med målinger, som den er gemt fra Excel: CSV (komma, semikolon eller tabulator; "
              "UTF-8, UTF-16 eller Windows-1252) eller .xlsx, med én række pr. mål, område og år eller én kolonne "
              "pr. år. Du ser først, hvad der er galt, eller hvad filen vil ændre; intet gemmes, før du bekræfter, "
              "og hver import kan fortrydes.",
        "en": "Upload a file of measurements as Excel saved it: CSV (comma, semicolon or tab; UTF-8, UTF-16 or "
              "Windows-1252) or .xlsx, with one row per target, geography and year or one column per year. You "
              "first see what is wrong or what the file will change; nothing is written until you confirm, and "
              "every import can be undone."},
    "upload.role_viewer": {
        "da": "Du er '{user}' med rollen '{role}'. Kun analytikere og administratorer kan importere og fortryde, "
              "så upload og fortryd er skjult. Log ind i sidepanelet med en konto med rollen analytiker.",
        "en": "You are '{user}' with the role '{role}'. Only analysts and administrators can import and undo, so "
              "upload and undo are hidden. Sign in from the sidebar with an account that has the analyst role.",
    },
    "upload.role_viewer.present": {
        "da": "Du er '{user}' med rollen '{role}'. Kun analytikere og administratorer kan importere og fortryde. "
              "Afslut præsentationsvisningen (knappen øverst til højre) for at logge ind.",
        "en": "You are '{user}' with the role '{role}'. Only analysts and administrators can import and undo. "
              "Leave presentation mode (the button at the top right) to sign in.",
    },
    "upload.role_analyst": {"da": "Du importerer som '{user}' (rolle: {role}).",
                            "en": "You import as '{user}' (role: {role})."},
    "upload.templates": {"da": "Skabeloner", "en": "Templates"},
    "upload.template_da": {"da": "Hent skabelon med danske overskrifter (semikolon, decimalkomma)",
                           "en": "Download template with Danish headers (semicolon, decimal comma)"},
    "upload.template_en": {"da": "Hent skabelon med engelske overskrifter (komma, decimalpunktum)",
                           "en": "Download template with English headers (comma, decimal point)"},
    "upload.known_targets": {"da": "Mål, der kan importeres til", "en": "Targets you can import to"},
    "upload.columns_help": {
        "da": "Påkrævet: indikator (mål-id), år, værdi. Valgfrit: område (ellers målets eget), kilde, bemærkning, "
              "dataklasse (R målt, D afledt, I eksempeldata; standard R). Tomme celler, '..', '-', 'n/a' og 'NA' "
              "betyder 'intet tal' og springes over.",
        "en": "Required: target_id, year, value. Optional: geography (default: the target's own), source, note, "
              "data_class (R real, D derived, I illustrative; default R). Empty cells, '..', '-', 'n/a' and 'NA' "
              "mean 'no figure' and are skipped."},
    "upload.file": {"da": "Fil (træk og slip, eller vælg; højst {limit} MB)",
                    "en": "File (drag and drop, or browse; at most {limit} MB)"},
    "upload.sheet": {"da": "Ark", "en": "Sheet"},
    "upload.rejected": {"da": "Filen er afvist, og intet er gemt: {problems}. Ret filen, og upload den igen.",
                        "en": "The file was rejected and nothing was written: {problems}. Fix the file and "
                              "upload it again."},
    # a count and its noun, one or many (Lang.count): "1 værdi", "3 værdier"
    "count.problem.one": {"da": "{n} problem", "en": "{n} problem"},
    "count.problem.many": {"da": "{n} problemer", "en": "{n} problems"},
    "count.value.one": {"da": "{n} værdi", "en": "{n} value"},
    "count.value.many": {"da": "{n} værdier", "en": "{n} values"},
    "count.earlier_value.one": {"da": "{n} tidligere værdi", "en": "{n} earlier value"},
    "count.earlier_value.many": {"da": "{n} tidligere værdier", "en": "{n} earlier values"},
    "upload.report": {"da": "Valideringsrapport", "en": "Validation report"},
    "upload.report_download": {"da": "Hent rapporten som CSV", "en": "Download the report as CSV"},
    "upload.read_as": {"da": "Sådan er filen læst", "en": "How the file was read"},
    "upload.preview": {"da": "Forhåndsvisning: hvad importen vil ændre", "en": "Preview: what the import will change"},
    "upload.added": {"da": "Tilføjes", "en": "Added"},
    "upload.revised": {"da": "Revideres", "en": "Revised"},
    "upload.unchanged": {"da": "Uændrede", "en": "Unchanged"},
    "upload.skipped": {"da": "Sprunget over", "en": "Skipped"},
    "upload.revisions": {"da": "Reviderede værdier (gammel → ny)", "en": "Revised values (old → new)"},
    "upload.status_changes": {"da": "Status, som importen ændrer (pr. {year})",
                              "en": "Statuses the import changes (as of {year})"},
    "upload.no_status_changes": {"da": "Importen ændrer ingen status (pr. {year}).",
                                 "en": "The import changes no status (as of {year})."},
    "upload.warnings": {"da": "Rækker, der springes over", "en": "Rows skipped"},
    "upload.nothing_to_change": {
        "da": "Intet at ændre: hver række i {file} findes allerede i databasen. Der oprettes ingen kørsel.",
        "en": "Nothing to change: every row of {file} is already in the database. No batch is created."},
    "upload.confirm": {"da": "Bekræft import af {file}", "en": "Confirm import of {file}"},
    "upload.imported": {"da": "{file} er importeret som kørsel {batch}: {added} tilføjet, {revised} revideret, "
                              "{unchanged} uændret, {skipped} sprunget over.",
                        "en": "{file} was imported as batch {batch}: {added} added, {revised} revised, "
                              "{unchanged} unchanged, {skipped} skipped."},
    "upload.batches": {"da": "Importkørsler", "en": "Import batches"},
    "upload.no_batches": {"da": "Ingen importkørsler endnu.", "en": "No import batches yet."},
    "upload.undo_choose": {"da": "Kørsel at fortryde", "en": "Batch to undo"},
    "upload.undo": {"da": "Ja, fortryd kørsel {batch}", "en": "Yes, undo batch {batch}"},
    "upload.undo_placeholder": {"da": "Vælg en kørsel", "en": "Choose a batch"},
    "upload.undo_seed_hint": {"da": "Startdata (kørslen fra data/observations.csv) kan ikke fortrydes her.",
                              "en": "The seed data (the batch from data/observations.csv) cannot be undone here."},
    "upload.undo_confirm_text": {
        "da": "Kørsel {batch} fortrydes: {removed} fjernes, {restored} genskabes "
              "(fil: {file}). Intet er ændret endnu: bekræft med knappen herunder.",
        "en": "Batch {batch} will be undone: {removed} removed, {restored} restored "
              "(file: {file}). Nothing has changed yet: confirm with the button below."},
    "upload.changes": {"da": "Rækker, der tilføjes eller revideres ({n} vist), med værdien som læst og cellen i filen",
                       "en": "Rows to be added or revised ({n} shown), with the value as read and the cell in the file"},
    "upload.changes_more": {"da": "… og {n} flere rækker, som også skrives ved bekræftelse.",
                            "en": "… and {n} more rows, also written when you confirm."},
    "upload.col_action": {"da": "Handling", "en": "Action"},
    "upload.col_cell": {"da": "I filen", "en": "In the file"},
    "upload.col_old": {"da": "Gammel værdi", "en": "Old value"},
    "upload.col_new": {"da": "Ny værdi, som læst", "en": "New value, as read"},
    "upload.col_replaced": {"da": "Skrives også over", "en": "Also written over"},
    "upload.replaced": {"da": "{field}: »{old}« → »{new}«", "en": "{field}: “{old}” → “{new}”"},
    "upload.replaced_removed": {"da": "{field} fjernes: »{old}«", "en": "{field} removed: “{old}”"},
    "upload.replaced_added": {"da": "{field}: »{new}« (ny)", "en": "{field}: “{new}” (new)"},
    "upload.field.source": {"da": "kilde", "en": "source"},
    "upload.field.note_da": {"da": "note (dansk)", "en": "note (Danish)"},
    "upload.field.note_en": {"da": "note (engelsk)", "en": "note (English)"},
    "upload.field.data_class": {"da": "dataklasse", "en": "data class"},
    "upload.field.series_break": {"da": "databrud", "en": "series break"},
    "upload.replaced_note": {
        "da": "Række {rows} skriver også over: {what}. Den gamle række gemmes i historikken, og fortryder du "
              "kørslen, kommer den tilbage.",
        "en": "Row {rows} also writes over: {what}. The old row is kept in the history, and undoing the batch "
              "brings it back."},
    "upload.replaced_note_many": {
        "da": "Rækkerne {rows} skriver også kilde, note, dataklasse eller databrud over (kolonnen »Skrives også "
              "over«). De gamle rækker gemmes i historikken, og fortryder du kørslen, kommer de tilbage.",
        "en": "Rows {rows} also write over a source, note, data class or series break (the column “Also written "
              "over”). The old rows are kept in the history, and undoing the batch brings them back."},
    "word.yes": {"da": "ja", "en": "yes"},
    "word.no": {"da": "nej", "en": "no"},
    "upload.action.add": {"da": "tilføjes", "en": "added"},
    "upload.action.revise": {"da": "revideres", "en": "revised"},
    "upload.undone": {"da": "Kørsel {batch} er fortrudt: {removed} fjernet, {restored} genskabt.",
                      "en": "Batch {batch} was undone: {removed} removed, {restored} restored."},
    "upload.no_undoable": {"da": "Ingen kørsler kan fortrydes.", "en": "No batch can be undone."},
    "upload.unexpected": {
        "da": "Der skete en uventet fejl, og intet er gemt. Prøv igen; sker det igen, så send filen og tidspunktet "
              "til den, der driver Målspor.",
        "en": "An unexpected error occurred and nothing was written. Try again; if it happens again, send the file "
              "and the time to whoever runs Målspor."},
    "upload.permission": {"da": "Din rolle ({role}) må ikke importere eller fortryde.",
                          "en": "Your role ({role}) may not import or undo."},
    "upload.state.committed": {"da": "gemt", "en": "committed"},
    "upload.state.undone": {"da": "fortrudt", "en": "undone"},
    "upload.new_geography": {"da": "ny", "en": "new"},
    "upload.restored": {
        "da": "Du fortsætter med filen {file}, som du uploadede: den venter i databasen på din bekræftelse, og "
              "forhåndsvisningen herunder er lavet af den igen.",
        "en": "You are continuing with the file {file} that you uploaded: it waits in the database for your "
              "confirmation, and the preview below was made from it again."},
    "upload.discard": {"da": "Kassér {file}", "en": "Discard {file}"},
    "upload.discarded": {"da": "{file} er kasseret. Intet er gemt fra den.",
                         "en": "{file} was discarded. Nothing was written from it."},
    "upload.link_needs_sign_in": {
        "da": "Linket fører til en upload, der venter på bekræftelse. Log ind som den analytiker, der uploadede "
              "filen, for at se den.",
        "en": "The link leads to an upload waiting for its confirmation. Sign in as the analyst who uploaded the "
              "file to see it."},
    "upload.link_needs_sign_in.present": {
        "da": "Linket fører til en upload, der venter på bekræftelse. Afslut præsentationsvisningen (knappen øverst "
              "til højre), og log ind som den analytiker, der uploadede filen, for at se den.",
        "en": "The link leads to an upload waiting for its confirmation. Leave presentation mode (the button at the "
              "top right) and sign in as the analyst who uploaded the file to see it."},
    "ucol.row": {"da": "Række", "en": "Row"},
    "ucol.column": {"da": "Kolonne", "en": "Column"},
    "ucol.value": {"da": "Værdi i filen", "en": "Value in the file"},
    "ucol.message": {"da": "Hvad er galt, og hvad du gør", "en": "What is wrong and what to do"},
    "ucol.old": {"da": "Gammel", "en": "Old"},
    "ucol.new": {"da": "Ny", "en": "New"},
    "ucol.before": {"da": "Før", "en": "Before"},
    "ucol.after": {"da": "Efter", "en": "After"},
    "ucol.batch": {"da": "Kørsel", "en": "Batch"},
    "ucol.time": {"da": "Tidspunkt", "en": "Time"},
    "ucol.user": {"da": "Bruger", "en": "User"},
    "ucol.file": {"da": "Fil", "en": "File"},
    "ucol.state": {"da": "Tilstand", "en": "State"},
    "ucol.target_id": {"da": "Mål-id", "en": "Target id"},
    "ucol.unit": {"da": "Enhed", "en": "Unit"},
    "ucol.bounds": {"da": "Grænser", "en": "Bounds"},
    "ucol.added": {"da": "Tilføjet", "en": "Added"},
    "ucol.revised": {"da": "Revideret", "en": "Revised"},
    "ucol.unchanged": {"da": "Uændret", "en": "Unchanged"},
    "ucol.skipped": {"da": "Sprunget over", "en": "Skipped"},
    # the command line (python -m metrics import / undo --lang da|en)
    "cli.summary": {"da": "{added} tilføjet, {revised} revideret, {unchanged} uændret, {skipped} sprunget over",
                    "en": "{added} added, {revised} revised, {unchanged} unchanged, {skipped} skipped"},
    "cli.dry_run": {"da": "Prøvekørsel af {file}, intet er gemt: {summary}.",
                    "en": "Dry run of {file}, nothing written: {summary}."},
    "cli.nothing": {"da": "Intet at ændre: hver række i {file} findes allerede i databasen ({summary}).",
                    "en": "Nothing to change: every row of {file} is already in the database ({summary})."},
    "cli.imported": {"da": "{file} er importeret som kørsel {batch}: {summary}.\nFortryd med: python -m metrics undo {batch}",
                     "en": "Imported {file} as batch {batch}: {summary}.\nUndo with: python -m metrics undo {batch}"},
    "cli.status_hint": {"da": "Statusændringer: --dry-run viser dem før en import, --status efter; "
                              "python -m metrics status viser status nu.",
                        "en": "Status changes: --dry-run shows them before an import, --status with it; "
                              "python -m metrics status shows where targets stand now."},
    "cli.revised": {"da": "revideret {target} / {geography} / {year}: {old} -> {new}",
                    "en": "revised {target} / {geography} / {year}: {old} -> {new}"},
    "cli.replaced": {"da": "række {row} skriver også over: {what}", "en": "row {row} also writes over: {what}"},
    "cli.status": {"da": "status {target} / {geography} (pr. {year}): {before} -> {after}",
                   "en": "status {target} / {geography} (as of {year}): {before} -> {after}"},
    "cli.skipped": {"da": "sprunget over: {problem}", "en": "skipped {problem}"},
    "cli.rejected": {"da": "Intet er gemt: {problems} fundet.",
                     "en": "Nothing was written: {problems} found."},
    "cli.undone": {"da": "Kørsel {batch} er fortrudt: {removed} fjernet, {restored} genskabt.",
                   "en": "Batch {batch} undone: {removed} removed, {restored} restored."},
    "cli.no_status": {"da": "–", "en": "–"},
    # --- status memo and exports
    "nav.report": {"da": "Statusnotat", "en": "Status memo"},
    # the memo (metrics/memo/)
    "memo.kind": {"da": "NOTAT", "en": "MEMO"},
    "memo.title": {"da": "Status på målene i RUS-handlingsplanen", "en": "Status of the targets of the RUS action plan"},
    "memo.subtitle": {"da": "Status pr. {year} · Region Hovedstaden", "en": "Status as of {year} · Capital Region of Denmark"},
    "memo.prepared": {"da": "Udarbejdet {date} af Målspor ud fra databasens tal.",
                      "en": "Prepared {date} by Målspor from the figures in its database."},
    "memo.footer": {"da": "Målspor · Statusnotat {year} · {date}", "en": "Målspor · Status memo {year} · {date}"},
    "memo.page": {"da": "Side {page} af {pages}", "en": "Page {page} of {pages}"},
    "memo.overall": {"da": "Det samlede billede", "en": "The overall picture"},
    "memo.headline": {"da": "{on} af {n} mål er nået eller på rette vej.", "en": "{on} of {n} targets are met or on track."},
    "memo.count_col": {"da": "Antal mål", "en": "Targets"},
    "memo.caveat_col": {"da": "Heraf med forbehold", "en": "Of which with caveats"},
    "memo.monitored_caveats": {"da": "Forbehold: {items}.", "en": "Caveats: {items}."},
    "memo.caveats_more": {"da": "… og {n} mål mere med forbehold", "en": "… and {n} more targets with caveats"},
    "memo.caveats_more_indicators": {"da": "… og {n} indikatorer mere med forbehold",
                                     "en": "… and {n} more indicators with caveats"},
    "memo.monitored": {"da": "Desuden følges {n} indikatorer uden mål: {items}.",
                       "en": "In addition, {n} indicators are monitored without a target: {items}."},
    "memo.changes_title": {"da": "Ændret siden {year}", "en": "Changed since {year}"},
    "memo.changes_none": {"da": "Ingen mål har skiftet status siden status pr. {year}.",
                          "en": "No target has changed status since the status as of {year}."},
    "memo.changes_summary": {"da": "{n} mål har skiftet status siden status pr. {year}: {better} til det bedre, {worse} til det værre.",
                             "en": "{n} targets have changed status since the status as of {year}: {better} for the better, {worse} for the worse."},
    "memo.changes_more": {"da": "De første {shown} af {n} vises; alle står i Excel-eksporten.",
                          "en": "The first {shown} of {n} are shown; all are in the Excel export."},
    "memo.col_before": {"da": "Status pr. {year}", "en": "Status as of {year}"},
    "memo.col_direction": {"da": "Retning", "en": "Direction"},
    "memo.better": {"da": "↑ bedre", "en": "↑ better"},
    "memo.worse": {"da": "↓ værre", "en": "↓ worse"},
    "memo.changed": {"da": "→ ændret", "en": "→ changed"},
    "memo.behind_title": {"da": "Længst fra målet", "en": "Furthest behind"},
    "memo.behind_intro": {"da": "Mål, der ikke er nået, bevæger sig væk fra målet eller har utilstrækkelig eller moderat fremgang: den værste status først, og inden for samme status de mål, der er længst bagud i forhold til planen, dvs. hvor en større del af tiden er gået, end der er tilbagelagt af vejen. Det er samme liste som i dashboardets overblik.",
                          "en": "Targets not met, moving away from the target, or with insufficient or moderate progress: the worst status first, and within a status the targets furthest behind the plan, that is, where more of the time has gone than of the way has been covered. It is the same list as on the dashboard's overview."},
    "memo.behind_none": {"da": "Intet mål er bagud: alle mål, der kan vurderes, er nået eller på rette vej.",
                         "en": "No target lags behind: every target that can be assessed is met or on track."},
    "memo.col_progress": {"da": "Fremdrift mod planen", "en": "Progress against the plan"},
    "progress.back": {"da": "er gået tilbage siden basisåret, svarende til {distance} af vejen til målet, {time}",
                      "en": "has moved back since the baseline, by {distance} of the way to the target, {time}"},
    "progress.back_whole": {"da": "er gået tilbage siden basisåret, svarende til hele vejen til målet, {time}",
                            "en": "has moved back since the baseline, by the whole way to the target, {time}"},
    "progress.back_more": {"da": "er gået tilbage siden basisåret, svarende til mere end hele vejen til målet, {time}",
                           "en": "has moved back since the baseline, by more than the whole way to the target, {time}"},
    "memo.illustrative_note": {"da": "⚠ Eksempeldata: værdier markeret 'eksempeldata' er ikke målinger, men eksempler, hvor der endnu ikke er fundet et offentliggjort tal. De skal erstattes af rigtige tal, før de bruges til beslutninger.",
                               "en": "⚠ Illustrative values: figures marked 'illustrative' are not measurements but examples where no published figure has been found yet. They are to be replaced by real figures before being used for decisions."},
    "memo.method_note": {"da": "Sådan læses status: metoden følger Eurostats og sammenligner den faktiske årlige vækst i de seneste op til fem år med den vækst, der skal til for at nå målet (på rette vej ≥ 0,95 · moderat fremgang ≥ 0,60 · utilstrækkelig fremgang ≥ 0 · bevæger sig væk < 0). Når målåret er målt, er status afgjort: mål nået eller ikke nået. Status vises altid med symbol og ord og med det, den bygger på: »foreløbig«, når den bygger på eksempeldata; »seneste tal fra …«, når det seneste tal er ældre, end målets opdateringstakt og offentliggørelse tilsiger; »frist overskredet, tal for … mangler«, når fristen er passeret, men tallet for målåret endnu ikke er offentliggjort.",
                         "en": "How to read the status: the method follows Eurostat's and compares the actual yearly growth over the last five years at most with the growth needed to reach the target (on track ≥ 0.95 · moderate progress ≥ 0.60 · insufficient progress ≥ 0 · moving away < 0). Once the target year has been measured, the status is settled: target met or not met. A status is always shown by symbol and words, with what it rests on: 'provisional' when it rests on illustrative values; 'latest figure from …' when the latest figure is older than the target's update interval and publication lag allow; 'deadline passed, the figure for … is not yet published' when the deadline has passed but the figure for the target year is not out yet."},
    "memo.summary_mode": {"da": "Resumé: databasen har {n} mål og indikatorer, så notatet viser status tema for tema og de mål, der er længst bagud, uden grafer. Hele statustabellen findes som Excel-fil (siden Statusnotat, eller 'python -m metrics export --format xlsx --table status'); et fuldt notat fås med 'python -m metrics report --detail full'.",
                          "en": "Summary: the database has {n} targets and indicators, so the memo shows the status theme by theme and the targets furthest behind, without charts. The whole status table is available as an Excel file (the Status memo page, or 'python -m metrics export --format xlsx --table status'); a full memo is made with 'python -m metrics report --detail full'."},
    "memo.theme_behind": {"da": "Længst bagud i temaet (højst {n})", "en": "Furthest behind in the theme (at most {n})"},
    "memo.fact_status": {"da": "Status", "en": "Status"},
    "memo.fact_latest": {"da": "Seneste måling", "en": "Latest measurement"},
    "memo.fact_target": {"da": "Mål", "en": "Target"},
    "memo.fact_target_value": {"da": "{value} i {year}", "en": "{value} by {year}"},
    "memo.fact_relative": {"da": "({pct} i forhold til basisåret)", "en": "({pct} relative to the baseline)"},
    "memo.fact_deadline_passed": {"da": "fristen er overskredet", "en": "the deadline has passed"},
    "memo.fact_baseline": {"da": "Basisår", "en": "Baseline"},
    "memo.fact_gap": {"da": "Mangler til målet", "en": "Gap to the target"},
    "memo.fact_progress": {"da": "Fremdrift", "en": "Progress"},
    "memo.fact_projection": {"da": "Fremskrivning", "en": "Projection"},
    "memo.fact_data": {"da": "Data", "en": "Data"},
    "memo.fact_geography": {"da": "Område", "en": "Geography"},
    "memo.illustrative_mark": {"da": "⚠ eksempeldata", "en": "⚠ illustrative"},
    "memo.chart_alt": {"da": "Graf: {name} i {geo}, målt {first}–{last}, med planlagt forløb, mål og fremskrivning.",
                       "en": "Chart: {name} in {geo}, measured {first}–{last}, with glide path, target and projection."},
    "memo.chart_missing": {"da": "Grafen kunne ikke tegnes på denne maskine ({reason}). Tallene står i tabellen ovenfor.",
                           "en": "The chart could not be drawn on this machine ({reason}). The figures are in the table above."},
    "memo.one_point": {"da": "Kun én måling ({year}), så der er ingen graf.", "en": "Only one measurement ({year}), so there is no chart."},
    "memo.no_chart_data": {"da": "Ingen målinger til og med {year}, så der er ingen graf.", "en": "No measurements up to {year}, so there is no chart."},
    "memo.commentary": {"da": "Status og indsats", "en": "Status and action"},
    "memo.commentary_by": {"da": "Skrevet af {author}, {time}", "en": "Written by {author}, {time}"},
    "memo.commentary_year": {"da": "skrevet til status pr. {year}", "en": "written for the status as of {year}"},
    "memo.only_in.da": {"da": "kun på dansk", "en": "in Danish only"},
    "memo.only_in.en": {"da": "kun på engelsk", "en": "in English only"},
    "memo.no_commentary": {"da": "Status og indsats: ingen kommentar skrevet til status pr. {year}.",
                           "en": "Status and action: no commentary written for the status as of {year}."},
    "memo.sources": {"da": "Kilder", "en": "Sources"},
    "memo.source_target": {"da": "Målet: {source}", "en": "The target: {source}"},
    "memo.source_note": {"da": "Bemærkning: {note}", "en": "Note: {note}"},
    "memo.initiatives": {"da": "Initiativer", "en": "Initiatives"},
    "memo.contents_note": {"da": "På de følgende sider gennemgås målene tema for tema og indsatsområde for indsatsområde: status, seneste værdi mod målet, graf med planlagt forløb og fremskrivning, analytikernes kommentar, initiativerne og deres bevillinger, og kilderne til tallene.",
                           "en": "The pages that follow go theme by theme and focus area by focus area, with each target's status, its latest value against the target, a chart with the planned path and the projection, the analysts' commentary, the initiatives and their funding, and the sources of the figures."},
    # exports and the Status memo page
    "report.title": {"da": "Statusnotat og eksport", "en": "Status memo and exports"},
    "report.intro": {"da": "Notatet skrives ud fra databasens tal som status pr. {year}: først det samlede billede, derefter tema for tema og indsatsområde for indsatsområde som regionens eget statusnotat. Det bygges, når du klikker; med grafer tager det op til et halvt minut.",
                     "en": "The memo is written from the database's figures as the status as of {year}: first the overall picture, then theme by theme and focus area by focus area, like the region's own status memo. It is built when you click; with charts it takes up to half a minute."},
    "report.memo": {"da": "Statusnotat", "en": "Status memo"},
    "report.language": {"da": "Notatets sprog", "en": "Language of the memo"},
    "report.detail": {"da": "Omfang", "en": "Scope"},
    "report.detail.auto": {"da": "Automatisk (fuldt op til {n} mål, ellers resumé)", "en": "Automatic (full up to {n} targets, else a summary)"},
    "report.detail.full": {"da": "Fuldt, med graf for hvert mål", "en": "Full, with a chart for each target"},
    "report.detail.summary": {"da": "Resumé uden grafer", "en": "Summary without charts"},
    "report.download.pdf": {"da": "PDF (til at læse og printe)", "en": "PDF (to read and print)"},
    "report.download.docx": {"da": "Word (til at redigere)", "en": "Word (to edit)"},
    "report.download.html": {"da": "HTML (til at maile)", "en": "HTML (to mail)"},
    "report.download.md": {"da": "Markdown (tekst)", "en": "Markdown (text)"},
    "report.exports": {"da": "Tallene til at tage med", "en": "Take the numbers away"},
    "report.exports_help": {"da": "Statustabellen pr. {year} med et ark med observationerne og deres kilder. Hver status står med det, den bygger på (foreløbig, gamle tal, frist overskredet), ligesom i notatet. Celler, der begynder med = + - @, gøres uskadelige.",
                            "en": "The status table as of {year}, with a sheet of the observations and their sources. Each status carries what it rests on (provisional, old figures, deadline passed), as in the memo. Cells starting with = + - @ are made inert."},
    "report.xlsx": {"da": "Statustabel (Excel)", "en": "Status table (Excel)"},
    "report.csv": {"da": "Statustabel (CSV)", "en": "Status table (CSV)"},
    "report.obs_csv": {"da": "Observationer med kilder (CSV)", "en": "Observations with sources (CSV)"},
    "report.backup": {"da": "Sikkerhedskopi", "en": "Backup"},
    "report.backup_button": {"da": "Hele databasen som Parquet-filer (zip)", "en": "The whole database as Parquet files (zip)"},
    "report.backup_help": {"da": "Pak zip-filen ud, og gendan med 'python -m metrics restore MAPPE --db NY.duckdb' i en tom database.",
                           "en": "Unzip it and restore with 'python -m metrics restore FOLDER --db NEW.duckdb' into an empty database."},
    "report.backup_admin_only": {"da": "Kun administratorer kan hente en sikkerhedskopi (den indeholder brugernavne). Din rolle: {role}.",
                                 "en": "Only administrators can download a backup (it contains user names). Your role: {role}."},
    "report.focus_commentary": {"da": "Kommentarer til indsatsområderne", "en": "Commentary on the focus areas"},
    "report.choose_focus": {"da": "Indsatsområde", "en": "Focus area"},
    "export.xlsx": {"da": "Hent statustabellen (Excel)", "en": "Download the status table (Excel)"},
    "export.csv": {"da": "Hent tabellen (CSV)", "en": "Download the table (CSV)"},
    "export.memo_pdf": {"da": "Hent statusnotat (PDF)", "en": "Download the status memo (PDF)"},
    "export.sheet_status": {"da": "Status {year}", "en": "Status {year}"},
    "export.sheet_observations": {"da": "Observationer", "en": "Observations"},
    "export.sheet_about": {"da": "Om tallene", "en": "About the figures"},
    "export.about_made": {"da": "Udtrukket {date} af Målspor. Status pr. {year}, efter metoden i progress-methodology.md (Eurostat).",
                          "en": "Exported {date} by Målspor. Status as of {year}, by the method of progress-methodology.md (Eurostat)."},
    "export.about_classes": {"da": "Data: målt = aflæst i den nævnte kilde; afledt = beregnet ud fra målte tal (se bemærkningen); eksempeldata = ikke en måling, skal erstattes.",
                             "en": "Data: measured = read in the named source; derived = computed from measured figures (see the note); illustrative = not a measurement, to be replaced."},
    "export.about_shares": {"da": "Tilbagelagt og tid gået er andele (0,5 = 50 %).", "en": "Distance covered and time elapsed are fractions (0.5 = 50 %)."},
    "export.about_marks": {"da": "Status står med det, den bygger på, i selve statuscellen: »foreløbig: bygger på eksempeldata«, »⚠ seneste tal fra …, nyt tal ventet senest …« og »frist overskredet, tal for … mangler«. Kolonnerne Foreløbig, Gamle tal, Nyt tal ventet senest, Frist overskredet og Afgjort siger det samme til filtrering. Rækker med eksempeldata er gule.",
                           "en": "Each status carries what it rests on in the status cell itself: 'provisional: rests on illustrative values', '⚠ latest figure from …, a new one was expected by …' and 'deadline passed, the figure for … is not yet published'. The columns Provisional, Old figures, New figure expected by, Deadline passed and Settled say the same for filtering. Rows with illustrative values are yellow."},
    "xcol.target_id": {"da": "Mål-id", "en": "Target id"},
    "xcol.theme": {"da": "Tema", "en": "Theme"},
    "xcol.focus_area": {"da": "Indsatsområde", "en": "Focus area"},
    "xcol.name": {"da": "Mål", "en": "Target"},
    "xcol.geography": {"da": "Område", "en": "Geography"},
    "xcol.unit": {"da": "Enhed", "en": "Unit"},
    "xcol.baseline_year": {"da": "Basisår", "en": "Baseline year"},
    "xcol.baseline_value": {"da": "Basisværdi", "en": "Baseline value"},
    "xcol.target_year": {"da": "Målår", "en": "Target year"},
    "xcol.target_value": {"da": "Målværdi", "en": "Target value"},
    "xcol.latest_year": {"da": "Seneste år", "en": "Latest year"},
    "xcol.latest_value": {"da": "Seneste værdi", "en": "Latest value"},
    "xcol.gap": {"da": "Mangler til målet", "en": "Gap"},
    "xcol.distance": {"da": "Tilbagelagt (andel)", "en": "Distance covered (fraction)"},
    "xcol.time": {"da": "Tid gået (andel)", "en": "Time elapsed (fraction)"},
    "xcol.ratio": {"da": "Forhold (faktisk ÷ nødvendig)", "en": "Ratio (actual ÷ required)"},
    "xcol.projected": {"da": "Fremskrivning til målåret", "en": "Projection to the target year"},
    "xcol.status": {"da": "Status", "en": "Status"},
    "xcol.status_code": {"da": "Statuskode", "en": "Status code"},
    "xcol.provisional": {"da": "Foreløbig", "en": "Provisional"},
    "xcol.stale": {"da": "Gamle tal", "en": "Old figures"},
    "xcol.next_expected": {"da": "Nyt tal ventet senest", "en": "New figure expected by"},
    "xcol.deadline_passed": {"da": "Frist overskredet", "en": "Deadline passed"},
    "xcol.settled": {"da": "Afgjort", "en": "Settled"},
    "xcol.data": {"da": "Data", "en": "Data"},
    "xcol.commentary": {"da": "Kommentar", "en": "Commentary"},
    "xcol.year": {"da": "År", "en": "Year"},
    "xcol.value": {"da": "Værdi", "en": "Value"},
    "xcol.data_class": {"da": "Dataklasse", "en": "Data class"},
    "xcol.source": {"da": "Kilde", "en": "Source"},
    "xcol.note": {"da": "Bemærkning", "en": "Note"},
    "xcol.series_break": {"da": "Databrud", "en": "Series break"},
    "xcol.batch": {"da": "Importkørsel", "en": "Import batch"},
    "xcol.yes": {"da": "ja", "en": "yes"},
    # commentary (app_pages/_commentary.py)
    "commentary.title": {"da": "Status og indsats {year}", "en": "Status and action {year}"},
    "commentary.none": {"da": "Ingen kommentar til status pr. {year} endnu.", "en": "No commentary for the status as of {year} yet."},
    "commentary.byline": {"da": "{author}, {time}", "en": "{author}, {time}"},
    "commentary.history": {"da": "Tidligere versioner ({n})", "en": "Earlier versions ({n})"},
    "commentary.withdrawn": {"da": "(trukket tilbage)", "en": "(withdrawn)"},
    "commentary.edit": {"da": "Skriv eller ret kommentaren", "en": "Write or edit the commentary"},
    "commentary.text": {"da": "Kommentar til status pr. {year} (på {language})", "en": "Commentary for the status as of {year} (in {language})"},
    "commentary.help": {"da": "Et kort afsnit som i regionens statusnotat: hvor står vi, og hvad gøres der. Tom tekst trækker kommentaren tilbage. Hver version gemmes med navn og tidspunkt og kommer med i statusnotatet.",
                        "en": "A short paragraph as in the region's status memo: where do we stand and what is being done. An empty text withdraws the commentary. Every version is kept with name and time and goes into the status memo."},
    "commentary.save": {"da": "Gem kommentar", "en": "Save commentary"},
    "commentary.saved": {"da": "Kommentaren er gemt som {author}.", "en": "The commentary was saved as {author}."},
    "commentary.viewer.present": {"da": "Kun analytikere og administratorer kan skrive kommentarer. Afslut præsentationsvisningen (knappen øverst til højre) for at logge ind.",
                                  "en": "Only analysts and administrators can write commentary. Leave presentation mode (the button at the top right) to sign in."},
    "commentary.viewer": {"da": "Kun analytikere og administratorer kan skrive kommentarer; du er '{user}' med rollen '{role}'. Log ind i sidepanelet for at skrive.",
                          "en": "Only analysts and administrators can write commentary; you are '{user}' with the role '{role}'. Sign in from the sidebar to write."},
    "commentary.other_language": {"da": "Kommentaren findes kun på {language}.", "en": "The commentary exists only in {language}."},
    "lang.da": {"da": "dansk", "en": "Danish"},
    "lang.en": {"da": "engelsk", "en": "English"},
    # --- sign-in, roles and audit
    "role.viewer": {"da": "læser", "en": "viewer"},
    "role.analyst": {"da": "analytiker", "en": "analyst"},
    "role.admin": {"da": "administrator", "en": "administrator"},
    "nav.admin": {"da": "Administration", "en": "Administration"},
    "auth.anonymous": {"da": "anonym", "en": "anonymous"},
    "auth.signed_in_as": {"da": "Logget ind som {user} ({role})", "en": "Signed in as {user} ({role})"},
    "auth.reading_only": {"da": "Du kan læse alt. Log ind for at ændre data.", "en": "You can read everything. Sign in to change data."},
    "auth.sign_in": {"da": "Log ind", "en": "Sign in"},
    "auth.sign_in_oidc": {"da": "Log ind med regionens konto", "en": "Sign in with the region's account"},
    "auth.sign_in_local": {"da": "Log ind (lokal konto)", "en": "Sign in (local account)"},
    "auth.sign_out": {"da": "Log ud", "en": "Sign out"},
    "auth.user_name": {"da": "Brugernavn", "en": "User name"},
    "auth.password": {"da": "Adgangskode", "en": "Password"},
    "auth.local_help": {"da": "Alle kan læse. For at importere, kommentere eller administrere skal du have en lokal konto (python -m metrics user add).",
                        "en": "Anyone can read. To import, comment or administer you need a local account (python -m metrics user add)."},
    # One answer for an unknown name, a wrong password and a locked account (issue 11): it names no account.
    "auth.failed_wrong": {"da": "Forkert brugernavn eller adgangskode. Efter {n} forkerte forsøg i træk spærres kontoen i {minutes} minutter; kontakt en administrator, hvis du ikke kan komme ind.",
                          "en": "Wrong user name or password. After {n} wrong attempts in a row the account is locked for {minutes} minutes; contact an administrator if you cannot get in."},
    "auth.needs_role": {"da": "Du er logget ind som {role}. Det kræver rollen {needed} at {what}.",
                        "en": "You are signed in as {role}. It takes the role {needed} to {what}."},
    "admin.title": {"da": "Administration", "en": "Administration"},
    "admin.only_admins": {"da": "Kun administratorer kan se denne side; din rolle er {role}.",
                          "en": "Only administrators can see this page; your role is {role}."},
    "admin.local_users": {"da": "Lokale konti", "en": "Local accounts"},
    "admin.mappings": {"da": "Roller for regionens konti", "en": "Roles for the region's accounts"},
    "admin.audit": {"da": "Ændringslog", "en": "Audit trail"},
    "admin.local_help": {"da": "Lokale konti bruges, når der ikke er sat single sign-on op. Adgangskoder gemmes kun som saltede scrypt-hash.",
                         "en": "Local accounts are used when single sign-on is not set up. Passwords are stored only as salted scrypt hashes."},
    "admin.no_users": {"da": "Ingen lokale konti endnu.", "en": "No local accounts yet."},
    "admin.role": {"da": "Rolle", "en": "Role"},
    "admin.failed": {"da": "Forkerte forsøg", "en": "Failed attempts"},
    "admin.locked_until": {"da": "Spærret til", "en": "Locked until"},
    "admin.add_user": {"da": "Opret konto", "en": "Add account"},
    "admin.change_user": {"da": "Ret konto", "en": "Change account"},
    "admin.new_password": {"da": "Ny adgangskode", "en": "New password"},
    "admin.password_help": {"da": "Mindst 10 tegn.", "en": "At least 10 characters."},
    "admin.set_role": {"da": "Skift rolle", "en": "Change role"},
    "admin.set_password": {"da": "Skift adgangskode og ophæv spærring", "en": "Change password and unlock"},
    "admin.remove_user": {"da": "Slet konto", "en": "Remove account"},
    "admin.user_added": {"da": "Kontoen {user} er oprettet.", "en": "The account {user} was added."},
    "admin.saved": {"da": "Gemt.", "en": "Saved."},
    "admin.choose_user": {"da": "Vælg en konto", "en": "Choose an account"},
    "admin.choose_role": {"da": "Vælg en rolle", "en": "Choose a role"},
    "admin.choose_user_first": {"da": "Vælg først den konto, der skal ændres. Intet er gemt.",
                                "en": "First choose the account to change. Nothing was saved."},
    "admin.choose_role_first": {"da": "Vælg først den nye rolle. Intet er gemt.",
                                "en": "First choose the new role. Nothing was saved."},
    "admin.choose_pattern_first": {"da": "Skriv først en e-mailadresse eller et @domæne. Intet er gemt.",
                                   "en": "First write an e-mail address or an @domain. Nothing was saved."},
    "admin.confirm_role": {"da": "{user} bliver {role}.", "en": "{user} becomes {role}."},
    "admin.confirm_remove": {"da": "Kontoen {user} slettes; ændringsloggen bevarer dens handlinger.",
                             "en": "The account {user} is removed; the audit trail keeps its actions."},
    "admin.confirm_self": {"da": "Det er din egen konto: du mister adgangen til administrationen.",
                           "en": "This is your own account: you lose access to the administration."},
    "admin.confirm_set_mapping": {"da": "{pattern} får rollen {role}, når de logger ind med regionens konto.",
                                  "en": "{pattern} gets the role {role} when signing in with the region's account."},
    "admin.confirm_remove_mapping": {"da": "Rollen for {pattern} fjernes; de kan derefter kun læse.",
                                     "en": "The role of {pattern} is removed; they can then only read."},
    "admin.confirm_nothing_yet": {"da": "Intet er gemt endnu: bekræft eller annullér.",
                                  "en": "Nothing is saved yet: confirm or cancel."},
    "admin.confirm": {"da": "Bekræft", "en": "Confirm"},
    "admin.cancel": {"da": "Annullér", "en": "Cancel"},
    "admin.mappings_help": {"da": "Ved log ind med regionens konto (OpenID Connect) får en e-mailadresse eller et domæne (@regionh.dk) sin rolle herfra; alle andre kan kun læse.",
                            "en": "When signing in with the region's account (OpenID Connect), an e-mail address or a domain (@regionh.dk) gets its role from here; everyone else can only read."},
    "admin.oidc_off": {"da": "Single sign-on er ikke sat op på denne installation (se README).", "en": "Single sign-on is not set up on this installation (see the README)."},
    "admin.no_mappings": {"da": "Ingen roller tildelt endnu.", "en": "No roles assigned yet."},
    "admin.pattern": {"da": "E-mail eller @domæne", "en": "E-mail or @domain"},
    "admin.updated_by": {"da": "Ændret af", "en": "Changed by"},
    "admin.set_mapping": {"da": "Gem rolle", "en": "Save role"},
    "admin.remove_mapping": {"da": "Fjern rolle", "en": "Remove role"},
    "admin.filter_user": {"da": "Bruger", "en": "User"},
    "admin.filter_action": {"da": "Handling", "en": "Action"},
    "admin.since": {"da": "Fra dato", "en": "From date"},
    "admin.until": {"da": "Til dato", "en": "To date"},
    "admin.audit_count": {"da": "{n} ændringer (de nyeste 1.000 vises; eksporten har alle)", "en": "{n} changes (the newest 1,000 are shown; the export has all)"},
    "admin.when": {"da": "Tidspunkt", "en": "When"},
    "admin.via": {"da": "Via", "en": "Via"},
    "admin.action": {"da": "Handling", "en": "Action"},
    "admin.object": {"da": "Objekt", "en": "Object"},
    "admin.object_id": {"da": "Id", "en": "Id"},
    "admin.before": {"da": "Før", "en": "Before"},
    "admin.after": {"da": "Efter", "en": "After"},
    "admin.export_audit": {"da": "Hent ændringsloggen (CSV)", "en": "Download the audit trail (CSV)"},
}


def _code(lang: Any) -> str:
    """The language code of a :class:`Lang` or a code string (the functions below take both)."""
    return lang.code if isinstance(lang, Lang) else (lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def t(key: str, lang: Lang | str = DEFAULT_LANGUAGE, **kwargs: Any) -> str:
    """The text for ``key`` in ``lang``; the key itself if missing (tests catch that)."""
    lang = _code(lang)
    entry = TEXTS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**kwargs) if kwargs else text


def status_label(status: str, lang: Lang | str = DEFAULT_LANGUAGE) -> str:
    """Icon and words, e.g. ``"▲ på rette vej"``: never colour alone."""
    return f"{STATUS_ICONS.get(status, '?')} {t('status.' + status, lang)}"


def fmt_number(value: Any, lang: Lang | str = DEFAULT_LANGUAGE, *, decimals: int | None = None, unit: str = "") -> str:
    """A number in the language's format: Danish ``15.448`` and ``13,4``; English ``15,448`` and ``13.4``.

    ``decimals=None`` shows up to one decimal for small values and none for values of 1,000 or more.
    A ``%`` unit is written with a space in Danish (``13,4 %``) and without in English (``13.4%``).
    """
    lang = _code(lang)
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


def difference_unit(unit: str, lang: Lang | str = DEFAULT_LANGUAGE) -> str:
    """The unit of a difference between two values: a gap in a share is in percentage points."""
    lang = _code(lang)
    if unit == "%":
        return "procentpoint" if lang == "da" else "percentage points"
    return unit


def fmt_percent(fraction: Any, lang: Lang | str = DEFAULT_LANGUAGE, decimals: int = 1) -> str:
    """A fraction as a percentage: ``fmt_percent(0.0502, 'da') == '5,0 %'``."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    return fmt_number(float(fraction) * 100, lang, decimals=decimals, unit="%")


# The messages of the errors raised in metrics (``error.<code>``, ``problem.<code>``) live in their
# own module; they join this table here, so ``t()`` and ``Lang.t()`` know them.
def _merge_messages() -> None:
    from metrics.messages import TEXTS as messages

    clash = sorted(set(messages) & set(TEXTS))
    if clash:
        raise RuntimeError(f"metrics.messages repeats keys of metrics.i18n.TEXTS: {', '.join(clash)}")
    TEXTS.update(messages)


_merge_messages()


# --------------------------------------------------------------------------- the reader's language
#: Plain fractions for :meth:`Lang.share`, as read aloud ("har nået en tredjedel af vejen").
SHARE_WORDS: tuple[tuple[float, dict[str, str]], ...] = (
    (0.1, {"da": "en tiendedel", "en": "a tenth"}), (0.2, {"da": "en femtedel", "en": "a fifth"}),
    (0.25, {"da": "en fjerdedel", "en": "a quarter"}), (1 / 3, {"da": "en tredjedel", "en": "a third"}),
    (0.4, {"da": "to femtedele", "en": "two fifths"}), (0.5, {"da": "halvdelen", "en": "half"}),
    (0.6, {"da": "tre femtedele", "en": "three fifths"}), (2 / 3, {"da": "to tredjedele", "en": "two thirds"}),
    (0.75, {"da": "tre fjerdedele", "en": "three quarters"}), (0.8, {"da": "fire femtedele", "en": "four fifths"}),
    (0.9, {"da": "ni tiendedele", "en": "nine tenths"}),
)


@dataclass(frozen=True, eq=False)
class Lang:
    """The reader's language, bound once per request; every text, number and date goes through it.

    Pages make one (``Lang("da")``) and pass it down, so no function below has to know how
    Danish writes numbers:

    >>> L = Lang("da")
    >>> L.num(15448), L.num(13.4, unit="%"), L.t("status.met"), L.status("on_track")
    ('15.448', '13,4 %', 'mål nået', '▲ på rette vej')
    >>> Lang("en").num(15448), Lang("en").pct(0.0502)
    ('15,448', '5.0%')
    """

    code: str = DEFAULT_LANGUAGE

    def __post_init__(self) -> None:
        if self.code not in LANGUAGES:
            object.__setattr__(self, "code", DEFAULT_LANGUAGE)

    @classmethod
    def of(cls, lang: Lang | str | None) -> Lang:
        """A :class:`Lang` from a language code or another Lang (unknown codes give Danish)."""
        if isinstance(lang, Lang):
            return lang
        return cls(lang or DEFAULT_LANGUAGE)

    def __str__(self) -> str:
        return self.code

    # A Lang equals its code and hashes like it, so a dict keyed by codes answers for it.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Lang):
            return other.code == self.code
        return isinstance(other, str) and other == self.code

    def __hash__(self) -> int:
        return hash(self.code)

    @property
    def is_danish(self) -> bool:
        return self.code == "da"

    @property
    def separators(self) -> str:
        """Plotly's ``separators``: decimal mark then thousands mark."""
        return ",." if self.code == "da" else ".,"

    def t(self, key: str, **kwargs: Any) -> str:
        return t(key, self.code, **kwargs)

    def has(self, key: str) -> bool:
        return key in TEXTS

    def num(self, value: Any, decimals: int | None = None, unit: str = "") -> str:
        return fmt_number(value, self.code, decimals=decimals, unit=unit)

    def count(self, n: int, noun: str) -> str:
        """``n`` and its noun, one or many, in this language: ``count(1, "value")`` is "1 værdi", 3 "3 værdier"."""
        return self.t(f"count.{noun}.{'one' if n == 1 else 'many'}", n=self.num(n))

    def pct(self, fraction: Any, decimals: int = 1) -> str:
        return fmt_percent(fraction, self.code, decimals=decimals)

    def share(self, fraction: Any) -> str:
        """A share of the way or the time in words a committee reads aloud: "en tredjedel", "halvdelen".

        The nearest plain fraction (tenths, fifths, quarters, thirds, half) within 0.01 is said as
        it is, within 0.05 and 15 % of itself with "omkring" ("about"); anything else, or outside
        0-0.95, as a percentage. Example: 0.33 -> "en tredjedel", 0.36 -> "omkring en tredjedel",
        0.5 -> "halvdelen", 0.06 -> "6 %", 0.97 -> "97 %".
        """
        value = float(fraction)
        if 0 <= value <= 0.95:
            near, word = min(SHARE_WORDS, key=lambda pair: abs(pair[0] - value))
            text = word[self.code]
            if abs(near - value) <= 0.01:
                return text
            if abs(near - value) <= min(0.05, 0.15 * near):
                return self.t("progress.about", share=text)
        return self.pct(value, decimals=0)

    def diff_unit(self, unit: str) -> str:
        return difference_unit(unit, self.code)

    def status(self, status: str) -> str:
        return status_label(status, self.code)

    def pick(self, da: Any, en: Any) -> str:
        """The reader's variant of a bilingual field, e.g. ``pick(row["note_da"], row["note_en"])``.

        Falls back to the other language when the reader's is empty, and to "" when both are.
        """
        first, second = (da, en) if self.code == "da" else (en, da)
        for text in (first, second):
            if isinstance(text, str) and text.strip():
                return text
        return ""

    def year(self, value: Any) -> str:
        """A year as digits without separators (``2025``), or a dash when missing."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        try:
            return str(int(value))
        except (TypeError, ValueError):
            return "–"

    def date(self, value: Any, with_time: bool = False) -> str:
        """A date as the reader writes it: ``02.12.2026`` (da) or ``2 Dec 2026`` (en)."""
        import datetime as _dt

        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        if not isinstance(value, (_dt.date, _dt.datetime)):
            try:
                import pandas as pd

                value = pd.Timestamp(value).to_pydatetime()
            except (TypeError, ValueError):
                return str(value)
        if self.code == "da":
            text = value.strftime("%d.%m.%Y")
            return text + (value.strftime(" kl. %H:%M") if with_time and isinstance(value, _dt.datetime) else "")
        text = f"{value.day} {value.strftime('%b %Y')}"
        return text + (value.strftime(", %H:%M") if with_time and isinstance(value, _dt.datetime) else "")
