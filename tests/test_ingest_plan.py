"""The plan (:mod:`metrics.ingest.plan`): the statuses an import would change, and a stale preview refused."""

from __future__ import annotations

import pytest

from metrics import ingest
from tests.conftest import ANALYST, write_csv
from tests.ingest_support import HEADER, seeded_file, store  # noqa: F401 - store needs seeded_file


def test_status_preview_names_each_status_the_import_changes(store, tmp_path):
    # EUD in the region: 13 % in 2023 is moving away from 30 % by 2025; 30 % in 2024 meets it
    path = write_csv(tmp_path / "met.csv", HEADER + "eud_share,2024,30,,s,,R\n")
    result = ingest.import_observations(store, path, ANALYST, dry_run=True, as_of=2026)
    change = result.status.set_index(["target_id", "geography"]).loc[("eud_share", "Region Hovedstaden")]
    assert (change["status_before"], change["status_after"]) == ("moving_away", "met")
    assert bool(change["is_primary_geography"]) and change["name_da"]
    committed = ingest.import_observations(store, path, ANALYST, as_of=2026, with_status=True)
    assert committed.status.equals(result.status)
    with store.read() as cur:  # the preview's view of the data is gone; the real status is the new one
        from metrics import progress
        status = progress.compute_status(cur, as_of=2026).set_index(["target_id", "geography"])
    assert status.loc[("eud_share", "Region Hovedstaden"), "status"] == "met"


def test_a_commit_runs_the_status_preview_only_when_asked(store, tmp_path):
    """The preview (a dry run) shows the statuses; the commit the user then confirms does not redo it."""
    path = write_csv(tmp_path / "met.csv", HEADER + "eud_share,2024,30,,s,,R\n")
    committed = ingest.import_observations(store, path, ANALYST, as_of=2026)
    assert committed.batch_id is not None and committed.status is None
    assert committed.as_dict()["status_changes"] is None  # not computed, which is not "none changed"


def test_a_new_geography_has_no_status_before(store, tmp_path):
    path = write_csv(tmp_path / "geo.csv", HEADER + "eud_share,2023,12,Gribskov Kommune,s,,R\n"
                                                     "eud_share,2024,13,Gribskov Kommune,s,,R\n")
    status = ingest.import_observations(store, path, ANALYST, dry_run=True, as_of=2026).status
    row = status.set_index("geography").loc["Gribskov Kommune"]
    assert row["status_before"] is None and row["status_after"]


def test_a_stale_preview_is_not_committed(store, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER + "eud_share,2023,13.2,,s,,R\n")
    preview = ingest.import_observations(store, path, ANALYST, dry_run=True)
    other = write_csv(tmp_path / "b.csv", HEADER + "eud_share,2023,13.3,,s,,R\n")
    ingest.import_observations(store, other, ANALYST)  # someone else revises the same value meanwhile
    before = store.checksum()
    with pytest.raises(ingest.ImportRefused) as info:
        ingest.import_observations(store, path, ANALYST, expect=preview.plan.fingerprint())
    assert info.value.code == "preview_stale" and store.checksum() == before
    fresh = ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert ingest.import_observations(store, path, ANALYST, expect=fresh.plan.fingerprint()).batch_id
