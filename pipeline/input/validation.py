"""A parsed YAML value checked against the input model, every problem located.

Pydantic validates; this module turns its errors into catalogued problems at the user's line and
key (a key typo read as the key it meant, with a did-you-mean), salvages a file with a wrong value
so it still takes part in the other checks, and reads the lenient forms (full-width digits) with a
warning. Shared by the YAML loader and the workbook reader.
"""

from __future__ import annotations

import copy
import difflib
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from pipeline.problems import catalogue, phrases
from pipeline.input import chars
from pipeline.problems.records import Issues, Loc
from pipeline.input.model import (
    AMOUNT_KEYS,
    DATE_KEYS,
    YEARLY_KEYS,
    ProjectIn,
    parse_amount,
    parse_date,
    parse_flag,
    parse_text,
)
from pipeline.input.typos import TYPO_CUTOFF
from pipeline.input.yaml_file import SourceMap


@dataclass(frozen=True)
class ProjectFile:
    """A project file that parsed and validated, before the CSVs add to it."""

    key: str
    number: str
    file: str
    data: ProjectIn
    smap: SourceMap


_EXPECTED = {
    "string_type": "text",
    "list_type": "list",
    "dict_type": "mapping",
    "model_type": "mapping",
    "model_attributes_type": "mapping",
    "bool_type": "bool",
    "bool_parsing": "bool",
}


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys the model allows at the mapping that holds `loc`'s last element."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if current is None or isinstance(part, int):
            continue
        fld = next((f for f in current.model_fields.values() if f.alias == part), None)
        current = _inner_model(fld.annotation) if fld else None
    if current is None:
        return []
    return [f.alias for f in current.model_fields.values() if f.alias]


def _inner_model(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found:
            return found
    return None


def _field_at(model: type[BaseModel], loc: tuple) -> FieldInfo | None:
    """The model field a validation error's location names (list indexes and dict keys skipped)."""
    current: type[BaseModel] | None = model
    fld = None
    dict_key_next = False
    for part in loc:
        if isinstance(part, int):
            continue
        if dict_key_next:
            dict_key_next = False
            continue
        if current is None:
            return None
        fld = next((f for f in current.model_fields.values() if f.alias == part), None)
        if fld is None:
            return None
        dict_key_next = _is_dict(fld.annotation)
        current = _inner_model(fld.annotation)
    return fld


def _is_dict(annotation) -> bool:
    return typing.get_origin(annotation) is dict or any(_is_dict(a) for a in typing.get_args(annotation))


def _typo_targets(model: type[BaseModel], errors: list[dict], data: object) -> dict[tuple, str]:
    """Unknown keys that are a typo of an allowed key the mapping lacks (`实施单位` for `项目实施单位`):
    their value is read as that key's, and the one message is the unknown key's did-you-mean."""
    out: dict[tuple, str] = {}
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] != "extra_forbidden" or not loc or not isinstance(loc[-1], str):
            continue
        parent = _get(data, loc[:-1])
        if not isinstance(parent, dict):
            continue
        close = difflib.get_close_matches(loc[-1], _allowed_keys(model, loc), n=1, cutoff=TYPO_CUTOFF)
        taken = set(parent) | {loc[:-1] + (t,) for t in out.values()}
        if close and close[0] not in taken and loc[:-1] + (close[0],) not in taken:
            out[loc] = close[0]
    return out




def report_validation(exc: ValidationError, model: type[BaseModel], smap: SourceMap, issues: Issues,
                      typos: dict[tuple, str] | None = None) -> None:
    typos = typos or {}
    typo_of = {loc[:-1] + (target,) for loc, target in typos.items()}
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        where = smap.loc(loc)
        key = loc[-1] if loc and isinstance(loc[-1], str) else ""
        etype = err["type"]
        value = err.get("input")
        shown = value if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if etype == "extra_forbidden":
            allowed = _allowed_keys(model, loc)
            close = [typos[loc]] if loc in typos else difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.3)
            issues.report("unknown-key", where, key, key=key, suggestion=phrases.suggestion(close[0] if close else None),
                          allowed=phrases.listing(allowed))
        elif etype == "missing":
            if loc not in typo_of:  # the typo's unknown-key message already says it
                issues.report("missing-key", where, key=key)
        elif etype in catalogue.CATALOGUE:
            issues.report(etype, where, shown, **err.get("ctx", {}))
        else:
            kind = _EXPECTED.get(etype)
            # Another type no file of ours should meet: pydantic's (English) description beats no hint.
            expected = phrases.EXPECTED_TYPE[kind] if kind else phrases.EXPECTED_TYPE["other"].format(detail=err["msg"])
            issues.report("wrong-type", where, shown, expected=expected)


def validate_model(model: type[BaseModel], data: object, smap: SourceMap, issues: Issues):
    """The file's model; with errors, every one reported, and the model of what remains valid (a
    wrong value left out, a missing text empty) so the file still takes part in every other check.
    None when nothing sensible remains (no mapping, or a list item of the wrong kind)."""
    if not isinstance(data, dict):
        shape = phrases.SHAPE["list" if isinstance(data, list) else "scalar"]
        issues.report("not-a-mapping", Loc(smap.file, 1, 1), shape=shape)
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        typos = _typo_targets(model, exc.errors(include_url=False), data)
        report_validation(exc, model, smap, issues, typos)
        for loc, target in typos.items():  # what the rules say about the key, they say at the typo
            smap.alias(loc, loc[:-1] + (target,))
        return _salvage(model, data, exc, typos)


