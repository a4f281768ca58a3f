"""Streamlit's and Plotly's own labels speak the page's language (WCAG 3.1.2, language of parts).

A screen reader on a Danish page read "Collapse sidebar", "Download as CSV" and "Zoom in" with
Danish pronunciation; ``app_pages/_chrome.py`` gives them Danish, and back when the reader
switches to English.
"""

from __future__ import annotations

import pytest

from metrics import i18n
from tests.test_e2e import browser, open_page, page, server, settle, sign_in_as_ana  # noqa: F401

pytestmark = [pytest.mark.e2e]

_LABELS = """() => [...document.querySelectorAll('[aria-label],[title],[placeholder],[data-title]')]
  .flatMap(e => ['aria-label', 'title', 'placeholder', 'data-title'].map(a => e.getAttribute(a)).filter(Boolean))"""


def _english_left(pg) -> list[str]:  # noqa: ANN001 - a Playwright page
    labels = pg.evaluate(_LABELS)
    return sorted({label for label in labels if label in i18n.CHROME_DA and i18n.CHROME_DA[label] != label}
                  | {label for label in labels if label.startswith("Help for ")})


@pytest.mark.parametrize(("path", "heading"), [("/", "Overblik over målene"),
                                               ("/target?target=eud_share", "Mål i detaljer"),
                                               ("/explorer", "Afstand til målene")])
def test_a_danish_page_gives_streamlits_and_plotlys_labels_in_danish(server, page, path, heading):
    open_page(page, server + path, heading)
    if path != "/":  # the chart (on the target page in its tab) is drawn after the page has settled
        page.locator(".js-plotly-plot .modebar-btn").first.wait_for(state="attached")
        settle(page)
    assert page.evaluate("() => document.documentElement.lang") == "da"
    assert _english_left(page) == []
    labels = page.evaluate(_LABELS)
    assert "Skjul sidepanelet" in labels and "Hovedmenu" in labels
    if path != "/":
        assert "Hent grafen som PNG" in labels  # Plotly's mode bar


def test_the_upload_box_and_the_skip_link_read_danish_and_english_comes_back(server, page):
    open_page(page, server + "/upload", "Upload")
    sign_in_as_ana(page)
    instructions = page.locator("[data-testid='stFileUploaderDropzoneInstructions']").inner_text()
    assert "per file" not in instructions and "Højst 50 MB pr. fil" in instructions, instructions
    assert page.get_by_text("Gå til hovedindholdet").count() == 1
    page.locator("section[data-testid='stSidebar']").get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="Upload").first.wait_for()
    settle(page)
    assert page.evaluate("() => document.documentElement.lang") == "en"
    labels = page.evaluate(_LABELS)
    assert "Collapse sidebar" in labels and "Skjul sidepanelet" not in labels
    assert page.get_by_text("Skip to main content").count() == 1
