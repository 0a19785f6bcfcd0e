"""What a spreadsheet cell shows: the text Excel or WPS displays for its value under its number format.

A workbook stores `155.65` as the binary double 155.65000000000001 and `90%` as 0.9; what the user
typed and sees is the displayed text. Numbers are first taken to Excel's own 15 significant digits,
then rounded (half away from zero, as Excel does) to the decimals of the format, and only then turned
into text, so no binary expansion can leak into a form.

Formats understood exactly: 常规/General, 文本 (@), 数值 with N decimals (0, 0.00, …), 千位分隔
(#,##0.00), 百分比 (0%, 0.00%), 会计 without or with a currency symbol, literal text in quotes, colour
and locale codes. Anything else (scientific, fractions, scaling commas) is read as General and
flagged `exact=False`, so that the reader can warn.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

EXCEL_DIGITS = 15  # Excel keeps and shows at most 15 significant digits
CURRENCY = "¥￥$€£"


@dataclass(frozen=True)
class Shown:
    """A cell as displayed.

    text: what the cell shows (with group separators, percent sign, literal text of the format).
    plain: for a number, the displayed number without group separators and currency symbols, which
      is what an amount is read from (a percent or a unit stays, so that it is reported); for text
      the same as `text`.
    number: True when the cell held a number (not text typed into it).
    exact: False when the number format is one this module cannot display exactly.
    """

    text: str
    plain: str
    number: bool = False
    exact: bool = True
    date: dt.date | None = None
    hidden: bool = False  # the format shows nothing of the number (";;;"): text and plain are the number
    stored: str | None = None  # set when the display rounds the number: what the cell holds


def excel_decimal(value: float | int) -> Decimal:
    """The number Excel holds for a cell: at most 15 significant digits, never a binary expansion."""
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(f"{value:.{EXCEL_DIGITS}g}")


def general_text(value: float | int) -> str:
    d = excel_decimal(value)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- number formats ---------------------------------------------------------------------------------

_BRACKET = re.compile(r"\[[^\]]*\]")
_QUOTED = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class _Section:
    prefix: str  # literal text before the number
    suffix: str  # literal text after the number
    int_zeros: int  # minimum integer digits ("0" placeholders before the point)
    decimals: int
    grouping: bool
    percent: bool
    has_digits: bool  # False for a section that is all literal (会计's "-" for zero)
    exact: bool
    min_decimals: int = 0  # "0.00##": at least 2 decimals shown, up to 4


def _split_sections(fmt: str) -> list[str]:
    out, current, quoted = [], "", False
    for ch in fmt:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    return out


def _literal(raw: str) -> str:
    """Literal text of a format piece: quoted text, escaped characters, padding and fill removed."""
    out, i = "", 0
    while i < len(raw):
        ch = raw[i]
        if ch == '"':
            end = raw.find('"', i + 1)
            end = len(raw) if end < 0 else end
            out += raw[i + 1:end]
            i = end + 1
        elif ch == "\\" and i + 1 < len(raw):
            out += raw[i + 1]
            i += 2
        elif ch in "_*" and i + 1 < len(raw):
            i += 2  # _x pads the width of x, *x fills the cell with x: no visible text
        else:
            out += ch
            i += 1
    return out


def _currency_code(m: re.Match) -> str:
    """[$¥-804] shows ¥; [Red], [$-804] and conditions show nothing."""
    body = m.group(0)[1:-1]
    if body.startswith("$"):
        return body[1:].split("-", 1)[0]
    return ""


def _parse_section(section: str) -> _Section:
    section = _BRACKET.sub(_currency_code, section)
    # Find the numeric core: the run from the first to the last digit placeholder outside quotes.
    masked = _QUOTED.sub(lambda m: "\x00" * len(m.group(0)), section)
    masked = re.sub(r"\\.|[_*].", lambda m: "\x00" * len(m.group(0)), masked)
    places = [i for i, ch in enumerate(masked) if ch in "0#?"]
    if not any(masked[i] in "0#" for i in places):  # 会计's zero section: "-" padded with ??
        text = _literal(section).replace("?", "")
        return _Section(text, "", 0, 0, False, "%" in masked, False, True)
    start, end = places[0], places[-1] + 1
    # a point or comma directly before the first placeholder belongs to the core (".00", "#,##0")
    while start > 0 and masked[start - 1] in ".,":
        start -= 1
    core = masked[start:end]
    exact = not re.search(r"[eE/]", masked) and not re.search(r",(?![0#?])", masked[start:end + 1])
    int_part, _, dec_part = core.partition(".")
    return _Section(
        prefix=_literal(section[:start]),
        suffix=_literal(section[end:]),
        int_zeros=int_part.count("0"),
        decimals=sum(dec_part.count(c) for c in "0#?"),
        grouping="," in int_part,
        percent="%" in masked,
        has_digits=True,
        exact=exact and "?" not in core and re.fullmatch(r"0*#*", dec_part) is not None,
        min_decimals=len(dec_part) - len(dec_part.lstrip("0")),
    )


def _digits(value: Decimal, sec: _Section, grouping: bool) -> str:
    quantum = Decimal(1).scaleb(-sec.decimals)
    q = value.quantize(quantum, rounding=ROUND_HALF_UP)
    text = format(q, f"{',' if grouping else ''}f")
    int_part, point, dec = text.partition(".")
    if len(dec) > sec.min_decimals:  # optional places ("#") show only digits that are not trailing zeros
        dec = dec[:sec.min_decimals] + dec[sec.min_decimals:].rstrip("0")
    if int_part == "0" and sec.int_zeros == 0:
        int_part = ""
    elif len(int_part.replace(",", "")) < sec.int_zeros:
        int_part = int_part.zfill(sec.int_zeros)
    return int_part + (point + dec if sec.decimals else "")


def _hidden(section: str) -> bool:
    """A section that shows nothing at all (";;;" hides every number)."""
    return not _literal(_BRACKET.sub("", section)).strip()


def display_number(value: float | int, fmt: str | None) -> Shown:
    """The text a number shows under `fmt` (an Excel number format code)."""
    fmt = (fmt or "General").strip()
    if fmt in ("General", "@", "") or fmt.lower() == "general":
        text = general_text(value)
        return Shown(text, text, number=True)
    sections = _split_sections(fmt)
    d = excel_decimal(value)
    if d < 0 and len(sections) >= 2:
        sec, sign = _parse_section(sections[1]), ""  # the negative section spells its own sign
        d = -d
    elif d == 0 and len(sections) >= 3:
        sec, sign = _parse_section(sections[2]), ""
    else:
        sec, sign = _parse_section(sections[0]), "-" if d < 0 else ""
        d = abs(d)
    first = _parse_section(sections[0])
    held = excel_decimal(value)
    chosen = sections[1] if held < 0 and len(sections) >= 2 else sections[2] if held == 0 and len(sections) >= 3 \
        else sections[0]
    if _hidden(chosen) and (d != 0 or len(sections) >= 3) or not sec.has_digits and d != 0 and not first.has_digits:
        text = general_text(value)  # read as held, and said: the cell looks empty (or shows only words)
        return Shown(text, text, number=True, hidden=True)
    if not sec.exact:
        text = general_text(value)
        return Shown(text, text, number=True, exact=False)
    if not sec.has_digits:
        # 会计 shows zero as "-": the number itself is 0, with the positive section's decimals
        zero = _digits(Decimal(0), first, False) if first.has_digits else "0"
        return Shown(sec.prefix.strip() or "-", zero, number=True, exact=first.exact)
    if sec.percent:
        d = d * 100
    rounded = d.quantize(Decimal(1).scaleb(-sec.decimals), rounding=ROUND_HALF_UP) != d
    core = _digits(d, sec, sec.grouping)
    plain_core = _digits(d, sec, False)
    if plain_core.startswith("."):
        plain_core = "0" + plain_core  # "#.00" shows .50; the amount is 0.50
    prefix, suffix = sec.prefix, sec.suffix
    # Excel shows the minus of a one-section format before any literal text; a negative section may
    # carry its own "-" inside its prefix ("-#,##0.00", "_ * -#,##0.00_ ").
    text = (sign + prefix + core + suffix).strip()
    if sec.percent and "%" not in suffix and "%" not in prefix:
        text += "%"
    plain_prefix = "".join(ch for ch in prefix if ch not in CURRENCY).strip()
    plain = (sign + plain_prefix + plain_core + suffix.strip()).replace(" ", "")
    if plain_core.endswith("."):  # "0.##" shows 60 as "60."; the number is 60
        plain = plain.replace(plain_core, plain_core[:-1], 1)
    stored = general_text(value) + ("%" if sec.percent else "") if rounded else None
    if stored and sec.percent:
        stored = general_text(float(excel_decimal(value) * 100)) + "%"
    return Shown(text, plain, number=True, exact=sec.exact, stored=stored)


# --- dates ----------------------------------------------------------------------------------------

_DATE_TOKENS = re.compile(r'"[^"]*"|\\.|yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|AM/PM|.', re.I)


def display_date(value: dt.date | dt.datetime | dt.time, fmt: str | None) -> str:
    """A date cell's text for the common date formats (yyyy-mm-dd, yyyy/m/d, yyyy"年"m"月"d"日")."""
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    fmt = _BRACKET.sub("", fmt or "")
    if not re.search(r"[yd]", fmt, re.I):
        fmt = "yyyy-mm-dd"
    out = []
    tokens = _DATE_TOKENS.findall(fmt)
    has_time = any(t.lower() in ("h", "hh") for t in tokens)
    for n, tok in enumerate(tokens):
        low = tok.lower()
        # "m" after an hour or before seconds is minutes
        minute = low in ("m", "mm") and has_time and any(
            t.lower() in ("h", "hh", "s", "ss") for t in tokens[max(0, n - 2):n + 3] if t.lower() not in ("m", "mm"))
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok.startswith("\\"):
            out.append(tok[1:])
        elif low == "yyyy":
            out.append(f"{value.year:04d}")
        elif low == "yy":
            out.append(f"{value.year % 100:02d}")
        elif minute and isinstance(value, dt.datetime):
            out.append(f"{value.minute:02d}" if low == "mm" else str(value.minute))
        elif low == "mm":
            out.append(f"{value.month:02d}")
        elif low == "m":
            out.append(str(value.month))
        elif low == "dd":
            out.append(f"{value.day:02d}")
        elif low == "d":
            out.append(str(value.day))
        elif low in ("hh", "h") and isinstance(value, dt.datetime):
            out.append(f"{value.hour:02d}" if low == "hh" else str(value.hour))
        elif low in ("ss", "s") and isinstance(value, dt.datetime):
            out.append(f"{value.second:02d}")
        elif low in ("mmm", "mmmm", "ddd", "dddd", "am/pm"):
            out.append(value.strftime({"mmm": "%b", "mmmm": "%B", "ddd": "%a", "dddd": "%A", "am/pm": "%p"}[low]))
        else:
            out.append(tok)
    return "".join(out).strip()


# --- any cell ---------------------------------------------------------------------------------------

def shown(value: object, fmt: str | None) -> Shown | None:
    """What a cell shows; None for an empty cell (or one holding only spaces)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").replace("\r", "\n")
        return Shown(text, text) if text.strip() else None
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
        return Shown(text, text)
    if isinstance(value, (int, float)):
        return display_number(value, fmt)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        text = display_date(value, fmt)
        day = value.date() if isinstance(value, dt.datetime) else value if isinstance(value, dt.date) else None
        return Shown(text, text, date=day)
    if isinstance(value, dt.timedelta):
        text = str(value)
        return Shown(text, text, exact=False)
    text = str(value)  # error values such as #N/A arrive as text
    return Shown(text, text)
