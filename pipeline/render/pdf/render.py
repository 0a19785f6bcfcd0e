"""FilledForm -> PDF with WeasyPrint; the bundle assembled from the per-table PDFs with pikepdf (qpdf).

WeasyPrint's layout time grows faster than linearly with document size, so each table is its
own small document and the bundle joins them: one outline entry per table, page numbers
stamped afterwards, and one shared font program per font instead of one subset per table.
"""

from __future__ import annotations

import os

# fontTools stamps subset fonts with the current time unless this is set; outputs must not
# depend on the clock. Set before WeasyPrint (and so fontTools) is imported.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")

import io  # noqa: E402
import zlib  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from functools import cache  # noqa: E402
from pathlib import Path  # noqa: E402

import pikepdf  # noqa: E402
from pikepdf import Dictionary, Name, String  # noqa: E402

from pipeline.render.pdf import fonts, harfbuzz, internals  # noqa: E402
from pipeline.render.pdf.layout import FONTS_KEY, styles, write_pdf  # noqa: E402
from pipeline.render.pdf.internals import BFCHAR, DEFAULT_WIDTH, PX, TF  # noqa: E402
from pipeline.form import paginate  # noqa: E402
from pipeline.form.filled import FilledBundle, FilledForm  # noqa: E402
from pipeline.form.report import FilledReport  # noqa: E402
from pipeline.form.summary import Summary  # noqa: E402
from pipeline.render.html import render_html  # noqa: E402
from pipeline.render.pdf.summary import render_summary_pdfs  # noqa: E402
from pipeline.variant import Variant  # noqa: E402

LANGUAGE = "zh-CN"
PAGE_NUMBER_SAMPLE = "— 0123456789"  # every character a page number uses


def render_form_pdf(form: FilledForm, variant: Variant, check_fonts: bool = True) -> bytes:
    """One table as a PDF (`build/<year>/分表/<NN>-<项目名称>.pdf`), without page numbers.
    check_fonts=False: the caller has checked the form's fonts (fonts.check_fonts)."""
    return render_paged_form_pdf(form, variant, check_fonts)[0]


def render_paged_form_pdf(form: FilledForm, variant: Variant, check_fonts: bool = True) -> tuple[bytes, FilledForm]:
    """render_form_pdf, and the form as printed: a table running onto more pages repeats, on each,
    the 一级/二级 labels of the runs it continues (pipeline/form/paginate.py). The Word file is
    rendered from that form, so that both show the same labels. Only a form longer than a page is
    laid out twice."""
    if check_fonts:
        fonts.check_fonts([form], variant)
    anchors: list[set[str]] = []
    data = write_pdf(render_html([form], variant), variant.dir, anchors)
    if len(anchors) < 2:
        return data, form
    starts = set()
    for page in anchors[1:]:
        rows = [_row_of(a) for a in page if a.startswith("row-")]
        if rows:
            starts.add(min(rows))
    paged = paginate.restart_runs(form, starts)
    if paged is form:
        return data, form
    return write_pdf(render_html([paged], variant), variant.dir), paged


def _row_of(anchor: str) -> tuple[int, int]:
    _, goal, row = anchor.split("-")
    return int(goal), int(row)


def render_report_pdf(report: FilledReport, variant: Variant, check_fonts: bool = True) -> bytes:
    """The 自评报告 draft (pipeline/form/report.py) as a PDF, styled by report.css, its fonts checked
    like a form's; WeasyPrint numbers its pages (report.css's @page) and bookmarks its headings."""
    from pipeline.form.report import report_template
    from pipeline.render.html import render_report_html

    css = report_template(variant, "report.css")
    if check_fonts:
        fonts.check_fonts([report], variant, css)
    return write_pdf(render_report_html(report, variant), css.parent, css=css)


