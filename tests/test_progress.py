"""The progress engine against hand-worked examples, the seed data, and properties.

The worked examples are computed by hand from progress-methodology.md; the property
tests hold the one-query engine to the plain reference implementation.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from metrics import progress
from metrics.progress import TargetDef, assess_series, compute_status_frames


def target_frame(**overrides) -> pd.DataFrame:
    row = dict(
        target_id="t1", focus_area_id="fa", theme_id="th", sort_order=0, name_da="Mål", name_en="Target",
        unit="%", unit_en="%", kind="level", geography="Region Hovedstaden", baseline_year=2015,
        baseline_value=14.0, baseline_data_class="R", target_year=2025, target_value=30.0, direction="increase",
        lower_bound=0.0, upper_bound=100.0, trend_window=5, update_interval=1, publication_lag=1,
    )
    row.update(overrides)
    return pd.DataFrame([row])


def obs_frame(points, target_id="t1", geography="Region Hovedstaden", breaks=(), data_class="R") -> pd.DataFrame:
    return pd.DataFrame({
        "target_id": target_id, "geography": geography,
        "year": [int(y) for y, _ in points], "value": [float(v) for _, v in points],
        "data_class": data_class, "series_break": [y in breaks for y, _ in points],
    })


def one(targets: pd.DataFrame, obs: pd.DataFrame, as_of: int) -> dict:
    frame = compute_status_frames(targets, obs, as_of=as_of)
    assert len(frame) >= 1
    return frame.iloc[0].to_dict()


# ------------------------------------------------------------------ worked examples
def test_eud_worked_example_from_the_module_docstring():
    """Baseline 14 % (2015), target 30 % by 2025, 14 % to 2021, 13.4 % in 2022, 13 % in 2023."""
    points = [(y, 14.0) for y in range(2015, 2022)] + [(2022, 13.4), (2023, 13.0)]
    r = one(target_frame(), obs_frame(points), as_of=2026)
    assert r["latest_year"] == 2023 and r["latest_value"] == 13.0
    assert r["window_start"] == 2018 and r["n_window"] == 6
    assert r["actual_rate"] == pytest.approx((13 / 14) ** (1 / 5) - 1)          # -1.47 %
    assert r["required_rate"] == pytest.approx((30 / 14) ** (1 / 7) - 1)        # +11.50 %
    assert r["ratio"] == pytest.approx(-0.1279, abs=1e-4)
    assert r["method"] == "compound"
    assert r["status"] == "moving_away"
    assert r["gap"] == pytest.approx(17.0)
    assert r["distance_covered"] == pytest.approx(-0.0625)
    assert r["time_elapsed"] == pytest.approx(0.8)
    assert r["deadline_passed"] is True or r["deadline_passed"] == True  # noqa: E712
    assert r["linear_pace_ratio"] == pytest.approx(((13 - 14) / 8) / ((30 - 14) / 10))


def test_ratio_thresholds_by_hand():
    """100 -> 110 over 5 years against a target of 200 by 2030 (window 2015-2020)."""
    t = target_frame(baseline_year=2015, baseline_value=100.0, target_year=2030, target_value=200.0,
                     upper_bound=None)
    r = one(t, obs_frame([(2015, 100), (2020, 110)]), as_of=2020)
    ar = 1.1 ** (1 / 5) - 1          # 1.924 % a year
    rr = 2.0 ** (1 / 15) - 1         # 4.729 % a year
    assert r["ratio"] == pytest.approx(ar / rr)     # 0.407
    assert r["status"] == "insufficient"
    r = one(t, obs_frame([(2015, 100), (2020, 122)]), as_of=2020)
    assert 0.6 <= r["ratio"] < 0.95 and r["status"] == "moderate"
    # required pace from now: 110 -> 200 in 10 years
    r = one(t, obs_frame([(2015, 100), (2020, 110)]), as_of=2020)
    assert r["required_pace_linear"] == pytest.approx(9.0)
    assert r["required_pace_compound"] == pytest.approx((200 / 110) ** 0.1 - 1)


def test_relative_target_is_absolute_in_output():
    """STEM: +20 % on 15,448 (2019) is 18,537.6 by 2030."""
    t = target_frame(kind="relative", baseline_year=2019, baseline_value=15448.0, target_year=2030,
                     target_value=20.0, upper_bound=None, geography="Danmark")
    r = one(t, obs_frame([(2019, 15448), (2021, 16040)], geography="Danmark"), as_of=2026)
    assert r["target_value"] == pytest.approx(18537.6)
    assert r["target_value_definition"] == 20.0


def test_linear_method_when_a_value_is_not_positive():
    """From -2 to 1 over 3 years against 10 by 2030: linear rates 1.0 and 12/10 a year."""
    t = target_frame(baseline_year=2017, baseline_value=-2.0, target_year=2027, target_value=10.0,
                     lower_bound=None, upper_bound=None)
    r = one(t, obs_frame([(2017, -2), (2020, 1)]), as_of=2020)
    assert r["method"] == "linear"
    assert r["actual_rate"] == pytest.approx(1.0)
    assert r["required_rate"] == pytest.approx(12 / 10)
    assert r["ratio"] == pytest.approx(1 / 1.2)
    assert r["status"] == "moderate"


def test_met_wins_over_trend_and_needs_one_point_only():
    t = target_frame(baseline_year=2020, baseline_value=31.0)
    t.loc[0, "target_value"] = 30.0
    t.loc[0, "direction"] = "decrease"
    r = one(t, obs_frame([(2020, 31), (2021, 29)]), as_of=2022)
    assert r["status"] == "met" and r["projected_year_met"] == 2021


def test_only_baseline_is_not_assessable_with_reason():
    r = one(target_frame(), obs_frame([(2015, 14)]), as_of=2020)
    assert r["status"] == "not_assessable" and r["reason"] == "only_baseline"


def test_series_break_starts_the_window():
    """Waste: 45 (2018), 47 (2019), 47 (2020, new method): the window starts at 2020 -> not assessable."""
    t = target_frame(baseline_year=2018, baseline_value=45.0, target_year=2035, target_value=80.0)
    r = one(t, obs_frame([(2018, 45), (2019, 47), (2020, 47)], breaks={2020}), as_of=2026)
    assert r["window_start"] == 2020
    assert r["status"] == "not_assessable" and r["reason"] == "series_break"
    r = one(t, obs_frame([(2018, 45), (2019, 47), (2020, 47), (2022, 52)], breaks={2020}), as_of=2026)
    assert r["window_start"] == 2020 and r["n_window"] == 2 and r["status"] != "not_assessable"


def test_deadline_passed_judges_at_the_target_year():
    t = target_frame()
    r = one(t, obs_frame([(2015, 14), (2020, 20), (2025, 25), (2026, 35)]), as_of=2027)
    assert r["latest_year"] == 2025 and r["status"] != "met" and bool(r["deadline_passed"])


def test_fell_back_after_meeting_is_moving_away():
    t = target_frame(baseline_year=2015, baseline_value=14.0, target_year=2030, target_value=30.0)
    r = one(t, obs_frame([(2015, 14), (2019, 31), (2021, 29)]), as_of=2021)
    assert r["window_start"] == 2019
    assert r["status"] == "moving_away" and r["reason"] == "fell_back_from_met"


def test_projection_is_clamped_to_bounds_and_gives_a_year():
    t = target_frame(baseline_year=2015, baseline_value=50.0, target_year=2035, target_value=100.0)
    r = one(t, obs_frame([(2015, 50), (2016, 60), (2017, 70)]), as_of=2017)
    assert r["projected_value"] == 100.0                     # the line reaches 250 by 2035
    assert r["projected_year_met"] == 2020                   # 70 + 10 a year meets 100 in 2020


@pytest.mark.parametrize(("values", "direction", "expected"), [
    ([100, 110], "increase", "significant_progress"),        # g = +1.9 % a year
    ([100, 102], "increase", "moderate_progress"),           # g = +0.4 %
    ([100, 99], "increase", "moderate_movement_away"),       # g = -0.2 %
    ([100, 90], "increase", "significant_movement_away"),
    ([48000, 42515], "decrease", "significant_progress"),    # fewer young people outside work: good
    ([42515, 45000], "decrease", "significant_movement_away"),
])
def test_monitored_indicator_trend_categories(values, direction, expected):
    t = target_frame(kind="none", target_year=None, target_value=None, direction=direction,
                     baseline_year=2017, baseline_value=float(values[0]), upper_bound=None)
    r = one(t, obs_frame([(2017, values[0]), (2022, values[1])]), as_of=2024)
    assert r["status"] == expected


def test_other_geographies_use_their_own_baseline():
    """Danmark has no 2015 value for the EUD target: its first observation is its baseline."""
    t = target_frame()
    obs = pd.concat([obs_frame([(2015, 14), (2023, 13)]),
                     obs_frame([(2016, 18.4), (2023, 19.4)], geography="Danmark")])
    frame = compute_status_frames(t, obs, as_of=2024).set_index("geography")
    assert frame.loc["Danmark", "baseline_year"] == 2016
    assert frame.loc["Danmark", "baseline_value"] == 18.4
    assert bool(frame.loc["Region Hovedstaden", "is_primary_geography"])
    only_dk = compute_status_frames(t, obs, as_of=2024, geography="Danmark")
    assert only_dk["geography"].tolist() == ["Danmark"]


def test_seed_statuses_match_the_memo(store):
    """The memo: EUD stuck at 14 %, public transport hit by Corona; DK2020 and energy moving."""
    with store.read() as cur:
        s = progress.compute_status(cur, as_of=2026)
    primary = s[s["is_primary_geography"]].set_index("target_id")["status"]
    assert primary["eud_share"] == "moving_away"
    assert primary["public_transport_commuting_share"] == "moving_away"
    assert primary["public_transport_passengers"] == "insufficient"
    assert primary["dk2020_climate_plans"] == "on_track"
    assert primary["renewable_electricity_share"] == "on_track"
    assert primary["waste_recycling"] == "not_assessable"     # method break in 2020
    assert primary["rail_one_hour"] == "not_assessable"       # one measurement only
    assert set(s["status"]) <= set(progress.STATUS_COLUMNS and __import__("metrics.model").model.STATUSES)


# ------------------------------------------------------------------ method v2: settled, provisional, stale
EUD_POINTS = [(y, 14.0) for y in range(2015, 2022)] + [(2022, 13.4), (2023, 13.0)]


def test_settled_met_is_judged_at_the_target_year_whatever_came_after():
    """30 % by 2025, measured 31 % in 2025: met, for good; a fall to 25 % in 2026 does not undo it."""
    obs = obs_frame([(2015, 14), (2020, 20), (2025, 31), (2026, 25)])
    r = one(target_frame(), obs, as_of=2027)
    assert r["status"] == "met" and bool(r["settled"]) and bool(r["deadline_passed"])
    assert r["latest_year"] == 2025 and r["latest_value"] == 31.0
    assert r["projected_year_met"] == 2025 and pd.isna(r["projected_value"])
    assert not r["stale"]                                   # settled: no newer figure is awaited


def test_settled_not_met_even_on_a_good_trend():
    """14 -> 20 (2020) -> 29.5 (2025): the trend is on track (8.08 % a year against 8.45 %, ratio 0.957),
    but 29.5 < 30 at the target year."""
    r = one(target_frame(), obs_frame([(2015, 14), (2020, 20), (2025, 29.5)]), as_of=2026)
    assert r["ratio"] == pytest.approx((1.475 ** 0.2 - 1) / (1.5 ** 0.2 - 1)) and r["ratio"] > 0.95                                # the old method would have said on_track
    assert r["status"] == "not_met" and bool(r["settled"]) and r["reason"] is None
    assert pd.isna(r["projected_year_met"]) and pd.isna(r["projected_value"])


def test_settled_by_a_later_year_is_judged_by_the_last_value_before_the_target_year():
    """No figure for 2025 itself, but one for 2026: settled, judged by 2023's 29 %: not met."""
    points = [(2015, 14), (2020, 22), (2023, 29), (2026, 35)]
    r = one(target_frame(), obs_frame(points), as_of=2026)
    assert r["status"] == "not_met" and bool(r["settled"]) and r["latest_year"] == 2023
    # as of 2025 the 2026 figure does not exist yet: not settled, the trend (9.7 % a year against 6.4 %) decides
    r = one(target_frame(), obs_frame(points), as_of=2025)
    assert not r["settled"] and r["status"] == "on_track"


