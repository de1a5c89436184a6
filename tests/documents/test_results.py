"""Result reports, tally sheets, minutes, notices and the archive from made-up facts."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

from documents import archive, minutes, notices, results, tally
from documents.facts import ElectionFacts
from tests.documents import pdfcheck
from tests.documents.conftest import election


def _congress(facts: ElectionFacts):  # type: ignore[no-untyped-def]
    return facts.meetings_of("congress")[0]


def test_result_report_counts_elected_signatures_and_digest() -> None:
    facts = election()
    meeting = _congress(facts)
    rnd = meeting.rounds[0]
    text = pdfcheck.text(results.round_report_pdf(facts, meeting, rnd))
    assert "应到 实到 发出 收回 有效 无效" in text
    assert f"{meeting.expected} {meeting.present_members} {rnd.issued} {rnd.returned} " \
           f"{rnd.valid} {rnd.invalid}" in text
    for line in rnd.tally:
        assert f"{line.name} {line.votes_for} {line.votes_against} {line.votes_abstain}" in text
    flat = "".join(text.split())
    assert f"当选：{'、'.join(rnd.elected_names())}" in flat
    for signer in ("总监票人", "监票人", "计票人"):
        assert f"{signer}（签名）" in flat
    assert rnd.ballot_box_digest in flat and facts.chain_head in flat
    assert "欧阳明" in flat  # the write-in


def test_draft_until_official() -> None:
    draft = election(official=False)
    final = election(official=True)
    m_draft, m_final = _congress(draft), _congress(final)
    before = pdfcheck.compact(results.round_report_pdf(draft, m_draft, m_draft.rounds[0]))
    after = pdfcheck.compact(results.round_report_pdf(final, m_final, m_final.rounds[0]))
    assert "草稿（未正式）" in before
    assert "草稿" not in after and "未正式" not in after
    assert "草稿（未正式）" in pdfcheck.compact(results.meeting_report_pdf(draft, m_draft))
    assert "草稿" not in pdfcheck.compact(results.meeting_report_pdf(final, m_final))


def test_tally_sheet_blank_before_the_count_filled_after() -> None:
    facts = election()
    meeting = _congress(facts)
    counted = meeting.rounds[0]
    open_round = replace(counted, status="open")
    filled = pdfcheck.text(tally.tally_pdf(facts, meeting, counted))
    blank = pdfcheck.text(tally.tally_pdf(facts, meeting, open_round))
    first = counted.tally[0]
    assert f"{first.votes_for} {first.votes_against} {first.votes_abstain}" in filled
    assert str(first.votes_for) not in blank.split(first.name, 1)[1].split("\n", 1)[0]
    for c in counted.candidates:
        assert c.name in blank


def test_minutes_of_each_meeting() -> None:
    facts = election()
    for meeting in facts.meetings:
        text = pdfcheck.compact(minutes.minutes_pdf(facts, meeting))
        assert f"应到{meeting.expected}" in text and f"实到（有表决权）{meeting.present_members}" in text
        assert "主持人" in text and "记录人" in text
        for rnd in meeting.rounds:
            assert f"发出{rnd.issued}张" in text


def test_notice_period_objection_and_qr() -> None:
    facts = election()
    notice = facts.notices[0]
    pdf = notices.notice_pdf(facts, notice)
    text = pdfcheck.compact(pdf)
    assert "公示期：2026年3月10日至2026年3月15日" in text
    assert "异议" in text and "O2" in text
    for name in notice.names:
        assert name in text
    assert notices.board_url(facts) in text


def test_a_results_notice_shows_the_signed_heads_and_the_digests() -> None:
    from dataclasses import replace

    from documents.facts import NoticeDigest, NoticeHead

    facts = election()
    heads = tuple(NoticeHead(s, n, "sha256:" + c * 32 if c else "", "sha256:" + k * 32)
                  for s, n, c, k in (
        ("nomination", 41, "a1", "0f"), ("voting", 233, "b2", "1e"), ("approval", 0, "", "2d")))
    notice = replace(facts.notices[0], kind="results", heads=heads,
                     digests=(NoticeDigest("secretary", 1, "sha256:" + "c3" * 32),))
    text = pdfcheck.compact(notices.notice_pdf(facts, notice))
    assert "提名服务第41条sha256:a1a1a1a1a1a1·signedbynominationkeysha256:0f0f0f0f0f0f" in text
    assert "投票服务第233条sha256:b2b2b2b2b2b2" in text
    assert "审批服务第0条—·signedbyapprovalkeysha256:2d2d2d2d2d2d" in text  # an empty chain
    assert "书记第1轮sha256:c3c3c3c3c3c3" in text
    assert "审计链头" not in pdfcheck.compact(notices.notice_pdf(facts, facts.notices[0]))


def test_archive_in_step_order_with_bookmarks_and_zip() -> None:
    facts = election()
    items = archive.plan(facts)
    assert [i.step for i in items] == sorted(i.step for i in items)
    pdf = archive.archive_pdf(facts, items)
    marks = pdfcheck.bookmarks(pdf)
    assert [t for level, t in marks if level == 0] == [
        "第四步 公推与信任投票", "第六步 差额票决", "第七步 差额选举", "第八步 报批备案"]
    assert sum(1 for level, _ in marks if level == 1) == len(items)
    assert pdf == archive.archive_pdf(facts, items)  # same facts, same bytes
    data = archive.archive_zip(facts, pdf)
    assert data == archive.archive_zip(facts, pdf)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("archive.pdf") == pdf
        records = z.read("audit/nomination.jsonl").decode().splitlines()
        assert [json.loads(r)["seq"] for r in records] == [1, 2, 3]
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["chain_head"] == facts.chain_head
    assert not pdfcheck.missing_glyphs(pdf)


def test_characters_beyond_gb2312_use_the_full_font() -> None:
    facts = election()
    meeting = _congress(facts)
    rnd = meeting.rounds[0]
    rare = replace(rnd, candidates=(replace(rnd.candidates[0], name="王堃喆"),)
                   + rnd.candidates[1:], tally=(replace(rnd.tally[0], name="王堃喆"),)
                   + rnd.tally[1:])
    facts_rare = replace(facts, meetings=(replace(meeting, rounds=(rare,)),))
    pdf = results.round_report_pdf(facts_rare, facts_rare.meetings[0], rare)
    assert "王堃喆" in pdfcheck.compact(pdf)  # 堃 and 喆 are outside GB 2312
    assert not pdfcheck.missing_glyphs(pdf)


def test_the_smallest_cut_of_the_font_that_holds_the_facts() -> None:
    from documents import fonts
    from documents.pdf import Doc

    facts = election()
    assert Doc("t", facts.date, facts).cut == "gb2312-1"
    second = sorted(fonts.repertoire("gb2312") - fonts.repertoire("gb2312-1"))
    level2 = chr(next(c for c in second if 0x4E00 <= c <= 0x9FFF))
    assert Doc("t", facts.date, replace(facts, community_name=f"{level2}园社区")).cut == "gb2312"
    assert Doc("t", facts.date, replace(facts, community_name="堃园社区")).cut == "full"
    pdf = results.meeting_report_pdf(replace(facts, community_name=f"{level2}园社区"),
                                     _congress(facts))
    assert f"{level2}园社区" in pdfcheck.compact(pdf) and not pdfcheck.missing_glyphs(pdf)


def test_the_report_names_the_four_eyes_and_the_codes_void() -> None:
    facts = election()
    meeting = _congress(facts)
    paper = replace(meeting.rounds[0], source="paper", tally_entered_by="李会计",
                    tally_confirmed_by="王监票")
    flat = pdfcheck.compact(results.round_report_pdf(facts, meeting, paper))
    assert "计票录入：李会计；总监票人确认：王监票" in flat
    electronic = replace(meeting.rounds[0], source="electronic", issued=90, codes_cast=88,
                         codes_void=2)
    flat = pdfcheck.compact(results.round_report_pdf(facts, meeting, electronic))
    assert "投票码：发出90，已投88，未用并于计票时作废2" in flat
