"""Issue 13's hostile scenarios, each a test that failed before its fix: the data folder is never
written or deleted, every file read is a regular file of bounded size, nothing annex writes goes
through a link, and every mistake is a located message, never a traceback or a hang.

Cases that need an unprivileged user (permissions mean nothing to root) drop to `nobody` with
setpriv; they are skipped when the suite does not run as root.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from cli_runs import build, run
from scenarios import BASE_PROJECT, make_year
from user_runs import NOBODY_SKIP, nobody_can_run_annex

ANNEX = [sys.executable, "-m", "pipeline"]


def check(tmp: Path, *extra: str):
    return run(tmp, "check", "--data", "data", "--year", "2024", *extra)


def tree(root: Path) -> dict[str, str]:
    """Every entry under root: files by content, links by target, folders by name."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[rel] = "dir"
    return out


def no_traceback(result) -> None:
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def project(tmp: Path) -> Path:
    return tmp / "data" / "2024" / BASE_PROJECT


def set_line(path: Path, key: str, value: str) -> None:
    """Replace the `key: …` line of a YAML file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [f"{key}: {value}" if ln.startswith(f"{key}:") else ln for ln in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- 1. the output folder never overlaps the data -------------------------------------------------

@pytest.mark.parametrize("out", ["data", "data/2024", "data/2024/out", "data/2023", ".", "data/../data"])
def test_output_overlapping_the_data_is_refused_before_anything_is_written(tmp_path, out):
    make_year(tmp_path)
    before = tree(tmp_path)
    result = run(tmp_path, "build", "--data", "data", "--year", "2024", "--out", out, "--jobs", "1",
                 "--format", "docx")
    no_traceback(result)
    assert result.exit_code == 1
    assert "重叠" in result.output and "--out" in result.output
    assert tree(tmp_path) == before  # not even the lock file


def test_output_overlap_is_seen_through_a_link(tmp_path):
    make_year(tmp_path)
    os.symlink("data", tmp_path / "alias")
    before = tree(tmp_path / "data")
    result = run(tmp_path, "build", "--data", "data", "--year", "2024", "--out", "alias/2024", "--jobs", "1")
    assert result.exit_code == 1 and "重叠" in result.output
    assert tree(tmp_path / "data") == before


def test_data_inside_the_output_folder_is_refused(tmp_path):
    make_year(tmp_path / "out")
    result = run(tmp_path, "build", "--data", "out/data", "--year", "2024", "--out", "out", "--jobs", "1")
    no_traceback(result)
    assert result.exit_code == 1 and "包含数据文件夹" in result.output


def test_a_linked_year_output_is_refused_and_its_target_kept(tmp_path):
    make_year(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine")
    (tmp_path / "out").mkdir()
    os.symlink(victim, tmp_path / "out" / "2024")
    result = build(tmp_path, "--format", "docx")
    no_traceback(result)
    assert result.exit_code == 1 and "符号链接" in result.output
    assert tree(victim) == {"keep.txt": hashlib.sha256(b"mine").hexdigest()}


def test_a_planted_staging_link_is_not_written_through(tmp_path):
    """A link where the build puts its staging folder (any pid) is neither followed nor deleted."""
    make_year(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (tmp_path / "out").mkdir()
    for pid in range(os.getpid() - 2, os.getpid() + 3):
        os.symlink(victim, tmp_path / "out" / f".staging-2024-{pid}")
        os.symlink(victim, tmp_path / "out" / f".old-2024-{pid}")
    result = build(tmp_path, "--format", "docx", "--no-archive")
    no_traceback(result)
    assert list(victim.iterdir()) == []
    assert not (tmp_path / "out" / "2024").is_symlink()


# --- 3. the year folder is one tree of regular files: links are refused, not half-followed ---------

def test_linked_projects_folder_is_refused_not_silently_stale(tmp_path):
    make_year(tmp_path)
    year = tmp_path / "data" / "2024"
    shutil.move(year / "projects", tmp_path / "elsewhere")
    os.symlink("../../elsewhere", year / "projects")
    for result in (check(tmp_path), build(tmp_path, "--format", "docx")):
        no_traceback(result)
        assert result.exit_code == 1
        assert "data/2024/projects" in result.output and "data-symlink" in result.output
    assert not (tmp_path / "out" / "2024").exists()


def test_changing_a_linked_file_never_gives_nothing_changed(tmp_path):
    """Built with a real file, then the file replaced by a link to an edited copy: refused, never
    "没有变化" with the old figure kept."""
    make_year(tmp_path)
    assert build(tmp_path, "--format", "docx", "--no-archive").exit_code == 0
    elsewhere = tmp_path / "edited.yaml"
    shutil.copyfile(project(tmp_path), elsewhere)
    set_line(elsewhere, "执行数", "59")
    project(tmp_path).unlink()
    os.symlink(elsewhere, project(tmp_path))
    result = build(tmp_path, "--format", "docx", "--no-archive")
    no_traceback(result)
    assert result.exit_code == 1 and "没有变化" not in result.output and "data-symlink" in result.output


@pytest.mark.parametrize("target", ["/dev/zero", "/etc/passwd", "loop.yaml", "missing"])
def test_a_linked_project_file_is_refused_without_reading_it(tmp_path, target):
    make_year(tmp_path)
    os.symlink(target, tmp_path / "data" / "2024" / "projects" / "loop.yaml")
    result = check(tmp_path)
    no_traceback(result)
    assert result.exit_code == 1
    assert "data/2024/projects/loop.yaml" in result.output and "data-symlink" in result.output


def test_a_symlink_loop_folder_in_projects(tmp_path):
    make_year(tmp_path)
    os.symlink(".", tmp_path / "data" / "2024" / "projects" / "again")
    for result in (check(tmp_path), build(tmp_path, "--format", "docx")):
        no_traceback(result)
        assert result.exit_code == 1 and "data/2024/projects/again" in result.output


# --- 6. only regular files are read, their size known first ----------------------------------------

@pytest.mark.parametrize("where", ["projects/02-x.yaml", "department.yaml", "预算执行.csv", "绩效指标.csv",
                                   "notes.txt"])
def test_a_fifo_named_like_a_data_file_is_an_error_not_a_hang(tmp_path, where):
    make_year(tmp_path)
    path = tmp_path / "data" / "2024" / where
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    # A hang would block this test (no writer ever opens the FIFO): the suite's timeout is the witness.
    for result in (check(tmp_path), build(tmp_path, "--format", "docx")):
        no_traceback(result)
        assert result.exit_code == 1
        assert f"data/2024/{where}" in result.output and "data-not-regular" in result.output


@pytest.mark.parametrize("where", ["projects/02-x.yaml", "预算执行.csv", "department.yaml"])
def test_a_folder_named_like_a_data_file_is_an_error_not_skipped(tmp_path, where):
    make_year(tmp_path)
    path = tmp_path / "data" / "2024" / where
    path.unlink(missing_ok=True)
    path.mkdir()
    result = check(tmp_path)
    no_traceback(result)
    assert result.exit_code == 1
    assert f"data/2024/{where}" in result.output and "data-not-regular" in result.output and "文件夹" in result.output


def test_a_huge_file_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch):
    make_year(tmp_path)
    big = tmp_path / "data" / "2024" / "projects" / "02-big.yaml"
    with open(big, "wb") as f:
        f.truncate(1536 * 1024 * 1024)  # sparse: 1.5 GB that takes no disk
    reads = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    result = check(tmp_path)
    no_traceback(result)
    assert result.exit_code == 1 and "file-too-large" in result.output and "1536.0 MB" in result.output
    assert sum(reads) < 64 * 1024 * 1024  # the small files only: never the big one


def test_a_fifo_state_file_in_the_output_does_not_hang_the_build(tmp_path):
    make_year(tmp_path)
    (tmp_path / "out" / "2024").mkdir(parents=True)
    os.mkfifo(tmp_path / "out" / "2024" / ".annex-state.json")
    result = build(tmp_path, "--format", "docx", "--no-archive")
    no_traceback(result)
    assert result.exit_code == 0, result.output


def test_a_non_utf8_project_file_name_is_located_not_a_crash(tmp_path):
    make_year(tmp_path)
    folder = os.fsencode(tmp_path / "data" / "2024" / "projects")
    shutil.copyfile(project(tmp_path), os.path.join(folder, b"02-\xff\xfe.yaml"))
    for result in (check(tmp_path), build(tmp_path, "--format", "docx")):
        no_traceback(result)
        assert result.exit_code == 1
        assert "data/2024/projects/02-\\xff\\xfe.yaml" in result.output and "data-name-encoding" in result.output


# --- 4. nothing annex creates or truncates goes through a link --------------------------------------

def test_a_symlinked_lock_file_is_refused_and_its_target_untouched(tmp_path):
    make_year(tmp_path)
    victim = tmp_path / "VICTIM"
    victim.write_text("precious\n")
    (tmp_path / "out").mkdir()
    os.symlink(victim, tmp_path / "out" / ".2024.lock")
    result = build(tmp_path, "--format", "docx")
    no_traceback(result)
    assert result.exit_code == 1 and "锁文件" in result.output and "符号链接" in result.output
    assert victim.read_text() == "precious\n"
    assert not (tmp_path / "out" / "2024").exists()


def test_a_symlinked_output_file_is_rendered_again_not_linked_or_followed(tmp_path):
    make_year(tmp_path)
    assert build(tmp_path, "--format", "docx", "--no-archive").exit_code == 0
    [table] = (tmp_path / "out" / "2024" / "分表").glob("*.docx")
    victim = tmp_path / "victim.docx"
    victim.write_bytes(table.read_bytes())  # same size: only the type tells it from the output
    table.unlink()
    os.symlink(victim, table)
    set_line(project(tmp_path), "执行数", "59")
    result = build(tmp_path, "--format", "docx", "--no-archive")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert not table.is_symlink()
    assert victim.read_bytes() != table.read_bytes()


# --- 2. a CSV's encoding is decided with evidence ---------------------------------------------------

INDICATOR_HEAD = "项目名称,目标,一级指标,二级指标,三级指标,年初目标值,实际完成值\r\n"


def strip_goals(year: Path) -> None:
    path = year / "projects" / "01-示例项目.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("年度绩效目标:\n")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")


@pytest.mark.parametrize("meant", ["完成目标", "网络建设全覆盖", "全市26个乡镇联通"])
def test_a_utf8_cell_in_a_gb18030_csv_is_located_not_mojibake(tmp_path, meant):
    from pipeline.build.front import check_year

    year = make_year(tmp_path)
    strip_goals(year)
    raw = (INDICATOR_HEAD + "示例项目经费,1,产出指标,数量指标,覆盖,全覆盖,").encode("gb18030") \
        + meant.encode("utf-8") + "\r\n示例项目经费,1,效益指标,社会效益指标,稳定,稳定,好\r\n".encode("gb18030")
    (year / "绩效指标.csv").write_bytes(raw)
    result = check_year(year, base=tmp_path)
    [issue] = result.errors
    assert result.bundle is None
    if len(meant.encode("utf-8")) % 2:
        # An odd number of UTF-8 bytes breaks the GB18030 reading itself: located at its line.
        assert (issue.code, issue.file, issue.line) == ("csv-encoding", "data/2024/绩效指标.csv", 2)
        return
    assert (issue.code, issue.file, issue.line, issue.column, issue.field) == (
        "csv-mixed-encoding", "data/2024/绩效指标.csv", 2, 7, "实际完成值")
    assert f"「{meant}」" in issue.message


def test_a_gb18030_csv_of_ordinary_text_is_not_flagged(tmp_path):
    from pipeline.build.front import check_year

    year = make_year(tmp_path)
    strip_goals(year)
    rows = "".join(f"示例项目经费,1,产出指标,数量指标,{t},{t},{t}\r\n" for t in (
        "网络建设全覆盖", "鄂州市社会治安综合治理", "矛盾纠纷排查化解率", "群众安全感满意度", "年度", "其中"))
    (year / "绩效指标.csv").write_bytes((INDICATOR_HEAD + rows).encode("gb18030"))
    result = check_year(year, base=tmp_path)
    assert result.errors == [], result.errors
    assert result.bundle.forms[0].goals[0].rows[1].level3 == "鄂州市社会治安综合治理"


def test_a_record_with_a_quoted_newline_is_located_at_its_first_line(tmp_path):
    from pipeline.build.front import check_year

    year = make_year(tmp_path)
    strip_goals(year)
    text = (INDICATOR_HEAD + "示例项目经费,1,产出指标,数量指标,覆盖,\"全市\n26个乡镇\",完成\r\n"
            "示例项目经费,1,产出指标,数量指标,培训,\"两\n场\",两场,多余\r\n")
    (year / "绩效指标.csv").write_text(text, encoding="utf-8")
    [issue] = check_year(year, base=tmp_path).errors
    assert (issue.code, issue.line) == ("csv-ragged-row", 4)


# --- 8. tracebacks become located errors; 12. negative zero ----------------------------------------

@pytest.mark.parametrize("planned,spent", [
    ("60", "1234567890123456789012345678901234567890"),  # 40 digits: the rate overflowed Decimal
    ("0.000001", "100000000000000000000000"),  # 10^23 over a millionth
])
def test_an_amount_too_large_for_any_form_is_located(tmp_path, planned, spent):
    make_year(tmp_path)
    set_line(project(tmp_path), "预算数", planned)
    set_line(project(tmp_path), "执行数", spent)
    for result in (check(tmp_path), build(tmp_path, "--format", "docx")):
        no_traceback(result)
        assert result.exit_code == 1
        assert "01-示例项目.yaml:7" in result.output and "金额过大" in result.output


def test_the_largest_amounts_allowed_still_compute(tmp_path):
    from pipeline.build.front import check_year

    year = make_year(tmp_path)
    set_line(project(tmp_path), "预算数", "0.000001")
    set_line(project(tmp_path), "执行数", "999999999999.999999")
    result = check_year(year, base=tmp_path)
    assert result.errors == [] and result.bundle.forms[0].budget.rate == "99999999999999999900.00%"


@pytest.mark.parametrize("goal", ["²", "①", "٣", "1.0", "1²", "٣٣"])
def test_a_goal_number_that_only_looks_like_digits_is_located(tmp_path, goal):
    from pipeline.build.front import check_year

    year = make_year(tmp_path)
    strip_goals(year)
    (year / "绩效指标.csv").write_text(INDICATOR_HEAD + f"示例项目经费,{goal},产出指标,数量指标,覆盖,全覆盖,完成\r\n",
                                       encoding="utf-8")
    [issue] = check_year(year, base=tmp_path).errors
    assert (issue.code, issue.line, issue.field) == ("csv-goal-number", 2, "目标")


@pytest.mark.parametrize("written", ["-0", "-0.00", "-0.0"])
def test_negative_zero_prints_as_zero(tmp_path, written):
    from pipeline.build.front import check_year

    year = make_year(tmp_path)
    set_line(project(tmp_path), "执行数", written)
    result = check_year(year, base=tmp_path)
    assert result.errors == []
    budget = result.bundle.forms[0].budget
    assert not budget.spent.startswith("-") and budget.rate == "0.00%"


# --- 9. what the build would refuse, nothing of it passes the check: file names fit in bytes ---------

def test_long_names_in_many_bytes_still_build_within_255_bytes_a_name(tmp_path):
    make_year(tmp_path)
    set_line(project(tmp_path), "项目名称", "😀" * 80)
    set_line(tmp_path / "data" / "2024" / "department.yaml", "单位名称", "鄂州市" * 25 + "政法")  # 77 characters
    assert check(tmp_path).exit_code == 0
    result = build(tmp_path, "--format", "docx")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    names = [p.name for p in (tmp_path / "out").rglob("*")]
    assert any(n.endswith(".docx") and "😀" in n for n in names)
    assert max(len(n.encode()) for n in names) <= 255


# --- 11. the same bytes in every locale ---------------------------------------------------------------

def test_outputs_are_the_same_bytes_under_a_chinese_locale(tmp_path):
    """fontconfig reads the locale's language from LANG/LC_ALL even where that locale is not
    generated, so this needs no `locale-gen`: under zh_CN the bundle held 11 copies of DejaVu."""
    make_year(tmp_path)
    outs = []
    for lang in ("C.UTF-8", "zh_CN.UTF-8"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k not in ("LANG", "LANGUAGE")}
        env.update(LANG=lang, LC_ALL=lang, PYTHONWARNINGS="ignore")
        out = f"out-{lang}"
        proc = subprocess.run([*ANNEX, "build", "--data", "data", "--year", "2024", "--out", out, "--jobs", "1",
                               "--no-archive"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        outs.append(tree(tmp_path / out / "2024"))
    assert outs[0] == outs[1]


# --- minor: characters that reached the documents silently, misleading messages ----------------------

@pytest.mark.parametrize("escape,code,severity", [
    ("\\x85", "forbidden-character", "error"),  # NEL, a C1 control
    ("\\x9f", "forbidden-character", "error"),
    ("\\U000E0041\\U000E0042", "invisible-character", "warning"),  # tag characters: hidden ASCII
    ("\\uFFFD", "replacement-character", "warning"),
])
def test_c1_controls_tag_characters_and_lost_characters_are_reported(tmp_path, escape, code, severity):
    from pipeline.build.front import check_year

    year = make_year(tmp_path)
    set_line(project(tmp_path), "改进措施", f'"进一步{escape}加强应用"')
    [issue] = check_year(year, base=tmp_path).issues
    assert (issue.code, issue.severity, issue.line, issue.field) == (code, severity, 21, "改进措施")


def test_control_characters_in_values_and_names_never_reach_the_terminal(tmp_path):
    make_year(tmp_path)
    set_line(project(tmp_path), "改进措施", '"a\\x1b]0;pwned\\x07b\\x1b[2J"')
    result = check(tmp_path)
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\\x1b]0;pwned" in result.output


@pytest.mark.parametrize("tag", ["!!null", "!!bool"])
def test_a_null_or_bool_tag_on_text_is_told_as_such_not_as_a_missing_key(tmp_path, tag):
    from pipeline.build.front import check_year

    year = make_year(tmp_path)
    set_line(project(tmp_path), "改进措施", f"{tag} 进一步加强应用")
    [issue] = check_year(year, base=tmp_path).issues
    assert (issue.code, issue.line, issue.field) == ("yaml-tag-mismatch", 21, "改进措施")


def test_an_invalid_escape_is_told_as_such_not_as_an_unclosed_quote(tmp_path):
    from pipeline.build.front import check_year

    year = make_year(tmp_path)
    set_line(project(tmp_path), "改进措施", '"进一步\\ud800加强"')
    [issue] = check_year(year, base=tmp_path).issues
    assert issue.code == "yaml-syntax" and issue.line == 21
    assert "转义" in issue.message and "引号没有闭合" not in issue.message


def test_a_five_digit_file_number_is_told_it_is_too_long(tmp_path):
    from pipeline.build.front import check_year

    year = make_year(tmp_path)
    os.rename(project(tmp_path), year / "projects" / "10000-x.yaml")
    [issue] = check_year(year, base=tmp_path).errors
    assert issue.code == "file-number-too-long" and "4 位" in issue.message


# --- minor: --jobs has a bound; a full disk says what was updated and what was not -----------------

def test_jobs_beyond_twice_the_cores_are_refused(tmp_path):
    from pipeline.cli.commands.build import default_jobs

    make_year(tmp_path)
    result = build(tmp_path, "--jobs", str(2 * default_jobs() + 1))
    no_traceback(result)
    assert result.exit_code == 1 and f"最多为 {2 * default_jobs()}" in result.output
    assert not (tmp_path / "out").exists()


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mount, or a user to drop to)")


@needs_root
def test_a_full_disk_while_archiving_says_the_outputs_were_updated_but_not_archived(tmp_path):
    make_year(tmp_path)
    archive = tmp_path / "out" / "archive"
    archive.mkdir(parents=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(archive)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        result = build(tmp_path)  # a whole bundle (Word and PDF): only that is archived
    finally:
        subprocess.run(["umount", str(archive)], check=True)
    no_traceback(result)
    assert result.exit_code == 1
    assert "磁盘空间已满" in result.output and "None" not in result.output
    assert "out/2024 已更新，这次输出未归档" in result.output
    assert (tmp_path / "out" / "2024" / ".annex-state.json").is_file()
    again = build(tmp_path)  # room again: the same outputs are archived now
    assert again.exit_code == 0 and "新版本" in again.output, again.output


# --- minor: limits a real form fits and a machine survives -------------------------------------------

def _with_indicators(path: Path, n: int, text: str) -> None:
    row = ("      - 一级指标: 产出指标\n        二级指标: 数量指标\n        三级指标: 指标{n}\n"
           "        年初目标值: {t}\n        实际完成值: {t}\n")
    body = path.read_text(encoding="utf-8")
    start, end = body.index("年度绩效目标:"), body.index("偏差原因分析:")
    rows = "".join(row.format(n=i, t=text) for i in range(n))
    path.write_text(body[:start] + "年度绩效目标:\n  - 指标:\n" + rows + body[end:], encoding="utf-8")


def test_a_project_of_200_indicators_of_long_texts_is_refused_not_rendered_for_minutes(tmp_path):
    from pipeline.build.front import check_year
    from pipeline.check.limits import MAX_PROJECT_CHARS
    from pipeline.input.model import MAX_TEXT_CHARS

    year = make_year(tmp_path)
    _with_indicators(project(tmp_path), 200, "长" * MAX_TEXT_CHARS)  # every cell within its own limit
    [issue] = check_year(year, base=tmp_path).errors
    assert (issue.code, issue.file, issue.line) == ("project-too-long", "data/2024/" + BASE_PROJECT, 1)
    assert str(MAX_PROJECT_CHARS) in issue.message


def test_a_cell_over_the_cell_limit_is_refused(tmp_path):
    from pipeline.build.front import check_year
    from pipeline.input.model import MAX_TEXT_CHARS

    year = make_year(tmp_path)
    set_line(project(tmp_path), "改进措施", "加" * (MAX_TEXT_CHARS + 1))
    [issue] = check_year(year, base=tmp_path).errors
    assert (issue.code, issue.line, issue.field) == ("text-too-long", 21, "改进措施")


def test_a_large_real_sized_project_is_within_the_limits(tmp_path):
    """Ten times the real bundle's longest table: 60 indicators, long remarks."""
    from pipeline.build.front import check_year

    year = make_year(tmp_path)
    _with_indicators(project(tmp_path), 60, "全市26个乡镇联通，覆盖率达到百分之百" * 5)
    set_line(project(tmp_path), "偏差原因分析", "原因" * 400)
    assert check_year(year, base=tmp_path).errors == []


