"""The `python -m metrics` command line: each subcommand, its output and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
from pathlib import Path
import pytest

from metrics.database import open_store
from metrics import cli, progress
from metrics.seed import seed
from tests.conftest import write_csv


@pytest.fixture(autouse=True)
def seeded(isolated_db):
    """A seeded database at $MALSPOR_DB: only init creates one, every other command refuses a missing file."""
    open_store(isolated_db, seed=seed).close()


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", ["init", "status", "import-targets", "import", "batches", "undo", "export"])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        cli.build_parser().parse_args([command, "--help"])
    assert info.value.code == 0
    assert "--db" in capsys.readouterr().out


def test_init_is_safe_twice_and_empty_stays_empty(tmp_path):
    fresh = str(tmp_path / "fresh.duckdb")
    code, out, _ = run("init", "--db", fresh)
    assert code == 0 and "created" in out and "11 targets" in out
    code, out, _ = run("init", "--db", fresh)
    assert code == 0 and "already existed" in out and "49 observations" in out
    code, out, _ = run("init", "--empty", "--db", str(tmp_path / "e.duckdb"))
    assert code == 0 and "0 targets" in out
    code, out, err = run("status", "--db", str(tmp_path / "e.duckdb"))
    assert code == 0 and "no targets yet" in err
    code, out, _ = run("status", "--db", str(tmp_path / "e.duckdb"), "--format", "json")
    assert code == 0 and json.loads(out) == []


def test_status_json_has_the_promised_keys():
    code, out, _ = run("status", "--year", "2026", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert all(list(r) == progress.JSON_KEYS for r in rows)
    eud = next(r for r in rows if r["target_id"] == "eud_share" and r["geography"] == "Region Hovedstaden")
    assert eud["status"] == "moving_away" and eud["deadline_passed"] is True and eud["data_class"] == "mixed"
    statuses = {r["status"] for r in rows}
    assert statuses <= set(progress.STATUS_COLUMNS) | set(__import__("metrics.model").model.STATUSES)
    # method v2: what each status rests on
    assert eud["provisional"] is True and eud["settled"] is False and eud["stale"] is True
    assert eud["next_expected_year"] == 2024                      # 2023 + interval 1 + lag 0
    by_id = {r["target_id"]: r for r in rows if r["geography"] in ("Danmark", "Hovedstadsområdet")}
    assert by_id["stem_admissions"]["provisional"] is True and by_id["stem_admissions"]["status"] == "on_track"
    assert by_id["waste_recycling"]["stale"] is True and by_id["district_heating_co2_neutral"]["stale"] is True
    assert by_id["renewable_electricity_share"]["provisional"] is False


def test_status_json_says_not_met_once_the_target_year_is_measured(tmp_path):
    """EUD: 30 % by 2025; a figure of 13.5 % for 2025 settles it as not met, whatever its trend."""
    path = write_csv(tmp_path / "eud2025.csv", "target_id,year,value,source\neud_share,2025,13.5,Ministeriet\n")
    assert run("import", str(path))[0] == 0
    code, out, _ = run("status", "--year", "2026", "--format", "json")
    eud = next(r for r in json.loads(out) if r["target_id"] == "eud_share" and r["geography"] == "Region Hovedstaden")
    assert code == 0 and eud["status"] == "not_met" and eud["settled"] is True and eud["stale"] is False
    # the verdict rests on the measured 2025 figure alone, not on the window's illustrative 2020 value
    assert eud["latest_year"] == 2025 and eud["provisional"] is False


def test_status_filters_and_formats(tmp_path):
    code, out, _ = run("status", "--geography", "Danmark", "--format", "csv")
    frame = pd.read_csv(io.StringIO(out))
    assert code == 0 and set(frame["geography"]) == {"Danmark"}
    code, out, _ = run("status")
    assert code == 0 and "eud_share" in out and "moving_away" in out
    code, _, err = run("status", "--geography", "Atlantis")
    assert code == 1 and "Known:" in err


def test_import_dry_run_then_commit_then_undo(tmp_path):
    path = write_csv(tmp_path / "obs.csv", "target_id,year,value,source\neud_share,2024,13.9,Ministeriet\n")
    code, out, _ = run("import", str(path), "--dry-run")
    assert code == 0 and "Dry run" in out and "1 added" in out
    code, out, _ = run("import", str(path), "--format", "json")
    payload = json.loads(out)
    assert code == 0 and payload["ok"] and payload["counts"]["added"] == 1
    code, out, _ = run("import", str(path))
    assert code == 0 and "Nothing to change" in out
    code, out, _ = run("batches", "--format", "json")
    batches = json.loads(out)
    assert batches[0]["file_name"] == "obs.csv" and batches[0]["state"] == "committed"
    code, out, _ = run("undo", str(payload["batch_id"]))
    assert code == 0 and "1 value removed" in out
    code, _, err = run("undo", str(payload["batch_id"]))
    assert code == 1 and "already undone" in err


def test_invalid_import_exits_1_with_json_errors(tmp_path):
    path = write_csv(tmp_path / "bad.csv", "target_id,year,value\neud_shar,2024,13.9\neud_share,1850,3\n")
    code, out, _ = run("import", str(path), "--format", "json")
    payload = json.loads(out)
    assert code == 1 and payload["ok"] is False
    assert [(e["row"], e["column"]) for e in payload["errors"]] == [(2, "target_id"), (3, "year")]
    assert set(payload["errors"][0]) == {"row", "column", "value", "message"}
    code, _, err = run("import", str(path))
    assert code == 1 and "Nothing was written" in err and "row 2, column 'target_id'" in err


def test_usage_errors_and_missing_files_exit_2(tmp_path):
    assert run("import", str(tmp_path / "nope.csv"))[0] == 2
    assert run("frobnicate")[0] == 2
    assert run("status", "--format", "xml")[0] == 2


def test_import_targets_from_cli(tmp_path):
    path = write_csv(tmp_path / "t.csv", "target_id,focus_area_id,name_da,name_en,unit,kind,baseline_year,"
                     "baseline_value,target_year,target_value,direction,source\n"
                     "bike_share,kollektiv_transport,Cykel,Bike,%,level,2020,20,2035,30,increase,s\n")
    code, out, _ = run("import-targets", str(path))
    assert code == 0 and "1 added" in out


def test_export_csv_neutralises_formulas_and_parquet_roundtrips(tmp_path):
    path = write_csv(tmp_path / "evil.csv", "target_id,year,value,source\neud_share,2024,13.9,=cmd|' /C calc'!A0\n")
    assert run("import", str(path))[0] == 0
    out_csv, out_pq = tmp_path / "o.csv", tmp_path / "o.parquet"
    assert run("export", "--format", "csv", "--out", str(out_csv))[0] == 0
    text = out_csv.read_text()
    assert "'=cmd|" in text and "\n=cmd" not in text and ",=cmd" not in text
    assert run("export", "--format", "parquet", "--out", str(out_pq))[0] == 0
    frame = pd.read_parquet(out_pq)
    assert len(frame) == 50 and frame["source"].str.startswith("=cmd").sum() == 1
    assert run("export", "--format", "csv", "--table", "status", "--out", str(out_csv))[0] == 0


@pytest.mark.duckdb_only
def test_locked_database_exits_2_naming_the_process(lock_holder):
    code, _, err = run("status")
    assert code == 2 and f"process {lock_holder.pid}" in err and "dashboard" in err


def test_module_entry_point_runs(isolated_db):
    proc = subprocess.run([sys.executable, "-m", "metrics", "status", "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and json.loads(proc.stdout)


# ------------------------------------------------------------------ import options (issue 4)
FIXTURES = __import__("pathlib").Path(__file__).resolve().parent / "fixtures" / "ingest"


def test_import_reads_a_chosen_sheet_and_a_danish_file():
    code, out, err = run("import", str(FIXTURES / "ok_workbook_chosen_sheet.xlsx"), "--dry-run")
    assert code == 1 and "has only one column" in err
    code, out, _ = run("import", str(FIXTURES / "ok_workbook_chosen_sheet.xlsx"), "--sheet", "Data", "--dry-run")
    assert code == 0 and "1 added" in out and "sheet 'Data'" in out
    code, out, _ = run("import", str(FIXTURES / "ok_utf8_bom_crlf_semicolon.csv"), "--lang", "da", "--year", "2026")
    assert code == 0 and "Importeret" not in out and "er importeret som kørsel 2: 1 tilføjet, 1 revideret" in out
    assert "revideret eud_share / Region Hovedstaden / 2023: 13 -> 13,2" in out


def test_import_size_limit_and_bad_sizes():
    code, _, err = run("import", str(FIXTURES / "ok_canonical_utf8_lf.csv"), "--max-size", "0.0001")
    assert code == 1 and "The file is 198 B and the limit is 104 B" in err
    assert run("import", str(FIXTURES / "ok_canonical_utf8_lf.csv"), "--max-size", "lots")[0] == 2
    assert run("import", str(FIXTURES / "ok_canonical_utf8_lf.csv"), "--max-size", "-5")[0] == 2


def test_a_commit_lists_status_changes_when_asked_and_says_how_otherwise(tmp_path):
    path = write_csv(tmp_path / "met.csv", "target_id,year,value\neud_share,2024,30\n")
    code, out, _ = run("import", str(path), "--year", "2026")
    assert code == 0 and "--dry-run shows them before an import" in out and "moving away" not in out.lower()
    run("undo", "2")
    code, out, _ = run("import", str(path), "--year", "2026", "--status", "--lang", "da")
    assert code == 0 and "eud_share" in out and "mål nået" in out and "--dry-run viser" not in out


def test_import_json_lists_status_changes_and_danish_errors(tmp_path):
    path = write_csv(tmp_path / "met.csv", "target_id,year,value\neud_share,2024,30\n")
    code, out, _ = run("import", str(path), "--dry-run", "--format", "json", "--year", "2026")
    payload = json.loads(out)
    assert code == 0 and {"target_id": "eud_share", "geography": "Region Hovedstaden", "as_of": 2026,
                          "before": "moving_away", "after": "met"} in payload["status_changes"]
    code, out, _ = run("import", str(FIXTURES / "bad_year_text.csv"), "--format", "json", "--lang", "da")
    assert code == 1 and json.loads(out)["errors"][0]["message"].startswith("Året skal være et helt tal")


# ---------------------------------------------------------------------- issue 11: the dry run's rows, the seed's undo
def test_import_dry_run_text_says_what_a_revision_writes_over_as_the_page_does(store, tmp_path):
    path = write_csv(tmp_path / "tal.csv", "Indikator;År;Værdi;Område;Kilde\r\n"
                                           "eud_share;2023;13,2;Region Hovedstaden;Ny kilde\r\n", encoding="cp1252")
    code, out, _ = run("import", str(path), "--dry-run", "--lang", "da")
    assert code == 0
    assert ("  række 2 skriver også over: kilde: »Københavns Malerlaug, nyhedsbrev, med tal fra ministeriets…« → "
            "»Ny kilde«; note (dansk) fjernes: »Afrundet til hele procent i kilden.«; note (engelsk) fjernes: "
            "»Rounded to whole per cent in the source.«\n") in out
    code, out, _ = run("import", str(path), "--dry-run")
    assert "  row 2 also writes over: source: “Københavns Malerlaug" in out
    code, out, _ = run("import", str(path))  # a commit: the preview was the dry run
    assert code == 0 and "also writes over" not in out


def test_import_dry_run_json_lists_each_change_with_its_row_and_old_value(store, tmp_path):
    path = write_csv(tmp_path / "tal.csv", "Indikator;År;Værdi;Område\r\n"
                                           "eud_share;2023;13,2;Region Hovedstaden\r\n"
                                           "stem_admissions;2024;17.612;Danmark\r\n", encoding="cp1252")
    code, out, _ = run("import", str(path), "--dry-run", "--format", "json")
    payload = json.loads(out)
    assert code == 0 and payload["dry_run"] is True and payload["changes_more"] == 0
    assert payload["changes"] == [
        {"row": 2, "target_id": "eud_share", "geography": "Region Hovedstaden", "year": 2023,
         "old_value": 13.0, "new_value": 13.2, "action": "revise",
         # the file has no source or notes: the revision writes over 2023's
         "replaced": [{"field": "source", "old": "Københavns Malerlaug, nyhedsbrev, med tal fra ministeriets datavarehus",
                       "new": "Import: tal.csv"},
                      {"field": "note_da", "old": "Afrundet til hele procent i kilden.", "new": None},
                      {"field": "note_en", "old": "Rounded to whole per cent in the source.", "new": None}]},
        {"row": 3, "target_id": "stem_admissions", "geography": "Danmark", "year": 2024,
         "old_value": None, "new_value": 17612.0, "action": "add", "replaced": []},
    ]
    assert all(list(c) == ["row", "target_id", "geography", "year", "old_value", "new_value", "action", "replaced"]
               for c in payload["changes"])
    code, out, _ = run("batches", "--format", "json")
    assert len(json.loads(out)) == 1  # the dry run wrote no batch


def test_undo_of_the_seed_is_refused_without_include_seed(isolated_db):
    run("init")
    with open_store(isolated_db, seed=seed) as store:
        before = store.checksum()
    code, _, err = run("undo", "1")
    assert code == 1 and "is the seed data" in err and "--include-seed" in err
    code, _, err = run("undo", "1", "--lang", "da")
    assert code == 1 and "er startdata" in err
    with open_store(isolated_db, seed=seed) as store:
        assert store.checksum() == before
    code, out, _ = run("undo", "1", "--include-seed")
    assert code == 0 and "49 values removed" in out


# ------------------------------------------------------------------ read-only commands never create (issue 11)
READ_AND_WRITE_COMMANDS = [
    ["status"], ["status", "--format", "json"], ["batches"], ["audit"], ["audit", "--verify"], ["user", "list"],
    ["export", "--format", "csv", "--out", "{tmp}/o.csv"], ["backup", "--out", "{tmp}/b"],
    ["report", "--format", "md", "--no-charts", "--out", "{tmp}/m.md"], ["commentary", "list"],
    ["commentary", "set", "--target", "eud_share", "--year", "2026", "--text", "x"], ["undo", "1"],
]


def _foreign_duckdb(path) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE themes (id INTEGER, colour VARCHAR)")
    con.execute("INSERT INTO themes VALUES (1, 'dark'), (2, 'light')")
    con.execute("CREATE TABLE settings (k VARCHAR, v VARCHAR)")
    con.close()


def _tables_checksum(path) -> dict:
    import hashlib

    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        return {n: hashlib.sha256(repr(con.execute(f"SELECT * FROM {n} ORDER BY ALL").fetchall()).encode()).hexdigest()
                for n in names}
    finally:
        con.close()


@pytest.mark.parametrize("command", READ_AND_WRITE_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_no_command_but_init_creates_a_database(tmp_path, command):
    missing = tmp_path / "typo.duckdb"
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    code, out, err = run(*args, "--db", str(missing))
    said = out + err  # --format json says it in the JSON
    assert code == 1 and "There is no database" in said and "run init first" in said, (out, err)
    assert not missing.exists() and not list(tmp_path.glob("typo*"))
    assert not (tmp_path / "o.csv").exists() and not (tmp_path / "b").exists()


def test_import_and_import_targets_refuse_a_missing_database(tmp_path):
    path = write_csv(tmp_path / "o.csv", "target_id,year,value\neud_share,2024,14\n")
    for command in (["import", str(path)], ["import-targets", str(path)]):
        code, _, err = run(*command, "--db", str(tmp_path / "typo.duckdb"))
        assert code == 1 and "There is no database" in err
    assert not (tmp_path / "typo.duckdb").exists()


@pytest.mark.parametrize("command", [["status"], ["init"], ["batches"], ["audit", "--verify"], ["user", "list"]])
def test_another_programs_duckdb_file_is_refused_and_left_as_it_was(tmp_path, command):
    other = tmp_path / "other.duckdb"
    _foreign_duckdb(other)
    before, size = _tables_checksum(other), other.stat().st_size
    code, out, err = run(*command, "--db", str(other))
    assert code == 1 and "another program" in err and "themes" in err and "Nothing was written" in err, (out, err)
    assert "Traceback" not in err
    assert _tables_checksum(other) == before and set(before) == {"themes", "settings"}
    assert other.stat().st_size == size


def test_a_text_file_or_a_folder_is_not_a_database(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 50)
    for command in (["status"], ["init"]):
        code, _, err = run(*command, "--db", str(text))
        assert code == 1 and "not a Målspor database" in err
    assert text.read_text() == "not a database\n" * 50
    code, _, err = run("status", "--db", str(tmp_path))
    assert code == 1 and "is a folder" in err


def test_init_on_a_full_disk_says_what_to_free_and_leaves_no_file(tmp_path, monkeypatch):
    import errno

    def full(store, data_dir=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("metrics.seed.seed", full)
    new = tmp_path / "new.duckdb"
    code, _, err = run("init", "--db", str(new))
    assert code == 1 and "is full" in err and "Free space" in err and str(tmp_path) in err
    assert "Traceback" not in err and not new.exists() and not (tmp_path / "new.duckdb.wal").exists()
    # the same for DuckDB's own error on a full disk
    import duckdb

    def full_duckdb(store, data_dir=None):
        raise duckdb.IOException('Could not write file "x": No space left on device')

    monkeypatch.setattr("metrics.seed.seed", full_duckdb)
    code, _, err = run("init", "--db", str(new))
    assert code == 1 and "is full" in err and not new.exists()


def test_init_on_a_really_full_disk(tmp_path):
    """A 64 kB tmpfs (where mounting is allowed): DuckDB's failure is read as a full disk, no file is left."""
    import shutil
    import subprocess as sp

    mount = tmp_path / "tiny"
    mount.mkdir()
    if shutil.which("mount") is None or sp.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                                               capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        code, _, err = run("init", "--db", str(mount / "m.duckdb"))
        assert code == 1 and "is full" in err and "Free space" in err and list(mount.iterdir()) == []
    finally:
        sp.run(["umount", str(mount)], check=False)


