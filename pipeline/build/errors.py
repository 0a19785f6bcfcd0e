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
    """A renderer failed on one table; the message names it. Raised in a worker process, so kept
    picklable (one string argument); the build adds where its last complete output is."""

    def kept(self, build_dir: Path) -> "RenderError":
        return RenderError(f"生成失败：{self.message}\n{display_path(build_dir)} 仍是上一次完整的输出，归档未改动。")


class CheckFailed(Abort):
    """The data has errors: nothing was built. Carries the check's result, which the CLI prints
    (the same report as `annex check`) before the message."""

    def __init__(self, result: CheckResult):
        super().__init__("数据有错误，未生成任何文件；请先改正上面的错误（annex check 可再次检查）")
        self.result = result
