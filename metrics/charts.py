"""Plotly figures: a target's series against its glide path, the gap explorer's views, PNG export.

Written for a committee reading a projector: tick text dark grey (#333333, 12.6:1 on white)
at 14 px, 18 px with ``large=True``; numbers in the reader's format (Danish 15.000 and 0,5,
English 15,000 and 0.5; never "15k"); whole years on the time axis; every line colour at
least 3:1 on white; every status told by marker shape and words as well as colour. Labels are
placed where they hit no line, marker or other label, estimated on an assumed plot size
(see :class:`_Canvas`).

The figures take plain data: a target's detail is anything with ``target`` (dict),
``status`` (dict or None), ``series``/``all_series`` (frames) and ``geography``, such as
:class:`metrics.views.TargetDetail`; the explorer's figures take status rows as a frame.

Why about 750 lines: the label placement (:class:`_Canvas`) that keeps text off lines and markers
is a third of it and serves every figure; the rest is one function per figure. The placement is
the part to move out first if the module grows.
"""

from __future__ import annotations

import html
import json
import math
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from metrics.i18n import STATUS_COLOURS, Lang
from metrics.model import MalsporError

# Line and marker colours, all >= 3:1 on white (Okabe-Ito hues; orange, sky blue and
# reddish purple darkened, as the originals are 2.2-3.1:1).
BLUE = "#0072B2"        # 5.2:1
ORANGE = "#B36B00"      # 4.2:1 (Okabe-Ito #E69F00 is 2.2:1)
GREEN = "#007A5A"       # 5.3:1
VERMILLION = "#D55E00"  # 3.9:1
GREY = "#6B6B6B"        # 5.3:1
BROWN = "#7A4E00"       # 7.2:1 (the gap bar: told apart from the orange projection)
SKY = "#2C8FC9"         # 3.6:1 (Okabe-Ito #56B4E9 is 2.3:1)
PURPLE = "#A8507F"      # 5.1:1 (Okabe-Ito #CC79A7 is 3.1:1)
#: Text colours, all >= 4.5:1 on white.
TEXT = "#1A1A1A"        # 17.4:1
TICK = "#333333"        # 12.6:1
GAP_TEXT = BROWN        # 7.2:1
BREAK_TEXT = "#8E3B6E"  # 7.0:1
TARGET_TEXT = GREEN     # 5.3:1
FONT_FAMILY = "Source Sans Pro, Arial, sans-serif"

STATUS_SYMBOLS = {
    "met": "star", "not_met": "square-x", "on_track": "triangle-up", "moderate": "diamond",
    "insufficient": "triangle-down", "moving_away": "x", "not_assessable": "circle-open",
}

def _plain(text: Any) -> str:
    """``text`` as Plotly draws it literally: ``&``, ``<`` and ``>`` as entities.

    Why: Plotly reads a subset of HTML in every text it draws (``<a href>``, ``<b>``,
    ``<span style>``, ``<br>``), so a geography, name, unit or source uploaded as
    ``<a href="https://x">Gentofte</a>`` would be drawn as a link. Every user-supplied text
    goes into a figure through here; texts of our own (``_t``) may carry ``<br>``.

    >>> _plain('<a href="x">Gentofte</a> & Co')
    '&lt;a href="x"&gt;Gentofte&lt;/a&gt; &amp; Co'
    """
    return html.escape("" if text is None else str(text), quote=False)


def _t(L: Lang, key: str, **kwargs: Any) -> str:
    """A chart text (``chart.<key>`` in :data:`metrics.i18n.TEXTS`; a legend name says the colour and style it names)."""
    return L.t("chart." + key, **kwargs)


class TargetDetailLike(Protocol):
    """What the target figures read (metrics.views.TargetDetail has it)."""

    target: dict[str, Any]
    geography: str
    status: dict[str, Any] | None
    series: pd.DataFrame
    all_series: pd.DataFrame


# ---------------------------------------------------------------------- contrast and sizes
def contrast_ratio(colour: str, background: str = "#FFFFFF") -> float:
    """WCAG 2 contrast ratio of two ``#RRGGBB`` colours."""
    def luminance(hex_colour: str) -> float:
        h = hex_colour.lstrip("#")
        channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((luminance(colour), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True)
class _Sizes:
    tick: int
    label: int
    title: int
    legend: int

    @classmethod
    def of(cls, large: bool) -> _Sizes:
        return cls(tick=18, label=18, title=24, legend=18) if large else cls(tick=14, label=14, title=20, legend=14)


def _unit(row: dict[str, Any] | pd.Series, L: Lang) -> str:
    """The target's unit in the reader's language, as uploaded (escape it with :func:`_plain` to draw it)."""
    return L.pick(row.get("unit"), row.get("unit_en"))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))


