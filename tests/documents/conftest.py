"""Facts of a made-up election for the documents' unit tests (the end-to-end test reads a real
one from the stack)."""

from __future__ import annotations

import itertools

import pytest

from documents.facts import (
    Approval,
    AuditRecord,
    AuditSegment,
    Candidate,
    ElectionFacts,
    Meeting,
    Notice,
    PostPlan,
    Round,
    Stage,
    TallyLine,
    WriteIn,
)
from rules.strokes import stroke_sorted

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


def names(n: int) -> list[str]:
    """``n`` different three-character names, none inside another, in stroke order (M12)."""
    pool = (s + a + b for s, a, b in itertools.product(SURNAMES, GIVEN, GIVEN) if a != b)
    return stroke_sorted(itertools.islice(pool, n))


def candidates(n: int) -> tuple[Candidate, ...]:
    return tuple(Candidate(f"p{i:03d}", name) for i, name in enumerate(names(n)))


def counted_round(round_id: str, post: str, kind: str, number: int, seats: int,
                  cands: tuple[Candidate, ...], present: int, official: bool = False) -> Round:
    tally = tuple(TallyLine(c.person_id, c.name, max(0, present - 10 - 3 * i), 3 + i, 2 + i)
                  for i, c in enumerate(cands))
    return Round(round_id, post, kind, number, seats, cands, status="counted", issued=present,
                 returned=present, valid=present - 2, invalid=2, tally=tally,
                 elected=tuple(c.person_id for c in cands[:seats]), rules=("M3", "M5", "M6"),
                 ballot_box_digest="sha256:" + "ab" * 32,
                 write_ins=(WriteIn("欧阳明", 1),) if kind == "regular" else (),
                 source="paper", official=official)


def election(official: bool = False, n_candidates: int = 2) -> ElectionFacts:
    sec = candidates(n_candidates)
    dep = tuple(Candidate(f"d{i}", n) for i, n in enumerate(["吴一", "郑二"]))
    mem = tuple(Candidate(f"m{i}", n) for i, n in enumerate(stroke_sorted(["卫六", "蒋七", "沈八", "韩九"])))
    rec = Meeting("mt-rec", "recommendation", 1, "closed", 118, 112, 95, True, "M1", (
        counted_round("rd-rec-s", "secretary", "recommendation", 1, 1, sec, 112, official),
        counted_round("rd-trust-s", "secretary", "trust", 2, len(sec), sec, 207, official)))
    com = Meeting("mt-com", "committee", 1, "closed", 9, 8, 0, True, "M11", (
        counted_round("rd-com-s", "secretary", "regular", 1, 2, sec, 8, official),))
    con = Meeting("mt-con", "congress", 1, "closed", 118, 110, 0, True, "M1", (
        counted_round("rd-con-s", "secretary", "regular", 1, 1, sec, 110, official),
        counted_round("rd-con-d", "deputy_secretary", "regular", 2, 1, dep, 110, official),
        counted_round("rd-con-m", "member", "regular", 3, 3, mem, 110, official)))
    records = tuple(AuditRecord("nomination", i + 1, "stage.advanced", '{"stage": "x"}',
                                "system", "community:xw-001", f"h{i}", f"h{i + 1}",
                                f"2026-03-{10 + i:02d}T08:00:00+00:00") for i in range(3))
    return ElectionFacts(
        election_id="el-1", community_id="xw-001", community_name="梅园新村社区",
        org_type="general_branch", street_id="st-meiyuan", district_id="xw",
        profile="nanjing", created_at="2026-03-01T08:00:00+00:00", full_members=120,
        posts=(PostPlan("secretary", 1, 4, 3, 2), PostPlan("deputy_secretary", 1, 4, 3, 2),
               PostPlan("member", 3, 6, 5, 4)),
        funnel=(Stage("secretary", "shortlisted", tuple(c.name for c in sec)),
                Stage("secretary", "candidate", tuple(c.name for c in sec[:2]))),
        registrants=19, qualified=16, meetings=(rec, com, con),
        notices=(Notice("candidates", "梅园新村社区候选人公示", "经差额票决，现将候选人公示如下。",
                        tuple(c.name for c in sec), 5, "2026-03-10T08:00:00+00:00",
                        "2026-03-15T08:00:00+00:00"),),
        approvals=(Approval("secretary", sec[0].person_id, sec[0].name, "approval", "approved"),),
        audit=(AuditSegment("nomination", 3, "sha256:" + "cd" * 32, True),),
        audit_records=records, chain_head="sha256:" + "ef" * 32,
        notice_board_url="http://127.0.0.1:8000/api/v1/notices")


@pytest.fixture
def facts() -> ElectionFacts:
    return election()
