"""Reading YAML the way users' files need: positions kept, duplicates refused, numbers kept as text.

PyYAML's constructors turn `155.650` into a float and `0012` into an octal int, and silently keep
the last of two equal keys. Here we compose the node tree ourselves: every scalar stays the text
the user wrote (only null and booleans are interpreted), so amounts become Decimal from that text
later, and every value's line and column are remembered for error messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pipeline.problems import phrases
from pipeline.input import chars, csv_file
from pipeline.input import encoding as text_encoding
from pipeline.problems.records import Issues, Loc, field_path
from pipeline.input.read_file import read_or_report

MAX_NODES = 200_000  # aliases can expand a small file into a huge tree ("billion laughs")
MAX_FILE_BYTES = 20 * 1024 * 1024

# libyaml's composer is 6x faster and keeps the same marks; the pure-Python one where libyaml is missing.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# What YAML calls non-printable (and refuses to read).
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
# What YAML 1.1 itself reads as null or a boolean: anything else under !!null or !!bool is a mistake.
_LITERALS = {NULL_TAG: ("", "~", "null"), BOOL_TAG: ("true", "false", "yes", "no", "on", "off", "y", "n")}


@dataclass
class SourceMap:
    """Line and column (1-based) of every key and value, by field path."""

    file: str
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def loc(self, path: tuple) -> Loc:
        """The location of `path`, or of its nearest written ancestor (a missing key points at its parent)."""
        p = tuple(path)
        while p and p not in self.positions:
            p = p[:-1]
        line, col = self.positions.get(p, (1, 1))
        return Loc(self.file, line, col, field_path(path))

    def alias(self, typo: tuple, meant: tuple) -> None:
        """A key typo read as the key it meant: what is said about `meant` is said at the typo."""
        for path, pos in list(self.positions.items()):
            if path[: len(typo)] == typo:
                self.positions.setdefault(meant + path[len(typo):], pos)


class _TooLarge(Exception):
    pass


class _Converter:
    def __init__(self, smap: SourceMap, issues: Issues):
        self.smap = smap
        self.issues = issues
        self.count = 0

    def convert(self, node: Node, path: tuple) -> object:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            out = []
            for i, item in enumerate(node.value):
                self.smap.positions.setdefault(path + (i,), _pos(item))
                out.append(self.convert(item, path + (i,)))
            return out
        assert isinstance(node, ScalarNode)
        if node.tag in (NULL_TAG, BOOL_TAG) and node.value.lower() not in _LITERALS[node.tag]:
            # `!!null 文字` made a text a null (then told as a missing key); `!!bool 文字` a false.
            self.issues.report("yaml-tag-mismatch", Loc(self.smap.file, *_pos(node), field_path(path)),
                               value=node.value, tag=node.tag.rsplit(":", 1)[-1])
            return node.value
        if node.tag == NULL_TAG:
            return None
        if node.tag == BOOL_TAG:
            return node.value.lower() in ("true", "yes", "on", "y")
        return node.value  # text as written: numbers, dates and codes stay strings

    def _mapping(self, node: MappingNode, path: tuple) -> dict:
        out: dict[str, object] = {}
        first_line: dict[str, int] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, ScalarNode):
                self.issues.report("key-not-text", Loc(self.smap.file, *_pos(knode), field_path(path)))
                continue
            key = knode.value
            if key.startswith(_FULLWIDTH_SPACE):
                # `　项目实施单位: …` parses, as a key no one meant: say why, and read it as meant.
                key = key.lstrip(_FULLWIDTH_SPACE)
                self.issues.report("yaml-fullwidth-space", Loc(self.smap.file, *_pos(knode), field_path(path + (key,))))
            kpath = path + (key,)
            if key in out:
                self.issues.report("duplicate-key", Loc(self.smap.file, *_pos(knode), field_path(kpath)), key,
                                   key=key, first_line=first_line[key])
                continue
            first_line[key] = _pos(knode)[0]
            self.smap.positions[kpath] = _pos(knode)
            out[key] = self.convert(vnode, kpath)
        return out


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _report_syntax(exc: yaml.YAMLError, loc: Loc, issues: Issues, text: str = "") -> None:
    problem = getattr(exc, "problem", None) or str(exc)
    if "escape" in problem:
        hint = "escape"
    elif "'\\t'" in problem or "\\t" in problem:
        hint = "tab"
    elif "quoted scalar" in str(exc):
        hint = "quote"
    elif "mapping values are not allowed" in problem:
        if _indented_under_a_value(text, loc.line):
            hint = "indent-more"
        else:
            hint = "colon-in-text" if _colon_in_text(text, loc.line) else "colon-space"
    elif "expected a single document" in str(exc):
        hint = "documents"
    elif "nesting depth" in problem:
        hint = "nesting"
    elif "could not find expected ':'" in problem:
        hint = "colon-missing"
    elif any(p in problem for p in ("did not find expected key", "expected '-' indicator", "expected <block end>")):
        hint = "indent"
    elif "undefined alias" in problem:
        hint = "alias"
    elif "expected ',' or" in problem:
        hint = "bracket"
    else:
        hint = "other"
    # PyYAML's own words only where there is no better hint: a clue is better than none.
    detail = f"（{problem}）" if problem and hint == "other" else ""
    issues.report("yaml-syntax", loc, hint=phrases.YAML_HINT[hint], detail=detail)


def _colon_in_text(text: str, line: int | None) -> bool:
    """`实际完成值: 完成率: 100%`: a key, its colon and space, then a text with `: ` (or a final `:`) in it."""
    lines = text.splitlines()
    if not line or line > len(lines):
        return False
    _, sep, rest = lines[line - 1].partition(": ")
    return bool(sep) and re.search(r":(\s|$)", rest) is not None


def _indented_under_a_value(text: str, line: int | None) -> bool:
    """`项目名称: x` then `  项目实施单位: y`: the second line is indented as if x had children."""
    lines = text.splitlines()
    if not line or line > len(lines):
        return False
    here = lines[line - 1]
    above = next((l for l in reversed(lines[: line - 1]) if l.strip() and not l.lstrip().startswith("#")), None)
    if above is None:
        return False
    indent = len(here) - len(here.lstrip(" "))
    return indent > len(above) - len(above.lstrip(" ")) and re.search(r":\s+\S", above) is not None


# --- the mistakes a Chinese keyboard makes, named at their own line --------------------------------

_FULLWIDTH_SPACE = "\u3000"
# A key written with a full-width colon: `项目名称：…` or `- 一级指标：…`, no half-width `: ` before it.
_FULLWIDTH_COLON_KEY = re.compile(r"^[ \u3000]*(?:- +)?([^\s:：#'\"{}\[\],&*!|>%@`-][^:：\n]{0,40}?)[ \u3000]*：")


# `项目名称:示例`: a key, a half-width colon and no space (a Chinese key has no space in it).
_NO_SPACE_AFTER_COLON = re.compile(r"^ *(?:- +)?[^\x00-\x7f][^\s:：]{0,40}:(?=[^\s])")


@dataclass(frozen=True)
class _Cause:
    code: str
    line: int  # 1-based
    column: int  # 1-based
    fields: dict


def _cause_on(text_line: str, number: int) -> _Cause | None:
    indent = len(text_line) - len(text_line.lstrip(" \t" + _FULLWIDTH_SPACE))
    lead = text_line[:indent]
    if "\t" in lead:
        return _Cause("yaml-tab", number, lead.index("\t") + 1, {})
    if _FULLWIDTH_SPACE in lead:
        return _Cause("yaml-fullwidth-space", number, lead.index(_FULLWIDTH_SPACE) + 1, {})
    m = _FULLWIDTH_COLON_KEY.match(text_line)
    if m and ": " not in text_line[: m.end()]:
        return _Cause("yaml-fullwidth-colon", number, m.end(), {"key": m.group(1)})
    m = _NO_SPACE_AFTER_COLON.match(text_line)
    if m:
        return _Cause("yaml-syntax", number, m.end(), {"hint": phrases.YAML_HINT["colon-space"], "detail": ""})
    return None


def _cause(text: str, exc: yaml.MarkedYAMLError) -> _Cause | None:
    """What a Chinese keyboard did wrong, when that is why the file does not parse: the scanner
    stops at the line after a full-width colon or a full-width-space indent, so the line that
    opened the failing construct is looked at first, then the failing line and the two above it."""
    lines = text.splitlines()
    marks = [m.line for m in (exc.context_mark, exc.problem_mark) if m is not None]
    if not marks:
        return None
    error = max(marks)
    order = dict.fromkeys([*sorted(set(marks)), error - 1, error - 2])
    for index in order:
        if 0 <= index < len(lines):
            found = _cause_on(lines[index], index + 1)
            if found:
                return found
    return None


# --- the encoding: what Excel, WPS and Chinese editors save -----------------------------------------

def _decode(raw: bytes) -> tuple[str | None, int]:
    """(text, 0) for UTF-8 (with or without BOM), or GB18030/GBK as the CSV reader accepts it —
    with evidence (pipeline/input/encoding.py): no stretch of it may be UTF-8 misread, 瀹屾垚 for 完成.
    (None, line) when it is neither, with the line that shows it."""
    decoded = csv_file.decode(raw)
    if decoded is None:
        # Mostly one encoding with a stretch of the other: where the first reading breaks is that
        # encoding's own first character; the later of the two breaks is the stretch pasted in.
        return None, max(text_encoding.first_non_utf8_line(raw) or 1, text_encoding.undecodable_line(raw))
    text, name = decoded
    if name == text_encoding.GB18030:
        mixed = text_encoding.utf8_inside(text)
        if mixed is not None:
            return None, text[: text.index(mixed.as_gb18030)].count("\n") + 1
    return text, 0


def read_yaml(path: Path, display: str, issues: Issues) -> tuple[object, SourceMap] | None:
    """Parse one YAML file into plain data (dicts, lists, str, bool, None) and its source map.

    Problems go to `issues`; None means the file could not be read at all.
    """
    smap = SourceMap(display)
    whole = Loc(display, 1, 1)
    raw = read_or_report(path, MAX_FILE_BYTES, whole, issues)
    if raw is None:
        return None
    if b"\0" in raw[:8192] or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        issues.report("file-encoding", whole)
        return None
    text, bad_line = _decode(raw)
    if text is None:
        issues.report("file-encoding", Loc(display, bad_line, None))
        return None
    if not text.strip():
        issues.report("empty-file", whole)
        return None
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        cause = _cause(text, exc)
        if cause is not None:
            issues.report(cause.code, Loc(display, cause.line, cause.column), **cause.fields)
            return None
        # An unclosed quote is found at the end of the file; the line where it opened is the useful one.
        quoted = "quoted scalar" in (exc.context or "") and "escape" not in (exc.problem or "")
        mark = (exc.context_mark if quoted else None) or exc.problem_mark or exc.context_mark
        loc = Loc(display, mark.line + 1, mark.column + 1) if mark else whole
        _report_syntax(exc, loc, issues, text)
        return None
    except yaml.reader.ReaderError:
        # libyaml reports a byte offset, the Python reader a character offset: find the character ourselves.
        bad = _NON_PRINTABLE.search(text)
        line = text[: bad.start()].count("\n") + 1 if bad else None
        ch = bad.group(0) if bad else None
        issues.report("forbidden-character", Loc(display, line, None), char=chars.described(ch) if ch else "?")
        return None
    except yaml.YAMLError as exc:
        _report_syntax(exc, whole, issues)
        return None
    if node is None:
        issues.report("empty-file", whole)
        return None
    conv = _Converter(smap, issues)
    try:
        data = conv.convert(node, ())
    except _TooLarge:
        issues.report("file-too-large", whole, size=phrases.EXPANDED, limit=phrases.VALUES.format(n=MAX_NODES))
        return None
    return data, smap