# ---------------------------------------------------------------------- axes
def nice_step(span: float, ticks: int = 5) -> float:
    """A tick step of 1, 2 or 5 times a power of ten giving about ``ticks`` (at least 3) ticks over ``span``."""
    if not span > 0:
        return 1.0
    power = 10 ** math.floor(math.log10(span / ticks))
    candidates = [m * power * f for f in (0.1, 1, 10) for m in (1, 2, 5)]
    fine = [c for c in candidates if span / c >= 3] or [min(candidates)]
    return min(fine, key=lambda c: (abs(math.log(span / c / ticks)), c))


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0


def value_axis(values: list[float], lower: Any = None, upper: Any = None, pad: float = 0.12,
               ticks: int = 5, headroom: float | None = None) -> dict[str, Any]:
    """A y-axis around ``values``: explicit range with a margin, a 1-2-5 step, and a number format
    with as many decimals as the step needs (thousands grouped with the layout's separators).

    A single value (or all equal) gets a range of ±20 % around it (at least ±1), so one point is
    drawn as a marker in the middle of a readable axis. ``headroom`` (a share of the span, default
    ``pad``) leaves room above the data for labels. The range never goes below ``lower`` or
    above ``upper`` (the indicator's natural bounds) by more than the margin needs.
    """
    vals = [float(v) for v in values if not _missing(v)]
    if not vals:
        vals = [0.0, 1.0]
    lo, hi = min(vals), max(vals)
    if hi - lo < 1e-9 * max(1.0, abs(hi)):
        half = max(abs(hi) * 0.2, 1.0)
        lo, hi = lo - half, hi + half
    else:
        span = hi - lo
        lo, hi = lo - span * pad, hi + span * (pad if headroom is None else headroom)
    if not _missing(lower) and lo < float(lower) < min(vals):
        lo = float(lower)
    if not _missing(upper) and hi > float(upper) >= max(vals) and max(vals) < float(upper):
        hi = float(upper)
    step = nice_step(hi - lo, ticks)
    return dict(range=[lo, hi], tickmode="linear", tick0=0, dtick=step,
                tickformat=f",.{_decimals(step)}f", separatethousands=True)


def year_axis(first: int, last: int, pad_left: float = 0.5, pad_right: float = 0.5) -> dict[str, Any]:
    """An x-axis of whole years: ticks every 1, 2 or 5 years from ``first``, no year twice."""
    first, last = int(first), int(last)
    span = max(last - first, 0)
    step = 1 if span <= 16 else 2 if span <= 30 else 5
    if span == 0:
        pad_left = pad_right = 1.0
    return dict(range=[first - pad_left, last + pad_right], tickmode="linear", tick0=first, dtick=step,
                tickformat="d")


# ---------------------------------------------------------------------- label placement
@dataclass
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: _Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def contains(self, px: float, py: float) -> bool:
        return self.x0 <= px <= self.x1 and self.y0 <= py <= self.y1


#: Annotation positions tried in order: (xanchor, yanchor, xshift, yshift), shifts in px (y up).
AROUND = {
    "above": ("center", "bottom", 0, 1), "below": ("center", "top", 0, -1),
    "right": ("left", "middle", 1, 0), "left": ("right", "middle", -1, 0),
    "above-left": ("right", "bottom", -1, 1), "above-right": ("left", "bottom", 1, 1),
    "below-left": ("right", "top", -1, -1), "below-right": ("left", "top", 1, -1),
    # Above or below, flush with the marker's right (end) or left (start) edge: sx is then in
    # units of the marker's radius, not of the gap.
    "above-end": ("right", "bottom", "end", 1), "below-end": ("right", "top", "end", -1),
    "above-start": ("left", "bottom", "start", 1), "below-start": ("left", "top", "start", -1),
}


def text_size(text: str, font_size: float) -> tuple[float, float]:
    """Estimated width and height in px of one line of sans-serif text (generous, to be safe)."""
    lines = str(text).split("<br>")
    return max(len(s) for s in lines) * font_size * 0.58 + 6, font_size * 1.3 * len(lines) + 4


#: Plot-area width the labels are placed for: the narrowest the pages and PNGs draw (a wider chart
#: only moves lines and markers farther from a label, since labels sit at data coordinates).
PLOT_WIDTH = 820


@dataclass
class _Canvas:
    """The plot area in px, the lines and markers drawn on it, and the labels placed so far.

    Placement assumes a plot area of ``width`` x ``height`` px; a wider chart only spreads the
    data further apart, so a label free at this width stays free when the page is wider.
    """

    xrange: tuple[float, float]
    yrange: tuple[float, float]
    width: float = PLOT_WIDTH
    height: float = 270.0
    points: list[tuple[float, float]] = field(default_factory=list)
    markers: list[_Box] = field(default_factory=list)
    labels: list[_Box] = field(default_factory=list)

    def px(self, x: float, y: float) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.xrange, self.yrange
        return (float(x) - x0) / (x1 - x0) * self.width, (1 - (float(y) - y0) / (y1 - y0)) * self.height

    def data(self, px: float, py: float) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.xrange, self.yrange
        return x0 + px / self.width * (x1 - x0), y1 - py / self.height * (y1 - y0)

    def line(self, xs: Any, ys: Any) -> None:
        pts = [self.px(x, y) for x, y in zip(xs, ys) if not (_missing(x) or _missing(y))]
        for (ax, ay), (bx, by) in zip(pts, pts[1:]):
            n = max(1, int(math.hypot(bx - ax, by - ay) / 2))
            self.points += [(ax + (bx - ax) * i / n, ay + (by - ay) * i / n) for i in range(n + 1)]
        if len(pts) == 1:
            self.points.append(pts[0])

    def vline(self, x: float) -> None:
        self.line([x, x], list(self.yrange))

    def marker(self, x: Any, y: Any, size: float) -> None:
        if _missing(x) or _missing(y):
            return
        px, py = self.px(x, y)
        r = size / 2 + 1
        self.markers.append(_Box(px - r, py - r, px + r, py + r))

    def box(self, x: float, y: float, text: str, font_size: float, where: str, gap: float,
            radius: float = 10) -> _Box:
        xanchor, yanchor, sx, sy = AROUND[where]
        w, h = text_size(text, font_size)
        px, py = self.px(x, y)
        dx = radius if sx == "end" else -radius if sx == "start" else float(sx) * gap
        px, py = px + dx, py - sy * gap
        left = {"left": px, "center": px - w / 2, "right": px - w}[xanchor]
        top = {"top": py, "middle": py - h / 2, "bottom": py - h}[yanchor]
        return _Box(left, top, left + w, top + h)

    def clashes(self, box: _Box, own: _Box | None = None) -> int:
        """How many things the box would cover (lines' sample points count as one each ten)."""
        if box.x0 < 0 or box.x1 > self.width or box.y0 < 0 or box.y1 > self.height:
            return 1000
        box = _Box(box.x0 - 3, box.y0 - 3, box.x1 + 3, box.y1 + 3)
        hits = sum(1 for p in self.points if box.contains(*p))
        hits = math.ceil(hits / 10) if hits else 0
        hits += sum(20 for m in self.markers if m is not own and box.overlaps(m))
        hits += sum(100 for lb in self.labels if box.overlaps(lb))
        return hits

    def leader_crossings(self, x: float, y: float, box: _Box, own: _Box | None) -> int:
        """How many lines the thin line from the point to a label placed farther off would cross."""
        px, py = self.px(x, y)
        cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        length = math.hypot(cx - px, cy - py) or 1.0
        skip = (own.x1 - own.x0) / 2 if own else 0.0
        near = 0
        for qx, qy in self.points:
            t = ((qx - px) * (cx - px) + (qy - py) * (cy - py)) / length ** 2
            if not 0 <= t <= 1 or box.contains(qx, qy) or math.hypot(qx - px, qy - py) <= skip + 2:
                continue
            if math.hypot(qx - (px + t * (cx - px)), qy - (py + t * (cy - py))) <= 2.5:
                near += 1
        crossed = 0
        steps = max(2, int(length / 3))
        samples = [(px + (cx - px) * i / steps, py + (cy - py) * i / steps) for i in range(steps + 1)]
        for other in [m for m in self.markers if m is not own] + self.labels:
            if any(other.contains(qx, qy) for qx, qy in samples if not box.contains(qx, qy)):
                crossed += 20
        return 3 * math.ceil(near / 3) + crossed

    def place(self, x: float, y: float, text: str, font_size: float, order: tuple[str, ...],
              gap: float = 6, own: _Box | None = None, farther: tuple[float, ...] = ()) -> tuple[str, float]:
        """The first (position, distance) where the label covers nothing, else the least covering.

        Positions in ``order`` are tried at ``gap`` px from the point, then at each of ``farther``.
        """
        radius = (own.x1 - own.x0) / 2 if own else 10
        best, best_hits = (order[0], gap), math.inf
        for distance in (gap, *farther):
            for where in order:
                box = self.box(x, y, text, font_size, where, distance, radius)
                hits = self.clashes(box, own)
                if distance > gap:
                    hits += self.leader_crossings(x, y, box, own)
                if hits < best_hits:
                    best, best_hits = (where, distance), hits
                if hits == 0:
                    break
            if best_hits == 0:
                break
        self.labels.append(self.box(x, y, text, font_size, *best, radius))
        return best


def _annotate(fig: go.Figure, canvas: _Canvas, x: float, y: float, text: str, size: int, colour: str,
              order: tuple[str, ...], gap: float = 6, own: _Box | None = None, name: str = "",
              farther: tuple[float, ...] = (), plain: bool = False) -> None:
    """A label beside (x, y) where it covers nothing; one placed farther off gets a thin line to its point.

    ``plain``: ``text`` is user text, placed by its own length and drawn escaped (:func:`_plain`).

    The label's centre is given in data coordinates, so on a wider or taller chart lines and
    markers only move away from it.
    """
    where, distance = canvas.place(x, y, text, size, order, gap=gap, own=own, farther=farther)
    box = canvas.labels[-1]
    common = dict(text=_plain(text) if plain else text, font=dict(size=size, color=colour), bgcolor="rgba(255,255,255,0.9)", name=name)
    if distance > gap:
        cx, cy = canvas.data((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
        fig.add_annotation(x=x, y=y, ax=cx, ay=cy, axref="x", ayref="y", showarrow=True, arrowhead=0,
                           arrowwidth=1.5, arrowcolor=colour, standoff=(own.x1 - own.x0) / 2 if own else 4,
                           xanchor="center", yanchor="middle", **common)
        return
    # Anchored at the label's edge nearest the point: the real text is no larger than estimated,
    # so it stays inside the box that was found free.
    xanchor, yanchor = AROUND[where][:2]
    ax = {"left": box.x0, "center": (box.x0 + box.x1) / 2, "right": box.x1}[xanchor]
    ay = {"top": box.y0, "middle": (box.y0 + box.y1) / 2, "bottom": box.y1}[yanchor]
    ex, ey = canvas.data(ax, ay)
    fig.add_annotation(x=ex, y=ey, showarrow=False, xanchor=xanchor, yanchor=yanchor, **common)


# ---------------------------------------------------------------------- shared look
@dataclass(frozen=True)
class _Frame:
    """The figure's height and margins, so the labels are placed on the plot area really drawn."""

    height: int
    top: int
    bottom: int
    left: int = 80
    right: int = 30

    @classmethod
    def of(cls, height: int, large: bool, title: bool = True) -> _Frame:
        return cls(height=height + (140 if large else 0), top=(90 if large else 80) if title else 40,
                   bottom=160 if large else 120)

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


def _lean_template() -> go.layout.Template:
    """Plotly's ``plotly_white`` cut to what these charts use: the layout's colours, axes and hover
    labels, and the defaults of scatter and bar traces only.

    Why: a figure carries its whole template to the browser, and ``plotly_white`` is 6.6 kB of JSON
    (defaults for 3-D scenes, maps, heat maps...), more than the data of a target's chart. Every
    rerun of every session serialises, hashes and sends it again; the charts look the same without.
    """
    base = pio.templates["plotly_white"]
    layout = base.layout.to_plotly_json()
    data = base.data.to_plotly_json()
    return go.layout.Template(
        layout={k: layout[k] for k in ("autotypenumbers", "colorway", "font", "hovermode", "hoverlabel",
                                        "paper_bgcolor", "plot_bgcolor", "xaxis", "yaxis", "shapedefaults",
                                        "annotationdefaults", "title") if k in layout},
        data={k: data[k] for k in ("scatter", "bar") if k in data})


#: The template of every chart here (see :func:`_lean_template`).
TEMPLATE = _lean_template()


def _layout(fig: go.Figure, title: str, y_title: str, L: Lang, large: bool, frame: _Frame,
            x_title: str = "") -> go.Figure:
    """Large dark type, white background, legend below, the language's number separators."""
    s = _Sizes.of(large)
    fig.update_layout(
        separators=L.separators, template=TEMPLATE, height=frame.height,
        title=dict(text=title, font=dict(size=s.title, color=TEXT)),
        font=dict(family=FONT_FAMILY, size=s.label, color=TEXT),
        margin=dict(l=frame.left, r=frame.right, t=frame.top, b=frame.bottom),
        legend=dict(orientation="h", yanchor="top",
                    y=-(s.tick * 1.8 + (s.label * 1.9 if x_title else 0) + 14) / max(frame.plot_height, 1),
                    xanchor="left", x=0, font=dict(size=s.legend, color=TEXT)),
        hoverlabel=dict(font_size=s.label + 1),
    )
    axis = dict(tickfont=dict(size=s.tick, color=TICK), title_font=dict(size=s.label, color=TEXT),
                linecolor=GREY, showline=True, ticks="outside", tickcolor=GREY, zeroline=False)
    fig.update_yaxes(title_text=y_title, gridcolor="#E3E3E3", **axis)
    fig.update_xaxes(title_text=x_title or None, gridcolor="#EFEFEF", **axis)
    return fig


def _as_of(detail: TargetDetailLike, as_of: int | None) -> int | None:
    if as_of is not None:
        return int(as_of)
    year = (detail.status or {}).get("as_of")
    return None if _missing(year) else int(year)


def _cut(series: pd.DataFrame, as_of: int | None) -> pd.DataFrame:
    """The series up to the as-of year, as the status and the memo see it."""
    if as_of is None or series.empty:
        return series
    return series[series["year"] <= as_of].reset_index(drop=True)


def _runs(years: list[int]) -> list[list[int]]:
    """Consecutive runs of years: [2015, 2016, 2017, 2020] -> [[2015, 2016, 2017], [2020]]."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y - runs[-1][-1] <= 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return runs


# ---------------------------------------------------------------------- one target
def target_figure(detail: TargetDetailLike, lang: Lang | str, large: bool = False,
                  as_of: int | None = None) -> go.Figure:
    """The observed series (illustrative points marked), glide path, target, projection, gap and breaks.

    The series is cut at the as-of year (``as_of``, else the status row's). The projection runs
    from the latest observation to the projected value in the target year.
    """
    L = Lang.of(lang)
    s = _Sizes.of(large)
    target, status = detail.target, detail.status or {}
    series = _cut(detail.series, _as_of(detail, as_of))
    unit = _unit(target, L)
    fmt = lambda v: L.num(v, unit=unit)  # noqa: E731
    fig = go.Figure()
    kind = target.get("kind")
    has_goal = kind != "none" and bool(status) and not _missing(status.get("target_year"))

    # What is drawn, as plain numbers first: it fixes the axes, then the labels are placed.
    years = [int(y) for y in series["year"]] if not series.empty else []
    values = list(series["value"]) if not series.empty else []
    glide = proj = gap = None
    if has_goal:
        b, xb = status["baseline_year"], status["baseline_value"]
        T, xT = int(status["target_year"]), float(status["target_value"])
        glide = ([b, T], [xb, xT])
        years += [int(b), T]
        values += [xb, xT]
        t, xt = status.get("latest_year"), status.get("latest_value")
        if not _missing(status.get("projected_value")) and not _missing(t) and not _missing(xt) and int(t) < T:
            proj = ([int(t), T], [float(xt), float(status["projected_value"])])
            values.append(proj[1][1])
        if not _missing(xt) and not _missing(t) and status.get("status") != "met":
            gap = (int(t), float(xt), xT)
    if not years:
        years = [int(status["latest_year"])] if not _missing(status.get("latest_year")) else [2000]
    lower, upper = target.get("lower_bound"), target.get("upper_bound")
    yaxis = value_axis(values, lower=lower, upper=upper, pad=0.1, headroom=0.22)
    xaxis = year_axis(min(years), max(years), pad_left=0.6, pad_right=0.6)
    frame = _Frame.of(500, large)
    canvas = _Canvas(tuple(xaxis["range"]), tuple(yaxis["range"]), height=frame.plot_height)

    if not series.empty:
        fig.add_trace(go.Scatter(
            x=series["year"], y=series["value"], mode="lines", name=_t(L, "observed"),
            line=dict(color=BLUE, width=3), hoverinfo="skip", showlegend=False,
        ))
        canvas.line(series["year"], series["value"])
        for cls, symbol, colour, key in (
            ("R", "circle", BLUE, "observed"),
            ("D", "square", BLUE, "derived"),
            ("I", "circle", GREY, "illustrative"),
        ):
            pts = series[series["data_class"] == cls]
            if pts.empty:
                continue
            label = _t(L, key)
            size = 13 if cls == "I" else 12
            fig.add_trace(go.Scatter(
                x=pts["year"], y=pts["value"], mode="markers", name=label,
                marker=dict(symbol=symbol, size=size, color=colour if cls != "I" else "white",
                            line=dict(width=2.5, color=colour)),
                customdata=[[_plain(fmt(v)), _plain(src) if isinstance(src, str) else ""]
                            for v, src in zip(pts["value"], pts["source"] if "source" in pts else [""] * len(pts))],
                hovertemplate="%{x}: %{customdata[0]}<br>%{customdata[1]}<extra>" + label + "</extra>",
            ))
            for x, y in zip(pts["year"], pts["value"]):
                canvas.marker(x, y, size + 4)
    if glide:
        fig.add_trace(go.Scatter(
            x=glide[0], y=glide[1], mode="lines", name=_t(L, "glide_path"),
            line=dict(color=GREY, width=2, dash="dash"), hoverinfo="skip",
        ))
        canvas.line(*glide)
    if proj:
        fig.add_trace(go.Scatter(
            x=proj[0], y=proj[1], mode="lines", name=_t(L, "projection"),
            line=dict(color=VERMILLION, width=3, dash="dot"),
            customdata=[_plain(_t(L, "projection_hover", year=y, value=fmt(v))) for y, v in zip(*proj)],
            hovertemplate="%{customdata}<extra></extra>",
        ))
        canvas.line(*proj)
    if gap:
        t, xt, xT = gap
        fig.add_trace(go.Scatter(
            x=[t, t], y=[xt, xT], mode="lines", name=_t(L, "gap"),
            line=dict(color=BROWN, width=5), hoverinfo="skip",
        ))
        canvas.line([t, t], [xt, xT])
    star = None
    if has_goal:
        T, xT = int(status["target_year"]), float(status["target_value"])
        label = _t(L, "target_label", year=T, value=fmt(xT))
        fig.add_trace(go.Scatter(
            x=[T], y=[xT], mode="markers", name=_t(L, "target"),
            marker=dict(symbol="star", size=22, color=GREEN, line=dict(width=1, color=TEXT)),
            customdata=[_plain(label)], hovertemplate="%{customdata}<extra></extra>",
        ))
        canvas.marker(T, xT, 24)
        star = (T, xT, label, canvas.markers[-1])
    breaks = [] if series.empty or "series_break" not in series else \
        series.loc[series["series_break"].fillna(False).astype(bool), "year"].tolist()
    for year in breaks:
        fig.add_vline(x=year - 0.5, line=dict(color=PURPLE, width=2, dash="dashdot"))
        canvas.vline(year - 0.5)

    # Labels, most important first; each avoids lines, markers and the labels before it.
    if star:
        T, xT, label, own = star
        rising = glide is not None and glide[1][1] >= glide[1][0]
        order = (("above-left", "above-end", "above", "left", "below-left", "below-end", "below",
                  "above-right", "below-right", "right")
                 if rising else
                 ("below-left", "below-end", "below", "left", "above-left", "above-end", "above",
                  "below-right", "above-right", "right"))
        _annotate(fig, canvas, T, xT, label, s.label, TARGET_TEXT, order, gap=16, own=own, name="target_label",
                  farther=(40, 70, 100), plain=True)
    if gap:
        t, xt, xT = gap
        text = _t(L, "gap_label", value=L.num(abs(xT - xt), unit=L.diff_unit(unit)))
        _annotate(fig, canvas, t, (xt + xT) / 2, text, s.label, GAP_TEXT,
                  ("right", "left", "above-right", "below-right", "above-left", "below-left"), gap=8, name="gap_label",
                  farther=(30, 60), plain=True)
    if len(series) == 1:  # one point: its value beside it, as no line shows where it stands
        x1, y1 = int(series["year"].iloc[0]), float(series["value"].iloc[0])
        _annotate(fig, canvas, x1, y1, f"{fmt(y1)} ({x1})", s.label, TEXT, ("right", "above", "left", "below"),
                  gap=12, name="value_label", plain=True)
    if not series.empty:
        illustrative = series[series["data_class"] == "I"]
        word = _t(L, "illustrative_short")
        for run in _runs([int(y) for y in illustrative["year"]]):
            part = illustrative[illustrative["year"].isin(run)]
            mid = run[len(run) // 2] if len(run) % 2 else (run[0] + run[-1]) / 2
            y = float(part["value"].iloc[len(part) // 2]) if len(run) % 2 else float(part["value"].mean())
            _annotate(fig, canvas, mid, y, word, s.label, TICK,
                      ("below", "above", "below-right", "above-right", "below-left", "above-left", "right", "left"),
                      gap=11, name="illustrative_label")
    for year in breaks:
        x, top = year - 0.5, yaxis["range"][1]
        _annotate(fig, canvas, x, top, _t(L, "series_break"), s.label, BREAK_TEXT,
                  ("below-right", "below-left"), gap=4, name="series_break_label")

    name = L.pick(target.get("name_da"), target.get("name_en"))
    fig = _layout(fig, _plain(f"{name} · {detail.geography}"), _plain(unit), L, large, frame)
    fig.update_yaxes(**yaxis)
    fig.update_xaxes(**xaxis)
    return fig


def geography_figure(detail: TargetDetailLike, lang: Lang | str, large: bool = False,
                     as_of: int | None = None) -> go.Figure:
    """Every geography's series on one chart, to compare them (cut at the as-of year)."""
    L = Lang.of(lang)
    s = _Sizes.of(large)
    palette = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, GREY]
    symbols = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star-triangle-up"]
    data = _cut(detail.all_series, _as_of(detail, as_of))
    fig = go.Figure()
    unit = _unit(detail.target, L)
    for i, (geo, g) in enumerate(data.groupby("geography", sort=True)):
        fig.add_trace(go.Scatter(
            x=g["year"], y=g["value"], mode="lines+markers", name=_plain(geo),
            line=dict(color=palette[i % len(palette)], width=2.5),
            marker=dict(symbol=symbols[i % len(symbols)], size=10),
            # The geography goes in through customdata, never into the template, where a
            # "%{y}" in its name would be read as a field.
            customdata=[[_plain(geo), _plain(L.num(v, unit=unit))] for v in g["value"]],
            hovertemplate="%{customdata[0]} %{x}: %{customdata[1]}<extra></extra>",
        ))
    values = list(data["value"])
    status = detail.status or {}
    if detail.target.get("kind") != "none" and status and not _missing(status.get("target_value")):
        xT = float(status["target_value"])
        values.append(xT)
        fig.add_hline(y=xT, line=dict(color=GREEN, dash="dash", width=2))
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=_t(L, "target_line"),
                                 line=dict(color=GREEN, dash="dash", width=2), hoverinfo="skip"))
    years = [int(y) for y in data["year"]] or [2000]
    fig = _layout(fig, _t(L, "compare_title"), _plain(unit), L, large, _Frame.of(420, large))
    fig.update_yaxes(**value_axis(values, detail.target.get("lower_bound"), detail.target.get("upper_bound")))
    fig.update_xaxes(**year_axis(min(years), max(years)))
    fig.update_layout(legend_font_size=s.legend)
    return fig


# ---------------------------------------------------------------------- gap explorer
def short_name(row: dict[str, Any] | pd.Series, L: Lang, limit: int = 28) -> str:
    """The target's short label for a chart point: ``short_name_da/en``, else the name cut at a word."""
    short = L.pick(row.get("short_name_da"), row.get("short_name_en"))
    if short:
        return short
    name = row.get("name") if isinstance(row.get("name"), str) and row.get("name") else \
        L.pick(row.get("name_da"), row.get("name_en"))
    name = str(name or row.get("target_id") or "")
    head = name.split(":", 1)[0].strip()
    if head != name and 8 <= len(head) <= limit:
        return head
    if len(name) <= limit:
        return name
    cut = name[:limit].rsplit(" ", 1)[0] if " " in name[:limit] else name[:limit - 1]
    return cut.rstrip(" ,:;-–(") + "…"


#: The most points the gap scatter labels (see :func:`gap_scatter`).
SCATTER_LABEL_LIMIT = 60


def gap_scatter(rows: pd.DataFrame, lang: Lang | str, title: str | None = None, large: bool = False) -> go.Figure:
    """Distance covered against time elapsed, in %; the diagonal is 'on schedule'.

    Each point is labelled with the target's short name (and its geography when the same
    target shows more than once), on the side where the label covers no other point, line or
    label. Points carry ``customdata`` = [target_id, geography, name] for the click. Above
    :data:`SCATTER_LABEL_LIMIT` points no point is labelled: the labels could not be read, and
    placing them costs time that grows with the square of the points (850 points of the
    1,000-target database took 270 s); the hover and the table beside the chart name every point.
    """
    L = Lang.of(lang)
    s = _Sizes.of(large)
    pct = lambda v: L.pct(v, decimals=0)  # noqa: E731
    points = rows.dropna(subset=["distance_covered", "time_elapsed"]).copy() if len(rows) else rows.copy()
    frame = _Frame.of(560, large, title=title != "")
    xs = [0.0, 1.0] + [100 * float(v) for v in points.get("time_elapsed", [])]
    ys = [0.0, 1.0] + [100 * float(v) for v in points.get("distance_covered", [])]
    xaxis = value_axis([min(xs), 0.0, 100.0, max(xs)], pad=0.08, ticks=6)
    yaxis = value_axis([min(ys), 0.0, 100.0, max(ys)], pad=0.12, ticks=6)
    canvas = _Canvas(tuple(xaxis["range"]), tuple(yaxis["range"]), height=frame.plot_height)
    canvas.line([0, 100], [0, 100])

    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[0, 100], y=[0, 100], mode="lines", name=_t(L, "on_schedule"),
        line=dict(color=GREY, dash="dash", width=2), hoverinfo="skip", legendrank=2000,
    ))
    records = points.to_dict("records")
    counts = pd.Series([r["target_id"] for r in records]).value_counts() if records else pd.Series(dtype=int)
    labels: dict[int, str] = {}
    boxes: dict[int, _Box] = {}
    for i, r in enumerate(records):
        label = short_name(r, L)
        if counts.get(r["target_id"], 0) > 1:
            label += f" · {r['geography']}"
        labels[i] = label
        canvas.marker(100 * float(r["time_elapsed"]), 100 * float(r["distance_covered"]), 20)
        boxes[i] = canvas.markers[-1]
    # Crowded points first: they have the fewest free sides.
    def crowding(i: int) -> int:
        bx = boxes[i]
        return -sum(1 for j, other in boxes.items() if j != i and
                    abs((other.x0 + other.x1 - bx.x0 - bx.x1) / 2) < 200 and abs((other.y0 + other.y1 - bx.y0 - bx.y1) / 2) < 60)
    for i in (sorted(labels, key=crowding) if len(labels) <= SCATTER_LABEL_LIMIT else ()):
        r = records[i]
        _annotate(fig, canvas, 100 * float(r["time_elapsed"]), 100 * float(r["distance_covered"]), labels[i], s.label,
                  TEXT, ("right", "left", "above", "below", "above-right", "below-right", "above-left", "below-left",
                         "above-start", "below-start", "above-end", "below-end"),
                  gap=8, own=boxes[i], name="point_label", farther=(30, 55, 80), plain=True)

    order = [st for st in STATUS_COLOURS if st in set(points.get("status", []))]
    for status in order:
        idx = [i for i, r in enumerate(records) if r["status"] == status]
        group = [records[i] for i in idx]
        fig.add_trace(go.Scatter(
            x=[100 * float(r["time_elapsed"]) for r in group], y=[100 * float(r["distance_covered"]) for r in group],
            mode="markers", name=L.status(status), text=[_plain(labels[i]) for i in idx],
            marker=dict(symbol=STATUS_SYMBOLS.get(status, "circle"), size=18,
                        color=STATUS_COLOURS.get(status, GREY), line=dict(width=1.5, color=TEXT)),
            # [0] and [1] stay raw: the click reads them (views.selected_target); [2] and [5]
            # are the name and geography as the hover draws them.
            customdata=[[r["target_id"], r["geography"], _plain(r.get("name") or labels[i]),
                         pct(r["time_elapsed"]), pct(r["distance_covered"]), _plain(r["geography"])]
                        for i, r in zip(idx, group)],
            hovertemplate="%{customdata[2]} (%{customdata[5]})<br>"
                          + _t(L, "time") + ": %{customdata[3]}<br>"
                          + _t(L, "distance") + ": %{customdata[4]}<extra></extra>",
        ))
    fig = _layout(fig, _t(L, "scatter_title") if title is None else title, _t(L, "distance"), L, large, frame,
                  x_title=_t(L, "time"))
    suffix = " %" if L.is_danish else "%"
    fig.update_xaxes(ticksuffix=suffix, **xaxis)
    fig.update_yaxes(ticksuffix=suffix, **yaxis)
    fig.update_layout(clickmode="event+select", legend_title_text=_t(L, "status_legend"))
    return fig


