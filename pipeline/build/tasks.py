"""The rendering a build hands out: run in its worker processes, or in its own with --jobs 1.

Each task renders into the build's staging folder and returns what it wrote (an OutputFile per
file), so that only names and hashes travel back between processes, never documents.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.files.write import create_new
from pipeline.build.errors import RenderError
from pipeline.errors import Abort
from pipeline.build.plan import table_path
from pipeline.build.state import OutputFile, PieceState
from pipeline.variant import Variant, load_variant

if TYPE_CHECKING:
    from pipeline.form.filled import FilledForm
    from pipeline.form.summary import Summary

_loaded: dict[str, Callable] = {}  # this process's renderers, by format (init_worker)


def init_worker(formats: Sequence[str], warm: str | None = None) -> None:
    """Load what every render needs once per process: the renderers' modules, and for the variant
    `warm` (the one the data will likely name) what precedes a first PDF."""
    _loaded.clear()
    _loaded.update(renderers(formats))
    if warm is not None and "pdf" in formats:
        try:
            from pipeline.render.pdf.render import warm_up

            warm_up(load_variant(warm))
        except Exception:  # noqa: BLE001 - only a head start: a real problem shows when rendering
            pass


def renderers(formats: Sequence[str]) -> dict[str, Callable]:
    found: dict[str, Callable] = {}
    if "docx" in formats:
        from pipeline.render.docx import render_docx

        found["docx"] = render_docx
    if "pdf" in formats:
        from functools import partial

        from pipeline.render.pdf.render import join_pdfs, render_paged_form_pdf

        # The build checks every form's fonts once, before anything is written.
        found["pdf"] = partial(render_paged_form_pdf, check_fonts=False)
        found["bundle_pdf"] = join_pdfs
    return found


def render_tables(jobs: list[tuple[FilledForm, tuple[str, ...]]], variant: Variant,
                  dest: Path) -> list[tuple[str, str, OutputFile]]:
    """Render each form in the given formats into dest/分表/: (key, format, file) per output."""
    out = []
    for form, fmts in jobs:
        printed = form  # as the PDF prints it: a long table repeats its labels on each page
        for fmt in sorted(fmts, key=lambda f: f != "pdf"):  # the PDF first: Word follows its pages
            try:
                if fmt == "pdf":
                    data, printed = _loaded["pdf"](form, variant)
                else:
                    data = _loaded["docx"]([printed], variant)
            except Abort:
                raise  # an expected failure (a font it cannot use): it says what to do
            except OSError as e:  # the disk, not the renderer (full, read-only, a temporary file gone)
                raise RenderError("render-failed", table=form.key, format=fmt, reason=e.strerror or e) from None
            # Anything else is a bug in a renderer: it keeps its traceback (the build still removes
            # its staging folder, and build/<year>/ and the archive stay as they were).
            out.append((form.key, fmt, write_output(dest, table_path(form, fmt), data, fmt == "pdf")))
    return out


def render_bundle_docx(what: tuple[Sequence[FilledForm], Summary | None], variant: Variant,
                       table_docx: Sequence[str], rel: str, dest: Path) -> OutputFile:
    """The Word bundle (the 项目清单 first, if any), joined from the per-table files; rendered whole
    only if they cannot be joined."""
    from pipeline.render.docx_join import join_docx

    forms, summary = what
    parts = [(dest / p).read_bytes() for p in table_docx]
    if summary is not None:
        parts.insert(0, _loaded["docx"]([], variant, summary))
    data = join_docx(parts)
    if data is None:
        data = _loaded["docx"](forms, variant, summary)
    return write_output(dest, rel, data, False)


def render_bundle_pdf(bundle: tuple[str, str, list[str | None]], variant: Variant,
                      pdfs: Sequence[str], rel: str, dest: Path) -> OutputFile:
    """The PDF bundle joined from the files `pdfs` (the 项目清单's pieces, then the tables);
    `bundle`: its title, unit, and each file's bookmark (None: a piece continuing the list)."""
    title, unit, outlines = bundle
    data = _loaded["bundle_pdf"](title, unit, outlines, variant, [dest / p for p in pdfs])
    return write_output(dest, rel, data, True)


def render_summary_pieces(summary: Summary, variant: Variant, salt: str, start: int, only: bool,
                          known: Sequence[PieceState], dest: Path) -> list[PieceState]:
    """The 项目清单's PDF pieces (pipeline/render/pieces.py) from the one at row `start` to the
    list's end (`only`: that one piece), each laid out into the folder `dest` unless one of
    `known` (there already) has its key."""
    from pipeline.render.pdf.summary import Piece, summary_pieces

    before = {p.key: p for p in known}

    def kept(key: str) -> Piece | None:
        p = before.get(key)
        return Piece(p.start, p.stop, p.closes, key, None) if p is not None else None

    out = []
    for piece in summary_pieces(summary, variant, salt, start, kept):
        if piece.data is None:
            out.append(before[piece.key])
        else:
            output = write_output(dest, f"{piece.start:05d}-{piece.key[:16]}.pdf", piece.data, False)
            out.append(PieceState(piece.start, piece.stop, piece.closes, piece.key, output))
        if only:
            break
    return out


def render_summary_workbook(summary: Summary, variant: Variant, _files: Sequence[str], rel: str,
                            dest: Path) -> OutputFile:
    """The 项目清单 as a workbook (…汇总表.xlsx)."""
    from pipeline.render.xlsx import render_summary_xlsx

    return write_output(dest, rel, render_summary_xlsx(summary), False)


def write_output(dest: Path, rel: str, data: bytes, pages: bool) -> OutputFile:
    """Write one rendered file into the staging folder and record it (hash, size, PDF pages)."""
    create_new(dest / rel, data)
    return OutputFile(rel, hashlib.sha256(data).hexdigest(), len(data), _pdf_pages(data) if pages else None)


def _pdf_pages(data: bytes) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)
