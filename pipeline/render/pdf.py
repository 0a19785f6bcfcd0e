"""FilledForm -> PDF with WeasyPrint; the bundle assembled from the per-table PDFs with pypdf.

WeasyPrint's layout time grows faster than linearly with document size, so each table is its
own small document and the bundle joins them: one outline entry per table, page numbers
stamped afterwards, and one shared font program per font instead of one subset per table.
"""

from __future__ import annotations

import os

# fontTools stamps subset fonts with the current time unless this is set; outputs must not
# depend on the clock. Set before WeasyPrint (and so fontTools) is imported.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")

import atexit  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from functools import cache  # noqa: E402
from pathlib import Path  # noqa: E402

import weasyprint  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402
from pypdf.generic import (  # noqa: E402
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from pipeline import fonts  # noqa: E402
from pipeline.form import FilledBundle, FilledForm  # noqa: E402
from pipeline.render.html import render_html  # noqa: E402
from pipeline.variant import Variant  # noqa: E402

LANGUAGE = "zh-CN"
PAGE_NUMBER = "— {n} —"
PAGE_NUMBER_BASELINE = 28.0  # pt above the bottom edge, inside the 20 mm bottom margin
PAGE_NUMBER_SAMPLE = "—0123456789"  # every glyph a page number uses, but the space


@cache
def _font_config() -> FontConfiguration:
    # One per process: WeasyPrint's font lookup and caches live in it.
    return FontConfiguration()


@dataclass(frozen=True)
class _Styles:
    """The variant's stylesheets as WeasyPrint uses them, built once per process."""

    sheets: tuple[weasyprint.CSS, ...]  # form.css, then the common-character font copies
    digest: str  # of their text: part of each PDF's /ID
    copies: dict[str, fonts.InstalledFont]  # font family of a copy -> its file


@cache
def _styles(css_path: Path) -> _Styles:
    text = css_path.read_text(encoding="utf-8")
    copies_css, copies = _common_copies(css_path)
    sheets = [weasyprint.CSS(string=text, base_url=str(css_path), font_config=_font_config())]
    if copies_css:
        sheets.append(weasyprint.CSS(string=copies_css, font_config=_font_config()))
    # The copies' paths change from process to process; their names and bytes do not.
    digest = hashlib.sha256(text.encode())
    for name, copy in sorted(copies.items()):
        digest.update(name.encode() + hashlib.sha256(copy.file.read_bytes()).digest())
    return _Styles(tuple(sheets), digest.hexdigest(), copies)


def _common_copies(css_path: Path) -> tuple[str, dict[str, fonts.InstalledFont]]:
    """CSS putting a common-character copy of each large font of form.css before it in its stack
    (see fonts.reduce_font). The copies live in a temporary folder for the process's lifetime."""
    folder = Path(tempfile.mkdtemp(prefix="annex-fonts-"))
    atexit.register(shutil.rmtree, folder, True)
    faces, roles, copies = [], [], {}
    for role, stack in fonts.font_stacks(css_path).items():
        families = []
        for family in stack:
            source = fonts.find_font(family)
            if source is not None and fonts.glyph_count(source) >= fonts.COMMON_MIN_GLYPHS:
                name = f"{family} Common"
                if name not in copies:
                    path = folder / f"{len(copies)}.otf"
                    path.write_bytes(fonts.reduce_font(source, fonts.common_chars()))
                    copies[name] = fonts.InstalledFont(name, path, 0)
                    faces.append(f'@font-face {{ font-family: "{name}"; src: url("{path.as_uri()}"); }}')
                families.append(f'"{name}"')
            families.append(f'"{family}"')
        roles.append(f"--font-{role}: {', '.join(families)};")
    if not copies:
        return "", {}
    return "\n".join([*faces, ":root { " + " ".join(roles) + " }"]), copies


def _write_pdf(html: str, variant: Variant) -> bytes:
    styles = _styles(variant.dir / "form.css")
    # A stable /ID: same HTML and CSS, same identifier (and WeasyPrint writes no dates).
    identifier = hashlib.sha256((styles.digest + html).encode()).hexdigest()[:32].encode()
    document = weasyprint.HTML(string=html, base_url=str(variant.dir)).render(
        stylesheets=list(styles.sheets), font_config=_font_config())
    return document.write_pdf(pdf_identifier=identifier)


def render_form_pdf(form: FilledForm, variant: Variant) -> bytes:
    """One table as a PDF (`build/<year>/分表/<NN>-<项目名称>.pdf`), without page numbers."""
    fonts.check_fonts([form], variant)
    return _write_pdf(render_html([form], variant), variant)


def render_bundle_pdf(bundle: FilledBundle, variant: Variant,
                      form_pdfs: Sequence[bytes] | None = None) -> bytes:
    """The year's bundle: the tables' PDFs (rendered here unless given) joined, one outline entry
    per table, `— N —` at the foot of every page, one copy of each font, title/author/language."""
    fonts.check_fonts(bundle.forms, variant)
    if form_pdfs is None:
        form_pdfs = [render_form_pdf(form, variant) for form in bundle.forms]
    if len(form_pdfs) != len(bundle.forms):
        raise ValueError(f"{len(form_pdfs)} PDFs for {len(bundle.forms)} tables")

    writer = PdfWriter()
    shared = _SharedFonts(writer, _styles(variant.dir / "form.css").copies)
    starts = []
    for data in form_pdfs:
        reader = PdfReader(io.BytesIO(data))
        for page in reader.pages:
            shared.redirect(page)
        starts.append(len(writer.pages))
        for page in reader.pages:
            writer.add_page(page)
    _stamp_page_numbers(writer, variant, shared)
    shared.fill()
    for form, start in zip(bundle.forms, starts):
        writer.add_outline_item(title=form.title, page_number=start)
    writer.page_mode = "/UseOutlines"
    writer.add_metadata({"/Title": bundle.title, "/Author": bundle.unit})
    writer.root_object[NameObject("/Lang")] = TextStringObject(LANGUAGE)
    return _write_with_stable_id(writer, form_pdfs)


def _write_with_stable_id(writer: PdfWriter, parts: Sequence[bytes]) -> bytes:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    identifier = ByteStringObject(digest.digest()[:16])
    writer._ID = ArrayObject([identifier, identifier])  # noqa: SLF001 - pypdf has no setter
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- Shared fonts ----------------------------------------------------------------------------

@dataclass
class _FontGroup:
    """Every embedding of one face in the bundle: one shared stream, the union of their glyphs."""

    key: NameObject  # /FontFile2 or /FontFile3
    stream: StreamObject  # the shared font program, filled once all glyphs are known
    ref: IndirectObject
    source: fonts.InstalledFont
    glyphs: set[int]


class _SharedFonts:
    """Points each table's embedded font subsets at one shared stream per installed face.

    A face is shared only when its file is found by PostScript name; otherwise the table keeps
    its own subset (correct, only larger).
    """

    def __init__(self, writer: PdfWriter, copies: dict[str, fonts.InstalledFont]):
        self.writer = writer
        self.copies = copies
        self.groups: dict[str, _FontGroup | None] = {}  # BaseFont -> group (None: not shared)

    def redirect(self, page) -> None:
        font_dicts = page.get("/Resources", {}).get("/Font", {})
        for font_ref in font_dicts.values():
            font = font_ref.get_object()
            if font.get("/Subtype") != "/Type0":
                continue
            cid_font = font["/DescendantFonts"][0].get_object()
            descriptor = cid_font["/FontDescriptor"].get_object()
            key = next((k for k in ("/FontFile2", "/FontFile3") if k in descriptor), None)
            if key is None:
                continue
            file_ref = descriptor.raw_get(key)
            if isinstance(file_ref, IndirectObject) and file_ref.pdf is self.writer:
                continue  # already redirected (a resource dict shared by several pages)
            group = self._group(str(font["/BaseFont"]), key, descriptor)
            if group is None:
                continue
            group.glyphs.update(_glyph_ids(cid_font.get("/W", ArrayObject())))
            descriptor[NameObject(key)] = group.ref

    def _group(self, base_font: str, key: str, descriptor: DictionaryObject) -> _FontGroup | None:
        if base_font not in self.groups:
            program = descriptor[key].get_object()
            source = self.copies.get(str(descriptor.get("/FontFamily", "")))
            if source is None:
                source = _installed_source(program.get_data())
            group = None
            if source is not None:
                stream = DecodedStreamObject()
                for k, v in program.items():
                    if k not in ("/Length", "/Filter", "/DecodeParms", "/Length1"):
                        stream[NameObject(k)] = v
                ref = self.writer._add_object(stream)  # noqa: SLF001 - a new indirect object
                group = _FontGroup(NameObject(key), stream, ref, source, set())
            self.groups[base_font] = group
        return self.groups[base_font]

    def fill(self) -> None:
        for group in self.groups.values():
            if group is None:
                continue
            data = fonts.subset_font(group.source, group.glyphs)
            group.stream.set_data(data)
            if group.key == "/FontFile2":
                group.stream[NameObject("/Length1")] = NumberObject(len(data))
            # flate_encode returns a new object; keep the indirect object's identity.
            encoded = group.stream.flate_encode(level=9)
            self.writer._objects[group.ref.idnum - 1] = encoded  # noqa: SLF001
            encoded.indirect_reference = group.ref


def _glyph_ids(widths: ArrayObject) -> set[int]:
    """Glyph ids listed in a CIDFont /W array: `first [w1 w2 …]` or `first last w`."""
    ids: set[int] = set()
    items = list(widths)
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1].get_object() if i + 1 < len(items) else None
        if isinstance(nxt, ArrayObject):
            ids.update(range(first, first + len(nxt)))
            i += 2
        else:
            ids.update(range(first, int(items[i + 1]) + 1))
            i += 3
    return ids


