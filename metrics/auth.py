"""Who is who: local accounts with scrypt-hashed passwords, and roles for signed-in users.

Two ways in, one outcome (an :class:`~metrics.model.Actor` with a role):

* **Signed in with OpenID Connect** (``st.login``, when ``[auth]`` is configured): the role
  comes from ``role_mappings``, which administrators maintain: an exact e-mail address wins
  over a ``@domain``; anyone else is a viewer.
* **Local mode** (no ``[auth]``): anyone who can open the dashboard reads; writing needs a
  local account (``python -m metrics user add NAME --role analyst``). Passwords are stored
  only as salted scrypt hashes; after :data:`MAX_FAILED` wrong passwords in a row the account
  is locked for :data:`LOCK_MINUTES` minutes. User names are unique without regard to case
  (``admin`` and ``ADMIN`` are one account) and are looked up the same way.

Sessions follow the account. A sign-in (:func:`open_session`) gives a random token, kept in the
browser; the database keeps only its SHA-256, the account's *stamp* (a hash of name, role and
password hash) and an expiry (:data:`SESSION_HOURS`). Every rerun of a page asks
:func:`session_actor`, which reads the account as it is now: removed, demoted, locked, a new
password or a sign-out (:func:`end_session`), and the token no longer gives any right.

Sign-in attempts are counted under the store's writer lock with one ``UPDATE ... RETURNING``,
so twenty guesses at once lock an account as twenty in a row do. Every failure (unknown name,
wrong password, locked account) costs one scrypt and one write and gets the same answer.

The last administrator stays: no path (page, command line) can demote or remove the last local
administrator, nor change or remove the last role mapping that gives the role administrator.

Example::

    h = hash_password("correct horse")
    verify_password("correct horse", h)   # True
    verify_password("wrong", h)           # False
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Any

import pandas as pd

from metrics import audit
from metrics.model import ROLES, Actor, MalsporError, OneOf, ValidationError, Problem
from metrics.store import Store

#: scrypt cost parameters (RFC 7914): n = 2**14, r = 8, p = 1 costs ~16 MB and ~50 ms.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MAX_FAILED = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
#: How long a local sign-in lasts (a reload or a new tab keeps it; a new sign-in after that).
SESSION_HOURS = 8
VIEWER = "viewer"
ADMIN = "admin"
#: The sign-in bookkeeping (failed attempts, sessions) is written by the system itself.
SYSTEM = Actor("system", "admin", via="system")
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,100}")
_NAME_RE = re.compile(r"[A-Za-z0-9._@-]{2,64}")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DOMAIN_RE = re.compile(r"@[^@\s]+\.[^@\s]+")


class SignInFailed(MalsporError):
    """A local sign-in that did not succeed; one answer for every reason.

    An unknown name, a wrong password and a locked account all read the same
    (``auth.failed_wrong``), so the answer tells nobody which names exist. ``reason``
    (``unknown``, ``wrong`` or ``locked``) is for tests and logs, never for the page.
    """

    PREFIX = "auth.failed_"

    def __init__(self, code: str = "wrong", *, reason: str = "wrong", until: dt.datetime | None = None):
        self.reason = reason
        self.until = until  # kept for callers of the old signature; always None
        super().__init__(code, n=MAX_FAILED, minutes=LOCK_MINUTES)


@dataclass(frozen=True)
class Session:
    """A signed-in local user: the token to keep in the browser, who it is, and until when."""

    token: str
    actor: Actor
    expires_at: dt.datetime


# ---------------------------------------------------------------------- passwords
def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A self-describing scrypt hash: ``scrypt$n$r$p$salt$hash`` (base64)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError, AttributeError):
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


_dummy: list[str] = []
_dummy_lock = threading.Lock()


def _dummy_hash() -> str:
    """A hash no password is known for: an unknown name is checked against it, at the same cost."""
    with _dummy_lock:
        if not _dummy:
            _dummy.append(hash_password(secrets.token_urlsafe(32)))
        return _dummy[0]


def check_password_strength(password: str) -> None:
    """At least :data:`MIN_PASSWORD_LENGTH` characters, not counting spaces at either end."""
    if not isinstance(password, str) or not password.strip():
        raise ValidationError([Problem(None, "password", None,
                                       code="password_blank", params={"min": MIN_PASSWORD_LENGTH})])
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise ValidationError([Problem(None, "password", None,
                                       code="password_short", params={"min": MIN_PASSWORD_LENGTH})])


# ---------------------------------------------------------------------- local accounts
def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError([Problem(None, "role", role, code="role_unknown", params={"choices": OneOf(ROLES)})])


def _stamp(name: str, role: str, password_hash: str) -> str:
    """The account as a session knows it: a role or password change gives a new stamp."""
    return hashlib.sha256(f"{name.lower()}\0{role}\0{password_hash}".encode()).hexdigest()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _revoke_sessions(cur: Any, name: str) -> None:
    cur.execute("DELETE FROM sessions WHERE lower(user_name) = lower(?)", [name])


def _other_admins(cur: Any, name: str) -> int:
    return cur.execute("SELECT count(*) FROM local_users WHERE role = 'admin' AND lower(user_name) <> lower(?)",
                       [name]).fetchall()[0][0]


def add_local_user(store: Store, actor: Actor, name: str, role: str, password: str) -> None:
    """Create a local account (administrators only; the command line acts as one).

    Names are unique without regard to case: with ``admin`` in place, ``Admin`` is refused.
    """
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ValidationError([Problem(None, "name", name, code="user_name_invalid")])
    _check_role(role)
    check_password_strength(password)
    with store.write(actor, "manage_users") as cur:
        rows = cur.execute("SELECT user_name FROM local_users WHERE lower(user_name) = lower(?)", [name]).fetchall()
        if rows:
            raise MalsporError("user_exists", name=rows[0][0])
        cur.execute("INSERT INTO local_users (user_name, role, password_hash) VALUES (?, ?, ?)",
                    [name, role, hash_password(password)])
        audit.record(cur, actor, "user_add", "local_user", name, None, {"role": role})


def set_local_role(store: Store, actor: Actor, name: str, role: str) -> None:
    """A new role; the account's sessions end. The last local administrator cannot be demoted."""
    _check_role(role)
    with store.write(actor, "manage_users") as cur:
        before = _local_user(cur, name)
        if before["role"] == ADMIN and role != ADMIN and not _other_admins(cur, before["user_name"]):
            raise MalsporError("last_admin", name=before["user_name"])
        cur.execute("UPDATE local_users SET role = ? WHERE user_name = ?", [role, before["user_name"]])
        _revoke_sessions(cur, before["user_name"])
        audit.record(cur, actor, "user_role", "local_user", before["user_name"], {"role": before["role"]},
                     {"role": role})


