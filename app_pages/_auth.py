"""Sign-in for the dashboard: OpenID Connect when configured, else local accounts.

Not a page. ``current_actor()`` tells every page who is asking, read again from the database
on every rerun: a removed, demoted or locked account in an open tab has lost its rights at the
next click. The role check itself lives in ``metrics`` (``Store.write``); pages only hide what a
role may not do and say why.

A local sign-in is a server-side session (``metrics.auth.open_session``): the browser keeps
only a random token, in this tab's session state and in a cookie (``SameSite=Strict``, path
``/``, ``Secure`` over https, at most :data:`metrics.auth.SESSION_HOURS` hours), so a reload or
a new tab stays signed in. Streamlit reads cookies (``st.context.cookies``, sent with the page's
websocket) but cannot set them, so the cookie is written by a short script (``st.html`` with
JavaScript, a constant script around the token, which is URL-safe base64 and never user text).
The token never goes into the URL. Sign-out ends the session on the server and clears the cookie;
a role or password change or the account's removal ends it on the server.
"""

from __future__ import annotations

import streamlit as st

from metrics import auth
from metrics.model import Actor, MalsporError
from metrics.store import Store
from app_pages._shared import html, md

ANONYMOUS = "anonym"


def display_name(actor: Actor, tr) -> str:
    """The name to show for ``actor``: a reader who has not signed in is "anonym" / "anonymous"."""
    return tr("auth.anonymous") if actor.name == ANONYMOUS else actor.name


#: This tab's session token ("" after a sign-out in this tab, so an old cookie is not read again).
_TOKEN_KEY = "local_session"
#: Tests (AppTest) sign in by placing an Actor here; it is re-read from its account when one exists.
_LOCAL_KEY = "local_actor"
#: A cookie script to send once (after a sign-in or a sign-out).
_COOKIE_KEY = "local_session_cookie"
#: True while this tab shows the sign-in form (opened by its button; closed again by a sign-in).
_FORM_KEY = "local_sign_in_open"
COOKIE = "malspor_session"
_OIDC_KEY = "_oidc_configured"


def oidc_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section (``st.login`` is then used).

    Asked once per session (kept in its state): reading the secrets looks for their files on disk
    each time, and they do not change under a running dashboard (a change needs a restart).
    """
    known = st.session_state.get(_OIDC_KEY)
    if known is None:
        known = st.session_state[_OIDC_KEY] = _secrets_have_auth()
    return bool(known)


def _secrets_have_auth() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, MalsporError):
        return False
    except Exception:  # noqa: BLE001 - Streamlit raises its own error when there is no secrets file
        return False


def _cookie_token() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - no request context (bare script, some test runners)
        return None
    return value if isinstance(value, str) and value else None


def _viewer() -> Actor:
    return Actor(ANONYMOUS, "viewer", via="dashboard")


def current_actor(store: Store) -> Actor:
    """Who is using the dashboard now, as the account is now; a viewer until signed in."""
    if oidc_configured():
        user = st.user
        if user.get("is_logged_in"):
            email = str(user.get("email") or "")
            return Actor(email or ANONYMOUS, auth.role_for_email(store, email), via="dashboard")
        return _viewer()
    placed = st.session_state.get(_LOCAL_KEY)
    if isinstance(placed, Actor):
        if auth.is_local_account(store, placed.name):
            return auth.account_actor(store, placed.name) or _viewer()
        return placed
    token = st.session_state.get(_TOKEN_KEY)
    if token is None:  # a new tab or a reload: the cookie, if the browser has one
        token = _cookie_token()
        if token is None:
            return _viewer()
        st.session_state[_TOKEN_KEY] = token
    if not token:
        return _viewer()
    actor = auth.session_actor(store, token)
    if actor is None:  # ended, expired, or the account changed: forget it here and in the browser
        st.session_state[_TOKEN_KEY] = ""
        st.session_state[_COOKIE_KEY] = ("clear", "")
        return _viewer()
    return actor


def _cookie_script(action: str, token: str) -> str:
    """The script that keeps (or clears) the session cookie; ``token`` is URL-safe base64 only."""
    if action == "set" and auth._TOKEN_RE.fullmatch(token):
        value, max_age = token, auth.SESSION_HOURS * 3600
    else:
        value, max_age = "", 0
    return ("<script>(function () {"
            f"var c = '{COOKIE}=' + '{value}' + '; Path=/; Max-Age={max_age}; SameSite=Strict';"
            "if (window.location.protocol === 'https:') { c += '; Secure'; }"
            "document.cookie = c;})();</script>")


def _sign_out(store: Store) -> None:
    token = st.session_state.get(_TOKEN_KEY) or _cookie_token()
    try:
        auth.end_session(store, token)
    finally:
        st.session_state[_TOKEN_KEY] = ""
        st.session_state.pop(_LOCAL_KEY, None)
        st.session_state[_COOKIE_KEY] = ("clear", "")


def sign_in_panel(store: Store, tr) -> None:  # noqa: ANN001 - tr is the page's translate function
    """The sidebar's sign-in and sign-out controls."""
    actor = current_actor(store)
    if pending := st.session_state.pop(_COOKIE_KEY, None):
        html(_cookie_script(*pending), unsafe_allow_javascript=True)
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
        st.button(tr("auth.sign_out"), key="auth_sign_out", on_click=_sign_out, args=(store,))
        return
    # Most readers never sign in (a committee, leadership): they get one button, not a form. The form
    # is six elements that every rerun of every page would send to every one of them.
    if not st.session_state.get(_FORM_KEY):
        st.button(tr("auth.sign_in_local"), key="auth_open", icon=":material/login:", help=tr("auth.local_help"),
                  on_click=st.session_state.update, kwargs={_FORM_KEY: True})
        return
    st.markdown(f"**{tr('auth.sign_in_local')}**")
    with st.form("local_sign_in", clear_on_submit=True, border=False):
        name = st.text_input(tr("auth.user_name"), autocomplete="username")
        password = st.text_input(tr("auth.password"), type="password", autocomplete="current-password")
        submitted = st.form_submit_button(tr("auth.sign_in"))
    if submitted:
        try:
            session = auth.open_session(store, name.strip(), password)
        except auth.SignInFailed:
            st.error(tr("auth.failed_wrong", n=auth.MAX_FAILED, minutes=auth.LOCK_MINUTES))
        else:
            st.session_state[_TOKEN_KEY] = session.token
            st.session_state.pop(_LOCAL_KEY, None)
            st.session_state[_COOKIE_KEY] = ("set", session.token)
            st.session_state[_FORM_KEY] = False
            st.rerun()
    st.caption(tr("auth.local_help"))
