"""Whole flows in a real headless Chromium against `streamlit run` (Playwright), with axe-core scans.

Screenshots of each page go to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import socket
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest

from metrics import auth
from metrics.model import Actor
from metrics.seed import seed
from metrics.store import PROJECT_ROOT, Store
from tests.conftest import running_dashboard

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
    """`streamlit run dashboard.py` on a free port with a fresh database and a local analyst account."""
    db = tmp_path_factory.mktemp("e2e") / "malspor.duckdb"
    with Store.open(db, seed=seed) as store:  # a local analyst account, made before the dashboard holds the file
        auth.add_local_user(store, Actor("e2e", "admin", via="cli"), "ana", "analyst", ANA_PASSWORD)
    with running_dashboard(db) as base:
        yield base


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


def settle(page, timeout: float = 30_000) -> None:
    """Wait until the script run has finished (Streamlit's running indicator is gone)."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=timeout)
    page.locator("[data-testid='stSkeleton']").first.wait_for(state="detached", timeout=timeout)
    page.wait_for_timeout(500)


def open_page(page, url: str, heading: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name=heading, exact=False).first.wait_for()
    settle(page)


def shot(page, name: str, full: bool = True) -> Path:
    """A screenshot in test-artifacts/; ``full`` grows the viewport to the whole page first
    (Streamlit scrolls inside its own container, so Playwright's full_page sees one screen)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size
    if full and size:
        height = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                               "'[data-testid=stMain], [data-testid=stAppViewContainer], section.main')]"
                               ".map(e => e.scrollHeight), document.body.scrollHeight)")
        page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 8000)})
        page.wait_for_timeout(600)
    page.screenshot(path=str(path))
    if full and size:
        page.set_viewport_size(size)
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
    page.keyboard.type("EUD")  # the list is virtualised: filter it to the one target
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


def test_a_link_to_overview_opens_the_overview_without_a_not_found_dialog(server, page):
    """Streamlit serves the default page at the root only; /overview (an old link or a typed
    address) used to show its English "Page not found" dialog over the page."""
    open_page(page, server + "/overview?lang=en&year=2024", "Overview of the targets")
    page.wait_for_function("window.location.pathname === '/'")
    settle(page)
    assert "lang=en" in page.url and "year=2024" in page.url  # the link's view is kept
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_role("dialog").count() == 0


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
    if path.startswith("/target"):  # the other tabs: the series table, and the geographies compared
        for tab, table in (("Tabel", "Målingerne bag grafen"), ("Sammenlign områder", "Sammenlign områder")):
            page.get_by_role("tab", name=tab).click()
            page.locator(f'table[aria-label="{table}"]').wait_for()
            violations = serious_violations(page)
            assert not violations, (tab, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                                          for v in violations])


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
    with page.expect_download(timeout=90_000) as png_download:    # the chart's PNG, in the chart's tab
        page.get_by_role("button", name="Hent grafen (PNG)").click()
    assert Path(png_download.value.path()).read_bytes()[:4] == b"\x89PNG"
    page.get_by_role("tab", name="Tabel").click()                 # the series' CSV, beside its table
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Hent serien (CSV)").click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("target_id,geography,year,value,data_class,source")
    assert "16434" in text and ",I," in text
    assert page.get_by_role("button", name="Hent grafen (PNG)").count() == 0   # the chart's tab is closed


def open_sign_in(sidebar) -> None:
    """Open the sidebar's sign-in form (a reader sees only its button until then)."""
    opener = sidebar.get_by_role("button", name="Log ind (lokal konto)")
    if opener.count():
        opener.click()
    sidebar.get_by_label("Brugernavn").wait_for()


def sign_in_as_ana(page) -> None:
    sidebar = page.locator("section[data-testid='stSidebar']")
    open_sign_in(sidebar)
    sidebar.get_by_label("Brugernavn").fill("ana")
    sidebar.get_by_label("Adgangskode", exact=True).fill(ANA_PASSWORD)
    sidebar.get_by_role("button", name="Log ind").click()
    sidebar.get_by_text("Logget ind som ana (analytiker)").wait_for()
    page.locator("[data-testid='stFileUploader']").first.wait_for()
    settle(page)


def test_local_sign_in_unlocks_the_upload(server, page):
    open_page(page, server + "/upload", "Upload")
    assert page.get_by_text("Log ind i sidepanelet").count() >= 1       # a viewer is told why
    sidebar = page.locator("section[data-testid='stSidebar']")
    open_sign_in(sidebar)
    sidebar.get_by_label("Brugernavn").fill("ana")
    sidebar.get_by_label("Adgangskode", exact=True).fill("forkert-kodeord")
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
    page.get_by_text("Filen er afvist, og intet er gemt: 1 problem. Ret filen, og upload den igen.").wait_for()
    settle(page)
    shot(page, "upload_rejected_da")
    good = tmp_path / "eud_2024_rettet.csv"
    # ... and 2023 revised (13 -> 13,2) with this file's source and no note: the preview says what it writes over
    good.write_bytes(bad.read_bytes().replace(b"eud_shar;", b"eud_share;")
                     + "eud_share;2023;13,2;Region Hovedstaden;Børne- og Undervisningsministeriet;\r\n".encode("cp1252"))
    uploader.set_input_files(str(good))
    page.get_by_text("Forhåndsvisning: hvad importen vil ændre").wait_for()
    page.get_by_text("Status, som importen ændrer").first.wait_for()  # 30 % meets the EUD target
    page.get_by_text("Række 3 skriver også over: kilde: »Københavns Malerlaug").wait_for()
    settle(page)
    shot(page, "upload_preview_da")
    page.get_by_role("button", name="Bekræft import af eud_2024_rettet.csv").click()
    page.get_by_text("eud_2024_rettet.csv er importeret som kørsel 2: 1 tilføjet").wait_for()
    settle(page)
    page.get_by_role("combobox", name="Kørsel at fortryde").click()   # no batch is chosen for you (issue 11)
    page.get_by_role("option", name="2: eud_2024_rettet.csv", exact=False).click()
    page.get_by_text("Kørsel 2 fortrydes: 1 værdi fjernes, 1 tidligere værdi genskabes").wait_for()
    page.get_by_role("button", name="Ja, fortryd kørsel 2").click()
    page.get_by_text("Kørsel 2 er fortrudt: 1 værdi fjernet, 1 tidligere værdi genskabt").wait_for()
    settle(page)
    shot(page, "upload_undone_da")


# ---------------------------------------------------------------------- issue 10: what leadership and committees see
PAGES = [  # (path, Danish heading, English heading, tab title stem da, en)
    ("/", "Overblik over målene", "Overview of the targets", "Overblik", "Overview"),
    ("/target?target=eud_share", "Mål i detaljer", "Target details", "Mål i detaljer", "Target details"),
    ("/explorer", "Afstand til målene", "Gap explorer", "Afstand til målene", "Gap explorer"),
    ("/report", "Statusnotat", "Status memo", "Statusnotat", "Status memo"),
    ("/upload", "Upload", "Upload", "Upload", "Upload"),
    ("/admin", "Administration", "Administration", "Administration", "Administration"),
]
SEED_NAMES_DA = {
    "renewable_electricity_share": "Fossilfri elforsyning: vind og sol, andel af elforbruget",
    "district_heating_co2_neutral": "Fossilfri varmeforsyning: CO2-neutral andel af fjernvarmeproduktionen",
    "dk2020_climate_plans": "Kommuner med DK2020-klimaplan",
    "waste_recycling": "Affald indsamlet til genanvendelse",
    "waste_household_recycling": "Husholdningsaffald indsamlet til genanvendelse",
    "stem_admissions": "Optagne på STEM-uddannelser",
    "eud_share": "Unge der vælger en erhvervsuddannelse (EUD)",
    "neet_youth": "Unge uden for job og uddannelse",
    "public_transport_passengers": "Passagerer med Movia (bus og lokalbaner)",
    "public_transport_commuting_share": "Borgere der pendler med kollektiv trafik",
    "rail_one_hour": "Indbyggere inden for én time med tog til København eller Malmø",
}


def _with_lang(path: str, lang: str) -> str:
    if lang == "da":
        return path
    return path + ("&" if "?" in path else "?") + "lang=en"


def viewport_page(browser, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    return context, pg


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize(("path", "heading_da", "heading_en", "title_da", "title_en"), PAGES)
def test_every_page_in_both_languages_passes_axe_and_says_its_language(
        server, page, lang, path, heading_da, heading_en, title_da, title_en):
    """Every page, Danish and English: no serious axe-core violation, <html lang> right, its own tab title."""
    open_page(page, server + _with_lang(path, lang), heading_da if lang == "da" else heading_en)
    page.wait_for_function(f"() => document.documentElement.lang === '{lang}'", timeout=10_000)
    page.wait_for_function("() => document.title.includes('·')", timeout=10_000)
    assert page.title() == f"{title_da if lang == 'da' else title_en} · Målspor"
    violations = serious_violations(page)
    assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    slug = path.strip("/").split("?")[0] or "overview"
    shot(page, f"page_{slug}_{lang}")


def _table_rows(page) -> list[str]:
    """The text of every row of the page's status tables, as the accessibility tree has it."""
    return [r.inner_text() for r in page.locator("table.ms-table tbody tr").all()]


def test_the_accessible_overview_table_names_every_target_with_status_and_marks(server, page):
    open_page(page, server + "/", "Overblik over målene")
    rows = _table_rows(page)
    for target_id, name in SEED_NAMES_DA.items():
        row = [r for r in rows if name in r]
        assert row, f"{target_id}: its full name {name!r} is in no table row"
    def row_of(tid: str) -> str:
        return next(r for r in rows if SEED_NAMES_DA[tid] in r)
    assert "▲ på rette vej" in row_of("stem_admissions") and "foreløbig" in row_of("stem_admissions")
    assert "seneste tal fra 2020" in row_of("waste_recycling")
    assert "seneste tal fra 2021" in row_of("district_heating_co2_neutral")
    assert "frist overskredet, tal for 2025 mangler" in row_of("eud_share")
    # Read by a screen reader: the same cells are in the accessibility tree, under column headers.
    table = page.get_by_role("table").filter(has_text=SEED_NAMES_DA["dk2020_climate_plans"]).first
    headers = [h.inner_text() for h in table.get_by_role("columnheader").all()]
    assert len(headers) >= 5 and "Status" in headers, headers
    assert "…" not in " ".join(rows)


def test_the_overview_at_a_desk_fits_the_screen_and_reads_in_ten_seconds(server, browser):
    for lang in ("da", "en"):
        context, pg = viewport_page(browser, 1440, 900)
        try:
            open_page(pg, server + _with_lang("/", lang), "Overblik over målene" if lang == "da" else "Overview of the targets")
            wide = pg.evaluate("() => [...document.querySelectorAll('table.ms-table')]"
                               ".map(t => t.getBoundingClientRect().right - window.innerWidth)")
            assert wide and max(wide) <= 0, f"a table runs past the right edge by {max(wide)} px"
            shot(pg, f"overview_1440_{lang}", full=False)
            shot(pg, f"overview_1440_{lang}_full")
        finally:
            context.close()


def _px(pg, selector: str, prop: str = "font-size") -> list[float]:
    return pg.evaluate(
        "([sel, prop]) => [...document.querySelectorAll(sel)].filter(e => e.offsetParent !== null)"
        ".map(e => parseFloat(getComputedStyle(e)[prop]))", [selector, prop])


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_presentation_mode_is_built_for_a_meeting_room(server, browser, width, height):
    ARTIFACTS.mkdir(exist_ok=True)
    context, pg = viewport_page(browser, width, height)
    try:
        open_page(pg, server + "/?present=1", "Overblik over målene")
        body = statistics.mode(_px(pg, "div[data-testid='stMarkdownContainer'] p") or [16])  # the usual text
        keys = _px(pg, "[data-testid='stMetricValue'], .ms-key")
        assert keys and min(keys) >= 2 * body, (keys, body)  # key numbers at least twice the body text
        assert min(_px(pg, "table.ms-table td")) >= 18
        assert min(_px(pg, "table.ms-table th")) >= 18
        # The text of the HTML sections (a theme's "1 af 2 mål ...", captions) too: it was 16 and 14 px.
        assert min(_px(pg, ".ms-section p, p.ms-caption")) >= 18
        # The exit control is in view and on top (not under the navigation bar).
        exit_button = pg.get_by_role("button", name="Afslut præsentation")
        box = exit_button.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= height
        on_top = pg.evaluate("([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.innerText || ''",
                             [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
        assert "Afslut præsentation" in on_top
        # The first screen shows the summary and the first targets.
        first_row = pg.locator("table.ms-table tbody tr").first.bounding_box()
        assert first_row and first_row["y"] < height, "no target on the first screen"
        text = pg.locator("section.main, [data-testid='stMain']").first.inner_text()
        assert "sidepanel" not in text.lower()
        assert pg.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth + 1")
        shot(pg, f"overview_present_{width}x{height}_da", full=False)
        open_page(pg, server + "/explorer?present=1", "Afstand til målene")
        assert min(_px(pg, "table.ms-table td")) >= 18
        shot(pg, f"explorer_present_{width}x{height}_da", full=False)
        open_page(pg, server + "/target?target=stem_admissions&present=1", "Mål i detaljer")
        shot(pg, f"target_stem_present_{width}x{height}_da", full=False)
        shot(pg, f"target_stem_present_{width}x{height}_da_full")
    finally:
        context.close()


def test_keyboard_opens_a_target_from_the_overview_and_the_explorer_tables(server, page):
    for path, heading in (("/", "Overblik over målene"), ("/explorer", "Afstand til målene")):
        open_page(page, server + path, heading)
        link = page.locator("table.ms-table a", has_text=SEED_NAMES_DA["public_transport_passengers"]).first
        link.focus()
        assert page.evaluate("() => document.activeElement.tagName") == "A"
        page.keyboard.press("Enter")
        page.get_by_role("heading", name=SEED_NAMES_DA["public_transport_passengers"]).wait_for()
        assert "target=public_transport_passengers" in page.url


def test_english_pages_carry_no_danish_notes_and_danish_pages_no_english(server, page):
    open_page(page, server + "/target?target=rail_one_hour", "Mål i detaljer")
    settle(page)
    text = page.locator("[data-testid='stMain']").first.inner_text()
    assert "Only one measurement" not in text and "assumed" not in text
    open_page(page, server + "/target?target=rail_one_hour&lang=en", "Target details")
    shot(page, "target_rail_en")


def test_a_crafted_link_on_the_regions_address_shows_its_text_and_nothing_live(server, page):
    """Issue 11: /target?target=… used to put the raw parameter into Markdown: bold text, a live
    external link and an external image. In a real browser it must read as plain text."""
    crafted = ("**Sessionen er udløbet**[Log ind igen her](http://evil.example/login)"
               "![x](http://evil.example/pixel.png)")
    import urllib.parse

    open_page(page, server + "/target?target=" + urllib.parse.quote(crafted), "Mål i detaljer")
    warning = page.locator("[data-testid='stAlert']").first
    warning.wait_for()
    shown = warning.inner_text().replace("\u2060", "")  # word joiners keep the URL from becoming a link
    assert "**Sessionen er udløbet**[Log ind igen her](http://evil.example/login)" in shown
    assert page.locator("a[href*='evil.example']").count() == 0
    assert page.locator("img[src*='evil.example']").count() == 0
    assert warning.locator("strong, b").count() == 0
