"""Writing an import (:mod:`metrics.ingest.write`): one batch, all or nothing, the same messages as the
command line, a preview listing each row, and readers that see the old state or the new."""

from __future__ import annotations

import io
import json
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.database import open_store
from metrics import ingest
from metrics.model import PermissionDenied, ValidationError
from metrics.seed import seed
from metrics.store import PROJECT_ROOT, Store
from tests.conftest import ANALYST, VIEWER, write_csv
from tests.ingest_support import HEADER, _big_file, data_checksum, fixture, seeded_file, store  # noqa: F401 - store needs seeded_file


def test_import_adds_a_batch_and_reimport_changes_nothing(store, tmp_path):
    path = write_csv(tmp_path / "new.csv", HEADER + "eud_share,2024,13.8,,Ministeriet 2024,,R\n"
                                                     "eud_share,2025,14.1,,Ministeriet 2025,,R\n")
    result = ingest.import_observations(store, path, ANALYST)
    assert result.batch_id is not None and result.plan.counts["added"] == 2
    stored = store.observations("eud_share", "Region Hovedstaden").set_index("year")
    assert stored.loc[2024, "value"] == 13.8 and stored.loc[2024, "batch_id"] == result.batch_id
    before = data_checksum(store)
    again = ingest.import_observations(store, path, ANALYST)
    assert again.batch_id is None and again.plan.counts["unchanged"] == 2
    assert data_checksum(store) == before


def test_viewer_may_not_import_or_undo(store, tmp_path):
    path = write_csv(tmp_path / "v.csv", HEADER + "eud_share,2024,13.9,,s,,R\n")
    before = store.checksum()
    with pytest.raises(PermissionDenied):
        ingest.import_observations(store, path, VIEWER)
    with pytest.raises(PermissionDenied):
        ingest.undo_batch(store, 1, VIEWER)
    assert store.checksum() == before


def test_dry_run_writes_nothing_and_reports(store, tmp_path):
    before = store.checksum()
    path = write_csv(tmp_path / "d.csv", HEADER + "eud_share,2023,13.5,,s,,R\n")
    result = ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert result.plan.counts["revised"] == 1 and store.checksum() == before
    payload = result.as_dict()
    assert payload["revised"][0]["old_value"] == 13.0 and json.dumps(payload)


def test_reimport_says_it_changes_nothing_and_names_the_earlier_batch(store, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER + "eud_share,2024,13.9,,s,,R\n")
    first = ingest.import_observations(store, path, ANALYST)
    before = data_checksum(store)
    again = ingest.import_observations(store, path, ANALYST)
    assert again.batch_id is None and not again.plan.changes_anything and data_checksum(store) == before
    assert any(n.code == "same_file" and str(first.batch_id) in n.text("en") for n in again.plan.notes)


def test_the_command_line_and_the_engine_give_the_same_messages(store, tmp_path):
    from metrics import cli

    path = write_csv(tmp_path / "bad.csv", "indikator;år;værdi\neud_shar;2024;13,9\neud_share;20x4;1\n")
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, path, ANALYST)
    store.close()
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["import", str(path), "--format", "json", "--lang", "da"], out=out, err=err) == 1
    assert json.loads(out.getvalue())["errors"] == [p.as_dict("da") for p in info.value.problems]


_KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    from metrics import ingest
    from metrics.ingest import write
    from metrics.model import Actor
    from metrics.database import open_store

    real_apply = write.apply_plan

    def apply_then_wait(cur, plan, **kwargs):
        batch = real_apply(cur, plan, **kwargs)  # every row written, the transaction still open
        print("inside the transaction", flush=True)
        time.sleep(120)
        return batch

    if sys.argv[3] == "pause":
        write.apply_plan = apply_then_wait  # where import_observations finds it
    store = open_store(sys.argv[1])
    print("started", flush=True)
    ingest.import_observations(store, sys.argv[2], Actor("ana", "analyst"))
    print("committed", flush=True)
