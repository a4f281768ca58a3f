"""Display rows, the 'how is this computed' numbers, filters in the URL, and click selection."""

from __future__ import annotations

import re

import pandas as pd

from metrics import ingest, marks, views
from metrics.i18n import Lang
from tests.conftest import ANALYST, write_csv


def _rows_of(html: str) -> list[str]:
    """Each <tr> of an HTML table as its text, tags dropped (entities kept as the markup has them)."""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", tr)).strip() for tr in re.findall(r"<tr>(.*?)</tr>", html)]


def _v2(rows):
    """Seed rows with method v2's columns as the method branch computes them as of 2026: STEM rests on
    illustrative 2022-23 values; waste (2020) and district heating (2021) are stale."""
    rows = rows.copy()
    rows["provisional"] = rows["target_id"] == "stem_admissions"
    rows["stale"] = rows["target_id"].isin(["waste_recycling", "district_heating_co2_neutral"])
    rows["next_expected_year"] = rows["latest_year"] + 2
    rows["settled"] = False
    return rows


def test_overview_rows_format_danish_and_english(store):
    da = views.overview_rows(store, 2026, "da").set_index("target_id")
    en = views.overview_rows(store, 2026, "en").set_index("target_id")
    assert da.loc["stem_admissions", "latest"] == "17.256 personer (2023)"
    assert en.loc["stem_admissions", "latest"] == "17,256 persons (2023)"
    assert da.loc["eud_share", "goal"] == "30 %" and en.loc["eud_share", "goal"] == "30%"
    assert da.loc["eud_share", "status_text"] == "✖ bevæger sig væk fra målet"
    assert da.loc["rail_one_hour", "status_text"] == "? kan ikke vurderes: kun basisåret er målt"
    assert "eksempeldata" in da.loc["eud_share", "data"]
    assert da.loc["eud_share", "trend"][-2:] == [13.4, 13.0]
    assert da.loc["eud_share", "link"] == "target?target=eud_share&geo=Region+Hovedstaden"


def test_summary_and_status_counts(store):
    rows = views.overview_rows(store, 2026, "da")
    assert views.summary(rows) == {"targets": 9, "good": 4, "monitored": 2}
    assert views.status_counts(rows) == [("on_track", 4), ("insufficient", 1), ("moving_away", 2),
                                         ("not_assessable", 2)]


def test_explanation_has_the_actual_numbers(store):
    detail = views.target_detail(store, "eud_share", None, 2026)
    lines = dict(views.explanation(detail.status, detail.target, "da"))
    assert lines["Faktisk årlig vækst"] == "−1,47 %"
    assert lines["Nødvendig årlig vækst fra periodens start"] == "11,50 %"
    assert lines["Tempo mod det nødvendige (faktisk ÷ nødvendig vækst)"] == "−0,13"
    assert lines["Vurderingsperiode"] == "2018–2023 (6 målinger; højst 5 år tilbage)"
    assert lines["Metode"] == "sammensat vækst (CAGR)"
    assert lines["Afstand til målet"] == "17 procentpoint"
    assert lines["Forløbet del af tiden"] == "80 %"


def test_explanation_of_a_series_break(store):
    detail = views.target_detail(store, "waste_recycling", None, 2026)
    lines = dict(views.explanation(detail.status, detail.target, "en"))
    assert "(starts at the series break)" in lines["Assessment window"]
    assert lines["Status"] == ("? cannot be assessed: series break: too few measurements since the change of method"
                               " (⚠ latest figure from 2020, a new one was expected by 2023)")   # with its marks


def test_target_detail_adds_the_baseline_point_once(store):
    detail = views.target_detail(store, "eud_share", None, 2026)
    assert detail.series["year"].tolist() == list(range(2015, 2024))
    assert detail.series["is_baseline"].sum() == 1
    assert detail.geographies == ["Region Hovedstaden", "Danmark", "Københavns Kommune"]
    table = views.series_table(detail, "da")
    assert table.iloc[0]["Bemærkning"].startswith("basisår")
    assert views.target_detail(store, "nope", None, 2026) is None


