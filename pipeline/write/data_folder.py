"""Writing a year's data folder (department.yaml, projects/NN-名称.yaml) for `annex import` and
`annex new-year`: keys in the canonical order, texts exactly as given, amounts as written.

The data folder belongs to the user: a year is written whole or not at all (staged, then swapped
in: staged_year.py), never through a symbolic link; a year that holds data is refused, and replaced
as one set (the old folder moved aside, kept) only when the user asked for it (--replace).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

import shutil

from pipeline.files.write import create_new, fsync_dir
from pipeline.errors import Abort
from pipeline.problems.phrases import listing
from pipeline.problems.stops import SHOWN_MORE, YEAR_HOLDS
from pipeline.write.staged_year import ASIDE_MARK, Swap, aside_path, call_hook, commit, data_lock, recover, staging_path

SCHEMA_COMMENT = "# yaml-language-server: $schema={path}\n"


class UnsafePath(Abort):
    """A folder or file of the data is a symbolic link or not what it should be."""


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, no line folding."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    if "\n" in text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", text)


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    # plain, as written: annex reads every scalar as its text, so `600.2975` stays exactly that
    text = format(value, "f")
    return dumper.represent_scalar("tag:yaml.org,2002:" + ("float" if "." in text else "int"), text)


def _date(dumper: yaml.SafeDumper, value: dt.date) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


def _none(dumper: yaml.SafeDumper, value: None) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(dt.date, _date)
_Dumper.add_representer(type(None), _none)


def dump_yaml(data: dict, comment: str = "") -> str:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000,
                     default_flow_style=False)
    # a date given as ISO text is written plain (the loader reads it as text, then as a date)
    text = re.sub(r"^(填报日期: )'(\d{4}-\d{2}-\d{2})'$", r"\1\2", text, flags=re.M)
    return comment + text


@dataclass
class Written:
    written: list[Path] = field(default_factory=list)
    replaced: list[Path] = field(default_factory=list)  # the files written in place of a previous year's
    aside: Path | None = None  # the previous year folder, moved aside whole by --replace


class YearHasData(Abort):
    """Importing into a year that already has data would add a second set of projects."""


def data_files(year_dir: Path) -> list[str]:
    """What the year folder holds (its entries, projects/ listed by file), sorted; [] when it is
    missing or empty."""
    try:
        names = sorted(os.listdir(year_dir))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for name in names:
        path = year_dir / name
        if name == "projects" and path.is_dir() and not path.is_symlink():
            found += [f"projects/{n}" for n in sorted(os.listdir(path))]
        else:
            found.append(name)
    return found


def _refuse_second_set(year_dir: Path, present: list[str], display) -> YearHasData:
    projects = [n for n in present if n.startswith("projects/") and n.endswith(".yaml")]
    shown = listing(present[:5])
    if len(present) > 5:
        shown = SHOWN_MORE.format(first=shown, count=len(present))
    what = YEAR_HOLDS["projects"].format(count=len(projects)) if projects else YEAR_HOLDS["data"]
    return YearHasData("year-has-data", where=display(year_dir), what=what, shown=shown, aside=ASIDE_MARK)


def write_year(year_dir: Path, department: dict, projects: list[tuple[str, dict]], replace: bool = False,
               hooks=None, display=str) -> Written:
    """department.yaml and projects/<stem>.yaml of one year folder, as one set: staged whole and
    swapped in (staged_year.py), so a killed import leaves the old year or the new one, never a
    mix. A year that already holds anything is refused unless `replace`; then the old folder is
    moved aside whole (`Written.aside`), never deleted. `hooks(step)`: tests stop here."""
    data = year_dir.parent
    data.mkdir(parents=True, exist_ok=True)
    out = Written()
    with data_lock(data):
        recover(data)
        present = data_files(year_dir)
        if os.path.islink(year_dir) or (os.path.lexists(year_dir) and not year_dir.is_dir()):
            raise UnsafePath("year-folder-unsafe", year_dir=year_dir)
        if present and not replace:
            raise _refuse_second_set(year_dir, present, display)
        staging = staging_path(data, year_dir.name)
        os.mkdir(staging)
        try:
            (staging / "projects").mkdir()
            files = [("department.yaml", dump_yaml(department))]
            schema = data / "project.schema.json"
            comment = SCHEMA_COMMENT.format(path="../../project.schema.json") if schema.is_file() else ""
            files += [(f"projects/{stem}.yaml", dump_yaml(d, comment)) for stem, d in projects]
            for rel, text in files:
                call_hook(hooks, rel)
                create_new(staging / rel, text.encode("utf-8"))
            fsync_dir(staging / "projects")
            fsync_dir(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        aside = aside_path(data, year_dir.name) if os.path.lexists(year_dir) else None
        commit(data, Swap(year_dir.name, staging.name, aside.name if aside else None), hooks)
    out.written = [year_dir / rel for rel, _ in files]
    out.aside = aside if present else None
    out.replaced = list(out.written) if present else []
    if aside is not None and not present:
        shutil.rmtree(aside, ignore_errors=True)  # an empty folder (or one of empty folders): nothing to keep
        out.aside = None
    return out
