"""The audit bundle on the real stack: a finished electronic election exported, verified
offline and recounted (exit 0); a line deleted from any ``.jsonl`` file, or one mark flipped,
gives a non-zero exit naming what broke; a ballot's marks edited in the database before its
round closes are caught by the recount; ``audit keys`` and the online verify with the signed
heads (also held to an earlier bundle's heads after records are cut with their head)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from gongtui.cli import app
from gongtui.runner import play_scenario
from gongtui.simulate.scenario import load
from gongtui.stack import EmbeddedStack
from proto import (
    approval_pb2_grpc,
    common_pb2,
    nomination_pb2,
    nomination_pb2_grpc,
    voting_pb2,
    voting_pb2_grpc,
)
from services.common.anchors import signed_heads
from services.common.clients import open_channel
from tests.conftest import service_probe

pytestmark = pytest.mark.stack
SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "m3-m4-electronic-invalid.yaml"
SYSTEM = common_pb2.Actor(role="system", scope="", name="test")
runner = CliRunner()


async def gongtui(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process against the stack (the online commands run their own
    event loop)."""
    return await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "gongtui.cli", *args],
                                   env=env, capture_output=True, text=True, timeout=120)


def offline(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
async def bundle(stack: EmbeddedStack, stack_env: dict[str, str],
                 tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The scenario played with electronic ballots and its bundle exported."""
    out = await play_scenario(load(SCENARIO), stack.settings, ballots="electronic")
    assert out["status"] == "completed", out
    folder = tmp_path_factory.mktemp("bundle") / "b"
    done = await gongtui(stack_env, "audit", "export", out["election_id"], "--out", str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    return out["election_id"], folder


async def test_a_finished_election_exports_verifies_and_recounts(
        bundle: tuple[str, Path], stack_env: dict[str, str]) -> None:
    election_id, folder = bundle
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["election_id"] == election_id
    assert [h["service"] for h in manifest["heads"]] == ["nomination", "voting", "approval"]
    assert set(manifest["public_keys"]) == {"nomination", "voting", "approval"}
    # the heads the four notices published, three a notice, and the results notice's digests
    assert [h["service"] for h in manifest["published"]] == [
        "nomination", "voting", "approval"] * 4
    voting = [json.loads(line) for line in
              (folder / "voting.audit.jsonl").read_text(encoding="utf-8").splitlines()]
    counted = {json.loads(r["payload_json"])["round_id"]: json.loads(r["payload_json"])
               for r in voting if r["kind"] == "round.counted"}
    assert {d["round_id"]: d["digest"] for d in manifest["published_digests"]} == {
        rid: p["ballot_box_digest"] for rid, p in counted.items()}
    # casting opened on the record in every electronic round, with the count issued (and who
    # opened it: the acting token, never a voter)
    opened = {p["round_id"]: p for p in (json.loads(r["payload_json"]) for r in voting
                                         if r["kind"] == "casting.opened")}
    for p in opened.values():
        assert set(p.pop("acted_by", {})) <= {"token_id", "holder"}, p
    assert opened == {rid: {"round_id": rid, "issued": p["issued"]}
                      for rid, p in counted.items() if p["source"] == "electronic"}
    ballots = [json.loads(line) for line in
               (folder / "ballots.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(ballots) > 100 and set(ballots[0]) == {"round", "receipt", "salt", "marks"}
    assert [b["receipt"] for b in ballots] == sorted(b["receipt"] for b in ballots)
    code, text = offline("audit", "verify", "--bundle", str(folder))
    assert code == 0, text
    code, text = offline("recount", str(folder))
    assert code == 0, text
    assert "DIFFERS" not in text and "all agree" in text
    online = await gongtui(stack_env, "audit", "verify", election_id, "--heads",
                           str(folder / "manifest.json"))
    assert online.returncode == 0, online.stdout + online.stderr
    assert online.stdout.count("signed head holds") == 3
    assert online.stdout.count(", 4 published heads hold") == 3
    keys = await gongtui(stack_env, "audit", "keys")
    assert keys.returncode == 0, keys.stderr
    assert [line.split()[0] for line in keys.stdout.splitlines()] == [
        "nomination", "voting", "approval"]
    assert manifest["public_keys"]["voting"]["public_key"] in keys.stdout


@pytest.mark.parametrize("name", ["nomination.audit.jsonl", "voting.audit.jsonl",
                                  "approval.audit.jsonl", "ballots.jsonl"])
def test_the_last_line_deleted_from_a_file_is_named(bundle: tuple[str, Path], tmp_path: Path,
                                                    name: str) -> None:
    folder = tmp_path / "b"
    shutil.copytree(bundle[1], folder)
    lines = (folder / name).read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines, f"{name} is empty in this election"
    (folder / name).write_text("".join(lines[:-1]), encoding="utf-8")
    code, text = offline("audit", "verify", "--bundle", str(folder))
    assert code == 1, text
    assert f"first broken record: {name}" in text
    if name.endswith(".audit.jsonl"):
        assert f"record {len(lines)}" in text
    code, text = offline("recount", str(folder))
    assert code == 1, text
    assert f"BROKEN {name}" in text


def test_one_flipped_mark_is_named(bundle: tuple[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "b"
    shutil.copytree(bundle[1], folder)
    lines = (folder / "ballots.jsonl").read_text(encoding="utf-8").splitlines()
    n, ballot = next((i, json.loads(line)) for i, line in enumerate(lines)
                     if any(m["choice"] == "for" for m in json.loads(line)["marks"]))
    mark = next(m for m in ballot["marks"] if m["choice"] == "for")
    mark["choice"] = "against"
    lines[n] = json.dumps(ballot, ensure_ascii=False, sort_keys=True)
    (folder / "ballots.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, text = offline("audit", "verify", "--bundle", str(folder))
    assert code == 1, text
    assert f"ballots.jsonl line {n + 1}: round {ballot['round']}: receipt" in text
    code, text = offline("recount", str(folder))
    assert code == 1, text
    assert f"round {ballot['round']}" in text and "does not match" in text


async def test_marks_edited_before_the_close_are_caught_by_the_recount(
        stack: EmbeddedStack, stack_env: dict[str, str], tmp_path: Path) -> None:
    eid = f"audit-edit-{uuid.uuid4().hex[:8]}"
    people = [("p1", "王建国"), ("p2", "李秀英"), ("p3", "张伟"), ("p4", "刘洋"), ("p5", "陈静")]
    channel, nomination_channel, approval_channel = (
        open_channel(stack.settings.service_address(s), stack.settings_of("worker"), s)
        for s in ("voting", "nomination", "approval"))
    voting = voting_pb2_grpc.VotingStub(channel)
    try:
        meeting = await voting.OpenMeeting(voting_pb2.OpenMeetingRequest(
            idempotency_key=f"open/{eid}", actor=SYSTEM, election_id=eid, kind="congress",
            session=1, profile="nanjing", electorate=[
                voting_pb2.Elector(person_id=p, name=n, expected=True, **{"class": "member"})
                for p, n in people]))
        await voting.CheckIn(voting_pb2.CheckInRequest(
            idempotency_key=f"in/{eid}", actor=SYSTEM, meeting_id=meeting.meeting_id,
            person_ids=[p for p, _ in people]))
        await voting.ConfirmAttendance(voting_pb2.MeetingActionRequest(
            idempotency_key=f"confirm/{eid}", actor=SYSTEM, meeting_id=meeting.meeting_id))
        rnd = await voting.OpenRound(voting_pb2.OpenRoundRequest(
            idempotency_key=f"round/{eid}", actor=SYSTEM, meeting_id=meeting.meeting_id,
            post="secretary", kind="regular", seats=1, candidates=[
                voting_pb2.Candidate(person_id="p1", name="王建国"),
                voting_pb2.Candidate(person_id="p2", name="李秀英")]))
        issued = await voting.IssueBallots(voting_pb2.IssueBallotsRequest(
            idempotency_key=f"issue/{eid}", actor=SYSTEM, round_id=rnd.round_id,
            person_ids=[p for p, _ in people]))
        await voting.OpenCasting(voting_pb2.RoundActionRequest(
            idempotency_key=f"casting/{eid}", actor=SYSTEM, round_id=rnd.round_id))
        for code, choice in zip(issued.codes, ["p1", "p1", "p2", "p2", "p2"], strict=True):
            await voting.CastBallot(voting_pb2.CastBallotRequest(
                round_id=rnd.round_id, code=code,
                marks=[voting_pb2.Mark(person_id=choice, choice="for")]))
        with pytest.raises(Exception) as early:  # the ballots are given only once counted
            await voting.ListRoundBallots(voting_pb2.GetRoundRequest(round_id=rnd.round_id))
        assert "only once it is counted" in str(early.value)
        # an insider turns one vote for p2 into a vote for p1 while the round is open
        probe = service_probe(stack.settings, "voting")
        (ballot_id,) = probe.rows("SELECT ballot_id FROM ballots WHERE round_id = ? AND"
                                  " marks_json LIKE ?", rnd.round_id, '%"p2"%')[0]
        probe.execute("UPDATE ballots SET marks_json = ? WHERE ballot_id = ?",
                      '[{"choice":"for","person_id":"p1","write_in":""}]', ballot_id)
        counted = await voting.CloseRound(voting_pb2.RoundActionRequest(
            idempotency_key=f"close/{eid}", actor=SYSTEM, round_id=rnd.round_id))
        assert list(counted.elected) == ["p1"]  # the edit changed the outcome
        # the chain and its head still verify: only the recount sees it
        report = await voting.VerifyAudit(common_pb2.AuditRequest(election_id=eid))
        assert report.verified
        # a results notice publishes every service's signed head (as the workflow does)
        nomination = nomination_pb2_grpc.NominationStub(nomination_channel)
        await nomination.CreateElection(nomination_pb2.CreateElectionRequest(
            idempotency_key=f"create/{eid}", actor=SYSTEM, election=nomination_pb2.Election(
                election_id=eid, community_id="c-edit", community_name="测试社区",
                org_type="branch", street_id="s-edit", district_id="d-edit")))
        published = await signed_heads(SimpleNamespace(
            nomination=nomination, voting=voting,
            approval=approval_pb2_grpc.ApprovalStub(approval_channel)), eid)
        await nomination.PublishNotice(nomination_pb2.PublishNoticeRequest(
            idempotency_key=f"results/{eid}", actor=SYSTEM, election_id=eid, kind="results",
            heads=published))
    finally:
        for c in (channel, nomination_channel, approval_channel):
            await c.close()
    folder = tmp_path / "b"
    done = await gongtui(stack_env, "audit", "export", eid, "--out", str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    code, text = offline("recount", str(folder))
    assert code == 1, text
    assert f"round {rnd.round_id}: receipt" in text and "does not match" in text

    online = await gongtui(stack_env, "audit", "verify", eid)
    assert online.returncode == 0, online.stdout + online.stderr
    assert online.stdout.count(", 1 published heads hold") == 3
    # a published head whose signature no longer checks is named
    notices = service_probe(stack.settings, "nomination")
    ((heads_json,),) = notices.rows("SELECT heads_json FROM notices WHERE election_id = ?", eid)
    forged = json.loads(heads_json)
    forged[1]["seq"] += 1  # the voting head, its statement no longer the one signed
    notices.execute("UPDATE notices SET heads_json = ? WHERE election_id = ?",
                    json.dumps(forged), eid)
    bad = await gongtui(stack_env, "audit", "verify", eid)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "voting: the head's signature does not verify" in bad.stdout
    notices.execute("UPDATE notices SET heads_json = ? WHERE election_id = ?", heads_json, eid)

    # then the chain is cut after seq 2: with its head, the service itself sees it; with the
    # head rewritten to match, the heads signed before (the notice's, the bundle's) show it
    probe.execute("DELETE FROM audit_records WHERE election_id = ? AND seq > 2", eid)
    probe.execute("DELETE FROM audit_heads WHERE election_id = ?", eid)
    cut = await gongtui(stack_env, "audit", "verify", eid)
    assert cut.returncode == 1, cut.stdout + cut.stderr
    assert "first broken record: voting seq 3" in cut.stdout
    ((head,),) = probe.rows("SELECT hash FROM audit_records WHERE election_id = ? AND"
                            " seq = 2", eid)
    probe.execute("INSERT INTO audit_heads (election_id, seq, hash) VALUES (?, ?, ?)",
                  eid, 2, head)
    cut = await gongtui(stack_env, "audit", "verify", eid)  # the published head is past the cut
    assert cut.returncode == 1, cut.stdout + cut.stderr
    assert "first broken record: voting seq 3" in cut.stdout
    assert "record 3 is missing" in cut.stdout
    held = await gongtui(stack_env, "audit", "verify", eid, "--heads",
                         str(folder / "manifest.json"))
    assert held.returncode == 1, held.stdout + held.stderr
    assert "first broken record: voting seq 3" in held.stdout
    assert "record 3 is missing" in held.stdout


def test_a_published_count_that_differs_from_the_ballots_is_named(
        bundle: tuple[str, Path], tmp_path: Path) -> None:
    """A voting service that published a wrong count, its chain and head consistent and
    signed (the forger holds a key): the heads published on the notices do not hold it; with
    those dropped too the bundle verifies, and the recount names the round."""
    from services.common.anchors import head_to_dict, key_to_dict
    from services.common.signing import HeadSigner
    from services.common.store import record_hash

    election_id, source = bundle
    folder = tmp_path / "b"
    shutil.copytree(source, folder)
    path = folder / "voting.audit.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    at = next(i for i, r in enumerate(records) if r["kind"] == "round.counted"
              and json.loads(r["payload_json"])["source"] == "electronic")
    payload = json.loads(records[at]["payload_json"])
    line = payload["tally"][0]
    line["votes_for"] += 1
    records[at]["payload_json"] = json.dumps(payload, ensure_ascii=False, sort_keys=True,
                                             separators=(",", ":"))
    prev = records[at - 1]["hash"] if at else ""
    for r in records[at:]:
        r["prev_hash"] = prev
        r["hash"] = prev = record_hash(prev, election_id, r["seq"], r["kind"], r["payload_json"],
                                       r["actor_role"], r["actor_scope"], r["created_at"])
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    forger = HeadSigner.load_or_create("voting", tmp_path / "forged.pem")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["heads"] = [h if h["service"] != "voting" else head_to_dict(
        forger.sign(election_id, len(records), prev)) for h in manifest["heads"]]
    manifest["public_keys"]["voting"] = key_to_dict(forger.public())
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    # the heads the notices published (under the real key) do not hold the forged chain
    code, text = offline("audit", "verify", "--bundle", str(folder))
    assert code == 1 and "first broken record: voting.audit.jsonl" in text, text
    # a forger who also drops them from the manifest: the chains verify, the count does not
    manifest["published"] = [h for h in manifest["published"] if h["service"] != "voting"]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    code, text = offline("audit", "verify", "--bundle", str(folder))
    assert code == 0, text
    code, text = offline("recount", str(folder))
    assert code == 1, text
    assert (f"round {payload['round_id']} (electronic) DIFFERS: votes of {line['person_id']}:"
            f" published") in text
    assert f"recounted {{'votes_for': {line['votes_for'] - 1}," in text
