"""Scoring rule sets: a YAML file under templates/rules/, read into a pydantic model.

Regions score the same form differently (the weight of 预算执行, how a missed target is scored, the
qualitative bands, when a reason is owed, the grade bands). Each of those choices is a key of a
rule set file, so a region that scores differently adds a file, never code. A variant names its
default in form.yaml (`scoring: rules:`); a department may choose another with `评分规则: <name>`.

Every number is read from the text as written (the YAML is composed with every scalar kept as a
string, then pydantic makes Decimals of it): `0.1` is Decimal('0.1'), never a binary float. A key
the model does not know, a value it cannot read, and a name no file has are located problems.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from pipeline.problems.phrases import listing
from pipeline.problems.details import RULES_DETAIL, rules_detail
from pipeline.problems.records import Issues, Loc, field_path

RULES_DIR = Path(__file__).resolve().parent.parent.parent / "templates" / "rules"
MAX_RULES_BYTES = 256 * 1024  # a rule set is a page of YAML

_MODES = {"half-up": ROUND_HALF_UP, "down": ROUND_DOWN, "up": ROUND_UP, "half-even": ROUND_HALF_EVEN}

# The budget a rule set divides 执行数 by. On a form with 项目资金 by source, 全年预算数 (the adjusted
# budget: 调整后预算 is the same figure under its other name) or 年初预算数; on a form with one 预算数
# (the Hubei form's footnote: 预算数为调整后财政资金总额), 预算数 is 全年预算数.
Denominator = Literal["全年预算数", "调整后预算", "年初预算数"]
Comparator = Literal["=", "≥", "≤"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rounding(_Strict):
    places: int = Field(2, ge=0, le=6)
    mode: Literal["half-up", "down", "up", "half-even"] = "half-up"

    def apply(self, value: Decimal) -> Decimal:
        return value.quantize(Decimal(1).scaleb(-self.places), rounding=_MODES[self.mode])


class Cap(_Strict):
    """Below this 执行率 (percent) the total is at most this many points."""

    rate_below: Decimal = Field(ge=0)
    total_at_most: Decimal = Field(ge=0)


class BudgetRules(_Strict):
    weight: Decimal = Field(ge=0)
    denominator: Denominator = "全年预算数"
    rounding: Rounding = Rounding()
    caps: tuple[Cap, ...] = ()


class Overshoot(_Strict):
    """A `≥` target overshot: an actual above `above` percent of the target costs `deduct` points."""

    above: Decimal = Field(gt=100)
    deduct: Decimal = Field(ge=0)


class QuantitativeRules(_Strict):
    no_comparator: Literal["=", "≥", "≤", "qualitative"] = "="
    equal_not_met: Literal["proportional", "zero", "qualitative"] = "proportional"
    overshoot: Overshoot | None = None
    rounding: Rounding = Rounding()


class Band(_Strict):
    name: str
    min: Decimal = Field(ge=0, le=100)  # percent of the weight
    max: Decimal = Field(ge=0, le=100)


class QualitativeRules(_Strict):
    bands: tuple[Band, ...]

    @field_validator("bands")
    @classmethod
    def _ordered(cls, bands: tuple[Band, ...]) -> tuple[Band, ...]:
        if not bands or any(b.min > b.max for b in bands):
            raise ValueError("bands-ordered")
        return bands


class ReasonRules(_Strict):
    below_weight: bool = True
    rate_below: Decimal | None = Field(None, ge=0, le=100)


class GradeBand(_Strict):
    grade: str
    min: Decimal = Field(ge=0)


class RuleSet(_Strict):
    name: str
    description: str = ""
    source: str = ""
    budget: BudgetRules
    quantitative: QuantitativeRules = QuantitativeRules()
    qualitative: QualitativeRules
    reasons: ReasonRules = ReasonRules()
    tolerance: Decimal = Field(Decimal("0.1"), ge=0)
    grades: tuple[GradeBand, ...]
    total: Rounding = Rounding()

    @model_validator(mode="after")
    def _grades_descending(self) -> RuleSet:
        mins = [g.min for g in self.grades]
        if not mins or mins != sorted(mins, reverse=True) or mins[-1] != 0:
            raise ValueError("grades-descending")
        return self

    def grade(self, total: Decimal) -> str:
        return next(g.grade for g in self.grades if total >= g.min)

    def band_text(self, weight: Decimal) -> str:
        """The qualitative bands in points of one weight: 达成 16–20 分、部分达成 12–16 分、…"""
        pts = lambda p: plain(Decimal(p) * weight / 100)  # noqa: E731
        return "、".join(f"{b.name} {pts(b.min)}–{pts(b.max)} 分" for b in self.qualitative.bands)


def plain(value: Decimal) -> str:
    """A number without trailing zeros: 15, 14.28, 18.4 (never 1E+1)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- reading a rule set file, every problem located ------------------------------------------------

