"""The one place annex leans on how openpyxl works inside (pinned: openpyxl>=3.1,<3.2).

A formula with no cached value reads as empty in openpyxl's `data_only` mode; the sheets whose XML
holds formulas are read a second time to tell such a cell from an empty one (sheets.py). Which zip
member a sheet is read from, openpyxl 3.1 knows as the read-only worksheet's private
`_worksheet_path`. If an upgrade drops or changes it, uncached formula cells would silently stop
being reported; so the attribute is used only on the version below, and otherwise (or when it is
missing) the sheets' members are read from the package itself (xl/workbook.xml and its
relationships, as the OOXML standard defines them). When neither answers for a sheet, the caller
treats it as holding formulas: reading a sheet twice is slower, never wrong. tests/test_workbook.py
checks the pin and that both ways agree.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl

OPENPYXL_VERSION = "3.1."  # pyproject: openpyxl>=3.1,<3.2

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def private_path_usable() -> bool:
    return openpyxl.__version__.startswith(OPENPYXL_VERSION)


def sheet_parts(path: Path, wb) -> dict[str, str]:
    """Sheet title -> the zip member it is read from (xl/worksheets/sheetN.xml); a title missing
    from the answer is unknown."""
    if private_path_usable():
        parts = {}
        for title in wb.sheetnames:
            part = getattr(wb[title], "_worksheet_path", None)  # read-only worksheets: the member they stream
            if isinstance(part, str) and part:
                parts[title] = part.lstrip("/")
        if len(parts) == len(wb.sheetnames):
            return parts
    return parts_from_package(path)


def parts_from_package(path: Path) -> dict[str, str]:
    """The sheets' members as the package names them: the workbook part from _rels/.rels, each
    sheet's r:id resolved through the workbook's relationships. {} when the package does not say."""
    try:
        with zipfile.ZipFile(path) as z:
            workbook = next((r.get("Target", "") for r in ElementTree.fromstring(z.read("_rels/.rels")).iter(_PKG_REL)
                             if r.get("Type", "").endswith("/officeDocument")), "")
            workbook = workbook.lstrip("/")
            folder = posixpath.dirname(workbook)
            rels_part = posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels")
            targets = {r.get("Id"): r.get("Target", "") for r in ElementTree.fromstring(z.read(rels_part)).iter(_PKG_REL)}
            sheets = ElementTree.fromstring(z.read(workbook)).iter(f"{_MAIN}sheet")
            out = {}
            for sheet in sheets:
                target = targets.get(sheet.get(_REL_ID))
                if target:
                    member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                        posixpath.join(folder, target))
                    out[sheet.get("name", "")] = member
            return out
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return {}
