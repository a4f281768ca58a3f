"""Load benchmark: many committee members opening the dashboard at once.

    python -m bench.bench_viewers [--viewers 1,10,20,50] [--rounds 2] [--synthetic]
                                  [--flag runner.postScriptGC=true ...] [--soak MINUTES --soak-viewers 10]

Starts the real dashboard on a seeded copy of the database (``--synthetic``: the 1,000-target
database of ``bench/synthetic.py``) and, as the floor, an app of empty pages with the same
navigation (``bench/floor_app``), both on 127.0.0.1 with the project's ``.streamlit/config.toml``.
A light client speaks Streamlit's websocket protocol directly (no browser): each of N sessions
connects, then opens the overview, a target page and the explorer in turn (one ``rerun_script``
BackMsg each), and a step is timed until its ``script_finished`` ForwardMsg. Prints p50/p95 per
step for the dashboard and for the floor, the ratios of the p50s and of the p95s, each page's p50
and its ratio to the floor's p50, the errors (a step that does not
finish within ``--timeout``, or a page that shows an exception), and the server's peak resident
memory. ``--flag`` passes a Streamlit setting to the dashboard (e.g. ``runner.postScriptGC=true``
to compare with the shipped configuration in the same run).

``--soak MINUTES`` (not for CI): ``--soak-viewers`` sessions loop the three steps for that long,
and the server's memory is printed every minute, to show whether it grows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
FLOOR_APP = Path(__file__).resolve().parent / "floor_app" / "app.py"
#: The three steps of a session: (url path of the page, query string).
STEPS = (("overview", ""), ("target", "target=eud_share"), ("explorer", ""))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MB, from /proc."""
    fields = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Server:
    """A Streamlit server in a child process, on 127.0.0.1."""

    def __init__(self, script: Path, db: Path | None, flags: list[str], log: Path) -> None:
        self.port = _free_port()
        self.log = log
        env = dict(os.environ, MALSPOR_DB=str(db)) if db else dict(os.environ)
        args = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(self.port),
                "--server.address", "127.0.0.1", "--server.headless", "true"]
        for flag in flags:
            key, _, value = flag.partition("=")
            args += [f"--{key}", value]
        # The server's log to a file (a pipe nobody reads would fill up and stall the server).
        self._log_file = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self._log_file)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stcore/health", timeout=1).read()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.log.read_text(errors="replace")[-2000:]) from None
                time.sleep(0.25)
        raise RuntimeError(f"streamlit did not start on port {self.port}")

    def rss(self) -> tuple[float, float]:
        return _rss_mb(self.proc.pid)

    def page_errors(self) -> list[str]:
        """Errors a page caught and logged (the reader saw a message, not a traceback)."""
        text = self.log.read_text(errors="replace")
        return [block.strip()[:3000] for block in text.split("Unexpected error on page")[1:]]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log_file.close()


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: {page: [] for page, _ in STEPS})
    errors: int = 0
    first_error: str = ""

    def error(self, why: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or why


def _rerun(page: str, query: str) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
    return msg.SerializeToString()


async def _step(ws: websockets.ClientConnection, page: str, query: str, timeout: float) -> str | None:
    """Ask for one page and wait for its script_finished; the exception text a page showed, if any."""
    await ws.send(_rerun(page, query))
    problem = None
    async with asyncio.timeout(timeout):
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                if msg.delta.new_element.WhichOneof("type") == "exception":
                    problem = msg.delta.new_element.exception.message or "exception"
            elif kind == "script_finished":
                # 0 = finished successfully; fragments finish with their own codes
                if msg.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                           ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                    return problem
                return problem or f"script_finished={msg.script_finished}"


async def _session(port: int, rounds: int, tally: Tally, timeout: float, until: float | None = None) -> None:
    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                      max_size=None, open_timeout=timeout) as ws:
            done = 0
            while (until is None and done < rounds) or (until is not None and time.monotonic() < until):
                for page, query in STEPS:
                    start = time.perf_counter()
                    try:
                        problem = await _step(ws, page, query, timeout)
                    except TimeoutError:
                        tally.error(f"{page}: no script_finished within {timeout:.0f} s")
                        return
                    tally.times[page].append(time.perf_counter() - start)
                    if problem:
                        tally.error(f"{page}: {problem[:200]}")
                done += 1
    except (OSError, websockets.WebSocketException) as exc:
        tally.error(f"connection: {exc}")


async def _crowd(port: int, viewers: int, rounds: int, timeout: float) -> Tally:
    tally = Tally()
    await asyncio.gather(*(_session(port, rounds, tally, timeout) for _ in range(viewers)))
    return tally


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _all(t: Tally) -> list[float]:
    return [x for values in t.times.values() for x in values]


