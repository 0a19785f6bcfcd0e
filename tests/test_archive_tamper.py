"""The archive against someone who changes it behind annex's back (issue 13, items 5, 7 and 8).

Each test tampers with a copy of a three-version archive the way a user could with a file manager
or a shell, then asserts what a user would see: `annex verify` exits 1 and names the problem, and
the next `annex build` neither reuses a number nor carries an altered file into a new version.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipeline.archive import ArchiveRefused
from pipeline.errors import Abort
from user_runs import NOBODY_SKIP, annex, files, nobody_can_run_annex, private_copy

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "2023"
PROJECT = Path("data/2023/projects/02-市综治中心.yaml")
SAME_TABLE = "outputs/分表/01-政法智能化建设专项经费.docx"  # equal in every version


def set_figure(root: Path, value: str) -> None:
    path = root / PROJECT
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("执行数: ")
    path.write_text(head + "执行数: " + value + "\n" + rest.split("\n", 1)[1], encoding="utf-8")


@pytest.fixture(scope="module")
def three_versions(tmp_path_factory) -> Path:
    """data/2023 built three times, each after a changed figure: v001, v002, v003 (Word and PDF: a version is a whole bundle)."""
    root = tmp_path_factory.mktemp("tamper")
    shutil.copytree(SEED, root / "data" / "2023")
    for figure in (None, "156.65", "157.65"):
        if figure:
            set_figure(root, figure)
        result = annex(root, "build")
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in archive(root).iterdir()) == ["head.json", "v001", "v002", "v003"]
    assert annex(root, "verify").exit_code == 0
    return root


@pytest.fixture
def work(three_versions, tmp_path) -> Path:
    return private_copy(three_versions, tmp_path)


def archive(root: Path) -> Path:
    return root / "build" / "archive" / "2023"


def version(root: Path, name: str) -> Path:
    return archive(root) / name


@contextmanager
def writable(*folders: Path) -> Iterator[None]:
    """Open read-only folders for a change and close them again, as a user with chmod would (so
    that the only problem left is the one the test makes)."""
    modes = {f: stat.S_IMODE(f.lstat().st_mode) for f in folders}
    for f in folders:
        f.chmod(0o755)
    try:
        yield
    finally:
        for f, mode in modes.items():
            if f.exists() and not f.is_symlink():
                f.chmod(mode)


def replace_file(path: Path, data: bytes) -> None:
    """A new file in place of an archived one, with the archived one's mode."""
    mode = stat.S_IMODE(path.lstat().st_mode)
    with writable(path.parent):
        path.unlink()
        path.write_bytes(data)
        path.chmod(mode)


def rewrite_manifest(v: Path, change) -> None:
    path = v / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    change(m)
    replace_file(path, (json.dumps(m, ensure_ascii=False, indent=2) + "\n").encode())


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify(root: Path, *args: str):
    result = annex(root, "verify", *args)
    assert "Traceback" not in result.output
    return result


def failed(root: Path, *args: str) -> list[str]:
    """`annex verify` must fail: its lines."""
    result = verify(root, *args)
    assert result.exit_code == 1, result.output
    assert "归档有" in result.stderr and "处问题" in result.stderr
    return result.output.splitlines()


def has(lines: list[str], *parts: str) -> bool:
    return any(all(p in line for p in parts) for line in lines)


# --- item 7: every tampering of the issue ----------------------------------------------------

def test_manifest_rewritten_to_match_a_tampered_file(work):
    """The forged figure would otherwise be reported as history by `annex diff`."""
    v1 = version(work, "v001")
    rel = PROJECT.as_posix()
    target = v1 / rel
    forged = target.read_bytes().replace(b"155.65", b"150.65")
    replace_file(target, forged)
    rewrite_manifest(v1, lambda m: m["files"].__setitem__(rel, sha(forged)))
    lines = failed(work)
    assert has(lines, "2023/v001 · manifest.json", "v002 的清单记下的哈希不符")
    diff = annex(work, "diff", "1", "2")
    assert "150.65 → 156.65" in diff.output  # what the forged version says...
    assert "下面的比较可能不可信" in diff.stderr.replace("\n", "")  # ...is not presented as history
    later = annex(work, "diff", "2", "3")  # versions the chain still vouches for
    assert later.exit_code == 0 and "比较可能不可信" not in later.output.replace("\n", "")


