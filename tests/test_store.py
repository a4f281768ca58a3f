"""The store: migrations, seeding, constraints in the database, the write path, locking."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from metrics.model import DatabaseLocked, PermissionDenied
from metrics.store import SCHEMA_VERSION, Store
from tests.conftest import ADMIN, VIEWER


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
    # illustrative values are marked as such in their note
    assert obs.loc[obs["data_class"] == "I", "note"].str.contains("Illustrative").all()


def test_reopening_is_idempotent_and_does_not_reseed(isolated_db):
    Store.open(isolated_db).close()
    with Store.open(isolated_db) as s:
        before = s.checksum()
    with Store.open(isolated_db) as s:
        assert s.checksum() == before


def test_empty_database_stays_empty(isolated_db):
    Store.open(isolated_db, seed=False).close()
    with Store.open(isolated_db) as s:
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


def test_migration_4_keeps_every_observation_and_drops_the_indexes(isolated_db):
    """A database made before migration 4 keeps its observations, byte for byte, without the key indexes."""
    from metrics import store as store_module

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:3])
        mp.setattr(store_module, "SCHEMA_VERSION", 3)
        with Store.open(isolated_db) as old:
            before = old.query_df("SELECT * FROM observations ORDER BY ALL")
            assert old.schema_version() == 3
    with Store.open(isolated_db) as new:
        assert new.schema_version() == 4
        after = new.query_df("SELECT * FROM observations ORDER BY ALL")
        indexes = new.scalar("SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'observations'"
                             " AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY', 'UNIQUE')")
        assert new.integrity_problems() == []
    assert len(after) == len(before) > 40
    pd.testing.assert_frame_equal(before, after)
    assert indexes == 0


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


def test_locked_database_says_which_process(isolated_db: Path, lock_holder):
    with pytest.raises(DatabaseLocked) as info:
        Store.open(isolated_db)
    message = str(info.value)
    assert f"process {lock_holder.pid}" in message and "only one" in message


def test_reads_from_threads_use_their_own_cursors(store):
    from concurrent.futures import ThreadPoolExecutor

    def count(_):
        return store.scalar("SELECT count(*) FROM observations")

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(count, range(64))) == {49}
