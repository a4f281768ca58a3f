"""Exports: the status workbook and CSV (formula-like text inert), and backup -> restore -> backup exactly."""

from __future__ import annotations

import filecmp
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from metrics.database import open_store
from metrics import audit, backup, cli, commentary, export, ingest
from metrics import store as store_mod
from metrics.model import MalsporError, PermissionDenied
from metrics.seed import seed
from metrics.store import Store
from tests.conftest import ADMIN, ANALYST, old_schema_database, write_csv, MARKED

YEAR = 2026
HOSTILE = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)", "<script>alert(1)</script>"]


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def busy(store: Store, tmp_path: Path) -> None:
    """Give the database history: a revising import, an undone import, commentary."""
    first = write_csv(tmp_path / "a.csv", "target_id,year,value,source\neud_share,2023,15,Ny kilde\n"
                                          "dk2020_climate_plans,2025,28,KKR\n")
    ingest.import_observations(store, first, ANALYST)
    second = write_csv(tmp_path / "b.csv", "target_id,year,value,source\neud_share,2023,16,Igen\n")
    result = ingest.import_observations(store, second, ANALYST)
    ingest.undo_batch(store, result.batch_id, ANALYST)
    commentary.save(store, ANALYST, target_id="eud_share", year=YEAR, text="Første.")
    commentary.save(store, ANALYST, target_id="eud_share", year=YEAR, text="Anden.")
    commentary.save(store, ANALYST, focus_area_id="faglaerte", year=YEAR, text="FA.")


def next_values(store: Store) -> list[int]:
    with store.read() as cur:
        return [cur.execute(f"SELECT nextval('{s}')").fetchall()[0][0]
                for s in ("batch_id_seq", "history_id_seq", "initiative_id_seq", "commentary_id_seq")]


def make_hostile(store: Store) -> None:
    with store.write(ADMIN, "edit_targets") as cur:
        for tid, name in zip(("eud_share", "stem_admissions", "waste_recycling", "neet_youth", "rail_one_hour"),
                             HOSTILE):
            cur.execute("UPDATE target_definitions SET name_da = ?, name_en = ? WHERE target_id = ?", [name, name, tid])
        cur.execute("UPDATE observations SET source = ? WHERE target_id = 'eud_share' AND year = 2022", [HOSTILE[0]])
        audit.record(cur, ADMIN, "test_hostile_names", "targets", "eud_share", None, {"names": HOSTILE})
    commentary.save(store, ANALYST, target_id="eud_share", year=YEAR, text=HOSTILE[3])


# ------------------------------------------------------------------ backup and restore
def without_audit(values):
    """Everything but the audit trail (and its sequence), which records the restore itself."""
    if isinstance(values, dict):
        return {k: v for k, v in values.items() if "audit" not in k}
    return [v for v in values if "audit" not in str(v)]


def test_backup_restore_backup_gives_identical_files(store, tmp_path):
    busy(store, tmp_path)
    assert store.scalar("SELECT count(*) FROM observation_history") > 0
    first = tmp_path / "first"
    manifest = backup.backup(store, first)
    assert manifest["schema_version"] == store_mod.SCHEMA_VERSION and manifest["tables"]["commentary"]["rows"] == 3
    with open_store(tmp_path / "restored.duckdb", seed=False) as restored:
        counts = backup.restore(restored, first, ADMIN)
        assert counts["observations"] == store.scalar("SELECT count(*) FROM observations")
        # every table and schema_version as it was; the audit trail has one row more: the restore itself
        assert without_audit(restored.checksum()) == without_audit(store.checksum())
        trail = audit.read(restored, limit=None)
        assert len(trail) == len(audit.read(store, limit=None)) + 1 and trail.iloc[0]["action"] == "restore"
        second = tmp_path / "second"
        backup.backup(restored, second)
        # the targets view works over the restored tables
        assert restored.scalar("SELECT count(*) FROM targets") == 11
        assert without_audit(next_values(restored)) == without_audit(next_values(store))
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    data_files = [n for n in names if n not in ("audit_log.parquet", "manifest.json", "manifest.sig")]
    match, mismatch, errors = filecmp.cmpfiles(first, second, data_files, shallow=False)
    assert mismatch == [] and errors == [] and sorted(match) == data_files


