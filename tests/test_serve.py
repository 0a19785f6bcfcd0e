"""annex serve as a clerk uses it: sign in, upload, read the problems at their cells, download
the marked workbook, build, download, see the history; and the server's own rules (throttled
logins, sessions that end, uploads by content, a restart mid-build)."""

from __future__ import annotations

import io
import re
import sqlite3
import subprocess
import sys

import openpyxl
import pytest
from starlette.testclient import TestClient

from pipeline import archive
from pipeline.serve.db import Database
from pipeline.serve.settings import Settings
from serve_site import (
    A_PASSWORD, A_USER, A_WS, B_USER, login, make_site, new_app, seed_workbook_year, signed_in,
)
from workbooks import mutate, set_cell

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def budget_cell(book) -> str:
    """The 预算数 cell of the first project row, wherever export put the column."""
    sheet = openpyxl.load_workbook(book)["项目"]
    col = next(c.column_letter for c in sheet[1] if c.value == "预算数")
    return f"{col}2"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "root")


# --- signing in ------------------------------------------------------------------------------------

def test_login_page_has_the_contract_labels(site):
    page = TestClient(new_app(site)).get("/login").text
    assert '<label for="name">用户名</label>' in page and '<label for="password">密码</label>' in page
    assert ">登录</button>" in page


def test_wrong_name_and_wrong_password_read_the_same(site):
    client = TestClient(new_app(site))
    wrong_password = login(client, A_USER, "not-the-password")
    wrong_name = login(client, "没有这个人", A_PASSWORD)
    for r in (wrong_password, wrong_name):
        assert r.status_code == 401 and "用户名或密码不对" in r.text
        assert "annex_session" not in client.cookies
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_repeated_failures_slow_the_account_down_but_never_for_long(site):
    app = new_app(site)
    client = TestClient(app)
    for _ in range(5):
        assert login(client, A_USER, "guess-guess").status_code == 401
    r = login(client, A_USER, A_PASSWORD)  # the right password, too soon: not even checked
    assert r.status_code == 429 and "秒后再试" in r.text
    site.clock.now += 301  # the longest wait is five minutes
    r = login(client, A_USER, A_PASSWORD)
    assert r.status_code == 200 and r.url.path == "/"


def test_logout_and_expiry_end_the_session(site):
    app = new_app(site)
    a = signed_in(app, A_USER, A_PASSWORD)
    stolen = a.cookies["annex_session"]
    r = a.post("/logout", data={"csrf": a.csrf})
    assert r.url.path == "/login"
    replay = TestClient(app, cookies={"annex_session": stolen})
    assert replay.get("/", follow_redirects=False).status_code == 303
    a = signed_in(app, A_USER, A_PASSWORD)
    assert a.get("/").status_code == 200
    site.clock.now += Settings(site.root).session_idle + 1
    assert a.get("/", follow_redirects=False).headers["location"] == "/login"


def test_the_audit_log_says_who_did_what_from_where(site):
    app = new_app(site)
    login(TestClient(app), A_USER, "wrong-password")
    a = signed_in(app, A_USER, A_PASSWORD)
    a.post("/logout", data={"csrf": a.csrf})
    rows = Database(site.root / "annex.db").audit_rows()
    assert [(r[1], r[4]) for r in rows] == [(A_USER, "login-failed"), (A_USER, "login"), (A_USER, "logout")]
    assert all(r[3] == "testclient" for r in rows)


# --- uploads ----------------------------------------------------------------------------------------

