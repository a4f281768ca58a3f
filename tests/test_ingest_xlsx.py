"""Workbooks (:mod:`metrics.ingest.xlsx`): sheets chosen or hidden, percentages and merged cells as shown."""

from __future__ import annotations

import html
import io
import re
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import ingest
from metrics.ingest import xlsx
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


# ---------------------------------------------------------------------- python-calamine and the percentage rule
# Calamine gives values, not number formats, so the percentage rule (Excel stores 13,4 % as 0.134)
# rests on reading the workbook's XML: these tests check it against openpyxl's reading of the same
# cells, for the ways spreadsheet writers lay a cell out.


def _book(rows: list[list[object]], percent: set[tuple[int, int]] = frozenset(), fmt: str = "0.0%") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if (r, c) in percent:
                cell.number_format = fmt
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite_sheet(data: bytes, change) -> bytes:  # noqa: ANN001 - a bytes -> bytes function
    """The workbook with its first sheet's XML passed through ``change``."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            target.writestr(item, change(body) if item.filename == "xl/worksheets/sheet1.xml" else body)
    return out.getvalue()


def _reference(data: bytes) -> list[list[str]]:
    """The cells as openpyxl reads them, with the import's rule for percentages."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = []
    for cells in book.active.iter_rows():
        row = []
        for cell in cells:
            value = cell.value
            if value is None:
                row.append("")
            elif isinstance(value, bool):
                row.append("TRUE" if value else "FALSE")
            elif isinstance(value, (int, float)):
                if "%" in (cell.number_format or ""):
                    value = round(value * 100, 10)
                    text = str(int(value)) if float(value).is_integer() else repr(value)
                    row.append(text + "%")
                else:
                    row.append(str(int(value)) if float(value).is_integer() else repr(float(value)))
            else:
                row.append(str(value))
        rows.append(row)
    book.close()
    return rows


def _read(data: bytes) -> list[list[str]]:
    """The cells as the import reads them (header and rows, before any field is interpreted)."""
    raw = xlsx._read_xlsx(data, ingest.ReadInfo(file_name="t.xlsx", size=len(data), sha256=""), None)  # noqa: SLF001
    columns = [c.to_pylist() for c in raw.columns]
    return [raw.header] + [list(row) for row in zip(*columns, strict=True)]


def test_a_percentage_is_read_as_shown_and_a_plain_fraction_is_not():
    data = _book([["target_id", "year", "value"], ["eud_share", 2024, 0.134], ["eud_share", 2025, 0.25]],
                 percent={(2, 3)})
    assert _read(data) == [["target_id", "year", "value"], ["eud_share", "2024", "13.4%"], ["eud_share", "2025", "0.25"]]


@pytest.mark.parametrize("fmt", ["0%", "0.00%", "0.0%", '0.0" %"'])
def test_every_percentage_format_counts_builtin_or_custom(fmt):
    data = _book([["value"], [0.5]], percent={(2, 1)}, fmt=fmt)
    assert _read(data)[1] == ["50%"]


def test_the_style_written_before_the_address_is_found():
    data = _book([["value"], [0.5], [0.25]], percent={(2, 1), (3, 1)})
    swapped = _rewrite_sheet(data, lambda xml: re.sub(rb'<c r="(A[0-9]+)" s="([0-9]+)"', rb'<c s="\2" r="\1"', xml))
    assert b'<c s="1" r="A2"' in zipfile.ZipFile(io.BytesIO(swapped)).read("xl/worksheets/sheet1.xml")
    assert _read(swapped)[1:] == [["50%"], ["25%"]]


def test_a_percentage_cell_without_an_address_is_read_the_slow_way_not_wrongly():
    data = _book([["value"], [0.5]], percent={(2, 1)})
    unplaced = _rewrite_sheet(data, lambda xml: xml.replace(b'<c r="A2" ', b"<c "))
    assert _read(unplaced)[1] == ["50%"]


def test_a_tab_between_attributes_is_read_the_slow_way_not_wrongly():
    data = _book([["value"], [0.5]], percent={(2, 1)})
    tabbed = _rewrite_sheet(data, lambda xml: xml.replace(b'<c r="A2" s=', b'<c r="A2"\ts='))
    assert _read(tabbed)[1] == ["50%"]


def test_percentages_across_the_pieces_the_sheet_is_scanned_in():
    # 60,000 rows: the sheet's XML is several MB, so cells straddle the 1 MB pieces of the scan
    rows = [["row", "value", "note"]] + [[i, i / 1000, "x" * (i % 7)] for i in range(60_000)]
    percent = {(r, 2) for r in range(2, 60_002, 3)}
    data = _book(rows, percent=percent)
    assert len(zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")) > 3 << 20
    assert _read(data) == _reference(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(st.none(), st.booleans(), st.integers(-10**9, 10**9),
                                  st.floats(-1e9, 1e9, allow_nan=False).filter(lambda f: f == 0 or abs(f) > 1e-9),
                                  st.text("abcæøå ,.%-", min_size=1, max_size=8).filter(lambda t: t.strip() == t)),
                        min_size=3, max_size=3), min_size=1, max_size=12),
       st.sets(st.tuples(st.integers(2, 13), st.integers(1, 3)), max_size=10))
def test_any_small_sheet_reads_as_openpyxl_reads_it(rows, percent):
    data = _book([["a", "b", "c"]] + rows, percent=set(percent))
    expected = _reference(data)
    expected = [row + [""] * (3 - len(row)) for row in expected]
    # the import drops rows without any text, as it does for CSV files
    expected = [expected[0]] + [row for row in expected[1:] if any(cell.strip() for cell in row)]
    assert _read(data) == [[cell.strip() for cell in row] for row in expected]


def test_a_workbook_of_many_sheets_counts_only_the_one_it_reads(monkeypatch):
    book = openpyxl.Workbook()
    book.active.title = "Data"
    book.active.append(["target_id", "year", "value"])
    book.active.append(["eud_share", 2024, 13.9])
    big = book.create_sheet("Stor")
    for i in range(50):
        big.append(list(range(20)))
    out = io.BytesIO()
    book.save(out)
    monkeypatch.setattr(xlsx, "MAX_XLSX_CELLS", 100)  # where the reader looks it up
    assert len(ingest.read_observations(out.getvalue(), file_name="w.xlsx")) == 1
    with pytest.raises(ValidationError) as refused:
        ingest.read_observations(out.getvalue(), file_name="w.xlsx", sheet="Stor")
    assert refused.value.problems[0].code == "too_many_cells_sheet"


# ---------------------------------------------------------------------- issue 12: the fast way (fastexcel)
def _with_shared_texts(data: bytes) -> bytes:
    """The workbook with its inline texts moved to a shared-strings table, as Excel writes them."""
    from bench.bench_xlsx import with_shared_texts

    return with_shared_texts(data)


def _both_ways(data: bytes) -> tuple[tuple, tuple, bool]:
    """The raw table read the fast way and the slow way (header, cells, "held a number"), and
    whether the fast way read it (rather than handing it to the slow way)."""
    info = lambda: ingest.ReadInfo(file_name="t.xlsx", size=len(data), sha256="")  # noqa: E731
    taken = []
    workbook_read = xlsx._Workbook.read_fast  # noqa: SLF001

    def spy(self, index, scan):  # noqa: ANN001, ANN202
        read = workbook_read(self, index, scan)
        taken.append(read is not None)
        return read

    def table(raw):  # noqa: ANN001, ANN202
        cells = [c.to_pylist() for c in raw.columns]
        # a whole number below 16 digits reads the same whether it counts as a number or a text
        typed = {i: [n if not re.fullmatch(r"-?[0-9]{1,15}", cells[i][r]) else None for r, n in enumerate(t.to_pylist())]
                 for i, t in raw.typed.items()}
        return raw.header, cells, typed, raw.rows.to_pylist()

    slow = table(xlsx._read_xlsx(data, info(), None, fast=False))  # noqa: SLF001
    try:
        xlsx._Workbook.read_fast = spy  # noqa: SLF001
        fast = table(xlsx._read_xlsx(data, info(), None))  # noqa: SLF001
    finally:
        xlsx._Workbook.read_fast = workbook_read  # noqa: SLF001
    return fast, slow, bool(taken and taken[0])


_VALUES = st.one_of(
    st.none(),
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),              # long decimals: 17 digits
    st.decimals(-10**6, 10**6, places=3, allow_nan=False).map(float),          # as statistics publish them
    st.integers(-10**6, 10**6),
    st.sampled_from([0.0, -0.0, 1e-07, 5e-05, 1e15, 1e20, 123456789012345.6, 0.1 + 0.2, 1 / 3]),
    st.sampled_from(["abc", "13,4", "0101", "2024", "x y", "a&b", "-", "..", "1234567890123456"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_VALUES, min_size=3, max_size=3), min_size=1, max_size=15),
       st.sets(st.tuples(st.integers(2, 16), st.integers(1, 3)), max_size=8), st.booleans())
def test_the_fast_way_reads_every_workbook_as_the_slow_way_does(rows, percent, shared):
    """fastexcel's way and calamine's give the same cells and the same "held a number" (where it
    can change a value), for inline and shared texts, long and short decimals, percentages."""
    data = _book([["a", "b", "c"]] + rows, percent=set(percent))
    data = _with_shared_texts(data) if shared else data
    fast, slow, _ = _both_ways(data)
    assert fast == slow