# A placeholder for a required value that is missing or invalid (its error is reported): what the
# field's own validator accepts. Rules do not report again at a field the loader reported.
_PLACEHOLDER = {parse_text: "", parse_amount: "0", parse_date: "1900-01-01", parse_flag: False}


def _salvage(model: type[BaseModel], data: dict, exc: ValidationError, typos: dict[tuple, str]):
    data = copy.deepcopy(data)
    for loc, target in typos.items():
        parent = _get(data, loc[:-1])
        parent[target] = parent.pop(loc[-1])
    renamed = set(typos) | {loc[:-1] + (target,) for loc, target in typos.items()}
    for _ in range(3):
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            if loc in renamed:
                continue
            if not loc or not _repair(model, data, loc, err["type"]):
                return None
        try:
            return model.model_validate(data)
        except ValidationError as again:
            exc, renamed = again, set()
    return None


def _repair(model: type[BaseModel], data: dict, loc: tuple, etype: str) -> bool:
    parent = _get(data, loc[:-1])
    key = loc[-1]
    if not isinstance(parent, dict) or not isinstance(key, str):
        return False  # an item of a list: leaving it out would shift the places of the ones after it
    if etype == "extra_forbidden":
        parent.pop(key, None)
        return True
    fld = _field_at(model, loc)
    if fld is None:
        return False
    if not fld.is_required():
        parent.pop(key, None)
        return True
    validator = next((m.func for m in fld.metadata if hasattr(m, "func")), None)
    if validator not in _PLACEHOLDER:
        return False
    parent[key] = _PLACEHOLDER[validator]
    return True


def _get(data: object, path: tuple) -> object:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


# --- lenient readings and character checks, before the strict types --------------------------

def lenient(data: object, smap: SourceMap, issues: Issues, path: tuple = ()) -> object:
    """Accept full-width digits in amounts and 2024/4/23-style dates, with a warning saying how to write them."""
    if isinstance(data, dict):
        return {k: _lenient_value(k, v, smap, issues, path + (k,)) for k, v in data.items()}
    if isinstance(data, list):
        return [lenient(v, smap, issues, path + (i,)) for i, v in enumerate(data)]
    return data


def _lenient_value(key: str, value: object, smap: SourceMap, issues: Issues, path: tuple) -> object:
    if isinstance(value, str) and key in AMOUNT_KEYS:
        return halfwidth_amount(value, lambda: smap.loc(path), issues)
    if isinstance(value, str) and key in DATE_KEYS:
        text = chars.to_halfwidth(value.strip())
        m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
        if m and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            fixed = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
            issues.report("date-format-lenient", smap.loc(path), value, fixed=fixed)
            return fixed
    return lenient(value, smap, issues, path)


def halfwidth_amount(text: str, loc: Loc | Callable[[], Loc], issues: Issues) -> str:
    """An amount typed with a Chinese IME's full-width digits, read as its ASCII form with a warning
    saying how to write it. `loc` may be a function, called only when there is something to say."""
    if not chars.FULLWIDTH_NUMBER.search(text):
        return text
    fixed = chars.to_halfwidth(text)
    issues.report("fullwidth-digits", loc() if callable(loc) else loc, text, fixed=fixed)
    return fixed


def check_characters(text: str, loc: Loc | Callable[[], Loc], issues: Issues) -> None:
    """`loc` may be a function: locating is costly and only needed for the rare bad text."""
    bad = chars.first_match(chars.XML_FORBIDDEN, text)
    bidi = chars.first_match(chars.BIDI_CONTROLS, text)
    invisible = chars.first_match(chars.INVISIBLE, text)
    lost = chars.REPLACEMENT.search(text)
    if not (bad or bidi or invisible or lost):
        return
    where = loc() if callable(loc) else loc
    if bad:
        issues.report("forbidden-character", where, text, char=chars.described(bad))
    if bidi:
        issues.report("bidi-control", where, text, char=chars.described(bidi))
    if invisible:
        issues.report("invisible-character", where, text, char=chars.described(invisible))
    if lost:
        issues.report("replacement-character", where, value=text)


def walk_strings(data: object, smap: SourceMap, issues: Issues, path: tuple = ()) -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            check_characters(k, lambda p=path + (k,): smap.loc(p), issues)
            walk_strings(v, smap, issues, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            walk_strings(v, smap, issues, path + (i,))
    elif isinstance(data, str):
        check_characters(data, lambda: smap.loc(path), issues)


def unfilled(data: object, smap: SourceMap, issues: Issues, path: tuple = ()) -> object:
    """This year's facts written empty (as `annex new-year` leaves them): reported as not yet filled
    and left out, so that this is the one problem said about them (check_year drops the others)."""
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            if v is None and k in YEARLY_KEYS:
                issues.report("not-filled", smap.loc(path + (k,)), key=k)
                continue
            out[k] = unfilled(v, smap, issues, path + (k,))
        return out
    if isinstance(data, list):
        return [unfilled(v, smap, issues, path + (i,)) for i, v in enumerate(data)]
    return data
