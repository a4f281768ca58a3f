"""Every page through Streamlit's AppTest: renders, key numbers, language, deep links, filters, empty states."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from metrics import ingest
from metrics.model import Actor
from metrics.store import PROJECT_ROOT, Store
from tests.conftest import ANALYST, write_csv

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


def shown_text(at: AppTest) -> str:
    parts = [df.value.to_string() for df in at.dataframe]
    parts += [t.value.to_string() for t in at.table]
    for kind in ("markdown", "caption", "header", "subheader", "title", "info", "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


# ------------------------------------------------------------------ overview
def test_overview_shows_every_target_with_status_in_danish(isolated_db):
    at = app()
    assert_clean(at)
    assert at.header[0].value == "4 af 9 mål er nået eller på rette vej"
    text = shown_text(at)
    with Store.open(isolated_db) as store:
        for name in store.targets()["name_da"]:
            assert name in text
    assert "▲ på rette vej" in text and "13 % (2023)" in text and "17.256 personer (2023)" in text
    assert "2025 (overskredet)" in text
    assert "Ingen mål i dette tema endnu." in text          # the health theme has no targets yet
    assert {m.label: m.value for m in at.metric}["✖ bevæger sig væk fra målet"] == "2"


def test_overview_in_english_and_language_switch(isolated_db):
    at = app()
    at.sidebar.segmented_control[0].set_value("en").run()
    assert_clean(at)
    assert at.header[0].value == "4 of 9 targets met or on track"
    text = shown_text(at)
    assert "▲ on track" in text and "17,256 persons (2023)" in text and "2025 (passed)" in text
    assert "Overblik" not in text


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
    with Store.open(isolated_db) as store:
        path = write_csv(tmp_path / "new.csv", "target_id,year,value,source\neud_share,2023,20,Ministeriet\n")
        ingest.import_observations(store, path, ANALYST)
    at = app()
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
    assert at.header[0].value == "Unge der vælger en erhvervsuddannelse (EUD)"
    text = page_text(at)
    assert "Status: ✖ bevæger sig væk fra målet" in text
    assert "17 procentpoint" in text                                      # the gap
    assert "eksempeldata" in text.lower()                                 # illustrative points flagged
    # the "how is this computed" panel with the actual numbers
    assert "2018–2023 (6 målinger; højst 5 år tilbage)" in text
    assert "−1,47 %" in text and "11,50 %" in text and "−0,13" in text
    assert "Copenhagen Skills" in text and "6.000.000 kr." in text
    assert len(at.get("plotly_chart")) >= 2                             # series chart and geography comparison


def test_target_page_geography_choice(isolated_db):
    at = app("target", target="eud_share", geo="Danmark")
    assert_clean(at)
    assert at.radio[0].value == "Danmark"
    assert "19,4 %" in page_text(at)
    at.radio[0].set_value("Københavns Kommune").run()
    assert_clean(at)
    assert "kun basisåret er målt" in page_text(at)


def test_every_target_opens(isolated_db):
    with Store.open(isolated_db) as store:
        ids = store.targets()["target_id"].tolist()
    for tid in ids:
        at = app("target", target=tid)
        assert_clean(at)
        assert at.header, tid


def test_unknown_target_warns_and_offers_the_list(isolated_db):
    at = app("target", target="nope")
    assert_clean(at)
    assert "nope" in at.warning[0].value and at.selectbox


def test_monitored_indicator_page(isolated_db):
    at = app("target", target="neet_youth", geo="Danmark")
    assert_clean(at)
    text = page_text(at)
    assert "betydelig tilbagegang" in text and "45.000 personer" in text


def test_target_without_observations(isolated_db, tmp_path):
    with Store.open(isolated_db) as store:
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
    at = app(present="1")
    assert_clean(at)
    assert any("stSidebar" in str(m.value) for m in at.markdown)
    exit_button = [b for b in at.button if "præsentation" in b.label.lower()]
    assert exit_button
    exit_button[0].click().run()
    assert not any("stSidebar" in str(m.value) for m in at.markdown)


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
    assert "Status og indsats" in " ".join(s.value for s in at.subheader)
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
    assert {"explorer_csv", "explorer_scatter_png", "explorer_pace_png"} <= {b.key for b in at.get("download_button")}
    at = app("target", target="eud_share")
    assert_clean(at)
    assert "geo_png" in {b.key for b in at.get("download_button")}


def test_target_page_shows_commentary_and_hides_the_form_from_viewers(isolated_db):
    from metrics import commentary

    with Store.open(isolated_db) as store:
        commentary.save(store, ANALYST, target_id="eud_share", year=2026, text="Første version.")
        commentary.save(store, ANALYST, target_id="eud_share", year=2026,
                        text="Søgningen ligger stabilt. <script>alert(1)</script> **ikke fed**")
    at = app("target", target="eud_share", year="2026")
    assert_clean(at)
    text = shown_text(at)
    assert "Status og indsats 2026" in text
    shown = [m.value for m in at.markdown if "Søgningen" in str(m.value)]
    assert shown and "\\<script\\>" in shown[0] and "\\*\\*ikke fed\\*\\*" in shown[0]   # shown as plain text
    assert "Tidligere versioner (2)" in [e.label for e in at.expander]
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
    with Store.open(isolated_db) as store:
        saved = commentary.current(store, year=2026, target_id="eud_share")
        assert saved.text == "Copenhagen Skills fortsætter." and saved.author == "anne"


# ------------------------------------------------------------------ explorer and target page in plain words (issue 10)
# This block belongs to the explorer/target work; the overview's tests are above.
def html_text(at: AppTest) -> str:
    """What the eye reads in the page's st.html tables: tags dropped, entities decoded, cells apart."""
    import html as _html

    bodies = [h.value for h in at.get("html")]
    return "\n".join(_html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", b, flags=re.S)))
                     for b in bodies)


