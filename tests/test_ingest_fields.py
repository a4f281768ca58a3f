"""Fields (:mod:`metrics.ingest.fields`): headings, ids and geography names as the analyst writes them."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics import ingest
from metrics.model import ValidationError
from tests.conftest import ANALYST, write_csv
from tests.ingest_support import RH, fixture, seeded_file, store  # noqa: F401 - store needs seeded_file


def test_geography_defaults_to_the_targets_own(store, tmp_path):
    path = write_csv(tmp_path / "g.csv", "target_id,year,value\nstem_admissions,2024,17500\n")
    ingest.import_observations(store, path, ANALYST)
    row = store.observations("stem_admissions").query("year == 2024").iloc[0]
    assert row["geography"] == "Danmark" and row["source"] == "Import: g.csv"


def test_an_observation_note_is_stored_in_the_language_of_its_heading(store, tmp_path):
    """'bemærkning' fills the Danish note, 'note' the English one; a file may carry both."""
    danish = write_csv(tmp_path / "da.csv", "indikator;år;værdi;kilde;bemærkning\n"
                                            "eud_share;2024;13,8;Ministeriet;Foreløbigt tal\n")
    ingest.import_observations(store, danish, ANALYST)
    row = store.observations("eud_share", "Region Hovedstaden").set_index("year").loc[2024]
    assert row["note_da"] == "Foreløbigt tal" and pd.isna(row["note_en"])
    assert ingest.import_observations(store, danish, ANALYST).plan.counts["unchanged"] == 1
    both = write_csv(tmp_path / "both.csv", "target_id,year,value,source,bemærkning,note\n"
                                            "eud_share,2024,13.9,Ministeriet,Revideret,Revised\n")
    result = ingest.import_observations(store, both, ANALYST)
    assert result.plan.counts["revised"] == 1
    row = store.observations("eud_share", "Region Hovedstaden").set_index("year").loc[2024]
    assert (row["note_da"], row["note_en"]) == ("Revideret", "Revised")
    history = store.query_df("SELECT note_da, note_en FROM observation_history WHERE year = 2024")
    assert history["note_da"].tolist() == ["Foreløbigt tal"] and history["note_en"].isna().all()
    ingest.undo_batch(store, result.batch_id, ANALYST)
    row = store.observations("eud_share", "Region Hovedstaden").set_index("year").loc[2024]
    assert row["note_da"] == "Foreløbigt tal" and pd.isna(row["note_en"])


def test_ids_and_geographies_match_whatever_their_case(store):
    result = ingest.import_observations(store, fixture("ok_headers_ascii_danish.csv"), ANALYST, dry_run=True)
    row = result.plan.rows.iloc[0]
    assert (row["target_id"], row["geography"]) == ("eud_share", RH)
    assert not any(n.code == "new_geographies" for n in result.plan.notes)


def test_new_geographies_are_pointed_out(store, tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("target_id,year,value,geography\neud_share,2024,13.9,Hilleroed Kommune\n")
    notes = ingest.import_observations(store, path, ANALYST, dry_run=True).plan.notes
    assert any(n.code == "new_geographies" and "Hilleroed Kommune" in n.text("en") for n in notes)


@pytest.mark.parametrize(("written", "stored"), [
    ("Region\u00a0Hovedstaden", RH), ("Region  Hovedstaden", RH), ("Region \u202fHovedstaden", RH),
    ("Ta\u030arnby Kommune", "T\u00e5rnby Kommune"),
])
def test_geography_names_are_normalised(store, tmp_path, written, stored):
    path = write_csv(tmp_path / "g.csv", f"target_id,year,value,geography\neud_share,2030,14,{written}\n")
    plan = ingest.import_observations(store, path, ANALYST, dry_run=True).plan
    assert plan.rows["geography"].tolist() == [stored]


@pytest.mark.parametrize(("written", "code_point"), [
    ("Region H\u043evedstaden", "U+043E"), ("Dan\u200bmark", "U+200B"), ("\u0394anmark", "U+0394"),
    ("Danmark\u2060", "U+2060"),
])
def test_look_alike_characters_in_a_geography_are_refused(store, tmp_path, written, code_point):
    path = write_csv(tmp_path / "g.csv", "target_id,year,value,område\neud_share,2030,14,Danmark\n"
                     f"eud_share,2031,14,{written}\n")
    before = store.checksum()
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, path, ANALYST)
    first = info.value.problems[0]
    assert (first.row, first.column, first.code) == (3, "område", "geography_lookalike")
    assert code_point in first.text("da") and code_point in first.text("en")
    assert store.checksum() == before


def test_a_name_wholly_in_another_script_is_no_look_alike(store, tmp_path):
    path = write_csv(tmp_path / "g.csv", "target_id,year,value,geography\neud_share,2030,14,Αθήνα\n")
    plan = ingest.import_observations(store, path, ANALYST, dry_run=True).plan
    assert plan.rows["geography"].tolist() == ["Αθήνα"]
