"""The memo as Markdown, following :func:`metrics.memo.layout.blocks`.

Every text is escaped (:func:`_m`), so a name like ``<script>`` or ``[x](javascript:...)``
stays text; charts are written as PNGs beside the file when ``image_dir`` is given.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from metrics.memo import layout as lay
from metrics.memo.content import Memo

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def _m(text: Any) -> str:
    """Text safe in Markdown: special characters escaped (so '<script>' stays text), newlines as spaces."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(_m(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_m(str(c).replace("\n", " · ")) for c in row) + " |" for row in rows]
    return out + [""]


_PARA = {"kicker": "**{}**", "subtitle": "**{}**", "lead": "**{}**", "strong": "**{}**", "label": "**{}**",
         "note": "*{}*", "meta": "{}", "body": "{}", "small": "{}"}


def to_markdown(memo: Memo, image_dir: Path | None = None, image_prefix: str = "") -> str:
    """The memo as Markdown. With ``image_dir`` the charts are written there as PNGs and linked."""
    lines: list[str] = []
    for b in lay.walk(lay.blocks(memo)):
        if isinstance(b, lay.Heading):
            lines += [f"{'#' * (b.level + 1)} {_m(b.text)}", ""]
        elif isinstance(b, lay.Para):
            lines += [_PARA[b.style].format(_m(b.text)), ""]
        elif isinstance(b, lay.Status):
            lines += [f"**{_m(b.text)}**", ""]
        elif isinstance(b, lay.Table):
            lines += _table(b.header if b.header is not None else [""] * len(b.widths), b.rows)
        elif isinstance(b, lay.Figure):
            if image_dir is not None:
                image_dir.mkdir(parents=True, exist_ok=True)
                (image_dir / f"{b.target_id}.png").write_bytes(b.png)
                lines += [f"![{_m(b.alt)}]({image_prefix}{b.target_id}.png)", ""]
        elif isinstance(b, lay.Quote):
            for p in b.paragraphs:
                lines += [f"> {_m(p)}", ">"]
            lines += [f"> *{_m(b.byline)}*", ""]
        elif isinstance(b, lay.Bullets):
            lines += [f"**{_m(b.title)}**", ""] + [f"- {_m(s)}" for s in b.items] + [""]
        elif isinstance(b, lay.Callout):
            lines += [f"> {_m(b.text)}", ""]
    lines += ["---", "", _m(memo.footer), ""]
    return "\n".join(lines)
