"""`annex build` end to end, as a user runs it, on copies of data/2023: outputs, incremental rebuilds,
failures that leave the previous build whole, and builds that run at the same time."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import traceback
from pathlib import Path

import docx
import pytest

from pipeline.build import run as build_run
from pipeline.build import tasks as build_tasks
from pipeline.files.lock import hold_lock
from tests.bench.generate import write_department
from pipeline.build.front import check_year
from pipeline.render.pdf import fonts
from pipeline.render.docx import render_docx
from pipeline.form.summary import build_summary
from pipeline.variant import load_variant
from user_runs import annex, files, private_copy

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "2023"
BUNDLE = "中共鄂州市委政法委员会-2023年度项目支出绩效自评表"


def set_figure(root: Path, project: str, key: str, old: str, new: str) -> None:
    path = root / "data" / "2023" / "projects" / f"{project}.yaml"
    text = path.read_text(encoding="utf-8")
    assert f"{key}: {old}\n" in text
    path.write_text(text.replace(f"{key}: {old}\n", f"{key}: {new}\n"), encoding="utf-8")


def docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    return "\n".join(c.text for t in d.tables for r in t.rows for c in r.cells)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A copy of data/2023 built once, Word and PDF (a whole bundle: archived as v001)."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(SEED, root / "data" / "2023")
    result = annex(root, "build", "--jobs", "2")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def work(built, tmp_path) -> Path:
    return private_copy(built, tmp_path)


def test_cold_build_writes_each_table_and_the_bundle(built):
    out = built / "build" / "2023"
    forms = check_year(built / "data" / "2023").bundle.forms
    variant = load_variant("hubei-2023")
    tables = sorted(p.name for p in (out / "分表").iterdir())
    assert tables == sorted(f"{f.file_stem}.{fmt}" for f in forms for fmt in ("docx", "pdf"))
    assert "11-中央司法救助资金专项资金(转移支付).docx" in tables
    # Each table is what the renderer makes of its form; the bundle, joined from them, is what the
    # renderer makes of all the forms at once.
    for f in forms:
        assert (out / "分表" / f"{f.file_stem}.docx").read_bytes() == render_docx([f], variant)
    # (The 项目清单 first: pipeline/form/summary.py.)
    summary = build_summary(check_year(built / "data" / "2023").bundle, variant)
    assert (out / f"{BUNDLE}.docx").read_bytes() == render_docx(forms, variant, summary)
    assert "155.65" in docx_text(out / "分表" / "02-市综治中心专项工作经费.docx")
    assert not list((built / "build").glob(".staging-*"))


def test_the_readme_says_of_every_output_whether_to_send_it(built):
    """Issue 22.17: the README's section on what goes to the finance bureau names every file and
    folder a build leaves in build/<year>/, the bundle's PDF first among what to send."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 报送财政局", 1)[1].split("\n## ", 1)[0]
    send, on_request, keep = (section.split(f"**{w}：**", 1)[1].split("\n- ", 1)[0]
                              for w in ("要交", "按要求交", "不要交"))
    assert send.lstrip().startswith("`<单位名称>-<年度>年度项目支出绩效自评表.pdf`")
    for entry in sorted((built / "build" / "2023").iterdir()):
        as_written = entry.name.replace("中共鄂州市委政法委员会", "<单位名称>").replace("2023", "<年度>")
        if entry.name.startswith("."):
            assert f"`{entry.name}`" in keep and "以 `.` 开头" in keep
        elif entry.is_dir():
            assert f"`{entry.name}/`" in on_request
        else:
            assert f"`{as_written}`" in send + on_request, entry.name
    assert "`data/`" in keep and "`build/archive/`" in keep


def test_cold_build_summary(tmp_path):
    shutil.copytree(SEED, tmp_path / "data" / "2023")
    result = annex(tmp_path, "build", "-f", "docx", "-j", "1")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "共 11 张表，重新生成 11 张（docx）" in out
    assert "9 个警告" in out
    assert f"build/2023/{BUNDLE}.docx" in out
    assert "build/2023/分表/（11 个文件）" in out
    # Word alone is not a whole bundle: build/2023 is updated, nothing is archived, and it says so.
    assert "归档：只生成了 docx，不是完整的一套（docx、pdf），未归档" in out
    assert not (tmp_path / "build" / "archive").exists()
    assert re.search(r"用时 \d+\.\d\d 秒", out)


