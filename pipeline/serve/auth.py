"""Passwords (argon2id, memory-hard) and the login throttle.

A wrong name and a wrong password look the same to the visitor, and take the same time: an
unknown name is verified against a dummy hash. Repeated failures slow down both the account and
the address they come from, by a wait that doubles and never exceeds a few minutes, so that the
real owner is never locked out for long.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pipeline.errors import Abort
from pipeline.serve.db import Account, Database

HASHER = PasswordHasher()  # argon2id, argon2-cffi's defaults (RFC 9106's second recommendation)
_DUMMY = HASHER.hash("annex: a password no account has")

FREE_FAILURES = 5  # failures of one account within WINDOW before each attempt must wait
FREE_FAILURES_PER_ADDRESS = 30
WINDOW = 15 * 60
MAX_WAIT = 300  # seconds: the longest an owner ever waits
MIN_PASSWORD = 8
_NAME = re.compile(r"^[\w\-.@\u00b7]{1,32}$")
_WORKSPACE = re.compile(r"^[\w\-]{1,64}$")  # no dot, no slash: always one folder under the root


class AccountError(Abort):
    """An account cannot be made or changed as asked."""


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise AccountError("account-name", name=name)
    return name


def check_workspace(name: str) -> str:
    if not _WORKSPACE.match(name):
        raise AccountError("account-workspace", name=name)
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError("account-password-short", least=MIN_PASSWORD)
    return password


def hash_password(password: str) -> str:
    return HASHER.hash(check_password(password))


def verify(account: Account | None, password: str) -> bool:
    try:
        return HASHER.verify(account.hash if account else _DUMMY, password) and account is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Throttle:
    db: Database

    def wait(self, keys: list[tuple[str, int]], now: float) -> int:
        """Seconds until another attempt for these (key, free failures) is heard (0: now)."""
        longest = 0.0
        for key, free in keys:
            times = self.db.failures(key, now - WINDOW)
            if len(times) >= free:
                delay = min(2 ** (len(times) - free) * 5, MAX_WAIT)
                longest = max(longest, times[-1] + delay - now)
        return max(0, int(longest + 0.999))

    def failed(self, keys: list[tuple[str, int]], now: float) -> None:
        for key, _ in keys:
            self.db.add_failure(key, now)

    def succeeded(self, keys: list[tuple[str, int]]) -> None:
        for key, _ in keys:
            self.db.clear_failures(key)


def throttle_keys(name: str, address: str) -> list[tuple[str, int]]:
    """The account, and the address it is tried from. An office behind one address (NAT) has many
    clerks, so the address is allowed more failures than one account before it is slowed."""
    return [(f"user:{name}", FREE_FAILURES), (f"address:{address}", FREE_FAILURES_PER_ADDRESS)]
