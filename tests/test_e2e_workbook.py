"""An analyst uploads an Excel workbook in a real headless Chromium: the sheet is chosen, the
percentage reads as Excel shows it, and the preview says what will be written."""

from __future__ import annotations

import openpyxl
import pytest

from tests.test_e2e import CHROMIUM, browser, open_page, page, server, settle, shot, sign_in_as_ana  # noqa: F401

pytestmark = [pytest.mark.e2e]


def _workbook(path) -> None:  # noqa: ANN001 - a pathlib.Path
    """Two sheets as a ministry export has them: notes first, the figures on the second, as a percentage."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Noter"
    notes["A1"] = "Tal fra ministeriets datavarehus, hentet marts 2026"
    data = book.create_sheet("Data")
    data.append(["indikator", "år", "værdi", "område", "kilde"])
    data.append(["eud_share", 2026, 0.1525, "Region Hovedstaden", "Børne- og Undervisningsministeriet"])
    data["C2"].number_format = "0.0%"
    book.active = 1  # Excel opens on the data
    book.save(path)


def test_an_analyst_uploads_a_workbook_and_sees_its_percentage_as_excel_shows_it(server, page, tmp_path):
    page.set_viewport_size({"width": 1440, "height": 900})
    open_page(page, server + "/upload", "Upload")
    sign_in_as_ana(page)
    path = tmp_path / "eud_2026.xlsx"
    _workbook(path)
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(path))
    page.get_by_text("Forhåndsvisning: hvad importen vil ændre").wait_for()
    settle(page)
    shot(page, "upload_workbook_preview_da")
    text = page.locator("[data-testid='stMain']").inner_text()
    # Excel stores 15,25 % as 0.1525: the value read is the percentage the analyst sees in Excel
    assert "Læst som Excel-projektmappe, ark 'Data'" in text
    changes = page.locator("[data-testid='stDataFrame'] table").first.inner_text()  # the grid's accessible table
    assert "eud_share" in changes and ("15,25" in changes or "15.25" in changes), changes
    assert "0,1525" not in changes and "0.1525" not in changes, changes
    page.get_by_role("button", name="Bekræft import af eud_2026.xlsx").click()
    page.get_by_text("eud_2026.xlsx er importeret som kørsel", exact=False).wait_for()
    settle(page)
    shot(page, "upload_workbook_done_da")


def test_the_chosen_sheet_is_still_chosen_after_a_reload(server, page, tmp_path):
    """The analyst picks the workbook's second sheet; a reload (or the next dashboard process)
    previews that sheet again, not the one Excel opens on."""
    page.set_viewport_size({"width": 1440, "height": 900})
    open_page(page, server + "/upload", "Upload")
    sign_in_as_ana(page)
    book = openpyxl.Workbook()
    first = book.active
    first.title = "2025"
    first.append(["indikator", "år", "værdi", "område"])
    first.append(["eud_share", 2025, 14.5, "Region Hovedstaden"])
    second = book.create_sheet("2026")
    second.append(["indikator", "år", "værdi", "område"])
    second.append(["eud_share", 2026, 15.5, "Region Hovedstaden"])
    path = tmp_path / "eud_to_aar.xlsx"
    book.save(path)
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(path))
    page.get_by_text("Læst som Excel-projektmappe, ark '2025'", exact=False).wait_for()
    settle(page)
    page.get_by_role("combobox", name="Ark").click()
    page.get_by_role("option", name="2026").click()
    page.get_by_text("Læst som Excel-projektmappe, ark '2026'", exact=False).wait_for()
    page.wait_for_function("() => new URLSearchParams(window.location.search).get('sheet') === '2026'")
    settle(page)
    page.reload()
    page.get_by_text("Du fortsætter med filen eud_to_aar.xlsx", exact=False).wait_for()
    page.get_by_text("Læst som Excel-projektmappe, ark '2026'", exact=False).wait_for()
    settle(page)
    shot(page, "upload_workbook_sheet_after_reload_da")
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "ark '2025'" not in text
    changes = page.locator("[data-testid='stDataFrame'] table").first.inner_text()
    assert "2026" in changes and ("15,5" in changes or "15.5" in changes), changes
