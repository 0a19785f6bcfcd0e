"""Reading one of the user's data files, a refusal reported where the file is.

The reading itself is pipeline/files/read.py (regular files only, never through a link, the size
known first); here a refusal becomes a located problem in the user's words.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.files.read import Refused, read_regular
from pipeline.problems.refusals import refusal_fields
from pipeline.problems.records import Issues, Loc


def read_or_report(path: Path, limit: int, loc: Loc, issues: Issues) -> bytes | None:
    """The file's bytes, or None with the refusal recorded in `issues` at `loc`."""
    try:
        return read_regular(path, limit)
    except FileNotFoundError:
        issues.report("file-unreadable", loc, **refusal_fields("file-unreadable", {"reason": "vanished"}))
    except Refused as r:
        issues.report(r.code, loc, **refusal_fields(r.code, r.fields))
    return None
