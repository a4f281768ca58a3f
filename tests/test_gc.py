"""The collector's settings for many sessions (app_pages/_gc.py): one freeze per process, at its first run."""

from __future__ import annotations

import gc

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import _gc
from metrics.store import PROJECT_ROOT
from tests.conftest import ANALYST


@pytest.fixture(autouse=True)
def clear_caches(streamlit_caches):
    """Streamlit's caches emptied for each test (see conftest)."""


@pytest.fixture
def threshold():
    """The collector's thresholds as they were, put back after the test."""
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


@pytest.fixture
def freezes(monkeypatch):
    """A fresh process as far as _gc knows (shipped settings, nothing frozen); each gc.freeze() counted, not made."""
    made: list[int] = []
    monkeypatch.setattr(_gc, "PYTHON_DEFAULTS", False)
    monkeypatch.setattr(_gc, "_frozen", False)
    monkeypatch.setattr(gc, "freeze", lambda: made.append(1))
    return made


def test_the_first_run_freezes_once_and_no_later_run_of_any_page_does(freezes):
    """A freeze keeps what is alive out of the collector's reach for good: after the first run that would
    include other sessions' state (an upload preview and its bytes), so it happens once, at the start."""
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=30).run()
    assert not at.exception and freezes == [1]
    for page in ("target", "explorer", "report", "upload", "overview"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception
    analyst = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=30)
    analyst.session_state["local_actor"] = ANALYST
    analyst.switch_page("app_pages/upload.py").run()
    assert not analyst.exception
    assert freezes == [1]


def test_python_defaults_when_asked(freezes, monkeypatch, threshold):
    monkeypatch.setattr(_gc, "PYTHON_DEFAULTS", True)  # MALSPOR_GC=python
    gc.set_threshold(700, *threshold[1:])
    _gc.tune()
    assert _gc.freeze_after_first_run() is False and freezes == [] and gc.get_threshold()[0] == 700


def test_the_young_generation_threshold_is_raised_never_lowered_or_enabled(threshold, monkeypatch):
    monkeypatch.setattr(_gc, "PYTHON_DEFAULTS", False)
    gc.set_threshold(700, *threshold[1:])
    _gc.tune()
    assert gc.get_threshold()[0] == _gc.YOUNG_THRESHOLD
    gc.set_threshold(50_000, *threshold[1:])
    _gc.tune()
    assert gc.get_threshold()[0] == 50_000
    gc.set_threshold(0, *threshold[1:])  # collection turned off on purpose: left so
    _gc.tune()
    assert gc.get_threshold()[0] == 0


def test_full_collections_are_logged_one_line_each(tmp_path):
    log = tmp_path / "gc.log"
    callback = _gc.log_full_collections(str(log))
    try:
        gc.collect()
        gc.collect(0)  # a young collection: not logged
    finally:
        gc.callbacks.remove(callback)
    at, ms, freed = log.read_text(encoding="utf-8").split()
    assert float(at) > 0 and float(ms) >= 0 and int(freed) >= 0
