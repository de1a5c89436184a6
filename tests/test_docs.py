"""The repository explains itself: docs/ is current, its links and examples work, and nothing
in a comment, a docstring or a document sends the reader to a file outside the repository."""

from __future__ import annotations

import ast
import functools
import io
import json
import os
import re
import tokenize
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.config import Settings
from gongtui.cli import app
from gongtui.simulate.scenario import parse_text

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SKIP_DIRS = {".git", ".venv", "build", "dist", "node_modules", "histories", "__pycache__",
             ".gongtui", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
TEXT_SUFFIXES = {".md", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".proto", ".mako"}
#: a pointer to a file that is not in the repository: the background papers the project was
#: planned from, or a path on the machine it was built on
OUTSIDE = re.compile(r"\b(?:DESIGN|SCENARIOS|PITFALLS|RULES)(?:\.md)?\b|\bshared/|/work/")
DOC_PATH = re.compile(r"\bdocs/[\w.-]+\.md\b")


def _files() -> list[Path]:
    out = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        out += [Path(folder) / name for name in sorted(names)]
    return out


def _prose_of_python(path: Path) -> list[tuple[int, str]]:
    """The comments and docstrings of a Python file, with their first line."""
    text = path.read_text(encoding="utf-8")
    found = [(tok.start[0], tok.string) for tok in
             tokenize.generate_tokens(io.StringIO(text).readline) if tok.type == tokenize.COMMENT]
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node, clean=False)
            if doc is not None and node.body:
                found.append((node.body[0].lineno, doc))
    return found


def _prose(path: Path) -> list[tuple[int, str]]:
    if path.suffix == ".py":
        return _prose_of_python(path)
    if path.suffix in TEXT_SUFFIXES or path.name in ("Dockerfile", "run"):
        return [(1, path.read_text(encoding="utf-8"))]
    return []


@functools.cache
def _all_prose() -> list[tuple[Path, int, str]]:
    """Every comment, docstring and document of the repository (read once per session)."""
    return [(path, line, text) for path in _files() for line, text in _prose(path)]


def _where(path: Path, line: int, text: str, match: re.Match[str]) -> str:
    return f"{path.relative_to(ROOT)}:{line + text.count(chr(10), 0, match.start())}: {match[0]}"


def test_checked_in_rule_table_is_the_commands_output() -> None:
    res = CliRunner().invoke(app, ["rules", "explain", "--markdown"])
    assert res.exit_code == 0, res.output
    assert (DOCS / "rules.md").read_text(encoding="utf-8") == res.output, (
        "docs/rules.md is stale: run `gongtui rules explain --markdown > docs/rules.md`")


def test_nothing_points_outside_the_repository() -> None:
    found = [_where(path, line, text, m) for path, line, text in _all_prose()
             for m in OUTSIDE.finditer(text)]
    assert found == [], "pointers to files outside the repository:\n" + "\n".join(found)


def test_every_docs_page_named_exists() -> None:
    missing = [_where(path, line, text, m) for path, line, text in _all_prose()
               for m in DOC_PATH.finditer(text) if not (ROOT / m[0]).is_file()]
    assert missing == [], "docs pages named but missing:\n" + "\n".join(missing)


@pytest.mark.parametrize("page", [ROOT / "README.md", *sorted(DOCS.glob("*.md")),
                                  ROOT / "api" / "README.md", ROOT / "services" / "README.md"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))
    broken = [link for link in links if "://" not in link
              and not (page.parent / link).exists()]
    assert broken == []


def test_readme_links_every_docs_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pages = sorted(p.name for p in DOCS.glob("*.md"))
    assert {"deployment.md", "design.md", "performance.md", "rules.md", "scenarios.md"} <= set(pages)
    assert [name for name in pages if f"(docs/{name})" not in readme] == []


def test_readme_keeps_its_two_commands_first() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    assert first_block.splitlines() == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/gongtui demo",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest",
    ]


def test_deployment_lists_every_setting() -> None:
    text = (DOCS / "deployment.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(GONGTUI_[A-Z_]+)` \|", text, re.M))
    assert documented == {f"GONGTUI_{name.upper()}" for name in Settings.model_fields}


def _blocks(page: str, lang: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(rf"^```{lang}\n(.*?)^```$", text, re.M | re.S)


def test_scenario_example_is_a_valid_scenario() -> None:
    (example,) = _blocks("scenarios.md", "yaml")
    data = parse_text(example, "docs/scenarios.md")
    assert {"plenary", "objections", "unfilled", "approvals"} <= set(data)
    assert data["community"]["street"] == "xw-mf"


def test_output_example_has_the_keys_of_a_real_output() -> None:
    (example,) = _blocks("scenarios.md", "json")
    real = json.loads((ROOT / "tests" / "scenarios" / "foundation.expected.json")
                      .read_text(encoding="utf-8"))
    keys = list(json.loads(example))
    # a real run's output ends with its election's ID, which the expected files leave out
    assert keys[-1] == "election_id"
    assert keys[:-1] == list(real)