def test_a_long_decimal_is_read_exactly_not_as_the_nine_decimals_fastexcel_writes():
    # as Excel writes them: 17 digits, an exponent; fastexcel's own text of the first is -400155.526396871
    written = ["-400155.5263968706", "0.33757000000000004", "1.23456789012E-5", "13.4", "100000000.21484375"]
    book = _book([["indikator", "værdi"]] + [["eud_share", 1000 + i] for i in range(len(written))])
    data = _with_shared_texts(_rewrite_sheet(book, lambda xml: re.sub(
        rb"<v>100([0-9])</v>", lambda m: b"<v>" + written[int(m.group(1))].encode() + b"</v>", xml)))
    fast, slow, taken = _both_ways(data)
    assert taken, "a plain Excel workbook is read the fast way"
    assert fast == slow
    assert fast[1][1] == [repr(float(w)) for w in written]


def test_a_text_that_reads_like_a_number_beside_that_number_is_told_apart():
    data = _with_shared_texts(_book([["værdi", "kode"], ["12.5", "0101"], [12.5, "0147"]]))
    fast, slow, taken = _both_ways(data)
    assert not taken, "the text 12.5 and the number 12.5 look alike in fastexcel's text: the slow way decides"
    assert fast == slow
    assert fast[1] == [["12.5", "12.5"], ["0101", "0147"]] and fast[2][0] == [False, True]


@pytest.mark.parametrize("value", [True, "=1/0"], ids=["truth value", "formula without a value"])
def test_what_the_fast_way_does_not_read_goes_the_slow_way(value):
    data = _book([["a", "b"], [value, 1.5]])
    fast, slow, _ = _both_ways(data)
    assert fast == slow


def _shared_book(rows: list[list[object]], percent: set[tuple[int, int]] = frozenset()) -> bytes:
    return _with_shared_texts(_book(rows, percent=percent))


def _rewrite_member(data: bytes, member: str, change) -> bytes:  # noqa: ANN001 - a bytes -> bytes function
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            target.writestr(item, change(body) if item.filename == member else body)
    return out.getvalue()


