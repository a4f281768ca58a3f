"""Commentary: migration 2, versions with author and time, withdrawal, roles, validation, the CLI."""

from __future__ import annotations

import io
import json

import duckdb
import pytest

from metrics.database import open_store
from metrics import cli, commentary, store as store_mod
from metrics.model import PermissionDenied, ValidationError
from metrics.seed import seed
from metrics.store import SCHEMA_VERSION
from tests.conftest import ADMIN, ANALYST, VIEWER, old_schema_database


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_migration_2_adds_the_commentary_table(store):
    assert SCHEMA_VERSION >= 2 and store.schema_version() == SCHEMA_VERSION
    versions = store.query_df("SELECT version, description FROM schema_version ORDER BY version")
    assert versions["version"].tolist() == list(range(1, SCHEMA_VERSION + 1))
    assert "commentary" in versions["description"][1]
    assert "commentary" in store_mod.TABLES and "commentary" in store.checksum()


@pytest.mark.duckdb_only
def test_a_version_1_database_is_upgraded_in_place(isolated_db):
    old_schema_database(isolated_db, 1)  # the seed written in version 1's columns, as the old program had it
    con = duckdb.connect(str(isolated_db))
    try:
        assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 1
        before = {t: con.execute("SELECT count(*) FROM " + t).fetchone()[0] for t in ("targets", "observations", "initiatives")}
    finally:
        con.close()
    with open_store(isolated_db, seed=seed) as new:
        assert new.schema_version() == SCHEMA_VERSION
        assert {t: new.scalar("SELECT count(*) FROM " + t) for t in before} == before
        commentary.save(new, ANALYST, target_id="eud_share", year=2026, text="Efter opgradering.")
        assert commentary.current(new, year=2026, target_id="eud_share").text == "Efter opgradering."


def test_versions_are_kept_with_author_and_time(store):
    first = commentary.save(store, ANALYST, target_id="eud_share", year=2026, text="Første udkast.")
    second = commentary.save(store, ADMIN, target_id="eud_share", year=2026, text="  Endelig tekst.\r\nTo linjer.  ")
    assert second > first
    current = commentary.current(store, year=2026, target_id="eud_share", lang="da")
    assert current.text == "Endelig tekst.\nTo linjer." and current.author == "tester"
    assert current.created_at.year >= 2024
    history = commentary.history(store, target_id="eud_share")
    assert [c.text for c in history] == ["Endelig tekst.\nTo linjer.", "Første udkast."]
    assert [c.author for c in history] == ["tester", "ana"]
    # other years and subjects are separate
    assert commentary.current(store, year=2025, target_id="eud_share") is None
    assert commentary.current(store, year=2026, target_id="stem_admissions") is None


def test_empty_text_withdraws_but_history_remains(store):
    commentary.save(store, ANALYST, focus_area_id="faglaerte", year=2026, text="Tekst.")
    commentary.save(store, ANALYST, focus_area_id="faglaerte", year=2026, text="   ")
    assert commentary.current(store, year=2026, focus_area_id="faglaerte") is None
    assert [c.text for c in commentary.history(store, focus_area_id="faglaerte")] == ["", "Tekst."]
    assert commentary.current_frame(store, 2026).empty


def test_language_preference_and_fallback(store):
    commentary.save(store, ANALYST, target_id="eud_share", year=2026, text="Dansk.", lang="da")
    assert commentary.current(store, year=2026, target_id="eud_share", lang="en").text == "Dansk."
    commentary.save(store, ANALYST, target_id="eud_share", year=2026, text="English.", lang="en")
    assert commentary.current(store, year=2026, target_id="eud_share", lang="en").text == "English."
    assert commentary.current(store, year=2026, target_id="eud_share", lang="da").text == "Dansk."


def test_latest_up_to_falls_back_to_an_earlier_year(store):
    commentary.save(store, ANALYST, target_id="eud_share", year=2024, text="2024.")
    commentary.save(store, ANALYST, target_id="eud_share", year=2025, text="2025.")
    frame = commentary.current_frame(store)
    assert commentary.latest_up_to(frame, 2026, "da", target_id="eud_share").text == "2025."
    assert commentary.latest_up_to(frame, 2024, "da", target_id="eud_share").text == "2024."
    assert commentary.latest_up_to(frame, 2023, "da", target_id="eud_share") is None


def test_viewer_may_not_write_and_nothing_is_written(store):
    before = store.checksum()
    with pytest.raises(PermissionDenied, match="viewer"):
        commentary.save(store, VIEWER, target_id="eud_share", year=2026, text="Nej.")
    assert store.checksum() == before


