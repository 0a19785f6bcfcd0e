"""Issue 21's file, archive and import scenarios (and issue 22's that touch them), each a test that
failed before its fix: what the user edited or added under build/ is never deleted, nothing is
written or verified through a linked folder at any depth, OS errors on user paths are located
messages, an interrupted import leaves the year whole."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from scenarios import BASE_PROJECT, make_year

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def run(tmp: Path, *args: str):
    """An annex command run from `tmp` (messages name files as the user sees them)."""
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        return runner.invoke(app, list(args), env={"COLUMNS": "400"})
    finally:
        os.chdir(cwd)


def build(tmp: Path, *extra: str):
    return run(tmp, "build", "--data", "data", "--year", "2024", "--out", "out", "--jobs", "1", *extra)


def no_traceback(result) -> None:
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def back_date(path: Path, like: Path) -> None:
    """What cp -p, rsync -t, unzip or a restore do: the edited file gets an old mtime."""
    st = os.stat(like)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 10_000_000_000))


def same_size_edit(path: Path) -> bytes:
    data = bytearray(path.read_bytes())
    data[-30] ^= 0x01  # one byte changed inside the zip's central directory comment/padding area
    path.write_bytes(bytes(data))
    return bytes(data)


# --- 21.1: a file is annex's own only when its hash says so ------------------------------------------

def test_a_back_dated_same_size_edit_of_an_unchanged_project_is_moved_aside_and_rendered_again(tmp_path):
    make_year(tmp_path)
    assert build(tmp_path, "--format", "docx", "--no-archive").exit_code == 0
    year_out = tmp_path / "out" / "2024"
    [table] = (year_out / "分表").glob("*.docx")
    original = table.read_bytes()
    edited = same_size_edit(table)
    back_date(table, year_out / ".annex-state.json")
    # The data did not change: the build must still see the edit, keep it, and render the table again.
    result = build(tmp_path, "--format", "docx", "--no-archive")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    [kept] = (tmp_path / "out").glob("2024.已修改-*")
    assert (kept / "分表" / table.name).read_bytes() == edited
    assert table.read_bytes() == original
    # and a later build of another format never deletes it
    assert build(tmp_path, "--format", "docx", "--no-archive").exit_code == 0
    assert (kept / "分表" / table.name).read_bytes() == edited


def test_the_hash_cache_never_hides_an_edit_that_restores_the_mtime(tmp_path, monkeypatch):
    """A cached hash is keyed on size, mtime, ctime and inode: touch -r cannot set ctime back."""
    from pipeline.build import hashcache

    monkeypatch.setattr(hashcache, "SETTLED_NS", 0)  # trust entries at once (the clock is fine-grained here)
    hashed = []
    real = hashcache.sha256_file
    monkeypatch.setattr(hashcache, "sha256_file", lambda p: hashed.append(p) or real(p))
    f, other = tmp_path / "t.docx", tmp_path / "u.docx"
    f.write_bytes(b"annex wrote this")
    other.write_bytes(b"annex wrote that")
    cache = hashcache.Hashes(tmp_path / "c.json")
    first = cache.sha256(f, os.lstat(f))
    cache.sha256(other, os.lstat(other))
    cache.save()
    st = os.lstat(f)
    f.write_bytes(b"user wrote this!")  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # touch -r: mtime as before
    assert os.lstat(f).st_size == st.st_size and os.lstat(f).st_mtime_ns == st.st_mtime_ns
    hashed.clear()
    again = hashcache.Hashes(tmp_path / "c.json")
    assert again.sha256(f, os.lstat(f)) != first
    again.sha256(other, os.lstat(other))
    assert hashed == [f]  # the untouched file came from the cache, the edited one was read


# --- 21.5: any finding of verify is a non-zero exit ----------------------------------------------------

@pytest.mark.parametrize("witness", [False, True])
def test_verify_head_with_the_whole_archive_deleted_fails(tmp_path, witness):
    (tmp_path / "out").mkdir()
    if witness:  # the head record's copy beside the archive outlives it
        (tmp_path / "out" / ".2024.archive-head.json").write_text("{}")
    result = run(tmp_path, "verify", "--out", "out", "--head", "0123456789abcdef" * 4)
    no_traceback(result)
    assert result.exit_code == 1, result.output
    assert "不在归档的版本链上" in result.output
    plain = run(tmp_path, "verify", "--out", "out")  # nothing recorded, nothing asked: nothing wrong
    assert plain.exit_code == (1 if witness else 0), plain.output


# --- 21.2, 22.13, 22.14: make clean keeps what annex did not write; make help; ARGS unquoted -----------

MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def make(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([MAKE, "--no-print-directory", *args], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, "LC_ALL": "C.UTF-8"})


def project_dir(tmp: Path) -> Path:
    """A project folder as a clerk has it: the Makefile, the set-up venv, data/2024."""
    shutil.copyfile(ROOT / "Makefile", tmp / "Makefile")
    shutil.copyfile(ROOT / "pyproject.toml", tmp / "pyproject.toml")
    os.utime(tmp / "pyproject.toml", (0, 0))  # older than the venv's stamp: nothing to install
    os.symlink(Path(sys.executable).parent.parent, tmp / ".venv")
    make_year(tmp)
    return tmp


@needs_make
def test_make_clean_moves_edits_and_added_files_aside_and_says_so(tmp_path):
    root = project_dir(tmp_path)
    assert run(root, "build", "--data", "data", "--year", "2024", "--out", "build", "--jobs", "1",
               "-f", "docx", "--no-archive").exit_code == 0
    year_out = root / "build" / "2024"
    [table] = (year_out / "分表").glob("*.docx")
    edited = same_size_edit(table)
    back_date(table, year_out / ".annex-state.json")
    (year_out / "签字页.pdf").write_bytes(b"%PDF- signed")
    (root / "build" / "说明.txt").write_text("mine", encoding="utf-8")
    done = make(root, "clean")
    assert done.returncode == 0, done.stderr
    assert not year_out.exists()
    [kept] = (root / "build").glob("2024.已修改-*")
    assert (kept / "分表" / table.name).read_bytes() == edited
    assert (kept / "签字页.pdf").read_bytes() == b"%PDF- signed"
    assert (root / "build" / "说明.txt").read_text(encoding="utf-8") == "mine"
    assert "已删除" in done.stdout and kept.name in done.stdout and "签字页.pdf" in done.stdout


@needs_make
def test_make_help_lists_the_targets_in_chinese(tmp_path):
    root = project_dir(tmp_path)
    done = make(root, "help")
    assert done.returncode == 0, done.stderr
    for target in ("annex", "check", "export", "test", "clean"):
        assert f"make {target} " in done.stdout
    assert "删除" in done.stdout and "No rule" not in done.stdout + done.stderr


@needs_make
@pytest.mark.parametrize("args", [["annex", "ARGS=--note", "报送财政局"], ["check", "ARGS=--year", "2024"]])
def test_an_unquoted_args_value_is_refused_with_the_quoted_form(tmp_path, args):
    root = project_dir(tmp_path)
    done = make(root, *args)
    assert done.returncode != 0
    value = args[1].split("=", 1)[1]
    assert f"""make {args[0]} ARGS='{value} "{args[2]}"'""" in done.stderr, done.stderr
    assert not (root / "build").exists()  # nothing ran before the refusal


# --- 21.3, 21.4: no folder on the way from --out is a link, at any depth ------------------------------

def link_at(tmp: Path, rel: str) -> Path:
    """A link at out/<rel> to a folder outside; returns the outside folder."""
    elsewhere = tmp / "elsewhere"
    (elsewhere / "2024").mkdir(parents=True)
    link = tmp / "out" / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(elsewhere if rel == "archive" else elsewhere / "2024", link)
    return elsewhere


@pytest.mark.parametrize("rel", ["archive", "archive/2024"])
def test_a_linked_archive_folder_at_any_depth_is_refused_before_anything_is_written(tmp_path, rel):
    make_year(tmp_path)
    elsewhere = link_at(tmp_path, rel)
    result = build(tmp_path)
    no_traceback(result)
    assert result.exit_code == 1, result.output
    assert "符号链接" in result.output and "archive" in result.output
    assert list(elsewhere.rglob("*")) == [elsewhere / "2024"]
    assert not (tmp_path / "out" / "2024").exists()


@pytest.mark.parametrize("rel", ["archive", "archive/2024"])
def test_verify_finds_a_linked_archive_folder_at_any_depth(tmp_path, rel):
    link_at(tmp_path, rel)
    result = run(tmp_path, "verify", "--out", "out")
    no_traceback(result)
    assert result.exit_code == 1, result.output
    assert "链接" in result.output


@pytest.mark.parametrize("out", ["linked/自评数据.xlsx", "sub/linked/自评数据.xlsx", "linked/../自评数据.xlsx"])
def test_export_never_writes_through_a_linked_folder_in_its_out_path(tmp_path, out):
    make_year(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / out.split("/自评数据")[0].replace("/..", "")
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(elsewhere / ".", link)
    result = run(tmp_path, "export", "--data", "data", "--year", "2024", "--out", out)
    no_traceback(result)
    assert result.exit_code == 1, result.output
    assert "符号链接" in result.output
    assert list(elsewhere.iterdir()) == [] and not list(tmp_path.glob("*.xlsx"))


# --- 21.6: the edits-kept report names what was moved, from where to where -----------------------------

def test_a_moved_link_is_named_as_the_link_from_where_to_where(tmp_path):
    make_year(tmp_path)
    assert build(tmp_path, "--format", "docx", "--no-archive").exit_code == 0
    year_out = tmp_path / "out" / "2024"
    os.symlink("../../data/2024/department.yaml", year_out / "单位.yaml")
    data = tmp_path / "data" / "2024" / BASE_PROJECT
    data.write_text(data.read_text(encoding="utf-8").replace("执行数: 58", "执行数: 57"), encoding="utf-8")
    result = build(tmp_path, "--format", "docx", "--no-archive")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    [kept] = (tmp_path / "out").glob("2024.已修改-*")
    assert os.path.islink(kept / "单位.yaml")
    assert f"out/2024/单位.yaml → out/{kept.name}/单位.yaml" in result.output, result.output
    assert "data/2024/department.yaml" not in result.output.replace("指向 ../../data/2024/department.yaml", "")


# --- 21.12: OS errors on user paths are located Chinese messages, for every command ---------------------

LONG = "长" * 100  # 300 bytes: over the 255-byte limit of one name
BAD_PATHS = {"long": LONG, "long-deep": f"{LONG}/2024", "proc": "/proc/self/environ/x", "proc-attr": f"/proc/self/attr/{LONG}"}


def every_command(p: str, docx: str) -> list[list[str]]:
    return [
        ["check", "--data", p],
        ["check", "--data", "data", "--year", "2024", "--problems", "lines"],  # a control: data fine
        ["import", docx, "--data", p, "--year", "2024"],
        ["import", f"{p}.docx"],
        ["new-year", "2025", "--data", p, "--from", "2024"],
        ["convert", "--data", p, "--year", "2024", "--to", "national-2020"],
        ["build", "--data", p, "--year", "2024"],
        ["build", "--data", "data", "--year", "2024", "--out", p, "-f", "docx"],
        ["export", "--data", p, "--year", "2024"],
        ["export", "--data", "data", "--year", "2024", "--out", f"{p}.xlsx"],
        ["history", "--out", p],
        ["diff", "--out", p],
        ["verify", "--out", p],
        ["clean", "--out", p],
    ]


ENGLISH = ("Errno", "No such file", "too long", "Not a directory", "Permission denied", "Read-only", "OSError")


@pytest.fixture(scope="module")
def word_file(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.word_handmade import Style, document_with, sample

    return document_with([(sample(1), Style())], tmp_path_factory.mktemp("word") / "2024-自评表.docx")


@pytest.mark.parametrize("bad", list(BAD_PATHS))
def test_every_command_says_a_bad_path_in_chinese_never_a_traceback(tmp_path, bad, word_file):
    make_year(tmp_path)
    for args in every_command(BAD_PATHS[bad], str(word_file)):
        result = run(tmp_path, *args)
        no_traceback(result)
        text = result.output
        assert not any(word in text for word in ENGLISH), (args, text)
        if result.exit_code:
            assert "错误" in text, (args, text)
        if bad.startswith("long") and result.exit_code:
            assert "名字太长" in text or "找不到" in text or "没有" in text, (args, text)


def read_only_mount(tmp: Path, name: str, fill=None) -> Path:
    """tmp/<name> as a read-only bind mount (a CD, a write-protected share); skipped where not allowed."""
    src, dest = tmp / f"{name}-src", tmp / name
    src.mkdir()
    dest.mkdir()
    if fill:
        fill(src)
    for cmd in (["mount", "--bind", str(src), str(dest)], ["mount", "-o", "remount,ro,bind", str(dest)]):
        if subprocess.run(cmd, capture_output=True).returncode:
            subprocess.run(["umount", str(dest)], capture_output=True)
            pytest.skip("a read-only mount needs root and a mount namespace that allows it")
    return dest


def test_every_writing_command_says_a_read_only_target_in_chinese(tmp_path, word_file):
    make_year(tmp_path)
    ro_data = read_only_mount(tmp_path, "ro-data", lambda d: shutil.copytree(tmp_path / "data" / "2024", d / "2024"))
    ro_out = read_only_mount(tmp_path, "ro-out")
    try:
        for args in (["import", str(word_file), "--data", "ro-data", "--year", "2023"],
                     ["new-year", "2025", "--data", "ro-data"],
                     ["convert", "--data", "ro-data", "--year", "2024", "--to", "national-2020", "--replace"],
                     ["build", "--data", "data", "--year", "2024", "--out", "ro-out", "-f", "docx"],
                     ["export", "--data", "data", "--year", "2024", "--out", "ro-out/x.xlsx"],
                     ["clean", "--out", "ro-out"]):
            result = run(tmp_path, *args)
            no_traceback(result)
            assert not any(word in result.output for word in ENGLISH), (args, result.output)
            if args[0] != "clean":  # nothing to clean in an empty folder
                assert result.exit_code == 1, (args, result.output)
                assert "只读" in result.output, (args, result.output)
    finally:
        for d in (ro_data, ro_out):
            subprocess.run(["umount", str(d)], capture_output=True)
