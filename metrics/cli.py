"""The ``python -m metrics`` command line, for analysts and automation.

Exit codes: 0 done; 1 invalid input (nothing written, every problem printed);
2 usage error, missing file, or the database held by another process.

Example::

    python -m metrics init
    python -m metrics status --year 2025 --format json
    python -m metrics import new_figures.csv --dry-run

Start-up: building the parser and every command import only what that command uses. Module
level here is the standard library and :mod:`metrics.model`; the store (duckdb, pandas), the
progress engine, ingest (pyarrow), export (openpyxl), the memo (fpdf2, python-docx, Plotly) and
the rest are imported inside the command that needs them, so ``--help`` starts in about the time
of a bare interpreter and ``status`` pays for duckdb and pandas only (``python -m bench.bench_cli``).

Why one module of about 800 lines: it is the parser and one short ``cmd_*`` function per
subcommand, each reading its arguments, calling one ``metrics`` function and printing; no logic
lives here. Split by subcommand it would spread one ``argparse`` tree over many files, and the
lazy imports above would have to be kept in step in each.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import math
import os
import pwd
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from metrics.model import Actor, DatabaseLocked, MalsporError, PermissionDenied, ValidationError

if TYPE_CHECKING:
    import pandas as pd

    from metrics.store import Store

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

#: Choices and defaults the parser shows, written here so that building it imports neither
#: ``export``, the memo nor ``ingest`` (nor pandas, openpyxl, fpdf2 ...); tests/test_cli.py
#: checks that they are the modules' own.
EXPORT_TABLES = ("observations", "targets", "status")
EXPORT_FORMATS = ("csv", "parquet", "xlsx")
MEMO_FORMATS = ("pdf", "docx", "html", "md")
MEMO_DETAILS = ("auto", "full", "summary")
MEMO_FULL_LIMIT = 50
MAX_UPLOAD_ENV = "MALSPOR_MAX_UPLOAD_MB"
DEFAULT_MAX_MB = 50
#: The project's data folder, as :data:`metrics.store.DATA_DIR` (checked by tests/test_cli.py).
_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _is_server(target: object) -> bool:
    """A ``postgresql://`` address (as :func:`metrics.store.is_server_url`, without importing the store)."""
    return isinstance(target, str) and target.split("://", 1)[0].lower() in ("postgresql", "postgres")


def default_db_path() -> Path | str:
    """:func:`metrics.store.default_db_path` for the parser's help, without importing the store."""
    env = os.environ.get("MALSPOR_DB")
    if env and _is_server(env):
        return env
    return Path(env) if env else _DATA_DIR / "malspor.duckdb"


def _exists(db: str | Path | None) -> bool:
    """Whether the database file exists (a server's database: whether it holds Målspor's tables)."""
    target = db or default_db_path()
    if _is_server(target):
        with contextlib.suppress(Exception):
            from metrics.database import open_store

            with open_store(target, create=False, read_only=True):
                return True
        return False
    return Path(target).exists()


def _store(db: str | Path | None, *, create: bool = False, **kwargs: Any) -> Store:
    """Open the database (an existing one unless ``create``); the store and duckdb load only here."""
    from metrics.database import open_store

    return open_store(db, create=create, **kwargs)


def os_user() -> str:
    """The operating system's name of the user running this process.

    From the process's user id (``pwd``), never from ``$USER`` or ``$LOGNAME``, which anyone sets:
    ``USER=chef python -m metrics undo 4`` is recorded as the one who ran it.
    """
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a user id without a passwd entry (a container): the number, still not forgeable
        return f"uid{uid}"


def cli_actor() -> Actor:
    """Whoever runs the command line has the database file in hand, so acts as an administrator."""
    return Actor(os_user(), "admin", via="cli")


