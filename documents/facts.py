"""The facts of one election that its papers print: frozen, ordered, nothing computed here.

Every document is a pure function of these facts, so the same facts give the same bytes.
A meeting's details (who presided, its place and time) stay empty until the voting service
records them (SetMeetingDetails) and print as a blank line to fill in by hand until then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core.vocabulary import MEETING_ZH, NOTICE_ZH, ORG_ZH, POST_ZH, POSTS, ROUND_ZH

__all__ = ["MEETING_ZH", "NOTICE_ZH", "ORG_ZH", "ROUND_ZH"]  # the documents' vocabulary


def post_zh(post: str) -> str:
    return POST_ZH.get(post, post)


@dataclass(frozen=True)
class Candidate:
    person_id: str
    name: str


@dataclass(frozen=True)
class TallyLine:
    person_id: str
    name: str
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0


@dataclass(frozen=True)
class WriteIn:
    name: str
    votes: int


@dataclass(frozen=True)
class Round:
    """One round of one meeting; ``candidates`` in ballot order (M12)."""

    round_id: str
    post: str
    kind: str  # recommendation | trust | regular | repeat | tie | additional
    number: int
    seats: int
    candidates: tuple[Candidate, ...]
    status: str = "open"  # open | counted
    issued: int = 0
    returned: int = 0
    valid: int = 0
    invalid: int = 0
    void: bool = False
    tally: tuple[TallyLine, ...] = ()
    elected: tuple[str, ...] = ()  # person_ids
    tied: tuple[str, ...] = ()
    unfilled: int = 0
    rules: tuple[str, ...] = ()
    ballot_box_digest: str = ""
    write_ins: tuple[WriteIn, ...] = ()
    source: str = ""  # paper | electronic
    official: bool = False  # office and supervisor marked the results official
    # paper: who entered the tally and the supervisor who confirmed it (four eyes, M12)
    tally_entered_by: str = ""
    tally_confirmed_by: str = ""
    # electronic: codes cast, and the unused codes made void at the close
    codes_cast: int = 0
    codes_void: int = 0

    @property
    def counted(self) -> bool:
        return self.status == "counted"

    def name_of(self, person_id: str) -> str:
        for c in self.candidates:
            if c.person_id == person_id:
                return c.name
        for t in self.tally:
            if t.person_id == person_id:
                return t.name
        return person_id

    def elected_names(self) -> tuple[str, ...]:
        return tuple(self.name_of(p) for p in self.elected)


@dataclass(frozen=True)
class Meeting:
    meeting_id: str
    kind: str  # recommendation | committee | congress | plenary
    session: int
    status: str
    expected: int  # 应到 (E2) or the committee's membership
    present_members: int  # 实到
    present_others: int = 0  # trust-ballot attendees of the recommendation meeting
    quorum_met: bool = False
    quorum_rule: str = ""
    rounds: tuple[Round, ...] = ()
    # recorded at the voting service (SetMeetingDetails); a blank to fill in until then
    presided_by: str = ""
    recorded_by: str = ""
    place: str = ""
    held_at: str = ""  # ISO 8601 local date and time


@dataclass(frozen=True)
class PostPlan:
    post: str
    seats: int
    shortlist: int = 0
    inspected: int = 0
    candidates: int = 0


@dataclass(frozen=True)
class Stage:
    """The people of one post at one stage of the funnel, in the order decided."""

    post: str
    stage: str  # registered | qualified | shortlisted | inspected | candidate | elected
    names: tuple[str, ...]


@dataclass(frozen=True)
class NoticeHead:
    """A service's chain head signed when the notice was published (docs/audit.md)."""

    service: str
    seq: int
    head: str
    fingerprint: str  # of the service's public key, as ``gongtui audit keys`` prints it


@dataclass(frozen=True)
class NoticeDigest:
    post: str
    number: int
    digest: str