def test_export_on_a_full_disk_keeps_no_half_file(tmp_path, monkeypatch):
    import errno

    from metrics import export

    def half(frame, out):
        Path(out).write_text("target_id,na")
        raise OSError(errno.ENOSPC, "No space left on device", str(out))

    monkeypatch.setattr(export, "safe_csv", half)
    code, _, err = run("export", "--format", "csv", "--out", str(tmp_path / "o.csv"))
    assert code == 1 and "is full" in err and "Free space" in err and not (tmp_path / "o.csv").exists()


def test_out_a_folder_is_said_in_words(tmp_path):
    for command in (["export", "--format", "csv"], ["export", "--format", "xlsx", "--table", "status"],
                    ["report", "--format", "html", "--no-charts"]):
        code, _, err = run(*command, "--out", str(tmp_path))
        assert code == 1 and "is a folder" in err and "Traceback" not in err, err


def test_a_binary_or_foreign_commentary_file_is_said_in_words(tmp_path):
    cases = {"binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "not a text file"),
             "latin1": ("Målet er nået".encode("latin-1"), "not UTF-8"),
             "huge": (b"x" * (300 * 1024), "larger than")}
    for name, (data, said) in cases.items():
        path = tmp_path / f"{name}.txt"
        path.write_bytes(data)
        code, _, err = run("commentary", "set", "--target", "eud_share", "--year", "2026", "--file", str(path))
        assert code == 1 and said in err, (name, err)
    code, out, _ = run("commentary", "list", "--format", "json")
    assert out.strip() == "[]"


