"""The Upload page through Streamlit's AppTest: role, report, preview, confirm, batches, undo, languages."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from metrics import ingest
from metrics.database import open_store
from metrics.model import Actor
from metrics.seed import seed
from metrics.store import PROJECT_ROOT
from tests.test_pages import html_text

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
BAD = "Indikator;År;Værdi;Område\r\neud_share;2023;13,2;Region Hovedstaden\r\neud_shar;2024;13,9;\r\n"
GOOD = BAD.replace("eud_shar;", "eud_share;")


@pytest.fixture(autouse=True)
def clear_caches(streamlit_caches):
    """Every test here runs with Streamlit's caches emptied (see conftest)."""


ANA = Actor("ana", "analyst")
SIGNED_IN: dict[str, Actor] = {}


@pytest.fixture
def analyst(monkeypatch):
    """Every page opened in the test is signed in as the local analyst 'ana'."""
    monkeypatch.setitem(SIGNED_IN, "actor", ANA)
    return ANA


def upload_page(**query: str) -> AppTest:
    """The Upload page; query parameters (lang, year) are read on the first run, so run once before switching."""
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    if "actor" in SIGNED_IN:
        at.session_state["local_actor"] = SIGNED_IN["actor"]
    for key, value in query.items():
        at.query_params[key] = value
    if query:
        at.run()
    at.switch_page("app_pages/upload.py")
    return at.run()


def plain(text: str) -> str:
    """A message as the reader sees it: the page escapes Markdown in names with backslashes."""
    return text.replace("\\", "").replace("\u2060", "")


def table_text(at: AppTest) -> str:
    """The grids' text and, line by line, the rows of the HTML tables (the validation report)."""
    return "\n".join([df.value.to_string() for df in at.dataframe] + html_text(at).rows)


def button(at: AppTest, prefix: str):
    matches = [b for b in at.button if b.label.startswith(prefix)]
    assert matches, [b.label for b in at.button]
    return matches[0]


def undo_choice(at: AppTest):
    return [s for s in at.selectbox if s.label in ("Kørsel at fortryde", "Batch to undo")][0]


def test_a_viewer_sees_why_there_is_no_upload(isolated_db):
    at = upload_page()
    assert not at.exception
    assert at.title[0].value == "Upload målinger"
    assert "Log ind" in plain(at.info[0].value) and "læser" in at.info[0].value
    assert len(at.file_uploader) == 0
    assert not [b for b in at.button if b.label.startswith("Fortryd")]
    assert "data/observations.csv" in table_text(at)  # the batch history is open to everyone


