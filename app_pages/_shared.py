"""What every page shares: the open store, language, 'as of' year, cached views, safe rendering.

Not a page itself (the leading underscore); the navigation in ``dashboard.py`` lists the pages.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from metrics import charts, i18n, progress, views
from metrics.database import open_store
from metrics.model import MalsporError
from metrics.seed import seed
from metrics.store import Store, default_db_path

log = logging.getLogger("malspor")

#: Static CSS for presentation mode (a meeting room, 1280x720 to 1920x1080): body text 1.3rem, key
#: numbers more than twice that, tables and captions at least 18 px, no sidebar, a compact header,
#: and the exit button fixed at the right end of the top bar, beside (never under) the navigation.
#: Contains no user text.
PRESENTATION_CSS = """
<style>
section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"],
  [data-testid="stExpandSidebarButton"] {display: none !important;}
div[data-testid="stAppViewContainer"] .block-container {max-width: 100% !important;
  padding: 4.5rem 2.5rem 6rem 2.5rem !important;}
div[data-testid="stAppViewContainer"] {font-size: 1.3rem;}
div[data-testid="stMarkdownContainer"] p, div[data-testid="stMarkdownContainer"] li,
  div[data-testid="stWidgetLabel"] p, div[data-testid="stExpander"] summary p,
  div[data-testid="stButton"] button p, div[data-testid="stDownloadButton"] button p {font-size: 1.3rem;}
div[data-testid="stCaptionContainer"], div[data-testid="stCaptionContainer"] p {font-size: 1.15rem;}
[data-testid="stMain"] input, [data-testid="stMain"] textarea, div[data-baseweb="select"] div,
  div[role="listbox"] li, div[data-testid="stRadio"] label p {font-size: 1.3rem !important;}
h1 {font-size: 2.1rem !important; padding-top: 0 !important; padding-bottom: 0.25rem !important;}
h2 {font-size: 1.9rem !important; padding-top: 0.75rem !important;}
h3 {font-size: 1.6rem !important;}
div[data-testid="stMetricValue"], div[data-testid="stMetricValue"] * {font-size: 3rem !important; line-height: 1.15;}
[data-testid="stMetricLabel"] p {font-size: 1.3rem !important;}
dl.ms-figures dd {font-size: 3rem !important; line-height: 1.15;}
dl.ms-figures dt {font-size: 1.3rem !important;}
.ms-section p {font-size: 1.3rem !important;}
p.ms-caption, .ms-section p.ms-caption {font-size: 1.15rem !important;}
table.ms-table {font-size: 1.3rem !important;}
.ms-summary .ms-summary-line {font-size: 1.6rem !important;}
.ms-summary .ms-key {font-size: 3.25rem !important;}
.ms-summary .ms-summary-sub {font-size: 1.3rem !important;}
.st-key-overview_status button p {font-size: 1.3rem !important;}
.st-key-overview_status button p strong {font-size: 2.75rem !important;}
.st-key-present_exit {position: fixed !important; top: 0.6rem; right: 3.75rem; z-index: 1000001;
  width: auto !important;}
