"""One target: its series against the glide path, the numbers behind the status, its initiatives.

Reachable by a link such as ``target?target=eud_share&geo=Region+Hovedstaden``. Everything
shown is as of the chosen year: the series stops there, as the status and the memo do.
"""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from metrics import charts, export, html_table, marks, views
from metrics.html_table import Cell, Column
from app_pages import _commentary
from app_pages._shared import (html, as_of, tracked_tabs, get_store, lang, link_year, md, presenting, shared, shared_figure,
                               stop_if_empty, store_table)

store = get_store()
L = lang()
st.title(L.t("target.title"))

stop_if_empty(store)


def frame_html(frame: pd.DataFrame, label: str) -> str:
    """A frame of formatted texts as an accessible HTML table (all text escaped)."""
    columns = [Column(str(c), str(c)) for c in frame.columns]
    return html_table.table(columns, frame.astype(str).to_dict("records"), label=label)


names = shared("target_names", compute=lambda: {
    r.target_id: L.pick(r.name_da, r.name_en) for r in store_table("targets").itertuples()})
requested = st.query_params.get("target")
if requested and requested not in names:
    st.warning(md(L.t("target.unknown", target=requested)))
ids = list(names)
chosen = st.selectbox(L.t("target.choose"), ids, index=ids.index(requested) if requested in names else 0,
                      format_func=names.get, key=f"target_choice_{requested}")
if chosen != requested:
    st.query_params["target"] = chosen
    if "geo" in st.query_params:
        del st.query_params["geo"]

geo_asked = st.query_params.get("geo")
detail = shared("target_detail", chosen, geo_asked, compute=lambda: views.target_detail(store, chosen, geo_asked, as_of()))
target, status = detail.target, detail.status
if len(detail.geographies) > 1:
    choose = st.radio if len(detail.geographies) <= 5 else st.selectbox
    extra = {"horizontal": True, "format_func": md} if choose is st.radio else {}  # radio labels are Markdown
    geo = choose(L.t("target.geography"), detail.geographies, index=detail.geographies.index(detail.geography),
                 key=f"geo_{chosen}_{detail.geography}", **extra)
    if geo != detail.geography:
        st.query_params["geo"] = geo
        st.rerun()

measured = status is not None and not pd.isna(status.get("latest_year"))


def head() -> str:
    """The target's name, description and source, its status and key figures: one block of HTML
    (with the page's table CSS, constant), built once per data version and shared."""
    note = L.pick(target["note_da"], target["note_en"])
    focus = L.pick(target.get("focus_area_da"), target.get("focus_area_en"))
    body = (html_table.subheading(f"{L.t('col.status')}: {marks.status_line(status, L)}")
            + html_table.key_figures(views.key_figures(status, target, L))) if measured else ""
    if (detail.series["data_class"] == "I").any():  # beside the status it qualifies, in the same block
        body += html_table.note(L.t("target.illustrative_warning"))
    return html_table.TABLE_CSS + html_table.section(
        names[chosen], body, text=L.pick(target.get("description_da"), target.get("description_en")) or "",
        caption=f"{L.t('target.focus_area')}: {focus} · {L.t('target.source')}: {target['source']}"
                + (f" · {note}" if note else ""))


html(shared("target_head", chosen, detail.geography, compute=head))
if not measured:
    st.info(L.t("target.no_observations", geo=md(detail.geography)))

figure = shared_figure("target_figure", chosen, detail.geography,
                compute=lambda: charts.target_figure(detail, L, large=presenting(), as_of=as_of()))


def series_csv() -> bytes:
    """The series as the CSV a reader downloads (built on the first download, not on every rerun)."""
    buffer = io.StringIO()
    export.safe_csv(views.series_csv_frame(detail), buffer)
    return buffer.getvalue().encode("utf-8")