def test_bad_file_report_then_fixed_file_preview_confirm_and_undo(isolated_db, analyst):
    at = upload_page()
    assert not at.exception and len(at.file_uploader) == 1
    with open_store(isolated_db, seed=seed) as store:
        before = store.checksum()
    at.file_uploader[0].set_value(("eud.csv", BAD.encode("cp1252"), "text/csv")).run()
    assert not at.exception
    assert at.error[0].value.startswith("Filen er afvist, og intet er gemt: 1 problem")
    report = table_text(at)
    assert "eud_shar" in report and "Mente du 'eud_share'?" in report and "Indikator" in report
    # the report is a table whose cells wrap, not the grid that cut what to do at its column's edge
    assert not [df for df in at.dataframe if "Hvad er galt, og hvad du gør" in df.value.columns]
    assert any("Hvad er galt, og hvad du gør" in row for row in html_text(at).rows)
    assert not [b for b in at.button if b.label.startswith("Bekræft")]
    with open_store(isolated_db, seed=seed) as store:
        assert store.checksum() == before

    at.file_uploader[0].set_value(("eud.csv", GOOD.encode("cp1252"), "text/csv")).run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric} == {"Tilføjes": "1", "Revideres": "1", "Uændrede": "0",
                                                     "Sprunget over": "0"}
    shown = "\n".join(t.value for t in at.text) + table_text(at)
    assert "Læst som Windows-1252, adskilt med semikolon, decimaler med komma." in shown
    assert "13,2" in table_text(at)  # the revised value, old 13 -> new 13,2
    # the file has no source or notes: the revision writes over 2023's, and the preview says so before the grid
    assert [plain(w.value) for w in at.warning] == [
        "Række 2 skriver også over: kilde: »Københavns Malerlaug, nyhedsbrev, med tal fra ministeriets "
        "datavarehus« → »Import: eud.csv«; note (dansk) fjernes: »Afrundet til hele procent i kilden.«; note (engelsk) "
        "fjernes: »Rounded to whole per cent in the source.«. Den gamle række gemmes i historikken, og fortryder "
        "du kørslen, kommer den tilbage."]
    assert "note (dansk) fjernes: »Afrundet til hele procent i kilden.«" in table_text(at)
    button(at, "Bekræft import af eud\\.csv").click().run()
    assert not at.exception
    assert plain(at.success[0].value).startswith("eud.csv er importeret som kørsel 2: 1 tilføjet, 1 revideret")
    assert "ana" in table_text(at) and "eud.csv" in table_text(at)
    assert len(at.file_uploader) == 1 and at.file_uploader[0].value is None  # ready for the next file

    undo_choice = [s for s in at.selectbox if s.label == "Kørsel at fortryde"][0]
    assert undo_choice.value is None  # nothing to undo is chosen for you
    undo_choice.set_value(2).run()
    button(at, "Ja, fortryd kørsel 2").click().run()
    assert not at.exception
    assert plain(at.success[0].value) == "Kørsel 2 er fortrudt: 1 værdi fjernet, 1 tidligere værdi genskabt."
    with open_store(isolated_db, seed=seed) as store:
        assert store.checksum()["observations"] == before["observations"]
        assert store.batches().set_index("batch_id").loc[2, "state"] == "undone"


def test_the_status_preview_and_english(isolated_db, analyst):
    at = upload_page(lang="en", year="2026")
    data = b"target_id,year,value\neud_share,2024,30\n"
    at.file_uploader[0].set_value(("met.csv", data, "text/csv")).run()
    assert not at.exception and not at.error
    text = table_text(at)
    assert "✖ moving away from the target" in text and "✔ target met" in text
    assert any(c.value == "Statuses the import changes (as of 2026)" for c in at.caption)


def test_a_file_already_imported_changes_nothing_and_offers_no_confirm(isolated_db, analyst):
    data = b"target_id,year,value\neud_share,2024,13.9\n"
    with open_store(isolated_db, seed=seed) as store:
        ingest.import_observations(store, data, ANA, file_name="same.csv")
    at = upload_page(lang="en")
    at.file_uploader[0].set_value(("same.csv", data, "text/csv")).run()
    assert not at.exception
    assert "Nothing to change: every row of same.csv" in plain(at.info[0].value)
    assert not [b for b in at.button if b.label.startswith("Confirm")]
    assert any("imported before as batch 2" in t.value for t in at.text)


def test_a_workbook_offers_its_sheets(isolated_db, analyst):
    data = (PROJECT_ROOT / "tests" / "fixtures" / "ingest" / "ok_workbook_chosen_sheet.xlsx").read_bytes()
    at = upload_page(lang="en")
    at.file_uploader[0].set_value(("book.xlsx", data, "application/vnd.ms-excel")).run()
    assert not at.exception
    assert "The sheet 'Noter' has only one column" in table_text(at)
    sheet = [s for s in at.selectbox if s.label == "Sheet"][0]
    sheet.set_value("Data").run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["Added"] == "1"
    assert at.query_params["sheet"] == "Data"