.st-key-present_exit button {background: #FFFFFF; border: 2px solid #0B4F8A; min-height: 2.5rem;}
</style>
"""

#: The overview's CSS: the summary's key number, the count in each status tile, a severity-coloured
#: edge on each status cell (the icon and words carry the meaning; colour repeats it), and column
#: widths that keep the whole table on screen at 1440 px. Built from constants only, no user text.
OVERVIEW_CSS = "<style>\n" + "\n".join([
    ".ms-summary {margin: 0 0 0.25rem;}",
    ".ms-summary .ms-summary-line {font-size: 1.35rem; font-weight: 600; line-height: 1.2; margin: 0; color: #1A1A1A;}",
    ".ms-summary .ms-key {font-size: 2.75rem; font-weight: 700; color: #0B4F8A; margin-right: 0.15rem;}",
    ".ms-summary .ms-summary-sub {margin: 0.2rem 0 0; color: #4A4A4A;}",
    ".st-key-overview_status button[data-variant=pills] {height: auto; padding: 0.2rem 0.85rem;}",
    ".st-key-overview_status button[data-variant=pills] p {line-height: 1.25; margin: 0;}",
    ".st-key-overview_status button p strong {font-size: 1.6em; line-height: 1; margin-right: 0.3em;"
    " vertical-align: -0.08em;}",
    "table.ms-table td.ms-status {border-left: 6px solid #6B6B6B;}",
    *(f"table.ms-table td.ms-status-{status} {{border-left-color: {colour};}}"
      for status, colour in i18n.STATUS_COLOURS.items()),
    ".ms-targets table.ms-table th:nth-child(1) {width: 30%;}",
    ".ms-targets table.ms-table th:nth-child(2) {width: 15%;}",
    ".ms-targets table.ms-table th:nth-child(3) {width: 12%;}",
    ".ms-targets table.ms-table th:nth-child(4) {width: 7%;}",
    ".ms-targets table.ms-table th:nth-child(6) {width: 120px;}",
    ".ms-behind table.ms-table th:nth-child(1) {width: 38%;}",
    ".ms-behind table.ms-table th:nth-child(2) {width: 30%;}",
    ".ms-monitored table.ms-table th:nth-child(1) {width: 38%;}",
    ".ms-monitored table.ms-table th:nth-child(4) {width: 120px;}",
    ".st-key-overview_jump {border-top: 1px solid rgba(49, 51, 63, 0.2); padding-top: 1.5rem; margin-top: 0.5rem;}",
]) + "\n</style>"


class _Built(str):
    """HTML that ``metrics`` built and escaped, handed to ``st.html`` as it is (its ``_repr_html_``)."""

    def _repr_html_(self) -> str:
        return str(self)


def html(body: str, **kwargs: object) -> None:
    """``st.html`` for HTML the app built (escaped in ``metrics.html_table`` and its kind).

    Given a plain string, Streamlit dedents and strips the whole text first (``textwrap.dedent``,
    regular expressions over every line), which changes nothing in HTML made here and cost 4 % of
    the server's time on a first page load (py-spy, new sessions opening the overview, whose
    themes are one element of 20 kB). An object with ``_repr_html_`` is taken as it is.
    """
    st.html(_Built(body), **kwargs)


def md(text: object) -> str:
    """Text from the data (a theme's or target's name) made safe for Streamlit's Markdown: shown as written.

    Escaping alone is not enough: GitHub-flavoured Markdown turns a bare ``http://…``, ``www.…``
    or ``name@host`` into a live link even when its characters are escaped. An invisible word
    joiner (U+2060) after the scheme, after ``www`` and before ``@`` breaks that, and the text
    still reads (and is read aloud) as written.
    """
    value = "" if text is None else str(text)
    value = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + "\u2060" + m.group(0)[-1], value)
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in value)


#: Where GFM would start an autolink: a scheme before ":", "www" before ".", a word before "@".
_AUTOLINK = re.compile(r"(?i)(?:\b(?:https?|ftp|mailto|file|javascript|data):|\bwww\.|\w@)")


_MD_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:")


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    return open_store(path, seed=seed)


def _store_or_stop() -> Store:
    """The process's one store (created and seeded on first use); stops the page with a message on failure."""
    try:
        return _open_store(str(default_db_path()))
    except MalsporError as exc:
        L = i18n.Lang.of(st.session_state.get("lang"))
        st.error(f"{i18n.t('app.db_error', L)} {md(exc.render(L))}")
        st.stop()
        raise  # unreachable: st.stop() raises


@dataclass
class Run:
    """What one script run reads once and every call of the run shares: the store, the language,
    the 'as of' year and presentation mode.

    Why: a page asks for these dozens of times (every ``tr`` asks for the language and the mode),
    and each ask went through Streamlit's session state and its resource cache; with a committee's
    fifty sessions that was a tenth of the server's time.
    """

    store: Store
    lang: i18n.Lang
    year: int
    present: bool


_this = threading.local()  # Streamlit runs each script run on a thread of its session's own


def _read_run() -> Run:
    state = st.session_state
    return Run(store=_store_or_stop(), lang=i18n.Lang.of(state.get("lang")),
               year=int(state.get("as_of", progress.current_year())), present=bool(state.get("present", False)))


def begin_run() -> Run:
    """Read store, language, year and mode for this run (the frame calls it first thing)."""
    _this.run = None
    _this.run = run = _read_run()
    return run


def end_run() -> None:
    """Forget this run's values (the frame calls it last), so callbacks before the next run read afresh."""
    _this.run = None


def this_run() -> Run:
    """This run's values; outside a run begun by the frame (a callback), read afresh each time."""
    run = getattr(_this, "run", None)
    return run if run is not None else _read_run()


