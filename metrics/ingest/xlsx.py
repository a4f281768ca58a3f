"""Workbooks (``.xlsx``): limits told from the zip's directory, then openpyxl reading the chosen sheet.

The reading functions are kept as they were; :func:`_read_xlsx` (bytes, info, sheet) -> :class:`_RawTable`
is the entry point the rest calls.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import math
import re
import zipfile
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
        visible = [ws.title for ws in workbook.worksheets if _visible(ws)]
        default = _default_sheet(workbook).title
    except ValidationError:
        return []
    finally:
        workbook.close()
    return [default] + [name for name in visible if name != default]


def _open_workbook(data: bytes):  # type: ignore[no-untyped-def]
    """An openpyxl workbook (read-only, cached formula values); ValidationError if unreadable."""
    import openpyxl  # local: only workbooks need it

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
        # every sheet's cells counted before openpyxl looks at them (it reads a sheet without a stated
        # size to its end just to open the workbook)
        sheets = [item for item in members if item.filename.startswith("xl/worksheets/")
                  and item.filename.endswith(".xml")]
        for item in sheets:
            if item.file_size > MAX_XLSX_SHEET:
                raise _reject(_problem(None, None, None, "xlsx_sheet_too_large", sheet=item.filename.rsplit("/", 1)[-1],
                                       size=_Size(item.file_size), limit=_Size(MAX_XLSX_SHEET)))
        scans = {item.filename: _scan_sheet(data, item.filename, MAX_XLSX_CELLS) for item in sheets}
        for part, (cells, _) in scans.items():
            if cells > MAX_XLSX_CELLS:
                raise _reject(_problem(None, None, None, "too_many_cells_sheet", sheet=part.rsplit("/", 1)[-1],
                                       cells=cells, limit=MAX_XLSX_CELLS))
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        workbook._malspor_scans = scans  # noqa: SLF001 - the merged ranges, for the sheet that is read
        return workbook
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged workbook
        reason = f"{type(exc).__name__}: {exc}"[:160]
        raise _reject(_problem(None, None, None, "xlsx_unreadable", reason=reason)) from None


def _cell_text(cell: Any) -> tuple[str, bool]:
    """A workbook cell as text, and whether it held a number.

    A number formatted as a percentage (Excel stores 13,4 % as 0.134) becomes ``13.4%``, the
    figure the analyst sees and the one a CSV saved from the same sheet would hold.
    """
    value = getattr(cell, "value", None)
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value), False
        suffix = ""
        if "%" in (getattr(cell, "number_format", "") or ""):
            value, suffix = round(value * 100, 10), "%"
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            value = int(value)
        return (str(value) if isinstance(value, int) else repr(value)) + suffix, True
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat(), False
    return str(value), False


def _visible(worksheet: Any) -> bool:
    return getattr(worksheet, "sheet_state", "visible") in (None, "visible")


def _default_sheet(workbook: Any) -> Any:
    """The sheet Excel opens on (the active one) when it is visible, else the first visible one.

    A hidden or very hidden sheet is never read without being asked for by name or number.
    """
    sheets = list(workbook.worksheets)
    with contextlib.suppress(Exception):  # an active index beyond the sheets: the first visible one
        active = sheets[workbook._active_sheet_index]  # noqa: SLF001 - openpyxl's reading of activeTab
        if _visible(active):
            return active
    visible = [ws for ws in sheets if _visible(ws)]
    if not visible:
        raise _reject(_problem(None, None, None, "no_visible_sheet",
                               sheets=", ".join(f"'{ws.title}'" for ws in sheets)))
    return visible[0]


_CELL_TAGS = (b"<c ", b"<c>", b":c ", b":c>")
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)"')


def _scan_sheet(data: bytes, path: str, limit: int | None = None) -> tuple[int, list[str]]:
    """The number of cells of a sheet's XML (at most) and its merged ranges, read in 1 MB pieces.

    Counting costs a pass of unpacking (zlib lets go of the GIL) and no memory: a sheet that
    openpyxl would take minutes and gigabytes to read is refused in seconds.
    """
    cells, merged = 0, []
    tail = b""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(path) as member:
        while True:
            piece = member.read(1 << 20)
            if not piece:
                break
            # a tag can straddle two pieces: the last bytes of one go on with the next (two are too
            # few to hold a whole cell tag, so none is counted twice; a range seen twice is kept once)
            block = tail + piece
            cells += sum(block[len(tail) - 2 if tail else 0:].count(tag) for tag in _CELL_TAGS)
            if limit is not None and cells > limit:
                break  # enough to refuse: the rest is not unpacked
            if b"mergeCell" in block:
                merged.extend(m.decode() for m in _MERGE_REF.findall(block))
            tail = piece[-200:]
    return cells, list(dict.fromkeys(merged))


def _merge_bounds(ref: str) -> tuple[int, int, int, int]:
    """``"A2:B4"`` -> (min_col, min_row, max_col, max_row), 1-based."""
    from openpyxl.utils.cell import range_boundaries

    return range_boundaries(ref if ":" in ref else f"{ref}:{ref}")


def _fill_merged(texts: list[list[str]], numbers: list[list[bool]], row_numbers: list[int], merged: list[str],
                 info: ReadInfo) -> None:
    """Every cell of a merged range holds the range's top-left value, as the analyst sees it.

    Only the cells inside the sheet's used rows and columns are filled; at most
    :data:`MAX_XLSX_CELLS` cells in all, so ranges over the whole sheet cost nothing.
    """
    index = {number: i for i, number in enumerate(row_numbers)}
    width = min(max((len(t) for t in texts), default=0), MAX_COLUMNS)
    filled = 0
    shown = []
    for ref in merged:
        min_col, min_row, max_col, max_row = _merge_bounds(ref)
        top = index.get(min_row)
        if top is None or min_col > len(texts[top]):
            continue  # the top-left cell is empty: the range shows nothing
        text, number = texts[top][min_col - 1], numbers[top][min_col - 1]
        if not text:
            continue
        last_col = min(max_col, width)
        rows = [index[r] for r in range(min_row, min(max_row, row_numbers[-1]) + 1) if r in index]
        filled += len(rows) * max(0, last_col - min_col + 1)
        if filled > MAX_XLSX_CELLS:
            raise _reject(_problem(None, None, ref, "too_many_cells", cells=f"> {MAX_XLSX_CELLS}",
                                   limit=MAX_XLSX_CELLS))
        for i in rows:
            row_texts, row_numbers_ = texts[i], numbers[i]
            if len(row_texts) < last_col:
                row_texts.extend([""] * (last_col - len(row_texts)))
                row_numbers_.extend([False] * (last_col - len(row_numbers_)))
            for c in range(min_col - 1, last_col):
                row_texts[c], row_numbers_[c] = text, number
        if len(rows) > 1 or last_col > min_col:
            shown.append(f"{ref} ('{text[:30]}')")
    if shown:
        info.warnings.append(_problem(None, None, None, "merged_filled", count=len(shown),
                                      ranges=", ".join(shown[:10]) + (" …" if len(shown) > 10 else "")))


def _read_xlsx(data: bytes, info: ReadInfo, sheet: str | None) -> _RawTable:
    workbook = _open_workbook(data)
    info.kind, info.encoding, info.default_decimal = "xlsx", "xlsx", ","
    try:
        every = list(workbook.sheetnames)
        info.sheets = [ws.title for ws in workbook.worksheets if _visible(ws)]
        if sheet in (None, ""):
            worksheet = _default_sheet(workbook)
        elif sheet in every:
            worksheet = workbook[sheet]
        elif str(sheet).isdigit() and 1 <= int(sheet) <= len(every):
            worksheet = workbook.worksheets[int(sheet) - 1]
        else:
            raise _reject(_problem(None, None, sheet, "sheet_not_found", sheet=sheet,
                                   sheets=", ".join(f"'{s}'" for s in info.sheets)))
        info.sheet = worksheet.title
        if not _visible(worksheet):  # asked for by name or number: read, and said
            info.warnings.append(_problem(None, None, None, "sheet_hidden", sheet=worksheet.title))
        path = str(getattr(worksheet, "_worksheet_path", "")).lstrip("/")
        merged = getattr(workbook, "_malspor_scans", {}).get(path, (0, []))[1]
        worksheet.reset_dimensions()  # trust the cells, not the file's stated size
        texts: list[list[str]] = []
        numbers: list[list[bool]] = []
        row_numbers: list[int] = []
        current = 0
        slots = 0
        for cells in worksheet.iter_rows():
            current = next((c.row for c in cells if getattr(c, "row", None)), current + 1)
            if len(cells) > MAX_COLUMNS:  # openpyxl pads a row up to its last cell
                slots += len(cells)
                beyond = next((c for c in cells[MAX_COLUMNS:] if getattr(c, "value", None) is not None), None)
                if beyond is not None or slots > 10 * MAX_XLSX_CELLS:
                    raise _too_many_columns(current, len(cells))
                cells = cells[:MAX_COLUMNS]
            pairs = [_cell_text(c) for c in cells]
            texts.append([p[0] for p in pairs])
            numbers.append([p[1] for p in pairs])
            row_numbers.append(current)
        if merged and texts:
            _fill_merged(texts, numbers, row_numbers, merged, info)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - damaged sheet XML surfaces while iterating
        reason = f"{type(exc).__name__}: {exc}"[:160]
        raise _reject(_problem(None, None, None, "xlsx_unreadable", reason=reason)) from None
    finally:
        workbook.close()
    width = max((len(t) for t in texts), default=0)
    if width == 0:
        raise _reject(_problem(None, None, None, "file_empty"))
    columns = [pa.array([t[i] if i < len(t) else "" for t in texts], pa.string()) for i in range(width)]
    typed = {i: pa.array([n[i] if i < len(n) else False for n in numbers], pa.bool_()) for i in range(width)}
    return _shape(columns, pa.array(row_numbers, pa.int64()), typed)