@pytest.mark.parametrize(("kwargs", "column"), [
    ({"target_id": "nope", "year": 2026, "text": "x"}, "target_id"),
    ({"focus_area_id": "nowhere", "year": 2026, "text": "x"}, "focus_area_id"),
    ({"target_id": "eud_share", "year": "20x6", "text": "x"}, "year"),
    ({"target_id": "eud_share", "year": 1800, "text": "x"}, "year"),
    ({"target_id": "eud_share", "year": 2026, "text": "x" * (commentary.MAX_LENGTH + 1)}, "text"),
    ({"target_id": "eud_share", "year": 2026, "text": "x", "lang": "de"}, "lang"),
])
def test_invalid_commentary_is_refused_in_words(store, kwargs, column):
    before = store.checksum()
    with pytest.raises(ValidationError) as info:
        commentary.save(store, ANALYST, **kwargs)
    assert info.value.problems[0].column == column
    assert store.checksum() == before


def test_exactly_one_subject(store):
    with pytest.raises(ValueError):
        commentary.save(store, ANALYST, target_id="eud_share", focus_area_id="faglaerte", year=2026, text="x")
    with pytest.raises(ValueError):
        commentary.save(store, ANALYST, year=2026, text="x")
    # and the database holds the rule too
    with pytest.raises(duckdb.ConstraintException), store.write(ADMIN, "write_commentary") as cur:
        cur.execute("INSERT INTO commentary (year, text, author) VALUES (2026, 'x', 'a')")


def test_hostile_text_is_stored_as_is(store):
    text = "=cmd|' /C calc'!A0 <script>alert(1)</script>"
    commentary.save(store, ANALYST, target_id="eud_share", year=2026, text=text)
    assert commentary.current(store, year=2026, target_id="eud_share").text == text


def test_cli_set_list_and_history(store, tmp_path):
    code, out, err = run("commentary", "set", "--target", "eud_share", "--year", "2026", "--text", "Første.")
    assert code == 0 and "saved as version 1" in out, err
    note = tmp_path / "note.txt"
    note.write_text("Anden version.\n\nMed to afsnit.", encoding="utf-8")
    code, out, _ = run("commentary", "set", "--target", "eud_share", "--year", "2026", "--file", str(note))
    assert code == 0 and "version 2" in out
    code, out, _ = run("commentary", "set", "--focus-area", "faglaerte", "--year", "2026", "--text", "FA.",
                       "--lang", "en")
    assert code == 0
    code, out, _ = run("commentary", "list", "--year", "2026", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and {r["text"] for r in rows} == {"Anden version.\n\nMed to afsnit.", "FA."}
    code, out, _ = run("commentary", "list", "--target", "eud_share", "--history", "--format", "json")
    assert [r["text"] for r in json.loads(out)] == ["Anden version.\n\nMed to afsnit.", "Første."]
    code, out, _ = run("commentary", "list")
    assert code == 0 and "eud_share" in out and "faglaerte" in out


def test_cli_errors(store, tmp_path):
    code, _, err = run("commentary", "set", "--target", "nope", "--year", "2026", "--text", "x")
    assert code == 1 and "nope" in err
    code, _, _ = run("commentary", "set", "--target", "eud_share", "--focus-area", "faglaerte", "--year", "2026",
                     "--text", "x")
    assert code == 2
    code, _, err = run("commentary", "set", "--target", "eud_share", "--year", "2026", "--file",
                       str(tmp_path / "missing.txt"))
    assert code == 2 and "No such file" in err
    code, _, err = run("commentary", "list", "--history")
    assert code == 2 and "--target" in err


def test_what_a_page_shows_is_immutable_and_follows_a_save(store):
    """The pages share :func:`commentary.shown` per data version: it must not be changeable by
    one session, and a save (a write, a new data version) must show at the next rerun."""
    from metrics import cache, views

    def page_view():
        return views.shared_view(store, "commentary", 2026, "eud_share", None, "da",
                                 compute=lambda: commentary.shown(store, year=2026, target_id="eud_share", lang="da"))

    cache.clear_all()
    assert page_view() == (None, ())
    commentary.save(store, ANALYST, target_id="eud_share", year=2026, text="Første udkast.")
    current, versions = page_view()
    assert current.text == "Første udkast." and isinstance(versions, tuple) and len(versions) == 1
    assert page_view()[0] is current  # shared, not read again
    commentary.save(store, ANALYST, target_id="eud_share", year=2026, text="Endelig tekst.")
    current, versions = page_view()
    assert current.text == "Endelig tekst." and [v.text for v in versions] == ["Endelig tekst.", "Første udkast."]
