"""Reading, validating and applying imports of observations and target definitions.

One engine for the Upload page and ``python -m metrics import`` (same messages, same results):

* :func:`read_observations` turns a file as Excel saved it into a frame of text cells with
  canonical column names and a ``_row`` column that numbers rows as a spreadsheet does
  (header = row 1). It accepts ``,`` ``;`` and tab (sniffed), UTF-8 with or without BOM,
  UTF-16 with BOM and Windows-1252, CRLF or LF, quoted cells holding delimiters and line
  breaks, Danish or English headers in any case, trailing empty lines and columns, the wide
  layout with one column per year (melted to rows) and ``.xlsx`` workbooks;
* :func:`plan_observations` checks every row against the database with column operations in
  DuckDB (decimal comma or point decided per file, thousands separators, ``%``, missing
  markers) and compares with what is stored: added, revised, unchanged, skipped. It raises
  :class:`~metrics.model.ValidationError` listing every problem (row, column, offending text,
  what to do; Danish and English through ``metrics.i18n``);
* :func:`apply_plan` writes a plan as one batch inside the caller's ``Store.write``
  transaction, keeping superseded values in ``observation_history``;
* :func:`import_observations` and :func:`undo_batch` put the pieces together, all or nothing.

Example::

    result = import_observations(store, "eud_2024.csv", Actor("ana", "analyst"), dry_run=True)
    result.plan.counts          # {'added': 1, 'revised': 0, 'unchanged': 0, 'skipped': 0}
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import datetime as _dt
import difflib
import hashlib
import io
import itertools
import math
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from metrics import audit, i18n, progress
from metrics.model import (
    DATA_CLASSES,
    DIRECTIONS,
    KINDS,
    MAX_YEAR,
    MIN_YEAR,
    Actor,
    MalsporError,
    PermissionDenied,
    Problem,
    ValidationError,
)
from metrics.model import OneOf, Sentence, Term
from metrics.store import SEED_USER, Store

#: Upload size limit unless ``--max-size`` or ``$MALSPOR_MAX_UPLOAD_MB`` say otherwise.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_UPLOAD_ENV = "MALSPOR_MAX_UPLOAD_MB"
#: Until sign-in exists (issue 6) a local installation may grant a role with this variable.
#: A workbook may not unpack to more than this (a zip bomb is small on disk).
MAX_XLSX_UNPACKED = 1024 * 1024 * 1024
#: Shape limits, checked before the work that costs memory (a file of one line ``a,a,a,…`` is small on
#: disk and was once 1.4 GB of memory a megabyte): columns of a table, cells of a CSV file, cells of a
#: workbook's sheet (openpyxl costs a Python object a cell), rows to check (after the wide layout is
#: turned into rows), and how far one member of a workbook may unpack beyond its packed size.
MAX_COLUMNS = 200
MAX_CELLS = 20_000_000
MAX_XLSX_CELLS = 1_000_000
MAX_ROWS = 2_000_000
MAX_XLSX_RATIO = 100
#: One sheet's XML unpacked (a million cells of Excel's are under 100 MB).
MAX_XLSX_SHEET = 256 * 1024 * 1024
#: Members smaller than this unpacked may have any ratio (a style sheet of repeated defaults).
_XLSX_RATIO_FLOOR = 1 << 20
#: Delimiters the careful reader lets one record have before it is refused (no record is built in memory
#: beyond this): generous, so a long note full of commas inside quotes still reads.
_RECORD_DELIMITERS = 50 * MAX_COLUMNS

#: Cells meaning "no figure" (compared lower-case, after trimming): the row is skipped, never stored as 0.
MISSING_MARKERS = ("", "..", "...", "…", "-", "–", "—", "n/a", "na", "nan", "null")
TRUE_WORDS = ("1", "true", "yes", "ja", "t", "y", "j", "x", "sand")
FALSE_WORDS = ("0", "false", "no", "nej", "f", "n", "falsk")

OBSERVATION_REQUIRED = ("target_id", "year", "value")
OBSERVATION_OPTIONAL = ("geography", "source", "note_da", "note_en", "data_class", "series_break")
OBSERVATION_FIELDS = OBSERVATION_REQUIRED + OBSERVATION_OPTIONAL
#: Header names understood for each field, after normalisation (lower case, spaces to ``_``).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "target_id": ("target_id", "target", "targetid", "indicator", "indicator_id", "indikator", "indikator_id",
                  "mål", "mål_id", "målid", "maal", "maal_id"),
    "year": ("year", "år", "aar", "tid", "time"),
    "value": ("value", "værdi", "vaerdi", "indhold", "val"),
    "geography": ("geography", "geo", "geografi", "område", "omraade", "omrade", "area", "region", "kommune",
                  "municipality"),
    "source": ("source", "kilde"),
    # A note is in the language of its heading: "bemærkning" fills the Danish note, "note" the English one.
    "note_da": ("note_da", "bemærkning", "bemærkninger", "bemaerkning", "bemaerkninger", "kommentar",
                "bemærkning_da"),
    "note_en": ("note_en", "note", "notes", "comment", "comments", "remark"),
    "data_class": ("data_class", "dataclass", "dataklasse", "data_klasse", "klasse", "class"),
    "series_break": ("series_break", "databrud", "seriebrud", "brud", "break"),
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}
#: Template headers: what the Upload page offers for download.
TEMPLATE_HEADERS = {
    "da": ("indikator", "år", "værdi", "område", "kilde", "bemærkning", "dataklasse"),
    "en": ("target_id", "year", "value", "geography", "source", "note", "data_class"),
}

TARGET_REQUIRED = (
    "target_id", "focus_area_id", "name_da", "name_en", "unit", "kind",
    "baseline_year", "baseline_value", "direction", "source",
)
TARGET_OPTIONAL = (
    "theme_id", "sort_order", "description_da", "description_en", "unit_en", "geography",
    "baseline_data_class", "target_year", "target_value", "lower_bound", "upper_bound",
    "trend_window", "update_interval", "publication_lag", "short_name_da", "short_name_en", "note_da", "note_en",
)
#: Older target files have one ``note``: it was English, so it fills ``note_en`` (``bemærkning``: ``note_da``).
TARGET_ALIASES = {"note": "note_en", "bemærkning": "note_da"}
TARGET_COLUMNS = TARGET_REQUIRED[:5] + TARGET_OPTIONAL

#: Threads for work beside the parsing and the check (the file's digest, the quote count, trimming
#: and looking at columns); pyarrow and hashlib let go of the GIL. Idle threads cost nothing.
_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="ingest")
MAX_PROBLEMS = 200
MAX_WARNINGS = 500
VALUE_TOLERANCE = 1e-9

_YEAR_HEADER = re.compile(r"19[0-9]{2}|20[0-9]{2}|2100")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"

# Numbers, per decimal convention (RE2 syntax, used by DuckDB). Thousands may be grouped by the
# other mark or by (no-break) spaces: 1.234,5 and 1 234,5 with a decimal comma; 1,234.5 with a point.
_SPACES = " \u00a0\u202f"
_EXP = r"(?:[eE][+-]?[0-9]+)?"


def _number_re(decimal: str) -> str:
    group = "." if decimal == "," else ","
    integer = rf"(?:[0-9]{{1,3}}(?:[{re.escape(group)}{_SPACES}][0-9]{{3}})+|[0-9]+)"
    frac = rf"{re.escape(decimal)}[0-9]+"
    return rf"[+-]?(?:{integer}(?:{frac})?|{frac}){_EXP}"


def _evidence_re(decimal: str) -> str:
    """Cells that can only be read with ``decimal`` as the decimal mark (e.g. ``13,4`` for a comma)."""
    d, g = re.escape(decimal), re.escape("." if decimal == "," else ",")
    return "|".join(f"(?:{x})" for x in (
        rf"[+-]?[0-9]*{d}(?:[0-9]{{1,2}}|[0-9]{{4,}}){_EXP}",   # 13,4  13,45  0,12345
        rf"[+-]?0{d}[0-9]+{_EXP}",                              # 0,125
        rf"[+-]?[0-9]{{4,}}{d}[0-9]+{_EXP}",                    # 1234,567 cannot be thousands
        rf"[+-]?[0-9]{{1,3}}(?:{g}[0-9]{{3}})+{d}[0-9]+{_EXP}",  # 1.234,5
        rf"[+-]?[0-9]{{1,3}}(?:{g}[0-9]{{3}}){{2,}}",           # 1.234.567
        rf"[+-]?[0-9]+{d}[0-9]+[eE][+-]?[0-9]+",                # 1,5E+03
    ))


NUMBER_RE = {",": _number_re(","), ".": _number_re(".")}
EVIDENCE_RE = {",": _evidence_re(","), ".": _evidence_re(".")}
GROUP_RE = {",": f"[.{_SPACES}]", ".": f"[,{_SPACES}]"}


# ---------------------------------------------------------------------- errors and settings
class ImportRefused(MalsporError):
    """An import or undo refused as a whole (unknown batch, undone twice, stale preview).

    Carries a message code of :data:`metrics.i18n.TEXTS` (``refusal.<code>``) so the page can
    say it in the user's language (``render``); ``str()`` is English.
    """

    PREFIX = "refusal."


def _problem(row: int | None, column: str | None, value: Any, code: str, **params: Any) -> Problem:
    """A problem with a message code; long cell texts are shortened for display."""
    shown = None if value is None else str(value)
    if shown is not None and len(shown) > 80:
        shown = shown[:77] + "…"
    return Problem(row, column, shown, code=code, params=params)


def _reject(*problems: Problem) -> ValidationError:
    return ValidationError(list(problems))


def max_upload_bytes() -> int:
    """The upload size limit: ``$MALSPOR_MAX_UPLOAD_MB`` (megabytes) or 50 MB."""
    raw = os.environ.get(MAX_UPLOAD_ENV, "").strip()
    try:
        mb = float(raw.replace(",", "."))
    except ValueError:
        return DEFAULT_MAX_BYTES
    return int(mb * 1024 * 1024) if math.isfinite(mb) and mb > 0 else DEFAULT_MAX_BYTES


def may_import(actor: Actor) -> bool:
    """True when ``actor`` may import and undo observation batches (the Upload page asks this)."""
    return actor.may("import_observations") and actor.may("undo_batch")


# ---------------------------------------------------------------------- reading
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


class _LangKey(str):
    """An i18n key standing in a message parameter; ``Problem.text`` renders it per language."""

    def for_lang(self, lang: str) -> str:
        return i18n.t(str(self), lang)


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


def _load(source: Path | str | bytes, file_name: str | None, max_bytes: int) -> tuple[bytes, str]:
    """The file's bytes and name; refuses a file over the size limit before reading it."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > max_bytes:
            raise _reject(_too_large(len(data), max_bytes))
        return data, file_name or "upload"
    path = Path(source)
    if not path.is_file():
        raise ImportRefused("no_file", path=str(path))
    size = path.stat().st_size
    if size > max_bytes:
        raise _reject(_too_large(size, max_bytes))
    data = path.read_bytes()
    if len(data) > max_bytes:  # the file grew after the size was looked up
        raise _reject(_too_large(len(data), max_bytes))
    return data, file_name or path.name


