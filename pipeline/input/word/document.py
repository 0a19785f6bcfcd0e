"""A Word document's 自评表 tables, each with the lines printed above it (title, unit, date)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.oxml.ns import qn

from pipeline.problems.refusals import DOCX_REFUSED, OTHER_FORMATS
from pipeline.input.word.cells import Cell, paragraph_text, table_rows
from pipeline.input.word.labels import FormLabels
from pipeline.variant import Variant
from pipeline.problems.phrases import PACKAGE_FAULT
from pipeline.files.zipguard import Limits, PackageBroken, PackageLimit, count_xml

MAX_DOCX_BYTES = 50 * 1024 * 1024
# An 11-table bundle is ~40,000 XML elements; python-docx keeps them all (about 150 bytes each), and
# every part's bytes: these limits keep one import well under 1 GB whatever the file holds.
DOCX_LIMITS = Limits(members=2_000, unpacked=150 * 1024 * 1024, elements=2_000_000)
MIN_LABELS = 5  # labels of a variant a table must hold to be read as that form


class Unreadable(Exception):
    """The file is not a .docx that can be opened; the message is Chinese."""

    def __init__(self, code: str, **fields: str):
        super().__init__(code)
        self.code = code
        self.fields = fields


@dataclass(frozen=True)
class FoundTable:
    number: int  # 1-based among the document's forms, as a reader counts them
    variant: Variant
    labels: FormLabels
    rows: list[list[Cell]]
    lines: tuple[str, ...]  # the paragraphs between the previous table and this one (soft breaks as "\n")


def open_docx(path: Path) -> docx.document.Document:
    kind = OTHER_FORMATS.get(path.suffix.lower())
    if kind:
        raise Unreadable("import-not-docx", kind=kind)
    if path.is_symlink() or not path.is_file():
        raise Unreadable("import-unreadable", reason=DOCX_REFUSED["not-regular"])
    if path.stat().st_size > MAX_DOCX_BYTES:
        raise Unreadable("import-unreadable", reason=DOCX_REFUSED["too-large"].format(mb=MAX_DOCX_BYTES // 1024 // 1024))
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE file: .doc / .wps saved under a .docx name
        raise Unreadable("import-not-docx", kind=DOCX_REFUSED["ole"])
    if not zipfile.is_zipfile(path):
        raise Unreadable("import-unreadable", reason=DOCX_REFUSED["not-zip"])
    try:
        count_xml(path, DOCX_LIMITS)  # before python-docx holds every part and element in memory
    except PackageLimit as exc:
        raise Unreadable("import-unreadable", reason=PACKAGE_FAULT["limit"].format(what=exc.what, limit=exc.limit)) from None
    except PackageBroken as exc:
        raise Unreadable("import-unreadable", reason=PACKAGE_FAULT["broken"].format(detail=exc)) from None
    try:
        return docx.Document(str(path))
    except Exception as e:  # python-docx raises several kinds for a broken package
        raise Unreadable("import-unreadable", reason=f"{type(e).__name__}: {e}") from None


def find_tables(document, forms: list[FormLabels]) -> list[FoundTable]:
    """The document's forms that read as one of the variants, in document order.

    One printed form may be several Word tables in a row (annex's own output starts a table per
    block so its header rows repeat); tables with nothing but empty paragraphs between them are
    one form, until a table holds a 项目名称 of its own."""
    groups: list[tuple[list[list[Cell]], tuple[str, ...]]] = []
    lines: list[str] = []
    joinable = False
    for el in document.element.body.iterchildren():
        if el.tag == qn("w:p"):
            text = paragraph_text(el).strip()
            if text:
                lines.append(text)  # a paragraph: a long title may be wrapped by a soft break
                joinable = False
        elif el.tag == qn("w:tbl"):
            rows = table_rows(el)
            texts = _texts(rows)
            if joinable and groups and not any(_has_name(f, texts) for f in forms):
                groups[-1][0].extend(rows)
            else:
                groups.append((rows, tuple(lines)))
            lines = []
            joinable = True
    out = []
    for rows, before in groups:
        texts = _texts(rows)
        best = max(forms, key=lambda f: f.score(texts))
        if best.score(texts) >= MIN_LABELS and _names_one_project(best, rows):
            out.append(FoundTable(len(out) + 1, best.variant, best, rows, before))
    return out


def _texts(rows: list[list[Cell]]) -> set[str]:
    return {c.text for row in rows for c in row if c.text and len(c.text) < 40}


def _has_name(form: FormLabels, texts: set[str]) -> bool:
    return any((m := form.match(t, prefix=True)) is not None and m.id == "project_name" for t in texts)


def _names_one_project(form: FormLabels, rows: list[list[Cell]]) -> bool:
    """A form has a 项目名称 row: the label and its value. A list of projects (the bundle's 项目清单)
    has 项目名称 as one column header among others, and is no form."""
    for row in rows:
        matches = [form.match(c.text, prefix=True) for c in row if c.text and not c.continues]
        ids = [m.id for m in matches if m is not None]
        if "project_name" in ids:
            return len(ids) == 1
    return False
