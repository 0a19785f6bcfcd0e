"""The parts of an .xlsx package that say how to read its sheets: which sheets there are (name,
state, zip member), the date system, each style's number format, and the shared strings.

Read with the shared zip guard (pipeline/files/zipguard.py): streamed, counted, no DTD. Shared strings are
the one part kept whole in memory, so their number and length are limited too (a 1 MB file of
millions of tiny strings took 2.8 GB through openpyxl).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from openpyxl.styles.numbers import BUILTIN_FORMATS

from pipeline.problems.phrases import LIMIT_CHARS, LIMIT_COUNT, PACKAGE_FAULT, PACKAGE_LIMIT
from pipeline.files.zipguard import Package, PackageBroken, PackageLimit, local

MAX_SHARED_STRINGS = 1_000_000
MAX_SHARED_CHARS = 20_000_000  # a year's texts are a few million characters

# Number formats Excel and WPS leave undefined in a Chinese workbook (ids below 164 are built in, and
# the zh-CN ones are not in the file): the dates and times they stand for.
_ZH_BUILTIN = {27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy", 31: 'yyyy"年"m"月"d"日"',
               32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"', 34: 'h"时"mm"分"', 35: 'h"时"mm"分"ss"秒"',
               36: 'yyyy"年"m"月"', 50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
               54: 'm"月"d"日"', 55: 'h"时"mm"分"', 56: 'h"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"', 58: 'm"月"d"日"'}
_REL_DOC = "officeDocument"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass(frozen=True)
class SheetEntry:
    title: str
    part: str | None  # the zip member, None when the workbook points nowhere
    state: str  # visible, hidden, veryHidden


@dataclass
class Parts:
    sheets: list[SheetEntry] = field(default_factory=list)
    date1904: bool = False
    formats: list[str | None] = field(default_factory=list)  # style index -> number format (None: undefined)
    shared: list[str] = field(default_factory=list)


def _attr(elem, name: str) -> str | None:
    """An attribute by local name (strict OOXML and transitional use different namespaces)."""
    for key, value in elem.attrib.items():
        if local(key) == name:
            return value
    return None


def _small_part(pkg: Package, name: str) -> list:
    """Every element of a small part (workbook, rels, styles), in document order, counted."""
    out = [elem for event, elem in pkg.iterparse(name) if event == "start"]
    return out


def _rels(pkg: Package, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type's last word, target member) for `part`."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if not pkg.has(rels):
        return {}
    out = {}
    for elem in _small_part(pkg, rels):
        if local(elem.tag) != "Relationship" or elem.get("TargetMode") == "External":
            continue
        target = elem.get("Target") or ""
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[elem.get("Id") or ""] = ((elem.get("Type") or "").rsplit("/", 1)[-1], member)
    return out


def read_parts(pkg: Package) -> Parts:
    root_rels = _rels(pkg, "")
    book = next((m for kind, m in root_rels.values() if kind == _REL_DOC), "xl/workbook.xml")
    if not pkg.has(book):
        raise PackageBroken(PACKAGE_FAULT["no-workbook"])
    rels = _rels(pkg, book)
    out = Parts()
    for elem in _small_part(pkg, book):
        name = local(elem.tag)
        if name == "workbookPr":
            out.date1904 = (_attr(elem, "date1904") or "").lower() in ("1", "true")
        elif name == "sheet":
            target = rels.get(elem.get(_REL_ID) or _attr(elem, "id") or "")
            part = target[1] if target and pkg.has(target[1]) else None
            out.sheets.append(SheetEntry(elem.get("name") or "", part, elem.get("state") or "visible"))
    kinds = {kind: member for kind, member in rels.values()}
    if "styles" in kinds and pkg.has(kinds["styles"]):
        out.formats = _styles(pkg, kinds["styles"])
    if "sharedStrings" in kinds and pkg.has(kinds["sharedStrings"]):
        out.shared = _shared_strings(pkg, kinds["sharedStrings"])
    return out


def _styles(pkg: Package, part: str) -> list[str | None]:
    custom: dict[int, str] = {}
    ids: list[int | None] = []
    in_xfs = False
    for event, elem in pkg.iterparse(part):
        name = local(elem.tag)
        if name == "cellXfs":
            in_xfs = event == "start"
        elif event == "start" and name == "numFmt":
            try:
                custom[int(elem.get("numFmtId") or "")] = elem.get("formatCode") or ""
            except ValueError:
                pass
        elif event == "start" and name == "xf" and in_xfs:
            raw = elem.get("numFmtId") or "0"
            ids.append(int(raw) if raw.isdigit() else None)
    return [None if i is None else custom.get(i) or BUILTIN_FORMATS.get(i) or _ZH_BUILTIN.get(i) for i in ids]


def _shared_strings(pkg: Package, part: str) -> list[str]:
    out: list[str] = []
    chars = 0
    texts: list[str] = []
    phonetic = 0  # inside <rPh>: the reading of the text, not the text
    for event, elem in pkg.iterparse(part):
        name = local(elem.tag)
        if name == "rPh":
            phonetic += 1 if event == "start" else -1
        elif event == "end" and name == "t" and not phonetic:
            texts.append(elem.text or "")
        elif event == "end" and name == "si":
            text = "".join(texts)
            texts = []
            chars += len(text)
            if len(out) >= MAX_SHARED_STRINGS:
                raise PackageLimit(PACKAGE_LIMIT["strings"], LIMIT_COUNT.format(n=MAX_SHARED_STRINGS))
            if chars > MAX_SHARED_CHARS:
                raise PackageLimit(PACKAGE_LIMIT["chars"], LIMIT_CHARS.format(n=MAX_SHARED_CHARS))
            out.append(text)
            elem.clear(keep_tail=False)
            parent = elem.getparent()
            while parent is not None and elem.getprevious() is not None:
                del parent[0]
    return out
