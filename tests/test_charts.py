"""The figures: what a reader relies on seeing in each chart, on figures built from the seed."""

from __future__ import annotations

import ast
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from metrics import charts, views
from metrics.i18n import STATUS_COLOURS, Lang
from metrics.model import TARGET_STATUSES
from metrics.seed import seed
from metrics.store import Store

SEED_TARGETS = pd.read_csv(Path(__file__).parent.parent / "data" / "targets.csv")["target_id"].tolist()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One seeded store for this module: every test here only reads (seeding per test is slow)."""
    s = Store.open(tmp_path_factory.mktemp("charts") / "malspor.duckdb", seed=seed)
    yield s
    s.close()


_figures: dict = {}
_all: dict = {}


def traces(fig):
    return {t.name: t for t in fig.data}


def figure(store, target_id, lang="da", as_of=2026, **kw):
    """The target's figure (built once per module: the tests only read it)."""
    key = (id(store), target_id, lang, as_of, tuple(sorted(kw.items())))
    if key not in _figures:
        _figures[key] = charts.target_figure(views.target_detail(store, target_id, None, as_of), lang, **kw)
    return _figures[key]


def tick_labels(axis, lang):
    """The tick labels Plotly draws for a linear axis with a ',.Nf' format and the layout's separators."""
    lo, hi = axis.range
    step, decimals = axis.dtick, int(axis.tickformat[2:-1])
    first = math.ceil((lo - axis.tick0) / step - 1e-9)
    values = [axis.tick0 + k * step for k in range(first, int(math.floor((hi - axis.tick0) / step + 1e-9)) + 1)]
    labels = [f"{v:,.{decimals}f}" for v in values]
    if lang == "da":
        labels = [s.replace(",", "\0").replace(".", ",").replace("\0", ".") for s in labels]
    return values, labels


# ---------------------------------------------------------------------- the target chart
def test_target_chart_layers(store):
    fig = figure(store, "eud_share", "da")
    t = traces(fig)
    assert t["Planlagt forløb (grå stiplet linje)"].line.dash == "dash"
    assert t["Fremskrivning ved nuværende tempo (orange prikket linje)"].line.dash == "dot"
    assert list(t["Mål (grøn stjerne)"].x) == [2025] and list(t["Mål (grøn stjerne)"].y) == [30]
    assert t["Mål (grøn stjerne)"].marker.symbol == "star"
    illustrative = t["Eksempeldata, ikke målt (åben grå cirkel)"]
    # Drawn as an open (white-filled) circle, so the legend's words match what is seen.
    assert illustrative.marker.color == "white" and illustrative.marker.line.color == charts.GREY
    assert list(illustrative.x) == list(range(2015, 2022))
    assert list(t["Målt (blå prik)"].x) == [2022, 2023]
    texts = [a.text for a in fig.layout.annotations]
    assert "Mangler: 17 procentpoint" in texts and "Mål 2025: 30 %" in texts
    # One "eksempel" label for the run of illustrative years, not one per point.
    assert texts.count("eksempel") == 1
    assert fig.layout.separators == ",."


def test_projection_starts_at_the_latest_observation(store):
    """DK2020: 27 measured in 2024; the dotted line starts there, not at a fitted value below it."""
    for target_id in ("dk2020_climate_plans", "stem_admissions", "eud_share", "renewable_electricity_share"):
        detail = views.target_detail(store, target_id, None, 2026)
        fig = charts.target_figure(detail, "en")
        projection = traces(fig)["Projection at the current pace (orange dotted line)"]
        latest = detail.series.sort_values("year").iloc[-1]
        assert (projection.x[0], projection.y[0]) == (int(latest["year"]), latest["value"])
        assert projection.x[-1] == detail.status["target_year"]
        assert projection.y[-1] == pytest.approx(detail.status["projected_value"])
    dk = traces(figure(store, "dk2020_climate_plans", "da"))["Fremskrivning ved nuværende tempo (orange prikket linje)"]
    assert (dk.x[0], dk.y[0]) == (2024, 27)


