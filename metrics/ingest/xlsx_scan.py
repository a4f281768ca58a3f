"""A workbook sheet's XML read in pieces, without parsing it: what the readers of :mod:`metrics.ingest.xlsx` must know first.

One pass counts the cells before anything is parsed (a sheet too large is refused in seconds and
no memory); a second, while the sheet is parsed, finds the merged ranges, the percentage cells
(from the styles that show a percentage, ``styles.xml``), the numbers written longer than
fastexcel's nine decimals, and the cells the fast reader leaves to the slow one. The shared texts
(``sharedStrings.xml``) that read like a number are found here too.
"""
from __future__ import annotations

import contextlib
import functools
import html
import io
import queue
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)"')


_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')


_BUILTIN_PERCENT = {9, 10}  # Excel's built-in "0%" and "0.00%"
_BUILTIN_DATES = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)}  # dates, times


#: A number whose text is taken from its exact value: a decimal number (fastexcel keeps nine
#: decimals) or a whole one of 16 digits or more (where Python writes ``1e+20``). A text that reads
#: like one is what a number cell could be mistaken for; a shorter whole number reads the same
#: by either decimal mark and as text or number, so it is not looked for.
_DECIMAL_TEXT = rb"-?(?:[0-9]+\.[0-9]+|[0-9]{16,})"


#: A cell value fastexcel's text would not give exactly (it keeps nine decimals): ten decimals or
#: more, or an exponent (``1.23456789012E-5``).
_LONG_NUMBER = re.compile(rb"<v>(?:[+-]?[0-9]*\.[0-9]{10}|[^<]*[Ee])")
_VALUE_ATTRIBUTE = re.compile(rb"<v\s")  # <v xml:space="preserve">: not looked into, parse() reads it


_SHARED_NUMBER = re.compile(rb"<(?:\w+:)?t(?: [^>]*)?>\s*(" + _DECIMAL_TEXT + rb")\s*</(?:\w+:)?t>")


_CELL_START = re.compile(rb"<(?:\w+:)?c\s")


