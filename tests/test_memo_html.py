"""The HTML memo (metrics.memo.html) read back; hostile text inert in every format."""

from __future__ import annotations

import html
import re

from metrics import memo as memo_mod
from tests.memo_support import YEAR, expected_statuses, _Text, docx_paragraphs, HOSTILE_NAME, _hostile, memo_da, no_cached_charts  # noqa: F401 - fixtures


def test_html_names_every_target_with_its_status_and_is_self_contained(store, memo_da):
    data = memo_mod.to_html(memo_da).decode("utf-8")
    parser = _Text()
    parser.feed(data)
    chunks = parser.chunks
    expected = expected_statuses(store)
    for name, (_, label) in expected.items():
        i = chunks.index(name)
        assert chunks[i + 1].startswith(label), (name, chunks[i + 1])
    assert 'lang="da"' in data and "Content-Security-Policy" in data
    assert "script" not in parser.tags and "link" not in parser.tags
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", data)


def test_hostile_text_is_inert_in_html_and_markdown(store):
    _hostile(store)
    memo = memo_mod.build_memo(store, YEAR, "da", charts=False)
    data = memo_mod.to_html(memo).decode()
    assert "<script" not in data.lower() and "<img src=x" not in data
    assert html.escape(HOSTILE_NAME) in data
    parser = _Text()
    parser.feed(data)
    assert "script" not in parser.tags and parser.tags.count("img") == 0
    assert HOSTILE_NAME in parser.chunks                        # shown as the text it is
    md = memo_mod.to_markdown(memo)
    assert "\\<script\\>" in md
    assert not re.search(r"(?<!\\)<", md)                          # every '<' escaped: no raw HTML
    assert not re.search(r"(?<!\\)\]\(", md)                        # no live link
    docx_text = " ".join(t for _, t in docx_paragraphs(memo_mod.to_docx(memo)))
    assert HOSTILE_NAME in docx_text                              # Word shows it as plain text
    assert memo_mod.to_pdf(memo)[:5] == b"%PDF-"


def test_html_is_rendered_with_autoescape_and_each_target_block_kept_together(store, memo_da):
    from metrics.memo import html as memo_html

    assert memo_html._environment().autoescape is True
    data = memo_mod.to_html(memo_da).decode("utf-8")
    for section in memo_da.sections():
        assert f'<article class="keep" id="{section.target_id}">' in data
    assert "article.keep,figure,table{break-inside:avoid}" in data        # printing keeps each block on a page
