"""The electronic ballots a scenario's tally stands for: one ballot per voter, adding up to the
same counts, so the voting service counts what the paper tally would have said; and their
casting, once each even when the player starts again (``simulate --resume``)."""

from __future__ import annotations

from typing import Any

import grpc

from proto import common_pb2, voting_pb2


def electronic_ballots(kind: str, candidates: list[str], valid: int, spoilt: int,
                       tally: dict[str, tuple[int, int]]) -> list[list[voting_pb2.Mark]]:
    """``valid`` ballots whose marks add up to ``tally`` (person ID -> (for, against)), then
    ``spoilt`` invalid ones. In a trust vote every ballot answers each candidate in turn; in
    the other rounds the fors go round-robin, so no ballot marks more names than the seats
    (M3). Invalid ballots mark too many names (M3) or, in a congress or committee round, every
    other one a write-in without an against (M4). Counts beyond ``valid`` are the caller's
    error (the scenario loader refuses them): an IndexError, never a silent cap."""
    marks: list[list[voting_pb2.Mark]] = [[] for _ in range(valid)]
    if kind == "trust":
        for pid, (yes, no) in tally.items():
            for i in range(yes + no):
                marks[i].append(voting_pb2.Mark(person_id=pid,
                                                choice="for" if i < yes else "against"))
    else:
        pointer = 0
        for pid, (fors, against) in sorted(tally.items(), key=lambda kv: -kv[1][0]):
            for _ in range(fors):
                marks[pointer % valid].append(voting_pb2.Mark(person_id=pid, choice="for"))
                pointer += 1
            taken = {i for i, m in enumerate(marks) if any(x.person_id == pid for x in m)}
            free = [i for i in range(valid) if i not in taken]
            for i in free[:against]:
                marks[i].append(voting_pb2.Mark(person_id=pid, choice="against"))
    too_many = [voting_pb2.Mark(person_id=pid, choice="for") for pid in candidates]
    too_many.append(voting_pb2.Mark(choice="for", write_in="另选他人"))
    bare_write_in = [voting_pb2.Mark(person_id=candidates[0], choice="for", write_in="另选他人")]
    return marks + [too_many if i % 2 == 0 or kind in ("recommendation", "trust")
                    else bare_write_in for i in range(spoilt)]


async def cast_electronic(voting: Any, actor: common_pb2.Actor, rnd: voting_pb2.Round,
                          voters: list[str], returned: int, invalid: int,
                          tally: dict[str, tuple[int, int]], issue_key: str,
                          open_key: str) -> int:
    """Issue the round's codes to ``voters`` (the hall's first phase), open casting, and cast
    ``returned`` ballots adding up to ``tally``; the number cast by this call.

    Every step may have been done before by a player that stopped (a power cut): the batch is
    issued under ``issue_key``, and a retry with that key hands back the same codes in the
    same order (the voting service keeps them sealed under it), so the ballot meant for each
    code is the same too; casting opens under ``open_key``; and a code already cast is
    refused as used (ALREADY_EXISTS), which here means that ballot is in the box: skipped,
    never cast twice."""
    res = await voting.IssueBallots(voting_pb2.IssueBallotsRequest(
        idempotency_key=issue_key, actor=actor, round_id=rnd.round_id, person_ids=voters))
    # the hall's two phases: every ballot issued, then casting opens
    await voting.OpenCasting(voting_pb2.RoundActionRequest(
        idempotency_key=open_key, actor=actor, round_id=rnd.round_id))
    codes = list(res.codes)[:returned]
    valid = len(codes) - invalid
    over = [pid for pid, (f, a) in tally.items() if f + a > valid]
    if valid < 0 or over:  # the loader refuses such counts; nothing is capped here
        raise ValueError(f"round {rnd.round_id}: {invalid} invalid of {len(codes)} returned,"
                         f" marks beyond the {valid} valid ballots for {over}")
    ballots = electronic_ballots(rnd.kind, [c.person_id for c in rnd.candidates], valid,
                                 len(codes) - valid, tally)
    cast = 0
    for code, ballot in zip(codes, ballots, strict=True):
        try:
            await voting.CastBallot(voting_pb2.CastBallotRequest(round_id=rnd.round_id,
                                                                 code=code, marks=ballot))
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise
            continue  # cast before the player stopped
        cast += 1
    return cast
