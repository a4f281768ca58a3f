"""Python's garbage collector, set for one process that serves a committee's worth of sessions.

Not a page (the leading underscore). Streamlit's own full collection after every script run is off
(``runner.postScriptGC = false`` in ``.streamlit/config.toml``); Python's automatic collector still
runs, and each of its full (oldest-generation) collections stops every session at once, because
it holds the interpreter lock while it walks every tracked object. With pandas, Plotly, DuckDB and
Streamlit imported that is some 150,000 objects, so 120-155 ms per full collection, about one every
3 s while 20 viewers open pages: the slowest steps of a crowd were the ones caught by one.

Two changes, both process-wide and made once:

* :func:`freeze_new_imports`: after a script run that imported modules (the first visit of each
  page in a process), every object alive then is moved to the permanent generation
  (``gc.freeze()``), which no collection walks again. What is frozen is the imported code and the
  shared caches, which live as long as the process anyway. The young generations are collected just
  before (a few milliseconds), so what that run left behind is freed, not frozen; the bounded cost is
  that a reference cycle which dies later among the frozen objects is not freed, and that happens a
  handful of times per process, never on an ordinary rerun (``tests/test_gc.py``).
* :data:`YOUNG_THRESHOLD`: the youngest generation is collected after 10,000 new objects instead of
  700, so a step's short-lived objects are mostly freed before a collection would move them into
  an older generation, and the older ones fill (and trigger a full collection) less often.

Measured with ``python -m bench.bench_viewers --viewers 20 --repeats 6`` and the collector's own
callbacks (``gc.callbacks``) logging each collection, the two schemes in the same period
(2026-12-06): with Python's defaults 8 full collections of up to 98 ms (776 ms in all) and a p95
per step of 0.35 s; with both changes 3 of at most 58 ms (124 ms in all) and a p95 of 0.24 s.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading
import time

#: New objects (allocations less deallocations) before the youngest generation is collected; Python's default is 700.
YOUNG_THRESHOLD = 10_000

#: ``MALSPOR_GC=python`` keeps Python's own settings (for ``bench_viewers --python-gc``, to compare).
PYTHON_DEFAULTS = os.environ.get("MALSPOR_GC") == "python"

_lock = threading.Lock()
_modules_seen = 0


def tune() -> None:
    """Raise the youngest generation's threshold to :data:`YOUNG_THRESHOLD` (never lower it)."""
    young, *older = gc.get_threshold()
    if not PYTHON_DEFAULTS and young and young < YOUNG_THRESHOLD:  # 0: collection disabled by someone on purpose
        gc.set_threshold(YOUNG_THRESHOLD, *older)


def freeze_new_imports() -> bool:
    """``gc.freeze()`` when modules were imported since the last call; True when it froze.

    Called at the end of every script run: on an ordinary rerun no module is new and it costs one
    comparison. Runs of several sessions may end together, hence the lock.
    """
    global _modules_seen
    count = len(sys.modules)
    if PYTHON_DEFAULTS or count <= _modules_seen:
        return False
    with _lock:
        if count <= _modules_seen:
            return False
        _modules_seen = count
        gc.collect(1)  # the young generations only (a few ms): what this run left as garbage is freed, not frozen
        gc.freeze()
        return True


def log_full_collections(path: str) -> None:
    """Append a line per full collection to ``path``: its Unix time, milliseconds, and objects freed.

    For ``bench.bench_viewers``, which sets ``MALSPOR_GC_LOG`` and counts the pauses during its crowds.
    """
    out = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - open for the process's life
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            out.write(f"{time.time():.3f} {(time.perf_counter() - started[0]) * 1000:.1f} {info.get('collected', 0)}\n")

    gc.callbacks.append(callback)


tune()
if os.environ.get("MALSPOR_GC_LOG"):
    log_full_collections(os.environ["MALSPOR_GC_LOG"])
# At exit the frozen objects go back to the collector, so the interpreter's last collection frees them
# (DuckDB's bindings otherwise report their types as leaked when the process ends).
atexit.register(gc.unfreeze)
