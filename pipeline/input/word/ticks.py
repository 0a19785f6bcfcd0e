"""Reading a printed checkbox group: which option is ticked, in every way Word and WPS users tick.

A group prints its options numbered (`1、部门预算项目 ☑  2、市直专项 ☐`), the box after its label as
annex prints it, or before it (`☑1、部门预算项目`), or both when a box was added and the old one
left (`1、☑部门预算项目☐ 2、…`). The options are found by their numbers (the label beside a number
may differ from the form's: `省直专项` for `市直专项`), else by their labels; each box belongs to the
option whose part of the text holds it, or to the next option when the boxes come first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CHECKED = frozenset("☑☒■√✓✔")
UNCHECKED = frozenset("☐□")
MARKS = CHECKED | UNCHECKED

_NUMBER = re.compile(r"(\d{1,2})\s*[、.．)）]")


@dataclass(frozen=True)
class GroupReading:
    chosen: str | None  # the ticked option, as the form names it; None when none or several
    ticked: tuple[str, ...]  # every ticked option (several: the user must choose)
    boxes: int  # marks found
    found_options: bool = True  # False: neither the numbers nor the labels of the options were found
    renamed: tuple[tuple[int, str, str], ...] = field(default=())  # (number, printed, form's) where they differ


def read_group(text: str, options: tuple[str, ...]) -> GroupReading:
    marks = [(m.start(), m.group(0) in CHECKED) for m in re.finditer(f"[{''.join(sorted(MARKS))}]", text)]
    starts = _by_numbers(text, len(options))
    renamed: list[tuple[int, str, str]] = []
    if starts is not None:
        for k, (start, end) in enumerate(starts):
            printed = _plain(text[start:end])
            if printed and printed != options[k]:
                renamed.append((k + 1, printed, options[k]))
    else:
        starts = _by_labels(text, options)
    if starts is None:
        return GroupReading(None, (), len(marks), found_options=False)
    first_start = starts[0][0]
    boxes_first = bool(marks) and marks[0][0] < first_start
    ticked: list[str] = []
    for pos, is_checked in marks:
        if not is_checked:
            continue
        k = _owner(pos, starts, boxes_first)
        if k is not None:
            ticked.append(options[k])
    ticked_marks = sum(1 for _, c in marks if c)
    chosen = ticked[0] if ticked_marks == 1 and len(ticked) == 1 else None
    return GroupReading(chosen, tuple(ticked), len(marks), renamed=tuple(renamed))


def _owner(pos: int, starts: list[tuple[int, int]], boxes_first: bool) -> int | None:
    """The option a mark at `pos` belongs to: the part it is in, or (boxes first) the next part."""
    if boxes_first:
        for k, (start, _) in enumerate(starts):
            if pos < start:
                return k
        return len(starts) - 1
    owner = None
    for k, (start, _) in enumerate(starts):
        if pos >= start:
            owner = k
    return owner if owner is not None else 0


def _by_numbers(text: str, n: int) -> list[tuple[int, int]] | None:
    """The options' parts when the text numbers them 1..n in order: (start, end of its label)."""
    found = []
    expected = 1
    for m in _NUMBER.finditer(text):
        if int(m.group(1)) == expected:
            found.append(m)
            expected += 1
    if len(found) != n:
        return None
    return [(m.end(), found[k + 1].start() if k + 1 < n else len(text)) for k, m in enumerate(found)]


def _by_labels(text: str, options: tuple[str, ...]) -> list[tuple[int, int]] | None:
    positions = []
    for label in options:
        i = text.find(label)
        if i < 0:
            return None
        positions.append(i)
    if positions != sorted(positions):
        return None
    return [(p, p + len(label)) for p, label in zip(positions, options)]


def _plain(text: str) -> str:
    return re.sub(rf"[\s{''.join(sorted(MARKS))}]", "", text)
