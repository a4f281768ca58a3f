"""The memo's order and wording, written once: a sequence of blocks every writer follows.

:func:`blocks` turns a :class:`~metrics.memo.content.Memo` into headings, paragraphs,
tables, a status line, a chart, commentary, bullet lists, page breaks and :class:`Keep`
groups. A writer (PDF, Word, HTML, Markdown) only says how each kind of block looks; none
decides what comes next or what a heading says. A new memo section is a few lines here and
appears in all four formats.

:class:`Keep` marks what must stay on one page: a target's heading, status, figures, chart,
commentary and sources, with the focus area's heading before its first target and the
initiatives after its last. The PDF starts a group that does not fit on the rest of the page
on a new page; Word keeps it with "keep with next"; HTML asks the printer not to break inside.

Heading levels: 0 the memo's title, 1 the overall picture and each theme, 2 the first page's
parts and each focus area, 3 a target and the initiatives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from metrics.memo import SUMMARY_BEHIND_PER_THEME
from metrics.memo.content import FocusSection, Memo, TargetSection, ThemeSection
from metrics.memo.facts import Commentary

#: How a paragraph looks: ``kicker`` the word above the title, ``subtitle`` bold under it,
#: ``meta`` the grey date line, ``lead`` the headline, ``strong`` a theme's summary, ``body``,
#: ``label`` a bold run-in heading ("Status og indsats"), ``note`` small italic grey, ``small`` small grey.
Style = Literal["kicker", "subtitle", "meta", "lead", "strong", "body", "label", "note", "small"]


@dataclass(frozen=True)
class Heading:
    kind: ClassVar[str] = "heading"
    text: str
    level: int
    anchor: str | None = None


@dataclass(frozen=True)
class Para:
    kind: ClassVar[str] = "para"
    text: str
    style: Style = "body"


@dataclass(frozen=True)
class Table:
    """A table; ``header`` None for a two-column table of figures (first column bold). ``widths`` are relative."""

    kind: ClassVar[str] = "table"
    header: list[str] | None
    rows: list[list[str]]
    widths: tuple[float, ...]


@dataclass(frozen=True)
class Status:
    """A target's status line, in its status colour."""

    kind: ClassVar[str] = "status"
    status: str
    text: str


@dataclass(frozen=True)
class Figure:
    kind: ClassVar[str] = "figure"
    png: bytes
    alt: str
    target_id: str


@dataclass(frozen=True)
class Quote:
    """An analyst's commentary: paragraphs and a byline."""

    kind: ClassVar[str] = "quote"
    paragraphs: list[str]
    byline: str


@dataclass(frozen=True)
class Bullets:
    kind: ClassVar[str] = "bullets"
    title: str
    items: list[str]


@dataclass(frozen=True)
class Callout:
    """The boxed warning that the memo holds illustrative values."""

    kind: ClassVar[str] = "callout"
    text: str


@dataclass(frozen=True)
class PageBreak:
    kind: ClassVar[str] = "page_break"


@dataclass
class Keep:
    """Blocks that stay together on one page (a group taller than a page may break)."""

    kind: ClassVar[str] = "keep"
    blocks: list[Block] = field(default_factory=list)
    anchor: str | None = None


Block = Heading | Para | Table | Status | Figure | Quote | Bullets | Callout | PageBreak | Keep

COUNTS_WIDTHS, COUNTS_CAVEAT_WIDTHS = (3, 1), (2.4, 1, 4)
CHANGES_WIDTHS = (3.2, 2.4, 2.4, 1.2)
BEHIND_WIDTHS = (2.3, 3.0, 1.4, 1.4, 2.9)
FACTS_WIDTHS = (1, 2.8)
INITIATIVES_WIDTHS = (5.2, 1, 2)


def walk(items: list[Block]) -> Iterator[Block]:
    """Every block, with the contents of :class:`Keep` groups in their place (for writers that ignore groups)."""
    for b in items:
        if isinstance(b, Keep):
            yield from walk(b.blocks)
        else:
            yield b


# ---------------------------------------------------------------------- the wording of the tables
def counts_table(memo: Memo) -> Table:
    head = [memo.t("col.status"), memo.t("memo.count_col")]
    if not memo.caveats:
        return Table(head, [[label, str(n)] for _, label, n in memo.counts], COUNTS_WIDTHS)
    return Table(head + [memo.t("memo.caveat_col")],
                 [[label, str(n), memo.caveats.get(s, "")] for s, label, n in memo.counts], COUNTS_CAVEAT_WIDTHS)


def theme_counts_table(memo: Memo, theme: ThemeSection) -> Table:
    """A theme's counts (summary memo), with the marked targets beside each status."""
    head = [memo.t("col.status"), memo.t("memo.count_col")]
    if not theme.caveats:
        return Table(head, [[label, str(n)] for label, n in theme.counts], COUNTS_WIDTHS)
    return Table(head + [memo.t("memo.caveat_col")],
                 [[label, str(n), theme.caveats.get(label, "")] for label, n in theme.counts], COUNTS_CAVEAT_WIDTHS)


def changes_table(memo: Memo) -> Table:
    return Table([memo.t("col.target"), memo.t("memo.col_before", year=memo.year - 1),
                  memo.t("memo.col_before", year=memo.year), memo.t("memo.col_direction")],
                 memo.changes, CHANGES_WIDTHS)


