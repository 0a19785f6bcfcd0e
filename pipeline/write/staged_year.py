"""A year folder of the data written as one step: staged whole, then swapped in, with a journal that
the next annex command completes if the writer was killed.

`annex import --replace`, SIGKILLed midway, used to leave a year with 3 of its 30 projects replaced
and the rest old, plus `.….yaml.PID.tmp` files that check ignored and the next build archived. Now:

1. the new year is written whole into `DIR/.<Y>.staging-<pid>/` (each file fsynced, then the folder);
2. a journal `DIR/.<Y>.swap.json` names the staging folder and where the old year goes
   (`DIR/<Y>.导入前-<时间>/`, kept: the data folder is the user's, nothing in it is deleted);
   writing it is the commit point;
3. the old year is renamed aside, the staging folder renamed to `DIR/<Y>`, the journal removed.

Killed before 2, the staging folder is an unfinished write: the next command removes it and the
year is as it was. Killed after 2, the next command finishes 3 (both renames are idempotent by
checking what exists). Every command that takes --data runs `recover` first (AnnexCommand.invoke),
under the same lock as the writer, and removes temporary files of annex's writers whose process
is gone (`.<name>.<pid>[.<random>].tmp`), so none is ever read or archived.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.files.paths import stamped_free_path
from pipeline.files.write import fsync_dir, write_atomic

ASIDE_MARK = ".导入前-"
_YEAR = re.compile(r"\d{4}")
_TEMP = re.compile(r"\..+\.(\d+)(\.[A-Za-z0-9_]+)?\.tmp")


def journal_path(data: Path, year: str) -> Path:
    return data / f".{year}.swap.json"


def staging_path(data: Path, year: str) -> Path:
    return data / f".{year}.staging-{os.getpid()}"


def aside_path(data: Path, year: str) -> Path:
    return stamped_free_path(data, f"{year}{ASIDE_MARK}")


@contextmanager
def data_lock(data: Path, blocking: bool = True) -> Iterator[bool]:
    """One writer of the data folder's years at a time (and no recovery while one writes).
    Yields False when not blocking and another process holds it."""
    fd = os.open(data / ".annex-data.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Swap:
    year: str
    staging: str
    aside: str | None  # where the previous year goes (None: there was none)

    def to_json(self) -> bytes:
        return json.dumps({"year": self.year, "staging": self.staging, "aside": self.aside}).encode()


def commit(data: Path, swap: Swap, hooks=None) -> None:
    """Steps 2 and 3: the journal, then the swap. `hooks`: called with a step's name before it
    (tests stop a real process there)."""
    call_hook(hooks, "journal")
    write_atomic(journal_path(data, swap.year), swap.to_json())
    _finish(data, swap, hooks)


def _finish(data: Path, swap: Swap, hooks=None) -> None:
    year_dir, staging = data / swap.year, data / swap.staging
    if os.path.lexists(staging):
        if swap.aside is not None and os.path.lexists(year_dir) and not os.path.lexists(data / swap.aside):
            call_hook(hooks, "aside")
            os.rename(year_dir, data / swap.aside)
        call_hook(hooks, "swap")
        os.rename(staging, year_dir)
        fsync_dir(data)
    call_hook(hooks, "done")
    journal_path(data, swap.year).unlink(missing_ok=True)
    fsync_dir(data)


def call_hook(hooks, step: str) -> None:
    if hooks is not None:
        hooks(step)


def recover(data: Path) -> list[str]:
    """Complete or roll back what a killed writer left in `data`; returns what was done (relative
    names, for a message). Skipped while a writer holds the lock."""
    try:
        names = os.listdir(data)
    except OSError:
        return []
    left = [n for n in names if re.fullmatch(r"\.\d{4}\.(swap\.json|staging-\d+)", n)]
    if not left and not _years_with_temps(data, names):
        return []  # the common case: nothing to do, no lock taken
    done = []
    try:
        with data_lock(data, blocking=False) as locked:
            if not locked:
                return []
            for name in sorted(names):
                m = re.fullmatch(r"\.(\d{4})\.swap\.json", name)
                if m:
                    swap = _read_journal(data / name)
                    if swap is not None:
                        _finish(data, swap)
                        done.append(f"完成了上次被中断的写入：{swap.year}")
            for name in sorted(os.listdir(data)):
                if re.fullmatch(r"\.\d{4}\.staging-\d+", name) and (data / name).is_dir() \
                        and not (data / name).is_symlink():
                    shutil.rmtree(data / name)  # annex's own, never a link (is_dir on a real folder)
                    done.append(f"删除了上次被中断、未完成的写入：{name}")
            for folder, name in _years_with_temps(data, os.listdir(data)):
                os.unlink(folder / name)
                done.append(f"删除了残留的临时文件：{(folder / name).relative_to(data).as_posix()}")
    except OSError as e:
        if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return []  # a read-only data folder: nothing can have been left half-written by us
        raise
    return done


def _read_journal(path: Path) -> Swap | None:
    try:
        raw = json.loads(path.read_bytes()[:4096])
        swap = Swap(str(raw["year"]), str(raw["staging"]), raw["aside"] and str(raw["aside"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    ok = _YEAR.fullmatch(swap.year) and re.fullmatch(rf"\.{swap.year}\.staging-\d+", swap.staging) \
        and (swap.aside is None or (swap.aside.startswith(swap.year + ASIDE_MARK) and "/" not in swap.aside))
    return swap if ok else None


def _years_with_temps(data: Path, names: list[str]) -> list[tuple[Path, str]]:
    """Temporary files of annex's writers in the year folders whose process is gone."""
    found = []
    for name in names:
        if not _YEAR.fullmatch(name):
            continue
        for folder in (data / name, data / name / "projects"):
            try:
                entries = os.listdir(folder)
            except OSError:
                continue
            for entry in entries:
                m = _TEMP.fullmatch(entry)
                if m and not _alive(int(m.group(1))) and os.path.isfile(folder / entry) \
                        and not os.path.islink(folder / entry):
                    found.append((folder, entry))
    return found


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