def test_backup_files_are_plain_parquet_with_a_manifest(store, tmp_path):
    backup.backup(store, tmp_path / "b")
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert set(manifest["tables"]) == set(store_mod.TABLES) | {"schema_version"}
    obs = pq.read_table(tmp_path / "b" / "observations.parquet").to_pandas()
    assert len(obs) == 49 and {"source", "data_class", "batch_id"} <= set(obs.columns)
    assert manifest["sequences"]["batch_id_seq"]["last_value"] == 1


def test_restore_refuses_a_database_with_data(store, tmp_path):
    backup.backup(store, tmp_path / "b")
    before = store.checksum()
    with pytest.raises(MalsporError, match="already holds data"):
        backup.restore(store, tmp_path / "b", ADMIN)
    assert store.checksum() == before


def test_restore_needs_an_administrator(store, tmp_path):
    backup.backup(store, tmp_path / "b")
    with open_store(tmp_path / "new.duckdb", seed=False) as target:
        with pytest.raises(PermissionDenied):
            backup.restore(target, tmp_path / "b", ANALYST)
        assert target.is_empty()


def test_restore_refuses_damaged_foreign_or_newer_backups(store, tmp_path):
    folder = tmp_path / "b"
    backup.backup(store, folder)
    with open_store(tmp_path / "new.duckdb", seed=False) as target:
        with pytest.raises(MalsporError, match="not a folder"):
            backup.restore(target, tmp_path / "nope", ADMIN)
        (tmp_path / "empty").mkdir()
        with pytest.raises(MalsporError, match="not a Målspor backup"):
            backup.restore(target, tmp_path / "empty", ADMIN)
        manifest = json.loads((folder / "manifest.json").read_text())
        newer = dict(manifest, schema_version=99)
        (folder / "manifest.json").write_text(json.dumps(newer))
        with pytest.raises(MalsporError, match="newer"):
            backup.restore(target, folder, ADMIN)
        (folder / "manifest.json").write_text(json.dumps(manifest))
        data = bytearray((folder / "themes.parquet").read_bytes())
        data[-20] ^= 0xFF
        (folder / "themes.parquet").write_bytes(bytes(data))
        with pytest.raises(MalsporError, match="damaged"):
            backup.restore(target, folder, ADMIN)
        assert target.is_empty()


def test_a_failing_restore_writes_nothing(store, tmp_path):
    """A backup whose rows break a constraint (checksums made to match) is rolled back whole."""
    folder = tmp_path / "b"
    backup.backup(store, folder)
    obs = pq.read_table(folder / "observations.parquet").to_pandas()
    obs.loc[0, "target_id"] = "no_such_target"
    obs.to_parquet(folder / "observations.parquet", index=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["observations"]["sha256"] = backup._sha256(folder / "observations.parquet")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with open_store(tmp_path / "new.duckdb", seed=False) as target:
        with pytest.raises(MalsporError, match="signature"):
            backup.restore(target, folder, ADMIN)  # the checksums were made to match, the signature cannot be
        with pytest.raises(MalsporError, match="unknown target no_such_target"):
            backup.restore(target, folder, ADMIN, allow_unsigned=True)
        assert all(target.scalar("SELECT count(*) FROM " + t) == 0 for t in store_mod.TABLES)
        assert target.schema_version() == store_mod.SCHEMA_VERSION
        # and a good backup still goes in afterwards
        good = tmp_path / "good"
        backup.backup(store, good)
        backup.restore(target, good, ADMIN)
        assert without_audit(target.checksum()) == without_audit(store.checksum())


@pytest.mark.duckdb_only
def test_a_version_1_backup_restores_into_the_current_schema(isolated_db, tmp_path, monkeypatch):
    """An old backup restores to what migrating the old database gives (migration 5 renamed ``note``)."""
    old_schema_database(isolated_db, 1)  # version 1 had no audit trail, and one English note
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:1])
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", 1)
    v1_tables = tuple(t for t in store_mod.TABLES
                      if t not in ("commentary", "local_users", "role_mappings", "audit_log"))
    monkeypatch.setattr(store_mod, "TABLES", v1_tables)
    monkeypatch.setattr(backup, "BACKUP_TABLES", (*v1_tables, "schema_version"))
    with open_store(isolated_db, seed=seed) as old:
        backup.backup(old, tmp_path / "v1")
    monkeypatch.undo()
    monkeypatch.setenv("MALSPOR_BACKUP_KEY", "a-test-key-for-signed-backups")
    with open_store(isolated_db, seed=seed) as migrated:  # the same old database, migrated in place
        old_sums = {t: s for t, s in migrated.checksum().items() if t in v1_tables}
        assert migrated.scalar("SELECT count(*) FROM observations WHERE note_en IS NOT NULL") > 20
    manifest = json.loads((tmp_path / "v1" / "manifest.json").read_text())
    assert manifest["schema_version"] == 1 and "commentary" not in manifest["tables"]
    with open_store(tmp_path / "new.duckdb", seed=False) as target:
        backup.restore(target, tmp_path / "v1", ADMIN)
        sums = target.checksum()
        assert {t: sums[t] for t in old_sums} == old_sums
        versions = target.query_df("SELECT version FROM schema_version ORDER BY 1")["version"].tolist()
        assert versions == [m[0] for m in store_mod.MIGRATIONS]
        commentary.save(target, ANALYST, target_id="eud_share", year=YEAR, text="Virker.")


