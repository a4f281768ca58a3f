"""Overview for leadership: which targets are on track, which are not, theme by theme."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from functools import partial

from metrics import export, i18n, report, views
from app_pages._shared import as_of, changes, get_store, lang, open_target, overview_rows, stop_if_empty, tr

store = get_store()
language = lang()
st.title(tr("overview.title"))

stop_if_empty(store)

rows = overview_rows()
total = views.summary(rows)
st.header(tr("overview.summary", on=total["good"], n=total["targets"]))

# Count per status: icon and words in each tile, never colour alone.
counts = views.status_counts(rows)
if counts:
    for col, (status, n) in zip(st.columns(len(counts)), counts):
        col.metric(i18n.status_label(status, language), n)

# Take it away: the committee memo and the status table, built on click.
memo_col, xlsx_col, _ = st.columns([1, 1, 2])
memo_col.download_button(tr("export.memo_pdf"), data=partial(report.memo_bytes, store, "pdf", as_of(), language),
                         file_name=report.file_name(as_of(), language, "pdf"), mime="application/pdf",
                         icon=":material/picture_as_pdf:", key="overview_memo", on_click="ignore")
xlsx_col.download_button(tr("export.xlsx"), data=partial(export.status_workbook, store, as_of(), language),
                         file_name=f"status_{as_of()}.xlsx", mime=export.XLSX_MIME, icon=":material/table_view:",
                         key="overview_xlsx", on_click="ignore")

# Jump straight to a target (keyboard-friendly; the tables below can be clicked too).
names = dict(zip(rows["target_id"], rows["name"]))
choice = st.selectbox(tr("overview.jump"), list(names), index=None, format_func=names.get,
                      placeholder=tr("overview.jump_placeholder"), key="overview_jump")
if choice:
    open_target(choice)

with st.expander(tr("overview.changes"), expanded=False):
    diff = changes()
    if diff.batch is None:
        st.caption(tr("overview.changes_none"))
    else:
        b = diff.batch
        st.caption(tr("overview.changes_batch", batch=b["batch_id"], file=b["file_name"], user=b["user_name"],
                      time=pd.Timestamp(b["created_at"]).strftime("%d.%m.%Y %H:%M")))
        st.markdown(f"**{tr('overview.changes_values')}**")
        st.dataframe(pd.DataFrame({
            tr("col.target"): diff.values["name"], tr("col.geography"): diff.values["geography"],
            tr("col.year"): diff.values["year"].astype(str),
            tr("col.old_value"): [i18n.fmt_number(v, language) for v in diff.values["old_value"]],
            tr("col.new_value"): [i18n.fmt_number(v, language) for v in diff.values["new_value"]],
        }), hide_index=True, width="stretch")
        if diff.n_values > len(diff.values):
            st.caption(tr("overview.changes_more", shown=len(diff.values), n=i18n.fmt_number(diff.n_values, language)))
        st.markdown(f"**{tr('overview.changes_statuses')}**")
        if diff.statuses.empty:
            st.caption(tr("overview.changes_no_status"))
        else:
            st.dataframe(pd.DataFrame({
                tr("col.target"): diff.statuses["name"], tr("col.geography"): diff.statuses["geography"],
                tr("col.change"): diff.statuses["change"],
            }), hide_index=True, width="stretch")

st.caption(tr("overview.open_hint"))
columns = {
    "name": tr("col.target"), "latest": tr("col.latest"), "goal": tr("col.goal"), "deadline": tr("col.deadline"),
    "status_text": tr("col.status"), "trend": tr("col.trend"), "geography": tr("col.geography"),
    "data": tr("col.data"), "link": tr("col.open"),
}
for theme in store.themes().itertuples():
    st.header(theme.name_da if language == "da" else theme.name_en)
    theme_rows = rows[rows["theme"] == theme.theme_id].reset_index(drop=True)
    if theme_rows.empty:
        st.caption(tr("overview.no_targets_in_theme"))
        continue
    part = views.summary(theme_rows)
    if part["targets"]:
        st.markdown(tr("overview.theme_summary", on=part["good"], n=part["targets"]))
    event = st.dataframe(
        theme_rows[list(columns)].rename(columns=columns),
        hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
        key=f"overview_{theme.theme_id}",
        column_config={
            columns["trend"]: st.column_config.LineChartColumn(columns["trend"], width="small"),
            columns["link"]: st.column_config.LinkColumn(columns["link"], display_text="→", width="small"),
            columns["name"]: st.column_config.TextColumn(columns["name"], width="large"),
        },
    )
    picked = views.selected_target(event, theme_rows)
    if picked:
        open_target(*picked)
    if theme_rows["has_illustrative"].any():
        st.caption("⚠ " + tr("overview.illustrative_note"))
