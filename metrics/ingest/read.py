"""Reading: a file of observations (CSV or workbook) to a :class:`ReadResult` of text cells."""

from __future__ import annotations

import hashlib
from pathlib import Path

from metrics.ingest.delimited import _read_csv
from metrics.ingest.fields import _observation_table
from metrics.ingest.limits import _POOL, _load, _problem, _reject, max_upload_bytes
from metrics.ingest.table import ReadInfo, ReadResult, _RawTable
from metrics.ingest.xlsx import _ZIP_MAGIC, _read_xlsx

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

def read_cells(
    source: Path | str | bytes,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
) -> tuple[_RawTable, ReadInfo]:
    """A file's cells as text, found the same way for every kind of file (observations, target definitions).

    ``source`` is a path or the bytes of an upload (then give ``file_name``); over ``max_bytes``
    (default :func:`max_upload_bytes`) it is refused before it is read. The encoding, delimiter
    and layout are found as :class:`ReadInfo` says; anything that is not a readable table raises
    :class:`ValidationError` with coded problems, a missing file :class:`ImportRefused`.
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
    return raw, info


def read_observations(
    source: Path | str | bytes,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
) -> ReadResult:
    """A file of observations as text cells with canonical column names and spreadsheet row numbers.

    ``source`` is a path or the bytes of an upload (then give ``file_name``). ``sheet`` picks a
    sheet of an ``.xlsx`` by name or 1-based number (default: the first). The result's ``info``
    is a :class:`ReadInfo`. Raises :class:`ValidationError` for anything that is not a readable
    table, and :class:`ImportRefused` for a missing file.
    """
    raw, info = read_cells(source, file_name=file_name, sheet=sheet, max_bytes=max_bytes)
    return ReadResult(_observation_table(raw, info), info)


def read_observations_csv(path: Path | str) -> ReadResult:
    """:func:`read_observations` for trusted files (the seed's ``data/observations.csv``): no upload size limit."""
    return read_observations(path, max_bytes=1 << 40)


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
