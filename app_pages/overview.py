"""Overview for leadership: which targets are on track, which are not, and why.

From the top: how many targets are met or on track (and how many indicators are only
monitored), the status tiles that filter the page (kept in the URL as ``?status=…``), the
targets furthest behind and why (the memo's ranking), every target theme by theme, and the
monitored indicators apart. The tables are real HTML tables (``metrics.html_table``): names
wrap instead of being cut, every status carries its marks in words, and each name is a link
that keeps the language, year and presentation mode.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from metrics import export, html_table, memo, views
from app_pages._shared import (html, fragment, OVERVIEW_CSS, as_of, changes, get_store, lang, link_year, md, open_target,
                               overview_rows, presenting, shared, stop_if_empty, theme_names, tr)

esc = html_table.esc
store = get_store()
L = lang()
present = presenting()
st.title(tr("overview.title"))

stop_if_empty(store)

# The status table is fetched only inside the shared computations (each runs once per data version):
# a rerun of a page already computed copies no frame.
year = link_year()
total = shared("overview_summary", compute=lambda: views.summary(overview_rows()))
monitored_text = ("" if not total["monitored"] else tr("overview.summary_monitored_one") if total["monitored"] == 1
                  else tr("overview.summary_monitored_many", m=total["monitored"]))
html(  # the page's constant CSS (no user text) and the summary line: one element
    html_table.TABLE_CSS + OVERVIEW_CSS + '<div class="ms-summary"><p class="ms-summary-line">'
    f'<span class="ms-key">{esc(tr("overview.summary_count", on=total["good"], n=total["targets"]))}</span> '
    f'{esc(tr("overview.summary_rest"))}</p>'
    + (f'<p class="ms-summary-sub">{esc(monitored_text)}</p>' if monitored_text else "") + "</div>"
)

# From the tiles down in one fragment: choosing a status reruns this part only, not the page frame.
@fragment
def targets_and_tiles() -> None:
    """The status tiles, the targets furthest behind, every target by theme, and what lies below."""
    # The status tiles: icon, words and count per status; choosing some filters the targets below.
    counts = dict(shared("overview_status_counts", compute=lambda: views.status_counts(overview_rows())))
    if "overview_status" not in st.session_state:  # first run on this page: the choice a link carries
        st.session_state["overview_status"] = [s for s in views.status_filter(st.query_params.get_all("status"))
                                               if s in counts]
    chosen = tuple(s for s in st.pills(tr("overview.filter"), list(counts), selection_mode="multi", key="overview_status",
                                       format_func=lambda s: f"**{counts[s]}** {md(L.status(s))}",
                                       help=tr("overview.filter_help")) or () if s in counts)
    if chosen:
        st.query_params["status"] = ",".join(chosen)
    elif "status" in st.query_params:
        del st.query_params["status"]
    if chosen:
        n_shown = shared("overview_shown", chosen, compute=lambda: len(views.filter_by_status(overview_rows(), chosen)))
        st.caption(tr("overview.filter_shown", shown=n_shown, n=total["targets"],
                      statuses=tr("overview.filter_or").join(L.status(s) for s in chosen)))

    # Furthest behind, and why: the memo's ranking (views.furthest_behind). Left out while a status is
    # chosen, so the chosen targets follow the tiles directly. Then every target, theme by theme, and
    # the monitored indicators: each part built once per data version and filter and shared by every
    # session, and all of it sent as one element (each element costs every rerun of every session).
    body: list[str] = []
    if not chosen:
        def behind_section() -> str:
            behind = views.behind_table(overview_rows(), L, memo.BEHIND_SHOWN, label=tr("overview.behind_title"),
                                        year=year, present=present)
            if not behind:
                return html_table.section(tr("overview.behind_title"), text=tr("overview.behind_none"))
            return html_table.section(tr("overview.behind_title"), behind, css="ms-behind",
                                      caption="" if present else tr("overview.behind_intro"))
        body.append(shared("behind_section", compute=behind_section))

    # Every target, theme by theme.
    if not present:
        body.append(html_table.paragraph(tr("overview.open_hint"), css="ms-caption"))
    themes = theme_names()

    def theme_block(theme_id: str, theme_name: str) -> str | None:
        """The theme's heading, summary line and table as one HTML block (None: filtered out)."""
        rows = overview_rows()
        shown = views.filter_by_status(rows, chosen)
        theme_rows = shown[(shown["theme"] == theme_id) & (shown["kind"] != "none")]
        all_in_theme = rows[(rows["kind"] != "none") & (rows["theme"] == theme_id)]
        if theme_rows.empty and chosen:
            return None  # filtered out: say nothing about the theme
        if all_in_theme.empty:
            return html_table.section(theme_name, caption=tr("overview.no_targets_in_theme"))
        part = views.summary(all_in_theme)
        return html_table.section(
            theme_name, views.overview_table(theme_rows, L, label=tr("overview.theme_table", theme=theme_name),
                                             year=year, present=present),
            text=tr("overview.theme_summary", on=part["good"], n=part["targets"]), css="ms-targets")

    for theme_id, theme_name in themes.items():
        # Built once per data version and filter (sparklines included), and shared by every session.
        block = shared("theme_block", theme_id, chosen, compute=partial(theme_block, theme_id, theme_name))
        if block is not None:
            body.append(block)

    # Monitored indicators apart: no target, judged by their trend.
    if total["monitored"] and not chosen:
        body.append(shared("monitored_section", compute=lambda: html_table.section(
            tr("overview.monitored_title"), views.monitored_table(
                overview_rows(), L, label=tr("overview.monitored_title"), themes=themes, year=year, present=present),
            text=tr("overview.monitored_intro"), css="ms-monitored")))
    if body:
        html("".join(body))

    # Below the targets (a line above them, OVERVIEW_CSS): find one, take the memo or the table away,
    # see what the latest import changed.
    names = shared("overview_names", compute=lambda: dict(zip(overview_rows()["target_id"], overview_rows()["name"])))
    choice = st.selectbox(tr("overview.jump"), list(names), index=None, format_func=names.get,
                          placeholder=tr("overview.jump_placeholder"), key="overview_jump")
    if choice:
        open_target(choice)

    if not present:  # a meeting room needs neither downloads nor the import log
        memo_col = xlsx_col = st.container(horizontal=True)  # one row: fewer elements than columns
        memo_col.download_button(tr("export.memo_pdf"), data=partial(memo.memo_bytes, store, "pdf", as_of(), L),
                                 file_name=memo.file_name(as_of(), L, "pdf"), mime="application/pdf",
                                 icon=":material/picture_as_pdf:", key="overview_memo", on_click="ignore")
        xlsx_col.download_button(tr("export.xlsx"), data=partial(export.status_workbook, store, as_of(), L),
                                 file_name=f"status_{as_of()}.xlsx", mime=export.XLSX_MIME, icon=":material/table_view:",
                                 key="overview_xlsx", on_click="ignore")

        # Tracked, so the comparison runs only while the panel is open (and then once per data version).
        panel = st.expander(tr("overview.changes"), expanded=False, key="overview_changes", on_change="rerun")
        with panel:
            diff = changes() if panel.open else None
            if diff is None:
                pass  # closed: nothing computed, nothing shown
            elif diff.batch is None:
                st.caption(tr("overview.changes_none"))
            else:
                b = diff.batch
                st.caption(tr("overview.changes_batch", batch=b["batch_id"], file=md(b["file_name"]), user=md(b["user_name"]),
                              time=L.date(b["created_at"], with_time=True)))
                st.markdown(f"**{tr('overview.changes_values')}**")
                html(html_table.table(
                    [html_table.Column("name", tr("col.target")), html_table.Column("geo", tr("col.geography")),
                     html_table.Column("year", tr("col.year")),
                     html_table.Column("old", tr("col.old_value"), css="num"),
                     html_table.Column("new", tr("col.new_value"), css="num")],
                    [{"name": r["name"], "geo": r["geography"], "year": L.year(r["year"]), "old": L.num(r["old_value"]),
                      "new": L.num(r["new_value"])} for r in diff.values.to_dict("records")],
                    label=tr("overview.changes_values")))
                if diff.n_values > len(diff.values):
                    st.caption(tr("overview.changes_more", shown=len(diff.values), n=L.num(diff.n_values)))
                st.markdown(f"**{tr('overview.changes_statuses')}**")
                if diff.statuses.empty:
                    st.caption(tr("overview.changes_no_status"))
                else:
                    html(html_table.table(
                        [html_table.Column("name", tr("col.target")), html_table.Column("geo", tr("col.geography")),
                         html_table.Column("change", tr("col.change"))],
                        [{"name": r["name"], "geo": r["geography"], "change": r["change"]}
                         for r in diff.statuses.to_dict("records")],
                        label=tr("overview.changes_statuses")))


targets_and_tiles()
