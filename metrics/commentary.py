"""Analysts' status text per target or focus area and year, with author, time and history.

The table ``commentary`` (migration 2) is append-only: :func:`save` adds a version, the
newest version per (subject, year, language) is the current one, and saving an empty
text withdraws the commentary (the withdrawal is a version too). Nothing is ever updated
or deleted, so the table is its own history.

Example::

    save(store, Actor("ana", "analyst"), target_id="eud_share", year=2026,
         text="Søgningen ligger stabilt på 13-14 %; Copenhagen Skills fortsætter.")
    current(store, year=2026, target_id="eud_share", lang="da").text
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from metrics import audit
from metrics.model import MAX_YEAR, MIN_YEAR, Actor, Problem, ValidationError
from metrics.store import Store

#: Control characters (other than newline) are dropped: no document format can hold them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: Longest accepted text: a few paragraphs, as in the region's memo.
MAX_LENGTH = 4000
LANGS = ("da", "en")


@dataclass(frozen=True)
class Comment:
    """One version of a commentary."""

    commentary_id: int
    target_id: str | None
    focus_area_id: str | None
    year: int
    lang: str
    text: str
    author: str
    created_at: _dt.datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Comment:
        def opt(v: Any) -> str | None:
            return v if isinstance(v, str) else None
        return cls(int(row["commentary_id"]), opt(row["target_id"]), opt(row["focus_area_id"]), int(row["year"]),
                   str(row["lang"]), str(row["text"]), str(row["author"]),
                   pd.Timestamp(row["created_at"]).to_pydatetime())


def _subject(target_id: str | None, focus_area_id: str | None) -> tuple[str, str]:
    if (target_id is None) == (focus_area_id is None):
        raise ValueError("Give exactly one of target_id and focus_area_id.")
    return ("target_id", target_id) if target_id is not None else ("focus_area_id", focus_area_id)  # type: ignore[return-value]


def validate(store: Store, *, year: Any, text: Any, target_id: str | None = None,
             focus_area_id: str | None = None, lang: str = "da") -> tuple[int, str]:
    """Check a commentary before saving; returns (year, cleaned text) or raises ValidationError."""
    problems: list[Problem] = []
    column, key = _subject(target_id, focus_area_id)
    table = "target_definitions" if column == "target_id" else "focus_areas"
    if not store.scalar("SELECT count(*) FROM " + table + " WHERE " + column + " = ?", [key]):  # trusted names
        problems.append(Problem(None, column, key, code="no_target" if column == "target_id" else "no_focus_area",
                                params={"id": key}))
    try:
        year_int = int(year)
        if not MIN_YEAR <= year_int <= MAX_YEAR:
            raise ValueError
    except (TypeError, ValueError):
        problems.append(Problem(None, "year", str(year), code="year_range", params={"min": MIN_YEAR, "max": MAX_YEAR}))
        year_int = 0
    if lang not in LANGS:
        problems.append(Problem(None, "lang", str(lang), code="lang_unknown"))
    raw = _CONTROL.sub("", str(text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    cleaned = "\n".join(line.rstrip() for line in raw.split("\n")).strip()
    if len(cleaned) > MAX_LENGTH:
        problems.append(Problem(None, "text", None,
                                code="text_too_long", params={"max": MAX_LENGTH, "length": len(cleaned)}))
    if problems:
        raise ValidationError(problems)
    return year_int, cleaned


def save(store: Store, actor: Actor, *, year: int, text: str, target_id: str | None = None,
         focus_area_id: str | None = None, lang: str = "da") -> int:
    """Save a new version (empty text withdraws); returns its id. Analysts and admins only."""
    year_int, cleaned = validate(store, year=year, text=text, target_id=target_id,
                                 focus_area_id=focus_area_id, lang=lang)
    with store.write(actor, "write_commentary") as cur:
        previous = cur.execute(
            """SELECT text FROM commentary
               WHERE target_id IS NOT DISTINCT FROM ? AND focus_area_id IS NOT DISTINCT FROM ? AND year = ? AND lang = ?
               ORDER BY created_at DESC, commentary_id DESC LIMIT 1""",
            [target_id, focus_area_id, year_int, lang],
        ).fetchall()
        rows = cur.execute(
            """INSERT INTO commentary (target_id, focus_area_id, year, lang, text, author)
               VALUES (?, ?, ?, ?, ?, ?) RETURNING commentary_id""",
            [target_id, focus_area_id, year_int, lang, cleaned, actor.name],
        ).fetchall()
        subject = f"target:{target_id}" if target_id else f"focus_area:{focus_area_id}"
        audit.record(cur, actor, "write_commentary", "commentary", f"{subject}/{year_int}/{lang}",
                     {"text": previous[0][0]} if previous else None, {"text": cleaned},
                     detail=f"version {rows[0][0]}")
    return int(rows[0][0])


_CURRENT_SQL = """
    SELECT * FROM commentary
    WHERE ($year::INTEGER IS NULL OR year = $year::INTEGER)
    QUALIFY row_number() OVER (PARTITION BY target_id, focus_area_id, year, lang
                               ORDER BY created_at DESC, commentary_id DESC) = 1
