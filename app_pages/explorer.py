"""Gap explorer for committees: every target's gap, filters kept in the URL, what it would take."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import charts, export, i18n, views
from metrics.model import TARGET_STATUSES
from app_pages._shared import explorer_rows, get_store, lang, open_target, stop_if_empty, tr

store = get_store()
language = lang()
st.title(tr("explorer.title"))
st.caption(tr("explorer.intro"))

stop_if_empty(store)

themes = store.themes()
theme_names = {t.theme_id: (t.name_da if language == "da" else t.name_en) for t in themes.itertuples()}
geos = store.geographies()
query = {key: st.query_params.get_all(key) for key in ("theme", "status", "geo")}
filters = views.Filters.from_query(query, list(theme_names), geos)

c1, c2, c3 = st.columns(3)
chosen_themes = c1.multiselect(tr("explorer.filter_theme"), list(theme_names), default=list(filters.themes),
                               format_func=theme_names.get, key="f_theme", placeholder=tr("explorer.all"))
chosen_status = c2.multiselect(tr("explorer.filter_status"), list(TARGET_STATUSES), default=list(filters.statuses),
                               format_func=lambda s: i18n.status_label(s, language), key="f_status",
                               placeholder=tr("explorer.all"))
chosen_geos = c3.multiselect(tr("explorer.filter_geo"), geos, default=list(filters.geographies), key="f_geo",
                             placeholder=tr("explorer.own_geography"))
filters = views.Filters(tuple(chosen_themes), tuple(chosen_status), tuple(chosen_geos))
for key in ("theme", "status", "geo"):  # keep the URL in step with the filters
    value = filters.to_query().get(key)
    if value:
        st.query_params[key] = value
    elif key in st.query_params:
        del st.query_params[key]

rows = explorer_rows(filters)
if rows.empty:
    st.info(tr("explorer.nothing"))
    st.stop()
st.caption(tr("explorer.count", n=len(rows)))

table = pd.DataFrame({
    tr("col.target"): rows["name"], tr("col.geography"): rows["geography"],
    tr("col.gap"): rows["gap_text"], tr("col.distance"): rows["distance_covered"].astype("float64") * 100,
    tr("col.time"): rows["time_elapsed"].astype("float64") * 100, tr("col.ratio"): rows["ratio"].astype("float64"),
    tr("col.status"): rows["status_text"], tr("col.deadline"): rows["deadline"],
})
decimal, thousands = (",", ".") if language == "da" else (".", ",")
styled = table.style.format(
    {tr("col.distance"): "{:.0f} %", tr("col.time"): "{:.0f} %", tr("col.ratio"): "{:.2f}"},
    decimal=decimal, thousands=thousands, na_rep="–",
)
event = st.dataframe(styled, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                     key="explorer_table",
                     column_config={tr("col.target"): st.column_config.TextColumn(width="medium")})
picked = views.selected_target(event, rows)
if picked:
    open_target(*picked)
st.download_button(tr("export.csv"), data=lambda: export.frame_csv(table), file_name="gap_explorer.csv",
                   mime="text/csv", icon=":material/download:", key="explorer_csv", on_click="ignore")

st.header(tr("explorer.scatter_title"))
st.caption(tr("explorer.scatter_help"))
scatter = charts.gap_scatter(rows, language, title="")
scatter_event = st.plotly_chart(scatter, width="stretch", on_select="rerun",
                                selection_mode="points", key="explorer_scatter")
st.download_button(tr("target.download_png"), data=lambda: charts.figure_png(scatter), file_name="gap_scatter.png",
                   mime="image/png", icon=":material/image:", key="explorer_scatter_png", on_click="ignore")
picked = views.selected_target(scatter_event, rows)
if picked:
    open_target(*picked)

st.header(tr("explorer.pace_title"))
st.caption(tr("explorer.pace_help"))
pace_chart, pace_table = st.tabs([tr("target.chart"), tr("explorer.table")])
with pace_chart:
    pace = charts.pace_figure(rows, language, title="")
    st.plotly_chart(pace, width="stretch", key="explorer_pace")
    st.download_button(tr("target.download_png"), data=lambda: charts.figure_png(pace), file_name="pace.png",
                       mime="image/png", icon=":material/image:", key="explorer_pace_png", on_click="ignore")
with pace_table:
    st.dataframe(pd.DataFrame({
        tr("col.target"): rows["name"], tr("col.geography"): rows["geography"],
        tr("col.needed"): [i18n.fmt_number(v, language, decimals=1, unit="%") if pd.notna(v) else "–" for v in rows["needed_pct"]],
        tr("col.actual"): [i18n.fmt_number(v, language, decimals=1, unit="%") if pd.notna(v) else "–" for v in rows["actual_pct"]],
        tr("col.status"): rows["status_text"],
    }), hide_index=True, width="stretch")