def compare_table() -> str:
    """Every geography of the target side by side, each a link to its own page."""
    compare = views.decorate(detail.all_status, L)
    return html_table.table(
        [Column("geography", L.t("col.geography")), Column("latest", L.t("col.latest")),
         Column("goal", L.t("col.goal"), css="nowrap"), Column("status", L.t("col.status")),
         Column("data", L.t("col.data"))],
        [{"geography": Cell(r["geography"], href=views.target_link(chosen, r["geography"], L, link_year(),
                                                                    presenting())),
          "latest": r["latest"], "goal": r["goal"], "status": marks.status_line(r, L), "data": r["data"]}
         for r in compare.to_dict("records")],
        label=L.t("target.compare"))


# Tracked tabs: the chart, the numbers, and (a target measured in several places) the places side by
# side, each with its own download. Only the open tab's content is built and sent: a viewer who never
# opens the table or the comparison costs the server nothing for them on any rerun. Not a fragment:
# its container would be one more element on every rerun of every session, while a tab switch
# rerunning the whole page costs one reader one rerun.
compared = len(detail.geographies) > 1
labels = [L.t("target.chart"), L.t("target.table")] + ([L.t("target.compare")] if compared else [])
chart_tab, table_tab, *compare_tab = tracked_tabs(labels, "target_view")
if chart_tab.open:
    with chart_tab:
        st.plotly_chart(figure, width="stretch", theme=None, key="target_chart")
        st.download_button(L.t("target.download_png"), data=lambda: charts.figure_png(figure),
                           file_name=f"{chosen}.png", mime="image/png", icon=":material/image:", key="target_png",
                           on_click="ignore")
if table_tab.open:
    with table_tab:
        if detail.series.empty:
            st.caption(L.t("target.no_observations", geo=md(detail.geography)))
        else:
            html(shared("series_table", chosen, detail.geography,
                        compute=lambda: frame_html(views.series_table(detail, L), L.t("target.series_label"))))
            st.download_button(L.t("target.download_csv"), data=series_csv, file_name=f"{chosen}.csv",
                               mime="text/csv", icon=":material/download:", key="target_csv", on_click="ignore")
if compare_tab and compare_tab[0].open:
    with compare_tab[0]:
        geo_figure = shared_figure("geography_figure", chosen,
                                   compute=lambda: charts.geography_figure(detail, L, large=presenting(), as_of=as_of()))
        st.plotly_chart(geo_figure, width="stretch", theme=None, key="geo_chart")
        st.download_button(L.t("target.download_png"), data=lambda: charts.figure_png(geo_figure),
                           file_name=f"{chosen}_geographies.png", mime="image/png", icon=":material/image:",
                           key="geo_png", on_click="ignore")
        html(shared("compare_table", chosen, compute=compare_table))

# How the status is computed, right under the chart it explains.
if status is not None:
    # Tracked, so its content is built and sent only while the reader has it open.
    how = st.expander(L.t("target.how"), expanded=False, key="target_how", on_change="rerun")
    with how:
        if how.open:
            html(shared("explanation", chosen, detail.geography, compute=lambda: html_table.paragraph(
                L.t("target.how_intro")) + html_table.table(
                [Column("what", L.t("explain.what")), Column("value", L.t("col.value"))],
                [{"what": a, "value": b} for a, b in views.explanation(status, target, L)], label=L.t("target.how"))))


def initiatives() -> str:
    """The focus area's initiatives under their heading, with the total funding, as one block."""
    if detail.initiatives.empty:
        return html_table.section(L.t("target.initiatives"), caption=L.t("target.no_initiatives"))
    total = detail.initiatives["funding_dkk"].sum(min_count=1)
    return html_table.section(
        L.t("target.initiatives"), frame_html(views.initiatives_table(detail.initiatives, L), L.t("target.initiatives")),
        after=L.t("target.funding_total", total=L.num(total, decimals=0, unit="kr.")) if pd.notna(total) else "")


# The commentary, then the initiatives: one element for a reader (an analyst's form comes between them).
_commentary.show(store, year=as_of(), target_id=chosen, then=shared("initiatives", chosen, compute=initiatives))

st.page_link("app_pages/overview.py", label=L.t("target.back"))
