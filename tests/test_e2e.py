"""Whole flows in a real headless Chromium against `streamlit run` (Playwright), with axe-core scans.

Screenshots of each page go to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from metrics import auth
from metrics.model import Actor
from metrics.store import PROJECT_ROOT, Store

CHROMIUM = "/usr/bin/chromium"
ANA_PASSWORD = "korrekt-hest-batteri"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free port with a fresh database; waits for /_stcore/health."""
    port = _free_port()
    db = tmp_path_factory.mktemp("e2e") / "malspor.duckdb"
    with Store.open(db) as store:  # a local analyst account, made before the dashboard holds the file
        auth.add_local_user(store, Actor("e2e", "admin", via="cli"), "ana", "analyst", ANA_PASSWORD)
    env = {**os.environ, "MALSPOR_DB": str(db)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboard.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.terminate()
        pytest.fail("streamlit did not become healthy within 60 s")
    yield base
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="da-DK")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def settle(page) -> None:
    """Wait until the script run has finished (Streamlit's running indicator is gone)."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=30_000)
    page.locator("[data-testid='stSkeleton']").first.wait_for(state="detached", timeout=30_000)
    page.wait_for_timeout(500)


def open_page(page, url: str, heading: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name=heading, exact=False).first.wait_for()
    settle(page)


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page) -> list[dict]:
    """axe-core violations of impact serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


def test_a_deep_link_as_the_servers_first_request_gets_the_whole_frame(server, page):
    """The first request of a fresh server is a deep link: the page must still come with navigation,
    language switch and sign-in (a folder named pages/ broke exactly this)."""
    open_page(page, server + "/upload?lang=en", "Upload")
    sidebar = page.locator("section[data-testid='stSidebar']")
    sidebar.get_by_role("radio", name="English").wait_for()
    sidebar.get_by_text("Gap explorer").wait_for()
    assert sidebar.get_by_role("button", name="Sign in").count() == 1


def test_overview_then_follow_a_target(server, page):
    open_page(page, server + "/", "Overblik over målene")
    page.get_by_text("4 af 9 mål er nået eller på rette vej").wait_for()
    shot(page, "overview_da")
    page.get_by_role("combobox", name="Gå til et mål").click()
    page.get_by_role("option", name="Unge der vælger en erhvervsuddannelse (EUD)").click()
    page.get_by_role("heading", name="Mål i detaljer").wait_for()
    page.get_by_text("Status: ✖ bevæger sig væk fra målet").wait_for()
    assert "target=eud_share" in page.url
    settle(page)
    shot(page, "target_eud_da")


def test_switch_language(server, page):
    open_page(page, server + "/", "Overblik over målene")
    page.get_by_role("radio", name="English").click()
    page.get_by_role("heading", name="Overview of the targets").wait_for()
    page.get_by_text("4 of 9 targets met or on track").wait_for()
    page.wait_for_function("() => window.location.search.includes('lang=en')")
    settle(page)
    shot(page, "overview_en")


def test_cold_deep_links(server, page):
    open_page(page, server + "/target?target=eud_share&geo=Danmark", "Unge der vælger en erhvervsuddannelse")
    page.get_by_text("Status: ▼ utilstrækkelig fremgang").wait_for()
    settle(page)
    shot(page, "target_eud_danmark_deeplink")
    open_page(page, server + "/explorer?status=moving_away&lang=en", "Gap explorer")
    page.get_by_text("2 targets shown").wait_for()
    settle(page)
    shot(page, "explorer_filtered_en")
    open_page(page, server + "/?target=stem_admissions", "Optagne på STEM-uddannelser")


def test_presentation_mode(server, page):
    open_page(page, server + "/explorer?present=1", "Afstand til målene")
    page.get_by_role("button", name="Afslut præsentation").wait_for()
    assert not page.locator("section[data-testid='stSidebar']").is_visible()
    shot(page, "explorer_presentation")


@pytest.mark.parametrize(("path", "heading"), [
    ("/", "Overblik over målene"),
    ("/target?target=eud_share", "Mål i detaljer"),
    ("/explorer", "Afstand til målene"),
    ("/?lang=en", "Overview of the targets"),
])
def test_accessibility_scan(server, page, path, heading):
    open_page(page, server + path, heading)
    violations = serious_violations(page)
    assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def test_keyboard_only_reaches_a_target(server, page):
    open_page(page, server + "/", "Overblik over målene")
    box = page.get_by_role("combobox", name="Gå til et mål")
    box.focus()
    page.keyboard.type("DK2020")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Kommuner med DK2020-klimaplan").wait_for()
    assert "target=dk2020_climate_plans" in page.url


