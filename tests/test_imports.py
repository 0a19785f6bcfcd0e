"""Imports run one way: read from the source (an import inside a function or under TYPE_CHECKING
counts as much as one at the top), no module imports itself back through others, no room (a folder
of pipeline/, or a base module) imports back a room that imports it, and no room imports one above
it in the pipeline's order.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"

# The rooms from the bottom up. A room may import rooms at its own rank or below, never above.
# build() orchestrates the run and ends it by archiving, so build sits above archive; the two doors
# (the command line, the browser) sit above everything they open.
RANKS = [
    {"problems", "hints"},  # hints: how a message names a command to type (imports nothing)
    {"errors"},
    {"files"},
    {"scoring"},  # rule sets and the scores: a variant names its default rule set
    {"variant", "pipeline"},  # "pipeline": the package itself (its __version__)
    {"input"},
    {"check"},
    {"form"},
    {"render"},
    {"write"},
    {"archive"},
    {"build"},
    {"cli", "serve", "web", "__main__"},
]
RANK = {room: i for i, rooms in enumerate(RANKS) for room in rooms}


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    out = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the pipeline modules it imports (a name imported from a package resolves to the
    submodule when it is one)."""

    def resolve(name: str) -> str:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name

    edges: dict[str, set[str]] = {m: set() for m in mods}
    for m, path in mods.items():
        package = m if path.name == "__init__.py" else m.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [resolve(a.name) for a in node.names if a.name.split(".")[0] == "pipeline"]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    full = ".".join(base + ([node.module] if node.module else []))
                else:
                    full = node.module or ""
                if full.split(".")[0] != "pipeline":
                    continue
                targets = [resolve(f"{full}.{a.name}") for a in node.names]
            else:
                continue
            edges[m].update(t for t in targets if t and t != m)
    return edges


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(modules())


def test_no_module_cycle(graph):
    # A package's __init__ importing its own submodules is the package, not a cycle.
    own = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in graph.items()}
    assert cycles(own) == []


def test_no_room_cycle(graph):
    rooms: dict[str, set[str]] = {}
    for m, targets in graph.items():
        for t in targets:
            if room(m) != room(t):
                rooms.setdefault(room(m), set()).add(room(t))
    assert cycles(rooms) == []


def test_every_room_has_a_rank(graph):
    assert {room(m) for m in graph} - RANK.keys() == set()


def test_no_room_imports_a_higher_one(graph):
    upward = sorted(f"{m} -> {t}" for m, targets in graph.items() for t in targets
                    if RANK.get(room(t), 0) > RANK.get(room(m), 0))
    assert upward == []


def test_the_graph_sees_imports_inside_functions(tmp_path):
    """The checker itself: a lazy import, a TYPE_CHECKING import and a relative one are edges, and
    a cycle through them is found."""
    pkg = tmp_path / "pipeline"
    (pkg / "input").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "input" / "__init__.py").write_text("")
    (pkg / "input" / "a.py").write_text("def f():\n    from pipeline.form import b\n")
    (pkg / "form").mkdir()
    (pkg / "form" / "__init__.py").write_text("")
    (pkg / "form" / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..input import a\n")
    g = import_graph(modules(pkg))
    assert g["pipeline.input.a"] == {"pipeline.form.b"}
    assert g["pipeline.form.b"] == {"pipeline.input.a"}
    assert cycles(g) == [["pipeline.form.b", "pipeline.input.a"]]