def test_changes_since_previous_import(store, tmp_path):
    assert views.changes_since_previous_import(store, 2026, "da").batch is None
    path = write_csv(tmp_path / "rev.csv", "target_id,year,value,source\neud_share,2023,20,s\neud_share,2024,26,s\n")
    ingest.import_observations(store, path, ANALYST)
    changes = views.changes_since_previous_import(store, 2026, "da")
    assert changes.batch["file_name"] == "rev.csv"
    values = changes.values.set_index("year")
    assert values.loc[2023, "old_value"] == 13.0 and values.loc[2023, "new_value"] == 20.0
    assert pd.isna(values.loc[2024, "old_value"])
    moved = changes.statuses.set_index(["target_id", "geography"])
    assert moved.loc[("eud_share", "Region Hovedstaden"), "change"] == "✖ bevæger sig væk fra målet → ▲ på rette vej"


def test_filters_round_trip_through_the_url():
    f = views.Filters(themes=("mobilitet",), statuses=("moving_away", "insufficient"))
    query = f.to_query()
    assert query == {"theme": "mobilitet", "status": "moving_away,insufficient"}
    parsed = views.Filters.from_query({k: [v] for k, v in query.items()}, ["mobilitet", "uddannelse"], ["Danmark"])
    assert parsed == f
    # unknown values in a hand-edited link are dropped, not an error
    assert views.Filters.from_query({"theme": ["x"], "status": ["bogus"], "geo": ["Mars"]}, ["mobilitet"], []) == views.Filters()


def test_explorer_rows_what_would_it_take(store):
    rows = views.explorer_rows(store, 2024, "da", views.Filters()).set_index("target_id")
    assert len(rows) == 9
    eud = rows.loc["eud_share"]
    assert round(float(eud["needed_pct"]), 1) == round(((30 / 13) ** 0.5 - 1) * 100, 1)   # 2023 -> 2025
    assert eud["needed_text"] == "51,9 % om året"
    assert round(float(eud["actual_pct"]), 2) == -1.47
    assert eud["gap_text"] == "17 procentpoint"
    # Once the deadline (2025) has passed there is no "from now": a dash and the reason, not a number.
    eud = views.explorer_rows(store, 2026, "da", views.Filters()).set_index("target_id").loc["eud_share"]
    assert pd.isna(eud["needed_pct"])
    assert (eud["needed_text"], eud["needed_why"]) == ("–", "fristen er overskredet")
    assert eud["actual_text"] == "−1,5 % om året"
    only = views.explorer_rows(store, 2026, "da", views.Filters(statuses=("on_track",)))
    assert set(only["status"]) == {"on_track"}


def test_selected_target_from_chart_and_table_events():
    rows = pd.DataFrame({"target_id": ["a", "b"], "geography": ["X", "Y"]})
    plotly_event = {"selection": {"points": [{"customdata": ["b", "Y", "name"], "x": 0.5}], "point_indices": [0]}}
    assert views.selected_target(plotly_event, rows) == ("b", "Y")
    table_event = {"selection": {"rows": [0], "columns": []}}
    assert views.selected_target(table_event, rows) == ("a", "X")
    assert views.selected_target({"selection": {"rows": [], "points": []}}, rows) is None
    assert views.selected_target(None, rows) is None
    assert views.selected_target({"selection": {"rows": [7]}}, rows) is None


# ------------------------------------------------------------------ explorer and target page in plain words (issue 10)
DISPLAY = ["name", "latest", "goal", "gap_text", "distance_text", "time_text", "ratio_text", "needed_text",
           "actual_text", "status_line", "gap_why", "distance_why", "time_why", "ratio_why", "needed_why", "actual_why"]


