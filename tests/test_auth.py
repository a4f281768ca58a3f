"""Roles, local accounts, sign-in limits and the OIDC role mapping."""

from __future__ import annotations

import datetime as dt

import pytest

from metrics.database import open_store
from metrics import auth
from metrics.model import PERMISSIONS, Actor, MalsporError, PermissionDenied, ValidationError
from tests.conftest import ADMIN, ANALYST, VIEWER

PASSWORD = "korrekt-hest-batteri"


def test_password_hash_is_salted_scrypt_and_verifies():
    a, b = auth.hash_password(PASSWORD), auth.hash_password(PASSWORD)
    assert a.startswith("scrypt$") and a != b and PASSWORD not in a
    assert auth.verify_password(PASSWORD, a) and not auth.verify_password("forkert", a)
    assert not auth.verify_password(PASSWORD, "garbage")


def test_only_admins_manage_users(store):
    for actor in (VIEWER, ANALYST):
        with pytest.raises(PermissionDenied):
            auth.add_local_user(store, actor, "ana", "analyst", PASSWORD)
    auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD)
    users = auth.local_users(store)
    assert users["user_name"].tolist() == ["ana"] and "password_hash" not in users
    stored = store.scalar("SELECT password_hash FROM local_users WHERE user_name = 'ana'")
    assert stored.startswith("scrypt$") and PASSWORD not in stored


def test_sign_in_gives_the_accounts_role(store):
    auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD)
    actor = auth.sign_in_local(store, "ana", PASSWORD)
    assert actor == Actor("ana", "analyst", via="dashboard")
    with pytest.raises(auth.SignInFailed) as info:
        auth.sign_in_local(store, "nobody", PASSWORD)
    assert info.value.code == "wrong"


def test_failed_attempt_limit_locks_and_expires(store):
    auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD)
    now = dt.datetime(2026, 11, 28, 10, 0)
    for _ in range(auth.MAX_FAILED):
        with pytest.raises(auth.SignInFailed) as info:
            auth.sign_in_local(store, "ana", "wrong password", now=now)
        assert info.value.code == "wrong"
    assert store.scalar("SELECT locked_until FROM local_users WHERE user_name = 'ana'") == \
        now + dt.timedelta(minutes=auth.LOCK_MINUTES)
    # locked: even the right password is refused until the lock expires, with the same answer
    with pytest.raises(auth.SignInFailed) as info:
        auth.sign_in_local(store, "ana", PASSWORD, now=now + dt.timedelta(minutes=1))
    assert (info.value.code, info.value.reason) == ("wrong", "locked")
    later = now + dt.timedelta(minutes=auth.LOCK_MINUTES + 1)
    assert auth.sign_in_local(store, "ana", PASSWORD, now=later).role == "analyst"


def test_a_good_sign_in_resets_the_count(store):
    auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD)
    for _ in range(auth.MAX_FAILED - 1):
        with pytest.raises(auth.SignInFailed):
            auth.sign_in_local(store, "ana", "wrong password")
    auth.sign_in_local(store, "ana", PASSWORD)
    assert store.scalar("SELECT failed_attempts FROM local_users WHERE user_name = 'ana'") == 0


def test_password_and_name_rules(store):
    with pytest.raises(ValidationError):
        auth.add_local_user(store, ADMIN, "ana", "analyst", "short")
    with pytest.raises(ValidationError):
        auth.add_local_user(store, ADMIN, "a b", "analyst", PASSWORD)
    with pytest.raises(ValidationError):
        auth.add_local_user(store, ADMIN, "ana", "superuser", PASSWORD)
    auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD)
    with pytest.raises(MalsporError, match="already exists"):
        auth.add_local_user(store, ADMIN, "ana", "admin", PASSWORD)


