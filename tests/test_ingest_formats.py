"""The tolerant reader of ``metrics.ingest`` against a corpus of files as Excel and StatBank save them.

Every file of ``tests/fixtures/ingest`` (written by ``make_fixtures.py`` beside them) is listed
here with what it must give against the seed database: the counts and the stored values of an
accepted file, or the problems of a rejected one; after a rejection a checksum over every table
proves that nothing was written. Hypothesis then throws arbitrary bytes and arbitrary spreadsheets
at the reader: it raises nothing but ``ValidationError``, and reads back what was written.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.database import open_store
from metrics import i18n, ingest
from metrics.model import ValidationError
from metrics.seed import seed

from tests.conftest import ANALYST
from tests.ingest_support import DK, FIXTURES, RH, fixture, seeded_file, store  # noqa: F401 - store needs seeded_file

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


# ---------------------------------------------------------------------- fuzzing
@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory):
    """One seeded store for all examples (a function-scoped store per example would be slow)."""
    store = open_store(tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb", seed=seed)
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
