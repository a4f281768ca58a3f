"""The Administration page through AppTest (issue 11): nothing destructive preselected, every role change
and removal confirmed in words before anything is written."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from metrics import audit, auth
from metrics.model import Actor
from metrics.seed import seed
from metrics.store import PROJECT_ROOT, Store

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
ROOT = Actor("root", "admin")


@pytest.fixture(autouse=True)
def clear_caches(streamlit_caches):
    """Every test here runs with Streamlit's caches emptied (see conftest)."""


@pytest.fixture
def accounts(isolated_db):
    """The only administrator 'root' and an analyst 'ana', as local accounts."""
    with Store.open(isolated_db, seed=seed) as store:
        auth.add_local_user(store, ROOT, "root", "admin", "rigtig-hemmelig-1")
        auth.add_local_user(store, ROOT, "ana", "analyst", "rigtig-hemmelig-2")
    return isolated_db


def admin_page(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    at.session_state["local_actor"] = ROOT
    if lang:
        at.query_params["lang"] = lang
        at.run()
    at.switch_page("app_pages/admin.py")
    return at.run()


def state(db) -> tuple[dict[str, str], int]:
    """The accounts with their roles, and the length of the audit trail."""
    with Store.open(db, seed=seed) as store:
        users = auth.local_users(store)
        return dict(zip(users["user_name"], users["role"])), len(audit.read(store, limit=None))


def change_form(at: AppTest):
    """The 'Ret konto' form's account and role choosers."""
    account = [s for s in at.selectbox if s.label == "Brugernavn" and "ana" in s.options][0]
    role = [s for s in at.selectbox if s.label == "Rolle" and s.placeholder == "Vælg en rolle"][0]
    return account, role


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, [b.label for b in at.button]
    return found[0]


def test_nothing_destructive_is_preselected(accounts):
    at = admin_page()
    assert not at.exception
    account, role = change_form(at)
    assert account.value is None and account.placeholder == "Vælg en konto"
    assert role.value is None
    empty_roles = [s for s in at.selectbox if s.label == "Rolle" and s.value is None]
    assert len(empty_roles) == 2  # the change form's role and the role mapping's role: both empty


def test_change_role_without_choosing_writes_nothing(accounts):
    before = state(accounts)
    at = admin_page()
    button(at, "Skift rolle").click().run()
    assert not at.exception
    assert at.error[0].value == "Vælg først den konto, der skal ændres. Intet er gemt."
    button(at, "Slet konto").click().run()
    assert at.error[0].value == "Vælg først den konto, der skal ændres. Intet er gemt."
    assert state(accounts) == before


def test_one_click_on_change_role_writes_nothing_then_confirm_writes(accounts):
    before = state(accounts)
    at = admin_page()
    account, role = change_form(at)
    account.set_value("ana")
    role.set_value("viewer")
    button(at, "Skift rolle").click().run()
    assert not at.exception
    assert at.warning[0].value.replace("\\", "") == "ana bliver læser. Intet er gemt endnu: bekræft eller annullér."
    assert state(accounts) == before  # the click only asked: the role and the audit trail are as they were
    at.run()  # a rerun (another widget, a reload of the script) does not write either
    assert state(accounts) == before
    button(at, "Bekræft").click().run()
    assert not at.exception
    assert at.success[0].value.replace("\\", "") == "Gemt."
    roles, n_audit = state(accounts)
    assert roles == {"root": "admin", "ana": "viewer"} and n_audit == before[1] + 1
    assert not [b for b in at.button if b.label == "Bekræft"]  # the confirmation is gone with the change


def test_cancel_writes_nothing(accounts):
    before = state(accounts)
    at = admin_page()
    account, role = change_form(at)
    account.set_value("ana")
    role.set_value("viewer")
    button(at, "Skift rolle").click().run()
    button(at, "Annullér").click().run()
    assert not at.exception and not at.warning
    assert state(accounts) == before


def test_removal_says_what_happens_and_needs_confirmation(accounts):
    before = state(accounts)
    at = admin_page()
    account, _ = change_form(at)
    account.set_value("ana")
    button(at, "Slet konto").click().run()
    assert at.warning[0].value.replace("\\", "").startswith(
        "Kontoen ana slettes; ændringsloggen bevarer dens handlinger.")
    assert state(accounts) == before
    button(at, "Bekræft").click().run()
    roles, n_audit = state(accounts)
    assert roles == {"root": "admin"} and n_audit == before[1] + 1


def test_demoting_oneself_is_said_plainly_before_confirmation(accounts):
    at = admin_page(lang="en")
    account = [s for s in at.selectbox if s.label == "User name" and "root" in s.options][0]
    role = [s for s in at.selectbox if s.label == "Role" and s.placeholder == "Choose a role"][0]
    account.set_value("root")
    role.set_value("viewer")
    button(at, "Change role").click().run()
    text = at.warning[0].value.replace("\\", "")
    assert text.startswith("root becomes viewer. This is your own account: you lose access to the administration.")
    assert state(accounts)[0]["root"] == "admin"


def test_a_role_mapping_is_confirmed_too(accounts):
    before = state(accounts)
    at = admin_page()
    pattern = [t for t in at.text_input if t.label == "E-mail eller @domæne"][0]
    pattern.set_value("@regionh.dk")
    role = [s for s in at.selectbox if s.label == "Rolle" and s.value is None][-1]
    role.set_value("admin")
    button(at, "Gem rolle").click().run()
    assert not at.exception
    assert "@regionh.dk får rollen administrator" in at.warning[0].value.replace("\\", "")
    assert state(accounts) == before
    button(at, "Bekræft").click().run()
    with Store.open(accounts, seed=seed) as store:
        assert auth.role_mappings(store)["pattern"].tolist() == ["@regionh.dk"]


def test_names_in_the_confirmation_are_not_markdown(isolated_db):
    with Store.open(isolated_db, seed=seed) as store:
        auth.add_local_user(store, ROOT, "root", "admin", "rigtig-hemmelig-1")
        auth.add_local_user(store, ROOT, "a_b_c", "analyst", "rigtig-hemmelig-2")
    at = admin_page()
    account = [s for s in at.selectbox if s.label == "Brugernavn" and "a_b_c" in s.options][0]
    account.set_value("a_b_c")
    button(at, "Slet konto").click().run()
    assert at.warning[0].value.startswith("Kontoen a\\_b\\_c slettes")
