"""The vocabulary of Målspor: kinds, directions, data classes, statuses and roles.

Everything here is plain data so that the store, the progress engine, the command
line and the pages agree on one spelling of each term.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Final

if TYPE_CHECKING:
    from metrics.i18n import Lang

DEFAULT_GEOGRAPHY: Final = "Region Hovedstaden"
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2100

KINDS: Final = ("level", "relative", "none")
DIRECTIONS: Final = ("increase", "decrease")
DATA_CLASSES: Final = ("R", "D", "I")

#: Headline statuses for targets, best first, worst last but one (progress-methodology.md).
#: ``not_met`` is settled: the target year has been measured and the target was missed.
TARGET_STATUSES: Final = (
    "met",
    "on_track",
    "moderate",
    "insufficient",
    "moving_away",
    "not_met",
    "not_assessable",
)
#: Eurostat trend categories for monitored indicators without a target.
TREND_STATUSES: Final = (
    "significant_progress",
    "moderate_progress",
    "moderate_movement_away",
    "significant_movement_away",
)
STATUSES: Final = TARGET_STATUSES + TREND_STATUSES

#: Ratio thresholds of actual to required growth (Eurostat).
ON_TRACK_RATIO: Final = 0.95
MODERATE_RATIO: Final = 0.60
#: Growth threshold for monitored indicators (1 % a year).
TREND_THRESHOLD: Final = 0.01

ROLES: Final = ("viewer", "analyst", "admin")

#: Which roles may perform which write. Checked by ``metrics.store`` on every write.
PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "seed": frozenset({"admin"}),
    "import_observations": frozenset({"analyst", "admin"}),
    "undo_batch": frozenset({"analyst", "admin"}),
    "edit_targets": frozenset({"admin"}),
    "write_commentary": frozenset({"analyst", "admin"}),
    "restore": frozenset({"admin"}),
    "manage_users": frozenset({"admin"}),
    # Bookkeeping of sign-in attempts (failed-attempt counter), done by the system itself.
    "sign_in": frozenset({"admin"}),
}


@dataclass(frozen=True)
class Actor:
    """Who is asking for a change: a user name, a role from :data:`ROLES`, and where from."""

    name: str
    role: str
    via: str = "dashboard"  # dashboard, cli or system: where the change came from (audit trail)

    def may(self, action: str) -> bool:
        """True when this actor's role allows ``action`` (a key of :data:`PERMISSIONS`)."""
        return self.role in PERMISSIONS.get(action, frozenset())


_CODE_RE = re.compile(r"[a-z][a-z0-9_]*")


class MalsporError(Exception):
    """Base class of the errors Målspor reports to users in words, in the reader's language.

    ``MalsporError(code, **params)``: ``code`` names a text of :data:`metrics.i18n.TEXTS`, key
    ``error.<code>`` (the texts are in :mod:`metrics.messages`), and ``params`` fill it in, numbers
    formatted per language. ``str(exc)`` is English (the command line, logs); a page shows
    ``exc.render(L)``. A subclass may keep its texts under another prefix (:attr:`PREFIX`).

    >>> e = MalsporError("folder_missing", folder="/tmp/x")
    >>> str(e), e.render("da")
    ('The folder /tmp/x does not exist.', 'Mappen /tmp/x findes ikke. Opret den, eller vælg en anden mappe.')

    For callers outside ``metrics`` only (tests, scripts), a plain English sentence instead of
    a code is accepted and shown as it is in every language.
    """

    PREFIX: ClassVar[str] = "error."

    def __init__(self, code: str = "", /, **params: Any) -> None:
        if _CODE_RE.fullmatch(code or ""):
            self.code: str | None = code
            self.message = ""
        else:  # a plain sentence (backwards compatibility for callers outside metrics)
            self.code, self.message = None, code
        self.params: dict[str, Any] = dict(params)
        super().__init__(self.render("en"))

    @property
    def key(self) -> str | None:
        """The i18n key of the message, e.g. ``error.folder_missing``; None for a plain sentence."""
        return f"{self.PREFIX}{self.code}" if self.code else None

    def render(self, lang: Lang | str = "en") -> str:
        """The message in ``lang`` (a code such as "da" or a :class:`metrics.i18n.Lang`)."""
        if self.key is None:
            return self.message
        from metrics import i18n  # local: i18n is plain data, but keep model importable on its own

        code = i18n._code(lang)
        if self.key not in i18n.TEXTS:  # a one-word sentence such as "boom" that is no code
            return self.code
        return i18n.t(self.key, code, **{k: _fmt_param(v, code) for k, v in self.params.items()})

    def text(self, lang: Lang | str = "en") -> str:
        """The same as :meth:`render` (the name the Upload page used first)."""
        return self.render(lang)


class PermissionDenied(MalsporError):
    """The actor's role does not allow the requested change."""

    def __init__(self, code: str = "permission", /, *, actor: Actor | None = None, action: str = "",
                 **params: Any) -> None:
        """``PermissionDenied(actor=actor, action="restore")``: the user, the role and the action in words."""
        if actor is not None:
            params.update(user=actor.name, role=Term(f"role.{actor.role}", actor.role))
        if action:
            params["action"] = Term(f"action.{action}", action.replace("_", " "))
        super().__init__(code, **params)