def test_role_mapping_exact_address_beats_domain(store):
    assert auth.role_for_email(store, "ana@regionh.dk") == "viewer"
    auth.set_role_mapping(store, ADMIN, "@regionh.dk", "analyst")
    auth.set_role_mapping(store, ADMIN, "Chef@RegionH.dk", "admin")
    assert auth.role_for_email(store, "ana@regionh.dk") == "analyst"
    assert auth.role_for_email(store, "chef@regionh.dk") == "admin"
    assert auth.role_for_email(store, "someone@example.com") == "viewer"
    assert auth.role_for_email(store, None) == "viewer"
    with pytest.raises(PermissionDenied):
        auth.set_role_mapping(store, ANALYST, "@example.com", "admin")
    with pytest.raises(ValidationError):
        auth.set_role_mapping(store, ADMIN, "not an address", "analyst")
    auth.remove_role_mapping(store, ADMIN, "@regionh.dk")
    assert auth.role_for_email(store, "ana@regionh.dk") == "viewer"


def test_permission_table_is_what_the_issue_says():
    assert PERMISSIONS["import_observations"] == {"analyst", "admin"}
    assert PERMISSIONS["undo_batch"] == {"analyst", "admin"}
    assert PERMISSIONS["write_commentary"] == {"analyst", "admin"}
    assert PERMISSIONS["edit_targets"] == {"admin"}
    assert PERMISSIONS["manage_users"] == {"admin"}
    assert not any("viewer" in roles for roles in PERMISSIONS.values())


# ---------------------------------------------------------------------- issue 11: sessions that follow the account
import contextlib  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import pwd  # noqa: E402
import statistics  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from metrics import audit, cli, commentary  # noqa: E402
from metrics.seed import seed  # noqa: E402


def test_parallel_wrong_guesses_lock_as_sequential_ones_do(store):
    """The attack: 20 wrong passwords at the same moment from 20 sessions, then the right one."""
    auth.add_local_user(store, ADMIN, "chef", "admin", PASSWORD)
    start = threading.Barrier(20)
    outcomes: list[str] = []

    def guess(i: int) -> None:
        start.wait()
        try:
            auth.sign_in_local(store, "chef", f"gæt nummer {i:02d}")
            outcomes.append("signed in")
        except auth.SignInFailed as exc:
            outcomes.append(exc.reason)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 20 and "signed in" not in outcomes
    # every one of the 20 was counted: 5 wrong, then locked (the rest refused while locked)
    assert outcomes.count("wrong") == auth.MAX_FAILED and outcomes.count("locked") == 20 - auth.MAX_FAILED
    locked_until = store.scalar("SELECT locked_until FROM local_users WHERE user_name = 'chef'")
    assert locked_until is not None and locked_until > dt.datetime.now()
    failed = audit.read(store, action="sign_in_failed")
    assert len(failed) == 20
    with pytest.raises(auth.SignInFailed) as info:
        auth.sign_in_local(store, "chef", PASSWORD)
    assert (info.value.code, info.value.reason) == ("wrong", "locked")
    with pytest.raises(auth.SignInFailed):
        auth.open_session(store, "chef", PASSWORD)
    assert auth.active_sessions(store, "chef") == 0