class _Size(int):
    """A size in bytes as a message parameter: ``51 MB``, ``51,2 MB`` in Danish, ``189 B`` when small."""

    def for_lang(self, lang: str) -> str:
        if self < 100 * 1024:
            return f"{int(self)} B"
        text = f"{self / 2**20:.1f}".removesuffix(".0")
        return f"{text.replace('.', ',') if lang == 'da' else text} MB"


def _too_large(size: int, limit: int) -> Problem:
    return _problem(None, None, None, "file_too_large", size=_Size(size), limit=_Size(limit))


def read_observations(
    source: Path | str | bytes,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
) -> pd.DataFrame:
    """A file of observations as text cells with canonical column names and spreadsheet row numbers.

    ``source`` is a path or the bytes of an upload (then give ``file_name``). ``sheet`` picks a
    sheet of an ``.xlsx`` by name or 1-based number (default: the first). The frame's
    ``attrs["info"]`` is a :class:`ReadInfo`. Raises :class:`ValidationError` for anything that
    is not a readable table, and :class:`ImportRefused` for a missing file.
    """
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    data, name = _load(source, file_name, limit)
    info = ReadInfo(file_name=name, size=len(data), sha256="")
    # the digest is taken beside the parsing (hashlib lets go of the GIL): 60 ms less on 80 MB
    digest = _POOL.submit(lambda d: hashlib.sha256(d).hexdigest(), data)
    box = [data]  # handed on, so the reader can let a large file's bytes go as soon as they are parsed
    del data
    try:
        raw = _read_table(box, info, sheet)
    finally:
        info.sha256 = digest.result()
    frame = _observation_frame(raw, info)
    frame.attrs["file_name"] = name
    frame.attrs["info"] = info
    return frame


def read_observations_csv(path: Path | str) -> pd.DataFrame:
    """:func:`read_observations` for trusted files (the seed's ``data/observations.csv``): no upload size limit."""
    return read_observations(path, max_bytes=1 << 40)


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


def _read_table(box: list[bytes], info: ReadInfo, sheet: str | None) -> _RawTable:
    """The file's cells; ``box`` holds its bytes, taken out by the reader that needs them."""
    head = box[0][:8]
    if not box[0] or box[0].isspace():
        raise _reject(_problem(None, None, None, "file_empty"))
    if head.startswith(_ZIP_MAGIC):
        return _read_xlsx(box.pop(), info, sheet)
    if head.startswith(_OLE_MAGIC):
        raise _reject(_problem(None, None, None, "xls_old"))
    return _read_csv(box, info)


# ------------------------------------------------------------------ CSV
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _has_utf8_sequence(data: bytes, step: int = 1 << 22) -> bool:
    """True when the bytes hold a valid UTF-8 multi-byte sequence (a lead byte and a continuation byte).

    Windows-1252 text almost never does (``ø`` is one byte, followed by a letter); UTF-8 text
    with one stray Windows-1252 byte does, everywhere else. numpy, in slices: no copy of the file.
    """
    for start in range(0, len(data), step):
        part = np.frombuffer(data, np.uint8, count=min(step + 1, len(data) - start), offset=start)
        lead = (part[:-1] >= 0xC2) & (part[:-1] <= 0xF4)
        if lead.any() and (lead & ((part[1:] & 0xC0) == 0x80)).any():
            return True
    return False


def _mixed_encoding(data: bytes, offset: int = 0) -> ValidationError:
    """A UTF-8 file with bytes that are not UTF-8 (pasted from a Windows-1252 file): each line named."""
    text = data[offset:].decode("utf-8", "surrogateescape")
    problems = []
    lines: set[int] = set()
    for match in re.finditer("[\udc80-\udcff]", text):
        line = text.count("\n", 0, match.start()) + 1
        if line in lines:
            continue
        lines.add(line)
        if len(problems) == 20:
            problems.append(_problem(None, None, None, "too_many", count=len(re.findall("[\udc80-\udcff]", text))
                                     - 20))
            break
        byte = ord(match.group()) - 0xDC00
        start = text.rfind("\n", 0, match.start()) + 1
        shown = text[start:match.start()][-30:] + "?"
        problems.append(_problem(line, None, shown, "mixed_encoding", byte=f"0x{byte:02X}",
                                 cp1252=bytes([byte]).decode("cp1252", "replace")))
    return ValidationError(problems)


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read in: BOM first, then UTF-8, then Windows-1252.

    A file is read as Windows-1252 only when it is not UTF-8 anywhere: a UTF-8 file with one stray
    Windows-1252 byte is refused naming its line (read wholly as Windows-1252, every ``ø`` of it
    would become ``Ã¸``).
    """
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text, encoding = data.decode("utf-16"), "UTF-16"
        elif data.startswith(b"\xef\xbb\xbf"):
            try:
                text, encoding = data[3:].decode("utf-8"), "UTF-8 (BOM)"
            except UnicodeDecodeError:
                raise _mixed_encoding(data, 3) from None
        else:
            if b"\x00" in data:
                raise _reject(_problem(None, None, None, "not_text"))
            try:
                text, encoding = data.decode("utf-8"), "UTF-8"
            except UnicodeDecodeError as exc:
                # valid UTF-8 before the first bad byte, or anywhere (looked at beside the decoding)
                if not data[:exc.start].isascii():
                    raise _mixed_encoding(data) from None
                utf8_seen = _POOL.submit(_has_utf8_sequence, data)
                text, encoding = data.decode("cp1252"), "Windows-1252"
                if utf8_seen.result():
                    del text
                    raise _mixed_encoding(data) from None
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start:exc.start + 1] if isinstance(exc.object, bytes) else b""
        raise _reject(_problem(None, None, None, "encoding_unknown", byte=f"0x{bad.hex() or '??'}",
                               position=exc.start)) from None
    head = text[:65536]
    controls = len(_CONTROL.findall(head))
    if controls > max(2, len(head) // 20) or "\x00" in text:  # a NUL is never part of a spreadsheet's text
        raise _reject(_problem(None, None, None, "not_text"))
    return text, encoding


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


def _too_many_columns(row: int, columns: int | str) -> ValidationError:
    return _reject(_problem(row, None, None, "too_many_columns", columns=columns, limit=MAX_COLUMNS))


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


def _numbers(first: int, count: int) -> pa.Array:
    return pa.array(np.arange(first, first + count, dtype=np.int64))


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


def _letter(index: int) -> str:
    """A spreadsheet column letter for a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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


# ------------------------------------------------------------------ xlsx
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


# ------------------------------------------------------------------ columns
def normalise_header(text: str) -> str:
    """A heading as compared with :data:`COLUMN_ALIASES`: ``" Værdi (%) "`` -> ``"værdi"``."""
    name = _INVISIBLE.sub("", unicodedata.normalize("NFC", text)).strip().strip("\"'").strip()
    name = re.sub(r"\s*[(\[].*?[)\]]\s*$", "", name)
    return re.sub(r"[\s\-./]+", "_", name.lower()).strip("_")


#: Characters that show nothing (zero-width spaces and joiners, word joiner, BOM, soft hyphen, bidi marks).
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_SPACE_RUN = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def normalise_geography(text: str) -> str:
    """A geography name as stored: Unicode NFC, every run of spaces (no-break ones too) one space, trimmed."""
    return _SPACE_RUN.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _lookalike(text: str) -> tuple[str, str] | None:
    """The first character of ``text`` that looks like another one: ``(char, kind)``, or None.

    A character that shows nothing is one wherever it stands; a Cyrillic or Greek letter is one
    among Latin letters (``Københаvn`` with a Cyrillic ``а``), not in a name wholly in its own script.
    """
    invisible = _INVISIBLE.search(text)
    if invisible:
        return invisible.group(), "invisible"
    if text.isascii():
        return None
    scripts = {}
    for char in text:
        if char.isalpha():
            script = unicodedata.name(char, "").split(" ")[0]
            scripts.setdefault(script, char)
        elif unicodedata.category(char) == "Cf":
            return char, "invisible"
    if "LATIN" in scripts:
        for script in ("CYRILLIC", "GREEK", "ARMENIAN", "COPTIC", "CHEROKEE"):
            if script in scripts:
                return scripts[script], script.lower()
    return None


def _normalise_geographies(column: Any, rows: Any, header: str) -> Any:
    """The geography column normalised (:func:`normalise_geography`); look-alike characters refused.

    Each distinct name is looked at once; a column of plain ASCII names with single spaces (the
    usual file) is left as it is after a glance at its bytes.
    """
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    plain = True
    for chunk in chunks:
        if chunk.type != pa.string() or chunk.offset or chunk.null_count:
            plain = False
            break
        data = chunk.buffers()[2]
        if data is None:
            continue
        raw = data.to_pybytes()
        if not raw.isascii() or b"  " in raw or b"\t" in raw:
            plain = False
            break
    if plain:
        return column
    distinct = pc.unique(column).to_pylist()
    problems = []
    changed = {}
    for name in distinct:
        if name is None:
            continue
        found = _lookalike(name)
        if found:
            char, kind = found
            first = pc.indices_nonzero(pc.equal(column, name)).to_pylist()[:5]
            for index in first:
                problems.append(_problem(rows[index].as_py(), header, name, "geography_lookalike",
                                         char=f" '{char}'" if kind != "invisible" else "",
                                         code_point=f"U+{ord(char):04X}", kind=_LangKey(f"script.{kind}")))
            continue
        normal = normalise_geography(name)
        if normal != name:
            changed[name] = normal
    if problems:
        raise ValidationError(_capped(sorted(problems, key=lambda p: p.row or 0)))
    if not changed:
        return column
    olds = pa.array(list(changed), pa.string())
    news = pa.array(list(changed.values()), pa.string())
    position = pc.index_in(column, value_set=olds)
    return pc.if_else(pc.is_null(position), column, pc.take(news, position))


def _observation_frame(raw: _RawTable, info: ReadInfo) -> pd.DataFrame:
    """Map headings to fields, melt the wide layout, and check the table's shape."""
    names = [normalise_header(h) for h in raw.header]
    mapped: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if name in _ALIAS_TO_FIELD:
            mapped.setdefault(_ALIAS_TO_FIELD[name], []).append(i)
    year_columns = [i for i, name in enumerate(names) if _YEAR_HEADER.fullmatch(name) and name not in _ALIAS_TO_FIELD]
    wide = bool(year_columns) and "year" not in mapped and "value" not in mapped
    problems = [
        _problem(raw.header_row, raw.header[idx[1]], None, "duplicate_column", field=name,
                 headers=", ".join(f"'{raw.header[i]}' ({raw.letter(i)})" for i in idx))
        for name, idx in mapped.items() if len(idx) > 1
    ]
    required = ("target_id",) if wide else OBSERVATION_REQUIRED
    missing = [name for name in required if name not in mapped]
    if missing and len(raw.header) == 1:
        if info.kind == "xlsx":
            raise _reject(_problem(raw.header_row, None, None, "not_a_table_sheet", sheet=info.sheet or "",
                                   header=raw.header[0][:60], sheets=", ".join(f"'{s}'" for s in info.sheets)))
        raise _reject(_problem(raw.header_row, None, None, "not_a_table", header=raw.header[0][:60]))
    found = ", ".join(f"'{h}'" for h in raw.header)
    for name in missing:
        aliases = ", ".join(a for a in COLUMN_ALIASES[name][:6])
        problems.append(_problem(raw.header_row, name, None, "missing_column", field=name, aliases=aliases,
                                 found=found))
    if problems:
        raise ValidationError(problems)
    if raw.n_rows == 0:
        raise _reject(_problem(raw.header_row, None, None, "only_header"))
    n_observations = raw.n_rows * (len(year_columns) if wide else 1)
    if n_observations > MAX_ROWS:  # checked before the wide layout is turned into rows
        raise _reject(_problem(None, None, None, "too_many_rows", rows=n_observations, limit=MAX_ROWS))
    used = {idx[0] for idx in mapped.values()} | (set(year_columns) if wide else set())
    info.ignored_columns = [raw.header[i] for i in range(len(raw.header)) if i not in used]
    info.headers = {name: raw.header[idx[0]] for name, idx in mapped.items()}
    info.layout = "wide" if wide else "long"
    base: dict[str, Any] = {"_row": raw.rows}
    for name in OBSERVATION_FIELDS:
        if name in mapped and name not in ("year", "value"):
            base[name] = raw.columns[mapped[name][0]]
    if "geography" in base:
        base["geography"] = _normalise_geographies(base["geography"], raw.rows, info.header("geography"))
    if not wide:
        value_index = mapped["value"][0]
        columns = {**base, "year": raw.columns[mapped["year"][0]], "value": raw.columns[value_index]}
        if value_index in raw.typed:
            columns["_value_typed"] = raw.typed[value_index]
        table = pa.table(columns)
    else:
        info.year_columns = [raw.header[i] for i in year_columns]
        seen: dict[str, int] = {}
        for i in year_columns:
            if names[i] in seen:
                problems.append(_problem(raw.header_row, raw.header[i], None, "duplicate_column", field=names[i],
                                         headers=f"'{raw.header[seen[names[i]]]}' ({raw.letter(seen[names[i]])}), "
                                                 f"'{raw.header[i]}' ({raw.letter(i)})"))
            seen.setdefault(names[i], i)
        if problems:
            raise ValidationError(problems)
        parts = []
        for order, i in enumerate(year_columns):
            part = {
                **base,
                "year": pa.array([names[i]] * raw.n_rows, pa.string()),
                "value": raw.columns[i],
                "_value_col": pa.array([raw.header[i]] * raw.n_rows, pa.string()),
                "_ord": pa.array(np.full(raw.n_rows, order, dtype=np.int32)),
            }
            if raw.typed:
                part["_value_typed"] = raw.typed[i]
            parts.append(pa.table(part))
        table = pa.concat_tables(parts).sort_by([("_row", "ascending"), ("_ord", "ascending")])
    # Arrow-backed columns: no copy on the way to pandas, nor back to Arrow for the checks.
    return table.to_pandas(types_mapper=pd.ArrowDtype)


# ---------------------------------------------------------------------- checking and planning
PLAN_COLUMNS = ["_row", "_ord", "target_id", "geography", "year", "value", "data_class", "source", "note_da", "note_en",
                "series_break",
                "old_value", "old_data_class", "old_series_break", "change"]


#: The rows of a preview (:meth:`ImportPlan.changes`, ``import --dry-run --format json`` key ``changes``).
CHANGE_COLUMNS = ["row", "target_id", "geography", "year", "old_value", "new_value", "action"]
#: How many changed rows a preview lists one by one; then "and N more".
PREVIEW_CHANGES = 200


@dataclass
class ImportPlan:
    """What an observation import would do, before anything is written.

    ``table`` (pyarrow) holds the valid rows, typed, with a ``change`` column: added, revised
    or unchanged; ``rows`` is the same as a pandas frame, made on first use (a million rows
    stay in Arrow form on the way from the check to the write).
    """

    table: pa.Table
    skipped: list[Problem] = field(default_factory=list)  # warnings: rows left out (at most MAX_WARNINGS + 1)
    file_name: str = ""
    n_skipped: int | None = None  # every skipped row, also those beyond the listed warnings
    info: ReadInfo | None = None
    notes: list[Problem] = field(default_factory=list)  # how the file was read, new geographies, same file
    _rows: pd.DataFrame | None = field(default=None, repr=False)
    _change_counts: dict[str, int] | None = field(default=None, repr=False)

    @property
    def rows(self) -> pd.DataFrame:
        if self._rows is None:
            self._rows = self.table.to_pandas()
        return self._rows

    def count(self, change: str) -> int:
        if self._change_counts is None:  # one pass over the column, kept: the table never changes
            column = self.table["change"].combine_chunks()
            counted = pc.value_counts(column).to_pylist() if len(column) else []
            self._change_counts = {c["values"]: int(c["counts"]) for c in counted}
        return self._change_counts.get(change, 0)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": self.count("added"),
            "revised": self.count("revised"),
            "unchanged": self.count("unchanged"),
            "skipped": len(self.skipped) if self.n_skipped is None else self.n_skipped,
        }

    @property
    def changes_anything(self) -> bool:
        return self.count("added") + self.count("revised") > 0

    def changed(self) -> pa.Table:
        """The rows the import writes (added or revised)."""
        if not self.count("unchanged"):
            return self.table
        return self.table.filter(pc.not_equal(self.table["change"], "unchanged"))

    def revisions(self) -> pd.DataFrame:
        """Each revised value, old and new, in the file's row order."""
        revised = self.table.filter(pc.equal(self.table["change"], "revised"))
        frame = revised.select(["_row", "target_id", "geography", "year", "old_value", "value"]).to_pandas()
        return frame.sort_values("_row").drop(columns="_row").reset_index(drop=True)

    def changes(self, limit: int = PREVIEW_CHANGES) -> pd.DataFrame:
        """The first ``limit`` rows the plan writes, in the file's order: :data:`CHANGE_COLUMNS`.

        ``row`` is the spreadsheet row (the header is row 1), ``action`` ``add`` or ``revise``,
        ``old_value`` the stored value a revision replaces (None for an addition). A top-N query
        in DuckDB over the plan's Arrow table: a million-row plan is not copied to pandas for it.
        The total is ``counts["added"] + counts["revised"]``.
        """
        if not self.changes_anything or limit <= 0:
            return pd.DataFrame(columns=CHANGE_COLUMNS)
        with duckdb.connect() as con:  # in memory, this call's own
            con.register("_plan", self.table.select(["_row", "_ord", "target_id", "geography", "year", "value",
                                                     "old_value", "change"]))
            return con.execute(
                """SELECT _row::BIGINT AS "row", _ord, target_id, geography, year::INTEGER AS year,
                          CASE WHEN change = 'revised' THEN old_value END AS old_value, value AS new_value,
                          CASE WHEN change = 'added' THEN 'add' ELSE 'revise' END AS action
                   FROM _plan WHERE change IN ('added', 'revised')
                   ORDER BY _row, _ord LIMIT ?""",
                [int(limit)],
            ).df()[CHANGE_COLUMNS + ["_ord"]]

    def fingerprint(self) -> str:
        """A digest of what the plan would change: a preview is confirmed only if it still holds."""
        digest = hashlib.sha256(repr(self.counts).encode())
        changed = self.changed().select(["target_id", "geography", "year", "value", "change", "old_value"])
        if changed.num_rows:  # a sum of row hashes: the order of the rows does not matter
            with duckdb.connect() as con:  # in memory, this call's own
                con.register("_changed", changed)
                total = con.execute("SELECT (sum(hash(target_id, geography, year, value, change, old_value))"
                                    " % 18446744073709551616)::VARCHAR FROM _changed").fetchall()[0][0]
            digest.update(total.encode())
        return digest.hexdigest()


def _sql_column(frame: pd.DataFrame, name: str, default: str = "''") -> str:
    """A column of the incoming frame in SQL, or a constant when the file lacks it (names are ours, not user text)."""
    return f'"{name}"' if name in frame.columns else default


def _one_of(column: str, words: tuple[str, ...]) -> str:
    """SQL: the cell is one of ``words`` (our constants, inlined), in any case.

    Only a short cell whose first letter starts a word can be one, so ``lower()`` runs on few
    cells. Written with ``=`` and ``OR`` and a string search, never ``IN`` or a list, which DuckDB
    turns into a join over every row. (Eight such tests took 0.5 s on a million rows.)
    """
    longest = max(len(w.encode()) for w in words)
    firsts = sorted({ord(c) for w in words if w for c in (w[0].lower(), w[0].upper())})
    first = "(" + " OR ".join(f"ascii({column}) = {code}" for code in firsts) + ")"
    empty = f"WHEN {column} = '' THEN {'true' if '' in words else 'false'} "
    haystack = "\x1f" + "\x1f".join(w for w in words if w) + "\x1f"
    literal = "'" + haystack.replace("'", "''") + "'"
    return (f"(CASE {empty}WHEN strlen({column}) <= {longest} AND {first}"
            f" THEN contains({literal}, chr(31) || lower({column}) || chr(31)) ELSE false END)")


def _missing(column: str) -> str:
    """SQL: the cell is a missing marker (empty, ``..``, ``-``, ``n/a`` ...)."""
    return _one_of(column, MISSING_MARKERS)


_STRIP_PERCENT = "rtrim({col}, '% \u00a0\u202f')"


def _decide_decimal(cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame, default: str) -> str:
    """The file's decimal mark: the one that more value cells can only be read with; else ``default``.

    ``13,4`` and ``1.234,5`` are evidence for a comma, ``13.4`` and ``1,234.5`` for a point;
    ``1.234`` is evidence for neither. Only cells holding the mark are matched, and the second
    count is skipped when the first settles the question, so a file that uses one mark costs
    one cheap pass.
    """
    typed = _sql_column(frame, "_value_typed", "false")
    text = _STRIP_PERCENT.format(col="value")

    def evidence(mark: str) -> int:
        group = "." if mark == "," else ","  # 1.234.567 (two groups) is evidence too, without the mark
        return cur.execute(
            "SELECT count(*) FROM _ingest_incoming WHERE NOT " + typed +
            " AND (contains(value, $mark) OR value LIKE $groups) AND regexp_full_match(" + text + ", $pattern)",
            {"mark": mark, "groups": f"%{group}___{group}%", "pattern": EVIDENCE_RE[mark]},
        ).fetchall()[0][0]

    other = "." if default == "," else ","
    against = evidence(other)
    if not against:
        return default
    supporting = evidence(default)
    if supporting == against:
        return default
    return default if supporting > against else other


