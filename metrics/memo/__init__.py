"""The status memo for committees, written from the data in Danish or English.

Modelled on the region's own memo (``../shared/seed/``): a first page with the overall
picture (how many targets in each status, what changed since the previous year, the targets
furthest behind), then theme by theme and focus area by focus area each target's status,
latest value against the target, the chart with glide path and projection, the analysts'
commentary, the initiatives and their funding, and the sources of the figures, with
illustrative values marked wherever they appear.

The way through the package:

* :mod:`~metrics.memo.content` -- :func:`build_memo` reads the store once (two status
  computations and one query per table, never one per target) into plain dataclasses with
  every text in the memo's language; :mod:`~metrics.memo.facts` writes a target's figures
  and sources, :mod:`~metrics.memo.chart` draws and caches its chart.
* :mod:`~metrics.memo.layout` -- the order and wording, once, as a sequence of blocks.
* The writers follow the blocks: :mod:`~metrics.memo.pdf` (to read; fpdf2, each target's
  block kept on one page), :mod:`~metrics.memo.docx` (to edit in Word),
  :mod:`~metrics.memo.html` (one self-contained file to mail; Jinja2 with autoescape, no
  script allowed) and :mod:`~metrics.memo.markdown`.

Without a working Chromium the memo is still written, with a sentence in place of each chart.
A database with more than :data:`FULL_LIMIT` targets gets a summary memo (status per theme
and the targets furthest behind, no charts) unless ``detail="full"`` is asked for.

Example::

    memo = build_memo(store, year=2026, lang="da")
    Path("statusnotat.pdf").write_bytes(render(memo, "pdf"))

Importing this package is cheap (no pandas, fpdf2, python-docx or Jinja2), so the command
line can offer its choices; the content and each writer are imported when first used.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metrics import i18n
from metrics.model import MalsporError, OneOf

if TYPE_CHECKING:
    from metrics.memo.content import Memo
    from metrics.store import Store

FORMATS = ("pdf", "docx", "html", "md")
DETAILS = ("auto", "full", "summary")
#: ``detail="auto"`` writes a full memo (a section and a chart per target) up to this many targets.
FULL_LIMIT = 50
#: How many targets the first page lists as furthest behind; and per theme in a summary memo.
BEHIND_SHOWN = 3
SUMMARY_BEHIND_PER_THEME = 15
#: How many status changes the first page lists.
CHANGES_SHOWN = 15
#: How many marked targets the counts table names beside a status (and the monitored sentence
#: names); the rest are counted ("... og 58 mål mere med forbehold"), so a large database's
#: first page stays a page.
CAVEATS_NAMED = 5
MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
    "md": "text/markdown",
}
#: Names this package hands on from its modules when first asked for (module attribute access).
_LAZY = {"Memo": "content", "TargetSection": "content", "FocusSection": "content",
         "ThemeSection": "content", "Commentary": "facts", "format_date": "facts", "format_time": "facts"}


def __getattr__(name: str) -> Any:
    """``memo.Memo``, ``memo.format_date`` ...: imported from their module on first use."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"metrics.memo.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BEHIND_SHOWN", "CAVEATS_NAMED", "CHANGES_SHOWN", "DETAILS", "FORMATS", "FULL_LIMIT", "MIME_TYPES", "SUMMARY_BEHIND_PER_THEME",
    "Commentary", "FocusSection", "Memo", "TargetSection", "ThemeSection", "build_memo", "file_name",
    "format_date", "format_time", "memo_bytes", "render", "to_docx", "to_html", "to_markdown", "to_pdf",
    "write_memo",
]


def build_memo(store: Store, year: int | None = None, lang: Any = i18n.DEFAULT_LANGUAGE, *,
               detail: str = "auto", charts: bool = True, today: Any = None) -> Memo:
    """The memo's content, every text in ``lang`` (:func:`metrics.memo.content.build_memo`)."""
    from metrics.memo import content

    return content.build_memo(store, year, lang, detail=detail, charts=charts, today=today)


def to_pdf(memo: Memo) -> bytes:
    """The memo as an A4 PDF (:mod:`metrics.memo.pdf`)."""
    from metrics.memo import pdf

    return pdf.to_pdf(memo)


def to_docx(memo: Memo) -> bytes:
    """The memo as a Word document (:mod:`metrics.memo.docx`)."""
    from metrics.memo import docx

    return docx.to_docx(memo)


def to_html(memo: Memo) -> bytes:
    """The memo as one self-contained HTML file (:mod:`metrics.memo.html`)."""
    from metrics.memo import html

    return html.to_html(memo)


def to_markdown(memo: Memo, image_dir: Path | None = None, image_prefix: str = "") -> str:
    """The memo as Markdown; with ``image_dir`` its charts as PNGs there (:mod:`metrics.memo.markdown`)."""
    from metrics.memo import markdown

    return markdown.to_markdown(memo, image_dir=image_dir, image_prefix=image_prefix)


def render(memo: Memo, fmt: str) -> bytes:
    """The memo in one of :data:`FORMATS`, as bytes."""
    if fmt == "pdf":
        return to_pdf(memo)
    if fmt == "docx":
        return to_docx(memo)
    if fmt == "html":
        return to_html(memo)
    if fmt == "md":
        return to_markdown(memo).encode("utf-8")
    raise MalsporError("format_unknown", fmt=fmt, choices=OneOf(FORMATS))


def file_name(year: int, lang: str, fmt: str) -> str:
    """``statusnotat_2026.pdf`` (Danish) or ``status_memo_2026_en.pdf``."""
    return f"statusnotat_{year}.{fmt}" if lang == "da" else f"status_memo_{year}_en.{fmt}"


def memo_bytes(store: Store, fmt: str, year: int | None = None, lang: str = i18n.DEFAULT_LANGUAGE,
               detail: str = "auto", charts: bool = True) -> bytes:
    """Build and render in one call (the dashboard's download buttons use this)."""
    if fmt not in FORMATS:
        raise MalsporError("format_unknown", fmt=fmt, choices=OneOf(FORMATS))
    return render(build_memo(store, year, lang, detail=detail, charts=charts and fmt != "md"), fmt)


def write_memo(store: Store, fmt: str, out: Path | str, year: int | None = None,
               lang: str = i18n.DEFAULT_LANGUAGE, detail: str = "auto", charts: bool = True) -> dict[str, Any]:
    """Write the memo to ``out``; Markdown gets its charts as PNGs in a folder beside it. Returns figures."""
    out = Path(out)
    if fmt not in FORMATS:
        raise MalsporError("format_unknown", fmt=fmt, choices=OneOf(FORMATS))
    if not out.parent.exists():
        raise MalsporError("folder_missing", folder=out.parent)
    started = time.perf_counter()
    memo = build_memo(store, year, lang, detail=detail, charts=charts)
    built = time.perf_counter()
    if fmt == "md":
        image_dir = out.with_name(out.stem + "_grafer") if memo.lang == "da" else out.with_name(out.stem + "_charts")
        data = to_markdown(memo, image_dir=image_dir, image_prefix=image_dir.name + "/").encode("utf-8")
    else:
        data = render(memo, fmt)
    out.write_bytes(data)
    return {"path": out, "format": fmt, "bytes": len(data), "detail": memo.detail, "targets": memo.n_targets,
            "year": memo.year, "lang": memo.lang, "charts": sum(1 for tg in memo.sections() if tg.chart_png),
            "chart_seconds": memo.chart_seconds, "build_seconds": built - started,
            "render_seconds": time.perf_counter() - built, "memo": memo}
