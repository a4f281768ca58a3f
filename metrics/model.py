"""The vocabulary of Målspor: kinds, directions, data classes, statuses and roles.

Everything here is plain data so that the store, the progress engine, the command
line and the pages agree on one spelling of each term.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

DEFAULT_GEOGRAPHY: Final = "Region Hovedstaden"
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2100

KINDS: Final = ("level", "relative", "none")
DIRECTIONS: Final = ("increase", "decrease")
DATA_CLASSES: Final = ("R", "D", "I")
METHODS: Final = ("compound", "linear")

#: Headline statuses for targets, best first (progress-methodology.md).
TARGET_STATUSES: Final = (
    "met",
    "on_track",
    "moderate",
    "insufficient",
    "moving_away",
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
}


@dataclass(frozen=True)
class Actor:
    """Who is asking for a change: a user name and a role from :data:`ROLES`."""

    name: str
    role: str

    def may(self, action: str) -> bool:
        """True when this actor's role allows ``action`` (a key of :data:`PERMISSIONS`)."""
        return self.role in PERMISSIONS.get(action, frozenset())


class MalsporError(Exception):
    """Base class of the errors Målspor reports to users in words."""


class PermissionDenied(MalsporError):
    """The actor's role does not allow the requested change."""


class DatabaseLocked(MalsporError):
    """Another process holds the DuckDB file open for writing."""


@dataclass(frozen=True)
class Problem:
    """One problem found in user input, located as a spreadsheet would show it.

    ``row`` counts the header as row 1 (so the first data row is 2); ``None`` when the
    problem concerns the whole file.
    """

    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        shown = f" (value '{self.value}')" if self.value not in (None, "") else ""
        return f"{prefix}{shown}: {self.message}" if prefix else f"{self.message}{shown}"


class ValidationError(MalsporError):
    """User input was rejected; ``problems`` lists each problem. Nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]) + (" ..." if len(problems) > 5 else ""))