"""


def current_frame(store: Store, year: int | None = None) -> pd.DataFrame:
    """Every current (newest, not withdrawn) commentary, optionally of one year."""
    frame = store.query_df("SELECT * FROM (" + _CURRENT_SQL + ") WHERE text <> '' ORDER BY year, commentary_id",
                           {"year": year})
    return frame


def current(store: Store, *, year: int, target_id: str | None = None, focus_area_id: str | None = None,
            lang: str | None = None) -> Comment | None:
    """The current commentary of one subject and year: in ``lang`` if written in it, else in the other language."""
    column, key = _subject(target_id, focus_area_id)
    frame = store.query_df(
        "SELECT * FROM (" + _CURRENT_SQL + ") WHERE " + column + " = $key AND text <> '' ORDER BY lang",
        {"year": int(year), "key": key},
    )
    if frame.empty:
        return None
    rows = frame.to_dict("records")
    preferred = [r for r in rows if r["lang"] == lang] if lang else []
    return Comment.from_row((preferred or rows)[0])


def history(store: Store, *, target_id: str | None = None, focus_area_id: str | None = None,
            year: int | None = None) -> list[Comment]:
    """Every version of a subject's commentary (newest first), optionally of one year."""
    column, key = _subject(target_id, focus_area_id)
    frame = store.query_df(
        f"""SELECT * FROM commentary WHERE {column} = $key AND ($year::INTEGER IS NULL OR year = $year::INTEGER)
            ORDER BY created_at DESC, commentary_id DESC""",
        {"key": key, "year": year},
    )
    return [Comment.from_row(r) for r in frame.to_dict("records")]


def shown(store: Store, *, year: int, target_id: str | None = None, focus_area_id: str | None = None,
          lang: str | None = None) -> tuple[Comment | None, tuple[Comment, ...]]:
    """What a page shows of a subject's commentary for ``year``: the current text and every version.

    Both are immutable, so the pages share them per data version (a save is a write, which
    starts a new one) instead of reading them on every rerun of every session.
    """
    return (current(store, year=year, target_id=target_id, focus_area_id=focus_area_id, lang=lang),
            tuple(history(store, target_id=target_id, focus_area_id=focus_area_id, year=year)))


def latest_up_to(frame: pd.DataFrame, year: int, lang: str, *, target_id: str | None = None,
                 focus_area_id: str | None = None) -> Comment | None:
    """From :func:`current_frame` (all years): the subject's commentary for ``year``, else its latest earlier one.

    The memo uses this so that a target keeps its last written status text until a newer one
    is written; the memo labels a text from an earlier year with that year.
    """
    if frame.empty:
        return None
    column, key = _subject(target_id, focus_area_id)
    rows = frame[(frame[column] == key) & (frame["year"] <= year)]
    if rows.empty:
        return None
    newest_year = rows["year"].max()
    rows = rows[rows["year"] == newest_year]
    preferred = rows[rows["lang"] == lang]
    chosen = preferred if not preferred.empty else rows
    return Comment.from_row(chosen.sort_values("commentary_id").iloc[-1].to_dict())
