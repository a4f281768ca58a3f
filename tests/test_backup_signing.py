"""Backups that cannot be forged: an HMAC over the manifest, restore checked like an import.

Each attack edits a backup and fixes the checksums in ``manifest.json``, as the issue did; each is
refused with a message, and the database restored into stays as it was (or is never made).
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from metrics.database import open_store
from metrics import auth, backup, cli
from metrics.model import MalsporError
from metrics.store import TABLES
from tests.conftest import ADMIN

KEY = "a-test-key-for-signed-backups"  # conftest sets it as $MALSPOR_BACKUP_KEY


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def made(store, tmp_path) -> Path:
    folder = tmp_path / "b"
    backup.backup(store, folder)
    return folder


def edit_table(folder: Path, table: str, change) -> None:
    """Rewrite one table's Parquet file and put its new checksum and row count in the manifest."""
    frame = pq.read_table(folder / f"{table}.parquet").to_pandas()
    frame = change(frame)
    frame.to_parquet(folder / f"{table}.parquet", index=False)
    edit_manifest(folder, lambda m: m["tables"][table].update(
        sha256=backup._sha256(folder / f"{table}.parquet"), rows=len(frame)))


def edit_manifest(folder: Path, change) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def refused(folder: Path, tmp_path: Path, match: str, **kwargs) -> None:
    """Restoring ``folder`` is refused with ``match``, and the empty database stays empty and as it was."""
    with open_store(tmp_path / "target.duckdb", seed=False) as target:
        before = target.checksum()
        with pytest.raises(MalsporError, match=match):
            backup.restore(target, folder, ADMIN, **kwargs)
        assert target.checksum() == before
        assert all(target.scalar("SELECT count(*) FROM " + t) == 0 for t in TABLES)


# ------------------------------------------------------------------ the signature
def test_a_signed_backup_restores_and_holds_no_key(made, tmp_path):
    sig = (made / "manifest.sig").read_text()
    assert sig.startswith("hmac-sha256:") and len(sig.strip()) == len("hmac-sha256:") + 64
    for path in made.iterdir():
        assert KEY.encode() not in path.read_bytes(), path.name
    with open_store(tmp_path / "new.duckdb", seed=False) as target:
        counts = backup.restore(target, made, ADMIN)
        assert counts["observations"] == 49


def test_a_backup_without_a_key_is_unsigned_and_restores_only_when_asked(store, tmp_path, monkeypatch):
    monkeypatch.delenv("MALSPOR_BACKUP_KEY")
    monkeypatch.setattr(backup, "SECRETS", tmp_path / "no-secrets.toml")
    manifest = backup.backup(store, tmp_path / "u")
    assert manifest["signed"] is False and not (tmp_path / "u" / "manifest.sig").exists()
    refused(tmp_path / "u", tmp_path, "No key is set")
    monkeypatch.setenv("MALSPOR_BACKUP_KEY", KEY)
    refused(tmp_path / "u", tmp_path, "is not signed")
    with open_store(tmp_path / "ok.duckdb", seed=False) as target:
        backup.restore(target, tmp_path / "u", ADMIN, allow_unsigned=True)
        last = target.query_df("SELECT action, after FROM audit_log ORDER BY audit_id DESC LIMIT 1").iloc[0]
        assert last["action"] == "restore" and json.loads(last["after"])["signature"] == "unsigned"


def test_the_key_comes_from_the_secrets_file(store, tmp_path, monkeypatch):
    monkeypatch.delenv("MALSPOR_BACKUP_KEY")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[backup]\nkey = "a-key-from-the-secrets-file"\n')
    monkeypatch.setattr(backup, "SECRETS", secrets)
    assert backup.backup_key() == b"a-key-from-the-secrets-file"
    backup.backup(store, tmp_path / "s")
    assert backup.signature_state(tmp_path / "s", b"a-key-from-the-secrets-file") == "signed"
    assert backup.signature_state(tmp_path / "s", KEY.encode()) == "wrong"
    secrets.write_text('[backup]\nkey = "short"\n')
    with pytest.raises(MalsporError, match="at least 16"):
        backup.backup_key()


