"""`annex convert --to national-2020`: a year's hubei-2023 data rewritten for the national form.

The mechanical part of switching forms, done once instead of read as ~130 errors: 预算数/执行数
become 项目资金 (当年财政拨款; the other sources 0), the keys the national form has no column for
are kept as comments at the end of the file (nothing the user wrote is lost), and what the national
form needs that the data cannot say (年初预算数, 年度总体目标, each indicator's 分值 and 得分) is
left empty, which `annex check` reports once per line as not yet filled.

The files are edited as text, line by line: the user's comments, quoting and layout stay as they
were. Nothing is written unless asked (`--replace`); then the originals are first copied to
data/<year>-转换前-<表样>/, and each file is replaced whole (a temporary file renamed over it),
never through a symbolic link.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.files.write import create_new, fsync_dir, write_atomic
from pipeline.errors import Abort
from pipeline.files.read import Refused, read_regular

MAX_FILE_BYTES = 1 << 20
SOURCE, TARGET = "hubei-2023", "national-2020"
FUND_SOURCES = ("当年财政拨款", "上年结转资金", "其他资金")
FIGURES = ("预算数", "执行数")
DROPPED_PROJECT_KEYS = ("项目类别", "项目属性", "项目类型", "偏差原因分析", "改进措施")
DROPPED_DEPARTMENT_KEYS = ("评分", "预算执行分值")  # national-2020 always scores, 预算执行率 10 分
BUDGET_CSV = "预算执行.csv"
INDICATOR_CSV = "绩效指标.csv"
BACKUP_NAME = "{year}-转换前-{source}"


class ConvertRefused(Abort):
    """The year cannot be converted as it is (another form, unreadable files, links)."""


@dataclass
class FileEdit:
    path: Path
    text: str  # the new content
    notes: list[str] = field(default_factory=list)  # what changed, for the summary


@dataclass
class Conversion:
    year_dir: Path
    source: str
    target: str
    edits: list[FileEdit]
    moved: list[Path] = field(default_factory=list)  # files folded into the YAML, moved to the backup

    @property
    def backup_dir(self) -> Path:
        return self.year_dir.parent / BACKUP_NAME.format(year=self.year_dir.name, source=self.source)


# --- planning: the new texts, nothing written ------------------------------------------------------

def plan_conversion(year_dir: Path, target: str) -> Conversion:
    """The edits that convert `year_dir` to the `target` form. Raises ConvertRefused."""
    from pipeline.input.year import load_year

    if target != TARGET:
        raise ConvertRefused("convert-target", supported=TARGET, target=target)
    _refuse_link(year_dir)
    _refuse_link(year_dir / "projects")
    dept_path = year_dir / "department.yaml"
    dept_text = _read(dept_path)
    dept_root = _compose(dept_path, dept_text)
    source = _scalar(dept_root, "表样") or SOURCE
    if source == target:
        raise ConvertRefused("convert-already", path=dept_path, target=target)
    if source != SOURCE:
        raise ConvertRefused("convert-source", source=SOURCE, supported=TARGET, path=dept_path, variant=source)
    if (year_dir / INDICATOR_CSV).exists():
        raise ConvertRefused("convert-csv-scores", csv=year_dir / INDICATOR_CSV, target=TARGET)
    year, _ = load_year(year_dir)
    figures = {p.key: (p.planned, p.spent) for p in year.projects}
    edits = [_department_edit(dept_path, dept_text, dept_root, target)]
    for path in _project_files(year_dir):
        text = _read(path)
        planned, spent = figures.get(path.stem, (None, None))
        edits.append(_project_edit(path, text, _compose(path, text), planned, spent))
    moved = [year_dir / BUDGET_CSV] if (year_dir / BUDGET_CSV).exists() else []
    return Conversion(year_dir, source, target, edits, moved)


def _project_files(year_dir: Path) -> list[Path]:
    folder = year_dir / "projects"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def _refuse_link(path: Path) -> None:
    if path.is_symlink():
        raise ConvertRefused("convert-link", path=path)


def _read(path: Path) -> str:
    _refuse_link(path)
    try:
        raw = read_regular(path, MAX_FILE_BYTES)
    except (Refused, OSError):
        raise ConvertRefused("convert-unreadable", path=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConvertRefused("convert-not-utf8", path=path) from None


def _compose(path: Path, text: str) -> yaml.MappingNode:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        root = None
    if not isinstance(root, yaml.MappingNode):
        raise ConvertRefused("convert-broken", path=path)
    return root


def _scalar(root: yaml.MappingNode, key: str) -> str | None:
    for k, v in root.value:
        if k.value == key and isinstance(v, yaml.ScalarNode):
            return v.value.strip() or None
    return None


@dataclass(frozen=True)
class _Block:
    """One top-level key and its lines [start, end) in the file."""

    key: str
    start: int
    end: int
    value: yaml.Node


def _blocks(root: yaml.MappingNode, n_lines: int) -> list[_Block]:
    starts = [(k.value, k.start_mark.line, v) for k, v in root.value]
    return [_Block(key, line, starts[i + 1][1] if i + 1 < len(starts) else n_lines, value)
            for i, (key, line, value) in enumerate(starts)]


def _as_comments(lines: list[str]) -> list[str]:
    return [("# " + line.rstrip("\r\n")).rstrip() + "\n" for line in lines if line.strip()]


def _trailer(dropped: list[str], source: str, target: str) -> list[str]:
    if not dropped:
        return []
    return ["\n", f"# annex convert：以下是表样 {source} 的栏目，{target} 的表里没有，留作注释备查（可删除）：\n",
            *_as_comments(dropped)]


def _joined(lines: list[str]) -> str:
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return text


def _department_edit(path: Path, text: str, root: yaml.MappingNode, target: str) -> FileEdit:
    lines = text.splitlines(keepends=True)
    blocks = _blocks(root, len(lines))
    out = lines[:blocks[0].start] if blocks else list(lines)
    dropped: list[str] = []
    notes = [f"表样改为 {target}"]
    for b in blocks:
        if b.key == "表样":
            out.append(f"表样: {target}\n")
        elif b.key in DROPPED_DEPARTMENT_KEYS:
            dropped.extend(lines[b.start:b.end])
            notes.append(f"删去「{b.key}」（{target} 总是评分，预算执行率 10 分），留作注释")
        else:
            out.extend(lines[b.start:b.end])
    if not any(b.key == "表样" for b in blocks):
        out.append(f"表样: {target}\n")
    return FileEdit(path, _joined(out + _trailer(dropped, SOURCE, target)), notes)


def _amount(figure) -> str:
    return format(figure.value, "f") if figure is not None else ""


def _funds_block(planned, spent) -> list[str]:
    """预算数/执行数 as the national form's 项目资金: all of it 当年财政拨款; 年初预算数 left to fill."""
    zero = "{年初预算数: 0, 全年预算数: 0, 全年执行数: 0}"
    return [
        "项目资金:\n",
        "  当年财政拨款:\n",
        "    年初预算数:\n",
        f"    全年预算数: {_amount(planned)}".rstrip() + "\n",
        f"    全年执行数: {_amount(spent)}".rstrip() + "\n",
        f"  上年结转资金: {zero}\n",
        f"  其他资金: {zero}\n",
    ]


