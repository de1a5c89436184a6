"""The community's people for a scenario: named people, implied nominees and generated ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ANON_PREFIX = {
    "full": "党员", "probationary": "预备党员", "discipline": "留察党员",
    "suspended": "中止党员", "guest_member": "驻区党员", "resident": "群众",
}


@dataclass
class RosterPerson:
    person_id: str
    name: str
    status: str
    excluded_reason: str = ""
    named: bool = False


def build_roster(scenario: dict[str, Any]) -> list[RosterPerson]:
    """Named people first (in file order), then nominees not listed (full members), then the
    anonymous people ``generate`` asks for. ``generate`` gives the total per status: named
    people of that status count toward it."""
    roster = scenario.get("roster", {})
    people: list[RosterPerson] = []
    seen: dict[str, RosterPerson] = {}

    def add(name: str, status: str, excluded: str = "", named: bool = True) -> None:
        person = RosterPerson(f"p{len(people) + 1:05d}", name, status, excluded, named)
        people.append(person)
        seen[name] = person

    for p in roster.get("people", []):
        if p["name"] in seen:
            continue
        add(p["name"], p["status"], p.get("excluded", ""))
    for n in scenario.get("nominations", []):
        if n["name"] not in seen:
            add(n["name"], "full")
    generate: dict[str, int] = roster.get("generate", {})
    excluded_left = int(roster.get("excluded_from_expected", 0))
    for status, total in generate.items():
        named = sum(1 for p in people if p.status == status)
        for i in range(1, max(0, total - named) + 1):
            name = f"{ANON_PREFIX[status]}{i:04d}"
            while name in seen:
                name += "'"
            reason = ""
            # E2 exclusions are taken from the end of the generated full members
            if status == "full" and i > max(0, total - named) - excluded_left:
                reason = "abroad"
            add(name, status, reason, named=False)
    return people