def test_parallel_guesses_with_the_right_password_among_them_are_decided_as_if_in_a_row(store):
    """Attempts are decided one at a time: replaying the audit trail's order sequentially gives the same outcomes."""
    auth.add_local_user(store, ADMIN, "chef", "admin", PASSWORD)
    n = int(store.scalar("SELECT max(audit_id) FROM audit_log"))
    start = threading.Barrier(12)

    def attempt(password: str) -> None:
        start.wait()
        with contextlib.suppress(auth.SignInFailed):
            auth.sign_in_local(store, "chef", password)

    threads = [threading.Thread(target=attempt, args=(f"forkert-{i:02d}",)) for i in range(11)]
    threads.append(threading.Thread(target=attempt, args=(PASSWORD,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    trail = store.query_df("SELECT action, detail FROM audit_log WHERE audit_id > ? ORDER BY audit_id", [n])
    assert len(trail) == 12
    failed, locked = 0, False
    for action, detail in trail.itertuples(index=False):
        if action == "sign_in":
            assert not locked
            failed = 0
        elif detail == "locked":
            assert locked
        else:
            assert action == "sign_in_failed" and not locked
            failed += 1
            if failed == auth.MAX_FAILED:
                failed, locked = 0, True
    assert locked  # eleven wrong guesses lock the account whatever the order


def _count_scrypt(monkeypatch) -> list[int]:
    calls = [0]
    real = hashlib.scrypt

    def counted(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(auth.hashlib, "scrypt", counted)
    return calls


def test_unknown_name_wrong_password_and_locked_account_answer_alike(store, monkeypatch):
    """The attack: find account names by their answer or their time."""
    auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD)
    auth.add_local_user(store, ADMIN, "bo", "analyst", PASSWORD)
    for _ in range(auth.MAX_FAILED):
        with pytest.raises(auth.SignInFailed):
            auth.sign_in_local(store, "bo", "forkert kodeord")
    auth._dummy_hash()  # made once per process, by the first unknown name (with -n 2 it may be this test's)
    calls = _count_scrypt(monkeypatch)
    answers, work = {}, {}
    for case, name, password in (("unknown", "findes.ikke", "forkert kodeord"), ("wrong", "ana", "forkert kodeord"),
                                 ("locked", "bo", "forkert kodeord"), ("locked_right", "bo", PASSWORD)):
        n_audit = int(store.scalar("SELECT count(*) FROM audit_log"))
        before = calls[0]
        with pytest.raises(auth.SignInFailed) as info:
            auth.sign_in_local(store, name, password)
        answers[case] = (info.value.code, info.value.render("da"), info.value.render("en"))
        # the same work: one scrypt and one write (one audit row) each
        work[case] = (calls[0] - before, int(store.scalar("SELECT count(*) FROM audit_log")) - n_audit)
    assert len(set(answers.values())) == 1, answers
    assert set(work.values()) == {(1, 1)}, work
    # and about the same time (loose: medians within 3x; scrypt dominates both)
    monkeypatch.undo()

    def median(name: str) -> float:
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            with pytest.raises(auth.SignInFailed):
                auth.sign_in_local(store, name, "forkert kodeord")
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    auth.set_local_password(store, ADMIN, "ana", PASSWORD)  # unlock after the counted attempts
    unknown, known = median("findes.ikke"), median("ana")
    assert 1 / 3 < unknown / known < 3, (unknown, known)


def test_an_unknown_name_is_checked_against_a_real_scrypt_hash(monkeypatch):
    calls = _count_scrypt(monkeypatch)
    stored = auth._dummy_hash()
    assert stored.startswith(f"scrypt${auth.SCRYPT_N}${auth.SCRYPT_R}${auth.SCRYPT_P}$")
    assert auth._dummy_hash() is stored and calls[0] <= 1


@pytest.mark.parametrize("password", [" " * 10, " " * 40, "\t\n " * 5, "\u00a0" * 12, "  kort  ", "123456789"])
def test_passwords_of_spaces_or_short_ones_are_refused(store, password):
    before = store.checksum()
    with pytest.raises(ValidationError) as info:
        auth.add_local_user(store, ADMIN, "ana", "analyst", password)
    assert info.value.problems[0].code in ("password_blank", "password_short")
    assert "10" in info.value.render("da")
    auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD)
    with pytest.raises(ValidationError):
        auth.set_local_password(store, ADMIN, "ana", password)
    assert auth.sign_in_local(store, "ana", PASSWORD).name == "ana"
    assert before["local_users"] != store.checksum()["local_users"]  # only the good account was written


def test_a_password_of_ten_spaces_says_so_in_danish(store):
    with pytest.raises(ValidationError) as info:
        auth.add_local_user(store, ADMIN, "ana", "analyst", " " * 10)
    assert info.value.lines("da") == ["kolonne 'password': Adgangskoden må ikke kun bestå af mellemrum. "
                                      "Vælg en med mindst 10 tegn."]


def test_user_names_are_unique_without_regard_to_case(store):
    """The attack: admin, Admin and ADMIN as three accounts."""
    auth.add_local_user(store, ADMIN, "admin", "admin", PASSWORD)
    for name in ("Admin", "ADMIN", "aDmIn"):
        with pytest.raises(MalsporError) as info:
            auth.add_local_user(store, ADMIN, name, "analyst", PASSWORD + "x")
        assert info.value.code == "user_exists" and "'admin'" in info.value.render("da")
    assert auth.local_users(store)["user_name"].tolist() == ["admin"]
    # the database refuses it too, whatever the path
    import duckdb
    with pytest.raises(duckdb.ConstraintException), store.write(ADMIN, "manage_users") as cur:
        cur.execute("INSERT INTO local_users (user_name, role, password_hash) VALUES ('ADMIN', 'admin', 'scrypt$x')")
    # one account, found by any spelling
    assert auth.sign_in_local(store, "ADMIN", PASSWORD).name == "admin"
    auth.add_local_user(store, ADMIN, "Bente", "analyst", PASSWORD)
    auth.set_local_role(store, ADMIN, "BENTE", "viewer")
    assert auth.account_actor(store, "bente") == Actor("Bente", "viewer", via="dashboard")


@pytest.mark.duckdb_only
def test_the_migration_keeps_case_duplicates_apart_under_new_names(isolated_db):
    from metrics import store as store_module

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:5])
        mp.setattr(store_module, "SCHEMA_VERSION", 5)
        with open_store(isolated_db, seed=False) as old:
            h = auth.hash_password(PASSWORD)
            for i, name in enumerate(("admin", "Admin", "ADMIN", "bo")):
                old._con.execute("INSERT INTO local_users (user_name, role, password_hash, created_at) "
                                 "VALUES (?, 'admin', ?, TIMESTAMP '2026-01-01' + to_minutes(?))", [name, h, i])
    with open_store(isolated_db, seed=False) as new:
        assert new.schema_version() >= 6
        names = sorted(auth.local_users(new)["user_name"])
        assert names == ["ADMIN.dup3", "Admin.dup2", "admin", "bo"]


