"""Fonts of the PDF: installed, and covering every character the forms print.

The variant's `form.css` names its fonts in three custom properties, one per role:
`--font-heading` (附件 2. and the title), `--font-text` (everything else) and `--font-mark` (the
checkbox marks). Before rendering, every family named there must be installed (as fontconfig,
which WeasyPrint uses, finds it) and each role's characters must be in one of its fonts' cmaps.
Otherwise WeasyPrint would silently print boxes, or take glyphs from whatever font is installed.
"""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, is_dataclass
from functools import cache
from pathlib import Path

from pipeline.errors import Abort
from pipeline.files.paths import display_path
from pipeline.form.filled import CheckboxOption, FilledForm
from pipeline.render.pdf.harfbuzz import InstalledFont, font_chars, harfbuzz_version, reduce_font
from pipeline.problems.phrases import listing
from pipeline.problems.stops import FONT_WORDS as W
from pipeline.variant import Variant

ROLES = ("heading", "text", "mark")
# The bundle's page numbers, "— 12 —", are set in the text font.
PAGE_NUMBER_CHARS = "— 0123456789"
MAX_LISTED = 20

_FONT_VAR = re.compile(r"--font-(?P<role>[a-z]+)\s*:\s*(?P<stack>[^;]+);")


@dataclass(frozen=True)
class Uncovered:
    role: str
    families: tuple[str, ...]
    chars: tuple[tuple[str, str], ...]  # (character, key of the first form that prints it)


@dataclass
class FontError(Abort):
    """The fonts named in form.css are not installed, or lack characters the forms print. (A
    dataclass: its __init__ takes the fields, and the message is made from them, in the words of
    pipeline/problems/stops.py FONT_WORDS.)"""

    css: Path
    missing: tuple[str, ...] = ()  # families not installed
    uncovered: tuple[Uncovered, ...] = ()
    undefined: tuple[str, ...] = ()  # roles without a font stack in form.css

    def __str__(self) -> str:
        lines = [W["head"].format(css=display_path(self.css))]
        if self.undefined:
            lines.append(W["undefined"].format(roles=listing(W["role"].format(role=r) for r in self.undefined)))
        for family in self.missing:
            lines.append(W["missing"].format(family=family))
        for u in self.uncovered:
            listed = listing(W["char"].format(char=ch, key=key, codepoint=ord(ch)) for ch, key in u.chars[:MAX_LISTED])
            more = W["more"].format(count=len(u.chars)) if len(u.chars) > MAX_LISTED else ""
            lines.append(W["uncovered"].format(families=", ".join(u.families), listed=listed, more=more))
        lines.append(W["install"])
        if self.uncovered:
            lines.append(W["change"])
        return "\n".join(lines)

    @property
    def message(self) -> str:
        return str(self)


# `--prefer-<role>`: the official fonts of the form (仿宋_GB2312, 方正小标宋简体, …), used before the
# role's `--font-<role>` stack when installed (government desktops have them), never required.
_PREFER_VAR = re.compile(r"--prefer-(?P<role>[a-z]+)\s*:\s*(?P<stack>[^;]+);")


def _families(stack: str) -> tuple[str, ...]:
    families = (f.strip().strip("\"'").strip() for f in stack.split(","))
    return tuple(f for f in families if f)


def font_stacks(css: Path) -> dict[str, tuple[str, ...]]:
    """role -> font families, in fallback order: the installed ones of form.css's `--prefer-<role>`,
    then its `--font-<role>` stack (every family of which must be installed)."""
    text = css.read_text(encoding="utf-8")
    stacks = {m["role"]: _families(m["stack"]) for m in _FONT_VAR.finditer(text)}
    for m in _PREFER_VAR.finditer(text):
        if m["role"] in stacks:
            preferred = tuple(f for f in _families(m["stack"]) if find_font(f) is not None)
            stacks[m["role"]] = preferred + tuple(f for f in stacks[m["role"]] if f not in preferred)
    return stacks


ROLE_NAMES = {"heading": "标题", "text": "正文", "mark": "勾选框"}


def fonts_used(css: Path) -> dict[str, str]:
    """role -> the family that prints it (the first of its stack; the others only fill in glyphs)."""
    return {role: stack[0] for role, stack in font_stacks(css).items() if stack}