def _renamed_shared_table(data: bytes) -> bytes:
    """The shared-strings part moved to xl/SharedStrings.xml, its relationship and content type following."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename).replace(b"sharedStrings.xml", b"SharedStrings.xml")
            target.writestr(item.filename.replace("sharedStrings.xml", "SharedStrings.xml"), body)
    return out.getvalue()


# What a review of the fast way found (each read differently by the two ways before it was fixed).
_TEXT_CELL = b'<c r="A2" t="s"><v>1</v></c>'  # "zz" in the shared table of _shared_book([["a", "b"], ["zz", 1.5]])
_FOUND_BY_REVIEW = {
    "a formula text written t='str'": lambda d: _rewrite_sheet(d, lambda x: x.replace(
        _TEXT_CELL, b"<c r=\"A2\" t='str'><f>\"1.5\"</f><v>1.5</v></c>")),
    'a formula text written t = "str"': lambda d: _rewrite_sheet(d, lambda x: x.replace(
        _TEXT_CELL, b'<c r="A2" t = "str"><f>"1.5"</f><v>1.5</v></c>')),
    "the text -0": lambda d: _rewrite_member(d, "xl/sharedStrings.xml", lambda x: x.replace(b"<t>zz</t>", b"<t>-0</t>")),
    "a minus and 15 digits with a leading zero": lambda d: _rewrite_member(
        d, "xl/sharedStrings.xml", lambda x: x.replace(b"<t>zz</t>", b"<t>-012345678901234</t>")),
    "a long number after a plus": lambda d: _rewrite_sheet(d, lambda x: x.replace(b"<v>1.5</v>", b"<v>+0.12345678901</v>")),
    "a shared text in Excel's _x0031_ escape": lambda d: _rewrite_member(
        d, "xl/sharedStrings.xml", lambda x: x.replace(b"<t>zz</t>", b"<t>_x0031_.5</t>")),
    "a shared text in CDATA": lambda d: _rewrite_member(
        d, "xl/sharedStrings.xml", lambda x: x.replace(b"<t>zz</t>", b"<t><![CDATA[1.5]]></t>")),
    "a shared text with spaces, not preserved": lambda d: _rewrite_member(
        d, "xl/sharedStrings.xml", lambda x: x.replace(b"<t>zz</t>", b"<t> 1.5</t>")),
    "a shared text as a digit reference": lambda d: _rewrite_member(
        d, "xl/sharedStrings.xml", lambda x: x.replace(b"<t>zz</t>", b"<t>1&#0046;5</t>")),
    "the shared table under another name": lambda d: _renamed_shared_table(_rewrite_member(
        d, "xl/sharedStrings.xml", lambda x: x.replace(b"<t>zz</t>", b"<t>1.5</t>"))),
    "a long number in a formula after a self-closed cell": lambda d: _rewrite_sheet(d, lambda x: x.replace(
        _TEXT_CELL + b'<c r="B2" t="n"><v>1.5</v></c>',
        b'<c r="A2" s="0"/><c s="0" r="B2"><f>1/3</f><v>0.33333333333333331</v></c>')),
}


@pytest.mark.parametrize("make", list(_FOUND_BY_REVIEW.values()), ids=list(_FOUND_BY_REVIEW))
def test_what_a_review_found_reads_alike_both_ways(make):
    data = make(_shared_book([["a", "b"], ["zz", 1.5]]))
    fast, slow, _ = _both_ways(data)
    assert fast == slow


def test_a_date_past_the_year_9999_reads_alike_both_ways():
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    book.active.append(["x", 3e6])
    book.active["B2"].number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    fast, slow, _ = _both_ways(_with_shared_texts(out.getvalue()))
    assert fast == slow


@pytest.mark.parametrize("cut", [0, 4, 9, 15])
def test_a_long_number_cut_by_the_edge_of_a_scanned_piece_is_read_exactly(cut):
    """The sheet's XML is scanned in 1 MB pieces: a number's digits cut by a piece's edge are read
    whole from the next (before, they were missed and fastexcel's nine decimals were kept)."""
    edge = 1 << 20
    data = _shared_book([["id", "value"]] + [[f"k{i % 7}", i + 1 / 3] for i in range(40_000)])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    pad = edge - (xml.find(b"<v>", edge - 80) + cut)
    shifted = _rewrite_sheet(data, lambda x: x.replace(b"<sheetData>", b"<sheetData>" + b" " * pad, 1))
    fast, slow, taken = _both_ways(shifted)
    assert taken and fast == slow


def _formatted(value: object, number_format: str) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    book.active.append(["zz", value])
    book.active["B2"].number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return _with_shared_texts(out.getvalue())


# What a second review found (the fast way taken, and reading them otherwise, before the fix).
@pytest.mark.parametrize(("value", "number_format"), [
    (45000.123456, "yyyy-mm-dd hh:mm:ss"),  # fractional seconds: fastexcel writes …:46.598
    (0.123456, "hh:mm:ss"),
    (1.0000001, "[h]:mm:ss"),
    (1e10, "yyyy-mm-dd"),                   # out of a date's range: fastexcel left the value out
    (1e300, "yyyy-mm-dd"),
])
def test_dates_times_and_numbers_in_a_date_format_read_alike_both_ways(value, number_format):
    fast, slow, _ = _both_ways(_formatted(value, number_format))
    assert fast == slow


@pytest.mark.parametrize("value", [b"<v>NaN</v>", b'<v xml:space="preserve">0.12345678901234</v>', b"<v >1E-10</v>"],
                         ids=["NaN", "a value with an attribute", "a space in the tag"])
def test_values_written_unusually_read_alike_both_ways(value):
    data = _rewrite_sheet(_shared_book([["a", "b"], ["zz", 1.5]]), lambda x: x.replace(b"<v>1.5</v>", value))
    fast, slow, _ = _both_ways(data)
    assert fast == slow


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_VALUES, min_size=3, max_size=3), min_size=1, max_size=15),
       st.sets(st.tuples(st.integers(2, 16), st.integers(1, 3)), max_size=8))
def test_a_sheet_of_computed_values_reads_alike_both_ways(monkeypatch, rows, percent):
    """Above _LONG_LIMIT long numbers fastexcel reads every number's exact value too (here from the first)."""
    monkeypatch.setattr(xlsx, "_LONG_LIMIT", 0)
    data = _shared_book([["a", "b", "c"]] + rows, percent=set(percent))
    fast, slow, _ = _both_ways(data)
    assert fast == slow


def test_a_long_decimal_among_many_is_read_exactly(monkeypatch):
    monkeypatch.setattr(xlsx, "_LONG_LIMIT", 0)
    written = ["-400155.5263968706", "0.33757000000000004", "1.23456789012E-5", "13.4", "1E-12"]
    book = _book([["indikator", "værdi"]] + [["eud_share", 1000 + i] for i in range(len(written))])
    data = _with_shared_texts(_rewrite_sheet(book, lambda xml: re.sub(
        rb"<v>100([0-9])</v>", lambda m: b"<v>" + written[int(m.group(1))].encode() + b"</v>", xml)))
    fast, slow, taken = _both_ways(data)
    assert taken and fast == slow
    assert fast[1][1] == [repr(float(w)) for w in written]