def _signed_in(store, name="ana", role="analyst"):
    if not store.scalar("SELECT count(*) FROM local_users WHERE user_name = ?", [name]):
        auth.add_local_user(store, ADMIN, name, role, PASSWORD)
    return auth.open_session(store, name, PASSWORD)


def test_a_session_survives_and_follows_the_account(store):
    session = _signed_in(store)
    assert len(session.token) >= 40 and session.actor == Actor("ana", "analyst", via="dashboard")
    # only the hash is stored
    stored = store.query_df("SELECT * FROM sessions")
    assert len(stored) == 1 and session.token not in stored.to_string()
    assert stored["token_hash"][0] == hashlib.sha256(session.token.encode()).hexdigest()
    # a reload, a new tab: the same token gives the same account
    assert auth.session_actor(store, session.token) == session.actor
    # bounded in time
    assert auth.session_actor(store, session.token, now=session.expires_at) is None
    assert session.expires_at - dt.datetime.now() <= dt.timedelta(hours=auth.SESSION_HOURS)
    # a token that is not ours, or not a token at all
    for token in (None, "", "x" * 43, "'; DROP TABLE sessions; --", 42, session.token + "x"):
        assert auth.session_actor(store, token) is None


@pytest.mark.parametrize("change", ["sign_out", "role", "password", "remove", "lock"])
def test_a_revoked_session_gives_no_right_at_the_next_click(store, change):
    """The attack: an account deleted, demoted or signed out keeps writing from its open tab."""
    auth.add_local_user(store, ADMIN, "chef", "admin", PASSWORD)  # another admin, so ana may be changed
    session = _signed_in(store)
    actor = auth.session_actor(store, session.token)
    commentary.save(store, actor, target_id="eud_share", year=2026, text="Før ændringen.")
    if change == "sign_out":
        auth.end_session(store, session.token)
    elif change == "role":
        auth.set_local_role(store, ADMIN, "ana", "viewer")
    elif change == "password":
        auth.set_local_password(store, ADMIN, "ana", PASSWORD + "-ny")
    elif change == "remove":
        auth.remove_local_user(store, ADMIN, "ana")
    else:
        for _ in range(auth.MAX_FAILED):
            with pytest.raises(auth.SignInFailed):
                auth.sign_in_local(store, "ana", "en andens gæt")
    # the next rerun re-reads: no actor from the token, so the page's actor is a viewer
    assert auth.session_actor(store, session.token) is None
    before = store.checksum()
    viewer = Actor("anonym", "viewer")
    with pytest.raises(PermissionDenied):
        commentary.save(store, viewer, target_id="eud_share", year=2026, text="Efter ændringen.")
    assert store.checksum() == before
    if change in ("role", "password", "remove"):
        assert auth.active_sessions(store, "ana") == 0