class _Parser(argparse.ArgumentParser):
    """argparse with our exit code 2 and a hint, instead of a bare usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\nRun '{self.prog} --help' for the options.\n")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH|URL", default=argparse.SUPPRESS,
                        help=f"database file, or postgresql://user@host/database for the shared server "
                             f"(default: $MALSPOR_DB or {default_db_path()})")
    parser = _Parser(prog="python -m metrics", parents=[common],
                     description="Målspor: targets, observations and progress of the RUS action plan.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("init", parents=[common], help="create the database and seed it from data/",
                       description="Create the schema (migrations) and load the seed data. Safe to run twice.")
    p.add_argument("--empty", action="store_true", help="create the schema only, without seed data")

    p = sub.add_parser("status", parents=[common], help="the status of every target and geography",
                       description="One row per target and geography, judged by progress-methodology.md.")
    p.add_argument("--year", type=_year, help="the 'as of' year (default: this year)")
    p.add_argument("--geography", help="only this geography, e.g. 'Region Hovedstaden'")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")

    p = sub.add_parser("import-targets", parents=[common], help="add or update target definitions from a CSV",
                       description="Columns as in data/targets.csv. Validated; all rows or none are written.")
    p.add_argument("file", type=Path)

    p = sub.add_parser("import", parents=[common], help="import observations from a CSV or .xlsx file",
                       description="A file as Excel saves it: CSV (comma, semicolon or tab; UTF-8, UTF-16 or "
                                   "Windows-1252; decimal comma or point) or .xlsx. Columns target_id/indikator, "
                                   "year/år, value/værdi; optional geography/område, source/kilde, note/bemærkning, "
                                   "data_class/dataklasse, series_break; or one column per year. Validated; one "
                                   "batch, all rows or none.")
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true",
                   help="validate and show what would change, statuses included; write nothing")
    p.add_argument("--status", action="store_true",
                   help="also list the statuses a commit changes (a dry run always does; on a large file this "
                        "runs the progress engine over every observation)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--sheet", help="the sheet of an .xlsx to read, by name or number (default: the first)")
    p.add_argument("--max-size", type=_megabytes, metavar="MB", default=None,
                   help=f"refuse larger files (default: ${MAX_UPLOAD_ENV} or {DEFAULT_MAX_MB} MB)")
    p.add_argument("--year", type=_year, help="the 'as of' year of the status preview (default: this year)")
    p.add_argument("--lang", choices=["en", "da"], default="en", help="language of the messages (default: en)")

    p = sub.add_parser("batches", parents=[common], help="list import batches",
                       description="Every import batch with user, time, file name, checksum, counts and state.")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")

    p = sub.add_parser("undo", parents=[common], help="undo an import batch",
                       description="Remove what a batch added and restore what it revised.")
    p.add_argument("batch_id", type=_batch)
    p.add_argument("--include-seed", action="store_true",
                   help="also undo the seed batch (the action plan's own figures; refused without this flag)")
    p.add_argument("--lang", choices=["en", "da"], default="en", help="language of the messages (default: en)")

    p = sub.add_parser("export", parents=[common], help="export observations, targets or status",
                       description="Write a table as CSV (formula-like cells neutralised), Parquet, or a formatted "
                                   "Excel workbook (for --table status: the status table, the observations with "
                                   "their sources, and notes).")
    p.add_argument("--format", choices=list(EXPORT_FORMATS), required=True)
    p.add_argument("--lang", choices=["da", "en"], default="da", help="language of the Excel headers (default da)")
    p.add_argument("--out", type=Path, required=True, help="output file")
    p.add_argument("--table", choices=list(EXPORT_TABLES), default="observations",
                   help="what to export (default: observations with their targets and sources)")
    p.add_argument("--year", type=_year, help="'as of' year for --table status")
    _add_memo_parsers(sub, common)
    _add_user_parsers(sub, common)
    return parser


MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_LIMIT = 1_000_000


def _year(text: str) -> int:
    """``--year``: a whole year from 1900 to 2100 (the database's own bounds)."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r} (write e.g. 2025)") from None
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise argparse.ArgumentTypeError(f"the year must be from {MIN_YEAR} to {MAX_YEAR}, not {text!r}")
    return value


def _limit(text: str) -> int:
    """``--limit``: how many rows, 1 to a million."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r} (write e.g. 50)") from None
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"the limit must be from 1 to {MAX_LIMIT:,}, not {text!r}")
    return value


def _batch(text: str) -> int:
    """A batch number: a positive whole number that fits the database's INTEGER."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a batch number: {text!r} (see 'batches')") from None
    if not 1 <= value <= 2**31 - 1:
        raise argparse.ArgumentTypeError(f"no batch has the number {text!r} (see 'batches')")
    return value


def _megabytes(text: str) -> int:
    """``--max-size`` in megabytes (``50``, ``1.5``, ``200MB``) as bytes."""
    cleaned = text.strip().upper().removesuffix("MB").strip().replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size in megabytes: {text!r} (write e.g. 50 or 1.5)") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"the size must be a positive number of megabytes, not {text!r}")
    return int(value * 2**20)


# ---------------------------------------------------------------------- output helpers
def _clean(value: Any) -> Any:
    """JSON-safe scalars: NaN/NA become null, numpy types become Python ones."""
    import pandas as pd  # already loaded: the values come out of a DataFrame

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def frame_records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    cols = columns or list(frame.columns)
    return [{c: _clean(v) for c, v in zip(cols, row)} for row in frame[cols].itertuples(index=False)]


def _fmt_cell(value: Any) -> str:
    value = _clean(value)
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}".rstrip("0").rstrip(".")
    return str(value)


