"""Every place annex leans on how WeasyPrint, pydyf and HarfBuzz work inside, in one module.

Each section says what annex relies on, the version it was written against (pinned in
pyproject.toml) and what breaks when an upgrade changes it. tests/test_pdf.py checks that the
installed versions are the ones below: raise a pin only after going through this file.

Nothing here is imported at module level from WeasyPrint or pydyf: a build with nothing to do
reads the subsetting recipe (through harfbuzz.py) without loading them.
"""

from __future__ import annotations

import re
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WEASYPRINT_VERSION = "70."  # pyproject: weasyprint>=70,<71
PYDYF_VERSION = "0.13."  # pyproject: pydyf>=0.13,<0.14


# --- 1. WeasyPrint's font subsets (weasyprint/pdf/fonts.py: Font._harfbuzz_subset, WeasyPrint 70) ---
# The bundle replaces the tables' subsets of a font with one subset of the union of their glyphs
# (harfbuzz.subset_font). It is the same font only if made as WeasyPrint makes its own: two
# passes (keep the glyph ids, then drop the empty slots after the last glyph), these flags (with
# hinting off, WeasyPrint's default) and these dropped tables. If an upgrade changes them, the
# bundle's glyphs differ from the tables' (test_pdf's text and identity tests fail): copy the new
# recipe here.
SUBSET_FIRST_PASS = ("retain_gids", "passthrough", "desubroutinize")
SUBSET_SECOND_PASS = ("passthrough", "desubroutinize", "no_hinting")
SUBSET_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
                      b"PCLT", b"SVG ")


# --- 2. The PDF objects WeasyPrint hands to a finisher (pydyf 0.13) ----------------------------
# write_pdf(finisher=) is public; what it receives is pydyf's PDF, whose objects annex edits:
# a CIDFont dict's /W array (WeasyPrint writes every glyph's width and no /DW), and streams not
# yet compressed (`compress` True, items in `stream`, joined by pydyf's private `_to_bytes`). If
# pydyf renames `_to_bytes` or compresses earlier, shrink() fails loudly (AttributeError) or
# does nothing (larger PDFs, same content); if WeasyPrint starts writing /DW, the widths dropped
# below would be wrong: test_pdf's page-number and text tests catch both.
CID_FONTS = ("/CIDFontType0", "/CIDFontType2")
DEFAULT_WIDTH = 1000  # a CIDFont's /DW when absent (PDF 1.7, 9.7.4.3): glyphs missing from /W have it
FLATE_LEVEL = 6  # zlib's default. pydyf's 9 takes twice the time (~10 ms a table) for 0.3 % fewer bytes


def shrink(pdf) -> None:
    """In a finisher: drop the default widths from the fonts' /W and compress the streams at
    FLATE_LEVEL. Same content; a tenth of the width numbers to copy when the bundle is joined."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") in CID_FONTS and "W" in obj:
            obj["W"] = _without_default_widths(obj["W"])
        elif isinstance(obj, pydyf.Stream) and obj.compress:
            _compress(obj)


def _compress(stream) -> None:
    import pydyf

    data = b"\n".join(pydyf._to_bytes(item) for item in stream.stream)  # noqa: SLF001 - as pydyf joins them
    stream.stream = [zlib.compress(data, FLATE_LEVEL)]
    stream.extra["Filter"] = "/FlateDecode"
    stream.compress = False


def _without_default_widths(widths: list):
    """A /W array (`first [w1 w2 …]` runs) without the glyphs of the default width: most CJK glyphs."""
    import pydyf

    kept: dict[int, float] = {}
    for first, run in zip(widths[::2], widths[1::2]):
        kept.update((first + i, w) for i, w in enumerate(run) if w != DEFAULT_WIDTH)
    out = pydyf.Array()
    for gid in sorted(kept):
        if gid - 1 not in kept:
            out.extend([gid, pydyf.Array()])
        out[-1].append(kept[gid])
    return out


# --- 3. How WeasyPrint 70 writes a page (read when the page numbers are stamped) ----------------
# Page content is in CSS px (1px = 0.75pt) with the y axis flipped by a `cm` at its start (so
# render.py wraps it in q … Q before adding its own text); text is set with `/Fn size Tf` and
# glyph ids; each Type0 font's ToUnicode CMap lists every glyph it uses as a `<gid> <unicode>`
# bfchar line (and WeasyPrint subsets the font to exactly those). If this changes, the page
# numbers go missing or land elsewhere: test_pdf's page-number test fails.
PX = 0.75
TF = re.compile(rb"/(\w+) ([0-9.]+) Tf")
BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")


# --- 4. WeasyPrint's copies of @font-face fonts (weasyprint/text/fonts.py, WeasyPrint 70) ------
# FontConfiguration.add_font_face, run when a stylesheet with @font-face is parsed, copies each
# font into a folder of its own made by tempfile.mkdtemp(), removed only when the configuration
# is garbage-collected: never, in a process that ends with os._exit (a pool's worker) or keeps its
# configuration for life (annex's, cached). Parsing the stylesheet with tempfile's folder set to
# one annex removes keeps them from piling up in /tmp. If an upgrade makes the folder elsewhere,
# test_build's leftover test fails.

@contextmanager
def font_faces_in(folder: Path) -> Iterator[None]:
    """WeasyPrint's copies of the @font-face fonts of stylesheets parsed inside go under `folder`."""
    saved = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = saved


# --- 5. The rows on a laid-out page (weasyprint/layout, formatting_structure/boxes.py, WeasyPrint 70) ---
# The 项目清单 is laid out a page at a time (pipeline/render/pieces.py): how many of a piece's
# rows its first page holds is read from the page's boxes (Page._page_box, Box.descendants(),
# a table row group's children, each box's .element), not from ids (WeasyPrint writes every id
# as a named destination, which would change the PDF). If an upgrade renames them, the list's
# pieces fail loudly (AttributeError): test_build's summary-pieces test catches it.

def body_rows(page) -> list:
    """The <tr> elements of the <tbody> rows laid out on a WeasyPrint page, in order."""
    from weasyprint.formatting_structure import boxes

    rows = []
    for box in page._page_box.descendants():  # noqa: SLF001 - see above
        if isinstance(box, boxes.TableRowGroupBox) and box.element_tag == "tbody":
            rows.extend(child.element for child in box.children if isinstance(child, boxes.TableRowBox))
    return rows