@dataclass(frozen=True)
class Notice:
    kind: str
    title: str
    body: str
    names: tuple[str, ...]
    days: int
    published_at: str  # ISO 8601
    closed_at: str = ""
    heads: tuple[NoticeHead, ...] = ()
    digests: tuple[NoticeDigest, ...] = ()


@dataclass(frozen=True)
class Approval:
    post: str
    person_id: str
    name: str
    kind: str  # approval | filing
    status: str
    committee_id: str = ""
    reason: str = ""
    attempt: int = 1
    requested_at: str = ""
    decided_at: str = ""


@dataclass(frozen=True)
class AuditSegment:
    service: str
    records: int
    head: str
    verified: bool


@dataclass(frozen=True)
class AuditRecord:
    service: str
    seq: int
    kind: str
    payload_json: str
    actor_role: str
    actor_scope: str
    prev_hash: str
    hash: str
    created_at: str


@dataclass(frozen=True)
class ElectionFacts:
    election_id: str
    community_id: str
    community_name: str
    org_type: str = "general_branch"
    street_id: str = ""
    district_id: str = ""
    profile: str = ""
    created_at: str = ""  # ISO 8601
    full_members: int = 0
    posts: tuple[PostPlan, ...] = ()
    funnel: tuple[Stage, ...] = ()
    registrants: int = 0
    qualified: int = 0
    meetings: tuple[Meeting, ...] = ()
    notices: tuple[Notice, ...] = ()
    approvals: tuple[Approval, ...] = ()
    audit: tuple[AuditSegment, ...] = ()
    audit_records: tuple[AuditRecord, ...] = ()
    chain_head: str = ""  # sha256 over the services' heads, as the scenario output reports it
    notice_board_url: str = ""
    street_name: str = ""  # the API's registry holds it; its id stands in without one
    term_years: int = 0  # the profile's term of office (P6); 0: not known

    @property
    def organization(self) -> str:
        """中共梅园新村社区总支部委员会."""
        return f"中共{self.community_name}{ORG_ZH.get(self.org_type, '委员会')}"

    @property
    def short_org(self) -> str:
        return f"{self.community_name}党{ORG_ZH.get(self.org_type, '委员会').replace('委员会', '')}"

    @property
    def higher_committee(self) -> str:
        return f"中共{self.street_name or self.street_id or '街道'}工作委员会"

    @property
    def date(self) -> datetime:
        """The documents' date: the last audit record, else the election's creation."""
        stamps = [r.created_at for r in self.audit_records if r.created_at]
        stamps += [a.decided_at for a in self.approvals if a.decided_at]
        return parse_time(max(stamps) if stamps else self.created_at)

    def plan(self, post: str) -> PostPlan | None:
        return next((p for p in self.posts if p.post == post), None)

    def stage(self, post: str, stage: str) -> tuple[str, ...]:
        found = [s.names for s in self.funnel if s.post == post and s.stage == stage]
        return found[-1] if found else ()

    def meetings_of(self, kind: str) -> tuple[Meeting, ...]:
        return tuple(sorted((m for m in self.meetings if m.kind == kind),
                            key=lambda m: m.session))

    def elected(self, post: str) -> tuple[str, ...]:
        names: list[str] = []
        for m in self.meetings:
            if m.kind not in ("congress", "plenary"):
                continue
            for r in m.rounds:
                if r.post == post and r.counted and not r.void:
                    names += [n for n in r.elected_names() if n not in names]
        return tuple(names) or self.stage(post, "elected")


def parse_time(text: str) -> datetime:
    """ISO 8601 to an aware datetime; empty or unreadable: the Unix epoch (never "now", so a
    document never depends on when it was printed)."""
    if not text:
        return datetime(1970, 1, 1, tzinfo=UTC)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def zh_date(value: datetime) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def posts_in_order(posts: tuple[PostPlan, ...]) -> list[PostPlan]:
    return sorted(posts, key=lambda p: POSTS.index(p.post) if p.post in POSTS else 9)
