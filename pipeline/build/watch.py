"""`annex build --watch`: build again whenever a file of the year's data or of the templates changes.

The folders are polled (a stat of a few dozen files every POLL_S): no dependency, and it sees
every way a file gets saved (in place, through a temporary file and a rename, from Excel).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

POLL_S = 0.1

Snapshot = tuple[tuple[str, int, int], ...]


def snapshot(folders: Sequence[Path]) -> Snapshot:
    """(path, mtime in ns, size) of every file under the folders; a file being removed mid-walk
    simply drops out."""
    seen = []
    for top in folders:
        for folder, dirs, names in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                path = os.path.join(folder, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                seen.append((path, st.st_mtime_ns, st.st_size))
    return tuple(seen)


def watch(folders: Sequence[Path], rebuild: Callable[[], object], sleep: Callable[[float], None] = time.sleep,
          rounds: int | None = None) -> None:
    """Call `rebuild` now, then after each change under `folders`, until interrupted (Ctrl-C).

    A change is acted on once the files stay still for one poll: a save that writes a file in
    several steps gives one build, not a build of half a file. `rounds` (tests): stop after
    that many polls."""
    seen = snapshot(folders)
    rebuild()
    polls = 0
    while rounds is None or polls < rounds:
        sleep(POLL_S)
        polls += 1
        now = snapshot(folders)
        if now == seen:
            continue
        while True:
            sleep(POLL_S)
            settled = snapshot(folders)
            if settled == now:
                break
            now = settled
        # Taken before the build: a save during the build is seen at the next poll.
        seen = now
        rebuild()
