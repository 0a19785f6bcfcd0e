"""Builds off the request: the web's build waits for the command line's build of the same year
(the same lock), and the server's render processes stay up between builds (warm renderers)."""

from __future__ import annotations

import time

import pytest

from pipeline.build.staging import lock_path
from pipeline.files.lock import hold_lock
from serve_site import A_PASSWORD, A_USER, A_WS, make_site, new_app, seed_workbook_year, signed_in
from workbooks import mutate, set_cell


def _job(response) -> str:
    return response.url.path.rsplit("/", 1)[1]


def test_a_web_build_waits_for_the_command_lines_build_of_the_same_year(tmp_path):
    site = make_site(tmp_path / "root")
    book = seed_workbook_year(site.ws(A_WS), tmp_path)
    app = new_app(site)
    a = signed_in(app, A_USER, A_PASSWORD)
    a.post("/upload", data={"csrf": a.csrf, "year": "2024"}, files={"file": ("book.xlsx", book)})
    out = site.ws(A_WS) / "build"
    with hold_lock(lock_path(out, 2024), 0):  # `annex build` of the same folders, running
        job = _job(a.post("/build", data={"csrf": a.csrf, "year": "2024"}))
        for _ in range(3000):  # bounded: until the job reports that it waits
            progress = a.get(f"/jobs/{job}/progress").json()
            if progress["phase"] == "等待另一个生成结束":
                break
            time.sleep(0.01)
        assert progress == {**progress, "state": "running", "phase": "等待另一个生成结束"}
        assert not (out / "2024").exists()
    app.state.annex.jobs.wait(job, 300)
    assert "已生成" in a.get(f"/jobs/{job}").text


@pytest.mark.slow
def test_the_render_processes_stay_up_between_builds(tmp_path):
    site = make_site(tmp_path / "root")
    path = tmp_path / "book.xlsx"
    path.write_bytes(seed_workbook_year(site.ws(A_WS), tmp_path))
    app = new_app(site, warm=True, build_slots=1, build_jobs=2)
    jobs = app.state.annex.jobs
    try:
        a = signed_in(app, A_USER, A_PASSWORD)
        seen = []
        for budget in (60, 75):
            sheet_ref = next(c.column_letter for c in __import__("openpyxl").load_workbook(path)["项目"][1]
                             if c.value == "预算数")
            mutate(path, set_cell("项目", f"{sheet_ref}2", budget))
            a.post("/upload", data={"csrf": a.csrf, "year": "2024"}, files={"file": ("book.xlsx", path.read_bytes())})
            job = _job(a.post("/build", data={"csrf": a.csrf, "year": "2024"}))
            jobs.wait(job, 600)
            assert "已生成" in a.get(f"/jobs/{job}").text
            pool = jobs._all[0].workers._pool  # noqa: SLF001 - the slot's pool, to see its processes
            assert pool is not None  # kept after the build
            seen.append({pid for pid, p in pool._processes.items() if p.is_alive()})  # noqa: SLF001
        assert len(seen[0]) == 2 and seen[0] == seen[1]  # the same two processes rendered both builds
    finally:
        jobs.stop()