""")


def _run_import(db, csv, mode):
    return subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(db), str(csv), mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)


def test_an_import_killed_midway_leaves_the_database_as_it_was(isolated_db, tmp_path):
    open_store(isolated_db, seed=seed).close()
    with open_store(isolated_db, seed=seed) as store:
        before = store.checksum()
    csv = _big_file(tmp_path / "big.csv", 20_000)
    child = _run_import(isolated_db, csv, "pause")
    try:
        assert child.stdout.readline().strip() == "started"
        assert child.stdout.readline().strip() == "inside the transaction"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    with open_store(isolated_db, seed=seed) as store:
        assert store.checksum() == before
        assert store.scalar("SELECT count(*) FROM observations WHERE geography LIKE 'Kommune %'") == 0


@pytest.mark.slow
def test_an_import_killed_at_any_moment_leaves_the_old_state_or_the_new(isolated_db, tmp_path):
    base = tmp_path / "base.duckdb"
    open_store(base, seed=seed).close()
    csv = _big_file(tmp_path / "big.csv", 100_000)
    with open_store(base, seed=seed) as store:
        old = store.checksum()["observations"]
    done = tmp_path / "done.duckdb"
    shutil.copyfile(base, done)
    child = _run_import(done, csv, "run")
    assert child.wait(timeout=120) == 0, child.stderr.read()
    with open_store(done, seed=seed) as store:
        new = store.checksum()["observations"]
    seen = set()
    for delay in (0.02, 0.3, 1.4):  # from soon after the start to about the commit
        work = tmp_path / f"kill_{delay}.duckdb"
        shutil.copyfile(base, work)
        child = _run_import(work, csv, "run")
        assert child.stdout.readline().strip() == "started"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        with open_store(work, seed=seed) as store:
            state = store.checksum()["observations"]
        assert state in (old, new), f"killed after {delay} s: a partial import"
        seen.add("old" if state == old else "new")
    assert "old" in seen, seen  # at least one kill landed before the commit


def test_readers_during_an_import_and_an_undo_see_the_old_state_or_the_new(store, tmp_path):
    csv = _big_file(tmp_path / "big.csv", 60_000)
    query = ("SELECT (SELECT count(*) FROM observations), (SELECT round(sum(value), 6) FROM observations),"
             " (SELECT count(*) FROM import_batches WHERE state = 'committed')")

    def snapshot():
        with store.read() as cur:
            return cur.execute(query).fetchall()[0]

    before = snapshot()
    seen: list[tuple] = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            seen.append(snapshot())

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        result = ingest.import_observations(store, csv, ANALYST)
        after = snapshot()
        ingest.undo_batch(store, result.batch_id, ANALYST)
        undone = snapshot()
        time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert after[0] == before[0] + 60_000 and undone[:2] == before[:2]
    assert len(seen) > 3
    assert set(seen) <= {before, after, undone}, "a reader saw a half-written import"


# ---------------------------------------------------------------------- keys without an index
_KEYS_TARGETS = ("eud_share", "dk2020_climate_plans")


_KEYS_YEARS = (2030, 2031, 2032)


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "seeded.duckdb"
    open_store(path, seed=seed).close()
    return path


_operation = st.one_of(
    st.tuples(st.just("import"), st.dictionaries(
        st.tuples(st.sampled_from(_KEYS_TARGETS), st.sampled_from(_KEYS_YEARS)),
        st.sampled_from((10.0, 20.0, 25.5)), min_size=1, max_size=4)),
    st.tuples(st.just("undo"), st.integers(min_value=0, max_value=5)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(_operation, min_size=1, max_size=6))
def test_imports_and_undos_keep_one_row_per_key_as_a_model_says(seeded_template, tmp_path, operations):
    """The observations table has no key index (migration 4): the write path alone keeps the key.

    Random imports (adding, revising, restating) and undos (allowed or refused) are replayed
    on a plain dictionary; after each step the table holds exactly the model's rows, one per
    target, geography and year, with nothing unknown.
    """
    db = tmp_path / f"keys_{uuid.uuid4().hex}.duckdb"
    shutil.copyfile(seeded_template, db)
    with open_store(db, seed=seed) as store:
        def state() -> dict[tuple[str, int], float]:
            rows = store.query_df("SELECT target_id, year, value FROM observations WHERE geography = 'Testby'")
            return {(r.target_id, int(r.year)): float(r.value) for r in rows.itertuples()}

        model: dict[tuple[str, int], float] = {}
        batches: list[tuple[int, dict[tuple[str, int], float | None]]] = []  # batch, values before it
        for kind, arg in operations:
            if kind == "import":
                text = "target_id,year,value,geography,source\n" + "".join(
                    f"{t},{y},{v},Testby,test\n" for (t, y), v in arg.items())
                path = write_csv(tmp_path / "keys.csv", text)
                result = ingest.import_observations(store, path, ANALYST)
                changed = {k: v for k, v in arg.items() if model.get(k) != v}
                assert (result.batch_id is None) == (not changed)
                if changed:
                    batches.append((result.batch_id, {k: model.get(k) for k in changed}))
                    model.update(changed)
            elif batches:
                batch_id, before = batches[arg % len(batches)]
                later_touch = any(set(b) & set(before) for bid, b in batches if bid > batch_id)
                try:
                    ingest.undo_batch(store, batch_id, ANALYST)
                except ingest.ImportRefused as refused:
                    assert refused.code in ("undo_blocked", "already_undone")
                    assert refused.code == "already_undone" or later_touch
                else:
                    assert not later_touch
                    for key, value in before.items():
                        if value is None:
                            model.pop(key)
                        else:
                            model[key] = value
                    batches = [(bid, b) for bid, b in batches if bid != batch_id]
            assert state() == model
            assert store.integrity_problems() == []


# ---------------------------------------------------------------------- issue 11: the preview's rows, the seed, undo counts
def test_the_preview_lists_each_added_and_revised_row_as_read(store, tmp_path):
    path = write_csv(tmp_path / "p.csv", "Indikator;År;Værdi;Område\r\n"
                                         "eud_share;2023;13,2;Region Hovedstaden\r\n"   # revised: 13 -> 13,2
                                         "eud_share;2020;14;Region Hovedstaden\r\n"     # the stored 14: unchanged
                                         "stem_admissions;2024;17.612;Danmark\r\n", encoding="cp1252")
    before = store.checksum()
    result = ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert store.checksum() == before
    rows = result.changes[ingest.CHANGE_COLUMNS + ["cell"]].astype(object).where(result.changes.notna(), None)
    assert rows.to_dict("records") == [
        {"row": 2, "target_id": "eud_share", "geography": "Region Hovedstaden", "year": 2023, "old_value": 13.0,
         "new_value": 13.2, "action": "revise", "cell": "13,2"},
        {"row": 4, "target_id": "stem_admissions", "geography": "Danmark", "year": 2024, "old_value": None,
         "new_value": 17612.0, "action": "add", "cell": "17.612"},
    ]
    assert result.more_changes == 0


def test_the_preview_lists_the_first_200_then_a_count(store, tmp_path):
    text = HEADER + "".join(f"eud_share,2024,{10 + i % 50},Kommune {i:03d},s,,R\n" for i in range(250))
    result = ingest.import_observations(store, write_csv(tmp_path / "many.csv", text), ANALYST, dry_run=True)
    assert len(result.changes) == ingest.PREVIEW_CHANGES == 200
    assert result.changes["row"].tolist() == list(range(2, 202)) and result.more_changes == 50
    payload = result.as_dict("da")
    assert len(payload["changes"]) == 200 and payload["changes_more"] == 50
    committed = ingest.import_observations(store, write_csv(tmp_path / "many.csv", text), ANALYST)
    assert committed.as_dict()["changes"][0] == {"row": 2, "target_id": "eud_share", "geography": "Kommune 000",
                                                 "year": 2024, "old_value": None, "new_value": 10.0, "action": "add"}


def test_a_viewer_is_refused_before_the_file_is_read(store):
    with pytest.raises(PermissionDenied):
        ingest.import_observations(store, fixture("bad_binary.png"), VIEWER)
    # a preview writes nothing, so a viewer may validate a file
    with pytest.raises(ValidationError):
        ingest.import_observations(store, fixture("bad_binary.png"), VIEWER, dry_run=True)


def test_the_preview_says_what_a_revision_writes_over_besides_the_value(store):
    """A revision replaces the stored row whole. A newcomer review revised 2019 from 17 to 18,5 with its own
    source and found the old source and notes gone after the import, while the preview showed only 17 -> 18,5."""
    from tests.conftest import ANALYST
    text = ("target_id;year;value;source;data_class\n"
            "eud_share;2023;13,2;Ny kilde;R\n"      # value, source and both notes change
            "eud_share;2024;14;Ny kilde;R\n")       # a new row writes over nothing
    before = store.checksum()
    result = ingest.import_observations(store, text.encode("cp1252"), ANALYST, dry_run=True, file_name="eud.csv")
    assert store.checksum() == before  # a preview writes nothing
    by_row = dict(zip(result.changes["row"], result.changes["replaced"]))
    assert by_row[3] == ()
    assert by_row[2] == (
        ("source", "Københavns Malerlaug, nyhedsbrev, med tal fra ministeriets datavarehus", "Ny kilde"),
        ("note_da", "Afrundet til hele procent i kilden.", None),
        ("note_en", "Rounded to whole per cent in the source.", None))
    changes = result.as_dict("da")["changes"]
    assert changes[0]["replaced"][0] == {"field": "source", "old": by_row[2][0][1], "new": "Ny kilde"}
    # ... and what the preview said is what the import writes
    ingest.import_observations(store, text.encode("cp1252"), ANALYST, file_name="eud.csv")
    row = store.query_df("SELECT source, note_da, note_en FROM observations WHERE target_id = 'eud_share' AND year = 2023 "
                          "AND geography = 'Region Hovedstaden'")
    assert row.iloc[0].tolist()[0] == "Ny kilde" and row.iloc[0].isna().tolist()[1:] == [True, True]


def test_a_revision_that_keeps_the_source_and_notes_writes_nothing_else_over(store):
    from tests.conftest import ANALYST
    text = ("target_id;year;value;source;note_da;note_en\n"
            "eud_share;2023;13,2;Københavns Malerlaug, nyhedsbrev, med tal fra ministeriets datavarehus;"
            "Afrundet til hele procent i kilden.;Rounded to whole per cent in the source.\n")
    result = ingest.import_observations(store, text.encode("cp1252"), ANALYST, dry_run=True, file_name="eud.csv")
    assert result.changes["action"].tolist() == ["revise"] and result.changes["replaced"].tolist() == [()]
