"""The secret ballot tried as an insider would: codes issued one voter at a time (as a desk
does), cast in the very order they were issued, the round counted; then every table dumped —
on PostgreSQL with each row's ``xmin`` and ``ctid``, on SQLite with its rowid where it has
one — and the audit chain read. The attacker knows the order the persons were issued their
ballots and cast them (they saw the desk and the booth); the test shows that no order, time,
transaction or digest in the stored data lets them match a person to a ballot better than a
random guess does. Runs on SQLite, and on PostgreSQL in the suite's PostgreSQL pass."""

from __future__ import annotations

import hashlib
import itertools
import json
import uuid
from collections import defaultdict
from typing import Any

from proto import common_pb2
from proto import voting_pb2 as pb
from tests.services.voting.support import (
    CANDIDATES,
    ELECTION,
    OFFICE,
    Service,
    close,
    congress,
    open_casting,
    open_round,
)

VOTERS = 16
#: a random matching of 16 gets 1 right on average, 7 or more less than once in 10,000 runs
BOUND = 6


def distinct_marks() -> list[list[pb.Mark]]:
    """One ballot per voter, no two marked alike."""
    choices = itertools.product(("for", "against", "abstain"), repeat=3)
    return [[pb.Mark(person_id=c.person_id, choice=ch) for c, ch in zip(CANDIDATES, combo,
                                                                         strict=True)]
            for combo in itertools.islice(choices, VOTERS)]


def canonical(marks: list[pb.Mark]) -> str:
    return json.dumps(sorted([m.person_id, m.choice] for m in marks))


def stored_canonical(marks_json: str) -> str:
    return json.dumps(sorted([m["person_id"], m["choice"]] for m in json.loads(marks_json)))


