"""A property-based fuzz of the scenario loader: random YAML documents, random mutations of the
real scenario files (values replaced, keys dropped or added) and random edits of their text
are each either a valid scenario or a ScenarioError naming the file, the key and the line;
never another exception, never a hang (every example within the deadline)."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongtui.simulate.scenario import ScenarioError, parse_text
from tests.paths import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.yaml"))
TEXTS = {f.name: f.read_text(encoding="utf-8") for f in FILES}
DOCS = {name: yaml.safe_load(text) for name, text in TEXTS.items()}
BOUND_S = 2.0
# the bound is the loader's own CPU time (time.thread_time): a wall-clock deadline measures the
# machine's load as much as the loader (CI runs two suites side by side on two cores)
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["", "yes", "no", "~", "1e9", "-5", "secretary", "member", "approve",
                     "full", "self", "joint", "organization", "registrants", "王五",
                     "\u200b王五", "張", "nanjing", "notice_days"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=10), st.sampled_from(
        ["name", "community", "plan", "posts", "seats", "present", "rounds", "for", "votes",
         "overrides", "roster", "generate", "congress", "issued", "returned", "invalid"])),
        inner, max_size=4)), max_leaves=20)


def outcome(text: str, file: str) -> None:
    """The property: a scenario (a dict with its name, community and plan), or a
    ScenarioError naming this file, a key (possibly the top) and a line; within the bound."""
    started = time.thread_time()
    try:
        data = parse_text(text, file)
    except ScenarioError as exc:
        assert exc.file == file
        assert isinstance(exc.key, str) and isinstance(exc.line, int) and exc.line >= 0
        assert str(exc).startswith(f"{file}:{exc.line}: ")
        assert exc.message
    else:
        assert isinstance(data, dict) and {"name", "community", "plan"} <= set(data)
    assert time.thread_time() - started < BOUND_S


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*prefix, i))
    return out


def mutate(doc: Any, path: tuple[Any, ...], how: str, value: Any, key: str) -> Any:
    doc = copy.deepcopy(doc)
    if not path:
        return value if how == "replace" else doc
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "replace":
        parent[last] = value
    elif how == "drop":
        del parent[last]
    elif how == "add" and isinstance(parent, dict):
        parent[key] = value
    elif how == "add" and isinstance(parent, list):
        parent.insert(last, value)
    return doc


def test_the_real_scenarios_load() -> None:
    assert len(FILES) >= 10
    for f in FILES:
        outcome(TEXTS[f.name], f.name)


@FUZZ
@given(values)
def test_any_yaml_document(doc: Any) -> None:
    outcome(yaml.safe_dump(doc, allow_unicode=True), "random.yaml")


@FUZZ
@given(st.data(), st.sampled_from(sorted(DOCS)), st.sampled_from(["replace", "drop", "add"]),
       values, st.text(min_size=1, max_size=10))
def test_a_real_scenario_mutated(data: st.DataObject, name: str, how: str, value: Any,
                                 key: str) -> None:
    doc = DOCS[name]
    path = data.draw(st.sampled_from(paths(doc)))
    outcome(yaml.safe_dump(mutate(doc, path, how, value, key), allow_unicode=True), name)


@FUZZ
@given(st.data(), st.sampled_from(sorted(TEXTS)),
       st.lists(st.tuples(st.floats(0, 1), st.integers(0, 8),
                          st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@` \n\t0123456789ab王")),
                                  max_size=6)), min_size=1, max_size=5))
def test_a_real_scenario_text_edited(data: st.DataObject, name: str,
                                     edits: list[tuple[float, int, str]]) -> None:
    text = TEXTS[name]
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut:]
    outcome(text, name)


@pytest.mark.parametrize("text", [
    # anchors and aliases nested: the tree they stand for is exponential in the text
    "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True))
    + "name: *i\ncommunity: {id: c}\nplan: {posts: {}}\n",
    "name: x\ncommunity: {id: c}\nplan: {posts: {secretary: &s {seats: 1, shortlist: 1, "
    "inspected: 1, candidates: 1}, member: *s}}\nnominations: &n []\n",
    "name: x\ncommunity: &c {id: c}\nplan: *c\n",
    "!!python/object:os.system [echo]\n",
    "name: " + "[" * 200 + "]" * 200 + "\n",
])
def test_hostile_yaml(text: str) -> None:
    outcome(text, "hostile.yaml")


def test_the_files_named_are_the_files_read(tmp_path: Path) -> None:
    from gongtui.simulate.scenario import load

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncommunity: {id: c}\nplan: {posts: {secretary: {seats: 0}}}\n")
    with pytest.raises(ScenarioError) as caught:
        load(bad)
    assert caught.value.file == str(bad) and caught.value.line == 3
