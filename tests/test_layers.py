"""The import direction of the layers, read from the source with ``ast``.

    core (0) <- rules, proto (1) <- services.common (2)
             <- services.nomination, services.voting, services.approval, workflows (3)
             <- documents (4) <- api (5) <- gongtui (6)

A module may import its own unit and any lower layer, never a higher one, and never a sibling
unit of its own layer (``services.voting`` does not import ``services.nomination``, ``rules``
does not import ``proto``). Every import counts: at module level, inside functions, under
``TYPE_CHECKING`` and ``importlib.import_module("…")`` with a literal name. No two modules may
import each other, directly or round a longer loop. Tests stand outside the layers.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: unit -> layer; a module belongs to the longest unit its dotted name starts with
LAYERS: dict[str, int] = {
    "core": 0,
    "rules": 1,
    "proto": 1,
    "services.common": 2,
    "services.nomination": 3,
    "services.voting": 3,
    "services.approval": 3,
    "workflows": 3,
    "documents": 4,
    "api": 5,
    "gongtui": 6,
}
#: modules that hold no code of a unit of their own: the bare ``services`` package
ALIASES: dict[str, str] = {"services": "services.common"}
OUTSIDE = {"tests", "build", "dist", "bench"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the module imported (the most specific one of ours the statement names)
    path: str  # relative to the root scanned
    line: int
    text: str

    def where(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def top_packages(root: Path) -> list[str]:
    """Every top-level package of the repository (a folder with ``__init__.py``)."""
    return sorted(p.parent.name for p in root.glob("*/__init__.py")
                  if p.parent.name not in OUTSIDE and not p.parent.name.startswith("."))


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def unit_of(module: str) -> str | None:
    """The unit of ``module`` (a key of LAYERS), or None when the table does not place it."""
    if module in ALIASES:
        return ALIASES[module]
    units = [u for u in LAYERS if module == u or module.startswith(u + ".")]
    return max(units, key=len) if units else None


def _literal_import_name(node: ast.Call) -> str | None:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not node.args:
        return None
    arg = node.args[0]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def imports_of(path: Path, root: Path, ours: set[str], modules: set[str]) -> list[Import]:
    """Every import of one of our packages in ``path``, resolved to the module it names."""
    source = module_name(path, root)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def most_specific(name: str) -> str:
        parts = name.split(".")
        for n in range(len(parts), 0, -1):
            candidate = ".".join(parts[:n])
            if candidate in modules:
                return candidate
        return name

    found: list[Import] = []
    rel = path.relative_to(root).as_posix()

    def add(name: str, node: ast.stmt | ast.expr, text: str) -> None:
        imp = Import(source, most_specific(name), rel, node.lineno, text)
        if name.split(".")[0] in ours and imp not in found:
            found.append(imp)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node, ast.unparse(node))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = source.split(".") if is_package else source.split(".")[:-1]
                base = base[: max(0, len(base) - (node.level - 1))]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                add(sub if sub in modules else target, node, ast.unparse(node))
        elif isinstance(node, ast.Call):
            name = _literal_import_name(node)
            if name:
                add(name, node, ast.unparse(node))
    return found


def scan(root: Path) -> tuple[set[str], list[Import]]:
    """The modules of every top-level package of ``root`` and all their imports of ours."""
    ours = set(top_packages(root))
    files = [f for pkg in sorted(ours) for f in sorted((root / pkg).rglob("*.py"))]
    modules = {module_name(f, root) for f in files}
    edges = [imp for f in files for imp in imports_of(f, root, ours, modules)]
    return modules, edges


def unplaced(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if unit_of(m) is None)


def direction_violations(edges: list[Import]) -> list[str]:
    """Each import of a higher layer or of a sibling unit, as ``file:line: import — why``."""
    out = []
    for imp in edges:
        src, dst = unit_of(imp.source), unit_of(imp.target)
        if src is None or dst is None or src == dst:
            continue
        if LAYERS[dst] > LAYERS[src]:
            out.append(f"{imp.where()} — {src} (layer {LAYERS[src]}) imports "
                       f"{dst} (layer {LAYERS[dst]})")
        elif LAYERS[dst] == LAYERS[src]:
            out.append(f"{imp.where()} — sibling units: {src} imports {dst}")
    return out


def cycles(modules: set[str], edges: list[Import]) -> list[list[Import]]:
    """Every group of modules that import each other (Tarjan), as the imports that close it."""
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for imp in edges:
        if imp.target in modules and imp.target != imp.source:
            graph[imp.source].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(v: str) -> None:  # recursive: import chains are a few dozen modules deep
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return [sorted((imp for imp in edges if imp.source in g and imp.target in g),
                   key=lambda i: (i.source, i.line)) for g in groups]


def layer_report(root: Path) -> list[str]:
    """Every breach of the layering under ``root``: unplaced modules, wrong-way imports, cycles."""
    modules, edges = scan(root)
    problems = [f"{m}: not in the layer table of tests/test_layers.py" for m in unplaced(modules)]
    problems += direction_violations(edges)
    for group in cycles(modules, edges):
        members = sorted({i.source for i in group})
        problems.append("cycle between " + ", ".join(members) + ":\n    "
                        + "\n    ".join(i.where() for i in group))
    return problems


def test_every_module_has_a_layer() -> None:
    modules, _ = scan(ROOT)
    assert modules, "no package found"
    assert unplaced(modules) == [], "add them to LAYERS"


def test_imports_point_down() -> None:
    _, edges = scan(ROOT)
    assert edges, "no import of ours found: the scanner is broken"
    problems = direction_violations(edges)
    if problems:
        pytest.fail("imports against the layers:\n" + "\n".join(problems), pytrace=False)


def test_no_import_cycles() -> None:
    modules, edges = scan(ROOT)
    found = cycles(modules, edges)
    if found:
        pytest.fail("modules that import each other:\n" + "\n".join(
            "  " + "\n  ".join(i.where() for i in group) for group in found), pytrace=False)


# The checker itself, on small trees written for the purpose.

def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text, encoding="utf-8")
    return tmp_path


_BASE = {
    "core/__init__.py": "",
    "core/ids.py": "import json\n",
    "rules/__init__.py": "from .table import ROWS\n",
    "rules/table.py": "from core import ids\nROWS = ()\n",
    "proto/__init__.py": "",
    "services/__init__.py": "",
    "services/common/__init__.py": "",
    "services/common/store.py": "import proto\nfrom core.ids import x\n",
    "services/voting/__init__.py": "",
    "services/voting/domain.py": "from ..common import store\nfrom rules import ROWS\n",
    "services/nomination/__init__.py": "",
    "services/nomination/domain.py": "import services.common.store\n",
    "gongtui/__init__.py": "",
    "gongtui/cli.py": "def main():\n    from services.voting import domain\n",
    "tests/test_x.py": "import gongtui.cli\n",
}


def test_checker_passes_a_clean_tree(tmp_path: Path) -> None:
    root = _tree(tmp_path, _BASE)
    assert layer_report(root) == []
    _, edges = scan(root)
    assert {(i.source, i.target) for i in edges} >= {
        ("services.voting.domain", "services.common.store"),  # relative, from a package
        ("rules", "rules.table"), ("gongtui.cli", "services.voting.domain")}


@pytest.mark.parametrize(("rel", "text", "expected"), [
    pytest.param("core/ids.py", "def f():\n    import rules\n",
                 "core/ids.py:2: import rules — core (layer 0) imports rules (layer 1)",
                 id="upward-inside-a-function"),
    pytest.param("services/common/store.py", "from services.voting.domain import x\n",
                 "services/common/store.py:1: from services.voting.domain import x — "
                 "services.common (layer 2) imports services.voting (layer 3)", id="upward"),
    pytest.param("services/voting/domain.py", "from services.nomination import domain\n",
                 "services/voting/domain.py:1: from services.nomination import domain — "
                 "sibling units: services.voting imports services.nomination", id="sibling"),
    pytest.param("rules/table.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                 "    from proto import x\n",
                 "rules/table.py:3: from proto import x — sibling units: rules imports proto",
                 id="sibling-type-checking"),
    pytest.param("services/voting/domain.py",
                 "import importlib\nm = importlib.import_module('gongtui.cli')\n",
                 "services/voting/domain.py:2: importlib.import_module('gongtui.cli') — "
                 "services.voting (layer 3) imports gongtui (layer 6)", id="import-module"),
    pytest.param("services/voting/domain.py", "from ...gongtui import cli\n",
                 "services/voting/domain.py:1: from ...gongtui import cli — "
                 "services.voting (layer 3) imports gongtui (layer 6)", id="relative-upward"),
])
def test_checker_names_a_wrong_way_import(tmp_path: Path, rel: str, text: str,
                                          expected: str) -> None:
    root = _tree(tmp_path, {**_BASE, rel: text})
    assert expected in layer_report(root)


def test_checker_finds_a_cycle(tmp_path: Path) -> None:
    root = _tree(tmp_path, {**_BASE, "gongtui/demo.py": "from gongtui import calibrate\n",
                            "gongtui/calibrate.py": "def f():\n    from .demo import g\n"})
    report = layer_report(root)
    assert report == ["cycle between gongtui.calibrate, gongtui.demo:\n"
                      "    gongtui/calibrate.py:2: from .demo import g\n"
                      "    gongtui/demo.py:1: from gongtui import calibrate"]


def test_checker_refuses_an_unplaced_package(tmp_path: Path) -> None:
    root = _tree(tmp_path, {**_BASE, "services/ledger/__init__.py": "",
                            "console/__init__.py": ""})
    assert layer_report(root) == [
        "console: not in the layer table of tests/test_layers.py",
        "services.ledger: not in the layer table of tests/test_layers.py"]
