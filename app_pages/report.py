"""Status memo and exports: the committee memo in four formats, the numbers to take away, a backup.

Every file is built when its button is clicked (``data=callable``), from the store as it is
then; nothing is prepared on page load. The callables run outside the script (no st.* inside).
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from metrics import backup, export, memo
from app_pages._auth import current_actor
from app_pages import _commentary
from app_pages._shared import as_of, get_store, lang, stop_if_empty, tr

store = get_store()
language = lang()
year = as_of()
st.title(tr("report.title"))

stop_if_empty(store)

st.markdown(tr("report.intro", year=year))

st.header(tr("report.memo"))
left, right = st.columns(2)
memo_lang = left.segmented_control(tr("report.language"), options=["da", "en"], default=language,
                                   format_func=_commentary.label, key="memo_lang") or language
detail = right.selectbox(tr("report.detail"), list(memo.DETAILS), key="memo_detail",
                         format_func=lambda d: tr(f"report.detail.{d}", n=memo.FULL_LIMIT))
icons = {"pdf": ":material/picture_as_pdf:", "docx": ":material/description:", "html": ":material/html:",
         "md": ":material/article:"}
for column, fmt in zip(st.columns(len(memo.FORMATS)), memo.FORMATS):
    column.download_button(
        tr(f"report.download.{fmt}"), data=partial(memo.memo_bytes, store, fmt, year, memo_lang, detail),
        file_name=memo.file_name(year, memo_lang, fmt), mime=memo.MIME_TYPES[fmt], icon=icons[fmt],
        key=f"memo_{fmt}", on_click="ignore", width="stretch",
    )

st.header(tr("report.exports"))
st.caption(tr("report.exports_help", year=year))
c1, c2, c3 = st.columns(3)
c1.download_button(tr("report.xlsx"), data=partial(export.status_workbook, store, year, language),
                   file_name=f"status_{year}.xlsx", mime=export.XLSX_MIME, icon=":material/table_view:",
                   key="export_xlsx", on_click="ignore", width="stretch")
c2.download_button(tr("report.csv"), data=partial(export.status_csv, store, year, language),
                   file_name=f"status_{year}.csv", mime="text/csv", icon=":material/download:",
                   key="export_csv", on_click="ignore", width="stretch")
c3.download_button(tr("report.obs_csv"), data=partial(export.observations_csv, store, language),
                   file_name="observations.csv", mime="text/csv", icon=":material/download:",
                   key="export_obs_csv", on_click="ignore", width="stretch")

st.header(tr("report.backup"))
actor = current_actor(store)
if actor.may("restore"):
    st.download_button(tr("report.backup_button"), data=partial(backup.backup_zip, store),
                       file_name="malspor-backup.zip", mime="application/zip", icon=":material/backup:",
                       key="backup_zip", on_click="ignore")
    st.caption(tr("report.backup_help"))
else:
    st.caption(tr("report.backup_admin_only", role=tr(f"role.{actor.role}")))

st.header(tr("report.focus_commentary"))
areas = store.focus_areas()
names = {r.focus_area_id: language.pick(r.name_da, r.name_en) for r in areas.itertuples()}
chosen = st.selectbox(tr("report.choose_focus"), list(names), format_func=names.get, key="memo_focus_area")
if chosen:
    _commentary.show(store, year=year, focus_area_id=chosen)