def dump(svc: Service) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table as the database returns it (physical order), with ``xmin`` and
    ``ctid`` on PostgreSQL and the rowid on SQLite where the table has one."""
    out: dict[str, list[dict[str, Any]]] = {}
    for table in svc.db.tables():
        if svc.db.sqlite:
            try:
                sql = f'SELECT rowid AS "_order", * FROM "{table}"'
                rows = svc.rows(sql)
            except Exception:  # noqa: BLE001 - a WITHOUT ROWID table has none
                sql = f'SELECT NULL AS "_order", * FROM "{table}"'
                rows = svc.rows(sql)
            names = ["_order", *column_names(svc, table)]
        else:
            sql = f'SELECT xmin::text::bigint, ctid::text, * FROM "{table}"'
            rows = svc.rows(sql)
            names = ["_xmin", "_ctid", *column_names(svc, table)]
        out[table] = [dict(zip(names, r, strict=True)) for r in rows]
    return out


def column_names(svc: Service, table: str) -> list[str]:
    if svc.db.sqlite:
        return [r[1] for r in svc.rows(f'PRAGMA table_info("{table}")')]
    return [r[0] for r in svc.rows(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ?"
        " AND table_name = ? ORDER BY ordinal_position", svc.db.schema, table)]


def ctid_key(ctid: str) -> tuple[int, int]:
    page, item = ctid.strip("()").split(",")
    return int(page), int(item)


def ballot_orders(tables: dict[str, list[dict[str, Any]]],
                  chain: list[common_pb2.AuditRecord]) -> dict[str, list[str]]:
    """Every order of the ballots (their canonical marks) the stored data offers."""
    ballots = tables["ballots"]
    marks = {b["receipt"]: stored_canonical(b["marks_json"]) for b in ballots}
    orders = {
        "physical": [stored_canonical(b["marks_json"]) for b in ballots],
        "ballot_id": [stored_canonical(b["marks_json"])
                      for b in sorted(ballots, key=lambda b: b["ballot_id"])],
        "salt": [stored_canonical(b["marks_json"])
                 for b in sorted(ballots, key=lambda b: b["salt"])],
    }
    if ballots and ballots[0].get("_order") is not None:
        orders["rowid"] = [stored_canonical(b["marks_json"])
                           for b in sorted(ballots, key=lambda b: b["_order"])]
    if ballots and "_xmin" in ballots[0]:
        orders["xmin"] = [stored_canonical(b["marks_json"]) for b in sorted(
            ballots, key=lambda b: (b["_xmin"], ctid_key(b["_ctid"])))]
        orders["ctid"] = [stored_canonical(b["marks_json"])
                          for b in sorted(ballots, key=lambda b: ctid_key(b["_ctid"]))]
    # the chain: any record naming a receipt, in chain order (seq, and time)
    named = [json.loads(r.payload_json).get("receipt") for r in chain]
    orders["audit chain"] = [marks[r] for r in named if r in marks]
    by_time = sorted(chain, key=lambda r: (r.created_at, r.seq))
    orders["audit time"] = [marks[r] for r in (json.loads(x.payload_json).get("receipt")
                                               for x in by_time) if r in marks]
    return orders


def transaction_links(tables: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """PostgreSQL: a ballot whose row shares its transaction with the issue record of exactly
    one person, directly or through a code hash or an idempotency record written with both."""
    if not tables["ballots"] or "_xmin" not in tables["ballots"][0]:
        return {}
    by_xmin: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for table, rows in tables.items():
        for row in rows:
            by_xmin[row["_xmin"]][table].append(row)
    guesses: dict[str, str] = {}
    for b in tables["ballots"]:
        issued = by_xmin[b["_xmin"]]["ballot_issues"]
        if len(issued) == 1:
            guesses[issued[0]["person_id"]] = stored_canonical(b["marks_json"])
    return guesses


def digest_links(tables: dict[str, list[dict[str, Any]]], round_id: str,
                 persons: list[str]) -> int:
    """Idempotency records whose digest is found again by trying every person (as the digest
    of the request a desk sends)."""
    found = 0
    for row in tables["idempotency_keys"]:
        for p in persons:
            tried = pb.IssueBallotsRequest(idempotency_key=row["key"], actor=OFFICE,
                                           round_id=round_id, person_ids=[p])
            if hashlib.sha256(tried.SerializeToString(deterministic=True)).hexdigest() \
                    == row["request_digest"]:
                found += 1
    return found


async def test_no_stored_order_time_or_digest_links_a_person_to_a_ballot(svc: Service) -> None:
    meeting = await congress(svc, VOTERS, VOTERS)
    rnd = await open_round(svc, meeting.meeting_id, seats=3, candidates=CANDIDATES,
                           post="member")
    persons = [f"m{i:03d}" for i in range(1, VOTERS + 1)]
    marks = distinct_marks()
    codes = []
    for p in persons:  # the desk: one voter at a time
        issued = await svc.stub.IssueBallots(pb.IssueBallotsRequest(
            idempotency_key=uuid.uuid4().hex, actor=OFFICE, round_id=rnd.round_id,
            person_ids=[p]))
        codes.append(issued.codes[0])
    await open_casting(svc, rnd.round_id)
    if not svc.db.sqlite:  # once casting is open, no code hash keeps the transaction that issued it
        opened = dump(svc)
        assert len({r["_xmin"] for r in opened["ballot_codes"]}) == 1
        assert len({r["_xmin"] for r in opened["ballot_issues"]}) == 1
        assert opened["ballot_codes"][0]["_xmin"] not in {
            r["_xmin"] for r in opened["idempotency_keys"] if r["method"] == "IssueBallots"}
    for code, m in zip(codes, marks, strict=True):  # each casts in the order they were issued
        await svc.stub.CastBallot(pb.CastBallotRequest(round_id=rnd.round_id, code=code, marks=m))
    counted = await close(svc, rnd.round_id)
    assert counted.returned == VOTERS
    truth = [canonical(m) for m in marks]  # the ballot of persons[i]
    assert len(set(truth)) == VOTERS

    tables = dump(svc)
    chain = list((await svc.stub.ListAudit(common_pb2.AuditRequest(
        election_id=ELECTION))).records)
    assert sorted(stored_canonical(b["marks_json"]) for b in tables["ballots"]) == sorted(truth)

    # every order the data offers, matched place by place to the order of the persons
    matched = {name: sum(a == b for a, b in zip(order, truth, strict=False))
               for name, order in ballot_orders(tables, chain).items()}
    assert all(n <= BOUND for n in matched.values()), matched
    # a transaction shared by a ballot and one person's issue record
    links = transaction_links(tables)
    assert sum(links.get(p) == t for p, t in zip(persons, truth, strict=True)) <= BOUND, links
    # no digest found again from a person
    assert digest_links(tables, rnd.round_id, persons) == 0
    # and nothing stored names a code or holds the person list of a batch
    text = svc.all_text()
    assert not any(c in text for c in codes)
    for row in tables["idempotency_keys"]:
        assert not any(p in str(row["response"]) for p in persons)