def test_latest_manifest_rewritten_to_match_a_tampered_file(work):
    v3 = version(work, "v003")
    target = v3 / SAME_TABLE
    forged = target.read_bytes() + b"\0"
    replace_file(target, forged)
    rewrite_manifest(v3, lambda m: m["files"].__setitem__(SAME_TABLE, sha(forged)))
    assert has(failed(work), "2023/v003 · manifest.json", "记录的最新版本记下的哈希不符")


def test_middle_version_deleted(work):
    with writable(archive(work)):
        shutil.rmtree(version(work, "v002"))  # a root user, or after chmod -R
    lines = failed(work)
    assert has(lines, "2023/v002", "版本缺失")
    assert has(lines, "2023/v001：", "个文件完好")  # the rest is still checked


def test_version_renamed(work):
    with writable(archive(work)):
        os.rename(version(work, "v002"), version(work, "v009"))
    lines = failed(work)
    assert has(lines, "2023/v002", "版本缺失")
    assert has(lines, "2023/v009", "v002 的清单")
    assert has(lines, "2023/v009", "不在版本链上")


def test_two_versions_swapped(work):
    a, b = version(work, "v001"), version(work, "v002")
    with writable(archive(work)):
        os.rename(a, archive(work) / "tmp")
        os.rename(b, a)
        os.rename(archive(work) / "tmp", b)
    lines = failed(work)
    assert has(lines, "文件夹 v001 里是 v002 的清单")
    assert has(lines, "文件夹 v002 里是 v001 的清单")
    assert has(lines, "2023/v002 · manifest.json", "哈希不符")


@pytest.mark.parametrize("replacement", ["file", "symlink"])
def test_version_folder_replaced(work, tmp_path, replacement):
    v2 = version(work, "v002")
    elsewhere = tmp_path / "copy-of-v002"
    shutil.copytree(v2, elsewhere, symlinks=True)
    with writable(archive(work)):
        shutil.rmtree(v2)
        if replacement == "file":
            v2.write_text("not a version", encoding="utf-8")
        else:
            v2.symlink_to(elsewhere)  # the same bytes, elsewhere: still not the archive
    lines = failed(work)
    kind = "文件" if replacement == "file" else "链接"
    assert has(lines, "2023/v002", f"版本文件夹被换成了{kind}")
    assert has(lines, "2023/v002", "版本缺失")


@pytest.mark.parametrize("what", ["archive", "year"])
def test_whole_archive_deleted(work, what):
    shutil.rmtree(work / "build" / "archive" if what == "archive" else archive(work))
    lines = failed(work)
    assert has(lines, "2023", "归档文件夹", "不见了", "v003")


def test_file_mode_changed(work):
    target = version(work, "v003") / SAME_TABLE
    target.chmod(0o644)
    assert has(failed(work), f"2023/v003 · {SAME_TABLE}：被设成了可以改写", "权限应为 0444，现为 0644")


def test_folder_mode_changed(work):
    version(work, "v002").chmod(0o755)
    assert has(failed(work), "2023/v002：版本文件夹被设成了可以改写", "权限应为 0555，现为 0755")


def test_file_replaced_by_a_symlink(work, tmp_path):
    target = version(work, "v002") / SAME_TABLE
    same_bytes = tmp_path / "same.docx"
    same_bytes.write_bytes(target.read_bytes())
    with writable(target.parent):
        target.unlink()
        target.symlink_to(same_bytes)
    lines = failed(work)
    assert has(lines, f"2023/v002 · {SAME_TABLE}：被换成了链接")