#: The colour words a reader would use for the target chart's colours (the legend must say them).
COLOUR_WORDS = {
    "da": {charts.BLUE: "blå", charts.GREY: "grå", charts.GREEN: "grøn", charts.VERMILLION: "orange",
           charts.BROWN: "brun"},
    "en": {charts.BLUE: "blue", charts.GREY: "grey", charts.GREEN: "green", charts.VERMILLION: "orange",
           charts.BROWN: "brown"},
}


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_legend_names_the_colour_each_trace_is_drawn_in(store, lang):
    """The memo prints the chart without hover: "orange dotted line" must be the orange dotted line."""
    seen = set()
    for target_id in SEED_TARGETS:
        for trace in figure(store, target_id, lang).data:
            if trace.showlegend is False:
                continue
            colour = trace.marker.line.color if trace.mode == "markers" and trace.marker.color == "white" else \
                (trace.marker.color if trace.mode == "markers" else trace.line.color)
            word = COLOUR_WORDS[lang][colour]
            assert word in trace.name.split("(")[-1], (target_id, trace.name, colour)
            seen.add(trace.name)
    # every legend entry of the target chart occurs in the seed's charts
    assert len(seen) == 7, seen
    assert len({COLOUR_WORDS[lang][c] for c in COLOUR_WORDS[lang]}) == 5


@pytest.mark.parametrize("lang", ["da", "en"])
def test_numbers_in_the_readers_format_never_si_prefixes(store, lang):
    for target_id in SEED_TARGETS:
        fig = figure(store, target_id, lang)
        y = fig.layout.yaxis
        assert y.tickformat.startswith(",.") and y.tickformat.endswith("f") and "s" not in y.tickformat
        assert fig.layout.separators == Lang(lang).separators
        values, labels = tick_labels(y, lang)
        assert len(labels) >= 3 and len(set(labels)) == len(labels), (target_id, labels)
        assert not any("k" in s for s in labels)
    values, labels = tick_labels(figure(store, "stem_admissions", lang).layout.yaxis, lang)
    assert ("16.000" if lang == "da" else "16,000") in labels


def test_fractional_ticks_use_the_decimal_comma_in_danish():
    axis = charts.value_axis([0.2, 0.9])
    assert axis["tickformat"] == ",.1f"
    fig = charts._layout(charts.go.Figure(), "", "", Lang("da"), False, charts._Frame.of(400, False))
    fig.update_yaxes(**axis)
    assert tick_labels(fig.layout.yaxis, "da")[1] == ["0,2", "0,4", "0,6", "0,8"]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_x_ticks_are_whole_years_each_once(store, lang):
    for target_id in SEED_TARGETS:
        x = figure(store, target_id, lang).layout.xaxis
        assert x.tickformat == "d" and x.tickmode == "linear"
        assert float(x.dtick).is_integer() and x.dtick >= 1 and float(x.tick0).is_integer()


def test_one_point_series_is_a_marker_on_a_readable_axis(store):
    """NEET has one observation (20,000 in 2021): no '20,001k / 20,0005k', no '2021, 2021, 2022'."""
    fig = figure(store, "neet_youth", "da")
    markers = [t for t in fig.data if t.mode == "markers"]
    assert len(markers) == 1 and list(markers[0].x) == [2021] and list(markers[0].y) == [20000]
    lo, hi = fig.layout.yaxis.range
    assert lo <= 20000 * 0.9 and hi >= 20000 * 1.1 and lo >= 0
    assert [a.text for a in fig.layout.annotations if a.name == "value_label"] == ["20.000 personer (2021)"]
    values, labels = tick_labels(fig.layout.yaxis, "da")
    assert "20.000" in labels and all(float(v).is_integer() for v in values)
    x = fig.layout.xaxis
    assert x.range[0] <= 2020.5 and x.range[1] >= 2021.5 and x.dtick == 1 and x.tickformat == "d"
    years = [y for y in range(math.ceil(x.range[0]), math.floor(x.range[1]) + 1)]
    assert 2021 in years and len(years) == len(set(years))


def test_series_is_cut_at_the_as_of_year(store):
    fig = figure(store, "stem_admissions", "da", as_of=2019)
    shown = [x for t in fig.data if t.mode == "markers" and "stjerne" not in t.name for x in t.x]
    assert shown and max(shown) == 2019


def test_series_break_is_annotated(store):
    fig = figure(store, "waste_recycling", "en")
    assert any(a.text == "series break" for a in fig.layout.annotations)
    assert fig.layout.separators == ".,"


# ---------------------------------------------------------------------- legibility
def all_figures(store, lang, large=False):
    if (id(store), lang, large) in _all:
        return _all[(id(store), lang, large)]
    rows = views.explorer_rows(store, 2026, lang, views.Filters())
    figs = [figure(store, t, lang, large=large) for t in SEED_TARGETS]
    detail = views.target_detail(store, "stem_admissions", None, 2026)
    figs += [charts.geography_figure(detail, lang, large=large), charts.gap_scatter(rows, lang, large=large),
             charts.pace_figure(rows, lang, large=large)]
    _all[(id(store), lang, large)] = figs
    return figs


