"""Characters that cannot go into a document, or that hide what a text really says."""

from __future__ import annotations

import re
import unicodedata

# XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Bidi overrides and isolates reorder what a reader sees: a name could print differently from its bytes.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Invisible characters pasted from web pages: harmless to print, but two names that look equal differ.
INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")

FULLWIDTH_NUMBER = re.compile("[０-９．－]")


def codepoint(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def first_match(pattern: re.Pattern, text: str) -> str | None:
    m = pattern.search(text)
    return m.group(0) if m else None


def to_halfwidth(text: str) -> str:
    """Full-width digits, point and minus from a Chinese IME as their ASCII forms."""
    return text.translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
