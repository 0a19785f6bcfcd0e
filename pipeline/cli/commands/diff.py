"""annex diff: two archived versions compared field by field."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.text import Text

from pipeline import archive
from pipeline.cli import locate
from pipeline.cli.options import DEFAULT_OUT, ArchiveYearOpt, BadOption, OutOpt
from pipeline.cli.output import err_console, say
from pipeline.cli.usage import VersionText
from pipeline.cli.versions import last_two, year_note
from pipeline.files.paths import display_path
from pipeline.hints import annex_command
from pipeline.problems.phrases import listing


def diff(
    version_a: Annotated[Optional[VersionText], typer.Argument(
        parser=VersionText, metavar="较早版本", help="较早的版本，如 v1、1 或 v001；不写时比较最近的两个版本。",
        show_default=False)] = None,
    version_b: Annotated[Optional[VersionText], typer.Argument(
        parser=VersionText, metavar="较晚版本", help="较晚的版本；只写一个版本时与最新版本比较。",
        show_default=False)] = None,
    year: ArchiveYearOpt = None,
    out: OutOpt = DEFAULT_OUT,
) -> None:
    """比较两个归档版本的数据（不写版本时比较最近的两个）：逐项列出改动的字段，以及新增、删除的项目。"""
    from pipeline.archive.datadiff import change_text, diff_bundles, project_line

    asked = year
    year, found = locate.archived_versions(out, year)
    if version_a is None:
        pair = last_two(found)
        if pair is None:
            raise BadOption("diff-one-version", year=year, command=annex_command("build", "--year", year))
        pair = last_with_other_data(found, year)
        if pair is None:
            return
        version_a, version_b = map(archive.version_name, pair)
    elif version_b is None:
        version_b = archive.version_name(found[-1][0])
    a, b = pick_version(found, version_a, year), pick_version(found, version_b, year)
    doubts = archive.doubts(out, year, [a.name, b.name])
    if doubts:
        err_console.print(Text(f"注意：归档核对发现 {len(doubts)} 处问题（{doubts[0].line}），下面的比较可能不可信；"
                               f"运行 {annex_command('verify', '--year', year)} 查看", style="yellow"), soft_wrap=True)
    d = diff_bundles(archived_bundle(a), archived_bundle(b))
    say(f"{year} 年度 {a.name} → {b.name}{year_note(year, asked, locate.archived_years(out))}", "bold")
    for c in d.common:
        say("全部表 · " + change_text(c))
    for key in d.added:
        say(f"新增项目：{key}")
    for key in d.removed:
        say(f"删除项目：{key}")
    for change in d.changed:
        say(project_line(change))
    if a.manifest.templates != b.manifest.templates:
        say("表样模板有变化（输出的版式可能不同）")
    if d.empty:
        say("两个版本的数据没有字段上的差别。")


def _contents(v: archive.Version) -> dict[str, str]:
    """What a version holds apart from its note: the data's and the outputs' files by hash."""
    return {k: h for k, h in v.manifest.files.items() if k.startswith((archive.DATA + "/", archive.OUTPUTS + "/"))}


def last_with_other_data(found: locate.Found, year: int) -> tuple[int, int] | None:
    """(older, latest) for `annex diff` with no versions: a build with --note of unchanged data is a
    version of its own, with the same files as the one before; comparing those two would say
    "no differences". So the older one is the newest version whose data or outputs differ, and
    the versions skipped are said (same data, only a note). None: every version holds the same."""
    readable = [(n, v) for n, _, v in found if v is not None]
    latest_n, latest = readable[-1]
    same = []
    for n, v in reversed(readable[:-1]):
        if _contents(v) != _contents(latest):
            if same:
                say(f"{archive.version_name(latest_n)} 与 {'、'.join(same)} 的数据和输出完全相同"
                    f"（只是备注不同：{_note(latest)}）；下面与之前最近一个不同的版本 {archive.version_name(n)} 比较。", "dim")
            return n, latest_n
        same.append(archive.version_name(n))
    say(f"{year} 年度的 {len(readable)} 个版本数据和输出完全相同，只是备注不同："
        + "；".join(f"{archive.version_name(n)} {_note(v)}" for n, v in readable), "bold")
    return None


def _note(v: archive.Version) -> str:
    return f"「{v.manifest.note}」" if v.manifest.note else "无备注"


def pick_version(found: locate.Found, text: str, year: int) -> archive.Version:
    number = archive.parse_version(text)
    match = next(((n, v) for n, _, v in found if n == number), None)
    if match is None:
        raise BadOption("diff-no-version", text=text, have=listing(archive.version_name(n) for n, _, _ in found))
    if match[1] is None:
        raise BadOption("diff-manifest-unreadable", version=archive.version_name(match[0]),
                        command=annex_command("verify", "--year", year))
    return match[1]


def archived_bundle(v: archive.Version):
    """The filled bundle of a version's archived data, checked by this annex."""
    from pipeline.build.front import check_year

    result = check_year(v.data_dir, base=v.path)
    if result.bundle is None:
        raise BadOption("diff-archived-errors", version=v.name, count=len(result.errors),
                        command=annex_command("check", "--data", display_path(v.data_dir.parent)))
    return result.bundle