# --- 8. as a user without root's powers: unreadable files are located errors ------------------------

def as_nobody() -> Path:
    """A folder `nobody` owns (pytest's own are root's, mode 0700), with the valid year in it."""
    import pwd

    root = Path(tempfile.mkdtemp(prefix="annex-nobody-"))
    os.chmod(root, 0o755)
    make_year(root)
    user = pwd.getpwnam("nobody")
    for p in [root, *root.rglob("*")]:
        os.chown(p, user.pw_uid, user.pw_gid, follow_symlinks=False)
    return root


def run_as_nobody(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "LANG": "C.UTF-8", "COLUMNS": "400",
           **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}}
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *ANNEX, *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@needs_root
@pytest.mark.parametrize("where", ["预算执行.csv", "projects", "projects/01-示例项目.yaml", "department.yaml", ""])
def test_unreadable_data_as_a_normal_user_is_located_not_a_traceback(where):
    if not nobody_can_run_annex():
        pytest.skip(NOBODY_SKIP)
    root = as_nobody()
    try:
        year = root / "data" / "2024"
        if where == "预算执行.csv":
            (year / where).write_text("项目名称,预算数,执行数\n示例项目经费,60,58\n", encoding="utf-8")
            shutil.chown(year / where, "nobody", "nogroup")
        os.chmod(year / where if where else year, 0)
        for args in (("check", "--data", "data"), ("build", "--data", "data", "--out", "out", "-f", "docx", "-j", "1")):
            proc = run_as_nobody(root, *args)
            output = proc.stdout + proc.stderr
            assert proc.returncode == 1, output
            assert "Traceback" not in output
            assert f"data/2024/{where}".rstrip("/") in output and "file-unreadable" in output and "没有读取权限" in output
    finally:
        subprocess.run(["chmod", "-R", "u+rwX", str(root)])
        shutil.rmtree(root)


