"""The bundle's 项目清单 as PDF, a page at a time (pipeline/render/pieces.py says why and how)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pipeline.form.summary import Summary
from pipeline.render.pdf import fonts, internals
from pipeline.render.pdf.layout import lay_out
from pipeline.render.pieces import WINDOW, Window, window
from pipeline.variant import Variant


@dataclass(frozen=True)
class Piece:
    """One page of the list: its rows [start:stop], and whether it ends the list (the 合计 row)."""

    start: int
    stop: int
    closes: bool
    key: str
    data: bytes | None  # the PDF; None for a piece the caller kept


def summary_pieces(summary: Summary, variant: Variant, salt: str = "", start: int = 0,
                   known: Callable[[str], Piece | None] = lambda key: None) -> Iterator[Piece]:
    """The list's pieces in order from the one at row `start`; `known(key)` returns a piece laid
    out before (kept, not laid out again), or None. The fonts are the caller's to check."""
    while True:
        w = window(summary, variant, start, salt)
        piece = known(w.key) or lay_out_piece(summary, variant, w)
        yield piece
        if piece.closes:
            return
        start = piece.stop


def render_summary_pdfs(summary: Summary, variant: Variant) -> list[bytes]:
    """The 项目清单's pieces as PDFs, its fonts checked like a form's."""
    fonts.check_fonts([summary], variant)
    return [p.data for p in summary_pieces(summary, variant) if p.data is not None]


def lay_out_piece(summary: Summary, variant: Variant, w: Window) -> Piece:
    """The piece that lays out `w`: the first page of its window."""
    laid = lay_out(w.html, variant.dir)
    pages = laid.document.pages
    if len(pages) > 1:
        following = set(internals.body_rows(pages[1]))
        held = [r for r in internals.body_rows(pages[0]) if r not in following]  # a row split: not held
        placed = sum(1 for r in held if "total" not in (r.get("class") or "").split())
        if held:  # the 合计 row among them: the list ends on this page
            return Piece(w.start, w.start + placed, len(held) > placed, w.key, laid.write(pages=1))
    # One page (or a first page holding no whole row): the window as laid out, every page of it.
    stop = min(w.start + WINDOW, len(summary.rows))
    return Piece(w.start, stop, stop == len(summary.rows), w.key, laid.write())
