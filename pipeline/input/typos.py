"""The one rule for "did you mean": a key, column header or label within a typo of a known one.

Every source (YAML keys, CSV headers, each sheet's headers and the 单位 sheet's keys) asks here, so
that a near-miss gets the same suggestion wherever it is typed.
"""

from __future__ import annotations

import difflib

# difflib ratio: 实施单位/项目实施单位 0.8, 项目名/项目名称 0.86, 三级指/三级指标 0.86; 项目负责人/项目属性 0.44 is not a typo
TYPO_CUTOFF = 0.6


def _squash(text: str) -> str:
    return "".join(text.split())


def meant(text: str, known) -> str | None:
    """The known name `text` is a near-miss of (spaces inside ignored: 评 分 is 评分), or None."""
    known = list(known)
    squashed = {_squash(k): k for k in known}
    if _squash(text) in squashed and _squash(text) != text:
        return squashed[_squash(text)]
    close = difflib.get_close_matches(_squash(text), known, n=1, cutoff=TYPO_CUTOFF)
    return close[0] if close else None
