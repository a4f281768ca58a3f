"""What a number is: one grammar for observation files (checked in DuckDB) and target files (in Python).

The regular expressions are RE2 syntax, which DuckDB uses and Python's ``re`` reads alike, so the SQL
check and :func:`parse_number` accept and read the same spellings (tests/test_ingest_numbers.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from metrics.model import MAX_YEAR, MIN_YEAR

#: Cells meaning "no figure" (compared lower-case, after trimming): the row is skipped, never stored as 0.
MISSING_MARKERS = ("", "..", "...", "…", "-", "–", "—", "n/a", "na", "nan", "null")


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
#: Signs read as a minus: the typographic minus and the en dash (Word and Excel write them).
MINUS_SIGNS = ("\u2212", "\u2013")
#: Stripped from the end of a value with a % sign: the sign and the (no-break) spaces before it.
PERCENT_TRAIL = "%" + _SPACES
#: A year: digits, maybe with a zero fraction (``2024``, ``2024.0``, ``2024,00`` from a spreadsheet).
YEAR_RE = r"[+-]?[0-9]{1,9}(?:[.,]0+)?"

_STRIP_PERCENT = "rtrim({col}, '" + PERCENT_TRAIL + "')"


def _decide_decimal(cur: duckdb.DuckDBPyConnection, columns: Collection[str], default: str) -> str:
    """The file's decimal mark: the one that more value cells can only be read with; else ``default``.

    ``13,4`` and ``1.234,5`` are evidence for a comma, ``13.4`` and ``1,234.5`` for a point;
    ``1.234`` is evidence for neither. Only cells holding the mark are matched, and the second
    count is skipped when the first settles the question, so a file that uses one mark costs
    one cheap pass. The cells are ``value`` of the registered ``_ingest_incoming`` (whose column
    names are ``columns``). :func:`decide_decimal` is the same rule in Python.
    """
    typed = '"_value_typed"' if "_value_typed" in columns else "false"
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


# The careful reading of a value cell: a typed workbook cell, the number pattern of the file's
# decimal mark with thousands separators, a % sign or a typographic minus (:func:`parse_number` in Python).
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
                     AND (suffix(s.value_text, '%') OR contains(s.value_text, '{minus}')
                          OR contains(s.value_text, '{dash}'))
                THEN {strip_percent} ELSE s.value_text END""".format(
    minus=MINUS_SIGNS[0], dash=MINUS_SIGNS[1],
    strip_percent=_STRIP_PERCENT.format(col=f"replace(replace(s.value_text, '{MINUS_SIGNS[0]}', '-'), "
                                            f"'{MINUS_SIGNS[1]}', '-')"))
#: A value cell that the careful reading turns into this number plainly, by the file's decimal mark:
#: digits with at most one decimal mark and maybe a minus, no %, no thousands separator.
_PLAIN_NUMBER = {".": r"^-?[0-9]+(?:\.[0-9]+)?$", ",": r"^-?[0-9]+(?:,[0-9]+)?$"}


def _plain_numbers(column: pa.ChunkedArray, decimal: str) -> bool:
    """Every cell is digits with at most one ``decimal`` mark and maybe a minus (no %, no separators)."""
    if not pa.types.is_string(column.type) or column.null_count:
        return False
    return bool(pc.all(pc.match_substring_regex(column, _PLAIN_NUMBER[decimal])).as_py())


def number_text(text: str) -> str:
    """A value cell's text as the number grammar reads it: a trailing % sign (and the spaces before
    it) left out, a typographic minus made plain; as ``_NUM_TEXT_CAREFUL`` does in SQL."""
    if text.endswith("%") or any(sign in text for sign in MINUS_SIGNS):
        for sign in MINUS_SIGNS:
            text = text.replace(sign, "-")
        return text.rstrip(PERCENT_TRAIL)
    return text


def has_percent(text: str) -> bool:
    """The cell ends in a % sign (a percentage, only for a target measured in %)."""
    return text.endswith("%")


def parse_number(text: str, decimal: str = ".", *, typed: bool = False) -> float:
    """A cell (trimmed, as read) as a number by the file's ``decimal`` mark; raises ValueError.

    The same reading as the check's SQL (``_VALUE_CAREFUL``, patterns :data:`NUMBER_RE` and
    :data:`GROUP_RE`): ``13.4``, ``-2``, ``1e3``, ``1,234.5`` with a point; ``13,4``, ``1.234,5``,
    ``1 234,5`` with a comma; ``12,5 %`` and ``−3`` either way. ``typed``: a workbook cell that held
    a number (its text is Python's own). Not finite (``1e999``): refused.
    """
    num = number_text(text)
    if typed:
        value = float(num)
    elif re.fullmatch(NUMBER_RE[decimal], num) is None:
        raise ValueError(f"not a number with {decimal!r} as decimal mark: {text!r}")
    else:
        value = float(re.sub(GROUP_RE[decimal], "", num).replace(decimal, "."))
    if not math.isfinite(value):
        raise ValueError("the value must be a finite number")
    return value


def parse_year(text: str) -> int:
    """A whole year from 1900 to 2100 (:data:`YEAR_RE`, as the check reads a year); raises ValueError."""
    if re.fullmatch(YEAR_RE, text) is None:
        raise ValueError(f"not a year: {text!r}")
    value = int(re.match(r"[+-]?[0-9]+", text).group())  # type: ignore[union-attr]
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise ValueError(f"year out of range: {value}")
    return value


def decide_decimal(texts: Iterable[str], default: str) -> str:
    """:func:`_decide_decimal` in Python, for the few cells of a target file: the decimal mark that more
    cells can only be read with (:data:`EVIDENCE_RE`), else ``default``."""
    cells = [t.rstrip(PERCENT_TRAIL) for t in texts]
    other = "." if default == "," else ","
    against = sum(re.fullmatch(EVIDENCE_RE[other], c) is not None for c in cells)
    if not against:
        return default
    supporting = sum(re.fullmatch(EVIDENCE_RE[default], c) is not None for c in cells)
    if supporting == against:
        return default
    return default if supporting > against else other
