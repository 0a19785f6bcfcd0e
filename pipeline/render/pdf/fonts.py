"""Fonts of the PDF: installed, and covering every character the forms print.

The variant's `form.css` names its fonts in three custom properties, one per role:
`--font-heading` (附件 2. and the title), `--font-text` (everything else) and `--font-mark` (the
checkbox marks). Before rendering, every family named there must be installed (as fontconfig,
which WeasyPrint uses, finds it) and each role's characters must be in one of its fonts' cmaps.
Otherwise WeasyPrint would silently print boxes, or take glyphs from whatever font is installed.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, is_dataclass
from functools import cache
from pathlib import Path

from pipeline.errors import Abort
from pipeline.files import display_path
from pipeline.input.chars import codepoint
from pipeline.form.filled import CheckboxOption, FilledForm
from pipeline.variant import Variant

ROLES = ("heading", "text", "mark")
# The bundle's page numbers, "— 12 —", are set in the text font.
PAGE_NUMBER_CHARS = "— 0123456789"
INSTALL_HINT = "安装方法：sudo apt-get install fonts-noto-cjk fonts-dejavu-core（或在项目目录运行 make fonts）"
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
    dataclass: its __init__ takes the fields, and the message is made from them.)"""

    css: Path
    missing: tuple[str, ...] = ()  # families not installed
    uncovered: tuple[Uncovered, ...] = ()
    bad_css: str = ""  # a role without a font stack

    def __str__(self) -> str:
        lines = [f"无法生成 PDF：字体问题（字体在 {display_path(self.css)} 中指定）"]
        if self.bad_css:
            lines.append(f"  - {self.bad_css}")
        for family in self.missing:
            lines.append(f"  - 未安装字体「{family}」")
        for u in self.uncovered:
            listed = "、".join(f"「{ch}」{codepoint(ch)}（{key}）" for ch, key in u.chars[:MAX_LISTED])
            more = f" 等共 {len(u.chars)} 个字符" if len(u.chars) > MAX_LISTED else ""
            lines.append(f"  - 字体「{', '.join(u.families)}」中没有以下字符的字形：{listed}{more}")
        lines.append(INSTALL_HINT)
        if self.uncovered:
            lines.append("或修改这些文字，或在 form.css 中改用包含这些字符的已安装字体。")
        return "\n".join(lines)

    @property
    def message(self) -> str:
        return str(self)


@dataclass(frozen=True)
class InstalledFont:
    family: str
    file: Path
    index: int  # the face within a .ttc collection


def font_stacks(css: Path) -> dict[str, tuple[str, ...]]:
    """role -> font families, in fallback order, from the `--font-<role>` properties of form.css."""
    stacks = {}
    for m in _FONT_VAR.finditer(css.read_text(encoding="utf-8")):
        families = tuple(f.strip().strip("\"'").strip() for f in m["stack"].split(","))
        stacks[m["role"]] = tuple(f for f in families if f)
    return stacks


def _fc_escape(family: str) -> str:
    return re.sub(r"([\\\-:,])", r"\\\1", family)


@cache
def find_font(family: str) -> InstalledFont | None:
    """The font fontconfig gives for `family`, if it really is that family (not a substitute)."""
    out = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{index}\n%{family}\n", _fc_escape(family)],
        capture_output=True, text=True, check=False,
    ).stdout.split("\n")
    if len(out) < 3 or not out[0]:
        return None
    names = {n.strip().casefold() for n in out[2].split(",")}
    if family.casefold() not in names:
        return None
    return InstalledFont(family, Path(out[0]), int(out[1] or 0))


@cache
def font_chars(file: Path, index: int) -> frozenset[int]:
    """Code points the font's cmap maps, read by HarfBuzz (fontTools takes 0.1 s a CJK font)."""
    h = _harfbuzz()
    face = _open_face(InstalledFont("", file, index))
    chars = h.hb.hb_set_create()
    try:
        h.hb.hb_face_collect_unicodes(face, chars)
        count = h.hb.hb_set_get_population(chars)
        out = h.ffi.new("hb_codepoint_t[]", count)
        got = h.hb.hb_set_next_many(chars, _HB_SET_VALUE_INVALID, out, count)
        return frozenset(h.ffi.unpack(out, got))
    finally:
        h.hb.hb_set_destroy(chars)
        h.hb.hb_face_destroy(face)


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
    """The form's characters by the role of the font that prints them."""
    return {
        "heading": form.attachment_label + form.title,
        "text": "".join(_strings(form)) + PAGE_NUMBER_CHARS,
        "mark": "".join(o.mark for g in form.checkboxes for o in g.options),
    }


