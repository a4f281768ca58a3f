"""One target: its series against the glide path, the numbers behind the status, its initiatives.

Reachable by a link such as ``target?target=eud_share&geo=Region+Hovedstaden``.
"""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from metrics import charts, export, i18n, views
from app_pages import _commentary
from app_pages._shared import as_of, get_store, lang, stop_if_empty, tr

store = get_store()
language = lang()
st.title(tr("target.title"))

stop_if_empty(store)
targets = store.targets()

names = {r.target_id: (r.name_da if language == "da" else r.name_en) for r in targets.itertuples()}
requested = st.query_params.get("target")
if requested and requested not in names:
    st.warning(tr("target.unknown", target=requested))
ids = list(names)
chosen = st.selectbox(tr("target.choose"), ids, index=ids.index(requested) if requested in names else 0,
                      format_func=names.get, key=f"target_choice_{requested}")
if chosen != requested:
    st.query_params["target"] = chosen
    if "geo" in st.query_params:
        del st.query_params["geo"]

detail = views.target_detail(store, chosen, st.query_params.get("geo"), as_of())
target, status = detail.target, detail.status
if len(detail.geographies) > 1:
    choose = st.radio if len(detail.geographies) <= 5 else st.selectbox
    extra = {"horizontal": True} if choose is st.radio else {}
    geo = choose(tr("target.geography"), detail.geographies, index=detail.geographies.index(detail.geography),
                 key=f"geo_{chosen}_{detail.geography}", **extra)
    if geo != detail.geography:
        st.query_params["geo"] = geo
        st.rerun()

st.header(names[chosen])
description = target["description_da"] if language == "da" else target["description_en"]
if isinstance(description, str) and description:
    st.markdown(description)
focus = target["focus_area_da"] if language == "da" else target["focus_area_en"]
st.caption(f"{tr('target.focus_area')}: {focus} · {tr('target.source')}: {target['source']}"
           + (f" · {target['note']}" if isinstance(target["note"], str) and target["note"] else ""))

if status is None or pd.isna(status.get("latest_year")):
    st.info(tr("target.no_observations", geo=detail.geography))
else:
    unit = views.unit_of(target, language)
    st.markdown(f"### {tr('col.status')}: {views.status_text(status['status'], status['reason'], language)}")
    cols = st.columns(3)
    cols[0].metric(f"{tr('col.latest')} ({int(status['latest_year'])})",
                   i18n.fmt_number(status["latest_value"], language, unit=unit))
    if target["kind"] != "none":
        deadline = str(int(status["target_year"]))
        if status["deadline_passed"]:
            deadline += f", {tr('deadline.passed')}"
        cols[1].metric(f"{tr('col.goal')} ({deadline})", i18n.fmt_number(status["target_value"], language, unit=unit))
        cols[2].metric(tr("col.gap"), views.difference_with_unit(status["gap"], target, language))

if (detail.series["data_class"] == "I").any():
    st.warning(tr("target.illustrative_warning"))

figure = charts.target_figure(detail, language)
chart_tab, table_tab = st.tabs([tr("target.chart"), tr("target.table")])
with chart_tab:
    st.plotly_chart(figure, width="stretch", key="target_chart")
with table_tab:
    st.dataframe(views.series_table(detail, language), hide_index=True, width="stretch")

buffer = io.StringIO()
export.safe_csv(views.series_csv_frame(detail), buffer)
left, right = st.columns(2)
left.download_button(tr("target.download_csv"), buffer.getvalue().encode("utf-8"), file_name=f"{chosen}.csv",
                     mime="text/csv", icon=":material/download:")
right.download_button(tr("target.download_png"), data=lambda: charts.figure_png(figure), file_name=f"{chosen}.png",
                      mime="image/png", icon=":material/image:")

_commentary.show(store, year=as_of(), target_id=chosen)

if status is not None:
    with st.expander(tr("target.how"), expanded=False):
        st.markdown(tr("target.how_intro"))
        lines = views.explanation(status, target, language)
        st.table(pd.DataFrame(lines, columns=["", " "]).set_index(""))

if len(detail.geographies) > 1:
    st.header(tr("target.compare"))
    geo_figure = charts.geography_figure(detail, language)
    st.plotly_chart(geo_figure, width="stretch", key="geo_chart")
    st.download_button(tr("target.download_png"), data=lambda: charts.figure_png(geo_figure),
                       file_name=f"{chosen}_geographies.png", mime="image/png", icon=":material/image:",
                       key="geo_png", on_click="ignore")
    compare = views.decorate(detail.all_status, language)
    st.dataframe(compare[["geography", "latest", "goal", "status_text", "data"]].rename(columns={
        "geography": tr("col.geography"), "latest": tr("col.latest"), "goal": tr("col.goal"),
        "status_text": tr("col.status"), "data": tr("col.data")}), hide_index=True, width="stretch")

st.header(tr("target.initiatives"))
if detail.initiatives.empty:
    st.caption(tr("target.no_initiatives"))
else:
    st.dataframe(views.initiatives_table(detail.initiatives, language), hide_index=True, width="stretch")
    total = detail.initiatives["funding_dkk"].sum(min_count=1)
    if pd.notna(total):
        st.caption(tr("target.funding_total", total=i18n.fmt_number(total, language, decimals=0, unit="kr.")))

st.page_link("app_pages/overview.py", label=tr("target.back"))