OVERALL_GOAL = ["年度总体目标:\n", "  预期目标:\n", "  实际完成情况:\n"]


def _last_line(node: yaml.Node) -> int:
    """The last line (0-based) holding part of `node`'s text."""
    end = node.end_mark
    return end.line - 1 if end.column == 0 else end.line


def _score_placeholders(goals: yaml.Node) -> tuple[dict[int, list[str]], int]:
    """Empty 分值 and 得分 lines after each indicator lacking them: {line: lines to add}, count."""
    after: dict[int, list[str]] = {}
    count = 0
    if not isinstance(goals, yaml.SequenceNode):
        return after, 0
    for goal in goals.value:
        if not isinstance(goal, yaml.MappingNode):
            continue
        for k, rows in goal.value:
            if k.value != "指标" or not isinstance(rows, yaml.SequenceNode):
                continue
            for row in rows.value:
                if not isinstance(row, yaml.MappingNode) or not row.value:
                    continue
                keys = {rk.value for rk, _ in row.value}
                indent = " " * row.value[0][0].start_mark.column
                missing = [f"{indent}{key}:\n" for key in ("分值", "得分") if key not in keys]
                if missing:
                    last = max(_last_line(rv) for _, rv in row.value)
                    after.setdefault(last, []).extend(missing)
                    count += 1
    return after, count


