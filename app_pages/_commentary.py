"""The commentary block of the target page and the Status memo page: current text, history, and a form.

Not a page itself (the leading underscore). The role check that counts is ``Store.write``;
here the form is only hidden, with a sentence saying why, from users who may not write.
What everyone reads is one HTML element (:mod:`metrics.commentary_view`, every user text escaped);
messages that carry user text here are Markdown-escaped.
"""

from __future__ import annotations


import streamlit as st

from metrics import commentary, commentary_view, i18n, views
from app_pages._auth import current_actor, display_name
from metrics.model import MalsporError, ValidationError
from metrics.store import Store
from app_pages._shared import html, lang, md, tr

def plain(text: str) -> str:
    """User text for st.markdown: escaped line by line (``_shared.md``), line breaks kept."""
    return "  \n".join(md(line) for line in text.split("\n"))


def show(store: Store, *, year: int, target_id: str | None = None, focus_area_id: str | None = None,
         then: str = "") -> None:
    """The commentary of one target or focus area for ``year``, its earlier versions, and (for analysts) a form.

    ``then``: HTML the page shows next (built and escaped in ``metrics``); for a reader it goes out in
    the commentary's own element, one element fewer on every rerun, and after the form for a writer.
    """
    language = lang().code  # a code: it is stored with the text
    key = target_id or f"fa_{focus_area_id}"
    current, versions = views.shared_view(
        store, "commentary", year, target_id, focus_area_id, language,
        compute=lambda: commentary.shown(store, year=year, target_id=target_id, focus_area_id=focus_area_id,
                                         lang=language))
    actor = current_actor(store)
    writer = actor.may("write_commentary")
    reader_line = None if writer else tr("commentary.viewer", user=display_name(actor, tr), role=tr(f"role.{actor.role}"))
    # One element: heading, text, byline, earlier versions and (for a reader) why there is no form.
    block = commentary_view.block(current, versions, year=year, lang=lang(), t=tr, reader_line=reader_line)
    flash = st.session_state.pop(f"commentary_saved_{key}", None)
    if not writer:
        html(block + then)
        return
    html(block)
    if flash:
        st.success(flash)
    own = current.text if current is not None and current.lang == language else ""
    with st.form(key=f"commentary_form_{key}_{year}"):
        st.markdown(f"**{tr('commentary.edit')}**")
        text = st.text_area(tr("commentary.text", year=year, language=tr(f"lang.{language}")), value=own,
                            max_chars=commentary.MAX_LENGTH, height=140, help=tr("commentary.help"),
                            key=f"commentary_text_{key}_{year}_{language}")
        submitted = st.form_submit_button(tr("commentary.save"), icon=":material/save:")
    if submitted:
        try:
            commentary.save(store, actor, year=year, text=text, target_id=target_id, focus_area_id=focus_area_id,
                            lang=language)
        except ValidationError as exc:
            for line in exc.lines(language):
                st.error(plain(line))
        except MalsporError as exc:
            st.error(plain(exc.render(language)))
        else:
            st.session_state[f"commentary_saved_{key}"] = tr("commentary.saved", author=plain(actor.name))
            st.rerun()
    if then:
        html(then)


def label(code: str) -> str:
    """A language's name in the UI language (for selectors)."""
    return i18n.t(f"lang.{code}", lang())
