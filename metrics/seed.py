"""The seed: the action plan's own themes, targets, initiatives and figures from ``data/*.csv``.

Why a module of its own: seeding runs the import's validation (:mod:`metrics.ingest`), and
ingest writes through the store, so seeding sits above both. The store knows nothing of it:
:meth:`metrics.store.Store.open` takes a seeding function and calls it only when that call
created the database, inside the same guard that removes a half-made file (a full disk).

Example::

    from metrics.seed import seed
    store = Store.open("data/malspor.duckdb", seed=seed)   # created and seeded on first use
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from metrics import audit, ingest
from metrics.model import Actor, MalsporError
from metrics.store import DATA_DIR, SEED_USER, Store

if TYPE_CHECKING:
    import duckdb


def sha256_file(path: Path | str) -> str:
    """Hex SHA-256 of a file's bytes: identifies the seed's observation file in the batch history."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _insert_csv(cur: duckdb.DuckDBPyConnection, table: str, path: Path, *, blank_is_null: bool = False) -> None:
    """Insert a CSV of plain text columns into ``table`` by column name."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if blank_is_null:
        frame = frame.replace({"": None})
    cur.register("seed_frame", frame)
    try:
        cur.execute("INSERT INTO " + table + " BY NAME SELECT * FROM seed_frame")
    finally:
        cur.unregister("seed_frame")


def seed(store: Store, data_dir: Path | None = None) -> None:
    """Load the seed CSVs of ``data_dir`` (default ``data/``) into an empty database, in one transaction.

    Targets and observations go through the same validation as an analyst's import, so the
    seed data is held to the same rules; a database that already holds targets is refused.
    """
    data_dir = data_dir or DATA_DIR
    actor = Actor(SEED_USER, "admin", via="system")
    with store.write(actor, "seed") as cur:
        if cur.execute("SELECT count(*) FROM targets").fetchall()[0][0]:
            raise MalsporError("seed_not_empty")
        for table in ("themes", "focus_areas"):
            _insert_csv(cur, table, data_dir / f"{table}.csv")
        targets = ingest.read_targets_csv(data_dir / "targets.csv")
        ingest.apply_targets(cur, ingest.validate_targets(cur, targets))
        _insert_csv(cur, "initiatives", data_dir / "initiatives.csv", blank_is_null=True)
        obs_path = data_dir / "observations.csv"
        frame = ingest.read_observations_csv(obs_path)
        plan = ingest.plan_observations(cur, frame)
        batch_id = ingest.apply_plan(cur, plan, file_name=f"data/{obs_path.name}",
                                     sha256=sha256_file(obs_path), user=SEED_USER)
        counts = {table: cur.execute("SELECT count(*) FROM " + table).fetchall()[0][0]
                  for table in ("themes", "focus_areas", "targets", "initiatives", "observations")}
        audit.record(cur, actor, "seed", "database", str(store.path.name), None,
                     {**counts, "batch_id": batch_id}, detail=f"seeded from {data_dir.name}/*.csv")
