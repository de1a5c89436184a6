"""Every count of a scenario checked against what it counts, once the file is read.

A count larger than what it counts is refused naming the key and its line, never capped: a
scenario with 130 present for 100 members is a mistake in the file, not an election of 100.
``present`` counts the members who may attend (full members not excluded under E2); the
trust ballots (M10) are the non-members present; a round's marks for a person are at most its
valid ballots (returned less invalid); the invalid ballots are at most those returned. A round
may return more ballots than it issued: that is how a scenario plays M2 (void round).
"""

from __future__ import annotations

from typing import Any, Protocol

from gongtui.simulate.roster import build_roster


class Ctx(Protocol):
    """Where a scenario's keys were read (``gongtui.simulate.scenario.Ctx``): an error at one."""

    lines: dict[str, int]  # key path -> line of its value

    def at(self, key: str, message: str) -> Exception: ...


def _most(ctx: Ctx, key: str, value: int, bound: int, what: str) -> None:
    if value > bound:
        raise ctx.at(key, f"{value} is more than {what}: {bound}")


def _people(data: dict[str, Any], ctx: Ctx) -> None:
    """The same person twice in the roster, or nominated twice for one post, is a mistake
    to resolve in the file: both entries are named."""
    first: dict[str, int] = {}
    for i, p in enumerate(data.get("roster", {}).get("people", [])):
        key = f"roster.people[{i}].name"
        if p["name"] in first:
            j = first[p["name"]]
            raise ctx.at(key, f"{p['name']} is listed twice (also roster.people[{j}], line "
                              f"{ctx.lines.get(f'roster.people[{j}]', 0)})")
        first[p["name"]] = i
    nominated: dict[tuple[str, str], int] = {}
    for i, n in enumerate(data.get("nominations", [])):
        entry = (n["name"], n["post"])
        if entry in nominated:
            j = nominated[entry]
            raise ctx.at(f"nominations[{i}].name",
                         f"{n['name']} is nominated twice for {n['post']} (also nominations[{j}],"
                         f" line {ctx.lines.get(f'nominations[{j}]', 0)})")
        nominated[entry] = i


def _exclusions(data: dict[str, Any], ctx: Ctx) -> None:
    roster = data.get("roster", {})
    excluded = roster.get("excluded_from_expected", 0)
    if not excluded:
        return
    named = sum(1 for p in roster.get("people", []) if p["status"] == "full")
    nominees = {n["name"] for n in data.get("nominations", [])} - {
        p["name"] for p in roster.get("people", [])}
    generated = max(0, roster.get("generate", {}).get("full", 0) - named - len(nominees))
    _most(ctx, "roster.excluded_from_expected", excluded, generated,
          "the generated full members it is taken from")


def _round(ctx: Ctx, key: str, spec: dict[str, Any], valid: int) -> None:
    names = set(spec.get("for", {})) | set(spec.get("against", {})) | set(spec.get("abstain", {}))
    for name in sorted(names):
        marks = sum(spec.get(kind, {}).get(name, 0) for kind in ("for", "against", "abstain"))
        if marks > valid:
            kind = next(k for k in ("for", "against", "abstain") if name in spec.get(k, {}))
            raise ctx.at(f"{key}.{kind}.{name}", f"{marks} marks for {name} are more than the "
                                                 f"valid ballots ({valid}) (M3)")


def check_counts(data: dict[str, Any], ctx: Ctx) -> None:
    _people(data, ctx)
    _exclusions(data, ctx)
    roster = build_roster(data)
    electorate = sum(1 for p in roster if p.status == "full" and not p.excluded_reason)
    others = sum(1 for p in roster if p.status != "full")
    full = sum(1 for p in roster if p.status == "full")
    voters = f"the full members who may attend ({full} full, {full - electorate} excluded " \
             "under E2)"

    rec = data.get("recommendation", {})
    att = rec.get("attendance", {})
    members_present = att.get("members", 0)
    others_present = att.get("others", 0)
    _most(ctx, "recommendation.attendance.members", members_present, electorate, voters)
    _most(ctx, "recommendation.attendance.others", others_present, others,
          "the non-members on the roster")
    for post, counts in rec.get("votes", {}).items():
        for name, votes in counts.items():
            _most(ctx, f"recommendation.votes.{post}.{name}", votes, members_present,
                  "the members present")
    for name, trust in rec.get("trust", {}).items():
        cast = trust.get("yes", 0) + trust.get("no", 0)
        if cast > others_present:
            raise ctx.at(f"recommendation.trust.{name}",
                         f"{cast} trust ballots are more than the non-members present "
                         f"({others_present}) (M10)")

    committee = data.get("committee")
    if committee is not None:
        _most(ctx, "committee.present", committee["present"], committee["size"],
              "the committee's size")
        for i, r in enumerate(committee.get("rounds", [])):
            _round(ctx, f"committee.rounds[{i}]", r, committee["present"])

    for s, session in enumerate(data.get("congress", [])):
        present = session["present"]
        _most(ctx, f"congress[{s}].present", present, electorate, voters)
        for i, r in enumerate(session.get("rounds", [])):
            key = f"congress[{s}].rounds[{i}]"
            issued = r.get("issued", present)
            returned = r.get("returned", issued)
            _most(ctx, f"{key}.issued", issued, present, "the members present")
            _most(ctx, f"{key}.invalid", r.get("invalid", 0), returned, "the ballots returned")
            _round(ctx, key, r, returned - r.get("invalid", 0))

    seats = data["plan"]["posts"].get("member", {}).get("seats", 0)
    for s, session in enumerate(data.get("plenary", [])):
        present = session["present"]
        _most(ctx, f"plenary[{s}].present", present, seats, "the committee members elected")
        for i, r in enumerate(session.get("rounds", [])):
            key = f"plenary[{s}].rounds[{i}]"
            _most(ctx, f"{key}.invalid", r.get("invalid", 0), present, "the members present")
            _round(ctx, key, r, present - r.get("invalid", 0))
