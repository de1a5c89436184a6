"""Scenario files: parsing and validation with file, key and line.

Keys not in the contract are an error, never silently ignored. ``community.street`` and
``plenary`` are documented extensions (docs/scenarios.md). Names are normalized as
they are read (core.names), so a name written twice alike is one name; every count is then
checked against what it counts (attendance against the electorate, marks against the valid
ballots, ...) and refused, never capped, naming the key and its line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from core.names import normalize_name
from core.vocabulary import DEFAULT_PROFILE, OBJECTABLE_NOTICES, POSTS
from gongtui.simulate.counts import check_counts

STATUSES = ("full", "probationary", "discipline", "suspended", "guest_member", "resident")


class ScenarioError(ValueError):
    def __init__(self, file: str, key: str, line: int, message: str):
        self.file, self.key, self.line, self.message = file, key, line, message
        super().__init__(f"{file}:{line}: {key or '(top)'}: {message}")


Spec = Callable[[Node, str, "Ctx"], Any]


@dataclass
class Ctx:
    file: str
    lines: dict[str, int] = field(default_factory=dict)  # key path -> line of its value

    def error(self, node: Node, key: str, message: str) -> ScenarioError:
        return ScenarioError(self.file, key, node.start_mark.line + 1, message)

    def at(self, key: str, message: str) -> ScenarioError:
        """An error at a key already read (the checks that compare one count with another)."""
        return ScenarioError(self.file, key, self.lines.get(key, 0), message)


def _scalar(node: Node, key: str, ctx: Ctx) -> Any:
    if not isinstance(node, ScalarNode):
        raise ctx.error(node, key, "expected a single value")
    return yaml.safe_load(yaml.serialize(node))


def _key(node: Node, key: str, ctx: Ctx) -> str:
    # Keys are read as written: YAML 1.1 would turn ``yes``/``no`` (trust counts) into booleans.
    if not isinstance(node, ScalarNode):
        raise ctx.error(node, key, "a key must be a single value")
    return str(node.value)


def Str(choices: tuple[str, ...] | None = None) -> Spec:  # noqa: N802 - spec constructors
    def parse(node: Node, key: str, ctx: Ctx) -> str:
        if not isinstance(node, ScalarNode) or node.tag.endswith(":null"):
            raise ctx.error(node, key, "expected text")
        value = str(node.value)  # as written: a name like 'no' stays a name
        if choices is not None and value not in choices:
            raise ctx.error(node, key, f"{value!r} is not one of {', '.join(choices)}")
        return value
    return parse


def Int(minimum: int = 0) -> Spec:  # noqa: N802
    def parse(node: Node, key: str, ctx: Ctx) -> int:
        value = _scalar(node, key, ctx)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ctx.error(node, key, f"expected a whole number, got {value!r}")
        if value < minimum:
            raise ctx.error(node, key, f"must be at least {minimum}, got {value}")
        return value
    return parse


def AnyValue() -> Spec:  # noqa: N802
    def parse(node: Node, key: str, ctx: Ctx) -> Any:
        return yaml.safe_load(yaml.serialize(node))
    return parse


def Map(fields: dict[str, Spec], required: tuple[str, ...] = ()) -> Spec:  # noqa: N802
    def parse(node: Node, key: str, ctx: Ctx) -> dict[str, Any]:
        if not isinstance(node, MappingNode):
            raise ctx.error(node, key, "expected a mapping")
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            name = _key(knode, key, ctx)
            path = f"{key}.{name}" if key else name
            if name not in fields:
                raise ctx.error(knode, path, f"unknown key (allowed: {', '.join(fields)})")
            if name in out:
                raise ctx.error(knode, path, "duplicate key")
            ctx.lines[path] = vnode.start_mark.line + 1
            out[name] = fields[name](vnode, path, ctx)
        for name in required:
            if name not in out:
                raise ctx.error(node, f"{key}.{name}" if key else name, "required key missing")
        return out
    return parse


def Dict(key_spec: Spec, value_spec: Spec) -> Spec:  # noqa: N802
    def parse(node: Node, key: str, ctx: Ctx) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise ctx.error(node, key, "expected a mapping")
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
            raw = _key(knode, key, ctx)
            name = key_spec(knode, f"{key}.{raw}", ctx)
            path = f"{key}.{name}"
            if name in out:
                raise ctx.error(knode, path, "duplicate key" + (
                    f" ({raw!r} is {name!r} once normalized)" if raw != name else ""))
            ctx.lines[path] = vnode.start_mark.line + 1
            out[name] = value_spec(vnode, path, ctx)
        return out
    return parse


def List(item: Spec) -> Spec:  # noqa: N802
    def parse(node: Node, key: str, ctx: Ctx) -> list[Any]:
        if not isinstance(node, SequenceNode):
            raise ctx.error(node, key, "expected a list")
        for i, v in enumerate(node.value):
            ctx.lines[f"{key}[{i}]"] = v.start_mark.line + 1
        return [item(v, f"{key}[{i}]", ctx) for i, v in enumerate(node.value)]
    return parse


def OneOf(*specs: Spec) -> Spec:  # noqa: N802
    def parse(node: Node, key: str, ctx: Ctx) -> Any:
        errors = []
        for spec in specs:
            try:
                return spec(node, key, ctx)
            except ScenarioError as exc:
                errors.append(exc.message)
        raise ctx.error(node, key, " / ".join(errors))
    return parse


def Name() -> Spec:  # noqa: N802
    """A person's name, normalized where it enters (core.names)."""
    text = Str()

    def parse(node: Node, key: str, ctx: Ctx) -> str:
        name = normalize_name(text(node, key, ctx))
        if not name:
            raise ctx.error(node, key, "a name cannot be empty")
        return name
    return parse


