"""Decoding (:mod:`metrics.ingest.decode`): UTF-8, its BOM, UTF-16 and Windows-1252, and mixed files refused."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics import ingest
from metrics.model import ValidationError
from tests.conftest import ANALYST
from tests.ingest_support import fixture, seeded_file, store  # noqa: F401 - store needs seeded_file


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
    assert good.rows["note_en"].iloc[0] == "opgjørt 0" and good.info.encoding == "UTF-8"
    old = ingest.read_observations(("\n".join(rows) + "\n").encode("cp1252"), file_name="w.csv")
    assert old.rows["note_en"].iloc[0] == "opgjørt 0" and old.info.encoding == "Windows-1252"
