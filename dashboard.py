"""Målspor dashboard: navigation, language and 'as of' year, and the database connection.

Run with ``streamlit run dashboard.py``; the DuckDB file is created and seeded on first run.
"""

from __future__ import annotations

import streamlit as st

from metrics import i18n, progress
from pages._shared import get_store, tr

st.set_page_config(page_title="Målspor", page_icon="🎯", layout="wide")

# Language: Danish by default, English one click away; kept in the URL so links carry it.
if "lang" not in st.session_state:
    st.session_state["lang"] = st.query_params.get("lang", i18n.DEFAULT_LANGUAGE)
    if st.session_state["lang"] not in i18n.LANGUAGES:
        st.session_state["lang"] = i18n.DEFAULT_LANGUAGE

store = get_store()

with st.sidebar:
    st.markdown(f"**{tr('app.title')}**  \n{tr('app.subtitle')}")
    st.segmented_control(
        tr("app.language"), options=list(i18n.LANGUAGES), key="lang",
        format_func=lambda code: {"da": "Dansk", "en": "English"}[code],
    )
    years = list(range(progress.current_year(), 1999, -1))
    if "as_of" not in st.session_state:
        st.session_state["as_of"] = progress.current_year()
    st.selectbox(tr("app.as_of"), years, key="as_of")

if st.session_state.get("lang") not in i18n.LANGUAGES:  # a deselected segmented control gives None
    st.session_state["lang"] = i18n.DEFAULT_LANGUAGE
st.query_params["lang"] = st.session_state["lang"]

page = st.navigation(
    [st.Page("pages/overview.py", title=tr("nav.overview"), icon="📊", url_path="overview", default=True)]
)
page.run()