def _printable(ch: str) -> bool:
    # Line breaks, tabs and format controls are layout, not glyphs.
    return unicodedata.category(ch) not in {"Cc", "Cf", "Zl", "Zp"}


def check_fonts(forms: Iterable[FilledForm], variant: Variant) -> None:
    """Raise FontError unless every font of form.css is installed and covers what `forms` print."""
    css = variant.dir / "form.css"
    stacks = font_stacks(css)
    absent_roles = [r for r in ROLES if not stacks.get(r)]
    if absent_roles:
        raise FontError(css, bad_css="form.css 未定义字体：" + "、".join(f"--font-{r}" for r in absent_roles))
    installed = {f: find_font(f) for stack in stacks.values() for f in stack}
    missing = tuple(f for f, found in installed.items() if found is None)
    if missing:
        raise FontError(css, missing=missing)

    first_seen: dict[str, dict[str, tuple[int, str]]] = {r: {} for r in ROLES}  # char -> (form index, key)
    for index, form in enumerate(forms):
        for role, text in role_texts(form).items():
            seen = first_seen[role]
            for ch in set(text).difference(seen):
                seen[ch] = (index, form.key)
    uncovered = []
    for role in ROLES:
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


# --- One font program for the whole bundle -------------------------------------------------
# WeasyPrint embeds, per document, a subset of each font that keeps the original glyph ids
# (HarfBuzz RETAIN_GIDS): a page's text names glyphs by their id in the installed font. So one
# subset holding the union of the glyphs of every table can replace all the tables' subsets.
# WeasyPrint's own bindings lack the calls that open a font file, hence this small binding.

_HB_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
hb_blob_t *hb_blob_create_from_file_or_fail(const char *file_name);
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
unsigned int hb_face_get_glyph_count(const hb_face_t *face);
void hb_set_add(hb_set_t *set, hb_codepoint_t codepoint);
hb_set_t *hb_set_create(void);
void hb_set_destroy(hb_set_t *set);
unsigned int hb_set_get_population(const hb_set_t *set);
unsigned int hb_set_next_many(const hb_set_t *set, hb_codepoint_t codepoint, hb_codepoint_t *out, unsigned int size);
void hb_face_collect_unicodes(hb_face_t *face, hb_set_t *out);
void hb_set_add_range(hb_set_t *set, hb_codepoint_t first, hb_codepoint_t last);
uint32_t hb_tag_from_string(const char *str, int len);
const char *hb_version_string(void);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""
# The flags and dropped tables of WeasyPrint 70's Font._harfbuzz_subset, so that the union
# subset is the font WeasyPrint itself would embed for those glyphs.
_NO_HINTING, _RETAIN_GIDS, _DESUBROUTINIZE, _PASSTHROUGH = 0x1, 0x2, 0x4, 0x20
_SETS_DROP_TABLE_TAG = 3
_HB_SET_VALUE_INVALID = 0xFFFFFFFF
_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
                b"PCLT", b"SVG ")


@dataclass(frozen=True)
class _HarfBuzz:
    ffi: object
    hb: object
    subset: object


@cache
def _harfbuzz() -> _HarfBuzz:
    import cffi  # a WeasyPrint dependency

    ffi = cffi.FFI()
    ffi.cdef(_HB_CDEF)
    return _HarfBuzz(ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0"))


@cache
def find_postscript_font(postscript_name: str) -> InstalledFont | None:
    """The installed face whose PostScript name is `postscript_name` (fontconfig's lookup)."""
    out = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{index}\n%{postscriptname}\n%{family}\n",
         ":postscriptname=" + _fc_escape(postscript_name)],
        capture_output=True, text=True, check=False,
    ).stdout.split("\n")
    if len(out) < 4 or out[2] != postscript_name:
        return None
    return InstalledFont(out[3].split(",")[0], Path(out[0]), int(out[1] or 0))


