"""annex serve in a real browser: Debian's chromium driven by Playwright, against `annex serve`
started as an office starts it. A clerk signs in, uploads a workbook with a mistake, reads the
problem at its cell, downloads the marked workbook, uploads the fix, builds, and downloads: the
PDF and Word bundles are byte-identical to the command line's build of the same data. Then an
intruder tries the doors."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from workbooks import mutate, set_cell

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parent.parent
A, A_WS, A_PASSWORD = "王芳", "市委政法委", "wangfang-2024"
B, B_WS, B_PASSWORD = "李明", "市司法局", "liming-2024"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _browser_missing() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing: run `make chromium`"
    return ""


@pytest.fixture(scope="module")
def browser():
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def annex(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=900)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`annex serve` on 127.0.0.1 with two accounts; the seed's workbook, right and wrong."""
    tmp = tmp_path_factory.mktemp("browser")
    root = tmp / "workspaces"
    for name, ws, password in ((A, A_WS, A_PASSWORD), (B, B_WS, B_PASSWORD)):
        r = annex("user", "add", name, "--workspace", ws, "--root", str(root), stdin=password + "\n")
        assert r.returncode == 0, r.stderr
    src = tmp / "src" / "2023"
    shutil.copytree(REPO / "data" / "2023", src)
    good = tmp / "自评数据.xlsx"
    assert annex("export", "--data", str(src.parent), "--year", "2023", "--out", str(good)).returncode == 0
    bad = tmp / "有错的.xlsx"
    shutil.copy(good, bad)
    sheet = openpyxl.load_workbook(bad)["项目"]
    col = next(c.column_letter for c in sheet[1] if c.value == "预算数")
    mutate(bad, set_cell("项目", f"{col}3", "很多"))
    # the department as an office keeps it beside the workbook (the workbook holds the projects)
    (root / A_WS / "data" / "2023").mkdir(parents=True)
    shutil.copy(src / "department.yaml", root / A_WS / "data" / "2023" / "department.yaml")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--root", str(root), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server)
        yield {"url": url, "root": root, "good": good, "bad": bad, "bad_cell": f"项目!{col}3", "tmp": tmp,
               "department": src / "department.yaml"}
    finally:
        server.terminate()
        server.wait(30)


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    import urllib.request

    for _ in range(600):  # a bounded wait for the port to answer, not a timing assumption
        if server.poll() is not None:
            raise AssertionError(server.stdout.read().decode())
        try:
            urllib.request.urlopen(url + "/login", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("annex serve did not answer")


def sign_in(page, url: str, name: str, password: str) -> None:
    page.goto(url + "/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def upload(page, url: str, path: Path, year: str) -> None:
    page.goto(url + "/upload")
    page.get_by_label("选择文件").set_input_files(str(path))
    page.get_by_label("年度").fill(year)
    page.get_by_role("button", name="上传").click()


def download(page, label: str, dest: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name=label).click()
    info.value.save_as(dest)
    return dest


def test_a_clerk_makes_checks_and_downloads_the_bundle(browser, site, tmp_path):
    url = site["url"]
    context = browser.new_context(accept_downloads=True, viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, url, A, A_PASSWORD)
    assert page.get_by_role("link", name="上传").first.is_visible()
    # a workbook with a mistake: the problem is read at its cell
    upload(page, url, site["bad"], "2023")
    assert page.url.endswith("/years/2023/check")
    row = page.locator("#problems tr", has=page.locator("td.where", has_text=site["bad_cell"]))
    assert row.count() >= 1
    assert "错误" in row.first.inner_text() and "预算数" in row.first.inner_text()
    assert "个错误" in page.locator("#count").inner_text()
    marked = openpyxl.load_workbook(download(page, "下载标注了问题的工作簿", tmp_path / "marked.xlsx"))
    sheet, ref = site["bad_cell"].split("!")
    assert "预算数" in marked[sheet][ref].comment.text
    # the fix
    upload(page, url, site["good"], "2023")
    assert "0 个错误" in page.locator("#count").inner_text()
    # build, and wait for the finished page (the progress bar reloads it)
    page.get_by_role("link", name="去生成").click()
    page.get_by_label("备注").fill("报送财政局")
    page.get_by_role("button", name="生成").click()
    page.get_by_role("link", name="下载 PDF 汇编").wait_for(timeout=900_000)
    assert page.locator("#version").inner_text() == "v001"
    pdf = download(page, "下载 PDF 汇编", tmp_path / "web.pdf")
    docx = download(page, "下载 Word 汇编", tmp_path / "web.docx")
    # the command line's build of the same data
    data = tmp_path / "cli" / "data" / "2023"
    data.mkdir(parents=True)
    shutil.copy(site["department"], data / "department.yaml")
    shutil.copy(site["good"], data / "自评数据.xlsx")
    r = annex("build", "--data", str(data.parent), "--out", str(tmp_path / "cli" / "build"))
    assert r.returncode == 0, r.stdout + r.stderr
    built = tmp_path / "cli" / "build" / "2023"
    assert pdf.read_bytes() == next(built.glob("*自评表.pdf")).read_bytes()
    assert docx.read_bytes() == next(built.glob("*自评表.docx")).read_bytes()
    # the history says who made it
    page.goto(url + "/years/2023/history")
    assert A in page.locator("table").inner_text() and "报送财政局" in page.locator("table").inner_text()
    context.close()


def test_an_intruder_finds_every_door_shut(browser, site):
    url = site["url"]
    # a stranger is sent to 登录, whatever the URL
    stranger = browser.new_context()
    page = stranger.new_page()
    for path in ("/", "/years/2023/check", "/years/2023/versions/v001/pdf", "/upload"):
        page.goto(url + path)
        assert page.url == url + "/login"
    # a form posted from elsewhere (no CSRF token) changes nothing
    status = page.evaluate("""async (u) => (await fetch(u + '/build', {method: 'POST',
        body: new URLSearchParams({year: '2023'})})).status""", url)
    assert status == 403
    # wrong passwords: the same words for a wrong name, and repeated failures slow the account down
    for name in ("没有这个人", A):
        sign_in(page, url, name, "not-the-password")
        assert "用户名或密码不对" in page.content()
    for _ in range(4):
        sign_in(page, url, A, "not-the-password")
    sign_in(page, url, A, A_PASSWORD)
    assert "秒后再试" in page.content()
    stranger.close()
    # another workspace's user: A's years, versions and jobs are not found
    other = browser.new_context()
    page = other.new_page()
    sign_in(page, url, B, B_PASSWORD)
    assert page.url == url + "/"
    for path in ("/years/2023/check", "/years/2023/history", "/years/2023/marked"):
        response = page.goto(url + path)
        assert response.status == 404 and "找不到" in page.content()
    response = page.request.get(url + "/years/2023/versions/v001/pdf")
    assert response.status == 404
    # an inline script injected into a page never runs (CSP)
    page.goto(url + "/")
    ran = page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.owned = 1';
        document.body.appendChild(s); return window.owned === 1; }""")
    assert ran is False
    other.close()
