"""The memo as one self-contained HTML file to mail: Jinja2 with autoescape, following the layout.

The template (``templates/memo.html.j2``) renders :func:`metrics.memo.layout.blocks`; styles
and images are inline, and a Content-Security-Policy allows no script and nothing from
elsewhere. Every value is escaped with :func:`html.escape` (quotes included), the escaper of
the product's other HTML (:mod:`metrics.html_table`), so a text reads the same everywhere.
"""

from __future__ import annotations

import base64
import html
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from metrics import i18n
from metrics.memo import layout as lay
from metrics.memo.chart import CHART_HEIGHT, CHART_WIDTH
from metrics.memo.content import Memo

TEMPLATES = Path(__file__).resolve().parent / "templates"

_CSS = """
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;color:#1a1a1a;max-width:52rem;margin:2rem auto;
padding:0 1rem;line-height:1.45;font-size:11pt}
h1{font-size:1.9em;margin:.2em 0}h2{font-size:1.45em;border-bottom:2px solid #0072B2;padding-bottom:.15em;
margin-top:1.8em}h3{font-size:1.2em;margin-top:1.4em}h4{font-size:1.05em;margin:1.2em 0 .3em}
.kicker{letter-spacing:.2em;font-weight:bold;color:#555;margin:0}.meta{color:#444;margin-top:0}
.subtitle{margin-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em}th,td{border:1px solid #bbb;padding:.3em .5em;
text-align:left;vertical-align:top}th{background:#eef2f6}table.facts th{width:32%;background:#f6f6f6}
.status{font-weight:bold;padding:.05em .4em;border-left:.45em solid #7f7f7f}
figure{margin:.6em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}
.note,.small,.sources{font-size:.9em;color:#444}.note{font-style:italic}
ul.sources{margin-top:0;padding-left:1.2em}p.sources{margin-bottom:.2em}
.commentary{background:#f4f8fb;border-left:4px solid #0072B2;padding:.4em .8em;margin:.6em 0}
.byline{font-size:.85em;color:#555;font-style:italic}
.illustrative{background:#fff6d6;padding:.3em .6em;border:1px dashed #b08800;font-weight:bold}
article.keep{margin-top:1em}hr.page-break{border:0;border-top:1px solid #ddd;margin:2.5em 0 0}
footer{margin-top:3em;font-size:.85em;color:#555;border-top:1px solid #bbb;padding-top:.5em}
@media print{body{margin:0;max-width:none;font-size:9pt;line-height:1.3}article.keep,figure,table{break-inside:avoid}
h2,h3,h4{break-after:avoid}h2{margin-top:.4em}h3,h4{margin:.7em 0 .25em}p{margin:.3em 0}
th,td{padding:.12em .4em}figure{margin:.3em 0;text-align:center}figure img{width:92%;border:0}
.commentary{padding:.2em .6em}hr.page-break{break-before:page;border:0;margin:0}}
"""


def _escape(value: Any) -> Markup:
    """Every value the template prints, escaped once (markup built here passes through unchanged)."""
    if hasattr(value, "__html__"):
        return Markup(value)
    return Markup(html.escape(str(value), quote=True))


def _nl2br(value: Any) -> Markup:
    """Text escaped, its line breaks as ``<br>`` (a table cell lists one marked target a line)."""
    return Markup("<br>").join(Markup(html.escape(line, quote=True)) for line in str(value).split("\n"))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, finalize=_escape,
                      undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    env.filters["nl2br"] = _nl2br
    env.globals.update(
        colour=lambda status: i18n.STATUS_COLOURS.get(status, "#7f7f7f"),
        base64=lambda data: base64.b64encode(data).decode("ascii"),
        width=CHART_WIDTH, height=CHART_HEIGHT,
    )
    return env


def _css_string(text: str) -> str:
    """Text for a CSS string literal (quotes and backslashes escaped; no user text goes here)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3C ")


def _style(memo: Memo) -> Markup:
    """The style sheet with the printed page's footer: the memo's date on the left, the page number on the right."""
    page = memo.t("memo.page", page="\0", pages="\1")
    page_css = '"' + _css_string(page).replace("\0", '" counter(page) "').replace("\1", '" counter(pages) "') + '"'
    rule = ('@page{size:A4;margin:2cm 2cm 2.2cm;@bottom-left{content:"' + _css_string(memo.footer) + '"}'
            "@bottom-right{content:" + page_css + "}}")
    return Markup(_CSS + rule)  # noqa: S704 - our own style sheet; the footer texts are escaped for CSS above


def to_html(memo: Memo) -> bytes:
    """One self-contained HTML file: styles and images inline, every text escaped, no script allowed."""
    page = _environment().get_template("memo.html.j2").render(
        blocks=lay.blocks(memo), lang=memo.lang, title=memo.title, year=memo.year, footer=memo.footer,
        css=_style(memo),
    )
    return page.encode("utf-8")
