"""Where the commands write: one console for results, one for errors, and the line helpers."""

from __future__ import annotations

import codecs
import io
import sys

from rich.console import Console
from rich.text import Text

BYTES_AS_ESCAPES = "annex-bytes"


def _bytes_as_escapes(e: UnicodeError):
    """A file name's bytes that are not UTF-8 (os.fsdecode's surrogates) as \\xNN, as
    files/paths.printable writes them; anything else the terminal cannot show as \\uNNNN."""
    if not isinstance(e, UnicodeEncodeError):
        raise e
    bad = e.object[e.start:e.end]
    return "".join(f"\\x{ord(c) - 0xdc00:02x}" if 0xdc80 <= ord(c) <= 0xdcff else c.encode("ascii", "backslashreplace").decode()
                   for c in bad), e.end


codecs.register_error(BYTES_AS_ESCAPES, _bytes_as_escapes)


def printable_streams() -> None:
    """stdout and stderr never fail on a path: a folder named in another encoding (a GBK name
    copied from Windows) reaches every message as surrogates, which a UTF-8 terminal's strict
    stream refused with a traceback after the work was done. One rule, for every command."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            try:
                stream.reconfigure(errors=BYTES_AS_ESCAPES)
            except (ValueError, io.UnsupportedOperation):
                pass


console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def say(text: str, style: str | None = None) -> None:
    """One line as written: no markup, no wrapping inside paths and names."""
    console.print(Text(text, style=style or ""), soft_wrap=True)


def print_error(message: str) -> None:
    """`错误：` and the message as written (no markup: paths and names may hold brackets)."""
    err_console.print(Text.assemble(("错误：", "red"), message))
