"""The server's own records, in one SQLite file (`<root>/annex.db`), created on first start.

A connection per operation: handlers run in a thread pool and builds in threads of their own, and
SQLite serialises the writers itself (WAL: readers never wait for them).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY, workspace TEXT NOT NULL, hash TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, workspace TEXT NOT NULL, csrf TEXT NOT NULL,
    created REAL NOT NULL, seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, workspace TEXT NOT NULL, year INTEGER NOT NULL, user TEXT NOT NULL,
    note TEXT NOT NULL, state TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '', changed TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL, finished REAL);
CREATE INDEX IF NOT EXISTS jobs_ws ON jobs (workspace, created);
CREATE TABLE IF NOT EXISTS audit (
    at REAL NOT NULL, user TEXT NOT NULL, workspace TEXT NOT NULL, address TEXT NOT NULL,
    action TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS failures (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS failures_key ON failures (key, at);
"""

# A job's states: waiting for a slot, building, and how it ended.
QUEUED, RUNNING, DONE, FAILED, INTERRUPTED = "queued", "running", "done", "failed", "interrupted"
ACTIVE = (QUEUED, RUNNING)


@dataclass(frozen=True)
class Account:
    name: str
    workspace: str
    hash: str


@dataclass(frozen=True)
class SessionRow:
    id: str
    name: str
    workspace: str
    csrf: str
    created: float
    seen: float


@dataclass(frozen=True)
class JobRow:
    id: str
    workspace: str
    year: int
    user: str
    note: str
    state: str
    message: str
    version: str
    changed: str
    created: float
    finished: float | None


class Database:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
        with self.connect() as c:
            c.execute("PRAGMA journal_mode=WAL")
            c.executescript(SCHEMA)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        c = sqlite3.connect(self.path, timeout=30)
        try:
            with c:  # commits, or rolls back on an exception
                yield c
        finally:
            c.close()

    # --- accounts ---------------------------------------------------------------------------------

    def account(self, name: str) -> Account | None:
        with self.connect() as c:
            row = c.execute("SELECT name, workspace, hash FROM accounts WHERE name = ?", (name,)).fetchone()
        return Account(*row) if row else None

    def accounts(self) -> list[Account]:
        with self.connect() as c:
            return [Account(*r) for r in c.execute("SELECT name, workspace, hash FROM accounts ORDER BY workspace, name")]

    def add_account(self, name: str, workspace: str, hash_: str, now: float) -> None:
        with self.connect() as c:
            c.execute("INSERT INTO accounts VALUES (?, ?, ?, ?)", (name, workspace, hash_, now))

    def set_hash(self, name: str, hash_: str) -> None:
        with self.connect() as c:
            c.execute("UPDATE accounts SET hash = ? WHERE name = ?", (hash_, name))
            c.execute("DELETE FROM sessions WHERE name = ?", (name,))  # a new password ends every session

    def remove_account(self, name: str) -> bool:
        with self.connect() as c:
            c.execute("DELETE FROM sessions WHERE name = ?", (name,))
            return c.execute("DELETE FROM accounts WHERE name = ?", (name,)).rowcount > 0

    # --- sessions ---------------------------------------------------------------------------------

    def add_session(self, row: SessionRow) -> None:
        with self.connect() as c:
            c.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                      (row.id, row.name, row.workspace, row.csrf, row.created, row.seen))

    def session(self, id_: str) -> SessionRow | None:
        with self.connect() as c:
            row = c.execute("SELECT id, name, workspace, csrf, created, seen FROM sessions WHERE id = ?",
                            (id_,)).fetchone()
        return SessionRow(*row) if row else None

    def touch_session(self, id_: str, now: float) -> None:
        with self.connect() as c:
            c.execute("UPDATE sessions SET seen = ? WHERE id = ?", (now, id_))

    def end_session(self, id_: str) -> None:
        with self.connect() as c:
            c.execute("DELETE FROM sessions WHERE id = ?", (id_,))

    def end_sessions_before(self, created: float, seen: float) -> None:
        with self.connect() as c:
            c.execute("DELETE FROM sessions WHERE created < ? OR seen < ?", (created, seen))

    # --- login failures ---------------------------------------------------------------------------

    def failures(self, key: str, since: float) -> list[float]:
        with self.connect() as c:
            return [r[0] for r in c.execute("SELECT at FROM failures WHERE key = ? AND at >= ? ORDER BY at",
                                            (key, since))]

    def add_failure(self, key: str, now: float) -> None:
        with self.connect() as c:
            c.execute("INSERT INTO failures VALUES (?, ?)", (key, now))

    def forget_failures(self, before: float) -> None:
        with self.connect() as c:
            c.execute("DELETE FROM failures WHERE at < ?", (before,))

    def clear_failures(self, key: str) -> None:
        with self.connect() as c:
            c.execute("DELETE FROM failures WHERE key = ?", (key,))

    # --- jobs -------------------------------------------------------------------------------------

    _JOB = "SELECT id, workspace, year, user, note, state, message, version, changed, created, finished FROM jobs"

    def add_job(self, job: JobRow) -> None:
        with self.connect() as c:
            c.execute("INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (job.id, job.workspace, job.year, job.user, job.note, job.state, job.message, job.version,
                       job.changed, job.created, job.finished))

    def job(self, id_: str, workspace: str) -> JobRow | None:
        """A job of this workspace only: another workspace's is not found."""
        with self.connect() as c:
            row = c.execute(self._JOB + " WHERE id = ? AND workspace = ?", (id_, workspace)).fetchone()
        return JobRow(*row) if row else None

    def active_job(self, workspace: str) -> JobRow | None:
        with self.connect() as c:
            row = c.execute(self._JOB + " WHERE workspace = ? AND state IN (?, ?) ORDER BY created LIMIT 1",
                            (workspace, *ACTIVE)).fetchone()
        return JobRow(*row) if row else None

    def last_job(self, workspace: str, year: int) -> JobRow | None:
        with self.connect() as c:
            row = c.execute(self._JOB + " WHERE workspace = ? AND year = ? ORDER BY created DESC LIMIT 1",
                            (workspace, year)).fetchone()
        return JobRow(*row) if row else None

    def set_job(self, id_: str, **fields: object) -> None:
        names = ", ".join(f"{k} = ?" for k in fields)
        with self.connect() as c:
            c.execute(f"UPDATE jobs SET {names} WHERE id = ?", (*fields.values(), id_))

    def interrupt_jobs(self, now: float) -> int:
        """At start: jobs a stopped server was running never finished; say so."""
        with self.connect() as c:
            return c.execute("UPDATE jobs SET state = ?, finished = ?, message = ? WHERE state IN (?, ?)",
                             (INTERRUPTED, now, "服务器重启，生成被中断；没有留下不完整的版本。请重新生成。",
                              *ACTIVE)).rowcount

    # --- the audit log ----------------------------------------------------------------------------

    def audit(self, at: float, user: str, workspace: str, address: str, action: str, detail: str = "") -> None:
        with self.connect() as c:
            c.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?)", (at, user, workspace, address, action, detail))

    def audit_rows(self, workspace: str | None = None) -> list[tuple]:
        with self.connect() as c:
            if workspace is None:
                return list(c.execute("SELECT * FROM audit ORDER BY at"))
            return list(c.execute("SELECT * FROM audit WHERE workspace = ? ORDER BY at", (workspace,)))