def print_table(frame: pd.DataFrame, out: TextIO) -> None:
    rows = [[_fmt_cell(v) for v in r] for r in frame.itertuples(index=False)]
    headers = list(frame.columns)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    out.write("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip() + "\n")
    for r in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() + "\n")


def _print_problems(exc: ValidationError, fmt: str, out: TextIO, err: TextIO, lang: str = "en") -> None:
    if fmt == "json":
        json.dump({"ok": False, "errors": [p.as_dict(lang) for p in exc.problems]}, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    from metrics import i18n
    from metrics.ingest.report import problem_count

    err.write(i18n.t("cli.rejected", lang, problems=i18n.Lang.of(lang).count(problem_count(exc.problems), "problem"))
              + "\n")
    for p in exc.problems:
        err.write(f"  {p.render(lang)}\n")


# ---------------------------------------------------------------------- commands
def cmd_init(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metrics.seed import seed

    existed = _exists(args.db)
    with _store(args.db, create=True, seed=None if args.empty else seed) as store:
        n_targets = store.scalar("SELECT count(*) FROM targets")
        n_obs = store.scalar("SELECT count(*) FROM observations")
        state = "already existed" if existed else "created"
        out.write(f"Database {store.path} {state}: schema version {store.schema_version()}, "
                  f"{n_targets} targets, {n_obs} observations.\n")
    return EXIT_OK


def cmd_status(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metrics import progress

    with _store(args.db) as store, store.read() as cur:
        frame = progress.compute_status(cur, as_of=args.year, geography=args.geography)
        empty = store.is_empty()
    if empty and args.format == "table":
        err.write("The database holds no targets yet: load the action plan's with 'python -m metrics init' "
                  "(a database made with --empty stays empty) or add some with 'import-targets'.\n")
        return EXIT_OK
    if args.geography and frame.empty:
        with _store(args.db) as store:
            known = store.geographies()
        err.write(f"No target has the geography '{args.geography}'. Known: {', '.join(known)}.\n")
        return EXIT_INVALID
    if args.format == "json":
        json.dump(frame_records(frame, progress.JSON_KEYS), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.format == "csv":
        from metrics.export import safe_csv

        safe_csv(frame, out)
    else:
        shown = frame[["target_id", "geography", "latest_year", "latest_value", "target_year", "target_value",
                       "ratio", "method", "status", "provisional", "stale", "deadline_passed", "data_class"]]
        print_table(shown, out)
    return EXIT_OK


def cmd_import_targets(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metrics import ingest

    with _store(args.db) as store:
        counts = ingest.import_targets(store, args.file, cli_actor())
    out.write(f"Targets imported from {args.file.name}: {counts['added']} added, {counts['updated']} updated.\n")
    return EXIT_OK


def cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metrics import i18n, ingest

    lang = args.lang
    with _store(args.db) as store:
        result = ingest.import_observations(store, args.file, cli_actor(), dry_run=args.dry_run, sheet=args.sheet,
                                            max_bytes=args.max_size, as_of=args.year,
                                            with_status=True if args.status or args.dry_run else None)
    if args.format == "json":
        json.dump(result.as_dict(lang), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    plan = result.plan
    summary = i18n.t("cli.summary", lang, **plan.counts)
    name = plan.file_name
    if args.dry_run:
        out.write(i18n.t("cli.dry_run", lang, file=name, summary=summary) + "\n")
    elif result.batch_id is None:
        out.write(i18n.t("cli.nothing", lang, file=name, summary=summary) + "\n")
    else:
        out.write(i18n.t("cli.imported", lang, file=name, batch=result.batch_id, summary=summary) + "\n")
    for note in plan.notes:
        out.write(f"  {note.text(lang)}\n")
    for r in plan.revisions().itertuples():
        out.write("  " + i18n.t("cli.revised", lang, target=r.target_id, geography=r.geography, year=r.year,
                                old=i18n.fmt_number(r.old_value, lang, decimals=_decimals(r.old_value)),
                                new=i18n.fmt_number(r.value, lang, decimals=_decimals(r.value))) + "\n")
    if args.dry_run and "replaced" in result.changes.columns:  # as the Upload page's preview says it
        from metrics.ingest.report import replaced_text
        for r in result.changes.itertuples():
            if r.replaced:
                out.write("  " + i18n.t("cli.replaced", lang, row=r.row, what=replaced_text(r.replaced, lang)) + "\n")
    if result.status is None and result.batch_id is not None:
        out.write("  " + i18n.t("cli.status_hint", lang, file=name) + "\n")
    if result.status is not None:
        for r in result.status.itertuples():
            before = i18n.status_label(r.status_before, lang) if r.status_before else i18n.t("cli.no_status", lang)
            out.write("  " + i18n.t("cli.status", lang, target=r.target_id, geography=r.geography,
                                    year=result.as_of, before=before,
                                    after=i18n.status_label(r.status_after, lang)) + "\n")
    for p in plan.skipped:
        out.write("  " + i18n.t("cli.skipped", lang, problem=p.render(lang)) + "\n")
    return EXIT_OK


def _decimals(value: float) -> int:
    """Enough decimals to show a value as imported (13.25 stays 13.25), at most six."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def cmd_batches(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with _store(args.db) as store:
        frame = store.batches()
    if args.format == "json":
        frame = frame.assign(created_at=frame["created_at"].astype(str),
                             undone_at=frame["undone_at"].astype(str).where(frame["undone_at"].notna()))
        json.dump(frame_records(frame), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.format == "csv":
        from metrics.export import safe_csv

        safe_csv(frame, out)
    else:
        frame = frame.assign(sha256=frame["sha256"].str[:12], created_at=frame["created_at"].dt.strftime("%Y-%m-%d %H:%M"))
        print_table(frame[["batch_id", "created_at", "user_name", "file_name", "sha256", "n_added", "n_revised",
                           "n_unchanged", "n_skipped", "state"]], out)
    return EXIT_OK


def cmd_undo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metrics import i18n, ingest

    with _store(args.db) as store:
        counts = ingest.undo_batch(store, args.batch_id, cli_actor(), include_seed=args.include_seed)
    L = i18n.Lang.of(args.lang)
    out.write(i18n.t("cli.undone", args.lang, batch=args.batch_id, removed=L.count(counts["removed"], "value"),
                     restored=L.count(counts["restored"], "earlier_value")) + "\n")
    return EXIT_OK


def _check_out(path: Path) -> None:
    """``--out`` must name a file: a folder (or a missing parent folder) is said in words before any work."""
    if path.is_dir():
        raise MalsporError("out_is_folder", path=path)
    if not path.parent.is_dir():
        raise MalsporError("folder_missing", folder=path.parent)


@contextlib.contextmanager
def _no_half_file(path: Path) -> Any:
    """A new output file that a failure (a full disk) left half-written is removed."""
    existed = path.exists()
    try:
        yield
    except BaseException:
        if not existed:
            with contextlib.suppress(OSError):
                path.unlink()
        raise


def cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metrics import export

    _check_out(args.out)
    with _store(args.db) as store, _no_half_file(args.out):
        n = export.export_table(store, args.table, args.format, args.out, as_of=args.year, lang=args.lang)
    out.write(f"Wrote {n} rows of {args.table} to {args.out}.\n")
    return EXIT_OK


# ---------------------------------------------------------------------- status memo, backup, commentary (issue 5)
def _add_memo_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The parser entries of ``report``, ``backup``, ``restore`` and ``commentary``."""
    p = sub.add_parser("report", parents=[common], help="write the status memo (PDF, Word, HTML or Markdown)",
                       description="The status memo for committees, from the data: the overall picture, then per "
                                   "theme and focus area each target's status, figures, chart, commentary, "
                                   "initiatives and sources. Markdown gets its charts as PNG files in a folder "
                                   "beside it.")
    p.add_argument("--format", choices=list(MEMO_FORMATS), required=True)
    p.add_argument("--lang", choices=["da", "en"], default="da", help="language (default da)")
    p.add_argument("--year", type=_year, help="the 'as of' year (default: this year)")
    p.add_argument("--out", type=Path, required=True, help="output file")
    p.add_argument("--detail", choices=list(MEMO_DETAILS), default="auto",
                   help=f"full: a section and chart per target; summary: status per theme and the targets furthest "
                        f"behind, no charts; auto (default): full up to {MEMO_FULL_LIMIT} targets")
    p.add_argument("--no-charts", action="store_true", help="leave the charts out (faster; no Chromium needed)")

    p = sub.add_parser("backup", parents=[common], help="write the whole database as Parquet files",
                       description="One Parquet file per table and a manifest (schema version, row counts, "
                                   "checksums, sequences) in a new folder. Restore with 'restore FOLDER'.")
    p.add_argument("--out", type=Path, required=True, help="a new (or empty) folder")
    p.add_argument("--key-file", type=Path, metavar="FILE",
                   help="the signing key, in a file (default: $MALSPOR_BACKUP_KEY or [backup] key in "
                        ".streamlit/secrets.toml); never stored in the backup")

    p = sub.add_parser("restore", parents=[common], help="load a backup folder into an empty database",
                       description="Load a folder written by 'backup' into an empty database (a new --db file is "
                                   "created), in one transaction: every table, history, batches, commentary, "
                                   "sequences and schema_version come back exactly. A database that holds data is "
                                   "refused.")
    p.add_argument("folder", type=Path)
    p.add_argument("--key-file", type=Path, metavar="FILE", help="the key the backup was signed with (as for backup)")
    p.add_argument("--unsigned", action="store_true",
                   help="restore a backup that is not signed with this key (an administrator's decision: the files "
                        "may have been edited; recorded in the audit trail)")

    p = sub.add_parser("commentary", parents=[common], help="write or list the status commentary",
                       description="Analysts' status text per target or focus area and year; every version is "
                                   "kept with author and time.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    actions.required = True
    a = actions.add_parser("set", parents=[common], help="save a new version (empty text withdraws)")
    who = a.add_mutually_exclusive_group(required=True)
    who.add_argument("--target", help="target id, e.g. eud_share")
    who.add_argument("--focus-area", help="focus area id, e.g. faglaerte")
    a.add_argument("--year", type=_year, required=True, help="the status year the text is written for")
    a.add_argument("--lang", choices=["da", "en"], default="da")
    text = a.add_mutually_exclusive_group(required=True)
    text.add_argument("--text", help="the text")
    text.add_argument("--file", type=Path, help="read the text from a UTF-8 file")
    a = actions.add_parser("list", parents=[common], help="list the current commentary (or every version)")
    a.add_argument("--year", type=_year)
    a.add_argument("--target")
    a.add_argument("--focus-area")
    a.add_argument("--history", action="store_true", help="every version, newest first")
    a.add_argument("--format", choices=["table", "json"], default="table")


def cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metrics import memo as status_memo

    _check_out(args.out)
    with _store(args.db) as store, _no_half_file(args.out):
        result = status_memo.write_memo(store, args.format, args.out, year=args.year, lang=args.lang,
                                        detail=args.detail, charts=not args.no_charts)
    seconds = result["build_seconds"] + result["render_seconds"]
    out.write(f"Wrote the {result['detail']} status memo as of {result['year']} ({result['lang']}, {args.format}) "
              f"to {args.out}: {result['targets']} targets, {result['charts']} charts, "
              f"{result['bytes'] / 1024:,.0f} KiB in {seconds:.1f} s (charts {result['chart_seconds']:.1f} s).\n")
    memo = result["memo"]
    notes = {tg.chart_note for th in memo.themes for f in th.focus_areas for tg in f.targets if tg.chart_note}
    for note in sorted(n for n in notes if "Chromium" in n or "machine" in n or "maskine" in n):
        err.write(f"Note: {note}\n")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metrics import backup

    key = backup.backup_key(args.key_file)
    with _store(args.db) as store:
        manifest = backup.backup(store, args.out, key=key)
    if key is None:
        err.write(MalsporError("backup_written_unsigned", env=backup.KEY_ENV).render("en") + "\n")
    rows = sum(t["rows"] for t in manifest["tables"].values())
    out.write(f"Backed up {len(manifest['tables'])} tables ({rows:,} rows, schema version "
              f"{manifest['schema_version']}) to {args.out}.\nRestore with: python -m metrics restore {args.out} "
              f"--db NEW.duckdb\n")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metrics import backup

    if not args.folder.is_dir():
        err.write(f"No such folder: {args.folder}\n")
        return EXIT_USAGE
    # refuse a damaged, foreign or unsigned folder before creating a database
    backup.read_manifest(args.folder)
    key = backup.backup_key(args.key_file)
    state = backup.check_signature(args.folder, key, allow_unsigned=args.unsigned)
    if state != "signed":
        err.write(MalsporError("restore_unsigned_warning", state=state, folder=args.folder).render("en") + "\n")
    db = args.db or default_db_path()
    server = _is_server(db)
    db = db if server else Path(db)
    existed = _exists(db)
    try:
        with _store(db, create=True) as store:
            counts = backup.restore(store, args.folder, cli_actor(), key=key, allow_unsigned=args.unsigned)
            path = store.path
    except BaseException:
        if not existed and not server:  # a refused restore leaves no new, empty database file behind
            for leftover in (db, db.with_name(db.name + ".wal")):
                leftover.unlink(missing_ok=True)
        raise
    out.write(f"Restored {sum(counts.values()):,} rows into {path}: "
              + ", ".join(f"{n} {t}" for t, n in counts.items()) + ".\n")
    return EXIT_OK


#: A commentary file larger than this is not a commentary (the text itself may have 4,000 characters).
MAX_TEXT_FILE = 256 * 1024


def _read_text_file(path: Path) -> str:
    """A UTF-8 text file (``commentary --file``); a binary, oversized or other-encoded file is said in words."""
    with open(path, "rb") as fh:
        data = fh.read(MAX_TEXT_FILE + 1)
    if len(data) > MAX_TEXT_FILE:
        raise MalsporError("text_file_too_large", path=path, max=f"{MAX_TEXT_FILE // 1024} KiB")
    if b"\0" in data:
        raise MalsporError("text_file_binary", path=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalsporError("text_file_not_utf8", path=path, position=exc.start) from None


def cmd_commentary(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import pandas as pd

    from metrics import commentary

    with _store(args.db) as store:
        if args.action == "set":
            text = _read_text_file(args.file) if args.file else args.text
            cid = commentary.save(store, cli_actor(), year=args.year, text=text, target_id=args.target,
                                  focus_area_id=args.focus_area, lang=args.lang)
            what = f"target {args.target}" if args.target else f"focus area {args.focus_area}"
            state = "withdrawn" if not text.strip() else "saved"
            out.write(f"Commentary for {what}, {args.year} ({args.lang}) {state} as version {cid}.\n")
            return EXIT_OK
        if args.history:
            if not (args.target or args.focus_area):
                err.write("--history needs --target or --focus-area.\n")
                return EXIT_USAGE
            items = commentary.history(store, target_id=args.target, focus_area_id=args.focus_area, year=args.year)
            frame = pd.DataFrame([vars(c) for c in items])
        else:
            frame = commentary.current_frame(store, args.year)
            if args.target:
                frame = frame[frame["target_id"] == args.target]
            if args.focus_area:
                frame = frame[frame["focus_area_id"] == args.focus_area]
    if frame.empty:
        out.write("[]\n" if args.format == "json" else "No commentary.\n")
        return EXIT_OK
    frame = frame.assign(created_at=frame["created_at"].astype(str))
    if args.format == "json":
        json.dump(frame_records(frame), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        shown = frame.assign(text=frame["text"].str.replace("\n", " ").str.slice(0, 60))
        print_table(shown[["commentary_id", "year", "lang", "target_id", "focus_area_id", "author", "created_at",
                           "text"]], out)
    return EXIT_OK


# ---------------------------------------------------------------------- accounts and audit trail (issue 6)
def _add_user_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The parser entries of ``user`` and ``audit``."""
    p = sub.add_parser("user", parents=[common], help="manage local accounts (local mode sign-in)",
                       description="Local accounts for the dashboard when no OpenID Connect provider is configured. "
                                   "The password is asked for (or read from standard input with --password-stdin) "
                                   "and stored only as a salted scrypt hash.")
    p.add_argument("action", choices=["add", "role", "password", "remove", "list"])
    p.add_argument("name", nargs="?", help="the user name (not for list)")
    p.add_argument("--role", choices=["viewer", "analyst", "admin"], help="the role (add, role)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p = sub.add_parser("audit", parents=[common], help="show the audit trail of every change",
                       description="Every change with who, when, what and the values before and after.")
    p.add_argument("--user", help="only this user")
    p.add_argument("--action", help="only this action, e.g. import_observations")
    p.add_argument("--limit", type=_limit, default=50, help="how many rows, newest first (default 50)")
    p.add_argument("--verify", action="store_true",
                   help="check the trail's hash chain: exit 0 if intact, 1 naming the first broken row")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise MalsporError("passwords_differ")
    return first


def cmd_user(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metrics import auth

    with _store(args.db) as store:
        if args.action == "list":
            print_table(auth.local_users(store), out)
            return EXIT_OK
        if not args.name:
            err.write(f"'user {args.action}' needs a user name.\n")
            return EXIT_USAGE
        if args.action in ("add", "role") and not args.role:
            err.write(f"'user {args.action}' needs --role viewer|analyst|admin.\n")
            return EXIT_USAGE
        actor = cli_actor()
        if args.action == "add":
            auth.add_local_user(store, actor, args.name, args.role, _read_password(args))
            out.write(f"Added the local user {args.name} with the role {args.role}.\n")
        elif args.action == "role":
            auth.set_local_role(store, actor, args.name, args.role)
            out.write(f"{args.name} now has the role {args.role}.\n")
        elif args.action == "password":
            auth.set_local_password(store, actor, args.name, _read_password(args))
            out.write(f"Changed the password of {args.name} (the account is unlocked).\n")
        else:
            auth.remove_local_user(store, actor, args.name)
            out.write(f"Removed the local user {args.name}.\n")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metrics import audit

    if args.verify:
        with _store(args.db) as store:
            check = audit.verify(store)
        if check.ok:
            out.write(f"The audit trail is intact: {check.rows:,} rows, each chained to the one before.\n")
            return EXIT_OK
        err.write(MalsporError("audit_chain_edited" if check.reason == "edited" else "audit_chain_missing_before"
                               if check.reason == "missing_before" else "audit_chain_unchained", id=check.broken_id,
                               previous=check.previous_id if check.previous_id is not None else "-").render("en") + "\n")
        return EXIT_INVALID
    with _store(args.db) as store:
        trail = audit.read(store, user=args.user, action=args.action, limit=args.limit)
    if args.format == "json":
        json.dump(frame_records(trail.assign(changed_at=trail["changed_at"].astype(str))), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.format == "csv":
        from metrics.export import safe_csv

        safe_csv(trail, out)
    else:
        shown = trail.assign(changed_at=trail["changed_at"].dt.strftime("%Y-%m-%d %H:%M"),
                             after=trail["after"].fillna("").str.slice(0, 60))
        print_table(shown[["audit_id", "changed_at", "user_name", "role", "via", "action", "object_id", "after"]], out)
    return EXIT_OK


COMMANDS = {
    "user": cmd_user, "audit": cmd_audit,
    "init": cmd_init, "status": cmd_status, "import-targets": cmd_import_targets, "import": cmd_import,
    "batches": cmd_batches, "undo": cmd_undo, "export": cmd_export,
    "report": cmd_report, "backup": cmd_backup, "restore": cmd_restore, "commentary": cmd_commentary,
}


def _os_message(exc: OSError) -> MalsporError:
    """A failed read or write of a file, in words: disk full (what to free), a folder, no permission."""
    import errno

    where = Path(exc.filename) if exc.filename else Path.cwd()
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        folder = where if where.is_dir() else where.resolve().parent
        return MalsporError("disk_full", path=where, folder=folder)
    if isinstance(exc, IsADirectoryError):
        return MalsporError("out_is_folder", path=where)
    if isinstance(exc, PermissionError):
        return MalsporError("no_permission", path=where)
    return MalsporError("file_failed", path=where, reason=exc.strerror or exc)


def main(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one command; returns the exit code (never raises for user errors)."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    args.db = getattr(args, "db", None)
    file_arg = getattr(args, "file", None)
    if file_arg is not None and not file_arg.is_file():
        err.write(f"No such file: {file_arg}\n")
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args, out, err)
    except ValidationError as exc:
        _print_problems(exc, getattr(args, "format", "text"), out, err, getattr(args, "lang", "en"))
        return EXIT_INVALID
    except DatabaseLocked as exc:
        err.write(f"{exc.render('en')}\n")
        return EXIT_USAGE
    except PermissionDenied as exc:
        err.write(f"{exc.render('en')}\n")
        return EXIT_INVALID
    except OSError as exc:
        err.write(_os_message(exc).render("en") + "\n")
        return EXIT_INVALID
    except MalsporError as exc:
        if _loaded("metrics.ingest", "ImportRefused", exc):
            return _print_refusal(exc, args, out, err)
        if getattr(args, "format", "text") == "json":
            json.dump({"ok": False, "errors": [{"row": None, "column": None, "value": None, "message": str(exc)}]},
                      out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            err.write(f"{exc.render('en')}\n")
        return EXIT_INVALID
    except Exception as exc:
        if not (_loaded("duckdb", "Error", exc) or _loaded("psycopg", "Error", exc)):
            raise
        return _print_db_error(exc, args, err)


def _loaded(module: str, name: str, exc: BaseException) -> bool:
    """``isinstance(exc, module.name)`` without importing ``module``: unloaded, it raised nothing.

    So ``main`` can tell ingest's refusals and DuckDB's errors apart while a command that used
    neither (``--help``; every command but import, import-targets and undo for ingest) never
    loads them just to handle its errors.
    """
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(exc, getattr(loaded, name))


def _print_refusal(exc: MalsporError, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """An import or undo refused as a whole (``ingest.ImportRefused``), in the command's language."""
    message = exc.render(getattr(args, "lang", "en"))
    if exc.code == "no_file":
        err.write(f"{message}\n")
        return EXIT_USAGE
    if getattr(args, "format", "text") == "json":
        json.dump({"ok": False, "errors": [{"row": None, "column": None, "value": None, "message": message}]},
                  out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        err.write(f"{message}\n")
    return EXIT_INVALID


def _print_db_error(exc: Exception, args: argparse.Namespace, err: TextIO) -> int:
    """A DuckDB error in words: a full disk says what to free, anything else its first line."""
    from metrics.store import low_disk

    text = str(exc)
    target = args.db or default_db_path()
    db = None if _is_server(target) else Path(target)
    out_path = getattr(args, "out", None)
    full = [p for p in (db, out_path) if p is not None and low_disk(p)]
    if "No space left on device" in text or full:
        where = full[0] if full else db
        err.write(MalsporError("disk_full", path=where, folder=Path(where).resolve().parent).render("en") + "\n")
    else:
        err.write(MalsporError("db_error", reason=text.strip().splitlines()[0][:300] if text.strip() else
                               type(exc).__name__).render("en") + "\n")
    return EXIT_INVALID
