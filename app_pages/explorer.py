"""Gap explorer for committees: every target's gap, filters kept in the URL, what it would take.

The tables are real HTML tables (metrics.html_table): full names that wrap, each name a link
that Tab reaches and Enter opens, every heading explained on hover, and a screen reader gets
each column as the formatted text the eye sees.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import charts, export, html_table, views
from metrics.html_table import Cell, Column
from metrics.model import TARGET_STATUSES
from app_pages._shared import (html, fragment, explorer_rows, get_store, lang, link_year, open_target, presenting, shared,
                               shared_figure, stop_if_empty, store_table, theme_names, tracked_tabs)

#: Column widths of the explorer's tables; constant CSS, no user text.
EXPLORER_CSS = """<style>
table.ms-table td.ms-name {min-width: 11em;}
table.ms-table td.ms-status {min-width: 10em;}
</style>"""

store = get_store()
L = lang()
st.title(L.t("explorer.title"))
st.caption(L.t("explorer.intro"))

stop_if_empty(store)

themes = theme_names()
geos = list(store_table("geographies"))
query = {key: st.query_params.get_all(key) for key in ("theme", "status", "geo")}
filters = views.Filters.from_query(query, list(themes), geos)


def tables(rows: pd.DataFrame) -> tuple[str, str]:
    """The gap table's and the pace table's HTML for the filtered rows (built once per filter and data version)."""
    records = rows.to_dict("records")

    def name_cell(r: dict) -> Cell:
        """The full name as a link keeping language, year and presentation mode; the geography under it."""
        return Cell(r["name"], href=views.target_link(r["target_id"], r["geography"], L, link_year(), presenting()),
                    subs=(r["geography"],), css="ms-name")

    def figure(r: dict, key: str, css: str = "num", reason: bool = True) -> Cell:
        """A formatted figure, or a dash with the reason it cannot be computed under it.

        ``reason=False`` leaves the reason to the ratio's cell and the status, so a row that cannot
        be assessed does not say the same thing four times.
        """
        why = (r.get(f"{key}_why") or "") if reason else ""
        return Cell(r[f"{key}_text"], subs=(why,) if why else (), css="" if why else css)

    def deadline(r: dict) -> str:
        passed = bool(r["deadline_passed"]) if pd.notna(r["deadline_passed"]) else False
        return L.t("target.deadline_passed" if passed else "target.deadline_open", year=L.year(r["target_year"]))

    gap_columns = [
        Column("name", L.t("col.target"), L.t("explorer.help_target")),
        Column("latest", L.t("col.latest"), L.t("explorer.help_latest")),
        Column("goal", L.t("explorer.col_goal"), L.t("explorer.help_goal")),
        Column("gap", L.t("col.gap"), L.t("explorer.help_gap")),
        Column("distance", L.t("col.distance"), L.t("explorer.help_distance")),
        Column("time", L.t("col.time"), L.t("explorer.help_time")),
        Column("ratio", L.t("col.ratio"), L.t("explorer.help_ratio")),
        Column("status", L.t("col.status"), L.t("explorer.help_status")),
    ]
    gap_rows = [{
        "name": name_cell(r), "latest": r["latest"], "goal": Cell(r["goal"], subs=(deadline(r),)),
        "gap": figure(r, "gap", css="", reason=False), "distance": figure(r, "distance", reason=False),
        "time": figure(r, "time", reason=False),
        "ratio": figure(r, "ratio"), "status": Cell(r["status_line"], css="ms-status"),
    } for r in records]

    pace_columns = [
        Column("name", L.t("col.target"), L.t("explorer.help_target")),
        Column("needed", L.t("col.needed"), L.t("explorer.help_needed")),
        Column("actual", L.t("col.actual"), L.t("explorer.help_actual")),
        Column("status", L.t("col.status"), L.t("explorer.help_status")),
    ]
    pace_rows = [{"name": name_cell(r), "needed": figure(r, "needed"), "actual": figure(r, "actual"),
                  "status": Cell(r["status_line"], css="ms-status")} for r in records]
    return (html_table.table(gap_columns, gap_rows, label=L.t("explorer.table_label")),
            html_table.table(pace_columns, pace_rows, label=L.t("explorer.pace_label")))


# Filters, tables and charts in one fragment: a filter or a click reruns this part only, not the
# page frame (sidebar, sign-in, navigation), so a committee exploring live gets its answer quicker.
@fragment
def explore(filters: views.Filters) -> None:
    """The filters, the gap table, the scatter and the pace table for the chosen filters."""
    c1 = c2 = c3 = st.container(horizontal=True)  # one row of three: fewer elements than columns
    chosen_themes = c1.multiselect(L.t("explorer.filter_theme"), list(themes), default=list(filters.themes),
                                   format_func=themes.get, key="f_theme", placeholder=L.t("explorer.all"))
    chosen_status = c2.multiselect(L.t("explorer.filter_status"), list(TARGET_STATUSES), default=list(filters.statuses),
                                   format_func=L.status, key="f_status", placeholder=L.t("explorer.all"))
    chosen_geos = c3.multiselect(L.t("explorer.filter_geo"), geos, default=list(filters.geographies), key="f_geo",
                                 placeholder=L.t("explorer.own_geography"))
    filters = views.Filters(tuple(chosen_themes), tuple(chosen_status), tuple(chosen_geos))
    for key in ("theme", "status", "geo"):  # keep the URL in step with the filters
        value = filters.to_query().get(key)
        if value:
            st.query_params[key] = value
        elif key in st.query_params:
            del st.query_params[key]

    rows = explorer_rows(filters)
    if rows.empty:
        st.info(L.t("explorer.nothing"))
        return
    gap_html, pace_html = shared("explorer_tables", filters, compute=lambda: tables(rows))
    # The rows as CSV, above their table; then the count, the tables' constant CSS, the gap table and
    # the scatter's heading: one element.
    st.download_button(L.t("export.csv"), data=lambda: export.frame_csv(views.explorer_csv_frame(rows, L)),
                       file_name=L.t("explorer.csv_name"), mime="text/csv", icon=":material/download:", key="explorer_csv", on_click="ignore")
    html(html_table.TABLE_CSS + EXPLORER_CSS
            + html_table.paragraph(L.t("explorer.count", n=len(rows)) + " · " + L.t("explorer.open_hint"),
                                   css="ms-caption") + gap_html
            + html_table.section(L.t("explorer.scatter_title"), caption=L.t("explorer.scatter_help")))
    scatter = shared_figure("gap_scatter", filters, compute=lambda: charts.gap_scatter(rows, L, title="", large=presenting()))
    scatter_event = st.plotly_chart(scatter, width="stretch", theme=None, on_select="rerun",
                                    selection_mode="points", key="explorer_scatter")
    st.download_button(L.t("target.download_png"), data=lambda: charts.figure_png(scatter), file_name="gap_scatter.png",
                       mime="image/png", icon=":material/image:", key="explorer_scatter_png", on_click="ignore")
    picked = views.selected_target(scatter_event, rows)
    if picked:
        open_target(*picked)

    html(html_table.section(L.t("explorer.pace_title"), caption=L.t("explorer.pace_help")))
    # Tracked tabs: only the chosen tab's content is built and sent (the hidden tab costs nothing per rerun).
    table_tab, chart_tab = tracked_tabs([L.t("explorer.table"), L.t("target.chart")], "explorer_pace_view")
    if table_tab.open:
        with table_tab:
            html(pace_html)
    if chart_tab.open:
        with chart_tab:
            pace = shared_figure("pace_figure", filters,
                                 compute=lambda: charts.pace_figure(rows, L, title="", large=presenting()))
            st.plotly_chart(pace, width="stretch", theme=None, key="explorer_pace")
            st.download_button(L.t("target.download_png"), data=lambda: charts.figure_png(pace), file_name="pace.png",
                               mime="image/png", icon=":material/image:", key="explorer_pace_png", on_click="ignore")


explore(filters)
