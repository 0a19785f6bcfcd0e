"""annex serve lets no one in where they don't belong. The route table is walked whole: every
route as a stranger (no session), and as another workspace's user with the first workspace's
years, jobs, versions and uploads in the URL and the form; the owner gets each page (so the
URLs are real), the others never a byte of it, and the owner's folder is unchanged throughout."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from pipeline.files.digest import tree_digest
from pipeline.input.tree import file_hashes
from pipeline.serve.app import PUBLIC
from serve_site import (
    A_PASSWORD, A_USER, A_WS, B_PASSWORD, B_USER, csrf_of, login, make_site, new_app, seed_workbook_year, signed_in, texts_of,
)

YEAR = "2024"
A_MARKERS = ("示例项目",)  # what A's data holds and B's never does


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A's workspace with a year built (a job, a version) and a Word file waiting for 确认导入."""
    s = make_site(tmp_path_factory.mktemp("site"))
    book = seed_workbook_year(s.ws(A_WS), tmp_path_factory.mktemp("book"))
    app = new_app(s)
    a = signed_in(app, A_USER, A_PASSWORD)
    r = a.post("/upload", data={"csrf": a.csrf, "year": YEAR}, files={"file": ("book.xlsx", book)})
    assert r.url.path == f"/years/{YEAR}/check"
    r = a.post("/build", data={"csrf": a.csrf, "year": YEAR, "note": "报送"})
    job = r.url.path.rsplit("/", 1)[1]
    app.state.annex.jobs.wait(job, 300)
    assert "v001" in a.get(r.url.path).text
    docx = a.get(f"/years/{YEAR}/versions/v001/docx").content
    r = a.post("/upload", data={"csrf": a.csrf, "year": "2030"}, files={"file": ("a.docx", docx)})
    token = r.url.path.rsplit("/", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    s.params = {"year": YEAR, "job": job, "version": "v001", "kind": "pdf", "token": token}
    s.app = app
    return s


def a_digest(site) -> str:
    return tree_digest(file_hashes(site.ws(A_WS)))


def routes(app):
    """(path with A's values, method) for every route of the table but the public ones."""
    out = []
    for route in app.routes:
        if isinstance(route, Mount) or route.path in PUBLIC:
            continue
        assert isinstance(route, Route)
        for method in sorted(route.methods - {"HEAD"}):
            out.append((route.path, method))
    return out


def url(site, path: str) -> str:
    names = re.findall(r"{(\w+)}", path)
    missing = [n for n in names if n not in site.params]
    assert not missing, f"the walk has no value for {missing} of {path}: add one to site.params"
    for n in names:
        path = path.replace("{" + n + "}", site.params[n])
    return path + ("?year=" + YEAR if path == "/export" else "") + ("?a=v001&b=v001" if path.endswith("/diff") else "")


def form(site, csrf: str) -> dict:
    """Every field any form of the site takes, naming A's things."""
    return {"csrf": csrf, "year": YEAR, "token": site.params["token"], "note": "入侵", "replace": "1",
            "job": site.params["job"]}


def test_the_walk_covers_every_route(site):
    paths = {p for p, _ in routes(site.app)}
    assert {"/", "/upload", "/build", "/years/{year}/check", "/jobs/{job}",
            "/years/{year}/versions/{version}/{kind}", "/import/{token}"} <= paths


def test_the_owner_gets_every_page(site):
    a = signed_in(site.app, A_USER, A_PASSWORD)
    for path, method in routes(site.app):
        if method == "GET":
            r = a.get(url(site, path))
            assert r.status_code == 200, (path, r.status_code)


def test_a_stranger_gets_nothing(site):
    before = a_digest(site)
    stranger = TestClient(site.app)
    for path, method in routes(site.app):
        if method == "GET":
            r = stranger.get(url(site, path), follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == "/login", (path, r.status_code)
        else:
            r = stranger.post(url(site, path), data=form(site, "x"), follow_redirects=False)
            assert r.status_code == 403, (path, r.status_code)
        assert not any(m in r.text for m in A_MARKERS), path
    assert a_digest(site) == before


def test_another_workspace_gets_404(site):
    before = a_digest(site)
    b = signed_in(site.app, B_USER, B_PASSWORD)
    for path, method in routes(site.app):
        if path == "/logout":
            continue
        if method == "GET":
            r = b.get(url(site, path))
        else:
            r = b.post(url(site, path), data=form(site, b.csrf), files={"file": ("x.txt", b"not a workbook")}
                       if path == "/upload" else None)
        if "{" in path or path in ("/build", "/import"):
            assert r.status_code == 404, (method, path, r.status_code)
        assert not any(m in texts_of(r.content) for m in A_MARKERS), (method, path)
    assert a_digest(site) == before


def test_without_the_csrf_token_nothing_changes(site):
    before = a_digest(site)
    a = signed_in(site.app, A_USER, A_PASSWORD)
    jobs_before = a.get(f"/years/{YEAR}/build").text
    for path, method in routes(site.app):
        if method == "POST":
            for token in (None, "", "0" * 43, csrf_of(TestClient(site.app).get("/login").text)):
                data = {k: v for k, v in form(site, token).items() if v is not None}
                r = a.post(url(site, path), data=data, follow_redirects=False)
                assert r.status_code == 403, (path, token, r.status_code)
    assert a_digest(site) == before
    assert a.get("/").status_code == 200  # still signed in: logout without the token did nothing
    assert a.get(f"/years/{YEAR}/build").text == jobs_before


@pytest.mark.parametrize("path", [
    "/years/..%2F..%2F市司法局/check", "/years/2024%2F..%2F..%2F市司法局/history", "/jobs/..%2F..%2Fannex.db",
    "/years/2024/versions/..%2Fv001/pdf", "/years/2024/versions/v001/..%2F..%2Fmanifest.json",
    "/import/..%2F..%2Fdata", "/static/..%2F..%2Fapp.py", "/years/2024/versions/v1/zip%00",
])
def test_paths_in_urls_find_nothing(site, path):
    a = signed_in(site.app, A_USER, A_PASSWORD)
    r = a.get(path)
    assert r.status_code == 404, r.status_code


def test_headers_on_every_response(site):
    a = signed_in(site.app, A_USER, A_PASSWORD)
    for target in ["/login", "/", f"/years/{YEAR}/versions/v001/pdf", "/static/style.css", "/nowhere"]:
        r = a.get(target)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"


def test_no_inline_script_on_any_page(site):
    a = signed_in(site.app, A_USER, A_PASSWORD)
    for path, method in routes(site.app):
        if method == "GET":
            r = a.get(url(site, path))
            if r.headers["content-type"].startswith("text/html"):
                for tag in re.findall(r"<script[^>]*>", r.text):
                    assert 'src="/static/' in tag, (path, tag)
                assert not re.search(r"<script[^>]*>[^<]", r.text), path
                assert not re.search(r"<[^>]+\son[a-z]+=", r.text), path


def test_session_cookie_is_httponly_and_samesite(site):
    client = TestClient(site.app)
    r = login(client, A_USER, A_PASSWORD)
    cookie = next(h for h in r.history[0].headers.get_list("set-cookie") if h.startswith("annex_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # plain http on 127.0.0.1; over https it is Secure (next test)
    secure = TestClient(site.app, base_url="https://testserver")
    r = login(secure, A_USER, A_PASSWORD)
    cookie = next(h for h in r.history[0].headers.get_list("set-cookie") if h.startswith("annex_session="))
    assert "Secure" in cookie
