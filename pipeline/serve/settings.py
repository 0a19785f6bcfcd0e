"""Where the server keeps things and the limits it works within."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DB_NAME = "annex.db"
DEFAULT_ROOT = Path("workspaces")


def default_slots() -> int:
    """Builds at a time across workspaces: each uses two render processes, so cores / 2."""
    return max(1, (os.cpu_count() or 2) // 2)


@dataclass(frozen=True)
class Settings:
    root: Path  # annex.db and one folder per workspace
    session_idle: float = 8 * 3600  # a session unused this long has ended
    session_max: float = 24 * 3600  # and none outlives this
    build_slots: int = field(default_factory=default_slots)
    build_jobs: int = 2  # render processes per build
    warm: bool = True  # keep render processes between builds (off in tests that never build)
    clock: Callable[[], float] = time.time

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME
