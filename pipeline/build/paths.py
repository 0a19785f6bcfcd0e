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
from pipeline.files.paths import link_target
from pipeline.problems.stops import OVERLAP
from pipeline.files.links import refuse_links


TABLES_DIR = "分表"  # build/<year>/分表: the tables (pipeline.build.TABLES_DIR)
CACHE_DIR = ".annex-cache"  # build/.annex-cache/<year>/: what a build keeps for the next (staging.pieces_dir)


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
        how = "same"
    elif _inside(dest, data):
        how = "inside"
    elif _inside(data, dest):
        how = "contains"
    else:
        return
    raise OutputOverlapsData("output-overlaps-data", out=out, data=data_dir, how=OVERLAP[how])


def check_year_output(out: Path, year: int, archive: bool = True) -> None:
    """out/<year> must be a folder annex made, not a link to somewhere else (it is swapped and
    its previous contents deleted); and no folder on the way from --out to where the build and the
    archive write may be a link, at any depth (files/links.py)."""
    target = out / str(year)
    for path in (target, target / TABLES_DIR, out / CACHE_DIR, out / CACHE_DIR / str(year)):
        _our_folder(path, year)
    if archive:
        from pipeline.archive import archive_dir

        refuse_links(out, archive_dir(out, year), "archive")


def _our_folder(target: Path, year: int) -> None:
    try:
        st = os.lstat(target)
    except (FileNotFoundError, NotADirectoryError):
        return
    if stat.S_ISLNK(st.st_mode):
        raise OutputNotOurs("output-is-link", target=target, points_to=link_target(target))
    if not stat.S_ISDIR(st.st_mode):
        raise OutputNotOurs("output-not-folder", target=target, year=year)
