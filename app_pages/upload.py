"""Upload page: an analyst imports measurements from a file, reads what is wrong or what will change,
confirms, and can undo any batch.

Thin on purpose: every check, the preview, the commit and the undo are ``metrics.ingest`` (the same
engine as ``python -m metrics import``); the role check lives in ``metrics`` too (``Store.write``),
the page only hides the controls and says why.

A previewed file waits in the database, not only in this process (``metrics.ingest.pending``):
its id is in the URL (``?upload=<id>``), so a reload, or the next request reaching another
dashboard process, shows the same preview to the same user, who confirms or discards it there.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from metrics import export, html_table, i18n, ingest
from metrics.ingest import pending, report
from metrics.model import MalsporError, PermissionDenied, ValidationError
from app_pages._auth import current_actor, display_name
from app_pages._shared import as_of, get_store, html, lang, md, tr  # md: file and user names inert in Markdown

LOG = logging.getLogger(__name__)
FLASH = "upload_flash"
PREVIEW = "upload_preview"
GENERATION = "upload_generation"
KEPT = "upload_kept"  # the pending.Kept this session works on
SHEET = "upload_sheet"  # (upload id, sheet) last chosen: a page switch drops the URL's ?sheet= and the widget

store = get_store()
language = lang()
L = i18n.Lang.of(language)
actor = current_actor(store)
allowed = ingest.may_import(actor)


def error_text(exc: BaseException) -> str:
    """A refusal in the user's language (every MalsporError carries a message code; a ValidationError
    gives one problem a line)."""
    if isinstance(exc, PermissionDenied):
        return tr("upload.permission", role=tr(f"role.{actor.role}"))
    return exc.render(language)


def safely(render: Callable[[], None]) -> None:
    """Run a part of the page; a refusal becomes ``st.error``, never a traceback."""
    try:
        render()
    except MalsporError as exc:
        st.error(md(error_text(exc)))
    except Exception:  # noqa: BLE001 - the page must not show a traceback, whatever happens
        LOG.exception("upload page failed")
        st.error(tr("upload.unexpected"))


def number(value: Any) -> str:
    """A value as imported (13.25 stays 13,25), in the reader's number format."""
    if value is None or pd.isna(value):
        return "–"
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return i18n.fmt_number(value, language, decimals=decimals)


def act(action: Callable[[], str]) -> None:
    """Run a button's action in its callback (before the page is drawn again) and keep its outcome.

    In a callback, a click always reaches the batch or file the button was drawn for, even when
    another session changed the list meanwhile; a refusal is kept as the message to show.
    """
    try:
        st.session_state[FLASH] = ("success", action())
    except MalsporError as exc:
        st.session_state[FLASH] = ("error", error_text(exc))
    except Exception:  # noqa: BLE001 - never a traceback
        LOG.exception("upload action failed")
        st.session_state[FLASH] = ("error", tr("upload.unexpected"))
    st.session_state.pop(PREVIEW, None)


def show_flash() -> None:
    flash = st.session_state.pop(FLASH, None)
    if flash:
        kind, text = flash
        (st.success if kind == "success" else st.error)(md(text))


# ---------------------------------------------------------------------- templates
def render_templates() -> None:
    with st.expander(tr("upload.templates")):
        st.write(tr("upload.columns_help"))
        left, right = st.columns(2)
        left.download_button(tr("upload.template_da"), ingest.template_csv(store, "da"),
                             file_name="maalspor_skabelon.csv", mime="text/csv", on_click="ignore")
        right.download_button(tr("upload.template_en"), ingest.template_csv(store, "en"),
                              file_name="malspor_template.csv", mime="text/csv", on_click="ignore")
        st.caption(tr("upload.known_targets"))
        reference = ingest.target_reference(store, language)
        st.dataframe(reference.rename(columns={
            "target_id": tr("ucol.target_id"), "name": tr("col.target"), "unit": tr("ucol.unit"),
            "geography": tr("col.geography"), "bounds": tr("ucol.bounds"),
        }), hide_index=True, width="stretch")


