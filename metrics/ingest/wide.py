"""The wide StatBank layout: one column per year (``2019``, ``2020`` ...), melted to one row per cell.

A table is wide when headings that are years stand where ``year`` and ``value`` would
(:func:`year_header_columns`); :func:`melt` turns it into the long layout, each row keeping the
spreadsheet row it came from and, in ``_value_col``, the year column's heading for messages.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa

from metrics.ingest.limits import _problem
from metrics.ingest.table import ReadInfo, _RawTable
from metrics.model import ValidationError

_YEAR_HEADER = re.compile(r"19[0-9]{2}|20[0-9]{2}|2100")


def year_header_columns(names: list[str], aliases: dict[str, str]) -> list[int]:
    """The columns whose normalised heading is a year (and not a field's alias)."""
    return [i for i, name in enumerate(names) if _YEAR_HEADER.fullmatch(name) and name not in aliases]


def melt(raw: _RawTable, info: ReadInfo, base: dict[str, Any], names: list[str], year_columns: list[int]) -> pa.Table:
    """The wide table as rows: ``base``'s columns repeated for each year column, in the file's order.

    Two columns of the same year are refused (naming both); ``info.year_columns`` says which were read.
    """
    info.year_columns = [raw.header[i] for i in year_columns]
    problems = []
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
    return pa.concat_tables(parts).sort_by([("_row", "ascending"), ("_ord", "ascending")])
