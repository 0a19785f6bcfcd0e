"""Where a build may write: never into the data, never through a link it did not make.

`annex build --out data` once exchanged data/<year> with the staging folder and then deleted the
staging folder, which by then held the user's data. The output folder and the data folder must
be disjoint (neither is, contains or lies inside the other), checked on the real paths (after
following links) before anything is created.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline.errors import Abort
from pipeline.files.links import refuse_links


TABLES_DIR = "分表"  # build/<year>/分表: the tables (pipeline.build.TABLES_DIR)


class OutputOverlapsData(Abort):
    """--out and --data share files: a build would write into, or delete, the user's data."""


class OutputNotOurs(Abort):
    """Something annex did not make stands where it writes (a link, a file instead of a folder)."""


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _inside(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def check_disjoint(data_dir: Path, out: Path, year_dir: Path | None = None) -> None:
    """Refuse an output folder that is, contains or lies inside the data folder, or the year
    folder (which may be a link to elsewhere): links followed."""
    _disjoint(data_dir, out)
    if year_dir is not None:
        _disjoint(year_dir, out)


def _disjoint(data_dir: Path, out: Path) -> None:
    data, dest = _real(data_dir), _real(out)
    if data == dest:
        how = "是同一个文件夹"
    elif _inside(dest, data):
        how = "在数据文件夹里面"
    elif _inside(data, dest):
        how = "包含数据文件夹"
    else:
        return
    raise OutputOverlapsData(
        f"输出文件夹 {out} 与数据文件夹 {data_dir} 重叠（输出文件夹{how}）：生成和归档会改写甚至删除数据。"
        "未写入任何文件。请用 --out 指定数据文件夹以外的文件夹，例如 --out build"
    )


def check_year_output(out: Path, year: int, archive: bool = True) -> None:
    """out/<year> must be a folder annex made, not a link to somewhere else (it is swapped and
    its previous contents deleted); and no folder on the way from --out to where the build and the
    archive write may be a link, at any depth (files/links.py)."""
    target = out / str(year)
    for path in (target, target / TABLES_DIR):
        _our_folder(path, year)
    if archive:
        from pipeline.archive import archive_dir

        refuse_links(out, archive_dir(out, year), "写入归档")


def _our_folder(target: Path, year: int) -> None:
    try:
        st = os.lstat(target)
    except (FileNotFoundError, NotADirectoryError):
        return
    if stat.S_ISLNK(st.st_mode):
        raise OutputNotOurs(
            f"{target} 是一个符号链接（指向 {os.readlink(target)}），不是 annex 生成的文件夹；"
            "annex 会替换并删除这里的旧输出，因此不经过链接写入。请删除这个链接后再运行 annex build"
        )
    if not stat.S_ISDIR(st.st_mode):
        raise OutputNotOurs(f"{target} 不是文件夹；annex 要在这里生成 {year} 年度的输出。请移走它后再运行 annex build")
