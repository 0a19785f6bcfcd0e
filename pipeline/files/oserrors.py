"""What the system said about a path, in words a clerk can act on.

A 300-byte folder name, a path under /proc/self, a read-only disk or a full one: the system says
so with an errno, and Python raises OSError with the path. Those are mistakes in where the user
pointed annex (or facts about their machine), not bugs, so the command line turns any OSError
that carries an errno below into one located Chinese message (`AnnexCommand.invoke`, the one place;
the web front end can call `describe` the same way). An OSError without one of these errnos is not
explained away: it keeps its traceback.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from pipeline.errors import Abort
from pipeline.problems.stops import OS_REASONS, stop_text

REASONS = {getattr(errno, name): text for name, text in OS_REASONS.items() if hasattr(errno, name)}


class PathProblem(Abort):
    """An OSError on a path the user gave (or on the machine's disks), said in Chinese."""


def reason(e: OSError) -> str:
    """The system's reason, in Chinese when it is one we know (else the system's own words)."""
    return REASONS.get(e.errno, e.strerror or str(e))


def explained(e: BaseException) -> bool:
    return isinstance(e, OSError) and e.errno in REASONS


def fields(e: OSError, options: dict[str, Path] | None = None) -> tuple[str, dict[str, str]]:
    """The code (`path-error-option` or `path-error`) and its fields: the path (shortened when too long to read), the option whose
    path it is (`--data`) when one is, the reason in Chinese."""
    from pipeline.files.paths import display_path

    path = e.filename if e.filename is not None else ""
    shown = os.fsdecode(path) if isinstance(path, bytes) else str(path)
    if shown:
        try:
            shown = display_path(Path(shown))
        except (OSError, ValueError):
            pass
        if len(shown) > 120:  # a name too long to read in a message: its two ends
            shown = shown[:40] + "…" + shown[-40:]
    option = _option_of(str(path), options or {})
    if option:
        return "path-error-option", {"option": option, "path": shown, "reason": reason(e)}
    return "path-error", {"path": shown, "reason": reason(e)}


def describe(e: OSError, options: dict[str, Path] | None = None) -> str:
    """`<where> <path>：<reason>` as one line (for a message that goes on, as --watch's)."""
    code, values = fields(e, options)
    return stop_text(code, **values)


def problem(e: OSError, options: dict[str, Path] | None = None) -> PathProblem:
    code, values = fields(e, options)
    return PathProblem(code, **values)


def _option_of(path: str, options: dict[str, Path]) -> str:
    """The option whose value the failing path is, or lies under (the longest match)."""
    best, best_len = "", -1
    for name, value in options.items():
        v = os.path.abspath(value)
        p = os.path.abspath(path) if path else ""
        if p and (p == v or p.startswith(v.rstrip("/") + "/")) and len(v) > best_len:
            best, best_len = name, len(v)
    return best
