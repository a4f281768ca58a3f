"""Plotly figures: a target's series against its glide path, the gap explorer's views, PNG export.

Colours come from the Okabe-Ito palette (distinguishable with colour-blindness), and
every status is also told by marker shape and text, never by colour alone. Large type
reads on a projector.
"""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from metrics import i18n
from metrics.model import MalsporError
from metrics.views import TargetDetail, unit_of

BLUE, ORANGE, GREEN, VERMILLION, GREY, SKY, PURPLE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#6B6B6B", "#56B4E9", "#CC79A7")
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=16, color="#1A1A1A")
STATUS_SYMBOLS = {
    "met": "star", "on_track": "triangle-up", "moderate": "diamond", "insufficient": "triangle-down",
    "moving_away": "x", "not_assessable": "circle-open",
}


def _layout(fig: go.Figure, title: str, y_title: str, lang: str, height: int = 460) -> go.Figure:
    """Shared look: large type, white background, legend below, the language's number separators."""
    fig.update_layout(
        separators=",." if lang == "da" else ".,",
        title=dict(text=title, font=dict(size=20)), font=FONT, height=height, template="plotly_white",
        margin=dict(l=70, r=30, t=70, b=90),
        legend=dict(orientation="h", yanchor="top", y=-0.15, xanchor="left", x=0),
        hoverlabel=dict(font_size=15),
    )
    fig.update_yaxes(title_text=y_title, gridcolor="#E3E3E3", zeroline=False)
    fig.update_xaxes(gridcolor="#EFEFEF", tickformat="d")
    return fig


def target_figure(detail: TargetDetail, lang: str) -> go.Figure:
    """The observed series (illustrative points marked), glide path, target, projection, gap and breaks."""
    target, status, series = detail.target, detail.status or {}, detail.series
    unit = unit_of(target, lang)
    fmt = lambda v: i18n.fmt_number(v, lang, unit=unit)  # noqa: E731
    fig = go.Figure()
    if not series.empty:
        fig.add_trace(go.Scatter(
            x=series["year"], y=series["value"], mode="lines", name=i18n.t("chart.observed", lang),
            line=dict(color=BLUE, width=3), hoverinfo="skip", showlegend=False,
        ))
        for cls, symbol, colour, label in (
            ("R", "circle", BLUE, i18n.t("chart.observed", lang)),
            ("D", "square", BLUE, i18n.t("chart.derived", lang)),
            ("I", "circle-open", GREY, i18n.t("chart.illustrative", lang)),
        ):
            pts = series[series["data_class"] == cls]
            if pts.empty:
                continue
            fig.add_trace(go.Scatter(
                x=pts["year"], y=pts["value"], mode="markers" + ("+text" if cls == "I" else ""), name=label,
                marker=dict(symbol=symbol, size=12 if cls != "I" else 13, color=colour,
                            line=dict(width=2.5, color=colour)),
                text=[i18n.t("chart.illustrative_short", lang)] * len(pts) if cls == "I" else None,
                textposition="top center", textfont=dict(size=12, color=GREY),
                customdata=[[fmt(v), s] for v, s in zip(pts["value"], pts["source"].fillna(""))],
                hovertemplate="%{x}: %{customdata[0]}<br>%{customdata[1]}<extra>" + label + "</extra>",
            ))
    kind = target["kind"]
    if kind != "none" and status:
        b, xb = status["baseline_year"], status["baseline_value"]
        T, xT = status["target_year"], status["target_value"]
        fig.add_trace(go.Scatter(
            x=[b, T], y=[xb, xT], mode="lines", name=i18n.t("chart.glide_path", lang),
            line=dict(color=GREY, width=2, dash="dash"), hoverinfo="skip",
        ))
        fig.add_trace(go.Scatter(
            x=[T], y=[xT], mode="markers+text", name=i18n.t("chart.target", lang),
            marker=dict(symbol="star", size=20, color=GREEN, line=dict(width=1, color="#1A1A1A")),
            text=[f"{i18n.t('chart.target', lang)} {int(T)}: {fmt(xT)}"], textposition="middle left",
            hovertemplate=f"{i18n.t('chart.target', lang)} {int(T)}: {fmt(xT)}<extra></extra>",
        ))
        if pd.notna(status.get("projected_value")) and pd.notna(status.get("trend_at_latest")):
            t = status["latest_year"]
            fig.add_trace(go.Scatter(
                x=[t, T], y=[status["trend_at_latest"], status["projected_value"]], mode="lines+markers",
                name=i18n.t("chart.projection", lang), line=dict(color=VERMILLION, width=2.5, dash="dot"),
                marker=dict(symbol=["circle", "diamond-open"], size=[1, 12], color=VERMILLION),
                hovertemplate=f"{i18n.t('chart.projection', lang)} %{{x}}: %{{y:.1f}}<extra></extra>",
            ))
        if pd.notna(status.get("latest_value")) and status.get("status") != "met":
            t, xt = status["latest_year"], status["latest_value"]
            fig.add_trace(go.Scatter(
                x=[t, t], y=[xt, xT], mode="lines", name=i18n.t("chart.gap", lang),
                line=dict(color=ORANGE, width=4), hoverinfo="skip",
            ))
            gap_text = i18n.fmt_number(abs(xT - xt), lang, unit=i18n.difference_unit(unit, lang))
            fig.add_annotation(x=t, y=(xt + xT) / 2, text=f"{i18n.t('chart.gap', lang)}: {gap_text}",
                               showarrow=False, xanchor="left", xshift=8, font=dict(size=14, color="#7A4E00"),
                               bgcolor="rgba(255,255,255,0.85)")
    for year in series.loc[series["series_break"].fillna(False).astype(bool), "year"] if not series.empty else []:
        fig.add_vline(x=year - 0.5, line=dict(color=PURPLE, width=2, dash="dashdot"))
        fig.add_annotation(x=year - 0.5, yref="paper", y=1.02, text=i18n.t("chart.series_break", lang),
                           showarrow=False, font=dict(size=13, color=PURPLE))
    name = target["name_da"] if lang == "da" else target["name_en"]
    return _layout(fig, f"{name} · {detail.geography}", unit, lang)


def geography_figure(detail: TargetDetail, lang: str) -> go.Figure:
    """Every geography's series on one chart, to compare them."""
    palette = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, GREY]
    symbols = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star"]
    fig = go.Figure()
    for i, (geo, s) in enumerate(detail.all_series.groupby("geography", sort=True)):
        fig.add_trace(go.Scatter(
            x=s["year"], y=s["value"], mode="lines+markers", name=geo,
            line=dict(color=palette[i % len(palette)], width=2.5),
            marker=dict(symbol=symbols[i % len(symbols)], size=10),
        ))
    if detail.target["kind"] != "none" and detail.status:
        fig.add_hline(y=detail.status["target_value"], line=dict(color=GREEN, dash="dash"),
                      annotation_text=i18n.t("chart.target", lang))
    return _layout(fig, i18n.t("target.compare_title", lang), unit_of(detail.target, lang), lang, height=420)


def gap_scatter(rows: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Distance covered against time elapsed; the diagonal is 'on schedule'. Points carry target and geography."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[0, 1], y=[0, 1], mode="lines", name=i18n.t("explorer.on_schedule", lang),
        line=dict(color=GREY, dash="dash", width=2), hoverinfo="skip",
    ))
    for status, group in rows.groupby("status", sort=False):
        group = group.dropna(subset=["distance_covered", "time_elapsed"])
        if group.empty:
            continue
        fig.add_trace(go.Scatter(
            x=group["time_elapsed"], y=group["distance_covered"], mode="markers",
            name=i18n.status_label(status, lang),
            marker=dict(symbol=STATUS_SYMBOLS.get(status, "circle"), size=16,
                        color=i18n.STATUS_COLOURS.get(status, GREY), line=dict(width=1.5, color="#1A1A1A")),
            customdata=list(zip(group["target_id"], group["geography"], group["name"])),
            hovertemplate="%{customdata[2]} (%{customdata[1]})<br>"
                          + i18n.t("explain.time", lang) + ": %{x:.0%}<br>"
                          + i18n.t("explain.distance", lang) + ": %{y:.0%}<extra></extra>",
        ))
    fig = _layout(fig, i18n.t("explorer.scatter_title", lang) if title is None else title,
                  i18n.t("explain.distance", lang), lang, height=520)
    fig.update_xaxes(title_text=i18n.t("explain.time", lang), tickformat=".0%")
    fig.update_yaxes(tickformat=".0%")
    fig.update_layout(clickmode="event+select")
    return fig


def pace_figure(rows: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """'What would it take': the yearly change needed from now beside the recent actual change, in % a year."""
    data = rows.dropna(subset=["needed_pct"]).sort_values("needed_pct")
    fig = go.Figure()
    fig.add_trace(go.Bar(
        y=data["name"], x=data["needed_pct"], orientation="h", name=i18n.t("explorer.needed", lang),
        marker=dict(color=VERMILLION, pattern=dict(shape="/")),
        hovertemplate="%{y}: %{x:.1f} %<extra></extra>",
    ))
    fig.add_trace(go.Bar(
        y=data["name"], x=data["actual_pct"], orientation="h", name=i18n.t("explorer.actual", lang),
        marker=dict(color=BLUE), hovertemplate="%{y}: %{x:.1f} %<extra></extra>",
    ))
    fig = _layout(fig, i18n.t("explorer.pace_title", lang) if title is None else title, "", lang,
                  height=max(360, 70 * len(data) + 160))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text=i18n.t("explorer.pct_per_year", lang), tickformat="d")
    fig.update_yaxes(autorange="reversed")
    return fig


_kaleido_lock = threading.Lock()
_kaleido_started = False


def figure_png(fig: go.Figure, width: int = 1200, height: int = 600) -> bytes:
    """A PNG of the figure, rendered by kaleido in the machine's Chromium (a server kept warm)."""
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
            return fig.to_image(format="png", width=width, height=height, scale=1)
        except Exception as exc:  # noqa: BLE001 - kaleido raises many kinds; the user gets one message
            raise MalsporError("png_failed", reason=exc) from exc


def figure_title(fig: go.Figure) -> str:
    title: Any = fig.layout.title.text
    return str(title or "")
