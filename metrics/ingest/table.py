"""The types a file is read into and handed on in: :class:`ReadInfo` (how it was read),
:class:`_RawTable` (its cells before the columns are understood) and :class:`ReadResult` (the rows
with canonical column names, passed from reading to planning), and :func:`_shape`, which finds the
header and drops empty rows and columns for every reader alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from metrics.ingest.limits import _POOL, _LangKey, _letter, _problem, _reject
from metrics.model import Problem, ValidationError

@dataclass
class ReadInfo:
    """How a file was read: shown to the analyst beside the preview."""

    file_name: str
    size: int
    sha256: str
    kind: str = "csv"  # csv | xlsx
    encoding: str = ""
    delimiter: str = ""
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    layout: str = "long"  # long | wide
    year_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # field -> the header as written in the file
    default_decimal: str = "."
    decimal: str | None = None  # decided when the values are checked
    warnings: list[Problem] = field(default_factory=list)  # how the reading may differ from what was meant

    def header(self, name: str) -> str:
        """The file's own heading for a field (so messages name the column the analyst sees)."""
        return self.headers.get(name, name)

    def notes(self) -> list[Problem]:
        """File-level notes: encoding, delimiter, decimal mark, layout, ignored columns."""
        decimal = "sep.comma" if (self.decimal or self.default_decimal) == "," else "sep.point"
        notes = []
        if self.kind == "xlsx":
            notes.append(Problem(None, None, None, code="read_xlsx",
                                 params={"sheet": self.sheet or "", "decimal": _LangKey(decimal)}))
        else:
            sep = {",": "sep.comma", ";": "sep.semicolon", "\t": "sep.tab"}.get(self.delimiter, "sep.comma")
            notes.append(Problem(None, None, None, code="read_csv", params={
                "encoding": self.encoding, "delimiter": _LangKey(sep), "decimal": _LangKey(decimal)}))
        if self.layout == "wide":
            years = self.year_columns
            shown = f"{years[0]}–{years[-1]}" if len(years) > 1 else years[0]
            notes.append(Problem(None, None, None, code="read_wide", params={"count": len(years), "years": shown}))
        if self.ignored_columns:
            notes.append(Problem(None, None, None, code="ignored_columns",
                                 params={"columns": ", ".join(f"'{c}'" for c in self.ignored_columns)}))
        return notes + self.warnings


@dataclass
class _RawTable:
    """A file's cells before the columns are understood."""

    header: list[str]
    header_row: int
    columns: list[Any]  # text (pyarrow arrays), one per header cell, data rows only
    rows: Any  # spreadsheet row number of each data row
    typed: dict[int, Any] = field(default_factory=dict)  # xlsx: True where a cell held a number
    positions: list[int] = field(default_factory=list)  # each column's place in the file (A = 0)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def letter(self, index: int) -> str:
        """The spreadsheet letter of a kept column, counting the empty columns that were dropped."""
        return _letter(self.positions[index] if self.positions else index)



@dataclass(frozen=True)
class ReadResult:
    """A file read: ``table`` (pyarrow) holds its rows as text cells under canonical column names,
    with ``_row`` (the spreadsheet row, header = row 1), and for the wide layout ``_ord`` and
    ``_value_col``; ``info`` says how the file was read. Handed from reading to planning as it is.

    The result is frozen; ``info`` is filled in further by the check (the decimal mark it decided).
    """

    table: pa.Table
    info: ReadInfo

    def __len__(self) -> int:
        return self.table.num_rows

    @property
    def rows(self) -> pd.DataFrame:
        """The rows as a pandas frame of Arrow-backed columns (no copy of the cells), for a look at them."""
        return self.table.to_pandas(types_mapper=pd.ArrowDtype)

    @classmethod
    def of_frame(cls, frame: pd.DataFrame, file_name: str = "file") -> ReadResult:
        """Rows written by hand (tests, a program) as if read from a file of that name."""
        if "_row" not in frame.columns:
            frame = frame.assign(_row=range(2, len(frame) + 2))
        return cls(pa.Table.from_pandas(frame, preserve_index=False), ReadInfo(file_name=file_name, size=0, sha256=""))

