"""Exports of the data: CSV that is safe to open in Excel, and Parquet.

A text cell starting with ``= + - @`` (or a tab or carriage return) would run as a
formula when the CSV is opened in a spreadsheet, so such cells get a leading
apostrophe. Numbers are left alone: ``-2.5`` stays a number.

Example: ``neutralise("=HYPERLINK(...)") == "'=HYPERLINK(...)"``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import pandas as pd
import pandas.api.types as ptypes

from metrics import progress
from metrics.model import MalsporError
from metrics.store import Store

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORTABLE = ("observations", "targets", "status")


def neutralise(text: str) -> str:
    """Make a text cell inert in spreadsheets."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell neutralised; numeric columns unchanged."""
    out = frame.copy()
    for col in out.columns:
        if ptypes.is_string_dtype(out[col]) or ptypes.is_object_dtype(out[col]):
            out[col] = out[col].map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return out


def safe_csv(frame: pd.DataFrame, out: TextIO | Path | str) -> None:
    """Write CSV (UTF-8, comma, point decimals) with formula-like text neutralised."""
    neutralise_frame(frame).to_csv(out, index=False, lineterminator="\n")


def table_frame(store: Store, table: str, as_of: int | None = None) -> pd.DataFrame:
    """The rows of an exportable table: observations with their target names, targets, or status."""
    if table == "observations":
        return store.query_df(
            """SELECT o.target_id, t.name_da, t.name_en, t.unit, o.geography, o.year, o.value, o.data_class,
                      o.source, o.note, o.series_break, o.batch_id
               FROM observations o JOIN targets t USING (target_id)
               ORDER BY o.target_id, o.geography, o.year"""
        )
    if table == "targets":
        return store.targets()
    if table == "status":
        with store.read() as cur:
            return progress.compute_status(cur, as_of=as_of)
    raise MalsporError(f"Unknown table '{table}'. Choose one of: {', '.join(EXPORTABLE)}.")


def export_table(store: Store, table: str, fmt: str, out: Path, as_of: int | None = None) -> int:
    """Write ``table`` to ``out`` as CSV or Parquet; returns the number of rows."""
    frame = table_frame(store, table, as_of)
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise MalsporError(f"The folder {out.parent} does not exist.")
    if fmt == "csv":
        safe_csv(frame, out)
    elif fmt == "parquet":
        frame.to_parquet(out, index=False)
    else:
        raise MalsporError(f"Unknown format '{fmt}': use csv or parquet.")
    return len(frame)
