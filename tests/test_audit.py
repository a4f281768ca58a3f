"""No write without a role that allows it, and no write without exactly one audit row naming who."""

from __future__ import annotations

import io
import json

import pytest
from streamlit.testing.v1 import AppTest

from metrics.database import open_store
from metrics import audit, auth, backup, cli, commentary, ingest
from metrics.model import Actor, MalsporError, PermissionDenied
from metrics.seed import seed
from metrics.store import PROJECT_ROOT, Store
from tests.conftest import ADMIN, ANALYST, VIEWER, write_csv

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
PASSWORD = "korrekt-hest-batteri"
OBS = "target_id,year,value,source\neud_share,2023,13.2,Ministeriet\neud_share,2024,13.9,Ministeriet\n"
TARGETS = ("target_id,focus_area_id,name_da,name_en,unit,kind,baseline_year,baseline_value,target_year,"
           "target_value,direction,source\nbike_share,kollektiv_transport,Cykel,Bike,%,level,2020,20,2035,30,increase,s\n")


def trail_since(store: Store, last: int):
    rows = audit.read(store, limit=None)
    return rows[rows["audit_id"] > last].sort_values("audit_id")


def one_row(store: Store, last: int, actor: Actor, action: str):
    rows = trail_since(store, last)
    assert len(rows) == 1, rows[["user_name", "action"]].to_dict("records")
    row = rows.iloc[0]
    assert (row["user_name"], row["role"], row["action"]) == (actor.name, actor.role, action)
    return row


def last(store: Store) -> int:
    with store.read() as cur:
        return audit.last_id(cur)


def test_every_write_path_leaves_one_audit_row_with_its_user(store, tmp_path):
    # import, with the revised value's before and after
    n = last(store)
    result = ingest.import_observations(store, write_csv(tmp_path / "o.csv", OBS), ANALYST)
    row = one_row(store, n, ANALYST, "import_observations")
    assert json.loads(row["before"])["values"][0]["value"] == 13.0
    assert json.loads(row["after"])["values"][0]["value"] == 13.2
    assert row["object_id"] == str(result.batch_id)
    # undo
    n = last(store)
    ingest.undo_batch(store, result.batch_id, ANALYST)
    row = one_row(store, n, ANALYST, "undo_batch")
    assert json.loads(row["after"]) == {"state": "undone", "removed": 1, "restored": 1}
    # target definitions, before and after
    n = last(store)
    ingest.import_targets(store, write_csv(tmp_path / "t.csv", TARGETS), ADMIN)
    row = one_row(store, n, ADMIN, "import_targets")
    assert row["before"] == "{}" and json.loads(row["after"])["bike_share"]["target_value"] == 30
    # commentary
    n = last(store)
    commentary.save(store, ANALYST, target_id="eud_share", year=2026, text="Stadig langt fra målet.")
    commentary.save(store, ANALYST, target_id="eud_share", year=2026, text="Revideret tekst.")
    rows = trail_since(store, n)
    assert rows["action"].tolist() == ["write_commentary", "write_commentary"]
    assert json.loads(rows.iloc[1]["before"]) == {"text": "Stadig langt fra målet."}
    # accounts and role mappings (with a second administrator: the last one could not be removed)
    auth.add_local_user(store, ADMIN, "chef", "admin", PASSWORD)
    for call, action in (
        (lambda: auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD), "user_add"),
        (lambda: auth.set_local_role(store, ADMIN, "ana", "admin"), "user_role"),
        (lambda: auth.set_local_password(store, ADMIN, "ana", PASSWORD + "!"), "user_password"),
        (lambda: auth.set_role_mapping(store, ADMIN, "@regionh.dk", "analyst"), "role_mapping_set"),
        (lambda: auth.remove_role_mapping(store, ADMIN, "@regionh.dk"), "role_mapping_remove"),
        (lambda: auth.remove_local_user(store, ADMIN, "ana"), "user_remove"),
    ):
        n = last(store)
        call()
        row = one_row(store, n, ADMIN, action)
        assert PASSWORD not in str(row["before"]) + str(row["after"])


def test_failed_sign_in_is_recorded_by_the_system(store):
    auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD)
    n = last(store)
    with pytest.raises(auth.SignInFailed):
        auth.sign_in_local(store, "ana", "wrong password")
    row = one_row(store, n, Actor("system", "admin"), "sign_in_failed")
    assert row["object_id"] == "ana" and row["via"] == "system"