def fonts_used_text(css: Path) -> str:
    """For the build's summary: 标题 Noto Sans CJK SC；正文 Noto Serif CJK SC；勾选框 DejaVu Sans."""
    return "；".join(f"{ROLE_NAMES.get(role, role)} {family}" for role, family in fonts_used(css).items())


def _fc_escape(family: str) -> str:
    return re.sub(r"([\\\-:,])", r"\\\1", family)


def _fc_match(*args: str) -> list[str]:
    """fc-match's lines, in the C locale. fontconfig weighs the locale's language above the
    PostScript name: under LANG=zh_CN.UTF-8, `:postscriptname=DejaVuSans` matched Noto Sans CJK,
    the bundle could not share DejaVu and held 11 copies of it. Same input, same bytes, any locale."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k not in ("LANG", "LANGUAGE", "FC_LANG")}
    env["LC_ALL"] = "C.UTF-8"
    return subprocess.run(["fc-match", *args], capture_output=True, text=True, check=False,
                          env=env, encoding="utf-8").stdout.split("\n")


@cache
def find_font(family: str) -> InstalledFont | None:
    """The font fontconfig gives for `family`, if it really is that family (not a substitute)."""
    out = _fc_match("-f", "%{file}\n%{index}\n%{family}\n", _fc_escape(family))
    if len(out) < 3 or not out[0]:
        return None
    names = {n.strip().casefold() for n in out[2].split(",")}
    if family.casefold() not in names:
        return None
    return InstalledFont(family, Path(out[0]), int(out[1] or 0))


def _strings(value: object) -> Iterator[str]:
    """Every string held by a (nested) dataclass, except the checkbox marks."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, CheckboxOption):
        yield value.label
    elif is_dataclass(value):
        for f in fields(value):
            yield from _strings(getattr(value, f.name))
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _strings(v)


def role_texts(form: FilledForm) -> dict[str, str]:
    """The form's characters by the role of the font that prints them (a document with roles of its
    own, the 自评报告, says them itself)."""
    own = getattr(form, "role_texts", None)
    if own is not None:
        return {**own(), "text": "".join(_strings(form)) + PAGE_NUMBER_CHARS}
    return {
        "heading": form.attachment_label + form.title,
        "text": "".join(_strings(form)) + PAGE_NUMBER_CHARS,
        "mark": "".join(o.mark for g in form.checkboxes for o in g.options),
    }


def _printable(ch: str) -> bool:
    # Line breaks, tabs and format controls are layout, not glyphs.
    return unicodedata.category(ch) not in {"Cc", "Cf", "Zl", "Zp"}


def check_fonts(forms: Iterable[FilledForm], variant: Variant, css: Path | None = None) -> None:
    """Raise FontError unless every font of form.css (or `css`) is installed and covers what `forms`
    print. A stylesheet may name roles beyond ROLES (the report's 黑体 and 楷体 headings)."""
    css = variant.dir / "form.css" if css is None else css
    stacks = font_stacks(css)
    roles = tuple(dict.fromkeys((*ROLES, *stacks)))
    absent_roles = [r for r in ROLES if not stacks.get(r)]
    if absent_roles:
        raise FontError(css, undefined=tuple(absent_roles))
    installed = {f: find_font(f) for stack in stacks.values() for f in stack}
    missing = tuple(f for f, found in installed.items() if found is None)
    if missing:
        raise FontError(css, missing=missing)

    first_seen: dict[str, dict[str, tuple[int, str]]] = {r: {} for r in roles}  # char -> (form index, key)
    for index, form in enumerate(forms):
        for role, text in role_texts(form).items():
            seen = first_seen.setdefault(role, {})
            for ch in set(text).difference(seen):
                seen[ch] = (index, form.key)
    uncovered = []
    for role in roles:
        families = stacks[role]
        covered = [font_chars(installed[f].file, installed[f].index) for f in families]
        lacking = sorted(
            (where, ch) for ch, where in first_seen[role].items()
            if _printable(ch) and not any(ord(ch) in c for c in covered)
        )
        if lacking:
            uncovered.append(Uncovered(role, families, tuple((ch, key) for (_, key), ch in lacking)))
    if uncovered:
        raise FontError(css, uncovered=tuple(uncovered))