def fragment(func):  # noqa: ANN001, ANN201 - a decorator
    """``st.fragment`` whose own reruns (a click inside it, the frame not run) begin and end a run too."""
    @functools.wraps(func)
    def run_fragment(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if getattr(_this, "run", None) is not None:  # inside the frame's run
            return func(*args, **kwargs)
        begin_run()
        try:
            return func(*args, **kwargs)
        finally:
            end_run()
    return st.fragment(run_fragment)


def get_store() -> Store:
    """The process's one store (created and seeded on first use); stops the page with a message on failure."""
    return this_run().store


def stop_if_empty(store: Store) -> None:
    """An empty database: say how to load the action plan's targets, and render nothing more."""
    if views.shared_view(store, "is_empty", compute=store.is_empty):
        st.info(tr("overview.empty"))
        st.stop()


def lang() -> i18n.Lang:
    """The chosen language, bound once per request (Danish by default): pass it down, never a code."""
    return this_run().lang


def as_of() -> int:
    """The 'as of' year every page respects (default: this year)."""
    return this_run().year


def tr(key: str, **kwargs: object) -> str:
    """Translate in the chosen language.

    In presentation mode the sidebar is hidden, so a text that sends the reader there has a
    variant ``<key>.present`` that says how to get back to it; that variant is used instead.
    """
    run = this_run()
    if run.present and f"{key}.present" in i18n.TEXTS:
        key = f"{key}.present"
    return i18n.t(key, run.lang, **kwargs)


def presenting() -> bool:
    return this_run().present


def link_year() -> int | None:
    """The 'as of' year for links (None for this year, the default, so links stay short)."""
    year = as_of()
    return None if year == progress.current_year() else year


# ---------------------------------------------------------------------- shared views
# Computed once per data version (the store's generation, which every committed write bumps) and
# shared by every session (metrics.cache): fifty viewers of the same overview cost one computation.
def overview_rows() -> pd.DataFrame:
    run = this_run()
    store, year, L = run.store, run.year, run.lang
    return views.shared_view(store, "overview", year, L.code, compute=lambda: views.overview_rows(store, year, L))


def changes() -> views.Changes:
    run = this_run()
    store, year, L = run.store, run.year, run.lang
    return views.shared_view(store, "changes", year, L.code,
                             compute=lambda: views.changes_since_previous_import(store, year, L))


def explorer_rows(filters: views.Filters) -> pd.DataFrame:
    run = this_run()
    store, year, L = run.store, run.year, run.lang
    return views.shared_view(store, "explorer", year, L.code, filters,
                             compute=lambda: views.explorer_rows(store, year, L, filters))


def shared(name: str, *key: object, compute):
    """Any value of a page (a target's detail, a chart) computed once per data version, year,
    language and presentation mode, and shared by every session showing the same thing.

    The value is read-only: every session gets the same object (frames as shallow copies).
    """
    run = this_run()
    return views.shared_view(run.store, name, run.year, run.lang.code, run.present, *key, compute=compute)


def shared_figure(name: str, *key: object, compute):
    """A Plotly figure shared like :func:`shared`, frozen so a rerun does not convert it again."""
    return shared(name, *key, compute=lambda: charts.frozen(compute()))


def store_table(name: str):
    """``store.themes()``, ``store.targets()`` or ``store.geographies()``, read once per data version
    (not on every rerun of every session) and shared read-only."""
    store = get_store()
    return views.shared_view(store, "store", name, compute=getattr(store, name))


def theme_names() -> dict[str, str]:
    """Each theme's name in the chosen language, in the plan's order."""
    L = lang()
    return views.shared_view(get_store(), "theme_names", L.code, compute=lambda: {
        t.theme_id: L.pick(t.name_da, t.name_en) for t in store_table("themes").itertuples()})


def tracked_tabs(labels: list[str], key: str) -> list:
    """``st.tabs`` whose content is built only while open, and that keep the reader's tab by position.

    Streamlit knows tracked tabs by their labels: a language switch (other labels) or a target
    with one tab fewer made new tabs, and the reader was back on the first. When the labels change,
    the tab at the same position is chosen for the new ones (so "Tabel" stays "Table" in English and
    stays open on the next target); the first when there is none there.
    """
    remembered = f"_{key}_last"
    last = st.session_state.get(remembered)
    if last is not None and last[0] != tuple(labels):
        index = last[1]
        st.session_state[key] = labels[index] if index < len(labels) else labels[0]
    tabs = st.tabs(labels, key=key, on_change="rerun")
    st.session_state[remembered] = tuple(labels), next((i for i, tab in enumerate(tabs) if tab.open), 0)
    return tabs


def open_target(target_id: str, geography: str | None = None) -> None:
    """Go to the target page for one target (and geography)."""
    params = {"target": target_id}
    if geography:
        params["geo"] = geography
    st.switch_page("app_pages/target.py", query_params=params)
