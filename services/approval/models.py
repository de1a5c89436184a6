"""Tables owned by the approval service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.store import shared_models, utcnow


class Base(DeclarativeBase):
    pass


#: idempotency keys, the audit chain and the signal outbox (services.common.store.tables)
MODELS = shared_models(Base)


class ApprovalRequestRow(Base):
    """An approval (批准) or filing (备案) of one elected person for one post."""

    __tablename__ = "approval_requests"
    __table_args__ = (UniqueConstraint("election_id", "post", "person_id", "attempt"),)
    approval_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    election_id: Mapped[str] = mapped_column(String(120), index=True)
    community_id: Mapped[str] = mapped_column(String(80))
    street_id: Mapped[str] = mapped_column(String(80))
    committee_id: Mapped[str] = mapped_column(String(80), index=True)
    post: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    workflow_id: Mapped[str] = mapped_column(String(200), default="")
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(120), default="")