def test_a_workbook_becomes_the_years_workbook_and_the_previous_is_kept(site, tmp_path):
    book = seed_workbook_year(site.ws(A_WS), tmp_path)
    app = new_app(site)
    a = signed_in(app, A_USER, A_PASSWORD)
    # the browser's file name is never a path
    r = a.post("/upload", data={"csrf": a.csrf, "year": "2024"}, files={"file": ("../../../evil.xlsx", book)})
    assert r.url.path == "/years/2024/check"
    target = site.ws(A_WS) / "data" / "2024" / "自评数据.xlsx"
    assert target.read_bytes() == book
    assert not list(site.root.rglob("evil*"))
    second = book + b""  # the same bytes uploaded again: still kept, never silently overwritten
    a.post("/upload", data={"csrf": a.csrf, "year": "2024"}, files={"file": ("book.xlsx", second)})
    kept = list((site.ws(A_WS) / "uploads" / "2024").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == book


@pytest.mark.parametrize("name, content", [
    ("data.xlsx", b"not a zip at all"),
    ("data.xlsx", b"PK\x03\x04 broken"),
    ("notes.xlsx", None),  # a zip, but not a workbook
])
def test_uploads_are_typed_by_content(site, name, content):
    if content is None:
        buf = io.BytesIO()
        import zipfile
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("readme.txt", "hello")
        content = buf.getvalue()
    a = signed_in(new_app(site), A_USER, A_PASSWORD)
    r = a.post("/upload", data={"csrf": a.csrf, "year": "2024"}, files={"file": (name, content)})
    assert r.status_code == 400 and "不是 .xlsx 工作簿或 .docx 文件" in r.text
    assert not (site.ws(A_WS) / "data" / "2024").exists()


def test_an_upload_over_the_limit_is_refused_before_it_is_read(site):
    a = signed_in(new_app(site), A_USER, A_PASSWORD)
    r = a.post("/upload", content=b"x", headers={"content-length": str(200 * 1024 * 1024),
                                                   "content-type": "multipart/form-data; boundary=x"})
    assert r.status_code == 413


# --- 检查结果 and the marked workbook --------------------------------------------------------------

def test_check_lists_each_problem_at_its_cell_errors_first(site, tmp_path):
    book_bytes = seed_workbook_year(site.ws(A_WS), tmp_path)
    book = tmp_path / "bad.xlsx"
    book.write_bytes(book_bytes)
    ref = budget_cell(book)
    mutate(book, set_cell("项目", ref, "很多"))  # 预算数 as words
    a = signed_in(new_app(site), A_USER, A_PASSWORD)
    r = a.post("/upload", data={"csrf": a.csrf, "year": "2024"}, files={"file": ("bad.xlsx", book.read_bytes())})
    rows = re.findall(r'<tr class="(error|warning)"><td class="where">([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>',
                      r.text)
    assert rows, text(r.text)
    kinds = [k for k, *_ in rows]
    assert kinds == sorted(kinds, key=lambda k: k != "error")  # errors first
    where = {w for _, w, _, _ in rows}
    assert f"项目!{ref}" in where
    assert "1 个项目，" in text(r.text) and "个错误" in text(r.text)
    # the marked copy: the problem cell filled and commented, every value as the clerk wrote it
    marked = a.get("/years/2024/marked")
    assert "attachment" in marked.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(marked.content))
    cell = wb["项目"][ref]
    assert cell.comment is not None and "预算数" in cell.comment.text and "错误" in cell.comment.text
    assert cell.fill.fgColor.rgb == "FFFFC7CE"
    original = openpyxl.load_workbook(book)
    for ws in original.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert wb[ws.title][c.coordinate].value == c.value
                if c.coordinate != ref or ws.title != "项目":
                    assert wb[ws.title][c.coordinate].comment is None


# --- 生成, downloads, history ---------------------------------------------------------------------

def test_build_downloads_the_archived_bytes_and_records_who(site, tmp_path):
    book = seed_workbook_year(site.ws(A_WS), tmp_path)
    app = new_app(site)
    a = signed_in(app, A_USER, A_PASSWORD)
    a.post("/upload", data={"csrf": a.csrf, "year": "2024"}, files={"file": ("book.xlsx", book)})
    page = a.get("/years/2024/build").text
    assert '<label for="note">备注</label>' in page and ">生成</button>" in page
    r = a.post("/build", data={"csrf": a.csrf, "year": "2024", "note": "报送财政局"})
    job = r.url.path
    again = a.post("/build", data={"csrf": a.csrf, "year": "2024", "note": ""})  # one job per workspace
    app.state.annex.jobs.wait(job.rsplit("/", 1)[1], 300)
    assert again.url.path == job or "v00" in a.get(again.url.path).text
    page = a.get(job).text
    for label in ("下载 Word 汇编", "下载 PDF 汇编", "下载汇总表", "下载全部（zip）"):
        assert label in page
    assert "v001" in page and "首个版本" in text(page)
    built = site.ws(A_WS) / "build" / "2024"
    v = archive.latest(archive.archive_dir(site.ws(A_WS) / "build", 2024))
    assert v.manifest.made_by == A_USER and v.manifest.note == "报送财政局"
    for kind, suffix in (("docx", ".docx"), ("pdf", ".pdf")):
        got = a.get(f"/years/2024/versions/v001/{kind}")
        bundle = next(p for p in built.iterdir() if p.suffix == suffix)
        assert got.content == bundle.read_bytes()
        assert got.headers["content-disposition"].endswith("''" + __import__("urllib.parse").parse.quote(bundle.name))
    history = text(a.get("/years/2024/history").text)
    assert "v001" in history and A_USER in history and "报送财政局" in history
    verify = text(a.get("/years/2024/verify").text)
    assert "归档完好" in verify
    # the command line sees the same archive, and who made the version
    out = subprocess.run([sys.executable, "-m", "pipeline", "history", "--out", str(site.ws(A_WS) / "build")],
                         capture_output=True, text=True)
    assert f"生成者：{A_USER}" in out.stdout