NAME = Name()
POST = Str(POSTS)
COUNTS = Dict(NAME, Int())
DECISION = Map({"decision": Str(("approve", "reject")), "reason": Str()}, required=("decision",))
APPROVAL = OneOf(Str(("approve", "reject")), DECISION)

SCENARIO = Map({
    "name": Str(),
    "profile": Str(),
    "overrides": Dict(Str(), AnyValue()),
    "community": Map({"id": Str(), "name": Str(),
                      "org_type": Str(("branch", "general_branch", "committee")),
                      "street": Str()}, required=("id",)),
    "roster": Map({
        "people": List(Map({"name": NAME, "status": Str(STATUSES), "excluded": Str()},
                           required=("name", "status"))),
        "generate": Dict(Str(STATUSES), Int()),
        "excluded_from_expected": Int(),
    }),
    "plan": Map({"posts": Dict(POST, Map({"seats": Int(1), "shortlist": Int(), "inspected": Int(),
                                          "candidates": Int()},
                                         required=("seats", "shortlist", "inspected",
                                                   "candidates")))},
                required=("posts",)),
    "nominations": List(Map({"name": NAME, "post": POST,
                             "channel": Str(("organization", "self", "joint")),
                             "cosigners": Map({"members": Int(), "residents": Int()})},
                            required=("name", "post", "channel"))),
    "review": Dict(NAME, Str(("approve", "reject"))),
    "objections": List(Map({"against": NAME,
                            "notice": Str(OBJECTABLE_NOTICES),
                            "decision": Str(("upheld", "dismissed")), "post": POST},
                           required=("against", "notice"))),
    "recommendation": Map({"attendance": Map({"members": Int(), "others": Int()}),
                           "votes": Dict(POST, COUNTS),
                           "trust": Dict(NAME, Map({"yes": Int(), "no": Int()}))}),
    "inspection": Dict(NAME, Str(("pass", "fail"))),
    "committee": Map({"size": Int(1), "present": Int(),
                      "rounds": List(Map({"post": POST, "for": COUNTS}, required=("post", "for")))},
                     required=("size", "present")),
    "congress": List(Map({"present": Int(),
                          "rounds": List(Map({"post": POST, "issued": Int(), "returned": Int(),
                                              "invalid": Int(), "for": COUNTS,
                                              "against": COUNTS, "abstain": COUNTS},
                                             required=("post", "for")))},
                         required=("present",))),
    "plenary": List(Map({"present": Int(),
                         "rounds": List(Map({"post": POST, "for": COUNTS, "invalid": Int()},
                                            required=("post", "for")))},
                        required=("present",))),
    "unfilled": Dict(POST, Str(("reduce", "reelect"))),
    "approvals": Dict(POST, OneOf(APPROVAL, List(APPROVAL))),
}, required=("name", "community", "plan"))


def parse_text(text: str, file: str = "<scenario>") -> dict[str, Any]:
    ctx = Ctx(file)
    try:
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise ScenarioError(file, "", line, f"not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if node is None:
        raise ScenarioError(file, "", 1, "the file is empty")
    data: dict[str, Any] = SCENARIO(node, "", ctx)
    data.setdefault("profile", DEFAULT_PROFILE)
    data.setdefault("overrides", {})
    data["community"].setdefault("name", data["community"]["id"])
    data["community"].setdefault("org_type", "general_branch")
    data["community"].setdefault("street", "")
    _check_profile(data, ctx)
    check_counts(data, ctx)
    return data


def _check_profile(data: dict[str, Any], ctx: Ctx) -> None:
    """The profile and its overrides load here, so a parameter out of its range is named with
    its line before any election starts (not as a failed workflow)."""
    import rules

    try:
        rules.load_profile(data["profile"], data["overrides"] or None)
    except rules.RuleViolation as exc:
        param = exc.field.removeprefix("params.")
        head = param.split(".")[0]
        key = f"overrides.{param}" if head in data["overrides"] or param in data["overrides"] \
            else "profile"
        line_key = key if key in ctx.lines else f"overrides.{head}"
        raise ScenarioError(ctx.file, key, ctx.lines.get(line_key, ctx.lines.get("profile", 0)),
                            f"{exc.rule_id} {exc.field}={exc.value!r}: {exc.message}") from exc


def load(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(str(path), "", 0, f"cannot read: {exc.strerror}") from exc
    return parse_text(text, str(path))