def test_deadline_passed_without_the_target_year_figure_keeps_the_trend_status():
    """EUD as of 2026: 2025 passed, its figure is not published: moving_away, deadline marked, not settled."""
    r = one(target_frame(publication_lag=0), obs_frame(EUD_POINTS), as_of=2026)
    assert r["status"] == "moving_away" and bool(r["deadline_passed"]) and not r["settled"]
    r = one(target_frame(), obs_frame(EUD_POINTS), as_of=2025)        # the target year itself
    assert r["status"] == "moving_away" and not r["deadline_passed"] and not r["settled"]


def test_provisional_when_the_latest_value_is_illustrative():
    """STEM: 2022 and 2023 are illustrative, so the on-track status rests on numbers nobody measured."""
    t = target_frame(kind="relative", baseline_year=2019, baseline_value=15448.0, target_year=2030,
                     target_value=20.0, upper_bound=None)
    points = [(2017, 15040), (2018, 15251), (2019, 15448), (2020, 16828), (2021, 16040), (2022, 16434), (2023, 17256)]
    obs = obs_frame(points, data_class=["R"] * 5 + ["I", "I"])
    r = one(t, obs, as_of=2026)
    assert r["status"] == "on_track" and bool(r["provisional"]) and r["latest_value"] == 17256
    r = one(t, obs_frame(points), as_of=2026)                        # the same numbers, measured
    assert r["status"] == "on_track" and not r["provisional"]