def _installed_source(program: bytes) -> fonts.InstalledFont | None:
    from fontTools.ttLib import TTFont

    try:
        with TTFont(io.BytesIO(program), lazy=True) as font:
            name = font["name"].getDebugName(6)
    except Exception:  # noqa: BLE001 - an unreadable program is simply not shared
        return None
    return fonts.find_postscript_font(name) if name else None


# --- Page numbers ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _NumberFont:
    font: IndirectObject  # a Type0 font dict in the writer
    glyphs: dict[str, tuple[int, float]]  # character -> (glyph id, advance in 1/1000 em)
    size: float


_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")


def _number_font(writer: PdfWriter, variant: Variant, shared: _SharedFonts) -> _NumberFont:
    """The page-number font: WeasyPrint sets the number glyphs in the form's text font, and the
    numbers are then written by hand on every page, far faster than laying out N pages."""
    html = (f'<!DOCTYPE html><html lang="{LANGUAGE}"><body>'
            f'<p class="page-number">{PAGE_NUMBER_SAMPLE}</p></body></html>')
    reader = PdfReader(io.BytesIO(_write_pdf(html, variant)))
    page = reader.pages[0]
    shared.redirect(page)
    (font_ref,) = page["/Resources"]["/Font"].values()
    font = font_ref.get_object()
    cid_font = font["/DescendantFonts"][0].get_object()
    widths = {}
    items = list(cid_font["/W"])
    for first, ws in zip(items[::2], items[1::2]):
        for offset, w in enumerate(ws):
            widths[int(first) + offset] = float(w)
    glyphs = {}
    for gid, text in _BFCHAR.findall(font["/ToUnicode"].get_object().get_data()):
        ch = bytes.fromhex(text.decode()).decode("utf-16-be")
        glyphs[ch] = (int(gid, 16), widths.get(int(gid, 16), 0.0))
    size = _font_size(page.get_contents().get_data())
    clone = font.clone(writer)
    return _NumberFont(clone.indirect_reference, glyphs, size)


