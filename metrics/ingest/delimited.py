"""Delimited text (CSV): the dialect sniffed, pyarrow's fast reader, and Python's careful one.

Named ``delimited`` so it does not shadow the standard library's ``csv``.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from metrics.ingest.decode import _CONTROL, _decode
from metrics.ingest.limits import (
    _POOL,
    _RECORD_DELIMITERS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_PROBLEMS,
    _letter,
    _problem,
    _reject,
    _too_many_columns,
)
from metrics.ingest.table import ReadInfo, _numbers, _RawTable, _shape
from metrics.model import Problem, ValidationError

def _sniff_delimiter(text: str) -> str:
    """The delimiter (``;``, tab or ``,``) that gives the header and the first rows one consistent width."""
    head = text[:65536]
    if len(text) > len(head) and "\n" in head:
        head = head[: head.rindex("\n")]
    best, best_score = ",", (False, -1.0, 0)
    for delimiter in (";", "\t", ","):
        try:
            records = [r for r in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)
                       if any(c.strip() for c in r)][:100]
        except csv.Error:
            continue
        if not records:
            continue
        width = len(records[0])
        rest = records[1:]
        consistent = sum(len(r) == width for r in rest) / len(rest) if rest else 1.0
        score = (width > 1, consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(box: list[bytes], info: ReadInfo) -> _RawTable:
    data = box.pop()
    fast = _read_csv_utf8(data, info)
    if fast is not None:
        return fast
    text, info.encoding = _decode(data)
    sep_line = re.match(r"sep=(.)\r?\n", text[:8])
    if sep_line:  # Excel's "sep=;" line: Excel hides it, so the header is still row 1
        delimiter = sep_line.group(1)
        text = text[sep_line.end():]
    else:
        delimiter = _sniff_delimiter(text)
    info.delimiter = delimiter
    info.default_decimal = "," if delimiter in (";", "\t") else "."
    if not text or text.isspace():  # isspace() stops at the first visible character; strip() would copy
        raise _reject(_problem(None, None, None, "file_empty"))
    # pyarrow reads UTF-8 bytes: the file's own when they are UTF-8 already; the text is then let go
    head = text[:65536]
    if info.encoding == "UTF-8" and not sep_line:
        utf8 = data
    elif info.encoding == "UTF-8 (BOM)" and not sep_line:
        utf8 = data[3:]
    else:
        utf8 = text.encode("utf-8")
    del text, data
    records = _parse_fast(head, utf8, delimiter)
    if records is None:
        _check_cells(utf8, delimiter)  # the careful reader costs a Python object a cell
        records = _parse_python(utf8.decode("utf-8"), delimiter)
    del utf8
    columns, rows, multiline = records
    del records
    if multiline:
        info.warnings.extend(_swallowed_rows(columns, rows, delimiter))
    return _shape(columns, rows, typed={})


def _read_csv_utf8(data: bytes, info: ReadInfo) -> _RawTable | None:
    """The usual file, UTF-8 without BOM or ``sep=`` line, read without decoding it in Python.

    Only the first 64 KiB are decoded (to sniff the delimiter); pyarrow checks that the rest is
    valid UTF-8 as it parses, which saves a copy of the whole text. None when the file needs the
    careful path of :func:`_read_csv` (another encoding, a parse problem, anything unusual),
    which then reads it exactly as before.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"sep=")) or b"\x00" in data or data.isspace():
        return None
    raw_head = data[:65536]
    if len(data) > len(raw_head):
        cut = raw_head.rfind(b"\n")
        if cut <= 0:
            return None
        raw_head = raw_head[:cut]
    try:
        head = raw_head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(_CONTROL.findall(head)) > max(2, len(head) // 20):
        return None
    delimiter = _sniff_delimiter(head)
    records = _parse_fast(head, data, delimiter)
    if records is None:
        return None
    info.encoding, info.delimiter = "UTF-8", delimiter
    info.default_decimal = "," if delimiter in (";", "\t") else "."
    columns, rows, multiline = records
    del records
    if multiline:
        info.warnings.extend(_swallowed_rows(columns, rows, delimiter))
    return _shape(columns, rows, typed={})


def _check_width(head: str, utf8: bytes, delimiter: str, width: int) -> None:
    """Refuses a header wider than :data:`MAX_COLUMNS` before anything is parsed.

    ``width`` is the first record's width in ``head`` (at most 64 KiB); a longer first line is
    counted in the bytes (every delimiter, quoted or not), never split into cells.
    """
    if width <= MAX_COLUMNS:
        return
    end = utf8.find(b"\n")
    columns = width if 0 <= end < len(head) else utf8.count(delimiter.encode(), 0, None if end < 0 else end) + 1
    raise _too_many_columns(1, max(width, columns))


def _check_cells(utf8: bytes, delimiter: str) -> None:
    """Refuses a file of more than :data:`MAX_CELLS` cells, counted as delimiters and line breaks (at most)."""
    cells = utf8.count(delimiter.encode()) + utf8.count(b"\n") + 1
    if cells > MAX_CELLS:
        raise _reject(_problem(None, None, None, "too_many_cells", cells=cells, limit=MAX_CELLS))


def _parse_fast(head: str, utf8: bytes, delimiter: str) -> tuple[list[pa.ChunkedArray], pa.Array, bool] | None:
    """pyarrow's multi-threaded CSV reader; None when the file needs the careful reader.

    The third element is True when cells may hold line breaks (they were read with them).
    """
    first = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [])
    width = len(first)
    if width == 0:
        return None
    _check_width(head, utf8, delimiter, width)
    quoted = b'"' in utf8
    # An odd number of quotation marks means one is unclosed: the careful reader names its row.
    # Counted beside the parsing, which lets go of the GIL.
    # The line breaks too: fewer records than lines means a quoted cell holds a line break.
    quotes = _POOL.submit(lambda: (utf8.count(b'"'), utf8.count(b"\n") + (not utf8.endswith(b"\n")))) \
        if quoted else None

    def parse(newlines_in_values: bool) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(utf8)),  # the bytes themselves, not a copy through a file object
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                             newlines_in_values=newlines_in_values, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(width)},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )

    try:
        try:
            # Line breaks inside quoted cells are rare and cost pyarrow twice the time, so first
            # without: a quoted line break then splits a record into pieces narrower than the
            # header (at least two columns), which pyarrow refuses, and the second try reads it.
            table = parse(quoted if width < 2 else False)
        except (pa.ArrowException, ValueError):
            if not quoted or width < 2:
                return None
            table = parse(True)
    except (pa.ArrowException, ValueError):
        return None
    finally:
        n_quotes, n_lines = quotes.result() if quotes is not None else (0, 0)
    if n_quotes % 2:
        return None
    multiline = quoted and table.num_rows < n_lines
    if table.num_columns != width or any(not pa.types.is_string(t) for t in table.schema.types):
        return None
    if table.num_rows * width > MAX_CELLS:
        raise _reject(_problem(None, None, None, "too_many_cells", cells=table.num_rows * width, limit=MAX_CELLS))
    return list(table.columns), _numbers(1, table.num_rows), multiline


