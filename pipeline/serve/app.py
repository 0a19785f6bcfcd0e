"""The route table and the app. Every route but 登录 and /static needs a session (web.page,
web.action); tests/test_serve_security.py walks this table as a stranger and as another
workspace's user."""

from __future__ import annotations

import contextlib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from pipeline.serve import pages_account, pages_build, pages_data
from pipeline.serve.auth import Throttle
from pipeline.serve.db import Database
from pipeline.serve.jobs import Jobs
from pipeline.serve.security import SecurityHeaders
from pipeline.serve.sessions import Sessions
from pipeline.serve.settings import Settings
from pipeline.serve.web import TEMPLATES, Server
from pipeline.serve.workspace import CheckCache

STATIC = Path(__file__).parent / "static"

ROUTES = [
    Route("/login", pages_account.login_form, methods=["GET"]),
    Route("/login", pages_account.login, methods=["POST"]),
    Route("/logout", pages_account.logout, methods=["POST"]),
    Route("/", pages_data.home, methods=["GET"]),
    Route("/upload", pages_data.upload_form, methods=["GET"]),
    Route("/upload", pages_data.upload, methods=["POST"]),
    Route("/import/{token}", pages_data.import_preview, methods=["GET"]),
    Route("/import", pages_data.import_confirm, methods=["POST"]),
    Route("/new-year", pages_data.new_year, methods=["POST"]),
    Route("/export", pages_data.export, methods=["GET"]),
    Route("/years/{year}/check", pages_data.check, methods=["GET"]),
    Route("/years/{year}/marked", pages_data.marked, methods=["GET"]),
    Route("/years/{year}/build", pages_build.build_form, methods=["GET"]),
    Route("/build", pages_build.build, methods=["POST"]),
    Route("/jobs/{job}", pages_build.job_page, methods=["GET"]),
    Route("/jobs/{job}/progress", pages_build.job_progress, methods=["GET"]),
    Route("/years/{year}/history", pages_build.history, methods=["GET"]),
    Route("/years/{year}/diff", pages_build.diff, methods=["GET"]),
    Route("/years/{year}/verify", pages_build.verify, methods=["GET"]),
    Route("/years/{year}/versions/{version}/{kind}", pages_build.version_file, methods=["GET"]),
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
]
PUBLIC = {"/login", "/static"}  # the only routes a stranger may use


def templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    return Jinja2Templates(env=env)


def _housekeeping(srv: Server) -> None:
    """At start: ended sessions and old login failures forgotten, half-received uploads removed."""
    import shutil
    import time

    from pipeline.serve.auth import WINDOW
    from pipeline.serve.pages_data import INCOMING
    from pipeline.serve.uploads import PENDING

    now = srv.settings.clock()
    srv.db.end_sessions_before(now - srv.settings.session_max, now - srv.settings.session_idle)
    srv.db.forget_failures(now - WINDOW)
    for account in srv.db.accounts():
        uploads = srv.settings.root / account.workspace / "uploads"
        shutil.rmtree(uploads / INCOMING, ignore_errors=True)
        # Word files never confirmed: kept a day for 确认导入, then forgotten
        for waiting in (uploads / PENDING).glob("*.docx") if (uploads / PENDING).is_dir() else ():
            if waiting.is_file() and not waiting.is_symlink() and waiting.stat().st_mtime < time.time() - 86400:
                waiting.unlink()


def create_app(settings: Settings) -> Starlette:
    settings.root.mkdir(parents=True, exist_ok=True)
    db = Database(settings.db_path)
    srv = Server(settings, db, Sessions(db, settings), Throttle(db), Jobs(db, settings), CheckCache(), templates())

    srv.jobs.start()
    _housekeeping(srv)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            srv.jobs.stop()

    app = Starlette(routes=ROUTES, middleware=[Middleware(SecurityHeaders)], lifespan=lifespan)
    app.state.annex = srv
    return app
