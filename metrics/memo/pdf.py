"""The memo as an A4 PDF (to read and print), following :func:`metrics.memo.layout.blocks`.

fpdf2 with the bundled DejaVu Sans, so Danish letters and the status symbols print on any
machine; bookmarks per heading, page numbers and the date on every page.

A :class:`~metrics.memo.layout.Keep` group (a target's heading, status, figures, chart,
commentary, sources and, after a focus area's last target, its initiatives) is first drawn
on a scratch document with one very tall page to measure its height; when it does not fit on
the rest of the page it starts on a new one. A group taller than a page then breaks where it
must, and its tables repeat their heading row on the next page.

So that a page is not left nearly empty (a focus area with only its initiatives, then a
target too tall for the rest of the page), a group that misses the rest of a page less than
half used by a little is drawn with its chart narrower, down to :data:`MIN_CHART_SCALE` of
its width. :func:`lay_out` returns, beside the PDF, where each group landed (the tests check
that no target's group spans a page break and that no page is left nearly empty).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from metrics import i18n
from metrics.memo import layout as lay
from metrics.memo.content import Memo

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
#: Margins in mm: left, top, right, and the bottom margin where a page breaks (the footer sits below it).
#: With these a target's block, its focus area's heading and a short initiatives table fit on one page.
MARGINS, BOTTOM = (20, 15, 20), 17
#: The chart's width in mm, centred: 160 mm keeps the charts' 14 px type at about 6.5 pt.
CHART_MM = 160
#: The scratch page's height in mm: taller than any group, so measuring never breaks a page.
SCRATCH_HEIGHT = 5000
#: A page used less than this share of its height is not left for the next page's group if
#: narrowing that group's chart (to no less than MIN_CHART_SCALE of its width) lets it fit.
NEAR_EMPTY, MIN_CHART_SCALE = 0.5, 0.75
_GREY, _DARK = (80, 80, 80), (60, 60, 60)
_HEADING_SIZES = {0: 20, 1: 16, 2: 13, 3: 11.5}
#: Paragraph styles: (size pt, emphasis, colour, gap after in mm).
_PARA: dict[str, tuple[float, str, tuple[int, int, int], float]] = {
    "kicker": (11, "B", (90, 90, 90), 1), "subtitle": (11, "B", (0, 0, 0), 0.5), "meta": (9, "", _GREY, 3),
    "lead": (12, "B", (0, 0, 0), 2), "strong": (10.5, "B", (0, 0, 0), 1.5), "body": (9.5, "", (0, 0, 0), 1.5),
    "label": (10, "B", (0, 0, 0), 0.8), "note": (8.5, "I", _GREY, 1.5), "small": (8.5, "", _GREY, 1.5),
}


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG's header."""
    return struct.unpack(">II", png[16:24])


class _MemoPDF(FPDF):
    """A4 with the memo's fonts and margins; the footer carries the date and "Side n af m"."""

    def __init__(self, memo: Memo, page_height: float | None = None) -> None:
        super().__init__(format="A4" if page_height is None else (210, page_height), unit="mm")
        self.footer_text = memo.footer
        self.page_template = memo.t("memo.page", page="{page}", pages="{nb}")
        self.set_margins(*MARGINS)
        self.set_auto_page_break(page_height is None, margin=BOTTOM)
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font("DejaVu", "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))

    def footer(self) -> None:  # noqa: D401 - fpdf2 hook
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, self.page_template.replace("{page}", str(self.page_no())), align="R")
        self.set_text_color(0, 0, 0)


class _Scratch(_MemoPDF):
    """One very tall page without page breaks or footer, to measure a group; pictures only take their room."""

    def __init__(self, memo: Memo) -> None:
        super().__init__(memo, page_height=SCRATCH_HEIGHT)
        self.add_page()

    def footer(self) -> None:
        pass

    def image(self, name: Any, x: Any = None, y: Any = None, w: float = 0, h: float = 0, **kwargs: Any) -> Any:
        self.y += h

    def start_section(self, *args: Any, **kwargs: Any) -> None:
        pass


@dataclass(frozen=True)
class Placement:
    """Where a :class:`~metrics.memo.layout.Keep` group landed: pages (from 1) and heights in mm from the top."""

    anchor: str | None
    heading: str
    first_page: int
    top: float
    last_page: int
    bottom: float
    chart_scale: float


