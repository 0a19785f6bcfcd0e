"""Long titles broken in balanced lines, decided once for both formats.

A title wider than the line would otherwise leave one or two characters alone on a second line
("…项目自" / "评表"). Word and the PDF wrap on their own, each slightly differently; so the form
decides the lines here and both renderers print them with explicit line breaks.

Widths are measured in em of the title's font: a CJK character or full-width punctuation is 1 em,
other characters (digits, Latin letters, spaces, ASCII punctuation) are counted at 0.6 em, a little
more than they take in the fonts the forms use, so a line decided here never wraps again.
"""

from __future__ import annotations

import math
import unicodedata
from decimal import Decimal

from pipeline.form.filled import FilledForm
from pipeline.variant import MM_PER_INCH, Variant

NARROW = Decimal("0.6")


def char_width(ch: str) -> Decimal:
    return Decimal(1) if unicodedata.east_asian_width(ch) in ("W", "F") else NARROW


def text_width(text: str) -> Decimal:
    return sum((char_width(ch) for ch in text), Decimal(0))


def _break_points(text: str) -> list[int]:
    """Where a line may end: between two characters, except inside a run of narrow characters
    (a number, a Latin word: "2023", "(转移支付)" keeps its brackets with their words) and never
    before closing or after opening punctuation."""
    points = []
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if char_width(a) == NARROW and char_width(b) == NARROW and not (a.isspace() or b.isspace()):
            continue
        if unicodedata.category(b) in ("Pe", "Pf", "Po") or unicodedata.category(a) in ("Ps", "Pi"):
            continue
        points.append(i)
    return points


def balanced_lines(text: str, line_width: Decimal) -> tuple[str, ...]:
    """`text` in as few lines as fit `line_width` (em), as equal in width as the break points allow."""
    text = text.strip()
    total = text_width(text)
    if total <= line_width or not text:
        return (text,)
    n = max(2, math.ceil(total / line_width))
    points = _break_points(text)
    while n <= len(points) + 1:
        lines = _split(text, points, n, line_width)
        if lines is not None:
            return lines
        n += 1
    return (text,)  # no way to fit: leave the wrapping to the renderer


def _split(text: str, points: list[int], n: int, line_width: Decimal) -> tuple[str, ...] | None:
    """The n-line split minimising the widest line (small inputs: a title has a few dozen points)."""
    best: tuple[Decimal, tuple[int, ...]] | None = None

    def widest(cuts: tuple[int, ...]) -> Decimal:
        bounds = (0, *cuts, len(text))
        return max(text_width(text[a:b].strip()) for a, b in zip(bounds, bounds[1:]))

    def search(start: int, chosen: tuple[int, ...]) -> None:
        nonlocal best
        if len(chosen) == n - 1:
            w = widest(chosen)
            if w <= line_width and (best is None or w < best[0]):
                best = (w, chosen)
            return
        for k in range(start, len(points)):
            search(k + 1, (*chosen, points[k]))

    if n - 1 > 3:  # titles of more than four lines: take the first that fits
        return None
    search(0, ())
    if best is None:
        return None
    bounds = (0, *best[1], len(text))
    return tuple(text[a:b].strip() for a, b in zip(bounds, bounds[1:]))


def estimated_lines(text: str, line_width: Decimal) -> int:
    """How many lines `text` takes in a cell `line_width` em wide (its own line breaks kept);
    generous, like text_width."""
    return sum(max(1, math.ceil(text_width(line) / line_width)) for line in text.splitlines() or [""])


# Text rows (the form's own texts, printed across the columns after their two label columns).
TEXT_ROWS = ("reason", "measures")
LINE_PT = Decimal(13)  # the table's exact line height, Word's and the PDF's
TEXT_PT = Decimal("10.5")  # 五号
TALL = Decimal("0.75")  # of the page's text height: a taller row may break across pages


def tall_rows(form: FilledForm, variant: Variant) -> tuple[str, ...]:
    """The text rows too tall to be kept whole: rows never split across pages unless, like these,
    they would leave most of a page empty (or not fit on one at all)."""
    page = variant.page
    n = 8 if form.scoring else 6
    columns = page.columns[:n]
    width_pt = page.text_width * 72 / MM_PER_INCH * sum(columns[2:], Decimal(0)) / sum(columns, Decimal(0))
    line_em = (width_pt - 2 * 72 / MM_PER_INCH) / TEXT_PT  # less the cell's 1 mm margins
    page_pt = (page.height - page.top - page.bottom) * 72 / MM_PER_INCH
    return tuple(name for name in TEXT_ROWS
                 if estimated_lines(getattr(form, name), line_em) * LINE_PT > TALL * page_pt)
