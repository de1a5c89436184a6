"""The four tables every service has, declared once: idempotency keys, the audit chain (its
records and each election's head) and the signal outbox.

:func:`shared_models` makes them on a service's own declarative base (each service keeps
them in its own database or schema); :func:`create_shared_tables` is the step of every
service's first migration that creates them, :func:`drop_shared_tables` its undoing. The
migration step is written out column by column, not derived from the classes, so that a
later change of a class needs a migration of its own (tests/test_migrations.py compares the
two).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Idempotency:
    """The first answer to each idempotency key, and a digest of the request it answered."""

    __tablename__ = "idempotency_keys"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    method: Mapped[str] = mapped_column(String(80))
    request_digest: Mapped[str] = mapped_column(String(64))
    response: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class _AuditRecord:
    """One fact of an election, chained: ``hash = sha256(prev_hash + canonical record)``."""

    __tablename__ = "audit_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    election_id: Mapped[str] = mapped_column(String(120), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(80))
    payload_json: Mapped[str] = mapped_column(Text)
    actor_role: Mapped[str] = mapped_column(String(40))
    actor_scope: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[str] = mapped_column(String(40))
    prev_hash: Mapped[str] = mapped_column(String(80))
    hash: Mapped[str] = mapped_column(String(80))


class _AuditHead:
    """The head of each election's chain; locked while appending so seq never forks."""

    __tablename__ = "audit_heads"
    election_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(80), default="")


class _Outbox:
    """Workflow wake-ups queued in the fact's transaction, delivered after commit."""

    __tablename__ = "signal_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True)
class ServiceModels:
    """A service's ORM classes of the shared tables (made by :func:`shared_models`)."""

    idempotency: Any
    audit: Any
    audit_head: Any
    outbox: Any


def shared_models(base: type[DeclarativeBase]) -> ServiceModels:
    """The shared tables declared on ``base`` (call once per base, in the service's models)."""

    def model(name: str, mixin: type) -> Any:
        return type(name, (mixin, base), {"__module__": base.__module__, "__qualname__": name,
                                          "__doc__": mixin.__doc__})

    return ServiceModels(idempotency=model("IdempotencyKey", _Idempotency),
                         audit=model("AuditRecord", _AuditRecord),
                         audit_head=model("AuditHead", _AuditHead),
                         outbox=model("SignalOutbox", _Outbox))


def insert_columns(model: Any) -> tuple[str, ...]:
    """The columns an INSERT into ``model``'s table names, in declared order (all but a key
    the database numbers), for writers that build their SQL once (the ballot box)."""
    return tuple(c.name for c in model.__table__.c
                 if not (c.primary_key and c.autoincrement is True))


def create_shared_tables() -> None:
    """The shared tables as the first migration of every service creates them (run inside an
    Alembic migration: ``alembic.op`` is bound)."""
    from alembic import op

    op.create_table(
        "audit_heads",
        sa.Column("election_id", sa.String(length=120), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("election_id"))
    op.create_table(
        "audit_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("election_id", sa.String(length=120), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("actor_role", sa.String(length=40), nullable=False),
        sa.Column("actor_scope", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("prev_hash", sa.String(length=80), nullable=False),
        sa.Column("hash", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id"))
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_records_election_id"), ["election_id"],
                              unique=False)
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=80), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"))
    op.create_table(
        "signal_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"))


def drop_shared_tables() -> None:
    """Undo :func:`create_shared_tables` (the first migration's downgrade)."""
    from alembic import op

    op.drop_table("signal_outbox")
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_records_election_id"))
    op.drop_table("audit_records")
    op.drop_table("audit_heads")