# ---------------------------------------------------------------------- upload, report, preview, confirm
def preview(data: bytes, name: str, sheet: str | None) -> ingest.ImportResult | ValidationError:
    """The dry run of an upload, kept for this session until the file, sheet, year or data change."""
    key = (hashlib.sha256(data).hexdigest(), name, sheet, as_of(), ingest.data_version(store))
    cached = st.session_state.get(PREVIEW)
    if cached and cached[0] == key:
        return cached[1]
    try:
        outcome: ingest.ImportResult | ValidationError = ingest.import_observations(
            store, data, actor, dry_run=True, file_name=name, sheet=sheet, as_of=as_of())
    except ValidationError as exc:
        # Kept without its traceback: the traceback holds this call's frame, and so the uploaded bytes
        # (up to the size limit), for as long as the session keeps the rejection.
        outcome = exc.with_traceback(None)
    st.session_state[PREVIEW] = (key, outcome)
    return outcome


def render_rejection(exc: ValidationError, name: str) -> None:
    st.error(tr("upload.rejected", problems=L.count(report.problem_count(exc.problems), "problem")))
    st.subheader(tr("upload.report"))
    # A real table: what to do wraps in its cell (Streamlit's grid cut it off at the column's edge).
    html(html_table.TABLE_CSS + report.problems_html(exc.problems, language, label=tr("upload.report")))
    buffer = io.StringIO()
    export.neutralise_frame(report.problem_frame(exc.problems, language)).to_csv(buffer, index=False, sep=";" if language == "da" else ",")  # inert in Excel
    st.download_button(tr("upload.report_download"), ("\ufeff" + buffer.getvalue()).encode("utf-8"),
                       file_name=f"{name}.rapport.csv" if language == "da" else f"{name}.report.csv",
                       mime="text/csv", on_click="ignore")


def render_changes(result: ingest.ImportResult) -> None:
    """Every row the import writes (the first ingest.PREVIEW_CHANGES), as read and, for a revision, the old value.

    The new value is in the reader's number format, beside the cell as the file holds it: an
    analyst sees that "17.612" was read as seventeen thousand and not as 17,6 before confirming.
    """
    changes = result.changes
    if changes.empty:
        return
    st.caption(tr("upload.changes", n=i18n.fmt_number(len(changes), language)))
    replaced = report.replaced_note(changes, language)  # before the grid, whose last column may be out of view
    if replaced:
        st.warning(md(replaced), icon=":material/edit_note:")
    cells = changes["cell"] if "cell" in changes.columns else pd.Series([None] * len(changes))
    st.dataframe(pd.DataFrame({
        tr("ucol.row"): changes["row"].astype(str),
        tr("upload.col_action"): [tr(f"upload.action.{a}") for a in changes["action"]],
        tr("ucol.target_id"): changes["target_id"], tr("col.geography"): changes["geography"],
        tr("col.year"): changes["year"].astype(str),
        tr("upload.col_old"): [number(v) for v in changes["old_value"]],
        tr("upload.col_new"): [number(v) for v in changes["new_value"]],
        tr("upload.col_cell"): ["" if c is None or pd.isna(c) else str(c) for c in cells],
        tr("upload.col_replaced"): [report.replaced_text(r, language) for r in changes["replaced"]]
        if "replaced" in changes.columns else [""] * len(changes),
    }), hide_index=True, width="stretch")
    if result.more_changes:
        st.caption(tr("upload.changes_more", n=i18n.fmt_number(result.more_changes, language)))



def render_preview(result: ingest.ImportResult, data: bytes, name: str, sheet: str | None) -> None:
    plan = result.plan
    st.subheader(tr("upload.preview"))
    with st.container(border=True):
        st.caption(tr("upload.read_as"))
        for note in plan.notes:
            st.text(note.text(language))
    counts = plan.counts
    cols = st.columns(4)
    for col, key in zip(cols, ("added", "revised", "unchanged", "skipped")):
        col.metric(tr(f"upload.{key}"), i18n.fmt_number(counts[key], language))
    render_changes(result)
    status = result.status if result.status is not None else pd.DataFrame()
    if status.empty:
        st.caption(tr("upload.no_status_changes", year=result.as_of))
    else:
        st.caption(tr("upload.status_changes", year=result.as_of))
        names = status["name_da"] if language == "da" else status["name_en"]
        st.dataframe(pd.DataFrame({
            tr("col.target"): names, tr("col.geography"): status["geography"],
            tr("ucol.before"): [i18n.status_label(s, language) if s else tr("upload.new_geography")
                                for s in status["status_before"]],
            tr("ucol.after"): [i18n.status_label(s, language) for s in status["status_after"]],
        }), hide_index=True, width="stretch")
    if plan.skipped:
        with st.expander(f"{tr('upload.warnings')} ({i18n.fmt_number(counts['skipped'], language)})"):
            html(html_table.TABLE_CSS + report.problems_html(plan.skipped, language, label=tr("upload.warnings")))
    if not plan.changes_anything:
        st.info(md(tr("upload.nothing_to_change", file=name)))
        return
    st.button(md(tr("upload.confirm", file=name)), type="primary", on_click=act,
              args=(lambda: confirm(data, name, sheet, plan.fingerprint()),))


