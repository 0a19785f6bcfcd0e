"""Places annex writes (and verifies) are reached without a link, at every depth.

Opening the last component with O_NOFOLLOW protects only the last component: a link planted one
level higher (build/archive -> /elsewhere, or a folder in an export's --out path) sends every
write below it out of the folder the user chose, and a check by lstat of the last component alone
passes. So every folder on the way from a trusted base (--out, the data folder, the working
folder) down to the target is looked at with lstat, and the first link is refused by name.

The base itself is the user's choice and may be a link (a build folder on another disk); what
lies below it is annex's to create and must be real folders.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline.errors import Abort
from pipeline.files.paths import link_target


class LinkOnTheWay(Abort):
    """A folder between the base and where annex writes is a symbolic link."""


def first_link(base: Path, target: Path) -> Path | None:
    """The first path from `base` (exclusive) down to `target` (inclusive) that is a symlink; None
    if there is none (components that do not exist yet end the walk: annex creates them). `target`
    is `base` joined with a relative path, taken as written: `a/../b` goes through `a`, as the
    system does (a lexical normalisation would skip a linked `a`)."""
    path = base
    for part in target.relative_to(base).parts:
        path = path / part
        try:
            st = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if stat.S_ISLNK(st.st_mode):
            return path
    return None


def refuse_links(base: Path, target: Path, doing: str) -> None:
    """Raise LinkOnTheWay when a folder between `base` and `target` (or `target`) is a link.
    `doing`: what annex was about to do there, a key of LINK_DOING (`archive`, `workbook`)."""
    from pipeline.problems.stops import LINK_DOING

    link = first_link(base, target)
    if link is not None:
        raise LinkOnTheWay("link-on-the-way", link=link, target=link_target(link), doing=LINK_DOING[doing], base=base)


def refuse_links_to_file(path: Path, doing: str) -> None:
    """For a file the user named (export --out): below the working folder, every folder on the
    way and the file itself are checked; an absolute path elsewhere, from the folder above the
    one it goes into (the user's own places above that, a linked home folder, are theirs)."""
    cwd = Path.cwd()
    if not path.is_absolute():
        refuse_links(cwd, cwd / path, doing)
    elif ".." not in path.parts and path.is_relative_to(cwd):
        refuse_links(cwd, path, doing)
    else:
        base = path.parent.parent if ".." not in path.parts else Path(path.anchor)
        refuse_links(base, path, doing)