def behind_table(memo: Memo, rows: list[list[str]]) -> Table:
    return Table([memo.t("col.target"), memo.t("col.status"), memo.t("col.latest"), memo.t("col.goal"),
                  memo.t("memo.col_progress")], rows, BEHIND_WIDTHS)


def initiatives_table(memo: Memo, focus: FocusSection) -> Table:
    return Table([memo.t("col.initiative"), memo.t("col.year"), memo.t("col.funding")],
                 [list(i) for i in focus.initiatives], INITIATIVES_WIDTHS)


def _quote(c: Commentary) -> Quote:
    return Quote(list(c.paragraphs), c.byline)


# ---------------------------------------------------------------------- the memo, in order
def blocks(memo: Memo) -> list[Block]:
    """The whole memo as blocks, in reading order."""
    return first_page(memo) + [b for theme in memo.themes for b in theme_blocks(memo, theme)]


def first_page(memo: Memo) -> list[Block]:
    """Title, the overall picture, what changed since last year, the targets furthest behind, how to read it."""
    t = memo.t
    out: list[Block] = [Para(t("memo.kind"), "kicker"), Heading(memo.title, 0), Para(memo.subtitle, "subtitle"),
                        Para(t("memo.prepared", date=memo.date_text), "meta"),
                        Heading(t("memo.overall"), 1), Para(memo.headline, "lead")]
    if memo.counts:
        out.append(counts_table(memo))
    if memo.monitored:
        out.append(Para(memo.monitored))
    changes: list[Block] = [Heading(t("memo.changes_title", year=memo.year - 1), 2), Para(memo.changes_text)]
    if memo.changes:
        changes.append(changes_table(memo))
    out.append(Keep(changes))
    if memo.changes_more:
        out.append(Para(memo.changes_more, "note"))
    behind: list[Block] = [Heading(t("memo.behind_title"), 2)]
    if memo.behind:
        behind += [Para(t("memo.behind_intro"), "note"), behind_table(memo, memo.behind)]
    else:
        behind.append(Para(t("memo.behind_none")))
    out.append(Keep(behind))
    out.append(Para(t("memo.summary_mode", n=memo.L.num(memo.n_targets)) if memo.detail == "summary"
                    else t("memo.contents_note"), "note"))
    if memo.has_illustrative:
        out.append(Callout(t("memo.illustrative_note")))
    out.append(Para(t("memo.method_note"), "small"))
    return out


def theme_blocks(memo: Memo, theme: ThemeSection) -> list[Block]:
    """A theme on a new page: its summary, then each focus area (in a summary memo its counts and list first)."""
    t = memo.t
    head: list[Block] = [Heading(theme.name, 1, anchor=theme.theme_id)]
    if theme.summary:
        head.append(Para(theme.summary, "strong"))
    if theme.empty_note:
        head.append(Para(theme.empty_note, "note"))
    rest: list[Block] = []
    if memo.detail == "summary":
        if theme.counts:
            head.append(theme_counts_table(memo, theme))
        if theme.behind:  # a long list: it may break (its heading row repeats), its heading has a room check
            rest += [Heading(t("memo.theme_behind", n=SUMMARY_BEHIND_PER_THEME), 2), behind_table(memo, theme.behind)]
    for focus in theme.focus_areas:
        rest += focus_blocks(memo, focus)
    if rest and isinstance(rest[0], Keep):  # the theme's heading stays with what follows it
        rest[0].blocks[:0] = head
        return [PageBreak(), *rest]
    return [PageBreak(), *head, *rest]


def focus_blocks(memo: Memo, focus: FocusSection) -> list[Block]:
    """A focus area as page-keeping groups: its heading with the first target, its initiatives with the last."""
    head: list[Block] = [Heading(focus.name, 2, anchor=focus.focus_area_id)]
    if focus.commentary:
        head.append(_quote(focus.commentary))
    tail = initiatives_blocks(memo, focus) if memo.detail == "full" else []
    if not focus.targets:
        return [Keep(head + tail)]
    groups = [Keep(target_blocks(memo, target), anchor=target.target_id) for target in focus.targets]
    groups[0].blocks[:0] = head
    groups[-1].blocks += tail
    return list(groups)


def target_blocks(memo: Memo, target: TargetSection) -> list[Block]:
    """A target: heading, status, figures, chart (or why there is none), commentary and sources."""
    t = memo.t
    out: list[Block] = [Heading(target.name, 3), Status(target.status, target.status_text),
                        Table(None, [[k, v] for k, v in target.facts[1:]], FACTS_WIDTHS)]
    if target.chart_png:
        out.append(Figure(target.chart_png, target.chart_alt, target.target_id))
    elif target.chart_note:
        out.append(Para(target.chart_note, "note"))
    if target.commentary:
        out += [Para(t("memo.commentary"), "label"), _quote(target.commentary)]
    else:  # one line, "Status og indsats: ingen kommentar skrevet til status pr. 2026."
        out.append(Para(target.no_commentary, "note"))
    out.append(Bullets(t("memo.sources") + ":", list(target.sources)))
    return out


def initiatives_blocks(memo: Memo, focus: FocusSection) -> list[Block]:
    """The focus area's initiatives and their total funding, or a sentence that there are none."""
    t = memo.t
    out: list[Block] = [Heading(t("memo.initiatives"), 3)]
    if focus.initiatives:
        out.append(initiatives_table(memo, focus))
        if focus.funding_total:
            out.append(Para(focus.funding_total))
    else:
        out.append(Para(t("target.no_initiatives"), "note"))
    return out