class DatabaseLocked(MalsporError):
    """Another process holds the DuckDB file open for writing."""


class Term(str):
    """An i18n key standing in a message parameter, said in the reader's language (``role.viewer``).

    ``default`` is shown when the key has no text.
    """

    def __new__(cls, key: str, default: str | None = None) -> Term:
        term = super().__new__(cls, key)
        term.default = key if default is None else default
        return term

    def for_lang(self, lang: str) -> str:
        from metrics import i18n

        key = str.__str__(self)
        return i18n.t(key, lang) if key in i18n.TEXTS else self.default


class Sentence(Term):
    """A whole text of :data:`metrics.i18n.TEXTS` with its parameters, standing in a message parameter.

    ``str()`` is English: ``Sentence("problem.known_ids", ids="a, b")``.
    """

    def __new__(cls, key: str, **params: Any) -> Sentence:
        sentence = super().__new__(cls, key)
        sentence.params = params
        return sentence

    def for_lang(self, lang: str) -> str:
        from metrics import i18n

        return i18n.t(str.__str__(self), lang, **{k: _fmt_param(v, lang) for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.for_lang("en")


class OneOf(tuple):
    """Choices as a message parameter: ``csv, parquet or xlsx`` / ``csv, parquet eller xlsx``."""

    def for_lang(self, lang: str) -> str:
        items = [str(x) for x in self]
        if len(items) < 2:
            return "".join(items)
        return ", ".join(items[:-1]) + (" eller " if lang == "da" else " or ") + items[-1]


@dataclass(frozen=True)
class Problem:
    """One problem found in user input, located as a spreadsheet would show it.

    ``row`` counts the header as row 1 (so the first data row is 2); ``None`` when the
    problem concerns the whole file. ``code`` and ``params`` name a text of
    :data:`metrics.i18n.TEXTS` (key ``problem.<code>``), so the same problem reads in
    Danish on the Upload page and in English on the command line; ``message`` is the
    English text (given directly by callers that have no code).

    Example: ``Problem(3, "year", "20x4", code="bad_year").render("da")`` is
    ``"række 3, kolonne 'year' (værdi '20x4'): Året skal være et helt tal fra 1900 til 2100, fx 2024."``
    """

    row: int | None
    column: str | None
    value: str | None
    message: str = ""
    code: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.code and not self.message:
            object.__setattr__(self, "message", self.text("en"))

    def text(self, lang: str = "en") -> str:
        """The message alone, in ``lang`` ('da' or 'en')."""
        if not self.code:
            return self.message
        from metrics import i18n  # local: i18n is plain data, but keep model importable on its own

        key = f"problem.{self.code}"
        if key not in i18n.TEXTS:
            return self.message or key
        return i18n.t(key, lang, **{k: _fmt_param(v, lang) for k, v in self.params.items()})

    def render(self, lang: str = "en") -> str:
        """Where, what and the message, e.g. ``row 3, column 'value' (value 'abc'): ...``."""
        from metrics import i18n

        where = []
        if self.row is not None:
            where.append(i18n.t("problem.at_row", lang, row=self.row))
        if self.column:
            where.append(i18n.t("problem.at_column", lang, column=self.column))
        prefix = ", ".join(where)
        shown = i18n.t("problem.shown_value", lang, value=self.value) if self.value not in (None, "") else ""
        text = self.text(lang)
        return f"{prefix}{shown}: {text}" if prefix else f"{text}{shown}"

    def as_dict(self, lang: str = "en") -> dict[str, object]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.text(lang)}

    def __str__(self) -> str:
        return self.render("en")


def _fmt_param(value: Any, lang: str) -> str:
    """A message parameter as text: decimal comma in Danish, no thousands separators (years, rows).

    A parameter with a ``for_lang`` method (an i18n key such as "sep.comma") is translated.
    """
    if hasattr(value, "for_lang"):
        return str(value.for_lang(lang))
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(_fmt_param(v, lang) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value))
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        from metrics import i18n

        return i18n.Lang.of(str(lang)).date(value, with_time=isinstance(value, dt.datetime))
    if isinstance(value, float):
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        text = f"{value:.10g}"
        return text.replace(".", ",") if lang == "da" else text
    return str(value)


class ValidationError(MalsporError):
    """User input was rejected; ``problems`` lists each problem. Nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        self.code, self.message, self.params = "invalid", "", {}
        Exception.__init__(self, "; ".join(str(p) for p in problems[:5]) + (" ..." if len(problems) > 5 else ""))

    def lines(self, lang: Lang | str = "en") -> list[str]:
        """Every problem as one line in ``lang``."""
        from metrics import i18n

        return [p.render(i18n._code(lang)) for p in self.problems]

    def render(self, lang: Lang | str = "en") -> str:
        """Every problem in ``lang``, one a line (as :meth:`lines`, joined)."""
        return "\n".join(self.lines(lang))