def test_the_chosen_sheet_survives_a_reload_a_page_switch_and_another_process(isolated_db, analyst):
    """The attack: an analyst picks the second sheet, the page reloads, and the preview (and its
    confirm button) silently falls back to the first sheet."""
    data = (PROJECT_ROOT / "tests" / "fixtures" / "ingest" / "ok_workbook_chosen_sheet.xlsx").read_bytes()
    at = upload_page(lang="en")
    at.file_uploader[0].set_value(("book.xlsx", data, "application/vnd.ms-excel")).run()
    [s for s in at.selectbox if s.label == "Sheet"][0].set_value("Data").run()
    upload_id = at.query_params["upload"]

    again = upload_page(lang="en", upload=upload_id, sheet="Data")  # a reload, or the next process
    assert not again.exception and not again.error
    assert [s for s in again.selectbox if s.label == "Sheet"][0].value == "Data"
    assert {m.label: m.value for m in again.metric}["Added"] == "1"

    again.switch_page("app_pages/overview.py").run()  # a page switch drops the URL's parameters
    again.switch_page("app_pages/upload.py").run()
    assert not again.exception and again.query_params["upload"] == upload_id
    assert [s for s in again.selectbox if s.label == "Sheet"][0].value == "Data"
    assert again.query_params["sheet"] == "Data"
    button(again, "Confirm import of book\\.xlsx").click().run()
    assert not again.exception and "sheet" not in again.query_params and "upload" not in again.query_params
    with open_store(isolated_db, seed=seed) as store:
        assert store.batches().set_index("batch_id").loc[2, "n_added"] == 1

    odd = upload_page(lang="en")  # a sheet the workbook does not have: the first sheet, no error
    odd.file_uploader[0].set_value(("book.xlsx", data, "application/vnd.ms-excel")).run()
    other = upload_page(lang="en", upload=odd.query_params["upload"], sheet="<b>Gone</b>")
    assert not other.exception
    assert [s for s in other.selectbox if s.label == "Sheet"][0].value == "Noter"
    assert other.query_params["sheet"] == "Noter"


def test_binary_upload_is_a_message_not_a_traceback(isolated_db, analyst):
    at = upload_page()
    at.file_uploader[0].set_value(("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/csv")).run()
    assert not at.exception
    assert "binære data" in table_text(at)


def test_undoing_a_batch_undone_elsewhere_is_refused_with_a_message(isolated_db, analyst):
    data = b"target_id,year,value\neud_share,2024,13.9\n"
    with open_store(isolated_db, seed=seed) as store:
        batch = ingest.import_observations(store, data, ANA, file_name="x.csv").batch_id
    at = upload_page(lang="en")
    from app_pages._shared import get_store  # the cached store the page uses, as another session would

    undo_choice(at).set_value(batch).run()
    ingest.undo_batch(get_store(), batch, ANA)  # another session undoes it first
    button(at, f"Yes, undo batch {batch}").click().run()
    assert not at.exception
    assert plain(at.error[0].value).startswith(f"Batch {batch} (x.csv) was already undone")


def test_names_in_messages_are_not_markdown(isolated_db, analyst):
    at = upload_page(lang="en")
    name = "[click](https://example.org) $x$.csv"
    at.file_uploader[0].set_value((name, b"target_id,year,value\neud_share,2024,13.9\n", "text/csv")).run()
    label = [b.label for b in at.button if "Confirm" in b.label][0]
    assert "\\[click\\]\\(https\u2060\\://example\\.org\\) \\$x\\$" in label  # no live link (_shared.md)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_no_untranslated_key_leaks(isolated_db, analyst, lang):
    at = upload_page(lang=lang)
    at.file_uploader[0].set_value(("x.csv", b"target_id,year,value\neud_share,2024,13.9\neud_share,2025,..\n",
                                   "text/csv")).run()
    texts = [e.value for kind in ("title", "caption", "info", "error", "success", "text", "subheader")
             for e in getattr(at, kind)]
    texts += [b.label for b in at.button] + [m.label for m in at.metric] + [table_text(at)]
    for prefix in ("upload.", "ucol.", "problem.", "refusal.", "sep.", "cli."):
        assert not any(prefix in str(t) for t in texts), (lang, prefix)


