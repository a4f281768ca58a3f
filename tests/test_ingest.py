"""Observation and target imports in the canonical format: validation, batches, undo."""

from __future__ import annotations

import io
import json
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import ingest
from metrics.model import MalsporError, PermissionDenied, ValidationError
from metrics.seed import seed
from metrics.store import PROJECT_ROOT, Store
from tests.conftest import ADMIN, ANALYST, VIEWER, write_csv

HEADER = "target_id,year,value,geography,source,note,data_class\n"


def data_checksum(store) -> dict[str, str]:
    """The checksum of every table but the audit trail, which records even an import that changed nothing."""
    return {table: digest for table, digest in store.checksum().items() if table != "audit_log"}


def _problems(store, tmp_path, text):
    before = store.checksum()
    path = write_csv(tmp_path / "in.csv", text)
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, path, ANALYST)
    assert store.checksum() == before, "a rejected import must write nothing"
    return info.value.problems


def test_import_adds_a_batch_and_reimport_changes_nothing(store, tmp_path):
    path = write_csv(tmp_path / "new.csv", HEADER + "eud_share,2024,13.8,,Ministeriet 2024,,R\n"
                                                     "eud_share,2025,14.1,,Ministeriet 2025,,R\n")
    result = ingest.import_observations(store, path, ANALYST)
    assert result.batch_id is not None and result.plan.counts["added"] == 2
    stored = store.observations("eud_share", "Region Hovedstaden").set_index("year")
    assert stored.loc[2024, "value"] == 13.8 and stored.loc[2024, "batch_id"] == result.batch_id
    before = data_checksum(store)
    again = ingest.import_observations(store, path, ANALYST)
    assert again.batch_id is None and again.plan.counts["unchanged"] == 2
    assert data_checksum(store) == before


def test_revision_keeps_history_and_undo_restores(store, tmp_path):
    before = store.checksum()
    path = write_csv(tmp_path / "rev.csv", HEADER + "eud_share,2023,13.2,,Ministeriet, revideret,R\n"
                                                     "eud_share,2024,13.9,,Ministeriet,,R\n")
    result = ingest.import_observations(store, path, ANALYST)
    assert result.plan.counts == {"added": 1, "revised": 1, "unchanged": 0, "skipped": 0}
    rev = result.plan.revisions().iloc[0]
    assert (rev["year"], rev["old_value"], rev["value"]) == (2023, 13.0, 13.2)
    history = store.query_df("SELECT * FROM observation_history")
    assert history["value"].tolist() == [13.0] and history["superseded_by"].tolist() == [result.batch_id]
    counts = ingest.undo_batch(store, result.batch_id, ANALYST)
    assert counts == {"removed": 1, "restored": 1}
    after = store.checksum()
    for table in ("observations", "target_definitions", "themes", "initiatives"):
        assert after[table] == before[table], table
    assert store.batches().set_index("batch_id").loc[result.batch_id, "state"] == "undone"
    with pytest.raises(MalsporError, match="already undone"):
        ingest.undo_batch(store, result.batch_id, ANALYST)


def test_undo_refused_when_a_later_batch_revised_its_values(store, tmp_path):
    first = ingest.import_observations(store, write_csv(tmp_path / "a.csv", HEADER + "eud_share,2024,13.9,,s,,R\n"),
                                       ANALYST)
    second = ingest.import_observations(store, write_csv(tmp_path / "b.csv", HEADER + "eud_share,2024,14.2,,s,,R\n"),
                                        ANALYST)
    before = store.checksum()
    with pytest.raises(MalsporError, match=f"batch {second.batch_id}"):
        ingest.undo_batch(store, first.batch_id, ANALYST)
    assert store.checksum() == before
    ingest.undo_batch(store, second.batch_id, ANALYST)
    ingest.undo_batch(store, first.batch_id, ANALYST)
    assert 2024 not in store.observations("eud_share", "Region Hovedstaden")["year"].tolist()


