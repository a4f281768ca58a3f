"""The tolerant reader of ``metrics.ingest`` against a corpus of files as Excel and StatBank save them.

Every file of ``tests/fixtures/ingest`` (written by ``make_fixtures.py`` beside them) is listed
here with what it must give against the seed database: the counts and the stored values of an
accepted file, or the problems of a rejected one; after a rejection a checksum over every table
proves that nothing was written. Hypothesis then throws arbitrary bytes and arbitrary spreadsheets
at the reader: it raises nothing but ``ValidationError``, and reads back what was written.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import i18n, ingest
from metrics.model import PermissionDenied, ValidationError
from metrics.seed import seed
from metrics.store import Store
from tests.conftest import ANALYST, VIEWER, write_csv

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
RH, DK = "Region Hovedstaden", "Danmark"

#: file -> (counts, {(target, geography, year): stored value}, sheet)
ACCEPTED: dict[str, tuple[dict[str, int], dict[tuple[str, str, int], float], str | None]] = {
    "ok_canonical_utf8_lf.csv": (
        {"added": 2, "revised": 0, "unchanged": 0, "skipped": 0},
        {("eud_share", RH, 2024): 13.9, ("stem_admissions", DK, 2024): 17500}, None),
    "ok_utf8_bom_crlf_semicolon.csv": (
        {"added": 1, "revised": 1, "unchanged": 0, "skipped": 0},
        {("eud_share", RH, 2024): 13.9, ("eud_share", RH, 2023): 13.2}, None),
    "ok_cp1252_semicolon_danish.csv": (
        {"added": 2, "revised": 0, "unchanged": 0, "skipped": 0},
        {("eud_share", "Københavns Kommune", 2024): 13.9, ("eud_share", RH, 2024): 13.6}, None),
    "ok_utf16le_tab.txt": (
        {"added": 2, "revised": 0, "unchanged": 0, "skipped": 0},
        {("eud_share", RH, 2024): 13.9, ("stem_admissions", DK, 2024): 17500}, None),
    "ok_utf16be_tab.txt": ({"added": 1, "revised": 0, "unchanged": 0, "skipped": 0},
                           {("eud_share", RH, 2024): 13.9}, None),
    "ok_tab_utf8.tsv": ({"added": 1, "revised": 0, "unchanged": 0, "skipped": 0},
                        {("eud_share", RH, 2024): 13.9}, None),
    "ok_thousands_decimal_comma.csv": (
        {"added": 3, "revised": 0, "unchanged": 0, "skipped": 0},
        {("stem_admissions", DK, 2024): 17256, ("neet_youth", RH, 2023): 19876, ("eud_share", RH, 2024): 13.9}, None),
    "ok_thousands_decimal_point.csv": (
        {"added": 3, "revised": 0, "unchanged": 0, "skipped": 0},
        {("stem_admissions", DK, 2024): 17256, ("neet_youth", RH, 2023): 19876, ("eud_share", RH, 2024): 13.9}, None),
    "ok_quoted_delimiters_newlines.csv": (
        {"added": 2, "revised": 0, "unchanged": 0, "skipped": 0},
        {("eud_share", RH, 2024): 13.9, ("stem_admissions", DK, 2024): 17500}, None),
    "ok_headers_any_case.csv": ({"added": 1, "revised": 0, "unchanged": 0, "skipped": 0},
                                {("eud_share", RH, 2024): 13.9}, None),
    "ok_headers_ascii_danish.csv": ({"added": 1, "revised": 0, "unchanged": 0, "skipped": 0},
                                    {("eud_share", RH, 2024): 13.9}, None),
    "ok_percent_signs.csv": ({"added": 2, "revised": 0, "unchanged": 0, "skipped": 0},
                             {("eud_share", RH, 2024): 13.9, ("eud_share", RH, 2025): 14.1}, None),
    "ok_whitespace.csv": ({"added": 2, "revised": 0, "unchanged": 0, "skipped": 0},
                          {("eud_share", RH, 2024): 13.9, ("stem_admissions", DK, 2024): 17500}, None),
    "ok_trailing_empty_lines_columns.csv": (
        {"added": 2, "revised": 0, "unchanged": 0, "skipped": 0},
        {("eud_share", RH, 2024): 13.9, ("stem_admissions", DK, 2024): 17500}, None),
    "ok_wide_statbank.csv": (
        {"added": 2, "revised": 0, "unchanged": 3, "skipped": 3},
        {("eud_share", RH, 2024): 13.9, ("stem_admissions", DK, 2024): 17500, ("eud_share", RH, 2022): 13.4}, None),
    "ok_wide_english.csv": (
        {"added": 2, "revised": 0, "unchanged": 2, "skipped": 0},
        {("eud_share", RH, 2024): 13.9, ("eud_share", DK, 2024): 19.8}, None),
    "ok_workbook_first_sheet.xlsx": (
        {"added": 2, "revised": 0, "unchanged": 0, "skipped": 0},
        {("eud_share", RH, 2024): 13.9, ("stem_admissions", DK, 2024): 17500}, None),
    "ok_workbook_chosen_sheet.xlsx": ({"added": 1, "revised": 0, "unchanged": 0, "skipped": 0},
                                      {("eud_share", RH, 2024): 13.9}, "Data"),
    "ok_workbook_wide.xlsx": (
        {"added": 2, "revised": 0, "unchanged": 2, "skipped": 2},
        {("eud_share", RH, 2024): 13.9, ("stem_admissions", DK, 2024): 17500}, None),
    "ok_missing_markers.csv": ({"added": 1, "revised": 0, "unchanged": 0, "skipped": 5},
                               {("eud_share", RH, 2029): 14.2}, None),
    "ok_excel_sep_line.csv": ({"added": 1, "revised": 0, "unchanged": 0, "skipped": 0},
                              {("eud_share", RH, 2024): 13.9}, None),
    "ok_blank_line_inside.csv": ({"added": 2, "revised": 0, "unchanged": 0, "skipped": 1},
                                 {("eud_share", RH, 2024): 13.9, ("stem_admissions", DK, 2024): 17500}, None),
    # issue 11: files read as the analyst sees them
    "ok_workbook_merged_geography.xlsx": (
        {"added": 4, "revised": 0, "unchanged": 0, "skipped": 0},
        {("eud_share", DK, 2027): 20.1, ("eud_share", DK, 2028): 20.2, ("eud_share", DK, 2029): 20.3,
         ("eud_share", RH, 2027): 14.1}, None),
    "ok_workbook_hidden_first_sheet.xlsx": ({"added": 1, "revised": 0, "unchanged": 0, "skipped": 0},
                                            {("eud_share", RH, 2024): 13.9}, None),
    "ok_workbook_very_hidden_active.xlsx": ({"added": 1, "revised": 0, "unchanged": 0, "skipped": 0},
                                            {("eud_share", RH, 2024): 13.9}, None),
    "ok_geography_spaces.csv": (
        {"added": 3, "revised": 0, "unchanged": 1, "skipped": 0},
        {("eud_share", RH, 2024): 13.9, ("eud_share", RH, 2023): 13.0, ("eud_share", "T\u00e5rnby Kommune", 2024): 12.0,
         ("eud_share", "T\u00e5rnby Kommune", 2025): 12.5}, None),
    "ok_quote_swallows_rows.csv": ({"added": 1, "revised": 0, "unchanged": 0, "skipped": 0},
                                   {("eud_share", RH, 2024): 13.9}, None),
}

#: file -> (row, column, code, offending text) of the first problem
REJECTED: dict[str, tuple[int | None, str | None, str, str | None]] = {
    "bad_unknown_target.csv": (3, "target_id", "unknown_target", "eud_shar"),
    "bad_year_text.csv": (2, "år", "bad_year", "20x4"),
    "bad_year_out_of_range.csv": (2, "year", "bad_year", "1850"),
    "bad_year_fraction.csv": (2, "år", "bad_year", "2024,5"),
    "bad_value_text.csv": (2, "value", "value_not_number_point", "abc"),
    "bad_value_mixed_decimals.csv": (4, "værdi", "value_not_number_comma", "14.5"),
    "bad_value_out_of_bounds.csv": (2, "value", "out_of_bounds", "134"),
    "bad_value_percent_wrong_unit.csv": (2, "value", "percent_unit", "5%"),
    "bad_duplicate_key.csv": (3, "value", "duplicate_key", "14.0"),
    "bad_missing_column.csv": (1, "value", "missing_column", None),
    "bad_data_class.csv": (2, "data_class", "bad_data_class", "Q"),
    "bad_baseline_conflict.csv": (2, "value", "baseline_conflict", "15"),
    "bad_binary.png": (None, None, "not_text", None),
    "bad_empty.csv": (None, None, "file_empty", None),
    "bad_only_header.csv": (1, None, "only_header", None),
    "bad_not_a_table.txt": (1, None, "not_a_table", None),
    "bad_unclosed_quote.csv": (3, None, "unclosed_quote", None),
    "bad_extra_cells.csv": (3, "D", "extra_cells", "stray"),
    "bad_old_excel.xls": (None, None, "xls_old", None),
    "bad_corrupt.xlsx": (None, None, "xlsx_unreadable", None),
    "bad_zip_not_workbook.xlsx": (None, None, "xlsx_unreadable", None),
    "bad_utf16_without_bom.csv": (None, None, "not_text", None),
    "bad_mixed_encoding.csv": (3, None, "mixed_encoding", "eud_share,2025,14.1,ny opg?"),
    "bad_geography_lookalike.csv": (2, "geography", "geography_lookalike", "Region H\u043evedstaden"),
}


def fixture(name: str) -> Path:
    return FIXTURES / name


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory) -> Path:
    """A seeded database built once per module; each test works on its own copy (seeding is the slow part)."""
    path = tmp_path_factory.mktemp("seeded") / "seed.duckdb"
    Store.open(path, seed=seed).close()
    return path


@pytest.fixture
def store(seeded_file, isolated_db):
    """A seeded store on the test's own file (a copy of the module's seeded database)."""
    shutil.copyfile(seeded_file, isolated_db)
    s = Store.open(isolated_db, seed=seed)
    yield s
    s.close()


def test_the_corpus_is_complete_and_every_file_is_listed():
    files = {p.name for p in FIXTURES.iterdir() if p.suffix != ".py"}
    assert len(files) >= 30
    assert files == set(ACCEPTED) | set(REJECTED), "every fixture needs an expected outcome here"


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_file_imports_what_it_says_and_undo_restores(store, name):
    counts, values, sheet = ACCEPTED[name]
    before = store.checksum()
    result = ingest.import_observations(store, fixture(name), ANALYST, sheet=sheet, as_of=2026)
    assert result.plan.counts == counts
    assert result.batch_id is not None
    stored = store.observations().set_index(["target_id", "geography", "year"])["value"]
    for key, value in values.items():
        assert stored.loc[key] == pytest.approx(value), key
    assert (store.observations()["value"] != 0).all(), "a missing marker must never be stored as 0"
    ingest.undo_batch(store, result.batch_id, ANALYST)
    assert store.checksum()["observations"] == before["observations"]


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_rejected_file_names_row_column_and_text_and_writes_nothing(store, name):
    row, column, code, value = REJECTED[name]
    before = store.checksum()
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, fixture(name), ANALYST)
    first = info.value.problems[0]
    assert (first.row, first.column, first.code) == (row, column, code), first
    if value is not None:
        assert first.value == value
    assert store.checksum() == before, "a rejected import must write nothing"
    for problem in info.value.problems:
        danish, english = problem.text("da"), problem.text("en")
        assert danish and english and danish != english
        assert "{" not in danish + english, "every message parameter is filled in"


def test_every_problem_text_exists_in_both_languages():
    keys = [k for k in i18n.TEXTS if k.startswith("problem.")]
    assert len(keys) > 30
    for key in keys:
        assert i18n.TEXTS[key]["da"] != i18n.TEXTS[key]["en"] or key == "problem.at_row", key


def test_unknown_target_suggests_the_closest_ids(store):
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, fixture("bad_unknown_target.csv"), ANALYST)
    problem = info.value.problems[0]
    assert "Did you mean 'eud_share'" in problem.render("en")
    assert "Mente du 'eud_share'" in problem.render("da")
    assert problem.render("da").startswith("række 3, kolonne 'target_id' (værdi 'eud_shar')")


def test_windows_1252_text_is_read_as_such(store):
    ingest.import_observations(store, fixture("ok_cp1252_semicolon_danish.csv"), ANALYST)
    row = store.observations("eud_share", "Københavns Kommune").set_index("year").loc[2024]
    assert row["source"] == "Københavns Kommune, Børne- og Ungdomsforvaltningen"
    assert row["note_da"] == "ændret opgørelse" and pd.isna(row["note_en"])  # a Danish heading: a Danish note


def test_windows_1252_late_in_a_long_file_is_still_read_as_such(store, tmp_path):
    """Only the first 64 KiB are decoded to sniff; an 'ø' in Windows-1252 further down still decides."""
    rows = "".join(f"eud_share;2024;14,0;Kommune {i:05d};Kilde;;R\n" for i in range(4000))
    text = "indikator;aar;vaerdi;omraade;kilde;note;dataklasse\n" + rows + "eud_share;2024;13,5;Gladsaxe;Kilde;Ændret;R\n"
    path = tmp_path / "lang.csv"
    path.write_bytes(text.encode("cp1252"))
    assert path.stat().st_size > 2 * 65536
    result = ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert result.plan.info.encoding == "Windows-1252"
    assert result.plan.counts["added"] == 4001
    assert result.plan.rows.set_index("geography").loc["Gladsaxe", "note_en"] == "Ændret"  # heading 'note': English


def test_quoted_cells_keep_their_delimiters_quotes_and_line_breaks(store):
    ingest.import_observations(store, fixture("ok_quoted_delimiters_newlines.csv"), ANALYST)
    row = store.observations("eud_share", RH).set_index("year").loc[2024]
    assert row["source"] == "Energinet, rapport; 2024"
    assert row["note_en"] == 'første linje\r\nanden linje med "citat"'


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


def test_wide_layout_names_the_year_column_of_a_missing_figure(store):
    result = ingest.import_observations(store, fixture("ok_wide_statbank.csv"), ANALYST, dry_run=True)
    assert [(p.row, p.column, p.value) for p in result.plan.skipped] == [
        (2, "2021", ".."), (3, "2022", ".."), (3, "2023", "..")]
    assert result.plan.notes[1].text("da") == "Bred tabel: 4 årskolonner (2021–2024) er vendt til rækker."


def test_missing_markers_are_listed_with_their_rows(store):
    result = ingest.import_observations(store, fixture("ok_missing_markers.csv"), ANALYST, dry_run=True)
    assert [(p.row, p.value) for p in result.plan.skipped] == [
        (2, ""), (3, ".."), (4, "-"), (5, "n/a"), (6, "NA")]
    assert all(p.code == "skip_missing" for p in result.plan.skipped)


def test_rows_are_numbered_as_a_spreadsheet_shows_them(store):
    # a blank line is a row in Excel; the skipped '..' is on row 4
    result = ingest.import_observations(store, fixture("ok_blank_line_inside.csv"), ANALYST, dry_run=True)
    assert [p.row for p in result.plan.skipped] == [4]
    assert sorted(result.plan.rows["_row"]) == [2, 5]


def test_a_percentage_cell_of_a_workbook_is_read_as_shown(store):
    result = ingest.import_observations(store, fixture("ok_workbook_first_sheet.xlsx"), ANALYST, dry_run=True)
    assert result.plan.rows.set_index("target_id").loc["eud_share", "value"] == pytest.approx(13.9)


@pytest.mark.parametrize(("sheet", "code"), [(None, "not_a_table_sheet"), ("Nope", "sheet_not_found")])
def test_the_wrong_sheet_is_refused_naming_the_sheets(store, sheet, code):
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, fixture("ok_workbook_chosen_sheet.xlsx"), ANALYST, sheet=sheet)
    assert info.value.problems[0].code == code
    assert "'Noter', 'Data'" in info.value.problems[0].text("en")


def test_a_sheet_can_be_chosen_by_number(store):
    result = ingest.import_observations(store, fixture("ok_workbook_chosen_sheet.xlsx"), ANALYST, sheet="2",
                                        dry_run=True)
    assert result.plan.counts["added"] == 1 and result.plan.info.sheet == "Data"
    assert ingest.list_sheets(fixture("ok_workbook_chosen_sheet.xlsx").read_bytes()) == ["Noter", "Data"]


def test_size_limit_by_argument_and_setting(store, monkeypatch, tmp_path):
    before = store.checksum()
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, fixture("ok_canonical_utf8_lf.csv"), ANALYST, max_bytes=100)
    assert info.value.problems[0].code == "file_too_large"
    monkeypatch.setenv(ingest.MAX_UPLOAD_ENV, "0,0001")
    with pytest.raises(ValidationError):
        ingest.import_observations(store, fixture("ok_canonical_utf8_lf.csv").read_bytes(), ANALYST, file_name="x.csv")
    monkeypatch.delenv(ingest.MAX_UPLOAD_ENV)
    # the default 50 MB: a 51 MB (sparse) file is refused from its size alone, before it is read
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.truncate(51 * 2**20)
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, big, ANALYST)
    assert "51 MB" in info.value.problems[0].text("en") and "50 MB" in info.value.problems[0].text("en")
    assert store.checksum() == before


def test_problems_are_capped_with_a_count_of_the_rest(store, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("target_id,year,value\n" + "".join(f"eud_share,{1900 + i % 150},x{i}\n" for i in range(450)))
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, path, ANALYST)
    problems = info.value.problems
    assert len(problems) == ingest.MAX_PROBLEMS + 1
    assert problems[-1].code == "too_many" and problems[-1].params["count"] == 450 - ingest.MAX_PROBLEMS


def test_warnings_are_capped_but_counted(store, tmp_path):
    path = tmp_path / "sparse.csv"
    path.write_text("target_id,year,value\n" + "eud_share,2024,..\n" * 600 + "eud_share,2024,13.9\n")
    result = ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert result.plan.counts["skipped"] == 600 and result.plan.counts["added"] == 1
    assert len(result.plan.skipped) == ingest.MAX_WARNINGS + 1
    assert result.plan.skipped[-1].code == "more_warnings"


def test_same_value_twice_is_counted_once_with_a_warning(store, tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("target_id,year,value\neud_share,2024,13.9\neud_share,2024,13.90\n")
    result = ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert result.plan.counts == {"added": 1, "revised": 0, "unchanged": 0, "skipped": 1}
    assert result.plan.skipped[0].code == "duplicate_same" and result.plan.skipped[0].params["first_row"] == 2


@pytest.mark.parametrize(("cells", "default", "decided"), [
    (["13,4", "14"], ".", ","),           # a decimal comma in a comma-free column of a tab file
    (["13.4", "14"], ",", "."),           # a decimal point in a semicolon file
    (["1.234", "5.678"], ",", ","),       # ambiguous: the delimiter decides
    (["1.234", "5.678"], ".", "."),
    (["1.234,5", "13,4", "14.5"], ".", ","),  # the majority decides; 14.5 is then reported
    (["1.234.567"], ".", ","),            # two groups of three: the points are thousands
    (["0,125"], ".", ","),                # a leading zero cannot be a thousands group
])
def test_decimal_mark_is_decided_per_file(store, cells, default, decided):
    import pandas as pd
    import pyarrow as pa

    frame = pd.DataFrame({"value": cells})
    with store.read() as cur:
        cur.register("_ingest_incoming", pa.Table.from_pandas(frame, preserve_index=False))
        assert ingest._decide_decimal(cur, frame, default) == decided


@pytest.mark.parametrize(("target", "text", "value"), [
    ("neet_youth", "1 234,5", 1234.5), ("neet_youth", "1\u00a0234,5", 1234.5), ("neet_youth", "1,5E+03", 1500),
    ("eud_share", "+3", 3), ("eud_share", "13,4 %", 13.4), ("eud_share", "0,5", 0.5),
])
def test_danish_number_forms(store, tmp_path, target, text, value):
    path = tmp_path / "n.csv"
    path.write_bytes(f"indikator;år;værdi\n{target};2023;{text}\n".encode())
    result = ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert result.plan.rows["value"].iloc[0] == pytest.approx(value)


def test_a_unicode_minus_is_a_minus(store, tmp_path):
    path = tmp_path / "n.csv"
    path.write_bytes("indikator;år;værdi\neud_share;2023;−2,5\n".encode())
    with pytest.raises(ValidationError) as info:  # below the share's natural bound 0: read as -2.5
        ingest.import_observations(store, path, ANALYST, dry_run=True)
    assert (info.value.problems[0].code, info.value.problems[0].value) == ("out_of_bounds", "−2,5")


def test_a_viewer_is_refused_before_the_file_is_read(store):
    with pytest.raises(PermissionDenied):
        ingest.import_observations(store, fixture("bad_binary.png"), VIEWER)
    # a preview writes nothing, so a viewer may validate a file
    with pytest.raises(ValidationError):
        ingest.import_observations(store, fixture("bad_binary.png"), VIEWER, dry_run=True)


def test_templates_in_both_languages_change_nothing_when_uploaded_unchanged(store):
    def data_checksum() -> dict[str, str]:  # the audit trail records even an import that changed nothing
        return {table: digest for table, digest in store.checksum().items() if table != "audit_log"}

    before = data_checksum()
    for lang, header in (("da", "indikator;år;værdi"), ("en", "target_id,year,value")):
        data = ingest.template_csv(store, lang)
        assert data.decode("utf-8-sig").startswith(header)
        result = ingest.import_observations(store, data, ANALYST, file_name=f"template_{lang}.csv")
        assert result.batch_id is None and result.plan.counts["skipped"] == 11
    assert data_checksum() == before


# ---------------------------------------------------------------------- fuzzing
@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory):
    """One seeded store for all examples (a function-scoped store per example would be slow)."""
    store = Store.open(tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb", seed=seed)
    yield store
    store.close()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes_raise_nothing_but_the_validation_error(fuzz_store, data):
    before = fuzz_store.checksum()
    try:
        ingest.import_observations(fuzz_store, data, ANALYST, file_name="fuzz.csv", dry_run=True, with_status=False)
    except ValidationError as exc:
        assert exc.problems and all(p.text("da") and p.text("en") for p in exc.problems)
    assert fuzz_store.checksum() == before


CELL = st.one_of(
    st.text(alphabet=st.sampled_from(list('ab1,.;"\t\r\n %-æ\u00a0')), max_size=8),
    st.sampled_from(["..", "n/a", "2024", "13,4", "1.234,5", "eud_share", "EUD_SHARE", "Region Hovedstaden"]),
)
HEADERS = st.lists(st.sampled_from(["target_id", "indikator", "år", "year", "værdi", "value", "område", "kilde",
                                    "2023", "2024", "note", "", "x"]), min_size=1, max_size=6)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=HEADERS, rows=st.lists(st.lists(CELL, max_size=7), max_size=8),
       delimiter=st.sampled_from([",", ";", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
       newline=st.sampled_from(["\n", "\r\n"]))
def test_arbitrary_spreadsheets_raise_nothing_but_the_validation_error(fuzz_store, header, rows, delimiter,
                                                                       encoding, newline):
    text = newline.join(delimiter.join(r) for r in [header, *rows]) + newline
    data = text.encode(encoding, errors="replace")
    try:
        result = ingest.import_observations(fuzz_store, data, ANALYST, file_name="fuzz.csv", dry_run=True,
                                            with_status=False)
    except ValidationError:
        return
    counts = result.plan.counts
    assert min(counts.values()) >= 0


TARGET_BOUNDS = {"eud_share": (0, 100), "stem_admissions": (0, 10**6), "neet_youth": (0, 10**6)}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(st.sampled_from(sorted(TARGET_BOUNDS)), st.integers(2030, 2099),
                            st.integers(0, 99_999_999)), min_size=1, max_size=12,
                  unique_by=lambda r: (r[0], r[1])),
    layout=st.sampled_from([(",", ".", "utf-8"), (";", ",", "cp1252"), ("\t", ",", "utf-16"), (";", ",", "utf-8-sig")]),
    thousands=st.booleans(), pad=st.booleans(), quote=st.booleans(), danish_headers=st.booleans(),
)
def test_what_is_written_in_any_accepted_form_is_read_back(fuzz_store, rows, layout, thousands, pad, quote,
                                                           danish_headers):
    delimiter, decimal, encoding = layout
    group = "." if decimal == "," else ","
    lines = [delimiter.join(["Indikator", "År", "Værdi"] if danish_headers else ["target_id", "year", "value"])]
    expected = {}
    for target, year, hundredths in rows:
        low, high = TARGET_BOUNDS[target]
        value = low + hundredths % ((high - low) * 100) / 100
        whole, frac = f"{value:.2f}".split(".")
        if thousands:
            whole = f"{int(whole):,}".replace(",", group)
        cell = f"{whole}{decimal}{frac}"
        if pad:
            cell = f"  {cell} "
        if quote or delimiter in cell:
            cell = f'"{cell}"'
        lines.append(delimiter.join([target, str(year), cell]))
        expected[(target, year)] = value
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    result = ingest.import_observations(fuzz_store, data, ANALYST, file_name="round.csv", dry_run=True,
                                        with_status=False)
    got = {(r.target_id, int(r.year)): r.value for r in result.plan.rows.itertuples()}
    assert got == pytest.approx(expected)


def test_fixture_generator_is_importable_and_lists_every_file():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert set(module.FIXTURES) == set(ACCEPTED) | set(REJECTED)
    for name, data in module.FIXTURES.items():
        if not name.endswith(".xlsx"):  # zip archives carry the time they were written
            assert (FIXTURES / name).read_bytes() == data, f"{name} is out of date: run make_fixtures.py"
    assert os.path.getsize(FIXTURES / "ok_utf16le_tab.txt") > 0


def test_line_breaks_in_quoted_cells_of_a_long_file_are_kept(store, tmp_path):
    """pyarrow reads in 1 MB blocks, first assuming no line breaks in cells; a file with them is read again."""
    lines = ["target_id,year,value,geography,note"]
    for i in range(40000):
        note = f'"første linje {i}\nanden linje, med komma"' if i % 3 == 0 else f"kort {i}"
        lines.append(f"eud_share,2024,14.5,Kommune {i:05d},{note}")
    path = tmp_path / "breaks.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode())
    assert path.stat().st_size > 2 * 2**20
    plan = ingest.import_observations(store, path, ANALYST, dry_run=True).plan
    assert plan.counts["added"] == 40000
    notes = plan.rows.set_index("geography")["note_en"]
    assert notes["Kommune 00003"] == "første linje 3\nanden linje, med komma"
    assert notes["Kommune 39999"] == "første linje 39999\nanden linje, med komma"
    assert notes["Kommune 39998"] == "kort 39998"
    assert plan.rows["_row"].max() == 40001  # a record per row, as a spreadsheet counts them


@pytest.mark.parametrize(("delimiter", "mark"), [(",", "."), (";", ",")])
def test_plain_numbers_read_at_once_equal_the_careful_reading(store, tmp_path, delimiter, mark):
    """A column of plain numbers skips the careful reading; one odd cell brings it back: same values."""
    cells = ["13.4", "2.5", "0", "100", "7.125", "0.5", "62"]
    rows = [f"eud_share{delimiter}{2000 + i}{delimiter}{c.replace('.', mark)}\n" for i, c in enumerate(cells)]
    header = f"target_id{delimiter}year{delimiter}value\n"
    plain = write_csv(tmp_path / "plain.csv", header + "".join(rows))
    careful = write_csv(tmp_path / "careful.csv", header + "".join(rows) + f"eud_share{delimiter}2040{delimiter}n/a\n")
    assert ingest._plain_numbers(ingest.pa.chunked_array([ingest.pa.array([c.replace(".", mark) for c in cells])]),
                                 mark)
    read = {}
    for name, path in (("plain", plain), ("careful", careful)):
        plan = ingest.import_observations(store, path, ANALYST, dry_run=True).plan
        assert plan.info.decimal == mark
        read[name] = plan.rows.set_index("year")["value"].to_dict()
    assert read["plain"] == read["careful"] == {2000 + i: float(c) for i, c in enumerate(cells)}


# ---------------------------------------------------------------------- issue 11: read as the analyst sees it
def test_danmark_merged_over_three_rows_stores_every_row_under_danmark_with_its_source(store):
    result = ingest.import_observations(store, fixture("ok_workbook_merged_geography.xlsx"), ANALYST)
    stored = store.observations()
    rows = stored[(stored["target_id"] == "eud_share") & stored["year"].isin([2027, 2028, 2029])]
    by_year = rows[rows["geography"] == DK].set_index("year")
    assert sorted(by_year.index) == [2027, 2028, 2029], "no merged row may fall back to the target's geography"
    assert set(by_year["source"]) == {"Danmarks Statistik, EUD10"}, "a merged source is not 'Import: file'"
    assert set(rows[rows["geography"] == RH]["year"]) == {2027}
    notes = " ".join(n.text("da") for n in result.plan.notes)
    assert "D2:D4" in notes and "E2:E4" in notes


def test_a_merged_range_over_the_whole_sheet_costs_nothing(store):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["indikator", "år", "værdi", "område"], ["eud_share", 2027, 20.1, "Danmark"],
                ["eud_share", 2028, 20.2, None]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    # the range written into the sheet's XML (openpyxl itself would make an object of each of its cells)
    source, patched = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</sheetData>",
                                    b'</sheetData><mergeCells count="1"><mergeCell ref="D2:XFD1048576"/></mergeCells>')
            out.writestr(item, body)
    plan = ingest.import_observations(store, patched.getvalue(), ANALYST, file_name="m.xlsx", dry_run=True).plan
    assert set(plan.rows["geography"]) == {DK}
    assert plan.counts["added"] == 2


def test_hidden_sheets_are_never_read_or_offered_unasked(store):
    for name, shown in (("ok_workbook_hidden_first_sheet.xlsx", ["Data"]),
                        ("ok_workbook_very_hidden_active.xlsx", ["Aktiv", "Andet"])):
        data = fixture(name).read_bytes()
        assert ingest.list_sheets(data) == shown, "hidden sheets are not offered; the default comes first"
        frame = ingest.read_observations(data, file_name=name)
        assert frame.attrs["info"].sheet == shown[0]
        assert frame["value"].tolist() == ["13.9"]


def test_a_hidden_sheet_chosen_by_name_is_read_and_said(store):
    frame = ingest.read_observations(fixture("ok_workbook_hidden_first_sheet.xlsx"), sheet="Gammel")
    info = frame.attrs["info"]
    assert info.sheet == "Gammel"
    assert any(n.code == "sheet_hidden" for n in info.notes())


def test_a_utf8_file_with_one_stray_windows_1252_byte_is_refused_naming_the_line(store, tmp_path):
    rows = ["target_id,year,value,note"] + [f"eud_share,{2000 + i},13.{i % 10},opgjørt {i}" for i in range(40)]
    data = ("\n".join(rows) + "\n").encode("utf-8").replace("opgjørt 30".encode(), "opgjørt 30".encode("cp1252"))
    for body in (data, b"\xef\xbb\xbf" + data):
        with pytest.raises(ValidationError) as info:
            ingest.read_observations(body, file_name="mixed.csv")
        first = info.value.problems[0]
        assert (first.code, first.row) == ("mixed_encoding", 32)
        assert "0xF8" in first.text("da") and "UTF-8" in first.text("da")
    # a file valid as UTF-8 is UTF-8; a file without any UTF-8 is Windows-1252, as before
    good = ingest.read_observations(("\n".join(rows) + "\n").encode("utf-8"), file_name="u.csv")
    assert good["note_en"].iloc[0] == "opgjørt 0" and good.attrs["info"].encoding == "UTF-8"
    old = ingest.read_observations(("\n".join(rows) + "\n").encode("cp1252"), file_name="w.csv")
    assert old["note_en"].iloc[0] == "opgjørt 0" and old.attrs["info"].encoding == "Windows-1252"


def test_a_quote_that_swallows_rows_is_warned_about_naming_the_row(store):
    plan = ingest.import_observations(store, fixture("ok_quote_swallows_rows.csv"), ANALYST, dry_run=True).plan
    warning = next(n for n in plan.notes if n.code == "swallowed_rows")
    assert (warning.row, warning.column) == (2, "note")
    assert "anførselstegn" in warning.text("da") and "quotation mark" in warning.text("en")
    # a note with a line break of its own (Alt+Enter) is no warning
    plain = ingest.import_observations(store, fixture("ok_quoted_delimiters_newlines.csv"), ANALYST, dry_run=True)
    assert not any(n.code == "swallowed_rows" for n in plain.plan.notes)


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
