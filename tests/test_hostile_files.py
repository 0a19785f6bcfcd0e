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

from cli_runs import build, run
from scenarios import BASE_PROJECT, make_year

ROOT = Path(__file__).resolve().parent.parent


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
    for name in ("pyproject.toml", "requirements.lock"):
        if (ROOT / name).exists():
            shutil.copyfile(ROOT / name, tmp / name)
            os.utime(tmp / name, (0, 0))  # older than the venv's stamp: nothing to install
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


# --- 21.15, 22.3: an import writes a year as one set; a killed one is completed or rolled back ----------

def tree_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def word_documents(tmp: Path) -> tuple[Path, Path]:
    """The old year's document (one table) and the replacing one (three tables)."""
    sys.path.insert(0, str(ROOT))
    from tests.word_handmade import Style, document_with, sample

    old = document_with([(sample(1), Style())], tmp / "old.docx")
    new = document_with([(sample(n), Style()) for n in (1, 2, 3)], tmp / "new.docx")
    return old, new


def test_import_into_a_year_with_data_refuses_saying_what_is_there_and_how_to_replace(tmp_path):
    old, new = word_documents(tmp_path)
    assert run(tmp_path, "import", str(old)).exit_code == 0
    before = tree_of(tmp_path / "data")
    result = run(tmp_path, "import", str(new))
    no_traceback(result)
    said = result.output.replace("\n", "")
    assert result.exit_code == 1
    assert "data/2023 里已经有 1 个项目文件" in said and "projects/01-" in said and "--replace" in said
    assert tree_of(tmp_path / "data") == before  # no second set, nothing written
    replaced = run(tmp_path, "import", str(new), "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert len(list((tmp_path / "data" / "2023" / "projects").glob("*.yaml"))) == 3
    [aside] = (tmp_path / "data").glob("2023.导入前-*")
    assert tree_of(aside) == {k.removeprefix("2023/"): v for k, v in before.items() if k.startswith("2023/")}


KILL_POINTS = ["department.yaml", "projects/02-", "projects/03-", "journal", "aside", "swap", "done"]

CHILD = """
import sys
from pipeline.write import data_folder, staged_year

target = sys.argv[1]

def stop_at(hooks, step):
    if step.startswith(target):
        print("at", step, flush=True)
        sys.stdin.read()  # killed here

data_folder.call_hook = staged_year.call_hook = stop_at
from pipeline.cli import app
sys.argv = ["annex", "import", sys.argv[2], "--replace"]
app()
"""


@pytest.mark.parametrize("point", KILL_POINTS)
def test_an_import_replace_killed_at_any_point_leaves_the_old_year_or_the_new_one(tmp_path, point):
    old, new = word_documents(tmp_path)
    expected = tmp_path / "expected"
    expected.mkdir()
    assert run(expected, "import", str(new)).exit_code == 0
    new_tree = tree_of(expected / "data" / "2023")
    assert run(tmp_path, "import", str(old)).exit_code == 0
    old_tree = tree_of(tmp_path / "data" / "2023")
    child = subprocess.Popen([sys.executable, "-c", CHILD, point, str(new)], cwd=tmp_path, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    line = child.stdout.readline()
    assert line.startswith("at " + point), line
    child.kill()  # SIGKILL: no cleanup of any kind runs
    child.wait()
    child.stdin.close()
    child.stdout.close()
    # the next command, whatever it is, completes or rolls back first
    check = run(tmp_path, "check", "--data", "data", "--year", "2023")
    no_traceback(check)
    year = tree_of(tmp_path / "data" / "2023")
    rolled_forward = KILL_POINTS.index(point) >= KILL_POINTS.index("aside")
    assert year == (new_tree if rolled_forward else old_tree)
    asides = list((tmp_path / "data").glob("2023.导入前-*"))
    if rolled_forward:
        assert [tree_of(a) for a in asides] == [old_tree]  # the old year kept whole
    leftovers = [p.name for p in (tmp_path / "data").rglob(".*") if p.name != ".annex-data.lock"]
    assert leftovers == [], leftovers


def test_temporary_files_a_killed_writer_left_are_removed_by_the_next_command_and_never_archived(tmp_path):
    make_year(tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid whose process is gone
    projects = tmp_path / "data" / "2024" / "projects"
    stale = [projects / f".02-半个项目.yaml.{dead.pid}.tmp", projects.parent / f".department.yaml.{dead.pid}.x8k2_p0q.tmp"]
    for p in stale:
        p.write_text("项目名称: 半个", encoding="utf-8")
    mine = projects.parent / ".我的笔记.tmp"  # not annex's: kept
    mine.write_text("note", encoding="utf-8")
    result = run(tmp_path, "check", "--data", "data", "--year", "2024")
    no_traceback(result)
    assert not any(p.exists() for p in stale)
    assert mine.exists()
    assert "临时文件" in result.output


# --- 22.11: annex diff right after a --note build compares with the last version whose data differ -----

@pytest.mark.slow
def test_diff_after_a_note_build_compares_with_the_last_version_whose_data_differ(tmp_path):
    make_year(tmp_path)
    assert build(tmp_path).exit_code == 0  # v001
    data = tmp_path / "data" / "2024" / BASE_PROJECT
    data.write_text(data.read_text(encoding="utf-8").replace("执行数: 58", "执行数: 57"), encoding="utf-8")
    assert build(tmp_path).exit_code == 0  # v002: another figure
    noted = build(tmp_path, "--note", "报送财政局")  # v003: the same files, issued
    assert noted.exit_code == 0, noted.output
    result = run(tmp_path, "diff", "--out", "out")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    said = result.output.replace("\n", "")
    assert "v002 → v003" not in said and "v001 → v003" in said, said
    assert "执行数" in said and "57" in said  # the real change is shown
    assert "v003 与 v002 的数据和输出完全相同" in said and "报送财政局" in said


# --- 21.10: a table nested in a Word cell is reported at its table and label, never read as the value ---

def nest_in(doc_path: Path, label: str, nested_text: str) -> None:
    """Replace the value cell right of `label` by a cell holding a 1x2 table (as Word's Insert >
    Table inside a cell makes it)."""
    import docx

    d = docx.Document(str(doc_path))
    table = d.tables[0]
    for row in table.rows:
        cells = list(dict.fromkeys(row.cells))  # merged cells once
        for i, c in enumerate(cells):
            if c.text.strip() == label:
                value = cells[i + 1]
                for p in value.paragraphs:
                    for r in p.runs:
                        r.text = ""
                inner = value.add_table(rows=1, cols=2)
                inner.cell(0, 0).text = nested_text
                inner.cell(0, 1).text = "（附）"
                d.save(str(doc_path))
                return
    raise AssertionError(f"no label {label}")


@pytest.mark.parametrize("label", ["项目名称", "项目实施单位"])
def test_a_nested_table_is_reported_at_its_table_and_label_not_read_as_the_value(tmp_path, label):
    sys.path.insert(0, str(ROOT))
    from tests.word_handmade import Style, document_with, sample

    doc = document_with([(sample(1), Style()), (sample(2), Style())], tmp_path / "表.docx")
    nest_in(doc, label, "嵌套表里的字")
    result = run(tmp_path, "import", str(doc), "--data", "out-data")
    no_traceback(result)
    said = result.output.replace("\n", "")
    assert "[import-nested-table]" in said and f"第 1 张表 {label}" in said, said
    written = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out-data").rglob("*.yaml"))
    assert "嵌套表里的字" not in written


def test_the_readme_says_the_shipped_year_is_an_example_and_how_to_start_clean():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (ROOT / "data" / "2023").is_dir()
    assert "`data/2023/` 是**示例**" in text
    assert "mv data/2023" in text and "--replace" in text


# --- issue 21, fresh pass: a folder name that is not UTF-8 --------------------------------------------

def test_a_build_into_an_out_folder_whose_name_is_not_utf8_joins_the_pdf(tmp_path):
    """pikepdf passed a file name to qpdf as UTF-8: the bundle's join crashed (TypeError) for an
    --out named in another encoding (a GBK folder copied from Windows), after every table rendered."""
    make_year(tmp_path)
    out = os.fsdecode(b"out-\xb1\xa8\xcb\xcd")  # 报送 in GBK
    result = run(tmp_path, "build", "--data", "data", "--year", "2024", "--out", out, "--jobs", "1")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    year = tmp_path / out / "2024"
    assert any(p.suffix == ".pdf" for p in year.iterdir()), sorted(p.name for p in year.iterdir())


@pytest.mark.parametrize("found", [True, False])
def test_a_data_folder_whose_name_is_not_utf8_is_printed_as_escapes_never_a_traceback(tmp_path, found):
    """A UTF-8 terminal's stream is strict: every message naming such a folder was a
    UnicodeEncodeError. Its bytes are printed as \\xNN, as names found on disk are."""
    make_year(tmp_path)
    data = os.fsdecode(b"data-\xb1\xa8")
    if found:
        os.rename(tmp_path / "data", tmp_path / data)
    result = run(tmp_path, "check", "--data", data, "--year", "2024")
    no_traceback(result)
    assert "data-\\xb1\\xa8" in result.output, result.output


def test_export_over_a_folder_named_like_the_workbook_names_that_folder_not_a_temporary_file(tmp_path):
    """`--out x.xlsx --force` with x.xlsx a folder: the message named `.x.xlsx.<pid>.<…>.tmp`, a
    file that is gone by the time the user looks. An error while a file is put in place names it."""
    make_year(tmp_path)
    (tmp_path / "x.xlsx").mkdir()
    result = run(tmp_path, "export", "--data", "data", "--year", "2024", "--out", "x.xlsx", "--force")
    no_traceback(result)
    said = result.output.replace("\n", "")
    assert result.exit_code != 0 and ".tmp" not in said and "--out" in said and "x.xlsx" in said, said
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("raw", [b"\xb1\xa8\xcb\xcd", b"\x1b[31m\xe6\x8a\xa5"])
def test_a_note_that_cannot_be_saved_is_refused_before_the_build(tmp_path, raw):
    """--note typed in a GBK terminal: the build swapped its outputs in, then crashed writing the
    manifest (UnicodeEncodeError), no version archived. Refused first, in Chinese."""
    make_year(tmp_path)
    result = run(tmp_path, "build", "--data", "data", "--year", "2024", "--out", "out", "--jobs", "1",
                 "--note", os.fsdecode(raw))
    no_traceback(result)
    assert result.exit_code == 1 and "--note" in result.output, result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("exchange", [True, False])
def test_an_edit_survives_a_build_stopped_between_the_swap_and_moving_it_aside(tmp_path, monkeypatch, exchange):
    """Once the swap ran, the staging folder (or .old-<year>-*) *is* the previous build. A Ctrl-C, a
    kill or an error before its edits were moved out, and the failed build's cleanup (or the next
    build's, for leftovers) deleted that folder whole, the user's edits with it."""
    from pipeline.build import keep
    from pipeline.files import tree

    make_year(tmp_path)
    assert build(tmp_path, "--format", "docx", "--no-archive").exit_code == 0
    [table] = (tmp_path / "out" / "2024" / "分表").glob("*.docx")
    edited = same_size_edit(table)
    (tmp_path / "out" / "2024" / "我的笔记.txt").write_text("别删", encoding="utf-8")
    if not exchange:
        monkeypatch.setattr(tree, "exchange", lambda a, b: False)
    real, calls = keep.move_aside, []

    def stopped_once(*args, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt  # the clerk's Ctrl-C while the previous build is checked
        return real(*args, **kw)

    monkeypatch.setattr(keep, "move_aside", stopped_once)
    build(tmp_path, "--format", "docx", "--no-archive")
    assert calls, "the build never reached the swap"
    result = build(tmp_path, "--format", "docx", "--no-archive")  # the next build cleans the leftovers
    no_traceback(result)
    found = {p.name: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file() and "archive" not in p.parts}
    assert edited in [p.read_bytes() for p in (tmp_path / "out").rglob(table.name)], "the edited table was deleted"
    assert "我的笔记.txt" in found, "the user's file was deleted"