def test_another_key_is_refused(made, tmp_path, monkeypatch):
    monkeypatch.setenv("MALSPOR_BACKUP_KEY", "another-key-entirely-0123")
    refused(made, tmp_path, "signature .* does not match")


# ------------------------------------------------------------------ the attacks of the issue
def test_tampered_audit_rows_are_refused(made, tmp_path):
    edit_table(made, "audit_log", lambda f: f.assign(user_name="nobody"))
    refused(made, tmp_path, "does not match")  # the signature
    refused(made, tmp_path, "audit trail was edited: row 1", allow_unsigned=True)  # and the chain


def test_a_deleted_audit_row_is_refused(store, tmp_path):
    auth.add_local_user(store, ADMIN, "ana", "analyst", "a long password")
    auth.set_local_role(store, ADMIN, "ana", "viewer")
    backup.backup(store, tmp_path / "b")
    edit_table(tmp_path / "b", "audit_log", lambda f: f[f["audit_id"] != sorted(f["audit_id"])[1]])  # the account's row
    refused(tmp_path / "b", tmp_path, "does not match")
    refused(tmp_path / "b", tmp_path, "broken before row", allow_unsigned=True)


def test_an_added_administrator_with_a_known_password_is_refused(made, tmp_path):
    def add_admin(frame: pd.DataFrame) -> pd.DataFrame:
        row = {"user_name": "mallory", "role": "admin", "password_hash": auth.hash_password("known password!"),
               "failed_attempts": 0, "locked_until": pd.NaT, "created_at": pd.Timestamp("2026-01-01")}
        return pd.concat([frame, pd.DataFrame([{c: row.get(c) for c in frame.columns}])], ignore_index=True)

    edit_table(made, "local_users", add_admin)
    refused(made, tmp_path, "does not match")
    with open_store(tmp_path / "target.duckdb", seed=False) as target:
        assert target.scalar("SELECT count(*) FROM local_users") == 0


