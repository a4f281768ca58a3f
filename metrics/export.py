"""Exports of the data: CSV that is safe to open in Excel, formatted Excel workbooks, and Parquet.

A text cell starting with ``= + - @`` (or a tab or carriage return) would run as a
formula when the CSV is opened in a spreadsheet, so such cells get a leading
apostrophe. So does every such text after a separator inside a cell: a reader that splits on
``;`` (Danish Excel) or on ``,`` may cut ``se note;=1+1;slut`` into cells, and ``=1+1`` would be
live there; it becomes ``se note;'=1+1;slut``, inert for either reader. Numbers are left
alone: ``-2.5`` stays a number. In an Excel workbook every
text is written as a text cell (never a formula) and such a text also gets Excel's "quote
prefix", so it stays text even when someone edits the cell; the text itself is unchanged.

Example: ``neutralise("=HYPERLINK(...)") == "'=HYPERLINK(...)"``.

The status workbook (:func:`status_workbook`) has the status table as of a year, a sheet
of the observations with their sources and data classes (illustrative values marked in
words and shaded), and a sheet saying what the figures are. Each status cell carries what
the status rests on (:func:`metrics.marks.status_line`: provisional, stale, a deadline passed
without the figure for the target year), as in the memo and on the dashboard.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
import pandas.api.types as ptypes

from metrics import marks, progress
from metrics.i18n import Lang
from metrics.model import MalsporError, OneOf
from metrics.store import Store

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORTABLE = ("observations", "targets", "status")
FORMATS = ("csv", "parquet", "xlsx")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


#: Where a spreadsheet may start a new cell or row inside our cell's text: either CSV separator,
#: a tab and a line break. A segment after one, past spaces and quotes, must not start a formula.
_SEGMENT_RE = re.compile(r'(^|[,;\t\n\r])([ "]*)(?=[=+\-@\t\r])')


def neutralise(text: str) -> str:
    """Make a text cell inert in spreadsheets, whichever separator the reader splits on.

    ``neutralise("=1+1") == "'=1+1"``; ``neutralise("se note;=1+1;slut") == "se note;'=1+1;slut"``.
    """
    if not text:
        return text
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return _SEGMENT_RE.sub(lambda m: m.group(1) + m.group(2) + "'", text)


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
                      o.source, o.note_da, o.note_en, o.series_break, o.batch_id
               FROM observations o JOIN targets t USING (target_id)
               ORDER BY o.target_id, o.geography, o.year"""
        )
    if table == "targets":
        return store.targets()
    if table == "status":
        with store.read() as cur:
            return progress.compute_status(cur, as_of=as_of)
    raise MalsporError("export_table_unknown", table=table, choices=OneOf(EXPORTABLE))


def export_table(store: Store, table: str, fmt: str, out: Path, as_of: int | None = None,
                 lang: Lang | str = "da") -> int:
    """Write ``table`` to ``out`` as CSV, Parquet or Excel; returns the number of rows.

    Excel of ``status`` is the formatted status workbook (:func:`status_workbook`, headers in ``lang``).
    """
    frame = table_frame(store, table, as_of)
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise MalsporError("folder_missing", folder=out.parent)
    if fmt == "csv":
        safe_csv(frame, out)
    elif fmt == "parquet":
        frame.to_parquet(out, index=False)
    elif fmt == "xlsx":
        if table == "status":
            data = status_workbook(store, as_of if as_of is not None else progress.current_year(), lang)
            out.write_bytes(data)
            return int((frame["is_primary_geography"]).sum())
        out.write_bytes(frame_workbook(frame, table))
    else:
        raise MalsporError("format_unknown", fmt=fmt, choices=OneOf(("csv", "parquet", "xlsx")))
    return len(frame)