def _wrap(text: str, width: int = 28) -> str:
    """``text`` in lines of at most ``width`` characters, each escaped (:func:`_plain`), joined by ``<br>``."""
    words, lines, line = str(text).split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(_plain(line) for line in lines)


def pace_figure(rows: pd.DataFrame, lang: Lang | str, title: str | None = None, large: bool = False) -> go.Figure:
    """'What would it take': the yearly change needed from now beside the recent actual change, in % a year."""
    L = Lang.of(lang)
    data = rows.dropna(subset=["needed_pct"]).sort_values("needed_pct")
    names = list(data["name"]) if "name" in data else [L.pick(d, e) for d, e in zip(data["name_da"], data["name_en"])]
    fmt = lambda v: "–" if _missing(v) else L.num(v, decimals=1, unit="%")  # noqa: E731
    fig = go.Figure()
    fig.add_trace(go.Bar(
        y=names, x=data["needed_pct"], orientation="h", name=_t(L, "needed"),
        marker=dict(color=VERMILLION, pattern=dict(shape="/", fgcolor="white")),
        customdata=[[_plain(n), fmt(v)] for n, v in zip(names, data["needed_pct"])],
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
    ))
    fig.add_trace(go.Bar(
        y=names, x=data["actual_pct"], orientation="h", name=_t(L, "actual"),
        marker=dict(color=BLUE),
        customdata=[[_plain(n), fmt(v)] for n, v in zip(names, data["actual_pct"])],
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
    ))
    fig = _layout(fig, _t(L, "pace_title") if title is None else title, "", L, large,
                  _Frame.of(max(360, (90 if large else 70) * len(data) + 160), large, title=title != ""),
                  x_title=_t(L, "pct_per_year"))
    values = [v for v in list(data["needed_pct"]) + list(data["actual_pct"]) if not _missing(v)] + [0.0]
    xaxis = value_axis(values, pad=0.08, ticks=6)
    fig.update_layout(barmode="group")
    fig.update_xaxes(zeroline=True, zerolinecolor=GREY, zerolinewidth=2, **xaxis)
    fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=names, ticktext=[_wrap(n) for n in names],
                     automargin=True, showgrid=False)
    return fig