def font_sizes(fig):
    lay = fig.layout
    sizes = [lay.xaxis.tickfont.size, lay.yaxis.tickfont.size, lay.legend.font.size, lay.font.size]
    sizes += [a.font.size for a in lay.annotations]
    return sizes


@pytest.mark.parametrize("lang", ["da", "en"])
def test_text_is_dark_and_large_enough(store, lang):
    for fig in all_figures(store, lang):
        lay = fig.layout
        for colour in [lay.xaxis.tickfont.color, lay.yaxis.tickfont.color, lay.font.color, lay.legend.font.color]:
            assert charts.contrast_ratio(colour) >= 4.5, colour
        for a in lay.annotations:
            assert charts.contrast_ratio(a.font.color) >= 4.5, (a.text, a.font.color)
        assert min(font_sizes(fig)) >= 14


def test_presentation_mode_fonts_are_at_least_18(store):
    for fig in all_figures(store, "da", large=True):
        assert min(font_sizes(fig)) >= 18, fig.layout.title.text
        assert fig.layout.title.font.size >= 18


def test_line_and_marker_colours_have_3_to_1_on_white(store):
    assert charts.contrast_ratio("#E69F00") < 3 and charts.contrast_ratio("#56B4E9") < 3  # why they are darkened
    for fig in all_figures(store, "en"):
        for t in fig.data:
            line = getattr(t, "line", None)
            for colour in (line.color if line else None, t.marker.color):
                if isinstance(colour, str) and colour.startswith("#"):
                    assert charts.contrast_ratio(colour) >= 3, (t.name, colour)


def test_each_status_has_its_own_symbol_and_its_colour():
    assert set(TARGET_STATUSES) <= set(charts.STATUS_SYMBOLS)
    symbols = [charts.STATUS_SYMBOLS[s] for s in TARGET_STATUSES]
    assert len(set(symbols)) == len(symbols) and "not_met" in TARGET_STATUSES


# ---------------------------------------------------------------------- labels never overlap
def label_boxes(fig, canvas):
    """Each annotation's box in px on the canvas, from its position, anchors and estimated size."""
    boxes = []
    for a in fig.layout.annotations:
        if a.yref == "paper" or a.xref == "paper":
            continue
        x, y = (a.ax, a.ay) if a.showarrow else (a.x, a.y)
        px, py = canvas.px(x, y)
        w, h = charts.text_size(a.text, a.font.size)
        xa = "center" if a.showarrow else a.xanchor
        ya = "middle" if a.showarrow else a.yanchor
        left = {"left": px, "center": px - w / 2, "right": px - w}[xa]
        top = {"top": py, "middle": py - h / 2, "bottom": py - h}[ya]
        boxes.append((a.text, charts._Box(left + 1, top + 1, left + w - 1, top + h - 1)))
    return boxes


@pytest.mark.parametrize("width", [charts.PLOT_WIDTH, 1100])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_labels_cover_no_marker_and_no_other_label(store, lang, width):
    rows = views.explorer_rows(store, 2026, lang, views.Filters())
    figs = [figure(store, t, lang) for t in SEED_TARGETS] + [charts.gap_scatter(rows, lang)]
    figs += [figure(store, t, lang, large=True) for t in ("stem_admissions", "dk2020_climate_plans")]
    for fig in figs:
        lay = fig.layout
        plot_height = lay.height - lay.margin.t - lay.margin.b
        canvas = charts._Canvas(tuple(lay.xaxis.range), tuple(lay.yaxis.range), width=width, height=plot_height)
        boxes = label_boxes(fig, canvas)
        for i, (text, box) in enumerate(boxes):
            for other_text, other in boxes[i + 1:]:
                assert not box.overlaps(other), (lay.title.text, text, other_text)
            for t in fig.data:
                if t.mode and "markers" in t.mode:
                    for x, y in zip(t.x, t.y):
                        px, py = canvas.px(x, y)
                        assert not box.contains(px, py), (lay.title.text, text, t.name, x, y)