def test_a_role_change_made_outside_the_write_path_still_ends_the_session(store):
    """Belt and braces: the session remembers the account's stamp (a restore, a hand edit)."""
    session = _signed_in(store)
    with store.write(ADMIN, "manage_users") as cur:
        cur.execute("UPDATE local_users SET role = 'admin' WHERE user_name = 'ana'")
        audit.record(cur, ADMIN, "user_role", "local_user", "ana", None, None)
    assert auth.session_actor(store, session.token) is None


def test_sign_out_ends_only_that_session(store):
    first, second = _signed_in(store), _signed_in(store)
    auth.end_session(store, first.token)
    assert auth.session_actor(store, first.token) is None
    assert auth.session_actor(store, second.token) == second.actor
    n = int(store.scalar("SELECT count(*) FROM audit_log"))
    auth.end_session(store, "no-such-token-0123456789")  # harmless, and writes nothing
    auth.end_session(store, first.token)
    assert int(store.scalar("SELECT count(*) FROM audit_log")) == n


# ---------------------------------------------------------------------- the last administrator
def test_the_last_local_admin_cannot_be_demoted_or_removed(store):
    """The attack: one click on 'Skift rolle' with the default 'læser' and the only admin is gone."""
    auth.add_local_user(store, ADMIN, "chef", "admin", PASSWORD)
    auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD)
    before = store.checksum()
    for call in (lambda: auth.set_local_role(store, ADMIN, "chef", "viewer"),
                 lambda: auth.set_local_role(store, ADMIN, "CHEF", "analyst"),
                 lambda: auth.remove_local_user(store, ADMIN, "chef")):
        with pytest.raises(MalsporError) as info:
            call()
        assert info.value.code == "last_admin"
        assert "sidste lokale administrator" in info.value.render("da")
    assert store.checksum() == before
    # with a second administrator, either may go
    auth.set_local_role(store, ADMIN, "ana", "admin")
    auth.set_local_role(store, ADMIN, "chef", "viewer")
    with pytest.raises(MalsporError, match="last local administrator"):
        auth.remove_local_user(store, ADMIN, "ana")