def test_a_failed_check_builds_nothing_and_says_so(site, tmp_path):
    book = tmp_path / "bad.xlsx"
    book.write_bytes(seed_workbook_year(site.ws(A_WS), tmp_path))
    mutate(book, set_cell("项目", budget_cell(book), "很多"))
    app = new_app(site)
    a = signed_in(app, A_USER, A_PASSWORD)
    a.post("/upload", data={"csrf": a.csrf, "year": "2024"}, files={"file": ("bad.xlsx", book.read_bytes())})
    r = a.post("/build", data={"csrf": a.csrf, "year": "2024"})
    app.state.annex.jobs.wait(r.url.path.rsplit("/", 1)[1], 300)
    page = text(a.get(r.url.path).text)
    assert "个错误，没有生成" in page
    assert not (site.ws(A_WS) / "build" / "archive" / "2024").exists()


def test_a_restart_marks_a_running_job_interrupted(site, tmp_path):
    seed_workbook_year(site.ws(A_WS), tmp_path)
    db = sqlite3.connect(site.root / "annex.db")
    new_app(site)  # creates the database
    db.execute("INSERT INTO jobs VALUES ('abc123', ?, 2024, ?, '', 'running', '', '', '', 0, NULL)", (A_WS, A_USER))
    db.commit()
    app = new_app(site)  # the server starts again
    a = signed_in(app, A_USER, A_PASSWORD)
    page = text(a.get("/jobs/abc123").text)
    assert "服务器重启，生成被中断" in page and "重新生成" in page
    assert not list((site.ws(A_WS) / "build").glob("**/v0*"))


def test_job_progress_is_json_for_the_owner_only(site, tmp_path):
    seed_workbook_year(site.ws(A_WS), tmp_path)
    app = new_app(site)
    db = sqlite3.connect(site.root / "annex.db")
    db.execute("INSERT INTO jobs VALUES ('j1', ?, 2024, ?, '', 'queued', '', '', '', 0, NULL)", (A_WS, A_USER))
    db.commit()
    a = signed_in(app, A_USER, A_PASSWORD)
    assert a.get("/jobs/j1/progress").json()["state"] == "queued"
    b = signed_in(app, B_USER, "liming-2024")
    assert b.get("/jobs/j1/progress").status_code == 404


# --- new year, blank workbook, Word import ----------------------------------------------------------

def test_blank_workbook_and_new_year(site, tmp_path):
    book = seed_workbook_year(site.ws(A_WS), tmp_path)
    app = new_app(site)
    a = signed_in(app, A_USER, A_PASSWORD)
    a.post("/upload", data={"csrf": a.csrf, "year": "2024"}, files={"file": ("book.xlsx", book)})
    home = a.get("/").text
    assert ">下载空白工作簿</button>" in home and ">开始新年度</button>" in home
    blank = a.get("/export?year=2031")
    wb = openpyxl.load_workbook(io.BytesIO(blank.content))
    assert {"项目", "指标"} <= set(wb.sheetnames) and wb["项目"].max_row == 1
    r = a.post("/new-year", data={"csrf": a.csrf, "year": "2025"})
    assert r.url.path == "/years/2025/check", text(r.text)
    assert (site.ws(A_WS) / "data" / "2025" / "department.yaml").is_file()
    r = a.post("/new-year", data={"csrf": a.csrf, "year": "2025"})
    assert r.status_code == 400 and "已经存在" in r.text