def test_folder_replaced_by_a_symlink(work, tmp_path):
    tables = version(work, "v002") / "outputs" / "分表"
    copy = tmp_path / "tables"
    shutil.copytree(tables, copy)
    with writable(tables.parent):
        shutil.rmtree(tables)
        tables.symlink_to(copy)
    lines = failed(work)
    assert has(lines, "2023/v002 · outputs/分表：被换成了链接")


def test_extra_folder(work):
    v1 = version(work, "v001")
    with writable(v1 / "outputs"):
        (v1 / "outputs" / "补充").mkdir()
    with writable(archive(work)):
        (archive(work) / "v002-备份").mkdir()
    lines = failed(work)
    assert has(lines, "2023/v001 · outputs/补充：清单里没有的多余文件夹")
    assert has(lines, "v002-备份", "多余")


@pytest.mark.parametrize("entry", ["../../../../secret.txt", "/etc/hostname", "outputs/../../v001/manifest.json",
                                   "data/2022/x.yaml"])
def test_manifest_entry_pointing_outside(work, entry):
    (work / "secret.txt").write_text("secret", encoding="utf-8")
    rewrite_manifest(version(work, "v003"), lambda m: m["files"].__setitem__(entry, "0" * 64))
    lines = failed(work)
    assert has(lines, f"2023/v003 · {entry}：清单里的条目指向版本文件夹以外或不合规，未打开")
    assert has(lines, "2023/v003 · manifest.json", "哈希不符")


def test_planted_names_are_printed_safely(work):
    """A name with a newline or bytes that are not UTF-8 is shown escaped, not sent to the terminal."""
    v1 = version(work, "v001")
    with writable(v1):
        (v1 / "a\nb").write_text("x", encoding="utf-8")
        with open(os.path.join(os.fsencode(v1), b"\xff.txt"), "wb") as f:
            f.write(b"x")
    lines = failed(work)
    assert "2023/v001 · a\\x0ab：清单里没有的多余文件" in lines
    assert "2023/v001 · \\xff.txt：清单里没有的多余文件" in lines


def test_a_fifo_in_place_of_a_file_does_not_hang_verify(work):
    target = version(work, "v002") / SAME_TABLE
    with writable(target.parent):
        target.unlink()
        os.mkfifo(target)
    assert has(failed(work), f"2023/v002 · {SAME_TABLE}：不是普通文件")