def _open_face(font: InstalledFont):
    h = _harfbuzz()
    blob = h.hb.hb_blob_create_from_file_or_fail(str(font.file).encode())
    if blob == h.ffi.NULL:
        raise OSError(f"cannot read {font.file}")
    face = h.hb.hb_face_create(blob, font.index)
    h.hb.hb_blob_destroy(blob)
    return face


def _face_bytes(face) -> bytes:
    h = _harfbuzz()
    out = h.hb.hb_face_reference_blob(face)
    length = h.ffi.new("unsigned int *")
    data = bytes(h.ffi.buffer(h.hb.hb_blob_get_data(out, length), length[0]))
    h.hb.hb_blob_destroy(out)
    return data


@cache
def _harfbuzz_version() -> str:
    # ctypes, not the cffi binding: a build with nothing to do asks for this, and cffi's parsing
    # of the declarations takes 50 ms.
    import ctypes

    version = ctypes.CDLL("libharfbuzz.so.0").hb_version_string
    version.restype = ctypes.c_char_p
    return version().decode()


@cache
def glyph_count(font: InstalledFont) -> int:
    face = _open_face(font)
    try:
        return _harfbuzz().hb.hb_face_get_glyph_count(face)
    finally:
        _harfbuzz().hb.hb_face_destroy(face)


def subset_font(font: InstalledFont, glyph_ids: Iterable[int]) -> bytes:
    """The font file reduced to `glyph_ids`, every glyph keeping its id, as WeasyPrint subsets."""
    h = _harfbuzz()
    ffi, hb, hbs = h.ffi, h.hb, h.subset
    face = _open_face(font)
    subset = first = None
    inp = hbs.hb_subset_input_create_or_fail()
    try:
        count = hb.hb_face_get_glyph_count(face)
        ids = sorted(g for g in set(glyph_ids) if g < count)
        glyphs = hbs.hb_subset_input_glyph_set(inp)
        for g in ids:
            hb.hb_set_add(glyphs, g)
        drop = hbs.hb_subset_input_set(inp, _SETS_DROP_TABLE_TAG)
        for tag in _DROP_TABLES:
            hb.hb_set_add(drop, hb.hb_tag_from_string(tag, -1))
        hbs.hb_subset_input_set_flags(inp, _RETAIN_GIDS | _PASSTHROUGH | _DESUBROUTINIZE)
        first = hbs.hb_subset_or_fail(face, inp)
        # Second pass, as WeasyPrint: drop the empty glyph slots after the last glyph used.
        hb.hb_set_add_range(glyphs, 0, max(ids, default=0))
        hbs.hb_subset_input_set_flags(inp, _PASSTHROUGH | _DESUBROUTINIZE | _NO_HINTING)
        subset = hbs.hb_subset_or_fail(first, inp) if first != ffi.NULL else ffi.NULL
        if subset == ffi.NULL:
            raise OSError(f"HarfBuzz cannot subset {font.file}")
        return _face_bytes(subset)
    finally:
        hbs.hb_subset_input_destroy(inp)
        for f in (face, first, subset):
            if f is not None and f != ffi.NULL:
                hb.hb_face_destroy(f)


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
                              _harfbuzz_version(), COMMON_RECIPE)))
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


def reduce_font(font: InstalledFont, chars: Iterable[int]) -> bytes:
    """The font with only `chars` (and what its layout tables reach), glyphs renumbered."""
    h = _harfbuzz()
    face = _open_face(font)
    inp = h.subset.hb_subset_input_create_or_fail()
    reduced = None
    try:
        unicodes = h.subset.hb_subset_input_unicode_set(inp)
        for c in sorted(chars):
            h.hb.hb_set_add(unicodes, c)
        h.subset.hb_subset_input_set_flags(inp, _PASSTHROUGH)
        reduced = h.subset.hb_subset_or_fail(face, inp)
        if reduced == h.ffi.NULL:
            raise OSError(f"HarfBuzz cannot subset {font.file}")
        return _face_bytes(reduced)
    finally:
        h.subset.hb_subset_input_destroy(inp)
        for f in (face, reduced):
            if f is not None and f != h.ffi.NULL:
                h.hb.hb_face_destroy(f)


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

    parts = [_harfbuzz_version(), f"common-copy:{COMMON_RECIPE}"]
    for role, stack in sorted(font_stacks(css).items()):
        for family in stack:
            found = find_font(family)
            parts.append(f"{role}:{family}:{face_identity(found) if found else '-'}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