def test_unknown_batch_is_refused(store):
    with pytest.raises(MalsporError, match="no import batch 999"):
        ingest.undo_batch(store, 999, ANALYST)


def test_viewer_may_not_import_or_undo(store, tmp_path):
    path = write_csv(tmp_path / "v.csv", HEADER + "eud_share,2024,13.9,,s,,R\n")
    before = store.checksum()
    with pytest.raises(PermissionDenied):
        ingest.import_observations(store, path, VIEWER)
    with pytest.raises(PermissionDenied):
        ingest.undo_batch(store, 1, VIEWER)
    assert store.checksum() == before


@pytest.mark.parametrize(("row", "column", "fragment"), [
    ("eud_shar,2024,13.9,,s,,R", "target_id", "Did you mean 'eud_share'"),
    ("eud_share,20x4,13.9,,s,,R", "year", "whole number from 1900 to 2100"),
    ("eud_share,2024.5,13.9,,s,,R", "year", "whole number"),
    ("eud_share,2024,abc,,s,,R", "value", "not a number"),
    ("eud_share,2024,134,,s,,R", "value", "natural bounds [0, 100]"),
    ("eud_share,2024,13.9,,s,,Q", "data_class", "R (real), D (derived) or I (illustrative)"),
    ("eud_share,2015,15,,s,,R", "value", "baseline"),
])
def test_each_bad_row_is_named_with_row_and_column(store, tmp_path, row, column, fragment):
    problems = _problems(store, tmp_path, HEADER + "eud_share,2024,13.9,,s,,R\n" + row + "\n")
    assert len(problems) == 1
    assert problems[0].row == 3 and problems[0].column == column
    assert fragment in problems[0].message


def test_same_key_twice_with_different_values_is_rejected(store, tmp_path):
    problems = _problems(store, tmp_path, HEADER + "eud_share,2024,13.9,,s,,R\neud_share,2024,14.0,,s,,R\n")
    assert [(p.row, p.column) for p in problems] == [(3, "value")]
    assert "row 2" in problems[0].message


def test_missing_required_column_is_reported(store, tmp_path):
    problems = _problems(store, tmp_path, "target_id,year\neud_share,2024\n")
    assert [(p.row, p.column) for p in problems] == [(1, "value")]


def test_empty_file_and_header_only_are_rejected(store, tmp_path):
    assert "empty" in _problems(store, tmp_path, "")[0].message
    assert "no data rows" in _problems(store, tmp_path, HEADER)[0].message


def test_missing_markers_are_skipped_not_zero(store, tmp_path):
    path = write_csv(tmp_path / "m.csv", HEADER + "eud_share,2024,..,,s,,R\neud_share,2025,14.5,,s,,R\n")
    result = ingest.import_observations(store, path, ANALYST)
    assert result.plan.counts["skipped"] == 1 and result.plan.skipped[0].row == 2
    assert 2024 not in store.observations("eud_share")["year"].tolist()


def test_dry_run_writes_nothing_and_reports(store, tmp_path):
    before = store.checksum()
    path = write_csv(tmp_path / "d.csv", HEADER + "eud_share,2023,13.5,,s,,R\n")
    result = ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert result.plan.counts["revised"] == 1 and store.checksum() == before
    payload = result.as_dict()
    assert payload["revised"][0]["old_value"] == 13.0 and json.dumps(payload)


def test_geography_defaults_to_the_targets_own(store, tmp_path):
    path = write_csv(tmp_path / "g.csv", "target_id,year,value\nstem_admissions,2024,17500\n")
    ingest.import_observations(store, path, ANALYST)
    row = store.observations("stem_admissions").query("year == 2024").iloc[0]
    assert row["geography"] == "Danmark" and row["source"] == "Import: g.csv"


# ------------------------------------------------------------------ targets
TARGET_HEADER = ("target_id,focus_area_id,name_da,name_en,unit,kind,baseline_year,baseline_value,target_year,"
                 "target_value,direction,lower_bound,upper_bound,source\n")


