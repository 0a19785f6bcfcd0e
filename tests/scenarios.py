"""Materialise a bad-input scenario: the valid fixture year with one catalogue file put in place."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
VALID_YEAR = FIXTURES / "valid" / "2024"
INVALID = FIXTURES / "invalid"
BASE_PROJECT = "projects/01-示例项目.yaml"


def target_of(name: str) -> str:
    """Where a catalogue file goes in the year folder, from its name: <scenario>.<role>.<ext>."""
    scenario, role, _ext = name.split(".", 2)
    if role == "project":
        # scenarios about two projects add a second file; the others replace the base project
        return f"projects/02-{scenario}.yaml" if scenario.startswith("duplicate-") and scenario != "duplicate-key" else BASE_PROJECT
    if role == "department":
        return "department.yaml"
    return f"{role}.csv"


def make_year(root: Path, *catalogue: str) -> Path:
    """A copy of the valid year under root/data/2024 with the given catalogue files in place."""
    year = root / "data" / "2024"
    shutil.copytree(VALID_YEAR, year)
    for name in catalogue:
        shutil.copyfile(INVALID / name, year / target_of(name))
    return year
