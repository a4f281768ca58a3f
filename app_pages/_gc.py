"""Python's garbage collector, set for one process that serves a committee's worth of sessions.

Not a page (the leading underscore). Streamlit's own full collection after every script run is off
(``runner.postScriptGC = false`` in ``.streamlit/config.toml``); Python's automatic collector still
runs, and each of its full (oldest-generation) collections stops every session at once, because
it holds the interpreter lock while it walks every tracked object. With pandas, Plotly, DuckDB and
Streamlit imported that is some 150,000 objects, 120-155 ms per full collection, about one every
3 s while 20 viewers open pages: the slowest steps of a crowd were the ones caught by one.

Two changes, both process-wide:

* :func:`freeze_after_first_run`: once per process, at the end of its first script run (by then
  the store, pandas, Plotly, DuckDB and the pages' shared code are imported), every object alive is
  moved to the permanent generation (``gc.freeze()``), which no collection walks again. Once, and
  that early, because a freeze keeps whatever is alive at that moment out of the collector's reach
  for good: later on that would include other sessions' state (an upload preview, its bytes), and a
  reference cycle among them would never be freed when it dies. At the first run there is one
  session and nothing uploaded; what it can keep is that one run's own objects. The young
  generations are collected just before (a few milliseconds), so that run's garbage is freed, not
  frozen. Modules imported later (the Excel readers, the PNG export) stay with the collector.
* :data:`YOUNG_THRESHOLD`: the youngest generation is collected after 10,000 new objects instead of
  700, so a step's short-lived objects are mostly freed before a collection would move them into
  an older generation, and the older ones fill (and trigger a full collection) less often.

Measured with ``python -m bench.bench_viewers`` (which counts the full collections during its crowds,
``MALSPOR_GC_LOG``) against ``--python-gc`` (Python's settings): see the README's figures.
"""

from __future__ import annotations

import atexit
import gc
import os
import threading
import time

#: New objects (allocations less deallocations) before the youngest generation is collected; Python's default is 700.
YOUNG_THRESHOLD = 10_000

#: ``MALSPOR_GC=python`` keeps Python's own settings (for ``bench_viewers --python-gc``, to compare).
PYTHON_DEFAULTS = os.environ.get("MALSPOR_GC") == "python"

_lock = threading.Lock()
_frozen = False


def tune() -> None:
    """Raise the youngest generation's threshold to :data:`YOUNG_THRESHOLD` (never lower it)."""
    young, *older = gc.get_threshold()
    if not PYTHON_DEFAULTS and young and young < YOUNG_THRESHOLD:  # 0: collection disabled by someone on purpose
        gc.set_threshold(YOUNG_THRESHOLD, *older)


def freeze_after_first_run() -> bool:
    """``gc.freeze()`` at the end of the process's first script run; True when it froze (once).

    Called at the end of every script run: after the first it costs one test. Runs of several
    sessions may end together, hence the lock.
    """
    global _frozen
    if PYTHON_DEFAULTS or _frozen:
        return False
    with _lock:
        if _frozen:
            return False
        _frozen = True
        gc.collect(1)  # the young generations only (a few ms): what this run left as garbage is freed, not frozen
        gc.freeze()
        return True


def log_full_collections(path: str):  # noqa: ANN201 - the callback, so a test can remove it
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
    return callback


tune()
if os.environ.get("MALSPOR_GC_LOG"):
    log_full_collections(os.environ["MALSPOR_GC_LOG"])
# At exit the frozen objects go back to the collector, so the interpreter's last collection frees them
# (DuckDB's bindings otherwise report their types as leaked when the process ends).
atexit.register(gc.unfreeze)