# ---------------------------------------------------------------------- the explorer
def test_gap_scatter_points_are_labelled_and_use_shapes(store):
    rows = views.explorer_rows(store, 2026, "da", views.Filters())
    fig = charts.gap_scatter(rows, "da")
    t = traces(fig)
    assert list(t["Efter planen (stiplet diagonal)"].x) == [0, 100]
    on_track = t["▲ på rette vej"]
    assert on_track.marker.symbol == "triangle-up"
    assert on_track.marker.color == STATUS_COLOURS["on_track"]
    assert {c[0] for c in on_track.customdata} == {"renewable_electricity_share", "district_heating_co2_neutral",
                                                    "dk2020_climate_plans", "stem_admissions"}
    points = [tr for tr in fig.data if tr.mode == "markers"]
    assert len({tr.marker.symbol for tr in points}) == len(points)   # one shape per status
    # Every point carries its short name, and a label with it is drawn on the chart.
    labels = [a.text for a in fig.layout.annotations if a.name == "point_label"]
    texts = [text for tr in points for text in tr.text]
    assert sorted(labels) == sorted(texts) and len(texts) == sum(len(tr.x) for tr in points)
    assert all(0 < len(text) <= 29 for text in texts)
    assert "STEM-optag" in texts and "Vind- og solandel af el" in texts  # the seed's short names (short_name_da)
    assert fig.layout.legend.title.text == "Status (form og farve):"
    assert fig.layout.xaxis.ticksuffix == " %" and charts.gap_scatter(rows, "en").layout.xaxis.ticksuffix == "%"


def test_short_names_come_from_the_table_else_the_name_cut_at_a_word():
    L = Lang("en")
    assert charts.short_name({"short_name_da": "EUD-valg", "short_name_en": "EUD choice", "name_en": "x"}, L) == \
        "EUD choice"
    assert charts.short_name({"short_name_da": "EUD-valg", "short_name_en": None, "name_en": "x"}, L) == "EUD-valg"
    cut = charts.short_name({"name_en": "Young people not in employment or education"}, L)
    assert cut == "Young people not in…" and "Young people not in employment".startswith(cut[:-1])


def test_pace_figure_compares_needed_and_actual(store):
    rows = views.explorer_rows(store, 2024, "en", views.Filters())  # before EUD's deadline (2025)
    fig = charts.pace_figure(rows, Lang("en"))
    names = [t.name for t in fig.data]
    assert names == ["Change needed a year from now (hatched)", "Actual change a year, recent years (solid)"]
    assert "Young people choosing vocational education (EUD)" in list(fig.data[0].y)
    assert fig.layout.xaxis.tickformat.endswith("f")
    # Once the deadline has passed there is no "change needed from now" to draw for it.
    after = charts.pace_figure(views.explorer_rows(store, 2026, "en", views.Filters()), Lang("en"))
    assert "Young people choosing vocational education (EUD)" not in list(after.data[0].y)