def test_a_word_file_is_previewed_then_imported_and_replaces_only_when_asked(site, tmp_path):
    book = seed_workbook_year(site.ws(A_WS), tmp_path)
    app = new_app(site)
    a = signed_in(app, A_USER, A_PASSWORD)
    a.post("/upload", data={"csrf": a.csrf, "year": "2024"}, files={"file": ("book.xlsx", book)})
    r = a.post("/build", data={"csrf": a.csrf, "year": "2024"})
    app.state.annex.jobs.wait(r.url.path.rsplit("/", 1)[1], 300)
    docx = a.get("/years/2024/versions/v001/docx").content
    # into a new year: previewed, nothing written until 确认导入
    r = a.post("/upload", data={"csrf": a.csrf, "year": "2030"}, files={"file": ("去年.docx", docx)})
    assert r.url.path.startswith("/import/") and ">确认导入</button>" in r.text
    assert "data/2030/department.yaml" in r.text
    assert not (site.ws(A_WS) / "data" / "2030").exists()
    token = re.search(r'name="token" value="([0-9a-f]+)"', r.text).group(1)
    r = a.post("/import", data={"csrf": a.csrf, "token": token, "year": "2030"})
    assert r.url.path == "/years/2030/check"
    assert list((site.ws(A_WS) / "data" / "2030" / "projects").glob("*.yaml"))
    # into a year that has data: only with 替换, which says what it replaces
    r = a.post("/upload", data={"csrf": a.csrf, "year": "2030"}, files={"file": ("去年.docx", docx)})
    assert "替换" in r.text and "department.yaml" in text(r.text)
    token = re.search(r'name="token" value="([0-9a-f]+)"', r.text).group(1)
    before = (site.ws(A_WS) / "data" / "2030" / "department.yaml").read_bytes()
    (site.ws(A_WS) / "data" / "2030" / "department.yaml").write_bytes(before + b"# edited\n")
    r = a.post("/import", data={"csrf": a.csrf, "token": token, "year": "2030"})
    assert r.status_code == 400 and "替换" in r.text
    assert (site.ws(A_WS) / "data" / "2030" / "department.yaml").read_bytes().endswith(b"# edited\n")
    r = a.post("/import", data={"csrf": a.csrf, "token": token, "year": "2030", "replace": "1"})
    assert r.url.path == "/years/2030/check"
    assert (site.ws(A_WS) / "data" / "2030" / "department.yaml").read_bytes() == before


# --- annex user -------------------------------------------------------------------------------------

def annex(*args, stdin: str = ""):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], input=stdin, capture_output=True, text=True)


def test_user_commands(tmp_path):
    root = str(tmp_path / "r")
    r = annex("user", "add", "张三", "--workspace", "市财政局", "--root", root, stdin="zhangsan-pass\n")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "r" / "市财政局" / "data").is_dir()
    assert "张三  工作区 市财政局" in annex("user", "list", "--root", root).stdout
    assert annex("user", "add", "李四", "--workspace", "../etc", "--root", root, stdin="lisi-password\n").returncode == 1
    assert "太短" in annex("user", "add", "王五", "--workspace", "x", "--root", root, stdin="short\n").stderr
    app = new_app(type("S", (), {"settings": lambda self, **m: Settings(tmp_path / "r", warm=False)})())
    assert signed_in(app, "张三", "zhangsan-pass")
    assert annex("user", "passwd", "张三", "--root", root, stdin="another-pass\n").returncode == 0
    assert login(TestClient(app), "张三", "zhangsan-pass").status_code == 401
    assert annex("user", "remove", "张三", "--root", root).returncode == 0
    assert (tmp_path / "r" / "市财政局" / "data").is_dir()  # the workspace's files stay
    assert login(TestClient(app), "张三", "another-pass").status_code == 401


def test_history_compares_two_versions_and_verifies_the_archive(site, tmp_path):
    book = tmp_path / "book.xlsx"
    book.write_bytes(seed_workbook_year(site.ws(A_WS), tmp_path))
    app = new_app(site)
    a = signed_in(app, A_USER, A_PASSWORD)
    for note in ("初稿", "改正预算数"):
        a.post("/upload", data={"csrf": a.csrf, "year": "2024"}, files={"file": ("book.xlsx", book.read_bytes())})
        r = a.post("/build", data={"csrf": a.csrf, "year": "2024", "note": note})
        app.state.annex.jobs.wait(r.url.path.rsplit("/", 1)[1], 300)
        assert "已生成" in text(a.get(r.url.path).text)
        mutate(book, set_cell("项目", budget_cell(book), 75))
    history = a.get("/years/2024/history").text
    assert ">比较</button>" in history and ">核对归档</a>" in history
    assert text(history).index("v002") < text(history).index("v001")  # newest first
    changes = text(a.get("/years/2024/diff?a=v001&b=v002").text)
    assert "预算数" in changes and "→ 75" in changes
    assert "v002" in text(a.get("/years/2024/verify").text) and "归档完好" in text(a.get("/years/2024/verify").text)
    assert a.get("/years/2024/diff?a=v001&b=v009").status_code == 404