# ---------------------------------------------------------------------- shared figures
class FrozenFigure(go.Figure):
    """A finished figure whose plain JSON spec is made once, for a figure many sessions show.

    Why: ``st.plotly_chart`` turns a figure into a dict on every rerun (a deep copy, and every
    number array re-encoded), a tenth of the target page's time under load. Given this figure it
    gets the spec made here instead, and only writes it out as JSON. The figure must not change
    after it is frozen (``to_dict`` would not see the change); it is shared read-only anyway.
    """

    def __init__(self, figure: go.Figure) -> None:
        super().__init__(figure)
        self._frozen_spec = json.loads(pio.to_json(figure, validate=False))

    def to_dict(self) -> dict[str, Any]:
        """The spec made when the figure was frozen: the same JSON as the figure's own ``to_dict``."""
        return self._frozen_spec


def frozen(figure: go.Figure) -> FrozenFigure:
    """``figure`` frozen for sharing (see :class:`FrozenFigure`)."""
    return figure if isinstance(figure, FrozenFigure) else FrozenFigure(figure)


# ---------------------------------------------------------------------- PNG
_kaleido_lock = threading.Lock()
_kaleido_started = False


def figure_png(fig: go.Figure, width: int = 1200, height: int | None = None) -> bytes:
    """A PNG of the figure, rendered by kaleido in the machine's Chromium (a server kept warm).

    ``height`` defaults to the figure's own, so the labels sit where they were placed.
    """
    global _kaleido_started
    try:
        import kaleido
    except ImportError as exc:  # pragma: no cover - kaleido is in requirements.txt
        raise MalsporError("png_no_kaleido") from exc
    with _kaleido_lock:
        try:
            if not _kaleido_started:
                kaleido.start_sync_server(silence_warnings=True)
                _kaleido_started = True
            height = height or fig.layout.height or 500
            return fig.to_image(format="png", width=width, height=height, scale=1)
        except Exception as exc:  # noqa: BLE001 - kaleido raises many kinds; the user gets one message
            raise MalsporError("png_failed", reason=exc) from exc
