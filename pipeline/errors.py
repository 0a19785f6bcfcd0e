"""Expected failures: one base class carrying the user's (Chinese) message and the exit code.

Like mkdocs' `Abort`: any code path that meets a failure the user can fix raises a subclass of
`Abort`; the CLI catches `Abort` in one place and prints the message, never a traceback.
Programming errors are not `Abort`s and keep their traceback.
"""

from __future__ import annotations


class Abort(Exception):
    """A failure the user can act on, raised with a code of the catalogue's messages that stop a
    run (`stop(...)` in pipeline/problems/catalogue.py) and its template's fields:

        raise BuildError("nothing-to-build", year_dir=year_dir)

    `message` is the Chinese text that says what happened and what to do; `exit_code` is 1 unless a
    subclass says otherwise. Picklable with its fields, so a worker process can raise it across the
    pool. (Not yet moved to the catalogue: a few commands still raise with a message as written;
    tests/test_aborts.py lists where, and no new place may.)"""

    exit_code: int = 1

    def __init__(self, code: str, **fields: object):
        from pipeline.problems.stops import STOPS, stop_text

        self.code = code if code in STOPS else ""
        self.fields = fields
        self.message = stop_text(code, **fields) if self.code else code
        super().__init__(self.message)

    def __reduce__(self):
        return _rebuild, (type(self), self.code or self.message, self.fields, self.__dict__)

    def __str__(self) -> str:
        return self.message


def _rebuild(cls: type[Abort], code: str, fields: dict, state: dict) -> Abort:
    error = Exception.__new__(cls)
    Exception.__init__(error, state.get("message", code))
    error.__dict__.update(state)
    return error
