"""The ``python -m metrics`` command line, for analysts and automation.

Exit codes: 0 done; 1 invalid input (nothing written, every problem printed);
2 usage error, missing file, or the database held by another process.

Example::

    python -m metrics init
    python -m metrics status --year 2025 --format json
    python -m metrics import new_figures.csv --dry-run
"""

from __future__ import annotations

import argparse
import getpass
import json
import math
import sys
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from metrics import export as export_mod
from metrics import ingest, progress
from metrics.model import Actor, DatabaseLocked, MalsporError, PermissionDenied, ValidationError
from metrics.store import Store, default_db_path

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def cli_actor() -> Actor:
    """Whoever runs the command line has the database file in hand, so acts as an administrator."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "cli"
    return Actor(name, "admin")


class _Parser(argparse.ArgumentParser):
    """argparse with our exit code 2 and a hint, instead of a bare usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\nRun '{self.prog} --help' for the options.\n")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                        help=f"database file (default: $MALSPOR_DB or {default_db_path()})")
    parser = _Parser(prog="python -m metrics", parents=[common],
                     description="Målspor: targets, observations and progress of the RUS action plan.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("init", parents=[common], help="create the database and seed it from data/",
                       description="Create the schema (migrations) and load the seed data. Safe to run twice.")
    p.add_argument("--empty", action="store_true", help="create the schema only, without seed data")

    p = sub.add_parser("status", parents=[common], help="the status of every target and geography",
                       description="One row per target and geography, judged by progress-methodology.md.")
    p.add_argument("--year", type=int, help="the 'as of' year (default: this year)")
    p.add_argument("--geography", help="only this geography, e.g. 'Region Hovedstaden'")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")

    p = sub.add_parser("import-targets", parents=[common], help="add or update target definitions from a CSV",
                       description="Columns as in data/targets.csv. Validated; all rows or none are written.")
    p.add_argument("file", type=Path)

    p = sub.add_parser("import", parents=[common], help="import observations from a CSV",
                       description="Columns target_id, year, value; optional geography, source, note, data_class, "
                                   "series_break. Validated; one batch, all rows or none.")
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="validate and show what would change; write nothing")
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("batches", parents=[common], help="list import batches",
                       description="Every import batch with user, time, file name, checksum, counts and state.")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")

    p = sub.add_parser("undo", parents=[common], help="undo an import batch",
                       description="Remove what a batch added and restore what it revised.")
    p.add_argument("batch_id", type=int)

    p = sub.add_parser("export", parents=[common], help="export observations, targets or status",
                       description="Write a table as CSV (formula-like cells neutralised) or Parquet.")
    p.add_argument("--format", choices=["csv", "parquet"], required=True)
    p.add_argument("--out", type=Path, required=True, help="output file")
    p.add_argument("--table", choices=list(export_mod.EXPORTABLE), default="observations",
                   help="what to export (default: observations with their targets and sources)")
    p.add_argument("--year", type=int, help="'as of' year for --table status")
    return parser


# ---------------------------------------------------------------------- output helpers
def _clean(value: Any) -> Any:
    """JSON-safe scalars: NaN/NA become null, numpy types become Python ones."""
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


