"""The sha256 of the files in build/<year>/, hashed at most once while a file stays untouched.

A file under build/ is annex's own only when its bytes hash to what annex recorded writing. Its
size and mtime prove nothing: `cp -p`, `rsync -t`, unzip, a restore from backup and `touch -r`
give an edited file any mtime, and a same-size edit is common (one digit fixed in Word). So every
check hashes, unless this cache already hashed the very same inode in the very same state.

The cache is keyed on (device, inode) and trusts an entry only when size, mtime_ns *and* ctime_ns
all still match. ctime is the one timestamp no user tool can set: the kernel stamps it with the
current time on every write, chmod, link, unlink and rename of the inode, and there is no utimes()
for it (`cp -p`, `touch -r`, rsync and unzip can only set atime and mtime). An edit therefore
always moves ctime forward, whatever it does to mtime; a file replaced by another is another inode
or, if the number is reused, one with a new ctime.

The one gap is a coarse clock: on a file system that keeps ctime to the second (or two, on FAT),
an edit in the same tick as the hash would leave ctime unchanged. So, as git does for its index
("racily clean" entries), an entry is kept only for a file whose ctime was already at least
`SETTLED_NS` old when it was hashed; a fresher file is hashed again next time. Losing or corrupting
the cache file only costs time: anything unreadable in it is ignored.
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

from pipeline.files.digest import sha256_file
from pipeline.files.write import write_atomic

SETTLED_NS = 3_000_000_000  # coarser than any file system's timestamps (FAT: 2 s)
MAX_CACHE_BYTES = 64 * 1024 * 1024


def cache_path(out: Path, year: int) -> Path:
    """Beside the year's lock, outside build/<year>/ (which is swapped whole by every build)."""
    return out / f".{year}.hashes.json"


class Hashes:
    """sha256 by inode for one run; `save()` keeps the settled entries for the next run."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self._entries: dict[str, list] = {}
        self._dirty = False
        if path is not None:
            self._entries = _load(path)

    def sha256(self, path: str | os.PathLike, st: os.stat_result) -> str:
        """The hash of the regular file at `path`, whose lstat is `st`."""
        key = f"{st.st_dev}:{st.st_ino}"
        sig = [st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        entry = self._entries.get(key)
        if entry is not None and entry[:3] == sig:
            return entry[3]
        digest = sha256_file(path)
        after = os.lstat(path)
        settled = time.time_ns() - st.st_ctime_ns >= SETTLED_NS
        if settled and [after.st_size, after.st_mtime_ns, after.st_ctime_ns] == sig and after.st_ino == st.st_ino:
            self._entries[key] = sig + [digest]
            self._dirty = True
        return digest

    def save(self) -> None:
        """Write the cache (best effort: a cache that cannot be written is only slower next time)."""
        if self.path is None or not self._dirty:
            return
        try:
            write_atomic(self.path, json.dumps(self._entries, separators=(",", ":")).encode())
        except OSError:
            pass


def _load(path: Path) -> dict[str, list]:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return {}
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CACHE_BYTES:
            return {}
        with os.fdopen(fd, "rb", closefd=False) as f:
            raw = json.loads(f.read(MAX_CACHE_BYTES + 1))
    except (OSError, ValueError):
        return {}
    finally:
        os.close(fd)
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items()
            if isinstance(v, list) and len(v) == 4 and all(isinstance(x, int) for x in v[:3]) and isinstance(v[3], str)}