def set_local_password(store: Store, actor: Actor, name: str, password: str) -> None:
    """A new password; also unlocks the account and ends its sessions."""
    check_password_strength(password)
    with store.write(actor, "manage_users") as cur:
        before = _local_user(cur, name)
        cur.execute("UPDATE local_users SET password_hash = ?, failed_attempts = 0, locked_until = NULL "
                    "WHERE user_name = ?", [hash_password(password), before["user_name"]])
        _revoke_sessions(cur, before["user_name"])
        audit.record(cur, actor, "user_password", "local_user", before["user_name"], None, {"password": "changed"})


def remove_local_user(store: Store, actor: Actor, name: str) -> None:
    """Remove an account and its sessions. The last local administrator cannot be removed."""
    with store.write(actor, "manage_users") as cur:
        before = _local_user(cur, name)
        if before["role"] == ADMIN and not _other_admins(cur, before["user_name"]):
            raise MalsporError("last_admin", name=before["user_name"])
        cur.execute("DELETE FROM local_users WHERE user_name = ?", [before["user_name"]])
        _revoke_sessions(cur, before["user_name"])
        audit.record(cur, actor, "user_remove", "local_user", before["user_name"], {"role": before["role"]}, None)


def _local_user(cur: Any, name: str) -> dict[str, Any]:
    rows = cur.execute("SELECT user_name, role, failed_attempts, locked_until FROM local_users "
                       "WHERE lower(user_name) = lower(?)", [name]).fetchall()
    if not rows:
        raise MalsporError("user_unknown", name=name)
    return dict(zip(("user_name", "role", "failed_attempts", "locked_until"), rows[0]))


def local_users(store: Store) -> pd.DataFrame:
    """Accounts without their hashes."""
    return store.query_df("SELECT user_name, role, failed_attempts, locked_until, created_at FROM local_users "
                          "ORDER BY user_name")


def is_local_account(store: Store, name: str) -> bool:
    """Whether ``name`` is a local account (its role is then read from the database, not kept)."""
    return bool(store.scalar("SELECT count(*) FROM local_users WHERE lower(user_name) = lower(?)", [name]))


def account_actor(store: Store, name: str, *, now: dt.datetime | None = None) -> Actor | None:
    """The local account ``name`` as it is now: its role, or None when it is gone or locked."""
    now = now or dt.datetime.now()
    with store.read() as cur:
        rows = cur.execute("SELECT user_name, role, locked_until FROM local_users WHERE lower(user_name) = lower(?)",
                           [name]).fetchall()
    if not rows or (rows[0][2] is not None and rows[0][2] > now):
        return None
    return Actor(rows[0][0], rows[0][1], via="dashboard")


