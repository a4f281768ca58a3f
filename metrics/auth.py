"""Who is who: local accounts with scrypt-hashed passwords, and roles for signed-in users.

Two ways in, one outcome (an :class:`~metrics.model.Actor` with a role):

* **Signed in with OpenID Connect** (``st.login``, when ``[auth]`` is configured): the role
  comes from ``role_mappings``, which administrators maintain: an exact e-mail address wins
  over a ``@domain``; anyone else is a viewer.
* **Local mode** (no ``[auth]``): anyone who can open the dashboard reads; writing needs a
  local account (``python -m metrics user add NAME --role analyst``). Passwords are stored
  only as salted scrypt hashes; after :data:`MAX_FAILED` wrong passwords in a row the account
  is locked for :data:`LOCK_MINUTES` minutes.

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
VIEWER = "viewer"
_NAME_RE = re.compile(r"[A-Za-z0-9._@-]{2,64}")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DOMAIN_RE = re.compile(r"@[^@\s]+\.[^@\s]+")


class SignInFailed(MalsporError):
    """Wrong user name or password, or a locked account; the message says which in safe words.

    ``code`` is ``wrong``, ``locked`` or ``locked_now`` and ``until`` the end of a lock, so a page
    can say it in the user's language.
    """

    PREFIX = "auth.failed_"

    def __init__(self, code: str, until: dt.datetime | None = None):
        self.until = until
        super().__init__(code, until=f"{until:%H:%M}" if until else "", n=MAX_FAILED, minutes=LOCK_MINUTES)


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
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError([Problem(None, "password", None,
                                       code="password_short", params={"min": MIN_PASSWORD_LENGTH})])


# ---------------------------------------------------------------------- local accounts
def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError([Problem(None, "role", role, code="role_unknown", params={"choices": OneOf(ROLES)})])


def add_local_user(store: Store, actor: Actor, name: str, role: str, password: str) -> None:
    """Create a local account (administrators only; the command line acts as one)."""
    if not _NAME_RE.fullmatch(name):
        raise ValidationError([Problem(None, "name", name, code="user_name_invalid")])
    _check_role(role)
    check_password_strength(password)
    with store.write(actor, "manage_users") as cur:
        if cur.execute("SELECT count(*) FROM local_users WHERE user_name = ?", [name]).fetchall()[0][0]:
            raise MalsporError("user_exists", name=name)
        cur.execute("INSERT INTO local_users (user_name, role, password_hash) VALUES (?, ?, ?)",
                    [name, role, hash_password(password)])
        audit.record(cur, actor, "user_add", "local_user", name, None, {"role": role})


def set_local_role(store: Store, actor: Actor, name: str, role: str) -> None:
    _check_role(role)
    with store.write(actor, "manage_users") as cur:
        before = _local_user(cur, name)
        cur.execute("UPDATE local_users SET role = ? WHERE user_name = ?", [role, name])
        audit.record(cur, actor, "user_role", "local_user", name, {"role": before["role"]}, {"role": role})


def set_local_password(store: Store, actor: Actor, name: str, password: str) -> None:
    """A new password; also unlocks the account."""
    check_password_strength(password)
    with store.write(actor, "manage_users") as cur:
        _local_user(cur, name)
        cur.execute("UPDATE local_users SET password_hash = ?, failed_attempts = 0, locked_until = NULL "
                    "WHERE user_name = ?", [hash_password(password), name])
        audit.record(cur, actor, "user_password", "local_user", name, None, {"password": "changed"})


def remove_local_user(store: Store, actor: Actor, name: str) -> None:
    with store.write(actor, "manage_users") as cur:
        before = _local_user(cur, name)
        cur.execute("DELETE FROM local_users WHERE user_name = ?", [name])
        audit.record(cur, actor, "user_remove", "local_user", name, {"role": before["role"]}, None)


def _local_user(cur: Any, name: str) -> dict[str, Any]:
    rows = cur.execute("SELECT user_name, role, failed_attempts, locked_until FROM local_users WHERE user_name = ?",
                       [name]).fetchall()
    if not rows:
        raise MalsporError("user_unknown", name=name)
    return dict(zip(("user_name", "role", "failed_attempts", "locked_until"), rows[0]))


def local_users(store: Store) -> pd.DataFrame:
    """Accounts without their hashes."""
    return store.query_df("SELECT user_name, role, failed_attempts, locked_until, created_at FROM local_users "
                          "ORDER BY user_name")


def sign_in_local(store: Store, name: str, password: str, *, now: dt.datetime | None = None) -> Actor:
    """Check a local user's password; count failures and lock after :data:`MAX_FAILED` in a row.

    Failed attempts are bookkeeping of the sign-in itself, written by the system, not by a user.
    """
    now = now or dt.datetime.now()
    system = Actor("system", "admin", via="system")
    with store.read() as cur:
        rows = cur.execute("SELECT role, password_hash, failed_attempts, locked_until FROM local_users "
                           "WHERE user_name = ?", [name]).fetchall()
    if not rows:
        hash_password(password)  # same work as a real check, so timing does not reveal names
        raise SignInFailed("wrong")
    role, stored, failed, locked_until = rows[0]
    if locked_until is not None and locked_until > now:
        raise SignInFailed("locked", locked_until)
    if not verify_password(password, stored):
        failed = int(failed or 0) + 1
        lock = now + dt.timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILED else None
        with store.write(system, "sign_in") as cur:
            cur.execute("UPDATE local_users SET failed_attempts = ?, locked_until = ? WHERE user_name = ?",
                        [0 if lock else failed, lock, name])
            audit.record(cur, system, "sign_in_failed", "local_user", name, {"failed_attempts": failed - 1},
                         {"failed_attempts": failed, "locked_until": lock.isoformat() if lock else None})
        if lock:
            raise SignInFailed("locked_now", lock)
        raise SignInFailed("wrong")
    if failed or locked_until is not None:
        with store.write(system, "sign_in") as cur:
            cur.execute("UPDATE local_users SET failed_attempts = 0, locked_until = NULL WHERE user_name = ?", [name])
            audit.record(cur, system, "sign_in_reset", "local_user", name, {"failed_attempts": failed},
                         {"failed_attempts": 0})
    return Actor(name, role, via="dashboard")


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


def set_role_mapping(store: Store, actor: Actor, pattern: str, role: str) -> None:
    """Map an e-mail address (``ana@regionh.dk``) or a domain (``@regionh.dk``) to a role."""
    pattern = pattern.strip().lower()
    if not (_EMAIL_RE.fullmatch(pattern) or _DOMAIN_RE.fullmatch(pattern)):
        raise ValidationError([Problem(None, "pattern", pattern, code="pattern_invalid")])
    _check_role(role)
    with store.write(actor, "manage_users") as cur:
        rows = cur.execute("SELECT role FROM role_mappings WHERE pattern = ?", [pattern]).fetchall()
        before = {"role": rows[0][0]} if rows else None
        cur.execute("INSERT INTO role_mappings (pattern, role, updated_by) VALUES (?, ?, ?) "
                    "ON CONFLICT (pattern) DO UPDATE SET role = excluded.role, updated_by = excluded.updated_by, "
                    "updated_at = current_localtimestamp()", [pattern, role, actor.name])
        audit.record(cur, actor, "role_mapping_set", "role_mapping", pattern, before, {"role": role})


def remove_role_mapping(store: Store, actor: Actor, pattern: str) -> None:
    with store.write(actor, "manage_users") as cur:
        rows = cur.execute("SELECT role FROM role_mappings WHERE pattern = ?", [pattern]).fetchall()
        if not rows:
            raise MalsporError("role_mapping_unknown", pattern=pattern)
        cur.execute("DELETE FROM role_mappings WHERE pattern = ?", [pattern])
        audit.record(cur, actor, "role_mapping_remove", "role_mapping", pattern, {"role": rows[0][0]}, None)
