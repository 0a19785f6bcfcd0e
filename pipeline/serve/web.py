"""What every page handler shares: the server's parts, the signed-in user, pages and downloads,
and the two kinds of handler. A `page` answers a GET for a signed-in user (a stranger is sent
to 登录); an `action` answers a POST, and only with a session and that session's CSRF token
(403 and nothing done without). Anything of a workspace is looked up in the user's own workspace
only, so another workspace's job, year or version is simply not found (404)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from pipeline.errors import Abort
from pipeline.serve.auth import Throttle
from pipeline.serve.db import Database, SessionRow
from pipeline.serve.jobs import Jobs
from pipeline.serve.sessions import COOKIE, CSRF_FIELD, Sessions, same_token
from pipeline.serve.settings import Settings
from pipeline.serve.uploads import MAX_UPLOAD_BYTES
from pipeline.serve.workspace import CheckCache, Workspace, workspace

TEMPLATES = Path(__file__).parent / "templates"
MAX_FORM_BYTES = 64 * 1024  # a form without a file


@dataclass
class Server:
    settings: Settings
    db: Database
    sessions: Sessions
    throttle: Throttle
    jobs: Jobs
    checks: CheckCache
    templates: Jinja2Templates

    def audit(self, request: Request, user: str, ws: str, action: str, detail: str = "") -> None:
        self.db.audit(self.settings.clock(), user, ws, address(request), action, detail)


@dataclass(frozen=True)
class User:
    name: str
    ws: Workspace
    session: SessionRow


class NotFound(Exception):
    """Not in this user's workspace (whether it exists elsewhere or not)."""


def server(request: Request) -> Server:
    return request.app.state.annex


def address(request: Request) -> str:
    return request.client.host if request.client else ""


def current_user(request: Request) -> User | None:
    srv = server(request)
    row = srv.sessions.find(request.cookies.get(COOKIE))
    if row is None:
        return None
    return User(row.name, workspace(srv.settings.root, row.workspace), row)


def render(request: Request, template: str, status: int = 200, user: User | None = None, **context) -> Response:
    context.setdefault("title", "")
    return server(request).templates.TemplateResponse(
        request, template, {"user": user, "csrf": user.session.csrf if user else "", **context}, status_code=status)


def message(request: Request, user: User | None, title: str, text: str, status: int = 400) -> Response:
    return render(request, "message.html", status, user, title=title, text=text)


def not_found(request: Request, user: User | None) -> Response:
    return message(request, user, "找不到", "没有这个页面或文件。", 404)


def download(data: bytes, name: str, media_type: str) -> Response:
    """A file under its Chinese name (RFC 6266: an ASCII fallback, the UTF-8 name beside it)."""
    fallback = name if name.isascii() and name.replace(".", "").replace("-", "").isalnum() else "annex" + Path(name).suffix
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media_type, headers={"content-disposition": disposition})


def page(handler):
    """A GET handler `handler(request, user)` for signed-in users only."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        user = await run_in_threadpool(current_user, request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        try:
            return await handler(request, user)
        except NotFound:
            return not_found(request, user)
        except Abort as e:
            return message(request, user, "未完成", e.message)

    endpoint.needs_session = True
    return endpoint


def action(handler=None, *, files: bool = False):
    """A POST handler `handler(request, user, form)`: a session and its CSRF token, or 403."""

    def wrap(handler):
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            user = await run_in_threadpool(current_user, request)
            if user is None:
                return message(request, None, "请先登录", "登录已过期或没有登录；请重新登录后再试。", 403)
            limit = MAX_UPLOAD_BYTES + MAX_FORM_BYTES if files else MAX_FORM_BYTES
            length = request.headers.get("content-length")
            if length is None or not length.isdigit():
                return message(request, user, "未完成", "请求缺少长度。", 411)
            if int(length) > limit:
                return message(request, user, "文件太大", f"上限 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。", 413)
            form = await request.form(max_files=1 if files else 0, max_fields=20, max_part_size=MAX_FORM_BYTES)
            try:
                if not same_token(user.session.csrf, form.get(CSRF_FIELD)):
                    return message(request, user, "请求被拒绝", "页面已过期（缺少或不对的安全令牌）；请回到页面重新操作。", 403)
                try:
                    return await handler(request, user, form)
                except NotFound:
                    return not_found(request, user)
                except Abort as e:
                    return message(request, user, "未完成", e.message)
            finally:
                await form.close()

        endpoint.needs_session = True
        endpoint.changes_state = True
        return endpoint

    return wrap(handler) if handler is not None else wrap


def year_of(user: User, text: object, must_exist: bool = True) -> int:
    """A year from a URL or form: one of the user's own years (NotFound otherwise)."""
    if not isinstance(text, str) or not text.isdigit() or len(text) != 4:
        raise NotFound
    year = int(text)
    if must_exist and not user.ws.has_year(year):
        raise NotFound
    return year
