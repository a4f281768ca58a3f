"""Files under the upload limit that once took the dashboard down (issue 11), each refused before the work
that costs memory: in a fresh process whose address space may grow by at most 1 GiB beyond what the
imports took (``RLIMIT_AS``), within seconds, and with its peak resident memory measured.

* one line ``a,a,a,…`` of 1 MB (once 1.4 GB and 28 s) and of 40 MB (once the end of the dashboard);
* the same line after an ordinary header;
* a file of more rows than may be checked;
* an ``.xlsx`` zip bomb (a sheet that unpacks to hundreds of MB from a small zip), refused from the
  zip directory's sizes before anything is unpacked; a sheet with more cells than a workbook may have,
  refused while counting, before openpyxl reads it; a cell beyond the column limit.

And the limits an analyst meets (:mod:`metrics.ingest.limits`): the upload size, problems and warnings capped.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from metrics import ingest
from metrics.model import ValidationError
from metrics.store import PROJECT_ROOT
from tests.conftest import ANALYST
from tests.ingest_support import fixture, seeded_file, store  # noqa: F401 - store needs seeded_file

#: How much the process may grow while refusing (resident), and how long it may take.
MAX_GROWTH_MB = 400
MAX_SECONDS = 5.0

_PROBE = r"""
import json, re, resource, sys, time
from metrics import ingest
from metrics.ingest import xlsx
from metrics.model import ValidationError
for name, value in json.loads(sys.argv[2]).items():
    setattr(xlsx, name, value)  # the workbook limits, where the reader looks them up
ingest.read_observations(b"target_id,year,value\neud_share,2024,1\n", file_name="warm.csv")  # the lazy imports
vm = int(re.search(r"VmSize:\s+(\d+)", open("/proc/self/status").read()).group(1)) * 1024
resource.setrlimit(resource.RLIMIT_AS, (vm + 2**30, vm + 2**30))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
try:
    ingest.read_observations(sys.argv[1])
    code, row = None, None
except ValidationError as exc:
    code, row = exc.problems[0].code, exc.problems[0].row
except MemoryError:
    code, row = "MemoryError", None