@cache
def find_postscript_font(postscript_name: str) -> InstalledFont | None:
    """The installed face whose PostScript name is `postscript_name` (fontconfig's lookup)."""
    out = _fc_match("-f", "%{file}\n%{index}\n%{postscriptname}\n%{family}\n",
                    ":postscriptname=" + _fc_escape(postscript_name))
    if len(out) < 4 or out[2] != postscript_name:
        return None
    return InstalledFont(out[3].split(",")[0], Path(out[0]), int(out[1] or 0))


# --- Common-character copies of the CJK fonts ------------------------------------------------
# WeasyPrint subsets each font per document keeping every glyph id, and for a CJK font of 65,000
# glyphs that costs ~30 ms a font a table, whatever the table prints. A copy of the font with
# only the common characters (GB 2312 and the usual symbols, ~7,600 glyphs) is subset 3-4x
# faster and embeds half the bytes; the full font stays next in the stack for rarer characters.

COMMON_MIN_GLYPHS = 20000  # smaller fonts are not worth a copy
_COMMON_RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x22FF), (0x2460, 0x24FF),
                  (0x2500, 0x25FF), (0x3000, 0x303F), (0xFF00, 0xFFEF))


@cache
def common_chars() -> frozenset[int]:
    """GB 2312's characters (every two-byte code that decodes) and the usual symbol blocks."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    for first, last in _COMMON_RANGES:
        chars.update(range(first, last + 1))
    return frozenset(chars)


COMMON_RECIPE = 1  # part of the cache key: change it when common_chars() or reduce_font() change


def common_copy(font: InstalledFont) -> Path | None:
    """The common-character copy of `font`, made once per machine (0.2-0.3 s a CJK font) and kept
    in the user's cache folder, like fontconfig's own cache. None if that folder is not writable.
    The key covers the font file (path, size, time, `head` table), HarfBuzz and the recipe."""
    import hashlib
    import os

    st = font.file.stat()
    key = "\0".join(map(str, (font.file, font.index, st.st_size, st.st_mtime_ns, face_identity(font),
                              harfbuzz_version(), COMMON_RECIPE)))
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "annex" / "fonts"
    path = folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.otf"
    if path.is_file():
        return path
    data = reduce_font(font, common_chars())
    try:
        folder.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f"{path.name}.{os.getpid()}.part")
        part.write_bytes(data)
        os.replace(part, path)  # whole or absent, also when two builds make it at once
    except OSError:
        return None
    return path


# --- Which fonts a PDF was made with -----------------------------------------------------------

@cache
def face_identity(font: InstalledFont) -> str:
    """A digest of the face's `head` table: its revision and creation/modification dates."""
    import hashlib

    return hashlib.sha256(_head_table(font.file, font.index)).hexdigest()[:16]


def _head_table(file: Path, index: int) -> bytes:
    """The raw `head` table of a face of an OpenType file or collection, read from its table
    directory (no fontTools: a build with nothing to do asks for it, and that import takes 30 ms)."""
    import struct

    with open(file, "rb") as f:
        header = f.read(12)
        offset = 0
        if header[:4] == b"ttcf":
            f.seek(12 + 4 * index)
            (offset,) = struct.unpack(">I", f.read(4))
            f.seek(offset)
            header = f.read(12)
        (tables,) = struct.unpack(">H", header[4:6])
        directory = f.read(16 * tables)
        for i in range(tables):
            tag, _checksum, start, length = struct.unpack(">4sIII", directory[16 * i:16 * i + 16])
            if tag == b"head":
                f.seek(start)
                return f.read(length)
    raise OSError(f"{file}: no head table")


def fingerprint(css: Path) -> str:
    """The fonts a variant's PDFs are made with: every family of form.css as installed, the
    HarfBuzz that subsets them and the recipe of the common-character copies. Glyph ids in a PDF
    are only valid for these exact fonts, so a font upgrade must rebuild the tables (and the
    bundle must not mix tables made before it)."""
    # Keyed by the text too: an `annex build --watch` process outlives edits of form.css.
    return _fingerprint(css, css.read_text(encoding="utf-8"))


@cache
def _fingerprint(css: Path, _text: str) -> str:
    import hashlib

    parts = [harfbuzz_version(), f"common-copy:{COMMON_RECIPE}"]
    for role, stack in sorted(font_stacks(css).items()):
        for family in stack:
            found = find_font(family)
            parts.append(f"{role}:{family}:{face_identity(found) if found else '-'}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