class _CsvFailure(Exception):
    """A csv.Error and the record it happened in."""

    def __init__(self, error: csv.Error, row: int) -> None:
        super().__init__(str(error))
        self.row = row


def _parse_python(text: str, delimiter: str) -> tuple[list[pa.ChunkedArray], pa.Array, bool]:
    """Python's csv module: slower, but names the row of an unclosed quote and pads ragged rows."""
    try:
        return _parse_records(text, delimiter, strict=True)
    except _CsvFailure as exc:
        if "unexpected end of data" in str(exc):
            raise _reject(_problem(exc.row, None, None, "unclosed_quote")) from None
        if "field larger than field limit" in str(exc):
            raise _reject(_problem(exc.row, None, None, "cell_too_long", limit=csv.field_size_limit())) from None
    try:  # a quotation mark inside a cell: read leniently, as Excel does
        return _parse_records(text, delimiter, strict=False)
    except _CsvFailure as exc:
        raise _reject(_problem(exc.row, None, None, "csv_unreadable", reason=str(exc))) from None


def _parse_records(text: str, delimiter: str, *, strict: bool) -> tuple[list[pa.ChunkedArray], pa.Array, bool]:
    """The records of ``text`` as text columns, built a block at a time (a Python list of cells costs
    fifty times the bytes): no record may have more than :data:`MAX_COLUMNS` cells, and no record is
    built with more than :data:`_RECORD_DELIMITERS` delimiters in its lines.
    """
    seen = [0, 0]  # delimiters since the last record, records read

    def lines():  # type: ignore[no-untyped-def]
        for line in io.StringIO(text, newline=""):
            seen[0] += line.count(delimiter)
            if seen[0] > _RECORD_DELIMITERS:
                raise _too_many_columns(seen[1] + 1, f"> {MAX_COLUMNS}")
            yield line

    width: int | None = None
    leading_blank = 0
    cells: list[list[str]] = []
    blocks: list[list[pa.Array]] = []
    extra: list[Problem] = []
    n_extra = 0
    reader = csv.reader(lines(), delimiter=delimiter, strict=strict)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _CsvFailure(exc, seen[1] + 1) from None
        seen[0] = 0
        seen[1] += 1
        number = seen[1]
        if width is None:
            if not any(c.strip() for c in record):
                leading_blank += 1
                continue
            width = len(record)
            while width > 1 and not record[width - 1].strip():
                width -= 1
            if width > MAX_COLUMNS:
                raise _too_many_columns(number, width)
            cells = [[""] * leading_blank for _ in range(width)]
        if len(record) > width:
            if len(record) > MAX_COLUMNS and any(c.strip() for c in record[MAX_COLUMNS:]):
                raise _too_many_columns(number, len(record))
            if any(c.strip() for c in record[width:]):
                n_extra += 1
                if len(extra) < MAX_PROBLEMS:
                    extra.append(_problem(number, _letter(width), record[width], "extra_cells",
                                          cells=len(record), columns=width))
        for i, column in enumerate(cells):
            column.append(record[i] if i < len(record) else "")
        if len(cells[0]) >= 65536:
            blocks.append([pa.array(c, pa.string()) for c in cells])
            cells = [[] for _ in cells]
    if width is None:
        raise _reject(_problem(None, None, None, "file_empty"))
    if extra:
        if n_extra > MAX_PROBLEMS:
            extra.append(_problem(None, None, None, "too_many", count=n_extra - MAX_PROBLEMS))
        raise ValidationError(extra)
    blocks.append([pa.array(c, pa.string()) for c in cells])
    columns = [pa.chunked_array([b[i] for b in blocks], pa.string()) for i in range(width)]
    return columns, _numbers(1, seen[1]), True


def _swallowed_rows(columns: list[Any], rows: Any, delimiter: str) -> list[Problem]:
    """Warnings for cells whose line breaks hold whole rows: a quotation mark opened and not closed
    where it was meant to be, so the rows after it were read into one cell (at most 20, by row).
    """
    width = len(columns)
    enough = max(1, width - 1)  # a swallowed row brings its own delimiters with it
    found: list[tuple[int, int, int]] = []
    for i, column in enumerate(columns):
        hits = pc.indices_nonzero(pc.match_substring(column, "\n")).to_pylist()
        for index in hits[:10000]:
            cell = column[index].as_py()
            inner = cell.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            if any(line.count(delimiter) >= enough for line in inner[1:]):
                found.append((rows[index].as_py(), i, len(inner)))
    found.sort()
    def name(i: int) -> str:  # the column's heading (the first record), else its letter
        heading = (columns[i][0].as_py() or "").strip() if len(columns[i]) else ""
        return heading if heading and "\n" not in heading else _letter(i)

    return [_problem(row, name(i), None, "swallowed_rows", lines=lines) for row, i, lines in found[:20]]
