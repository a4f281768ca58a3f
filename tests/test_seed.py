"""The seed (metrics/seed.py) and the layering it restores: the store imports nothing above it."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from metrics.database import open_store
from metrics import audit
from metrics.model import MalsporError
from metrics.seed import seed
from metrics.store import DATA_DIR, PROJECT_ROOT, Store

METRICS = PROJECT_ROOT / "metrics"


def test_a_new_database_opened_with_the_seed_holds_the_action_plan(isolated_db):
    with open_store(isolated_db, seed=seed) as store:
        assert store.scalar("SELECT count(*) FROM targets") == 11
        assert store.scalar("SELECT count(*) FROM observations") == 49
        batch = store.batches().iloc[0]
        assert batch["user_name"] == "seed" and batch["file_name"] == "data/observations.csv"
        row = audit.read(store, action="seed").iloc[0]
        assert row["via"] == "system" and json.loads(row["after"])["initiatives"] == 21


def test_seeding_a_database_that_holds_targets_is_refused_and_writes_nothing(store):
    before = store.checksum()
    with pytest.raises(MalsporError) as info:
        seed(store)
    assert info.value.code == "seed_not_empty"
    assert store.checksum() == before


def test_the_seed_can_come_from_another_folder(tmp_path, empty_store):
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder, ignore=shutil.ignore_patterns("*.duckdb*"))
    lines = (folder / "observations.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "observations.csv").write_text("".join(lines[:-1]), encoding="utf-8")  # one observation fewer
    seed(empty_store, data_dir=folder)
    assert empty_store.scalar("SELECT count(*) FROM observations") == 48
    assert "seeded from data/" in audit.read(empty_store, action="seed").iloc[0]["detail"]


def test_opening_without_a_seed_makes_an_empty_database(isolated_db):
    with open_store(isolated_db) as store:
        assert store.is_empty() and store.batches().empty


def _python(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_store_imports_nothing_above_it():
    """A fresh interpreter: importing the store loads only the model and the audit trail of metrics."""
    loaded = json.loads(_python(
        "import json, sys, metrics.store; print(json.dumps(sorted(m for m in sys.modules if m.startswith('metrics'))))"))
    assert loaded == ["metrics", "metrics.audit", "metrics.model", "metrics.store"]


def _module_name(path: Path) -> str:
    """``metrics/ingest/read.py`` -> ``metrics.ingest.read``; a package's ``__init__.py`` is the package."""
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(METRICS.rglob("*.py"))


def test_every_metrics_module_imports_on_its_own_and_none_imports_streamlit():
    """Each module imported first, as if alone: a cycle would fail for the module that starts it.

    One interpreter, with metrics' modules dropped from ``sys.modules`` before each import, rather
    than one interpreter per module: a module's own code runs afresh either way, and twenty fresh
    pandas imports would cost this 2-core machine half a minute.
    """
    names = sorted(_module_name(p) for p in MODULES)
    result = json.loads(_python(f"""
import importlib, json, sys
out = {{}}
for name in {names!r}:
    for loaded in [m for m in sys.modules if m == 'metrics' or m.startswith('metrics.')]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
        out[name] = 'ok'
    except Exception as exc:
        out[name] = f'{{type(exc).__name__}}: {{exc}}'
out['streamlit loaded'] = 'streamlit' in sys.modules
print(json.dumps(out))
"""))
    assert result.pop("streamlit loaded") is False
    assert result == {name: "ok" for name in names}


def _imports(path: Path) -> set[str]:
    """The metrics modules ``path`` imports, at module level or inside functions (not TYPE_CHECKING)."""
    name = _module_name(path)
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                   for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module) if p)
            if module == "metrics" or (node.level and not node.module):
                found |= {f"{module}.{alias.name}" for alias in node.names}  # a module, or a name of the package
            elif module.startswith("metrics."):
                found.add(module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("metrics.")}
    return found


def test_no_import_cycle_among_metrics_modules():
    """Not even through an import inside a function (Store.seed's import of ingest was one)."""
    graph = {_module_name(p): _imports(p) - {_module_name(p)} for p in MODULES}
    state: dict[str, int] = {}
    path: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for dep in sorted(graph.get(module, ())):
            if state.get(dep) == 1:
                cycles.append(path[path.index(dep):] + [dep])
            elif dep not in state:
                visit(dep)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert cycles == []
    assert graph["metrics.store"] <= {"metrics.model", "metrics.audit"}
