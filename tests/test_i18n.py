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