def test_import_targets_adds_and_updates(store, tmp_path):
    path = write_csv(tmp_path / "t.csv", TARGET_HEADER +
                     "bike_share,kollektiv_transport,Cykelandel,Cycling share,%,level,2020,20,2035,30,increase,0,100,s\n"
                     "eud_share,faglaerte,EUD,EUD,%,level,2015,14,2030,30,increase,0,100,ny kilde\n")
    counts = ingest.import_targets(store, path, ADMIN)
    assert counts == {"added": 1, "updated": 1}
    targets = store.targets().set_index("target_id")
    assert targets.loc["eud_share", "target_year"] == 2030 and targets.loc["bike_share", "kind"] == "level"


def test_a_target_with_observations_can_move_to_another_focus_area(store, tmp_path):
    path = write_csv(tmp_path / "t.csv", TARGET_HEADER +
                     "eud_share,stem,EUD,EUD,%,level,2015,14,2025,30,increase,0,100,s\n")
    ingest.import_targets(store, path, ADMIN)
    assert store.targets().set_index("target_id").loc["eud_share", "focus_area_id"] == "stem"
    assert len(store.observations("eud_share")) == 15


def test_analyst_may_not_edit_targets(store, tmp_path):
    path = write_csv(tmp_path / "t.csv", TARGET_HEADER +
                     "bike_share,kollektiv_transport,C,C,%,level,2020,20,2035,30,increase,0,100,s\n")
    with pytest.raises(PermissionDenied):
        ingest.import_targets(store, path, ANALYST)


@pytest.mark.parametrize(("row", "column", "fragment"), [
    ("x1,kollektiv_transport,C,C,%,level,2020,20,2019,30,increase,0,100,s", "target_year", "after the baseline"),
    ("x1,kollektiv_transport,C,C,%,level,2020,20,2035,10,increase,0,100,s", "direction", "does not fit"),
    ("x1,kollektiv_transport,C,C,%,level,2020,20,2035,130,increase,0,100,s", "target_value", "outside the bounds"),
    ("x1,kollektiv_trans,C,C,%,level,2020,20,2035,30,increase,0,100,s", "focus_area_id", "Did you mean"),
    ("x1,kollektiv_transport,C,C,%,sideways,2020,20,2035,30,increase,0,100,s", "kind", "level, relative or none"),
    ("X 1,kollektiv_transport,C,C,%,level,2020,20,2035,30,increase,0,100,s", "target_id", "slug"),
    ("eud_share,faglaerte,E,E,%,level,2015,15,2025,30,increase,0,100,s", "baseline_value", "must agree"),
])
def test_bad_target_definitions_are_rejected_atomically(store, tmp_path, row, column, fragment):
    before = store.checksum()
    path = write_csv(tmp_path / "t.csv", TARGET_HEADER +
                     "ok_one,kollektiv_transport,C,C,%,level,2020,20,2035,30,increase,0,100,s\n" + row + "\n")
    with pytest.raises(ValidationError) as info:
        ingest.import_targets(store, path, ADMIN)
    problems = info.value.problems
    assert any(p.row == 3 and p.column == column and fragment in p.message for p in problems), problems
    assert store.checksum() == before


def test_import_targets_sets_the_update_interval_publication_lag_short_names_and_notes(store, tmp_path):
    """Method v2: the staleness rule reads each target's interval and lag, editable through import-targets."""
    from metrics import progress

    header = TARGET_HEADER.rstrip("\n") + ",update_interval,publication_lag,short_name_da,short_name_en,note_da,note_en\n"
    path = write_csv(tmp_path / "t.csv", header +
                     "eud_share,faglaerte,EUD,EUD,%,level,2015,14,2025,30,increase,0,100,s,1,2,EUD-andel,VET share,"
                     "Dansk note,English note\n")
    with store.read() as cur:
        before = progress.compute_status(cur, as_of=2026, target_id="eud_share").iloc[0]
    assert bool(before["stale"])                    # 2026 - 2023 = 3 > 1 + 0 (the seed's lag)
    ingest.import_targets(store, path, ADMIN)
    eud = store.targets().set_index("target_id").loc["eud_share"]
    assert (eud["update_interval"], eud["publication_lag"]) == (1, 2)
    assert (eud["short_name_da"], eud["short_name_en"]) == ("EUD-andel", "VET share")
    assert (eud["note_da"], eud["note_en"]) == ("Dansk note", "English note")
    with store.read() as cur:
        after = progress.compute_status(cur, as_of=2026, target_id="eud_share").iloc[0]
    assert not after["stale"] and after["next_expected_year"] == 2026   # 2023 + 1 + 2


