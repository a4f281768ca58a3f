"""The commentary block as readers see it (metrics.commentary_view): escaped, one element, every version."""

from __future__ import annotations

import datetime as dt
import doctest

from metrics import commentary_view
from metrics.commentary import Comment
from metrics.i18n import Lang

DA, EN = Lang.of("da"), Lang.of("en")


def comment(text: str, *, lang: str = "da", author: str = "anne", minute: int = 0) -> Comment:
    return Comment(1, "eud_share", None, 2026, lang, text, author, dt.datetime(2026, 5, 12, 14, minute))


def block(current, versions, lang=DA, reader_line=None) -> str:
    return commentary_view.block(current, versions, year=2026, lang=lang, t=lambda key, **kw: lang.t(key, **kw),
                                 reader_line=reader_line)


def test_the_docstring_examples_hold():
    assert doctest.testmod(commentary_view).failed == 0


def test_user_text_and_author_are_escaped_and_line_breaks_kept():
    now = comment("Søgningen er stabil.\n<img src=x onerror=alert(1)> & **ikke fed**", author="<b>ana</b>")
    html = block(now, (now,))
    assert "<p>Søgningen er stabil.<br>&lt;img src=x onerror=alert(1)&gt; &amp; **ikke fed**</p>" in html
    assert "&lt;b&gt;ana&lt;/b&gt;, 12.05.2026 kl. 14:00" in html
    assert "<img" not in html and "<b>" not in html
    assert "<details>" not in html  # one version: nothing earlier to show


def test_earlier_versions_are_a_disclosure_newest_first_with_a_withdrawn_one_said_so():
    newest, withdrawn, first = comment("Nu.", minute=30), comment("", minute=20), comment("Først.", lang="en", minute=10)
    html = block(newest, (newest, withdrawn, first))
    assert "<summary>Tidligere versioner (3)</summary>" in html
    details = html[html.index("<details>"):]
    assert details.index("Nu.") < details.index("(trukket tilbage)") < details.index("Først.")
    assert "14:10 · engelsk" in details


def test_none_yet_other_language_and_the_readers_line():
    assert "Ingen kommentar til status pr. 2026 endnu." in block(None, ())
    english_only = comment("Only in English.", lang="en")
    html = block(english_only, (english_only,), reader_line="Kun analytikere kan skrive.")
    assert "Kommentaren findes kun på engelsk." in html
    assert html.index("Only in English.") < html.index("Kun analytikere kan skrive.")
    assert "Status and action 2026" in block(None, (), lang=EN)
