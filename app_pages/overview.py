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
from app_pages._shared import (OVERVIEW_CSS, as_of, changes, get_store, lang, link_year, md, open_target,
                               overview_rows, presenting, shared, stop_if_empty, theme_names, tr)

esc = html_table.esc
store = get_store()
L = lang()
present = presenting()
st.html(html_table.TABLE_CSS + OVERVIEW_CSS)  # constant CSS, no user text
st.title(tr("overview.title"))

stop_if_empty(store)

rows = overview_rows()
year = link_year()
total = shared("overview_summary", compute=lambda: views.summary(rows))
monitored_text = ("" if not total["monitored"] else tr("overview.summary_monitored_one") if total["monitored"] == 1
                  else tr("overview.summary_monitored_many", m=total["monitored"]))
st.html(
    '<div class="ms-summary"><p class="ms-summary-line">'
    f'<span class="ms-key">{esc(tr("overview.summary_count", on=total["good"], n=total["targets"]))}</span> '
    f'{esc(tr("overview.summary_rest"))}</p>'
    + (f'<p class="ms-summary-sub">{esc(monitored_text)}</p>' if monitored_text else "") + "</div>"
)

# From the tiles down in one fragment: choosing a status reruns this part only, not the page frame.
@st.fragment
def targets_and_tiles() -> None:
    """The status tiles, the targets furthest behind, every target by theme, and what lies below."""
    # The status tiles: icon, words and count per status; choosing some filters the targets below.
    counts = dict(shared("overview_status_counts", compute=lambda: views.status_counts(rows)))
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
    shown = shared("overview_shown", chosen, compute=lambda: views.filter_by_status(rows, chosen))
    if chosen:
        st.caption(tr("overview.filter_shown", shown=len(shown), n=total["targets"],
                      statuses=tr("overview.filter_or").join(L.status(s) for s in chosen)))

    # Furthest behind, and why: the memo's ranking (views.furthest_behind). Left out while a status is
    # chosen, so the chosen targets follow the tiles directly.
    if not chosen:
        st.header(tr("overview.behind_title"))
        behind = shared("behind_table", compute=lambda: views.behind_table(
            rows, L, memo.BEHIND_SHOWN, label=tr("overview.behind_title"), year=year, present=present))
        if behind:
            if not present:
                st.caption(tr("overview.behind_intro"))
            st.html(f'<div class="ms-behind">{behind}</div>')
        else:
            st.markdown(tr("overview.behind_none"))

    # Every target, theme by theme.
    if not present:
        st.caption(tr("overview.open_hint"))
    themes = theme_names()

    def theme_block(theme_id: str, theme_name: str) -> tuple[bool, str | None, str | None]:
        """(shown at all, the theme's summary line, its table's HTML), computed once per data version."""
        theme_rows = shown[(shown["theme"] == theme_id) & (shown["kind"] != "none")]
        all_in_theme = rows[(rows["kind"] != "none") & (rows["theme"] == theme_id)]
        if theme_rows.empty and chosen:
            return False, None, None  # filtered out: say nothing about the theme
        if all_in_theme.empty:
            return True, None, None
        part = views.summary(all_in_theme)
        return True, tr("overview.theme_summary", on=part["good"], n=part["targets"]), (
            '<div class="ms-targets">' + views.overview_table(
                theme_rows, L, label=tr("overview.theme_table", theme=theme_name), year=year, present=present) + "</div>")

    for theme_id, theme_name in themes.items():
        # The summary and the table's HTML (sparklines included) are built once per data version and shared.
        visible, theme_summary, table = shared("theme_block", theme_id, chosen,
                                               compute=partial(theme_block, theme_id, theme_name))
        if not visible:
            continue
        st.header(md(theme_name))
        if table is None:
            st.caption(tr("overview.no_targets_in_theme"))
            continue
        st.markdown(theme_summary)
        st.html(table)

    # Monitored indicators apart: no target, judged by their trend.
    if total["monitored"] and not chosen:
        st.header(tr("overview.monitored_title"))
        st.markdown(tr("overview.monitored_intro"))
        st.html(shared("monitored_table", compute=lambda: '<div class="ms-monitored">' + views.monitored_table(
            rows, L, label=tr("overview.monitored_title"), themes=themes, year=year, present=present) + "</div>"))

    # Below the targets: find one, take the memo or the table away, see what the latest import changed.
    st.divider()
    names = shared("overview_names", compute=lambda: dict(zip(rows["target_id"], rows["name"])))
    choice = st.selectbox(tr("overview.jump"), list(names), index=None, format_func=names.get,
                          placeholder=tr("overview.jump_placeholder"), key="overview_jump")
    if choice:
        open_target(choice)

    if not present:  # a meeting room needs neither downloads nor the import log
        memo_col, xlsx_col = st.columns(2)
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
                st.html(html_table.table(
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
                    st.html(html_table.table(
                        [html_table.Column("name", tr("col.target")), html_table.Column("geo", tr("col.geography")),
                         html_table.Column("change", tr("col.change"))],
                        [{"name": r["name"], "geo": r["geography"], "change": r["change"]}
                         for r in diff.statuses.to_dict("records")],
                        label=tr("overview.changes_statuses")))


targets_and_tiles()
