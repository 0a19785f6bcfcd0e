"""Expected failures: one base class carrying the user's (Chinese) message and the exit code.

Like mkdocs' `Abort`: any code path that meets a failure the user can fix raises a subclass of
`Abort`; the CLI catches `Abort` in one place and prints the message, never a traceback.
Programming errors are not `Abort`s and keep their traceback.
"""

from __future__ import annotations


class Abort(Exception):
    """A failure the user can act on. `message` is Chinese and says what to do; `exit_code` is 1
    unless a subclass says otherwise. Kept picklable (one positional argument) so a worker
    process can raise it across the pool."""

    exit_code: int = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
