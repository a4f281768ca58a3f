"""Shared helpers for the memo's tests (tests/test_memo_*.py): the seed's expected statuses, documents read back."""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest

from metrics import audit, cli, commentary, i18n, progress
from metrics import memo as memo_mod
from metrics.memo import chart as memo_chart
from tests.conftest import ADMIN, ANALYST

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
    memo_chart._chart_cache.clear()
    yield
    memo_chart._chart_cache.clear()


@pytest.fixture
def memo_da(store):
    return memo_mod.build_memo(store, YEAR, "da", charts=False, today=TODAY)


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


def _tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (100, 48), (0, 114, 178)).save(buffer, format="PNG")
    return buffer.getvalue()


HOSTILE_NAME = "<script>alert('x')</script> =cmd|' /C calc'!A0"


def _hostile(store) -> None:
    with store.write(ADMIN, "edit_targets") as cur:
        cur.execute("UPDATE target_definitions SET name_da = ?, name_en = ? WHERE target_id = 'eud_share'",
                    [HOSTILE_NAME, HOSTILE_NAME])
        audit.record(cur, ADMIN, "test_hostile_name", "targets", "eud_share", None, {"name": HOSTILE_NAME})
    commentary.save(store, ANALYST, target_id="eud_share", year=YEAR,
                    text='<img src=x onerror="alert(1)"> [link](javascript:alert(1)) </p><script>x</script>')
