"""The memo's one layout (metrics.memo.layout) as every format shows it: marks, language."""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest

from metrics import memo as memo_mod
from metrics.memo.markdown import _m
from tests.conftest import MARKED
from tests.memo_support import YEAR, TODAY, docx_paragraphs, status_rows, markdown_status_lines, first_page, memo_da, no_cached_charts  # noqa: F401 - fixtures


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_status_in_the_memo_carries_its_marks(store, lang):
    memo = memo_mod.build_memo(store, YEAR, lang, charts=False, today=TODAY)
    rows = status_rows(store, lang)
    md = memo_mod.to_markdown(memo)
    lines = markdown_status_lines(md)
    docx = docx_paragraphs(memo_mod.to_docx(memo))
    docx_lines = {docx[i][1]: docx[i + 1][1] for i, (style, _) in enumerate(docx) if style == "Heading 3"}
    for tid, r in rows.items():
        # each target block: the status with exactly the marks of metrics.marks, in Markdown and Word
        assert lines[_m(r["name"])] == _m(r["line"]), tid
        assert docx_lines[r["name"]] == r["line"], tid
    for tid, mark in MARKED[lang].items():
        assert mark in rows[tid]["line"], (tid, rows[tid]["line"])
        assert mark in lines[_m(rows[tid]["name"])]
        assert mark in docx_lines[rows[tid]["name"]]
    # the first page's counts name each target whose status has marks, beside its status
    page = first_page(md)
    for tid, mark in MARKED[lang].items():
        r = rows[tid]
        if r["kind"] == "none":
            continue
        caveat = memo.caveats[r["status"]]
        short = store.targets().set_index("target_id").loc[tid, f"short_name_{lang}"]
        assert f"{short} – " in caveat and mark in caveat, caveat          # named by its short label
        assert _m(mark) in page
    # the furthest-behind list shows the status with its marks too
    eud = rows["eud_share"]
    behind = {row[0]: row[1] for row in memo.behind}
    assert behind[eud["name"]] == eud["line"] and MARKED[lang]["eud_share"] in behind[eud["name"]]


def test_the_pdf_and_html_carry_the_marks(store, memo_da):
    data = memo_mod.to_html(memo_da).decode("utf-8")
    for mark in MARKED["da"].values():
        assert html.escape(mark) in data
    if shutil.which("pdftotext"):
        pdf = memo_mod.to_pdf(memo_da)
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, check=True, capture_output=True).stdout.decode()
        flat = re.sub(r"\s+", " ", text)
        for mark in MARKED["da"].values():
            assert mark in flat, mark


#: Words that give an English sentence away; none may appear in the Danish memo.
ENGLISH_WORDS = re.compile(r"\b(the|and|of|with|from|is|are|not|was|in the|target|measured|illustrative|"
                           r"provisional|latest|figure|deadline|source|used|found|series|share|"
                           r"assumed|estimate[sd]?)\b", re.I)


def test_the_danish_memo_is_danish_and_the_english_memo_english(store):
    targets = store.targets()
    da = memo_mod.to_markdown(memo_mod.build_memo(store, YEAR, "da", charts=False, today=TODAY))
    en = memo_mod.to_markdown(memo_mod.build_memo(store, YEAR, "en", charts=False, today=TODAY))
    assert "note_da" in targets and "note_en" in targets            # method v2's schema
    checked = 0
    for r in targets.to_dict("records"):
        note_da, note_en = r["note_da"], r["note_en"]
        if isinstance(note_en, str) and note_en and note_en != note_da:
            assert _m(note_en) not in da, r["target_id"]          # no English target note in Danish
            checked += 1
        if isinstance(note_da, str) and note_da:
            assert f"Bemærkning: {_m(note_da)}" in da, r["target_id"]
            if note_da != note_en and isinstance(note_en, str) and note_en:
                assert _m(note_da) not in en and f"Note: {_m(note_en)}" in en
    assert checked >= 3
    # Every sentence of the memo is Danish; only the titles of cited publications (the source lines
    # other than "Bemærkning") may be in the language they were published in.
    own = "\n".join(line for line in da.splitlines() if not re.match(r"- (?!Bemærkning:)", line))
    found = sorted({m.group(0) for m in ENGLISH_WORDS.finditer(own)})
    assert not found, found


def test_each_target_is_one_group_with_its_focus_heading_first_and_initiatives_last(memo_da):
    from metrics.memo import layout as lay

    groups = [b for b in lay.blocks(memo_da) if isinstance(b, lay.Keep)]
    by_target = {g.anchor: g for g in groups if g.anchor}
    for theme in memo_da.themes:
        for focus in theme.focus_areas:
            for i, target in enumerate(focus.targets):
                kinds = [b.kind for b in by_target[target.target_id].blocks]
                texts = [getattr(b, "text", getattr(b, "title", "")) for b in by_target[target.target_id].blocks]
                # heading, status, figures, commentary and sources of one target, in that order, in one group
                start = texts.index(target.name)
                assert kinds[start:start + 3] == ["heading", "status", "table"], kinds
                assert "Kilder:" in texts[start:]
                assert (focus.name in texts) == (i == 0)                     # the focus area's heading: first target
                assert ("Initiativer" in texts) == (i == len(focus.targets) - 1)   # its initiatives: last target
            if not focus.targets:
                assert any(focus.name in [getattr(b, "text", "") for b in g.blocks] and
                           "Initiativer" in [getattr(b, "text", "") for b in g.blocks] for g in groups), focus.name
    # every block of the memo is laid out once: the four writers read the same sequence
    assert sum(1 for b in lay.walk(lay.blocks(memo_da)) if isinstance(b, lay.Status)) == len(memo_da.sections())
