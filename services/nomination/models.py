"""Tables owned by the nomination service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.store import shared_models, utcnow


class Base(DeclarativeBase):
    pass


#: idempotency keys, the audit chain and the signal outbox (services.common.store.tables)
MODELS = shared_models(Base)


class ElectionRow(Base):
    """One community's election (换届选举) and the state of its nomination window."""

    __tablename__ = "elections"
    election_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    community_id: Mapped[str] = mapped_column(String(80), index=True)
    community_name: Mapped[str] = mapped_column(String(200), default="")
    org_type: Mapped[str] = mapped_column(String(40))
    street_id: Mapped[str] = mapped_column(String(80), default="")
    district_id: Mapped[str] = mapped_column(String(80), default="")
    profile: Mapped[str] = mapped_column(String(200))
    overrides_json: Mapped[str] = mapped_column(Text, default="")
    workflow_id: Mapped[str] = mapped_column(String(200), default="")
    window_status: Mapped[str] = mapped_column(String(20), default="not_open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PersonRow(Base):
    """One person of the community's roster (党员名册 plus residents and guest members)."""

    __tablename__ = "roster"
    __table_args__ = (UniqueConstraint("election_id", "person_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    election_id: Mapped[str] = mapped_column(String(120), index=True)
    person_id: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20))
    excluded_reason: Mapped[str] = mapped_column(String(80), default="")
    # E2: "" (awaiting the street committee) | consented | refused (domain/exclusions.py)
    exclusion_consent: Mapped[str] = mapped_column(String(20), default="", server_default="")
    exclusion_decided_by: Mapped[str] = mapped_column(String(200), default="",
                                                      server_default="")
    party_years: Mapped[float] = mapped_column(Float, default=0.0)
    age: Mapped[int] = mapped_column(Integer, default=0)
    resides_in_community: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlanRow(Base):
    """The election plan (选举工作方案): seats and stage numbers per post."""

    __tablename__ = "plans"
    election_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    posts_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    decided_reason: Mapped[str] = mapped_column(Text, default="")
    full_members: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(120), default="")


class RegistrationRow(Base):
    """A registrant (报名人选) for one post and the person's path through the stages."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("election_id", "person_id", "post"),
        UniqueConstraint("election_id", "seq"),
    )
    registration_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    election_id: Mapped[str] = mapped_column(String(120), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # registration order within the election
    person_id: Mapped[str] = mapped_column(String(80))
    post: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(20), index=True)
    review: Mapped[str] = mapped_column(String(20), default="pending")
    auto_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    rejected_rule: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    cosigners: Mapped[int] = mapped_column(Integer, default=0)
    member_cosigners: Mapped[int] = mapped_column(Integer, default=0)
    rank: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    dropped_at: Mapped[str] = mapped_column(String(20), default="")
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CosignatureRow(Base):
    """One co-signature (联名) of a joint nomination."""

    __tablename__ = "cosignatures"
    # NM2, one co-signature per person per post, held by the database too: at most one
    # co-signature of a person for a post that is not withdrawn
    __table_args__ = (
        Index("uq_cosignatures_active", "election_id", "post", "cosigner_person_id",
              unique=True, sqlite_where=text("NOT withdrawn"),
              postgresql_where=text("NOT withdrawn")),
    )
    registration_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    cosigner_person_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    election_id: Mapped[str] = mapped_column(String(120), index=True)
    post: Mapped[str] = mapped_column(String(40))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InspectionRow(Base):
    """The organizational inspection (组织考察) of one shortlisted person for one post."""

    __tablename__ = "inspections"
    election_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    post: Mapped[str] = mapped_column(String(40), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    report: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NoticeRow(Base):
    """A notice on the notice board (公示栏)."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("election_id", "seq"),)
    notice_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    election_id: Mapped[str] = mapped_column(String(120), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    names_json: Mapped[str] = mapped_column(Text, default="[]")
    days: Mapped[int] = mapped_column(Integer, default=0)
    community_name: Mapped[str] = mapped_column(String(200), default="")
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                   index=True)
    # O1/O2: set when the workflow ends the notice period; objections are refused after it
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # docs/audit.md: each service's signed chain head when the notice was published, and on a
    # results notice each counted round's ballot-box digest (JSON lists)
    heads_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    digests_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")


class ObjectionRow(Base):
    """An objection (异议) filed against a person during a notice period (O2)."""

    __tablename__ = "objections"
    __table_args__ = (UniqueConstraint("election_id", "seq"),)
    objection_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    election_id: Mapped[str] = mapped_column(String(120), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    notice_kind: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[str] = mapped_column(String(80))
    post: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(120), default="")

