"""A version as people read it, the same on the command line and on the web page: its local time
and what changed from the version before it."""

from __future__ import annotations

from datetime import datetime

from pipeline.archive.store import Version


def local_time(created: str) -> str:
    """`2026-11-30T17:54:29+00:00` as local wall time, `2026-11-30 18:54:29` in Europe/Paris;
    "—" when the manifest has no readable time."""
    try:
        moment = datetime.fromisoformat(created)
    except (TypeError, ValueError):
        return created.replace("T", " ") or "—"
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def change_summary(v: Version) -> str:
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
    return "；".join(parts) or f"表的内容与 {c.previous} 相同"
