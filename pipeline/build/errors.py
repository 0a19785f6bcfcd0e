"""The ways a build stops without output, each an Abort carrying what the user reads."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import Abort
from pipeline.files.paths import display_path

if TYPE_CHECKING:
    from pipeline.build.front import CheckResult


class BuildError(Abort):
    """A build that cannot start or finish; the message says why and what to do."""


class RenderError(Abort):
    """A renderer met an expected failure on one table (a font it cannot use, a full disk); the
    message names the table. Raised in a worker process (Abort pickles with its fields); the build
    adds where its last complete output is. A renderer's bug is not a RenderError: it keeps its
    traceback."""

    def kept(self, build_dir: Path) -> "RenderError":
        return RenderError("render-failed-kept", message=self.message, build_dir=display_path(build_dir))


class CheckFailed(Abort):
    """The data has errors: nothing was built. Carries the check's result, which the CLI prints
    (the same report as `annex check`) before the message."""

    def __init__(self, result: CheckResult):
        super().__init__("check-failed")
        self.result = result
