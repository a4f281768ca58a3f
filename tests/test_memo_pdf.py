"""The PDF memo (metrics.memo.pdf) rendered and read back."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest

from metrics import audit, charts
from metrics import memo as memo_mod
from tests.conftest import ADMIN
from tests.memo_support import YEAR, TODAY, expected_statuses, no_cached_charts  # noqa: F401 - fixtures


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (Debian package poppler-utils) is not installed")
def test_pdf_first_page_renders_with_page_numbers_and_date(store, tmp_path):
    from PIL import Image, ImageStat

    memo = memo_mod.build_memo(store, YEAR, "da", today=TODAY)      # with charts, if Chromium works
    pdf = tmp_path / "memo.pdf"
    pdf.write_bytes(memo_mod.to_pdf(memo))
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


def _chart_png() -> bytes:
    """A blank PNG of the memo's chart size, so the page layout is the one real charts give."""
    from PIL import Image

    from metrics.memo.chart import CHART_HEIGHT, CHART_WIDTH

    buffer = io.BytesIO()
    Image.new("RGB", (CHART_WIDTH, CHART_HEIGHT), (230, 240, 250)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, whitespace collapsed (pdftotext)."""
    text = subprocess.run(["pdftotext", "-", "-"], input=data, check=True, capture_output=True).stdout.decode()
    return [re.sub(r"\s+", " ", page) for page in text.split("\f")]


def _page_of(pages: list[str], text: str, last: bool = False) -> int:
    found = [i for i, page in enumerate(pages) if re.sub(r"\s+", " ", text) in page]
    assert found, text
    return found[-1] if last else found[0]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (Debian package poppler-utils) is not installed")
@pytest.mark.parametrize("lang", ["da", "en"])
def test_each_target_block_with_its_initiatives_stays_on_one_page(store, monkeypatch, lang):
    png = _chart_png()
    monkeypatch.setattr(charts, "figure_png", lambda fig, width=1200, height=600: png)
    memo = memo_mod.build_memo(store, YEAR, lang, today=TODAY)
    pages = pdf_pages(memo_mod.to_pdf(memo))
    heading = memo.t("memo.initiatives")
    for theme in memo.themes:
        for focus in theme.focus_areas:
            for target in focus.targets:
                # the target's heading (its last mention: the first page lists some by name) and its last source
                page = _page_of(pages, target.name[:28], last=True)
                assert page == _page_of(pages, target.sources[-1][:120], last=True), (target.name, page)
            # the initiatives follow the focus area's last target (or its heading) on the same page
            before = (focus.targets[-1].name if focus.targets else focus.name)[:28]
            page = pages[_page_of(pages, before, last=True)]
            after = page[page.rindex(before):]
            first = focus.initiatives[0][0][:25] if focus.initiatives else memo.t("target.no_initiatives")
            assert heading in after and first in page, focus.name      # (pdftotext may read a table first)
    # no page opens with an initiatives table cut from its target
    assert not [i for i, page in enumerate(pages) if page.strip().startswith(heading)]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (Debian package poppler-utils) is not installed")
def test_a_block_taller_than_a_page_breaks_and_its_table_repeats_its_heading_row(store):
    with store.write(ADMIN, "edit_targets") as cur:
        cur.execute("INSERT INTO initiatives (focus_area_id, name_da, name_en, year, funding_dkk) "
                    "SELECT 'faglaerte', 'Lang liste ' || i, 'Long list ' || i, 2020, 1000 * i FROM range(80) r(i)")
        audit.record(cur, ADMIN, "test_many_initiatives", "initiatives", "faglaerte", None, None)
    memo = memo_mod.build_memo(store, YEAR, "da", charts=False, today=TODAY)
    pages = pdf_pages(memo_mod.to_pdf(memo))
    spanned = [i for i, page in enumerate(pages) if "Lang liste" in page]
    assert len(spanned) >= 2
    for i in spanned:
        assert "Initiativ År Bevilling" in pages[i], i                  # the heading row on every page of the table
    eud = _page_of(pages, "Unge der vælger en erhvervsuddannelse (EUD)", last=True)
    assert eud == spanned[0]                                            # the table starts with its target


@pytest.mark.parametrize("lang", ["da", "en"])
def test_no_target_spans_a_page_break_and_no_page_is_left_nearly_empty(store, monkeypatch, lang):
    """Measured from the PDF writer's own layout: every target's group on one page; a page that ends
    because the next group did not fit is at least half used (a narrower chart lets the group fit)."""
    from metrics.memo import pdf as memo_pdf

    png = _chart_png()
    monkeypatch.setattr(charts, "figure_png", lambda fig, width=1200, height=600: png)
    memo = memo_mod.build_memo(store, YEAR, lang, today=TODAY)
    _, placed = memo_pdf.lay_out(memo)
    targets = {t.target_id for t in memo.sections()}
    assert {p.anchor for p in placed} >= targets
    for p in placed:
        if p.anchor in targets:
            assert p.first_page == p.last_page, p
            assert p.chart_scale >= memo_pdf.MIN_CHART_SCALE, p
    top, bottom = memo_pdf.MARGINS[1], 297 - memo_pdf.BOTTOM
    themes = {th.name for th in memo.themes}
    for before, after in zip(placed, placed[1:]):
        pushed = after.first_page == before.last_page + 1 and after.heading not in themes  # not a theme's new page
        if pushed:
            used = (before.bottom - top) / (bottom - top)
            assert used >= memo_pdf.NEAR_EMPTY, (before.heading, before.last_page, round(used, 2), after.heading)
