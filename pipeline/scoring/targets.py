"""Reading a 定量 target or result: `≥8000人次` is (≥, 8000, 人次); `571件` is (None, 571, 件).

What clerks write: signs in ASCII (`>=`, `<=`, `=`), full-width (`＞＝`, `＝`), mathematical (`≥ ≤ ≧ ≦`),
or words (`不低于`, `不少于`, `达到`, `不超过`, `不高于`, … before the number; `以上`, `以内`, `以下` after it).
The number is a Decimal from the digits as written (full-width digits read too; `8,000` too). The
unit is whatever follows the number (`人次`, `%`, `个工作日`), compared as written. A text that is
not one comparator, one number and a unit (`全市 26 个乡镇`, `2023年9月前`, `完成较好`) is not a
quantity, and the indicator is scored as 定性.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Longest first, so that `>=` is read before `>` and `不低于` is one word. `>` and `<` are read as
# `≥` and `≤`: a target `>95%` is met at 95% in every published practice found.
_BEFORE = {
    ">=": "≥", "=>": "≥", "≥": "≥", "≧": "≥", "⩾": "≥", ">": "≥",
    "<=": "≤", "=<": "≤", "≤": "≤", "≦": "≤", "⩽": "≤", "<": "≤",
    "==": "=", "=": "=",
    "大于或等于": "≥", "大于等于": "≥", "不低于": "≥", "不少于": "≥", "不小于": "≥", "至少": "≥", "达到": "≥",
    "大于": "≥", "高于": "≥", "超过": "≥", "多于": "≥",
    "小于或等于": "≤", "小于等于": "≤", "不超过": "≤", "不高于": "≤", "不多于": "≤", "不大于": "≤", "最多": "≤",
    "小于": "≤", "低于": "≤", "少于": "≤",
    "等于": "=",
}
_AFTER = {"及以上": "≥", "或以上": "≥", "以上": "≥", "及以内": "≤", "以内": "≤", "及以下": "≤", "或以下": "≤", "以下": "≤"}

_SIGNS = "|".join(re.escape(k) for k in sorted(_BEFORE, key=len, reverse=True))
_SUFFIXES = "|".join(re.escape(k) for k in sorted(_AFTER, key=len, reverse=True))
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_QUANTITY = re.compile(
    rf"(?P<sign>{_SIGNS})?(?P<number>{_NUMBER})(?P<unit>[^\d<>=≥≤≧≦⩾⩽.,]*?)(?P<after>{_SUFFIXES})?"
)
MAX_CHARS = 40  # a quantity is short; a sentence with a number in it is not one


@dataclass(frozen=True)
class Quantity:
    comparator: str | None  # "≥", "≤", "=", or None (no sign written)
    number: Decimal  # as written: Decimal('8000'), Decimal('99.5')
    unit: str  # "人次", "%", "" (none written)


def read_quantity(text: str) -> Quantity | None:
    """The quantity a cell states, or None when it is not one comparator, one number and a unit."""
    if not text or len(text) > MAX_CHARS:
        return None
    # NFKC: full-width digits, ％, ＝, ＞ become their ASCII forms (≥ and ≤ are left as they are).
    squeezed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    m = _QUANTITY.fullmatch(squeezed)
    if m is None:
        return None
    before = _BEFORE.get(m.group("sign") or "")
    after = _AFTER.get(m.group("after") or "")
    if before and after and before != after:
        return None  # `≥ 10 以内`: two opposite comparisons
    unit = m.group("unit")
    if any(ch.isdigit() for ch in unit) or unit.endswith(("前", "后", "内", "底", "初")):
        return None  # `2023年9月前`, `年底前`: a date, not an amount of anything
    try:
        number = Decimal(m.group("number").replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    return Quantity(before or after, number, unit)


def looks_quantitative(text: str) -> bool:
    """A target written with a comparison sign or word, or as a bare number: meant to be measured.
    (When such a target cannot be scored as one, check says why.)"""
    if read_quantity(text) is not None:
        return True
    squeezed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    return bool(re.match(rf"(?:{_SIGNS})\d", squeezed))
