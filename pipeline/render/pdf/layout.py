"""HTML -> PDF with WeasyPrint: the variant's stylesheets and font copies (built once per
process), a document laid out in pages, and its PDF written with a stable /ID and annex's marks.
"""

from __future__ import annotations

import os

# fontTools stamps subset fonts with the current time unless this is set; outputs must not
# depend on the clock. Set before WeasyPrint (and so fontTools) is imported.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")

import atexit  # noqa: E402
import hashlib  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from functools import cache  # noqa: E402
from pathlib import Path  # noqa: E402

import pydyf  # noqa: E402 - WeasyPrint's PDF writer
import weasyprint  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from pipeline.files.digest import sha256_file  # noqa: E402
from pipeline.render.pdf import fonts, harfbuzz, internals  # noqa: E402


@cache
def _scratch() -> Path:
    """This process's temporary folder for fonts, made on first need and removed at exit. (A
    build's worker ends without atexit: the build points tempfile at a folder it removes itself.)"""
    folder = Path(tempfile.mkdtemp(prefix="annex-fonts-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


@cache
def _font_config() -> FontConfiguration:
    # One per process: WeasyPrint's font lookup and caches live in it.
    return FontConfiguration()


@dataclass(frozen=True)
class _Styles:
    """The variant's stylesheets as WeasyPrint uses them, built once per process."""

    sheets: tuple[weasyprint.CSS, ...]  # form.css, then the common-character font copies
    digest: str  # of their text: part of each PDF's /ID
    copies: dict[str, harfbuzz.InstalledFont]  # font family of a copy -> its file


def styles(css_path: Path) -> _Styles:
    # Keyed by the text too: an `annex build --watch` process outlives edits of form.css.
    return _styles_of(css_path, css_path.read_text(encoding="utf-8"))


@cache
def _styles_of(css_path: Path, text: str) -> _Styles:
    copies_css, copies = _common_copies(css_path)
    sheets = [weasyprint.CSS(string=text, base_url=str(css_path), font_config=_font_config())]
    if copies_css:
        with internals.font_faces_in(_scratch()):
            sheets.append(weasyprint.CSS(string=copies_css, font_config=_font_config()))
    # The copies' paths change from process to process; their names and bytes do not.
    digest = hashlib.sha256(text.encode())
    for name, copy in sorted(copies.items()):
        digest.update(name.encode() + bytes.fromhex(sha256_file(copy.file)))
    return _Styles(tuple(sheets), digest.hexdigest(), copies)


def _common_copies(css_path: Path) -> tuple[str, dict[str, harfbuzz.InstalledFont]]:
    """CSS setting each role's font stack (fonts.font_stacks: the installed official fonts first), with
    a common-character copy of each large font before it (see harfbuzz.reduce_font and fonts.common_copy)."""
    faces, roles, copies = [], [], {}
    for role, stack in fonts.font_stacks(css_path).items():
        families = []
        for family in stack:
            source = fonts.find_font(family)
            if source is not None and harfbuzz.glyph_count(source) >= fonts.COMMON_MIN_GLYPHS:
                name = f"Common+{family}"  # read as "the Common subset of {family}", like a subset tag
                if name not in copies:
                    path = fonts.common_copy(source)
                    if path is None:  # no cache folder: a copy for this process only
                        path = _scratch() / f"{len(copies)}.otf"
                        path.write_bytes(harfbuzz.reduce_font(source, fonts.common_chars()))
                    copies[name] = harfbuzz.InstalledFont(name, path, 0)
                    faces.append(f'@font-face {{ font-family: "{name}"; src: url("{path.as_uri()}"); }}')
                families.append(f'"{name}"')
            families.append(f'"{family}"')
        roles.append(f"--font-{role}: {', '.join(families)};")
    # Always the stacks: they put the official fonts (form.css's --prefer-<role>) first when installed.
    return "\n".join([*faces, ":root { " + " ".join(roles) + " }"]), copies


FONTS_KEY = "/AnnexFonts"  # document info: fonts.fingerprint() of the fonts the PDF was made with


def write_pdf(html: str, folder: Path, page_anchors: list[set[str]] | None = None, css: Path | None = None) -> bytes:
    """The HTML as a PDF, styled by the variant folder's form.css (or `css`: the 自评报告's report.css);
    `page_anchors`, if given, receives the ids of the elements laid out on each page."""
    laid = lay_out(html, folder, css)
    if page_anchors is not None:
        page_anchors.extend(set(page.anchors) for page in laid.document.pages)
    return laid.write()


@dataclass(frozen=True)
class LaidOut:
    """A document laid out by WeasyPrint, to be written whole or its first pages only."""

    document: weasyprint.Document
    identifier: bytes  # the PDF's /ID
    css: Path

    def write(self, pages: int | None = None) -> bytes:
        """The PDF of the document, or of its first `pages` pages."""
        document = self.document
        if pages is not None and pages < len(document.pages):
            document = document.copy(document.pages[:pages])
        css = self.css

        def finish(_document, pdf) -> None:
            pdf.info[FONTS_KEY[1:]] = pydyf.String(fonts.fingerprint(css))
            internals.shrink(pdf)

        return document.write_pdf(pdf_identifier=self.identifier, finisher=finish)


def lay_out(html: str, folder: Path, css: Path | None = None) -> LaidOut:
    """The HTML laid out in pages, styled by the variant folder's form.css (or `css`)."""
    css = folder / "form.css" if css is None else css
    sheets = styles(css)
    # A stable /ID: same HTML and CSS, same identifier (and WeasyPrint writes no dates).
    identifier = hashlib.sha256((sheets.digest + html).encode()).hexdigest()[:32].encode()
    document = weasyprint.HTML(string=html, base_url=str(folder)).render(
        stylesheets=list(sheets.sheets), font_config=_font_config())
    return LaidOut(document, identifier, css)


