"""Workbooks (``.xlsx``): limits told from the zip's directory, then python-calamine reading the chosen sheet.

Read by python-calamine (Rust): a 100,000-row sheet in a fraction of a second, where openpyxl
made a Python object of every cell (``python -m bench.bench_xlsx``). Calamine gives values, not
number formats, so the one format the import needs (a percentage, which Excel stores as a
fraction) is read from the workbook's own XML: which cell styles are percentages
(``styles.xml``), and which cells carry one (the sheet's XML: one pass counts its cells before
anything is parsed, a second finds the percentages while calamine parses). :func:`_read_xlsx` (bytes, info, sheet) -> :class:`_RawTable`
is the entry point the rest calls; :func:`list_sheets` offers the sheets to choose from.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import html
import io
import math
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

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
from metrics.model import ValidationError

_ZIP_MAGIC = b"PK\x03\x04"

_CELL_TAGS = (b"<c ", b"<c>", b":c ", b":c>")
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)"')
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')


_BUILTIN_PERCENT = {9, 10}  # Excel's built-in "0%" and "0.00%"
_CELL_START = re.compile(rb"<(?:\w+:)?c\s")


@dataclass
class _SheetScan:
    """What one pass over a sheet's XML tells before the sheet is parsed."""

    cells: int = 0
    merged: list[str] = field(default_factory=list)
    percent: set[tuple[int, int]] = field(default_factory=set)  # (row, column), 1-based
    unplaced_percent: bool = False  # a percentage cell without an ``r`` address


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
                found = _scan_sheet(self.data, part, None, self.percent_styles)
            finally:
                sheet = parsed.result()  # its error, if any, is the one that counts
        return sheet, (_percent_cells_openpyxl(self.data, name) if found.unplaced_percent else found.percent)


def _member_text(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        return b""


def _percent_styles(styles: bytes) -> set[int]:
    """The cell style indices (``s="…"``) whose number format shows a percentage.

    The rule is openpyxl's, which the import used before: a ``%`` anywhere in the format code.
    """
    codes = {int(i): html.unescape(c.decode("utf-8", "replace"))
             for i, c in re.findall(rb'<(?:\w+:)?numFmt\b[^>]*?numFmtId="([0-9]+)"[^>]*?formatCode="([^"]*)"', styles)}
    section = re.search(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", styles, re.S)
    if section is None:
        return set()
    percent = set()
    for index, attrs in enumerate(re.findall(rb"<(?:\w+:)?xf\b([^>]*)>", section.group(1))):
        found = re.search(rb'\bnumFmtId="([0-9]+)"', attrs)
        number_format = int(found.group(1)) if found else 0
        if number_format in _BUILTIN_PERCENT or "%" in codes.get(number_format, ""):
            percent.add(index)
    return percent


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _scan_sheet(data: bytes, path: str, limit: int | None = None, percent_styles: tuple[bytes, ...] = ()
                ) -> _SheetScan:
    """The number of cells of a sheet's XML (at most), its merged ranges and its percentage cells.

    Read in 1 MB pieces: counting costs a pass of unpacking (zlib lets go of the GIL) and no
    memory, so a sheet too large to read is refused in seconds.
    """
    scan = _SheetScan()
    tail = b""
    unsearched = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(path) as member:
        while True:
            piece = member.read(1 << 20)
            if not piece:
                break
            # a tag can straddle two pieces: the last bytes of one go on with the next (two are too
            # few to hold a whole cell tag, so none is counted twice; a range or cell seen twice is kept once)
            block = tail + piece
            fresh = block[len(tail) - 2 if tail else 0:]
            # prefixed tags (<x:c>) only in a sheet that uses a prefix: one look instead of two counts
            scan.cells += sum(fresh.count(tag) for tag in (_CELL_TAGS if b":c" in fresh else _CELL_TAGS[:2]))
            if limit is not None and scan.cells > limit:
                break  # enough to refuse: the rest is not unpacked
            if b"mergeCell" in block:
                scan.merged.extend(m.decode() for m in _MERGE_REF.findall(block))
            # percentage cells are looked for from where the last piece's search stopped to the last
            # whole tag; a tag cut at the end is read whole with the next piece
            lo, whole = max(0, len(tail) - unsearched), block.rfind(b">") + 1
            unsearched = len(block) - whole
            if unsearched > min(len(piece), 200):  # more than the next piece carries over
                scan.unplaced_percent = scan.unplaced_percent or bool(percent_styles)
            for style in percent_styles:  # literal searches: a regex over every cell costs 10x more
                needle = b' s="' + style + b'"'
                found = 0
                at = block.find(needle, lo, whole)
                while at >= 0:
                    start, end = block.rfind(b"<", 0, at), block.find(b">", at)
                    if start >= 0 and end >= 0 and (block[start + 1:start + 3] == b"c " or _CELL_START.match(block, start)):
                        found += 1
                        ref = _CELL_REF.match(block, start + 3) if block[start:start + 6] == b'<c r="' else \
                            _CELL_REF.search(block, start, end)  # the usual layout first, then any other
                        if ref is None:
                            scan.unplaced_percent = True
                        else:
                            scan.percent.add((int(ref.group(2)), _column_number(ref.group(1))))
                    at = block.find(needle, at + len(needle), whole)
                if found != block.count(b's="' + style + b'"', lo, whole):  # written unusually (a tab, a cut tag): the slow way
                    scan.unplaced_percent = True
            tail = piece[-200:]
    scan.merged = list(dict.fromkeys(scan.merged))
    return scan


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
            percent = tuple(str(i).encode() for i in sorted(_percent_styles(_member_text(archive, "xl/styles.xml"))))
            names, states, parts, active = _sheet_parts(archive)
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not names:  # a workbook.xml the regexes could not read: calamine's own list
            names = list(book.sheet_names)
            states = [_calamine_state(m.visible) for m in book.sheets_metadata]
            parts = [""] * len(names)
        return _Workbook(book, names, states, parts, active, data, [item.filename for item in sheets], percent)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile and calamine raise many kinds on a damaged workbook
        reason = f"{type(exc).__name__}: {exc}"[:160]
        raise _reject(_problem(None, None, None, "xlsx_unreadable", reason=reason)) from None


def _calamine_state(visible: Any) -> str:
    name = getattr(visible, "name", str(visible))
    return {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}.get(name, "visible")


def _cell_text(value: Any, percent: bool = False) -> tuple[str, bool]:
    """A workbook cell's value as text, and whether it held a number.

    A number formatted as a percentage (Excel stores 13,4 % as 0.134) becomes ``13.4%``, the
    figure the analyst sees and the one a CSV saved from the same sheet would hold::

        >>> _cell_text(0.134, percent=True)
        ('13.4%', True)
        >>> _cell_text(2024.0)
        ('2024', True)
    """
    if value is None or value == "":
        return "", False
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value), False
        suffix = ""
        if percent:
            value, suffix = round(value * 100, 10), "%"
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            value = int(value)
        return (str(value) if isinstance(value, int) else repr(value)) + suffix, True
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat(), False
    return str(value), False


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


def _column_texts(values: tuple[Any, ...], percent_rows: set[int]) -> tuple[list[str], list[bool]]:
    """One column's cells as text and whether each held a number (see :func:`_cell_text`).

    Text and finite numbers, nearly every cell, are turned here without a call per cell.
    """
    if set(map(type, values)) <= {str, float}:  # text and numbers, as calamine gives nearly every cell
        texts = [v if v.__class__ is str else str(int(v)) if v.is_integer() and -1e15 < v < 1e15 else repr(v)
                 for v in values]
        numbers = [v.__class__ is float and v - v == 0 for v in values]  # inf and nan are not numbers
    else:
        texts, numbers = [], []
        for value in values:
            t, n = _cell_text(value)
            texts.append(t)
            numbers.append(n)
    for r in percent_rows:
        value = values[r - 1] if r <= len(values) else None
        if value.__class__ is float and value - value == 0:
            shown = round(value * 100, 10)
            texts[r - 1] = (str(int(shown)) if shown.is_integer() and -1e15 < shown < 1e15 else repr(shown)) + "%"
        elif value.__class__ is int:
            texts[r - 1], numbers[r - 1] = _cell_text(value, percent=True)
    return texts, numbers


def _read_xlsx(data: bytes, info: ReadInfo, sheet: str | None) -> _RawTable:
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
        scan = workbook.scan(index)  # its cells counted before calamine parses it
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
        texts, numbers = [], []
        for c, values in enumerate(zip(*grid, strict=True)):  # calamine's rows are all as wide as the sheet
            if c >= width:
                break
            column_texts, column_numbers = _column_texts(values, percent_by_column.get(c, set()))
            texts.append(column_texts)
            numbers.append(column_numbers)
        del grid
        row_numbers = list(range(1, len(texts[0]) + 1)) if texts else []
        if scan.merged and texts:
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
