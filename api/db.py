"""The API's own database: tokens, the district's registry (districts, streets, communities),
election cycles and the elections they started. No service reads it; the API reads no
service's database.

SQLite at ``settings.data_dir/api.db`` by default; schema ``api`` when
``settings.database_url`` is PostgreSQL.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Float, Integer, String, Text, UniqueConstraint, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.config import Settings
from services.common.db import Database
from services.common.store.audit import acted_by, canonical_json, record_hash

ROLES = ("district_admin", "street_committee", "community_office", "approver", "supervisor",
         "member", "resident")
#: which scope kinds each role's token may carry (see api/auth.py for the reasons)
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    "district_admin": ("district",),
    "street_committee": ("street",),
    "community_office": ("community",),
    "approver": ("street", "district"),
    "supervisor": ("district", "street", "community"),
    "member": ("community",),
    "resident": ("community",),
}
TOKEN_PREFIX = "gt_"
#: a token's life when its creator names none (``--expires``), and the longest it may name
TOKEN_DAYS = 90
TOKEN_MAX_DAYS = 3650


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands a stored time back without its zone: it was stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class TokenRow(Base):
    __tablename__ = "tokens"
    token_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(120), default="")
    person_id: Mapped[str] = mapped_column(String(80), default="")
    created_by: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: when the token stops working (NULL: a token made before tokens expired, which ends
    #: TOKEN_DAYS after it was made)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    def expiry(self) -> datetime:
        return aware(self.expires_at or self.created_at + timedelta(days=TOKEN_DAYS))

    def refusal(self, now: datetime | None = None) -> str:
        """Why the token is not accepted ("" when it is)."""
        if self.revoked_at is not None:
            return "the token has been revoked"
        if (now or utcnow()) >= self.expiry():
            return (f"the token expired at {self.expiry().isoformat(timespec='seconds')} "
                    "(a district admin makes a new one: gongtui token create)")
        return ""


class DistrictRow(Base):
    __tablename__ = "districts"
    district_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="")


class StreetRow(Base):
    __tablename__ = "streets"
    street_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    district_id: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")


class CommunityRow(Base):
    __tablename__ = "communities"
    community_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    street_id: Mapped[str] = mapped_column(String(80), index=True)
    district_id: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    org_type: Mapped[str] = mapped_column(String(40), default="general_branch")


class CommitteeRow(Base):
    """A street committee (街道党工委) as the district registers it: its membership, which
    the committee vote's quorum and pass mark are measured against (M11). Set by the district
    administrator; the committee itself never declares it."""

    __tablename__ = "committees"
    street_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(120), default="")
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CycleRow(Base):
    __tablename__ = "cycles"
    cycle_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    district_id: Mapped[str] = mapped_column(String(80), index=True)
    profile: Mapped[str] = mapped_column(String(80))
    overrides_json: Mapped[str] = mapped_column(Text, default="{}")
    day_seconds: Mapped[float] = mapped_column(Float)
    started_by: Mapped[str] = mapped_column(String(40), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ElectionRow(Base):
    """An election started through the API (the nomination service owns its facts)."""

    __tablename__ = "elections"
    election_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    cycle_id: Mapped[str] = mapped_column(String(40), index=True)
    community_id: Mapped[str] = mapped_column(String(80), index=True)
    community_name: Mapped[str] = mapped_column(String(120), default="")
    street_id: Mapped[str] = mapped_column(String(80), index=True)
    district_id: Mapped[str] = mapped_column(String(80), index=True)
    workflow_id: Mapped[str] = mapped_column(String(200))


class ApiAuditRecord(Base):
    """One change of the API's own facts (tokens, the registry, cycles), chained like an
    election's records in a service (api/chain.py); ``chain`` is always ``api``."""

    __tablename__ = "api_audit_records"
    __table_args__ = (UniqueConstraint("chain", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chain: Mapped[str] = mapped_column(String(40), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(80))
    payload_json: Mapped[str] = mapped_column(Text)
    actor_role: Mapped[str] = mapped_column(String(40))
    actor_scope: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[str] = mapped_column(String(40))
    prev_hash: Mapped[str] = mapped_column(String(80))
    hash: Mapped[str] = mapped_column(String(80))


class ApiAuditHead(Base):
    """The API chain's head: locked while appending, so seq never forks."""

    __tablename__ = "api_audit_heads"
    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(80), default="")


#: the API chain's name (its records' "election"; api/chain.py)
CHAIN = "api"
#: who acts when no token does: the operator at the CLI (``gongtui token create``)
OPERATOR = ("operator", "cli")


async def chain_append(db: Database, session: AsyncSession, kind: str,
                       payload: dict[str, Any], by: Principal | None) -> ApiAuditRecord:
    """Chain one record on the head, in ``session``'s transaction (``by``: the acting token;
    None: the operator's CLI)."""
    stmt = select(ApiAuditHead).where(ApiAuditHead.chain == CHAIN)
    if not db.sqlite:
        stmt = stmt.with_for_update()
    head = (await session.execute(stmt)).scalar_one_or_none()
    if head is None:
        head = ApiAuditHead(chain=CHAIN, seq=0, hash="")
        session.add(head)
    role, scope = (by.role, by.scope) if by is not None else OPERATOR
    body = acted_by(payload, by.token_id, by.name) if by is not None else payload
    payload_json = canonical_json(body)
    seq = head.seq + 1
    created_at = utcnow().isoformat()
    digest = record_hash(head.hash, CHAIN, seq, kind, payload_json, role, scope, created_at)
    record = ApiAuditRecord(chain=CHAIN, seq=seq, kind=kind, payload_json=payload_json,
                            actor_role=role, actor_scope=scope, created_at=created_at,
                            prev_hash=head.hash, hash=digest)
    session.add(record)
    head.seq, head.hash = seq, digest
    await session.flush()  # the next append of this transaction reads the moved head
    return record


#: columns added to a table after it was first created: (table, column, SQL type). The API
#: has no migrations: ``create_api_tables`` creates what is missing and adds these.
ADDED_COLUMNS = (("tokens", "expires_at", "TIMESTAMP WITH TIME ZONE"),)


async def create_api_tables(db: Database) -> None:
    """The API's tables: created when missing, later columns added to older ones."""
    await db.create_all()
    schema = None if db.sqlite else db.schema

    def missing(conn: object) -> list[tuple[str, str, str]]:
        inspector = inspect(conn)
        return [(t, c, kind) for t, c, kind in ADDED_COLUMNS
                if c not in {col["name"] for col in inspector.get_columns(t, schema=schema)}]

    from sqlalchemy import text

    async with db.engine.begin() as conn:
        for table, column, kind in await conn.run_sync(missing):
            where = f'"{schema}".' if schema else ""
            sql_kind = "TIMESTAMP" if db.sqlite else kind
            await conn.execute(text(f'ALTER TABLE {where}"{table}" ADD COLUMN "{column}" '
                                    f"{sql_kind}"))


def database_url(settings: Settings) -> tuple[str, str | None]:
    if settings.database_url:
        return settings.database_url, "api"
    return f"sqlite+aiosqlite:///{(settings.data_dir / 'api.db').resolve()}", None


def open_database(settings: Settings) -> Database:
    url, schema = database_url(settings)
    return Database(url, Base, schema=schema or "api")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """The caller: a token's role and scope (``kind:value``)."""

    token_id: str
    role: str
    scope: str
    name: str = ""
    person_id: str = ""

    @property
    def scope_kind(self) -> str:
        return self.scope.partition(":")[0]

    @property
    def scope_value(self) -> str:
        return self.scope.partition(":")[2]

    def label(self) -> str:
        return f"{self.role}@{self.scope}"


class TokenError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def validate_scope(role: str, scope: str) -> None:
    if role not in ROLES:
        raise TokenError("role", f"unknown role {role!r} (one of {', '.join(ROLES)})")
    kind, sep, value = scope.partition(":")
    if not sep or not value or not kind:
        raise TokenError("scope", f"{scope!r} is not KIND:ID (district:ID, street:ID, "
                                  "community:ID)")
    if kind not in ("district", "street", "community"):
        raise TokenError("scope", f"unknown scope kind {kind!r}")
    if kind not in ROLE_SCOPES[role]:
        raise TokenError("scope", f"a {role} token takes a {' or '.join(ROLE_SCOPES[role])} "
                                  f"scope, not {kind}")
    if value == "*" and kind != "district":
        raise TokenError("scope", "only district:* covers every district")
    if len(scope) > 120 or any(c.isspace() for c in scope):
        raise TokenError("scope", "at most 120 characters, no spaces")


class TokenStore:
    """Bearer tokens, kept as sha256 hashes only: the token itself is shown once."""

    def __init__(self, db: Database):
        self.db = db

    async def create(self, role: str, scope: str, name: str = "", person_id: str = "",
                     created_by: str = "", expires_days: float = TOKEN_DAYS,
                     by: Principal | None = None) -> tuple[str, TokenRow]:
        """A new token, valid ``expires_days`` (default TOKEN_DAYS); recorded in the API's
        chain (``token.created``, never the token) as ``by`` (None: the operator's CLI)."""
        validate_scope(role, scope)
        if person_id and role not in ("member", "resident"):
            raise TokenError("person_id", "only member and resident tokens name a person")
        if not 0 < expires_days <= TOKEN_MAX_DAYS:
            raise TokenError("expires", f"a token lives more than 0 and at most "
                                        f"{TOKEN_MAX_DAYS} days, not {expires_days:g}")
        token_id = secrets.token_hex(8)
        token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        now = utcnow()
        row = TokenRow(token_id=token_id, token_hash=hash_token(token), role=role, scope=scope,
                       name=name, person_id=person_id, created_by=created_by,
                       created_at=now, expires_at=now + timedelta(days=expires_days))
        async with self.db.write() as session:
            session.add(row)
            await chain_append(self.db, session, "token.created", {
                "token_id": token_id, "role": role, "scope": scope, "name": name,
                "person_id": person_id, "expires_at": row.expiry().isoformat()}, by)
        return token, row

    async def check(self, token: str) -> tuple[Principal | None, str]:
        """The token's principal, or None and why it is refused (unknown, revoked, expired)."""
        async with self.db.read() as session:
            row = (await session.execute(select(TokenRow).where(
                TokenRow.token_hash == hash_token(token)))).scalar_one_or_none()
        if row is None:
            return None, "unknown or revoked token"
        why = row.refusal()
        if why:
            return None, why
        return Principal(row.token_id, row.role, row.scope, row.name, row.person_id), ""

    async def authenticate(self, token: str) -> Principal | None:
        return (await self.check(token))[0]

    async def get(self, token_id: str) -> TokenRow | None:
        async with self.db.read() as session:
            return await session.get(TokenRow, token_id)

    async def revoke(self, token_id: str, by: Principal | None = None) -> TokenRow | None:
        """Revoke a token (recorded as ``token.revoked`` in the API's chain, once)."""
        async with self.db.write() as session:
            row = await session.get(TokenRow, token_id)
            if row is not None and row.revoked_at is None:
                row.revoked_at = utcnow()
                await chain_append(self.db, session, "token.revoked",
                                   {"token_id": token_id, "role": row.role,
                                    "scope": row.scope}, by)
            return row

    async def list(self) -> list[TokenRow]:
        async with self.db.read() as session:
            return list((await session.execute(
                select(TokenRow).order_by(TokenRow.created_at, TokenRow.token_id))).scalars())
