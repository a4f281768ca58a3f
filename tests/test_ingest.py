"""Observation and target imports in the canonical format: validation, batches, undo."""

from __future__ import annotations

import json

import pytest

from metrics import ingest
from metrics.model import MalsporError, PermissionDenied, ValidationError
from tests.conftest import ADMIN, ANALYST, VIEWER, write_csv

HEADER = "target_id,year,value,geography,source,note,data_class\n"


def _problems(store, tmp_path, text):
    before = store.checksum()
    path = write_csv(tmp_path / "in.csv", text)
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, path, ANALYST)
    assert store.checksum() == before, "a rejected import must write nothing"
    return info.value.problems


def test_import_adds_a_batch_and_reimport_changes_nothing(store, tmp_path):
    path = write_csv(tmp_path / "new.csv", HEADER + "eud_share,2024,13.8,,Ministeriet 2024,,R\n"
                                                     "eud_share,2025,14.1,,Ministeriet 2025,,R\n")
    result = ingest.import_observations(store, path, ANALYST)
    assert result.batch_id is not None and result.plan.counts["added"] == 2
    stored = store.observations("eud_share", "Region Hovedstaden").set_index("year")
    assert stored.loc[2024, "value"] == 13.8 and stored.loc[2024, "batch_id"] == result.batch_id
    before = store.checksum()
    again = ingest.import_observations(store, path, ANALYST)
    assert again.batch_id is None and again.plan.counts["unchanged"] == 2
    assert store.checksum() == before


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


def test_viewer_may_not_import_or_undo(store, tmp_path):
    path = write_csv(tmp_path / "v.csv", HEADER + "eud_share,2024,13.9,,s,,R\n")
    before = store.checksum()
    with pytest.raises(PermissionDenied):
        ingest.import_observations(store, path, VIEWER)
    with pytest.raises(PermissionDenied):
        ingest.undo_batch(store, 1, VIEWER)
    assert store.checksum() == before


@pytest.mark.parametrize(("row", "column", "fragment"), [
    ("eud_shar,2024,13.9,,s,,R", "target_id", "Did you mean 'eud_share'"),
    ("eud_share,20x4,13.9,,s,,R", "year", "whole number from 1900 to 2100"),
    ("eud_share,2024.5,13.9,,s,,R", "year", "whole number"),
    ("eud_share,2024,abc,,s,,R", "value", "not a number"),
    ("eud_share,2024,134,,s,,R", "value", "natural bounds [0, 100]"),
    ("eud_share,2024,13.9,,s,,Q", "data_class", "R (real), D (derived) or I (illustrative)"),
    ("eud_share,2015,15,,s,,R", "value", "baseline"),
])
def test_each_bad_row_is_named_with_row_and_column(store, tmp_path, row, column, fragment):
    problems = _problems(store, tmp_path, HEADER + "eud_share,2024,13.9,,s,,R\n" + row + "\n")
    assert len(problems) == 1
    assert problems[0].row == 3 and problems[0].column == column
    assert fragment in problems[0].message


def test_same_key_twice_with_different_values_is_rejected(store, tmp_path):
    problems = _problems(store, tmp_path, HEADER + "eud_share,2024,13.9,,s,,R\neud_share,2024,14.0,,s,,R\n")
    assert [(p.row, p.column) for p in problems] == [(3, "value")]
    assert "row 2" in problems[0].message


def test_missing_required_column_is_reported(store, tmp_path):
    problems = _problems(store, tmp_path, "target_id,year\neud_share,2024\n")
    assert [(p.row, p.column) for p in problems] == [(1, "value")]


def test_empty_file_and_header_only_are_rejected(store, tmp_path):
    assert "empty" in _problems(store, tmp_path, "")[0].message
    assert "no data rows" in _problems(store, tmp_path, HEADER)[0].message


def test_missing_markers_are_skipped_not_zero(store, tmp_path):
    path = write_csv(tmp_path / "m.csv", HEADER + "eud_share,2024,..,,s,,R\neud_share,2025,14.5,,s,,R\n")
    result = ingest.import_observations(store, path, ANALYST)
    assert result.plan.counts["skipped"] == 1 and result.plan.skipped[0].row == 2
    assert 2024 not in store.observations("eud_share")["year"].tolist()


