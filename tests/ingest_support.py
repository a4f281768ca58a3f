"""Shared by the ingest tests: the corpus of files, a seeded store made once per module, small helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from metrics.database import open_store
from metrics import ingest
from metrics.model import ValidationError
from metrics.seed import seed

from tests.conftest import ANALYST, write_csv

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
RH, DK = "Region Hovedstaden", "Danmark"
HEADER = "target_id,year,value,geography,source,note,data_class\n"


def data_checksum(store) -> dict[str, str]:
    """The checksum of every table but the audit trail, which records even an import that changed nothing."""
    return {table: digest for table, digest in store.checksum().items() if table != "audit_log"}


def _problems(store, tmp_path, text):
    before = store.checksum()
    path = write_csv(tmp_path / "in.csv", text)
    with pytest.raises(ValidationError) as info:
        ingest.import_observations(store, path, ANALYST)
    assert store.checksum() == before, "a rejected import must write nothing"
    return info.value.problems


def _big_file(path, rows: int, *, value: float = 12.5):
    """``rows`` valid observations of eud_share over invented municipalities, years 1950-2049."""
    lines = ["target_id,year,value,geography,source"]
    lines += [f"eud_share,{1950 + i % 100},{value + (i % 7) / 10},Kommune {i // 100:05d},Test" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def fixture(name: str) -> Path:
    return FIXTURES / name


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory) -> Path:
    """A seeded database built once per module; each test works on its own copy (seeding is the slow part)."""
    path = tmp_path_factory.mktemp("seeded") / "seed.duckdb"
    open_store(path, seed=seed).close()
    return path


@pytest.fixture
def store(seeded_file, isolated_db):
    """A seeded store on the test's own file (a copy of the module's seeded database), or on
    PostgreSQL a database copied from the run's seeded one (``isolated_db`` made it)."""
    if isinstance(isolated_db, Path):
        shutil.copyfile(seeded_file, isolated_db)
    s = open_store(isolated_db, seed=seed)
    yield s
    s.close()
