"""One vocabulary: the messages that stop a run (`Abort`) and what `annex verify` finds come from the
catalogue by code, with fields; a raise that writes its own Chinese is allowed only where the
move to the catalogue is still to be done (the list below only shrinks)."""

from __future__ import annotations

import ast
import pickle
import re
import string
from pathlib import Path

import pytest

from pipeline.build.errors import BuildError, CheckFailed, RenderError
from pipeline.errors import Abort
from pipeline.files.lock import LockBusy
from pipeline.problems.catalogue import CATALOGUE
from pipeline.problems.findings import FINDINGS
from pipeline.problems.stops import STOPS

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
CJK = re.compile(r"[\u3400-\u9fff]")

# Modules whose raises still write their message in place: none left (issue 20, all moved to the
# catalogue); no module may join this list.
NOT_YET_CATALOGUED: set[str] = set()


def _source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))


def _dummy(template: str) -> dict[str, str]:
    return {f: f"<{f}>" for _, f, _, _ in string.Formatter().parse(template) if f}


def test_codes_are_unique_across_problems_stops_and_findings():
    assert not (CATALOGUE.keys() & STOPS.keys()) and not (CATALOGUE.keys() & FINDINGS.keys())
    assert not (STOPS.keys() & FINDINGS.keys())


@pytest.mark.parametrize("code", sorted(STOPS))
def test_each_stop_is_raised_somewhere_and_says_its_fields(code):
    assert f'"{code}"' in _source(), f"{code!r} is registered but never raised"
    fields = _dummy(STOPS[code].template)
    message = str(Abort(code, **fields))
    assert all(v in message for v in fields.values())
    assert CJK.search(message)


@pytest.mark.parametrize("code", sorted(FINDINGS))
def test_each_finding_is_found_somewhere(code):
    assert f'"{code}"' in _source(), f"{code!r} is registered but never reported"
    assert CJK.search(FINDINGS[code].message(**_dummy(FINDINGS[code].template)))


def test_an_abort_with_wrong_fields_is_a_programming_error():
    with pytest.raises(TypeError):
        BuildError("nothing-to-build", folder="x")


def test_an_abort_crosses_a_process_with_its_code_fields_and_attributes(tmp_path):
    for error in (RenderError("render-failed", table="05-x", format="pdf", reason="磁盘已满"),
                  LockBusy(tmp_path / ".2023.lock", "4242", 60, "build/2023")):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error)
        assert (again.code, again.fields, again.message) == (error.code, error.fields, error.message)
    assert again.path == tmp_path / ".2023.lock" and again.holder == "4242"
    assert "进程 4242" in again.message and "等待 60 秒" in again.message


def test_check_failed_carries_its_result():
    failed = CheckFailed(result="the check's result")
    assert failed.code == "check-failed" and failed.result == "the check's result"
    assert "annex check" in failed.message


def _raises_with_chinese(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            texts = [c.value for c in ast.walk(node.exc) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
            if any(CJK.search(t) for t in texts):
                lines.append(node.lineno)
    return lines


def test_no_raise_writes_its_own_chinese_outside_the_list():
    found = {p.relative_to(PACKAGE).as_posix(): _raises_with_chinese(p) for p in sorted(PACKAGE.rglob("*.py"))}
    found = {rel: lines for rel, lines in found.items() if lines and not rel.startswith("problems/")}
    assert sorted(set(found) - NOT_YET_CATALOGUED) == [], (
        "a raise writing its own Chinese: register the message in pipeline/problems/stops.py with "
        "stop(code, template) and raise the Abort with the code and its fields")
    assert sorted(NOT_YET_CATALOGUED - set(found)) == [], "moved to the catalogue: take it off the list"