print(json.dumps({"code": code, "row": row, "seconds": time.perf_counter() - start,
                  "growth_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before}))
"""


def refuse(path: Path, **settings: object) -> dict:
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(path), json.dumps(settings)], capture_output=True,
                          text=True, cwd=PROJECT_ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def assert_cheap(result: dict, code: str) -> None:
    assert result["code"] == code, result
    assert result["seconds"] < MAX_SECONDS, result
    assert result["growth_mb"] < MAX_GROWTH_MB, result


@pytest.mark.parametrize("megabytes", [1, 40])
def test_one_wide_line_is_refused_at_once_in_little_memory(tmp_path, megabytes):
    path = tmp_path / "wide.csv"
    path.write_bytes(b"a," * (megabytes * 2**19) + b"a")
    result = refuse(path)
    assert_cheap(result, "too_many_columns")
    assert result["row"] == 1


@pytest.mark.parametrize("delimiter", [b",", b";"])
def test_a_wide_line_after_an_ordinary_header_is_refused_in_little_memory(tmp_path, delimiter):
    path = tmp_path / "wide.csv"
    path.write_bytes(b"target_id,year,value\neud_share,2024,13.9\n" + b"a" + delimiter * (30 * 2**20) + b"\n")
    result = refuse(path)
    assert result["code"] in ("too_many_columns", "too_many_cells", "cell_too_long"), result
    assert_cheap(result, result["code"])


def test_the_column_limit_names_the_count(tmp_path):
    header = ",".join(["target_id", "year", "value"] + [f"x{i}" for i in range(300)])
    with pytest.raises(ValidationError) as info:
        ingest.read_observations(f"{header}\n".encode(), file_name="w.csv")
    problem = info.value.problems[0]
    assert (problem.code, problem.row, problem.params["columns"]) == ("too_many_columns", 1, 303)
    assert "200" in problem.text("da")


def test_a_ragged_file_read_the_careful_way_is_refused_before_its_cells_are_built(tmp_path):
    """An odd quotation mark sends a file to Python's csv module: its cells are counted first."""
    path = tmp_path / "ragged.csv"
    path.write_bytes(b"target_id,year,value\n" + b"a,b\n" * (45 * 2**20 // 4) + b'"\n')  # 36 M cells
    assert_cheap(refuse(path), "too_many_cells")
    # under the cell limit it is read a block at a time: the unclosed quote is named, in little memory
    small = tmp_path / "small.csv"
    small.write_bytes(b"target_id,year,value\n" + b"a,b,c\n" * 1_000_000 + b'"\n')
    result = refuse(small)
    assert (result["code"], result["row"]) == ("unclosed_quote", 1_000_002)
    assert result["growth_mb"] < MAX_GROWTH_MB


def test_more_rows_than_may_be_checked_are_refused_before_they_are_checked(tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(b"target_id,year,value\n" + b"eud_share,2024,1\n" * 2_100_000)
    assert_cheap(refuse(path), "too_many_rows")


def test_the_wide_layout_counts_its_rows_before_it_is_turned_into_rows(tmp_path):
    years = ",".join(str(y) for y in range(1901, 2100))
    body = "eud_share," + ",".join("1" for _ in range(199)) + "\n"
    data = (f"target_id,{years}\n" + body * 12_000).encode()
    with pytest.raises(ValidationError) as info:
        ingest.read_observations(data, file_name="wide.csv")
    assert info.value.problems[0].code == "too_many_rows"


# ---------------------------------------------------------------------- workbooks
def _bomb(path: Path, megabytes: int, cell: bytes = b" ") -> Path:
    """An .xlsx whose sheet XML unpacks to ``megabytes`` MB of ``cell`` repeated, from a small zip."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["target_id", "year", "value"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    chunk = cell * ((1 << 20) // len(cell))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item, source.read(item))
                continue
            with out.open(item.filename, "w", force_zip64=True) as member:
                member.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                             b'spreadsheetml/2006/main"><sheetData>')
                for _ in range(megabytes):
                    member.write(chunk)
                member.write(b"</sheetData></worksheet>")
    return path


def test_a_zip_bomb_is_refused_from_the_zip_directory(tmp_path):
    path = _bomb(tmp_path / "bomb.xlsx", 600)
    assert path.stat().st_size < 2 * 2**20, "a small file on disk"
    result = refuse(path)
    assert_cheap(result, "xlsx_ratio")


def test_a_bomb_of_cells_is_refused_while_counting_before_openpyxl_reads_it(tmp_path):
    path = _bomb(tmp_path / "cells.xlsx", 120, b'<row><c t="inlineStr"><is><t>x</t></is></c></row>')
    # with the ratio check out of the way (a sheet that packs worse), the cell count refuses it
    assert_cheap(refuse(path, MAX_XLSX_RATIO=10**9), "too_many_cells_sheet")
    # and a sheet larger than any sheet of a million cells is refused from the directory alone
    big = _bomb(tmp_path / "big.xlsx", 300)
    assert_cheap(refuse(big, MAX_XLSX_RATIO=10**9), "xlsx_sheet_too_large")


def test_a_workbook_cell_beyond_the_column_limit_is_refused(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["target_id", "year", "value"])
    book.active.append(["eud_share", 2024, 13.9])
    book.active["XFD2"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError) as info:
        ingest.read_observations(buffer.getvalue(), file_name="w.xlsx")
    assert (info.value.problems[0].code, info.value.problems[0].row) == ("too_many_columns", 2)


def test_an_ordinary_workbook_passes_the_ratio_check():
    data = (Path(__file__).resolve().parent / "fixtures" / "ingest" / "ok_workbook_first_sheet.xlsx").read_bytes()
    assert len(ingest.read_observations(data, file_name="ok.xlsx")) == 2


def test_the_upload_and_unpacked_limits_stand():
    assert ingest.DEFAULT_MAX_BYTES == 50 * 1024 * 1024
    assert ingest.MAX_XLSX_UNPACKED == 1024 * 1024 * 1024
    assert ingest.MAX_COLUMNS == 200


# ---------------------------------------------------------------------- the limits an analyst meets
def test_size_limit_by_argument_and_setting(store, monkeypatch, tmp_path):
    before = store.checksum()
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, fixture("ok_canonical_utf8_lf.csv"), ANALYST, max_bytes=100)
    assert info.value.problems[0].code == "file_too_large"
    monkeypatch.setenv(ingest.MAX_UPLOAD_ENV, "0,0001")
    with pytest.raises(ValidationError):
        ingest.import_observations(store, fixture("ok_canonical_utf8_lf.csv").read_bytes(), ANALYST, file_name="x.csv")
    monkeypatch.delenv(ingest.MAX_UPLOAD_ENV)
    # the default 50 MB: a 51 MB (sparse) file is refused from its size alone, before it is read
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.truncate(51 * 2**20)
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, big, ANALYST)
    assert "51 MB" in info.value.problems[0].text("en") and "50 MB" in info.value.problems[0].text("en")
    assert store.checksum() == before


def test_problems_are_capped_with_a_count_of_the_rest(store, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("target_id,year,value\n" + "".join(f"eud_share,{1900 + i % 150},x{i}\n" for i in range(450)))
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, path, ANALYST)
    problems = info.value.problems
    assert len(problems) == ingest.MAX_PROBLEMS + 1
    assert problems[-1].code == "too_many" and problems[-1].params["count"] == 450 - ingest.MAX_PROBLEMS


def test_warnings_are_capped_but_counted(store, tmp_path):
    path = tmp_path / "sparse.csv"
    path.write_text("target_id,year,value\n" + "eud_share,2024,..\n" * 600 + "eud_share,2024,13.9\n")
    result = ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert result.plan.counts["skipped"] == 600 and result.plan.counts["added"] == 1
    assert len(result.plan.skipped) == ingest.MAX_WARNINGS + 1
    assert result.plan.skipped[-1].code == "more_warnings"
