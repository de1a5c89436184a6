"""The electronic ballots a scenario's tally stands for: one ballot per voter, adding up to the
same counts, so the voting service counts what the paper tally would have said."""

from __future__ import annotations

from proto import voting_pb2


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