def test_explorer_rows_show_no_none_and_say_why_a_figure_is_missing(store):
    for year in (2026, 2019):
        for lang in ("da", "en"):
            rows = views.explorer_rows(store, year, lang, views.Filters())
            texts = [str(v) for col in DISPLAY for v in rows[col]]
            assert not [t for t in texts if re.search(r"\bNone\b|\bnan\b|\bNaN\b|<NA>", t)], (year, lang)
    rows = views.explorer_rows(store, 2026, "da", views.Filters()).set_index("target_id")
    rail = rows.loc["rail_one_hour"]          # only the baseline measured: no ratio, and it says so
    assert (rail["ratio_text"], rail["ratio_why"]) == ("–", "kan ikke beregnes: status kan ikke vurderes")
    assert rows.loc["public_transport_commuting_share", "ratio_text"] == "−13,91"
    assert rows.loc["renewable_electricity_share", "distance_text"] == "36 %"
    assert rows.loc["public_transport_passengers", "distance_text"] == "−110 %"
    assert rows.loc["renewable_electricity_share", "ratio_why"] == ""
    en = views.explorer_rows(store, 2019, "en", views.Filters()).set_index("target_id")
    heat = en.loc["district_heating_co2_neutral"]   # no observation up to 2019
    assert (heat["gap_text"], heat["gap_why"]) == ("–", "cannot be computed: the status cannot be assessed")


def test_explorer_rows_carry_full_names_and_the_status_with_its_marks(store):
    rows = views.explorer_rows(store, 2026, "da", views.Filters()).set_index("target_id")
    names = store.targets().set_index("target_id")["name_da"]
    for tid, row in rows.iterrows():
        assert row["name"] == names[tid]                                       # never cut
        assert row["status_line"] == marks.status_line(row.to_dict(), "da")
    assert rows.loc["eud_share", "status_line"].startswith(
        "✖ bevæger sig væk fra målet (foreløbig: bygger på eksempeldata; frist overskredet, tal for 2025 mangler")


def test_target_detail_stops_at_the_as_of_year(store):
    detail = views.target_detail(store, "stem_admissions", None, 2019)
    assert detail.series["year"].max() == 2019 and detail.all_series["year"].max() <= 2019
    assert views.series_csv_frame(detail)["year"].max() <= 2019
    assert views.series_table(detail, "da")["År"].tolist() == ["2017", "2018", "2019"]
    eud = views.target_detail(store, "eud_share", None, 2019)
    assert eud.all_series.groupby("geography")["year"].max().max() == 2019
    # before the baseline year there is nothing to show, not the baseline drawn in the future
    early = views.target_detail(store, "eud_share", None, 2010)
    assert early.all_series.empty and views.series_table(early, "en").empty


def test_series_and_initiative_tables_are_formatted_text(store):
    detail = views.target_detail(store, "eud_share", None, 2026)
    table = views.series_table(detail, "en")
    assert list(table.columns) == ["Year", "Value", "Data", "Source", "Note"]
    assert table.iloc[-1]["Value"] == "13%" and table.iloc[-1]["Year"] == "2023"
    assert not table.isin(["None", "nan"]).any().any()
    initiatives = views.initiatives_table(detail.initiatives, "da")
    assert initiatives.iloc[0]["Bevilling"] == "6.000.000 kr." and initiatives.iloc[0]["År"] == "2021"


def test_explorer_csv_frame_has_readable_columns_and_reasons(store):
    rows = views.explorer_rows(store, 2026, "da", views.Filters())
    frame = views.explorer_csv_frame(rows, "da").set_index("Mål")
    assert list(frame.columns) == ["Område", "Seneste", "Målværdi", "Frist", "Mangler til målet", "Nået af vejen",
                                   "Brugt af tiden", "Tempo mod det nødvendige", "Nødvendig ændring pr. år herfra",
                                   "Faktisk ændring pr. år i de seneste år", "Status"]
    rail = frame.loc["Indbyggere inden for én time med tog til København eller Malmø"]
    assert rail["Tempo mod det nødvendige"] == "– (kan ikke beregnes: status kan ikke vurderes)"
    eud = frame.loc["Unge der vælger en erhvervsuddannelse (EUD)"]
    assert eud["Frist"] == "2025 (overskredet)" and eud["Nødvendig ændring pr. år herfra"] == "– (fristen er overskredet)"
    assert "Pace against the pace needed" in views.explorer_csv_frame(rows, "en").columns


