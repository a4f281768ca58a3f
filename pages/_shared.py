"""What every page shares: the open store, the language and the 'as of' year.

Not a page itself (the leading underscore); the navigation in ``dashboard.py`` lists the pages.
"""

from __future__ import annotations

import streamlit as st

from metrics import i18n, progress
from metrics.model import MalsporError
from metrics.store import Store, default_db_path


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    return Store.open(path)


def get_store() -> Store:
    """The process's one store (created and seeded on first use); stops the page with a message on failure."""
    try:
        return _open_store(str(default_db_path()))
    except MalsporError as exc:
        st.error(f"{i18n.t('app.db_error', lang())} {exc}")
        st.stop()
        raise  # unreachable: st.stop() raises


def lang() -> str:
    """The chosen language, Danish by default."""
    value = st.session_state.get("lang", i18n.DEFAULT_LANGUAGE)
    return value if value in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def as_of() -> int:
    """The 'as of' year every page respects (default: this year)."""
    return int(st.session_state.get("as_of", progress.current_year()))


def tr(key: str, **kwargs: object) -> str:
    """Translate in the chosen language."""
    return i18n.t(key, lang(), **kwargs)