def _print_problems(exc: ValidationError, fmt: str, out: TextIO, err: TextIO) -> None:
    if fmt == "json":
        json.dump({"ok": False, "errors": [p.as_dict() for p in exc.problems]}, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    err.write(f"Nothing was written: {len(exc.problems)} problem(s) found.\n")
    for p in exc.problems:
        err.write(f"  {p}\n")


# ---------------------------------------------------------------------- commands
def cmd_init(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    existed = Path(args.db).exists() if args.db else default_db_path().exists()
    with Store.open(args.db, seed=not args.empty) as store:
        n_targets = store.scalar("SELECT count(*) FROM targets")
        n_obs = store.scalar("SELECT count(*) FROM observations")
        state = "already existed" if existed else "created"
        out.write(f"Database {store.path} {state}: schema version {store.schema_version()}, "
                  f"{n_targets} targets, {n_obs} observations.\n")
    return EXIT_OK


def cmd_status(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with Store.open(args.db) as store, store.read() as cur:
        frame = progress.compute_status(cur, as_of=args.year, geography=args.geography)
    if args.geography and frame.empty:
        with Store.open(args.db) as store:
            known = store.geographies()
        err.write(f"No target has the geography '{args.geography}'. Known: {', '.join(known)}.\n")
        return EXIT_INVALID
    if args.format == "json":
        json.dump(frame_records(frame, progress.JSON_KEYS), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.format == "csv":
        export_mod.safe_csv(frame, out)
    else:
        shown = frame[["target_id", "geography", "latest_year", "latest_value", "target_year", "target_value",
                       "ratio", "method", "status", "data_class"]]
        print_table(shown, out)
    return EXIT_OK


def cmd_import_targets(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with Store.open(args.db) as store:
        counts = ingest.import_targets(store, args.file, cli_actor())
    out.write(f"Targets imported from {args.file.name}: {counts['added']} added, {counts['updated']} updated.\n")
    return EXIT_OK


def cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with Store.open(args.db) as store:
        result = ingest.import_observations(store, args.file, cli_actor(), dry_run=args.dry_run)
    if args.format == "json":
        json.dump(result.as_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    c = result.plan.counts
    summary = f"{c['added']} added, {c['revised']} revised, {c['unchanged']} unchanged, {c['skipped']} skipped"
    if args.dry_run:
        out.write(f"Dry run of {args.file.name}, nothing written: {summary}.\n")
    elif result.batch_id is None:
        out.write(f"Nothing to change: every row of {args.file.name} is already in the database ({summary}).\n")
    else:
        out.write(f"Imported {args.file.name} as batch {result.batch_id}: {summary}.\n"
                  f"Undo with: python -m metrics undo {result.batch_id}\n")
    for r in result.plan.revisions().itertuples():
        out.write(f"  revised {r.target_id} / {r.geography} / {r.year}: {r.old_value:g} -> {r.value:g}\n")
    for p in result.plan.skipped:
        out.write(f"  skipped {p}\n")
    return EXIT_OK


def cmd_batches(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with Store.open(args.db) as store:
        frame = store.batches()
    if args.format == "json":
        frame = frame.assign(created_at=frame["created_at"].astype(str),
                             undone_at=frame["undone_at"].astype(str).where(frame["undone_at"].notna()))
        json.dump(frame_records(frame), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.format == "csv":
        export_mod.safe_csv(frame, out)
    else:
        frame = frame.assign(sha256=frame["sha256"].str[:12], created_at=frame["created_at"].dt.strftime("%Y-%m-%d %H:%M"))
        print_table(frame[["batch_id", "created_at", "user_name", "file_name", "sha256", "n_added", "n_revised",
                           "n_unchanged", "n_skipped", "state"]], out)
    return EXIT_OK


def cmd_undo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with Store.open(args.db) as store:
        counts = ingest.undo_batch(store, args.batch_id, cli_actor())
    out.write(f"Batch {args.batch_id} undone: {counts['removed']} values removed, "
              f"{counts['restored']} earlier values restored.\n")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with Store.open(args.db) as store:
        n = export_mod.export_table(store, args.table, args.format, args.out, as_of=args.year)
    out.write(f"Wrote {n} rows of {args.table} to {args.out}.\n")
    return EXIT_OK


COMMANDS = {
    "init": cmd_init, "status": cmd_status, "import-targets": cmd_import_targets, "import": cmd_import,
    "batches": cmd_batches, "undo": cmd_undo, "export": cmd_export,
}


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
        _print_problems(exc, getattr(args, "format", "text"), out, err)
        return EXIT_INVALID
    except DatabaseLocked as exc:
        err.write(f"{exc}\n")
        return EXIT_USAGE
    except PermissionDenied as exc:
        err.write(f"{exc}\n")
        return EXIT_INVALID
    except MalsporError as exc:
        if getattr(args, "format", "text") == "json":
            json.dump({"ok": False, "errors": [{"row": None, "column": None, "value": None, "message": str(exc)}]},
                      out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            err.write(f"{exc}\n")
        return EXIT_INVALID
