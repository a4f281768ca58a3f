"""A target's chart for the memo: the target page's figure as a PNG, cached by what it shows.

Charts are PNGs from :func:`metrics.charts.figure_png` (kaleido and Chromium). They are kept
in a small per-process cache keyed by a hash of everything they show, so a second format of
the same memo (or the same chart in next week's memo) costs nothing.
"""

from __future__ import annotations

import hashlib
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import pandas as pd

from metrics.i18n import Lang

#: Chart size in pixels: at 16 cm wide the 16 px type of the charts prints at about 7 pt. 1000 x 440
#: (16 x 7 cm in the PDF) leaves room on a page for a target's figures, sources and initiatives.
CHART_WIDTH, CHART_HEIGHT = 1000, 440
CHART_CACHE_SIZE = 256

_chart_cache: OrderedDict[str, bytes] = OrderedDict()
_chart_lock = threading.Lock()


@dataclass
class ChartData:
    """What :func:`metrics.charts.target_figure` reads: the target, its status and its series in one geography."""

    target: dict[str, Any]
    geography: str
    status: dict[str, Any] | None
    series: pd.DataFrame

    @property
    def all_series(self) -> pd.DataFrame:
        return self.series


def draw(data: ChartData, year: int, L: Lang, name: str) -> tuple[bytes | None, str, str | None]:
    """(png, alt text, note): the target's chart as of ``year``; a note instead when it cannot be drawn.

    Raises :class:`metrics.model.MalsporError` when the PNG cannot be rendered (no Chromium).
    """
    from metrics import charts  # plotly is only needed when charts are drawn

    series = data.series[data.series["year"] <= year].reset_index(drop=True)
    if series.empty:
        return None, "", L.t("memo.no_chart_data", year=year)
    if data.target["kind"] == "none" and len(series) < 2:
        return None, "", L.t("memo.one_point", year=int(series["year"].iloc[0]))
    alt = L.t("memo.chart_alt", name=name, geo=data.geography, first=int(series["year"].min()),
              last=int(series["year"].max()))
    key = hashlib.sha256(repr((sorted(data.target.items()), sorted((data.status or {}).items()),
                               series.to_csv(index=False), data.geography, L.code, CHART_WIDTH, CHART_HEIGHT))
                         .encode()).hexdigest()
    with _chart_lock:
        cached = _chart_cache.get(key)
    if cached is not None:
        return cached, alt, None
    fig = charts.target_figure(ChartData(data.target, data.geography, data.status, series), L)
    fig.update_layout(title_text="", margin=dict(t=30))
    with warnings.catch_warnings():  # plotly warns that kaleido's server ignores an option it does not use
        warnings.simplefilter("ignore", UserWarning)
        png = charts.figure_png(fig, width=CHART_WIDTH, height=CHART_HEIGHT)
    with _chart_lock:
        _chart_cache[key] = png
        while len(_chart_cache) > CHART_CACHE_SIZE:
            _chart_cache.popitem(last=False)
    return png, alt, None


def short_reason(exc: Exception) -> str:
    """The first line of a chart error, short enough for the memo."""
    text = str(exc).split("\n", 1)[0]
    return "Chromium" if "chromium" in text.lower() else (text[:120] + "…" if len(text) > 120 else text)
