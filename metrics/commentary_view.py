"""The commentary block as readers see it (target page, Status memo page): one HTML element.

Its heading, the current text with its byline (or a line saying there is none yet), the
earlier versions in a native disclosure (``<details>``: opened with Enter or Space, announced
as collapsed or expanded) and, for a reader who may not write, the line that says why there is
no form. Every text from a user (the commentary, its author) is escaped; its line breaks are kept.

Why one element: each element a page sends costs the server the same whatever its size, so a
committee's fifty viewers are served quicker with this block as one element than as the 3 + 2
per earlier version it was (``st.subheader``, ``st.markdown``, ``st.caption``, ``st.expander``).

    >>> from metrics.i18n import Lang
    >>> da = Lang.of("da")
    >>> html = block(None, (), year=2026, lang=da, t=lambda key, **kw: da.t(key, **kw))
    >>> "<h3>Status og indsats 2026</h3>" in html and "Ingen kommentar" in html
    True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from metrics.commentary import Comment
from metrics.html_table import TABLE_CSS, esc
from metrics.i18n import Lang
from metrics.memo import format_time

#: The disclosure of earlier versions, drawn as Streamlit's expander is (constant, no user text).
COMMENTARY_CSS = """<style>
.ms-commentary details {border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: 0.5rem 1rem;
  margin: 0 0 1rem;}
.ms-commentary summary {cursor: pointer; padding: 0.25rem 0;}
.ms-commentary summary:focus-visible {outline: 3px solid #1A1A1A; outline-offset: 2px;}
.ms-commentary details[open] summary {margin-bottom: 0.75rem;}
.ms-commentary .ms-version p {margin: 0 0 0.5rem;}
</style>"""


def text_html(text: str) -> str:
    """A user's text as one paragraph: escaped, each line break a ``<br>``.

    >>> text_html("Første linje <b>\\nanden **linje**")
    '<p>Første linje &lt;b&gt;<br>anden **linje**</p>'
    """
    return "<p>" + "<br>".join(esc(line) for line in text.split("\n")) + "</p>"


def _caption(text: str) -> str:
    return f'<p class="ms-caption">{esc(text)}</p>'


def block(current: Comment | None, versions: Sequence[Comment], *, year: int, lang: Lang,
          t: Callable[..., str], reader_line: str | None = None) -> str:
    """The commentary of one subject for ``year`` as one HTML block.

    ``current`` is the text shown (None: none yet), ``versions`` every version of the year,
    newest first; ``t(key, **kwargs)`` translates (the page's, with its presentation-mode
    variants); ``reader_line`` is the sentence for a reader who may not write (None for one
    who may: the form follows the block).
    """
    byline = lambda c: t("commentary.byline", author=c.author, time=format_time(c.created_at, lang.code))  # noqa: E731
    parts = [f"<h3>{esc(t('commentary.title', year=year))}</h3>"]
    if current is None:
        parts.append(_caption(t("commentary.none", year=year)))
    else:
        if current.lang != lang.code:
            parts.append(_caption(t("commentary.other_language", language=t(f"lang.{current.lang}"))))
        parts += [text_html(current.text), _caption(byline(current))]
    if len(versions) > 1 or (versions and current is None):
        earlier = "".join(
            f'<div class="ms-version">{_caption(byline(v) + " · " + t(f"lang.{v.lang}"))}'
            f'{text_html(v.text) if v.text else _caption(t("commentary.withdrawn"))}</div>'
            for v in versions)
        parts.append(f"<details><summary>{esc(t('commentary.history', n=len(versions)))}</summary>{earlier}</details>")
    if reader_line:
        parts.append(_caption(reader_line))
    return TABLE_CSS + COMMENTARY_CSS + '<section class="ms-section ms-commentary">' + "".join(parts) + "</section>"
