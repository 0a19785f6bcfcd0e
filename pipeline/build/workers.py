"""The render processes: started, fed and stopped here, and nowhere else.

A build forks its workers before it checks the data, so that their imports (WeasyPrint alone
takes ~0.6 s) overlap the check; `annex build --watch` keeps them between builds. With one job
there is no process to start: the same tasks run one after another in this process.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from pipeline.build import tasks
from pipeline.build.plan import FORMATS

WORKER_NICENESS = 5
MAX_CHUNK = 4  # forms per worker task: an even spread, a lively progress bar, a quick stop on Ctrl-C
SCRATCH_PREFIX = "annex-work-"  # + the build's pid: the workers' temporary folder


@dataclass(frozen=True)
class Task:
    fn: Callable
    args: tuple
    what: object  # what the caller needs to know when it is done (the chunk, the bundle's format)


class Workers:
    """Render processes for one build, or kept between the builds of one `annex build --watch`:
    there each imports and warms up WeasyPrint once, not once per build (0.8 s of every build).

    No lock is held by them: each build takes the year's lock as usual. A build that fails while
    rendering ends them (they may be writing into its staging folder); the next one forks anew.
    Their temporary files (WeasyPrint's copies of the fonts) go into one folder, removed with them.
    """

    def __init__(self, formats: Sequence[str], jobs: int, start_method: str = "fork"):
        """`start_method`: "fork" for a build or --watch; "forkserver" in a server, whose threads
        hold other builds' locks: a forked worker would keep those locks open as long as it lives."""
        self.formats = tuple(f for f in FORMATS if f in formats)
        self.jobs = jobs
        self.start_method = start_method
        self._pool: ProcessPoolExecutor | None = None
        self._scratch: Path | None = None

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, exc_type, _exc, _tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.stop()

    def start(self, year_dir: Path, lock_fd: int | None = None, warm: str | None = None) -> None:
        """Fork the workers now (unless running, or one job): they import the renderers and warm up
        a variant (`warm`, else the one year_dir's department.yaml names) while this process checks
        the data. `lock_fd`: the build lock's descriptor, which they must not keep open."""
        if self.jobs <= 1 or self._pool is not None:
            return
        if warm is None:
            from pipeline.input import variant_hint

            warm = variant_hint(year_dir)
        if "pdf" in self.formats:
            _remove_orphaned_scratch()
            self._scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        forked = self.start_method == "fork"
        self._pool = ProcessPoolExecutor(
            self.jobs, mp_context=_fork_context() if forked else _context(self.start_method),
            initializer=_init_process,
            # Only a forked worker inherits the lock's descriptor (elsewhere the number names another file).
            initargs=(self.formats, warm, lock_fd if forked else None, str(self._scratch) if self._scratch else None,
                      None if forked else os.getpid()))
        self._pool.submit(_started)

    @property
    def processes(self) -> int:
        return self.jobs if self._pool is not None else 1

    def chunks(self, jobs: list) -> list[list]:
        size = max(1, min(MAX_CHUNK, math.ceil(len(jobs) / (self.processes * 4))))
        return [jobs[i:i + size] for i in range(0, len(jobs), size)]

    def run(self, batch: Sequence[Task]) -> Iterator[tuple[Task, object]]:
        """Each task with its result, as each finishes: across the workers, or here in turn."""
        if self._pool is None:
            tasks.init_worker(self.formats)
            for task in batch:
                yield task, task.fn(*task.args)
            return
        pending = {self._pool.submit(task.fn, *task.args): task for task in batch}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield pending.pop(future), future.result()

    def close(self) -> None:
        """After a build: let the workers finish and exit."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        self._forget()

    def stop(self) -> None:
        """After a failure or Ctrl-C: drop the waiting tasks and end the workers now, whether they
        are importing or rendering (into a staging folder about to be removed). Safe to call twice."""
        if self._pool is not None:
            processes = _processes(self._pool)
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join()
        self._forget()

    def _forget(self) -> None:
        self._pool = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


def _processes(pool: ProcessPoolExecutor) -> list:
    """The pool's processes, to end them now. Python 3.14 has ProcessPoolExecutor.terminate_workers;
    until then (requires-python >= 3.11) the executor's private `_processes` dict (pid -> Process,
    None once shut down) is the only way: it exists unchanged from 3.8 to 3.13."""
    return list((pool._processes or {}).values())  # noqa: SLF001 - see above


def _remove_orphaned_scratch() -> None:
    """The workers' folders of builds that were killed (SIGKILL leaves no chance to clean up)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        pid = folder.name[len(SCRATCH_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's
    return True


def _init_process(formats: Sequence[str], warm: str | None, lock_fd: int | None, scratch: str | None,
                  owner: int | None = None) -> None:
    if lock_fd is not None:
        try:
            os.close(lock_fd)  # the build lock must die with the build, not live on in its workers
        except OSError:
            pass  # not inherited (a spawned, not forked, worker)
    _die_with_parent()
    if owner is not None:
        _die_with(owner)
    # The workers start while this process checks the data: let the check, on the critical path,
    # go first. (Alone on the machine afterwards, a lower priority costs nothing.)
    os.nice(WORKER_NICENESS)
    if scratch is not None:
        # A worker ends without running atexit (and is terminated on Ctrl-C): its temporary
        # files go where the parent removes them.
        tempfile.tempdir = scratch
    tasks.init_worker(formats, warm)


def _started() -> None:
    """The first task: it makes the pool fork its workers now, while the data is checked."""


def _die_with_parent() -> None:
    """A killed build must not leave workers rendering into a folder nobody will use."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG, Linux only
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        # The parent ends its workers with SIGTERM; a watching parent's own handler (raise
        # KeyboardInterrupt) must not be inherited, or each worker would print a traceback.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except (AttributeError, OSError):
        pass


def _die_with(pid: int) -> None:
    """A worker started by a fork server has that server for parent, not the process it renders
    for; when that process is killed (kill -9), the worker must end too, or it and the fork
    server (which waits for every client to close) would live on."""
    import select
    import threading
    import time

    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None

    def watch() -> None:
        if fd is not None:
            select.select([fd], [], [])
        else:
            while _alive(pid):
                time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="annex-owner-watch").start()


def _fork_context():
    import multiprocessing

    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


def _context(method: str):
    import multiprocessing

    return multiprocessing.get_context(method)
