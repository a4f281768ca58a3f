"""The memo's charts (metrics.memo.chart): embedded as PNGs, or a sentence when Chromium is missing."""

from __future__ import annotations

import io

from metrics import charts
from metrics import memo as memo_mod
from metrics.model import MalsporError
from tests.memo_support import YEAR, _tiny_png, no_cached_charts  # noqa: F401 - fixtures


def test_memo_without_chromium_still_comes_with_a_sentence_for_each_chart(store, monkeypatch):
    calls = []

    def broken(fig, width=1200, height=600):
        calls.append(1)
        raise MalsporError("The chart could not be rendered as PNG (is Chromium installed?): no browser")

    monkeypatch.setattr(charts, "figure_png", broken)
    memo = memo_mod.build_memo(store, YEAR, "da")
    sections = [t for th in memo.themes for f in th.focus_areas for t in f.targets]
    assert len(calls) == 1                                        # gives up after the first failure
    assert all(t.chart_png is None for t in sections)
    with_notes = [t for t in sections if t.chart_note]
    assert len(with_notes) == len(sections)
    assert "Grafen kunne ikke tegnes på denne maskine (Chromium)" in with_notes[0].chart_note
    for fmt in memo_mod.FORMATS:
        data = memo_mod.render(memo, fmt)
        assert len(data) > 1000
    assert "Grafen kunne ikke tegnes" in memo_mod.to_html(memo).decode()


def test_with_charts_the_memo_embeds_pngs(store, monkeypatch):
    png = _tiny_png()
    monkeypatch.setattr(charts, "figure_png", lambda fig, width=1200, height=600: png)
    memo = memo_mod.build_memo(store, YEAR, "da")
    sections = [t for th in memo.themes for f in th.focus_areas for t in f.targets]
    drawn = [t for t in sections if t.chart_png]
    # every target gets a chart except the monitored indicator with a single measurement
    assert {t.target_id for t in sections} - {t.target_id for t in drawn} == {"neet_youth"}
    assert all(t.chart_alt.startswith("Graf: ") for t in drawn)
    assert memo_mod.to_html(memo).decode().count('src="data:image/png;base64,') == len(drawn)
    from docx import Document

    assert len(Document(io.BytesIO(memo_mod.to_docx(memo))).inline_shapes) == len(drawn)
    assert memo_mod.to_pdf(memo)[:5] == b"%PDF-"