# ---------------------------------------------------------------------- signing in
def sign_in_local(store: Store, name: str, password: str, *, now: dt.datetime | None = None) -> Actor:
    """Check a local user's password; count failures and lock after :data:`MAX_FAILED` in a row.

    Raises :class:`SignInFailed` with the same answer for an unknown name, a wrong password and
    a locked account. See :func:`open_session` for a sign-in that outlives the browser tab.
    """
    return _sign_in(store, name, password, now or dt.datetime.now(), session=False).actor


def open_session(store: Store, name: str, password: str, *, now: dt.datetime | None = None) -> Session:
    """Sign in and start a session of :data:`SESSION_HOURS` hours: the token goes to the browser."""
    return _sign_in(store, name, password, now or dt.datetime.now(), session=True)


def _sign_in(store: Store, name: str, password: str, now: dt.datetime, *, session: bool) -> Session:
    """The one sign-in: scrypt outside the lock, the decision and the count inside one write.

    Every attempt takes the writer lock once, so attempts are decided one at a time in the order
    they reach it, as if they had come one after the other: the failed-attempt count is raised with
    one ``UPDATE ... RETURNING`` on the row as it is then, and a lock set by an attempt a moment
    earlier refuses the next one, right password or not. Every outcome is one audit row.
    """
    name = name if isinstance(name, str) else ""
    password = password if isinstance(password, str) else ""
    with store.read() as cur:
        rows = cur.execute("SELECT password_hash FROM local_users WHERE lower(user_name) = lower(?)",
                           [name]).fetchall()
    checked = rows[0][0] if rows else _dummy_hash()
    correct = verify_password(password, checked) and bool(rows)
    result: Session | None = None
    with store.write(SYSTEM, "sign_in") as cur:
        rows = cur.execute("SELECT user_name, role, password_hash, failed_attempts, locked_until FROM local_users "
                           "WHERE lower(user_name) = lower(?)", [name]).fetchall()
        account = rows[0] if rows else None
        if account is not None and account[2] != checked:  # the password was changed a moment ago
            correct = verify_password(password, account[2])
        locked = account is not None and account[4] is not None and account[4] > now
        if account is not None and correct and not locked:
            user, role, stored, failed, locked_until = account
            if failed or locked_until is not None:
                cur.execute("UPDATE local_users SET failed_attempts = 0, locked_until = NULL WHERE user_name = ?",
                            [user])
            token, expires = "", now + dt.timedelta(hours=SESSION_HOURS)
            if session:
                cur.execute("DELETE FROM sessions WHERE expires_at <= ?", [now])
                token = secrets.token_urlsafe(32)
                cur.execute("INSERT INTO sessions (token_hash, user_name, account_stamp, created_at, expires_at) "
                            "VALUES (?, ?, ?, ?, ?)", [_token_hash(token), user, _stamp(user, role, stored), now,
                                                       expires])
            audit.record(cur, SYSTEM, "sign_in", "local_user", user, {"failed_attempts": failed},
                         {"failed_attempts": 0, "session_until": expires.isoformat() if session else None})
            result = Session(token, Actor(user, role, via="dashboard"), expires)
        else:
            reason = "unknown" if account is None else "locked" if locked else "wrong"
            after = cur.execute(
                """UPDATE local_users SET
                       failed_attempts = CASE WHEN locked_until > $now THEN failed_attempts
                                              WHEN failed_attempts + 1 >= $max THEN 0
                                              ELSE failed_attempts + 1 END,
                       locked_until = CASE WHEN locked_until > $now THEN locked_until
                                           WHEN failed_attempts + 1 >= $max THEN $lock
                                           ELSE locked_until END
                   WHERE lower(user_name) = lower($name)
                   RETURNING failed_attempts, locked_until""",
                {"now": now, "max": MAX_FAILED, "lock": now + dt.timedelta(minutes=LOCK_MINUTES), "name": name},
            ).fetchall()
            if account is None:
                # the typed name is not kept: it may be a password typed in the wrong field
                audit.record(cur, SYSTEM, "sign_in_failed", "local_user", None, None, None,
                             detail="unknown user name")
            else:
                failed_now, until = after[0]
                audit.record(cur, SYSTEM, "sign_in_failed", "local_user", account[0],
                             {"failed_attempts": account[3]},
                             {"failed_attempts": failed_now, "locked_until": until.isoformat() if until else None},
                             detail="locked" if locked else None)
    if result is None:
        raise SignInFailed("wrong", reason=reason)
    return result


