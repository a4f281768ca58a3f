"""Sign-in for the dashboard: OpenID Connect when configured, else local accounts.

Not a page. ``current_actor()`` tells every page who is asking; the role check itself
lives in ``metrics`` (``Store.write``), pages only hide what a role may not do and say why.
"""

from __future__ import annotations

import streamlit as st

from metrics import auth
from metrics.model import Actor, MalsporError
from metrics.store import Store
from app_pages._shared import md

ANONYMOUS = "anonym"
_LOCAL_KEY = "local_actor"


def oidc_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section (``st.login`` is then used)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, MalsporError):
        return False
    except Exception:  # noqa: BLE001 - Streamlit raises its own error when there is no secrets file
        return False


def current_actor(store: Store) -> Actor:
    """Who is using the dashboard now; a viewer until signed in."""
    if oidc_configured():
        user = st.user
        if user.get("is_logged_in"):
            email = str(user.get("email") or "")
            return Actor(email or ANONYMOUS, auth.role_for_email(store, email), via="dashboard")
        return Actor(ANONYMOUS, "viewer", via="dashboard")
    actor = st.session_state.get(_LOCAL_KEY)
    return actor if isinstance(actor, Actor) else Actor(ANONYMOUS, "viewer", via="dashboard")


def sign_in_panel(store: Store, tr) -> None:  # noqa: ANN001 - tr is the page's translate function
    """The sidebar's sign-in and sign-out controls."""
    actor = current_actor(store)
    if oidc_configured():
        if st.user.get("is_logged_in"):
            st.caption(tr("auth.signed_in_as", user=md(actor.name), role=tr(f"role.{actor.role}")))
            st.button(tr("auth.sign_out"), on_click=st.logout, key="auth_sign_out")
        else:
            st.caption(tr("auth.reading_only"))
            st.button(tr("auth.sign_in_oidc"), on_click=st.login, key="auth_sign_in")
        return
    if actor.name != ANONYMOUS:
        st.caption(tr("auth.signed_in_as", user=md(actor.name), role=tr(f"role.{actor.role}")))
        st.button(tr("auth.sign_out"), key="auth_sign_out",
                  on_click=lambda: st.session_state.pop(_LOCAL_KEY, None))
        return
    st.markdown(f"**{tr('auth.sign_in_local')}**")
    with st.form("local_sign_in", clear_on_submit=True, border=False):
        name = st.text_input(tr("auth.user_name"), autocomplete="username")
        password = st.text_input(tr("auth.password"), type="password", autocomplete="current-password")
        submitted = st.form_submit_button(tr("auth.sign_in"))
    if submitted:
        try:
            st.session_state[_LOCAL_KEY] = auth.sign_in_local(store, name.strip(), password)
            st.rerun()
        except auth.SignInFailed as exc:
            until = f"{exc.until:%H:%M}" if exc.until else ""
            st.error(tr(f"auth.failed_{exc.code}", until=until, n=auth.MAX_FAILED, minutes=auth.LOCK_MINUTES))
    st.caption(tr("auth.local_help"))