def available_rules(root: Path = RULES_DIR) -> list[str]:
    return sorted(p.stem for p in root.glob("*.yaml"))


class _Composed:
    """The YAML as plain dicts, lists and strings, and the line of every path."""

    def __init__(self, file: str):
        self.file = file
        self.lines: dict[tuple, int] = {}
        self.duplicates: list[tuple[tuple, int]] = []

    def build(self, node, path: tuple = ()):
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, MappingNode):
            out = {}
            for k, v in node.value:
                key = k.value if isinstance(k, ScalarNode) else str(k.start_mark)
                if key in out:
                    self.duplicates.append((path + (key,), k.start_mark.line + 1))
                self.lines.setdefault(path + (key,), k.start_mark.line + 1)  # a key's line, not its value's
                out[key] = self.build(v, path + (key,))
            return out
        if isinstance(node, SequenceNode):
            return [self.build(v, path + (i,)) for i, v in enumerate(node.value)]
        # "null" and "~" are YAML's empty value; every other scalar stays its text
        if node.tag.endswith(":null") or (node.style is None and node.value in ("", "~", "null")):
            return None
        return node.value

    def loc(self, path: tuple) -> Loc:
        p = tuple(path)
        while p and p not in self.lines:
            p = p[:-1]
        return Loc(self.file, self.lines.get(p, 1), None, field_path(path))


def _what(err: dict) -> str:
    kind = err["type"]
    if kind == "missing":
        return rules_detail("missing")
    if kind == "literal_error":
        return rules_detail("literal", options=listing(re.findall(r"'([^']*)'", err["ctx"]["expected"])))
    if kind.startswith(("decimal", "int", "greater", "less")):
        return rules_detail("number-bound", reason=err["msg"]) if "than" in err["msg"] else rules_detail("number")
    key = err["msg"].removeprefix("Value error, ")  # a validator's key, else pydantic's own words
    return rules_detail(key) if key in RULES_DETAIL else key


def read_rules(path: Path, shown: str, issues: Issues) -> RuleSet | None:
    """The rule set in `path` (named `shown` in messages), or None with its problems reported."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_RULES_BYTES:
            issues.report("rules-invalid", Loc(shown), detail=rules_detail("not-regular"))
            return None
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        line = getattr(getattr(e, "problem_mark", None), "line", None)
        issues.report("rules-invalid", Loc(shown, line + 1 if line is not None else None),
                      detail=rules_detail("unreadable", error=type(e).__name__))
        return None
    doc = _Composed(shown)
    data = doc.build(node) if node is not None else None
    for path_, line in doc.duplicates:
        issues.report("rules-invalid", Loc(shown, line, None, field_path(path_)), detail=rules_detail("duplicate"))
    if not isinstance(data, dict):
        issues.report("rules-invalid", Loc(shown, 1), detail=rules_detail("not-mapping"))
        return None
    try:
        rules = RuleSet.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            where = tuple(err["loc"])
            if err["type"] == "extra_forbidden":
                parent = where[:-1]
                allowed = _fields_at(parent)
                issues.report("rules-unknown-key", doc.loc(where), str(where[-1]),
                              key=str(where[-1]), allowed=listing(allowed))
            else:
                issues.report("rules-invalid", doc.loc(where), detail=_what(err))
        return None
    if doc.duplicates:
        return None
    if rules.name != path.stem:
        issues.report("rules-invalid", doc.loc(("name",)), rules.name, detail=rules_detail("name-not-stem", stem=path.stem))
        return None
    return rules


def _fields_at(path: tuple) -> list[str]:
    """The keys allowed at a path of the rule set (for the unknown-key message)."""
    model: type[BaseModel] = RuleSet
    for part in path:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return []
        ann = info.annotation
        found = None
        for cand in (ann, *getattr(ann, "__args__", ())):
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                found = cand
            for inner in getattr(cand, "__args__", ()):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    found = inner
        if found is None:
            return []
        model = found
    return list(model.model_fields)


def choose_rules(name: str, where: Loc, issues: Issues, root: Path = RULES_DIR,
                 base: Path | None = None) -> RuleSet | None:
    """The rule set called `name`, chosen at `where` (department.yaml's 评分规则, or form.yaml)."""
    names = available_rules(root)
    if name not in names:
        issues.report("unknown-rules", where, name, given=name, rules=listing(names))
        return None
    path = root / f"{name}.yaml"
    shown = path.as_posix()
    if base is not None:
        try:
            shown = path.relative_to(base).as_posix()
        except ValueError:
            pass
    return read_rules(path, shown, issues)


def load_rules(name: str, root: Path = RULES_DIR) -> RuleSet:
    """A shipped rule set, for code that needs one known to be good (a variant's default)."""
    issues = Issues()
    rules = choose_rules(name, Loc(f"{name}.yaml"), issues, root)
    if rules is None:
        raise ValueError(f"rule set {name!r}: " + "; ".join(i.message for i in issues))
    return rules
