"""The catalogue of problems: every problem code annex can report, registered once.

Each entry fixes the code (stable, kebab-case, shown to users and in `--json`), its severity and
its Chinese message template. Call sites pass the code and the template's fields:

    issues.report("budget-not-positive", loc, value=text)
    issues.report("level2-mismatch", loc, level2="数量指标", level1="产出指标", expected="效益指标")

A test (tests/test_catalogue.py) fails when a registered code has no fixture that produces it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class ProblemType:
    code: str
    severity: Severity
    template: str  # Chinese: what is wrong and what is expected; str.format fields in braces

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(f for _, f, _, _ in string.Formatter().parse(self.template) if f)

    def message(self, **fields: object) -> str:
        missing = self.fields - fields.keys()
        if missing:
            raise TypeError(f"problem {self.code!r} needs fields {sorted(missing)}")
        return self.template.format(**fields)


CATALOGUE: dict[str, ProblemType] = {}


def problem(code: str, severity: Severity, template: str) -> ProblemType:
    """Register a problem type; a code registered twice is a programming error."""
    if code in CATALOGUE:
        raise ValueError(f"problem code {code!r} registered twice")
    entry = ProblemType(code, severity, template)
    CATALOGUE[code] = entry
    return entry


def lookup(code: str) -> ProblemType:
    try:
        return CATALOGUE[code]
    except KeyError:
        raise KeyError(f"problem code {code!r} is not in the catalogue (pipeline/check/catalogue.py)") from None


# --- the problems ---------------------------------------------------------------------------------
# Grouped by the stage that finds them. Keep templates short, say the fix, name no internals.