@dataclass
class _SheetScan:
    """What one pass over a sheet's XML tells before the sheet is parsed."""

    cells: int = 0
    merged: list[str] = field(default_factory=list)
    percent: set[tuple[int, int]] = field(default_factory=set)  # number cells shown as a percentage: (row, column), 1-based
    unplaced_percent: bool = False  # a percentage cell without an ``r`` address
    percent_found: list[tuple[tuple[bytes, ...], tuple[bytes, ...]]] = field(default_factory=list)  # more, as found
    odd_cells: int = 0  # formula texts (``t="str"``) and errors (``t="e"``)
    values: int = 0  # cells holding a value (``</v>``), by the second pass
    odd_texts: bool = False  # texts written in the cells (inline), not in the shared table
    prefixed: bool = False  # cell tags under a namespace prefix (<x:c>), seen by the counting pass
    long_numbers: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column): a long number's own text
    long_many: bool = False  # more long numbers than are looked for one by one (``long_limit``)
    long_unplaced: bool = False  # a long number without an ``r`` address, or under a namespace prefix


    def percent_cells(self) -> set[tuple[int, int]]:
        """Every percentage cell, (row, column), 1-based: ``percent`` and those in ``percent_found``."""
        cells = set(self.percent)
        for letters, rows in self.percent_found:
            cells.update(zip(map(int, rows), map(_column_number, letters)))
        return cells

    def long_columns(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """The long numbers by column (0-based): each column's rows (0-based) and exact values.

        ``long_numbers`` turned into arrays, a column at a time.
        """
        if not self.long_numbers:
            return {}
        cells = np.array(list(self.long_numbers), dtype=np.int64)
        all_values = np.array([float(t) for t in self.long_numbers.values()], dtype=np.float64)
        return {int(c) - 1: (cells[cells[:, 1] == c, 0] - 1, all_values[cells[:, 1] == c])
                for c in np.unique(cells[:, 1])}

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


def _member_text(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        return b""


def _dated_styles(styles: bytes) -> bool:
    """Whether any cell style shows a date, a time or a duration (built-in, or a code with d, m, y, h or s).

    Generous: a code with such a letter in a colour (``[Red]``) counts too; what it costs is
    one count more over the sheet's XML.
    """
    codes = {int(i): html.unescape(c.decode("utf-8", "replace"))
             for i, c in re.findall(rb'<(?:\w+:)?numFmt\b[^>]*?numFmtId="([0-9]+)"[^>]*?formatCode="([^"]*)"', styles)}
    section = re.search(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", styles, re.S)
    for attrs in re.findall(rb"<(?:\w+:)?xf\b([^>]*)>", section.group(1)) if section else ():
        found = re.search(rb'\bnumFmtId="([0-9]+)"', attrs)
        number_format = int(found.group(1)) if found else 0
        code = re.sub(r'"[^"]*"|\\.', "", codes.get(number_format, ""))
        if number_format in _BUILTIN_DATES or re.search(r"[dmyhs]", code, re.I):
            return True
    return False


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


def _shared_member(archive: zipfile.ZipFile) -> str:
    """The workbook's shared-strings part, as its relationships name it (any case), else the usual name."""
    rels = _member_text(archive, "xl/_rels/workbook.xml.rels")
    names = {name.lower(): name for name in archive.namelist()}
    for attrs in re.findall(rb"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        kind, target = re.search(rb'\bType="([^"]*)"', attrs), re.search(rb'\bTarget="([^"]*)"', attrs)
        if kind and target and kind.group(1).endswith(b"/sharedStrings"):
            path = html.unescape(target.group(1).decode("utf-8", "replace"))
            path = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
            return names.get(path.lower(), path)
    return names.get("xl/sharedstrings.xml", "xl/sharedStrings.xml")


def _shared_numbers(shared: bytes) -> set[str] | None:
    """The shared texts (``sharedStrings.xml``) that read like a decimal number; None when unsure.

    A text in runs (``<r>``) is joined first, character references (``&#49;``) read first.
    Unsure: phonetic runs, CDATA sections and Excel's own escapes (``_x0031_``), which this does
    not read.
    """
    if b"<rPh" in shared or b"<![CDATA[" in shared or re.search(rb"_x[0-9A-Fa-f]{4}_", shared):
        return None
    if b"&#" in shared:
        shared = html.unescape(shared.decode("utf-8", "replace")).encode()
    found = {m.decode() for m in _SHARED_NUMBER.findall(shared)}
    if b"<r>" in shared or b"<r " in shared or b":r>" in shared:
        for item in re.findall(rb"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", shared, re.S):
            joined = b"".join(re.findall(rb"<(?:\w+:)?t(?: [^>]*)?>([^<]*)</(?:\w+:)?t>", item)).strip()
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
                count: bool = True, texts: bool = False, values: bool = False, long_limit: int = 20_000,
                on_long_many: Callable[[], None] | None = None) -> _SheetScan:
    """The number of cells of a sheet's XML (at most), its merged ranges and its percentage cells.

    ``count=False``: the cells are not counted (a second pass, after the first did); the counting
    pass also tells texts written in the cells (``odd_texts``). ``texts``: also what
    :meth:`_Workbook.read_fast` must know: the numbers written longer than fastexcel's nine
    decimals, and the cells it does not read (``odd_cells``); ``values``: also the cells that hold
    a value (``</v>``), for a workbook with date formats (fastexcel leaves out a number it cannot
    show as a date). Above ``long_limit`` long numbers they are no longer looked for one by one
    (``long_many``), and ``on_long_many`` is called once, as soon as that is known.

    Read in 1 MB pieces: counting costs a pass of unpacking (zlib lets go of the GIL) and no
    memory, so a sheet too large to read is refused in seconds.
    """
    scan = _SheetScan()
    back_of = lambda lo: max(0, lo - 40)  # noqa: E731 - where the texts' searches start again
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
            if count and not scan.odd_texts:  # told in the counting pass, so the fast way is not even tried
                scan.odd_texts = b"inlineStr" in block  # texts in the cells, not in the shared table
            # percentage cells are looked for from where the last piece's search stopped to the last
            # whole tag; a tag cut at the end is read whole with the next piece
            lo, whole = max(0, len(tail) - unsearched), block.rfind(b">") + 1
            unsearched = len(block) - whole
            if unsearched > min(len(piece), 200):  # more than the next piece carries over
                scan.unplaced_percent = scan.unplaced_percent or bool(percent_styles)
            if texts:
                if values:
                    scan.values += block.count(b"</v>", lo, whole)
                if unsearched > min(len(piece), 200) or _VALUE_ATTRIBUTE.search(block, back_of(lo), whole):
                    scan.long_unplaced = True  # a value cut far from its tag: not looked at, parse() reads it
                # from a little before where the last search stopped: a value or an attribute cut by the
                # edge of the last piece is looked at whole here (one seen twice counts the same)
                back = back_of(lo)
                # formula texts and errors, however the attribute is written (t="str", t ='str'): any
                # "str" or "e" in the cells' XML (texts are in the shared table), or any single quote
                scan.odd_cells += (block.count(b"str", back, whole) + block.count(b'"e"', back, whole)
                                   + block.count(b"='", back, whole))
                values_at = [] if scan.long_many else [m.start() for m in _LONG_NUMBER.finditer(block, back, whole)]
                if len(values_at) + len(scan.long_numbers) > long_limit:  # a sheet of computed values
                    scan.long_many, values_at = True, []
                    scan.long_numbers.clear()
                    if on_long_many is not None:
                        on_long_many()  # their exact values come another way: not looked for one by one
                for at in values_at:  # each long number's value, by its cell's address
                    start, end = block.rfind(b"<c", 0, at), block.find(b"</v>", at)
                    opened = block.find(b">", start, at) if start >= 0 else -1
                    ref = _CELL_REF.match(block, start + 3) if block[start:start + 6] == b'<c r="' else None
                    if ref is None or end < 0 or opened < 0 or block[opened - 1:opened] == b"/" \
                            or block.find(b"</c>", start, at) >= 0:
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
