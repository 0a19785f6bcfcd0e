"""A PDF's text read back as a user's viewer shows it (pypdf), and which font prints which character."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def squash(text: str) -> str:
    """Text without whitespace: a cell's text wraps where the column ends, not where it was typed."""
    return re.sub(r"\s+", "", text)


def page_texts(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def chars_by_font(pdf: bytes) -> dict[str, set[str]]:
    """BaseFont -> the characters its ToUnicode map gives (which font prints which character)."""
    out: dict[str, set[str]] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            cmap = font["/ToUnicode"].get_object().get_data()
            chars = {bytes.fromhex(u.decode()).decode("utf-16-be")
                     for u in re.findall(rb"<[0-9a-fA-F]{4}>\s*<([0-9a-fA-F]+)>", cmap)}
            out.setdefault(str(font["/BaseFont"]).split("+")[-1], set()).update(chars)
    return out