def test_a_value_of_150_percent_on_a_0_to_100_target_is_refused(made, tmp_path, store):
    target = store.query_df("SELECT target_id FROM target_definitions WHERE unit = '%' AND upper_bound = 100"
                            " ORDER BY 1 LIMIT 1")["target_id"].iloc[0]

    def inflate(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame.loc[(frame["target_id"] == target).idxmax(), "value"] = 150.0
        return frame

    edit_table(made, "observations", inflate)
    refused(made, tmp_path, "does not match")
    refused(made, tmp_path, rf"rules do not allow.*{target}.*150 outside \[0, 100\]", allow_unsigned=True)


def test_a_sequence_behind_the_data_is_refused(made, tmp_path):
    edit_manifest(made, lambda m: m["sequences"]["batch_id_seq"].update(last_value=0))
    # the manifest changed: re-sign it as someone holding the key would, to test the check itself
    (made / "manifest.sig").write_text(backup._signature((made / "manifest.json").read_bytes(), KEY.encode()) + "\n")
    refused(made, tmp_path, "batch_id_seq stands at 0.*already uses 1")


def test_a_missing_sequence_is_refused_too(made, tmp_path):
    edit_manifest(made, lambda m: m["sequences"].pop("history_id_seq") and m)
    edit_manifest(made, lambda m: m["sequences"].pop("batch_id_seq"))
    refused(made, tmp_path, "batch_id_seq stands at -", allow_unsigned=True)


# ------------------------------------------------------------------ malformed backups: a message, never a traceback
def _bad(kind: str, folder: Path) -> None:
    manifest = folder / "manifest.json"
    if kind == "no manifest":
        manifest.unlink()
    elif kind == "bad json":
        manifest.write_text("{not json")
    elif kind == "not utf-8":
        manifest.write_bytes(b"\xff\xfe\x00{")
    elif kind == "a list":
        manifest.write_text("[1, 2]")
    elif kind == "tables not an object":
        edit_manifest(folder, lambda m: m.update(tables=["themes"]))
    elif kind == "entry not an object":
        edit_manifest(folder, lambda m: m["tables"].update(themes="themes.parquet"))
    elif kind == "file a path":
        edit_manifest(folder, lambda m: m["tables"]["themes"].update(file="../../etc/passwd"))
    elif kind == "rows a text":
        edit_manifest(folder, lambda m: m["tables"]["themes"].update(rows="7"))
    elif kind == "missing file":
        (folder / "themes.parquet").unlink()
    elif kind == "sequences wrong":
        edit_manifest(folder, lambda m: m["sequences"].update(batch_id_seq={"last_value": "ten"}))
    elif kind == "schema version a bool":
        edit_manifest(folder, lambda m: m.update(schema_version=True))
    elif kind == "not parquet":
        (folder / "themes.parquet").write_bytes(b"PAR1 this is not parquet")
        edit_manifest(folder, lambda m: m["tables"]["themes"].update(sha256=backup._sha256(folder / "themes.parquet")))
    elif kind == "wrong types":
        edit_table(folder, "observations", lambda f: f.assign(year="nineteen"))
    else:
        raise AssertionError(kind)


KINDS = ["no manifest", "bad json", "not utf-8", "a list", "tables not an object", "entry not an object",
         "file a path", "rows a text", "missing file", "sequences wrong", "schema version a bool", "not parquet",
         "wrong types"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_malformed_backup_is_refused_in_words(made, tmp_path, kind):
    _bad(kind, made)
    new = tmp_path / "new.duckdb"
    code, out, err = run("restore", str(made), "--db", str(new), "--unsigned")
    assert code == 1, (out, err)
    assert "Traceback" not in err and err.strip() and "Nothing was restored" in err or "not a Målspor backup" in err \
        or "cannot be read" in err or "names no valid schema" in err or "lacks" in err, err
    assert not new.exists() and not Path(str(new) + ".wal").exists()


def test_cli_backup_signs_and_restore_warns_when_unsigned(store, tmp_path, monkeypatch):
    code, out, err = run("backup", "--out", str(tmp_path / "b"))
    assert code == 0 and "Warning" not in err and (tmp_path / "b" / "manifest.sig").exists()
    code, out, err = run("restore", str(tmp_path / "b"), "--db", str(tmp_path / "r.duckdb"))
    assert code == 0 and "Restored" in out and "Warning" not in err
    # a key file instead of the environment
    key_file = tmp_path / "key.txt"
    key_file.write_text("a-key-kept-in-a-file-0123\n")
    code, _, err = run("backup", "--out", str(tmp_path / "k"), "--key-file", str(key_file))
    assert code == 0
    code, _, err = run("restore", str(tmp_path / "k"), "--db", str(tmp_path / "k1.duckdb"))
    assert code == 1 and "does not match" in err and not (tmp_path / "k1.duckdb").exists()
    code, out, err = run("restore", str(tmp_path / "k"), "--db", str(tmp_path / "k2.duckdb"), "--key-file", str(key_file))
    assert code == 0 and "Restored" in out, err
    # without a key: the backup says it is unsigned, restore needs --unsigned and warns
    monkeypatch.delenv("MALSPOR_BACKUP_KEY")
    monkeypatch.setattr(backup, "SECRETS", tmp_path / "no-secrets.toml")
    code, out, err = run("backup", "--out", str(tmp_path / "u"))
    assert code == 0 and "not signed" in err
    code, _, err = run("restore", str(tmp_path / "u"), "--db", str(tmp_path / "u1.duckdb"))
    assert code == 1 and "No key is set" in err and not (tmp_path / "u1.duckdb").exists()
    code, out, err = run("restore", str(tmp_path / "u"), "--db", str(tmp_path / "u2.duckdb"), "--unsigned")
    assert code == 0 and "Warning: restoring" in err and "Restored" in out


def test_a_refused_restore_leaves_no_new_database(made, tmp_path):
    edit_table(made, "observations", lambda f: f.assign(value=f["value"] * 1000))
    new = tmp_path / "new.duckdb"
    code, _, err = run("restore", str(made), "--db", str(new), "--unsigned")
    assert code == 1 and "rules do not allow" in err and not new.exists()
    shutil.rmtree(made)
