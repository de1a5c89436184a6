"""The independent recount of an election from its audit bundle, offline.

From the voting chain (verified first, by ``services.common.bundle``) it takes what each round was
— its meeting (kind, profile, expected, present), seats, kind, candidates in ballot order —
and what was published when it was counted (``round.counted``); from ``ballots.jsonl`` the
ballots. Then, round by round:

1. each receipt is recomputed from its salt and marks (``services.voting.receipts``), and
   the round's ballot-box digest from its receipts: a ballot edited, added or removed shows;
2. the round is counted again — each ballot judged valid or not, the marks added up, the
   outcome decided — with the rules module (M2–M8, M11, M12), as the count does;
3. every published figure is compared: issued, returned, valid, invalid, void, the votes of
   each candidate, the write-ins, elected, tied, unfilled, the digest.

A paper round has no ballots: its entered tally is recounted by the rules and its digest
recomputed from the tally.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import rules
from proto import voting_pb2
from services.common.bundle import BALLOTS, Bundle, BundleReport, Problem, verify_chains
from services.common.errors import DomainError
from services.voting import receipts
from services.voting.domain import CHOICES, CONGRESS_ROUND_KINDS, ballot_validity, load_profile


@dataclass
class RoundRecount:
    round_id: str
    source: str
    differences: list[str] = field(default_factory=list)


@dataclass
class RecountReport:
    election_id: str
    rounds: list[RoundRecount] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return not self.problems and not any(r.differences for r in self.rounds)


def check_ballots(bundle: Bundle, report: BundleReport | RecountReport) -> None:
    """Every receipt from its salt and marks; every electronic round's digest from its
    receipts, against the digest the voting chain recorded when the round was counted."""
    by_round: dict[str, list[str]] = {}
    first_line: dict[str, int] = {}
    for n, b in enumerate(bundle.ballots, start=1):
        try:
            rnd, receipt = str(b["round"]), str(b["receipt"])
            computed = receipts.receipt(str(b["salt"]), receipts.marks_json(b["marks"]))
        except (KeyError, TypeError, AttributeError) as exc:
            report.problems.append(Problem(BALLOTS, n, f"not a ballot (no {exc})"))
            return
        if computed != receipt:
            report.problems.append(Problem(BALLOTS, n, f"round {rnd}: receipt {receipt} does"
                                                       " not match the ballot's salt and marks"))
        by_round.setdefault(rnd, []).append(receipt)
        first_line.setdefault(rnd, n)
    counted = {p["round_id"]: p for p in bundle.payloads("voting", "round.counted")}
    for rnd in by_round:
        if counted.get(rnd, {}).get("source") != "electronic":
            report.problems.append(Problem(BALLOTS, first_line[rnd], f"round {rnd}: ballots of"
                                           " a round the voting chain never counted"))
    for rnd, p in counted.items():
        if p.get("source") != "electronic":
            continue
        found = by_round.get(rnd, [])
        if receipts.ballot_box_digest(found) != p.get("ballot_box_digest"):
            report.problems.append(Problem(
                BALLOTS, first_line.get(rnd, len(bundle.ballots) + 1),
                f"round {rnd}: the digest of its {len(found)} ballots is not the ballot-box"
                f" digest counted ({p.get('returned')} ballots returned)"))


@dataclass
class _Meeting:
    kind: str
    profile: str
    overrides: str
    expected: int
    present: int = 0


def _meetings_and_issued(bundle: Bundle) -> tuple[dict[str, _Meeting], dict[str, int],
                                                 dict[str, dict[str, Any]]]:
    """The chain replayed up to each count: meetings as they stood, electronic ballots
    issued per round, the last paper tally entered per round."""
    meetings: dict[str, _Meeting] = {}
    issued: dict[str, int] = {}
    tallies: dict[str, dict[str, Any]] = {}
    for r in bundle.chains.get("voting", []):
        p = json.loads(r.payload_json)
        if r.kind == "meeting.opened":
            meetings[p["meeting_id"]] = _Meeting(p["kind"], p["profile"], p.get("overrides") or "",
                                                 int(p.get("expected") or 0))
        elif r.kind == "meeting.checked_in" and "committee_size" in p:
            m = meetings[p["meeting_id"]]
            m.expected, m.present = int(p["committee_size"]), int(p["headcount"])
        elif r.kind == "meeting.attendance_confirmed":
            meetings[p["meeting_id"]].present = int(p["present_members"])
        elif r.kind == "ballots.issued":
            issued[p["round_id"]] = int(p["issued_total"])
        elif r.kind == "tally.entered":
            tallies[p["round_id"]] = p
    return meetings, issued, tallies


def _count_ballots(opened: Mapping[str, Any], ballots: Sequence[Mapping[str, Any]]
                   ) -> tuple[dict[str, dict[str, int]], dict[str, int], int, list[str]]:
    """(votes per candidate by choice, write-ins, invalid, why a ballot is refused)."""
    order = [c["person_id"] for c in opened["candidates"]]
    counts = {p: {"votes_for": 0, "votes_against": 0, "votes_abstain": 0} for p in order}
    write_ins: dict[str, int] = {}
    invalid, refused = 0, []
    for b in ballots:
        marks = [voting_pb2.Mark(person_id=m.get("person_id") or "", choice=m.get("choice") or "",
                                 write_in=m.get("write_in") or "") for m in b["marks"]]
        try:
            valid, _ = ballot_validity(opened["kind"], int(opened["seats"]), frozenset(order),
                                       marks)
        except DomainError as exc:
            refused.append(f"ballot {b['receipt']}: {exc}")
            continue
        if not valid:
            invalid += 1
            continue
        for m in marks:
            if m.person_id in counts and m.choice in CHOICES:
                counts[m.person_id]["votes_" + m.choice] += 1
            if m.write_in.strip():
                write_ins[m.write_in.strip()] = write_ins.get(m.write_in.strip(), 0) + 1
    return counts, write_ins, invalid, refused


def _decide(meeting: _Meeting, opened: Mapping[str, Any], issued: int, returned: int,
            votes: dict[str, int], order: list[str]) -> dict[str, Any]:
    """The outcome by the rules, as the count decides it."""
    elected: list[str] = []
    tied: list[str] = []
    unfilled = 0
    verdict = rules.round_void(issued, returned)
    seats = int(opened["seats"])
    if not verdict.ok:
        applied = [verdict.rule]
    elif meeting.kind == "committee":
        out = rules.committee_vote(load_profile(meeting.profile, meeting.overrides),
                                   meeting.expected, meeting.present, votes, seats, order)
        elected, tied, applied = list(out.selected), list(out.tied), list(out.rules)
        unfilled = max(0, seats - len(elected))
    elif opened["kind"] in CONGRESS_ROUND_KINDS:
        outcome = rules.count_round(seats, meeting.present, votes, order)
        elected, tied = list(outcome.elected), list(outcome.tied)
        applied, unfilled = list(outcome.rules), outcome.unfilled
    else:
        applied = ["M8"]
    return {"void": not verdict.ok, "elected": elected, "tied": tied, "unfilled": unfilled,
            "rules": applied}


def _recount_round(bundle_ballots: Sequence[Mapping[str, Any]], opened: Mapping[str, Any],
                   published: Mapping[str, Any], meeting: _Meeting, issued_electronic: int,
                   tally: Mapping[str, Any] | None) -> RoundRecount:
    round_id = str(published["round_id"])
    source = str(published.get("source", ""))
    found = RoundRecount(round_id, source)
    order = [c["person_id"] for c in opened["candidates"]]
    if source == "electronic":
        counts, write_ins, invalid, refused = _count_ballots(opened, bundle_ballots)
        found.differences += refused
        issued, returned = issued_electronic, len(bundle_ballots)
        digest = receipts.ballot_box_digest(str(b["receipt"]) for b in bundle_ballots)
    elif source == "paper" and tally is not None:
        issued, returned, invalid = int(tally["issued"]), int(tally["returned"]), int(
            tally["invalid"])
        counts = {p: {"votes_for": 0, "votes_against": 0, "votes_abstain": 0} for p in order}
        for line in tally["lines"]:
            counts[line["person_id"]] = {k: int(line[k]) for k in
                                         ("votes_for", "votes_against", "votes_abstain")}
        write_ins = {w["name"]: int(w["votes"]) for w in tally["write_ins"]}
        digest = receipts.paper_digest(round_id, issued, returned, invalid, tally["lines"],
                                       tally["write_ins"])
    else:
        found.differences.append(f"counted from {source!r}, but the chain holds nothing to"
                                 " recount it from")
        return found
    votes = {p: counts[p]["votes_for"] for p in order}
    outcome = _decide(meeting, opened, issued, returned, votes, order)
    recounted: dict[str, Any] = {
        "issued": issued, "returned": returned, "invalid": invalid,
        "valid": returned - invalid, "present_members": meeting.present,
        "ballot_box_digest": digest, **outcome,
        "votes": {p: counts[p] for p in order},
        "write_ins": dict(write_ins)}
    shown: dict[str, Any] = {k: published.get(k) for k in recounted}
    shown["votes"] = {line["person_id"]: {k: line[k] for k in
                                          ("votes_for", "votes_against", "votes_abstain")}
                      for line in published.get("tally", [])}
    shown["write_ins"] = {w["name"]: w["votes"] for w in published.get("write_ins", [])}
    for key, mine in recounted.items():
        theirs = shown[key]
        if key == "votes":
            for p in order:
                if mine[p] != theirs.get(p):
                    found.differences.append(f"votes of {p}: published {theirs.get(p)},"
                                             f" recounted {mine[p]}")
        elif mine != theirs:
            found.differences.append(f"{key}: published {theirs!r}, recounted {mine!r}")
    return found


def recount(bundle: Bundle) -> RecountReport:
    """Every counted round of the bundle recounted and compared with what was published;
    the published results are only as good as the chains that hold them, so a chain that
    does not verify against its signed heads is a problem of the recount too."""
    report = RecountReport(bundle.election_id)
    report.problems += verify_chains(bundle).problems
    check_ballots(bundle, report)
    meetings, issued, tallies = _meetings_and_issued(bundle)
    opened = {p["round_id"]: p for p in bundle.payloads("voting", "round.opened")}
    by_round: dict[str, list[Mapping[str, Any]]] = {}
    for b in bundle.ballots:
        by_round.setdefault(str(b.get("round")), []).append(b)
    for published in bundle.payloads("voting", "round.counted"):
        round_id = published["round_id"]
        if round_id not in opened or opened[round_id]["meeting_id"] not in meetings:
            report.rounds.append(RoundRecount(round_id, str(published.get("source")),
                                              ["the chain holds no opening of this round"]))
            continue
        meeting = meetings[opened[round_id]["meeting_id"]]
        report.rounds.append(_recount_round(by_round.get(round_id, []), opened[round_id],
                                            published, meeting, issued.get(round_id, 0),
                                            tallies.get(round_id)))
    return report
