"""Which upload the Upload page is working on: the file in its uploader, or one waiting in the database.

An analyst's previewed upload must survive a reload, and with PostgreSQL and several dashboard
processes, the next request of the same browser may reach another process. So the page keeps
the file's bytes in the store (``Store.stash_upload``, table ``pending_uploads``, owner only,
24 hours) and only its id in the URL (``?upload=<id>``). :func:`resolve` decides, once per
rerun, which file is previewed and what the URL and the session should say afterwards; the page
only reads the uploader and the URL, and writes back what this returns.

The rules, in order:

* a file in the uploader wins. It is stashed once under the current user (the same file again
  on the next rerun reuses its id); a different file replaces the session's earlier one, whose
  stash is dropped;
* no file in the uploader, but an id (in the URL, or the one this session was working on when
  the URL lost it on a page switch): the stash is read for the *current* user, as the account is
  now. Found, it is previewed as if just uploaded (``restored``); unknown, another user's or
  expired, :func:`resolve` says so with the coded message ``upload_gone`` and the page is empty;
  a malformed id is ignored quietly;
* a user who may not import neither stashes nor reads a stash.

A workbook's chosen sheet travels the same way: in the URL (``?sheet=<name>``) for a reload or
another process, and in the session for a page switch (which drops the URL's parameters);
:func:`sheet_index` picks the one to preview, and a name the workbook does not have is ignored.

Nothing here imports streamlit: the session's memory is the plain :class:`Kept` value.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from metrics.ingest.limits import max_upload_bytes, may_import
from metrics.model import Actor, MalsporError
from metrics.store import UPLOAD_ID_RE, Store

LOG = logging.getLogger(__name__)

#: The query parameter that carries a waiting upload's id.
PARAM = "upload"
#: The query parameter that carries the sheet chosen in a waiting workbook.
SHEET_PARAM = "sheet"


@dataclass(frozen=True)
class Kept:
    """What a session remembers of the upload it is working on (its session state)."""

    upload_id: str
    owner: str
    name: str
    sha256: str


@dataclass(frozen=True)
class Upload:
    """The file to preview: its name and bytes, the id of its stash (None if it could not be
    stashed) and whether it was read back from the database rather than this run's uploader."""

    name: str
    data: bytes
    upload_id: str | None
    restored: bool


@dataclass(frozen=True)
class Resolved:
    """The outcome of one rerun: what to preview, what the session keeps, what the URL's
    ``upload`` parameter says (None: no parameter) and a message to show (``upload_gone``)."""

    upload: Upload | None
    kept: Kept | None
    url_id: str | None
    notice: MalsporError | None = None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _same_owner(kept: Kept | None, actor: Actor) -> Kept | None:
    """The session's upload, unless someone else has signed in in this tab since."""
    return kept if kept is not None and kept.owner.casefold() == actor.name.casefold() else None


def resolve(store: Store, actor: Actor, *, uploaded: tuple[str, bytes] | None, url_id: str | None,
            kept: Kept | None) -> Resolved:
    """The upload this rerun previews, given the uploader's file (name, bytes), the URL's id and
    what the session kept; stashes a newly uploaded file and drops the one it replaces."""
    if not may_import(actor):
        return Resolved(None, None, url_id)
    kept = _same_owner(kept, actor)
    if uploaded is not None:
        return _from_uploader(store, actor, uploaded, kept)
    if url_id and not UPLOAD_ID_RE.fullmatch(url_id):
        url_id = None  # not an id Målspor makes: ignored, unasked
    wanted = url_id or (kept.upload_id if kept else None)
    if not wanted:
        return Resolved(None, None, None)
    found = store.stashed_upload(wanted, actor.name)
    if found is None:
        return Resolved(None, None, None, MalsporError("upload_gone"))
    name, data = found
    return Resolved(Upload(name, data, wanted, restored=True), Kept(wanted, actor.name, name, _sha(data)), wanted)


def _from_uploader(store: Store, actor: Actor, uploaded: tuple[str, bytes], kept: Kept | None) -> Resolved:
    name, data = uploaded
    sha = _sha(data)
    if kept is not None and (kept.name, kept.sha256) == (name, sha):
        return Resolved(Upload(name, data, kept.upload_id, restored=False), kept, kept.upload_id)
    if kept is not None:  # another file replaces the one this session was working on
        store.drop_upload(kept.upload_id)
    if len(data) > max_upload_bytes():  # refused by the preview anyway; never kept in the database
        return Resolved(Upload(name, data, None, restored=False), None, None)
    try:
        upload_id = store.stash_upload(actor.name, name, data)
    except MalsporError:  # a read-only store: the preview still works, only a reload loses it
        LOG.warning("upload %s could not be kept for a reload", name, exc_info=True)
        return Resolved(Upload(name, data, None, restored=False), None, None)
    return Resolved(Upload(name, data, upload_id, restored=False), Kept(upload_id, actor.name, name, sha), upload_id)


def sheet_index(sheets: list[str], *asked: str | None) -> int:
    """Which of a workbook's ``sheets`` to preview: the first of ``asked`` (the URL's, then the
    session's) that the workbook has, else the first sheet (the one Excel opens on).

    >>> sheet_index(["Noter", "Data"], None, "Data")
    1
    >>> sheet_index(["Noter", "Data"], "<script>", None)
    0
    """
    for name in asked:
        if name is not None and name in sheets:
            return sheets.index(name)
    return 0


def discard(store: Store, actor: Actor, upload_id: str | None) -> None:
    """Drop ``actor``'s waiting upload ``upload_id`` (confirmed, discarded, or its file removed from
    the uploader); another user's, an unknown or a malformed id is left alone."""
    if not upload_id or not UPLOAD_ID_RE.fullmatch(upload_id):
        return
    if store.stashed_upload(upload_id, actor.name) is not None:
        store.drop_upload(upload_id)
