"""Delimited text (:mod:`metrics.ingest.delimited`): quoted cells, line breaks, rows as a spreadsheet counts them."""

from __future__ import annotations

from metrics import ingest
from tests.conftest import ANALYST
from tests.ingest_support import RH, fixture, seeded_file, store  # noqa: F401 - store needs seeded_file


def test_quoted_cells_keep_their_delimiters_quotes_and_line_breaks(store):
    ingest.import_observations(store, fixture("ok_quoted_delimiters_newlines.csv"), ANALYST)
    row = store.observations("eud_share", RH).set_index("year").loc[2024]
    assert row["source"] == "Energinet, rapport; 2024"
    assert row["note_en"] == 'første linje\r\nanden linje med "citat"'


def test_rows_are_numbered_as_a_spreadsheet_shows_them(store):
    # a blank line is a row in Excel; the skipped '..' is on row 4
    result = ingest.import_observations(store, fixture("ok_blank_line_inside.csv"), ANALYST, dry_run=True)
    assert [p.row for p in result.plan.skipped] == [4]
    assert sorted(result.plan.rows["_row"]) == [2, 5]


def test_line_breaks_in_quoted_cells_of_a_long_file_are_kept(store, tmp_path):
    """pyarrow reads in 1 MB blocks, first assuming no line breaks in cells; a file with them is read again."""
    lines = ["target_id,year,value,geography,note"]
    for i in range(40000):
        note = f'"første linje {i}\nanden linje, med komma"' if i % 3 == 0 else f"kort {i}"
        lines.append(f"eud_share,2024,14.5,Kommune {i:05d},{note}")
    path = tmp_path / "breaks.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode())
    assert path.stat().st_size > 2 * 2**20
    plan = ingest.import_observations(store, path, ANALYST, dry_run=True).plan
    assert plan.counts["added"] == 40000
    notes = plan.rows.set_index("geography")["note_en"]
    assert notes["Kommune 00003"] == "første linje 3\nanden linje, med komma"
    assert notes["Kommune 39999"] == "første linje 39999\nanden linje, med komma"
    assert notes["Kommune 39998"] == "kort 39998"
    assert plan.rows["_row"].max() == 40001  # a record per row, as a spreadsheet counts them


def test_a_quote_that_swallows_rows_is_warned_about_naming_the_row(store):
    plan = ingest.import_observations(store, fixture("ok_quote_swallows_rows.csv"), ANALYST, dry_run=True).plan
    warning = next(n for n in plan.notes if n.code == "swallowed_rows")
    assert (warning.row, warning.column) == (2, "note")
    assert "anførselstegn" in warning.text("da") and "quotation mark" in warning.text("en")
    # a note with a line break of its own (Alt+Enter) is no warning
    plain = ingest.import_observations(store, fixture("ok_quoted_delimiters_newlines.csv"), ANALYST, dry_run=True)
    assert not any(n.code == "swallowed_rows" for n in plain.plan.notes)
