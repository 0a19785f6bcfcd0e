"""Writing a year's data folder (department.yaml, projects/NN-名称.yaml) for `annex import` and
`annex new-year`: keys in the canonical order, texts exactly as given, amounts as written.

The data folder belongs to the user: a file is written whole or not at all (a temporary file in the
same folder, fsynced, then linked or renamed into place), never through a symbolic link, and an
existing file is only replaced when the user asked for it (--replace).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from pipeline.files.write import create_new, fsync_dir
from pipeline.errors import Abort

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
    kept: list[Path] = field(default_factory=list)  # existing files left alone (no --replace)
    replaced: list[Path] = field(default_factory=list)


def kept_problems(written: Written, display=str):
    """The existing files an import left alone, as problems (the user may want --replace)."""
    from pipeline.problems.records import Issues, Loc

    issues = Issues()
    for path in written.kept:
        issues.report("import-file-exists", Loc(display(path)), file=display(path))
    return issues


def ensure_dir(path: Path) -> None:
    """Create `path` and its parents; the folder itself and its parent (the year and projects/
    folders annex writes into) must not be symbolic links."""
    for q in (path.parent, path):
        if q.is_symlink():
            raise UnsafePath(f"{q} 是一个符号链接；annex 不通过符号链接写数据，请换一个文件夹")
    path.mkdir(parents=True, exist_ok=True)
    for q in (path.parent, path):
        if q.is_symlink() or not q.is_dir():
            raise UnsafePath(f"{q} 不是文件夹")


def write_new(path: Path, text: str, replace: bool, out: Written) -> None:
    """Write `path` whole; an existing file is kept unless `replace`."""
    exists = os.path.lexists(path)
    if exists:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
            raise UnsafePath(f"{path} 是符号链接或不是普通文件；annex 不会写入它，请先移走")
        if not replace:
            out.kept.append(path)
            return
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        create_new(tmp, text.encode("utf-8"))
        if exists:
            os.replace(tmp, path)
            out.replaced.append(path)
        else:
            try:
                os.link(tmp, path)  # fails if someone created it meanwhile: never overwrites
            except FileExistsError:
                out.kept.append(path)
                return
            out.written.append(path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    fsync_dir(path.parent)


def write_year(year_dir: Path, department: dict, projects: list[tuple[str, dict]], replace: bool = False) -> Written:
    """department.yaml and projects/<stem>.yaml of one year folder."""
    out = Written()
    ensure_dir(year_dir / "projects")
    write_new(year_dir / "department.yaml", dump_yaml(department), replace, out)
    schema = year_dir.parent / "project.schema.json"
    comment = SCHEMA_COMMENT.format(path="../../project.schema.json") if schema.is_file() else ""
    for stem, data in projects:
        write_new(year_dir / "projects" / f"{stem}.yaml", dump_yaml(data, comment), replace, out)
    return out