def _project_edit(path: Path, text: str, root: yaml.MappingNode, planned, spent) -> FileEdit:
    lines = text.splitlines(keepends=True)
    blocks = _blocks(root, len(lines))
    keys = {b.key for b in blocks}
    out = lines[:blocks[0].start] if blocks else list(lines)
    dropped: list[str] = []
    notes: list[str] = []
    new_blocks: list[str] = []
    if "项目资金" not in keys:
        new_blocks += _funds_block(planned, spent)
        notes.append("预算数、执行数 → 项目资金·当年财政拨款（年初预算数待填写）")
    if "年度总体目标" not in keys:
        new_blocks += OVERALL_GOAL
        notes.append("加 年度总体目标（待填写）")
    placed = False
    for b in blocks:
        if b.key in FIGURES or (b.key == "年度绩效目标" and not placed):
            if not placed:
                out.extend(new_blocks)
                placed = True
            if b.key in FIGURES:
                continue
        if b.key in DROPPED_PROJECT_KEYS:
            dropped.extend(lines[b.start:b.end])
            continue
        if b.key == "年度绩效目标":
            after, count = _score_placeholders(b.value)
            for i in range(b.start, b.end):
                out.append(lines[i])
                out.extend(after.get(i, []))
            if count:
                notes.append(f"{count} 条指标加 分值、得分（待填写）")
            continue
        out.extend(lines[b.start:b.end])
    if not placed:
        out.extend(new_blocks)
    if dropped:
        notes.append("、".join(b.key for b in blocks if b.key in DROPPED_PROJECT_KEYS) + " 留作文件末尾的注释")
    return FileEdit(path, _joined(out + _trailer(dropped, SOURCE, TARGET)), notes)


# --- applying: originals copied aside first, each file replaced whole ------------------------------

def apply_conversion(conv: Conversion) -> Path:
    """Copy the originals to the backup folder, then replace each file. Returns the backup folder."""
    backup = _new_backup_dir(conv.backup_dir)
    for edit in conv.edits:
        _copy(edit.path, backup / edit.path.relative_to(conv.year_dir))
    for path in conv.moved:
        _refuse_link(path)
        os.rename(path, backup / path.name)
    fsync_dir(backup)
    for edit in conv.edits:
        _replace(edit.path, edit.text.encode("utf-8"))
    return backup


def _new_backup_dir(wanted: Path) -> Path:
    for n in range(1, 1000):
        path = wanted if n == 1 else wanted.with_name(f"{wanted.name}-{n}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        (path / "projects").mkdir()
        return path
    raise ConvertRefused("convert-too-many-backups", folder=wanted.parent, name=wanted.name)


def _copy(src: Path, dest: Path) -> None:
    create_new(dest, read_regular(src, MAX_FILE_BYTES))


def _replace(path: Path, data: bytes) -> None:
    """`path` replaced whole by `data`, keeping its mode. Never writes through a link: the file must
    be a regular file, and the temporary one is created new."""
    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        raise ConvertRefused("convert-not-regular", path=path)
    write_atomic(path, data, stat.S_IMODE(st.st_mode))