# ---------------------------------------------------------------------- issue 11: undo and the preview
def checksums(db) -> dict[str, str]:
    with open_store(db, seed=seed) as store:
        return store.checksum()


def test_the_seed_batch_is_not_offered_for_undo(isolated_db, analyst):
    at = upload_page()
    assert not at.exception
    assert not [s for s in at.selectbox if s.label == "Kørsel at fortryde"]  # only the seed: nothing to undo
    assert "Ingen kørsler kan fortrydes." in [c.value for c in at.caption]
    assert not [b for b in at.button if "fortryd" in b.label.lower()]
    with open_store(isolated_db, seed=seed) as store:
        ingest.import_observations(store, b"target_id,year,value\neud_share,2024,13.9\n", ANA, file_name="x.csv")
    at = upload_page()
    choice = undo_choice(at)
    assert [o.split(":")[0] for o in choice.options] == ["2"]  # batch 2 only, never the seed's batch 1
    assert choice.value is None


def test_undo_asks_for_confirmation_saying_what_will_happen(isolated_db, analyst):
    data = b"target_id,year,value\neud_share,2023,13.2\neud_share,2024,13.9\nstem_admissions,2024,17612\n"
    with open_store(isolated_db, seed=seed) as store:
        assert ingest.import_observations(store, data, ANA, file_name="x.csv").plan.counts["revised"] == 1
    before = checksums(isolated_db)
    at = upload_page()
    assert not [b for b in at.button if b.label.startswith("Ja, fortryd")]
    undo_choice(at).set_value(2).run()
    assert not at.exception
    warning = plain(at.warning[0].value)
    assert warning.startswith("Kørsel 2 fortrydes: 2 værdier fjernes, 1 tidligere værdi genskabes")
    assert checksums(isolated_db) == before  # choosing wrote nothing
    button(at, "Ja, fortryd kørsel 2").click().run()
    assert plain(at.success[0].value) == "Kørsel 2 er fortrudt: 2 værdier fjernet, 1 tidligere værdi genskabt."
    assert checksums(isolated_db)["observations"] != before["observations"]
    assert "Ingen kørsler kan fortrydes." in [c.value for c in at.caption]  # only the seed is left, not offered


def test_an_undo_blocked_by_a_later_batch_says_so_before_any_click(isolated_db, analyst):
    with open_store(isolated_db, seed=seed) as store:
        ingest.import_observations(store, b"target_id,year,value\neud_share,2024,13.9\n", ANA, file_name="a.csv")
        ingest.import_observations(store, b"target_id,year,value\neud_share,2024,14.1\n", ANA, file_name="b.csv")
    at = upload_page(lang="en")
    undo_choice(at).set_value(2).run()
    assert not at.exception
    assert "batch 3 has since revised" in plain(at.error[0].value)
    assert not [b for b in at.button if b.label.startswith("Yes, undo")]


def test_the_preview_lists_every_row_with_the_value_as_read_and_the_old_value(isolated_db, analyst):
    data = "Indikator;År;Værdi;Område\r\neud_share;2023;13,2;Region Hovedstaden\r\nstem_admissions;2024;17.612;Danmark\r\n"
    at = upload_page()
    at.file_uploader[0].set_value(("tal.csv", data.encode("cp1252"), "text/csv")).run()
    assert not at.exception and not at.error
    table = [df.value for df in at.dataframe if "Handling" in df.value.columns][0]
    assert table.to_dict("records") == [
        {"Række": "2", "Handling": "revideres", "Mål-id": "eud_share", "Område": "Region Hovedstaden", "År": "2023",
         "Gammel værdi": "13", "Ny værdi, som læst": "13,2", "I filen": "13,2",
         "Skrives også over": "kilde: »Københavns Malerlaug, nyhedsbrev, med tal fra ministeriets…« → »Import: "
                              "tal.csv«; note (dansk) fjernes: »Afrundet til hele procent i kilden.«; note (engelsk) "
                              "fjernes: »Rounded to whole per cent in the source.«"},
        {"Række": "3", "Handling": "tilføjes", "Mål-id": "stem_admissions", "Område": "Danmark", "År": "2024",
         "Gammel værdi": "–", "Ny værdi, som læst": "17.612", "I filen": "17.612", "Skrives også over": ""},
    ]
    at = upload_page(lang="en")  # the same file in English: 17,612 as the English reader writes it
    at.file_uploader[0].set_value(("tal.csv", data.encode("cp1252"), "text/csv")).run()
    table = [df.value for df in at.dataframe if "Action" in df.value.columns][0]
    assert table["New value, as read"].tolist() == ["13.2", "17,612"] and table["In the file"].tolist() == ["13,2", "17.612"]


