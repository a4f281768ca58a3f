"""Which upload the Upload page works on (metrics.ingest.pending): the uploader's file, kept in the
database under its owner, or the one a link names, read back for the same user only."""

from __future__ import annotations

import pytest

from metrics.ingest import pending
from metrics.model import Actor
from tests.conftest import ANALYST, VIEWER, tamper

DATA = b"target_id;year;value\neud_share;2024;13,9\n"
OTHER = b"target_id;year;value\neud_share;2024;14,1\n"


def fresh(store, uploaded=None, url_id=None, kept=None, actor=ANALYST) -> pending.Resolved:
    return pending.resolve(store, actor, uploaded=uploaded, url_id=url_id, kept=kept)


def test_an_uploaded_file_is_kept_under_its_owner_and_found_again_by_a_new_session(store):
    first = fresh(store, uploaded=("tal.csv", DATA))
    upload_id = first.url_id
    assert first.upload == pending.Upload("tal.csv", DATA, upload_id, restored=False)
    assert first.kept.upload_id == upload_id and first.kept.owner == "ana" and first.notice is None
    assert store.stashed_upload(upload_id, "ana") == ("tal.csv", DATA)

    again = fresh(store, uploaded=("tal.csv", DATA), url_id=upload_id, kept=first.kept)  # the next rerun
    assert again.url_id == upload_id and again.kept == first.kept  # no second copy

    elsewhere = fresh(store, url_id=upload_id)  # a reload, another replica: nothing in the uploader
    assert elsewhere.upload == pending.Upload("tal.csv", DATA, upload_id, restored=True)
    assert elsewhere.url_id == upload_id and elsewhere.kept.upload_id == upload_id


def test_another_file_replaces_the_first_whose_copy_is_dropped(store):
    first = fresh(store, uploaded=("a.csv", DATA))
    second = fresh(store, uploaded=("b.csv", OTHER), url_id=first.url_id, kept=first.kept)
    assert second.url_id != first.url_id and second.upload.data == OTHER
    assert store.stashed_upload(first.url_id, "ana") is None
    assert store.stashed_upload(second.url_id, "ana") == ("b.csv", OTHER)


def test_the_session_finds_its_upload_when_the_url_lost_the_id(store):
    """A page switch drops the query string; coming back, the session's own upload is shown again."""
    first = fresh(store, uploaded=("a.csv", DATA))
    back = fresh(store, kept=first.kept)
    assert back.upload.restored and back.upload.data == DATA and back.url_id == first.url_id


def test_another_user_an_unknown_and_an_expired_id_are_gone_and_a_malformed_one_is_ignored(store):
    upload_id = fresh(store, uploaded=("a.csv", DATA)).url_id
    for actor in (Actor("bo", "analyst"), Actor("tester", "admin")):
        other = fresh(store, url_id=upload_id, actor=actor)
        assert other.upload is None and other.url_id is None and other.notice.code == "upload_gone"
    assert "Upload filen igen." in other.notice.render("da")
    assert store.stashed_upload(upload_id, "ana") == ("a.csv", DATA)  # still there for its owner

    assert fresh(store, url_id="0" * 32).notice.code == "upload_gone"
    for bad in ("../../etc/passwd", "'; DROP TABLE pending_uploads; --", "A" * 32, ""):
        quiet = fresh(store, url_id=bad)
        assert (quiet.upload, quiet.url_id, quiet.notice) == (None, None, None)

    tamper(store, "UPDATE pending_uploads SET created_at = created_at - INTERVAL '25 hours'")
    assert fresh(store, url_id=upload_id).notice.code == "upload_gone"


def test_the_owner_is_the_account_as_it_is_now(store):
    first = fresh(store, uploaded=("a.csv", DATA))
    demoted = fresh(store, url_id=first.url_id, kept=first.kept, actor=Actor("ana", "viewer"))
    assert demoted.upload is None and demoted.kept is None and demoted.url_id == first.url_id  # left for a sign-in
    assert fresh(store, uploaded=("a.csv", DATA), actor=VIEWER).upload is None  # a viewer keeps nothing
    someone_else = fresh(store, kept=first.kept, actor=Actor("bo", "analyst"))  # another sign-in in the same tab
    assert someone_else.upload is None and someone_else.kept is None and someone_else.notice is None


def test_discard_drops_only_the_owners_upload(store):
    upload_id = fresh(store, uploaded=("a.csv", DATA)).url_id
    pending.discard(store, Actor("bo", "analyst"), upload_id)
    assert store.stashed_upload(upload_id, "ana") is not None
    for harmless in (None, "", "nope", "0" * 32):
        pending.discard(store, ANALYST, harmless)
    pending.discard(store, ANALYST, upload_id)
    assert store.stashed_upload(upload_id, "ana") is None


def test_a_file_over_the_size_limit_is_previewed_but_never_kept(store, monkeypatch):
    monkeypatch.setenv("MALSPOR_MAX_UPLOAD_MB", "0.00001")
    big = fresh(store, uploaded=("big.csv", DATA * 10))
    assert big.upload.data == DATA * 10 and big.upload.upload_id is None and big.url_id is None and big.kept is None


@pytest.mark.duckdb_only
def test_a_read_only_store_previews_without_keeping(isolated_db):
    from metrics.database import open_store
    from metrics.seed import seed

    open_store(isolated_db, seed=seed).close()
    with open_store(isolated_db, read_only=True) as reader:
        shown = fresh(reader, uploaded=("a.csv", DATA))
    assert shown.upload.data == DATA and shown.upload.upload_id is None and shown.url_id is None


def test_the_sheet_to_preview_is_the_one_asked_for_if_the_workbook_has_it():
    sheets = ["Noter", "Data 2025"]
    assert pending.sheet_index(sheets, "Data 2025", None) == 1       # the URL's, after a reload
    assert pending.sheet_index(sheets, None, "Data 2025") == 1       # the session's, after a page switch
    assert pending.sheet_index(sheets, "Noter", "Data 2025") == 0    # the URL says what the link was copied with
    assert pending.sheet_index(sheets, "Slettet ark", "Data 2025") == 1  # a name the workbook lacks is passed over
    assert pending.sheet_index(sheets, "<script>", None) == 0 == pending.sheet_index(sheets)