def test_head_record_replaced_by_a_link_is_reported_and_never_written_through(work, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    head = archive(work) / "head.json"
    with writable(archive(work)):
        head.unlink()
        head.symlink_to(victim)
    assert has(failed(work), "head.json 被换成了链接")
    set_figure(work, "158.65")
    result = annex(work, "build")
    assert result.exit_code == 0, result.output
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not head.is_symlink() and json.loads(head.read_text(encoding="utf-8"))["head"]["version"] == "v004"
    assert verify(work).exit_code == 0


def test_recorded_head_hash_catches_a_rebuilt_archive(work):
    """Someone who rewrites the whole archive and both head records gets a consistent archive:
    only the hash the user kept elsewhere tells."""
    result = verify(work)
    kept = result.output.split("核对码：")[1].split()[0]
    assert result.exit_code == 0 and len(kept) == 64
    assert "记下的核对码属于 2023/v003：从它到最新版本的链完好" in verify(work, "--head", kept[:16]).output

    shutil.rmtree(work / "build" / "archive")
    (work / "build" / ".2023.archive-head.json").unlink()
    shutil.rmtree(work / "build" / "2023")
    assert annex(work, "build").exit_code == 0  # a fresh, consistent v001
    assert verify(work).exit_code == 0
    lines = failed(work, "--head", kept)
    assert has(lines, f"记下的核对码 {kept} 不在归档的版本链上")


# --- item 7: the next build ------------------------------------------------------------------

def test_latest_version_deleted_number_not_reused(work):
    with writable(archive(work)):
        shutil.rmtree(version(work, "v003"))
    assert has(failed(work), "2023/v003", "版本缺失")

    set_figure(work, "158.65")
    result = annex(work, "build")
    assert result.exit_code == 0, result.output
    assert "归档：新版本 build/archive/2023/v004" in result.output
    assert "注意：记录的最新版本 v003 不见了" in result.output
    assert not version(work, "v003").exists()
    # The gap stays on record: v004 links to the v003 that is gone.
    lines = failed(work)
    assert has(lines, "2023/v003", "版本缺失", "v004 的清单")
    assert has(lines, "2023/v004：", "个文件完好")


def test_latest_version_deleted_same_outputs_stored_again(work):
    """With the newest version gone, a build whose outputs equal it stores them as a new version:
    the outputs a user has are always in a version that verifies."""
    with writable(archive(work)):
        shutil.rmtree(version(work, "v003"))
    result = annex(work, "build")
    assert result.exit_code == 0, result.output
    assert "归档：新版本 build/archive/2023/v004" in result.output


def test_tampered_file_in_latest_version_is_not_linked_into_the_next(work):
    latest_copy = version(work, "v003") / SAME_TABLE
    data = bytearray(latest_copy.read_bytes())
    data[len(data) // 2] ^= 0x01
    with writable(latest_copy.parent):
        latest_copy.chmod(0o644)
        latest_copy.write_bytes(bytes(data))  # in place: same file, same name, manifest untouched
        latest_copy.chmod(0o444)

    set_figure(work, "158.65")
    result = annex(work, "build")
    assert result.exit_code == 0, result.output
    assert "归档：新版本 build/archive/2023/v004" in result.output
    assert has(result.output.splitlines(), "注意：v003 里的", SAME_TABLE, "与它的清单不符")
    new = version(work, "v004") / SAME_TABLE
    built = work / "build" / "2023" / SAME_TABLE.removeprefix("outputs/")
    assert new.read_bytes() == built.read_bytes() != bytes(data)
    assert new.stat().st_ino != latest_copy.stat().st_ino
    lines = failed(work)
    assert has(lines, f"2023/v003 · {SAME_TABLE}：内容与清单不符")
    assert has(lines, "2023/v004：", "个文件完好")


def test_a_killed_build_between_storing_and_recording_the_head(work, monkeypatch):
    """The version was renamed into place but the head not yet rewritten: the pending record
    names it, so it is the head, and the next number follows it."""
    import pipeline.archive.store as store

    real = store.write_head
    calls = []

    def die_on_second(root, rec):
        calls.append(rec)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as a Ctrl-C at that moment
        real(root, rec)

    monkeypatch.setattr(store, "write_head", die_on_second)
    set_figure(work, "158.65")
    assert annex(work, "build").exit_code == 130
    monkeypatch.setattr(store, "write_head", real)
    assert version(work, "v004").is_dir()
    assert verify(work).exit_code == 0
    set_figure(work, "159.65")
    result = annex(work, "build")
    assert "归档：新版本 build/archive/2023/v005" in result.output and "注意" not in result.output
    assert verify(work).exit_code == 0


def test_an_unrecorded_version_added_is_reported_and_not_followed(work):
    with writable(archive(work)):
        shutil.copytree(version(work, "v003"), version(work, "v004"), symlinks=True)
    rewrite_manifest(version(work, "v004"), lambda m: m.__setitem__("version", "v004"))
    assert has(failed(work), "2023/v004", "不在版本链上")
    set_figure(work, "158.65")
    result = annex(work, "build")
    assert "归档：新版本 build/archive/2023/v005" in result.output
    lines = failed(work)
    assert has(lines, "2023/v004", "不在版本链上") and has(lines, "2023/v005：", "个文件完好")


def test_an_archive_from_before_the_chain_still_verifies_and_is_chained_on(work):
    """Versions stored by an annex without the chain (manifest format 1, no head record)."""
    for name in ("v001", "v002", "v003"):
        def old_format(m):
            for key in ("previous_version", "previous_sha256", "modes"):
                del m[key]
            m["format"] = 1
        rewrite_manifest(version(work, name), old_format)
    with writable(archive(work)):
        (archive(work) / "head.json").unlink()
    (work / "build" / ".2023.archive-head.json").unlink()
    result = verify(work)
    assert result.exit_code == 0, result.output
    assert "没有版本链" in result.output

    set_figure(work, "158.65")
    built = annex(work, "build")
    assert "归档：新版本 build/archive/2023/v004" in built.output and "注意" not in built.output
    m = json.loads((version(work, "v004") / "manifest.json").read_text(encoding="utf-8"))
    assert m["previous_version"] == "v003"
    assert m["previous_sha256"] == sha((version(work, "v003") / "manifest.json").read_bytes())
    assert verify(work).exit_code == 0
    rewrite_manifest(version(work, "v003"), lambda m: m["files"].update({SAME_TABLE: "0" * 64}))
    assert has(failed(work), "2023/v003 · manifest.json", "v004 的清单记下的哈希不符")


# --- item 5: permissions and links --------------------------------------------------------------

def test_archived_copies_keep_no_more_than_the_source_permissions(work):
    private = work / PROJECT
    private.chmod(0o600)
    (private.parent).chmod(0o700)
    set_figure(work, "158.65")
    result = annex(work, "build")
    assert result.exit_code == 0, result.output
    v4 = version(work, "v004")
    assert stat.S_IMODE((v4 / PROJECT).stat().st_mode) == 0o400
    assert stat.S_IMODE((v4 / PROJECT).parent.stat().st_mode) == 0o500
    assert stat.S_IMODE((v4 / "data" / "2023" / "department.yaml").stat().st_mode) == 0o444
    assert verify(work).exit_code == 0

    # A file made private without changing its content is not linked to the readable copy.
    private_other = work / "data" / "2023" / "department.yaml"
    private_other.chmod(0o600)
    set_figure(work, "159.65")
    assert annex(work, "build").exit_code == 0
    v5 = version(work, "v005") / "data" / "2023" / "department.yaml"
    assert stat.S_IMODE(v5.stat().st_mode) == 0o400
    assert v5.stat().st_ino != (v4 / "data" / "2023" / "department.yaml").stat().st_ino
    assert verify(work).exit_code == 0


def test_a_link_to_outside_the_data_folder_is_never_archived(work, tmp_path):
    """A link in the data folder to a private file elsewhere: the build fails, says which link,
    and no copy of the target appears anywhere under build/ (`check` may be the one to refuse it;
    the archive refuses it too, see below)."""
    secret = tmp_path / "shadow"
    secret.write_text("root:secret-hash", encoding="utf-8")
    secret.chmod(0o600)
    (work / "data" / "2023" / "参考.txt").symlink_to(secret)
    set_figure(work, "158.65")
    before = files(archive(work))
    result = annex(work, "build")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "参考.txt" in result.output.replace("\n", "")  # as wrapped on the terminal (check: stdout)
    assert files(archive(work)) == before
    assert not any(b"secret-hash" in p.read_bytes() for p in (work / "build").rglob("*")
                   if p.is_file() and not p.is_symlink())


@pytest.mark.parametrize("kind", ["file-outside", "folder-outside", "file-inside"])
def test_the_archive_refuses_a_link_in_the_data_folder(tmp_path, kind):
    """The archive's own guard, whatever `check` lets through: a link is refused, not followed."""
    from pipeline.archive import Snapshot, record

    data = tmp_path / "data" / "2023"
    data.mkdir(parents=True)
    (data / "department.yaml").write_text("单位名称: 测试\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.txt").write_text("secret", encoding="utf-8")
    link = data / "链接"
    link.symlink_to({"file-outside": elsewhere / "secret.txt", "folder-outside": elsewhere,
                     "file-inside": data / "department.yaml"}[kind])
    out = tmp_path / "build"
    (out / "2023").mkdir(parents=True)
    snap = Snapshot(year=2023, build_dir=out / "2023", outputs={}, data_dir=data, data_digest="", annex_version="0",
                    variant="hubei-2023", templates="", bundle_title="", formats=[], projects=[])
    with pytest.raises(ArchiveRefused) as e:
        record(out / "archive" / "2023", snap)
    assert f"数据文件夹里的 {link} 是链接" in str(e.value) and "本次输出未归档" in str(e.value)
    assert not (out / "archive").exists()


def test_refusal_is_an_abort():
    assert issubclass(ArchiveRefused, Abort)


# --- item 8: history with a damaged time ------------------------------------------------------

@pytest.mark.parametrize("created", [None, 20240101, "missing"])
def test_history_with_a_manifest_without_a_time(work, created):
    def damage(m):
        if created == "missing":
            del m["created"]
        else:
            m["created"] = created

    rewrite_manifest(version(work, "v002"), damage)
    result = annex(work, "history")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    row = next(line for line in result.output.splitlines() if "v002" in line)
    assert "—" in row and "修改 02-市综治中心" in row


@pytest.mark.parametrize("field, value", [("projects", None), ("formats", "docx"), ("files", []),
                                          ("year", "2023"), ("changes", 1)])
def test_history_with_a_damaged_manifest(work, field, value):
    rewrite_manifest(version(work, "v002"), lambda m: m.__setitem__(field, value))
    result = annex(work, "history")
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert "清单无法读取" in result.output
    assert has(failed(work), "2023/v002 · manifest.json")


# --- as a user who is not root: the modes are what protects the files -----------------------

NOBODY = 65534


@pytest.mark.skipif(not nobody_can_run_annex(), reason=NOBODY_SKIP)
def test_as_a_user_who_is_not_root():
    import subprocess
    import sys
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="annex-nobody-"))
    try:
        shutil.copytree(SEED, root / "data" / "2023")
        (root / PROJECT).chmod(0o600)
        for p in [root, *root.rglob("*")]:
            os.chown(p, NOBODY, NOBODY)

        def run(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                 sys.executable, "-m", "pipeline", *args],
                cwd=root, capture_output=True, text=True, env={**os.environ, "HOME": str(root)}, timeout=300)

        for figure in (None, "156.65"):
            if figure:
                set_figure(root, figure)
            result = run("build")
            assert result.returncode == 0, result.stderr
        assert run("verify").returncode == 0
        v2 = version(root, "v002")
        assert stat.S_IMODE((v2 / PROJECT).stat().st_mode) == 0o400
        assert (v2 / SAME_TABLE).stat().st_ino == (version(root, "v001") / SAME_TABLE).stat().st_ino

        # The owner cannot write an archived file without first changing its mode: verify sees both.
        chmod = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                                "sh", "-c", f"echo x >> '{v2 / PROJECT}'"], capture_output=True)
        assert chmod.returncode != 0
        subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                        "sh", "-c", f"chmod u+w '{v2 / PROJECT}' && echo x >> '{v2 / PROJECT}'"], check=True)
        result = run("verify")
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert f"2023/v002 · {PROJECT.as_posix()}：内容与清单不符" in result.stdout
        assert f"2023/v002 · {PROJECT.as_posix()}：被设成了可以改写" in result.stdout

        # A folder its owner made unreadable: said, not a traceback.
        (version(root, "v001") / "outputs").chmod(0o000)
        result = run("verify")
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "2023/v001 · outputs：无法读取（没有权限读写这里）" in result.stdout
    finally:
        subprocess.run(["chmod", "-R", "u+rwX", str(root)], check=False)
        shutil.rmtree(root, ignore_errors=True)