def test_rebuild_without_change_renders_nothing(work):
    before = {p: p.stat().st_mtime_ns for p in (work / "build" / "2023").rglob("*")}
    result = annex(work, "build")
    assert result.exit_code == 0, result.output
    assert "没有变化：11 张表都是最新的，未重新生成任何文件" in result.output
    assert "与最新版本 v001 相同，未新增版本" in result.output
    assert {p: p.stat().st_mtime_ns for p in (work / "build" / "2023").rglob("*")} == before
    assert [p.name for p in (work / "build" / "archive" / "2023").iterdir() if p.is_dir()] == ["v001"]


def test_changed_figure_renders_one_table_and_adds_a_version(work):
    out = work / "build" / "2023"
    inodes = {p.name: p.stat().st_ino for p in (out / "分表").iterdir()}
    set_figure(work, "02-市综治中心", "执行数", "155.65", "156.65")

    result = annex(work, "build")
    assert result.exit_code == 0, result.output
    assert "重新生成 1 张（docx、pdf），汇编（docx、pdf）已重新组装" in result.output
    assert "归档：新版本 build/archive/2023/v002" in result.output
    changed = "02-市综治中心专项工作经费.docx"
    # The other ten tables are the same files as before (kept, not rendered again).
    assert {n: i for n, i in inodes.items() if not n.startswith("02-")} == \
        {p.name: p.stat().st_ino for p in (out / "分表").iterdir() if not p.name.startswith("02-")}
    assert "156.65" in docx_text(out / "分表" / changed)
    assert "156.65" in docx_text(out / f"{BUNDLE}.docx") and "155.65" not in docx_text(out / f"{BUNDLE}.docx")

    diff = annex(work, "diff", "v1", "v2")
    assert diff.exit_code == 0, diff.output
    assert "02-市综治中心 · 执行数: 155.65 → 156.65 · 执行率: 55.59% → 55.95%" in diff.output.splitlines()

    history = annex(work, "history")
    assert history.exit_code == 0, history.output
    assert "v002" in history.output and "修改 02-市综治中心" in history.output


def test_removed_project_and_deleted_output(work):
    out = work / "build" / "2023"
    (work / "data" / "2023" / "projects" / "11-中央司法救助.yaml").unlink()
    (out / "分表" / "01-政法智能化建设专项经费.docx").unlink()  # a user deleted one output by hand
    result = annex(work, "build")
    assert result.exit_code == 0, result.output
    assert "共 10 张表，重新生成 1 张" in result.output  # only the deleted one
    assert sorted(p.name for p in (out / "分表").iterdir())[0] == "01-政法智能化建设专项经费.docx"
    assert not (out / "分表" / "11-中央司法救助资金专项资金(转移支付).docx").exists()
    assert "中央司法救助资金" not in docx_text(out / f"{BUNDLE}.docx")
    diff = annex(work, "diff", "1", "v002")
    assert "删除项目：11-中央司法救助" in diff.output


def test_build_refuses_data_with_errors(work):
    before = files(work / "build")
    set_figure(work, "02-市综治中心", "执行数", "155.65", "一百")
    check = annex(work, "check")
    result = annex(work, "build")
    assert check.exit_code == result.exit_code == 1
    assert result.output.startswith(check.output)  # the same report as `annex check`
    assert "数据有错误，未生成任何文件" in result.stderr
    assert "Traceback" not in result.output
    assert files(work / "build") == before


def _failing_renderer(monkeypatch, error: BaseException) -> None:
    """The Word renderer raises `error` on table 05."""
    real = build_tasks.renderers

    def failing(formats):
        found = dict(real(formats))
        docx_renderer = found["docx"]

        def render(forms, variant):
            if any(f.key.startswith("05-") for f in forms):
                raise error
            return docx_renderer(forms, variant)

        found["docx"] = render
        return found

    monkeypatch.setattr(build_tasks, "renderers", failing)


