"""A small binding of HarfBuzz (cffi, as WeasyPrint binds it): a font's characters, its glyph
count, and subsets of it, for the font checks, the common-character copies and the bundle's
shared font programs.

WeasyPrint embeds, per document, a subset of each font that keeps the original glyph ids
(HarfBuzz RETAIN_GIDS): a page's text names glyphs by their id in the installed font. So one
subset holding the union of the glyphs of every table can replace all the tables' subsets.
WeasyPrint's own bindings lack the calls that open a font file, hence this binding. Only HarfBuzz's
public C API is used; the recipe that must match WeasyPrint's is in internals.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.render.pdf import internals


@dataclass(frozen=True)
class InstalledFont:
    """A font file on this machine, as fontconfig names it and HarfBuzz opens it."""

    family: str
    file: Path
    index: int  # the face within a .ttc collection

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


# hb_subset_flags_t and hb_subset_sets_t (hb-subset.h): part of HarfBuzz's stable ABI.
_FLAGS = {"no_hinting": 0x1, "retain_gids": 0x2, "desubroutinize": 0x4, "passthrough": 0x20}
_SETS_DROP_TABLE_TAG = 3
_HB_SET_VALUE_INVALID = 0xFFFFFFFF


def _flags(names: Iterable[str]) -> int:
    value = 0
    for name in names:
        value |= _FLAGS[name]
    return value


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


def _open_face(file: Path, index: int):
    h = _harfbuzz()
    blob = h.hb.hb_blob_create_from_file_or_fail(str(file).encode())
    if blob == h.ffi.NULL:
        raise OSError(f"cannot read {file}")
    face = h.hb.hb_face_create(blob, index)
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
def harfbuzz_version() -> str:
    # ctypes, not the cffi binding: a build with nothing to do asks for this, and cffi's parsing
    # of the declarations takes 50 ms.
    import ctypes

    version = ctypes.CDLL("libharfbuzz.so.0").hb_version_string
    version.restype = ctypes.c_char_p
    return version().decode()


@cache
def glyph_count(font: InstalledFont) -> int:
    face = _open_face(font.file, font.index)
    try:
        return _harfbuzz().hb.hb_face_get_glyph_count(face)
    finally:
        _harfbuzz().hb.hb_face_destroy(face)


def subset_font(font: InstalledFont, glyph_ids: Iterable[int]) -> bytes:
    """The font file reduced to `glyph_ids`, every glyph keeping its id, as WeasyPrint subsets."""
    h = _harfbuzz()
    ffi, hb, hbs = h.ffi, h.hb, h.subset
    face = _open_face(font.file, font.index)
    subset = first = None
    inp = hbs.hb_subset_input_create_or_fail()
    try:
        count = hb.hb_face_get_glyph_count(face)
        ids = sorted(g for g in set(glyph_ids) if g < count)
        glyphs = hbs.hb_subset_input_glyph_set(inp)
        for g in ids:
            hb.hb_set_add(glyphs, g)
        drop = hbs.hb_subset_input_set(inp, _SETS_DROP_TABLE_TAG)
        for tag in internals.SUBSET_DROP_TABLES:
            hb.hb_set_add(drop, hb.hb_tag_from_string(tag, -1))
        hbs.hb_subset_input_set_flags(inp, _flags(internals.SUBSET_FIRST_PASS))
        first = hbs.hb_subset_or_fail(face, inp)
        # Second pass, as WeasyPrint: drop the empty glyph slots after the last glyph used.
        hb.hb_set_add_range(glyphs, 0, max(ids, default=0))
        hbs.hb_subset_input_set_flags(inp, _flags(internals.SUBSET_SECOND_PASS))
        subset = hbs.hb_subset_or_fail(first, inp) if first != ffi.NULL else ffi.NULL
        if subset == ffi.NULL:
            raise OSError(f"HarfBuzz cannot subset {font.file}")
        return _face_bytes(subset)
    finally:
        hbs.hb_subset_input_destroy(inp)
        for f in (face, first, subset):
            if f is not None and f != ffi.NULL:
                hb.hb_face_destroy(f)


@cache
def font_chars(file: Path, index: int) -> frozenset[int]:
    """Code points the font's cmap maps, read by HarfBuzz (fontTools takes 0.1 s a CJK font)."""
    h = _harfbuzz()
    face = _open_face(file, index)
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


def reduce_font(font: InstalledFont, chars: Iterable[int]) -> bytes:
    """The font with only `chars` (and what its layout tables reach), glyphs renumbered."""
    h = _harfbuzz()
    face = _open_face(font.file, font.index)
    inp = h.subset.hb_subset_input_create_or_fail()
    reduced = None
    try:
        unicodes = h.subset.hb_subset_input_unicode_set(inp)
        for c in sorted(chars):
            h.hb.hb_set_add(unicodes, c)
        h.subset.hb_subset_input_set_flags(inp, _FLAGS["passthrough"])
        reduced = h.subset.hb_subset_or_fail(face, inp)
        if reduced == h.ffi.NULL:
            raise OSError(f"HarfBuzz cannot subset {font.file}")
        return _face_bytes(reduced)
    finally:
        h.subset.hb_subset_input_destroy(inp)
        for f in (face, reduced):
            if f is not None and f != h.ffi.NULL:
                h.hb.hb_face_destroy(f)
