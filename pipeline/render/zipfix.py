"""Deterministic Office zip packages: same parts in, same bytes out. The one place annex saves a
Word document or a workbook (`saved`): the bundle's .docx and 项目清单 .xlsx, and `annex export`.

python-docx, openpyxl and zipfile stamp each member with the current time and docProps/core.xml
with creation/modification dates, so two renders of the same input would differ. `normalize_docx`
rewrites the package with fixed member times, a fixed member order and no dates in core.xml.
"""

from __future__ import annotations

import io
import re
import zipfile

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip member can carry
CORE_PROPS = "docProps/core.xml"
# created/modified are the only time-dependent core properties; dropping them is valid OPC.
_CORE_DATES = re.compile(rb"<dcterms:(created|modified)\b[^>]*?(?:/>|>.*?</dcterms:\1>)", re.S)


def _member_order(name: str) -> tuple[int, str]:
    """[Content_Types].xml first (some readers sniff it), then the package rels, then by name."""
    if name == "[Content_Types].xml":
        return (0, name)
    if name == "_rels/.rels":
        return (1, name)
    return (2, name)


def strip_core_dates(xml: bytes) -> bytes:
    return _CORE_DATES.sub(b"", xml)


def write_package(parts: dict[str, bytes]) -> bytes:
    """Zip the parts deterministically: fixed order, times, attributes and compression."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for name in sorted(parts, key=_member_order):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zout.writestr(info, parts[name], compresslevel=6)
    return out.getvalue()


def saved(document) -> bytes:
    """A python-docx or docxtpl document, or an openpyxl workbook, as the bytes of its file: saved,
    then normalised (the same content gives the same bytes, whatever the time)."""
    out = io.BytesIO()
    document.save(out)
    return normalize_docx(out.getvalue())


def normalize_docx(data: bytes) -> bytes:
    """Rewrite an Office package (.docx, also .xlsx/.pptx) so that its bytes depend only on its parts."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist() if not info.is_dir()}
    if CORE_PROPS in parts:
        parts[CORE_PROPS] = strip_core_dates(parts[CORE_PROPS])
    return write_package(parts)
