"""Workbooks (``.xlsx``): limits told from the zip's directory, then fastexcel (or python-calamine) reading the chosen sheet.

Two ways to read a sheet, giving the same table (``tests/test_ingest_xlsx.py`` compares them):

* :meth:`_Workbook.read_fast`: fastexcel parses the sheet in Rust into Arrow columns of text, with
  no Python object per cell, while a pass over the sheet's XML finds what fastexcel does not say
  (the percentage cells, numbers written longer than its nine decimals, texts that read like a
  number). A 100,000-row sheet reads in about 0.55 s (``python -m bench.bench_xlsx``).
* :meth:`_Workbook.parse`: python-calamine, every cell a Python value turned into text here; for
  what the fast way does not read alike (dates, truth values, formula texts, a text beside the
  number it reads like, ...).

Neither gives number formats, so the one format the import needs (a percentage, which Excel
stores as a fraction) is read from the workbook's own XML: which cell styles are percentages
(``styles.xml``), and which cells carry one (the sheet's XML: one pass counts its cells before
anything is parsed, a second finds the percentages while the sheet is parsed).
:func:`_read_xlsx` (bytes, info, sheet) -> :class:`_RawTable` is the entry point the rest calls;
:func:`list_sheets` offers the sheets to choose from.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import html
import io
import math
import queue
import threading
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Iterator

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
from metrics.model import ValidationError

_ZIP_MAGIC = b"PK\x03\x04"

_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)"')
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')


_BUILTIN_PERCENT = {9, 10}  # Excel's built-in "0%" and "0.00%"
#: A number cell's text as fastexcel writes it: digits, maybe a minus and a decimal point, never an exponent.
_NUMBER_TEXT = r"^-?[0-9]+(?:\.[0-9]+)?$"
#: A number whose text is taken from its exact value: a decimal number (fastexcel keeps nine
#: decimals) or a whole one of 16 digits or more (where Python writes ``1e+20``). A text that reads
#: like one is what a number cell could be mistaken for; a shorter whole number reads the same
#: by either decimal mark and as text or number, so it is not looked for.
_DECIMAL_TEXT = rb"-?(?:[0-9]+\.[0-9]+|[0-9]{16,})"
#: A cell value fastexcel's text would not give exactly (it keeps nine decimals): ten decimals or
#: more, or an exponent (``1.23456789012E-5``).
_LONG_NUMBER = re.compile(rb"<v>(?:-?[0-9]*\.[0-9]{10}|[^<]*[Ee])")
_DIGIT_REFERENCE = re.compile(rb"&#(?:4[5-9]|5[0-7]|x(?:2[de]|3[0-9]))[;0-9]", re.I)
#: An inline text that reads like a number (captured), or one in runs (captured as empty).
_INLINE_NUMBER = re.compile(rb"<is><(?:t(?: [^>]*)?>(" + _DECIMAL_TEXT + rb")</t></is>|r[ >])")
_SHARED_NUMBER = re.compile(rb"<(?:\w+:)?t(?: [^>]*)?>(" + _DECIMAL_TEXT + rb")</(?:\w+:)?t>")
_TRUTHS = pa.array(["true", "false"])
#: fastexcel's text of a date, a time or a duration (``2024-01-02 00:00:00``), or of a truth value.
_DATE_OR_TRUTH = r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}|true|false)$"
_CELL_START = re.compile(rb"<(?:\w+:)?c\s")


@dataclass
class _SheetScan:
    """What one pass over a sheet's XML tells before the sheet is parsed."""

    cells: int = 0
    merged: list[str] = field(default_factory=list)
    percent: set[tuple[int, int]] = field(default_factory=set)  # number cells shown as a percentage: (row, column), 1-based
    unplaced_percent: bool = False  # a percentage cell without an ``r`` address
    percent_found: list[tuple[tuple[bytes, ...], tuple[bytes, ...]]] = field(default_factory=list)  # more, as found
    inline_numbers: set[str] = field(default_factory=set)  # inline texts that read like a decimal number
    odd_cells: int = 0  # formula texts (``t="str"``) and errors (``t="e"``)
    odd_texts: bool = False  # inline texts in runs, or a digit written as a character reference
    prefixed: bool = False  # cell tags under a namespace prefix (<x:c>), seen by the counting pass
    long_numbers: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column): a long number's own text
    long_unplaced: bool = False  # a long number without an ``r`` address, or under a namespace prefix


    def percent_cells(self) -> set[tuple[int, int]]:
        """Every percentage cell, (row, column), 1-based: ``percent`` and those in ``percent_found``."""
        cells = set(self.percent)
        for letters, rows in self.percent_found:
            cells.update(zip(map(int, rows), map(_column_number, letters)))
        return cells

    def percent_columns(self) -> dict[int, np.ndarray]:
        """The percentage cells by column (0-based), each column's rows 0-based, sorted, once each.

        The same cells as :meth:`percent_cells`, turned a whole pass at a time (a 100,000-row
        sheet has a third of a million addresses to turn).
        """
        all_letters = np.array([x for letters, _ in self.percent_found for x in letters] +
                               [_column_letters(c) for _, c in self.percent], dtype="S3")
        all_rows = np.array([x for _, rows in self.percent_found for x in rows] +
                            [str(r).encode() for r, _ in self.percent], dtype="S7").astype(np.int64)
        if not len(all_rows):
            return {}
        names, where = np.unique(all_letters, return_inverse=True)
        numbers = np.array([_column_number(name) for name in names.tolist()], dtype=np.int64)[where]
        return {int(c) - 1: np.unique(all_rows[numbers == c]) - 1 for c in np.unique(numbers)}


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
        text is then the one :meth:`parse` gives (:func:`_number_texts`), so both ways give the
        same table.

        Whether a cell held a number is told by the form of its text (digits, maybe a minus and
        a point: fastexcel never writes an exponent) and by the workbook's own texts: a cell that
        reads like a decimal number held one, unless the workbook holds that very text (a shared
        or an inline text), and then :meth:`parse` tells them apart (None). A whole number reads
        the same by either decimal mark, so a text such as ``2024`` may count as either and keeps
        its own text (``0101`` stays ``0101``). The percentage cells come from the second pass over
        the XML, which runs on this thread meanwhile.

        None, for :meth:`parse` to read, also on anything it would write otherwise: a sheet the
        workbook does not place, cells under a namespace prefix, formula texts, errors, dates,
        times, truth values, inline texts in runs, or any fastexcel error (whose message :meth:`parse` then gives in its own words).
        """
        part = self.parts[index]
        if scan.unplaced_percent or scan.prefixed or part not in self.sheet_members:
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

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fastexcel") as pool:
            as_text = pool.submit(load, "string")
            try:
                found = _scan_sheet(self.data, part, None, self.percent_styles, count=False, texts=True)
                with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
                    shared = _shared_numbers(_member_text(archive, "xl/sharedStrings.xml"))
            finally:  # waited for, even when the pass failed
                text_load = _result_or_none(as_text)
        if text_load is None or found.unplaced_percent or found.odd_cells or found.odd_texts or shared is None \
                or found.long_unplaced:
            return None
        offset, batch = text_load
        lookalikes = pa.array(sorted(shared | found.inline_numbers), pa.string())
        height = batch.num_rows
        text_columns = [pa.nulls(height, pa.string())] * offset + list(batch.columns)
        long_by_column: dict[int, list[tuple[int, float]]] = {}
        for (row_number, column), text in found.long_numbers.items():
            long_by_column.setdefault(column - 1, []).append((row_number, float(text)))
        percent_by_column = found.percent_columns()
        texts: list[pa.Array] = []
        numbers: list[pa.Array] = []
        for c, column in enumerate(text_columns):
            column = column.cast(pa.string()).fill_null("")
            if pc.any(pc.is_in(column, value_set=_TRUTHS)).as_py() or (
                    pc.any(pc.match_substring(column, ":")).as_py()
                    and pc.any(pc.match_substring_regex(column, _DATE_OR_TRUTH)).as_py()):
                return None  # a date, a time or a truth value: parse() writes them as the import always has
            number = pc.match_substring_regex(column, _NUMBER_TEXT)
            # the numbers whose text is written from their exact value (see _DECIMAL_TEXT)
            decimal = pc.and_(number, pc.or_(pc.match_substring(column, "."),
                                             pc.greater_equal(pc.utf8_length(column), 16)))
            flags = number.to_numpy(zero_copy_only=False)
            percent_rows = percent_by_column.get(c, np.zeros(0, dtype=np.int64))
            percent_rows = percent_rows[percent_rows < height]
            percent_rows = percent_rows[flags[percent_rows]]
            long = long_by_column.get(c, [])
            any_decimal = pc.any(decimal).as_py() or bool(long)
            if any_decimal or len(percent_rows):
                # exact values: a number's text (its nine decimals are exact for it), else its own text in the XML
                exact = pc.cast(pc.if_else(number, column, "nan"), pa.float64()).to_numpy(zero_copy_only=False)
                if long:
                    exact, long_rows = exact.copy(), np.zeros(height, dtype=bool)
                    for row_number, value in long:
                        if row_number <= height:
                            exact[row_number - 1], long_rows[row_number - 1] = value, True
                    decimal = pc.or_(decimal, pa.array(long_rows))
            if any_decimal:
                if len(lookalikes) and pc.any(pc.and_(decimal, pc.is_in(column, value_set=lookalikes))).as_py():
                    return None  # a text that reads like a number the sheet also holds: parse() tells them apart
                where = decimal.to_numpy(zero_copy_only=False)
                column = pc.replace_with_mask(column, decimal, _number_texts_arrow(exact[where]))
            if pc.any(pc.equal(column, "-0")).as_py():
                column = pc.if_else(pc.equal(column, "-0"), "0", column)  # parse() writes -0.0 as 0
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


@functools.lru_cache(maxsize=64)
def _usual_percent(style: bytes) -> re.Pattern[bytes]:
    """A number cell in style ``style`` written the usual way, its column letters and row captured."""
    return re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})" s="' + re.escape(style) + rb'"(?: t="n")?>')


def _shared_numbers(shared: bytes) -> set[str] | None:
    """The shared texts (``sharedStrings.xml``) that read like a decimal number; None when unsure.

    A text in runs (``<r>``) is joined first, character references (``&#49;``) read first.
    Unsure: phonetic runs, which this does not read.
    """
    if b"<rPh" in shared:
        return None
    if b"&#" in shared:
        shared = html.unescape(shared.decode("utf-8", "replace")).encode()
    found = {m.decode() for m in _SHARED_NUMBER.findall(shared)}
    if b"<r>" in shared or b"<r " in shared or b":r>" in shared:
        for item in re.findall(rb"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", shared, re.S):
            joined = b"".join(re.findall(rb"<(?:\w+:)?t(?: [^>]*)?>([^<]*)</(?:\w+:)?t>", item))
            if re.fullmatch(_DECIMAL_TEXT, joined):
                found.add(joined.decode())
    return found


def _column_letters(number: int) -> bytes:
    """1 -> ``b"A"``, 28 -> ``b"AB"`` (the inverse of :func:`_column_number`)."""
    letters = b""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = bytes([65 + rest]) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


@contextlib.contextmanager
def _unpacked(data: bytes, path: str, size: int = 1 << 20) -> Iterator[Iterator[bytes]]:
    """The workbook member ``path`` unpacked in pieces of ``size`` bytes, read ahead in a second thread.

    Why: unpacking (zlib) and its checksum let go of the interpreter lock, so the next piece is
    unpacked while this thread looks through the last one. At most two pieces wait, so memory
    stays at a few MB whatever the member's size; leaving the ``with`` early stops the reading.
    """
    pieces: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def read() -> None:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(path) as member:
                while not stop.is_set():
                    piece = member.read(size)
                    pieces.put(piece or None)
                    if not piece:
                        return
        except BaseException as exc:  # noqa: BLE001 - handed to the reading thread, which raises it
            pieces.put(exc)

    def each() -> Iterator[bytes]:
        while True:
            piece = pieces.get()
            if piece is None:
                return
            if isinstance(piece, BaseException):
                raise piece
            yield piece

    reader = threading.Thread(target=read, name="unpack", daemon=True)
    reader.start()
    try:
        yield each()
    finally:
        stop.set()
        while reader.is_alive():  # let a reader blocked on a full queue finish
            with contextlib.suppress(queue.Empty):
                pieces.get(timeout=0.05)
        reader.join()


def _scan_sheet(data: bytes, path: str, limit: int | None = None, percent_styles: tuple[bytes, ...] = (),
                count: bool = True, texts: bool = False) -> _SheetScan:
    """The number of cells of a sheet's XML (at most), its merged ranges and its percentage cells.

    ``count=False``: the cells are not counted (a second pass, after the first did). ``texts``:
    also the inline texts that read like a decimal number and the cells :meth:`_Workbook.read_fast`
    does not read (``odd_cells``, ``odd_texts``).

    Read in 1 MB pieces: counting costs a pass of unpacking (zlib lets go of the GIL) and no
    memory, so a sheet too large to read is refused in seconds.
    """
    scan = _SheetScan()
    columns: dict[bytes, int] = {}
    tail = b""
    unsearched = 0
    with _unpacked(data, path) as pieces:
        for piece in pieces:
            # a tag can straddle two pieces: the last bytes of one go on with the next (two are too
            # few to hold a whole cell tag, so none is counted twice; a range or cell seen twice is kept once)
            block = tail + piece
            fresh = len(tail) - 2 if tail else 0  # where this piece's own bytes begin, and two before
            if count:
                # "<c" counts every cell tag (<c r=…>, <c>) in one look, and the few <col>, <cfRule>
                # beside them: a little more than the cells, never fewer; a prefixed tag (<x:c>) is
                # looked for only in a sheet that uses a prefix. Offsets, not slices: no copies.
                scan.cells += block.count(b"<c", fresh + 1 if tail else 0)
                if block.find(b":c", fresh) >= 0:
                    prefixed = block.count(b":c ", fresh) + block.count(b":c>", fresh)
                    scan.cells += prefixed
                    scan.prefixed = scan.prefixed or prefixed > 0
            if limit is not None and scan.cells > limit:
                break  # enough to refuse: the rest is not unpacked
            if b"mergeCell" in block:
                scan.merged.extend(m.decode() for m in _MERGE_REF.findall(block))
            if texts:
                if b"<is>" in block:
                    inline = set(_INLINE_NUMBER.findall(block))
                    scan.odd_texts = scan.odd_texts or b"" in inline  # a text in runs
                    scan.inline_numbers.update(m.decode() for m in inline if m)
                scan.odd_texts = scan.odd_texts or (  # a digit, point or minus as &#…;
                    b"&#" in block and _DIGIT_REFERENCE.search(block) is not None)
                scan.odd_cells += block.count(b't="str"', fresh) + block.count(b't="e"', fresh)
            # percentage cells are looked for from where the last piece's search stopped to the last
            # whole tag; a tag cut at the end is read whole with the next piece
            lo, whole = max(0, len(tail) - unsearched), block.rfind(b">") + 1
            unsearched = len(block) - whole
            if unsearched > min(len(piece), 200):  # more than the next piece carries over
                scan.unplaced_percent = scan.unplaced_percent or bool(percent_styles)
            if texts:
                scan.long_unplaced = scan.long_unplaced or b":v>" in block
                for match in _LONG_NUMBER.finditer(block, lo, whole):  # each long number's cell, by its address
                    at = match.start()
                    start, end = block.rfind(b'<c r="', 0, at), block.find(b"</v>", at)
                    ref = _CELL_REF.match(block, start + 3) if start >= 0 else None
                    if ref is None or end < 0 or block.find(b"</c>", start, at) >= 0 or block.find(b"/>", start, at) >= 0 \
                            and block.find(b"<f", start, at) < 0:
                        scan.long_unplaced = True  # not inside one addressed cell as usually written: parse() reads it
                        continue
                    letters = ref.group(1)
                    column = columns.get(letters) or columns.setdefault(letters, _column_number(letters))
                    scan.long_numbers[(int(ref.group(2)), column)] = block[at + 3:end].decode()
            for style in percent_styles:  # literal searches: a regex over every cell costs 10x more
                needle = b' s="' + style + b'"'
                total = block.count(b's="' + style + b'"', lo, whole)
                if not total:
                    continue
                # the usual layout (<c r="C2" s="1">, maybe t="n" after it) by one regex from the address;
                # any other (a text in this style, a tag cut at the edge) is looked at cell by cell below
                usual = _usual_percent(style).findall(block, lo, whole)
                if len(usual) == total:
                    letters, rows = zip(*usual)
                    scan.percent_found.append((letters, rows))  # turned into cells when asked (percent_cells)
                    continue
                found = 0
                at = block.find(needle, lo, whole)
                while at >= 0:
                    start, end = block.rfind(b"<", 0, at), block.find(b">", at)
                    if start >= 0 and end >= 0 and (block[start + 1:start + 3] == b"c " or _CELL_START.match(block, start)):
                        found += 1
                        kind = block.find(b' t="', start, end)
                        if kind >= 0 and block[kind + 4:kind + 6] != b'n"':
                            at = block.find(needle, at + len(needle), whole)
                            continue  # a text, a truth value or an error in a percentage style: shown as it is
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


def _python_number_text(value: float) -> str:
    """A number cell's text: a whole number without ``.0`` below 10^15, else Python's ``repr``."""
    return str(int(value)) if value.is_integer() and -1e15 < value < 1e15 else repr(value)


def _number_texts_arrow(values: np.ndarray) -> pa.Array:
    """Numbers (float64) as :func:`_python_number_text` writes them, as an Arrow array of text.

    Arrow writes them in one step and the same way (the shortest exact decimal, ``2024`` for
    2024.0), except with an exponent above about 10^14, without one below 10^-4, ``-0`` and
    what is not finite; those few are written one by one::

        >>> _number_texts_arrow(np.array([13.4, 2024.0, 1e-07, -0.0, 0.1 + 0.2])).to_pylist()
        ['13.4', '2024', '1e-07', '0', '0.30000000000000004']
    """
    texts = pa.array(values, pa.float64()).cast(pa.string())
    odd = pc.or_(pc.or_(pc.match_substring(texts, "e"), pc.match_substring(texts, "n")),  # exponent, nan, inf
                 pc.or_(pc.match_substring_regex(texts, r"^-?0\.0000"), pc.equal(texts, "-0")))
    if not pc.any(odd).as_py():
        return texts
    out = texts.to_pylist()
    for i in np.flatnonzero(odd.to_numpy(zero_copy_only=False)):
        out[i] = _python_number_text(float(values[i]))
    return pa.array(out, pa.string())


def _percent_texts(fractions: np.ndarray) -> pa.Array:
    """Fractions shown as percentages, as :func:`_column_texts` writes them: ``round(v * 100, 10)`` and ``%``.

    numpy rounds a whole column at once, but not always as Python's ``round`` does (it
    multiplies by 10^10 first); its result is kept where it provably is Python's: written in ten
    decimals or fewer, and nearer to the value than half the tenth decimal by far more than the
    value's own rounding error. The rest (near a tie, or very large or small) are written one by one::

        >>> _percent_texts(np.array([0.134, 0.33757, 0.5, 1 / 3, 1e-07])).to_pylist()
        ['13.4%', '33.757%', '50%', '33.3333333333%', '1e-05%']
    """
    values = fractions * 100
    rounded = np.round(values, 10)
    texts = pa.array(rounded, pa.float64()).cast(pa.string())
    margin = 0.5e-10 - 1e-13 * np.maximum(1.0, np.abs(values))
    sure = (pc.match_substring_regex(texts, r"^-?[0-9]+(?:\.[0-9]{1,10})?$").to_numpy(zero_copy_only=False)
            & (np.abs(values - rounded) < margin) & (np.abs(values) < 1e14)
            & ~pc.equal(texts, "-0").to_numpy(zero_copy_only=False)
            & ~pc.match_substring_regex(texts, r"^-?0\.0000").to_numpy(zero_copy_only=False))  # Python: 1e-05
    if not sure.all():
        cells = texts.to_pylist()
        for i in np.flatnonzero(~sure):
            cells[i] = _python_number_text(round(float(values[i]), 10))
        texts = pa.array(cells, pa.string())
    return pc.binary_join_element_wise(texts, "%", "")


def _number_texts(values: np.ndarray) -> np.ndarray:
    """:func:`_number_texts_arrow` as an array of ``str`` (for :func:`_column_texts`)."""
    return _number_texts_arrow(values).to_numpy(zero_copy_only=False)


def _column_texts(values: np.ndarray, percent_rows: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """One column's cells (an object array) as text and whether each held a number (see :func:`_cell_text`).

    Text and finite numbers, nearly every cell, are turned a column at a time: a column of text
    as it is, its numbers by :func:`_number_texts`; any other kind of cell one by one.
    """
    n = len(values)
    kinds = set(map(type, values))
    if kinds == {str}:  # a column of text (and empty cells, which calamine gives as "")
        texts, numbers = values, np.zeros(n, dtype=bool)
    elif kinds <= {str, float}:  # text and numbers, as calamine gives nearly every cell
        is_float = np.fromiter((v.__class__ is float for v in values), dtype=bool, count=n)
        floats = values[is_float].astype(np.float64)
        texts = values.copy()
        texts[is_float] = _number_texts(floats)
        numbers = is_float.copy()
        numbers[is_float] = np.isfinite(floats)  # inf and nan are not numbers
    else:
        pairs = [_cell_text(value) for value in values]
        texts = np.array([t for t, _ in pairs] or [], dtype=object)
        numbers = np.array([m for _, m in pairs], dtype=bool)
    if percent_rows:
        texts = texts.copy() if texts is values else texts
        for r in percent_rows:
            value = values[r - 1] if r <= n else None
            if value.__class__ is float and value - value == 0:
                texts[r - 1] = _python_number_text(round(value * 100, 10)) + "%"
            elif value.__class__ is int:
                texts[r - 1], numbers[r - 1] = _cell_text(value, percent=True)
    return texts, numbers


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
