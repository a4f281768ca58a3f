"""The collector's settings for many sessions (app_pages/_gc.py): freezes only after new imports."""

from __future__ import annotations

import gc
import sys
import types

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import _gc
from metrics.store import PROJECT_ROOT


@pytest.fixture(autouse=True)
def clear_caches(streamlit_caches):
    """Streamlit's caches emptied for each test (see conftest)."""


@pytest.fixture
def threshold():
    """The collector's thresholds as they were, put back after the test."""
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_an_ordinary_rerun_of_every_page_freezes_nothing(monkeypatch):
    """Objects are frozen (never freed if they end in a cycle) only when a run imported code: a day of
    reruns by a committee must not move its sessions' objects out of the collector's reach."""
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=30).run()
    for page in ("target", "explorer", "overview"):  # first visits: their imports are frozen
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception and gc.get_freeze_count() > 0
    freezes = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(1))
    for page in ("target", "explorer", "overview") * 2:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception
    assert freezes == []
    sys.modules["_malspor_test_new_module"] = types.ModuleType("_malspor_test_new_module")
    try:  # a run that did import something freezes, once
        at.run()
        at.run()
    finally:
        del sys.modules["_malspor_test_new_module"]
    assert freezes == [1]


def test_a_run_that_imported_a_module_freezes_once(monkeypatch):
    monkeypatch.setattr(_gc, "_modules_seen", len(sys.modules))  # as if just frozen
    assert _gc.freeze_new_imports() is False
    name = "_malspor_test_new_module"
    sys.modules[name] = types.ModuleType(name)
    try:
        assert _gc.freeze_new_imports() is True
        assert _gc.freeze_new_imports() is False
    finally:
        del sys.modules[name]


def test_the_young_generation_threshold_is_raised_never_lowered_or_enabled(threshold):
    gc.set_threshold(700, *threshold[1:])
    _gc.tune()
    assert gc.get_threshold()[0] == _gc.YOUNG_THRESHOLD
    gc.set_threshold(50_000, *threshold[1:])
    _gc.tune()
    assert gc.get_threshold()[0] == 50_000
    gc.set_threshold(0, *threshold[1:])  # collection turned off on purpose: left so
    _gc.tune()
    assert gc.get_threshold()[0] == 0
