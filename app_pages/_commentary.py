"""The commentary block of the target page and the Status memo page: current text, history, and a form.

Not a page itself (the leading underscore). The role check that counts is ``Store.write``;
here the form is only hidden, with a sentence saying why, from users who may not write.
User text is shown as plain text (Markdown characters escaped), never as HTML.
"""

from __future__ import annotations


import streamlit as st

from metrics import commentary, i18n, memo, views
from app_pages._auth import current_actor, display_name
from metrics.model import MalsporError, ValidationError
from metrics.store import Store
from app_pages._shared import lang, md, tr

def plain(text: str) -> str:
    """User text for st.markdown: escaped line by line (``_shared.md``), line breaks kept."""
    return "  \n".join(md(line) for line in text.split("\n"))


def show(store: Store, *, year: int, target_id: str | None = None, focus_area_id: str | None = None) -> None:
    """The commentary of one target or focus area for ``year``, its earlier versions, and (for analysts) a form."""
    language = lang().code  # a code: it is stored with the text
    key = target_id or f"fa_{focus_area_id}"
    st.subheader(tr("commentary.title", year=year))
    current, versions = views.shared_view(
        store, "commentary", year, target_id, focus_area_id, language,
        compute=lambda: commentary.shown(store, year=year, target_id=target_id, focus_area_id=focus_area_id,
                                         lang=language))
    if current is None:
        st.caption(tr("commentary.none", year=year))
    else:
        if current.lang != language:
            st.caption(tr("commentary.other_language", language=tr(f"lang.{current.lang}")))
        st.markdown(plain(current.text))
        st.caption(tr("commentary.byline", author=plain(current.author),
                      time=memo.format_time(current.created_at, language)))
    if len(versions) > 1 or (versions and current is None):
        with st.expander(tr("commentary.history", n=len(versions)), expanded=False):
            for v in versions:
                st.caption(f"{tr('commentary.byline', author=plain(v.author), time=memo.format_time(v.created_at, language))}"
                           f" · {tr(f'lang.{v.lang}')}")
                st.markdown(plain(v.text) if v.text else tr("commentary.withdrawn"))

    flash = st.session_state.pop(f"commentary_saved_{key}", None)
    if flash:
        st.success(flash)
    actor = current_actor(store)
    if not actor.may("write_commentary"):
        st.caption(tr("commentary.viewer", user=plain(display_name(actor, tr)), role=tr(f"role.{actor.role}")))
        return
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


def label(code: str) -> str:
    """A language's name in the UI language (for selectors)."""
    return i18n.t(f"lang.{code}", lang())