def _seeded_copy(tmp: Path, synthetic: bool) -> Path:
    db = tmp / "malspor.duckdb"
    if synthetic:
        from bench.synthetic import build
        build(db).close()
    else:
        subprocess.run([sys.executable, "-m", "metrics", "init", "--db", str(db)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    return db


def run(args: argparse.Namespace) -> int:
    counts = [int(n) for n in args.viewers.split(",")]
    if max(counts) > 200 or args.rounds > 20:
        raise SystemExit("at most 200 viewers and 20 rounds: this benchmark must stay bounded")
    tmp = Path(tempfile.mkdtemp(prefix="malspor-viewers-"))
    servers: list[Server] = []
    try:
        db = _seeded_copy(tmp, args.synthetic)
        app = Server(ROOT / "dashboard.py", db, args.flag, tmp / "dashboard.log")
        floor = Server(FLOOR_APP, None, args.flag, tmp / "floor.log")
        servers += [app, floor]
        if args.soak:
            return _soak(app, args)
        asyncio.run(_crowd(app.port, 1, 1, args.timeout))  # warm both once (imports, first compute)
        asyncio.run(_crowd(floor.port, 1, 1, args.timeout))
        flags = " ".join(args.flag) or "(the project's .streamlit/config.toml)"
        print(f"dashboard on {'the synthetic database' if args.synthetic else 'the seed'}; settings: {flags}")
        print(f"{'viewers':>7} | {'p50 s':>6} {'p95 s':>6} | {'floor p50':>9} {'floor p95':>9} | {'ratio p50':>9} "
              f"{'ratio p95':>9} | {'errors':>6} | {'peak RSS MB':>11} | per step p50 s and x floor p50 "
              f"(overview / target / explorer)")
        failed = 0
        for n in counts:
            t_app = asyncio.run(_crowd(app.port, n, args.rounds, args.timeout))
            t_floor = asyncio.run(_crowd(floor.port, n, args.rounds, args.timeout))
            a, f = _all(t_app), _all(t_floor)
            steps = " / ".join(f"{_pct(t_app.times[p], 0.5):.2f} ({_pct(t_app.times[p], 0.5) / _pct(f, .5):.1f}x)"
                               for p, _ in STEPS)
            print(f"{n:>7} | {_pct(a, .5):>6.2f} {_pct(a, .95):>6.2f} | {_pct(f, .5):>9.2f} {_pct(f, .95):>9.2f} | "
                  f"{_pct(a, .5) / _pct(f, .5):>8.1f}x {_pct(a, .95) / _pct(f, .95):>8.1f}x | "
                  f"{t_app.errors + t_floor.errors:>6} | {app.rss()[1]:>11.0f} | {steps}", flush=True)
            for t in (t_app, t_floor):
                if t.errors:
                    print(f"        first error: {t.first_error}")
            failed += t_app.errors + t_floor.errors
        logged = app.page_errors()
        if logged:
            print(f"the dashboard logged {len(logged)} page errors; the first:\n{logged[0]}")
        return 1 if failed or logged else 0
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _soak(app: Server, args: argparse.Namespace) -> int:
    """Sessions loop the steps for ``--soak`` minutes; memory printed every minute."""
    print(f"soak: {args.soak_viewers} sessions for {args.soak} min; settings: {' '.join(args.flag) or 'config.toml'}")
    first_rss = None  # after the first minute: the server has then imported and computed what it keeps
    print(f"{'minute':>6} | {'RSS MB':>7} | {'peak MB':>7} | {'steps':>6} | {'p50 s':>6} | errors")
    errors = 0
    for minute in range(1, args.soak + 1):
        tally = Tally()
        until = time.monotonic() + 60

        async def crowd() -> None:
            await asyncio.gather(*(_session(app.port, 0, tally, args.timeout, until)
                                   for _ in range(args.soak_viewers)))

        asyncio.run(crowd())
        rss, peak = app.rss()
        first_rss = rss if first_rss is None else first_rss
        errors += tally.errors
        print(f"{minute:>6} | {rss:>7.0f} | {peak:>7.0f} | {len(_all(tally)):>6} | {_pct(_all(tally), .5):>6.2f} | "
              f"{tally.errors}", flush=True)
    print(f"growth: {app.rss()[0] - (first_rss or 0):+.0f} MB from minute 1 to minute {args.soak}")
    logged = app.page_errors()
    if logged:
        print(f"the dashboard logged {len(logged)} page errors; the first:\n{logged[0]}")
    return 1 if errors or logged else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--viewers", default="1,10,20,50", help="comma-separated session counts (default 1,10,20,50)")
    parser.add_argument("--rounds", type=int, default=2, help="times each session opens the three pages")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a step may take before it counts as an error")
    parser.add_argument("--synthetic", action="store_true", help="the 1,000-target synthetic database")
    parser.add_argument("--flag", action="append", default=[], help="a Streamlit setting, e.g. runner.postScriptGC=true")
    parser.add_argument("--soak", type=int, default=0, metavar="MINUTES", help="loop for this long, printing memory")
    parser.add_argument("--soak-viewers", type=int, default=10)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