# --- 1. annex deletes only what it created and recorded ----------------------------------------------

def test_files_the_user_added_or_changed_in_the_build_are_moved_aside_not_deleted(tmp_path):
    make_year(tmp_path)
    assert build(tmp_path, "--format", "docx", "--no-archive").exit_code == 0
    year_out = tmp_path / "out" / "2024"
    (year_out / "签字页.pdf").write_bytes(b"%PDF- the signed page")
    [table] = (year_out / "分表").glob("*.docx")
    table.write_bytes(table.read_bytes() + b"edited in Word")
    set_line(project(tmp_path), "执行数", "59")
    result = build(tmp_path, "--format", "docx", "--no-archive")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    [kept] = (tmp_path / "out").glob("2024.已修改-*")
    assert (kept / "签字页.pdf").read_bytes() == b"%PDF- the signed page"
    assert (kept / "分表" / table.name).read_bytes().endswith(b"edited in Word")
    assert not table.read_bytes().endswith(b"edited in Word")
    assert kept.name in result.output and "签字页.pdf" in result.output and "annex import" in result.output


def test_a_40_digit_figure_saved_during_watch_is_reported_and_the_watch_goes_on(tmp_path):
    """--watch calls build_and_report on every save: an exception there ended the watch."""
    from pipeline.build import BuildOptions, Workers
    from pipeline.cli.commands.build import build_and_report

    make_year(tmp_path)
    opts = BuildOptions(year_dir=tmp_path / "data" / "2024", out=tmp_path / "out", formats=("docx",), jobs=1,
                        archive=False)
    workers = Workers(opts.formats, 1)
    try:
        assert build_and_report(opts, workers) is True
        set_line(project(tmp_path), "执行数", "1" * 40)
        assert build_and_report(opts, workers) is False  # reported, not raised
        set_line(project(tmp_path), "执行数", "59")
        assert build_and_report(opts, workers) is True
    finally:
        workers.close()