def test_provisional_when_the_window_starts_on_an_illustrative_value():
    """EUD: latest 13 % is real, the window's first value (2018, 14 %) illustrative: provisional."""
    classes = ["I"] * 7 + ["R", "R"]
    r = one(target_frame(), obs_frame(EUD_POINTS, data_class=classes), as_of=2026)
    assert r["window_start"] == 2018 and bool(r["provisional"])
    # an illustrative value inside the window only (neither its start nor the latest): not provisional
    classes = ["R"] * 5 + ["I", "I", "R", "R"]                       # 2020 and 2021 illustrative
    r = one(target_frame(), obs_frame(EUD_POINTS, data_class=classes), as_of=2026)
    assert not r["provisional"] and r["data_class"] == "mixed" and bool(r["has_illustrative"])
    # a status that does not rest on the trend is not made provisional by the window's start
    points = EUD_POINTS[:-1] + [(2023, 31.0)]                        # met by the latest (real) value
    r = one(target_frame(), obs_frame(points, data_class=["I"] * 7 + ["R", "R"]), as_of=2024)
    assert r["status"] == "met" and not r["provisional"]
    points = EUD_POINTS + [(2025, 20.0)]                             # settled: not met, by the real 2025 value
    r = one(target_frame(), obs_frame(points, data_class=["I"] * 7 + ["R"] * 3), as_of=2026)
    assert r["status"] == "not_met" and not r["provisional"] and r["window_start"] == 2020