_CHECK_SQL = """
WITH src AS (
    SELECT _row::BIGINT AS _row, {ord} AS _ord, {target_id} AS target_text, {year} AS year_text,
           {value} AS value_text, {geography} AS geo_text, {source} AS source_text,
           {note_da} AS note_da_text, {note_en} AS note_en_text,
           {data_class} AS class_text, {series_break} AS break_text, {typed} AS value_typed, {value_col} AS value_col
    FROM _ingest_incoming
),
known_geo AS (
    SELECT lower(geography) AS geo_key, min(geography) AS known_geography
    FROM (SELECT geography FROM target_definitions UNION SELECT DISTINCT geography FROM observations)
    GROUP BY 1
),
p AS (
    SELECT s.*, t.target_id, t.geography AS target_geography, t.baseline_year, t.baseline_value,
           t.lower_bound, t.upper_bound, t.unit,
           {target_missing} AS target_missing, {year_missing} AS year_missing, {value_missing} AS value_missing,
           {class_missing} AS class_missing, {source_missing} AS source_missing,
           {note_da_missing} AS note_da_missing, {note_en_missing} AS note_en_missing,
           {break_missing} AS break_missing,
           {has_percent} AS has_percent,
           {num_text} AS num_text,
           CASE WHEN NOT {geo_missing} THEN s.geo_text END AS geo_given
    FROM src s LEFT JOIN targets t ON t.target_id = lower(s.target_text)
),
typed AS (
    SELECT p.*,
        CASE WHEN strlen(p.year_text) = 4 AND p.year_text GLOB '[0-9][0-9][0-9][0-9]' THEN p.year_text::INTEGER
             WHEN regexp_full_match(p.year_text, '[+-]?[0-9]{{1,9}}(?:[.,]0+)?')
             THEN TRY_CAST(regexp_extract(p.year_text, '^[+-]?[0-9]+') AS INTEGER) END AS year,
        {value_expr} AS value,
        coalesce(k.known_geography, p.geo_given, p.target_geography) AS geography,
        p.geo_given IS NOT NULL AND k.known_geography IS NULL AS new_geography,
        CASE WHEN p.class_missing THEN 'R' ELSE upper(p.class_text) END AS data_class,
        CASE WHEN p.source_missing THEN $default_source ELSE p.source_text END AS source,
        CASE WHEN NOT p.note_da_missing THEN p.note_da_text END AS note_da,
        CASE WHEN NOT p.note_en_missing THEN p.note_en_text END AS note_en,
        CASE WHEN p.break_missing OR {break_false} THEN false
             WHEN {break_true} THEN true END AS series_break
    FROM p LEFT JOIN known_geo k ON k.geo_key = lower(p.geo_given)
),
coded AS (
    SELECT *,
        CASE
            WHEN target_missing AND value_missing THEN CASE WHEN year_missing THEN 'skip_blank' ELSE 'skip_missing' END
            WHEN target_missing THEN 'target_missing'
            WHEN target_id IS NULL THEN 'unknown_target'
            WHEN value_missing THEN 'skip_missing'
            WHEN year IS NULL OR year NOT BETWEEN {min_year} AND {max_year} THEN 'bad_year'
            WHEN value IS NULL OR NOT isfinite(value) THEN 'value_not_number'
            WHEN has_percent AND unit <> '%' THEN 'percent_unit'
            WHEN value < lower_bound OR value > upper_bound THEN 'out_of_bounds'
            WHEN data_class NOT IN ('R', 'D', 'I') THEN 'bad_data_class'
            WHEN series_break IS NULL THEN 'bad_series_break'
            WHEN geography = target_geography AND year = baseline_year
                 AND abs(value - baseline_value) > $tol THEN 'baseline_conflict'
        END AS code
    FROM typed
)
SELECT c._row, c._ord, c.target_id, c.geography, c.year, c.value, c.data_class, c.source, c.note_da, c.note_en, c.series_break,
       c.new_geography, c.code,
       CASE WHEN c.code IS NOT NULL THEN c.value_text END AS value_text,
       CASE WHEN c.code IS NOT NULL THEN c.value_col END AS value_col,
       CASE WHEN c.code IS NOT NULL THEN c.target_text END AS target_text,
       CASE WHEN c.code IS NOT NULL THEN c.year_text END AS year_text,
       CASE WHEN c.code IS NOT NULL THEN c.class_text END AS class_text,
       CASE WHEN c.code IS NOT NULL THEN c.break_text END AS break_text,
       NULL::BIGINT AS first_row, NULL::DOUBLE AS first_value,
       o.value AS old_value, o.data_class AS old_data_class, o.series_break AS old_series_break,
       CASE WHEN c.code IS NOT NULL THEN NULL
            WHEN o.target_id IS NULL THEN 'added'
            WHEN abs(o.value - c.value) <= $tol
                 AND (c.class_missing OR o.data_class = c.data_class)
                 AND (c.source_missing OR o.source_hash = hash(c.source))
                 AND (c.note_da_missing OR o.note_da_hash = hash(c.note_da))
                 AND (c.note_en_missing OR o.note_en_hash = hash(c.note_en))
                 AND (c.break_missing OR o.series_break = c.series_break) THEN 'unchanged'
            ELSE 'revised' END AS change,
       -- a key for the test for repeated keys; a row that is not a good one gets one of its own
       CASE WHEN c.code IS NULL THEN hash(c.target_id, c.geography, c.year) ELSE hash(c._row, c._ord, 'row') END
           AS _key
FROM coded c
-- sources and notes are compared by hash: the join's table of stored rows stays small
LEFT JOIN (SELECT target_id, geography, year, value, data_class, series_break,
                  hash(source) AS source_hash, hash(note_da) AS note_da_hash,
                  hash(note_en) AS note_en_hash FROM observations) o
     ON c.code IS NULL AND o.target_id = c.target_id AND o.geography = c.geography AND o.year = c.year
"""

# The careful reading of a value cell: a typed workbook cell, the number pattern of the file's
# decimal mark with thousands separators, a % sign or a typographic minus.
_VALUE_CAREFUL = """CASE WHEN p.value_typed THEN TRY_CAST(p.num_text AS DOUBLE)
     WHEN NOT regexp_full_match(p.num_text, $number_re) THEN NULL
     WHEN $decimal = '.' AND NOT contains(p.num_text, ',') AND NOT contains(p.num_text, ' ')
          AND NOT contains(p.num_text, '\u00a0') AND NOT contains(p.num_text, '\u202f')
          THEN TRY_CAST(p.num_text AS DOUBLE)
     ELSE TRY_CAST(replace(regexp_replace(p.num_text, $group_re, '', 'g'), $decimal, '.') AS DOUBLE)
END"""
# The value's text without a % sign, with a typographic minus made plain. Both are rare and
# non-ASCII or a suffix, so a length test (bytes against characters) spares the searches.
_NUM_TEXT_CAREFUL = """CASE WHEN (suffix(s.value_text, '%') OR strlen(s.value_text) <> length(s.value_text))
                     AND (suffix(s.value_text, '%') OR contains(s.value_text, '−') OR contains(s.value_text, '–'))
                THEN {strip_percent} ELSE s.value_text END"""
#: A value cell that the careful reading turns into this number plainly, by the file's decimal mark:
#: digits with at most one decimal mark and maybe a minus, no %, no thousands separator.
_PLAIN_NUMBER = {".": r"^-?[0-9]+(?:\.[0-9]+)?$", ",": r"^-?[0-9]+(?:,[0-9]+)?$"}
#: Every spelling of a missing marker the case-blind test in SQL accepts ("NA", "Na", "N/A" ...).
_MARKER_SPELLINGS = pa.array(sorted({"".join(chars) for marker in MISSING_MARKERS for chars in itertools.product(
    *[(c.lower(), c.upper()) if c.isalpha() else (c,) for c in marker])}), pa.string())
_MARKER_BYTES = max(len(m.encode()) for m in MISSING_MARKERS)
#: Incoming column of each field, as the check names it.
_FIELD_TEXT = {"target_id": "target_text", "year": "year_text", "value": "value_text", "geography": "geo_text",
               "source": "source_text", "note_da": "note_da_text", "note_en": "note_en_text", "data_class": "class_text",
               "series_break": "break_text"}


def _may_hold_marker(column: pa.ChunkedArray) -> bool:
    """False only when no cell of the column is a missing marker (then the check skips the test)."""
    if not pa.types.is_string(column.type):
        return True
    shortest = pc.min(pc.binary_length(column)).as_py()
    if shortest is None or shortest > _MARKER_BYTES:  # every marker is short: most columns end here
        return shortest is None
    return bool(pc.any(pc.is_in(column, value_set=_MARKER_SPELLINGS)).as_py())


def _plain_numbers(column: pa.ChunkedArray, decimal: str) -> bool:
    """Every cell is digits with at most one ``decimal`` mark and maybe a minus (no %, no separators)."""
    if not pa.types.is_string(column.type) or column.null_count:
        return False
    return bool(pc.all(pc.match_substring_regex(column, _PLAIN_NUMBER[decimal])).as_py())


# The same target, geography and year twice: a different value is an error, the same one a warning.
_DUPLICATES_SQL = """
SELECT c._row, c._ord,
       CASE WHEN abs(c.value - d.first_value) > $tol THEN 'duplicate_key' ELSE 'duplicate_same' END AS dup_code,
       d.first_row, d.first_value
FROM _ingest_checked c
JOIN (SELECT target_id, geography, year, min(_row) AS first_row, arg_min(value, _row) AS first_value
      FROM _ingest_checked WHERE code IS NULL GROUP BY ALL HAVING count(*) > 1) AS d
  ON c.target_id = d.target_id AND c.geography = d.geography AND c.year = d.year
WHERE c.code IS NULL AND c._row > d.first_row
"""

_PATCH_DUPLICATES_SQL = """
SELECT c.* REPLACE (coalesce(d.dup_code, c.code) AS code, coalesce(d.first_row, c.first_row) AS first_row,
                    coalesce(d.first_value, c.first_value) AS first_value,
                    coalesce(d.value_text, c.value_text) AS value_text,
                    coalesce(d.value_col, c.value_col) AS value_col,
                    CASE WHEN d.dup_code IS NULL THEN c.change END AS change)
FROM _ingest_checked c LEFT JOIN (
    SELECT d.*, i."value" AS value_text, {value_col} AS value_col
    FROM _ingest_duplicates d JOIN _ingest_incoming i ON i._row = d._row AND {ord} = d._ord
) d ON d._row = c._row AND d._ord = c._ord
"""


