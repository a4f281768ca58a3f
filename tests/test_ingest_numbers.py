"""What a number is (:mod:`metrics.ingest.numbers`): the decimal mark decided per file, Danish forms, and one
grammar for the check's SQL and for target files."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

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