def test_charts_take_plain_data_and_import_neither_views_nor_the_store():
    tree = ast.parse(Path(charts.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | \
        {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {"metrics.views", "metrics.store"} & imported


@pytest.mark.skipif(not shutil.which("chromium"), reason="PNG export needs Debian's chromium")
def test_png_export(store):
    fig = figure(store, "eud_share", "da")
    png = charts.figure_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert int.from_bytes(png[20:24], "big") == fig.layout.height   # the figure's own height


def test_a_frozen_figure_gives_streamlit_the_same_spec_as_the_figure(store):
    """Streamlit's path (return_figure_from_figure_or_data, then to_json) writes the same JSON."""
    import plotly.io as pio
    import plotly.tools

    fig = figure(store, "eud_share")
    frozen = charts.frozen(fig)
    assert charts.frozen(frozen) is frozen
    as_streamlit = [pio.to_json(plotly.tools.return_figure_from_figure_or_data(f, validate_figure=True), validate=False)
                    for f in (fig, frozen)]
    assert as_streamlit[0] == as_streamlit[1]
    assert frozen.layout.height == fig.layout.height and len(frozen.data) == len(fig.data)


def test_every_chart_carries_the_lean_template_drawn_as_plotly_white(store):
    """What a chart sends the browser: plotly_white's look (colours, axes, hover labels) without
    its defaults for trace types these charts never draw, so each rerun sends a fifth of it."""
    import json

    import plotly.io as pio

    white = pio.templates["plotly_white"].layout
    for fig in (figure(store, "eud_share"), charts.gap_scatter(views.explorer_rows(store, 2026, Lang.of("da"),
                                                                                   views.Filters()), Lang.of("da"))):
        template = fig.layout.template
        assert set(template.data.to_plotly_json()) <= {"scatter", "bar"}
        assert {t.type for t in fig.data} <= {"scatter", "bar"}  # every trace drawn has its defaults
        for key in ("font", "colorway", "plot_bgcolor", "paper_bgcolor", "xaxis", "yaxis", "hoverlabel"):
            assert template.layout[key] == white[key]
        assert len(json.dumps(template.to_plotly_json())) < 1500  # plotly_white's own: 6,600 characters


def test_a_crowded_gap_scatter_leaves_its_points_unlabelled_and_named_on_hover(store):
    rows = views.explorer_rows(store, 2026, "da", views.Filters((), (), ()))
    many = pd.concat([rows] * (charts.SCATTER_LABEL_LIMIT // len(rows) + 1), ignore_index=True)
    fig = charts.gap_scatter(many, "da")
    assert not [a for a in fig.layout.annotations if a.name == "point_label"]
    assert sum(len(t.customdata) for t in fig.data if t.customdata is not None) == len(
        many.dropna(subset=["distance_covered", "time_elapsed"]))


# ---------------------------------------------------------------------- user text is drawn as written
HOSTILE_GEO = '<a href="https://evil.example">Gentofte</a> %{y}'
HOSTILE_NAME = '<b style="color:red">EUD</b> & <span style="font-size:80px">stor</span>'
HOSTILE_UNIT = '<i>%</i>'
HOSTILE_SOURCE = '<a href="javascript:alert(1)">DST</a>'


def _hover(template: str, trace, i: int) -> str:
    """The hover Plotly draws for point ``i``: the template with its fields filled in."""
    def field(m: re.Match) -> str:
        name, index = m.group(1), m.group(2)
        if name == "customdata":
            value = trace.customdata[i]
            return str(value[int(index)] if index is not None else value)
        return str(getattr(trace, name)[i])
    return re.sub(r"%\{(\w+)(?:\[(\d+)\])?\}", field, template)


def _drawn_texts(fig) -> tuple[list[str], list[str]]:
    """What Plotly draws as pseudo-HTML (titles, legend names, annotations, ticks, point texts and
    every point's filled-in hover), and the hover templates themselves."""
    drawn: list[str] = []
    templates: list[str] = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in {"text", "ticktext"}:
            drawn.append(node)
    walk(fig.layout.to_plotly_json())
    for trace in fig.data:
        drawn.append(trace.name or "")
        walk(trace.to_plotly_json().get("text"), "text")
        template = getattr(trace, "hovertemplate", None)
        if template:
            templates.append(template)
            drawn += [_hover(template, trace, i) for i in range(len(trace.x if trace.x is not None else []))]
    return drawn, templates


def test_user_text_in_a_chart_is_drawn_as_written_never_as_markup(store):
    """A geography, name, unit or source uploaded with markup shows as those characters, never as a
    link or styling (Plotly reads <a>, <b>, <span style> in every text it draws), and a "%{y}" in a
    geography is never read as a hover field; the click still gets the geography as stored."""
    import dataclasses

    detail = views.target_detail(store, "eud_share", None, 2026)
    target = dict(detail.target, name_da=HOSTILE_NAME, name_en=HOSTILE_NAME, unit=HOSTILE_UNIT, unit_en=HOSTILE_UNIT)
    series = detail.series.assign(source=HOSTILE_SOURCE)
    others = detail.all_series.assign(geography=detail.all_series["geography"].where(
        detail.all_series["geography"] != detail.geography, HOSTILE_GEO))
    hostile = dataclasses.replace(detail, target=target, geography=HOSTILE_GEO, series=series, all_series=others)
    rows = views.explorer_rows(store, 2024, "da", views.Filters())
    rows = rows.assign(geography=HOSTILE_GEO, name=HOSTILE_NAME, short_name_da=HOSTILE_NAME)
    figures = {
        "target": charts.target_figure(hostile, "da"),
        "geographies": charts.geography_figure(hostile, "da"),
        "scatter": charts.gap_scatter(rows, "da"),
        "pace": charts.pace_figure(rows, Lang("da")),
    }
    for what, fig in figures.items():
        drawn, templates = _drawn_texts(fig)
        joined = "\n".join(drawn)
        for tag in ("<a ", "<b>", "<b ", "<span", "<i>"):
            assert tag not in joined, (what, tag, [t for t in drawn if tag in t][:3])
        assert "&lt;" in joined, what  # the characters are there, escaped, not dropped
        assert all("Gentofte" not in t and "&lt;" not in t for t in templates), (what, templates)
    assert "&lt;a href" in figures["target"].layout.title.text
    assert figures["target"].layout.yaxis.title.text == "&lt;i&gt;%&lt;/i&gt;"
    assert any(HOSTILE_GEO == t.customdata[0][1] for t in figures["scatter"].data if t.mode == "markers")
    point = {"customdata": list(next(t for t in figures["scatter"].data if t.mode == "markers").customdata[0])}
    assert views.selected_target({"selection": {"points": [point]}}, rows)[1] == HOSTILE_GEO
