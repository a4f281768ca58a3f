"""The memo as a Word document (to edit), following :func:`metrics.memo.layout.blocks`.

Real headings (so Word's navigation pane lists them), tables with a repeated heading row,
pictures with their alt text, page numbers and the date in the footer as fields Word fills
in. A :class:`~metrics.memo.layout.Keep` group gets "keep with next" on every paragraph but
its last, and its table rows may not split, so Word keeps a target's block on one page.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from metrics import i18n
from metrics.memo import layout as lay
from metrics.memo.content import Memo

#: The text column's width in cm (A4 less 2 x 2.2 cm margins), which relative table widths share.
TEXT_WIDTH = 16.6
_GREY = RGBColor(0x44, 0x44, 0x44)


def _field(run: Any, instruction: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) in ``run``."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _flag(parent: Any, tag: str, first: bool = False) -> None:
    """An on/off property (``w:tblHeader``, ``w:cantSplit``) set on; ``first`` puts it before the others (schema order)."""
    el = OxmlElement(tag)
    el.set(qn("w:val"), "true")
    parent.insert(0, el) if first else parent.append(el)


class _Writer:
    def __init__(self, memo: Memo) -> None:
        self.memo = memo
        self.doc = Document()
        self._setup()

    # ------------------------------------------------------------------ page, styles, footer
    def _setup(self) -> None:
        memo, doc = self.memo, self.doc
        section = doc.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
        normal = doc.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10.5)
        lang_tag = "da-DK" if memo.lang == "da" else "en-GB"
        for style_name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Title"):
            rpr = doc.styles[style_name].element.get_or_add_rPr()
            lang_el = rpr.find(qn("w:lang"))
            if lang_el is None:
                lang_el = OxmlElement("w:lang")
                rpr.append(lang_el)
            lang_el.set(qn("w:val"), lang_tag)
        props = doc.core_properties
        props.title = f"{memo.title} · {memo.year}"
        props.subject = memo.subtitle
        props.author = "Målspor"
        props.language = lang_tag
        footer = section.footer.paragraphs[0]
        footer.text = ""
        footer.add_run(memo.footer + "    ")
        before, rest = memo.t("memo.page", page="\0", pages="\1").split("\0")
        middle, after = rest.split("\1")
        footer.add_run(before)
        _field(footer.add_run(), "PAGE")
        footer.add_run(middle)
        _field(footer.add_run(), "NUMPAGES")
        footer.add_run(after)
        for run in footer.runs:
            run.font.size = Pt(8.5)

    # ------------------------------------------------------------------ blocks
    def blocks(self, items: list[lay.Block]) -> None:
        for b in items:
            if isinstance(b, lay.Keep):
                self.keep(b)
            else:
                getattr(self, b.kind)(b)

    def keep(self, group: lay.Keep) -> None:
        """The group's paragraphs each kept with the next, its table rows unsplit: Word keeps it on one page."""
        body = self.doc.element.body
        tail = 1 if len(body) and body[-1].tag == qn("w:sectPr") else 0  # new content goes before sectPr
        start = len(body) - tail
        self.blocks(group.blocks)
        added = [el for el in body[start:len(body) - tail] if el.tag in (qn("w:p"), qn("w:tbl"))]
        paragraphs = []
        for el in added:
            if el.tag == qn("w:tbl"):
                for tr in el.iter(qn("w:tr")):
                    _flag(tr.get_or_add_trPr(), "w:cantSplit", first=True)
                paragraphs += list(el.iter(qn("w:p")))
            else:
                paragraphs.append(el)
        for p in paragraphs[:-1]:
            Paragraph(p, None).paragraph_format.keep_with_next = True

    def heading(self, b: lay.Heading) -> None:
        self.doc.add_heading(b.text, level=b.level)

    def para(self, b: lay.Para) -> None:
        if b.style in ("note", "small"):
            self._note(b.text, italic=b.style == "note")
            return
        run = self.doc.add_paragraph().add_run(b.text)
        if b.style in ("kicker", "subtitle", "lead", "strong", "label"):
            run.bold = True
        if b.style == "kicker":
            run.font.size = Pt(12)

    def _note(self, text: str, italic: bool = True) -> None:
        run = self.doc.add_paragraph().add_run(text)
        run.italic = italic
        run.font.size = Pt(9)
        run.font.color.rgb = _GREY

    def status(self, b: lay.Status) -> None:
        run = self.doc.add_paragraph().add_run(b.text)
        run.bold = True
        colour = i18n.STATUS_COLOURS.get(b.status, "#7F7F7F").lstrip("#")
        run.font.color.rgb = RGBColor.from_string(colour.upper())

    def table(self, b: lay.Table) -> None:
        cols = len(b.rows[0]) if b.rows else len(b.header or [])
        tbl = self.doc.add_table(rows=0, cols=cols)
        tbl.style = "Table Grid"
        if b.header:
            cells = tbl.add_row().cells
            for cell, text in zip(cells, b.header):
                cell.text = ""
                cell.paragraphs[0].add_run(text).bold = True
            _flag(tbl.rows[0]._tr.get_or_add_trPr(), "w:tblHeader")
        for row in b.rows:
            cells = tbl.add_row().cells
            for i, (cell, text) in enumerate(zip(cells, row)):
                cell.text = str(text)
                if b.header is None and i == 0:
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
        total = sum(b.widths)
        for row in tbl.rows:
            for cell, w in zip(row.cells, b.widths):
                cell.width = Cm(TEXT_WIDTH * w / total)
        self.doc.add_paragraph()

    def figure(self, b: lay.Figure) -> None:
        self.doc.add_picture(io.BytesIO(b.png), width=Cm(16.4))
        pic = self.doc.paragraphs[-1]
        pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
        doc_pr = pic._p.xpath(".//wp:docPr")
        if doc_pr:
            doc_pr[0].set("descr", b.alt)

    def quote(self, b: lay.Quote) -> None:
        for text in b.paragraphs:
            p = self.doc.add_paragraph(text)
            p.paragraph_format.left_indent = Cm(0.6)
        self._note(b.byline)

    def bullets(self, b: lay.Bullets) -> None:
        self.doc.add_paragraph().add_run(b.title).bold = True
        for item in b.items:
            p = self.doc.add_paragraph(item, style="List Bullet")
            for run in p.runs:
                run.font.size = Pt(9)

    def callout(self, b: lay.Callout) -> None:
        run = self.doc.add_paragraph().add_run(b.text)
        run.bold = True
        run.font.color.rgb = RGBColor(0x7A, 0x5C, 0x00)

    def page_break(self, b: lay.PageBreak) -> None:
        self.doc.add_page_break()

    def output(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def to_docx(memo: Memo) -> bytes:
    """A Word document: real headings, tables and pictures, page numbers and the date in the footer."""
    writer = _Writer(memo)
    writer.blocks(lay.blocks(memo))
    return writer.output()
