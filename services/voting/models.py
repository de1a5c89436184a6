"""Tables owned by the voting service.

Ballot secrecy (docs/design.md, "Trust model") is a property of this schema:

* ``ballot_issues`` records *that* a person received a ballot in a round, and nothing else;
* ``ballot_codes`` holds only the sha256 of each one-time code and whether it was used;
* ``ballots`` holds the marks, their validity and a receipt — no voter, no code, no time.

The three tables share no column but ``round_id``; their primary keys are the person (issues)
or random values (codes, ballots), never insertion-ordered ids, and on SQLite they are
``WITHOUT ROWID`` tables so not even the hidden rowid keeps the order rows were written in.
Nothing in them carries a timestamp. ``tests/services/voting/test_models.py`` checks all of this.

Nor does any order in which they were written survive the round: casting opens only once the
ballots are issued (``RoundRow.casting``), then the issue and code rows are written again in
one transaction, and when the round closes its ballots and codes are written again, in
receipt and hash order (``services.voting.domain.sealing``); ``tests/services/voting/
test_secrecy.py`` tries the attack.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.store import shared_models, utcnow


class Base(DeclarativeBase):
    pass


#: idempotency keys, the audit chain and the signal outbox (services.common.store.tables)
MODELS = shared_models(Base)


class MeetingRow(Base):
    """A recommendation meeting (公推大会), a street committee vote (差额票决) or a congress."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("election_id", "kind", "session"),)
    meeting_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    election_id: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    session: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    # expected attendance (E2) — the committee's membership for a committee meeting
    expected: Mapped[int] = mapped_column(Integer, default=0)
    present_members: Mapped[int] = mapped_column(Integer, default=0)
    present_others: Mapped[int] = mapped_column(Integer, default=0)
    quorum_met: Mapped[bool] = mapped_column(Boolean, default=False)
    quorum_rule: Mapped[str] = mapped_column(String(10), default="")
    workflow_id: Mapped[str] = mapped_column(String(200), default="")
    profile: Mapped[str] = mapped_column(String(200))
    overrides_json: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # presided_by, recorded_by, place, held_at (services/voting/details.py); "" = none yet
    details_json: Mapped[str] = mapped_column(Text, default="")


class ElectorRow(Base):
    """One person of a meeting's electorate, frozen when the meeting opens."""

    __tablename__ = "electors"
    meeting_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # member: own full member (recommendation ballot / congress vote); other: trust ballot only
    elector_class: Mapped[str] = mapped_column("class", String(10))
    expected: Mapped[bool] = mapped_column(Boolean)
    checked_in: Mapped[bool] = mapped_column(Boolean, default=False)


class RoundRow(Base):
    """One ballot of one post at a meeting, and once counted, its result."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)
    round_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(String(64), index=True)
    election_id: Mapped[str] = mapped_column(String(120), index=True)
    post: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    seats: Mapped[int] = mapped_column(Integer)
    candidates_json: Mapped[str] = mapped_column(Text)  # [{person_id, name}] in ballot order
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="")  # "" until paper | electronic
    issued: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    void: Mapped[bool] = mapped_column(Boolean, default=False)
    tally_json: Mapped[str] = mapped_column(Text, default="[]")
    write_ins_json: Mapped[str] = mapped_column(Text, default="[]")
    elected_json: Mapped[str] = mapped_column(Text, default="[]")
    tied_json: Mapped[str] = mapped_column(Text, default="[]")
    unfilled: Mapped[int] = mapped_column(Integer, default=0)
    rules_json: Mapped[str] = mapped_column(Text, default="[]")
    ballot_box_digest: Mapped[str] = mapped_column(String(80), default="")
    # roles that confirmed the counted results (services/voting/official.py)
    confirmed_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    # electronic: the ballots are issued, then casting opens; no ballot is issued after
    casting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # paper: "" | entered | confirmed | rejected — a tally counts once the supervisor, another
    # person than the one who entered it, confirmed it (services/voting/domain/tallies.py)
    tally_status: Mapped[str] = mapped_column(String(20), default="", server_default="")
    tally_entered_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    tally_confirmed_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    tally_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # electronic, set when counted: codes cast, and the unused codes made void
    codes_cast: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    codes_void: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class TallyRow(Base):
    """The paper count of a round as entered (re-entry before the close replaces it)."""

    __tablename__ = "tallies"
    round_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    issued: Mapped[int] = mapped_column(Integer)
    returned: Mapped[int] = mapped_column(Integer)
    invalid: Mapped[int] = mapped_column(Integer)
    lines_json: Mapped[str] = mapped_column(Text)
    write_ins_json: Mapped[str] = mapped_column(Text)


class BallotIssueRow(Base):
    """THAT a person received an electronic ballot in a round — never which one."""

    __tablename__ = "ballot_issues"
    __table_args__ = {"sqlite_with_rowid": False}
    round_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(80), primary_key=True)


class BallotCodeRow(Base):
    """A one-time ballot code, stored only as its sha256; the code itself is never stored."""

    __tablename__ = "ballot_codes"
    __table_args__ = {"sqlite_with_rowid": False}
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # random by nature
    round_id: Mapped[str] = mapped_column(String(64), index=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class BallotRow(Base):
    """One cast electronic ballot: marks, validity and receipt. No voter, no code, no time."""

    __tablename__ = "ballots"
    __table_args__ = {"sqlite_with_rowid": False}
    ballot_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random
    round_id: Mapped[str] = mapped_column(String(64), index=True)
    marks_json: Mapped[str] = mapped_column(Text)
    valid: Mapped[bool] = mapped_column(Boolean)
    invalid_rule: Mapped[str] = mapped_column(String(10), default="")
    # receipt = "sha256:" + sha256(salt + marks_json); the salt is kept so that a supervisor can
    # recompute every receipt from the stored ballots and then the round's ballot-box digest
    salt: Mapped[str] = mapped_column(String(64))
    receipt: Mapped[str] = mapped_column(String(80))