def test_a_year_folder_linked_into_the_output_folder_is_refused(tmp_path):
    """data/2024 -> ../out/2024: the data is where the build swaps and deletes."""
    make_year(tmp_path)
    (tmp_path / "out").mkdir()
    shutil.move(tmp_path / "data" / "2024", tmp_path / "out" / "2024")
    os.symlink("../out/2024", tmp_path / "data" / "2024")
    before = tree(tmp_path / "out")
    result = build(tmp_path, "--format", "docx")
    no_traceback(result)
    assert result.exit_code == 1 and "重叠" in result.output
    assert tree(tmp_path / "out") == before


def test_a_linked_tables_folder_in_the_output_is_refused(tmp_path):
    make_year(tmp_path)
    assert build(tmp_path, "--format", "docx", "--no-archive").exit_code == 0
    tables = tmp_path / "out" / "2024" / "分表"
    shutil.move(tables, tmp_path / "victim")
    os.symlink(tmp_path / "victim", tables)
    before = tree(tmp_path / "victim")
    result = build(tmp_path, "--format", "docx", "--no-archive")
    no_traceback(result)
    assert result.exit_code == 1 and "符号链接" in result.output
    assert tree(tmp_path / "victim") == before



# --- 9. check reports what the build would refuse: a character no font of the PDF has ----------------

def test_a_character_the_pdf_fonts_lack_is_reported_by_check_at_its_value(tmp_path):
    make_year(tmp_path)
    set_line(project(tmp_path), "改进措施", "进一步加强𠀀应用")  # U+20000: not in Noto CJK SC
    result = check(tmp_path)
    no_traceback(result)
    assert result.exit_code == 1
    assert "01-示例项目.yaml:21" in result.output and "glyph-missing" in result.output and "U+20000" in result.output
    refused = build(tmp_path, "--format", "pdf")  # what check foretold
    assert refused.exit_code == 1 and "U+20000" in refused.output


def test_a_hard_linked_lock_file_is_refused_and_its_other_name_untouched(tmp_path):
    make_year(tmp_path)
    victim = tmp_path / "VICTIM"
    victim.write_text("precious\n")
    (tmp_path / "out").mkdir()
    os.link(victim, tmp_path / "out" / ".2024.lock")
    result = build(tmp_path, "--format", "docx")
    no_traceback(result)
    assert result.exit_code == 1 and "硬链接" in result.output
    assert victim.read_text() == "precious\n"