def _numbers(first: int, count: int) -> pa.Array:
    return pa.array(np.arange(first, first + count, dtype=np.int64))


#: First bytes of the whitespace utf8_trim_whitespace removes: ASCII tab to CR and space, and the
#: lead bytes of the Unicode spaces (no-break space C2 A0, U+2000-U+205F E2 .., U+3000 E3 ..).
_SPACE_FIRST = np.zeros(256, dtype=bool)
_SPACE_FIRST[[9, 10, 11, 12, 13, 32, 0xC2, 0xE1, 0xE2, 0xE3]] = True
#: Last bytes: ASCII whitespace, or any byte of a multi-byte character (checked the careful way).
_SPACE_LAST = np.zeros(256, dtype=bool)
_SPACE_LAST[[9, 10, 11, 12, 13, 32]] = True
_SPACE_LAST[0x80:] = True


def _trimmed(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """A text column without surrounding whitespace; the column itself when no cell has any.

    Looking at each cell's first and last byte costs a fraction of trimming every cell, and a
    file as a program writes it has nothing to trim.
    """
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    for chunk in chunks:
        if chunk.type != pa.string() or chunk.offset:
            return pc.utf8_trim_whitespace(column)
        _, offsets, data = chunk.buffers()
        if data is None:
            continue
        ends = np.frombuffer(offsets, dtype=np.int32, count=len(chunk) + 1)
        text = np.frombuffer(data, dtype=np.uint8)
        filled = ends[1:] > ends[:-1]
        if not filled.any():
            continue
        if _SPACE_FIRST[text[ends[:-1][filled]]].any() or _SPACE_LAST[text[ends[1:][filled] - 1]].any():
            return pc.utf8_trim_whitespace(column)
    return column


def _shape(columns: list[Any], rows: pa.Array, typed: dict[int, Any]) -> _RawTable:
    """Find the header (first non-empty record), drop empty rows and empty unnamed columns.

    Cells are trimmed of surrounding whitespace (also no-break spaces). Column operations only:
    a million rows take a fraction of a second.
    """
    # columns side by side on the cores (pyarrow lets go of the GIL)
    for i, trimmed in enumerate(_POOL.map(_trimmed, columns)):
        columns[i] = trimmed
    blank = pc.equal(pc.binary_length(columns[0]), 0)
    if pc.any(blank).as_py():  # only then can a record be blank in every column
        for col in columns[1:]:
            blank = pc.and_(blank, pc.equal(pc.binary_length(col), 0))
    n_blank = pc.sum(blank).as_py() or 0
    if n_blank == len(rows):
        raise _reject(_problem(None, None, None, "file_empty"))
    h = 0 if not blank[0].as_py() else pc.index(blank, False).as_py()
    header = [c[h].as_py() for c in columns]
    header_row = rows[h].as_py()
    blank_after = n_blank - h  # blank records after the header (the ones before it are all blank)
    if blank_after == 0:  # the usual case: no copies, only views
        columns = [c.slice(h + 1) for c in columns]
        typed = {i: t.slice(h + 1) for i, t in typed.items()}
        rows = rows.slice(h + 1)
    else:
        keep = pc.and_(pc.invert(blank), pc.greater(_numbers(0, len(rows)), h))
        columns = [pc.filter(c, keep) for c in columns]
        typed = {i: pc.filter(t, keep) for i, t in typed.items()}
        rows = pc.filter(rows, keep)
    problems = []
    kept = []
    for i, name in enumerate(header):
        if name:
            kept.append(i)
        elif pc.any(pc.greater(pc.binary_length(columns[i]), 0)).as_py():
            problems.append(_problem(header_row, _letter(i), None, "unnamed_column", letter=_letter(i)))
    if problems:
        raise ValidationError(problems)
    return _RawTable(
        header=[header[i] for i in kept], header_row=header_row, columns=[columns[i] for i in kept],
        rows=rows, typed={kept.index(i): t for i, t in typed.items() if i in kept}, positions=kept,
    )
