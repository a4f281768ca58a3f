"""Escaped HTML blocks (metrics.html_table): what a page sends as one element shows text as written."""

from __future__ import annotations

import doctest

from metrics import html_table


def test_the_worked_examples_hold():
    assert doctest.testmod(html_table).failed == 0


def test_a_note_and_a_section_show_markup_in_their_text_as_text():
    hostile = '<img src=x onerror="alert(1)"> & **fed**'
    note = html_table.note(hostile)
    assert note.startswith('<p class="ms-note" role="note">') and "<img" not in note
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; **fed**" in note
    section = html_table.section(hostile, note, text=hostile, caption=hostile)
    assert section.count("<img") == 0 and section.count("&lt;img") == 4
