"""How a message names a command for the clerk to type next: exactly as it runs from the project
folder (the one that holds `data/`, the Makefile and `.venv/`).

`annex` alone is not on the clerk's PATH: `make annex` installs it as `.venv/bin/annex`, and the
README spells every command that way. A hint that says `annex check` fails as typed
(`annex: command not found`), so every hint is made here, one spelling for all of them;
tests/test_clerk_second_hour.py runs every hint it finds in the code and the CLI's output through
the command line's own parser.
"""

from __future__ import annotations

import re

ANNEX = ".venv/bin/annex"  # relative to the project folder, where `make annex` installs it

# Characters the shell would act on: such an argument (a folder name with a space) is quoted.
_SHELL_SPECIAL = re.compile(r"[\s'\"$`\\|&;<>()*?!#~{}\[\]]")


def _shell_word(arg: str) -> str:
    if arg.startswith("<") and arg.endswith(">"):  # a placeholder for the clerk to replace: <sha256>
        return arg
    if not arg or _SHELL_SPECIAL.search(arg):
        return "'" + arg.replace("'", "'\\''") + "'"
    return arg


def annex_command(*args: object) -> str:
    """`.venv/bin/annex check --year 2023`: a command line the clerk can copy and run as shown."""
    return " ".join([ANNEX, *(_shell_word(str(a)) for a in args)])