def _font_size(content: bytes) -> float:
    match = re.search(rb"/\w+ ([0-9.]+) Tf", content)
    return float(match.group(1)) if match else 10.5


def _number_stream(number_font: _NumberFont, text: str, page_width: float) -> bytes:
    """`text` centred on the page, as a content stream of glyph ids (space as a TJ gap)."""
    ops, width = [], 0.0
    space = 250.0
    for ch in text:
        if ch == " ":
            ops.append(f"{-space:g}")
            width += space
        else:
            gid, advance = number_font.glyphs[ch]
            ops.append(f"<{gid:04x}>")
            width += advance
    x = (page_width - width * number_font.size / 1000) / 2
    return (f"BT /PageNo {number_font.size:g} Tf 1 0 0 1 {x:.2f} {PAGE_NUMBER_BASELINE:g} Tm "
            f"[{' '.join(ops)}] TJ ET").encode()


def _stamp_page_numbers(writer: PdfWriter, variant: Variant, shared: _SharedFonts) -> None:
    number_font = _number_font(writer, variant, shared)
    push = writer._add_object(_stream(b"q"))  # noqa: SLF001 - shared by every page
    pop = writer._add_object(_stream(b"Q"))  # noqa: SLF001
    for n, page in enumerate(writer.pages, start=1):
        box = page.mediabox
        stream = _stream(_number_stream(number_font, PAGE_NUMBER.format(n=n), float(box.width)))
        number = writer._add_object(stream)  # noqa: SLF001
        contents = page.raw_get("/Contents")
        parts = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([push, *parts, pop, number])
        resources = page["/Resources"]
        font_dict = resources.get("/Font")
        if font_dict is None:
            resources[NameObject("/Font")] = font_dict = DictionaryObject()
        font_dict = font_dict.get_object()
        font_dict[NameObject("/PageNo")] = number_font.font


def _stream(data: bytes) -> StreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream
