"""The audit trail is a hash chain (migration 7): an audit row edited, deleted or slipped in with raw SQL
is named by ``python -m metrics audit --verify`` (exit 1), an intact trail says so (exit 0)."""

from __future__ import annotations

import io

import pytest

from metrics.database import open_store
from metrics import audit, cli, commentary, ingest
from metrics import store as store_module
from metrics.seed import seed
from metrics.store import Store
from tests.conftest import ANALYST, old_schema_database, tamper, write_csv


def verify_cli() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["audit", "--verify"], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def busy(store: Store, tmp_path) -> None:
    path = write_csv(tmp_path / "o.csv", "target_id,year,value\neud_share,2024,14.1\n")
    result = ingest.import_observations(store, path, ANALYST)
    ingest.undo_batch(store, result.batch_id, ANALYST)
    commentary.save(store, ANALYST, target_id="eud_share", year=2026, text="Første.")
    commentary.save(store, ANALYST, target_id="eud_share", year=2026, text="Anden.")


def ids(store: Store) -> list[int]:
    return store.query_df("SELECT audit_id FROM audit_log ORDER BY audit_id")["audit_id"].tolist()


def test_every_new_row_is_chained_and_the_trail_verifies(store, tmp_path):
    busy(store, tmp_path)
    rows = store.query_df("SELECT audit_id, prev_hash, row_hash FROM audit_log ORDER BY audit_id")
    assert len(rows) == 5 and rows["row_hash"].notna().all()
    assert rows["prev_hash"].iloc[0] == audit.GENESIS
    assert rows["prev_hash"].iloc[1:].tolist() == rows["row_hash"].iloc[:-1].tolist()
    check = audit.verify(store)
    assert check.ok and check.rows == 5
    code, out, err = verify_cli()
    assert code == 0 and "intact" in out and "5 rows" in out, err


def test_an_edited_row_is_named(store, tmp_path):
    busy(store, tmp_path)
    third = ids(store)[2]
    tamper(store, "UPDATE audit_log SET user_name = 'someone else' WHERE audit_id = ?", [third])
    check = audit.verify(store)
    assert (check.ok, check.broken_id, check.reason) == (False, third, "edited")
    code, out, err = verify_cli()
    assert code == 1 and f"row {third} was changed" in err and "Traceback" not in err


def test_an_edited_row_with_its_hash_recomputed_breaks_the_next_link(store, tmp_path):
    """Rewriting a row and its own hash does not help: the next row points at the old hash."""
    busy(store, tmp_path)
    second, third = ids(store)[1:3]
    row = store.query_df(f"SELECT {', '.join(audit.CHAINED)}, prev_hash FROM audit_log WHERE audit_id = ?",
                         [second]).iloc[0].to_dict()
    row["after"] = '{"forged": true}'
    forged = audit.row_hash(row, row["prev_hash"])
    tamper(store, "UPDATE audit_log SET after = ?, row_hash = ? WHERE audit_id = ?",
                       [row["after"], forged, second])
    check = audit.verify(store)
    assert (check.ok, check.broken_id, check.reason, check.previous_id) == (False, third, "missing_before", second)


def test_a_deleted_row_is_named_by_the_row_after_it(store, tmp_path):
    busy(store, tmp_path)
    all_ids = ids(store)
    tamper(store, "DELETE FROM audit_log WHERE audit_id = ?", [all_ids[2]])
    check = audit.verify(store)
    assert (check.broken_id, check.reason, check.previous_id) == (all_ids[3], "missing_before", all_ids[1])
    code, _, err = verify_cli()
    assert code == 1 and f"before row {all_ids[3]} (after row {all_ids[1]})" in err and "deleted" in err


def test_a_row_slipped_in_around_the_write_path_is_named(store):
    tamper(store, "INSERT INTO audit_log (audit_id, user_name, role, via, action, object_type) "
                  "VALUES ((SELECT max(audit_id) + 1 FROM audit_log), 'x', 'admin', 'cli', 'add_local_user', 'local_user')")
    check = audit.verify(store)
    assert not check.ok and check.reason == "unchained" and check.broken_id == max(ids(store))
    code, _, err = verify_cli()
    assert code == 1 and "no hash" in err


@pytest.mark.duckdb_only
def test_migration_7_chains_the_rows_written_before_it(isolated_db):
    old_schema_database(isolated_db, 5)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store_module, "MIGRATIONS", [m for m in store_module.MIGRATIONS if m[0] <= 5])
        mp.setattr(store_module, "SCHEMA_VERSION", 5)
        with open_store(isolated_db, seed=seed) as old:
            n = old.scalar("SELECT count(*) FROM audit_log")
    assert n >= 2
    with open_store(isolated_db, seed=seed) as new:
        assert new.schema_version() == store_module.SCHEMA_VERSION
        check = audit.verify(new)
        assert check.ok and check.rows == n
        commentary.save(new, ANALYST, target_id="eud_share", year=2026, text="efter migreringen")
        assert audit.verify(new).ok and audit.verify(new).rows == n + 1


def test_verify_refuses_a_missing_database(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["audit", "--verify", "--db", str(tmp_path / "nope.duckdb")], out=out, err=err)
    assert code == 1 and "There is no database" in err.getvalue()
    assert not (tmp_path / "nope.duckdb").exists()
