"""What every page shares: the open store, language, 'as of' year, cached views, safe rendering.

Not a page itself (the leading underscore); the navigation in ``dashboard.py`` lists the pages.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from metrics import i18n, progress, views
from metrics.model import MalsporError
from metrics.store import Store, default_db_path

log = logging.getLogger("malspor")

#: Static CSS for presentation mode: larger type, no sidebar. Contains no user text.
PRESENTATION_CSS = """
<style>
section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"] {display: none !important;}
div[data-testid="stAppViewContainer"] .block-container {max-width: 100% !important; padding-top: 2rem;}
div[data-testid="stAppViewContainer"] {font-size: 1.3rem;}
div[data-testid="stMarkdownContainer"] p, div[data-testid="stMarkdownContainer"] li {font-size: 1.3rem;}
h1 {font-size: 3rem !important;} h2 {font-size: 2.3rem !important;} h3 {font-size: 1.8rem !important;}
</style>
"""


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    return Store.open(path)


def get_store() -> Store:
    """The process's one store (created and seeded on first use); stops the page with a message on failure."""
    try:
        return _open_store(str(default_db_path()))
    except MalsporError as exc:
        st.error(f"{i18n.t('app.db_error', lang())} {exc.render(lang())}")
        st.stop()
        raise  # unreachable: st.stop() raises


def stop_if_empty(store: Store) -> None:
    """An empty database: say how to load the action plan's targets, and render nothing more."""
    if store.is_empty():
        st.info(tr("overview.empty"))
        st.stop()


def lang() -> i18n.Lang:
    """The chosen language, bound once per request (Danish by default): pass it down, never a code."""
    return i18n.Lang.of(st.session_state.get("lang"))


def as_of() -> int:
    """The 'as of' year every page respects (default: this year)."""
    return int(st.session_state.get("as_of", progress.current_year()))


def tr(key: str, **kwargs: object) -> str:
    """Translate in the chosen language."""
    return i18n.t(key, lang(), **kwargs)


def presenting() -> bool:
    return bool(st.session_state.get("present", False))


# ---------------------------------------------------------------------- cached views
# Keyed on the store's generation, which every committed write bumps: a cache entry can
# never outlive the data it was computed from.
@st.cache_data(show_spinner=False, max_entries=32)
def _overview(path: str, generation: int, year: int, language: str) -> pd.DataFrame:
    return views.overview_rows(_open_store(path), year, language)


@st.cache_data(show_spinner=False, max_entries=32)
def _changes(path: str, generation: int, year: int, language: str) -> views.Changes:
    return views.changes_since_previous_import(_open_store(path), year, language)


@st.cache_data(show_spinner=False, max_entries=32)
def _explorer(path: str, generation: int, year: int, language: str, filters: views.Filters) -> pd.DataFrame:
    return views.explorer_rows(_open_store(path), year, language, filters)


def overview_rows() -> pd.DataFrame:
    store = get_store()
    return _overview(str(store.path), store.generation, as_of(), lang().code)


def changes() -> views.Changes:
    store = get_store()
    return _changes(str(store.path), store.generation, as_of(), lang().code)


def explorer_rows(filters: views.Filters) -> pd.DataFrame:
    store = get_store()
    return _explorer(str(store.path), store.generation, as_of(), lang().code, filters)


def open_target(target_id: str, geography: str | None = None) -> None:
    """Go to the target page for one target (and geography)."""
    params = {"target": target_id}
    if geography:
        params["geo"] = geography
    st.switch_page("app_pages/target.py", query_params=params)
