"""Builds off the request. One per workspace at a time (the same lock as `annex build`, and a
second 生成 while one is queued or running shows that one); across workspaces as many at once as
the settings' slots, which share the machine's cores. Each slot keeps its render processes
between builds (as `annex build --watch` does), so a rebuild after a one-figure fix costs about
what --watch costs, not a cold start. The job's row in the database says how it ended; a server
stopped mid-build leaves no half-written version (a build writes into a staging folder and swaps
it in whole), and on the next start the job is marked interrupted.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import secrets
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from pipeline.errors import Abort
from pipeline.serve.db import DONE, FAILED, QUEUED, RUNNING, Database, JobRow
from pipeline.serve.settings import Settings
from pipeline.serve.workspace import Workspace

log = logging.getLogger("annex.serve")
LOCK_WAIT = 600.0  # seconds a job waits for a command-line build of the same year


@dataclass
class Progress:
    phase: str = "排队等待"
    total: int = 0
    done: int = 0


@dataclass
class _Slot:
    workers: object  # pipeline.build.Workers, kept warm between builds


@dataclass
class Jobs:
    db: Database
    settings: Settings
    progress: dict[str, Progress] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(self.settings.build_slots, thread_name_prefix="annex-build")
        self._slots: queue.Queue[_Slot] = queue.Queue()
        self._all: list[_Slot] = []
        self._futures: dict[str, Future] = {}

    def start(self) -> None:
        """At server start: jobs a previous server left running are interrupted; each slot gets
        its render processes (forkserver: never forked from this threaded process, where other
        builds hold their locks open; they start with the slot's first build)."""
        self.db.interrupt_jobs(self.settings.clock())
        from pipeline.build import FORMATS, Workers

        if self.settings.warm:
            try:
                multiprocessing.set_forkserver_preload(["pipeline.build.tasks"])
            except ValueError:
                pass
        for _ in range(self.settings.build_slots):
            slot = _Slot(Workers(FORMATS, self.settings.build_jobs, start_method="forkserver"))
            self._all.append(slot)
            self._slots.put(slot)

    def stop(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        for slot in self._all:
            slot.workers.stop()

    def submit(self, ws: Workspace, year: int, user: str, note: str) -> JobRow:
        """A new job, or the workspace's job already queued or running."""
        with self._lock:
            active = self.db.active_job(ws.name)
            if active is not None:
                return active
            job = JobRow(secrets.token_hex(12), ws.name, year, user, note, QUEUED, "", "", "",
                         self.settings.clock(), None)
            self.db.add_job(job)
            self.progress[job.id] = Progress()
        for done in [k for k, f in self._futures.items() if f.done()]:
            del self._futures[done]
        self._futures[job.id] = self._pool.submit(self._run, job, ws)
        return job

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Until the job has ended (tests, and a server stopping)."""
        future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout)

    def _run(self, job: JobRow, ws: Workspace) -> None:
        slot = self._slots.get()
        try:
            self._build(job, ws, slot)
        finally:
            self._slots.put(slot)

    def _build(self, job: JobRow, ws: Workspace, slot: _Slot) -> None:
        from pipeline.archive.describe import change_summary
        from pipeline.build import BuildOptions, CheckFailed, Hooks, build

        progress = self.progress.setdefault(job.id, Progress())
        self.db.set_job(job.id, state=RUNNING)

        def rendering(total: int) -> None:
            progress.phase, progress.total, progress.done = "生成表格", total, 0

        def advance(n: int) -> None:
            progress.done += n

        def waiting(_holder: str) -> None:
            progress.phase = "等待另一个生成结束"

        def checking() -> None:
            progress.phase = "检查数据"

        hooks = Hooks(waiting=waiting, checking=checking, rendering=rendering, advance=advance)
        opts = BuildOptions(ws.year_dir(job.year), ws.out, jobs=self.settings.build_jobs if self.settings.warm else 1,
                            wait=LOCK_WAIT, note=job.note, made_by=job.user)
        try:
            report = build(opts, hooks, workers=slot.workers if self.settings.warm else None)
        except CheckFailed as e:
            self._finish(job, FAILED, f"数据有 {len(e.result.errors)} 个错误，没有生成；请先看检查结果，改正后再生成")
        except Abort as e:
            self._finish(job, FAILED, e.message)
        except Exception:
            log.exception("build of %s/%s failed", ws.name, job.year)
            self._finish(job, FAILED, "生成失败（服务器内部错误，已记入服务器日志）；请联系管理员")
        else:
            version = report.archived.name if report.archived else (report.archive_latest or "")
            if report.archived:
                changed = change_summary(report.archived)
            else:
                changed = f"内容与最新版本 {version} 相同，未另存新版本" if version else ""
            self._finish(job, DONE, "", version=version, changed=changed)
            self.db.audit(self.settings.clock(), job.user, ws.name, "", "build-done", f"{job.year} {version}")

    def _finish(self, job: JobRow, state: str, message: str, **more: str) -> None:
        self.db.set_job(job.id, state=state, message=message, finished=self.settings.clock(), **more)
        self.progress.pop(job.id, None)