def test_two_admins_demoting_each_other_at_once_leave_one(store):
    auth.add_local_user(store, ADMIN, "chef", "admin", PASSWORD)
    auth.add_local_user(store, ADMIN, "ana", "admin", PASSWORD)
    start = threading.Barrier(2)
    refused: list[str] = []

    def demote(name: str) -> None:
        start.wait()
        try:
            auth.set_local_role(store, Actor("x", "admin"), name, "viewer")
        except MalsporError as exc:
            refused.append(exc.code)

    threads = [threading.Thread(target=demote, args=(n,)) for n in ("chef", "ana")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert refused == ["last_admin"]
    assert store.scalar("SELECT count(*) FROM local_users WHERE role = 'admin'") == 1


def test_the_last_admin_mapping_cannot_be_changed_or_removed(store):
    auth.set_role_mapping(store, ADMIN, "chef@regionh.dk", "admin")
    auth.set_role_mapping(store, ADMIN, "@regionh.dk", "analyst")
    before = store.checksum()
    for call in (lambda: auth.set_role_mapping(store, ADMIN, "Chef@RegionH.dk", "viewer"),
                 lambda: auth.remove_role_mapping(store, ADMIN, "chef@regionh.dk"),
                 lambda: auth.remove_role_mapping(store, ADMIN, " CHEF@regionh.dk ")):
        with pytest.raises(MalsporError) as info:
            call()
        assert info.value.code == "last_admin_mapping" and "administrator" in info.value.render("da")
    assert store.checksum() == before
    auth.set_role_mapping(store, ADMIN, "@regionh.dk", "admin")
    auth.remove_role_mapping(store, ADMIN, "chef@regionh.dk")
    assert auth.role_for_email(store, "chef@regionh.dk") == "admin"


def test_the_command_line_cannot_demote_or_remove_the_last_admin(store, monkeypatch):
    auth.add_local_user(store, ADMIN, "chef", "admin", PASSWORD)
    store.close()
    for argv in (["user", "role", "chef", "--role", "viewer"], ["user", "remove", "chef"]):
        out, err = io.StringIO(), io.StringIO()
        assert cli.main(argv, out=out, err=err) == cli.EXIT_INVALID
        assert "last local administrator" in err.getvalue()
    with open_store(seed=seed) as again:
        assert auth.local_users(again)[["user_name", "role"]].values.tolist() == [["chef", "admin"]]


# ---------------------------------------------------------------------- the command line's identity
def test_the_command_line_user_comes_from_the_os_not_from_the_environment(monkeypatch, tmp_path):
    """The attack: USER=chef LOGNAME=chef python -m metrics ... recorded as 'chef'."""
    real = pwd.getpwuid(os.getuid()).pw_name
    for var in ("USER", "LOGNAME", "LNAME", "USERNAME"):
        monkeypatch.setenv(var, "chef")
    assert cli.cli_actor() == Actor(real, "admin", via="cli")
    store = open_store(seed=seed)
    store.close()
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["commentary", "set", "--target", "eud_share", "--year", "2026", "--text", "Fra kommandolinjen."],
                    out=out, err=err) == 0, err.getvalue()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["user", "add", "ny.bruger", "--role", "viewer", "--password-stdin"],
                    out=io.StringIO(), err=io.StringIO()) == 0
    with open_store(seed=seed) as again:
        rows = audit.read(again, limit=2)
        author = again.scalar("SELECT author FROM commentary ORDER BY commentary_id DESC LIMIT 1")
    assert rows["action"].tolist() == ["user_add", "write_commentary"]
    assert set(rows["user_name"]) == {real} and set(rows["via"]) == {"cli"} and author == real != "chef"


# ---------------------------------------------------------------------- on the pages (AppTest)
from streamlit.testing.v1 import AppTest  # noqa: E402

from metrics.store import PROJECT_ROOT  # noqa: E402

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")


