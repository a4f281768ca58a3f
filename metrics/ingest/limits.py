"""Limits, refusals and coded problems: what every step of an import may refuse, and how it says it.

Every limit is read by the module that checks it under the same name (``from metrics.ingest.limits
import MAX_COLUMNS``); a test that lowers one patches it where it is used (``metrics.ingest.xlsx``).
"""

from __future__ import annotations

import concurrent.futures
import math
import os
from pathlib import Path
from typing import Any

from metrics import i18n
from metrics.model import Actor, MalsporError, Problem, ValidationError

#: Upload size limit unless ``--max-size`` or ``$MALSPOR_MAX_UPLOAD_MB`` say otherwise.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_UPLOAD_ENV = "MALSPOR_MAX_UPLOAD_MB"
#: A workbook may not unpack to more than this (a zip bomb is small on disk).
MAX_XLSX_UNPACKED = 1024 * 1024 * 1024
#: Shape limits, checked before the work that costs memory (a file of one line ``a,a,a,…`` is small on
#: disk and was once 1.4 GB of memory a megabyte): columns of a table, cells of a CSV file, cells of a
#: workbook's sheet (each cell is a Python value while the sheet is turned into columns), rows to check (after the wide layout is
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


#: and looking at columns); pyarrow and hashlib let go of the GIL. Idle threads cost nothing.
_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="ingest")
MAX_PROBLEMS = 200
MAX_WARNINGS = 500


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


class _LangKey(str):
    """An i18n key standing in a message parameter; ``Problem.text`` renders it per language."""

    def for_lang(self, lang: str) -> str:
        return i18n.t(str(self), lang)


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


def _too_many_columns(row: int, columns: int | str) -> ValidationError:
    return _reject(_problem(row, None, None, "too_many_columns", columns=columns, limit=MAX_COLUMNS))


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return problems[:MAX_PROBLEMS] + [_problem(None, None, None, "too_many", count=len(problems) - MAX_PROBLEMS)]


def _letter(index: int) -> str:
    """A spreadsheet column letter for a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
