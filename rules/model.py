"""Value types of the rules package: decisions, violations and the facts callers pass in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.vocabulary import CHOICES, ORG_TYPES, POSTS, STATUSES

__all__ = ["CHOICES", "ORG_TYPES", "POSTS", "STATUSES"]  # part of the rules' own vocabulary


@dataclass(frozen=True)
class Verdict:
    """One yes/no decision and the rule it rests on."""

    ok: bool
    rule: str
    reason: str
    value: object = None

    def __bool__(self) -> bool:  # a Verdict reads as its answer
        return self.ok


class RuleViolation(ValueError):
    """A rule is broken. ``str()`` names the rule ID, the field and the offending value."""

    def __init__(self, rule_id: str, field: str, value: object, message: str) -> None:
        super().__init__(rule_id, field, value, message)
        self.rule_id = rule_id
        self.field = field
        self.value = value
        self.message = message

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.field}={self.value} — {self.message}"

    def __repr__(self) -> str:
        return (
            f"RuleViolation({self.rule_id!r}, {self.field!r}, {self.value!r}, {self.message!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleViolation):
            return NotImplemented
        return (self.rule_id, self.field, self.value, self.message) == (
            other.rule_id,
            other.field,
            other.value,
            other.message,
        )

    def __hash__(self) -> int:
        return hash((self.rule_id, self.field, self.message))


@dataclass(frozen=True)
class PostFunnel:
    """Numbers of one post through the stages: shortlist > inspected > candidates > seats."""

    seats: int
    shortlist: int
    inspected: int
    candidates: int


@dataclass(frozen=True)
class Profile:
    """A rule profile: a name and its resolved parameters (after ``extends`` and overrides)."""

    name: str
    params: Mapping[str, Any]
    chain: tuple[str, ...] = ()  # this profile and the ones it extends, nearest first
    source: str | None = None  # the file it was loaded from

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]


@dataclass(frozen=True)
class RuleRow:
    """One row of the rule table with the parameter values the profile gives it."""

    id: str
    text: str
    kind: str
    source: str
    params: dict[str, Any] = field(default_factory=dict)
    active: bool = True


@dataclass(frozen=True)
class PersonFacts:
    status: str
    own_organization: bool = True
    party_years: float | None = None
    age: int | None = None
    resides_in_community: bool = True


@dataclass(frozen=True)
class Cosigner:
    person_id: str
    status: str
    in_community: bool
    withdrawn: bool = False


@dataclass(frozen=True)
class Mark:
    candidate: str | None
    choice: str
    write_in: str | None = None


@dataclass(frozen=True)
class RoundOutcome:
    elected: list[str]
    tied: list[str]
    unfilled: int
    rules: list[str]


@dataclass(frozen=True)
class ShortlistOutcome:
    shortlist: list[str]
    dropped: list[tuple[str, str]]
    rules: list[str]


@dataclass(frozen=True)
class CommitteeOutcome:
    quorum_met: bool
    passed: list[str]
    selected: list[str]
    tied: list[str]
    rules: list[str]
