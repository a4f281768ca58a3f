"""Fields: the headings understood for each field, geography names as stored, and the table of
canonical columns made from a file's cells (the wide StatBank layout through :mod:`.wide`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from metrics.ingest.limits import MAX_ROWS, _capped, _LangKey, _problem, _reject
from metrics.ingest.table import ReadInfo, _RawTable
from metrics.ingest.wide import melt, year_header_columns
from metrics.model import ValidationError

#: Cells of a series-break column meaning yes and no (compared lower-case).
TRUE_WORDS = ("1", "true", "yes", "ja", "t", "y", "j", "x", "sand")
FALSE_WORDS = ("0", "false", "no", "nej", "f", "n", "falsk")

OBSERVATION_REQUIRED = ("target_id", "year", "value")
OBSERVATION_OPTIONAL = ("geography", "source", "note_da", "note_en", "data_class", "series_break")
OBSERVATION_FIELDS = OBSERVATION_REQUIRED + OBSERVATION_OPTIONAL
#: Header names understood for each field, after normalisation (lower case, spaces to ``_``).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "target_id": ("target_id", "target", "targetid", "indicator", "indicator_id", "indikator", "indikator_id",
                  "mål", "mål_id", "målid", "maal", "maal_id"),
    "year": ("year", "år", "aar", "tid", "time"),
    "value": ("value", "værdi", "vaerdi", "indhold", "val"),
    "geography": ("geography", "geo", "geografi", "område", "omraade", "omrade", "area", "region", "kommune",
                  "municipality"),
    "source": ("source", "kilde"),
    # A note is in the language of its heading: "bemærkning" fills the Danish note, "note" the English one.
    "note_da": ("note_da", "bemærkning", "bemærkninger", "bemaerkning", "bemaerkninger", "kommentar",
                "bemærkning_da"),
    "note_en": ("note_en", "note", "notes", "comment", "comments", "remark"),
    "data_class": ("data_class", "dataclass", "dataklasse", "data_klasse", "klasse", "class"),
    "series_break": ("series_break", "databrud", "seriebrud", "brud", "break"),
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}
#: Template headers: what the Upload page offers for download.
TEMPLATE_HEADERS = {
    "da": ("indikator", "år", "værdi", "område", "kilde", "bemærkning", "dataklasse"),
    "en": ("target_id", "year", "value", "geography", "source", "note", "data_class"),
}

TARGET_REQUIRED = (
    "target_id", "focus_area_id", "name_da", "name_en", "unit", "kind",
    "baseline_year", "baseline_value", "direction", "source",
)
TARGET_OPTIONAL = (
    "theme_id", "sort_order", "description_da", "description_en", "unit_en", "geography",
    "baseline_data_class", "target_year", "target_value", "lower_bound", "upper_bound",
    "trend_window", "update_interval", "publication_lag", "short_name_da", "short_name_en", "note_da", "note_en",
)
#: Older target files have one ``note``: it was English, so it fills ``note_en`` (``bemærkning``: ``note_da``).
TARGET_ALIASES = {"note": "note_en", "bemærkning": "note_da"}


def normalise_header(text: str) -> str:
    """A heading as compared with :data:`COLUMN_ALIASES`: ``" Værdi (%) "`` -> ``"værdi"``."""
    name = _INVISIBLE.sub("", unicodedata.normalize("NFC", text)).strip().strip("\"'").strip()
    name = re.sub(r"\s*[(\[].*?[)\]]\s*$", "", name)
    return re.sub(r"[\s\-./]+", "_", name.lower()).strip("_")


#: Characters that show nothing (zero-width spaces and joiners, word joiner, BOM, soft hyphen, bidi marks).
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_SPACE_RUN = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def normalise_geography(text: str) -> str:
    """A geography name as stored: Unicode NFC, every run of spaces (no-break ones too) one space, trimmed."""
    return _SPACE_RUN.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _lookalike(text: str) -> tuple[str, str] | None:
    """The first character of ``text`` that looks like another one: ``(char, kind)``, or None.

    A character that shows nothing is one wherever it stands; a Cyrillic or Greek letter is one
    among Latin letters (``Københаvn`` with a Cyrillic ``а``), not in a name wholly in its own script.
    """
    invisible = _INVISIBLE.search(text)
    if invisible:
        return invisible.group(), "invisible"
    if text.isascii():
        return None
    scripts = {}
    for char in text:
        if char.isalpha():
            script = unicodedata.name(char, "").split(" ")[0]
            scripts.setdefault(script, char)
        elif unicodedata.category(char) == "Cf":
            return char, "invisible"
    if "LATIN" in scripts:
        for script in ("CYRILLIC", "GREEK", "ARMENIAN", "COPTIC", "CHEROKEE"):
            if script in scripts:
                return scripts[script], script.lower()
    return None


def _normalise_geographies(column: Any, rows: Any, header: str) -> Any:
    """The geography column normalised (:func:`normalise_geography`); look-alike characters refused.

    Each distinct name is looked at once; a column of plain ASCII names with single spaces (the
    usual file) is left as it is after a glance at its bytes.
    """
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    plain = True
    for chunk in chunks:
        if chunk.type != pa.string() or chunk.offset or chunk.null_count:
            plain = False
            break
        data = chunk.buffers()[2]
        if data is None:
            continue
        raw = data.to_pybytes()
        if not raw.isascii() or b"  " in raw or b"\t" in raw:
            plain = False
            break
    if plain:
        return column
    distinct = pc.unique(column).to_pylist()
    problems = []
    changed = {}
    for name in distinct:
        if name is None:
            continue
        found = _lookalike(name)
        if found:
            char, kind = found
            first = pc.indices_nonzero(pc.equal(column, name)).to_pylist()[:5]
            for index in first:
                problems.append(_problem(rows[index].as_py(), header, name, "geography_lookalike",
                                         char=f" '{char}'" if kind != "invisible" else "",
                                         code_point=f"U+{ord(char):04X}", kind=_LangKey(f"script.{kind}")))
            continue
        normal = normalise_geography(name)
        if normal != name:
            changed[name] = normal
    if problems:
        raise ValidationError(_capped(sorted(problems, key=lambda p: p.row or 0)))
    if not changed:
        return column
    olds = pa.array(list(changed), pa.string())
    news = pa.array(list(changed.values()), pa.string())
    position = pc.index_in(column, value_set=olds)
    return pc.if_else(pc.is_null(position), column, pc.take(news, position))


def _observation_table(raw: _RawTable, info: ReadInfo) -> pa.Table:
    """Map headings to fields, melt the wide layout, and check the table's shape.

    Arrow columns throughout: the table goes to the check as it is (no copy through pandas).
    """
    names = [normalise_header(h) for h in raw.header]
    mapped: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if name in _ALIAS_TO_FIELD:
            mapped.setdefault(_ALIAS_TO_FIELD[name], []).append(i)
    year_columns = year_header_columns(names, _ALIAS_TO_FIELD)
    wide = bool(year_columns) and "year" not in mapped and "value" not in mapped
    problems = [
        _problem(raw.header_row, raw.header[idx[1]], None, "duplicate_column", field=name,
                 headers=", ".join(f"'{raw.header[i]}' ({raw.letter(i)})" for i in idx))
        for name, idx in mapped.items() if len(idx) > 1
    ]
    required = ("target_id",) if wide else OBSERVATION_REQUIRED
    missing = [name for name in required if name not in mapped]
    if missing and len(raw.header) == 1:
        if info.kind == "xlsx":
            raise _reject(_problem(raw.header_row, None, None, "not_a_table_sheet", sheet=info.sheet or "",
                                   header=raw.header[0][:60], sheets=", ".join(f"'{s}'" for s in info.sheets)))
        raise _reject(_problem(raw.header_row, None, None, "not_a_table", header=raw.header[0][:60]))
    found = ", ".join(f"'{h}'" for h in raw.header)
    for name in missing:
        aliases = ", ".join(a for a in COLUMN_ALIASES[name][:6])
        problems.append(_problem(raw.header_row, name, None, "missing_column", field=name, aliases=aliases,
                                 found=found))
    if problems:
        raise ValidationError(problems)
    if raw.n_rows == 0:
        raise _reject(_problem(raw.header_row, None, None, "only_header"))
    n_observations = raw.n_rows * (len(year_columns) if wide else 1)
    if n_observations > MAX_ROWS:  # checked before the wide layout is turned into rows
        raise _reject(_problem(None, None, None, "too_many_rows", rows=n_observations, limit=MAX_ROWS))
    used = {idx[0] for idx in mapped.values()} | (set(year_columns) if wide else set())
    info.ignored_columns = [raw.header[i] for i in range(len(raw.header)) if i not in used]
    info.headers = {name: raw.header[idx[0]] for name, idx in mapped.items()}
    info.layout = "wide" if wide else "long"
    base: dict[str, Any] = {"_row": raw.rows}
    for name in OBSERVATION_FIELDS:
        if name in mapped and name not in ("year", "value"):
            base[name] = raw.columns[mapped[name][0]]
    if "geography" in base:
        base["geography"] = _normalise_geographies(base["geography"], raw.rows, info.header("geography"))
    if not wide:
        value_index = mapped["value"][0]
        columns = {**base, "year": raw.columns[mapped["year"][0]], "value": raw.columns[value_index]}
        if value_index in raw.typed:
            columns["_value_typed"] = raw.typed[value_index]
        table = pa.table(columns)
    else:
        table = melt(raw, info, base, names, year_columns)
    return table
