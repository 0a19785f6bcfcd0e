"""Characters that cannot go into a document, or that hide what a text really says."""

from __future__ import annotations

import re
import unicodedata

# XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
# C1 controls (U+0080-U+009F, NEL among them) are allowed by XML 1.0 but are no text: refused too.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Bidi overrides and isolates reorder what a reader sees: a name could print differently from its bytes.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Invisible characters pasted from web pages: harmless to print, but two names that look equal differ.
# Unicode tag characters (U+E0000-U+E007F) spell hidden ASCII after a visible text.
INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad\U000e0000-\U000e007f]")
# U+FFFD stands for a character lost in some earlier conversion: the text is not what was meant.
REPLACEMENT = re.compile("\ufffd")

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