def test_an_older_target_file_gets_the_defaults_and_its_note_is_english(store, tmp_path):
    header = TARGET_HEADER.rstrip("\n") + ",note\n"
    path = write_csv(tmp_path / "t.csv", header +
                     "bike_share,kollektiv_transport,Cykelandel,Cycling share,%,level,2020,20,2035,30,increase,0,100,"
                     "s,Measured by survey.\n")
    ingest.import_targets(store, path, ADMIN)
    bike = store.targets().set_index("target_id").loc["bike_share"]
    assert (bike["update_interval"], bike["publication_lag"]) == (1, 1)
    assert bike["note_en"] == "Measured by survey." and pd.isna(bike["note_da"])


@pytest.mark.parametrize(("interval", "lag", "column"), [("0", "1", "update_interval"), ("1", "-1", "publication_lag"),
                                                          ("1.5", "1", "update_interval")])
def test_a_bad_interval_or_lag_is_rejected(store, tmp_path, interval, lag, column):
    before = store.checksum()
    header = TARGET_HEADER.rstrip("\n") + ",update_interval,publication_lag\n"
    path = write_csv(tmp_path / "t.csv", header +
                     f"x1,kollektiv_transport,C,C,%,level,2020,20,2035,30,increase,0,100,s,{interval},{lag}\n")
    with pytest.raises(ValidationError) as info:
        ingest.import_targets(store, path, ADMIN)
    assert any(p.row == 2 and p.column == column for p in info.value.problems), info.value.problems
    assert store.checksum() == before


def test_an_observation_note_is_stored_in_the_language_of_its_heading(store, tmp_path):
    """'bemærkning' fills the Danish note, 'note' the English one; a file may carry both."""
    danish = write_csv(tmp_path / "da.csv", "indikator;år;værdi;kilde;bemærkning\n"
                                            "eud_share;2024;13,8;Ministeriet;Foreløbigt tal\n")
    ingest.import_observations(store, danish, ANALYST)
    row = store.observations("eud_share", "Region Hovedstaden").set_index("year").loc[2024]
    assert row["note_da"] == "Foreløbigt tal" and pd.isna(row["note_en"])
    assert ingest.import_observations(store, danish, ANALYST).plan.counts["unchanged"] == 1
    both = write_csv(tmp_path / "both.csv", "target_id,year,value,source,bemærkning,note\n"
                                            "eud_share,2024,13.9,Ministeriet,Revideret,Revised\n")
    result = ingest.import_observations(store, both, ANALYST)
    assert result.plan.counts["revised"] == 1
    row = store.observations("eud_share", "Region Hovedstaden").set_index("year").loc[2024]
    assert (row["note_da"], row["note_en"]) == ("Revideret", "Revised")
    history = store.query_df("SELECT note_da, note_en FROM observation_history WHERE year = 2024")
    assert history["note_da"].tolist() == ["Foreløbigt tal"] and history["note_en"].isna().all()
    ingest.undo_batch(store, result.batch_id, ANALYST)
    row = store.observations("eud_share", "Region Hovedstaden").set_index("year").loc[2024]
    assert row["note_da"] == "Foreløbigt tal" and pd.isna(row["note_en"])