def test_dry_run_writes_nothing_and_reports(store, tmp_path):
    before = store.checksum()
    path = write_csv(tmp_path / "d.csv", HEADER + "eud_share,2023,13.5,,s,,R\n")
    result = ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert result.plan.counts["revised"] == 1 and store.checksum() == before
    payload = result.as_dict()
    assert payload["revised"][0]["old_value"] == 13.0 and json.dumps(payload)


def test_geography_defaults_to_the_targets_own(store, tmp_path):
    path = write_csv(tmp_path / "g.csv", "target_id,year,value\nstem_admissions,2024,17500\n")
    ingest.import_observations(store, path, ANALYST)
    row = store.observations("stem_admissions").query("year == 2024").iloc[0]
    assert row["geography"] == "Danmark" and row["source"] == "Import: g.csv"


# ------------------------------------------------------------------ targets
TARGET_HEADER = ("target_id,focus_area_id,name_da,name_en,unit,kind,baseline_year,baseline_value,target_year,"
                 "target_value,direction,lower_bound,upper_bound,source\n")


def test_import_targets_adds_and_updates(store, tmp_path):
    path = write_csv(tmp_path / "t.csv", TARGET_HEADER +
                     "bike_share,kollektiv_transport,Cykelandel,Cycling share,%,level,2020,20,2035,30,increase,0,100,s\n"
                     "eud_share,faglaerte,EUD,EUD,%,level,2015,14,2030,30,increase,0,100,ny kilde\n")
    counts = ingest.import_targets(store, path, ADMIN)
    assert counts == {"added": 1, "updated": 1}
    targets = store.targets().set_index("target_id")
    assert targets.loc["eud_share", "target_year"] == 2030 and targets.loc["bike_share", "kind"] == "level"


def test_a_target_with_observations_can_move_to_another_focus_area(store, tmp_path):
    path = write_csv(tmp_path / "t.csv", TARGET_HEADER +
                     "eud_share,stem,EUD,EUD,%,level,2015,14,2025,30,increase,0,100,s\n")
    ingest.import_targets(store, path, ADMIN)
    assert store.targets().set_index("target_id").loc["eud_share", "focus_area_id"] == "stem"
    assert len(store.observations("eud_share")) == 15


def test_analyst_may_not_edit_targets(store, tmp_path):
    path = write_csv(tmp_path / "t.csv", TARGET_HEADER +
                     "bike_share,kollektiv_transport,C,C,%,level,2020,20,2035,30,increase,0,100,s\n")
    with pytest.raises(PermissionDenied):
        ingest.import_targets(store, path, ANALYST)


@pytest.mark.parametrize(("row", "column", "fragment"), [
    ("x1,kollektiv_transport,C,C,%,level,2020,20,2019,30,increase,0,100,s", "target_year", "after the baseline"),
    ("x1,kollektiv_transport,C,C,%,level,2020,20,2035,10,increase,0,100,s", "direction", "does not fit"),
    ("x1,kollektiv_transport,C,C,%,level,2020,20,2035,130,increase,0,100,s", "target_value", "outside the bounds"),
    ("x1,kollektiv_trans,C,C,%,level,2020,20,2035,30,increase,0,100,s", "focus_area_id", "Did you mean"),
    ("x1,kollektiv_transport,C,C,%,sideways,2020,20,2035,30,increase,0,100,s", "kind", "level, relative or none"),
    ("X 1,kollektiv_transport,C,C,%,level,2020,20,2035,30,increase,0,100,s", "target_id", "slug"),
    ("eud_share,faglaerte,E,E,%,level,2015,15,2025,30,increase,0,100,s", "baseline_value", "must agree"),
])
def test_bad_target_definitions_are_rejected_atomically(store, tmp_path, row, column, fragment):
    before = store.checksum()
    path = write_csv(tmp_path / "t.csv", TARGET_HEADER +
                     "ok_one,kollektiv_transport,C,C,%,level,2020,20,2035,30,increase,0,100,s\n" + row + "\n")
    with pytest.raises(ValidationError) as info:
        ingest.import_targets(store, path, ADMIN)
    problems = info.value.problems
    assert any(p.row == 3 and p.column == column and fragment in p.message for p in problems), problems
    assert store.checksum() == before
