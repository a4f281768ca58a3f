"""Målspor dashboard: navigation, language and 'as of' year, and the database connection.

Run with ``streamlit run dashboard.py``; the DuckDB file is created and seeded on first run.
Language (``lang``), year (``year``) and presentation mode (``present``) live in the URL, so
a copied link opens the same view.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from metrics import i18n, progress
from metrics.model import MalsporError
from app_pages import _gc
from app_pages._auth import sign_in_panel
from app_pages._chrome import lang_script, sidebar_head
from app_pages._shared import html, PRESENTATION_CSS, begin_run, end_run, log, md, tr

# First run of a session: take language, year and presentation mode from the URL.
if "lang" not in st.session_state:
    query_lang = st.query_params.get("lang", i18n.DEFAULT_LANGUAGE)
    st.session_state["lang"] = query_lang if query_lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    this_year = progress.current_year()
    try:
        year = int(st.query_params.get("year", this_year))
    except ValueError:
        year = this_year
    st.session_state["as_of"] = min(max(year, 2000), this_year)
    st.session_state["present"] = st.query_params.get("present") == "1"
# Store, language, year and mode read once for the whole run (every page and tr() share them).
run = begin_run()
store, L = run.store, run.lang


def _keep(widget_key: str, state_key: str) -> None:
    """Copy a sidebar widget's value into the page-independent state (ignoring a deselection)."""
    value = st.session_state.get(widget_key)
    if value is not None:
        st.session_state[state_key] = value


# The widgets have keys of their own: Streamlit drops widget state on a page switch, while
# "lang", "as_of" and "present" must survive it.
with st.sidebar:
    html(sidebar_head(tr("app.title"), tr("app.subtitle")))  # the title, and the line above sign-in
    st.segmented_control(
        tr("app.language"), options=list(i18n.LANGUAGES), default=st.session_state["lang"], key="w_lang",
        format_func=lambda code: {"da": "Dansk", "en": "English"}[code], on_change=_keep, args=("w_lang", "lang"),
    )
    years = list(range(progress.current_year(), 1999, -1))
    st.selectbox(tr("app.as_of"), years, index=years.index(st.session_state["as_of"]), key="w_as_of",
                 on_change=_keep, args=("w_as_of", "as_of"))
    st.toggle(tr("app.present"), value=st.session_state["present"], key="w_present", help=tr("app.present_help"),
              on_change=_keep, args=("w_present", "present"))
    sign_in_panel(store, tr)
    # Streamlit's page always says <html lang="en">, and its own labels are English: set the chosen
    # language and give those labels Danish on a Danish page (_chrome.py). Sent on a session's first
    # run and when the language changes, not on every rerun: its observer stays in the page.
    if st.session_state.get("_lang_script") != L.code:
        st.session_state["_lang_script"] = L.code
        html(lang_script(L), unsafe_allow_javascript=True)

# Keep the shared state in the URL (defaults left out, so links stay short).
for key, value, default in (
    ("lang", st.session_state["lang"], i18n.DEFAULT_LANGUAGE),
    ("year", str(st.session_state["as_of"]), str(progress.current_year())),
    ("present", "1" if run.present else "0", "0"),
):
    if value != default:
        st.query_params[key] = value
    elif key in st.query_params:
        del st.query_params[key]



def _to_overview() -> None:
    """``/overview`` (an old link, a typed address): the overview at the root, with the link's parameters.

    Streamlit serves the default page at the root only; without this, the address showed its
    English "Page not found" dialog over the overview.
    """
    st.switch_page(st.session_state["_nav_pages"][1]["overview"], query_params=st.query_params.to_dict())


def _pages() -> dict[str, st.Page]:
    """The navigation's pages in the chosen language, made once per session, language and mode."""
    key = (L.code, run.present)
    made = st.session_state.get("_nav_pages")
    if made is None or made[0] != key:
        made = key, {
            # The default page is served at the root ("/"); a link or bookmark to /overview reaches it too.
            "overview": st.Page("app_pages/overview.py", title=tr("nav.overview"), icon=":material/dashboard:",
                                url_path="home", default=True),
            "overview_alias": st.Page(_to_overview, title=tr("nav.overview"), url_path="overview", visibility="hidden"),
            "target": st.Page("app_pages/target.py", title=tr("nav.target"), icon=":material/target:", url_path="target"),
            "explorer": st.Page("app_pages/explorer.py", title=tr("nav.explorer"), icon=":material/query_stats:",
                                url_path="explorer"),
            "report": st.Page("app_pages/report.py", title=tr("nav.report"), icon=":material/description:",
                              url_path="report"),
            "upload": st.Page("app_pages/upload.py", title=tr("nav.upload"), icon=":material/upload:", url_path="upload"),
            "admin": st.Page("app_pages/admin.py", title=tr("nav.admin"), icon=":material/admin_panel_settings:",
                             url_path="admin"),
        }
        st.session_state["_nav_pages"] = made
    return made[1]


pages = _pages()
overview, target = pages["overview"], pages["target"]
page = st.navigation(list(pages.values()), position="top" if run.present else "sidebar")
# Set once, after the navigation: each page its own title in the browser tab ("Overblik · Målspor").
st.set_page_config(page_title=tr("page.title", page=page.title), page_icon=":material/target:", layout="wide")

if run.present:
    html(PRESENTATION_CSS)  # constant CSS, no user text
    # Fixed at the right end of the top bar (PRESENTATION_CSS): always on screen, never under the navigation.
    st.button(tr("app.present_exit"), icon=":material/close_fullscreen:", key="present_exit",
              on_click=lambda: st.session_state.update(present=False, w_present=False))

# A link to the root with ?target=... opens the target page.
if page.url_path == overview.url_path and "target" in st.query_params:
    st.switch_page(target, query_params=st.query_params.to_dict())

try:
    page.run()
except ScriptControlException:
    raise  # st.stop, st.rerun and st.switch_page work by raising these
except MalsporError as exc:
    st.error(md(exc.render(L)))
except Exception:  # noqa: BLE001 - no traceback ever reaches a page
    log.exception("Unexpected error on page %s", page.url_path)
    st.error(tr("app.unexpected"))
finally:
    end_run()
    _gc.freeze_after_first_run()  # the imported code out of the collector's reach, once (_gc.py)