# ------------------------------------------------------------------ the engine's guarantees (issue 4)
def _big_file(path, rows: int, *, value: float = 12.5):
    """``rows`` valid observations of eud_share over invented municipalities, years 1950-2049."""
    lines = ["target_id,year,value,geography,source"]
    lines += [f"eud_share,{1950 + i % 100},{value + (i % 7) / 10},Kommune {i // 100:05d},Test" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_reimport_says_it_changes_nothing_and_names_the_earlier_batch(store, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER + "eud_share,2024,13.9,,s,,R\n")
    first = ingest.import_observations(store, path, ANALYST)
    before = data_checksum(store)
    again = ingest.import_observations(store, path, ANALYST)
    assert again.batch_id is None and not again.plan.changes_anything and data_checksum(store) == before
    assert any(n.code == "same_file" and str(first.batch_id) in n.text("en") for n in again.plan.notes)


def test_undo_twice_is_refused_in_both_languages(store, tmp_path):
    batch = ingest.import_observations(store, write_csv(tmp_path / "a.csv", HEADER + "eud_share,2024,13.9,,s,,R\n"),
                                       ANALYST).batch_id
    ingest.undo_batch(store, batch, ANALYST)
    before = store.checksum()
    with pytest.raises(ingest.ImportRefused) as info:
        ingest.undo_batch(store, batch, ANALYST)
    assert info.value.code == "already_undone" and "er allerede fortrudt" in info.value.text("da")
    assert store.checksum() == before


def test_status_preview_names_each_status_the_import_changes(store, tmp_path):
    # EUD in the region: 13 % in 2023 is moving away from 30 % by 2025; 30 % in 2024 meets it
    path = write_csv(tmp_path / "met.csv", HEADER + "eud_share,2024,30,,s,,R\n")
    result = ingest.import_observations(store, path, ANALYST, dry_run=True, as_of=2026)
    change = result.status.set_index(["target_id", "geography"]).loc[("eud_share", "Region Hovedstaden")]
    assert (change["status_before"], change["status_after"]) == ("moving_away", "met")
    assert bool(change["is_primary_geography"]) and change["name_da"]
    committed = ingest.import_observations(store, path, ANALYST, as_of=2026, with_status=True)
    assert committed.status.equals(result.status)
    with store.read() as cur:  # the preview's view of the data is gone; the real status is the new one
        from metrics import progress
        status = progress.compute_status(cur, as_of=2026).set_index(["target_id", "geography"])
    assert status.loc[("eud_share", "Region Hovedstaden"), "status"] == "met"


def test_a_commit_runs_the_status_preview_only_when_asked(store, tmp_path):
    """The preview (a dry run) shows the statuses; the commit the user then confirms does not redo it."""
    path = write_csv(tmp_path / "met.csv", HEADER + "eud_share,2024,30,,s,,R\n")
    committed = ingest.import_observations(store, path, ANALYST, as_of=2026)
    assert committed.batch_id is not None and committed.status is None
    assert committed.as_dict()["status_changes"] is None  # not computed, which is not "none changed"


def test_a_new_geography_has_no_status_before(store, tmp_path):
    path = write_csv(tmp_path / "geo.csv", HEADER + "eud_share,2023,12,Gribskov Kommune,s,,R\n"
                                                     "eud_share,2024,13,Gribskov Kommune,s,,R\n")
    status = ingest.import_observations(store, path, ANALYST, dry_run=True, as_of=2026).status
    row = status.set_index("geography").loc["Gribskov Kommune"]
    assert row["status_before"] is None and row["status_after"]


def test_a_stale_preview_is_not_committed(store, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER + "eud_share,2023,13.2,,s,,R\n")
    preview = ingest.import_observations(store, path, ANALYST, dry_run=True)
    other = write_csv(tmp_path / "b.csv", HEADER + "eud_share,2023,13.3,,s,,R\n")
    ingest.import_observations(store, other, ANALYST)  # someone else revises the same value meanwhile
    before = store.checksum()
    with pytest.raises(ingest.ImportRefused) as info:
        ingest.import_observations(store, path, ANALYST, expect=preview.plan.fingerprint())
    assert info.value.code == "preview_stale" and store.checksum() == before
    fresh = ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert ingest.import_observations(store, path, ANALYST, expect=fresh.plan.fingerprint()).batch_id


def test_the_command_line_and_the_engine_give_the_same_messages(store, tmp_path):
    from metrics import cli

    path = write_csv(tmp_path / "bad.csv", "indikator;år;værdi\neud_shar;2024;13,9\neud_share;20x4;1\n")
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, path, ANALYST)
    store.close()
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["import", str(path), "--format", "json", "--lang", "da"], out=out, err=err) == 1
    assert json.loads(out.getvalue())["errors"] == [p.as_dict("da") for p in info.value.problems]


_KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    from metrics import ingest
    from metrics.model import Actor
    from metrics.store import Store

    real_apply = ingest.apply_plan

    def apply_then_wait(cur, plan, **kwargs):
        batch = real_apply(cur, plan, **kwargs)  # every row written, the transaction still open
        print("inside the transaction", flush=True)
        time.sleep(120)
        return batch

    if sys.argv[3] == "pause":
        ingest.apply_plan = apply_then_wait
    store = Store.open(sys.argv[1])
    print("started", flush=True)
    ingest.import_observations(store, sys.argv[2], Actor("ana", "analyst"))
    print("committed", flush=True)
""")


def _run_import(db, csv, mode):
    return subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(db), str(csv), mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)


def test_an_import_killed_midway_leaves_the_database_as_it_was(isolated_db, tmp_path):
    Store.open(isolated_db, seed=seed).close()
    with Store.open(isolated_db, seed=seed) as store:
        before = store.checksum()
    csv = _big_file(tmp_path / "big.csv", 20_000)
    child = _run_import(isolated_db, csv, "pause")
    try:
        assert child.stdout.readline().strip() == "started"
        assert child.stdout.readline().strip() == "inside the transaction"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    with Store.open(isolated_db, seed=seed) as store:
        assert store.checksum() == before
        assert store.scalar("SELECT count(*) FROM observations WHERE geography LIKE 'Kommune %'") == 0


@pytest.mark.slow
def test_an_import_killed_at_any_moment_leaves_the_old_state_or_the_new(isolated_db, tmp_path):
    base = tmp_path / "base.duckdb"
    Store.open(base, seed=seed).close()
    csv = _big_file(tmp_path / "big.csv", 100_000)
    with Store.open(base, seed=seed) as store:
        old = store.checksum()["observations"]
    done = tmp_path / "done.duckdb"
    shutil.copyfile(base, done)
    child = _run_import(done, csv, "run")
    assert child.wait(timeout=120) == 0, child.stderr.read()
    with Store.open(done, seed=seed) as store:
        new = store.checksum()["observations"]
    seen = set()
    for delay in (0.02, 0.3, 1.4):  # from soon after the start to about the commit
        work = tmp_path / f"kill_{delay}.duckdb"
        shutil.copyfile(base, work)
        child = _run_import(work, csv, "run")
        assert child.stdout.readline().strip() == "started"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        with Store.open(work, seed=seed) as store:
            state = store.checksum()["observations"]
        assert state in (old, new), f"killed after {delay} s: a partial import"
        seen.add("old" if state == old else "new")
    assert "old" in seen, seen  # at least one kill landed before the commit


def test_readers_during_an_import_and_an_undo_see_the_old_state_or_the_new(store, tmp_path):
    csv = _big_file(tmp_path / "big.csv", 60_000)
    query = ("SELECT (SELECT count(*) FROM observations), (SELECT round(sum(value), 6) FROM observations),"
             " (SELECT count(*) FROM import_batches WHERE state = 'committed')")

    def snapshot():
        with store.read() as cur:
            return cur.execute(query).fetchall()[0]

    before = snapshot()
    seen: list[tuple] = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            seen.append(snapshot())

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        result = ingest.import_observations(store, csv, ANALYST)
        after = snapshot()
        ingest.undo_batch(store, result.batch_id, ANALYST)
        undone = snapshot()
        time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert after[0] == before[0] + 60_000 and undone[:2] == before[:2]
    assert len(seen) > 3
    assert set(seen) <= {before, after, undone}, "a reader saw a half-written import"


# ---------------------------------------------------------------------- keys without an index
_KEYS_TARGETS = ("eud_share", "dk2020_climate_plans")
_KEYS_YEARS = (2030, 2031, 2032)


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "seeded.duckdb"
    Store.open(path, seed=seed).close()
    return path


_operation = st.one_of(
    st.tuples(st.just("import"), st.dictionaries(
        st.tuples(st.sampled_from(_KEYS_TARGETS), st.sampled_from(_KEYS_YEARS)),
        st.sampled_from((10.0, 20.0, 25.5)), min_size=1, max_size=4)),
    st.tuples(st.just("undo"), st.integers(min_value=0, max_value=5)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(_operation, min_size=1, max_size=6))
def test_imports_and_undos_keep_one_row_per_key_as_a_model_says(seeded_template, tmp_path, operations):
    """The observations table has no key index (migration 4): the write path alone keeps the key.

    Random imports (adding, revising, restating) and undos (allowed or refused) are replayed
    on a plain dictionary; after each step the table holds exactly the model's rows, one per
    target, geography and year, with nothing unknown.
    """
    db = tmp_path / f"keys_{uuid.uuid4().hex}.duckdb"
    shutil.copyfile(seeded_template, db)
    with Store.open(db, seed=seed) as store:
        def state() -> dict[tuple[str, int], float]:
            rows = store.query_df("SELECT target_id, year, value FROM observations WHERE geography = 'Testby'")
            return {(r.target_id, int(r.year)): float(r.value) for r in rows.itertuples()}

        model: dict[tuple[str, int], float] = {}
        batches: list[tuple[int, dict[tuple[str, int], float | None]]] = []  # batch, values before it
        for kind, arg in operations:
            if kind == "import":
                text = "target_id,year,value,geography,source\n" + "".join(
                    f"{t},{y},{v},Testby,test\n" for (t, y), v in arg.items())
                path = write_csv(tmp_path / "keys.csv", text)
                result = ingest.import_observations(store, path, ANALYST)
                changed = {k: v for k, v in arg.items() if model.get(k) != v}
                assert (result.batch_id is None) == (not changed)
                if changed:
                    batches.append((result.batch_id, {k: model.get(k) for k in changed}))
                    model.update(changed)
            elif batches:
                batch_id, before = batches[arg % len(batches)]
                later_touch = any(set(b) & set(before) for bid, b in batches if bid > batch_id)
                try:
                    ingest.undo_batch(store, batch_id, ANALYST)
                except ingest.ImportRefused as refused:
                    assert refused.code in ("undo_blocked", "already_undone")
                    assert refused.code == "already_undone" or later_touch
                else:
                    assert not later_touch
                    for key, value in before.items():
                        if value is None:
                            model.pop(key)
                        else:
                            model[key] = value
                    batches = [(bid, b) for bid, b in batches if bid != batch_id]
            assert state() == model
            assert store.integrity_problems() == []


# ---------------------------------------------------------------------- issue 11: the preview's rows, the seed, undo counts
def test_the_preview_lists_each_added_and_revised_row_as_read(store, tmp_path):
    path = write_csv(tmp_path / "p.csv", "Indikator;År;Værdi;Område\r\n"
                                         "eud_share;2023;13,2;Region Hovedstaden\r\n"   # revised: 13 -> 13,2
                                         "eud_share;2020;14;Region Hovedstaden\r\n"     # the stored 14: unchanged
                                         "stem_admissions;2024;17.612;Danmark\r\n", encoding="cp1252")
    before = store.checksum()
    result = ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert store.checksum() == before
    rows = result.changes[ingest.CHANGE_COLUMNS + ["cell"]].astype(object).where(result.changes.notna(), None)
    assert rows.to_dict("records") == [
        {"row": 2, "target_id": "eud_share", "geography": "Region Hovedstaden", "year": 2023, "old_value": 13.0,
         "new_value": 13.2, "action": "revise", "cell": "13,2"},
        {"row": 4, "target_id": "stem_admissions", "geography": "Danmark", "year": 2024, "old_value": None,
         "new_value": 17612.0, "action": "add", "cell": "17.612"},
    ]
    assert result.more_changes == 0


def test_the_preview_of_a_wide_table_names_each_cell_in_file_order(store, tmp_path):
    path = write_csv(tmp_path / "w.csv", "Indikator;Område;2024;2025\r\n"
                                         "eud_share;Region Hovedstaden;13,9;14,5\r\n"
                                         "eud_share;Gladsaxe;12;15,0\r\n", encoding="cp1252")
    result = ingest.import_observations(store, path, ANALYST, dry_run=True)
    got = [(r.row, r.geography, r.year, r.new_value, r.cell) for r in result.changes.itertuples()]
    assert got == [(2, "Region Hovedstaden", 2024, 13.9, "13,9"), (2, "Region Hovedstaden", 2025, 14.5, "14,5"),
                   (3, "Gladsaxe", 2024, 12.0, "12"), (3, "Gladsaxe", 2025, 15.0, "15,0")]


def test_the_preview_lists_the_first_200_then_a_count(store, tmp_path):
    text = HEADER + "".join(f"eud_share,2024,{10 + i % 50},Kommune {i:03d},s,,R\n" for i in range(250))
    result = ingest.import_observations(store, write_csv(tmp_path / "many.csv", text), ANALYST, dry_run=True)
    assert len(result.changes) == ingest.PREVIEW_CHANGES == 200
    assert result.changes["row"].tolist() == list(range(2, 202)) and result.more_changes == 50
    payload = result.as_dict("da")
    assert len(payload["changes"]) == 200 and payload["changes_more"] == 50
    committed = ingest.import_observations(store, write_csv(tmp_path / "many.csv", text), ANALYST)
    assert committed.as_dict()["changes"][0] == {"row": 2, "target_id": "eud_share", "geography": "Kommune 000",
                                                 "year": 2024, "old_value": None, "new_value": 10.0, "action": "add"}


def test_the_seed_batch_is_refused_for_undo_unless_asked_explicitly(store):
    seed = int(store.batches()["batch_id"].min())
    assert ingest.undoable_batches(store).empty  # a fresh database: nothing the page may offer
    before = store.checksum()
    for call in (lambda: ingest.undo_batch(store, seed, ANALYST), lambda: ingest.undo_preview(store, seed)):
        with pytest.raises(ingest.ImportRefused) as info:
            call()
        assert info.value.code == "undo_seed"
        assert "--include-seed" in info.value.text("da") and "startdata" in info.value.text("da")
        assert "seed data" in info.value.text("en")
    assert store.checksum() == before  # every table as it was, the audit trail included
    assert ingest.undo_preview(store, seed, include_seed=True)["removed"] == 49
    assert ingest.undo_batch(store, seed, ADMIN, include_seed=True) == {"removed": 49, "restored": 0}
    assert store.scalar("SELECT count(*) FROM observations") == 0


def test_undo_preview_counts_what_undo_then_does_and_writes_nothing(store, tmp_path):
    path = write_csv(tmp_path / "u.csv", HEADER + "eud_share,2023,13.2,,x,,R\neud_share,2024,13.9,,x,,R\n"
                                                   "eud_share,2025,14.4,,x,,R\n")
    batch = ingest.import_observations(store, path, ANALYST).batch_id
    assert ingest.undoable_batches(store)["batch_id"].tolist() == [batch]
    before = store.checksum()
    preview = ingest.undo_preview(store, batch)
    assert preview == {"batch": batch, "file": "u.csv", "removed": 2, "restored": 1}
    assert store.checksum() == before
    assert ingest.undo_batch(store, batch, ANALYST) == {"removed": 2, "restored": 1}
    with pytest.raises(ingest.ImportRefused, match="already undone"):
        ingest.undo_preview(store, batch)
    assert ingest.undoable_batches(store).empty