@pytest.mark.parametrize("args", [
    ["audit", "--limit", "0"], ["audit", "--limit", "-5"], ["audit", "--limit", "10000000000000"],
    ["audit", "--limit", "many"], ["status", "--year", "99999"], ["status", "--year", "-1"],
    ["status", "--year", "1e9"], ["export", "--format", "csv", "--table", "status", "--year", "3000", "--out", "x.csv"],
    ["commentary", "list", "--year", "12345678901234567890"], ["undo", "99999999999"], ["undo", "-1"],
])
def test_out_of_range_numbers_are_usage_errors(args, capsys):
    code, out, err = run(*args)
    captured = capsys.readouterr().err
    assert code == 2 and "Traceback" not in captured and ("must be from" in captured or "not a" in captured
                                                           or "no batch" in captured), captured


def test_audit_csv_and_status_csv_are_inert_for_semicolon_readers(store, tmp_path):
    from metrics import commentary

    commentary.save(store, cli.cli_actor(), target_id="eud_share", year=2026, text="se note;=1+1;slut")
    for command in (["audit", "--format", "csv"], ["status", "--format", "csv"], ["batches", "--format", "csv"]):
        code, out, _ = run(*command)
        assert code == 0
        for sep in (";", ","):
            for line in out.splitlines():
                for field in line.split(sep):
                    text = field.lstrip(' "')
                    assert not text.startswith(("=", "+", "@", "\t", "\r")), (command, sep, field)
                    assert not text.startswith("-") or text[1:2].isdigit() or text[1:2] == "", (command, sep, field)


# ---------------------------------------------------------------------- start-up (issue 12): only what a command needs
def test_the_parsers_choices_and_defaults_are_the_modules_own(monkeypatch, tmp_path):
    """The parser spells them out so that building it imports none of these modules."""
    from metrics import export, ingest, store
    from metrics import memo as report

    assert cli.EXPORT_FORMATS == tuple(export.FORMATS) and cli.EXPORT_TABLES == tuple(export.EXPORTABLE)
    assert cli.MEMO_FORMATS == tuple(report.FORMATS) and cli.MEMO_DETAILS == tuple(report.DETAILS)
    assert cli.MEMO_FULL_LIMIT == report.FULL_LIMIT
    assert cli.MAX_UPLOAD_ENV == ingest.MAX_UPLOAD_ENV and cli.DEFAULT_MAX_MB * 2**20 == ingest.DEFAULT_MAX_BYTES
    assert cli.default_db_path() == store.default_db_path()  # $MALSPOR_DB set by the fixture
    monkeypatch.delenv("MALSPOR_DB")
    assert cli.default_db_path() == store.default_db_path() == store.DATA_DIR / "malspor.duckdb"


#: Libraries no command of these needs: the memo's (fpdf2, python-docx, Plotly), Excel's, the dashboard's.
NEVER_FOR_STATUS = {"fpdf", "docx", "openpyxl", "plotly", "streamlit", "kaleido"}


def _imported(*args: str) -> set[str]:
    """The top-level packages a fresh ``python -m metrics ARGS`` imported (from ``-X importtime``)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "metrics", *args], capture_output=True,
                          text=True, cwd=Path(cli.__file__).resolve().parent.parent, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize("args", [["--help"], ["status", "--help"], ["report", "--help"], ["export", "--help"]])
def test_help_starts_without_pandas_duckdb_or_the_memo(args):
    modules = _imported(*args)
    tops = {m.split(".")[0] for m in modules}
    assert not tops & (NEVER_FOR_STATUS | {"pandas", "numpy", "pyarrow", "duckdb"})
    assert {m for m in modules if m.startswith("metrics.")} == {"metrics.cli", "metrics.model"}


def test_status_imports_the_store_and_the_engine_not_ingest_export_or_the_memo(isolated_db):
    modules = _imported("status", "--db", str(isolated_db), "--format", "json")
    assert not {m.split(".")[0] for m in modules} & NEVER_FOR_STATUS
    assert {"metrics.store", "metrics.progress"} <= modules
    above = ("metrics.ingest", "metrics.export", "metrics.report", "metrics.memo", "metrics.views", "metrics.charts")
    assert not [m for m in modules if m.startswith(above)]
