"""Undo (:mod:`metrics.ingest.undo`): what a batch added removed, what it revised restored, and the refusals."""

from __future__ import annotations

import pytest

from metrics import ingest
from metrics.model import MalsporError
from metrics.seed import seed
from tests.conftest import ADMIN, ANALYST, write_csv
from tests.ingest_support import HEADER, seeded_file, store  # noqa: F401 - store needs seeded_file


def test_revision_keeps_history_and_undo_restores(store, tmp_path):
    before = store.checksum()
    path = write_csv(tmp_path / "rev.csv", HEADER + "eud_share,2023,13.2,,Ministeriet, revideret,R\n"
                                                     "eud_share,2024,13.9,,Ministeriet,,R\n")
    result = ingest.import_observations(store, path, ANALYST)
    assert result.plan.counts == {"added": 1, "revised": 1, "unchanged": 0, "skipped": 0}
    rev = result.plan.revisions().iloc[0]
    assert (rev["year"], rev["old_value"], rev["value"]) == (2023, 13.0, 13.2)
    history = store.query_df("SELECT * FROM observation_history")
    assert history["value"].tolist() == [13.0] and history["superseded_by"].tolist() == [result.batch_id]
    counts = ingest.undo_batch(store, result.batch_id, ANALYST)
    assert counts == {"removed": 1, "restored": 1}
    after = store.checksum()
    for table in ("observations", "target_definitions", "themes", "initiatives"):
        assert after[table] == before[table], table
    assert store.batches().set_index("batch_id").loc[result.batch_id, "state"] == "undone"
    with pytest.raises(MalsporError, match="already undone"):
        ingest.undo_batch(store, result.batch_id, ANALYST)


def test_undo_refused_when_a_later_batch_revised_its_values(store, tmp_path):
    first = ingest.import_observations(store, write_csv(tmp_path / "a.csv", HEADER + "eud_share,2024,13.9,,s,,R\n"),
                                       ANALYST)
    second = ingest.import_observations(store, write_csv(tmp_path / "b.csv", HEADER + "eud_share,2024,14.2,,s,,R\n"),
                                        ANALYST)
    before = store.checksum()
    with pytest.raises(MalsporError, match=f"batch {second.batch_id}"):
        ingest.undo_batch(store, first.batch_id, ANALYST)
    assert store.checksum() == before
    ingest.undo_batch(store, second.batch_id, ANALYST)
    ingest.undo_batch(store, first.batch_id, ANALYST)
    assert 2024 not in store.observations("eud_share", "Region Hovedstaden")["year"].tolist()


def test_unknown_batch_is_refused(store):
    with pytest.raises(MalsporError, match="no import batch 999"):
        ingest.undo_batch(store, 999, ANALYST)


def test_undo_twice_is_refused_in_both_languages(store, tmp_path):
    batch = ingest.import_observations(store, write_csv(tmp_path / "a.csv", HEADER + "eud_share,2024,13.9,,s,,R\n"),
                                       ANALYST).batch_id
    ingest.undo_batch(store, batch, ANALYST)
    before = store.checksum()
    with pytest.raises(ingest.ImportRefused) as info:
        ingest.undo_batch(store, batch, ANALYST)
    assert info.value.code == "already_undone" and "er allerede fortrudt" in info.value.text("da")
    assert store.checksum() == before


def test_the_seed_batch_is_refused_for_undo_unless_asked_explicitly(store):
    seed = int(store.batches()["batch_id"].min())
    assert ingest.undoable_batches(store).empty  # a fresh database: nothing the page may offer
    before = store.checksum()
    for call in (lambda: ingest.undo_batch(store, seed, ANALYST), lambda: ingest.undo_preview(store, seed)):
        with pytest.raises(ingest.ImportRefused) as info:
            call()
        assert info.value.code == "undo_seed"
        assert "--include-seed" in info.value.text("da") and "startdata" in info.value.text("da")
        assert "seed data" in info.value.text("en")
    assert store.checksum() == before  # every table as it was, the audit trail included
    assert ingest.undo_preview(store, seed, include_seed=True)["removed"] == 49
    assert ingest.undo_batch(store, seed, ADMIN, include_seed=True) == {"removed": 49, "restored": 0}
    assert store.scalar("SELECT count(*) FROM observations") == 0


def test_undo_preview_counts_what_undo_then_does_and_writes_nothing(store, tmp_path):
    path = write_csv(tmp_path / "u.csv", HEADER + "eud_share,2023,13.2,,x,,R\neud_share,2024,13.9,,x,,R\n"
                                                   "eud_share,2025,14.4,,x,,R\n")
    batch = ingest.import_observations(store, path, ANALYST).batch_id
    assert ingest.undoable_batches(store)["batch_id"].tolist() == [batch]
    before = store.checksum()
    preview = ingest.undo_preview(store, batch)
    assert preview == {"batch": batch, "file": "u.csv", "removed": 2, "restored": 1}
    assert store.checksum() == before
    assert ingest.undo_batch(store, batch, ANALYST) == {"removed": 2, "restored": 1}
    with pytest.raises(ingest.ImportRefused, match="already undone"):
        ingest.undo_preview(store, batch)
    assert ingest.undoable_batches(store).empty
