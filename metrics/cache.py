"""Computed once per data version, shared by every session: a small bounded cache for views.

A committee opens the same link at once: fifty sessions asking for the overview of the same
data must not run the progress engine fifty times. Results are keyed on what they are computed
from, always including the store's *generation*, which every committed write bumps
(:meth:`metrics.store.Store.write`), so an entry can never outlive its data; old generations
simply fall out of the bounded table.

The first caller of a key computes; callers arriving meanwhile wait for that result instead
of computing it again (single flight). A failure is not cached: the next caller tries again.

Values are shared between threads and sessions, so they are read-only by contract; frames are
handed out as shallow copies, which pandas' copy-on-write keeps from writing through to the
shared one.

Example::

    >>> calls = []
    >>> cache = SharedCache(max_entries=2)
    >>> cache.get(("status", 1, 2026), lambda: calls.append(1) or "table")
    'table'
    >>> cache.get(("status", 1, 2026), lambda: calls.append(1) or "table")
    'table'
    >>> len(calls)
    1
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")


class SharedCache:
    """A thread-safe, least-recently-used table of computed values with at most ``max_entries``."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()
        self.computed = 0  # how many times a value was computed (for tests and benchmarks)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for ``key``, computing it once if no thread has."""
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return _handout(self._values[key])
                event = self._pending.get(key)
                if event is None:
                    event = self._pending[key] = threading.Event()
                    break
            event.wait()  # another thread computes it; then look again (it may have failed)
        try:
            value = compute()
            with self._lock:
                self.computed += 1
                self._values[key] = value
                self._values.move_to_end(key)
                while len(self._values) > self.max_entries:
                    self._values.popitem(last=False)
            return _handout(value)
        finally:
            with self._lock:
                self._pending.pop(key, None)
            event.set()

    def peek(self, key: Hashable) -> Any | None:
        """The value for ``key`` if it has been computed, else None (never computes)."""
        with self._lock:
            value = self._values.get(key)
        return None if value is None else _handout(value)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)


def _handout(value: Any) -> Any:
    """A frame as a shallow copy (copy-on-write keeps the shared one intact), anything else as is."""
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=False)
    return value


_TOKENS: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
_NEXT = itertools.count(1)
_TOKENS_LOCK = threading.Lock()


def data_version(store: Any) -> tuple[int, int]:
    """What a cached value of ``store``'s data is keyed on: the open store and its generation.

    The store's own token (not its path) makes a store reopened on a restored file a new key,
    even though its generation starts again at 0.
    """
    with _TOKENS_LOCK:
        token = _TOKENS.get(store)
        if token is None:
            token = _TOKENS[store] = next(_NEXT)
    return token, int(store.generation)


#: The status table per (store, generation, as-of year): the engine's full output.
STATUS = SharedCache(max_entries=8)
#: Display rows, HTML tables and frozen figures per (store, generation, as-of year, language, ...):
#: the overview's blocks, the explorer per filter, each target page (about ten values a target and
#: language). Mostly text of a few kB; room for every target page of the seed in both languages.
VIEWS = SharedCache(max_entries=256)


def clear_all() -> None:
    """Forget every shared value (tests start from nothing)."""
    STATUS.clear()
    VIEWS.clear()
