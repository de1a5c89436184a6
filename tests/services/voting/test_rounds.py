"""Rounds and paper tallies: the tally checked field by field (M3), entered once, re-entered
whole, write-ins matched; the ballot order by strokes (M12)."""

from __future__ import annotations

import grpc

import rules
from proto import voting_pb2 as pb
from tests.services.voting.support import (
    Service,
    audit,
    close,
    congress,
    key,
    line,
    open_round,
    refused,
    tally,
    trailer,
)


async def test_tally_validation_names_field_and_rule(svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    err = await refused(tally(svc, rnd.round_id, 10, 10, 2, [line("c-wang", 5, 3, 1)]),
                        grpc.StatusCode.INVALID_ARGUMENT)
    assert (trailer(err, "field"), trailer(err, "rule")) == ("lines[0]", "M3")
    err = await refused(tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 5), line("ghost", 1)]),
                        grpc.StatusCode.INVALID_ARGUMENT)
    assert trailer(err, "field") == "lines[1].person_id"
    err = await refused(tally(svc, rnd.round_id, 10, 5, 6, []), grpc.StatusCode.INVALID_ARGUMENT)
    assert trailer(err, "field") == "invalid"
    assert svc.count("SELECT count(*) FROM tallies") == 0


async def test_enter_tally_idempotent_and_reentry_replaces(svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    idem = key()
    first = await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 7)], idem=idem,
                        confirm=False)
    again = await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 7)], idem=idem,
                        confirm=False)
    assert first == again
    assert svc.count("SELECT count(*) FROM tallies") == 1
    assert sum(r.kind == "tally.entered" for r in await audit(svc)) == 1
    # the same key for a different request is refused
    err = await refused(tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 8)], idem=idem,
                              confirm=False), grpc.StatusCode.ALREADY_EXISTS)
    assert trailer(err, "field") == "idempotency_key"
    # a corrected tally under a new key replaces the first
    await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 4), line("c-zhao", 6)])
    assert svc.count("SELECT count(*) FROM tallies") == 1
    counted = await close(svc, rnd.round_id)
    assert list(counted.elected) == ["c-zhao"]
    assert [t.person_id for t in counted.tally] == ["c-zhao", "c-wang"]  # by votes


async def test_write_ins_are_matched_after_normalization(svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    entered = await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 6, 4)], write_ins=[
        pb.WriteIn(name="李四", votes=2), pb.WriteIn(name="\u200b李四", votes=1),
        pb.WriteIn(name="李四\u3000", votes=1), pb.WriteIn(name="Ｌｉ  Si", votes=1)])
    assert [(w.name, w.votes) for w in entered.write_ins] == [("Li Si", 1), ("李四", 4)]
    err = await refused(tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 6)],
                              write_ins=[pb.WriteIn(name="\u200b\u200d", votes=1)]),
                        grpc.StatusCode.INVALID_ARGUMENT)
    assert trailer(err, "field") == "write_ins[0].name"


def test_rules_api_is_the_one_the_service_calls() -> None:
    assert rules.stroke_key("丁一") < rules.stroke_key("王建国") < rules.stroke_key("赵磊")