def _sign_in_on_the_page(name: str, password: str, **query: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.sidebar.text_input  # a reader sees one button, not the form
    next(b for b in at.sidebar.button if b.label == "Log ind (lokal konto)").click().run()
    at.sidebar.text_input[0].set_value(name)
    at.sidebar.text_input[1].set_value(password)
    next(b for b in at.sidebar.button if b.label == "Log ind").click().run()
    assert not at.exception
    return at


def _cookie_scripts(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html") if "malspor_session=" in h.proto.body]


def test_a_demoted_analyst_in_an_open_tab_cannot_save_at_the_next_click(isolated_db, streamlit_caches):
    """The attack: an administrator demotes ana; her open tab keeps writing commentary."""
    with open_store(isolated_db, seed=seed) as store:
        auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD)
    at = _sign_in_on_the_page("ana", PASSWORD)
    assert "Logget ind som ana (analytiker)" in [c.value for c in at.sidebar.caption]
    at.query_params["target"] = "eud_share"
    at.switch_page("app_pages/target.py").run()
    at.text_area[0].input("Skrevet før nedgraderingen.")
    with open_store(isolated_db, seed=seed) as store:
        auth.set_local_role(store, ADMIN, "ana", "viewer")
        n = len(commentary.history(store, target_id="eud_share", year=at.session_state["as_of"]))
    next(b for b in at.button if b.label == "Gem kommentar").click().run()
    assert not at.exception
    assert not [s.value for s in at.success]
    assert "Log ind (lokal konto)" in [b.label for b in at.sidebar.button]  # signed out: the sign-in button again
    with open_store(isolated_db, seed=seed) as store:
        assert len(commentary.history(store, target_id="eud_share", year=at.session_state["as_of"])) == n
        assert auth.active_sessions(store, "ana") == 0


def test_a_removed_admin_loses_the_admin_page_at_the_next_click(isolated_db, streamlit_caches):
    with open_store(isolated_db, seed=seed) as store:
        auth.add_local_user(store, ADMIN, "chef", "admin", PASSWORD)
        auth.add_local_user(store, ADMIN, "chef2", "admin", PASSWORD)
    at = _sign_in_on_the_page("chef", PASSWORD)
    at.switch_page("app_pages/admin.py").run()
    assert not at.info or "Kun administratorer" not in at.info[0].value
    with open_store(isolated_db, seed=seed) as store:
        auth.remove_local_user(store, ADMIN, "chef")
    at.run()
    assert any("Kun administratorer" in i.value for i in at.info)


def test_the_sign_in_keeps_a_token_in_a_cookie_never_in_the_url(isolated_db, streamlit_caches, monkeypatch):
    """A reload or a new tab stays signed in (the cookie); the URL never carries the token."""
    from app_pages import _auth

    with open_store(isolated_db, seed=seed) as store:
        auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD)
    at = _sign_in_on_the_page("ana", PASSWORD)
    token = at.session_state["local_session"]
    assert token and token not in str(dict(at.query_params))
    scripts = _cookie_scripts(at)
    assert len(scripts) == 1 and token in scripts[0] and "SameSite=Strict" in scripts[0]
    assert f"Max-Age={auth.SESSION_HOURS * 3600}" in scripts[0]
    at.run()
    assert _cookie_scripts(at) == []  # sent once, not kept on the page
    # a new tab (a new Streamlit session) with the browser's cookie
    monkeypatch.setattr(_auth, "_cookie_token", lambda: token)
    tab = AppTest.from_file(DASHBOARD, default_timeout=30).run()
    assert "Logget ind som ana (analytiker)" in [c.value for c in tab.sidebar.caption]
    # sign out in the first tab: the second tab is signed out at its next click, its cookie cleared
    next(b for b in at.sidebar.button if b.label == "Log ud").click().run()
    assert "Max-Age=0" in _cookie_scripts(at)[0]
    tab.run()
    assert "Log ind (lokal konto)" in [b.label for b in tab.sidebar.button]
    assert "Max-Age=0" in _cookie_scripts(tab)[0]