def test_explorer_rows_mark_stem_provisional_and_waste_stale(store):
    rows = views.explorer_rows(store, 2026, "en", views.Filters()).set_index("target_id")
    assert rows.loc["stem_admissions", "status_line"].startswith("▲ on track (provisional: rests on illustrative values")
    assert "⚠ latest figure from 2020" in rows.loc["waste_recycling", "status_line"]


def test_explanation_says_whether_the_deadline_has_passed(store):
    eud = views.target_detail(store, "eud_share", None, 2026)
    assert dict(views.explanation(eud.status, eud.target, "en"))["Deadline"].startswith("2025, passed")
    stem = views.target_detail(store, "stem_admissions", None, 2026)
    assert dict(views.explanation(stem.status, stem.target, "da"))["Frist"] == "2030, ikke overskredet"


def test_explorer_rows_of_a_settled_target(store, tmp_path):
    """EUD's 2025 figure measured and missed: not met, and no 'change needed from now'."""
    path = write_csv(tmp_path / "eud.csv", "target_id,year,value,source\neud_share,2025,14,s\n")
    ingest.import_observations(store, path, ANALYST)
    eud = views.explorer_rows(store, 2026, "da", views.Filters()).set_index("target_id").loc["eud_share"]
    assert eud["status_line"].startswith("⊘ ikke nået")
    assert (eud["needed_text"], eud["needed_why"]) == ("–", "afgjort: målåret er målt")
    detail = views.target_detail(store, "eud_share", None, 2026)
    assert dict(views.explanation(detail.status, detail.target, "da"))["Frist"] == "2025, afgjort med tallet for 2025"


def test_a_target_settled_by_a_later_year_says_beside_its_status_which_figure_decided(store, tmp_path):
    """No EUD figure for 2025, but 17,5 % for 2026: settled on 2023's 13 % (the last at or before the
    target year). The later, higher figure is in the chart; beside the status the reader is told that
    2023 decided, in the overview, the explanation, the memo's facts and in English, never 'for 2025'."""
    path = write_csv(tmp_path / "eud.csv", "target_id,year,value,source\neud_share,2026,17.5,s\n")
    ingest.import_observations(store, path, ANALYST)
    rows = views.overview_rows(store, 2026, Lang("da")).set_index("target_id")
    assert rows.loc["eud_share", "status_line"] == "⊘ ikke nået (afgjort med tallet fra 2023, det seneste til og med 2025)"
    en = views.overview_rows(store, 2026, Lang("en")).set_index("target_id")
    assert en.loc["eud_share", "status_line"] == "⊘ not met (settled by the figure from 2023, the latest up to 2025)"
    detail = views.target_detail(store, "eud_share", None, 2026)
    assert dict(views.explanation(detail.status, detail.target, "da"))["Frist"] == (
        "2025, afgjort med tallet fra 2023, det seneste til og med 2025")
    assert views.key_figures(detail.status, detail.target, "da")[0] == ("Seneste (2023)", "13 %")
    from metrics.memo import facts
    row = {**rows.loc["eud_share"].to_dict(), "target_id": "eud_share"}
    assert ("Mål", "30 % i 2025 (afgjort med tallet fra 2023, det seneste til og med 2025)") in facts.facts(row, None, Lang("da"))


