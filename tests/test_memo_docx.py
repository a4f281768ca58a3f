"""The Word memo (metrics.memo.docx) read back."""

from __future__ import annotations

import io

from metrics import memo as memo_mod
from tests.memo_support import expected_statuses, docx_paragraphs, memo_da, no_cached_charts  # noqa: F401 - fixtures


def test_docx_names_every_target_with_its_status(store, memo_da):
    data = memo_mod.to_docx(memo_da)
    paragraphs = docx_paragraphs(data)
    expected = expected_statuses(store)
    headings = [i for i, (style, _) in enumerate(paragraphs) if style == "Heading 3"]
    found = {}
    for i in headings:
        name = paragraphs[i][1]
        if name in expected:
            found[name] = paragraphs[i + 1][1]          # the status line right below the heading
    assert set(found) == set(expected)
    for name, line in found.items():
        assert line.startswith(expected[name][1]), (name, line)
    texts = [t for _, t in paragraphs]
    assert "Status på målene i RUS-handlingsplanen" in texts
    assert "Nye muligheder for et sundt liv" in texts and "Ingen mål i dette tema endnu." in texts
    assert any("eksempeldata" in t for t in texts)
    # the footer carries the date and page numbers as fields Word fills in
    from docx import Document

    doc = Document(io.BytesIO(data))
    footer_xml = doc.sections[0].footer._element.xml
    assert "12. maj 2026" in footer_xml and " PAGE " in footer_xml and " NUMPAGES " in footer_xml
    assert doc.core_properties.language == "da-DK"


def test_word_keeps_each_target_block_with_the_next_paragraph(memo_da):
    from docx import Document

    doc = Document(io.BytesIO(memo_mod.to_docx(memo_da)))
    paragraphs = doc.paragraphs
    names = {s.name for s in memo_da.sections()}
    headings = [i for i, p in enumerate(paragraphs) if p.style.name == "Heading 3" and p.text in names]
    assert len(headings) == len(names)
    for i in headings:
        # the heading and the status line below it are kept with what follows
        assert paragraphs[i].paragraph_format.keep_with_next and paragraphs[i + 1].paragraph_format.keep_with_next
