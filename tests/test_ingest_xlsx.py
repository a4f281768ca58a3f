"""Workbooks (:mod:`metrics.ingest.xlsx`): sheets chosen or hidden, percentages and merged cells as shown."""

from __future__ import annotations

import io
import zipfile

import pytest

from metrics import ingest
from metrics.model import ValidationError
from tests.conftest import ANALYST
from tests.ingest_support import DK, RH, fixture, seeded_file, store  # noqa: F401 - store needs seeded_file


def test_a_percentage_cell_of_a_workbook_is_read_as_shown(store):
    result = ingest.import_observations(store, fixture("ok_workbook_first_sheet.xlsx"), ANALYST, dry_run=True)
    assert result.plan.rows.set_index("target_id").loc["eud_share", "value"] == pytest.approx(13.9)


@pytest.mark.parametrize(("sheet", "code"), [(None, "not_a_table_sheet"), ("Nope", "sheet_not_found")])
def test_the_wrong_sheet_is_refused_naming_the_sheets(store, sheet, code):
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, fixture("ok_workbook_chosen_sheet.xlsx"), ANALYST, sheet=sheet)
    assert info.value.problems[0].code == code
    assert "'Noter', 'Data'" in info.value.problems[0].text("en")


def test_a_sheet_can_be_chosen_by_number(store):
    result = ingest.import_observations(store, fixture("ok_workbook_chosen_sheet.xlsx"), ANALYST, sheet="2",
                                        dry_run=True)
    assert result.plan.counts["added"] == 1 and result.plan.info.sheet == "Data"
    assert ingest.list_sheets(fixture("ok_workbook_chosen_sheet.xlsx").read_bytes()) == ["Noter", "Data"]


# ---------------------------------------------------------------------- issue 11: read as the analyst sees it
def test_danmark_merged_over_three_rows_stores_every_row_under_danmark_with_its_source(store):
    result = ingest.import_observations(store, fixture("ok_workbook_merged_geography.xlsx"), ANALYST)
    stored = store.observations()
    rows = stored[(stored["target_id"] == "eud_share") & stored["year"].isin([2027, 2028, 2029])]
    by_year = rows[rows["geography"] == DK].set_index("year")
    assert sorted(by_year.index) == [2027, 2028, 2029], "no merged row may fall back to the target's geography"
    assert set(by_year["source"]) == {"Danmarks Statistik, EUD10"}, "a merged source is not 'Import: file'"
    assert set(rows[rows["geography"] == RH]["year"]) == {2027}
    notes = " ".join(n.text("da") for n in result.plan.notes)
    assert "D2:D4" in notes and "E2:E4" in notes


def test_a_merged_range_over_the_whole_sheet_costs_nothing(store):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["indikator", "år", "værdi", "område"], ["eud_share", 2027, 20.1, "Danmark"],
                ["eud_share", 2028, 20.2, None]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    # the range written into the sheet's XML (openpyxl itself would make an object of each of its cells)
    source, patched = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</sheetData>",
                                    b'</sheetData><mergeCells count="1"><mergeCell ref="D2:XFD1048576"/></mergeCells>')
            out.writestr(item, body)
    plan = ingest.import_observations(store, patched.getvalue(), ANALYST, file_name="m.xlsx", dry_run=True).plan
    assert set(plan.rows["geography"]) == {DK}
    assert plan.counts["added"] == 2


def test_hidden_sheets_are_never_read_or_offered_unasked(store):
    for name, shown in (("ok_workbook_hidden_first_sheet.xlsx", ["Data"]),
                        ("ok_workbook_very_hidden_active.xlsx", ["Aktiv", "Andet"])):
        data = fixture(name).read_bytes()
        assert ingest.list_sheets(data) == shown, "hidden sheets are not offered; the default comes first"
        frame = ingest.read_observations(data, file_name=name)
        assert frame.info.sheet == shown[0]
        assert frame.rows["value"].tolist() == ["13.9"]


def test_a_hidden_sheet_chosen_by_name_is_read_and_said(store):
    frame = ingest.read_observations(fixture("ok_workbook_hidden_first_sheet.xlsx"), sheet="Gammel")
    info = frame.info
    assert info.sheet == "Gammel"
    assert any(n.code == "sheet_hidden" for n in info.notes())
