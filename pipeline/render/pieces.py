"""The 项目清单 laid out a page at a time: what each piece lays out, and its key.

WeasyPrint lays out a long table in time that grows faster than its length (a 1000-row list: tens
of pages, seconds), and a build would lay it all out again for one changed figure. So the PDF list
is made of pieces of one page each: from its first row not yet placed, a piece lays out the next
WINDOW rows (more than a page holds) and keeps its first page; the next piece starts at the first
row that page did not hold (pipeline/render/pdf/summary.py). A piece depends only on its window's
HTML, so a piece laid out before from the same HTML (same key) is the same piece: a build keeps
it (pipeline/build/pieces.py) and the list comes out as laid out from scratch. A list that fits one
page is one piece, laid out as a whole document, as before there were pieces.

Nothing here loads WeasyPrint: a build's own process works out the keys.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pipeline.form.summary import Summary
from pipeline.render.html import render_summary_html
from pipeline.variant import Variant

WINDOW = 48  # rows laid out for a piece: more than an A4 page of the list holds (about 30)


@dataclass(frozen=True)
class Window:
    """What a piece starting at `start` lays out."""

    start: int
    html: str
    key: str  # of the HTML and the caller's `salt` (styles, fonts, annex)


def window(summary: Summary, variant: Variant, start: int, salt: str = "") -> Window:
    html = render_summary_html(summary, variant, start, start + WINDOW)
    return Window(start, html, hashlib.sha256(f"{salt}\0{start}\0{html}".encode()).hexdigest())