# ---------------------------------------------------------------------- Excel
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell(ws: Any, row: int, col: int, value: Any) -> Any:
    """Write one cell: numbers as numbers, every text as inert text (never a formula)."""
    cell = ws.cell(row=row, column=col)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return cell
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, (bool, int, float)):
        cell.value = value
        return cell
    if isinstance(value, (_dt.date, _dt.datetime, pd.Timestamp)):
        cell.value = pd.Timestamp(value).to_pydatetime()
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    text = _ILLEGAL.sub("", str(value))  # control characters cannot be stored in a workbook
    cell.value = text
    cell.data_type = "s"  # openpyxl would otherwise store a text starting with '=' as a formula
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True
    return cell


def _sheet(ws: Any, frame: pd.DataFrame, headers: list[str], formats: dict[str, str] | None = None,
           widths: dict[str, float] | None = None, shade: pd.Series | None = None) -> None:
    """A formatted table: bold header row, frozen, filterable, sized columns, optional shaded rows."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    head_fill = PatternFill("solid", fgColor="DCE6F0")
    shade_fill = PatternFill("solid", fgColor="FFF2CC")
    for j, header in enumerate(headers, start=1):
        c = _cell(ws, 1, j, header)
        c.font = Font(bold=True)
        c.fill = head_fill
        c.alignment = Alignment(vertical="top", wrap_text=True)
    formats = formats or {}
    columns = list(frame.columns)
    for i, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        shaded = bool(shade.iloc[i - 2]) if shade is not None else False
        for j, (col, value) in enumerate(zip(columns, values), start=1):
            c = _cell(ws, i, j, value)
            if col in formats and c.data_type == "n":
                c.number_format = formats[col]
            if shaded:
                c.fill = shade_fill
    for j, col in enumerate(columns, start=1):
        width = (widths or {}).get(col)
        if width is None:
            longest = max([len(str(headers[j - 1]))] + [len(str(v)) for v in frame[col].head(500) if v is not None])
            width = min(max(8, longest + 2), 60)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    if len(frame):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"


def _flags(rows: pd.DataFrame, key: str) -> pd.Series:
    """A boolean column of the status rows (False where method v2's column is missing or empty)."""
    if key not in rows:
        return pd.Series(False, index=rows.index)
    return pd.Series([marks._flag({key: v}, key) for v in rows[key]], index=rows.index, dtype=bool)


def status_frame(store: Store, as_of: int, lang: Lang | str = "da") -> pd.DataFrame:
    """The status table as people read it: one row per target in its own geography, plus its commentary.

    Machine-readable column names (the CSV keeps them); numbers stay numbers, texts are in ``lang``.
    ``status_text`` is the status with its marks (``"▲ på rette vej (foreløbig: bygger på
    eksempeldata)"``); ``provisional``, ``stale``, ``next_expected_year``, ``deadline_passed`` and
    ``settled`` give the same facts as columns.
    """
    from metrics import commentary, views

    L = Lang.of(lang)
    status = views.status_table(store, int(as_of) if as_of is not None else progress.current_year())
    rows = views.decorate(status[status["is_primary_geography"]], L).reset_index(drop=True)
    themes = store.themes().set_index("theme_id")
    areas = store.focus_areas().set_index("focus_area_id")
    notes = commentary.current_frame(store)
    name = lambda frame, key: L.pick(frame.loc[key, "name_da"], frame.loc[key, "name_en"]) \
        if key in frame.index else key  # noqa: E731
    texts = []
    for r in rows.to_dict("records"):
        c = commentary.latest_up_to(notes, as_of, L.code, target_id=r["target_id"])
        texts.append(None if c is None else f"{c.text} ({c.author}, {c.year})")
    records = rows.to_dict("records")
    next_expected = rows["next_expected_year"] if "next_expected_year" in rows else pd.Series(None, index=rows.index)
    return pd.DataFrame({
        "target_id": rows["target_id"], "theme": [name(themes, t) for t in rows["theme"]],
        "focus_area": [name(areas, f) for f in rows["focus_area_id"]], "name": rows["name"],
        "geography": rows["geography"], "unit": [views.unit_of(r, lang) for r in rows.to_dict("records")],
        "baseline_year": rows["baseline_year"].astype("Int64"), "baseline_value": rows["baseline_value"],
        "target_year": rows["target_year"].astype("Int64"), "target_value": rows["target_value"],
        "latest_year": rows["latest_year"].astype("Int64"), "latest_value": rows["latest_value"],
        "gap": rows["gap"], "distance_covered": rows["distance_covered"], "time_elapsed": rows["time_elapsed"],
        "ratio": rows["ratio"], "projected_value": rows["projected_value"], "status": rows["status"],
        "status_text": [marks.status_line(r, L) for r in records], "data": rows["data"],
        "provisional": _flags(rows, "provisional"), "stale": _flags(rows, "stale"),
        "next_expected_year": pd.to_numeric(next_expected, errors="coerce").astype("Int64"),
        "deadline_passed": _flags(rows, "deadline_passed"), "settled": _flags(rows, "settled"),
        "has_illustrative": rows["has_illustrative"].fillna(False).astype(bool),
        "commentary": pd.array(texts, dtype="string"),
    })


_STATUS_HEADERS = {
    "target_id": "xcol.target_id", "theme": "xcol.theme", "focus_area": "xcol.focus_area", "name": "xcol.name",
    "geography": "xcol.geography", "unit": "xcol.unit", "baseline_year": "xcol.baseline_year",
    "baseline_value": "xcol.baseline_value", "target_year": "xcol.target_year", "target_value": "xcol.target_value",
    "latest_year": "xcol.latest_year", "latest_value": "xcol.latest_value", "gap": "xcol.gap",
    "distance_covered": "xcol.distance", "time_elapsed": "xcol.time", "ratio": "xcol.ratio",
    "projected_value": "xcol.projected", "status_text": "xcol.status", "status": "xcol.status_code",
    "data": "xcol.data", "provisional": "xcol.provisional", "stale": "xcol.stale",
    "next_expected_year": "xcol.next_expected", "deadline_passed": "xcol.deadline_passed", "settled": "xcol.settled",
    "commentary": "xcol.commentary",
}
#: Columns of yes/no facts, written as "ja"/"yes" or left empty in the workbook.
_YES_COLUMNS = ("provisional", "stale", "deadline_passed", "settled")


def _pick_notes(frame: pd.DataFrame, L: Lang) -> list[str | None]:
    """Each row's note in the reader's language (``note_da``/``note_en``, the other where one is empty)."""
    return [L.pick(da, en) or None for da, en in zip(frame["note_da"], frame["note_en"])]


def observations_frame(store: Store, lang: Lang | str = "da") -> pd.DataFrame:
    """Every observation with its target, source, data class (in words) and note in ``lang``."""
    L = Lang.of(lang)
    obs = table_frame(store, "observations")
    return pd.DataFrame({
        "target_id": obs["target_id"], "name": [L.pick(d, e) for d, e in zip(obs["name_da"], obs["name_en"])],
        "geography": obs["geography"], "year": obs["year"].astype("Int64"), "value": obs["value"], "unit": obs["unit"],
        "data": [L.t(f"class.{c}") for c in obs["data_class"]], "data_class": obs["data_class"],
        "source": obs["source"], "note": pd.array(_pick_notes(obs, L), dtype="string"),
        "series_break": [L.t("xcol.yes") if b else None for b in obs["series_break"]],
        "batch_id": obs["batch_id"].astype("Int64"),
    })


_OBS_HEADERS = {
    "target_id": "xcol.target_id", "name": "xcol.name", "geography": "xcol.geography", "year": "xcol.year",
    "value": "xcol.value", "unit": "xcol.unit", "data": "xcol.data", "data_class": "xcol.data_class",
    "source": "xcol.source", "note": "xcol.note", "series_break": "xcol.series_break", "batch_id": "xcol.batch",
}


def status_workbook(store: Store, as_of: int, lang: Lang | str = "da") -> bytes:
    """The formatted Excel workbook: status as of ``as_of``, the observations and their sources, and notes.

    The status cells carry their marks; rows resting on illustrative values are shaded, and
    their Data cell says "eksempeldata".
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    L = Lang.of(lang)
    t = L.t
    wb = Workbook()
    ws = wb.active
    ws.title = t("export.sheet_status", year=as_of)[:31]
    status = status_frame(store, as_of, L)
    shown = status[[c for c in _STATUS_HEADERS]].copy()
    for col in _YES_COLUMNS:
        shown[col] = [t("xcol.yes") if v else None for v in shown[col]]
    _sheet(ws, shown, [t(_STATUS_HEADERS[c]) for c in shown.columns],
           formats={"baseline_value": "#,##0.0##", "target_value": "#,##0.0##", "latest_value": "#,##0.0##",
                    "gap": "#,##0.0##", "projected_value": "#,##0.0", "distance_covered": "0%", "time_elapsed": "0%",
                    "ratio": "0.00", "baseline_year": "0", "target_year": "0", "latest_year": "0"},
           widths={"name": 45, "theme": 28, "focus_area": 32, "status_text": 60, "commentary": 60, "data": 24},
           shade=status["has_illustrative"] | status["provisional"])
    _wrap_column(ws, list(shown.columns).index("status_text") + 1, len(shown))
    obs_ws = wb.create_sheet(t("export.sheet_observations")[:31])
    obs = observations_frame(store, L)
    _sheet(obs_ws, obs, [t(_OBS_HEADERS[c]) for c in obs.columns], formats={"value": "#,##0.0##", "year": "0"},
           widths={"name": 45, "source": 60, "note": 60}, shade=obs["data_class"] == "I")
    about = wb.create_sheet(t("export.sheet_about")[:31])
    lines = [t("export.about_made", date=L.date(_dt.date.today()), year=as_of), t("export.about_marks"),
             t("export.about_classes"), t("export.about_shares"), t("memo.illustrative_note"), t("memo.method_note")]
    for i, line in enumerate(lines, start=1):
        _cell(about, i, 1, line)
    about["A1"].font = Font(bold=True)
    about.column_dimensions["A"].width = 140
    wb.properties.title = t("memo.title")
    wb.properties.creator = "Målspor"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _wrap_column(ws: Any, col: int, n_rows: int) -> None:
    """Wrap the text of one column (the status with its marks), so no mark is cut at the cell's edge."""
    from openpyxl.styles import Alignment

    for i in range(2, n_rows + 2):
        ws.cell(row=i, column=col).alignment = Alignment(wrap_text=True, vertical="top")


def frame_workbook(frame: pd.DataFrame, sheet: str) -> bytes:
    """Any table as a one-sheet formatted workbook (texts inert, as above)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    _sheet(ws, frame, [str(c) for c in frame.columns])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def frame_csv(frame: pd.DataFrame) -> bytes:
    """Any table as safe CSV bytes, UTF-8 (for download buttons)."""
    buffer = io.StringIO()
    safe_csv(frame, buffer)
    return buffer.getvalue().encode("utf-8")


def status_csv(store: Store, as_of: int, lang: Lang | str = "da") -> bytes:
    """The status table (:func:`status_frame`) as safe CSV, UTF-8."""
    buffer = io.StringIO()
    safe_csv(status_frame(store, as_of, lang), buffer)
    return buffer.getvalue().encode("utf-8")


def observations_csv(store: Store, lang: Lang | str = "da") -> bytes:
    """Every observation with its source (:func:`observations_frame`) as safe CSV, UTF-8."""
    buffer = io.StringIO()
    safe_csv(observations_frame(store, lang), buffer)
    return buffer.getvalue().encode("utf-8")