def _check(cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame, info: ReadInfo, incoming: pa.Table) -> pa.Table:
    """Type and check every row and compare it with the stored observations, in one query.

    Returns an Arrow table with one row per file row: the typed fields, ``code`` (None for a
    good row, else what is wrong or why it is skipped) and, for good rows, the stored values
    and ``change`` (added, revised, unchanged). It is registered as ``_ingest_checked``.

    Tests a whole column can be spared are left out of the query: the missing-marker test of a
    column without a marker, the careful number reading of a column of plain numbers (``13.4``
    or ``13,4`` by the file's decimal mark). The columns are looked at first (beside the decimal
    decision); the result is the same, a million rows are checked in two thirds of the time.
    """
    present = [name for name in _FIELD_TEXT if name in incoming.column_names]
    markers = {name: _POOL.submit(_may_hold_marker, incoming[name]) for name in present}
    plain = (_POOL.submit(_plain_numbers, incoming["value"], info.default_decimal)
             if "_value_typed" not in incoming.column_names else None)
    info.decimal = _decide_decimal(cur, frame, info.default_decimal)
    plain_values = plain is not None and plain.result() and info.decimal == info.default_decimal

    def missing(name: str) -> str:
        if name in markers and not markers[name].result():
            return "false"
        return _missing("s." + _FIELD_TEXT[name])

    columns = {name: _sql_column(frame, name) for name in OBSERVATION_OPTIONAL}
    strip_percent = _STRIP_PERCENT.format(col="replace(replace(s.value_text, '−', '-'), '–', '-')")
    sql = _CHECK_SQL.format(
        ord=_sql_column(frame, "_ord", "0"), target_id='"target_id"', year='"year"', value='"value"',
        typed=_sql_column(frame, "_value_typed", "false"), value_col=_sql_column(frame, "_value_col", "NULL::VARCHAR"),
        target_missing=missing("target_id"), year_missing=missing("year"),
        value_missing=missing("value"), class_missing=missing("data_class"),
        source_missing=missing("source"), note_da_missing=missing("note_da"),
        note_en_missing=missing("note_en"),
        break_missing=missing("series_break"), geo_missing=missing("geography"),
        break_false=_one_of("p.break_text", FALSE_WORDS), break_true=_one_of("p.break_text", TRUE_WORDS),
        has_percent="false" if plain_values else "suffix(s.value_text, '%')",
        num_text="s.value_text" if plain_values else _NUM_TEXT_CAREFUL.format(strip_percent=strip_percent),
        value_expr=(("TRY_CAST(p.value_text AS DOUBLE)" if info.decimal == "." else
                     "TRY_CAST(replace(p.value_text, ',', '.') AS DOUBLE)") if plain_values else _VALUE_CAREFUL),
        min_year=MIN_YEAR, max_year=MAX_YEAR, **columns,
    )
    params: dict[str, Any] = {"default_source": f"Import: {info.file_name}", "tol": VALUE_TOLERANCE}
    if not plain_values:  # DuckDB refuses parameters a query does not use
        params |= {"number_re": NUMBER_RE[info.decimal], "group_re": GROUP_RE[info.decimal], "decimal": info.decimal}
    checked = _arrow(cur, sql, params)
    cur.register("_ingest_checked", checked)
    # A cheap test first (the hash of each key, made by the check); the exact grouping only when
    # some key may repeat (or two hashes collide, which only costs that grouping).
    keys = checked["_key"].combine_chunks().to_numpy(zero_copy_only=False)
    repeats = bool(pd.Series(keys, copy=False).duplicated().any())
    if repeats:
        duplicates = _arrow(cur, _DUPLICATES_SQL, {"tol": VALUE_TOLERANCE})
        if duplicates.num_rows:
            cur.register("_ingest_duplicates", duplicates)
            try:
                checked = _arrow(cur, _PATCH_DUPLICATES_SQL.format(
                    value_col=_sql_column(frame, "_value_col", "NULL::VARCHAR").replace('"_value_col"', 'i."_value_col"'),
                    ord=_sql_column(frame, "_ord", "0").replace('"_ord"', 'i."_ord"')), {})
            finally:
                cur.unregister("_ingest_duplicates")
            cur.register("_ingest_checked", checked)
    return checked


def _row_problems(cur: duckdb.DuckDBPyConnection, info: ReadInfo, *, warnings: bool) -> tuple[list[Problem], int]:
    """Problems (or, with ``warnings``, skipped rows) of the checked rows, capped, and their total."""
    where = ("c.code IN ('skip_blank', 'skip_missing', 'duplicate_same')" if warnings else
             "c.code IS NOT NULL AND c.code NOT IN ('skip_blank', 'skip_missing', 'duplicate_same')")
    limit = MAX_WARNINGS if warnings else MAX_PROBLEMS
    total = cur.execute("SELECT count(*) FROM _ingest_checked c WHERE " + where).fetchall()[0][0]
    if not total:
        return [], 0
    found = cur.execute(
        "SELECT c._row AS row_number, c.code, c.target_text, c.year_text, c.value_text, c.value_col, c.class_text,"
        "       c.break_text, c.target_id, c.geography, c.year, c.value, c.first_row, c.first_value,"
        "       t.lower_bound, t.upper_bound, t.unit, t.baseline_value"
        " FROM _ingest_checked c LEFT JOIN targets t ON t.target_id = c.target_id"
        " WHERE " + where + " ORDER BY c._row, c._ord LIMIT ?",
        [limit],
    ).df()
    known = [r[0] for r in cur.execute("SELECT target_id FROM targets ORDER BY target_id").fetchall()]
    problems = [_row_problem(r, info, known) for r in found.itertuples(index=False)]
    if total > limit:
        problems.append(_problem(None, None, None, "more_warnings" if warnings else "too_many", count=total - limit))
    return problems, int(total)


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _row_problem(r: Any, info: ReadInfo, known: list[str]) -> Problem:
    """One Problem from a checked row: the column as the file names it, the offending text, what to do."""
    code, row = r.code, int(r.row_number)
    value_column = r.value_col if isinstance(r.value_col, str) else info.header("value")
    if code in ("skip_missing", "skip_blank"):
        return _problem(row, None if code == "skip_blank" else value_column, r.value_text, code)
    if code == "duplicate_same":
        return _problem(row, value_column, r.value_text, code, first_row=int(r.first_row))
    if code == "target_missing":
        return _problem(row, info.header("target_id"), r.target_text, code, example=known[0] if known else "")
    if code == "unknown_target":
        close = difflib.get_close_matches(str(r.target_text).lower(), known, n=3, cutoff=0.5)
        if close:
            return _problem(row, info.header("target_id"), r.target_text, code,
                            suggestions=" / ".join(f"'{c}'" for c in close))
        shown = ", ".join(known[:12]) + ("…" if len(known) > 12 else "")
        return _problem(row, info.header("target_id"), r.target_text, "unknown_target_list", known=shown)
    if code == "bad_year":
        return _problem(row, info.header("year"), r.year_text, code)
    if code == "value_not_number":
        suffix = "comma" if info.decimal == "," else "point"
        return _problem(row, value_column, r.value_text, f"value_not_number_{suffix}")
    if code == "percent_unit":
        return _problem(row, value_column, r.value_text, code, unit=r.unit)
    if code == "out_of_bounds":
        lower, upper = _num(r.lower_bound), _num(r.upper_bound)
        return _problem(row, value_column, r.value_text, code,
                        lower=-math.inf if lower is None else lower, upper=math.inf if upper is None else upper)
    if code == "bad_data_class":
        return _problem(row, info.header("data_class"), r.class_text, code)
    if code == "bad_series_break":
        return _problem(row, info.header("series_break"), r.break_text, code)
    if code == "baseline_conflict":
        return _problem(row, value_column, r.value_text, code, baseline=_num(r.baseline_value),
                        geography=r.geography, year=int(r.year))
    if code == "duplicate_key":
        return _problem(row, value_column, r.value_text, code, target=r.target_id, geography=r.geography,
                        year=int(r.year), first_row=int(r.first_row), first_value=_num(r.first_value))
    raise AssertionError(f"unhandled check code {code}")  # every code of _CHECK_SQL is handled above


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return problems[:MAX_PROBLEMS] + [_problem(None, None, None, "too_many", count=len(problems) - MAX_PROBLEMS)]


def _missing_frame_columns(frame: pd.DataFrame) -> list[Problem]:
    present = set(frame.columns)
    return [_problem(1, name, None, "missing_column", field=name, aliases=", ".join(COLUMN_ALIASES[name][:6]),
                     found=", ".join(f"'{c}'" for c in frame.columns if not c.startswith("_")))
            for name in OBSERVATION_REQUIRED if name not in present]


def _info_of(frame: pd.DataFrame) -> ReadInfo:
    info = frame.attrs.get("info")
    if isinstance(info, ReadInfo):
        return info
    return ReadInfo(file_name=frame.attrs.get("file_name", "file"), size=0, sha256="")


