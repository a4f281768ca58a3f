"""The figures: what a reader relies on seeing in each chart."""

from __future__ import annotations

import shutil

import pytest

from metrics import charts, views


def traces(fig):
    return {t.name: t for t in fig.data}


def test_target_chart_layers(store):
    detail = views.target_detail(store, "eud_share", None, 2026)
    fig = charts.target_figure(detail, "da")
    t = traces(fig)
    assert t["Planlagt forløb"].line.dash == "dash"
    assert t["Fremskrivning ved nuværende tempo"].line.dash == "dot"
    assert list(t["Mål"].x) == [2025] and list(t["Mål"].y) == [30]
    illustrative = t["Eksempeldata (ikke målt)"]
    assert illustrative.marker.symbol == "circle-open" and set(illustrative.text) == {"eksempel"}
    assert list(illustrative.x) == list(range(2015, 2022))
    assert list(t["Målt"].x) == [2022, 2023]
    assert any("Mangler: 17 procentpoint" in a.text for a in fig.layout.annotations)
    assert fig.layout.separators == ",."


def test_series_break_is_annotated(store):
    fig = charts.target_figure(views.target_detail(store, "waste_recycling", None, 2026), "en")
    assert any(a.text == "series break" for a in fig.layout.annotations)
    assert fig.layout.separators == ".,"


def test_gap_scatter_points_carry_the_target_and_use_shapes(store):
    rows = views.explorer_rows(store, 2026, "da", views.Filters())
    fig = charts.gap_scatter(rows, "da")
    t = traces(fig)
    assert list(t["Efter planen"].x) == [0, 1]
    on_track = t["▲ på rette vej"]
    assert on_track.marker.symbol == "triangle-up"
    assert {c[0] for c in on_track.customdata} == {"renewable_electricity_share", "district_heating_co2_neutral",
                                                    "dk2020_climate_plans", "stem_admissions"}
    symbols = {tr.marker.symbol for tr in fig.data if tr.mode == "markers"}
    assert len(symbols) == len([tr for tr in fig.data if tr.mode == "markers"])   # one shape per status


def test_pace_figure_compares_needed_and_actual(store):
    rows = views.explorer_rows(store, 2026, "en", views.Filters())
    fig = charts.pace_figure(rows, "en")
    names = [t.name for t in fig.data]
    assert names == ["Change needed a year from now", "Actual change a year (recent years)"]
    assert "Young people choosing vocational education (EUD)" in list(fig.data[0].y)


@pytest.mark.skipif(not shutil.which("chromium"), reason="PNG export needs Debian's chromium")
def test_png_export(store):
    png = charts.figure_png(charts.target_figure(views.target_detail(store, "eud_share", None, 2026), "da"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
