"""The status memo: content per target and theme, the four formats read back, fallbacks, escaping, the CLI."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from metrics import audit, charts, cli, commentary, i18n, ingest, progress, report
from metrics.model import TARGET_STATUSES, Actor, MalsporError
from tests.conftest import ADMIN, ANALYST, write_csv, MARKED

YEAR = 2026
TODAY = dt.date(2026, 5, 12)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def expected_statuses(store, lang: str = "da") -> dict[str, tuple[str, str]]:
    """target name -> (status code, status label) of each target in its own geography, by the progress engine."""
    with store.read() as cur:
        status = progress.compute_status(cur, as_of=YEAR)
    status = status[status["is_primary_geography"]]
    return {(r.name_da if lang == "da" else r.name_en): (r.status, i18n.status_label(r.status, lang))
            for r in status.itertuples()}


class _Text(HTMLParser):
    """Visible text of an HTML document, one string per element, plus the tags seen."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        if data.strip():
            self.chunks.append(data.strip())


def docx_paragraphs(data: bytes) -> list[tuple[str, str]]:
    """(style name, text) of every paragraph of a DOCX, tables' cells included, in document order."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    out: list[tuple[str, str]] = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            from docx.text.paragraph import Paragraph

            p = Paragraph(child, doc)
            out.append((p.style.name if p.style is not None else "", p.text))
        elif tag == "tbl":
            from docx.table import Table

            for row in Table(child, doc).rows:
                out.append(("table", " | ".join(c.text for c in row.cells)))
    return out


@pytest.fixture(autouse=True)
def no_cached_charts():
    """Charts are cached per process by content; each test draws (or fails to draw) its own."""
    report._chart_cache.clear()
    yield
    report._chart_cache.clear()


@pytest.fixture
def memo_da(store):
    return report.build_memo(store, YEAR, "da", charts=False, today=TODAY)


# ------------------------------------------------------------------ content
def test_first_page_counts_changes_and_furthest_behind(memo_da):
    m = memo_da
    assert m.detail == "full" and m.n_targets == 11
    assert m.headline == "4 af 9 mål er nået eller på rette vej."
    assert [(s, n) for s, _, n in m.counts] == [("on_track", 4), ("insufficient", 1), ("moving_away", 2),
                                                ("not_assessable", 2)]
    assert m.counts[0][1] == "▲ på rette vej"                        # icon and words
    assert "2 indikatorer uden mål" in m.monitored
    assert m.changes == [] and m.changes_text == "Ingen mål har skiftet status siden status pr. 2025."
    # furthest behind: moving away first, then insufficient
    assert [row[0] for row in m.behind] == ["Unge der vælger en erhvervsuddannelse (EUD)",
                                            "Borgere der pendler med kollektiv trafik",
                                            "Passagerer med Movia (bus og lokalbaner)"]
    # the status with its marks (EUD's deadline 2025 has passed, its figure for 2025 is not out)
    assert m.behind[0][1].startswith("✖ bevæger sig væk fra målet (")
    assert "frist overskredet, tal for 2025 mangler" in m.behind[0][1]
    assert "fire femtedele af tiden" in m.behind[0][4]
    assert m.has_illustrative


def test_every_target_is_in_its_theme_and_focus_area_with_its_status(store, memo_da):
    expected = expected_statuses(store)
    seen = {}
    targets = store.targets().set_index("target_id")
    for theme in memo_da.themes:
        for focus in theme.focus_areas:
            for section in focus.targets:
                row = targets.loc[section.target_id]
                assert row["theme_id"] == theme.theme_id and row["focus_area_id"] == focus.focus_area_id
                seen[section.name] = section.status
                assert section.status_text.startswith(expected[section.name][1])
    assert seen == {name: code for name, (code, _) in expected.items()}


def test_a_target_section_has_figures_sources_and_illustrative_marks(memo_da):
    eud = next(t for th in memo_da.themes for f in th.focus_areas for t in f.targets if t.target_id == "eud_share")
    facts = dict(eud.facts)
    assert facts["Seneste måling"] == "13 % (2023)"
    assert facts["Mål"] == "30 % i 2025 (fristen er overskredet)"
    assert facts["Basisår"] == "14 % (2015) ⚠ eksempeldata"           # the baseline is illustrative
    assert facts["Mangler til målet"] == "17 procentpoint"
    # a negative distance covered is said in words, not as "−6 % af vejen"
    assert facts["Fremdrift"] == "er gået tilbage siden basisåret, svarende til 6 % af vejen til målet, på fire femtedele af tiden"
    assert "eksempeldata" in facts["Data"]
    assert eud.illustrative
    assert any(s.startswith("2015–2021: ⚠ eksempeldata:") for s in eud.sources)
    assert any("Børne- og Undervisningsministeriet" in s for s in eud.sources)
    assert eud.sources[0].startswith("Målet: ")
    # charts were not asked for: no picture and no false "could not be drawn" sentence
    assert eud.chart_png is None and eud.chart_note is None


def test_theme_without_targets_is_handled(memo_da):
    health = next(th for th in memo_da.themes if th.theme_id == "sundt_liv")
    assert health.empty_note == "Ingen mål i dette tema endnu." and health.summary is None
    assert [f.focus_area_id for f in health.focus_areas] == ["folkesundhed", "forskning_innovation",
                                                             "personlig_medicin"]
    assert health.focus_areas[0].initiatives[0][2] == "6.000.000 kr."
    assert health.focus_areas[0].funding_total == "Samlet bevilling: 6.000.000 kr."


def test_english_memo(store):
    m = report.build_memo(store, YEAR, "en", charts=False, today=TODAY)
    assert m.headline == "4 of 9 targets are met or on track." and m.subtitle.startswith("Status as of 2026")
    assert m.date_text == "12 May 2026"
    html_text = report.to_html(m).decode()
    for name, (_, label) in expected_statuses(store, "en").items():
        assert html.escape(name) in html_text and html.escape(label) in html_text
    assert "procentpoint" not in html_text and "percentage points" in html_text


def test_changes_since_the_previous_year(store, tmp_path):
    path = write_csv(tmp_path / "dk.csv", "target_id,year,value,source\ndk2020_climate_plans,2026,29,KKR\n")
    ingest.import_observations(store, path, ANALYST)
    m = report.build_memo(store, YEAR, "da", charts=False)
    assert m.changes == [["Kommuner med DK2020-klimaplan", "▲ på rette vej", "✔ mål nået", "↑ bedre"]]
    assert "1 mål har skiftet status" in m.changes_text and "1 til det bedre, 0 til det værre" in m.changes_text


def test_commentary_goes_into_the_memo_with_author_and_year(store):
    commentary.save(store, ANALYST, target_id="eud_share", year=YEAR,
                    text="Søgningen ligger stabilt.\n\nCopenhagen Skills fortsætter.")
    commentary.save(store, ANALYST, focus_area_id="faglaerte", year=YEAR, text="Indsatsen fortsætter.")
    commentary.save(store, ANALYST, target_id="stem_admissions", year=YEAR - 1, text="Skrevet sidste år.")
    commentary.save(store, ANALYST, target_id="waste_recycling", year=YEAR, text="Only English.", lang="en")
    m = report.build_memo(store, YEAR, "da", charts=False)
    sections = {t.target_id: t for th in m.themes for f in th.focus_areas for t in f.targets}
    eud = sections["eud_share"].commentary
    assert eud.paragraphs == ["Søgningen ligger stabilt.", "Copenhagen Skills fortsætter."]
    assert eud.byline.startswith("Skrevet af ana, ")
    assert "skrevet til status pr. 2025" in sections["stem_admissions"].commentary.byline
    assert "kun på engelsk" in sections["waste_recycling"].commentary.byline
    assert sections["renewable_electricity_share"].commentary is None
    focus = next(f for th in m.themes for f in th.focus_areas if f.focus_area_id == "faglaerte")
    assert focus.commentary.paragraphs == ["Indsatsen fortsætter."]
    text = report.to_markdown(m)
    assert "> Søgningen ligger stabilt." in text and "Indsatsen fortsætter." in text


def test_summary_memo_for_a_large_database(store, monkeypatch):
    monkeypatch.setattr(report, "FULL_LIMIT", 5)
    commentary.save(store, ANALYST, focus_area_id="faglaerte", year=YEAR, text="Resumé-kommentar.")
    m = report.build_memo(store, YEAR, "da", today=TODAY)
    assert m.detail == "summary"
    assert all(not f.targets for th in m.themes for f in th.focus_areas)
    assert [f.focus_area_id for th in m.themes for f in th.focus_areas] == ["faglaerte"]
    mobility = next(th for th in m.themes if th.theme_id == "mobilitet")
    assert [row[0] for row in mobility.behind][:2] == ["Borgere der pendler med kollektiv trafik",
                                                       "Passagerer med Movia (bus og lokalbaner)"]
    for fmt in report.FORMATS:
        data = report.render(m, fmt)
        assert data
    assert "Resumé: databasen har 11 mål" in report.to_markdown(m)
    full = report.build_memo(store, YEAR, "da", detail="full", charts=False)
    assert full.detail == "full"


def test_unknown_language_and_detail_are_refused(store):
    with pytest.raises(MalsporError, match="language"):
        report.build_memo(store, YEAR, "de")
    with pytest.raises(MalsporError, match="detail"):
        report.build_memo(store, YEAR, "da", detail="everything")
    with pytest.raises(MalsporError, match="format"):
        report.memo_bytes(store, "odt", YEAR)


# ------------------------------------------------------------------ what each status rests on
def status_rows(store, lang: str) -> dict[str, dict]:
    """target_id -> the status row (own geography) with ``name`` and ``line`` (status with marks) in ``lang``."""
    from metrics import marks

    with store.read() as cur:
        status = progress.compute_status(cur, as_of=YEAR)
    out = {}
    for r in status[status["is_primary_geography"]].to_dict("records"):
        r["name"] = r["name_da"] if lang == "da" else r["name_en"]
        r["line"] = marks.status_line(r, lang)
        out[r["target_id"]] = r
    return out


def markdown_status_lines(text: str) -> dict[str, str]:
    """Escaped target name -> the bold status line right below its heading in a Markdown memo."""
    return dict(re.findall(r"^#### (.+)\n\n\*\*(.+)\*\*$", text, flags=re.M))


def first_page(text: str) -> str:
    """The Markdown memo up to the first theme heading."""
    return text.split("\n## ", 2)[1]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_status_in_the_memo_carries_its_marks(store, lang):
    memo = report.build_memo(store, YEAR, lang, charts=False, today=TODAY)
    rows = status_rows(store, lang)
    md = report.to_markdown(memo)
    lines = markdown_status_lines(md)
    docx = docx_paragraphs(report.to_docx(memo))
    docx_lines = {docx[i][1]: docx[i + 1][1] for i, (style, _) in enumerate(docx) if style == "Heading 3"}
    for tid, r in rows.items():
        # each target block: the status with exactly the marks of metrics.marks, in Markdown and Word
        assert lines[report._m(r["name"])] == report._m(r["line"]), tid
        assert docx_lines[r["name"]] == r["line"], tid
    for tid, mark in MARKED[lang].items():
        assert mark in rows[tid]["line"], (tid, rows[tid]["line"])
        assert mark in lines[report._m(rows[tid]["name"])]
        assert mark in docx_lines[rows[tid]["name"]]
    # the first page's counts name each target whose status has marks, beside its status
    page = first_page(md)
    for tid, mark in MARKED[lang].items():
        r = rows[tid]
        if r["kind"] == "none":
            continue
        caveat = memo.caveats[r["status"]]
        short = store.targets().set_index("target_id").loc[tid, f"short_name_{lang}"]
        assert f"{short} – " in caveat and mark in caveat, caveat          # named by its short label
        assert report._m(mark) in page
    # the furthest-behind list shows the status with its marks too
    eud = rows["eud_share"]
    behind = {row[0]: row[1] for row in memo.behind}
    assert behind[eud["name"]] == eud["line"] and MARKED[lang]["eud_share"] in behind[eud["name"]]


def test_the_pdf_and_html_carry_the_marks(store, memo_da):
    data = report.to_html(memo_da).decode("utf-8")
    for mark in MARKED["da"].values():
        assert html.escape(mark) in data
    if shutil.which("pdftotext"):
        pdf = report.to_pdf(memo_da)
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, check=True, capture_output=True).stdout.decode()
        flat = re.sub(r"\s+", " ", text)
        for mark in MARKED["da"].values():
            assert mark in flat, mark


def test_furthest_behind_is_the_overviews_ranking(store, memo_da):
    from metrics import views

    overview = views.furthest_behind(views.overview_rows(store, YEAR, "da"), report.BEHIND_SHOWN)
    assert [row[0] for row in memo_da.behind] == list(overview["name"])


def test_moving_back_is_said_in_words(store):
    rows = {row[0]: row[4] for row in report.build_memo(store, YEAR, "en", charts=False).behind}
    movia = rows["Movia passengers (bus and local trains)"]
    assert movia.startswith("has moved back since the baseline, by 110% of the way to the target")
    assert "−" not in movia


def test_a_missed_target_is_counted_as_not_met_in_the_methods_order(store, tmp_path):
    path = write_csv(tmp_path / "eud.csv", "target_id,year,value,source\neud_share,2025,15,UVM\n")
    ingest.import_observations(store, path, ANALYST)
    memo = report.build_memo(store, YEAR, "da", charts=False, today=TODAY)
    order = [s for s, _, _ in memo.counts]
    assert order == [s for s in TARGET_STATUSES if s in order]
    assert ("not_met", "⊘ ikke nået", 1) in memo.counts
    eud = next(t for th in memo.themes for f in th.focus_areas for t in f.targets if t.target_id == "eud_share")
    assert eud.status == "not_met" and eud.status_text.startswith("⊘ ikke nået")
    assert "frist overskredet" not in eud.status_text                # settled: the figure for 2025 is there
    assert dict(eud.facts)["Mål"] == "30 % i 2025 (afgjort med tallet for 2025)"
    assert memo.behind[0][0] == "Unge der vælger en erhvervsuddannelse (EUD)"   # the worst status first
    md = report.to_markdown(memo)
    assert "| ⊘ ikke nået | 1 |" in md


#: Words that give an English sentence away; none may appear in the Danish memo.
ENGLISH_WORDS = re.compile(r"\b(the|and|of|with|from|is|are|not|was|in the|target|measured|illustrative|"
                           r"provisional|latest|figure|deadline|source|used|found|series|share|"
                           r"assumed|estimate[sd]?)\b", re.I)


def test_the_danish_memo_is_danish_and_the_english_memo_english(store):
    targets = store.targets()
    da = report.to_markdown(report.build_memo(store, YEAR, "da", charts=False, today=TODAY))
    en = report.to_markdown(report.build_memo(store, YEAR, "en", charts=False, today=TODAY))
    assert "note_da" in targets and "note_en" in targets            # method v2's schema
    checked = 0
    for r in targets.to_dict("records"):
        note_da, note_en = r["note_da"], r["note_en"]
        if isinstance(note_en, str) and note_en and note_en != note_da:
            assert report._m(note_en) not in da, r["target_id"]          # no English target note in Danish
            checked += 1
        if isinstance(note_da, str) and note_da:
            assert f"Bemærkning: {report._m(note_da)}" in da, r["target_id"]
            if note_da != note_en and isinstance(note_en, str) and note_en:
                assert report._m(note_da) not in en and f"Note: {report._m(note_en)}" in en
    assert checked >= 3
    # Every sentence of the memo is Danish; only the titles of cited publications (the source lines
    # other than "Bemærkning") may be in the language they were published in.
    own = "\n".join(line for line in da.splitlines() if not re.match(r"- (?!Bemærkning:)", line))
    found = sorted({m.group(0) for m in ENGLISH_WORDS.finditer(own)})
    assert not found, found


# ------------------------------------------------------------------ the formats, read back
def test_docx_names_every_target_with_its_status(store, memo_da):
    data = report.to_docx(memo_da)
    paragraphs = docx_paragraphs(data)
    expected = expected_statuses(store)
    headings = [i for i, (style, _) in enumerate(paragraphs) if style == "Heading 3"]
    found = {}
    for i in headings:
        name = paragraphs[i][1]
        if name in expected:
            found[name] = paragraphs[i + 1][1]          # the status line right below the heading
    assert set(found) == set(expected)
    for name, line in found.items():
        assert line.startswith(expected[name][1]), (name, line)
    texts = [t for _, t in paragraphs]
    assert "Status på målene i RUS-handlingsplanen" in texts
    assert "Nye muligheder for et sundt liv" in texts and "Ingen mål i dette tema endnu." in texts
    assert any("eksempeldata" in t for t in texts)
    # the footer carries the date and page numbers as fields Word fills in
    from docx import Document

    doc = Document(io.BytesIO(data))
    footer_xml = doc.sections[0].footer._element.xml
    assert "12. maj 2026" in footer_xml and " PAGE " in footer_xml and " NUMPAGES " in footer_xml
    assert doc.core_properties.language == "da-DK"


def test_html_names_every_target_with_its_status_and_is_self_contained(store, memo_da):
    data = report.to_html(memo_da).decode("utf-8")
    parser = _Text()
    parser.feed(data)
    chunks = parser.chunks
    expected = expected_statuses(store)
    for name, (_, label) in expected.items():
        i = chunks.index(name)
        assert chunks[i + 1].startswith(label), (name, chunks[i + 1])
    assert 'lang="da"' in data and "Content-Security-Policy" in data
    assert "script" not in parser.tags and "link" not in parser.tags
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", data)


def test_markdown_has_every_target(store, memo_da):
    text = report.to_markdown(memo_da)
    for name, (_, label) in expected_statuses(store).items():
        assert f"#### {report._m(name)}\n\n**{report._m(label)}" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (Debian package poppler-utils) is not installed")
def test_pdf_first_page_renders_with_page_numbers_and_date(store, tmp_path):
    from PIL import Image, ImageStat

    memo = report.build_memo(store, YEAR, "da", today=TODAY)      # with charts, if Chromium works
    pdf = tmp_path / "memo.pdf"
    pdf.write_bytes(report.to_pdf(memo))
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True)
    png = next(tmp_path.glob("page*.png"))
    image = Image.open(png).convert("L")
    assert image.size[0] > 400 and image.size[1] > 600
    dark = sum(image.histogram()[:128]) / (image.size[0] * image.size[1])
    assert dark > 0.01, "the first page is blank"
    assert ImageStat.Stat(image).stddev[0] > 10
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
        pages = text.split("\f")
        n = len([p for p in pages if p.strip()])
        assert "Side 1 af" in pages[0] and f"Side {n} af {n}" in pages[n - 1]
        assert "12. maj 2026" in pages[0]
        assert "Miljø og klima i balance" in text and "▲ på rette vej" in text and "✖ bevæger sig væk" in text
        assert "eksempeldata" in text
        for name in expected_statuses(store):
            assert name.split(" (")[0][:30] in text.replace("\n", " ").replace("  ", " ") or name[:20] in text


def test_memo_without_chromium_still_comes_with_a_sentence_for_each_chart(store, monkeypatch):
    calls = []

    def broken(fig, width=1200, height=600):
        calls.append(1)
        raise MalsporError("The chart could not be rendered as PNG (is Chromium installed?): no browser")

    monkeypatch.setattr(charts, "figure_png", broken)
    memo = report.build_memo(store, YEAR, "da")
    sections = [t for th in memo.themes for f in th.focus_areas for t in f.targets]
    assert len(calls) == 1                                        # gives up after the first failure
    assert all(t.chart_png is None for t in sections)
    with_notes = [t for t in sections if t.chart_note]
    assert len(with_notes) == len(sections)
    assert "Grafen kunne ikke tegnes på denne maskine (Chromium)" in with_notes[0].chart_note
    for fmt in report.FORMATS:
        data = report.render(memo, fmt)
        assert len(data) > 1000
    assert "Grafen kunne ikke tegnes" in report.to_html(memo).decode()


def test_with_charts_the_memo_embeds_pngs(store, monkeypatch):
    png = _tiny_png()
    monkeypatch.setattr(charts, "figure_png", lambda fig, width=1200, height=600: png)
    memo = report.build_memo(store, YEAR, "da")
    sections = [t for th in memo.themes for f in th.focus_areas for t in f.targets]
    drawn = [t for t in sections if t.chart_png]
    # every target gets a chart except the monitored indicator with a single measurement
    assert {t.target_id for t in sections} - {t.target_id for t in drawn} == {"neet_youth"}
    assert all(t.chart_alt.startswith("Graf: ") for t in drawn)
    assert report.to_html(memo).decode().count('src="data:image/png;base64,') == len(drawn)
    from docx import Document

    assert len(Document(io.BytesIO(report.to_docx(memo))).inline_shapes) == len(drawn)
    assert report.to_pdf(memo)[:5] == b"%PDF-"


def _tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (100, 48), (0, 114, 178)).save(buffer, format="PNG")
    return buffer.getvalue()


# ------------------------------------------------------------------ hostile text
HOSTILE_NAME = "<script>alert('x')</script> =cmd|' /C calc'!A0"


def _hostile(store) -> None:
    with store.write(ADMIN, "edit_targets") as cur:
        cur.execute("UPDATE target_definitions SET name_da = ?, name_en = ? WHERE target_id = 'eud_share'",
                    [HOSTILE_NAME, HOSTILE_NAME])
        audit.record(cur, ADMIN, "test_hostile_name", "targets", "eud_share", None, {"name": HOSTILE_NAME})
    commentary.save(store, ANALYST, target_id="eud_share", year=YEAR,
                    text='<img src=x onerror="alert(1)"> [link](javascript:alert(1)) </p><script>x</script>')


def test_hostile_text_is_inert_in_html_and_markdown(store):
    _hostile(store)
    memo = report.build_memo(store, YEAR, "da", charts=False)
    data = report.to_html(memo).decode()
    assert "<script" not in data.lower() and "<img src=x" not in data
    assert html.escape(HOSTILE_NAME) in data
    parser = _Text()
    parser.feed(data)
    assert "script" not in parser.tags and parser.tags.count("img") == 0
    assert HOSTILE_NAME in parser.chunks                        # shown as the text it is
    md = report.to_markdown(memo)
    assert "\\<script\\>" in md
    assert not re.search(r"(?<!\\)<", md)                          # every '<' escaped: no raw HTML
    assert not re.search(r"(?<!\\)\]\(", md)                        # no live link
    docx_text = " ".join(t for _, t in docx_paragraphs(report.to_docx(memo)))
    assert HOSTILE_NAME in docx_text                              # Word shows it as plain text
    assert report.to_pdf(memo)[:5] == b"%PDF-"


# ------------------------------------------------------------------ command line
def test_cli_report_writes_each_format(store, tmp_path):
    for fmt in report.FORMATS:
        out = tmp_path / f"notat.{fmt}"
        code, text, err = run("report", "--format", fmt, "--year", str(YEAR), "--out", str(out), "--no-charts")
        assert code == 0, err
        assert out.stat().st_size > 1000 and "11 targets" in text and "full status memo" in text
    assert (tmp_path / "notat.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "notat.docx").read_bytes()[:2] == b"PK"
    code, text, _ = run("report", "--format", "html", "--lang", "en", "--out", str(tmp_path / "m.html"),
                        "--no-charts", "--detail", "summary")
    assert code == 0 and "summary status memo" in text
    assert "Status of the targets" in (tmp_path / "m.html").read_text(encoding="utf-8")


def test_cli_report_markdown_writes_charts_beside_it(store, tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "figure_png", lambda fig, width=1200, height=600: _tiny_png())
    code, _, err = run("report", "--format", "md", "--year", str(YEAR), "--out", str(tmp_path / "notat.md"))
    assert code == 0, err
    pngs = sorted(p.name for p in (tmp_path / "notat_grafer").iterdir())
    assert "eud_share.png" in pngs
    assert "](notat_grafer/eud_share.png)" in (tmp_path / "notat.md").read_text(encoding="utf-8")


def test_cli_report_errors(store, tmp_path):
    code, _, err = run("report", "--format", "pdf", "--out", str(tmp_path / "nowhere" / "x.pdf"))
    assert code == 1 and "does not exist" in err
    code, _, _ = run("report", "--format", "odt", "--out", str(tmp_path / "x.odt"))
    assert code == 2


def test_file_names_and_dates():
    assert report.file_name(2026, "da", "pdf") == "statusnotat_2026.pdf"
    assert report.file_name(2026, "en", "docx") == "status_memo_2026_en.docx"
    assert report.format_date(dt.date(2026, 3, 1), "da") == "1. marts 2026"
    assert report._years_text([2015, 2016, 2017, 2019, 2021, 2022]) == "2015–2017, 2019, 2021–2022"


def test_viewer_cannot_write_commentary_for_the_memo(store):
    with pytest.raises(Exception, match="may not"):
        commentary.save(store, Actor("v", "viewer"), target_id="eud_share", year=YEAR, text="x")


@pytest.mark.parametrize("command", [["report"], ["backup"], ["restore"], ["commentary"], ["commentary", "set"],
                                     ["commentary", "list"]])
def test_new_subcommands_have_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        cli.build_parser().parse_args([*command, "--help"])
    assert info.value.code == 0
    assert "--db" in capsys.readouterr().out


def test_control_characters_and_unusual_scripts_do_not_break_any_format(store):
    with store.write(ADMIN, "edit_targets") as cur:
        cur.execute("UPDATE target_definitions SET name_da = ? WHERE target_id = 'eud_share'",
                    ["EUD \x07klokke \x00nul 😀 中文\ttab"])
        audit.record(cur, ADMIN, "test_odd_name", "targets", "eud_share", None, None)
    commentary.save(store, ANALYST, target_id="eud_share", year=YEAR, text="emoji 😀 styretegn \x01\x02 slut")
    assert commentary.current(store, year=YEAR, target_id="eud_share").text == "emoji 😀 styretegn  slut"
    memo = report.build_memo(store, YEAR, "da", charts=False)
    eud = next(t for th in memo.themes for f in th.focus_areas for t in f.targets if t.target_id == "eud_share")
    assert eud.name == "EUD klokke nul 😀 中文 tab"
    for fmt in report.FORMATS:
        assert len(report.render(memo, fmt)) > 1000
