"""Workbooks (``.xlsx``): limits told from the zip's directory, then fastexcel (or python-calamine) reading the chosen sheet.

Two ways to read a sheet, giving the same table (``tests/test_ingest_xlsx.py`` compares them):

* :meth:`_Workbook.read_fast`: fastexcel parses the sheet in Rust into Arrow columns of text, with
  no Python object per cell, while a pass over the sheet's XML finds what fastexcel does not say
  (the percentage cells, numbers written longer than its nine decimals, formula texts); the
  shared texts tell which texts read like a number. A 100,000-row sheet reads in about 0.5 s
  (``python -m bench.bench_xlsx``).
* :meth:`_Workbook.parse`: python-calamine, every cell a Python value turned into text here; for
  what the fast way does not read alike (texts written in the cells as openpyxl writes them,
  dates, truth values, formula texts, a text beside the number it reads like, ...).

Neither gives number formats, so the one format the import needs (a percentage, which Excel
stores as a fraction) is read from the workbook's own XML: which cell styles are percentages
(``styles.xml``), and which cells carry one (the sheet's XML: one pass counts its cells before
anything is parsed, a second finds the percentages while the sheet is parsed).
:func:`_read_xlsx` (bytes, info, sheet) -> :class:`_RawTable` is the entry point the rest calls;
:func:`list_sheets` offers the sheets to choose from. The passes over the XML live in
:mod:`metrics.ingest.xlsx_scan`, the cells' texts in :mod:`metrics.ingest.xlsx_text`.
"""
from __future__ import annotations

import contextlib
import html
import io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from metrics.ingest.limits import (
    _XLSX_RATIO_FLOOR,
    MAX_COLUMNS,
    MAX_XLSX_CELLS,
    MAX_XLSX_RATIO,
    MAX_XLSX_SHEET,
    MAX_XLSX_UNPACKED,
    _problem,
    _reject,
    _Size,
    _too_large,
    _too_many_columns,
)
from metrics.ingest.table import ReadInfo, _RawTable, _shape
from metrics.ingest.xlsx_scan import (
    _SheetScan,
    _column_number,
    _member_text,
    _dated_styles,
    _percent_styles,
    _scan_sheet,
    _shared_member,
    _shared_numbers,
)
from metrics.ingest.xlsx_text import _column_texts, _number_texts_arrow, _percent_texts
from metrics.model import ValidationError

_ZIP_MAGIC = b"PK\x03\x04"
#: Up to this many numbers written longer than fastexcel's nine decimals are read from the XML one
#: by one; above it (a sheet of computed values) fastexcel reads every number's exact value too,
#: in a second thread (a sheet of 180,000: 0.6 s one by one, against a second parse).
_LONG_LIMIT = 20_000

#: A number cell's text as fastexcel writes it: digits, maybe a minus and a decimal point, never an exponent.
_NUMBER_TEXT = r"^-?[0-9]+(?:\.[0-9]+)?$"
#: fastexcel's text of a truth value, or of a number parse() writes otherwise.
_TRUTHS = pa.array(["true", "false", "NaN", "nan", "inf", "-inf", "Infinity", "-Infinity"])
#: fastexcel's text of a date, a time or a duration (``2024-01-02 00:00:00``, ``…:46.598``).
_DATE_OR_TRUTH = r"^[+-]?[0-9]{4,}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"
#: A number with an exponent: never fastexcel's own text of a number (a date format out of range).
_EXPONENT = r"^[+-]?[0-9.]+[eE][+-]?[0-9]+$"


