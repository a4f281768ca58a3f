"""Load benchmark: many committee members opening the dashboard at once.

    python -m bench.bench_viewers [--viewers 1,10,20,50] [--rounds 2] [--repeats 3] [--synthetic]
                                  [--flag runner.postScriptGC=true ...] [--python-gc]
                                  [--soak MINUTES --soak-viewers 10]
                                  [--replicas K (--pg | --db-url postgresql://...)]

Starts the real dashboard on a seeded copy of the database (``--synthetic``: the 1,000-target
database of ``bench/synthetic.py``) and, as the floor, an app of empty pages with the same
navigation (``bench/floor_app``), both on 127.0.0.1 with the project's ``.streamlit/config.toml``.
A light client speaks Streamlit's websocket protocol directly (no browser): each of N sessions
connects, then opens the overview, a target page and the explorer in turn (one ``rerun_script``
BackMsg each), and a step is timed until its ``script_finished`` ForwardMsg. Each viewer count
runs ``--repeats`` crowds of the dashboard and of the floor in turn (a p95 of one crowd moves by a
quarter from one crowd to the next on a shared machine). Prints p50/p95 per step over all the
crowds for the dashboard and for the floor, the ratios of the p50s and of the p95s, each page's p50
and its ratio to the floor's p50, the errors (a step that does not finish within ``--timeout``, or
a page that shows an exception), the server's peak resident memory, and the p95 ratio of each
repeat with their median. ``--flag`` passes a Streamlit setting to the dashboard (e.g.
``runner.postScriptGC=true`` to compare with the shipped configuration in the same run). Under each
row: the dashboard's full garbage collections during that row's crowds (each stops every session;
logged by ``app_pages/_gc.py`` when ``MALSPOR_GC_LOG`` names a file), their count, total and longest.
``--python-gc`` runs the dashboard with Python's own collector settings instead of ``_gc.py``'s.

``--replicas K`` starts K dashboard processes on one PostgreSQL database (``--pg``: a throwaway
server started as in the tests, ``tests/pg_support.py``, with a seeded database; ``--db-url``: an
existing, seeded Målspor database) and deals the N sessions out round-robin over them, as a load
balancer with sticky sessions would. The floor then runs as K processes as well, the sessions
dealt out the same way, so the ratio compares like with like. The memory shown is then the sum
over the K dashboard processes of each one's peak. ``--pg`` with one replica measures one
dashboard on PostgreSQL.

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
#: The page name a browser sends for a step: the overview is the default page, served at the root.
PAGE_NAMES = {"overview": ""}


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

    def __init__(self, script: Path, db: Path | str | None, flags: list[str], log: Path,
                 env_extra: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.log = log
        env = dict(os.environ, MALSPOR_DB=str(db)) if db else dict(os.environ)
        env.update(env_extra or {})
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

    def merge(self, other: Tally) -> None:
        """Add another crowd's times and errors to these."""
        for page, values in other.times.items():
            self.times[page] += values
        self.errors += other.errors
        self.first_error = self.first_error or other.first_error


def _rerun(page: str, query: str) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = PAGE_NAMES.get(page, page)
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
            if kind == "page_not_found":  # the step would time the main page instead: an error
                problem = f"page not found: {page!r}"
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
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


def deal(viewers: int, ports: list[int]) -> list[int]:
    """The port each of ``viewers`` sessions talks to: round-robin over the replicas."""
    return [ports[i % len(ports)] for i in range(viewers)]


async def _crowd(ports: list[int], viewers: int, rounds: int, timeout: float) -> Tally:
    tally = Tally()
    await asyncio.gather(*(_session(port, rounds, tally, timeout) for port in deal(viewers, ports)))
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


