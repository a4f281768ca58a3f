"""Open the store a target names: a DuckDB file (the default) or a PostgreSQL server.

Why a module of its own: :mod:`metrics.store` imports nothing of ``metrics`` but the model and
the audit trail, and :mod:`metrics.pg_store` builds on it; the choice between them lives above
both, here. Every program opens its store through :func:`open_store`.

Example::

    open_store("data/malspor.duckdb", seed=seed)                     # the embedded file
    open_store("postgresql://malspor@db.regionh.local/malspor")       # the shared server
    open_store()                                                      # $MALSPOR_DB, else the file
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from metrics.store import Store, default_db_path, is_server_url

__all__ = ["open_store", "is_server_url"]


def open_store(
    target: Path | str | None = None,
    *,
    seed: Callable[[Store], object] | None = None,
    read_only: bool = False,
    create: bool = True,
) -> Store:
    """The store ``target`` names (``$MALSPOR_DB`` or ``data/malspor.duckdb`` when None); see :meth:`Store.open`."""
    chosen = target if target not in (None, "") else default_db_path()
    if is_server_url(chosen):
        from metrics.pg_store import PgStore  # psycopg loads only for a server

        return PgStore.open(str(chosen), seed=seed, read_only=read_only, create=create)
    return Store.open(chosen, seed=seed, read_only=read_only, create=create)
