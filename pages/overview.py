"""Overview for leadership: every target grouped by theme, with its status."""

from __future__ import annotations

import streamlit as st

from metrics import i18n, views
from pages._shared import as_of, get_store, lang, tr

store = get_store()
language = lang()
st.title(tr("overview.title"))

if store.is_empty():
    st.info(tr("overview.empty"))
    st.stop()

overview = views.overview_rows(store, as_of(), language)
summary = views.summary(overview)
st.subheader(tr("overview.summary", on=summary["good"], n=summary["targets"]))

for theme in store.themes().itertuples():
    st.header(theme.name_da if language == "da" else theme.name_en)
    rows = overview[overview["theme"] == theme.theme_id]
    if rows.empty:
        st.caption(tr("overview.no_targets_in_theme"))
        continue
    st.dataframe(
        rows[["name", "geography", "latest", "goal", "deadline", "status_text", "data"]].rename(
            columns={
                "name": tr("col.target"), "geography": tr("col.geography"), "latest": tr("col.latest"),
                "goal": tr("col.goal"), "deadline": tr("col.deadline"), "status_text": tr("col.status"),
                "data": tr("col.data"),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if (rows["data_class"].isin(["I", "mixed"]) & rows["has_illustrative"]).any():
        st.caption("⚠ " + tr("overview.illustrative_note"))