def test_overview_rows_carry_the_status_line_with_its_marks(store):
    rows = views.overview_rows(store, 2026, Lang("da")).set_index("target_id")
    # Method v2: EUD's window starts at an illustrative value, its 2025 figure is not out, and 2023 is old.
    marks = ["foreløbig: bygger på eksempeldata", "frist overskredet, tal for 2025 mangler",
             "⚠ seneste tal fra 2023, nyt tal ventet senest 2024"]
    assert rows.loc["eud_share", "status_line"] == "✖ bevæger sig væk fra målet (" + "; ".join(marks) + ")"
    assert rows.loc["eud_share", "status_marks"] == marks
    assert rows.loc["eud_share", "trend_years"][-2:] == [2022, 2023]


def test_overview_table_shows_provisional_and_stale_beside_the_status(store):
    """Hand-made v2 rows (the method branch's columns): each mark in words in the target's own row."""
    for code, provisional, stale in (("da", "foreløbig: bygger på eksempeldata", "⚠ seneste tal fra 2020, nyt tal ventet senest 2022"),
                                     ("en", "provisional: rests on illustrative values",
                                      "⚠ latest figure from 2020, a new one was expected by 2022")):
        L = Lang(code)
        rows = _v2(views.overview_rows(store, 2026, L))
        html = views.overview_table(rows[rows["kind"] != "none"], L, label="x")
        table = _rows_of(html)
        by_id = {r["target_id"]: next(t for t in table if t.startswith(r["name"].replace("&", "&amp;")))
                 for r in rows[rows["kind"] != "none"].to_dict("records")}
        assert provisional in by_id["stem_admissions"] and L.status("on_track") in by_id["stem_admissions"]
        assert stale in by_id["waste_recycling"]
        assert ("2021" in by_id["district_heating_co2_neutral"]
                and ("⚠ seneste tal fra 2021" if code == "da" else "⚠ latest figure from 2021") in by_id["district_heating_co2_neutral"])
        assert not any(provisional in t for k, t in by_id.items() if k != "stem_admissions")
        assert "td class=\"ms-status ms-status-on_track\"" in html


def test_overview_table_links_keep_the_view_and_names_are_escaped(store):
    rows = views.overview_rows(store, 2019, "en")
    rows.loc[0, "name"] = 'A <b>bold</b> "name"'
    html = views.overview_table(rows.head(1), Lang("en"), year=2019, present=True)
    assert "&lt;b&gt;bold&lt;/b&gt; &quot;name&quot;" in html and "<b>" not in html
    assert f'href="target?target={rows.loc[0, "target_id"]}&amp;geo=' in html and "lang=en&amp;year=2019&amp;present=1" in html
    assert '<img class="ms-spark"' in html and 'alt="Trend ' in html       # the sparkline's text alternative
    assert views.target_link("eud_share") == "target?target=eud_share"
    assert views.target_link("eud_share", "Danmark", "da", 2020) == "target?target=eud_share&geo=Danmark&year=2020"


def test_behind_table_is_the_memo_ranking_and_says_why(store):
    rows = views.overview_rows(store, 2026, "da")
    table = _rows_of(views.behind_table(rows, Lang("da"), 3))
    ranked = views.furthest_behind(rows, 3)["name"].tolist()
    assert [t.split(" Region")[0] for t in table[1:]] == ranked
    assert "er gået tilbage siden basisåret, svarende til 6 % af vejen til målet, på fire femtedele af tiden" in table[1]
    assert "seneste 13 % (2023); mål 30 % i 2025" in table[1]
    good = rows[rows["status"].isin(["on_track"])]
    assert views.behind_table(good, Lang("da"), 3) == ""


def test_monitored_table_holds_only_indicators_without_a_target(store):
    rows = views.overview_rows(store, 2026, "en")
    table = _rows_of(views.monitored_table(rows, Lang("en"), themes={"uddannelse": "Education"}))
    assert len(table) == 3                                            # header and two indicators
    assert table[1].startswith("Household waste collected for recycling") and "⇑ significant progress" in table[1]
    assert table[2].startswith("Young people not in employment or education Region Hovedstaden · Education")
    assert "? cannot be assessed" in table[2] and "only the baseline has been measured" in table[2]


