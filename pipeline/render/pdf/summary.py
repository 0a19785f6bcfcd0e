"""The bundle's 项目清单 as PDF, laid out a page at a time so that a change costs a page or two.

WeasyPrint lays out a long table in time that grows faster than its length (a 1000-row list: tens
of pages, seconds), and a build would lay it all out again for one changed figure. So the list is
made of pieces of one page each: from its first row not yet placed, a piece lays out the next
WINDOW rows (more than a page holds) and keeps its first page; the next piece starts at the first
row that page did not hold. A piece depends only on its own window, so a build keeps every piece
whose window it laid out before (pipeline/build/tasks.py) and the list comes out the same as laid
out from scratch. A list that fits one page is one piece, laid out as a whole document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pipeline.form.summary import Summary
from pipeline.render.html import render_summary_html
from pipeline.render.pdf import fonts, internals
from pipeline.render.pdf.layout import lay_out
from pipeline.variant import Variant

WINDOW = 48  # rows laid out for a piece: more than an A4 page of the list holds (about 30)


@dataclass(frozen=True)
class Piece:
    """One page of the list: its rows [start:stop], and whether it ends the list (the 合计 row)."""

    start: int
    stop: int
    closes: bool
    key: str  # of what it lays out: its window's HTML, and the caller's `salt` (styles, fonts)
    data: bytes | None  # the PDF; None for a piece the caller kept


def summary_pieces(summary: Summary, variant: Variant, salt: str = "",
                   known: Callable[[str], Piece | None] = lambda key: None) -> Iterator[Piece]:
    """The list's pieces in order; `known(key)` returns a piece laid out before (kept, not laid
    out again), or None. The fonts are the caller's to check (fonts.check_fonts)."""
    start = 0
    while True:
        html = render_summary_html(summary, variant, start, start + WINDOW)
        key = hashlib.sha256(f"{salt}\0{start}\0{html}".encode()).hexdigest()
        piece = known(key) or _lay_out_piece(summary, variant, start, html, key)
        yield piece
        if piece.closes:
            return
        start = piece.stop


def render_summary_pdfs(summary: Summary, variant: Variant) -> list[bytes]:
    """The 项目清单's pieces as PDFs, its fonts checked like a form's."""
    fonts.check_fonts([summary], variant)
    return [p.data for p in summary_pieces(summary, variant) if p.data is not None]


def _lay_out_piece(summary: Summary, variant: Variant, start: int, html: str, key: str) -> Piece:
    laid = lay_out(html, variant.dir)
    pages = laid.document.pages
    stop = min(start + WINDOW, len(summary.rows))
    if len(pages) > 1:
        following = set(internals.body_rows(pages[1]))
        held = [r for r in internals.body_rows(pages[0]) if r not in following]  # a row split: not held
        placed = sum(1 for r in held if "total" not in (r.get("class") or "").split())
        if held:  # the 合计 row among them: the list ends on this page
            return Piece(start, start + placed, len(held) > placed, key, laid.write(pages=1))
    # One page (or a first page holding no whole row): the window as laid out, every page of it.
    return Piece(start, stop, stop == len(summary.rows), key, laid.write())
