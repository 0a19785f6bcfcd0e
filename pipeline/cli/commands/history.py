"""annex history: a year's archived versions, with what changed in each."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from pipeline import archive
from pipeline.cli import locate
from pipeline.cli.options import DEFAULT_OUT, ArchiveYearOpt, OutOpt
from pipeline.cli.output import console
from pipeline.files import display_path


def history(
    year: ArchiveYearOpt = None,
    out: OutOpt = DEFAULT_OUT,
) -> None:
    """列出一个年度的归档版本：时间、表数，以及哪些项目有变化。"""
    year, found = locate.archived_versions(out, year)
    table = Table(title=f"{year} 年度归档（{display_path(archive.archive_dir(out, year))}）", header_style="bold",
                  show_lines=True)
    table.add_column("版本", no_wrap=True)
    table.add_column("时间", no_wrap=True)
    table.add_column("表数", justify="right")
    table.add_column("格式")
    table.add_column("变化", overflow="fold")
    for number, _, v in found:
        if v is None:
            table.add_row(archive.version_name(number), "—", "—", "—",
                          Text(f"清单无法读取；运行 annex verify --year {year} 查看", style="red"))
            continue
        m = v.manifest
        table.add_row(v.name, m.created.replace("T", " ") or "—", str(len(m.projects)), "、".join(m.formats),
                      Text(change_summary(v)))
    console.print(table)


def change_summary(v: archive.Version) -> str:
    c = v.manifest.changes
    if not c.previous:
        return f"首个版本（{len(v.manifest.projects)} 个项目）"
    parts = []
    if c.added:
        parts.append("新增 " + "、".join(c.added))
    if c.removed:
        parts.append("删除 " + "、".join(c.removed))
    if c.changed:
        parts.append("修改 " + "、".join(c.changed))
    if c.templates:
        parts.append("表样模板有变化")
    if c.annex_version:
        parts.append(f"annex 版本为 {v.manifest.annex_version}")
    return "；".join(parts) or "仅输出格式或文件有变化"