def confirm(data: bytes, name: str, sheet: str | None, fingerprint: str) -> str:
    """Commit the previewed file, only if the data still are as previewed; then it waits no more."""
    done = ingest.import_observations(store, data, actor, file_name=name, sheet=sheet, as_of=as_of(),
                                      expect=fingerprint)
    forget_upload()
    if done.batch_id is None:
        return tr("upload.nothing_to_change", file=name)
    return tr("upload.imported", file=name, batch=done.batch_id, **done.plan.counts)


def forget_upload(*, empty_uploader: bool = True) -> None:
    """Drop the waiting upload (this user's only) from the database, the session and the URL, and
    empty the uploader (a new widget key) unless the analyst has just emptied it."""
    kept = st.session_state.pop(KEPT, None)
    for upload_id in {kept.upload_id if kept else None, st.query_params.get(pending.PARAM)}:
        pending.discard(store, actor, upload_id)
    st.query_params.pop(pending.PARAM, None)
    st.query_params.pop(pending.SHEET_PARAM, None)
    st.session_state.pop(SHEET, None)
    if empty_uploader:
        st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1


def discard(name: str) -> str:
    forget_upload()
    return tr("upload.discarded", file=name)


def removed(name: str) -> str:
    """The file was taken out of the uploader: forget it, leaving the (already empty) uploader be."""
    forget_upload(empty_uploader=False)
    return tr("upload.discarded", file=name)


def uploader_key() -> str:
    return f"upload_file_{st.session_state.get(GENERATION, 0)}"


def uploader_changed() -> None:
    """The analyst took the file out of the uploader (its ×): the waiting upload goes with it.

    The uploader keeps its key: replacing a file empties it for a moment, and a new key then
    would lose the file that is arriving.
    """
    kept = st.session_state.get(KEPT)
    if st.session_state.get(uploader_key()) is None and kept is not None:
        act(lambda: removed(kept.name))


def show_resolved(resolved: pending.Resolved) -> None:
    """Keep what :func:`pending.resolve` decided: the session's upload and the URL's id."""
    if resolved.kept is None:
        st.session_state.pop(KEPT, None)
    else:
        st.session_state[KEPT] = resolved.kept
    if resolved.url_id is None:
        st.query_params.pop(pending.PARAM, None)
    elif st.query_params.get(pending.PARAM) != resolved.url_id:
        st.query_params[pending.PARAM] = resolved.url_id
    if resolved.notice is not None:
        st.warning(md(error_text(resolved.notice)))


def choose_sheet(sheets: list[str], upload_id: str | None) -> str:
    """The workbook's sheet to preview, as chosen before a reload, a page switch or another process."""
    kept = st.session_state.get(SHEET)
    index = pending.sheet_index(sheets, st.query_params.get(pending.SHEET_PARAM),
                                kept[1] if kept and kept[0] == upload_id else None)
    sheet = st.selectbox(tr("upload.sheet"), sheets, index=index, key=f"upload_sheet_{upload_id}")
    st.session_state[SHEET] = (upload_id, sheet)
    if st.query_params.get(pending.SHEET_PARAM) != sheet:
        st.query_params[pending.SHEET_PARAM] = sheet
    return sheet