def test_click_on_the_gap_chart_opens_the_target(server, page):
    open_page(page, server + "/explorer?status=insufficient", "Afstand til målene")
    page.get_by_text("1 mål vist").wait_for()
    point = page.locator(".js-plotly-plot .scatterlayer .trace .points path").last
    point.wait_for()
    point.click(force=True)
    page.get_by_role("heading", name="Passagerer med Movia (bus og lokalbaner)").wait_for()
    assert "target=public_transport_passengers" in page.url


def test_series_and_chart_downloads(server, page):
    open_page(page, server + "/target?target=stem_admissions", "Optagne på STEM-uddannelser")
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Hent serien (CSV)").click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("target_id,geography,year,value,data_class,source")
    assert "16434" in text and ",I," in text
    with page.expect_download(timeout=90_000) as png_download:
        page.get_by_role("button", name="Hent grafen (PNG)").click()
    assert Path(png_download.value.path()).read_bytes()[:4] == b"\x89PNG"


def sign_in_as_ana(page) -> None:
    sidebar = page.locator("section[data-testid='stSidebar']")
    sidebar.get_by_label("Brugernavn").fill("ana")
    sidebar.get_by_label("Adgangskode").fill(ANA_PASSWORD)
    sidebar.get_by_role("button", name="Log ind").click()
    sidebar.get_by_text("Logget ind som ana (analytiker)").wait_for()
    page.locator("[data-testid='stFileUploader']").first.wait_for()
    settle(page)


def test_local_sign_in_unlocks_the_upload(server, page):
    open_page(page, server + "/upload", "Upload")
    assert page.get_by_text("Log ind i sidepanelet").count() >= 1       # a viewer is told why
    sidebar = page.locator("section[data-testid='stSidebar']")
    sidebar.get_by_label("Brugernavn").fill("ana")
    sidebar.get_by_label("Adgangskode").fill("forkert-kodeord")
    sidebar.get_by_role("button", name="Log ind").click()
    sidebar.get_by_text("Forkert brugernavn eller adgangskode.").wait_for()
    sign_in_as_ana(page)
    shot(page, "upload_signed_in_analyst")


def test_an_analyst_uploads_an_excel_file_fixes_it_confirms_and_undoes(server, page, tmp_path):
    """The whole upload as an analyst does it: a Danish Excel CSV (semicolons, decimal comma,
    Windows-1252) with a misspelt id is refused, the fixed file previewed, confirmed and undone."""
    open_page(page, server + "/upload", "Upload")
    sign_in_as_ana(page)
    header = "indikator;år;værdi;område;kilde;bemærkning\r\n"
    bad = tmp_path / "eud_2024.csv"
    bad.write_bytes((header + "eud_shar;2024;30,0;Region Hovedstaden;Børne- og Undervisningsministeriet;"
                              "foreløbig\r\n").encode("cp1252"))
    uploader = page.locator("[data-testid='stFileUploader'] input[type='file']").first
    uploader.set_input_files(str(bad))
    page.get_by_text("Filen er afvist, og intet er gemt: 1 problem(er).").wait_for()
    settle(page)
    shot(page, "upload_rejected_da")
    good = tmp_path / "eud_2024_rettet.csv"
    good.write_bytes(bad.read_bytes().replace(b"eud_shar;", b"eud_share;"))
    uploader.set_input_files(str(good))
    page.get_by_text("Forhåndsvisning: hvad importen vil ændre").wait_for()
    page.get_by_text("Status, som importen ændrer").first.wait_for()  # 30 % meets the EUD target
    settle(page)
    shot(page, "upload_preview_da")
    page.get_by_role("button", name="Bekræft import af eud_2024_rettet.csv").click()
    page.get_by_text("eud_2024_rettet.csv er importeret som kørsel 2: 1 tilføjet").wait_for()
    settle(page)
    page.get_by_role("combobox", name="Kørsel at fortryde").click()   # no batch is chosen for you (issue 11)
    page.get_by_role("option", name="2: eud_2024_rettet.csv", exact=False).click()
    page.get_by_text("Kørsel 2 fortrydes: 1 værdier fjernes, 0 tidligere værdier genskabes").wait_for()
    page.get_by_role("button", name="Ja, fortryd kørsel 2").click()
    page.get_by_text("Kørsel 2 er fortrudt: 1 værdier fjernet").wait_for()
    settle(page)
    shot(page, "upload_undone_da")
