"""Benchmark: a 100,000-row ``.xlsx`` import next to the same rows as a CSV (the floor).

    python -m bench.bench_xlsx [--rows 100000] [--repeat 3]

The workbook is what an analyst exports from Excel in Denmark: Danish headers, the values as
numbers, one column in three of them formatted as percentages (so the percent rule is on the
path being timed), and a source and note column of text, the texts in a shared-strings table as
Excel writes them (openpyxl writes each text into its cell, which the import reads the slower
way: :func:`with_shared_texts` moves them). The CSV holds the same rows as Excel
would save them (``;``, decimal comma, Windows-1252). Each measurement runs in a fresh process
on a fresh copy of a database with the benchmark's targets, and imports the file as
``python -m metrics import FILE`` does (every check, the plan, one batch and its audit row).

It prints the median wall time of each, the ratio xlsx / CSV (issue 12 asks for at most 3x),
and the time of the workbook's reading alone next to openpyxl reading the same cells (what the
import used before python-calamine).
"""

from __future__ import annotations

import argparse
import html
import io
import json
import re
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from bench.bench_ingest import ACTOR, N_GEOS, N_TARGETS, _fresh, _peak_rss_mb, make_base
from bench.synthetic import OUT_DIR

ROOT = Path(__file__).resolve().parent.parent