@pytest.mark.parametrize(("interval", "lag", "fresh_until"), [(1, 1, 2022), (2, 0, 2022), (3, 1, 2024), (1, 0, 2021)])
def test_stale_exactly_after_interval_plus_lag(interval, lag, fresh_until):
    """Latest figure 2020: fresh while as_of - 2020 <= interval + lag, stale one year later."""
    t = target_frame(baseline_year=2018, baseline_value=20.0, target_year=2035, target_value=60.0,
                     update_interval=interval, publication_lag=lag)
    obs = obs_frame([(2018, 20), (2019, 22), (2020, 24)])
    r = one(t, obs, as_of=fresh_until)
    assert not r["stale"] and r["next_expected_year"] == 2020 + interval + lag == fresh_until
    r = one(t, obs, as_of=fresh_until + 1)
    assert bool(r["stale"]) and r["next_expected_year"] == fresh_until
    assert r["status"] == "on_track"                                 # 9.5 % a year against 6.7 %: stale marks, never judges


def test_waste_and_district_heating_are_stale_as_of_2026(store):
    with store.read() as cur:
        s = progress.compute_status(cur, as_of=2026)
    p = s[s["is_primary_geography"]].set_index("target_id")
    assert bool(p.loc["waste_recycling", "stale"]) and p.loc["waste_recycling", "next_expected_year"] == 2023
    assert bool(p.loc["district_heating_co2_neutral", "stale"])
    assert p.loc["district_heating_co2_neutral", "next_expected_year"] == 2023
    assert not p.loc["dk2020_climate_plans", "stale"] and not p.loc["public_transport_passengers", "stale"]
    assert bool(p.loc["stem_admissions", "provisional"]) and p.loc["stem_admissions", "status"] == "on_track"
    assert not p.loc["renewable_electricity_share", "provisional"]
    eud = p.loc["eud_share"]
    assert eud["status"] == "moving_away" and bool(eud["deadline_passed"]) and not eud["settled"]
    assert bool(eud["provisional"])                                  # the window starts on the memo's 14 %