def render_bundle_pdf(bundle: FilledBundle, variant: Variant,
                      form_pdfs: Sequence[bytes | Path] | None = None, summary: Summary | None = None) -> bytes:
    """The year's bundle: the 项目清单 first if given, then the tables' PDFs (rendered here unless
    given, as bytes or files) joined, one outline entry per table, `— N —` at the foot of every
    page, one copy of each font, title/author/language."""
    if form_pdfs is None:
        form_pdfs = [render_form_pdf(form, variant) for form in bundle.forms]  # each checks its fonts
    else:
        # Each table's characters were checked when it was rendered (1000 forms again: 0.5 s).
        fonts.check_fonts([], variant)
    titles: list[str | None] = [form.outline_title for form in bundle.forms]
    if summary is not None:
        pieces = render_summary_pdfs(summary, variant)
        form_pdfs = [*pieces, *form_pdfs]
        titles = [summary.outline_title, *[None] * (len(pieces) - 1), *titles]
    return join_pdfs(bundle.title, bundle.unit, titles, variant, form_pdfs)


def _pdf_stream(table: bytes | Path):
    return open(table, "rb") if isinstance(table, Path) else io.BytesIO(table)


def join_pdfs(title: str, unit: str, outline_titles: Sequence[str | None], variant: Variant,
              form_pdfs: Sequence[bytes | Path]) -> bytes:
    """render_bundle_pdf of tables already rendered (their fonts checked), given as bytes or files,
    with the bundle's title, its unit (the author) and each table's bookmark (None: a part that
    continues the one before, as the 项目清单's pieces after its first). (A build sends these
    to the process that joins the tables, not 1000 forms.)"""
    if len(form_pdfs) != len(outline_titles):
        raise ValueError(f"{len(form_pdfs)} PDFs for {len(outline_titles)} tables")
    css = variant.dir / "form.css"
    fingerprint = fonts.fingerprint(css)
    out = pikepdf.new()
    shared = _SharedFonts(out, styles(css).copies)
    starts = []
    for table in form_pdfs:  # one at a time: 1000 tables are never all in memory
        # A file is read as qpdf needs it: the tables' font programs, most of their bytes, never are.
        # A file is opened here, not by name: pikepdf hands a file name to qpdf as UTF-8, which a
        # name that is not (an --out in another encoding) cannot be.
        with _pdf_stream(table) as stream, pikepdf.open(stream) as source:
            # Glyph ids are valid for the fonts a table was made with: a table made before a font
            # upgrade keeps its own font subsets.
            if str(source.docinfo.get(FONTS_KEY, "")) == fingerprint:
                for page in source.pages:
                    for font in _fonts(page.obj):
                        shared.detach(font)
            first = len(out.pages)
            starts.append(first)
            out.pages.extend(source.pages)  # qpdf copies the pages' objects and stream data now
            for page in out.pages[first:]:
                for font in _fonts(page.obj):
                    shared.attach(font)
    _stamp_page_numbers(out, variant, shared)
    shared.fill()
    with out.open_outline() as outline:
        for bookmark, start in zip(outline_titles, starts):
            if bookmark is not None:
                outline.root.append(pikepdf.OutlineItem(bookmark, start))
    out.Root.PageMode = Name.UseOutlines
    out.Root.Lang = String(LANGUAGE)
    out.docinfo = out.make_indirect(Dictionary({
        "/Title": String(title), "/Author": String(unit), FONTS_KEY: String(fingerprint),
    }))
    buffer = io.BytesIO()
    # deterministic_id: the /ID is a digest of the content, not of the clock.
    out.save(buffer, deterministic_id=True, fix_metadata_version=False, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _fonts(page: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    resources = page.get("/Resources")
    return list(resources.get("/Font", {}).values()) if resources is not None else []


# --- Shared fonts ----------------------------------------------------------------------------

@dataclass
class _FontGroup:
    """Every embedding of one face in the bundle: one shared stream, the union of their glyphs."""

    key: str  # /FontFile2 or /FontFile3
    stream: pikepdf.Stream  # the shared font program, filled once all glyphs are known
    source: harfbuzz.InstalledFont
    glyphs: set[int]


class _SharedFonts:
    """One shared font program per installed face instead of each table's subset of it.

    A face is shared only when its file is found by PostScript name; otherwise the table keeps
    its own subset (correct, only larger). The tables' own programs are taken out before their
    pages are copied: qpdf copies a stream's data with it (a CJK subset: ~100 KB a table).
    """

    def __init__(self, pdf: pikepdf.Pdf, copies: dict[str, harfbuzz.InstalledFont]):
        self.pdf = pdf
        self.copies = copies
        self.groups: dict[str, _FontGroup | None] = {}  # BaseFont -> group (None: not shared)

    def detach(self, font: pikepdf.Dictionary) -> None:
        """A table's font, before it is copied: note its glyphs, take out its program if shared."""
        if font.get("/Subtype") != Name.Type0:
            return
        descriptor = font.DescendantFonts[0].FontDescriptor
        key = next((k for k in ("/FontFile2", "/FontFile3") if k in descriptor), None)
        if key is None:
            return  # not embedded, or already taken out (a resource dict shared by several pages)
        group = self._group(str(font.BaseFont), key, descriptor)
        if group is None:
            return
        group.glyphs.update(_glyph_ids(font))
        del descriptor[key]

    def attach(self, font: pikepdf.Dictionary) -> None:
        """A font copied into the bundle: one whose program was taken out gets the shared one."""
        if font.get("/Subtype") != Name.Type0:
            return
        group = self.groups.get(str(font.BaseFont))
        descriptor = font.DescendantFonts[0].FontDescriptor
        if group is not None and "/FontFile2" not in descriptor and "/FontFile3" not in descriptor:
            descriptor[group.key] = group.stream

    def _group(self, base_font: str, key: str, descriptor: pikepdf.Dictionary) -> _FontGroup | None:
        if base_font not in self.groups:
            program = descriptor[key]
            source = self.copies.get(str(descriptor.get("/FontFamily", "")))
            if source is None:
                source = _installed_source(program.read_bytes())
            group = None
            if source is not None:
                stream = pikepdf.Stream(self.pdf, b"")
                for k, v in program.items():
                    if k not in ("/Length", "/Filter", "/DecodeParms", "/Length1"):
                        stream[k] = v
                group = _FontGroup(key, stream, source, set())
            self.groups[base_font] = group
        return self.groups[base_font]

    def fill(self) -> None:
        for group in self.groups.values():
            if group is None:
                continue
            data = harfbuzz.subset_font(group.source, group.glyphs)
            group.stream.write(zlib.compress(data, 9), filter=Name.FlateDecode)
            if group.key == "/FontFile2":
                group.stream.Length1 = len(data)


def _glyph_ids(font: pikepdf.Dictionary) -> set[int]:
    """The glyphs a Type0 font of WeasyPrint's uses: its ToUnicode map lists each of them (and
    WeasyPrint subsets the font to exactly those)."""
    return {int(gid, 16) for gid, _ in BFCHAR.findall(font.ToUnicode.read_bytes())}


def _installed_source(program: bytes) -> harfbuzz.InstalledFont | None:
    from fontTools.ttLib import TTFont

    try:
        with TTFont(io.BytesIO(program), lazy=True) as font:
            name = font["name"].getDebugName(6)
    except Exception:  # noqa: BLE001 - an unreadable program is simply not shared
        return None
    return fonts.find_postscript_font(name) if name else None


# --- Page numbers ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _NumberGlyphs:
    """How to write the page numbers: their glyphs, as WeasyPrint set them in the text font."""

    fonts: dict[str, pikepdf.Dictionary]  # resource name -> a font dict in the bundle
    glyphs: dict[str, tuple[str, int, float]]  # character -> (resource name, glyph id, advance in 1/1000 em)
    size: float  # pt



def _number_glyphs(pdf: pikepdf.Pdf, variant: Variant, shared: _SharedFonts) -> _NumberGlyphs:
    """WeasyPrint sets every glyph a page number uses, in the variant's `.page-number` style, on
    one page; the numbers are then written by hand on each page, far faster than laying out a
    document of N pages."""
    with pikepdf.open(io.BytesIO(_number_sample(variant.dir))) as sample:
        page = sample.pages[0]
        sizes = {name.decode(): float(size) * PX for name, size in TF.findall(page.Contents.read_bytes())}
        fonts_used, glyphs = {}, {}
        for n, (name, font) in enumerate(sorted(page.Resources.Font.items())):
            key = f"/PageNo{n}"
            shared.detach(font)
            copied = pdf.copy_foreign(font)
            shared.attach(copied)
            fonts_used[key] = copied
            cid_font = font.DescendantFonts[0]
            widths = _widths(cid_font.get("/W", pikepdf.Array()))
            default = float(cid_font.get("/DW", DEFAULT_WIDTH))
            for gid, text in BFCHAR.findall(font.ToUnicode.read_bytes()):
                char = bytes.fromhex(text.decode()).decode("utf-16-be")
                glyphs[char] = (key, int(gid, 16), widths.get(int(gid, 16), default))
    return _NumberGlyphs(fonts_used, glyphs, max(sizes.values()))


def _number_sample(folder: Path) -> bytes:
    return _number_sample_of(folder, (folder / "form.css").read_text(encoding="utf-8"))


@cache
def _number_sample_of(folder: Path, _css: str) -> bytes:
    html = (f'<!DOCTYPE html><html lang="{LANGUAGE}"><body>'
            f'<p class="page-number">{PAGE_NUMBER_SAMPLE}</p></body></html>')
    return write_pdf(html, folder)


def warm_up(variant: Variant) -> None:
    """What a process does before its first PDF, done ahead (the build's workers do it while the
    data is checked): the stylesheets and font copies, WeasyPrint's and Pango's font setup."""
    _number_sample(variant.dir)
    fonts.fingerprint(variant.dir / "form.css")


def _widths(w: pikepdf.Array) -> dict[int, float]:
    """glyph id -> advance, from a CIDFont /W array (`first [w1 w2 …]` or `first last w`)."""
    out: dict[int, float] = {}
    items = list(w)
    i = 0
    while i < len(items):
        first, nxt = int(items[i]), items[i + 1]
        if isinstance(nxt, pikepdf.Array):
            out.update((first + k, float(v)) for k, v in enumerate(nxt))
            i += 2
        else:
            out.update((g, float(items[i + 2])) for g in range(first, int(nxt) + 1))
            i += 3
    return out


def _number_stream(glyphs: _NumberGlyphs, text: str, page_width: float, baseline: float) -> bytes:
    """`text` centred on the page, `baseline` pt above its foot, as a content stream of glyph ids."""
    runs: list[tuple[str, list[str]]] = []  # consecutive glyphs of one font
    width = 0.0
    for ch in text:
        font, gid, advance = glyphs.glyphs[ch]
        if not runs or runs[-1][0] != font:
            runs.append((font, []))
        runs[-1][1].append(f"{gid:04x}")
        width += advance
    x = (page_width - width * glyphs.size / 1000) / 2
    shows = " ".join(f"{font} {glyphs.size:g} Tf <{''.join(ids)}> Tj" for font, ids in runs)
    return f"BT {x:.2f} {baseline:.2f} Td {shows} ET".encode()


def _stamp_page_numbers(pdf: pikepdf.Pdf, variant: Variant, shared: _SharedFonts) -> None:
    glyphs = _number_glyphs(pdf, variant, shared)
    # The variant's page settings (form.yaml), as Word's footer has them.
    baseline = float(variant.page.number_baseline) * 72 / 25.4
    # The page's own content is wrapped in q … Q so that its graphics state (WeasyPrint flips
    # the y axis) does not reach the number.
    push = pikepdf.Stream(pdf, b"q")  # shared by every page
    pop = pikepdf.Stream(pdf, b"Q")
    for n, page in enumerate(pdf.pages, start=1):
        box = page.mediabox
        number = pikepdf.Stream(pdf, _number_stream(glyphs, variant.page.number.format(n=n), float(box[2] - box[0]), baseline))
        contents = page.obj.Contents
        parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        page.obj.Contents = pikepdf.Array([push, *parts, pop, number])
        resources = page.obj.Resources
        if "/Font" not in resources:
            resources.Font = Dictionary()
        for key, font in glyphs.fonts.items():
            resources.Font[key] = font
