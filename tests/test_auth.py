"""Roles, local accounts, sign-in limits and the OIDC role mapping."""

from __future__ import annotations

import datetime as dt

import pytest

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
    for _ in range(auth.MAX_FAILED - 1):
        with pytest.raises(auth.SignInFailed) as info:
            auth.sign_in_local(store, "ana", "wrong password", now=now)
        assert info.value.code == "wrong"
    with pytest.raises(auth.SignInFailed) as info:
        auth.sign_in_local(store, "ana", "wrong password", now=now)
    assert info.value.code == "locked_now"
    # locked: even the right password is refused until the lock expires
    with pytest.raises(auth.SignInFailed) as info:
        auth.sign_in_local(store, "ana", PASSWORD, now=now + dt.timedelta(minutes=1))
    assert info.value.code == "locked"
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
