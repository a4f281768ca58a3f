"""Administration: who has which role, local accounts, and the audit trail of every change."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import streamlit as st

from metrics import audit, auth, export, i18n
from metrics.model import ROLES, MalsporError
from app_pages._auth import current_actor, oidc_configured
from app_pages._shared import get_store, lang, md, tr

store = get_store()
actor = current_actor(store)
st.title(tr("admin.title"))

if not actor.may("manage_users"):
    st.info(tr("admin.only_admins", role=tr(f"role.{actor.role}")))
    st.stop()


LANGUAGE = lang()  # bound once: a widget's format_func may be called after the script run


def role_label(role: str) -> str:
    return i18n.t(f"role.{role}", LANGUAGE)


def attempt(action, success: str) -> None:  # noqa: ANN001 - a zero-argument callable
    """Run a change and say how it went, in words."""
    try:
        action()
        st.session_state["admin_message"] = success
        st.rerun()
    except MalsporError as exc:
        st.error(md(exc.render(lang())))


#: A change that cannot be taken back, asked for and not yet confirmed: {"scope", "kind", ...}.
PENDING = "admin_pending"


def ask(scope: str, kind: str, **params: str) -> None:
    """Keep a requested change until it is confirmed; nothing is written by the request itself."""
    st.session_state[PENDING] = {"scope": scope, "kind": kind, **params}


def pending_text(pending: dict) -> str:
    """What the pending change will do, in words, with the names as written (no Markdown)."""
    kind = pending["kind"]
    if kind == "role":
        text = tr("admin.confirm_role", user=pending["user"], role=role_label(pending["role"]))
        if pending["user"] == actor.name and pending["role"] != "admin":
            text += " " + tr("admin.confirm_self")
    elif kind == "remove":
        text = tr("admin.confirm_remove", user=pending["user"])
        if pending["user"] == actor.name:
            text += " " + tr("admin.confirm_self")
    elif kind == "set_mapping":
        text = tr("admin.confirm_set_mapping", pattern=pending["pattern"], role=role_label(pending["role"]))
    else:
        text = tr("admin.confirm_remove_mapping", pattern=pending["pattern"])
    return text + " " + tr("admin.confirm_nothing_yet")


def pending_action(pending: dict):  # noqa: ANN201 - a zero-argument callable
    kind = pending["kind"]
    if kind == "role":
        return lambda: auth.set_local_role(store, actor, pending["user"], pending["role"])
    if kind == "remove":
        return lambda: auth.remove_local_user(store, actor, pending["user"])
    if kind == "set_mapping":
        return lambda: auth.set_role_mapping(store, actor, pending["pattern"], pending["role"])
    return lambda: auth.remove_role_mapping(store, actor, pending["pattern"])


def render_pending(scope: str) -> None:
    """The confirmation of a pending change in ``scope``: what will happen, then confirm or cancel."""
    pending = st.session_state.get(PENDING)
    if not pending or pending.get("scope") != scope:
        return
    with st.container(border=True):
        st.warning(md(pending_text(pending)))
        c1, c2 = st.columns(2)
        if c1.button(tr("admin.confirm"), type="primary", key=f"admin_confirm_{scope}"):
            st.session_state.pop(PENDING, None)
            attempt(pending_action(pending), tr("admin.saved"))
        if c2.button(tr("admin.cancel"), key=f"admin_cancel_{scope}"):
            st.session_state.pop(PENDING, None)
            st.rerun()


if message := st.session_state.pop("admin_message", None):
    st.success(md(message))

users_tab, mapping_tab, audit_tab = st.tabs([tr("admin.local_users"), tr("admin.mappings"), tr("admin.audit")])

with users_tab:
    st.caption(tr("admin.local_help"))
    users = auth.local_users(store)
    if users.empty:
        st.caption(tr("admin.no_users"))
    else:
        st.dataframe(pd.DataFrame({
            tr("auth.user_name"): users["user_name"], tr("admin.role"): users["role"].map(role_label),
            tr("admin.failed"): users["failed_attempts"],
            tr("admin.locked_until"): users["locked_until"].astype(str).where(users["locked_until"].notna(), "–"),
        }), hide_index=True, width="stretch")
    with st.form("add_user", clear_on_submit=True):
        st.markdown(f"**{tr('admin.add_user')}**")
        c1, c2, c3 = st.columns(3)
        name = c1.text_input(tr("auth.user_name"))
        role = c2.selectbox(tr("admin.role"), ROLES, index=1, format_func=role_label)
        password = c3.text_input(tr("auth.password"), type="password", help=tr("admin.password_help"))
        if st.form_submit_button(tr("admin.add_user")):
            attempt(lambda: auth.add_local_user(store, actor, name.strip(), role, password),
                    tr("admin.user_added", user=name.strip()))
    if not users.empty:
        with st.form("change_user"):
            st.markdown(f"**{tr('admin.change_user')}**")
            c1, c2, c3 = st.columns(3)
            # nothing is preselected: neither an account nor a role (a default would be one click from harm)
            who = c1.selectbox(tr("auth.user_name"), users["user_name"].tolist(), index=None,
                               placeholder=tr("admin.choose_user"))
            new_role = c2.selectbox(tr("admin.role"), ROLES, index=None, format_func=role_label,
                                    placeholder=tr("admin.choose_role"))
            new_password = c3.text_input(tr("admin.new_password"), type="password", help=tr("admin.password_help"))
            b1, b2, b3 = st.columns(3)
            set_role, set_password = b1.form_submit_button(tr("admin.set_role")), b2.form_submit_button(tr("admin.set_password"))
            remove = b3.form_submit_button(tr("admin.remove_user"))
        if (set_role or set_password or remove) and who is None:
            st.error(tr("admin.choose_user_first"))
        elif set_role and new_role is None:
            st.error(tr("admin.choose_role_first"))
        elif set_role:
            ask("users", "role", user=who, role=new_role)
        elif remove:
            ask("users", "remove", user=who)
        elif set_password:
            attempt(lambda: auth.set_local_password(store, actor, who, new_password), tr("admin.saved"))
        render_pending("users")

with mapping_tab:
    st.caption(tr("admin.mappings_help") + (" " + tr("admin.oidc_off") if not oidc_configured() else ""))
    mappings = auth.role_mappings(store)
    if mappings.empty:
        st.caption(tr("admin.no_mappings"))
    else:
        st.dataframe(pd.DataFrame({
            tr("admin.pattern"): mappings["pattern"], tr("admin.role"): mappings["role"].map(role_label),
            tr("admin.updated_by"): mappings["updated_by"],
        }), hide_index=True, width="stretch")
    with st.form("set_mapping", clear_on_submit=True):
        c1, c2 = st.columns(2)
        pattern = c1.text_input(tr("admin.pattern"), placeholder="navn@regionh.dk  /  @regionh.dk")
        mapped_role = c2.selectbox(tr("admin.role"), ROLES, index=None, format_func=role_label,
                                   placeholder=tr("admin.choose_role"))
        b1, b2 = st.columns(2)
        save_mapping, remove_mapping = b1.form_submit_button(tr("admin.set_mapping")), b2.form_submit_button(tr("admin.remove_mapping"))
    if (save_mapping or remove_mapping) and not pattern.strip():
        st.error(tr("admin.choose_pattern_first"))
    elif save_mapping and mapped_role is None:
        st.error(tr("admin.choose_role_first"))
    elif save_mapping:
        ask("mappings", "set_mapping", pattern=pattern, role=mapped_role)
    elif remove_mapping:
        ask("mappings", "remove_mapping", pattern=pattern.strip().lower())
    render_pending("mappings")

with audit_tab:
    c1, c2, c3, c4 = st.columns(4)
    trail_all = audit.read(store, limit=None)
    user_filter = c1.selectbox(tr("admin.filter_user"), [None, *sorted(trail_all["user_name"].unique())],
                               format_func=lambda v: tr("explorer.all") if v is None else v)
    action_filter = c2.selectbox(tr("admin.filter_action"), [None, *sorted(trail_all["action"].unique())],
                                 format_func=lambda v: tr("explorer.all") if v is None else v)
    since = c3.date_input(tr("admin.since"), value=None, format="DD.MM.YYYY")
    until = c4.date_input(tr("admin.until"), value=None, format="DD.MM.YYYY")
    trail = audit.read(store, user=user_filter, action=action_filter, since=since, until=until, limit=None)
    st.caption(tr("admin.audit_count", n=len(trail)))
    shown = trail.head(1000).assign(changed_at=trail["changed_at"].head(1000).dt.strftime("%d.%m.%Y %H:%M:%S"))
    st.dataframe(shown.rename(columns={
        "changed_at": tr("admin.when"), "user_name": tr("auth.user_name"), "role": tr("admin.role"), "via": tr("admin.via"),
        "action": tr("admin.action"), "object_type": tr("admin.object"), "object_id": tr("admin.object_id"),
        "before": tr("admin.before"), "after": tr("admin.after"), "detail": tr("col.note"),
    }).drop(columns=["audit_id"]), hide_index=True, width="stretch")
    buffer = io.StringIO()
    export.safe_csv(trail, buffer)
    st.download_button(tr("admin.export_audit"), buffer.getvalue().encode("utf-8"),
                       file_name=f"malspor-audit-{dt.date.today():%Y%m%d}.csv", mime="text/csv",
                       icon=":material/download:")
