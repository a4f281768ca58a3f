"""The validation report (metrics.ingest.report): every problem whole, in the reader's language, as written."""

from __future__ import annotations

import doctest

from metrics.ingest import report
from metrics.model import Problem
from tests.test_pages import _HtmlText


def test_the_worked_example_holds():
    assert doctest.testmod(report).failed == 0


def test_what_to_do_is_in_the_table_whole_in_danish_and_english():
    """The Upload page cut "…skriv værdien så" at the grid's column edge (found by a newcomer review):
    the report is now a table whose cells wrap, so the reader gets the whole message, row and column."""
    problems = [Problem(3, "værdi", "ca. 12", code="value_not_number_comma"),
                Problem(None, None, None, code="too_many", params={"count": 12})]
    for lang, heading in (("da", "Hvad er galt, og hvad du gør"), ("en", "What is wrong and what to do")):
        parser = _HtmlText()
        parser.feed(report.problems_html(problems, lang, label="r"))
        whole = problems[0].text(lang)
        assert len(whole) > 100  # long enough to have been cut
        assert parser.rows[1] == f"3 værdi ca. 12 {whole}"
        assert parser.rows[2] == problems[1].text(lang)
        assert heading in parser.rows[0]
        frame = report.problem_frame(problems, lang)
        assert list(frame.columns)[-1] == heading and frame.iloc[0].tolist() == ["3", "værdi", "ca. 12", whole]


def test_a_value_from_the_file_is_shown_as_written_never_as_markup():
    html = report.problems_html([Problem(2, "<b>kolonne</b>", '<img src=x onerror="alert(1)">', code="bad_year")], "da")
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html and "&lt;b&gt;kolonne&lt;/b&gt;" in html
    assert '<td class="any">' in html  # a long token breaks in its cell instead of widening the table


def test_the_count_of_problems_and_values_agrees_with_its_noun():
    """"1 problem(er)" and "1 værdier fjernes" read as unfinished (found by a newcomer review)."""
    from metrics.i18n import Lang
    listed = [Problem(2, "år", "x", code="bad_year")] * 3
    assert report.problem_count(listed) == 3
    assert report.problem_count(listed + [Problem(None, None, None, code="too_many", params={"count": 1200})]) == 1203
    da, en = Lang("da"), Lang("en")
    assert [da.count(n, "problem") for n in (1, 2, 1203)] == ["1 problem", "2 problemer", "1.203 problemer"]
    assert [en.count(n, "problem") for n in (1, 1203)] == ["1 problem", "1,203 problems"]
    assert [da.count(n, "value") for n in (0, 1, 2)] == ["0 værdier", "1 værdi", "2 værdier"]
    assert [en.count(n, "earlier_value") for n in (1, 2)] == ["1 earlier value", "2 earlier values"]


def test_what_a_revision_writes_over_is_said_in_words_and_the_rows_are_named():
    import pandas as pd
    long = "x" * 200
    text = report.replaced_text([("source", long, "TU 2024"), ("data_class", None, "D")], "da")
    assert text == f"kilde: »{'x' * 59}…« → »TU 2024«; dataklasse: »D« (ny)"
    assert report.replaced_text([], "en") == ""
    changes = pd.DataFrame({"row": [2, 3, 4], "replaced": [(("source", "a", "b"),), (), (("note_da", "n", None),)]})
    assert report.replaced_note(changes, "da").startswith("Rækkerne 2, 4 skriver også kilde, note")
    assert report.replaced_note(changes.iloc[:2], "en") == (
        "Row 2 also writes over: source: “a” → “b”. The old row is kept in the history, and undoing the batch "
        "brings it back.")
    assert report.replaced_note(changes.iloc[1:2], "da") == ""
    many = pd.DataFrame({"row": range(2, 20), "replaced": [(("source", "a", "b"),)] * 18})
    assert "2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …" in report.replaced_note(many, "da")
