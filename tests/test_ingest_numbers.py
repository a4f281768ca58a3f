"""What a number is (:mod:`metrics.ingest.numbers`): the decimal mark decided per file, Danish forms, and one
grammar for the check's SQL and for target files."""

from __future__ import annotations

import math

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics import ingest
from metrics.ingest import numbers
from metrics.model import ValidationError
from tests.conftest import ANALYST, write_csv
from tests.ingest_support import seeded_file, store  # noqa: F401 - store needs seeded_file


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
        assert numbers._decide_decimal(cur, frame, default) == decided


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


@pytest.mark.parametrize(("delimiter", "mark"), [(",", "."), (";", ",")])
def test_plain_numbers_read_at_once_equal_the_careful_reading(store, tmp_path, delimiter, mark):
    """A column of plain numbers skips the careful reading; one odd cell brings it back: same values."""
    cells = ["13.4", "2.5", "0", "100", "7.125", "0.5", "62"]
    rows = [f"eud_share{delimiter}{2000 + i}{delimiter}{c.replace('.', mark)}\n" for i, c in enumerate(cells)]
    header = f"target_id{delimiter}year{delimiter}value\n"
    plain = write_csv(tmp_path / "plain.csv", header + "".join(rows))
    careful = write_csv(tmp_path / "careful.csv", header + "".join(rows) + f"eud_share{delimiter}2040{delimiter}n/a\n")
    assert numbers._plain_numbers(pa.chunked_array([pa.array([c.replace(".", mark) for c in cells])]),
                                 mark)
    read = {}
    for name, path in (("plain", plain), ("careful", careful)):
        plan = ingest.import_observations(store, path, ANALYST, dry_run=True).plan
        assert plan.info.decimal == mark
        read[name] = plan.rows.set_index("year")["value"].to_dict()
    assert read["plain"] == read["careful"] == {2000 + i: float(c) for i, c in enumerate(cells)}


# ---------------------------------------------------------------------- one grammar, in SQL and in Python
_SIGN = st.sampled_from(["", "-", "+", "\u2212", "\u2013", "--"])
_GROUP = st.sampled_from([".", ",", " ", "\u00a0", "\u202f", "_", "'"])
_MARK = st.sampled_from([",", ".", ""])
_SUFFIX = st.sampled_from(["", "%", " %", "\u00a0%", "%%", " ", "e", "E+03", "e-2", "E5", "e+"])


@st.composite
def spellings(draw: st.DrawFn) -> str:
    """A cell as analysts, Excel and StatBank write numbers, right and wrong: Danish ``1.234,5``, ``12,5 %``,
    groups of spaces or no-break spaces, minus signs, exponents, and junk around them."""
    digits = draw(st.lists(st.integers(0, 999), min_size=1, max_size=4))
    group = draw(_GROUP)
    first = str(digits[0])
    rest = [f"{d:03d}" if draw(st.booleans()) else str(d) for d in digits[1:]]  # a short group is a wrong one
    integer = group.join([first, *rest]) if draw(st.booleans()) else first + "".join(rest)
    fraction = draw(st.sampled_from(["", "5", "25", "125", "0", "1234"]))
    text = draw(_SIGN) + ("" if draw(st.integers(0, 9)) == 0 else integer) + (draw(_MARK) + fraction if fraction else "")
    text += draw(_SUFFIX)
    if draw(st.integers(0, 7)) == 0:  # now and then anything at all
        text = draw(st.text(alphabet=st.sampled_from(list("0123456789.,-+eE% \u00a0\u2212x")), max_size=10))
    return text.strip()


def _sql_reading(texts: list[str], decimal: str) -> list[float | None]:
    """The check's own SQL (``_NUM_TEXT_CAREFUL`` then ``_VALUE_CAREFUL``) over the cells; None: not a number."""
    import duckdb

    with duckdb.connect() as con:
        con.register("cells", pa.table({"value_text": pa.array(texts, pa.string()),
                                        "_i": pa.array(range(len(texts)), pa.int64())}))
        rows = con.execute(
            f"SELECT _i, {numbers._VALUE_CAREFUL} AS value FROM ("
            f"  SELECT s._i, false AS value_typed, {numbers._NUM_TEXT_CAREFUL} AS num_text FROM cells s) p ORDER BY _i",
            {"number_re": numbers.NUMBER_RE[decimal], "group_re": numbers.GROUP_RE[decimal], "decimal": decimal},
        ).fetchall()
    return [None if v is None or not math.isfinite(v) else v for _, v in rows]


def _python_reading(text: str, decimal: str) -> float | None:
    try:
        return numbers.parse_number(text, decimal)
    except ValueError:
        return None


@pytest.mark.parametrize(("text", "decimal", "value"), [
    ("1.234,5", ",", 1234.5), ("12,5 %", ",", 12.5), ("1 234,5", ",", 1234.5), ("1\u00a0234", ",", 1234.0),
    ("\u22123,5", ",", -3.5), ("1,5E+03", ",", 1500.0), ("1,234.5", ".", 1234.5), ("13.4", ".", 13.4),
    ("1e3", ".", 1000.0), ("1.234,5", ".", None), ("12,5", ".", None), ("1.2.3", ",", None), ("1e999", ".", None),
    ("abc", ".", None), ("", ",", None), ("-", ",", None),
])
def test_parse_number_reads_the_spellings_the_check_reads(text, decimal, value):
    assert _python_reading(text, decimal) == value
    assert _sql_reading([text], decimal) == [value]


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(spellings(), min_size=1, max_size=20), decimal=st.sampled_from([",", "."]))
def test_the_sql_check_and_parse_number_agree_on_every_spelling(texts, decimal):
    sql = _sql_reading(texts, decimal)
    python = [_python_reading(t, decimal) for t in texts]
    assert [(t, s is None) for t, s in zip(texts, sql)] == [(t, p is None) for t, p in zip(texts, python)]
    assert all(s is None or math.isclose(s, p, rel_tol=1e-15, abs_tol=0.0) for s, p in zip(sql, python))


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(spellings(), min_size=1, max_size=12), default=st.sampled_from([",", "."]))
def test_the_decimal_mark_is_decided_alike_in_sql_and_in_python(texts, default):
    import duckdb

    with duckdb.connect() as con:
        con.register("_ingest_incoming", pa.table({"value": pa.array(texts, pa.string())}))
        in_sql = numbers._decide_decimal(con, ["value"], default)
    assert numbers.decide_decimal(texts, default) == in_sql
