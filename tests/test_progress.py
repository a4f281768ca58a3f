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
        lower_bound=0.0, upper_bound=100.0, trend_window=5,
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
       window=st.integers(1, 8), breaks=st.sets(st.integers(2000, 2030), max_size=2), data=st.data())
def test_engine_agrees_with_the_reference_and_ignores_row_order(points, kind, direction, as_of, window, breaks, data):
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
                     target_value=target_value, trend_window=window, lower_bound=None, upper_bound=None)
    obs = obs_frame(points, breaks=breaks)
    shuffled = obs.sample(frac=1, random_state=data.draw(st.integers(0, 1000))).reset_index(drop=True)
    engine = one(t, obs, as_of)
    engine_shuffled = one(t, shuffled, as_of)
    for key in ("status", "ratio", "latest_year", "window_start", "projected_year_met"):
        a, c = engine[key], engine_shuffled[key]
        assert (pd.isna(a) and pd.isna(c)) or a == c or a == pytest.approx(c), key
    reference = assess_series(
        TargetDef(kind=kind, direction=direction, baseline_year=b, baseline_value=x_b, target_year=T,
                  target_value=x_T, trend_window=window),
        obs, as_of,
    )
    assert engine["status"] == reference["status"], (engine, reference)
    if reference["ratio"] is not None and not pd.isna(engine["ratio"]):
        assert engine["ratio"] == pytest.approx(reference["ratio"], rel=1e-6, abs=1e-9)
    if reference["projected_value"] is not None:
        assert engine["projected_value"] == pytest.approx(reference["projected_value"], rel=1e-6, abs=1e-6)
    if reference["projected_year_met"] is not None or not pd.isna(engine["projected_year_met"]):
        assert engine["projected_year_met"] == reference["projected_year_met"]


def test_naive_loop_agrees_with_engine_on_seed(store):
    targets = store.query_df("SELECT * FROM targets")
    obs = store.query_df("SELECT * FROM observations")
    naive = progress.naive_status(targets, obs, 2026).set_index(["target_id", "geography"])["status"]
    with store.read() as cur:
        engine = progress.compute_status(cur, as_of=2026).set_index(["target_id", "geography"])["status"]
    assert naive.sort_index().to_dict() == engine.sort_index().to_dict()


def test_cagr_definition():
    assert progress._cagr(100, 121, 2) == pytest.approx(0.10)
    assert progress._cagr(0, 121, 2) is None and progress._cagr(100, 121, 0) is None
    assert math.isclose(progress._cagr(121, 100, 2), 100 / 110 - 1)