def test_status_filter_from_the_url():
    assert views.status_filter("moving_away,insufficient") == ("insufficient", "moving_away")
    assert views.status_filter(["on_track", "bogus,met"]) == ("met", "on_track")
    assert views.status_filter(None) == ()
    rows = pd.DataFrame({"kind": ["level", "none", "level"], "status": ["on_track", "on_track", "moving_away"]})
    assert views.filter_by_status(rows, ("on_track",)).index.tolist() == [0]
    assert len(views.filter_by_status(rows, ())) == 3


def test_spark_label_says_the_trend_in_words():
    row = {"trend": [13.4, 13.0], "trend_years": [2015, 2023], "unit": "%", "unit_en": "%", "latest_year": 2023}
    assert views.spark_label(row, "da") == "Udvikling 2015–2023: fra 13,4 % til 13 %"
    assert views.spark_label({**row, "trend": [20000.0], "trend_years": [2021], "unit": "personer"}, "da") == \
        "Kun én måling: 20.000 personer i 2021"
    assert views.spark_label({**row, "trend": [], "trend_years": []}, "en") == "No measurements"


def test_key_figures_keep_a_long_unit_out_of_the_large_number(store):
    """The target page's big numbers are never cut: "mio. passagerer" moves into the label, "%" stays."""
    movia = views.target_detail(store, "public_transport_passengers", None, 2026)
    figures = views.key_figures(movia.status, movia.target, Lang("da"))
    assert figures[0] == ("Seneste (2024) · mio. passagerer", "171,8")
    assert all(len(value) <= 8 for _, value in figures)
    eud = views.target_detail(store, "eud_share", None, 2026)
    assert views.key_figures(eud.status, eud.target, Lang("da"))[:2] == [
        ("Seneste (2023)", "13 %"), ("Målværdi (frist 2025, overskredet)", "30 %")]
    english = views.key_figures(movia.status, movia.target, Lang("en"))
    assert english[0] == ("Latest (2024) · million passengers", "171.8")


def test_the_gap_of_a_share_keeps_percentage_points_out_of_the_large_number(store):
    """A share's own unit is short ("%"), but its gap is in percentage points: the target page cut
    "31 percentage poi…" in English."""
    rail = views.target_detail(store, "rail_one_hour", None, 2026)
    for lang, label in (("en", "Still to go · percentage points"), ("da", "Mangler til målet · procentpoint")):
        figures = views.key_figures(rail.status, rail.target, Lang(lang))
        assert figures[0][1] in ("69%", "69 %") and figures[2] == (label, "31"), figures
        assert all(len(value) <= 8 for _, value in figures)


def test_the_target_page_lists_only_the_initiatives_started_by_the_as_of_year(store):
    now = views.target_detail(store, "eud_share", None, 2026).initiatives
    then = views.target_detail(store, "eud_share", None, 2019).initiatives
    assert len(then) < len(now)
    assert (pd.to_numeric(then["year"], errors="coerce").dropna() <= 2019).all()


def test_status_rows_carry_the_short_names_the_explorer_chart_labels(store):
    rows = views.explorer_rows(store, 2026, Lang("da"), views.Filters()).set_index("target_id")
    assert rows.loc["eud_share", "short_name_da"] == "EUD-andel"
    assert rows.loc["eud_share", "short_name_en"] == "VET share"


def test_a_trend_status_and_its_reason_never_seem_to_contradict_each_other(store):
    """Movia: 220.4 in 2014, 170.0 in 2023, 171.8 in 2024. "Utilstrækkelig fremgang" rests on 2023-2024,
    when it moved forward; since the baseline it moved back by more than the whole way. The overview's
    "why" said only the second, beside a status that says progress (found by a newcomer review)."""
    rows = views.overview_rows(store, 2026, Lang("da")).set_index("target_id")
    movia = rows.loc["public_transport_passengers"]
    assert movia["status"] == "insufficient" and movia["window_start"] == 2023
    why = views.behind_progress(movia, Lang("da"))
    assert why == ("er gået tilbage siden basisåret, svarende til mere end hele vejen til målet, på omkring "
                   "halvdelen af tiden, men er gået frem siden 2023")
    html = views.behind_table(rows.reset_index(), Lang("da"), 3)
    assert "men er gået frem siden 2023" in html


