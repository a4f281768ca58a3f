"""One target's figures, sources and progress words (metrics.memo.facts); file names and dates."""

from __future__ import annotations

import datetime as dt

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
    assert facts["Fremdrift"] == "er gået tilbage siden basisåret, svarende til 6 % af vejen til målet, på fire femtedele af tiden"
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
    assert movia.startswith("has moved back since the baseline, by 110% of the way to the target")
    assert "−" not in movia


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
