"""The validation report of a file as the analyst reads it: a row per problem, in their language.

One source for the two ways the report is taken away: on the Upload page as a real HTML table
(:func:`problems_html`), where the text of what to do wraps instead of being cut at the column's
edge as Streamlit's grid cuts it, and as the CSV to download (:func:`problem_frame`, the same
headings and texts). A file has at most :data:`metrics.ingest.limits.MAX_PROBLEMS` problems (and
:data:`~metrics.ingest.limits.MAX_WARNINGS` skipped rows) before "and N more", so the table stays small.

Example::

    >>> from metrics.model import Problem
    >>> html = problems_html([Problem(3, "værdi", "ca. <12>", code="value_not_number_comma")], "da")
    >>> "<td>3</td>" in html and "ca. &lt;12&gt;" in html
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from metrics import html_table
from metrics.i18n import Lang
from metrics.model import Problem


#: Longest text of an old or new source or note shown in the preview's grid before it is cut with "…".
REPLACED_CHARS = 60
#: ... and in the line above it, which tells one row's in full (up to this).
NOTE_CHARS = 300


def replaced_text(replaced: Sequence[tuple[str, Any, Any]], lang: Lang | str, chars: int = REPLACED_CHARS) -> str:
    """What a revision writes over besides the value, in words: one ``(field, old, new)`` after another.

    >>> replaced_text([("source", "DST 2023", "TU 2024"), ("note_da", "Afledt", None)], "da")
    'kilde: »DST 2023« → »TU 2024«; note (dansk) fjernes: »Afledt«'
    >>> replaced_text([("series_break", False, True)], "en")
    'series break: “no” → “yes”'
    """
    L = Lang.of(lang)
    parts = []
    for name, old, new in replaced:
        field = L.t(f"upload.field.{name}")
        old_text, new_text = _shown(old, L, chars), _shown(new, L, chars)
        if new_text == "":
            parts.append(L.t("upload.replaced_removed", field=field, old=old_text))
        elif old_text == "":
            parts.append(L.t("upload.replaced_added", field=field, new=new_text))
        else:
            parts.append(L.t("upload.replaced", field=field, old=old_text, new=new_text))
    return "; ".join(parts)


def replaced_note(changes: pd.DataFrame, lang: Lang | str, *, most: int = 10) -> str:
    """The line above the preview that tells which rows write over more than a value ("" if none).

    One row is told with what it writes over; several by their rows (the first ``most``, then "…"),
    the spreadsheet's, so the analyst finds them in the file, and the grid's column says what.
    """
    if "replaced" not in changes.columns:
        return ""
    rows = [(str(int(r)), replaced) for r, replaced in zip(changes["row"], changes["replaced"]) if replaced]
    if not rows:
        return ""
    L = Lang.of(lang)
    if len(rows) == 1:  # one row: what it writes over in full here, where the grid's last column may cut it
        return L.t("upload.replaced_note", rows=rows[0][0], what=replaced_text(rows[0][1], L, chars=NOTE_CHARS))
    shown = ", ".join(r for r, _ in rows[:most]) + (", …" if len(rows) > most else "")
    return L.t("upload.replaced_note_many", rows=shown)


def _shown(value: Any, L: Lang, chars: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return L.t("word.yes" if value else "word.no")
    text = " ".join(str(value).split())
    return text if len(text) <= chars else text[:chars - 1].rstrip() + "…"


def problem_count(problems: Sequence[Problem]) -> int:
    """How many problems a file has: those listed, and those the "… and N more" row stands for."""
    more = sum(int(p.params.get("count", 0)) for p in problems if p.code == "too_many")
    return sum(p.code != "too_many" for p in problems) + more


def _columns(L: Lang) -> list[html_table.Column]:
    return [
        html_table.Column("row", L.t("ucol.row")),
        html_table.Column("column", L.t("ucol.column")),
        html_table.Column("value", L.t("ucol.value"), css="any"),
        html_table.Column("message", L.t("ucol.message")),
    ]


def _rows(problems: Sequence[Problem], L: Lang) -> list[dict[str, str]]:
    return [{"row": "" if p.row is None else str(p.row), "column": p.column or "", "value": p.value or "",
             "message": p.text(L.code)} for p in problems]


def problem_frame(problems: Sequence[Problem], lang: Lang | str) -> pd.DataFrame:
    """The problems as a table with the reader's headings: row, column, the text in the file, what to do."""
    L = Lang.of(lang)
    columns = _columns(L)
    rows = _rows(problems, L)
    return pd.DataFrame({c.heading: [r[c.key] for r in rows] for c in columns})


def problems_html(problems: Sequence[Problem], lang: Lang | str, *, label: str = "") -> str:
    """The problems as an escaped HTML table (for ``st.html``): every message whole, wrapped in its cell."""
    L = Lang.of(lang)
    return html_table.table(_columns(L), _rows(problems, L), label=label)
