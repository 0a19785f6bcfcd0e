"""The 项目清单's PDF pieces in a build (pipeline/render/pieces.py), kept from build to build in
the year's cache folder (build/.annex-cache/<year>/, staging.pieces_dir).

The last build's pieces are kept where their window is unchanged; the others are laid out at
once, side by side, each where the last build's piece started; then the chain is checked from
the first row. A changed page that holds more or fewer rows than before moves the start of every
page after it: from there the rest is laid out in turn (keeping any piece whose window is still
the same). Either way the pieces are those a build from scratch lays out, one after another.

The cache folder is annex's own: what is in it and not in the last build's record (left by a
build that was stopped, or changed since) is deleted (paths.check_year_output has made sure the
folder is not a link), and so is every piece the new list no
longer uses once it is known. A piece is only ever read by the build that records it.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.build import tasks
from pipeline.build.state import PieceState
from pipeline.build.workers import Task, Workers
from pipeline.files.digest import sha256_file
from pipeline.form.summary import Summary
from pipeline.render.pieces import window
from pipeline.variant import Variant


@dataclass
class Pieces:
    summary: Summary
    variant: Variant
    salt: str  # what every piece depends on besides its window: styles, fonts, annex
    previous: list[PieceState]  # the last build's pieces, in order
    folder: Path  # the year's cache folder
    kept: dict[int, PieceState] = field(default_factory=dict)  # start -> the last build's piece, kept
    laid: dict[int, PieceState] = field(default_factory=dict)  # start -> a piece this build laid out
    _todo: list[tuple[int, bool]] = field(default_factory=list)  # (start, only that piece)

    def __post_init__(self) -> None:
        """Walk the last build's chain: keep each piece whose window is the same, lay out the
        others where the last build's started; past the last build's chain, lay out in turn."""
        self.previous = self._present(self.previous)
        at = {p.start: p for p in self.previous}
        start = 0
        while True:
            prev = at.get(start)
            if prev is None:
                self._todo.append((start, False))
                return
            if prev.key == window(self.summary, self.variant, start, self.salt).key:
                self.kept[start] = prev
            else:
                self._todo.append((start, True))
            if prev.closes:
                return
            start = prev.stop

    def _present(self, recorded: list[PieceState]) -> list[PieceState]:
        """The recorded pieces whose files are in the cache folder as written; every other file
        there is removed (a piece of a stopped build, or one changed since)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        by_name = {p.output.path: p for p in recorded}
        present = set()
        for entry in os.scandir(self.folder):
            p = by_name.get(entry.name)
            st = entry.stat(follow_symlinks=False)
            if p is not None and stat.S_ISREG(st.st_mode) and st.st_size == p.output.size \
                    and sha256_file(Path(entry.path)) == p.output.sha256:
                present.add(entry.name)
            elif not stat.S_ISDIR(st.st_mode):  # (a folder is not annex's: left alone)
                os.unlink(entry.path)
        return [p for p in recorded if p.output.path in present]

    def tasks(self) -> list[Task]:
        return [self._task(start, only, []) for start, only in self._todo]

    def owns(self, task: Task) -> bool:
        return task.fn is tasks.render_summary_pieces

    def done(self, result: list[PieceState]) -> None:
        self.laid.update((p.start, p) for p in result)

    def finish(self, workers: Workers) -> list[PieceState]:
        """The chain from the first row; the pieces it does not use are removed."""
        chain = self._chain()
        if chain[-1] is None:  # a page now holds more or fewer rows than before
            start = chain[-2].stop if len(chain) > 1 else 0
            for _, result in workers.run([self._task(start, False, [*self.previous, *self.laid.values()])]):
                self.done(result)
            chain = self._chain()
        pieces = [p for p in chain if p is not None]
        used = {p.output.path for p in pieces}
        for p in [*self.previous, *self.laid.values()]:
            if p.output.path not in used and os.path.lexists(self.folder / p.output.path):
                os.unlink(self.folder / p.output.path)
        return pieces

    def _chain(self) -> list[PieceState | None]:
        """The pieces from row 0, each where the one before stopped; None where none is known."""
        chain: list[PieceState | None] = []
        start = 0
        while True:
            p = self.laid.get(start) or self.kept.get(start)
            chain.append(p)
            if p is None or p.closes:
                return chain
            start = p.stop

    def _task(self, start: int, only: bool, known: list[PieceState]) -> Task:
        return Task(tasks.render_summary_pieces, (self.summary, self.variant, self.salt, start, only, known,
                                                  self.folder), "pieces")
