"""Two dashboard processes on one PostgreSQL database, with the command line writing beside them.

What a region running replicas relies on: a write made by another process (here the command
line, as the nightly job does) is on both dashboards at the next page load; while a big import
runs, both keep answering and show the figures before it or after it, never a part of it; and
every command of the command line works while they run.

The pages are loaded as a browser loads them, over Streamlit's websocket (a new session per load,
as a reload is), without a browser: a page load is counted as answered when its script finished
without an exception on the page. The figure checked is the overview's headline ("4 af 9 mål er
nået eller på rette vej"), which the test files below move by whole targets.
"""

from __future__ import annotations

import asyncio
import csv
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from google.protobuf import text_format
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from metrics.store import PROJECT_ROOT
from tests.conftest import running_dashboard

pytestmark = pytest.mark.slow

HEADLINE = re.compile(r"(\d+) af (\d+)</span> mål er nået eller på rette vej")
#: The seed's overview headline, and after eud_share 2024 = 30 % (met), and after that and
#: public_transport_passengers 2025 = 264.5 (met) as well.
SEED, ONE_MORE, TWO_MORE = (4, 9), (5, 9), (6, 9)


@pytest.fixture(scope="module")
def shared(pg_server, pg_seeded_template) -> Iterator[tuple[str, str, str]]:
    """A seeded PostgreSQL database and two dashboards on it: (database URL, dashboard 1, dashboard 2)."""
    url = pg_server.database(template=pg_seeded_template)
    try:
        with running_dashboard(url) as one, running_dashboard(url) as two:
            yield url, one, two
    finally:
        pg_server.drop(url)


async def _load(base: str, page: str, query: str) -> str:
    """One page load in a new session; the page's elements as text. Fails on an exception shown."""
    shown: list[str] = []
    async with websockets.connect(base.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, open_timeout=60) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = page
        await ws.send(msg.SerializeToString())
        async with asyncio.timeout(90):
            while True:
                fwd = ForwardMsg()
                fwd.ParseFromString(await ws.recv())
                kind = fwd.WhichOneof("type")
                if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                    element = fwd.delta.new_element
                    assert element.WhichOneof("type") != "exception", element.exception.message
                    shown.append(text_format.MessageToString(element, as_utf8=True))
                elif kind == "script_finished":
                    assert fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY, fwd.script_finished
                    return "\n".join(shown).replace('\\"', '"')


def headline(base: str) -> tuple[int, int]:
    """The overview's "n af m mål er nået eller på rette vej", read from a fresh load of the root (where the overview is served)."""
    found = HEADLINE.search(asyncio.run(_load(base, "", "")))
    assert found, "the overview shows no headline"
    return int(found[1]), int(found[2])


def cli(url: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m metrics --db URL ...`` in its own process; it must succeed."""
    done = subprocess.run([sys.executable, "-m", "metrics", "--db", url, *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def batch_of(done: subprocess.CompletedProcess) -> int:
    return int(re.search(r"as batch (\d+)", done.stdout)[1])


def eud_file(path: Path) -> Path:
    """One figure that makes eud_share met: the headline goes up by one target."""
    path.write_text("target_id,geography,year,value,source\neud_share,Region Hovedstaden,2024,30,test\n")
    return path


def big_file(path: Path, filler: int) -> Path:
    """Two targets made met, the first row and the last, around ``filler`` rows for new areas."""
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["target_id", "geography", "year", "value", "source"])
        out.writerow(["eud_share", "Region Hovedstaden", 2024, 30, "test"])
        for i in range(filler):
            out.writerow(["neet_youth", f"Testområde {i // 25:05d}", 2000 + i % 25, 1000 + i % 97, "test"])
        out.writerow(["public_transport_passengers", "Region Hovedstaden", 2025, 264.5, "test"])
    return path


def status_rows(url: str) -> int:
    return len(json.loads(cli(url, "status", "--format", "json").stdout))


def test_a_write_by_another_process_is_on_both_dashboards_at_the_next_load(shared, tmp_path):
    url, one, two = shared
    assert headline(one) == headline(two) == SEED
    batch = batch_of(cli(url, "import", str(eud_file(tmp_path / "eud.csv"))))
    assert headline(two) == ONE_MORE
    assert headline(one) == ONE_MORE
    cli(url, "undo", str(batch))
    assert headline(one) == headline(two) == SEED


def test_b_both_dashboards_answer_during_a_big_import_and_never_show_half_of_it(shared, tmp_path):
    url, one, two = shared
    before = status_rows(url)
    big = big_file(tmp_path / "big.csv", 100_000)  # 4,000 new areas: 4,000 more status rows
    importing = subprocess.Popen([sys.executable, "-m", "metrics", "--db", url, "import", str(big)],
                                 cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen, rows_seen = [], []
    try:
        while importing.poll() is None:
            seen += [headline(one), headline(two)]  # every load must finish without an error
            rows_seen.append(status_rows(url))  # a third process reading meanwhile
    finally:
        out, err = importing.communicate(timeout=300)
    assert importing.returncode == 0, out + err
    assert seen, "no page was loaded while the import ran"
    assert set(seen) <= {SEED, TWO_MORE}, seen
    assert set(rows_seen) <= {before, before + 4000}, rows_seen
    assert headline(one) == headline(two) == TWO_MORE
    assert status_rows(url) == before + 4000
    cli(url, "undo", re.search(r"as batch (\d+)", out)[1])
    assert headline(two) == headline(one) == SEED


def test_c_every_command_works_while_two_dashboards_run(shared, pg_server, tmp_path):
    url, one, two = shared
    batch = batch_of(cli(url, "import", str(eud_file(tmp_path / "eud.csv"))))
    assert any(b["batch_id"] == batch for b in json.loads(cli(url, "batches", "--format", "json").stdout))
    status = json.loads(cli(url, "status", "--format", "json").stdout)
    eud = next(r for r in status if r["target_id"] == "eud_share" and r["geography"] == "Region Hovedstaden")
    assert eud["status"] == "met"

    cli(url, "report", "--format", "md", "--out", str(tmp_path / "memo.md"))
    assert "eud" in (tmp_path / "memo.md").read_text(encoding="utf-8").lower()

    cli(url, "backup", "--out", str(tmp_path / "backup"))
    restored = pg_server.database()
    try:
        cli(restored, "restore", str(tmp_path / "backup"))
        assert json.loads(cli(restored, "status", "--format", "json").stdout) == status
    finally:
        pg_server.drop(restored)

    cli(url, "undo", str(batch))
    assert headline(one) == headline(two) == SEED
    back = json.loads(cli(url, "status", "--format", "json").stdout)
    assert next(r for r in back if r["target_id"] == "eud_share"
                and r["geography"] == "Region Hovedstaden")["status"] == "moving_away"