def test_projection_starts_at_the_latest_observation():
    """50, 60, 62, 75 (2015-2018): least-squares slope 38.5 / 5 = 7.7 a year.

    From the latest value: x_hat(y) = 75 + 7.7 (y - 2018), so x_hat(2035) = 75 + 7.7 * 17 = 205.9,
    and 98 is reached when 7.7 k >= 23, k >= 2.99: in 2021. (The fitted line, 73.3 at 2018,
    would have started 1.7 below the latest value and met 98 only in 2022.)
    """
    t = target_frame(baseline_year=2015, baseline_value=50.0, target_year=2035, target_value=98.0, upper_bound=None)
    r = one(t, obs_frame([(2015, 50), (2016, 60), (2017, 62), (2018, 75)]), as_of=2018)
    assert r["trend_slope"] == pytest.approx(7.7)
    assert r["projected_value"] == pytest.approx(205.9)
    assert r["projected_value"] - r["trend_slope"] * (2035 - r["latest_year"]) == pytest.approx(r["latest_value"])
    assert r["projected_year_met"] == 2021
    assert "trend_at_latest" not in r


# ------------------------------------------------------------------ properties
years = st.integers(min_value=1990, max_value=2030)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    b=years, span=st.integers(2, 30), x_b=st.floats(1, 1e6), factor=st.floats(1.05, 5),
    direction=st.sampled_from(["increase", "decrease"]), n_years=st.integers(1, 10),
)
def test_series_on_the_required_compound_path_is_on_track(b, span, x_b, factor, direction, n_years):
    T = b + span
    x_T = x_b * factor if direction == "increase" else x_b / factor
    n_years = min(n_years, span - 1)
    assume(n_years >= 1)
    rate = (x_T / x_b) ** (1 / span)
    points = [(b + k, x_b * rate**k) for k in range(n_years + 1)]
    t = target_frame(baseline_year=b, baseline_value=x_b, target_year=T, target_value=x_T, direction=direction,
                     lower_bound=None, upper_bound=None)
    r = one(t, obs_frame(points), as_of=b + n_years)
    assert r["status"] == "on_track", r
    assert r["ratio"] == pytest.approx(1.0, rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(x_b=st.floats(1, 1000), beyond=st.floats(0, 50), direction=st.sampled_from(["increase", "decrease"]),
       noise=st.lists(st.floats(0.5, 2), min_size=0, max_size=5))
def test_latest_value_meeting_the_target_is_met(x_b, beyond, direction, noise):
    sign = 1 if direction == "increase" else -1
    x_T = x_b + sign * 10
    latest = x_T + sign * beyond
    assume(latest > 0)
    points = [(2010, x_b)] + [(2011 + i, x_b * f) for i, f in enumerate(noise)] + [(2011 + len(noise), latest)]
    t = target_frame(baseline_year=2010, baseline_value=x_b, target_year=2040, target_value=x_T,
                     direction=direction, lower_bound=None, upper_bound=None)
    assert one(t, obs_frame(points), as_of=2039)["status"] == "met"


@settings(max_examples=40, deadline=None)
@given(x_b=st.floats(10, 1000), step=st.floats(0.01, 0.3), n=st.integers(1, 6),
       direction=st.sampled_from(["increase", "decrease"]))
def test_series_moving_opposite_to_the_direction_is_moving_away(x_b, step, n, direction):
    sign = 1 if direction == "increase" else -1
    points = [(2015 + k, x_b * (1 - sign * step) ** k) for k in range(n + 1)]
    t = target_frame(baseline_year=2015, baseline_value=x_b, target_year=2035, target_value=x_b * (1 + sign * 0.5),
                     direction=direction, lower_bound=None, upper_bound=None)
    assert one(t, obs_frame(points), as_of=2015 + n)["status"] == "moving_away"


series_strategy = st.lists(
    st.tuples(st.integers(2000, 2030), st.floats(-50, 500, allow_nan=False, allow_infinity=False)),
    min_size=1, max_size=12, unique_by=lambda p: p[0],
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(points=series_strategy, kind=st.sampled_from(["level", "relative", "none"]),
       direction=st.sampled_from(["increase", "decrease"]), as_of=st.integers(2000, 2035),
       window=st.integers(1, 8), breaks=st.sets(st.integers(2000, 2030), max_size=2),
       interval=st.integers(1, 4), lag=st.integers(0, 3), data=st.data())
def test_engine_agrees_with_the_reference_and_ignores_row_order(points, kind, direction, as_of, window, breaks,
                                                               interval, lag, data):
    b, x_b = min(points)
    sign = 1 if direction == "increase" else -1
    if kind == "level":
        target_value, x_T = x_b + sign * (abs(x_b) + 10), x_b + sign * (abs(x_b) + 10)
    elif kind == "relative":
        assume(x_b != 0)
        pct = sign * 25.0 * (1 if x_b > 0 else -1)
        target_value, x_T = pct, x_b * (1 + pct / 100)
    else:
        target_value, x_T = None, None
    T = None if kind == "none" else b + data.draw(st.integers(1, 30))
    t = target_frame(kind=kind, direction=direction, baseline_year=b, baseline_value=x_b, target_year=T,
                     target_value=target_value, trend_window=window, lower_bound=None, upper_bound=None,
                     update_interval=interval, publication_lag=lag)
    classes = data.draw(st.lists(st.sampled_from("RDI"), min_size=len(points), max_size=len(points)))
    obs = obs_frame(points, breaks=breaks, data_class=classes)
    shuffled = obs.sample(frac=1, random_state=data.draw(st.integers(0, 1000))).reset_index(drop=True)
    engine = one(t, obs, as_of)
    engine_shuffled = one(t, shuffled, as_of)
    for key in ("status", "ratio", "latest_year", "window_start", "projected_year_met", "provisional", "stale"):
        a, c = engine[key], engine_shuffled[key]
        assert (pd.isna(a) and pd.isna(c)) or a == c or a == pytest.approx(c), key
    reference = assess_series(
        TargetDef(kind=kind, direction=direction, baseline_year=b, baseline_value=x_b, target_year=T,
                  target_value=x_T, trend_window=window, update_interval=interval, publication_lag=lag),
        obs, as_of,
    )
    assert engine["status"] == reference["status"], (engine, reference)
    for key in ("settled", "provisional", "stale", "deadline_passed"):
        assert bool(engine[key]) == bool(reference[key]), key
    if reference["next_expected_year"] is None:
        assert pd.isna(engine["next_expected_year"])
    else:
        assert engine["next_expected_year"] == reference["next_expected_year"]
    if reference["ratio"] is not None and not pd.isna(engine["ratio"]):
        assert engine["ratio"] == pytest.approx(reference["ratio"], rel=1e-6, abs=1e-9)
    if reference["projected_value"] is not None:
        assert engine["projected_value"] == pytest.approx(reference["projected_value"], rel=1e-6, abs=1e-6)
    if reference["projected_year_met"] is not None or not pd.isna(engine["projected_year_met"]):
        assert engine["projected_year_met"] == reference["projected_year_met"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(points=series_strategy, direction=st.sampled_from(["increase", "decrease"]), span=st.integers(1, 20),
       after=st.integers(0, 5), extra=st.floats(-50, 500, allow_nan=False, allow_infinity=False))
def test_a_settled_target_is_never_judged_on_its_trend(points, direction, span, after, extra):
    """Once an observation for T or later exists, the status is met or not_met, by the value at T alone."""
    b, x_b = min(points)
    sign = 1 if direction == "increase" else -1
    T = b + span
    x_T = x_b + sign * (abs(x_b) + 10)
    points = [p for p in points if p[0] != T + after] + [(T + after, extra)]   # the target year measured
    t = target_frame(direction=direction, baseline_year=b, baseline_value=x_b, target_year=T, target_value=x_T,
                     lower_bound=None, upper_bound=None)
    r = one(t, obs_frame(points), as_of=T + after + data_lag(after))
    assert bool(r["settled"]) and r["status"] in {"met", "not_met"}
    at_T = max((p for p in points if p[0] <= T), key=lambda p: p[0])
    assert r["latest_year"] == at_T[0]
    assert (r["status"] == "met") == (sign * (at_T[1] - x_T) >= -progress.MET_TOLERANCE * max(1, abs(x_T)))
    assert not r["stale"] and pd.isna(r["projected_value"])


def data_lag(after: int) -> int:
    """Judge a few years after the measurement too: a settled verdict does not change with time."""
    return after % 3


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(points=series_strategy, direction=st.sampled_from(["increase", "decrease"]), span=st.integers(1, 30),
       after=st.integers(0, 3))
def test_the_projection_line_passes_through_the_latest_observation(points, direction, span, after):
    """x_hat(y) = x_t + slope (y - t): at y = t the line is at the latest observation, and the year met
    is the first y > t where it reaches the target. (The target year lies after the latest observation,
    so the target is not settled; judged up to three years after the latest figure.)"""
    b, x_b = min(points)
    latest = max(year for year, _ in points)
    as_of = latest + after
    sign = 1 if direction == "increase" else -1
    T = latest + span
    x_T = x_b + sign * (abs(x_b) + 10)
    t = target_frame(direction=direction, baseline_year=b, baseline_value=x_b, target_year=T, target_value=x_T,
                     lower_bound=None, upper_bound=None)
    r = one(t, obs_frame(points), as_of=as_of)
    assume(not pd.isna(r["projected_value"]))
    slope, x_t, year = r["trend_slope"], r["latest_value"], r["latest_year"]
    line = lambda y: x_t + slope * (y - year)  # noqa: E731
    assert r["projected_value"] == pytest.approx(line(T), rel=1e-9, abs=1e-6)
    assert line(year) == x_t
    met = r["projected_year_met"]
    if not pd.isna(met) and r["status"] != "met":
        assert met > year and sign * (line(met) - x_T) >= -1e-6 * max(1, abs(x_T))
        assert met == year + 1 or sign * (line(met - 1) - x_T) < 1e-6 * max(1, abs(x_T))


def test_naive_loop_agrees_with_engine_on_seed(store):
    targets = store.query_df("SELECT * FROM targets")
    obs = store.query_df("SELECT * FROM observations")
    for column in ("status", "provisional", "stale", "settled", "next_expected_year"):
        naive = progress.naive_status(targets, obs, 2026).set_index(["target_id", "geography"])[column]
        with store.read() as cur:
            engine = progress.compute_status(cur, as_of=2026).set_index(["target_id", "geography"])[column]
        assert naive.sort_index().to_dict() == engine.sort_index().to_dict(), column


def test_cagr_definition():
    assert progress._cagr(100, 121, 2) == pytest.approx(0.10)
    assert progress._cagr(0, 121, 2) is None and progress._cagr(100, 121, 0) is None
    assert math.isclose(progress._cagr(121, 100, 2), 100 / 110 - 1)


# ------------------------------------------------------------------ the status with rows replaced
def test_status_with_rows_replaced_shows_the_new_values_and_writes_nothing(store):
    """An import's preview: the EUD share reaching 30 % in 2025 settles the target as met."""
    with store.read() as cur:
        before = progress.compute_status(cur, as_of=2026)
        rows = pd.DataFrame({"target_id": ["eud_share"], "geography": ["Region Hovedstaden"], "year": [2025],
                             "value": [30.0], "data_class": ["R"], "series_break": [False]})
        after = progress.compute_status_replaced(cur, rows, 2026)
        again = progress.compute_status(cur, as_of=2026)
    key = ["target_id", "geography"]
    eud = after.set_index(key).loc[("eud_share", "Region Hovedstaden")]
    assert (eud["status"], eud["settled"], eud["latest_value"]) == ("met", True, 30.0)
    assert before.set_index(key).loc[("eud_share", "Region Hovedstaden"), "status"] != "met"
    pd.testing.assert_frame_equal(before, again)  # the stored data is as it was
    others = after[after["target_id"] != "eud_share"].reset_index(drop=True)
    pd.testing.assert_frame_equal(others, before[before["target_id"] != "eud_share"].reset_index(drop=True))


def test_status_without_a_batch_is_the_status_before_it(store):
    """'What the latest import changed': leaving a batch out and putting back what it superseded."""
    with store.read() as cur:
        seeded = progress.compute_status(cur, as_of=2026)
        batch = cur.execute("SELECT max(batch_id) FROM import_batches").fetchone()[0]
        empty = cur.execute("SELECT target_id, geography, year, value, data_class, series_break "
                            "FROM observations WHERE false").to_arrow_table()
        without = progress.compute_status_replaced(cur, empty, 2026, without_batch=batch)
    # The seed is one batch: without it every target has only its baseline left.
    assert set(without["status"]) <= {"not_assessable", "met"}
    assert len(without) <= len(seeded)


def test_one_target_asked_for_gives_the_same_rows_as_all_targets(store):
    with store.read() as cur:
        every = progress.compute_status(cur, as_of=2026)
        one_target = progress.compute_status(cur, as_of=2026, target_id="eud_share")
        one_geo = progress.compute_status(cur, as_of=2026, target_id="eud_share", geography="Region Hovedstaden")
    expected = every[every["target_id"] == "eud_share"].reset_index(drop=True)
    # dtypes may differ (a column with nothing missing in one target comes back non-nullable): compare values
    def plain(frame: pd.DataFrame) -> list[dict]:
        return frame.astype(object).where(frame.notna(), None).to_dict("records")
    assert plain(one_target) == plain(expected)
    assert plain(one_geo) == plain(expected[expected["geography"] == "Region Hovedstaden"])


def test_a_start_value_next_to_zero_gives_no_ratio_and_is_not_on_track():
    """Found by hypothesis: from 2.2e-308 both rates overflow, and DuckDB orders NaN above 1."""
    t = target_frame(baseline_year=2000, baseline_value=2.2250738585072014e-308, target_year=2010,
                     target_value=10.0, lower_bound=None, upper_bound=None)
    row = one(t, obs_frame([(2000, 2.2250738585072014e-308), (2001, 4.0)]), 2001)
    reference = assess_series(
        TargetDef(kind="level", direction="increase", baseline_year=2000, baseline_value=2.2250738585072014e-308,
                  target_year=2010, target_value=10.0, trend_window=5),
        obs_frame([(2000, 2.2250738585072014e-308), (2001, 4.0)]), 2001)
    assert math.isnan(row["ratio"])
    assert row["status"] == reference["status"] != "on_track"


@pytest.mark.parametrize("as_of", [2010, 2020, 2026])
@pytest.mark.parametrize("narrow", [{}, {"target_id": "eud_share"}, {"geography": "Region Hovedstaden"},
                                    {"target_id": "no_such_target"}])
def test_status_table_has_the_values_and_dtypes_duckdb_df_gives(store, as_of, narrow):
    """The table comes by way of Arrow; every caller still gets what ``.df()`` of the same query gives."""
    sql = ("SELECT s.* FROM (" + progress._STATUS_SQL + ") s JOIN focus_areas f USING (focus_area_id) "
           "JOIN themes th ON th.theme_id = f.theme_id ORDER BY th.sort_order, f.sort_order, s.sort_order, "
           "s.target_id, NOT s.is_primary_geography, s.geography")
    with store.read() as cur:
        frame = progress.compute_status(cur, as_of=as_of, **narrow)
        expected = cur.execute(sql, progress._status_params(as_of, narrow.get("geography"), narrow.get("target_id"))
                               ).df()[progress.STATUS_COLUMNS]
    pd.testing.assert_frame_equal(frame, expected)


def test_arrow_frame_keeps_the_dtypes_of_duckdb_df():
    import duckdb

    con = duckdb.connect()
    sql = ("SELECT * FROM (VALUES (1, 1::INTEGER, NULL::BIGINT, true, NULL::BOOLEAN, 'a', NULL::VARCHAR, 1.5),"
           " (2, NULL, NULL, false, true, NULL, NULL, NULL)) t(a, b, c, d, e, f, g, h)")
    for query in (sql, sql + " WHERE false"):
        got = progress.arrow_frame(con.sql(query).to_arrow_table())
        pd.testing.assert_frame_equal(got, con.execute(query).df())
    assert str(got["b"].dtype) == "int32" and str(progress.arrow_frame(con.sql(sql).to_arrow_table())["b"].dtype) == "Int32"
