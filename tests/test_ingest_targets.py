"""Target definition files (:mod:`metrics.ingest.targets`)."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics import ingest
from metrics.model import PermissionDenied, ValidationError
from tests.conftest import ADMIN, ANALYST, write_csv
from tests.ingest_support import seeded_file, store  # noqa: F401 - store needs seeded_file


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


def test_import_targets_sets_the_update_interval_publication_lag_short_names_and_notes(store, tmp_path):
    """Method v2: the staleness rule reads each target's interval and lag, editable through import-targets."""
    from metrics import progress

    header = TARGET_HEADER.rstrip("\n") + ",update_interval,publication_lag,short_name_da,short_name_en,note_da,note_en\n"
    path = write_csv(tmp_path / "t.csv", header +
                     "eud_share,faglaerte,EUD,EUD,%,level,2015,14,2025,30,increase,0,100,s,1,2,EUD-andel,VET share,"
                     "Dansk note,English note\n")
    with store.read() as cur:
        before = progress.compute_status(cur, as_of=2026, target_id="eud_share").iloc[0]
    assert bool(before["stale"])                    # 2026 - 2023 = 3 > 1 + 0 (the seed's lag)
    ingest.import_targets(store, path, ADMIN)
    eud = store.targets().set_index("target_id").loc["eud_share"]
    assert (eud["update_interval"], eud["publication_lag"]) == (1, 2)
    assert (eud["short_name_da"], eud["short_name_en"]) == ("EUD-andel", "VET share")
    assert (eud["note_da"], eud["note_en"]) == ("Dansk note", "English note")
    with store.read() as cur:
        after = progress.compute_status(cur, as_of=2026, target_id="eud_share").iloc[0]
    assert not after["stale"] and after["next_expected_year"] == 2026   # 2023 + 1 + 2


def test_an_older_target_file_gets_the_defaults_and_its_note_is_english(store, tmp_path):
    header = TARGET_HEADER.rstrip("\n") + ",note\n"
    path = write_csv(tmp_path / "t.csv", header +
                     "bike_share,kollektiv_transport,Cykelandel,Cycling share,%,level,2020,20,2035,30,increase,0,100,"
                     "s,Measured by survey.\n")
    ingest.import_targets(store, path, ADMIN)
    bike = store.targets().set_index("target_id").loc["bike_share"]
    assert (bike["update_interval"], bike["publication_lag"]) == (1, 1)
    assert bike["note_en"] == "Measured by survey." and pd.isna(bike["note_da"])


@pytest.mark.parametrize(("interval", "lag", "column"), [("0", "1", "update_interval"), ("1", "-1", "publication_lag"),
                                                          ("1.5", "1", "update_interval")])
def test_a_bad_interval_or_lag_is_rejected(store, tmp_path, interval, lag, column):
    before = store.checksum()
    header = TARGET_HEADER.rstrip("\n") + ",update_interval,publication_lag\n"
    path = write_csv(tmp_path / "t.csv", header +
                     f"x1,kollektiv_transport,C,C,%,level,2020,20,2035,30,increase,0,100,s,{interval},{lag}\n")
    with pytest.raises(ValidationError) as info:
        ingest.import_targets(store, path, ADMIN)
    assert any(p.row == 2 and p.column == column for p in info.value.problems), info.value.problems
    assert store.checksum() == before


# ---------------------------------------------------------------------- read as observation files are (issue 13)
DANISH_ROW = "bike_share;kollektiv_transport;Cykelandel;Cycling share;%;level;2020;20,5;2035;30,25;increase;0;100;s\n"


def test_a_danish_target_file_with_semicolons_and_decimal_commas_is_read(store, tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes((TARGET_HEADER.replace(",", ";") + DANISH_ROW).encode("cp1252"))
    assert ingest.import_targets(store, path, ADMIN) == {"added": 1, "updated": 0}
    bike = store.targets().set_index("target_id").loc["bike_share"]
    assert (bike["baseline_value"], bike["target_value"]) == (20.5, 30.25)


def test_a_target_workbook_is_read_with_its_number_cells_as_numbers(store, tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(TARGET_HEADER.strip().split(","))
    sheet.append(["bike_share", "kollektiv_transport", "Cykelandel", "Cycling share", "%", "level", 2020, 1.234, 2035,
                  30.5, "increase", 0, 100, "s"])
    workbook.save(tmp_path / "t.xlsx")
    ingest.import_targets(store, tmp_path / "t.xlsx", ADMIN)
    bike = store.targets().set_index("target_id").loc["bike_share"]
    assert (bike["baseline_value"], bike["target_value"]) == (1.234, 30.5)  # 1.234 held as a number, not 1234


def test_undecodable_bytes_in_a_target_file_are_refused_naming_the_line(store, tmp_path):
    before = store.checksum()
    path = tmp_path / "t.csv"
    path.write_bytes(TARGET_HEADER.encode() + "bike_share,kollektiv_transport,Cykelandel,Cycling share,%,level,"
                     "2020,20,2035,30,increase,0,100,opgjørt\n".encode("utf-8") + b"x1,st\xf8m\n")
    with pytest.raises(ValidationError) as info:
        ingest.import_targets(store, path, ADMIN)
    assert (info.value.problems[0].code, info.value.problems[0].row) == ("mixed_encoding", 3)
    assert store.checksum() == before


@pytest.mark.parametrize(("cell", "unit", "code"), [("2O,5", "%", "value_not_number_point"),
                                                     ("20 %", "tons", "percent_unit")])
def test_a_target_number_in_the_wrong_form_is_a_coded_problem(store, tmp_path, cell, unit, code):
    path = write_csv(tmp_path / "t.csv", TARGET_HEADER +
                     f'x1,kollektiv_transport,C,C,{unit},level,2020,"{cell}",2035,30,increase,0,100,s\n')
    with pytest.raises(ValidationError) as info:
        ingest.import_targets(store, path, ADMIN)
    assert [(p.row, p.column, p.code) for p in info.value.problems] == [(2, "baseline_value", code)]
    assert info.value.problems[0].text("da") and info.value.problems[0].text("en")
