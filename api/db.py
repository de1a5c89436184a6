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
from datetime import UTC, datetime

from sqlalchemy import DateTime, Float, Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.config import Settings
from services.common.db import Database

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


def utcnow() -> datetime:
    return datetime.now(UTC)


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
                     created_by: str = "") -> tuple[str, TokenRow]:
        validate_scope(role, scope)
        if person_id and role not in ("member", "resident"):
            raise TokenError("person_id", "only member and resident tokens name a person")
        token_id = secrets.token_hex(8)
        token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        row = TokenRow(token_id=token_id, token_hash=hash_token(token), role=role, scope=scope,
                       name=name, person_id=person_id, created_by=created_by,
                       created_at=utcnow())
        async with self.db.write() as session:
            session.add(row)
        return token, row

    async def authenticate(self, token: str) -> Principal | None:
        async with self.db.read() as session:
            row = (await session.execute(select(TokenRow).where(
                TokenRow.token_hash == hash_token(token)))).scalar_one_or_none()
        if row is None or row.revoked_at is not None:
            return None
        return Principal(row.token_id, row.role, row.scope, row.name, row.person_id)

    async def get(self, token_id: str) -> TokenRow | None:
        async with self.db.read() as session:
            return await session.get(TokenRow, token_id)

    async def revoke(self, token_id: str) -> TokenRow | None:
        async with self.db.write() as session:
            row = await session.get(TokenRow, token_id)
            if row is not None and row.revoked_at is None:
                row.revoked_at = utcnow()
            return row

    async def list(self) -> list[TokenRow]:
        async with self.db.read() as session:
            return list((await session.execute(
                select(TokenRow).order_by(TokenRow.created_at, TokenRow.token_id))).scalars())
