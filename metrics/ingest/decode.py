"""Bytes to text: BOM first, then UTF-8, then Windows-1252, and a coded problem for anything else.

One decoder for every file a user gives (observations and target definitions alike).
"""

from __future__ import annotations

import re

import numpy as np

from metrics.ingest.limits import _POOL, _problem, _reject
from metrics.model import ValidationError

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
