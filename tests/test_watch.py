"""`annex build --watch`: a save rebuilds what changed, with the render processes kept warm; errors
are shown and the watch goes on; Ctrl-C ends it with nothing left running and nothing archived."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import docx
import pytest

from pdf_text import page_texts, squash
from pipeline.render.pdf import fonts
from pipeline.build.front import check_year
from pipeline.render.pdf.render import render_form_pdf
from pipeline.variant import TEMPLATES_DIR, load_variant
from pipeline.build.watch import watch
from user_runs import annex, files

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "2023"
PROJECT = "01-政法智能化建设"  # the data file
TABLE = "01-政法智能化建设专项经费"  # its outputs


# --- the polling loop -------------------------------------------------------------------------

class Script:
    """A fake clock: at given polls, writes to a file, as an editor saving would."""

    def __init__(self, path: Path, writes: dict[int, str]):
        self.path, self.writes, self.polls = path, writes, 0

    def sleep(self, _seconds: float) -> None:
        self.polls += 1
        if self.polls in self.writes:
            self.path.write_text(self.writes[self.polls], encoding="utf-8")
            os.utime(self.path, ns=(self.polls * 10**9, self.polls * 10**9))  # as a later save


def test_watch_builds_once_per_settled_change(tmp_path):
    (tmp_path / "sub").mkdir()
    f = tmp_path / "sub" / "a.yaml"
    f.write_text("v0", encoding="utf-8")
    # Poll 3 starts a save that goes on at poll 4 (two steps): one build, of the finished file.
    # Poll 9 is a second save.
    script = Script(f, {3: "v1-half", 4: "v1", 9: "v2"})
    seen: list[str] = []
    watch([tmp_path], lambda: seen.append(f.read_text(encoding="utf-8")), sleep=script.sleep, rounds=12)
    assert seen == ["v0", "v1", "v2"]


def test_watch_ignores_a_folder_without_change(tmp_path):
    (tmp_path / "a.yaml").write_text("x", encoding="utf-8")
    calls = []
    watch([tmp_path], lambda: calls.append(1), sleep=lambda s: None, rounds=20)
    assert calls == [1]  # the first build only


def test_a_long_running_process_sees_edits_of_form_css(tmp_path):
    """The PDF renderer's stylesheet and font fingerprint follow form.css as it is now, not as it
    was when a watching process first read it."""
    shutil.copytree(TEMPLATES_DIR / "hubei-2023", tmp_path / "hubei-2023")
    variant = load_variant("hubei-2023", root=tmp_path)
    css = variant.dir / "form.css"
    form = check_year(SEED).bundle.forms[0]
    original = css.read_text(encoding="utf-8")
    first, first_fonts = render_form_pdf(form, variant), fonts.fingerprint(css)

    css.write_text(original.replace("font-size: 22pt; /* 二号 */", "font-size: 16pt;")
                   .replace('--font-mark: "DejaVu Sans";', '--font-mark: "DejaVu Sans", "Noto Sans CJK SC";'),
                   encoding="utf-8")
    edited, edited_fonts = render_form_pdf(form, variant), fonts.fingerprint(css)
    assert edited != first and edited_fonts != first_fonts
    title = form.title
    assert squash(title) in squash(page_texts(edited)[0])

    css.write_text(original, encoding="utf-8")
    assert render_form_pdf(form, variant) == first and fonts.fingerprint(css) == first_fonts


# --- end to end --------------------------------------------------------------------------------

class Output:
    """A running command's stdout and stderr, collected as they come."""

    def __init__(self, proc: subprocess.Popen):
        self.text = ""
        self._lock = threading.Lock()
        for stream in (proc.stdout, proc.stderr):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            with self._lock:
                self.text += line

    def count(self, needle: str) -> int:
        with self._lock:
            return self.text.count(needle)


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def docx_cells(path: Path) -> list[str]:
    return [c.text for t in docx.Document(str(path)).tables for r in t.rows for c in r.cells]


@pytest.fixture
def watching(tmp_path):
    shutil.copytree(SEED, tmp_path / "data" / "2023")
    # A session of its own, as a terminal's foreground job: Ctrl-C reaches it and its workers.
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "build", "--watch", "-j", "2"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    out = Output(proc)
    try:
        yield tmp_path, proc, out
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["ctrl-c", "kill"])
def test_watch_follows_saves_until_stopped(watching, stop):
    root, proc, out = watching
    build_dir = root / "build" / "2023"
    state = build_dir / ".annex-state.json"
    wait_for(lambda: out.count("正在监视") == 1, "the first build")
    assert "重新生成 11 张（docx、pdf）" in out.text and "归档：监视期间不归档" in out.text

    # The watch's workers do not hold the year's lock between builds: a build of its own goes through.
    other = annex(root, "build", "--no-archive", "--wait", "0")
    assert other.exit_code == 0, other.output
    assert "没有变化" in other.output

    # One figure: that table (Word and PDF) and the bundles follow, with the rate the data now gives.
    project = root / "data" / "2023" / "projects" / f"{PROJECT}.yaml"
    text = project.read_text(encoding="utf-8")
    old_rate = check_year(root / "data" / "2023").bundle.forms[0].budget.rate
    before = state.read_bytes()
    project.write_text(text.replace("执行数: 58\n", "执行数: 59\n"), encoding="utf-8")
    wait_for(lambda: out.count("正在监视") == 2, "the rebuild")
    assert state.read_bytes() != before
    new_rate = check_year(root / "data" / "2023").bundle.forms[0].budget.rate
    assert new_rate != old_rate
    assert "重新生成 1 张（docx、pdf），汇编（docx、pdf）已重新组装" in out.text
    assert new_rate in docx_cells(build_dir / "分表" / f"{TABLE}.docx")
    assert squash(f"59{new_rate}") in squash(page_texts((build_dir / "分表" / f"{TABLE}.pdf").read_bytes())[0])
    bundle_pdf = next(build_dir.glob("*自评表.pdf")).read_bytes()
    assert squash(f"59{new_rate}") in squash(page_texts(bundle_pdf)[0])

    # A broken save: the errors are shown, the outputs stay, the watch goes on.
    built = files(build_dir)
    project.write_text(text.replace("执行数: 58\n", "执行数: 59\n") + "坏: [\n", encoding="utf-8")
    wait_for(lambda: out.count("正在监视") == 3 and out.count("数据有错误，未生成任何文件") == 1, "the failed rebuild")
    assert "yaml-syntax" in out.text
    assert files(build_dir) == built

    # Fixed again: the same data as the last build, nothing to render.
    project.write_text(text.replace("执行数: 58\n", "执行数: 59\n"), encoding="utf-8")
    wait_for(lambda: out.count("正在监视") == 4, "the build after the fix")
    assert out.count("没有变化：11 张表都是最新的") == 1

    if stop == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # the terminal sends it to the whole foreground job
    else:
        proc.terminate()  # `kill <pid>`: SIGTERM to the watch only
    assert proc.wait(timeout=30) == 0
    wait_for(lambda: out.count("已结束监视") == 1, "the goodbye")
    assert "定稿后运行 .venv/bin/annex build 存为归档版本" in out.text
    assert "Traceback" not in out.text  # neither from the watch nor from its workers as they end
    with pytest.raises(ProcessLookupError):  # no worker left running
        os.killpg(proc.pid, 0)
    assert not (root / "build" / "archive").exists()
