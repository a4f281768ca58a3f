"""The check (:mod:`metrics.ingest.check`): every bad row named with its row, column and text."""

from __future__ import annotations

import pytest

from metrics import ingest
from metrics.model import ValidationError
from tests.conftest import ANALYST, write_csv
from tests.ingest_support import HEADER, fixture, _problems, seeded_file, store  # noqa: F401 - store needs seeded_file


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


def test_unknown_target_suggests_the_closest_ids(store):
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, fixture("bad_unknown_target.csv"), ANALYST)
    problem = info.value.problems[0]
    assert "Did you mean 'eud_share'" in problem.render("en")
    assert "Mente du 'eud_share'" in problem.render("da")
    assert problem.render("da").startswith("række 3, kolonne 'target_id' (værdi 'eud_shar')")


def test_missing_markers_are_listed_with_their_rows(store):
    result = ingest.import_observations(store, fixture("ok_missing_markers.csv"), ANALYST, dry_run=True)
    assert [(p.row, p.value) for p in result.plan.skipped] == [
        (2, ""), (3, ".."), (4, "-"), (5, "n/a"), (6, "NA")]
    assert all(p.code == "skip_missing" for p in result.plan.skipped)


def test_same_value_twice_is_counted_once_with_a_warning(store, tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("target_id,year,value\neud_share,2024,13.9\neud_share,2024,13.90\n")
    result = ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert result.plan.counts == {"added": 1, "revised": 0, "unchanged": 0, "skipped": 1}
    assert result.plan.skipped[0].code == "duplicate_same" and result.plan.skipped[0].params["first_row"] == 2
