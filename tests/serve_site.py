"""A site of annex serve for tests: a server root with two workspaces, each with its user, and a
client that signs in and carries the page's CSRF token as a browser's form would."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from starlette.testclient import TestClient

from pipeline.serve import auth
from pipeline.serve.app import create_app
from pipeline.serve.db import Database
from pipeline.serve.settings import Settings
from pipeline.serve.workspace import workspace

FIXTURES = Path(__file__).parent / "fixtures"
A_USER, A_WS, A_PASSWORD = "王芳", "市委政法委", "wangfang-2024"
B_USER, B_WS, B_PASSWORD = "李明", "市司法局", "liming-2024"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def add_user(root: Path, name: str, ws: str, password: str) -> None:
    db = Database(Settings(root).db_path)
    workspace(root, ws).create()
    db.add_account(name, ws, auth.hash_password(password), 0.0)


@dataclass
class Site:
    root: Path
    clock: FakeClock = field(default_factory=FakeClock)

    def settings(self, **more) -> Settings:
        return Settings(self.root, clock=self.clock, **{"warm": False, **more})

    def ws(self, name: str = A_WS) -> Path:
        return self.root / name


def make_site(root: Path) -> Site:
    add_user(root, A_USER, A_WS, A_PASSWORD)
    add_user(root, B_USER, B_WS, B_PASSWORD)
    return Site(root)


def seed_year(ws_root: Path, year: int = 2024) -> Path:
    """The valid fixture's year in a workspace, as YAML."""
    dest = ws_root / "data" / str(year)
    shutil.copytree(FIXTURES / "valid" / "2024", dest)
    return dest


def workbook_of(year_dir: Path, dest: Path) -> Path:
    """The year's data as the workbook `annex export` writes (what a clerk downloads and fills)."""
    from pipeline.write.workbook import export_year

    export_year(year_dir, dest, force=True)
    return dest


def seed_workbook_year(ws_root: Path, tmp: Path, year: int = 2024) -> bytes:
    """The valid fixture's year as a workbook to upload, its department.yaml already in place."""
    src = tmp / "src" / str(year)
    shutil.copytree(FIXTURES / "valid" / "2024", src)
    book = workbook_of(src, tmp / "book.xlsx").read_bytes()
    dest = ws_root / "data" / str(year)
    dest.mkdir(parents=True)
    shutil.copy(src / "department.yaml", dest / "department.yaml")
    return book


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def login(client: TestClient, name: str, password: str):
    page = client.get("/login")
    return client.post("/login", data={"csrf": csrf_of(page.text), "name": name, "password": password})


def signed_in(app, name: str, password: str) -> TestClient:
    client = TestClient(app)
    r = login(client, name, password)
    assert r.status_code == 200 and r.url.path == "/", r.text
    client.csrf = csrf_of(r.text)
    return client


def texts_of(content: bytes) -> str:
    """What a response holds as text: a zip's (xlsx, docx, zip) members decoded, or the body."""
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return content.decode("utf-8", "replace")


def new_app(site: Site, **more):
    return create_app(site.settings(**more))
