"""The console's own tables, kept in the API's database beside the tokens: sign-in sessions
and the 公布 (publication) of a counted round.

Sessions are server-side, so signing out ends one for good and revoking its token ends every
session of the token at the next request. A round's publication is the one fact the services
lack: the voting service counts a round; whether the hall may see the result is the office's
act (projecting is separate from publishing), recorded here once per round."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, String, delete, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import Database

SESSION_TTL = timedelta(hours=8)
LINK_TTL = timedelta(minutes=30)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ConsoleBase(DeclarativeBase):
    pass


class SessionRow(ConsoleBase):
    __tablename__ = "console_sessions"
    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[str] = mapped_column(String(32), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PublicationRow(ConsoleBase):
    __tablename__ = "console_publications"
    round_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    election_id: Mapped[str] = mapped_column(String(120), index=True)
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginLinkRow(ConsoleBase):
    """A one-time sign-in link (``gongtui token create --login``): only its hash is kept."""

    __tablename__ = "console_login_links"
    link_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[str] = mapped_column(String(32), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


@dataclass(frozen=True)
class Session:
    token_id: str
    csrf: str
    expires_at: datetime


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite hands back naive times


class ConsoleStore:
    def __init__(self, db: Database):
        self.db = db
        self._ready = False

    async def ready(self) -> None:
        """Creates the two tables on first use (the API's own tables are made at start)."""
        if self._ready:
            return
        async with self.db.engine.begin() as conn:
            await conn.run_sync(ConsoleBase.metadata.create_all)
        self._ready = True

    async def open_session(self, token_id: str) -> tuple[str, Session]:
        await self.ready()
        session_id = secrets.token_urlsafe(32)
        now = utcnow()
        row = SessionRow(session_hash=_hash(session_id), token_id=token_id,
                         csrf=secrets.token_urlsafe(24), created_at=now,
                         expires_at=now + SESSION_TTL)
        async with self.db.write() as s:
            await s.execute(delete(SessionRow).where(SessionRow.expires_at < now))
            s.add(row)
        return session_id, Session(row.token_id, row.csrf, row.expires_at)

    async def session(self, session_id: str) -> Session | None:
        """The live session of the cookie; None when unknown or expired."""
        if not session_id or len(session_id) > 100:
            return None
        await self.ready()
        async with self.db.read() as s:
            row = await s.get(SessionRow, _hash(session_id))
        if row is None or _aware(row.expires_at) <= utcnow():
            return None
        return Session(row.token_id, row.csrf, _aware(row.expires_at))

    async def close_session(self, session_id: str) -> None:
        await self.ready()
        async with self.db.write() as s:
            await s.execute(delete(SessionRow).where(SessionRow.session_hash == _hash(session_id)))

    async def create_link(self, token_id: str) -> str:
        await self.ready()
        code = secrets.token_urlsafe(32)
        async with self.db.write() as s:
            s.add(LoginLinkRow(link_hash=_hash(code), token_id=token_id,
                               expires_at=utcnow() + LINK_TTL))
        return code

    async def redeem_link(self, code: str) -> str | None:
        """The link's token id, once: a used, unknown or expired link gives None."""
        if not code or len(code) > 100:
            return None
        await self.ready()
        async with self.db.write() as s:
            row = await s.get(LoginLinkRow, _hash(code))
            if row is None or row.used_at is not None or _aware(row.expires_at) <= utcnow():
                return None
            row.used_at = utcnow()
            return row.token_id

    async def publish(self, election_id: str, round_id: str, by: str) -> PublicationRow:
        """Idempotent: a round is published once; pressing 公布 again changes nothing."""
        await self.ready()
        async with self.db.write() as s:
            row = await s.get(PublicationRow, round_id)
            if row is None:
                row = PublicationRow(round_id=round_id, election_id=election_id,
                                     published_by=by, published_at=utcnow())
                s.add(row)
            return row

    async def published(self, election_id: str) -> set[str]:
        await self.ready()
        async with self.db.read() as s:
            return set((await s.execute(select(PublicationRow.round_id).where(
                PublicationRow.election_id == election_id))).scalars())
