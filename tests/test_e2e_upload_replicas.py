"""Two dashboard processes on one PostgreSQL database, in a real headless Chromium: an upload
previewed on one replica is confirmed on the other, and the first shows the new figure.

Both replicas listen on 127.0.0.1 (different ports); a browser sends a host's cookies to every
port, so the sign-in cookie reaches both, as it does behind a load balancer. Screenshots go to
``test-artifacts/``. Needs a PostgreSQL server (tests/pg_support.py): skipped without one,
unless ``$MALSPOR_REQUIRE_PG`` is set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from metrics import auth
from metrics.database import open_store
from metrics.model import Actor
from metrics.store import PROJECT_ROOT
from tests.conftest import running_dashboard
from tests.test_e2e import settle as settle_run

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "korrekt-hest-batteri"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
#: A file as Danish Excel saves it: semicolons, decimal comma, Windows-1252, Danish headings.
DANISH_CSV = ("indikator;år;værdi;område;kilde;bemærkning\r\n"
              "eud_share;2024;30,0;Region Hovedstaden;Børne- og Undervisningsministeriet;foreløbig\r\n").encode("cp1252")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


@pytest.fixture
def replicas(pg_server, pg_seeded_template) -> Iterator[tuple[str, str, str]]:
    """Two `streamlit run dashboard.py` on one seeded PostgreSQL database with a local analyst
    account; yields both base URLs and the database's URL."""
    url = pg_server.database(template=pg_seeded_template)
    try:
        with open_store(url) as store:
            auth.add_local_user(store, Actor("e2e", "admin", via="cli"), "ana", "analyst", PASSWORD)
        with running_dashboard(url) as one, running_dashboard(url) as two:
            yield one, two, url
    finally:
        pg_server.drop(url)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run",
            "--disable-component-update", "--disable-sync"])
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="da-DK")
        pg = context.new_page()
        pg.set_default_timeout(45_000)
        yield pg
        context.close()
        browser.close()


def settle(page) -> None:
    """As the other e2e tests wait for a script run, with more time: two replicas share the machine."""
    settle_run(page, timeout=45_000)


def shot(page, name: str) -> Path:
    """A screenshot of the whole page in test-artifacts/ (the viewport grown to the page's height
    first: Streamlit scrolls inside its own container), then the 1440x900 viewport again."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                           "'[data-testid=stMain], [data-testid=stAppViewContainer]')].map(e => e.scrollHeight),"
                           " document.body.scrollHeight)")
    page.set_viewport_size({"width": 1440, "height": min(max(int(height) + 40, 900), 6000)})
    page.wait_for_timeout(600)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1440, "height": 900})
    return path


def test_an_upload_previewed_on_one_replica_is_confirmed_on_the_other(replicas, page, tmp_path):
    one, two, url = replicas
    page.goto(one + "/target?target=eud_share")
    page.get_by_text("Status: ✖ bevæger sig væk fra målet").wait_for()

    page.goto(one + "/upload")
    page.get_by_role("heading", name="Upload målinger").wait_for()
    sidebar = page.locator("section[data-testid='stSidebar']")
    sidebar.get_by_role("button", name="Log ind (lokal konto)").click()
    sidebar.get_by_label("Brugernavn").fill("ana")
    sidebar.get_by_label("Adgangskode", exact=True).fill(PASSWORD)
    sidebar.get_by_role("button", name="Log ind", exact=True).click()
    sidebar.get_by_text("Logget ind som ana (analytiker)").wait_for()
    settle(page)
    file = tmp_path / "eud_2024.csv"
    file.write_bytes(DANISH_CSV)
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(file))
    page.get_by_text("Forhåndsvisning: hvad importen vil ændre").wait_for()
    page.get_by_role("button", name="Bekræft import af eud_2024.csv").wait_for()
    page.wait_for_function("() => /[?&]upload=[0-9a-f]{32}/.test(window.location.search)")
    settle(page)
    shot(page, "replicas_1_preview_on_replica_one")
    upload_id = re.search(r"upload=([0-9a-f]{32})", page.url).group(1)
    with open_store(url) as store:
        assert store.stashed_upload(upload_id, "ana") == ("eud_2024.csv", DANISH_CSV)

    link = page.url.replace(one, two, 1)  # the same address, reaching the other process
    page.goto(link)
    page.locator("section[data-testid='stSidebar']").get_by_text("Logget ind som ana (analytiker)").wait_for()
    page.get_by_text("Du fortsætter med filen eud_2024.csv, som du uploadede").wait_for()
    page.get_by_text("Forhåndsvisning: hvad importen vil ændre").wait_for()
    page.get_by_text("Status, som importen ændrer").first.wait_for()
    settle(page)
    shot(page, "replicas_2_same_preview_on_replica_two")
    page.get_by_role("button", name="Bekræft import af eud_2024.csv").click()
    page.get_by_text("eud_2024.csv er importeret som kørsel 2: 1 tilføjet").wait_for()
    page.wait_for_function("() => !window.location.search.includes('upload=')")
    settle(page)
    shot(page, "replicas_3_confirmed_on_replica_two")
    with open_store(url) as store:
        assert store.stashed_upload(upload_id, "ana") is None
        batch = store.batches().set_index("batch_id").loc[2]
        assert (batch["user_name"], batch["file_name"], batch["n_added"]) == ("ana", "eud_2024.csv", 1)

    page.goto(one + "/target?target=eud_share")  # a reload on the first process
    page.get_by_text("Status: ✔ mål nået").wait_for()
    page.get_by_role("tab", name="Tabel").click()
    row = page.locator("table.ms-table tr", has_text="foreløbig").filter(has_text="2024").first
    row.wait_for()
    assert re.search(r"^2024\s+30\s%\s+målt\s+Børne- og Undervisningsministeriet", row.inner_text())  # the new figure
    settle(page)
    shot(page, "replicas_4_new_figure_on_replica_one")

    page.goto(one + f"/upload?upload={upload_id}")  # the old link, once confirmed
    page.get_by_text("Uploaden i linket venter ikke længere").wait_for()
    page.locator("[data-testid=stDataFrame] td", has_text="eud_2024.csv").first.wait_for(state="attached")  # batches
    settle(page)
    shot(page, "replicas_5_old_link_on_replica_one")