def session_actor(store: Store, token: str | None, *, now: dt.datetime | None = None) -> Actor | None:
    """Who a session token belongs to, as the account is now; None when it gives no right any more.

    None for an unknown, ended or expired token, a removed or locked account, and an account
    whose role or password changed since the sign-in.
    """
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return None
    now = now or dt.datetime.now()
    with store.read() as cur:
        rows = cur.execute(
            """SELECT u.user_name, u.role, u.password_hash, u.locked_until, s.account_stamp
               FROM sessions s JOIN local_users u ON lower(u.user_name) = lower(s.user_name)
               WHERE s.token_hash = ? AND s.expires_at > ?""", [_token_hash(token), now]).fetchall()
    if not rows:
        return None
    user, role, stored, locked_until, stamp = rows[0]
    if not hmac.compare_digest(stamp, _stamp(user, role, stored)):
        return None
    if locked_until is not None and locked_until > now:
        return None
    return Actor(user, role, via="dashboard")


def end_session(store: Store, token: str | None) -> None:
    """Sign out: the token gives no right from now on, in any tab."""
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return
    digest = _token_hash(token)
    if not store.scalar("SELECT count(*) FROM sessions WHERE token_hash = ?", [digest]):
        return  # already ended: nothing to write
    with store.write(SYSTEM, "sign_in") as cur:
        rows = cur.execute("DELETE FROM sessions WHERE token_hash = ? RETURNING user_name", [digest]).fetchall()
        audit.record(cur, SYSTEM, "sign_out", "local_user", rows[0][0] if rows else None, None, None,
                     detail=None if rows else "no such session")


def active_sessions(store: Store, name: str, *, now: dt.datetime | None = None) -> int:
    """How many unexpired sessions the account has (for tests and the administrator)."""
    now = now or dt.datetime.now()
    return int(store.scalar("SELECT count(*) FROM sessions WHERE lower(user_name) = lower(?) AND expires_at > ?",
                            [name, now]))


# ---------------------------------------------------------------------- signed-in users (OIDC)
def role_for_email(store: Store, email: str | None) -> str:
    """The mapped role of a signed-in e-mail address: exact address first, then its @domain, else viewer."""
    if not email:
        return VIEWER
    email = email.strip().lower()
    domain = "@" + email.split("@", 1)[1] if "@" in email else None
    rows = store.query_df("SELECT pattern, role FROM role_mappings WHERE pattern = ? OR pattern = ?", [email, domain])
    by_pattern = dict(zip(rows["pattern"], rows["role"]))
    return by_pattern.get(email) or (by_pattern.get(domain) if domain else None) or VIEWER


def role_mappings(store: Store) -> pd.DataFrame:
    return store.query_df("SELECT pattern, role, updated_by, updated_at FROM role_mappings ORDER BY pattern")


def _other_admin_mappings(cur: Any, pattern: str) -> int:
    return cur.execute("SELECT count(*) FROM role_mappings WHERE role = 'admin' AND pattern <> ?",
                       [pattern]).fetchall()[0][0]


def set_role_mapping(store: Store, actor: Actor, pattern: str, role: str) -> None:
    """Map an e-mail address (``ana@regionh.dk``) or a domain (``@regionh.dk``) to a role.

    The last mapping that gives the role administrator cannot be given another role.
    """
    pattern = pattern.strip().lower() if isinstance(pattern, str) else ""
    if not (_EMAIL_RE.fullmatch(pattern) or _DOMAIN_RE.fullmatch(pattern)):
        raise ValidationError([Problem(None, "pattern", pattern, code="pattern_invalid")])
    _check_role(role)
    with store.write(actor, "manage_users") as cur:
        rows = cur.execute("SELECT role FROM role_mappings WHERE pattern = ?", [pattern]).fetchall()
        before = {"role": rows[0][0]} if rows else None
        if rows and rows[0][0] == ADMIN and role != ADMIN and not _other_admin_mappings(cur, pattern):
            raise MalsporError("last_admin_mapping", pattern=pattern)
        cur.execute("INSERT INTO role_mappings (pattern, role, updated_by) VALUES (?, ?, ?) "
                    "ON CONFLICT (pattern) DO UPDATE SET role = excluded.role, updated_by = excluded.updated_by, "
                    "updated_at = current_localtimestamp()", [pattern, role, actor.name])
        audit.record(cur, actor, "role_mapping_set", "role_mapping", pattern, before, {"role": role})


def remove_role_mapping(store: Store, actor: Actor, pattern: str) -> None:
    """Remove a mapping; the last one that gives the role administrator stays."""
    pattern = pattern.strip().lower() if isinstance(pattern, str) else ""
    with store.write(actor, "manage_users") as cur:
        rows = cur.execute("SELECT role FROM role_mappings WHERE pattern = ?", [pattern]).fetchall()
        if not rows:
            raise MalsporError("role_mapping_unknown", pattern=pattern)
        if rows[0][0] == ADMIN and not _other_admin_mappings(cur, pattern):
            raise MalsporError("last_admin_mapping", pattern=pattern)
        cur.execute("DELETE FROM role_mappings WHERE pattern = ?", [pattern])
        audit.record(cur, actor, "role_mapping_remove", "role_mapping", pattern, {"role": rows[0][0]}, None)