def test_the_window_is_named_only_where_it_points_another_way_than_the_baseline():
    base = {"distance_covered": -0.5, "time_elapsed": 0.5, "baseline_year": 2014, "window_start": 2019}
    en = Lang("en")
    back = "has moved back since the baseline, by half of the way to the target, in half of the time"
    # moved back since the baseline, forward in the window: said, for each status that means progress
    for status in ("on_track", "moderate", "insufficient"):
        assert views.progress_words({**base, "status": status, "ratio": 0.3}, en) == back + ", but has moved forward since 2019"
    # a window that did not move, a status settled by the target year's figure, a window that is the baseline: not said
    assert views.progress_words({**base, "status": "insufficient", "ratio": 0.0}, en) == back
    assert views.progress_words({**base, "status": "not_met", "ratio": 0.3}, en) == back
    assert views.progress_words({**base, "status": "insufficient", "ratio": 0.3, "window_start": 2014}, en) == back
    # forward since the baseline, away from the target in the window
    ahead = {**base, "distance_covered": 0.5, "status": "moving_away", "ratio": -0.4}
    assert views.progress_words(ahead, en) == "has come half of the way in half of the time, but has moved back since 2019"
    assert views.progress_words(ahead, Lang("da")) == (
        "har nået halvdelen af vejen på halvdelen af tiden, men er gået tilbage siden 2019")
    assert views.progress_words({**ahead, "status": "insufficient"}, en) == "has come half of the way in half of the time"


def test_the_share_of_time_of_a_stale_figure_says_up_to_which_year(store):
    """"På 6 % af tiden" read as if 2026 were early in the period; it is 6 % up to 2019, the latest figure."""
    rows = views.overview_rows(store, 2026, Lang("da")).set_index("target_id")
    stale = rows[rows["stale"].astype(bool)]
    assert not stale.empty
    for _, row in stale.iterrows():
        words = views.progress_words(row, Lang("da"))
        if words is not None:
            assert f"af tiden frem til {int(row['latest_year'])}" in words
    fresh = {"distance_covered": 0.5, "time_elapsed": 0.5, "stale": False, "latest_year": 2024}
    assert views.progress_words(fresh, Lang("en")) == "has come half of the way in half of the time"
    assert views.progress_words({**fresh, "stale": True}, Lang("en")) == "has come half of the way in half of the time up to 2024"


def test_a_projection_drawn_through_two_figures_says_so(store):
    """The commuters' 20 % (2018) and 17 % (2019) project 0 % in 2035: a newcomer review read it in the memo as
    absurd. The method draws it so; the reader is now told it rests on two figures, wherever it is shown."""
    detail = views.target_detail(store, "public_transport_commuting_share", None, 2026)
    for lang, text in (("da", "0 % i 2035 ved tendensen i perioden (ud fra kun to tal, 2018 og 2019)"),
                       ("en", "0% in 2035 if the trend of recent years holds (from only two figures, 2018 and 2019)")):
        assert dict(views.explanation(detail.status, detail.target, lang))[
            "Fremskrivning" if lang == "da" else "Projection"] == text
    from metrics.memo import facts
    rows = views.overview_rows(store, 2026, Lang("da")).set_index("target_id")
    row = {**rows.loc["public_transport_commuting_share"].to_dict(), "target_id": "public_transport_commuting_share"}
    assert ("Fremskrivning", "0 % i 2035 ved tendensen i perioden (ud fra kun to tal, 2018 og 2019)") in facts.facts(
        row, None, Lang("da"))
    # a longer window is not marked
    eud = views.target_detail(store, "eud_share", None, 2026)
    assert "to tal" not in dict(views.explanation(eud.status, eud.target, "da"))["Fremskrivning"]