def test_a_forged_or_stale_cookie_signs_nobody_in(isolated_db, streamlit_caches, monkeypatch):
    from app_pages import _auth

    with open_store(isolated_db, seed=seed) as store:
        auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD)
        stale = auth.open_session(store, "ana", PASSWORD, now=dt.datetime.now() - dt.timedelta(hours=9)).token
    for cookie in ("ana", "x" * 43, "'><script>alert(1)</script>", stale):
        monkeypatch.setattr(_auth, "_cookie_token", lambda c=cookie: c)
        tab = AppTest.from_file(DASHBOARD, default_timeout=30).run()
        assert not tab.exception
        assert "Log ind (lokal konto)" in [b.label for b in tab.sidebar.button]
        assert all("alert" not in s for s in _cookie_scripts(tab))


def test_every_failed_sign_in_on_the_page_reads_the_same(isolated_db, streamlit_caches):
    with open_store(isolated_db, seed=seed) as store:
        auth.add_local_user(store, ADMIN, "ana", "analyst", PASSWORD)
    answers = set()
    for name, password in (("findes.ikke", PASSWORD), ("ana", "forkert kodeord")):
        at = _sign_in_on_the_page(name, password)
        answers.add(tuple(e.value for e in at.error))
    assert len(answers) == 1 and next(iter(answers))[0].startswith("Forkert brugernavn eller adgangskode.")


# ---------------------------------------------------------------------- in a real browser (Chromium)
CHROMIUM = "/usr/bin/chromium"


@pytest.mark.e2e
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium at /usr/bin/chromium")
def test_in_chromium_a_sign_in_survives_a_reload_and_a_new_tab_and_a_revoked_one_does_not(tmp_path):
    from playwright.sync_api import sync_playwright

    from tests.conftest import running_dashboard

    db = tmp_path / "malspor.duckdb"
    with open_store(db, seed=seed) as store:
        auth.add_local_user(store, Actor("e2e", "admin", via="cli"), "ana", "analyst", PASSWORD)
    signed_in, signed_out = "Logget ind som ana (analytiker)", "Log ind (lokal konto)"
    with running_dashboard(db) as base:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(locale="da-DK")
            page = context.new_page()
            page.goto(base + "/upload")
            sidebar = page.locator("section[data-testid='stSidebar']")
            sidebar.get_by_role("button", name="Log ind (lokal konto)").click()  # a reader sees only the button
            sidebar.get_by_label("Brugernavn").fill("ana")
            sidebar.get_by_label("Adgangskode", exact=True).fill(PASSWORD)
            sidebar.get_by_role("button", name="Log ind").click()
            sidebar.get_by_text(signed_in).wait_for(timeout=30_000)
            page.wait_for_function("document.cookie.includes('malspor_session=')", timeout=10_000)
            cookie = next(c for c in context.cookies() if c["name"] == "malspor_session")
            assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
            assert cookie["expires"] - time.time() <= auth.SESSION_HOURS * 3600 + 5
            assert cookie["value"] not in page.url
            page.reload()
            page.locator("section[data-testid='stSidebar']").get_by_text(signed_in).wait_for(timeout=30_000)
            tab = context.new_page()
            tab.goto(base + "/overview")
            tab.locator("section[data-testid='stSidebar']").get_by_text(signed_in).wait_for(timeout=30_000)
            # sign out in the first tab: the session ends on the server, the cookie is cleared
            page.locator("section[data-testid='stSidebar']").get_by_role("button", name="Log ud").click()
            page.locator("section[data-testid='stSidebar']").get_by_role("button", name=signed_out).wait_for(timeout=30_000)
            page.wait_for_function("!document.cookie.includes('malspor_session=')", timeout=10_000)
            # the old token, replayed by hand in a fresh browser, signs nobody in
            replay = browser.new_context(locale="da-DK")
            replay.add_cookies([{"name": "malspor_session", "value": cookie["value"], "url": base}])
            again = replay.new_page()
            again.goto(base + "/upload")
            again.locator("section[data-testid='stSidebar']").get_by_role("button", name=signed_out).wait_for(timeout=30_000)
            browser.close()
