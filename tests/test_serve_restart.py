"""A server killed mid-build (power cut, kill -9) loses nothing: no version is half-written, the job
reads as interrupted after the restart, and building again gives a version the archive verifies."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "restart-password"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')

pytestmark = pytest.mark.slow


def start(root: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--root", str(root), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):  # bounded wait for the port
        try:
            httpx.get(url + "/login", timeout=1)
            return proc, url
        except httpx.HTTPError:
            assert proc.poll() is None, "annex serve ended"
            time.sleep(0.1)
    raise AssertionError("annex serve did not answer")


def sign_in(url: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, follow_redirects=True, timeout=60)
    page = client.get("/login")
    r = client.post("/login", data={"csrf": _CSRF.search(page.text)[1], "name": "王芳", "password": PASSWORD})
    return client, _CSRF.search(r.text)[1]


def test_a_server_killed_mid_build_leaves_no_half_version(tmp_path):
    root = tmp_path / "workspaces"
    r = subprocess.run([sys.executable, "-m", "pipeline", "user", "add", "王芳", "--workspace", "ws", "--root",
                        str(root)], input=PASSWORD, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    shutil.copytree(REPO / "data" / "2023", root / "ws" / "data" / "2023")
    out = root / "ws" / "build"
    proc, url = start(root)
    try:
        client, csrf = sign_in(url)
        job = client.post("/build", data={"csrf": csrf, "year": "2023"}).url.path
        for _ in range(100_000):  # until a table is rendered, and not all of them
            p = client.get(job + "/progress").json()
            assert p["state"] in ("queued", "running"), p
            if p["total"] and 0 < p["done"] < p["total"]:
                break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not (out / "2023").exists()  # never a half build where the bundle goes
    versions = list((out / "archive" / "2023").glob("v*")) if (out / "archive" / "2023").exists() else []
    assert versions == []
    proc, url = start(root)
    try:
        client, csrf = sign_in(url)
        page = client.get(job).text
        assert "服务器重启，生成被中断" in page
        again = client.post("/build", data={"csrf": csrf, "year": "2023"}).url.path
        for _ in range(100_000):
            state = client.get(again + "/progress").json()["state"]
            if state not in ("queued", "running"):
                break
            time.sleep(0.05)
        assert state == "done", re.sub(r"<[^>]+>", " ", client.get(again).text)
    finally:
        proc.terminate()
        proc.wait(60)
    r = subprocess.run([sys.executable, "-m", "pipeline", "verify", "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0 and "v001：" in r.stdout and "完好" in r.stdout, r.stdout + r.stderr
