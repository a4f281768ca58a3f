"""Translations and Danish number formats."""

from __future__ import annotations

import pytest

from metrics import i18n
from metrics.model import STATUSES


def test_every_text_has_danish_and_english():
    for key, entry in i18n.TEXTS.items():
        assert entry.get("da") and entry.get("en"), key


def test_every_status_has_icon_colour_and_words():
    for status in STATUSES:
        assert status in i18n.STATUS_ICONS and status in i18n.STATUS_COLOURS
        assert i18n.t(f"status.{status}", "da") != f"status.{status}"


@pytest.mark.parametrize(("value", "lang", "kwargs", "expected"), [
    (13.4, "da", {"unit": "%"}, "13,4 %"),
    (15448, "da", {}, "15.448"),
    (15448, "en", {}, "15,448"),
    (13.4, "en", {"unit": "%"}, "13.4%"),
    (1234.5, "da", {"decimals": 1}, "1.234,5"),
    (-2.5, "da", {}, "−2,5"),
    (float("nan"), "da", {}, "–"),
    (None, "en", {}, "–"),
])
def test_number_formats(value, lang, kwargs, expected):
    assert i18n.fmt_number(value, lang, **kwargs) == expected


def test_percent_and_status_label():
    assert i18n.fmt_percent(0.0502, "da") == "5,0 %"
    assert i18n.status_label("on_track", "da") == "▲ på rette vej"
    assert i18n.status_label("moving_away", "en") == "✖ moving away from the target"


def test_shares_of_the_way_are_said_as_plain_fractions_where_they_fit():
    da, en = i18n.Lang.of("da"), i18n.Lang.of("en")
    assert [da.share(x) for x in (1 / 3, 0.5, 0.36, 0.8, 0.0625, 0.97, 1.1)] == [
        "en tredjedel", "halvdelen", "omkring en tredjedel", "fire femtedele", "6 %", "97 %", "110 %"]
    assert [en.share(x) for x in (1 / 3, 0.5, 0.36)] == ["a third", "half", "about a third"]
    row = {"distance_covered": 0.33, "time_elapsed": 0.5}
    from metrics import views
    assert views.progress_words(row, da) == "har nået en tredjedel af vejen på halvdelen af tiden"
    assert views.progress_words(row, en) == "has come a third of the way in half of the time"
    assert views.progress_words({"distance_covered": 0.01, "time_elapsed": 0.8}, da) == (
        "er næsten ikke kommet nærmere målet på fire femtedele af tiden")


def test_only_the_baseline_measured_gives_no_progress_sentence():
    """Not "har nået 0 % af vejen på 0 % af tiden": the overview and memo say where it stands instead."""
    from metrics import views
    assert views.progress_words({"distance_covered": 0.0, "time_elapsed": 0.0}, i18n.Lang.of("da")) is None