def page_text(at: AppTest) -> str:
    """Everything a page shows as text: Streamlit elements and the HTML tables."""
    return shown_text(at) + "\n" + html_text(at)


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
        with Store.open(isolated_db) as store:
            for name in store.targets().query("kind != 'none'")[f"name_{lang}"]:
                assert name in html_text(at), name                             # full names, never cut
        shown = headings(at)
        for word in words:
            assert shown.get(word), (lang, word)                               # each heading explained on hover
        assert not {"Forhold", "Tilbagelagt", "Ratio"} & set(shown)
    at = app("explorer")
    text = html_text(at)
    assert "kan ikke beregnes: status kan ikke vurderes" in text             # the ratio rail cannot have, and why
    assert "bevæger sig væk fra målet (frist overskredet, tal for 2025 mangler)" in text   # EUD's marks


def test_explorer_links_open_every_target_with_language_year_and_presentation(isolated_db):
    at = app("explorer", year="2019", present="1", lang="en")
    assert_clean(at)
    links = re.findall(r'<a href="([^"]+)"', " ".join(h.value for h in at.get("html")))
    assert "target?target=eud_share&amp;geo=Region+Hovedstaden&amp;lang=en&amp;year=2019&amp;present=1" in links
    with Store.open(isolated_db) as store:
        ids = set(store.targets().query("kind != 'none'")["target_id"])
    assert {re.search(r"target=([a-z0-9_]+)", link).group(1) for link in links} == ids   # a keyboard path to each


def test_target_page_as_of_2019_stops_the_series_at_2019(isolated_db):
    at = app("target", target="stem_admissions", year="2019")
    assert_clean(at)
    text = page_text(at)
    assert "15.448 personer" in text and "17.256" not in text
    chart = at.get("plotly_chart")[0]
    import json

    import base64

    import numpy as np

    def values(xs):  # Plotly may send arrays as {"dtype", "bdata"} (base64)
        return np.frombuffer(base64.b64decode(xs["bdata"]), dtype=xs["dtype"]).tolist() if isinstance(xs, dict) else xs

    figure = json.loads(chart.proto.spec)
    observed_years = [x for trace in figure["data"] if trace.get("mode", "").startswith("markers")
                      and trace.get("name") in ("Målt", "Afledt", "Eksempeldata (ikke målt)")
                      for x in values(trace["x"])]
    assert observed_years and max(observed_years) == 2019
    series = next(h.value for h in at.get("html") if 'aria-label="Målingerne bag grafen"' in h.value)
    assert re.findall(r"<tr><td>(\d{4})</td>", series) == ["2017", "2018", "2019"]   # the table beside the chart


def test_target_page_escapes_an_unknown_target_from_the_url(isolated_db):
    at = app("target", target="**x**[link](http://e)")
    assert_clean(at)
    warning = at.warning[0].value
    assert "**x**" not in warning and "](" not in warning                 # no emphasis, no link
    assert re.sub(r"\\(.)", r"\1", warning) == "Målet '**x**[link](http://e)' findes ikke. Vælg et mål på listen."


def test_target_page_status_with_marks_and_deadline(isolated_db):
    at = app("target", target="eud_share")
    assert_clean(at)
    text = page_text(at)
    assert "Status: ✖ bevæger sig væk fra målet (frist overskredet, tal for 2025 mangler)" in text
    assert "Målværdi (frist 2025, overskredet)" in text
    at = app("target", target="renewable_electricity_share")
    assert "Målværdi (frist 2035)" in page_text(at)
    # the comparison table: every geography's status with its marks, and a link to it
    at = app("target", target="eud_share")
    compare = html_text(at)
    assert "✖ bevæger sig væk fra målet (frist overskredet, tal for 2025 mangler)" in compare
    assert "? kan ikke vurderes: kun basisåret er målt" in compare


def test_explorer_and_target_html_tables_leak_no_keys(isolated_db):
    for lang in ("da", "en"):
        for page in ("target", "explorer"):
            at = app(page, target="eud_share")
            if lang == "en":
                at.session_state["lang"] = "en"
                at.run()
            assert_clean(at)
            leaked = re.findall(r"\b(?:target|explorer|explain|col|chart|status|reason|mark)\.[a-z_]+", html_text(at))
            assert not leaked, (lang, page, leaked)


def test_target_page_notes_in_the_readers_language(isolated_db):
    at = app("target", target="eud_share")
    assert_clean(at)
    plain = re.sub(r"\\(.)", r"\1", page_text(at))                        # captions are Markdown-escaped
    assert "Afrundet til hele procent i kilden." in plain                  # an observation's note
    assert "6 mio. kr. over to år; notatet angiver intet startår" in plain  # an initiative's note
    assert "Rounded to whole per cent" not in plain and "over two years" not in plain
    with Store.open(isolated_db) as store:
        target = store.targets().set_index("target_id").loc["eud_share"]
    assert target["note_da"] in plain and target["note_en"] not in plain     # the target's own note
    at = app("target", target="eud_share")
    at.session_state["lang"] = "en"
    at.run()
    plain = re.sub(r"\\(.)", r"\1", page_text(at))
    assert "Rounded to whole per cent in the source." in plain and "over two years" in plain
    assert target["note_en"] in plain
