"""annex verify: the chain of archived versions, and every file of each against its manifest."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.text import Text

from pipeline import archive
from pipeline.cli.options import DEFAULT_OUT, BadOption, OutOpt
from pipeline.cli.output import console, say
from pipeline.errors import Abort
from pipeline.files.paths import display_path
from pipeline.hints import annex_command


class ArchiveDamaged(Abort):
    """`annex verify` found problems (each already listed)."""


def verify(
    year: Annotated[Optional[int], typer.Option("--year", "-y", help="年度；默认检查所有年度。", show_default=False,
                                                    metavar="年度")] = None,
    out: OutOpt = DEFAULT_OUT,
    head: Annotated[Optional[str], typer.Option(
        "--head", help="你另行记下的核对码（verify 最后打印的那一串，至少前 12 位）：核对归档仍是当时那一套。",
        show_default=False, metavar="核对码")] = None,
) -> None:
    """核对归档：版本链、每个版本的每个文件及其权限；有缺失、改动、多余或被替换的内容时退出码为 1。"""
    found = archive.years(out)
    years = [year] if year is not None else found
    if year is not None and year not in found:
        raise BadOption("verify-year-not-archived", year=year)
    reports = [archive.verify_year(out, y) for y in years]
    bad = sum(len(r.problems) for r in reports)
    for r in reports:
        for name, n in r.intact:
            say(f"{r.year}/{name}：{n} 个文件完好", "green")
        for f in r.findings:
            console.print(Text(f.line, style="red" if f.problem else "dim"), soft_wrap=True)
    if head is not None:
        bad += check_recorded_head(head.strip().lower(), reports)
    for r in reports:
        if r.head is not None:
            say(f"{r.year} 年度最新版本 {r.head.version}，核对码：{r.head.sha256}", "bold")
    empty = not any(r.intact or r.findings for r in reports)
    if empty:
        say(f"{display_path(archive.archive_root(out))} 里还没有归档版本。")
    if bad:  # any finding fails, an empty archive too: --head names a version that should be there
        raise ArchiveDamaged("verify-damaged", count=bad)
    if not empty:
        say("请把上面的核对码抄在归档以外的地方（例如报送邮件里）；以后运行 "
            f"{annex_command('verify', '--head', '<核对码>')} 可确认归档没有被整体改写。", "dim")


def check_recorded_head(text: str, reports: list[archive.YearReport]) -> int:
    """--head: the hash the user kept must be a manifest on a verified chain. Returns problems found."""
    if len(text) < 12 or any(c not in "0123456789abcdef" for c in text):
        raise BadOption("verify-head-form")
    for r in reports:
        for link in r.chain:
            if link.sha256.startswith(text):
                say(f"记下的核对码属于 {r.year}/{link.version}" +
                    ("：从它到最新版本的链完好" if not r.problems else "，但这个年度的归档有问题（见上）"), "green")
                return 0
    console.print(Text(f"记下的核对码 {text} 不在归档的版本链上：归档被整体改写或替换过，或这个核对码属于别的归档", style="red"),
                  soft_wrap=True)
    return 1
