"""Readable, keyboard-usable tables as plain HTML: every cell the text the eye sees, escaped.

Streamlit's grid (``st.dataframe``) is a canvas: it cuts long names with "…", and its hidden
accessible table carries only some columns, as raw values. The status tables leadership and
committees read are therefore real ``<table>`` elements: names wrap instead of being cut, a
screen reader gets every column with the same formatted text, and each target's name is a
link, so Tab reaches it and Enter opens it.

Everything that goes in is text and is escaped here, so the result is safe to hand to
``st.html`` (which renders HTML without Markdown). Example::

    >>> html = table([Column("name", "Mål"), Column("status", "Status")],
    ...              [{"name": Cell("EUD <30 %>", href="target?target=eud_share"), "status": "✖ væk"}])
    >>> "&lt;30 %&gt;" in html and 'href="target?target=eud_share"' in html
    True
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: CSS for the tables; constant, no user text. Sized in ``em`` so presentation mode scales it.
TABLE_CSS = """
<style>
table.ms-table {border-collapse: collapse; width: 100%; font-size: 1rem; line-height: 1.35; margin: 0.25rem 0 1rem;}
table.ms-table caption {text-align: left; font-weight: 600; padding: 0.25rem 0; color: #1A1A1A;}
table.ms-table th {text-align: left; font-weight: 600; color: #1A1A1A; border-bottom: 2px solid #6B6B6B;
  padding: 0.4rem 0.6rem; vertical-align: bottom;}
table.ms-table td {border-bottom: 1px solid #D0D0D0; padding: 0.45rem 0.6rem; vertical-align: top; color: #1A1A1A;}
table.ms-table td.num {text-align: right; white-space: nowrap;}
table.ms-table td.nowrap {white-space: nowrap;}
table.ms-table td.any {overflow-wrap: anywhere;}
table.ms-table a {color: #0B4F8A; text-decoration: underline; font-weight: 600;}
table.ms-table a:focus {outline: 3px solid #1A1A1A; outline-offset: 2px;}
table.ms-table .ms-mark {display: block; font-size: 0.9em; color: #6A4500;}
table.ms-table .ms-sub {display: block; font-size: 0.9em; color: #4A4A4A;}
table.ms-table img.ms-spark {vertical-align: middle; display: block;}
table.ms-table abbr {text-decoration: underline dotted; cursor: help;}
.ms-section h2 {font-size: 2.25rem; font-weight: 600; line-height: 1.2; margin: 0; padding: 1rem 0; color: #1A1A1A;}
.ms-section p {margin: 0 0 1rem;}
.ms-section p.ms-caption, p.ms-caption {font-size: 0.875rem; color: #4A4A4A; margin: 0 0 1rem;}
.ms-section h3 {font-size: 1.75rem; font-weight: 600; line-height: 1.2; margin: 0; padding: 0.5rem 0 1rem; color: #1A1A1A;}
dl.ms-figures {display: flex; flex-wrap: wrap; gap: 1rem; margin: 0 0 1rem;}
dl.ms-figures div {flex: 1 1 12rem; min-width: 0;}
dl.ms-figures dt {font-size: 0.875rem; line-height: 1.6; color: #1A1A1A;}
dl.ms-figures dd {margin: 0; font-size: 2.25rem; line-height: 1.3; color: #1A1A1A; overflow-wrap: anywhere;}
p.ms-note {margin: 0 0 1rem; padding: 0.75rem 1rem; border-radius: 0.5rem; color: #1A1A1A;
  background: #FFF4D6; border-left: 6px solid #8A5A00;}
</style>
"""


def esc(value: Any) -> str:
    """Text escaped for HTML content and attributes (quotes included); None and NaN give ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Column:
    """A column: its key in the row mappings, its heading, an optional explanation and CSS class."""

    key: str
    heading: str
    help: str = ""  # shown on hover and read by screen readers (abbr title)
    css: str = ""   # "num" right-aligns, "nowrap" keeps a cell on one line, "any" breaks a long word anywhere


@dataclass(frozen=True)
class Cell:
    """One cell: its text, optionally a link, lines under it (marks, sub-texts) and a sparkline."""

    text: str
    href: str | None = None
    marks: Sequence[str] = field(default_factory=tuple)   # highlighted lines (e.g. provisional, stale)
    subs: Sequence[str] = field(default_factory=tuple)    # quieter lines (e.g. the reason)
    spark: Sequence[float] | None = None                  # values for a small line chart
    spark_label: str = ""                                 # the chart's text alternative
    css: str = ""


def sparkline(values: Sequence[float], label: str, width: int = 110, height: int = 28) -> str:
    """A small line chart of ``values`` (oldest first), with ``label`` as its text alternative.

    An ``<img>`` of an SVG data URI, not inline ``<svg>``: ``st.html`` (DOMPurify) drops inline SVG.
    """
    points = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not points:
        return ""
    lo, hi = min(points), max(points)
    span = (hi - lo) or 1.0
    step = (width - 6) / max(len(points) - 1, 1)
    coords = [(3 + i * step, height - 3 - (v - lo) / span * (height - 6)) for i, v in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    last_x, last_y = coords[-1]
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
           f'<polyline fill="none" stroke="#0072B2" stroke-width="2" points="{path}"/>'
           f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="3" fill="#0072B2"/></svg>')
    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("ascii")).decode("ascii")
    return (f'<img class="ms-spark" src="{src}" alt="{esc(label)}" title="{esc(label)}" '
            f'width="{width}" height="{height}">')


def _cell_html(value: Any, column: Column) -> str:
    cell = value if isinstance(value, Cell) else Cell("" if value is None else str(value))
    css = " ".join(c for c in (column.css, cell.css) if c)
    inner = esc(cell.text)
    if cell.href:
        inner = f'<a href="{esc(cell.href)}" target="_self">{inner}</a>'
    for sub in cell.subs:
        inner += f'<span class="ms-sub">{esc(sub)}</span>'
    for mark in cell.marks:
        inner += f'<span class="ms-mark">{esc(mark)}</span>'
    if cell.spark:
        inner += sparkline(cell.spark, cell.spark_label)
    return f'<td class="{css}">{inner}</td>' if css else f"<td>{inner}</td>"


def section(heading: str, body: str = "", *, text: str = "", caption: str = "", after: str = "",
            css: str = "") -> str:
    """A heading (``<h2>``), an optional line of text and a caption, then ``body`` (HTML already
    built here, e.g. :func:`table`), as one block; ``heading``, ``text``, ``caption`` and ``after``
    (a caption under the body) are escaped.

    Why one block: each element a page sends costs the server the same whatever its size, so a
    page of fifty viewers is quicker with a theme's heading, summary and table in one element
    than in three; a screen reader still finds the heading among the page's headings.

    >>> section("Miljø & klima", "<table></table>", text="3 af 4 mål")
    '<section class="ms-section"><h2>Miljø &amp; klima</h2><p>3 af 4 mål</p><table></table></section>'
    """
    cls = f"ms-section {css}" if css else "ms-section"
    return (f'<section class="{esc(cls)}"><h2>{esc(heading)}</h2>'
            + (f"<p>{esc(text)}</p>" if text else "")
            + (f'<p class="ms-caption">{esc(caption)}</p>' if caption else "")
            + body
            + (f'<p class="ms-caption">{esc(after)}</p>' if after else "")
            + "</section>")


def paragraph(text: str, css: str = "") -> str:
    """A paragraph of text, escaped (``css="ms-caption"``: set small, as a caption)."""
    return f'<p class="{esc(css)}">{esc(text)}</p>' if css else f"<p>{esc(text)}</p>"


def note(text: str) -> str:
    """A warning the reader must not miss (illustrative values), as Streamlit's ``st.warning`` draws it,
    inside a block instead of an element of its own; escaped. Its words carry it (the text starts with
    its icon), the yellow only repeats them; dark text on the light yellow is 15:1.

    >>> note("⚠ Eksempeldata")
    '<p class="ms-note" role="note">⚠ Eksempeldata</p>'
    """
    return f'<p class="ms-note" role="note">{esc(text)}</p>'


def subheading(text: str) -> str:
    """A third-level heading (``<h3>``), escaped, for inside a :func:`section`."""
    return f"<h3>{esc(text)}</h3>"


def key_figures(figures: Sequence[tuple[str, str]]) -> str:
    """Key figures side by side, each a label over a large value, as a description list (escaped).

    One block instead of a row of columns with a metric in each (seven elements for three figures).

    >>> key_figures([("Seneste (2023)", "13 %")])
    '<dl class="ms-figures"><div><dt>Seneste (2023)</dt><dd>13 %</dd></div></dl>'
    """
    items = "".join(f"<div><dt>{esc(label)}</dt><dd>{esc(value)}</dd></div>" for label, value in figures)
    return f'<dl class="ms-figures">{items}</dl>'


def table(columns: Sequence[Column], rows: Sequence[Mapping[str, Any]], caption: str = "",
          label: str = "") -> str:
    """An HTML table of ``rows`` (mappings from column key to text or :class:`Cell`), all escaped.

    ``caption`` is shown above the table; ``label`` names it for screen readers when no caption is shown.
    """
    head = "".join(
        f'<th scope="col"><abbr title="{esc(c.help)}">{esc(c.heading)}</abbr></th>' if c.help
        else f'<th scope="col">{esc(c.heading)}</th>'
        for c in columns
    )
    body = "".join("<tr>" + "".join(_cell_html(r.get(c.key), c) for c in columns) + "</tr>" for r in rows)
    aria = f' aria-label="{esc(label)}"' if label and not caption else ""
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<table class="ms-table"{aria}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
