"""Load, validate and compute a year folder: the one entry point the CLI and the build share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.form.compute import compute_bundle
from pipeline.form.filled import FilledBundle
from pipeline.check.problems import Issue, Issues
from pipeline.input.year import YearInput, load_year
from pipeline.check.rules import validate_year


@dataclass(frozen=True)
class CheckResult:
    input: YearInput
    issues: list[Issue]
    bundle: FilledBundle | None  # None when there are errors

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


def check_year(year_dir: Path, base: Path | None = None) -> CheckResult:
    year, issues = load_year(year_dir, base)
    validate_year(year, issues)
    ordered = Issues(issues.sorted())
    bundle = None
    if not ordered.errors and year.variant is not None and year.projects:
        bundle = compute_bundle(year)
    return CheckResult(year, ordered.items, bundle)
