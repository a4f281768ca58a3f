"""Workbook cells as the text the import reads: numbers as Python writes them, percentages as shown.

A column at a time where it can be (Arrow writes numbers the way Python does, but for a few
forms, which are written one by one), so a 100,000-row sheet is not a Python call per cell.
"""
from __future__ import annotations

import datetime as _dt
import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc



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
    with np.errstate(over="ignore", invalid="ignore"):  # 1e308 % is inf (written one by one, as Python does)
        values = fractions * 100
        rounded = np.round(values, 10)
        margin = 0.5e-10 - 1e-13 * np.maximum(1.0, np.abs(values))
        close = (np.abs(values - rounded) < margin) & (np.abs(values) < 1e14)
    texts = pa.array(rounded, pa.float64()).cast(pa.string())
    sure = (pc.match_substring_regex(texts, r"^-?[0-9]+(?:\.[0-9]{1,10})?$").to_numpy(zero_copy_only=False)
            & close
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