def test_the_preview_lists_the_first_200_rows_then_a_count(isolated_db, analyst):
    data = "target_id,year,value,geography\n" + "".join(f"eud_share,2024,{10 + i % 50},Kommune {i:03d}\n"
                                                        for i in range(205))
    at = upload_page()
    at.file_uploader[0].set_value(("mange.csv", data.encode(), "text/csv")).run()
    assert not at.exception and not at.error
    table = [df.value for df in at.dataframe if "Handling" in df.value.columns][0]
    assert len(table) == 200 and table["Række"].iloc[0] == "2" and table["Række"].iloc[-1] == "201"
    assert "… og 5 flere rækker, som også skrives ved bekræftelse." in [c.value for c in at.caption]


# ---------------------------------------------------------------------- issue 14: the preview waits in the database
def waiting(db, upload_id: str, owner: str = "ana"):
    with open_store(db, seed=seed) as store:
        return store.stashed_upload(upload_id, owner)


def messages(at: AppTest, kind: str) -> list[str]:
    return [plain(e.value) for e in getattr(at, kind)]


def test_a_reload_or_another_replica_shows_the_same_preview_and_confirms_it(isolated_db, analyst):
    at = upload_page(lang="en")
    at.file_uploader[0].set_value(("eud.csv", GOOD.encode("cp1252"), "text/csv")).run()
    assert not at.exception and not at.error
    upload_id = at.query_params["upload"]
    assert len(upload_id) == 32 and at.query_params["lang"] == "en"  # the language stays in the link
    assert waiting(isolated_db, upload_id) == ("eud.csv", GOOD.encode("cp1252"))
    at.run()
    assert at.query_params["upload"] == upload_id  # the next rerun keeps the same copy
    first = {m.label: m.value for m in at.metric}
    first_table = table_text(at)

    again = upload_page(lang="en", upload=upload_id)  # a new session: a reload, or another process
    assert not again.exception and not again.error
    assert again.file_uploader[0].value is None
    assert "You are continuing with the file eud.csv that you uploaded" in messages(again, "info")[0]
    assert {m.label: m.value for m in again.metric} == first == {"Added": "1", "Revised": "1", "Unchanged": "0",
                                                                "Skipped": "0"}
    assert table_text(again) == first_table
    button(again, "Confirm import of eud\\.csv").click().run()
    assert not again.exception
    assert messages(again, "success")[0].startswith("eud.csv was imported as batch 2: 1 added, 1 revised")
    assert "upload" not in again.query_params and again.query_params["lang"] == "en"
    assert waiting(isolated_db, upload_id) is None
    assert not again.metric and not [b for b in again.button if b.label.startswith("Confirm")]
    with open_store(isolated_db, seed=seed) as store:
        batch = store.batches().set_index("batch_id").loc[2]
        assert (batch["user_name"], batch["file_name"], batch["n_added"], batch["n_revised"]) == ("ana", "eud.csv", 1, 1)

    stale = upload_page(lang="en", upload=upload_id)  # the old link, once confirmed
    assert not stale.exception and not stale.metric
    assert messages(stale, "warning")[0].startswith("The upload in the link is no longer waiting")
    assert "upload" not in stale.query_params and len(stale.file_uploader) == 1