def _arrow(cur: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> pa.Table:
    """A query's result as an Arrow table (no copy through pandas)."""
    return cur.sql(sql, params=params).to_arrow_table(1 << 20)  # large batches: later filters stay fast


def plan_observations(cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> ImportPlan:
    """Check a file's rows and compare them with the database: added, revised, unchanged or skipped.

    A row is *unchanged* when its value equals the stored one and every source, note, data
    class or series break the file gives (a non-empty cell) equals the stored one too: a wide
    StatBank table restating known figures does not overwrite their sources with the file name.

    Raises :class:`ValidationError` with every problem (at most :data:`MAX_PROBLEMS`, then one
    "and N more") when any row is invalid. Works on a read cursor (preview) or inside
    ``Store.write`` (commit), so both see the same checks.
    """
    problems = _missing_frame_columns(frame)
    if problems:
        raise ValidationError(problems)
    info = _info_of(frame)
    if frame.empty:
        raise _reject(_problem(1, None, None, "only_header"))
    if "_row" not in frame.columns:
        frame = frame.assign(_row=range(2, len(frame) + 2))
    plain = frame.copy(deep=False)
    plain.attrs = {}  # pyarrow would try to serialise them into the schema
    incoming = pa.Table.from_pandas(plain, preserve_index=False)
    cur.register("_ingest_incoming", incoming)
    try:
        checked = _check(cur, plain, info, incoming)
        errors, _ = _row_problems(cur, info, warnings=False)
        if errors:
            raise ValidationError(errors)
        skipped, n_skipped = _row_problems(cur, info, warnings=True)
        new_geographies = [r[0] for r in cur.execute(
            "SELECT DISTINCT geography FROM _ingest_checked WHERE code IS NULL AND new_geography ORDER BY 1 LIMIT 21"
        ).fetchall()]
        same_file = [r[0] for r in cur.execute(
            "SELECT batch_id FROM import_batches WHERE sha256 = ? AND state = 'committed' ORDER BY batch_id",
            [info.sha256],
        ).fetchall()] if info.sha256 else []
    finally:
        cur.unregister("_ingest_incoming")
        with contextlib.suppress(duckdb.Error):
            cur.unregister("_ingest_checked")
    table = checked.select(PLAN_COLUMNS)
    del checked
    if n_skipped:  # only then is a copy needed; a clean file's rows pass through as they are
        table = table.filter(pc.is_valid(table["change"]))
    notes = info.notes()
    if new_geographies:
        shown = ", ".join(new_geographies[:20]) + ("…" if len(new_geographies) > 20 else "")
        notes.append(_problem(None, None, None, "new_geographies", geographies=shown))
    if same_file:
        notes.append(_problem(None, None, None, "same_file", batches=", ".join(str(b) for b in same_file)))
    return ImportPlan(table=table, skipped=skipped, file_name=info.file_name, n_skipped=n_skipped, info=info,
                      notes=notes)


def validate_observations(cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """The typed valid rows and the skipped-row warnings; raises :class:`ValidationError` on any problem."""
    plan = plan_observations(cur, frame)
    cols = ["_row", "target_id", "geography", "year", "value", "data_class", "source", "note_da", "note_en",
            "series_break"]
    return plan.rows[cols].sort_values("_row").reset_index(drop=True), plan.skipped


#: How many revised values an import's audit row lists one by one (the batch keeps them all).
AUDIT_VALUES = 1000

_WRITE_COLUMNS = ["target_id", "geography", "year", "value", "data_class", "source", "note_da", "note_en",
                  "series_break", "change"]


def apply_plan(cur: duckdb.DuckDBPyConnection, plan: ImportPlan, *, file_name: str, sha256: str, user: str) -> int | None:
    """Write a plan as one batch inside the caller's transaction; the batch id, or None if nothing changed."""
    counts = plan.counts
    if counts["added"] + counts["revised"] == 0:
        return None
    batch_id = cur.execute(
        """INSERT INTO import_batches (file_name, sha256, user_name, n_added, n_revised, n_unchanged, n_skipped)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING batch_id""",
        [file_name, sha256, user, counts["added"], counts["revised"], counts["unchanged"], counts["skipped"]],
    ).fetchall()[0][0]
    cur.register("_ingest_changed", plan.table.select(_WRITE_COLUMNS))
    try:
        if counts["revised"]:
            cur.execute(
                """INSERT INTO observation_history (target_id, geography, year, value, data_class, source, note_da, note_en,
                                                    series_break, batch_id, superseded_by, reason)
                   SELECT o.target_id, o.geography, o.year, o.value, o.data_class, o.source, o.note_da, o.note_en,
                          o.series_break, o.batch_id, ?, 'revised'
                   FROM observations o JOIN _ingest_changed c USING (target_id, geography, year)
                   WHERE c.change = 'revised'""",
                [batch_id],
            )
            # the table has no key index (migration 4): the revised rows are replaced, not upserted
            cur.execute(
                """DELETE FROM observations o USING _ingest_changed c
                   WHERE c.change = 'revised' AND o.target_id = c.target_id AND o.geography = c.geography
                     AND o.year = c.year"""
            )
        # one plain insert of every new and revised row: no index to maintain, so as fast as a bare load
        cur.execute(
            """INSERT INTO observations (target_id, geography, year, value, data_class, source, note_da, note_en,
                                         series_break, batch_id)
               SELECT target_id, geography, year, value, data_class, source, note_da, note_en, series_break, ?
               FROM _ingest_changed WHERE change <> 'unchanged'""",
            [batch_id],
        )
    finally:
        cur.unregister("_ingest_changed")
    return int(batch_id)


# ---------------------------------------------------------------------- status preview
STATUS_CHANGE_COLUMNS = ["target_id", "name_da", "name_en", "geography", "is_primary_geography",
                         "status_before", "status_after"]


def status_changes(cur: duckdb.DuckDBPyConnection, plan: ImportPlan, as_of: int | None = None) -> pd.DataFrame:
    """Each target and geography whose status the plan would change, before -> after, at ``as_of``.

    The progress engine runs twice on ``cur``: on the stored observations, and with the plan's
    rows in their place (:func:`metrics.progress.compute_status_replaced`). Nothing is written,
    so this works for a preview on a read cursor as well as inside the import's transaction.
    A geography new to a target has ``status_before`` None.
    """
    if not plan.changes_anything:
        return pd.DataFrame(columns=STATUS_CHANGE_COLUMNS)
    as_of = progress.current_year() if as_of is None else int(as_of)
    changed_ids = pc.filter(plan.table["target_id"], pc.not_equal(plan.table["change"], "unchanged"))
    ids = set(pc.unique(changed_ids).to_pylist())
    before = progress.compute_status(cur, as_of=as_of)
    changed = plan.table.filter(pc.not_equal(plan.table["change"], "unchanged"))
    after = progress.compute_status_replaced(
        cur, changed.select(["target_id", "geography", "year", "value", "data_class", "series_break"]), as_of)
    after = after[after["target_id"].isin(ids)]
    old = before.loc[before["target_id"].isin(ids), ["target_id", "geography", "status"]]
    merged = after.merge(old, on=["target_id", "geography"], how="left", suffixes=("_after", "_before"))
    diff = merged[merged["status_before"].isna() | (merged["status_before"] != merged["status_after"])]
    diff = diff.assign(status_before=diff["status_before"].astype(object).where(diff["status_before"].notna(), None))
    return diff[STATUS_CHANGE_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------------- import and undo
@dataclass
class ImportResult:
    """The outcome of an import or dry run, for the command line and the Upload page."""

    plan: ImportPlan
    batch_id: int | None
    dry_run: bool
    status: pd.DataFrame | None = None  # status_changes(); None when not computed
    as_of: int | None = None
    _changes: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def changes(self) -> pd.DataFrame:
        """The first :data:`PREVIEW_CHANGES` rows written (:meth:`ImportPlan.changes`); a dry run adds
        ``cell``, the value's text as it stands in the file."""
        if self._changes is None:
            self._changes = self.plan.changes()
        return self._changes

    @property
    def more_changes(self) -> int:
        """How many changed rows :attr:`changes` leaves out ("and N more")."""
        return max(0, self.plan.count("added") + self.plan.count("revised") - len(self.changes))

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "ok": True,
            "dry_run": self.dry_run,
            "batch_id": self.batch_id,
            "file_name": self.plan.file_name,
            "sha256": self.plan.info.sha256 if self.plan.info else None,
            "counts": self.plan.counts,
            # every row to be added or revised, in the file's order (the first PREVIEW_CHANGES, then a count)
            "changes": [
                {"row": int(r.row), "target_id": r.target_id, "geography": r.geography, "year": int(r.year),
                 "old_value": None if pd.isna(r.old_value) else float(r.old_value), "new_value": float(r.new_value),
                 "action": r.action}
                for r in self.changes.itertuples()
            ],
            "changes_more": self.more_changes,
            "revised": [
                {"target_id": r.target_id, "geography": r.geography, "year": int(r.year),
                 "old_value": float(r.old_value), "new_value": float(r.value)}
                for r in self.plan.revisions().itertuples()
            ],
            # None: not computed (a commit without with_status); [] : computed, nothing changes
            "status_changes": None if self.status is None else [
                {"target_id": r.target_id, "geography": r.geography, "as_of": self.as_of,
                 "before": r.status_before, "after": r.status_after}
                for r in self.status.itertuples()
            ],
            "warnings": [p.as_dict(lang) for p in self.plan.skipped],
            "notes": [p.text(lang) for p in self.plan.notes],
        }


def _cells(changes: pd.DataFrame, frame: pd.DataFrame) -> list[str | None]:
    """The value cell of each preview row as the file holds it (``17.612``), from the read frame.

    Only the preview's rows are looked up (an Arrow ``is_in`` over the row numbers), so a
    million-row file costs no copy of its cells.
    """
    if changes.empty or "_row" not in frame.columns or "value" not in frame.columns:
        return [None] * len(changes)
    rows = pa.array(frame["_row"]).cast(pa.int64())
    index = pc.indices_nonzero(pc.is_in(rows, value_set=pa.array(changes["row"].astype("int64").unique())))
    found = frame.iloc[index.to_numpy()]
    ords = found["_ord"].astype("int64") if "_ord" in found.columns else pd.Series(0, index=found.index)
    texts = {(int(r), int(o)): (None if pd.isna(v) else str(v))
             for r, o, v in zip(found["_row"], ords, found["value"])}
    return [texts.get((int(r), int(o))) for r, o in zip(changes["row"], changes["_ord"])]


def import_observations(
    store: Store,
    source: Path | str | bytes,
    actor: Actor,
    *,
    dry_run: bool = False,
    file_name: str | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
    as_of: int | None = None,
    with_status: bool | None = None,
    expect: str | None = None,
) -> ImportResult:
    """Check a file and, unless ``dry_run``, commit it as one batch (all rows or none).

    ``with_status`` runs the status preview (:func:`status_changes`): by default for a dry run,
    which is the preview, and not for a commit, which the user makes after seeing that preview
    (the progress engine over every observation would be a third of a million-row import).

    ``source`` is a path or uploaded bytes (with ``file_name``). ``expect`` is the
    :meth:`ImportPlan.fingerprint` of the preview the user confirmed: if the data changed
    since, nothing is written and :class:`ImportRefused` says so. The role is checked first,
    and again by ``Store.write``.
    """
    if not dry_run and not actor.may("import_observations"):
        raise PermissionDenied(actor=actor, action="import_observations")
    frame = read_observations(source, file_name=file_name, sheet=sheet, max_bytes=max_bytes)
    info = _info_of(frame)
    as_of = progress.current_year() if as_of is None else int(as_of)
    with_status = dry_run if with_status is None else with_status
    if dry_run:
        with store.read() as cur:
            plan = plan_observations(cur, frame)
            status = status_changes(cur, plan, as_of) if with_status else None
        changes = plan.changes()
        return ImportResult(plan=plan, batch_id=None, dry_run=True, status=status, as_of=as_of,
                            _changes=changes.assign(cell=_cells(changes, frame)))
    with store.write(actor, "import_observations") as cur:
        plan = plan_observations(cur, frame)
        del frame  # the typed plan is all that is needed now; a large file's text cells can go
        if expect is not None and plan.fingerprint() != expect:
            raise ImportRefused("preview_stale")
        status = status_changes(cur, plan, as_of) if with_status else None
        batch_id = apply_plan(cur, plan, file_name=info.file_name, sha256=info.sha256, user=actor.name)
        revised = plan.revisions().head(AUDIT_VALUES)
        audit.record(
            cur, actor, "import_observations", "import_batch", None if batch_id is None else str(batch_id),
            {"values": [{"target_id": r.target_id, "geography": r.geography, "year": int(r.year),
                         "value": float(r.old_value)} for r in revised.itertuples()]},
            {"file_name": info.file_name, "sha256": info.sha256, "counts": plan.counts,
             "values": [{"target_id": r.target_id, "geography": r.geography, "year": int(r.year),
                         "value": float(r.value)} for r in revised.itertuples()]},
            detail=None if batch_id is not None else "nothing changed: every row was already stored",
        )
    return ImportResult(plan=plan, batch_id=batch_id, dry_run=False, status=status, as_of=as_of)


def is_seed_batch(user_name: Any) -> bool:
    """True for the batch the seed loaded (the action plan's own figures), made by :data:`store.SEED_USER`."""
    return user_name == SEED_USER


def undoable_batches(store: Store) -> pd.DataFrame:
    """The batches the Upload page offers to undo: committed ones, newest first, never the seed."""
    batches = store.batches()
    return batches[(batches["state"] == "committed") & ~batches["user_name"].map(is_seed_batch)]


def _undo_checks(cur: duckdb.DuckDBPyConnection, batch_id: int, include_seed: bool) -> tuple[Any, ...]:
    """The batch's row, or :class:`ImportRefused` when it cannot be undone (nothing is written)."""
    found = cur.execute("SELECT state, undone_at, file_name, user_name FROM import_batches WHERE batch_id = ?",
                        [batch_id]).fetchall()
    batch = found[0] if found else None
    if batch is None:
        raise ImportRefused("no_batch", batch=batch_id)
    if batch[0] == "undone":
        raise ImportRefused("already_undone", batch=batch_id, file=batch[2], when=batch[1])
    if is_seed_batch(batch[3]) and not include_seed:
        raise ImportRefused("undo_seed", batch=batch_id, file=batch[2])
    later = cur.execute(
        """SELECT DISTINCT h.superseded_by FROM observation_history h
           JOIN import_batches b ON b.batch_id = h.superseded_by
           WHERE h.batch_id = ? AND h.reason = 'revised' AND b.state = 'committed'
           ORDER BY 1""",
        [batch_id],
    ).fetchall()
    if later:
        raise ImportRefused("undo_blocked", batch=batch_id, later=", ".join(str(b[0]) for b in later))
    return batch


def _undo_counts(cur: duckdb.DuckDBPyConnection, batch_id: int) -> dict[str, int]:
    """What undoing the batch would do, from the data as they stand: values removed, earlier values restored."""
    held, restored = cur.execute(
        """SELECT (SELECT count(*) FROM observations WHERE batch_id = $b),
                  (SELECT count(*) FROM observation_history WHERE superseded_by = $b AND reason = 'revised')""",
        {"b": batch_id},
    ).fetchall()[0]
    return {"removed": int(held) - int(restored), "restored": int(restored)}


def undo_preview(store: Store, batch_id: int, *, include_seed: bool = False) -> dict[str, Any]:
    """What :func:`undo_batch` would do, before anything is written: the page's confirmation says it.

    ``{"batch": id, "file": name, "removed": n, "restored": m}`` (the counts ``undo_batch``
    returns), or :class:`ImportRefused` for the refusals ``undo_batch`` would give.
    """
    with store.read() as cur:
        batch = _undo_checks(cur, int(batch_id), include_seed)
        return {"batch": int(batch_id), "file": batch[2], **_undo_counts(cur, int(batch_id))}


def undo_batch(store: Store, batch_id: int, actor: Actor, *, include_seed: bool = False) -> dict[str, int]:
    """Undo a committed batch: remove what it added, restore what it revised.

    Refused with :class:`ImportRefused`, nothing changed, when the batch is unknown, already
    undone, a later batch has since revised some of its values (undo that one first), or it is
    the seed batch and ``include_seed`` is not given (undoing it leaves every target with only
    its baseline: ``python -m metrics undo ID --include-seed`` asks for it explicitly).
    """
    with store.write(actor, "undo_batch") as cur:
        batch = _undo_checks(cur, batch_id, include_seed)
        removed = cur.execute(
            """INSERT INTO observation_history (target_id, geography, year, value, data_class, source, note_da, note_en,
                                                series_break, batch_id, superseded_by, reason)
               SELECT target_id, geography, year, value, data_class, source, note_da, note_en, series_break, batch_id, ?, 'undone'
               FROM observations WHERE batch_id = ?""",
            [batch_id, batch_id],
        ).fetchall()[0][0]
        cur.execute("DELETE FROM observations WHERE batch_id = ?", [batch_id])
        restored = cur.execute(
            """INSERT INTO observations (target_id, geography, year, value, data_class, source, note_da, note_en,
                                         series_break, batch_id)
               SELECT target_id, geography, year, value, data_class, source, note_da, note_en, series_break, batch_id
               FROM observation_history WHERE superseded_by = ? AND reason = 'revised'""",
            [batch_id],
        ).fetchall()[0][0]
        cur.execute(
            "UPDATE import_batches SET state = 'undone', undone_at = current_localtimestamp(), undone_by = ? "
            "WHERE batch_id = ?",
            [actor.name, batch_id],
        )
        counts = {"removed": int(removed) - int(restored), "restored": int(restored)}
        audit.record(cur, actor, "undo_batch", "import_batch", str(batch_id), {"state": "committed"},
                     {"state": "undone", **counts}, detail=batch[2])
    return counts


def data_version(store: Store) -> str:
    """Changes whenever a batch is committed or undone: a page's cached preview is stale after that."""
    count, last, undone = store.query_df(
        "SELECT count(*) AS n, coalesce(max(batch_id), 0) AS last, count(undone_at) AS undone FROM import_batches"
    ).iloc[0]
    return f"{count}:{last}:{undone}"


# ---------------------------------------------------------------------- templates and reference
def template_csv(store: Store, lang: str) -> bytes:
    """A template to fill in: Danish (semicolon, for a Danish Excel) or English (comma) headers.

    One row per known target with its id and own geography filled in; year and value are
    empty, so uploading the template unchanged skips every row and changes nothing.
    """
    from metrics.export import neutralise  # local: export sits above ingest
    headers = TEMPLATE_HEADERS["da" if lang == "da" else "en"]
    delimiter = ";" if lang == "da" else ","
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for target_id, geography in store.query_df("SELECT target_id, geography FROM targets ORDER BY target_id") \
            .itertuples(index=False):
        writer.writerow([target_id, "", "", neutralise(geography), "", "", ""])  # inert in any spreadsheet
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def target_reference(store: Store, lang: str) -> pd.DataFrame:
    """The targets an analyst can import to: id, name, unit, own geography and natural bounds."""
    targets = store.targets()
    name = targets["name_da"] if lang == "da" else targets["name_en"]
    unit = targets["unit"] if lang == "da" else targets["unit_en"].fillna(targets["unit"])

    def bounds(lo: Any, hi: Any) -> str:
        if pd.isna(lo) and pd.isna(hi):
            return ""
        return f"{i18n.fmt_number(lo, lang) if pd.notna(lo) else '−∞'} – {i18n.fmt_number(hi, lang) if pd.notna(hi) else '∞'}"

    return pd.DataFrame({
        "target_id": targets["target_id"], "name": name, "unit": unit, "geography": targets["geography"],
        "bounds": [bounds(lo, hi) for lo, hi in zip(targets["lower_bound"], targets["upper_bound"])],
    })


# ---------------------------------------------------------------------- target files (canonical format)
def decode_bytes(raw: bytes) -> str:
    """Text of a file: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_csv_text(path: Path | str) -> pd.DataFrame:
    """A comma-separated file as text cells, headers lower-cased, with a ``_row`` column."""
    path = Path(path)
    if not path.is_file():
        raise MalsporError("file_missing", path=path)
    text = decode_bytes(path.read_bytes())
    if not text.strip():
        raise ValidationError([Problem(None, None, None, code="file_empty")])
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise ValidationError([Problem(None, None, None, code="targets_csv_unreadable", params={"reason": exc})]) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.loc[:, [c for c in frame.columns if c and not c.startswith("unnamed:")]]
    frame = frame.apply(lambda col: col.str.strip())
    # pandas skips blank lines, so recover spreadsheet row numbers from the raw lines.
    frame.insert(0, "_row", _data_row_numbers(text, len(frame)))
    return frame


def _data_row_numbers(text: str, n_rows: int) -> list[int]:
    """Spreadsheet row numbers of the non-blank data rows (header = row 1)."""
    numbers: list[int] = []
    reader = pd.read_csv(io.StringIO(text), dtype=str, header=None, keep_default_na=False,
                         skip_blank_lines=False)
    for idx, row in enumerate(reader.itertuples(index=False), start=1):
        if idx == 1:
            continue
        if any(str(cell).strip() for cell in row):
            numbers.append(idx)
    if len(numbers) != n_rows:  # quoted line breaks: fall back to plain counting
        numbers = list(range(2, n_rows + 2))
    return numbers


def read_targets_csv(path: Path | str) -> pd.DataFrame:
    """A target-definition file with the columns of ``data/targets.csv``."""
    frame = read_csv_text(path)
    renames = {old: new for old, new in TARGET_ALIASES.items() if old in frame.columns and new not in frame.columns}
    return frame.rename(columns=renames)


def parse_number(text: str) -> float:
    """A number written with a decimal point (``13.4``, ``-2``, ``1e3``); raises ValueError."""
    cleaned = text.strip()
    if "," in cleaned:
        raise ValueError("use a point as decimal separator and no thousands separator")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError("the value must be a finite number")
    return value


def parse_year(text: str) -> int:
    """A whole year from 1900 to 2100; raises ValueError."""
    value = float(text.strip())
    if not value.is_integer() or not MIN_YEAR <= value <= MAX_YEAR:
        raise ValueError
    return int(value)


def closest(word: str, choices: list[str]) -> Sentence:
    """'Did you mean' text for an unknown identifier (English as a str, the reader's with ``for_lang``)."""
    close = difflib.get_close_matches(word.lower(), choices, n=3, cutoff=0.5)
    if close:
        return Sentence("problem.did_you_mean", choices=OneOf(f"'{c}'" for c in close))
    return Sentence("problem.known_ids", ids=", ".join(sorted(choices)[:12]) + ("…" if len(choices) > 12 else ""))


def _missing_columns(frame: pd.DataFrame, required: tuple[str, ...]) -> list[Problem]:
    present = set(frame.columns)
    return [
        Problem(1, col, None, code="target_column_missing", params={
                "column": col, "found": [c for c in frame.columns if c != "_row"] or Term("problem.no_columns")})
        for col in required
        if col not in present
    ]


def _bounds(lo: float | None, hi: float | None) -> dict[str, float]:
    """The bounds as message parameters ``lower`` and ``upper``; a missing bound is infinite."""
    return {"lower": float(lo) if pd.notna(lo) else -math.inf, "upper": float(hi) if pd.notna(hi) else math.inf}


# ---------------------------------------------------------------------- targets
def validate_targets(cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> pd.DataFrame:
    """Check target definitions; return them typed, or raise ValidationError with every problem."""
    problems = _missing_columns(frame, TARGET_REQUIRED)
    if problems:
        raise ValidationError(problems)
    if frame.empty:
        raise ValidationError([Problem(None, None, None, code="targets_none")])
    focus = dict(cur.execute("SELECT focus_area_id, theme_id FROM focus_areas").fetchall())
    cols = set(frame.columns)
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}

    def get(rec: dict[str, str], col: str) -> str:
        return rec.get(col, "") if col in cols else ""

    for rec in frame.to_dict("records"):
        row = int(rec["_row"])
        errs: list[Problem] = []

        def num(col: str, *, integer: bool = False, required: bool = False) -> float | int | None:
            text = get(rec, col)
            if text == "":
                if required:
                    errs.append(Problem(row, col, text, code="number_required"))
                return None
            try:
                value = parse_year(text) if integer and col.endswith("_year") else parse_number(text)
                if integer and not float(value).is_integer():
                    raise ValueError
                return int(value) if integer else value
            except ValueError:
                errs.append(Problem(row, col, text, params={"min": MIN_YEAR, "max": MAX_YEAR}, code=(
                    "write_year" if col.endswith("_year") else "write_integer" if integer else "write_decimal_point")))
                return None

        tid = rec["target_id"]
        if not tid or not tid.replace("_", "").isalnum() or not tid[0].isalpha() or tid != tid.lower():
            errs.append(Problem(row, "target_id", tid, code="target_id_invalid"))
        elif tid in seen:
            errs.append(Problem(row, "target_id", tid, code="target_id_duplicate", params={"row": seen[tid]}))
        seen.setdefault(tid, row)
        fa = rec["focus_area_id"]
        if fa not in focus:
            errs.append(Problem(row, "focus_area_id", fa, code="focus_area_unknown", params={"hint": closest(fa, list(focus))}))
        elif get(rec, "theme_id") and get(rec, "theme_id") != focus[fa]:
            errs.append(Problem(row, "theme_id", get(rec, "theme_id"),
                                code="theme_mismatch", params={"focus_area": fa, "theme": focus[fa]}))
        for col in ("name_da", "name_en", "unit", "source"):
            if not rec[col]:
                errs.append(Problem(row, col, "", code="required"))
        kind = rec["kind"].lower()
        if kind not in KINDS:
            errs.append(Problem(row, "kind", rec["kind"], code="kind_invalid"))
        direction = rec["direction"].lower()
        if direction not in DIRECTIONS:
            errs.append(Problem(row, "direction", rec["direction"], code="direction_invalid"))
        data_class = (get(rec, "baseline_data_class") or "R").upper()
        if data_class not in DATA_CLASSES:
            errs.append(Problem(row, "baseline_data_class", data_class, code="data_class_invalid"))
        b_year = num("baseline_year", integer=True, required=True)
        b_val = num("baseline_value", required=True)
        t_year = num("target_year", integer=True)
        t_val = num("target_value")
        lo, hi = num("lower_bound"), num("upper_bound")
        window = num("trend_window", integer=True)
        interval = num("update_interval", integer=True)
        lag = num("publication_lag", integer=True)
        sort_order = num("sort_order", integer=True)
        if window is not None and not 1 <= window <= 50:
            errs.append(Problem(row, "trend_window", get(rec, "trend_window"), code="trend_window_invalid"))
        if interval is not None and not 1 <= interval <= 50:
            errs.append(Problem(row, "update_interval", get(rec, "update_interval"), code="update_interval_invalid"))
        if lag is not None and not 0 <= lag <= 50:
            errs.append(Problem(row, "publication_lag", get(rec, "publication_lag"), code="publication_lag_invalid"))
        if not errs:
            errs.extend(_check_target_logic(row, kind, direction, b_year, b_val, t_year, t_val, lo, hi))
        if errs:
            problems.extend(errs)
            continue
        out.append({
            "target_id": tid, "focus_area_id": fa, "sort_order": sort_order or 0,
            "name_da": rec["name_da"], "name_en": rec["name_en"],
            "description_da": get(rec, "description_da") or None, "description_en": get(rec, "description_en") or None,
            "unit": rec["unit"], "unit_en": get(rec, "unit_en") or None, "kind": kind,
            "geography": get(rec, "geography") or "Region Hovedstaden",
            "baseline_year": b_year, "baseline_value": b_val, "baseline_data_class": data_class,
            "target_year": t_year, "target_value": t_val, "direction": direction,
            "lower_bound": lo, "upper_bound": hi, "trend_window": window or 5,
            "update_interval": 1 if interval is None else interval, "publication_lag": 1 if lag is None else lag,
            "short_name_da": get(rec, "short_name_da") or None, "short_name_en": get(rec, "short_name_en") or None,
            "source": rec["source"], "note_da": get(rec, "note_da") or None, "note_en": get(rec, "note_en") or None,
            "_row": row,
        })
    typed = pd.DataFrame(out)
    if not problems:
        problems.extend(_target_conflicts_with_data(cur, typed))
    if problems:
        raise ValidationError(sorted(problems, key=lambda p: (p.row or 0)))
    return typed


def _check_target_logic(row: int, kind: str, direction: str, b_year: int, b_val: float,
                        t_year: int | None, t_val: float | None, lo: float | None, hi: float | None) -> list[Problem]:
    errs: list[Problem] = []
    if kind == "none":
        if t_year is not None or t_val is not None:
            errs.append(Problem(row, "target_value", None, code="indicator_has_target"))
    else:
        if t_year is None or t_val is None:
            errs.append(Problem(row, "target_year" if t_year is None else "target_value", "",
                                code="target_incomplete"))
        elif t_year <= b_year:
            errs.append(Problem(row, "target_year", str(t_year),
                                code="target_year_early", params={"baseline_year": b_year}))
        else:
            absolute = b_val * (1 + t_val / 100) if kind == "relative" else t_val
            if kind == "relative" and t_val <= -100:
                errs.append(Problem(row, "target_value", f"{t_val:g}", code="relative_too_low"))
            sign = 1 if direction == "increase" else -1
            if sign * (absolute - b_val) <= 0:
                errs.append(Problem(row, "direction", direction,
                                    code="direction_mismatch", params={"direction": direction, "start": b_val,
                                                                       "end": absolute}))
            if (lo is not None and absolute < lo) or (hi is not None and absolute > hi):
                errs.append(Problem(row, "target_value", f"{t_val:g}",
                                    code="target_outside_bounds", params={"target": absolute, **_bounds(lo, hi)}))
    if lo is not None and hi is not None and lo >= hi:
        errs.append(Problem(row, "lower_bound", f"{lo:g}", code="bounds_order"))
    elif (lo is not None and b_val < lo) or (hi is not None and b_val > hi):
        errs.append(Problem(row, "baseline_value", f"{b_val:g}",
                            code="baseline_outside_bounds", params=_bounds(lo, hi)))
    return errs


def _target_conflicts_with_data(cur: duckdb.DuckDBPyConnection, typed: pd.DataFrame) -> list[Problem]:
    """Stored observations that the new definitions would contradict (baseline, bounds)."""
    cur.register("incoming_targets", typed)
    try:
        rows = cur.execute(
            """SELECT t._row, t.target_id, o.geography, o.year, o.value,
                      (o.geography = t.geography AND o.year = t.baseline_year
                       AND abs(o.value - t.baseline_value) > 1e-9) AS baseline_conflict
               FROM incoming_targets t JOIN observations o USING (target_id)
               WHERE (o.geography = t.geography AND o.year = t.baseline_year AND abs(o.value - t.baseline_value) > 1e-9)
                  OR (t.lower_bound IS NOT NULL AND o.value < t.lower_bound)
                  OR (t.upper_bound IS NOT NULL AND o.value > t.upper_bound)
               ORDER BY t._row, o.geography, o.year"""
        ).fetchall()
    finally:
        cur.unregister("incoming_targets")
    problems = []
    for row, tid, geo, year, value, baseline_conflict in rows[:MAX_PROBLEMS]:
        if baseline_conflict:
            problems.append(Problem(row, "baseline_value", None,
                                    code="target_baseline_conflict",
                                    params={"target": tid, "geography": geo, "year": year, "value": value}))
        else:
            problems.append(Problem(row, "lower_bound", None,
                                    code="observation_outside_bounds",
                                    params={"target": tid, "geography": geo, "year": year, "value": value}))
    return problems


def apply_targets(cur: duckdb.DuckDBPyConnection, typed: pd.DataFrame) -> dict[str, int]:
    """Insert or update target definitions inside the caller's transaction."""
    existing = {r[0] for r in cur.execute("SELECT target_id FROM targets").fetchall()}
    frame = typed.drop(columns=["_row"])
    cur.register("incoming_targets", frame)
    try:
        definition_cols = [c for c in frame.columns if c not in ("target_id", "focus_area_id")]
        assignments = ", ".join(f"{c} = i.{c}" for c in definition_cols)
        cur.execute("UPDATE target_definitions SET " + assignments +
                    " FROM incoming_targets i WHERE target_definitions.target_id = i.target_id")
        cur.execute("INSERT INTO target_definitions BY NAME SELECT * EXCLUDE (focus_area_id) FROM incoming_targets i "
                    "WHERE i.target_id NOT IN (SELECT target_id FROM target_definitions)")
        cur.execute("DELETE FROM target_placement WHERE target_id IN (SELECT target_id FROM incoming_targets)")
        cur.execute("INSERT INTO target_placement SELECT target_id, focus_area_id FROM incoming_targets")
    finally:
        cur.unregister("incoming_targets")
    added = int((~frame["target_id"].isin(existing)).sum())
    return {"added": added, "updated": len(frame) - added}


def import_targets(store: Store, path: Path | str, actor: Actor) -> dict[str, int]:
    """Add or update target definitions from a CSV, all or nothing."""
    frame = read_targets_csv(path)
    with store.write(actor, "edit_targets") as cur:
        typed = validate_targets(cur, frame)
        ids = typed["target_id"].tolist()
        before = cur.execute("SELECT * FROM targets WHERE list_contains(?, target_id) ORDER BY target_id",
                             [ids]).df()
        counts = apply_targets(cur, typed)
        after = cur.execute("SELECT * FROM targets WHERE list_contains(?, target_id) ORDER BY target_id",
                            [ids]).df()
        audit.record(cur, actor, "import_targets", "targets", ",".join(ids),
                     {r["target_id"]: r for r in before.to_dict("records")},
                     {r["target_id"]: r for r in after.to_dict("records")}, detail=Path(path).name)
        return counts
