"""The shared cache: one computation per data version for every session, bounded, never stale."""

from __future__ import annotations

import threading
import time

import pandas as pd

from metrics import cache, ingest, views
from metrics.cache import SharedCache

from tests.conftest import ANALYST


def test_many_sessions_asking_at_once_compute_once():
    shared, calls, results = SharedCache(max_entries=4), [], []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.2)
        return "status"

    threads = [threading.Thread(target=lambda: results.append(shared.get("k", slow))) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["status"] * 20 and len(calls) == 1


def test_a_failure_is_not_kept_and_the_next_caller_tries_again():
    shared = SharedCache(max_entries=4)

    def fails() -> str:
        raise RuntimeError("database busy")

    try:
        shared.get("k", fails)
    except RuntimeError:
        pass
    assert shared.get("k", lambda: "ok") == "ok"


def test_the_table_is_bounded_and_forgets_the_least_recently_used():
    shared = SharedCache(max_entries=2)
    shared.get("a", lambda: 1)
    shared.get("b", lambda: 2)
    shared.get("a", lambda: 0)  # used again: kept
    shared.get("c", lambda: 3)
    assert len(shared) == 2 and shared.peek("b") is None and shared.peek("a") == 1


def test_a_frame_handed_out_cannot_change_the_shared_one():
    shared = SharedCache(max_entries=2)
    first = shared.get("f", lambda: pd.DataFrame({"status": ["met"]}))
    first["status"] = "moving_away"
    first.loc[0, "extra"] = 1
    assert shared.get("f", lambda: None).to_dict("list") == {"status": ["met"]}


def test_a_write_is_seen_at_the_next_request(store, tmp_path):
    cache.clear_all()
    start = cache.STATUS.computed
    before = views.status_table(store, 2026)
    again = views.status_table(store, 2026)
    assert cache.STATUS.computed == start + 1 and before.equals(again)  # the second request computed nothing
    eud = before.set_index("target_id").loc["eud_share"]
    (tmp_path / "eud.csv").write_text("target_id,year,value,source\neud_share,2025,30,Ministeriet\n", encoding="utf-8")
    ingest.import_observations(store, tmp_path / "eud.csv", ANALYST)
    after = views.status_table(store, 2026).set_index("target_id").loc["eud_share"]
    assert eud.iloc[0]["status"] != "met" and after.iloc[0]["status"] == "met"


def test_a_store_reopened_on_a_replaced_file_is_a_new_data_version(store):
    first = cache.data_version(store)
    assert cache.data_version(store) == first
    from metrics.store import Store
    with Store.open(store.path.with_name("other.duckdb")) as other:
        assert cache.data_version(other)[0] != first[0]


def test_the_target_page_takes_its_rows_from_the_shared_table_once_computed(store):
    cache.clear_all()
    start = cache.STATUS.computed
    alone = views.target_status(store, "eud_share", 2026)  # nothing shared yet: the engine for one target
    assert cache.STATUS.computed == start
    views.status_table(store, 2026)
    shared = views.target_status(store, "eud_share", 2026)
    assert cache.STATUS.computed == start + 1
    assert alone["status"].tolist() == shared["status"].tolist()
    assert alone["geography"].tolist() == shared["geography"].tolist()