def test_another_user_or_a_viewer_cannot_open_the_link(isolated_db, analyst, monkeypatch):
    at = upload_page()
    at.file_uploader[0].set_value(("eud.csv", GOOD.encode("cp1252"), "text/csv")).run()
    upload_id = at.query_params["upload"]

    monkeypatch.setitem(SIGNED_IN, "actor", Actor("bo", "analyst"))
    bo = upload_page(upload=upload_id)
    assert not bo.exception and not bo.metric and not [b for b in bo.button if b.label.startswith("Bekræft")]
    assert messages(bo, "warning") == [
        "Uploaden i linket venter ikke længere: den er bekræftet eller kasseret, den er over et døgn gammel, eller "
        "den hører til en anden bruger. Intet er gemt fra den. Upload filen igen."]
    assert "upload" not in bo.query_params and "eud.csv" not in "\n".join(messages(bo, "info"))

    monkeypatch.setitem(SIGNED_IN, "actor", Actor("ana", "viewer"))  # the account as it is now: demoted
    viewer = upload_page(upload=upload_id)
    assert not viewer.exception and not viewer.metric and len(viewer.file_uploader) == 0
    assert "Linket fører til en upload, der venter på bekræftelse" in messages(viewer, "info")[1]
    assert viewer.query_params["upload"] == upload_id  # kept for a sign-in as the analyst
    assert waiting(isolated_db, upload_id) == ("eud.csv", GOOD.encode("cp1252"))  # nobody dropped it


def test_discard_and_removing_the_file_drop_the_waiting_upload(isolated_db, analyst):
    at = upload_page()
    at.file_uploader[0].set_value(("eud.csv", GOOD.encode("cp1252"), "text/csv")).run()
    upload_id = at.query_params["upload"]
    again = upload_page(upload=upload_id)
    button(again, "Kassér eud\\.csv").click().run()
    assert not again.exception
    assert messages(again, "success") == ["eud.csv er kasseret. Intet er gemt fra den."]
    assert "upload" not in again.query_params and not again.metric
    assert waiting(isolated_db, upload_id) is None

    at.file_uploader[0].set_value(("ny.csv", GOOD.encode("cp1252"), "text/csv")).run()
    second = at.query_params["upload"]
    assert second != upload_id and waiting(isolated_db, second) is not None
    at.file_uploader[0].set_value(None).run()  # the uploader's ×
    assert not at.exception and "upload" not in at.query_params
    assert waiting(isolated_db, second) is None


def test_a_replaced_file_drops_the_first_and_a_malformed_id_is_ignored(isolated_db, analyst):
    at = upload_page()
    at.file_uploader[0].set_value(("a.csv", GOOD.encode("cp1252"), "text/csv")).run()
    first = at.query_params["upload"]
    at.file_uploader[0].set_value(("b.csv", BAD.encode("cp1252"), "text/csv")).run()  # rejected, but kept too
    second = at.query_params["upload"]
    assert first != second and waiting(isolated_db, first) is None
    again = upload_page(upload=second)  # the validation report comes back with the file
    assert messages(again, "error")[0].startswith("Filen er afvist, og intet er gemt: 1 problem")
    assert "Mente du 'eud_share'?" in table_text(again)

    odd = upload_page(lang="en", upload="../x?[a](b)")
    assert not odd.exception and not odd.warning and not odd.error and not odd.metric
    assert "upload" not in odd.query_params and odd.query_params["lang"] == "en"


def test_the_restored_file_name_is_not_markdown(isolated_db, analyst):
    name = "[click](https://example.org) $x$.csv"
    with open_store(isolated_db, seed=seed) as store:
        upload_id = store.stash_upload("ana", name, b"target_id,year,value\neud_share,2024,13.9\n")
    at = upload_page(lang="en", upload=upload_id)
    assert not at.exception
    assert "\\[click\\]\\(https\u2060\\://example\\.org\\) \\$x\\$\\.csv" in at.info[0].value
    assert "\\[click\\]" in button(at, "Confirm").label