def with_shared_texts(data: bytes) -> bytes:
    """The workbook (as openpyxl writes it: every text inline, in its cell) with its texts moved to a
    shared-strings table, as Excel writes them (each text once, the cells pointing at it)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    texts: dict[bytes, int] = {}

    def share(match: re.Match[bytes]) -> bytes:
        index = texts.setdefault(match.group(2), len(texts))
        return match.group(1) + b't="s"><v>' + str(index).encode() + b"</v></c>"

    sheet = re.sub(rb'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")? )t="inlineStr"><is><t(?: [^>]*)?>([^<]*)</t></is></c>',
                   share, source.read("xl/worksheets/sheet1.xml"))
    shared = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
              b'2006/main" count="%d" uniqueCount="%d">' % (len(texts), len(texts))
              + b"".join(b"<si><t>" + html.escape(html.unescape(t.decode()), quote=False).encode() + b"</t></si>"
                         for t in texts) + b"</sst>")  # in UTF-8, as Excel writes it
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = sheet
            elif item.filename == "[Content_Types].xml":
                body = body.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            target.writestr(item, body)
        target.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


def make_files(rows: int) -> tuple[Path, Path]:
    """The workbook and the Danish CSV of the same ``rows`` rows (made once, then reused)."""
    import csv

    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    xlsx, dk = OUT_DIR / f"xlsx_{rows}_excel.xlsx", OUT_DIR / f"xlsx_{rows}_dk.csv"
    if xlsx.exists() and dk.exists():
        return xlsx, dk
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    header = ["indikator", "år", "værdi", "område", "kilde", "bemærkning"]
    sheet.append(header)
    with dk.open("w", newline="", encoding="cp1252") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        for i in range(rows):
            target = f"target_{i % N_TARGETS:05d}"
            year = 1970 + (i // (N_TARGETS * N_GEOS)) % max(1, rows // (N_TARGETS * N_GEOS))
            value = round(10 + (i * 7919 % 80000) / 1000.0, 3)
            geography = f"Kommune {(i // N_TARGETS) % N_GEOS:02d}"
            note = "revideret" if i % 10 == 0 else ""
            if i % 3 == 0:  # the share as Excel stores a percentage: a fraction, shown as 0,0 %
                cell = WriteOnlyCell(sheet, value=value / 100)
                cell.number_format = "0.000%"
                shown = f"{value:.3f}".replace(".", ",") + " %"
            else:
                cell = value
                shown = f"{value}".replace(".", ",")
            sheet.append([target, year, cell, geography, "Danmarks Statistik", note or None])
            writer.writerow([target, year, shown, geography, "Danmarks Statistik", note])
    book.save(xlsx)
    xlsx.write_bytes(with_shared_texts(xlsx.read_bytes()))  # Excel keeps texts in a shared table
    return xlsx, dk


def measure(method: str, path: Path, base: Path, work: Path) -> dict:
    """One measurement in this (fresh) process."""
    from metrics import ingest
    from metrics.store import Store

    if method == "openpyxl_read":  # the cells as the import read them before: openpyxl, read-only
        import openpyxl

        start = time.perf_counter()
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        cells = sum(1 for row in book.active.iter_rows() for c in row if c.value is not None
                    and (c.number_format or "") is not None)
        book.close()
        return {"method": method, "seconds": time.perf_counter() - start, "cells": cells,
                "peak_rss_mb": _peak_rss_mb()}
    if method == "read":
        start = time.perf_counter()
        frame = ingest.read_observations(path.read_bytes(), file_name=path.name)
        return {"method": method, "seconds": time.perf_counter() - start, "rows": len(frame),
                "peak_rss_mb": _peak_rss_mb()}
    db = _fresh(base, work)
    store = Store.open(db)
    start = time.perf_counter()
    result = ingest.import_observations(store, path, ACTOR, max_bytes=1 << 31)
    store.close()
    return {"method": method, "seconds": time.perf_counter() - start, "counts": result.plan.counts,
            "peak_rss_mb": _peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per method (median reported)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--base", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.file, args.base, args.work)))
        return
    if not 1 <= args.rows <= 1_000_000 or not 1 <= args.repeat <= 20:
        parser.error("--rows must be 1..1,000,000 and --repeat 1..20")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    xlsx, dk = make_files(args.rows)
    base, work = OUT_DIR / "xlsx_base.duckdb", OUT_DIR / "xlsx_work.duckdb"
    make_base(base)
    print(f"files: {xlsx.name} ({xlsx.stat().st_size / 2**20:.1f} MB) and {dk.name} "
          f"({dk.stat().st_size / 2**20:.1f} MB), {args.rows:,} rows (prepared in {time.perf_counter() - start:.1f} s)")
    plan = [("csv_import", dk), ("xlsx_import", xlsx), ("xlsx_read", xlsx), ("openpyxl_read", xlsx)]
    results: dict[str, list[dict]] = {}
    for _ in range(args.repeat):
        for name, path in plan:
            method = {"xlsx_read": "read"}.get(name, "import" if name.endswith("import") else name)
            proc = subprocess.run([sys.executable, "-m", "bench.bench_xlsx", "--measure", method, "--file", str(path),
                                   "--base", str(base), "--work", str(work)],
                                  capture_output=True, text=True, check=True, cwd=ROOT)
            results.setdefault(name, []).append(json.loads(proc.stdout.strip().splitlines()[-1]))
    for suffix in ("", ".wal"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    med = {name: statistics.median(r["seconds"] for r in runs) for name, runs in results.items()}
    mem = {name: max(r["peak_rss_mb"] for r in runs) for name, runs in results.items()}
    counts = results["xlsx_import"][-1]["counts"], results["csv_import"][-1]["counts"]
    if counts[0] != counts[1]:
        print(f"WARNING: the workbook and the CSV did not import the same rows: {counts[0]} vs {counts[1]}")
    print(f"floor: import of the Danish CSV            {med['csv_import']:6.2f} s   peak RSS {mem['csv_import']:5.0f} MB")
    print(f"import of the .xlsx                        {med['xlsx_import']:6.2f} s   peak RSS {mem['xlsx_import']:5.0f} MB"
          f"   {counts[0]}")
    print(f"  of which reading the workbook            {med['xlsx_read']:6.2f} s")
    print(f"openpyxl reading the same cells (before)   {med['openpyxl_read']:6.2f} s")
    print(f"ratio xlsx import / CSV import             {med['xlsx_import'] / med['csv_import']:6.2f}x (issue 12: at most 3x)")
    print(f"median of {args.repeat} runs each, every run in a fresh process on a fresh copy of the database")


if __name__ == "__main__":
    main()