def test_an_expected_renderer_failure_is_said_and_leaves_previous_build_and_archive(work, monkeypatch):
    before_out, before_archive = files(work / "build" / "2023"), files(work / "build" / "archive")
    set_figure(work, "02-市综治中心", "执行数", "155.65", "156.65")
    set_figure(work, "05-社会治安综合治理", "执行数", "61.56", "62.56")
    _failing_renderer(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    result = annex(work, "build", "--format", "docx", "--jobs", "2")
    assert result.exit_code == 1
    assert "生成失败：05-社会治安综合治理（docx）：写入失败，No space left on device" in result.stderr
    assert "build/2023 仍是上一次完整的输出" in result.stderr
    assert "Traceback" not in result.output
    assert files(work / "build" / "2023") == before_out
    assert files(work / "build" / "archive") == before_archive
    assert not list((work / "build").glob(".staging-*"))


def test_a_bug_in_a_renderer_keeps_its_traceback_and_leaves_previous_build_and_archive(work, monkeypatch):
    before_out, before_archive = files(work / "build" / "2023"), files(work / "build" / "archive")
    set_figure(work, "05-社会治安综合治理", "执行数", "61.56", "62.56")
    _failing_renderer(monkeypatch, ValueError("a renderer's bug"))
    result = annex(work, "build", "--format", "docx", "--jobs", "2")
    assert result.exit_code != 0
    # Not turned into a one-line message: the error itself, with the worker's traceback as its cause.
    assert isinstance(result.exception, ValueError) and str(result.exception) == "a renderer's bug"
    assert "生成失败" not in result.output
    assert "Traceback" in "".join(traceback.format_exception(result.exception))
    assert files(work / "build" / "2023") == before_out
    assert files(work / "build" / "archive") == before_archive
    assert not list((work / "build").glob(".staging-*"))


def _cli(root: Path, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


@pytest.fixture(scope="module")
def built60(tmp_path_factory) -> Path:
    """60 generated tables, built: enough work that a build can be caught in the middle."""
    root = tmp_path_factory.mktemp("built60")
    write_department(root / "data", 60)
    result = annex(root, "build", "-f", "docx")
    assert result.exit_code == 0, result.output
    return root


# `annex build` whose render tasks stop after their first chunk, written into the staging folder:
# it says so on the READY pipe and waits on BLOCK, which is never written. A build caught there
# cannot finish first, and the test waits for the pipe, not for a file to appear.
BLOCKING_BUILD = """
import os, sys
from pipeline.build import tasks
real = tasks.render_tables
ready, block = int(os.environ["ANNEX_TEST_READY"]), int(os.environ["ANNEX_TEST_BLOCK"])
def render_then_block(*args):
    out = real(*args)
    os.write(ready, b"x")
    os.read(block, 1)
    return out
tasks.render_tables = render_then_block
from pipeline.cli import app
app(sys.argv[1:], prog_name="annex")
"""


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["killed", "ctrl-c"])
def test_interrupted_build_leaves_previous_build_and_archive(built60, tmp_path, sig):
    shutil.copytree(built60, tmp_path, dirs_exist_ok=True, symlinks=True)
    before_out, before_archive = files(tmp_path / "build" / "2023"), files(tmp_path / "build" / "archive")

    dept = tmp_path / "data" / "2023" / "department.yaml"
    dept.write_text(dept.read_text(encoding="utf-8").replace("2024-04-23", "2024-04-24"), encoding="utf-8")
    ready_r, ready_w = os.pipe()
    block_r, block_w = os.pipe()
    # A session of its own, as a terminal's foreground job: the signal goes to the build and its workers.
    proc = subprocess.Popen(
        [sys.executable, "-c", BLOCKING_BUILD, "build", "-f", "docx", "-j", "2"], cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        pass_fds=(ready_w, block_r), env={**os.environ, "ANNEX_TEST_READY": str(ready_w),
                                          "ANNEX_TEST_BLOCK": str(block_r), "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    os.close(ready_w)
    os.close(block_r)
    try:
        assert os.read(ready_r, 1) == b"x", "the build ended before a table was written"
        staging = tmp_path / "build" / f".staging-2023-{proc.pid}"
        assert any((staging / "分表").glob("*.docx"))
        os.killpg(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
    finally:
        os.close(ready_r)
        os.close(block_w)

    assert files(tmp_path / "build" / "2023") == before_out
    assert files(tmp_path / "build" / "archive") == before_archive
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert "已中断。build/2023 仍是上一次完整的输出，归档未改动。" in err
        assert not staging.exists()
    else:
        assert staging.exists()  # a half-written build, left where no one reads it

    again = annex(tmp_path, "build", "-f", "docx", "--wait", "10")
    assert again.exit_code == 0, again.output
    assert "重新生成 60 张" in again.output
    assert not staging.exists()
    if sig == signal.SIGKILL:
        assert f"已清除上次中断的构建留下的临时文件夹：{staging.name}" in again.output
    for table in (tmp_path / "build" / "2023" / "分表").iterdir():
        assert "填报日期：2024 年 4 月 24 日" in [p.text for p in docx.Document(str(table)).paragraphs][2]


def test_second_build_waits_for_the_lock_or_gives_up(work, monkeypatch):
    lock = work / "build" / ".2023.lock"
    with hold_lock(lock, wait=0):
        busy = annex(work, "build", "-f", "docx", "--wait", "0")
    assert busy.exit_code == 1
    assert f"（进程 {os.getpid()}）正在写入 build/2023" in busy.stderr
    assert "请稍后再试" in busy.stderr

    held, release = threading.Event(), threading.Event()

    def hold():
        with hold_lock(lock, wait=0):
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(60)
    real_lock = build_run.hold_lock

    def lock_releasing_once_waiting(path, wait, on_wait, subject):
        def waiting(who: str) -> None:
            on_wait(who)
            release.set()  # the build has said it waits: now the holder lets go

        return real_lock(path, wait, waiting, subject)

    monkeypatch.setattr(build_run, "hold_lock", lock_releasing_once_waiting)
    waited = annex(work, "build", "-f", "docx", "--wait", "60")
    holder.join()
    assert waited.exit_code == 0, waited.output
    assert "正在写入同一年度，等待它完成" in waited.stderr


def test_concurrent_builds_do_not_interleave(work):
    set_figure(work, "02-市综治中心", "执行数", "155.65", "156.65")
    procs = [_cli(work, "build", "-j", "2", "--wait", "60") for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    said = sorted("没有变化" in o for o, _ in outs)
    assert said == [False, True]  # one built, the other found it done
    # One coherent build: the archived version holds exactly what build/2023 holds.
    out = files(work / "build" / "2023")
    v2 = work / "build" / "archive" / "2023" / "v002" / "outputs"
    assert {k: v for k, v in out.items() if k != ".annex-state.json"} == files(v2)
    assert not (work / "build" / "archive" / "2023" / "v003").exists()


def test_missing_glyph_stops_before_writing(work):
    """A character no installed font can print: said once, with the project, and nothing is written."""
    before = files(work / "build")
    set_figure(work, "02-市综治中心", "项目实施单位", "市综治中心", "市综治中心𓀀")
    result = annex(work, "build")  # both formats: the PDF needs the glyph
    assert result.exit_code == 1
    assert "「𓀀」（02-市综治中心，编码 U+13000）" in result.stderr
    assert "Traceback" not in result.output
    assert files(work / "build") == before


def test_data_edited_during_build_is_not_archived(work, monkeypatch):
    real_swap = build_run.swap_in

    def swap_then_edit(*args):
        real_swap(*args)
        set_figure(work, "02-市综治中心", "执行数", "156.65", "157.65")  # the user saves again, mid-build

    set_figure(work, "02-市综治中心", "执行数", "155.65", "156.65")
    monkeypatch.setattr(build_run, "swap_in", swap_then_edit)
    result = annex(work, "build")
    assert result.exit_code == 1
    assert "在构建过程中被修改，本次输出未归档" in result.stderr
    assert "156.65" in docx_text(work / "build" / "2023" / "分表" / "02-市综治中心专项工作经费.docx")
    assert [p.name for p in (work / "build" / "archive" / "2023").iterdir() if p.is_dir()] == ["v001"]

    monkeypatch.setattr(build_run, "swap_in", real_swap)
    again = annex(work, "build")
    assert again.exit_code == 0, again.output
    assert "归档：新版本 build/archive/2023/v002" in again.output
    snapshot = work / "build" / "archive" / "2023" / "v002" / "data" / "2023" / "projects" / "02-市综治中心.yaml"
    assert "执行数: 157.65\n" in snapshot.read_text(encoding="utf-8")


@pytest.mark.slow
def test_pdf_bundle_is_assembled_from_the_tables_and_follows_a_change(tmp_path):
    from pypdf import PdfReader

    shutil.copytree(SEED, tmp_path / "data" / "2023")
    first = annex(tmp_path, "build", "--jobs", "2")
    assert first.exit_code == 0, first.output
    out = tmp_path / "build" / "2023"
    bundle = PdfReader(str(out / f"{BUNDLE}.pdf"))
    pages = len(bundle.pages)
    assert f"PDF 汇编 {pages} 页" in first.output
    table_pages = sum(len(PdfReader(str(p)).pages) for p in (out / "分表").glob("*.pdf"))
    # The tables' pages, after the 项目清单's one page.
    assert pages == 1 + table_pages and len(list((out / "分表").glob("*.pdf"))) == 11
    text = "".join(p.extract_text() for p in bundle.pages)
    assert "155.65" in text and "2023 年度市综治中心专项工作经费项目自评表" in text

    set_figure(tmp_path, "02-市综治中心", "执行数", "155.65", "156.65")
    again = annex(tmp_path, "build", "--jobs", "2")
    assert again.exit_code == 0, again.output
    assert "重新生成 1 张（docx、pdf），汇编（docx、pdf）已重新组装" in again.output
    table = "".join(p.extract_text() for p in PdfReader(str(out / "分表" / "02-市综治中心专项工作经费.pdf")).pages)
    text = "".join(p.extract_text() for p in PdfReader(str(out / f"{BUNDLE}.pdf")).pages)
    assert "156.65" in table and "156.65" in text and "155.65" not in text


@pytest.mark.slow
def test_a_font_upgrade_renders_the_pdfs_again(tmp_path, monkeypatch):
    shutil.copytree(SEED, tmp_path / "data" / "2023")
    assert annex(tmp_path, "build", "--jobs", "2").exit_code == 0
    out = tmp_path / "build" / "2023"
    inodes = {p.name: p.stat().st_ino for p in (out / "分表").iterdir()}

    real = fonts.fingerprint
    monkeypatch.setattr(fonts, "fingerprint", lambda css: real(css) + "-upgraded")
    result = annex(tmp_path, "build", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert "重新生成 11 张（docx、pdf），汇编（docx、pdf）已重新组装" in result.output
    now = {p.name: p.stat().st_ino for p in (out / "分表").iterdir()}
    assert {n for n in now if now[n] != inodes[n]} == {n for n in now if n.endswith(".pdf")}  # Word kept

    again = annex(tmp_path, "build", "--jobs", "2")
    assert "没有变化" in again.output


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_build_leaves_no_temporary_files(tmp_path, jobs):
    """The fonts copied for WeasyPrint, in this process or in the workers, go when the build ends."""
    shutil.copytree(SEED, tmp_path / "data" / "2023")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    (tmp_path / "file").write_text("")
    # No cache folder can be made: the common-character copies of the fonts go to the temporary
    # folder as well, beside WeasyPrint's copies of them.
    env = {**os.environ, "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(tmp_path / "file" / "cache")}
    # What a killed build's workers left (its process is gone), and a running build's folder.
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = tmp / f"annex-work-{ended.stdout.strip()}-x1"
    running = tmp / f"annex-work-{os.getpid()}-x2"
    for folder in (orphan, running):
        (folder / "weasyprint-x").mkdir(parents=True)
    run = subprocess.run([sys.executable, "-m", "pipeline", "build", "--no-archive", "-j", jobs], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert len(list((tmp_path / "build" / "2023" / "分表").glob("*.pdf"))) == 11
    # With workers, the build also removed the orphan; without, it started none and left it.
    assert sorted(tmp.iterdir()) == ([running] if jobs == "2" else sorted([orphan, running]))


def test_note_marks_the_issued_version(work):
    """`annex build --note`: the bundle as issued is a version of its own, even with nothing changed."""
    result = annex(work, "build", "--note", "报送财政局")
    assert result.exit_code == 0, result.output
    assert "归档：新版本 build/archive/2023/v002（备注：报送财政局）" in result.output
    history = annex(work, "history").output.splitlines()
    assert history[-2].startswith("v002  ") and history[-2].endswith("表的内容与 v001 相同")
    assert history[-1] == "      备注：报送财政局"
    again = annex(work, "build")  # the next plain build adds nothing
    assert "与最新版本 v002 相同，未新增版本" in again.output


@pytest.mark.slow
def test_a_changed_figure_lays_out_again_only_the_list_pages_that_show_it(tmp_path):
    """The 项目清单 of 100 projects runs over four pages, each laid out as a piece of its own
    (pipeline/render/pdf/summary.py). A changed 执行数 lays out again only the pieces whose rows
    (the window each piece lays out) hold that project or the 合计 row; the others are the very
    files of the last build, kept in build/.annex-cache/2023/. The bundles come out byte for byte
    as a build from scratch makes them."""
    import json

    from pipeline.render.pieces import WINDOW

    from tests.bench.__main__ import change_one_figure

    data = write_department(tmp_path / "data", 100)
    first = annex(tmp_path, "build", "--jobs", "2", "--no-archive")
    assert first.exit_code == 0, first.output
    out = tmp_path / "build" / "2023"
    cache = tmp_path / "build" / ".annex-cache" / "2023"

    def pieces() -> list[dict]:
        return json.loads((out / ".annex-state.json").read_text(encoding="utf-8"))["pieces"]

    before = pieces()
    assert len(before) >= 3 and before[0]["start"] == 0 and before[-1]["closes"]
    assert [p["stop"] for p in before[:-1]] == [p["start"] for p in before[1:]]  # every row once, in order
    held = tmp_path / "held"  # a link to each piece: its inode stays taken, so "same inode" means "kept"
    held.mkdir()
    for p in before:
        os.link(cache / p["output"]["path"], held / f"{p['start']}.pdf")

    row = 0
    change_one_figure(data, 0)  # the first project's 执行数, as `make bench` changes it
    again = annex(tmp_path, "build", "--jobs", "2", "--no-archive")
    assert again.exit_code == 0, again.output
    assert "重新生成 1 张" in again.output
    after = pieces()
    assert [(p["start"], p["stop"]) for p in after] == [(p["start"], p["stop"]) for p in before]
    laid_out = [p["start"] for p in after
                if (cache / p["output"]["path"]).stat().st_ino != (held / f"{p['start']}.pdf").stat().st_ino]
    expected = [p["start"] for p in before if p["start"] <= row < p["start"] + WINDOW
                or p["start"] + WINDOW >= 100]
    assert laid_out == expected and len(laid_out) < len(after)
    assert sorted(f.name for f in cache.iterdir()) == sorted(p["output"]["path"] for p in after)  # no leftovers

    assert_as_from_scratch(tmp_path, "cold")

    # A name long enough to take several lines: the second page holds fewer rows, every page
    # after it starts elsewhere, and the rest of the list is laid out again.
    path = sorted((data / "projects").glob("*.yaml"))[before[1]["start"] + 2]
    path.write_text(re.sub(r"^项目名称: .*$", "项目名称: " + "一个很长的项目名称" * 12, path.read_text(encoding="utf-8"),
                           count=1, flags=re.M), encoding="utf-8")
    assert annex(tmp_path, "build", "--jobs", "2", "--no-archive").exit_code == 0
    moved = pieces()
    assert moved[1]["stop"] < before[1]["stop"] and moved[-1]["closes"]
    assert_as_from_scratch(tmp_path, "cold2")
    assert sorted(f.name for f in cache.iterdir()) == sorted(p["output"]["path"] for p in moved)


def assert_as_from_scratch(root: Path, other: str) -> None:
    """build/2023's bundles and 项目清单 pieces are those a build from scratch into `other` makes."""
    import json

    cold = annex(root, "build", "--jobs", "2", "--no-archive", "--out", other)
    assert cold.exit_code == 0, cold.output
    out, scratch = root / "build" / "2023", root / other / "2023"
    for bundle in sorted(p for p in out.iterdir() if p.suffix in (".docx", ".pdf", ".xlsx")):
        assert bundle.read_bytes() == (scratch / bundle.name).read_bytes(), bundle.name
    state = [json.loads((d / ".annex-state.json").read_text(encoding="utf-8")) for d in (out, scratch)]
    assert [p["output"]["sha256"] for p in state[0]["pieces"]] == [p["output"]["sha256"] for p in state[1]["pieces"]]
