"""What the system said about a path, in words a clerk can act on.

A 300-byte folder name, a path under /proc/self, a read-only disk or a full one: the system says
so with an errno, and Python raises OSError with the path. Those are mistakes in where the user
pointed annex (or facts about their machine), not bugs, so the command line turns any OSError
that carries an errno below into one located Chinese message (`AnnexGroup.invoke`, the one place;
the web front end can call `describe` the same way). An OSError without one of these errnos is not
explained away: it keeps its traceback.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from pipeline.errors import Abort

REASONS = {
    errno.ENOENT: "不存在（或路径中的某个文件夹不存在）",
    errno.ENAMETOOLONG: "名字太长：一个文件夹或文件的名字最多 255 字节（约 85 个汉字），整个路径最多 4096 字节",
    errno.EACCES: "没有权限读写这里",
    errno.EPERM: "系统不允许在这里这样操作",
    errno.EROFS: "在只读的磁盘或文件系统上，不能写入",
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "超出了磁盘配额",
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.EISDIR: "是一个文件夹，这里需要的是文件",
    errno.ELOOP: "经过的符号链接太多（可能是互相指向的链接）",
    errno.EEXIST: "已经存在",
    errno.ENOTEMPTY: "文件夹不是空的",
    errno.EXDEV: "与目标不在同一个磁盘上，无法直接移动",
    errno.EBUSY: "正被别的程序占用",
    errno.ETXTBSY: "正被别的程序占用",
    errno.EIO: "读写出错（磁盘或网络存储故障）",
    errno.EINVAL: "不能这样使用（例如 /proc 之类的系统文件夹）",
    errno.EMFILE: "同时打开的文件太多",
    errno.ENFILE: "系统同时打开的文件太多",
    errno.ENXIO: "不是可以读写的普通文件或文件夹",
    errno.ENODEV: "不是可以读写的普通文件或文件夹",
    errno.EOPNOTSUPP: "所在的文件系统不支持这个操作",
    errno.EFBIG: "文件太大",
    errno.EAGAIN: "暂时无法读写（被占用），请稍后再试",
}


class PathProblem(Abort):
    """An OSError on a path the user gave (or on the machine's disks), said in Chinese."""


def reason(e: OSError) -> str:
    """The system's reason, in Chinese when it is one we know (else the system's own words)."""
    return REASONS.get(e.errno, e.strerror or str(e))


def explained(e: BaseException) -> bool:
    return isinstance(e, OSError) and e.errno in REASONS


def describe(e: OSError, options: dict[str, Path] | None = None) -> str:
    """`<path>：<reason>`, naming the option (`--data`) whose path it is under, when one is."""
    from pipeline.files.paths import display_path

    path = e.filename if e.filename is not None else ""
    shown = os.fsdecode(path) if isinstance(path, bytes) else str(path)
    if shown:
        try:
            shown = display_path(Path(shown))
        except (OSError, ValueError):
            pass
        if len(shown) > 120:  # a name too long to read in a message: its two ends
            shown = shown[:40] + "…" + shown[-40:]
    option = _option_of(str(path), options or {})
    where = f"{option} 给出的路径" if option else "路径"
    text = f"{where} {shown}：{reason(e)}" if shown else reason(e)
    if e.filename2:
        text += f"（另一方：{e.filename2}）"
    return text + "。请检查路径后再运行" if option else text


def _option_of(path: str, options: dict[str, Path]) -> str:
    """The option whose value the failing path is, or lies under (the longest match)."""
    best, best_len = "", -1
    for name, value in options.items():
        v = os.path.abspath(value)
        p = os.path.abspath(path) if path else ""
        if p and (p == v or p.startswith(v.rstrip("/") + "/")) and len(v) > best_len:
            best, best_len = name, len(v)
    return best
