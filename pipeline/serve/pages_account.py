"""登录 and 退出."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from pipeline.serve import auth
from pipeline.serve.sessions import COOKIE, CSRF_FIELD, LOGIN_CSRF_COOKIE, new_token, same_token
from pipeline.serve.web import MAX_FORM_BYTES, action, address, current_user, message, render, server

WRONG = "用户名或密码不对"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_page(request: Request, error: str = "", status: int = 200, name: str = "") -> Response:
    token = new_token()
    response = render(request, "login.html", status, None, title="登录", error=error, login_csrf=token, name=name)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request),
                        path="/login")
    return response


async def login_form(request: Request) -> Response:
    if await run_in_threadpool(current_user, request) is not None:
        return RedirectResponse("/", status_code=303)
    return _login_page(request)


async def login(request: Request) -> Response:
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > MAX_FORM_BYTES:
        return message(request, None, "请求被拒绝", "请求过大。", 413)
    form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    if not same_token(request.cookies.get(LOGIN_CSRF_COOKIE, ""), form.get(CSRF_FIELD)):
        return _login_page(request, "页面已过期，请重新登录。", 403)
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    srv = server(request)
    keys = auth.throttle_keys(name, address(request))
    now = srv.settings.clock()
    wait = srv.throttle.wait(keys, now)
    if wait:
        srv.audit(request, name, "", "login-throttled")
        return _login_page(request, f"登录失败次数过多，请 {wait} 秒后再试。", 429, name)
    account = srv.db.account(name) if name else None
    if not await run_in_threadpool(auth.verify, account, password):
        srv.throttle.failed(keys, now)
        srv.audit(request, name, account.workspace if account else "", "login-failed")
        return _login_page(request, WRONG, 401, name)
    srv.throttle.succeeded([keys[0]])
    token = srv.sessions.start(account.name, account.workspace)
    srv.audit(request, account.name, account.workspace, "login")
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/",
                        max_age=int(srv.settings.session_max))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@action
async def logout(request: Request, user, form) -> Response:
    srv = server(request)
    srv.sessions.end(request.cookies.get(COOKIE))
    srv.audit(request, user.name, user.ws.name, "logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
