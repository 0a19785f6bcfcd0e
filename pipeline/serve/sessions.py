"""Sessions: a random token in an HttpOnly, SameSite cookie (Secure over HTTPS); the server keeps
only its sha256, with the user, the workspace, the CSRF token and the times that end it."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from pipeline.serve.db import Database, SessionRow
from pipeline.serve.settings import Settings

COOKIE = "annex_session"
LOGIN_CSRF_COOKIE = "annex_login"  # the login form's CSRF token (double submit: no session yet)
CSRF_FIELD = "csrf"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Sessions:
    db: Database
    settings: Settings

    def start(self, name: str, workspace: str) -> str:
        """A new session; returns the token for the cookie (never stored)."""
        token, now = new_token(), self.settings.clock()
        self.db.add_session(SessionRow(_digest(token), name, workspace, new_token(), now, now))
        return token

    def find(self, token: str | None) -> SessionRow | None:
        if not token or len(token) > 200:
            return None
        row = self.db.session(_digest(token))
        if row is None:
            return None
        now = self.settings.clock()
        if now - row.seen > self.settings.session_idle or now - row.created > self.settings.session_max:
            self.db.end_session(row.id)
            return None
        if self.db.account(row.name) is None:  # the account was removed
            self.db.end_session(row.id)
            return None
        if now - row.seen > 60:  # one write a minute, not one per request
            self.db.touch_session(row.id, now)
        return row

    def end(self, token: str | None) -> None:
        if token:
            self.db.end_session(_digest(token))


def same_token(expected: str, given: object) -> bool:
    return isinstance(given, str) and bool(expected) and hmac.compare_digest(expected.encode(), given.encode())