class _Writer:
    """Draws blocks on an fpdf2 document (the memo itself, or the scratch page that measures)."""

    def __init__(self, pdf: _MemoPDF, memo: Memo, scratch: _Scratch | None = None, chart_scale: float = 1.0) -> None:
        self.pdf, self.memo, self.scratch = pdf, memo, scratch
        #: True while drawing a group known to fit on the page: its headings need no room check.
        self.fitting = False
        #: The share of its full width a chart is drawn at (below 1 only to spare a nearly empty page).
        self.chart_scale = chart_scale
        self.placed: list[Placement] = []

    @property
    def width(self) -> float:
        return self.pdf.epw

    def blocks(self, items: list[lay.Block]) -> None:
        for b in items:
            getattr(self, b.kind)(b)

    # ------------------------------------------------------------------ keeping together
    def height(self, items: list[lay.Block], chart_scale: float = 1.0) -> float:
        """The height in mm the blocks take, drawn on the scratch page.

        Drawn below the top of the page, as the group is when it follows others, so a first
        heading's space above is counted (at the top of a page it has none: the page fits more).
        """
        assert self.scratch is not None
        top = self.scratch.t_margin + 10
        self.scratch.set_y(top)
        _Writer(self.scratch, self.memo, chart_scale=chart_scale).blocks(items)
        return self.scratch.get_y() - top

    def _chart_scale_to_fit(self, items: list[lay.Block], height: float) -> float | None:
        """The chart scale at which the group fits on the rest of a page used less than :data:`NEAR_EMPTY`, or None."""
        pdf = self.pdf
        body = pdf.page_break_trigger - pdf.t_margin
        room = pdf.page_break_trigger - pdf.get_y()
        charts = [b for b in lay.walk(items) if isinstance(b, lay.Figure)]
        if not charts or pdf.get_y() - pdf.t_margin >= NEAR_EMPTY * body:
            return None
        full = height - self.height(items, chart_scale=0.0)  # the charts' own height (and gaps)
        if full <= 0:
            return None
        scale = 1 - (height - room) / full
        if scale < MIN_CHART_SCALE:
            return None
        scale = max(MIN_CHART_SCALE, scale - 0.005)  # a hair of room for rounding
        return scale if pdf.get_y() + self.height(items, chart_scale=scale) <= pdf.page_break_trigger else None

    def keep(self, group: lay.Keep) -> None:
        """The group on this page if it fits below, else from the top of the next.

        A group taller than a page starts on a new page and breaks where it must; its headings
        then keep their usual room check, so none is left alone at the foot of a page.
        """
        pdf = self.pdf
        if self.scratch is None:  # measuring: draw as it comes
            self.blocks(group.blocks)
            return
        height = self.height(group.blocks)
        scale = 1.0
        if pdf.get_y() > pdf.t_margin + 1 and pdf.get_y() + height > pdf.page_break_trigger:
            narrower = self._chart_scale_to_fit(group.blocks, height)
            if narrower is None:
                pdf.add_page()
            else:
                scale, height = narrower, self.height(group.blocks, chart_scale=narrower)
        self.fitting = pdf.get_y() + height <= pdf.page_break_trigger
        first_page, top = pdf.page_no(), pdf.get_y()
        self.chart_scale = scale
        try:
            self.blocks(group.blocks)
        finally:
            self.fitting, self.chart_scale = False, 1.0
        heading = next((b.text for b in lay.walk(group.blocks) if isinstance(b, lay.Heading)), "")
        self.placed.append(Placement(group.anchor, heading, first_page, top, pdf.page_no(), pdf.get_y(), scale))

    # ------------------------------------------------------------------ blocks
    def _text(self, value: str, size: float = 10, style: str = "", colour: tuple[int, int, int] = (0, 0, 0),
              gap: float = 1.5, indent: float = 0) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*colour)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(self.width - indent, size * 0.5, value, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(gap)

    def heading(self, b: lay.Heading, need: float = 30) -> None:
        """A heading, on a new page unless ``need`` mm of what follows fit below it."""
        pdf = self.pdf
        size = _HEADING_SIZES[b.level]
        if not self.fitting and pdf.will_page_break(size * 0.5 + need):
            pdf.add_page()
        if pdf.get_y() > pdf.t_margin + 1:  # no space above a heading at the top of a page
            pdf.ln(2 if b.level > 1 else 4)
        if b.level >= 1:
            pdf.start_section(b.text, level=b.level - 1)
        self._text(b.text, size, "B", gap=1.5 if b.level > 1 else 2.5)
        if b.level == 1:
            pdf.set_draw_color(0, 114, 178)
            pdf.set_line_width(0.6)
            pdf.line(pdf.l_margin, pdf.get_y() - 1.5, pdf.l_margin + self.width, pdf.get_y() - 1.5)
            pdf.ln(1.5)

    def para(self, b: lay.Para) -> None:
        size, style, colour, gap = _PARA[b.style]
        self._text(b.text, size, style, colour, gap=gap)

    def status(self, b: lay.Status) -> None:
        pdf = self.pdf
        colour = i18n.STATUS_COLOURS.get(b.status, "#7F7F7F").lstrip("#")
        pdf.set_fill_color(*(int(colour[i:i + 2], 16) for i in (0, 2, 4)))
        pdf.rect(pdf.l_margin, pdf.get_y() + 0.4, 2.2, 5.2, style="F")
        pdf.set_fill_color(255, 255, 255)
        self._text(b.text, 10.5, "B", indent=4, gap=1.5)

    def table(self, b: lay.Table) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "", 9)
        pdf.set_draw_color(170, 170, 170)
        pdf.set_line_width(0.2)
        heads = FontFace(emphasis="BOLD", fill_color=(232, 238, 244))
        with pdf.table(col_widths=b.widths, text_align="LEFT", line_height=4.1, padding=(0.6, 1.2),
                       first_row_as_headings=b.header is not None, headings_style=heads, repeat_headings=1,
                       v_align="TOP") as tbl:
            if b.header is not None:
                row = tbl.row()
                for h in b.header:
                    row.cell(h)
            for values in b.rows:
                row = tbl.row()
                for i, v in enumerate(values):
                    row.cell(str(v), style=FontFace(emphasis="BOLD") if b.header is None and i == 0 else None)
        pdf.ln(3)

    def figure(self, b: lay.Figure) -> None:
        w_px, h_px = _png_size(b.png)
        width = min(CHART_MM, self.width) * self.chart_scale
        height = width * h_px / w_px
        if height <= 0:  # measuring the group without its charts
            return
        if not self.fitting and self.pdf.will_page_break(height):
            self.pdf.add_page()
        x = self.pdf.l_margin + (self.width - width) / 2
        self.pdf.image(io.BytesIO(b.png), x=x, w=width, h=height, alt_text=b.alt)
        self.pdf.ln(2)

    def quote(self, b: lay.Quote) -> None:
        for text in b.paragraphs:
            self._text(text, 10, indent=4, gap=1)
        self._text(b.byline, 8.5, "I", _GREY, gap=2, indent=4)

    def bullets(self, b: lay.Bullets) -> None:
        self._text(b.title, 9, "B", gap=0.5)
        for item in b.items:
            self._text("• " + item, 8, "", _DARK, gap=0.3, indent=2)
        self.pdf.ln(3)

    def callout(self, b: lay.Callout) -> None:
        pdf = self.pdf
        pdf.set_fill_color(255, 246, 214)
        pdf.set_font("DejaVu", "B", 8.5)
        pdf.multi_cell(self.width, 4.3, b.text, border=1, fill=True, new_x="LMARGIN", new_y="NEXT", padding=1.5,
                       align="L")
        pdf.set_fill_color(255, 255, 255)
        pdf.ln(2)

    def page_break(self, b: lay.PageBreak) -> None:
        self.pdf.add_page()


def to_pdf(memo: Memo) -> bytes:
    """An A4 PDF with the bundled DejaVu Sans: bookmarks per heading, page numbers and the date on every page."""
    return lay_out(memo)[0]


def lay_out(memo: Memo) -> tuple[bytes, list[Placement]]:
    """The PDF and where each group landed, in the memo's order (for the tests and for a reader's check)."""
    pdf = _MemoPDF(memo)
    pdf.set_title(f"{memo.title} · {memo.year}")
    pdf.set_author("Målspor")
    pdf.set_subject(memo.subtitle)
    pdf.set_lang("da-DK" if memo.lang == "da" else "en-GB")
    pdf.set_creator("Målspor")
    pdf.add_page()
    items = lay.blocks(memo)
    if isinstance(items[0], lay.PageBreak):  # pragma: no cover - the first page always has its title
        items = items[1:]
    writer = _Writer(pdf, memo, _Scratch(memo))
    writer.blocks(items)
    return bytes(pdf.output()), writer.placed
