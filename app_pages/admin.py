"""Administration: who has which role, local accounts, and the audit trail of every change."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import streamlit as st

from metrics import audit, auth, export
from metrics.model import ROLES, MalsporError
from app_pages._auth import current_actor, oidc_configured
from app_pages._shared import get_store, lang, md, tr

store = get_store()
actor = current_actor(store)
st.title(tr("admin.title"))

if not actor.may("manage_users"):
    st.info(tr("admin.only_admins", role=tr(f"role.{actor.role}")))
    st.stop()


def role_label(role: str) -> str:
    return tr(f"role.{role}")


def attempt(action, success: str) -> None:  # noqa: ANN001 - a zero-argument callable
    """Run a change and say how it went, in words."""
    try:
        action()
        st.session_state["admin_message"] = success
        st.rerun()
    except MalsporError as exc:
        st.error(md(exc.render(lang())))


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
            who = c1.selectbox(tr("auth.user_name"), users["user_name"].tolist())
            new_role = c2.selectbox(tr("admin.role"), ROLES, format_func=role_label)
            new_password = c3.text_input(tr("admin.new_password"), type="password", help=tr("admin.password_help"))
            b1, b2, b3 = st.columns(3)
            if b1.form_submit_button(tr("admin.set_role")):
                attempt(lambda: auth.set_local_role(store, actor, who, new_role), tr("admin.saved"))
            if b2.form_submit_button(tr("admin.set_password")):
                attempt(lambda: auth.set_local_password(store, actor, who, new_password), tr("admin.saved"))
            if b3.form_submit_button(tr("admin.remove_user")):
                attempt(lambda: auth.remove_local_user(store, actor, who), tr("admin.saved"))

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
        mapped_role = c2.selectbox(tr("admin.role"), ROLES, format_func=role_label)
        b1, b2 = st.columns(2)
        if b1.form_submit_button(tr("admin.set_mapping")):
            attempt(lambda: auth.set_role_mapping(store, actor, pattern, mapped_role), tr("admin.saved"))
        if b2.form_submit_button(tr("admin.remove_mapping")):
            attempt(lambda: auth.remove_role_mapping(store, actor, pattern.strip().lower()), tr("admin.saved"))

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