def _seeded_pg(tmp: Path, synthetic: bool, server) -> str:
    """A new database on ``server`` holding the seed (or the synthetic database, via backup and restore)."""
    url = server.database()
    if not synthetic:
        subprocess.run([sys.executable, "-m", "metrics", "init", "--db", url], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        return url
    env = dict(os.environ, MALSPOR_BACKUP_KEY=os.urandom(16).hex())
    file = _seeded_copy(tmp, True)
    for args in (["--db", str(file), "backup", "--out", str(tmp / "synthetic")],
                 ["--db", url, "restore", str(tmp / "synthetic")]):
        subprocess.run([sys.executable, "-m", "metrics", *args], cwd=ROOT, check=True, env=env,
                       stdout=subprocess.DEVNULL)
    return url


def full_collections(logs: list[Path], since: float, until: float) -> list[float]:
    """The milliseconds of each full collection the dashboards logged between two Unix times (app_pages/_gc.py)."""
    pauses = []
    for log in logs:
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        for line in lines:
            fields = line.split()
            if len(fields) != 3:  # a line the dashboard is still writing
                continue
            if since <= float(fields[0]) <= until:
                pauses.append(float(fields[1]))
    return pauses


def _peak_mb(servers: list[Server]) -> float:
    """The sum over the processes of each one's peak resident memory."""
    return sum(server.rss()[1] for server in servers)


def run(args: argparse.Namespace) -> int:
    counts = [int(n) for n in args.viewers.split(",")]
    if max(counts) > 200 or args.rounds > 20 or not 1 <= args.repeats <= 10 or not 1 <= args.replicas <= 8:
        raise SystemExit("at most 200 viewers, 20 rounds, 10 repeats and 8 replicas: this benchmark must stay bounded")
    if args.replicas > 1 and not (args.pg or args.db_url):
        raise SystemExit("--replicas needs PostgreSQL (--pg or --db-url): the embedded file opens in one process only")
    tmp = Path(tempfile.mkdtemp(prefix="malspor-viewers-"))
    servers: list[Server] = []
    pg_server = None
    try:
        if args.db_url:
            db, where = args.db_url, "the PostgreSQL database given"
        elif args.pg:
            from tests.pg_support import PgServer

            pg_server = PgServer()
            db, where = _seeded_pg(tmp, args.synthetic, pg_server), "a throwaway PostgreSQL server"
        else:
            db, where = _seeded_copy(tmp, args.synthetic), "the embedded file"
        gc_logs = [tmp / f"gc{i}.log" for i in range(args.replicas)]  # the dashboards' full collections
        apps = [Server(ROOT / "dashboard.py", db, args.flag, tmp / f"dashboard{i}.log",
                       env_extra={"MALSPOR_GC_LOG": str(gc_logs[i]), **({"MALSPOR_GC": "python"} if args.python_gc else {})})
                for i in range(args.replicas)]
        servers += apps
        floors = [Server(FLOOR_APP, None, args.flag, tmp / f"floor{i}.log") for i in range(args.replicas)]
        servers += floors
        app_ports, floor_ports = [a.port for a in apps], [f.port for f in floors]
        if args.soak:
            return _soak(apps, args)
        for port in app_ports + floor_ports:  # warm each process once (imports, first compute)
            asyncio.run(_crowd([port], 1, 1, args.timeout))
        flags = " ".join(args.flag) or "(the project's .streamlit/config.toml)"
        print(f"dashboard on {'the synthetic database' if args.synthetic else 'the seed'} in {where}; "
              f"settings: {flags}")
        if args.replicas > 1:
            print(f"{args.replicas} dashboard processes on one database and, as the floor, {args.replicas} floor "
                  f"processes; the sessions dealt out round-robin over each; peak RSS: the sum of the "
                  f"{args.replicas} dashboard processes' peaks")
        else:
            print("one dashboard process; the floor: one floor process")
        print(f"{'viewers':>7} | {'p50 s':>6} {'p95 s':>6} | {'floor p50':>9} {'floor p95':>9} | {'ratio p50':>9} "
              f"{'ratio p95':>9} | {'errors':>6} | {'peak RSS MB':>11} | per step p50 s and x floor p50 "
              f"(overview / target / explorer) | ratio p95 in each repeat")
        failed = 0
        for n in counts:
            t_app, t_floor, per_repeat = Tally(), Tally(), []
            since = time.time()
            for _ in range(args.repeats):  # in turn, so a slow spell of the machine falls on both
                one_app = asyncio.run(_crowd(app_ports, n, args.rounds, args.timeout))
                one_floor = asyncio.run(_crowd(floor_ports, n, args.rounds, args.timeout))
                per_repeat.append(_pct(_all(one_app), .95) / _pct(_all(one_floor), .95))
                t_app.merge(one_app)
                t_floor.merge(one_floor)
            a, f = _all(t_app), _all(t_floor)
            steps = " / ".join(f"{_pct(t_app.times[p], 0.5):.2f} ({_pct(t_app.times[p], 0.5) / _pct(f, .5):.1f}x)"
                               for p, _ in STEPS)
            print(f"{n:>7} | {_pct(a, .5):>6.2f} {_pct(a, .95):>6.2f} | {_pct(f, .5):>9.2f} {_pct(f, .95):>9.2f} | "
                  f"{_pct(a, .5) / _pct(f, .5):>8.1f}x {_pct(a, .95) / _pct(f, .95):>8.1f}x | "
                  f"{t_app.errors + t_floor.errors:>6} | {_peak_mb(apps):>11.0f} | {steps} | "
                  f"{' / '.join(f'{r:.1f}x' for r in per_repeat)} (median {statistics.median(per_repeat):.1f}x)",
                  flush=True)
            pauses = full_collections(gc_logs, since, time.time())
            print(f"{'':>7}   the dashboard's full garbage collections during these crowds: {len(pauses)}"
                  + (f", {sum(pauses):.0f} ms in all, the longest {max(pauses):.0f} ms" if pauses else ""), flush=True)
            for t in (t_app, t_floor):
                if t.errors:
                    print(f"        first error: {t.first_error}")
            failed += t_app.errors + t_floor.errors
        logged = [error for app in apps for error in app.page_errors()]
        if logged:
            print(f"the dashboard logged {len(logged)} page errors; the first:\n{logged[0]}")
        return 1 if failed or logged else 0
    finally:
        for server in servers:
            server.stop()
        if pg_server:
            pg_server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _soak(apps: list[Server], args: argparse.Namespace) -> int:
    """Sessions loop the steps for ``--soak`` minutes (dealt out over the replicas); memory printed every minute.

    With several replicas the memory shown is the sum over them (current and each one's peak)."""
    print(f"soak: {args.soak_viewers} sessions for {args.soak} min; settings: {' '.join(args.flag) or 'config.toml'}")
    first_rss = None  # after the first minute: the server has then imported and computed what it keeps
    print(f"{'minute':>6} | {'RSS MB':>7} | {'peak MB':>7} | {'steps':>6} | {'p50 s':>6} | errors")
    errors = 0
    for minute in range(1, args.soak + 1):
        tally = Tally()
        until = time.monotonic() + 60

        async def crowd() -> None:
            await asyncio.gather(*(_session(port, 0, tally, args.timeout, until)
                                   for port in deal(args.soak_viewers, [app.port for app in apps])))

        asyncio.run(crowd())
        rss, peak = (sum(values) for values in zip(*(app.rss() for app in apps)))
        first_rss = rss if first_rss is None else first_rss
        errors += tally.errors
        print(f"{minute:>6} | {rss:>7.0f} | {peak:>7.0f} | {len(_all(tally)):>6} | {_pct(_all(tally), .5):>6.2f} | "
              f"{tally.errors}", flush=True)
    print(f"growth: {sum(app.rss()[0] for app in apps) - (first_rss or 0):+.0f} MB from minute 1 to minute {args.soak}")
    logged = [error for app in apps for error in app.page_errors()]
    if logged:
        print(f"the dashboard logged {len(logged)} page errors; the first:\n{logged[0]}")
    return 1 if errors or logged else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--viewers", default="1,10,20,50", help="comma-separated session counts (default 1,10,20,50)")
    parser.add_argument("--rounds", type=int, default=2, help="times each session opens the three pages")
    parser.add_argument("--repeats", type=int, default=3,
                        help="crowds per viewer count, dashboard and floor in turn (the figures pool them)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a step may take before it counts as an error")
    parser.add_argument("--synthetic", action="store_true", help="the 1,000-target synthetic database")
    parser.add_argument("--flag", action="append", default=[], help="a Streamlit setting, e.g. runner.postScriptGC=true")
    parser.add_argument("--python-gc", action="store_true",
                        help="the dashboard with Python's own garbage collector settings (MALSPOR_GC=python), to compare")
    parser.add_argument("--soak", type=int, default=0, metavar="MINUTES", help="loop for this long, printing memory")
    parser.add_argument("--soak-viewers", type=int, default=10)
    parser.add_argument("--replicas", type=int, default=1, help="dashboard processes on one PostgreSQL database")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--pg", action="store_true", help="start a throwaway PostgreSQL server with a seeded database")
    where.add_argument("--db-url", metavar="URL", help="an existing, seeded Målspor database (postgresql://...)")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
