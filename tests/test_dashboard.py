"""The dashboard through Streamlit's AppTest: it renders the seed data in Danish and English."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from metrics.store import PROJECT_ROOT, Store

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")


@pytest.fixture(autouse=True)
def clear_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def run_app(**query) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_overview_renders_every_target_in_danish(isolated_db):
    at = run_app()
    assert not at.exception
    assert at.subheader[0].value == "4 af 9 mål er nået eller på rette vej"
    shown = "\n".join(df.value.to_string() for df in at.dataframe)
    with Store.open(isolated_db) as store:
        for name in store.targets()["name_da"]:
            assert name[:30] in shown
    assert "▲ på rette vej" in shown and "13 % (2023)" in shown and "17.256 personer (2023)" in shown
    assert "Ingen mål i dette tema endnu." in [c.value for c in at.caption]


def test_language_switch_to_english(isolated_db):
    at = run_app()
    at.sidebar.segmented_control[0].set_value("en").run()
    assert not at.exception
    assert at.subheader[0].value == "4 of 9 targets met or on track"
    shown = "\n".join(df.value.to_string() for df in at.dataframe)
    assert "on track" in shown and "17,256 persons (2023)" in shown


def test_english_deep_link(isolated_db):
    at = run_app(lang="en")
    assert not at.exception and at.subheader[0].value.startswith("4 of 9")


def test_as_of_year_changes_the_picture(isolated_db):
    at = run_app()
    at.sidebar.selectbox[0].set_value(2019).run()
    assert not at.exception
    shown = "\n".join(df.value.to_string() for df in at.dataframe)
    assert "17.256" not in shown and "15.448 personer (2019)" in shown


def test_empty_database_says_what_to_do(isolated_db):
    Store.open(isolated_db, seed=False).close()
    at = run_app()
    assert not at.exception
    assert "python -m metrics init" in at.info[0].value