def test_backup_refuses_a_folder_with_files(store, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    with pytest.raises(MalsporError, match="not an empty folder"):
        backup.backup(store, tmp_path / "full")


def test_backup_zip_holds_the_folder(store):
    data = backup.backup_zip(store)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "malspor-backup/manifest.json" in names and "malspor-backup/observations.parquet" in names


def test_cli_backup_and_restore(tmp_path):
    code, out, err = run("init")
    code, out, err = run("backup", "--out", str(tmp_path / "b"))
    assert code == 0 and "Restore with" in out, err
    code, out, err = run("restore", str(tmp_path / "b"), "--db", str(tmp_path / "r.duckdb"))
    assert code == 0 and "Restored" in out and "49 observations" in out, err
    code, _, err = run("restore", str(tmp_path / "b"), "--db", str(tmp_path / "r.duckdb"))
    assert code == 1 and "already holds data" in err
    code, _, err = run("restore", str(tmp_path / "nothing"), "--db", str(tmp_path / "r2.duckdb"))
    assert code == 2 and "No such folder" in err
    assert not (tmp_path / "r2.duckdb").exists()
    (tmp_path / "junk").mkdir()
    code, _, err = run("restore", str(tmp_path / "junk"), "--db", str(tmp_path / "r3.duckdb"))
    assert code == 1 and "not a Målspor backup" in err and not (tmp_path / "r3.duckdb").exists()


# ------------------------------------------------------------------ the status workbook and CSV
def test_status_workbook_has_status_observations_and_notes(store):
    wb = openpyxl.load_workbook(io.BytesIO(export.status_workbook(store, YEAR, "da")))
    assert wb.sheetnames == ["Status 2026", "Observationer", "Om tallene"]
    status = wb["Status 2026"]
    header = [c.value for c in status[1]]
    assert header[:4] == ["Mål-id", "Tema", "Indsatsområde", "Mål"] and "Status" in header and "Kommentar" in header
    rows = {r[0]: dict(zip(header, r)) for r in status.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 11
    eud = rows["eud_share"]
    assert eud["Status"].startswith("✖ bevæger sig væk fra målet (")
    assert "frist overskredet, tal for 2025 mangler" in eud["Status"]
    assert eud["Statuskode"] == "moving_away"
    assert eud["Seneste værdi"] == 13 and eud["Målværdi"] == 30 and eud["Seneste år"] == 2023
    assert "eksempeldata" in eud["Data"]
    assert status.freeze_panes == "A2" and status.auto_filter.ref
    obs = wb["Observationer"]
    obs_header = [c.value for c in obs[1]]
    obs_rows = [dict(zip(obs_header, r)) for r in obs.iter_rows(min_row=2, values_only=True)]
    assert len(obs_rows) == 49 and all(r["Kilde"] for r in obs_rows)
    illustrative = [r for r in obs_rows if r["Dataklasse"] == "I"]
    assert illustrative and all(r["Data"] == "eksempeldata" for r in illustrative)
    en = openpyxl.load_workbook(io.BytesIO(export.status_workbook(store, YEAR, "en")))
    assert en.sheetnames == ["Status 2026", "Observations", "About the figures"]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_status_cells_in_excel_carry_the_marks(store, lang):
    from metrics import i18n, marks, progress

    wb = openpyxl.load_workbook(io.BytesIO(export.status_workbook(store, YEAR, lang)))
    ws = wb[f"Status {YEAR}"]
    header = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(header)}
    status_head, yes = i18n.t("xcol.status", lang), i18n.t("xcol.yes", lang)
    cells = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    with store.read() as cur:
        status = progress.compute_status(cur, as_of=YEAR)
    for r in status[status["is_primary_geography"]].to_dict("records"):
        cell = cells[r["target_id"]][col[status_head]]
        assert cell.value == marks.status_line(r, lang), r["target_id"]    # the marks in the status cell itself
    for tid, mark in MARKED[lang].items():
        assert mark in cells[tid][col[status_head]].value, tid
    stem = cells["stem_admissions"]
    assert stem[col[i18n.t("xcol.provisional", lang)]].value == yes
    assert all(c.fill.fgColor.rgb.endswith("FFF2CC") for c in stem)           # illustrative rows still shaded
    assert i18n.t("class.I", lang) in stem[col[i18n.t("xcol.data", lang)]].value   # and labelled
    waste = cells["waste_recycling"]
    assert waste[col[i18n.t("xcol.stale", lang)]].value == yes
    assert waste[col[i18n.t("xcol.next_expected", lang)]].value >= 2021
    assert cells["eud_share"][col[i18n.t("xcol.deadline_passed", lang)]].value == yes
    about = " ".join(str(c.value) for c in wb.worksheets[2]["A"])
    assert i18n.t("export.about_marks", lang) in about


def test_status_csv_carries_the_marks(store):
    frame = pd.read_csv(io.BytesIO(export.status_csv(store, YEAR, "da"))).set_index("target_id")
    for tid, mark in MARKED["da"].items():
        assert mark in frame.loc[tid, "status_text"], tid
    assert bool(frame.loc["stem_admissions", "provisional"]) and bool(frame.loc["waste_recycling", "stale"])
    assert frame.loc["waste_recycling", "next_expected_year"] >= 2021


def test_observation_notes_are_in_the_readers_language(store):
    obs = store.query_df("SELECT * FROM observations")
    assert {"note_da", "note_en"} <= set(obs.columns)                      # method v2's schema
    both = obs[obs["note_da"].notna() & obs["note_en"].notna() & (obs["note_da"] != obs["note_en"])]
    assert len(both)
    da = export.observations_frame(store, "da")
    en = export.observations_frame(store, "en")
    notes_da, notes_en = set(da["note"].dropna()), set(en["note"].dropna())
    for r in both.to_dict("records"):
        assert r["note_da"] in notes_da and r["note_en"] not in notes_da
        assert r["note_en"] in notes_en


def test_hostile_names_are_inert_in_csv_excel_and_html(store):
    make_hostile(store)
    # CSV: every formula-like text cell starts with an apostrophe
    frame = pd.read_csv(io.BytesIO(export.status_csv(store, YEAR)), dtype=str, keep_default_na=False)
    names = set(frame["name"])
    for text in HOSTILE[:4]:
        assert "'" + text in names and text not in names
    assert "<script>alert(1)</script>" in names           # not a formula: left as text
    obs = pd.read_csv(io.BytesIO(export.observations_csv(store)), dtype=str, keep_default_na=False)
    assert "'" + HOSTILE[0] in set(obs["source"])
    # Excel: texts are text cells (never formulas), formula-like ones also quote-prefixed
    data = export.status_workbook(store, YEAR, "da")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name), name
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = {c.value: c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in HOSTILE[:4]:
        assert text in cells and cells[text].data_type == "s" and cells[text].quotePrefix, text
    assert "Første." not in cells                         # (no stray commentary)
    assert any(v.startswith("@SUM(A1)") for v in cells)   # the commentary column holds the text, inert
    # HTML memo: escaped
    from metrics import memo

    page = memo.to_html(memo.build_memo(store, YEAR, "da", charts=False)).decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_cli_export_xlsx(store, tmp_path):
    code, out, err = run("export", "--format", "xlsx", "--table", "status", "--year", str(YEAR),
                         "--out", str(tmp_path / "s.xlsx"), "--lang", "en")
    assert code == 0 and "11 rows" in out, err
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert wb.sheetnames[1] == "Observations"
    code, out, _ = run("export", "--format", "xlsx", "--table", "observations", "--out", str(tmp_path / "o.xlsx"))
    assert code == 0 and openpyxl.load_workbook(tmp_path / "o.xlsx").active.max_row == 50


def test_frame_csv_neutralises():
    data = export.frame_csv(pd.DataFrame({"a": ["=1+1", "ok"], "n": [-2.5, 3]}))
    assert data.decode() == "a,n\n'=1+1,-2.5\nok,3.0\n"


# ------------------------------------------------------------------ CSV inert for ',' and ';' readers (issue 11)
SEGMENTED = ["se note;=1+1;slut", "a,=HYPERLINK(\"http://x\")", "tekst; +SUM(A1)", "x;@cmd", "ok\n=1+1",
             "a;\t=1", 'a;"=1+1";b', "a; -3+4", "=1;=2,=3"]
PLAIN_NUMBER = __import__("re").compile(r"-?[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?")


def assert_inert(text: str) -> None:
    """Split the CSV as a ';' reader (Danish Excel) and a ',' reader would: no field starts a formula."""
    for sep in (";", ","):
        for line in text.replace("\r", "\n").split("\n"):
            for field in line.split(sep):
                bare = field.lstrip(' "')
                if PLAIN_NUMBER.fullmatch(bare.rstrip('"')):
                    continue  # a number, -2.5 included, is a number
                assert not bare.startswith(("=", "+", "-", "@", "\t")), (sep, field, line)


def test_neutralise_each_segment():
    assert export.neutralise("se note;=1+1;slut") == "se note;'=1+1;slut"
    assert export.neutralise("=1+1") == "'=1+1"
    assert export.neutralise("Region Hovedstaden, 2024") == "Region Hovedstaden, 2024"
    for text in SEGMENTED:
        assert_inert(export.neutralise(text))


def test_every_csv_the_product_writes_is_inert_for_semicolon_readers(store):
    with store.write(ADMIN, "edit_targets") as cur:
        cur.execute("UPDATE target_definitions SET name_da = ?, name_en = ? WHERE target_id = 'eud_share'",
                    [SEGMENTED[0], SEGMENTED[1]])
        cur.execute("UPDATE observations SET source = ?, note_da = ?, note_en = ? WHERE target_id = 'eud_share'",
                    [SEGMENTED[2], SEGMENTED[3], SEGMENTED[6]])
        cur.execute("UPDATE observations SET geography = ? WHERE target_id = 'stem_admissions' AND year = 2022",
                    [SEGMENTED[4]])
        audit.record(cur, ADMIN, "edit_targets", "targets", "eud_share", None, {"name": SEGMENTED[0]})
    commentary.save(store, ANALYST, target_id="eud_share", year=YEAR, text=SEGMENTED[8])
    frame = pd.DataFrame({"text": SEGMENTED, "n": range(len(SEGMENTED))})
    buffer = io.StringIO()
    export.safe_csv(frame, buffer)
    outputs = {
        "safe_csv": buffer.getvalue(), "frame_csv": export.frame_csv(frame).decode(),
        "status_csv": export.status_csv(store, YEAR).decode(), "observations_csv": export.observations_csv(store).decode(),
        "audit": export.frame_csv(audit.read(store)).decode(),
        "observations table": export.frame_csv(export.table_frame(store, "observations")).decode(),
    }
    for name, text in outputs.items():
        assert_inert(text)
    assert "se note;'=1+1;slut" in outputs["status_csv"] and "'=1;'=2,'=3" in outputs["status_csv"]
    # the text reads back as written, with the apostrophes
    assert pd.read_csv(io.StringIO(outputs["safe_csv"]))["text"].tolist()[0] == "se note;'=1+1;slut"


def test_the_upload_template_is_inert_for_semicolon_and_comma_readers(store):
    """A geography set by an administrator ends up in the analysts' template: it must not become a formula."""
    from metrics import ingest

    with store.write(ADMIN, "edit_targets") as cur:
        cur.execute("UPDATE target_definitions SET geography = '=HYPERLINK(1)' WHERE target_id = 'eud_share'")
        from metrics import audit
        audit.record(cur, ADMIN, "edit_targets", "targets", "eud_share", None, None)
    for lang, sep in (("da", ";"), ("en", ",")):
        text = ingest.template_csv(store, lang).decode("utf-8-sig")
        for line in text.splitlines()[1:]:
            for field in line.split(sep):
                assert not field.lstrip('"').startswith(("=", "+", "@")), field