@dataclass
class _Workbook:
    """A workbook opened for reading: its sheets in order, which one Excel opens on, the scans."""

    book: Any  # python_calamine.CalamineWorkbook
    names: list[str]
    states: list[str]  # "visible", "hidden" or "veryHidden", per sheet
    parts: list[str]  # each sheet's XML member, "" when the workbook does not say
    active: int
    data: bytes
    sheet_members: list[str]  # every worksheet's XML member
    percent_styles: tuple[bytes, ...]  # the cell styles that show a percentage, as written in ``s="…"``
    dated: bool = False  # some cell style shows a date, a time or a duration

    def visible(self) -> list[str]:
        return [n for n, s in zip(self.names, self.states, strict=True) if s == "visible"]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.book.close()

    def scan(self, index: int) -> _SheetScan:
        """One pass over sheet ``index``'s XML, refused if it holds more cells than a workbook may.

        Only the sheet that is read is counted (calamine parses no other). A sheet the
        workbook's XML does not place is read the slow, safe way: every sheet counted, its
        percentages by openpyxl.
        """
        part = self.parts[index]
        members = [part] if part in self.sheet_members else self.sheet_members
        scans = {m: _scan_sheet(self.data, m, MAX_XLSX_CELLS) for m in members}
        for member, scan in scans.items():
            if scan.cells > MAX_XLSX_CELLS:
                raise _reject(_problem(None, None, None, "too_many_cells_sheet", sheet=member.rsplit("/", 1)[-1],
                                       cells=scan.cells, limit=MAX_XLSX_CELLS))
        return scans[part] if part in scans else _SheetScan(unplaced_percent=True)

    def parse(self, index: int, scan: _SheetScan) -> tuple[Any, set[tuple[int, int]]]:
        """Sheet ``index`` parsed by calamine, and its percentage cells (``scan``: its counting pass).

        Why two threads: calamine parses in Rust and lets go of the interpreter lock, so the second
        pass over the XML that finds the percentage cells runs beside it instead of before it (a
        100,000-row sheet: 0.33 s of parsing, 0.22 s of that pass). Both start only after the cells
        were counted, so a sheet too large is still refused before anything is parsed.
        """
        name, part = self.names[index], self.parts[index]
        if scan.unplaced_percent:  # the sheet's XML is not placed: the slow, safe way, one after the other
            return self.book.get_sheet_by_name(name), _percent_cells_openpyxl(self.data, name)
        if not self.percent_styles:  # no style shows a percentage: nothing to look for
            return self.book.get_sheet_by_name(name), set()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="calamine") as pool:
            parsed = pool.submit(self.book.get_sheet_by_name, name)
            try:
                found = _scan_sheet(self.data, part, None, self.percent_styles, count=False)
            finally:
                sheet = parsed.result()  # its error, if any, is the one that counts
        return sheet, (_percent_cells_openpyxl(self.data, name) if found.unplaced_percent else found.percent_cells())

    def read_fast(self, index: int, scan: _SheetScan) -> tuple[list[pa.Array], list[pa.Array]] | None:
        """Sheet ``index`` as Arrow columns of text and of "held a number", by fastexcel; None when unsure.

        Why: fastexcel (calamine too, in Rust) gives the sheet as Arrow columns of text, with no
        Python object per cell; the way of :meth:`parse` spends more time turning calamine's
        cells into text than calamine spends parsing. It parses in a worker thread (it lets go of
        the interpreter lock) while this thread makes the second pass over the XML. Its text of
        a number keeps nine decimals, which is the exact value of every number written with
        fewer (Excel's ``13.4``, ``0.33757``); a number written longer (``0.33757000000000003``,
        ``1.2E-5``) is taken from its own text in the XML, found by that pass. A decimal number's
        text is then the one :meth:`parse` gives (``xlsx_text._number_texts_arrow``), so both ways give the
        same table.

        Whether a cell held a number is told by the form of its text (digits, maybe a minus and
        a point: fastexcel never writes an exponent) and by the workbook's own texts: a cell that
        reads like a decimal number held one, unless the workbook's shared texts hold that very
        text, and then :meth:`parse` tells them apart (None). A whole number reads
        the same by either decimal mark, so a text such as ``2024`` may count as either and keeps
        its own text (``0101`` stays ``0101``). The percentage cells come from the second pass over
        the XML, which runs on this thread meanwhile.

        None, for :meth:`parse` to read, also on anything it would write otherwise: a sheet the
        workbook does not place, texts written in the cells rather than in the shared table (as
        openpyxl writes them; Excel shares them), cells under a namespace prefix, formula texts,
        errors, dates, times, truth values, ``-0``, shared texts in CDATA or Excel's ``_x0031_``
        escapes, or any fastexcel error (whose message :meth:`parse` then gives in its own words).
        """
        part = self.parts[index]
        if scan.unplaced_percent or scan.prefixed or scan.odd_texts or part not in self.sheet_members:
            return None
        try:
            import fastexcel  # local: only workbooks need it
        except ImportError:  # pragma: no cover - in requirements.txt
            return None

        def load(dtype: str) -> tuple[int, pa.RecordBatch]:
            sheet = fastexcel.read_excel(self.data).load_sheet(self.names[index], header_row=None, skip_rows=0,
                                                               dtypes=dtype)  # type: ignore[arg-type]
            columns = sheet.available_columns()
            return (columns[0].absolute_index if columns else 0), sheet.to_arrow()

        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="fastexcel") as pool:
            as_text = pool.submit(load, "string")
            as_number: list[Any] = []  # the exact values, asked for when the pass finds many long numbers
            try:
                found = _scan_sheet(self.data, part, None, self.percent_styles, count=False, texts=True,
                                    values=self.dated, long_limit=_LONG_LIMIT,
                                    on_long_many=lambda: as_number.append(pool.submit(load, "float")))
                with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
                    shared = _shared_numbers(_member_text(archive, _shared_member(archive)))
            finally:  # waited for, even when the pass failed
                text_load = _result_or_none(as_text)
                number_load = _result_or_none(as_number[0]) if as_number else None
        if text_load is None or found.unplaced_percent or found.odd_cells or found.odd_texts or shared is None \
                or found.long_unplaced:
            return None
        offset, batch = text_load
        if found.long_many and (number_load is None or number_load[0] != offset
                                or number_load[1].num_rows != batch.num_rows
                                or number_load[1].num_columns != batch.num_columns):
            return None
        value_columns = ([pa.nulls(batch.num_rows, pa.float64())] * offset + list(number_load[1].columns)
                         if found.long_many else None)
        if self.dated and sum(len(column) - column.null_count for column in batch.columns) != found.values:
            return None  # a value fastexcel left out (a number in a date format out of range): parse() reads it
        lookalikes = pa.array(sorted(shared), pa.string())
        height = batch.num_rows
        text_columns = [pa.nulls(height, pa.string())] * offset + list(batch.columns)
        long_by_column = found.long_columns()
        percent_by_column = found.percent_columns()
        texts: list[pa.Array] = []
        numbers: list[pa.Array] = []
        for c, column in enumerate(text_columns):
            column = column.cast(pa.string()).fill_null("")
            if pc.any(pc.is_in(column, value_set=_TRUTHS)).as_py() or (
                    pc.any(pc.match_substring(column, ":")).as_py()
                    and pc.any(pc.match_substring_regex(column, _DATE_OR_TRUTH)).as_py()) or (
                    any(pc.any(pc.match_substring(column, sign)).as_py() for sign in ("e+", "e-", "E+", "E-"))
                    and pc.any(pc.match_substring_regex(column, _EXPONENT)).as_py()):
                return None  # a date, a time, a truth value, NaN: parse() writes them as the import always has
            number = pc.match_substring_regex(column, _NUMBER_TEXT)
            # the numbers whose text is written from their exact value (see xlsx_scan._DECIMAL_TEXT)
            decimal = pc.and_(number, pc.or_(pc.match_substring(column, "."),
                                             pc.match_substring_regex(column, r"^-?[0-9]{16,}$")))
            flags = number.to_numpy(zero_copy_only=False)
            percent_rows = percent_by_column.get(c, np.zeros(0, dtype=np.int64))
            percent_rows = percent_rows[percent_rows < height]
            percent_rows = percent_rows[flags[percent_rows]]
            long = long_by_column.get(c)
            any_decimal = pc.any(decimal).as_py() or long is not None
            if value_columns is not None:  # many long numbers: every number's exact value from fastexcel's floats
                exact = value_columns[c].cast(pa.float64()).to_numpy(zero_copy_only=False)
                shown = pc.cast(pc.if_else(number, column, "nan"), pa.float64()).to_numpy(zero_copy_only=False)
                with np.errstate(invalid="ignore"):
                    rounded = flags & ~np.isnan(exact) & (exact != shown)  # its text lost digits
                if rounded.any():
                    decimal, any_decimal = pc.or_(decimal, pa.array(rounded)), True
            elif any_decimal or len(percent_rows):
                # exact values: a number's text (its nine decimals are exact for it), else its own text in the XML
                exact = pc.cast(pc.if_else(number, column, "nan"), pa.float64()).to_numpy(zero_copy_only=False)
                if long is not None:
                    rows, values = long
                    inside = rows < height
                    exact, long_rows = exact.copy(), np.zeros(height, dtype=bool)
                    exact[rows[inside]], long_rows[rows[inside]] = values[inside], True
                    decimal = pc.or_(decimal, pa.array(long_rows))
            if any_decimal:
                if len(lookalikes) and pc.any(pc.and_(decimal, pc.is_in(column, value_set=lookalikes))).as_py():
                    return None  # a text that reads like a number the sheet also holds: parse() tells them apart
                where = decimal.to_numpy(zero_copy_only=False)
                column = pc.replace_with_mask(column, decimal, _number_texts_arrow(exact[where]))
            if pc.any(pc.equal(column, "-0")).as_py():
                return None  # the number -0.0 (written 0) or the text -0: parse() tells them apart
            if len(percent_rows):
                percent_rows = percent_rows[~np.isnan(exact[percent_rows])]
                mask = np.zeros(height, dtype=bool)
                mask[percent_rows] = True
                column = pc.replace_with_mask(column, pa.array(mask), _percent_texts(exact[percent_rows]))
            texts.append(column)
            numbers.append(number)
        return texts, numbers


def _result_or_none(future: Any) -> Any:
    """The future's result, or None if it raised (fastexcel's errors: parse() reads the file and says why)."""
    try:
        return future.result()
    except Exception:  # noqa: BLE001 - fastexcel raises many kinds
        return None


def _sheet_parts(archive: zipfile.ZipFile) -> tuple[list[str], list[str], list[str], int]:
    """Sheet names, states and XML members in workbook order, and the active sheet's index."""
    workbook = _member_text(archive, "xl/workbook.xml")
    rels = _member_text(archive, "xl/_rels/workbook.xml.rels")
    targets = {}
    for attrs in re.findall(rb"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        rid, target = re.search(rb'\bId="([^"]*)"', attrs), re.search(rb'\bTarget="([^"]*)"', attrs)
        if rid and target:
            path = html.unescape(target.group(1).decode("utf-8", "replace"))
            targets[rid.group(1)] = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    names, states, parts = [], [], []
    for attrs in re.findall(rb"<(?:\w+:)?sheet\b([^>]*)>", workbook):
        name = re.search(rb'\bname="([^"]*)"', attrs)
        if name is None:
            continue
        state = re.search(rb'\bstate="([^"]*)"', attrs)
        rid = re.search(rb'\br:id="([^"]*)"|\b\w+:id="([^"]*)"', attrs)
        names.append(html.unescape(name.group(1).decode("utf-8", "replace")))
        states.append(state.group(1).decode() if state else "visible")
        parts.append(targets.get((rid.group(1) or rid.group(2)) if rid else b"", ""))
    active = re.search(rb'<(?:\w+:)?workbookView\b[^>]*?\bactiveTab="([0-9]+)"', workbook)
    return names, states, parts, int(active.group(1)) if active else 0


def _open_workbook(data: bytes) -> _Workbook:
    """A workbook ready to read; ValidationError if it is too large or unreadable."""
    import python_calamine  # local: only workbooks need it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            unpacked = sum(item.file_size for item in members)
            if unpacked > MAX_XLSX_UNPACKED:
                raise _reject(_too_large(unpacked, MAX_XLSX_UNPACKED))
            # a zip bomb, told from the zip's own directory before anything is unpacked (zipfile never
            # unpacks a member beyond the size the directory gives it)
            for item in members:
                if item.file_size > _XLSX_RATIO_FLOOR and item.file_size > MAX_XLSX_RATIO * max(item.compress_size, 1):
                    raise _reject(_problem(None, None, item.filename, "xlsx_ratio", member=item.filename,
                                           size=_Size(item.file_size), packed=_Size(item.compress_size),
                                           ratio=item.file_size // max(item.compress_size, 1), limit=MAX_XLSX_RATIO))
            sheets = [item for item in members if item.filename.startswith("xl/worksheets/")
                      and item.filename.endswith(".xml")]
            for item in sheets:
                if item.file_size > MAX_XLSX_SHEET:
                    raise _reject(_problem(None, None, None, "xlsx_sheet_too_large",
                                           sheet=item.filename.rsplit("/", 1)[-1],
                                           size=_Size(item.file_size), limit=_Size(MAX_XLSX_SHEET)))
            styles = _member_text(archive, "xl/styles.xml")
            percent = tuple(str(i).encode() for i in sorted(_percent_styles(styles)))
            dated = _dated_styles(styles)
            names, states, parts, active = _sheet_parts(archive)
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not names:  # a workbook.xml the regexes could not read: calamine's own list
            names = list(book.sheet_names)
            states = [_calamine_state(m.visible) for m in book.sheets_metadata]
            parts = [""] * len(names)
        return _Workbook(book, names, states, parts, active, data, [item.filename for item in sheets], percent,
                         dated)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile and calamine raise many kinds on a damaged workbook
        reason = f"{type(exc).__name__}: {exc}"[:160]
        raise _reject(_problem(None, None, None, "xlsx_unreadable", reason=reason)) from None


def _calamine_state(visible: Any) -> str:
    name = getattr(visible, "name", str(visible))
    return {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}.get(name, "visible")


def _default_sheet(workbook: _Workbook) -> int:
    """The sheet Excel opens on (the active one) when it is visible, else the first visible one.

    A hidden or very hidden sheet is never read without being asked for by name or number.
    """
    if 0 <= workbook.active < len(workbook.names) and workbook.states[workbook.active] == "visible":
        return workbook.active
    visible = [i for i, state in enumerate(workbook.states) if state == "visible"]
    if not visible:
        raise _reject(_problem(None, None, None, "no_visible_sheet",
                               sheets=", ".join(f"'{name}'" for name in workbook.names)))
    return visible[0]


def list_sheets(data: bytes) -> list[str]:
    """The sheet names of an ``.xlsx`` upload, or ``[]`` when the bytes are not a readable workbook."""
    if not data.startswith(_ZIP_MAGIC):
        return []
    try:
        workbook = _open_workbook(data)
    except ValidationError:
        return []
    try:
        # hidden sheets are not offered; the one read by default (the active sheet) comes first
        default = workbook.names[_default_sheet(workbook)]
    except ValidationError:
        return []
    finally:
        workbook.close()
    return [default] + [name for name in workbook.visible() if name != default]


def _merge_bounds(ref: str) -> tuple[int, int, int, int]:
    """``"A2:B4"`` -> (min_col, min_row, max_col, max_row), 1-based."""
    first, _, last = ref.partition(":")
    last = last or first
    bounds = []
    for cell in (first, last):
        letters = cell.rstrip("0123456789")
        bounds.append((_column_number(letters.encode()), int(cell[len(letters):])))
    (min_col, min_row), (max_col, max_row) = bounds
    return min(min_col, max_col), min(min_row, max_row), max(min_col, max_col), max(min_row, max_row)


def _percent_cells_openpyxl(data: bytes, sheet: str) -> set[tuple[int, int]]:
    """The percentage cells of one sheet, by openpyxl: only for a sheet whose cells carry no address.

    Spreadsheet writers always address their cells (``r="B2"``); a file that does not is read
    slowly rather than wrongly.
    """
    import openpyxl  # local: the rare path

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        worksheet = workbook[sheet]
        worksheet.reset_dimensions()
        found = set()
        for cells in worksheet.iter_rows():
            for cell in cells[:MAX_COLUMNS]:
                if getattr(cell, "value", None) is not None and "%" in (getattr(cell, "number_format", "") or ""):
                    found.add((cell.row, cell.column))
        return found
    finally:
        workbook.close()


def _fill_merged(texts: list[list[str]], numbers: list[list[bool]], row_numbers: list[int], merged: list[str],
                 info: ReadInfo) -> None:
    """Every cell of a merged range holds the range's top-left value, as the analyst sees it.

    ``texts``/``numbers`` are columns (``texts[c][r]``). Only the cells inside the sheet's used
    rows and columns are filled; at most :data:`MAX_XLSX_CELLS` cells in all, so ranges over the
    whole sheet cost nothing.
    """
    height, width = len(row_numbers), len(texts)
    filled = 0
    shown = []
    for ref in merged:
        min_col, min_row, max_col, max_row = _merge_bounds(ref)
        if min_row > height or min_col > width:
            continue  # the top-left cell is empty: the range shows nothing
        text, number = texts[min_col - 1][min_row - 1], numbers[min_col - 1][min_row - 1]
        if not text:
            continue
        last_col, last_row = min(max_col, width), min(max_row, height)
        filled += (last_row - min_row + 1) * (last_col - min_col + 1)
        if filled > MAX_XLSX_CELLS:
            raise _reject(_problem(None, None, ref, "too_many_cells", cells=f"> {MAX_XLSX_CELLS}",
                                   limit=MAX_XLSX_CELLS))
        for c in range(min_col - 1, last_col):
            column_texts, column_numbers = texts[c], numbers[c]
            for r in range(min_row - 1, last_row):
                column_texts[r], column_numbers[r] = text, number
        if last_row > min_row or last_col > min_col:
            shown.append(f"{ref} ('{text[:30]}')")
    if shown:
        info.warnings.append(_problem(None, None, None, "merged_filled", count=len(shown),
                                      ranges=", ".join(shown[:10]) + (" …" if len(shown) > 10 else "")))


def _within_columns(texts: list[pa.Array]) -> list[pa.Array]:
    """The first :data:`MAX_COLUMNS` columns; refused, naming the first row, if a later one holds anything."""
    beyond = None
    for column in texts[MAX_COLUMNS:]:
        filled = pc.greater(pc.binary_length(column), 0)
        if pc.any(filled).as_py():
            first = pc.index(filled, True).as_py()
            beyond = first if beyond is None else min(beyond, first)
    if beyond is not None:
        raise _too_many_columns(beyond + 1, len(texts))
    return texts[:MAX_COLUMNS]


def _read_xlsx(data: bytes, info: ReadInfo, sheet: str | None, fast: bool = True) -> _RawTable:
    """The chosen sheet as a raw table: by :meth:`_Workbook.read_fast` where it can, else :meth:`_Workbook.parse`
    (``fast=False``: always the latter; the tests compare the two)."""
    workbook = _open_workbook(data)
    info.kind, info.encoding, info.default_decimal = "xlsx", "xlsx", ","
    try:
        names = workbook.names
        info.sheets = workbook.visible()
        if sheet in (None, ""):
            index = _default_sheet(workbook)
        elif sheet in names:
            index = names.index(sheet)
        elif str(sheet).isdigit() and 1 <= int(sheet) <= len(names):
            index = int(sheet) - 1
        else:
            raise _reject(_problem(None, None, sheet, "sheet_not_found", sheet=sheet,
                                   sheets=", ".join(f"'{s}'" for s in info.sheets)))
        name = names[index]
        info.sheet = name
        if workbook.states[index] != "visible":  # asked for by name or number: read, and said
            info.warnings.append(_problem(None, None, None, "sheet_hidden", sheet=name))
        scan = workbook.scan(index)  # its cells counted before anything parses it
        read = workbook.read_fast(index, scan) if fast else None
        if read is not None:
            texts, typed = read
            if len(texts) > MAX_COLUMNS:
                texts, typed = _within_columns(texts), typed[:MAX_COLUMNS]
            row_numbers = list(range(1, len(texts[0]) + 1)) if texts else []
            if scan.merged and texts:
                lists, flags = [t.to_pylist() for t in texts], [n.to_pylist() for n in typed]
                _fill_merged(lists, flags, row_numbers, scan.merged, info)
                texts, typed = [pa.array(t, pa.string()) for t in lists], [pa.array(n, pa.bool_()) for n in flags]
            if not texts or not row_numbers:
                raise _reject(_problem(None, None, None, "file_empty"))
            return _shape(texts, pa.array(row_numbers, pa.int64()), dict(enumerate(typed)))
        sheet_data, percent = workbook.parse(index, scan)
        grid = sheet_data.to_python(skip_empty_area=False)
        width = max((len(row) for row in grid), default=0)
        if width > MAX_COLUMNS:
            for r, row in enumerate(grid):
                if any(v not in ("", None) for v in row[MAX_COLUMNS:]):
                    raise _too_many_columns(r + 1, len(row))
            width = MAX_COLUMNS
        percent_by_column: dict[int, set[int]] = {}
        for row_number, column in percent:
            percent_by_column.setdefault(column - 1, set()).add(row_number)
        # one object array, rows by columns (calamine's rows are all as wide as the sheet): a column
        # is then a view, not a tuple made by zip(*grid)
        cells = np.array(grid, dtype=object) if grid and len(grid[0]) == width else None
        if cells is None or cells.shape != (len(grid), width):
            cells = np.empty((len(grid), width), dtype=object)
            for r, row in enumerate(grid):
                cells[r] = row[:width]
        del grid
        texts, numbers = [], []
        for c in range(width):
            column_texts, column_numbers = _column_texts(cells[:, c], percent_by_column.get(c, set()))
            texts.append(column_texts)
            numbers.append(column_numbers)
        del cells
        row_numbers = list(range(1, len(texts[0]) + 1)) if texts else []
        if scan.merged and texts:
            texts, numbers = [t.tolist() for t in texts], [m.tolist() for m in numbers]
            _fill_merged(texts, numbers, row_numbers, scan.merged, info)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - damaged sheet XML surfaces while parsing
        reason = f"{type(exc).__name__}: {exc}"[:160]
        raise _reject(_problem(None, None, None, "xlsx_unreadable", reason=reason)) from None
    finally:
        workbook.close()
    if not texts or not row_numbers:
        raise _reject(_problem(None, None, None, "file_empty"))
    columns = [pa.array(t, pa.string()) for t in texts]
    typed = {i: pa.array(n, pa.bool_()) for i, n in enumerate(numbers)}
    return _shape(columns, pa.array(row_numbers, pa.int64()), typed)
