"""The wide StatBank layout (:mod:`metrics.ingest.wide`): one column per year, each cell named by its column."""

from __future__ import annotations

from metrics import ingest
from tests.conftest import ANALYST, write_csv
from tests.ingest_support import fixture, seeded_file, store  # noqa: F401 - store needs seeded_file


def test_wide_layout_names_the_year_column_of_a_missing_figure(store):
    result = ingest.import_observations(store, fixture("ok_wide_statbank.csv"), ANALYST, dry_run=True)
    assert [(p.row, p.column, p.value) for p in result.plan.skipped] == [
        (2, "2021", ".."), (3, "2022", ".."), (3, "2023", "..")]
    assert result.plan.notes[1].text("da") == "Bred tabel: 4 årskolonner (2021–2024) er vendt til rækker."


def test_the_preview_of_a_wide_table_names_each_cell_in_file_order(store, tmp_path):
    path = write_csv(tmp_path / "w.csv", "Indikator;Område;2024;2025\r\n"
                                         "eud_share;Region Hovedstaden;13,9;14,5\r\n"
                                         "eud_share;Gladsaxe;12;15,0\r\n", encoding="cp1252")
    result = ingest.import_observations(store, path, ANALYST, dry_run=True)
    got = [(r.row, r.geography, r.year, r.new_value, r.cell) for r in result.changes.itertuples()]
    assert got == [(2, "Region Hovedstaden", 2024, 13.9, "13,9"), (2, "Region Hovedstaden", 2025, 14.5, "14,5"),
                   (3, "Gladsaxe", 2024, 12.0, "12"), (3, "Gladsaxe", 2025, 15.0, "15,0")]
