"""One target's figures, sources and progress words (metrics.memo.facts); file names and dates."""

from __future__ import annotations

import datetime as dt

import pytest

from metrics import i18n, views
from metrics import memo as memo_mod
from metrics.memo import facts as memo_facts
from tests.memo_support import YEAR, memo_da, no_cached_charts  # noqa: F401 - fixtures


def test_a_target_section_has_figures_sources_and_illustrative_marks(memo_da):
    eud = next(t for th in memo_da.themes for f in th.focus_areas for t in f.targets if t.target_id == "eud_share")
    facts = dict(eud.facts)
    assert facts["Seneste måling"] == "13 % (2023)"
    assert facts["Mål"] == "30 % i 2025 (fristen er overskredet)"
    assert facts["Basisår"] == "14 % (2015) ⚠ eksempeldata"           # the baseline is illustrative
    assert facts["Mangler til målet"] == "17 procentpoint"
    # a negative distance covered is said in words, not as "−6 % af vejen"
    assert facts["Fremdrift"] == ("er gået tilbage siden basisåret, svarende til 6 % af vejen til målet, på fire femtedele af "
                                  "tiden frem til 2023")  # 2023 is stale: the time is up to it
    assert "eksempeldata" in facts["Data"]
    assert eud.illustrative
    assert any(s.startswith("2015–2021: ⚠ eksempeldata:") for s in eud.sources)
    assert any("Børne- og Undervisningsministeriet" in s for s in eud.sources)
    assert eud.sources[0].startswith("Målet: ")
    # charts were not asked for: no picture and no false "could not be drawn" sentence
    assert eud.chart_png is None and eud.chart_note is None


def test_moving_back_is_said_in_words(store):
    rows = {row[0]: row[4] for row in memo_mod.build_memo(store, YEAR, "en", charts=False).behind}
    movia = rows["Movia passengers (bus and local trains)"]
    # 110 % of the way back: said as more than the whole way, never "by 110% of the way"
    # ... and its "insufficient progress" rests on 2023-2024, when it moved forward: said, so the two agree
    assert movia == ("has moved back since the baseline, by more than the whole way to the target, in about half of "
                     "the time, but has moved forward since 2023")
    assert "−" not in movia and "%" not in movia


@pytest.mark.parametrize(("distance", "time", "da", "en"), [
    (7.55, 0.3, "har passeret målet på omkring en tredjedel af tiden", "has passed the target in about a third of the time"),
    (1.0, 0.5, "har nået hele vejen på halvdelen af tiden", "has come the whole way in half of the time"),
    (0.97, 0.5, "har nået næsten hele vejen på halvdelen af tiden", "has come almost the whole way in half of the time"),
    (0.5, 1.0, "har nået halvdelen af vejen ved fristen", "has come half of the way by the deadline"),
    (0.5, 1.2, "har nået halvdelen af vejen efter fristen", "has come half of the way after the deadline"),
    (0.5, 0.97, "har nået halvdelen af vejen på næsten hele tiden", "has come half of the way in almost all of the time"),
    (-1.0, 0.5, "er gået tilbage siden basisåret, svarende til hele vejen til målet, på halvdelen af tiden",
     "has moved back since the baseline, by the whole way to the target, in half of the time"),
    (-3.2, 0.5, "er gået tilbage siden basisåret, svarende til mere end hele vejen til målet, på halvdelen af tiden",
     "has moved back since the baseline, by more than the whole way to the target, in half of the time"),
])
def test_progress_past_the_whole_way_or_the_deadline_is_said_in_words(distance, time, da, en):
    """A committee reads "har passeret målet", never "har nået 755 % af vejen" or "på 120 % af tiden"."""
    row = {"distance_covered": distance, "time_elapsed": time}
    assert views.progress_words(row, "da") == da
    assert views.progress_words(row, "en") == en


def test_a_relative_target_reads_20_percent_in_english_and_20_space_percent_in_danish(store):
    """The target page's "how is this computed" and the memo write the percentage as the language does."""
    detail = views.target_detail(store, "stem_admissions", None, YEAR)
    for lang, expected in (("en", "(20% relative to the baseline)"), ("da", "(20 % i forhold til basisåret)")):
        lines = dict(views.explanation(detail.status, detail.target, lang))
        assert expected in lines[i18n.t("explain.target", lang)], lines
        memo = memo_mod.build_memo(store, YEAR, lang, charts=False)
        stem = next(t for t in memo.sections() if t.target_id == "stem_admissions")
        assert expected in dict(stem.facts)[i18n.t("memo.fact_target", lang)]


def test_file_names_and_dates():
    assert memo_mod.file_name(2026, "da", "pdf") == "statusnotat_2026.pdf"
    assert memo_mod.file_name(2026, "en", "docx") == "status_memo_2026_en.docx"
    assert memo_mod.format_date(dt.date(2026, 3, 1), "da") == "1. marts 2026"
    assert memo_facts.years_text([2015, 2016, 2017, 2019, 2021, 2022]) == "2015–2017, 2019, 2021–2022"


def test_an_illustrative_source_that_says_so_is_not_labelled_twice(memo_da):
    stem = next(t for t in memo_da.sections() if t.target_id == "stem_admissions")
    assert "2022: ⚠ Eksempeldata: intet offentliggjort tal fundet" in stem.sources   # not "eksempeldata: Eksempeldata"
    assert "2023: ⚠ eksempeldata: TV2 Østjylland, juli 2023 (+5 % i forhold til 2022)" in stem.sources
    for section in memo_da.sections():
        assert not any("eksempeldata: eksempeldata" in s.casefold() for s in section.sources), section.sources