def test_seed_and_restore_are_recorded(store, tmp_path):
    seed_row = audit.read(store, action="seed").iloc[0]
    assert seed_row["user_name"] == "seed" and json.loads(seed_row["after"])["observations"] == 49
    backup.backup(store, tmp_path / "b")
    with open_store(tmp_path / "new.duckdb", seed=False) as fresh:
        backup.restore(fresh, tmp_path / "b", ADMIN)
        assert audit.read(fresh, limit=1).iloc[0]["action"] == "restore"


def test_command_line_writes_are_recorded_with_the_os_user(store, tmp_path, monkeypatch):
    import os
    import pwd

    monkeypatch.setenv("USER", "someone-else")  # anyone can set it: it must not change the audit row
    monkeypatch.setenv("LOGNAME", "someone-else")
    path = write_csv(tmp_path / "o.csv", OBS)
    assert cli.main(["import", str(path)], out=io.StringIO(), err=io.StringIO()) == 0
    row = audit.read(store, action="import_observations").iloc[0]
    assert row["user_name"] == pwd.getpwuid(os.getuid()).pw_name != "someone-else"
    assert row["via"] == "cli" and row["role"] == "admin"


@pytest.mark.parametrize("call", [
    lambda s, p: ingest.import_observations(s, write_csv(p / "o.csv", OBS), VIEWER),
    lambda s, p: ingest.undo_batch(s, 1, VIEWER),
    lambda s, p: ingest.import_targets(s, write_csv(p / "t.csv", TARGETS), VIEWER),
    lambda s, p: ingest.import_targets(s, write_csv(p / "t.csv", TARGETS), ANALYST),
    lambda s, p: commentary.save(s, VIEWER, target_id="eud_share", year=2026, text="x"),
    lambda s, p: auth.add_local_user(s, VIEWER, "eve", "admin", PASSWORD),
    lambda s, p: auth.add_local_user(s, ANALYST, "eve", "admin", PASSWORD),
    lambda s, p: auth.set_role_mapping(s, ANALYST, "@evil.dk", "admin"),
    lambda s, p: backup.restore(s, p, VIEWER),
])
def test_a_role_that_may_not_write_is_refused_and_nothing_changes(store, tmp_path, call):
    before = store.checksum()
    with pytest.raises(PermissionDenied):
        call(store, tmp_path)
    assert store.checksum() == before


def test_a_write_that_forgets_the_audit_trail_is_refused(store):
    before = store.checksum()
    with pytest.raises(MalsporError, match="not recorded in the audit trail"), \
            store.write(ADMIN, "edit_targets") as cur:
        cur.execute("UPDATE target_definitions SET note_en = 'sneaky' WHERE target_id = 'eud_share'")
    assert store.checksum() == before


# ------------------------------------------------------------------ pages by role
@pytest.fixture(autouse=True)
def clear_caches(streamlit_caches):
    """Every test here runs with Streamlit's caches emptied (see conftest)."""


def page_as(page: str, *, email: str | None = None, local: Actor | None = None, **query: str) -> AppTest:
    """A page opened by a signed-in OIDC user (``email``), a local account, or nobody."""
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    if email is not None:
        at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                              "client_id": "id", "client_secret": "secret",
                              "server_metadata_url": "https://login.example.com/.well-known/openid-configuration"}
        at.user = {"is_logged_in": True, "email": email}
    if local is not None:
        at.session_state["local_actor"] = local
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


def test_a_signed_in_viewer_sees_no_write_controls(isolated_db):
    upload = page_as("upload", email="borger@example.com")
    assert not upload.exception and len(upload.file_uploader) == 0
    assert "læser" in upload.info[0].value
    target = page_as("target", email="borger@example.com", target="eud_share")
    assert not target.exception and not target.text_area
    admin = page_as("admin", email="borger@example.com")
    assert not admin.exception and "Kun administratorer" in admin.info[0].value and not admin.tabs


def test_a_mapped_analyst_gets_the_upload_but_not_administration(isolated_db):
    with open_store(isolated_db, seed=seed) as store:
        auth.set_role_mapping(store, ADMIN, "@regionh.dk", "analyst")
    upload = page_as("upload", email="ana@regionh.dk")
    assert not upload.exception and len(upload.file_uploader) == 1
    target = page_as("target", email="ana@regionh.dk", target="eud_share")
    assert target.text_area                      # the commentary form
    admin = page_as("admin", email="ana@regionh.dk")
    assert "Kun administratorer" in admin.info[0].value


def test_admin_page_lists_the_trail_and_manages_accounts(isolated_db):
    at = page_as("admin", local=Actor("root", "admin"))
    assert not at.exception and len(at.tabs) == 3
    trail = at.dataframe[-1].value
    assert "seed" in trail.to_string()