def render_upload() -> None:
    limit = i18n.fmt_number(ingest.max_upload_bytes() / 2**20, language)
    uploaded = st.file_uploader(tr("upload.file", limit=limit), type=["csv", "txt", "tsv", "xlsx", "xls"],
                                key=uploader_key(), on_change=uploader_changed)
    resolved = pending.resolve(store, actor, uploaded=None if uploaded is None else (uploaded.name, uploaded.getvalue()),
                               url_id=st.query_params.get(pending.PARAM), kept=st.session_state.get(KEPT))
    show_resolved(resolved)
    if resolved.upload is None:
        st.query_params.pop(pending.SHEET_PARAM, None)
        return
    data, name = resolved.upload.data, resolved.upload.name
    if resolved.upload.restored:
        st.info(md(tr("upload.restored", file=name)))
    sheets = ingest.list_sheets(data)
    sheet = choose_sheet(sheets, resolved.upload.upload_id) if len(sheets) > 1 else None
    if sheet is None:
        st.query_params.pop(pending.SHEET_PARAM, None)
    outcome = preview(data, name, sheet)
    if isinstance(outcome, ValidationError):
        render_rejection(outcome, name)
    else:
        render_preview(outcome, data, name, sheet)
    st.button(md(tr("upload.discard", file=name)), key="upload_discard", on_click=act, args=(lambda: discard(name),))


# ---------------------------------------------------------------------- batches and undo
def render_batches() -> None:
    st.subheader(tr("upload.batches"))
    batches = store.batches()
    if batches.empty:
        st.caption(tr("upload.no_batches"))
        return
    st.dataframe(pd.DataFrame({
        tr("ucol.batch"): batches["batch_id"].astype(str),
        tr("ucol.time"): batches["created_at"].dt.strftime("%Y-%m-%d %H:%M"),
        tr("ucol.user"): batches["user_name"], tr("ucol.file"): batches["file_name"],
        tr("ucol.added"): batches["n_added"], tr("ucol.revised"): batches["n_revised"],
        tr("ucol.unchanged"): batches["n_unchanged"], tr("ucol.skipped"): batches["n_skipped"],
        tr("ucol.state"): [tr(f"upload.state.{s}") for s in batches["state"]],
        "sha256": batches["sha256"],
    }), hide_index=True, width="stretch")
    if not allowed:
        return
    render_undo(has_seed=bool(batches["user_name"].map(ingest.is_seed_batch).any()))


UNDO_CHOICE = "upload_undo_choice"


def render_undo(*, has_seed: bool) -> None:
    """Undo in two steps: choose a batch (none is chosen for you, the seed is never offered), read what the
    undo will do (counted from the data before anything is written), then confirm."""
    undoable = ingest.undoable_batches(store)
    if undoable.empty:
        st.caption(tr("upload.no_undoable"))
        return
    labels = {int(r.batch_id): f"{r.batch_id}: {r.file_name} ({r.created_at:%Y-%m-%d %H:%M}, {r.user_name})"
              for r in undoable.itertuples()}
    if st.session_state.get(UNDO_CHOICE) not in labels:  # undone meanwhile, or never chosen
        st.session_state.pop(UNDO_CHOICE, None)
    chosen = st.selectbox(tr("upload.undo_choose"), list(labels), index=None, key=UNDO_CHOICE,
                          format_func=labels.get, placeholder=tr("upload.undo_placeholder"))
    if has_seed:
        st.caption(tr("upload.undo_seed_hint"))
    if chosen is None:
        return
    preview = ingest.undo_preview(store, int(chosen))  # a refusal (blocked by a later batch) is shown by safely()
    with st.container(border=True):
        st.warning(md(tr("upload.undo_confirm_text", batch=chosen, file=preview["file"],
                         removed=L.count(preview["removed"], "value"),
                         restored=L.count(preview["restored"], "earlier_value"))))
        st.button(tr("upload.undo", batch=chosen), key=f"undo_{chosen}", type="primary", on_click=act,
                  args=(lambda: undo(chosen),))


def undo(batch_id: int) -> str:
    counts = ingest.undo_batch(store, int(batch_id), actor)
    st.session_state[UNDO_CHOICE] = None  # the next undo is chosen afresh
    return tr("upload.undone", batch=batch_id, removed=L.count(counts["removed"], "value"),
              restored=L.count(counts["restored"], "earlier_value"))


# ---------------------------------------------------------------------- the page
st.title(tr("upload.title"))
st.write(tr("upload.intro"))
if allowed:
    st.caption(md(tr("upload.role_analyst", user=display_name(actor, tr), role=tr(f"role.{actor.role}"))))
else:
    st.info(md(tr("upload.role_viewer", user=display_name(actor, tr), role=tr(f"role.{actor.role}"))))
show_flash()
safely(render_templates)
if allowed:
    safely(render_upload)
elif st.query_params.get(pending.PARAM):  # kept in the URL: after signing in, the upload is shown
    st.info(tr("upload.link_needs_sign_in"))
safely(render_batches)
