"""Reading, checking and applying imports of observations and target definitions.

One engine for the Upload page and ``python -m metrics import`` (same messages, same results),
laid out in the order a file takes through it:

* reading (:mod:`.read`): :func:`read_observations` turns a file as Excel saved it into a
  :class:`ReadResult`: text cells with canonical column names and a ``_row`` column that numbers
  rows as a spreadsheet does (header = row 1), and a :class:`ReadInfo` saying how it was read.
  Size and shape limits (:mod:`.limits`) first; then the bytes decoded (:mod:`.decode`: UTF-8 with
  or without BOM, UTF-16 with BOM, Windows-1252), the dialect sniffed and the cells parsed
  (:mod:`.delimited`: ``,`` ``;`` or tab, quoted cells holding delimiters and line breaks), or a
  workbook read (:mod:`.xlsx`); the header found and empty rows and columns dropped (:mod:`.table`);
* fields and numbers: headings in Danish or English in any case mapped to fields and geography
  names normalised (:mod:`.fields`), the wide layout with one column per year melted to rows
  (:mod:`.wide`), and one definition of what a number is (:mod:`.numbers`: decimal comma or
  point decided per file, thousands separators, ``%``, missing markers), used by the check's SQL
  and by target files alike;
* plan (:mod:`.check`, :mod:`.plan`): :func:`plan_observations` checks every row against the
  database with column operations in DuckDB and compares with what is stored: added, revised,
  unchanged, skipped. It raises :class:`~metrics.model.ValidationError` listing every problem
  (row, column, offending text, what to do; Danish and English through ``metrics.i18n``);
  :func:`status_changes` says which statuses the plan would change;
* write and undo (:mod:`.write`, :mod:`.undo`): :func:`apply_plan` writes a plan as one batch
  inside the caller's ``Store.write`` transaction, keeping superseded values in
  ``observation_history``; :func:`import_observations` and :func:`undo_batch` put the pieces
  together, all or nothing;
* targets (:mod:`.targets`): target definition files, read as observation files are.

Example::

    result = import_observations(store, "eud_2024.csv", Actor("ana", "analyst"), dry_run=True)
    result.plan.counts          # {'added': 1, 'revised': 0, 'unchanged': 0, 'skipped': 0}
"""

from __future__ import annotations

from metrics.ingest.check import VALUE_TOLERANCE
from metrics.ingest.fields import (
    COLUMN_ALIASES,
    FALSE_WORDS,
    OBSERVATION_FIELDS,
    OBSERVATION_OPTIONAL,
    OBSERVATION_REQUIRED,
    TARGET_ALIASES,
    TARGET_OPTIONAL,
    TARGET_REQUIRED,
    TEMPLATE_HEADERS,
    TRUE_WORDS,
    normalise_geography,
    normalise_header,
)
from metrics.ingest.limits import (
    DEFAULT_MAX_BYTES,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_PROBLEMS,
    MAX_ROWS,
    MAX_UPLOAD_ENV,
    MAX_WARNINGS,
    MAX_XLSX_CELLS,
    MAX_XLSX_RATIO,
    MAX_XLSX_SHEET,
    MAX_XLSX_UNPACKED,
    ImportRefused,
    max_upload_bytes,
    may_import,
)
from metrics.ingest.numbers import EVIDENCE_RE, GROUP_RE, MISSING_MARKERS, NUMBER_RE, parse_number, parse_year
from metrics.ingest.plan import (
    CHANGE_COLUMNS,
    PLAN_COLUMNS,
    PREVIEW_CHANGES,
    STATUS_CHANGE_COLUMNS,
    ImportPlan,
    plan_observations,
    status_changes,
)
from metrics.ingest.read import read_cells, read_observations, read_observations_csv
from metrics.ingest.table import ReadInfo, ReadResult
from metrics.ingest.targets import (
    apply_targets,
    closest,
    import_targets,
    read_targets_csv,
    validate_targets,
)
from metrics.ingest.templates import target_reference, template_csv
from metrics.ingest.undo import data_version, is_seed_batch, undo_batch, undo_preview, undoable_batches
from metrics.ingest.write import AUDIT_VALUES, ImportResult, apply_plan, import_observations
from metrics.ingest.xlsx import list_sheets

__all__ = [
    "AUDIT_VALUES", "CHANGE_COLUMNS", "COLUMN_ALIASES", "DEFAULT_MAX_BYTES", "EVIDENCE_RE", "FALSE_WORDS", "GROUP_RE",
    "MAX_CELLS", "MAX_COLUMNS", "MAX_PROBLEMS", "MAX_ROWS", "MAX_UPLOAD_ENV", "MAX_WARNINGS", "MAX_XLSX_CELLS",
    "MAX_XLSX_RATIO", "MAX_XLSX_SHEET", "MAX_XLSX_UNPACKED", "MISSING_MARKERS", "NUMBER_RE", "OBSERVATION_FIELDS",
    "OBSERVATION_OPTIONAL", "OBSERVATION_REQUIRED", "PLAN_COLUMNS", "PREVIEW_CHANGES", "STATUS_CHANGE_COLUMNS",
    "TARGET_ALIASES", "TARGET_OPTIONAL", "TARGET_REQUIRED", "TEMPLATE_HEADERS", "TRUE_WORDS", "VALUE_TOLERANCE",
    "ImportPlan", "ImportRefused", "ImportResult", "ReadInfo", "ReadResult",
    "apply_plan", "apply_targets", "closest", "data_version", "import_observations", "import_targets",
    "is_seed_batch", "list_sheets", "max_upload_bytes", "may_import", "normalise_geography", "normalise_header",
    "parse_number", "parse_year", "plan_observations", "read_cells", "read_observations", "read_observations_csv",
    "read_targets_csv", "status_changes", "target_reference", "template_csv", "undo_batch", "undo_preview",
    "undoable_batches", "validate_targets",
]
