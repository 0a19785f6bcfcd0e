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


# What a clerk can recognise of a character no one sees: its Chinese name (and where it comes from).
_NAMES = {
    "\x0b": "垂直制表符（Word 里的手动换行）", "\x0c": "换页符", "\x85": "下一行符", "\u2028": "行分隔符",
    "\u2029": "段分隔符", "\u200b": "零宽空格", "\u200c": "零宽不连字", "\u200d": "零宽连字", "\u2060": "零宽词连接符",
    "\ufeff": "零宽不换行空格（字节顺序标记）", "\u00ad": "软连字符", "\u200e": "从左到右标记", "\u200f": "从右到左标记",
    "\u061c": "阿拉伯文字母标记", "\u202a": "从左到右嵌入符", "\u202b": "从右到左嵌入符", "\u202c": "方向格式结束符",
    "\u202d": "从左到右覆盖符", "\u202e": "从右到左覆盖符", "\u2066": "从左到右隔离符", "\u2067": "从右到左隔离符",
    "\u2068": "方向隔离符", "\u2069": "方向隔离结束符",
}


def described(ch: str) -> str:
    """An invisible character as a message names it: 「零宽空格」（U+200B）, its code kept for a search."""
    name = _NAMES.get(ch) or ("Unicode 标签字符" if "\U000e0000" <= ch <= "\U000e007f" else "控制字符")
    return f"「{name}」（U+{ord(ch):04X}）"


def codepoint(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def first_match(pattern: re.Pattern, text: str) -> str | None:
    m = pattern.search(text)
    return m.group(0) if m else None


def to_halfwidth(text: str) -> str:
    """Full-width digits, point and minus from a Chinese IME as their ASCII forms."""
    return text.translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
