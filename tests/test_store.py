"""The store: migrations, seeding, constraints in the database, the write path, locking."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from metrics.database import open_store
from metrics.model import DatabaseLocked, PermissionDenied
from metrics.seed import seed
from metrics.store import SCHEMA_VERSION
from tests.conftest import ADMIN, VIEWER, old_schema_database


def test_first_open_creates_schema_and_seeds(store):
    assert store.schema_version() == SCHEMA_VERSION
    assert store.scalar("SELECT count(*) FROM themes") == 4
    assert store.scalar("SELECT count(*) FROM targets") == 11
    assert store.scalar("SELECT count(*) FROM observations") == 49
    assert store.scalar("SELECT count(*) FROM initiatives") == 21
    batch = store.batches().iloc[0]
    assert batch["user_name"] == "seed" and batch["n_added"] == 49 and len(batch["sha256"]) == 64


def test_every_seed_observation_has_a_source_and_class(store):
    obs = store.observations()
    assert obs["source"].str.len().min() > 0
    assert set(obs["data_class"]) <= {"R", "D", "I"}
    # illustrative values are marked as such in their note, in both languages
    assert obs.loc[obs["data_class"] == "I", "note_en"].str.contains("Illustrative").all()
    assert obs.loc[obs["data_class"] == "I", "note_da"].str.contains("Eksempeldata").all()


def test_every_seed_note_exists_in_danish_and_english(store):
    """Migration 5: a note in one language only would show English on a Danish page, or the reverse."""
    for table in ("targets", "observations", "initiatives"):
        frame = store.query_df("SELECT note_da, note_en FROM " + table)
        assert (frame["note_da"].isna() == frame["note_en"].isna()).all(), table
        assert frame["note_en"].notna().sum() > 0
    targets = store.targets().set_index("target_id")
    assert targets["short_name_da"].str.len().max() <= 24 and targets["short_name_en"].str.len().max() <= 24
    assert targets.loc["stem_admissions", "short_name_da"] == "STEM-optag"
    assert targets.loc["stem_admissions", ["update_interval", "publication_lag"]].tolist() == [1, 0]
    assert targets.loc["waste_recycling", ["update_interval", "publication_lag"]].tolist() == [1, 2]
    assert targets.loc["district_heating_co2_neutral", ["update_interval", "publication_lag"]].tolist() == [1, 1]


def test_reopening_is_idempotent_and_does_not_reseed(isolated_db):
    open_store(isolated_db, seed=seed).close()
    with open_store(isolated_db, seed=seed) as s:
        before = s.checksum()
    with open_store(isolated_db, seed=seed) as s:
        assert s.checksum() == before


def test_empty_database_stays_empty(isolated_db):
    open_store(isolated_db, seed=False).close()
    with open_store(isolated_db, seed=seed) as s:
        assert s.is_empty()


@pytest.mark.parametrize("sql", [
    "INSERT INTO target_definitions (target_id, name_da, name_en, unit, kind, baseline_year, baseline_value,"
    " direction, source) VALUES ('x', 'a', 'b', '%', 'sideways', 2020, 1, 'increase', 's')",
    "INSERT INTO target_definitions (target_id, name_da, name_en, unit, kind, baseline_year, baseline_value,"
    " target_year, target_value, direction, source) VALUES ('x', 'a', 'b', '%', 'level', 2020, 1, 2019, 5,"
    " 'increase', 's')",
    "INSERT INTO target_definitions (target_id, name_da, name_en, unit, kind, baseline_year, baseline_value,"
    " lower_bound, direction, source) VALUES ('x', 'a', 'b', '%', 'none', 2020, 1, 5, 'increase', 's')",
    "INSERT INTO target_placement VALUES ('eud_share_x', 'stem')",
    "UPDATE target_placement SET focus_area_id = 'no_such_area' WHERE target_id = 'eud_share'",
    "INSERT INTO observations (target_id, year, value, data_class, source, batch_id)"
    " VALUES ('eud_share', 2030, 1, 'X', 's', 1)",
    "INSERT INTO observations (target_id, year, value, source, batch_id) VALUES ('eud_share', 1800, 1, 's', 1)",
])
def test_constraints_live_in_the_database(store, sql):
    with pytest.raises(duckdb.ConstraintException), store.write(ADMIN, "edit_targets") as cur:
        for statement in sql.split(";"):
            cur.execute(statement)


@pytest.mark.parametrize(("sql", "problem"), [
    ("INSERT INTO observations (target_id, year, value, source, batch_id) VALUES ('eud_share', 2030, 1, 's', 1)"
     "; INSERT INTO observations (target_id, year, value, source, batch_id) VALUES ('eud_share', 2030, 2, 's', 1)",
     "observations: 2 rows for eud_share, Region Hovedstaden, 2030"),
    ("INSERT INTO observations (target_id, year, value, source, batch_id) VALUES ('nope', 2030, 1, 's', 1)",
     "observations: unknown target nope"),
    ("INSERT INTO observations (target_id, year, value, source, batch_id) VALUES ('eud_share', 2030, 1, 's', 999)",
     "observations: unknown batch 999"),
])
def test_integrity_check_names_what_breaks_the_observation_keys(store, sql, problem):
    """The observations table has no index (migration 4); the key check finds what raw SQL could break."""
    assert store.integrity_problems() == []
    before = store.checksum()
    with pytest.raises(KeyError, match="roll back"), store.write(ADMIN, "edit_targets") as cur:
        for statement in sql.split(";"):
            cur.execute(statement)
        assert store.integrity_problems(cur) == [problem]
        raise KeyError("roll back")
    assert store.checksum() == before


@pytest.mark.duckdb_only
def test_migration_4_keeps_every_observation_and_drops_the_indexes(isolated_db):
    """A database made before migration 4 keeps its observations, byte for byte, without the key indexes."""
    from metrics import store as store_module

    old_schema_database(isolated_db, 3)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:3])
        mp.setattr(store_module, "SCHEMA_VERSION", 3)
        with open_store(isolated_db, seed=seed) as old:
            before = old.query_df("SELECT * FROM observations ORDER BY ALL")
            assert old.schema_version() == 3
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:4])
        mp.setattr(store_module, "SCHEMA_VERSION", 4)
        with open_store(isolated_db, seed=seed) as new:
            assert new.schema_version() == 4
            after = new.query_df("SELECT * FROM observations ORDER BY ALL")
            indexes = new.scalar("SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'observations'"
                                 " AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY', 'UNIQUE')")
            assert new.integrity_problems() == []
    assert len(after) == len(before) > 40
    pd.testing.assert_frame_equal(before, after)
    assert indexes == 0


@pytest.mark.duckdb_only
def test_migration_5_keeps_every_row_and_moves_notes_to_english(isolated_db):
    """A database made before method v2 keeps every row of every table; its notes become note_en,
    the targets get the default update interval (1) and publication lag (1), and it still works."""
    from metrics import store as store_module

    old_schema_database(isolated_db, 4)
    renamed = ("target_definitions", "observations", "observation_history", "initiatives")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:4])
        mp.setattr(store_module, "SCHEMA_VERSION", 4)
        with open_store(isolated_db, seed=seed) as old:
            before = {t: old.query_df("SELECT * FROM " + t + " ORDER BY ALL") for t in store_module.TABLES}
    assert len(before["observation_history"]) == 1 and len(before["commentary"]) == 1
    with open_store(isolated_db, seed=seed) as new:
        assert new.schema_version() == SCHEMA_VERSION >= 5  # later migrations apply too
        for table, old_rows in before.items():
            rows = new.query_df("SELECT * FROM " + table + " ORDER BY ALL")
            assert len(rows) == len(old_rows), table
            if table in renamed:
                assert rows["note_da"].isna().all(), table
                pd.testing.assert_series_equal(rows["note_en"], old_rows["note"], check_names=False)
                rows = rows.drop(columns=["note_da", "note_en"])
                old_rows = old_rows.drop(columns=["note"])
            if table == "target_definitions":
                assert (rows["update_interval"] == 1).all() and (rows["publication_lag"] == 1).all()
                assert rows["short_name_da"].isna().all()
            pd.testing.assert_frame_equal(rows[old_rows.columns], old_rows, check_dtype=False)
        assert new.integrity_problems() == []
        assert new.scalar("SELECT count(*) FROM targets") == 11
        # constraints of the new columns live in the database
        with pytest.raises(duckdb.ConstraintException), new.write(ADMIN, "edit_targets") as cur:
            cur.execute("UPDATE target_definitions SET update_interval = 0 WHERE target_id = 'eud_share'")
        with pytest.raises(duckdb.ConstraintException), new.write(ADMIN, "edit_targets") as cur:
            cur.execute("UPDATE target_definitions SET publication_lag = -1 WHERE target_id = 'eud_share'")
        # the rebuilt tables take new rows: a commentary (references a target) and an initiative
        from metrics import audit
        with new.write(ADMIN, "edit_targets") as cur:
            cur.execute("INSERT INTO commentary (target_id, year, text, author) VALUES ('stem_admissions', 2024, 't', 'a')")
            cur.execute("INSERT INTO initiatives (focus_area_id, name_da) VALUES ('stem', 'Ny')")
            audit.record(cur, ADMIN, "edit_targets", "targets", "x", None, None)
        assert new.scalar("SELECT count(*) FROM commentary") == 2


def test_write_checks_role_before_touching_anything(store):
    before = store.checksum()
    with pytest.raises(PermissionDenied, match="viewer"), store.write(VIEWER, "import_observations") as cur:
        cur.execute("DELETE FROM observations")
    assert store.checksum() == before


def test_failed_write_rolls_back(store):
    before = store.checksum()
    with pytest.raises(RuntimeError), store.write(ADMIN, "edit_targets") as cur:
        cur.execute("DELETE FROM initiatives")
        raise RuntimeError("boom")
    assert store.checksum() == before


@pytest.mark.duckdb_only
def test_locked_database_says_which_process(isolated_db: Path, lock_holder):
    with pytest.raises(DatabaseLocked) as info:
        open_store(isolated_db, seed=seed)
    message = str(info.value)
    assert f"process {lock_holder.pid}" in message and "only one" in message


def test_reads_from_threads_use_their_own_cursors(store):
    from concurrent.futures import ThreadPoolExecutor

    def count(_):
        return store.scalar("SELECT count(*) FROM observations")

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(count, range(64))) == {49}


# ------------------------------------------------------------------ opening: only asked-for creation (issue 11)
def test_open_without_create_refuses_a_missing_file_and_makes_nothing(tmp_path):
    from metrics.model import MalsporError

    with pytest.raises(MalsporError, match="There is no database") as info:
        open_store(tmp_path / "typo.duckdb", create=False)
    assert info.value.code == "db_missing" and "init" in info.value.render("da")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(MalsporError, match="There is no database"):
        open_store(tmp_path / "sub" / "typo.duckdb", read_only=True)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.duckdb_only
def test_the_dashboard_path_still_creates_and_seeds(isolated_db):
    assert not isolated_db.exists()
    with open_store(isolated_db, seed=seed) as store:  # what app_pages/_shared.get_store does on first run
        assert store.scalar("SELECT count(*) FROM observations") == 49
    with open_store(isolated_db, create=False) as store:
        assert store.scalar("SELECT count(*) FROM targets") == 11


def test_another_programs_database_is_refused_before_any_write(tmp_path):
    from metrics.model import MalsporError

    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE themes (id INTEGER)")
    con.execute("CREATE TABLE schema_version (version INTEGER, note VARCHAR)")  # even one named like ours
    con.execute("INSERT INTO schema_version VALUES (1, 'theirs')")
    con.close()
    data = other.read_bytes()
    for create in (True, False):
        with pytest.raises(MalsporError, match="another program") as info:
            open_store(other, create=create, seed=seed)
        assert info.value.code == "db_not_malspor"
    assert other.read_bytes() == data
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(MalsporError, match="empty DuckDB database"):
        open_store(empty, create=False)
    with open_store(empty, seed=seed) as store:  # init may give an empty DuckDB file its schema
        assert store.schema_version() == SCHEMA_VERSION


def test_a_half_made_database_is_removed(tmp_path):
    import errno

    from metrics.model import MalsporError

    def full(store, data_dir=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(MalsporError, match="is full") as info:
        open_store(tmp_path / "new.duckdb", seed=full)
    assert info.value.code == "disk_full" and "Frigør plads" in info.value.render("da")
    assert list(tmp_path.iterdir()) == []
