"""Every page through Streamlit's AppTest: renders, key numbers, language, deep links, filters, empty states."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from streamlit.testing.v1 import AppTest

from metrics import ingest, marks, views
from metrics.i18n import Lang
from metrics.model import Actor
from metrics.seed import seed
from metrics.store import PROJECT_ROOT, Store
from tests.conftest import ADMIN as ADMIN_ACTOR, ANALYST, write_csv, as_read

DASHBOARD = str(PROJECT_ROOT / "dashboard.py")


@pytest.fixture(autouse=True)
def clear_caches(streamlit_caches):
    """Every test here runs with Streamlit's caches emptied (see conftest)."""


def app(page: str | None = None, actor: Actor | None = None, **query: str) -> AppTest:
    """A page (default: the overview), optionally signed in as a local account."""
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    if actor is not None:
        at.session_state["local_actor"] = actor
    for key, value in query.items():
        at.query_params[key] = value
    if page:
        at.switch_page(f"app_pages/{page}.py")
    return at.run()


class _HtmlText(HTMLParser):
    """The text a reader gets from ``st.html`` (tables, summary), block by block; CSS and scripts left out.

    ``parts`` holds one entry per block (paragraph, cell, the lines under a cell's text), ``rows``
    one line per table row with its cells' blocks joined by spaces.
    """

    BLOCKS = {"p", "div", "td", "th", "tr", "caption", "li", "h1", "h2", "h3", "h4", "br", "table"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.rows: list[str] = []
        self._row: list[str] | None = None
        self._buffer = ""
        self._skip = 0
        self._spans: list[bool] = []   # per open <span>: is it a line of its own (a mark or a sub-text)?
        self.headings: list[str] = []  # the text of each <h2>, in order
        self._in_heading = False

    def _flush(self) -> None:
        text = " ".join(self._buffer.split())
        self._buffer = ""
        if text:
            self.parts.append(text)
            if self._row is not None:
                self._row.append(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        cls = dict(attrs).get("class") or ""
        if tag == "span":
            self._spans.append("ms-sub" in cls or "ms-mark" in cls)
        if tag in ("style", "script"):
            self._skip += 1
        elif tag in self.BLOCKS or (tag == "span" and self._spans[-1]):
            self._flush()
            if tag == "tr":
                self._row = []
        elif tag == "img":
            self._flush()
            self._buffer = dict(attrs).get("alt") or ""
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self.headings.append(" ".join(self._buffer.split()))
        if tag in ("style", "script"):
            self._skip -= 1
        elif tag in self.BLOCKS or (tag == "span" and self._spans and self._spans.pop()):
            self._flush()
            if tag == "tr" and self._row is not None:
                self.rows.append(" ".join(self._row))
                self._row = None

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buffer += data


def html_text(at: AppTest) -> _HtmlText:
    parser = _HtmlText()
    for element in at.get("html"):
        parser.feed(element.proto.body)
        parser.close()
    return parser


def section_headings(at: AppTest) -> list[str]:
    """The page's section headings as a reader finds them: ``st.header`` and the ``<h2>`` of its HTML blocks,
    in the order the page shows them."""
    return _headings_in(at.main)


def _headings_in(node) -> list[str]:  # noqa: ANN001 - an AppTest node
    kind = getattr(node, "type", "")
    if kind == "header":
        return [_unescape(str(node.value))]
    if kind == "html":
        parser = _HtmlText()
        parser.feed(node.proto.body)
        parser.close()
        return parser.headings
    found = []
    for child in getattr(node, "children", {}).values():
        found += _headings_in(child)
    return found


def table_rows(at: AppTest) -> list[str]:
    """Every row of every HTML table on the page, as one line of text each."""
    return html_text(at).rows


def tiles(at: AppTest) -> list[str]:
    """The overview's status tiles as shown: count, icon and words."""
    group = [g for g in at.get("button_group") if g.key == "overview_status"]
    return [o.replace("**", "").replace("\\", "") for o in group[0].options] if group else []


def shown_text(at: AppTest) -> str:
    parts = [df.value.to_string() for df in at.dataframe]
    parts += html_text(at).parts
    parts += [t.value.to_string() for t in at.table]
    for kind in ("markdown", "caption", "header", "subheader", "title", "info", "warning", "error"):
        parts += [_unescape(str(e.value)) for e in getattr(at, kind)]  # stored texts are Markdown-escaped
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


# ------------------------------------------------------------------ overview
def test_overview_shows_every_target_with_status_in_danish(isolated_db):
    at = app()
    assert_clean(at)
    text = shown_text(at)
    assert "4 af 9 mål er nået eller på rette vej" in text
    assert "Desuden følges 2 indikatorer uden mål (nederst på siden)." in text
    with Store.open(isolated_db, seed=seed) as store:
        for name in store.targets()["name_da"]:
            assert name in text
    assert "▲ på rette vej" in text and "13 % (2023)" in text and "17.256 personer (2023)" in text
    eud = [r for r in table_rows(at) if r.startswith("Unge der vælger en erhvervsuddannelse (EUD) Region")][-1]
    assert "2025 overskredet" in eud and "frist overskredet, tal for 2025 mangler" in eud
    assert "Ingen mål i dette tema endnu." in text          # the health theme has no targets yet
    assert "2 ✖ bevæger sig væk fra målet" in tiles(at)


@pytest.mark.parametrize("code", ["da", "en"])
def test_overview_table_has_every_target_with_its_full_name_status_and_marks(isolated_db, code):
    """Each seed target's row in the overview's HTML table: full name, status in words, and its marks."""
    L = Lang(code)
    at = app(lang=code)
    assert_clean(at)
    table = table_rows(at)
    with Store.open(isolated_db, seed=seed) as store:
        rows = views.overview_rows(store, as_of=__import__("metrics.progress").progress.current_year(), lang=L)
    for r in rows.to_dict("records"):
        row = [t for t in table if t.startswith(r["name"] + " " + r["geography"])]
        assert row, (code, r["name"])
        assert L.status(r["status"]) in row[-1], (code, r["name"])
        for mark in marks.status_marks(r, L):
            assert mark in row[-1], (code, r["name"], mark)
    assert not [t for t in table if "…" in t]   # nothing cut


@pytest.mark.parametrize("code", ["da", "en"])
def test_overview_marks_stem_provisional_and_old_figures_stale(isolated_db, code):
    """Method v2 on the seed: STEM rests on illustrative values, waste (2020) and district heating (2021) are old."""
    with Store.open(isolated_db, seed=seed) as store:
        if "provisional" not in views.status_table(store, 2026).columns:
            pytest.skip("needs method v2's status columns (branch method)")
    L = Lang(code)
    at = app(lang=code, year="2026")
    assert_clean(at)
    rows = table_rows(at)
    names = {"da": ("Optagne på STEM-uddannelser", "Affald indsamlet til genanvendelse", "Fossilfri varmeforsyning"),
             "en": ("Admissions to STEM higher education", "Waste collected for recycling", "Fossil-free heat")}[code]
    stem = [r for r in rows if r.startswith(names[0])][-1]
    assert L.t("mark.provisional") in stem
    for name, year in zip(names[1:], (2020, 2021)):
        row = [r for r in rows if r.startswith(name)][-1]
        assert L.t("mark.stale", year=year, next="").split(str(year))[0] + str(year) in row, (code, name)


def test_overview_in_english_and_language_switch(isolated_db):
    at = app()
    at.sidebar.segmented_control[0].set_value("en").run()
    assert_clean(at)
    text = shown_text(at)
    assert "4 of 9 targets met or on track" in text
    assert "▲ on track" in text and "17,256 persons (2023)" in text
    assert "deadline passed, the figure for 2025 is not yet published" in text
    assert "Overblik" not in text
    # the page's <html lang> follows the language (a script, as Streamlit's page always says "en")
    assert any('doc.documentElement.lang = "en"' in h.proto.body for h in at.get("html"))


def test_status_tiles_filter_the_overview_and_keep_it_in_the_url(isolated_db):
    at = app()
    assert tiles(at) == ["4 ▲ på rette vej", "1 ▼ utilstrækkelig fremgang", "2 ✖ bevæger sig væk fra målet",
                         "2 ? kan ikke vurderes"]
    group = next(g for g in at.get("button_group") if g.key == "overview_status")
    group.set_value(["moving_away"]).run()
    assert_clean(at)
    assert at.query_params["status"] in ("moving_away", ["moving_away"])
    targets = [r for r in table_rows(at) if "Region" in r or "Danmark" in r]
    assert len(targets) == 2 and all("✖ bevæger sig væk fra målet" in r for r in targets)
    text = shown_text(at)
    assert "Viser 2 af 9 mål: ✖ bevæger sig væk fra målet." in text
    assert "Indikatorer, der følges uden mål" not in text and "Længst fra målet" not in text
    # a link with ?status= opens filtered; unknown statuses in a hand-edited link are dropped
    at = app(status="insufficient,bogus")
    assert_clean(at)
    assert next(g for g in at.get("button_group") if g.key == "overview_status").value == ["insufficient"]
    assert "Viser 1 af 9 mål" in shown_text(at)


def test_furthest_behind_first_and_monitored_indicators_apart(isolated_db):
    at = app()
    assert_clean(at)
    found = section_headings(at)
    assert found[0] == "Længst fra målet" and found[-1] == "Indikatorer, der følges uden mål", found
    rows = table_rows(at)
    behind = rows[1:4]                               # the first table after its header row
    assert behind[0].startswith("Unge der vælger en erhvervsuddannelse (EUD)")
    assert "er gået tilbage siden basisåret, svarende til 6 % af vejen til målet, på fire femtedele af tiden" in behind[0]
    assert behind[1].startswith("Borgere der pendler med kollektiv trafik")
    assert behind[2].startswith("Passagerer med Movia") and "▼ utilstrækkelig fremgang" in behind[2]
    text = shown_text(at)
    assert "Disse indikatorer har intet mål" in text
    monitored = rows[-2:]
    assert monitored[0].startswith("Husholdningsaffald indsamlet til genanvendelse")
    assert monitored[1].startswith("Unge uden for job og uddannelse")
    theme_tables = rows[5:-3]
    assert not [r for r in theme_tables if r.startswith(("Husholdningsaffald", "Unge uden for job"))]


def test_overview_links_keep_language_year_and_presentation(isolated_db):
    at = app(lang="en", year="2024", present="1")
    assert_clean(at)
    body = " ".join(h.proto.body for h in at.get("html"))
    assert 'href="target?target=eud_share&amp;geo=Region+Hovedstaden&amp;lang=en&amp;year=2024&amp;present=1"' in body
    assert "Leave presentation mode" in [b.label for b in at.button]
    assert not [c.value for c in at.caption if "sidebar" in c.value.lower()]


def test_untranslated_labels_do_not_leak(isolated_db):
    for lang in ("da", "en"):
        for page in (None, "target", "explorer"):
            at = app(page, target="eud_share")
            if lang == "en":  # AppTest runs a switched-to page without the frame, so set the state directly
                at.session_state["lang"] = "en"
                at.run()
            assert_clean(at)
            text = shown_text(at)
            assert ("Overview" in text or "Target details" in text or "Gap explorer" in text) == (lang == "en")
            leaked = re.findall(r"\b(?:overview|target|explorer|explain|col|chart|status|reason|app|nav)\.[a-z_]+", text)
            assert not leaked, (lang, page, leaked)


def test_as_of_year_changes_the_picture(isolated_db):
    at = app()
    at.sidebar.selectbox[0].set_value(2019).run()
    assert_clean(at)
    text = shown_text(at)
    assert "17.256" not in text and "15.448 personer (2019)" in text


def test_year_from_the_url(isolated_db):
    at = app(year="2019")
    assert_clean(at)
    assert "15.448 personer (2019)" in shown_text(at)


def test_changes_since_previous_import(isolated_db, tmp_path):
    with Store.open(isolated_db, seed=seed) as store:
        path = write_csv(tmp_path / "new.csv", "target_id,year,value,source\neud_share,2023,20,Ministeriet\n")
        ingest.import_observations(store, path, ANALYST)
    at = app()
    assert_clean(at)
    assert "new.csv" not in shown_text(at)  # the panel is closed: nothing compared, nothing shown
    at.session_state["overview_changes"] = True  # the reader opens it
    at.run()
    assert_clean(at)
    text = shown_text(at)
    assert "new.csv" in text and "13" in text and "20" in text
    assert "✖ bevæger sig væk fra målet → ▲ på rette vej" in text or "→" in text


def test_empty_database_says_what_to_do(isolated_db):
    Store.open(isolated_db, seed=False).close()
    for page in (None, "target", "explorer"):
        at = app(page)
        assert_clean(at)
        assert "python -m metrics init" in at.info[0].value


# ------------------------------------------------------------------ target page
def test_target_deep_link_cold(isolated_db):
    at = app(target="eud_share", geo="Region Hovedstaden")
    assert_clean(at)
    assert section_headings(at)[0] == "Unge der vælger en erhvervsuddannelse (EUD)"
    assert "2018–2023 (6 målinger" not in page_text(at)  # "how is this computed" closed: not built, not sent
    at.session_state["target_how"] = True  # the reader opens "how is this computed"
    at.run()
    assert_clean(at)
    text = page_text(at)
    assert "Status: ✖ bevæger sig væk fra målet" in text
    assert "17 procentpoint" in text                                      # the gap
    assert "eksempeldata" in text.lower()                                 # illustrative points flagged
    # the "how is this computed" panel with the actual numbers
    assert "2018–2023 (6 målinger; højst 5 år tilbage)" in text
    assert "−1,47 %" in text and "11,50 %" in text and "−0,13" in text
    assert "Copenhagen Skills" in text and "6.000.000 kr." in text
    assert [c.key for c in at.get("plotly_chart")] == ["target_chart"]     # the chart tab, open by default
    at.session_state["target_view"] = "Sammenlign områder"               # the reader opens the comparison
    at.run()
    assert_clean(at)
    assert [c.key for c in at.get("plotly_chart")] == ["geo_chart"]
    assert "Danmark" in tables_text(at) and "Københavns Kommune" in tables_text(at)


def test_target_page_geography_choice(isolated_db):
    at = app("target", target="eud_share", geo="Danmark")
    assert_clean(at)
    assert at.radio[0].value == "Danmark"
    assert "19,4 %" in page_text(at)
    at.radio[0].set_value("Københavns Kommune").run()
    assert_clean(at)
    assert "kun basisåret er målt" in page_text(at)


def test_every_target_opens(isolated_db):
    with Store.open(isolated_db, seed=seed) as store:
        ids = store.targets()["target_id"].tolist()
    for tid in ids:
        at = app("target", target=tid)
        assert_clean(at)
        assert section_headings(at), tid


def test_unknown_target_warns_and_offers_the_list(isolated_db):
    at = app("target", target="nope")
    assert_clean(at)
    assert "nope" in at.warning[0].value and at.selectbox


def test_monitored_indicator_page(isolated_db):
    at = app("target", target="neet_youth", geo="Danmark")
    assert_clean(at)
    assert "betydelig tilbagegang" in page_text(at)
    at.session_state["target_view"] = "Sammenlign områder"  # every geography's latest figure
    at.run()
    assert_clean(at)
    assert "45.000 personer" in tables_text(at)


def test_target_without_observations(isolated_db, tmp_path):
    with Store.open(isolated_db, seed=seed) as store:
        path = write_csv(tmp_path / "t.csv", "target_id,focus_area_id,name_da,name_en,unit,kind,baseline_year,"
                         "baseline_value,target_year,target_value,direction,source\n"
                         "bike_share,kollektiv_transport,Cykelandel,Cycling share,%,level,2030,20,2035,30,increase,s\n")
        ingest.import_targets(store, path, __import__("tests.conftest").conftest.ADMIN)
    at = app("target", target="bike_share", year="2026")
    assert_clean(at)
    assert "ingen observationer" in at.info[0].value


# ------------------------------------------------------------------ explorer
def test_explorer_table_and_filters_from_the_url(isolated_db):
    at = app("explorer")
    assert_clean(at)
    assert "9 mål vist" in page_text(at)
    at = app("explorer", theme="mobilitet", status="moving_away")
    assert_clean(at)
    text = page_text(at)
    assert "1 mål vist" in text and "Borgere der pendler med kollektiv trafik" in text
    assert at.multiselect[0].value == ["mobilitet"] and at.multiselect[1].value == ["moving_away"]


def test_explorer_filter_widgets_update(isolated_db):
    at = app("explorer")
    at.multiselect[1].set_value(["on_track"]).run()
    assert_clean(at)
    assert "4 mål vist" in page_text(at)
    at.multiselect[1].set_value(["met"]).run()
    assert_clean(at)
    assert "Ingen mål matcher filtrene" in at.info[0].value


def test_explorer_geography_filter(isolated_db):
    at = app("explorer", geo="Danmark")
    assert_clean(at)
    text = page_text(at)
    assert "Unge der vælger en erhvervsuddannelse (EUD)" in text and "Kommuner med DK2020" not in text


def test_presentation_mode_hides_the_sidebar(isolated_db):
    from app_pages._shared import PRESENTATION_CSS

    def hides_sidebar(at: AppTest) -> bool:  # the presentation CSS, which hides the sidebar, is on the page
        return any(h.proto.body.strip() == PRESENTATION_CSS.strip() for h in at.get("html"))

    at = app(present="1")
    assert_clean(at)
    assert hides_sidebar(at)
    exit_button = [b for b in at.button if "præsentation" in b.label.lower()]
    assert exit_button
    exit_button[0].click().run()
    assert not hides_sidebar(at)


# ------------------------------------------------------------------ status memo, exports, commentary (issue 5)
def test_report_page_offers_the_memo_exports_and_focus_area_commentary(isolated_db):
    at = app("report")
    assert_clean(at)
    assert at.title[0].value == "Statusnotat og eksport"
    buttons = {b.key: b.label for b in at.get("download_button")}
    assert {"memo_pdf", "memo_docx", "memo_html", "memo_md", "export_xlsx", "export_csv", "export_obs_csv"} <= set(buttons)
    assert buttons["memo_pdf"] == "PDF (til at læse og printe)"
    assert "backup_zip" not in buttons                                     # viewers get no backup
    assert any("Kun administratorer" in c.value for c in at.caption)
    assert "Status og indsats" in shown_text(at)
    at = app(lang="en")                       # the language chosen on one page holds on the next
    at.switch_page("app_pages/report.py").run()
    assert_clean(at)
    assert at.title[0].value == "Status memo and exports"
    assert {b.key: b.label for b in at.get("download_button")}["memo_docx"] == "Word (to edit)"
    text = shown_text(at) + " ".join(b.label for b in at.get("download_button"))
    leaked = __import__("re").findall(r"\b(?:report|memo|commentary|export|xcol|lang)\.[a-z_]+", text)
    assert not leaked, leaked


def test_report_page_backup_for_administrators(isolated_db):
    at = app("report", actor=Actor("root", "admin"))
    assert_clean(at)
    assert "backup_zip" in {b.key for b in at.get("download_button")}


def test_overview_and_explorer_offer_downloads(isolated_db):
    at = app()
    assert_clean(at)
    assert {"overview_memo", "overview_xlsx"} <= {b.key for b in at.get("download_button")}
    at = app("explorer")
    assert_clean(at)
    assert {"explorer_csv", "explorer_scatter_png"} <= {b.key for b in at.get("download_button")}
    at.session_state["explorer_pace_view"] = "Graf"  # the reader chooses the pace chart's tab
    at.run()
    assert_clean(at)
    assert "explorer_pace_png" in {b.key for b in at.get("download_button")}
    # The target page: each download beside what it downloads, in its tab.
    for tab, keys in (("Graf", {"target_png"}), ("Tabel", {"target_csv"}), ("Sammenlign områder", {"geo_png"})):
        at = app("target", target="eud_share")
        at.session_state["target_view"] = tab
        at.run()
        assert_clean(at)
        assert {b.key for b in at.get("download_button")} == keys, tab


def test_target_page_shows_commentary_and_hides_the_form_from_viewers(isolated_db):
    from metrics import commentary

    with Store.open(isolated_db, seed=seed) as store:
        commentary.save(store, ANALYST, target_id="eud_share", year=2026, text="Første version.")
        commentary.save(store, ANALYST, target_id="eud_share", year=2026,
                        text="Søgningen ligger stabilt. <script>alert(1)</script> **ikke fed**")
    at = app("target", target="eud_share", year="2026")
    assert_clean(at)
    text = shown_text(at)
    assert "Status og indsats 2026" in text
    block = [h.value for h in at.get("html") if "Søgningen" in h.value]
    assert len(block) == 1                                     # heading, text, versions and the reader's line: one element
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **ikke fed**" in block[0] and "<script>" not in block[0]  # plain text
    assert "<summary>Tidligere versioner (2)</summary>" in block[0] and "Første version." in block[0]
    assert not at.text_area and "Kun analytikere og administratorer kan skrive kommentarer" in text


def test_analyst_writes_commentary_on_the_target_page(isolated_db):
    from metrics import commentary

    at = app("target", actor=Actor("anne", "analyst"), target="eud_share", year="2026")
    assert_clean(at)
    at.text_area[0].input("Copenhagen Skills fortsætter.")
    next(b for b in at.button if b.label == "Gem kommentar").click()
    at.run()
    assert_clean(at)
    assert "Kommentaren er gemt som anne." in [s.value for s in at.success]
    assert "Copenhagen Skills fortsætter." in shown_text(at)
    with Store.open(isolated_db, seed=seed) as store:
        saved = commentary.current(store, year=2026, target_id="eud_share")
        assert saved.text == "Copenhagen Skills fortsætter." and saved.author == "anne"


# ------------------------------------------------------------------ explorer and target page in plain words (issue 10)
# This block belongs to the explorer/target work; the overview's tests are above.
def tables_text(at: AppTest) -> str:
    """What the eye reads in the page's HTML tables, one block (cell text, line under it) a line."""
    return "\n".join(html_text(at).parts)


def page_text(at: AppTest) -> str:
    """Everything a page shows as text, the HTML tables included (see shown_text)."""
    return shown_text(at)


def headings(at: AppTest) -> dict[str, str]:
    """Column heading -> its hover explanation, from every HTML table on the page."""
    found = {}
    for h in at.get("html"):
        for title, heading in re.findall(r'<th scope="col"><abbr title="([^"]*)">([^<]*)</abbr></th>', h.value):
            found[__import__("html").unescape(heading)] = __import__("html").unescape(title)
    return found


def test_explorer_in_plain_words(isolated_db):
    for lang, words in (("da", ("Nået af vejen", "Brugt af tiden", "Tempo mod det nødvendige", "Mangler til målet")),
                        ("en", ("Share of the way covered", "Share of the time used", "Pace against the pace needed"))):
        at = app("explorer")
        if lang == "en":
            at.session_state["lang"] = "en"
            at.run()
        assert_clean(at)
        text = page_text(at)
        assert not re.search(r"\bNone\b|\bnan\b|<NA>", text), lang
        with Store.open(isolated_db, seed=seed) as store:
            for name in store.targets().query("kind != 'none'")[f"name_{lang}"]:
                assert name in tables_text(at), name                             # full names, never cut
        shown = headings(at)
        for word in words:
            assert shown.get(word), (lang, word)                               # each heading explained on hover
        assert not {"Forhold", "Tilbagelagt", "Ratio"} & set(shown)
    at = app("explorer")
    text = tables_text(at)
    assert "kan ikke beregnes: status kan ikke vurderes" in text             # the ratio rail cannot have, and why
    assert "bevæger sig væk fra målet (foreløbig: bygger på eksempeldata; frist overskredet, tal for 2025 mangler" \
        in text                                                                 # EUD's marks


def test_explorer_links_open_every_target_with_language_year_and_presentation(isolated_db):
    at = app("explorer", year="2019", present="1", lang="en")
    assert_clean(at)
    links = re.findall(r'<a href="([^"]+)"', " ".join(h.value for h in at.get("html")))
    assert "target?target=eud_share&amp;geo=Region+Hovedstaden&amp;lang=en&amp;year=2019&amp;present=1" in links
    with Store.open(isolated_db, seed=seed) as store:
        ids = set(store.targets().query("kind != 'none'")["target_id"])
    assert {re.search(r"target=([a-z0-9_]+)", link).group(1) for link in links} == ids   # a keyboard path to each


def test_the_chart_or_the_table_tab_shows_what_it_names_and_only_that_is_built(isolated_db):
    """The target page's and the explorer's tabs are tracked: the chosen tab's content is sent, the
    other's is built when the reader chooses it (one rerun), so a viewer who never opens the table
    costs the server nothing for it."""
    at = app("target", target="eud_share")
    assert_clean(at)
    assert not any('aria-label="Målingerne bag grafen"' in h.value for h in at.get("html"))  # the chart's tab
    charts_before = len(at.get("plotly_chart"))
    at.session_state["target_view"] = "Tabel"
    at.run()
    assert_clean(at)
    assert len(at.get("plotly_chart")) == charts_before - 1               # the series chart is not built now
    series = next(h.value for h in at.get("html") if 'aria-label="Målingerne bag grafen"' in h.value)
    assert "<td>2023</td><td>13 %</td>" in series                          # the series as numbers, by year
    at.session_state["target_view"] = "Sammenlign områder"
    at.run()
    assert_clean(at)
    assert [c.key for c in at.get("plotly_chart")] == ["geo_chart"]       # the geographies side by side
    assert not any('aria-label="Målingerne bag grafen"' in h.value for h in at.get("html"))
    at = app("target", target="dk2020_climate_plans")                    # measured in one place: no comparison
    assert_clean(at)
    assert [t.label for t in at.tabs] == ["Graf", "Tabel"]
    pace_table = 'aria-label="Hvad skal der til, ét mål pr. række"'
    at = app("explorer")
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 1                                # the gap scatter; the pace table's tab
    assert any(pace_table in h.value for h in at.get("html"))
    at.session_state["explorer_pace_view"] = "Graf"
    at.run()
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 2 and not any(pace_table in h.value for h in at.get("html"))


def test_the_open_tab_stays_open_across_a_language_switch_and_another_target(isolated_db):
    """The reader's tab is kept by its place: "Tabel" is "Table" in English, and stays open on the
    next target; the comparison, which a target measured in one place does not have, falls back to
    the chart."""
    def series_shown(at, label="Målingerne bag grafen") -> bool:
        return any(f'aria-label="{label}"' in h.value for h in at.get("html"))

    at = app("target", target="eud_share")
    at.session_state["target_view"] = "Tabel"
    at.run()
    assert_clean(at)
    assert series_shown(at)
    at.session_state["lang"] = "en"
    at.run()
    assert_clean(at)
    assert series_shown(at, "The measurements behind the chart") and not at.get("plotly_chart")
    at.session_state["lang"] = "da"
    at.run()
    at.selectbox(key="target_choice_eud_share").set_value("stem_admissions").run()    # another target
    assert_clean(at)
    assert series_shown(at) and at.query_params["target"] in ("stem_admissions", ["stem_admissions"])
    at = app("target", target="eud_share")
    at.session_state["target_view"] = "Sammenlign områder"
    at.run()
    assert [c.key for c in at.get("plotly_chart")] == ["geo_chart"]
    at.selectbox(key="target_choice_eud_share").set_value("dk2020_climate_plans").run()  # one geography
    assert_clean(at)
    assert [t.label for t in at.tabs] == ["Graf", "Tabel"]
    assert [c.key for c in at.get("plotly_chart")] == ["target_chart"]                # the chart, not an error


def test_target_page_as_of_2019_stops_the_series_at_2019(isolated_db):
    at = app("target", target="stem_admissions", year="2019")
    assert_clean(at)
    chart = at.get("plotly_chart")[0]
    import json

    import base64

    import numpy as np

    def values(xs):  # Plotly may send arrays as {"dtype", "bdata"} (base64)
        return np.frombuffer(base64.b64decode(xs["bdata"]), dtype=xs["dtype"]).tolist() if isinstance(xs, dict) else xs

    figure = json.loads(chart.proto.spec)
    line = figure["data"][0]                                   # the observed series, drawn first as a line
    assert line["mode"] == "lines" and line.get("showlegend") is False
    observed_years = values(line["x"])
    assert observed_years and max(observed_years) == 2019
    at.session_state["target_view"] = "Tabel"  # the table tab: the same series as numbers
    at.run()
    assert_clean(at)
    text = page_text(at)
    assert "15.448 personer" in text and "17.256" not in text
    series = next(h.value for h in at.get("html") if 'aria-label="Målingerne bag grafen"' in h.value)
    assert re.findall(r"<tr><td>(\d{4})</td>", series) == ["2017", "2018", "2019"]   # the table beside the chart


def test_target_page_escapes_an_unknown_target_from_the_url(isolated_db):
    at = app("target", target="**x**[link](http://e)")
    assert_clean(at)
    warning = at.warning[0].value
    assert "**x**" not in warning and "](" not in warning                 # no emphasis, no link
    assert as_read(warning) == "Målet '**x**[link](http://e)' findes ikke. Vælg et mål på listen."


def test_illustrative_values_are_told_beside_the_status_and_the_reader_gets_one_block_below(isolated_db):
    at = app("target", target="eud_share")  # the seed's EUD series holds illustrative values
    assert_clean(at)
    assert not at.warning  # no element of its own, which a reader could take for something apart
    head = next(h.proto.body for h in at.get("html") if "<h3>Status:" in h.proto.body)
    status_at, note_at = head.index("<h3>Status:"), head.index('<p class="ms-note" role="note">')
    assert status_at < note_at and "Serien indeholder eksempeldata" in head[note_at:]
    # a reader: the commentary and the focus area's initiatives arrive as one element, after the explanation
    bodies = [h.proto.body for h in at.get("html")]
    below = next(b for b in bodies if "Status og indsats" in b)
    assert "Initiativer i indsatsområdet" in below and "Copenhagen Skills" in below
    at = app("target", target="renewable_electricity_share")
    assert not any('class="ms-note"' in h.proto.body for h in at.get("html"))  # measured values only: no note


def test_target_page_status_with_marks_and_deadline(isolated_db):
    at = app("target", target="eud_share")
    assert_clean(at)
    text = page_text(at)
    assert "Status: ✖ bevæger sig væk fra målet (foreløbig: bygger på eksempeldata; frist overskredet, tal for 2025 mangler" \
        in text
    shown = as_read(text)  # the metric labels are Markdown-escaped; a reader sees them plain
    assert "Målværdi (frist 2025, overskredet)" in shown
    at = app("target", target="renewable_electricity_share")
    assert "Målværdi (frist 2035)" in as_read(page_text(at))
    # the comparison table: every geography's status with its marks, and a link to it
    at = app("target", target="eud_share")
    at.session_state["target_view"] = "Sammenlign områder"
    at.run()
    compare = tables_text(at)
    assert "✖ bevæger sig væk fra målet (foreløbig: bygger på eksempeldata; frist overskredet, tal for 2025 mangler" \
        in compare
    assert "? kan ikke vurderes: kun basisåret er målt" in compare


def test_explorer_and_target_html_tables_leak_no_keys(isolated_db):
    for lang in ("da", "en"):
        for page in ("target", "explorer"):
            at = app(page, target="eud_share")
            if lang == "en":
                at.session_state["lang"] = "en"
                at.run()
            # the other tab too: the target page's series table, the explorer's pace chart
            at.session_state[{"target": "target_view", "explorer": "explorer_pace_view"}[page]] = \
                {("target", "da"): "Tabel", ("target", "en"): "Table", ("explorer", "da"): "Graf",
                 ("explorer", "en"): "Chart"}[page, lang]
            at.run()
            assert_clean(at)
            if page == "target":
                assert any('aria-label="%s"' % ("Målingerne bag grafen" if lang == "da" else
                                                "The measurements behind the chart") in h.value for h in at.get("html"))
            leaked = re.findall(r"\b(?:target|explorer|explain|col|chart|status|reason|mark)\.[a-z_]+", tables_text(at))
            assert not leaked, (lang, page, leaked)


def test_target_page_notes_in_the_readers_language(isolated_db):
    at = app("target", target="eud_share")
    at.session_state["target_view"] = "Tabel"             # the observations' notes are in the series table
    at.run()
    assert_clean(at)
    plain = as_read(page_text(at))                        # captions are Markdown-escaped
    assert "Afrundet til hele procent i kilden." in plain                  # an observation's note
    assert "6 mio. kr. over to år; notatet angiver intet startår" in plain  # an initiative's note
    assert "Rounded to whole per cent" not in plain and "over two years" not in plain
    with Store.open(isolated_db, seed=seed) as store:
        target = store.targets().set_index("target_id").loc["eud_share"]
    assert target["note_da"] in plain and target["note_en"] not in plain     # the target's own note
    at = app("target", target="eud_share")
    at.session_state["lang"] = "en"
    at.run()
    at.session_state["target_view"] = "Table"
    at.run()
    plain = as_read(page_text(at))
    assert "Rounded to whole per cent in the source." in plain and "over two years" in plain
    assert target["note_en"] in plain


def test_stem_is_visibly_provisional_and_waste_stale_in_the_explorer_and_on_the_target_page(isolated_db):
    at = app("explorer")
    assert_clean(at)
    gap_table = next(h.value for h in at.get("html") if "ms-table" in h.value and "STEM" in h.value)
    stem_row = next(r for r in gap_table.split("<tr>") if "stem_admissions" in r)
    assert "▲ på rette vej (foreløbig: bygger på eksempeldata" in __import__("html").unescape(stem_row)
    waste_row = next(r for r in gap_table.split("<tr>") if "target=waste_recycling" in r)
    assert "⚠ seneste tal fra 2020" in __import__("html").unescape(waste_row)
    at = app("target", target="stem_admissions")
    assert_clean(at)
    assert "Status: ▲ på rette vej (foreløbig: bygger på eksempeldata" in page_text(at)


# ------------------------------------------------------------------ inert Markdown (issue 11)
PAYLOAD = ("**Sessionen er udløbet.** [Log ind igen her](https://evil.example/login) "
           "![x](https://evil.example/x.png) <img src=https://evil.example/y.png> :red[rød] $x$")


def _markdown_sources(at: AppTest) -> list[str]:
    """Every text the page hands to Streamlit's Markdown: bodies, headings, callouts, widget labels and options."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "header", "subheader", "title", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for kind in ("button", "expander", "radio", "selectbox", "text_input"):
        for widget in getattr(at, kind):
            parts.append(str(getattr(widget, "label", "")))
    for radio in at.radio:
        parts += [str(o) for o in radio.options]
    return parts


def _unescape(text: str) -> str:
    return as_read(text)


def assert_inert_markdown(at: AppTest, payload: str = PAYLOAD, shown: bool = True) -> None:
    """No Markdown source of the page carries the payload live; ``shown``: it is among them, as written."""
    sources = _markdown_sources(at)
    if shown:
        assert any(payload in _unescape(s) for s in sources), "the text is shown, as written"
    for source in sources:
        # every '.', '[', '(', '!', '<' and ':' of the payload is escaped: no link, image, tag, colour or math
        live = re.sub(r"\\.", "", source)  # what Markdown still reads as markup once the escapes are taken out
        assert "evil.example" not in source and "](" not in live and "![" not in live, source
        assert "<img" not in live and ":red[" not in live and "**Sessionen" not in live, source


def assert_inert_html(at: AppTest) -> None:
    """Stored text reaches the page's HTML blocks escaped: no tag, link or image of its own."""
    for element in at.get("html"):
        body = element.proto.body
        assert "<img src=https://evil" not in body and 'href="https://evil' not in body, body[:300]


def test_a_reflected_link_in_the_target_url_is_inert(isolated_db):
    at = app("target", target=PAYLOAD)
    assert not at.exception
    warning = at.warning[0].value
    assert _unescape(warning).count(PAYLOAD) == 1
    assert "\\*\\*Sessionen er udløbet\\.\\*\\*" in warning and "\\[Log ind igen her\\]\\(https\u2060\\:" in warning
    assert_inert_markdown(at)


def test_stored_markdown_in_a_target_name_and_a_geography_is_inert(isolated_db, tmp_path):
    from metrics import audit

    hostile_geo = "Kbh. **fed** [klik](https://evil.example/g)"
    with Store.open(isolated_db, seed=seed) as store:
        tid = store.query_df("SELECT target_id FROM observations GROUP BY 1 HAVING count(DISTINCT geography) > 1"
                             " ORDER BY 1 LIMIT 1")["target_id"].iloc[0]
        with store.write(ADMIN_ACTOR, "edit_targets") as cur:
            cur.execute("UPDATE target_definitions SET name_da = ?, name_en = ? WHERE target_id = ?",
                        [PAYLOAD, PAYLOAD, tid])
            other = cur.execute("SELECT min(geography) FROM observations WHERE target_id = ? AND geography <> "
                                "(SELECT geography FROM target_definitions WHERE target_id = ?)", [tid, tid]).fetchall()[0][0]
            cur.execute("UPDATE observations SET geography = ? WHERE target_id = ? AND geography = ?",
                        [hostile_geo, tid, other])
            audit.record(cur, ADMIN_ACTOR, "edit_targets", "targets", tid, None, {"name": PAYLOAD})
    at = app("target", target=tid)
    assert not at.exception
    assert PAYLOAD in section_headings(at), section_headings(at)  # the heading, in HTML, as written
    assert_inert_html(at)
    assert_inert_markdown(at, shown=False)
    if at.radio:  # the geography choice: its labels are Markdown
        assert any(hostile_geo == _unescape(o) for o in at.radio[0].options)
        assert all("evil.example" not in o for o in at.radio[0].options)
    at = app("target", target=tid, geo=hostile_geo)
    assert not at.exception
    assert_inert_html(at)
    assert_inert_markdown(at, shown=False)
    at.session_state["target_view"] = "Sammenlign områder"  # the comparison: the geography as a link
    at.run()
    assert not at.exception
    assert any("Kbh. **fed** [klik](https://evil.example/g)" in h.value for h in at.get("html"))  # shown as written
    assert_inert_html(at)
    assert_inert_markdown(at, shown=False)


@pytest.mark.parametrize(("page", "query"), [(None, {}), ("target", {"target": "eud_share"}), ("explorer", {})])
def test_a_second_session_shows_the_same_page_without_computing_it_again(isolated_db, page, query):
    """A committee opening the same link: the second viewer's page is built from the shared values."""
    from metrics import cache

    first = app(page, **query)
    computed = (cache.STATUS.computed, cache.VIEWS.computed)
    second = app(page, **query)
    assert (cache.STATUS.computed, cache.VIEWS.computed) == computed
    assert not second.exception and [h.proto.body for h in second.get("html")] == [h.proto.body for h in first.get("html")]
    assert [c.proto.spec for c in second.get("plotly_chart")] == [c.proto.spec for c in first.get("plotly_chart")]


def test_no_page_relies_on_streamlit_magic_which_the_config_turns_off():
    """.streamlit/config.toml sets runner.magicEnabled = false (quicker compiles): a bare expression
    on a page would then show nothing. Every statement that is only an expression must be a call
    (or a module's, class's or function's docstring)."""
    import ast
    import tomllib

    assert tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())["runner"]["magicEnabled"] is False
    bare = []
    for path in [PROJECT_ROOT / "dashboard.py", *sorted((PROJECT_ROOT / "app_pages").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0]) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body}
        bare += [f"{path.name}:{node.lineno}" for node in ast.walk(tree)
                 if isinstance(node, ast.Expr) and id(node) not in docstrings
                 and not isinstance(node.value, (ast.Call, ast.Await))]
    assert not bare, bare


def test_built_html_reaches_the_page_as_built():
    """_shared.html hands st.html the text as it is (no dedent, no strip of the whole text, which
    Streamlit does to a plain string): what the page shows is byte for byte what metrics built."""
    def page():
        from app_pages._shared import html
        html("  <p>Miljø &amp; klima</p>\n    <p>indrykket</p>\n")

    at = AppTest.from_function(page, default_timeout=30).run()
    assert not at.exception
    assert at.get("html")[0].proto.body == "  <p>Miljø &amp; klima</p>\n    <p>indrykket</p>\n"
