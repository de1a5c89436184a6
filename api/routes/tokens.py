"""Tokens (district admin) and the caller's own identity."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from api.auth import DISTRICT_ADMIN
from api.db import (
    ROLES,
    TOKEN_DAYS,
    TOKEN_MAX_DAYS,
    Principal,
    TokenError,
    TokenRow,
    validate_scope,
)
from api.deps import Allow, DbDep, PrincipalDep, TokensDep
from api.errors import ERROR_RESPONSES, ApiError
from api.registry import scope_district
from api.types import ShortText

router = APIRouter(prefix="/api/v1", tags=["tokens"], responses=ERROR_RESPONSES)
Admin = Annotated[Principal, Depends(Allow(DISTRICT_ADMIN, what="manage tokens"))]


class TokenCreate(BaseModel):
    role: str = Field(description=" | ".join(ROLES), max_length=40)
    scope: str = Field(description="district:ID | street:ID | community:ID", max_length=120)
    name: ShortText = ""
    person_id: str = Field("", max_length=80, pattern=r"^[A-Za-z0-9_.:\-]*$",
                           description="member / resident: the roster person this token acts as")
    expires_days: float = Field(TOKEN_DAYS, gt=0, le=TOKEN_MAX_DAYS,
                                description="days the token works (default 90)")


class TokenPublic(BaseModel):
    token_id: str
    role: str
    scope: str
    name: str
    person_id: str
    created_at: datetime
    revoked: bool
    expires_at: datetime


class TokenCreated(TokenPublic):
    token: str = Field(description="shown once: only its sha256 is stored")


class PrincipalPublic(BaseModel):
    token_id: str
    role: str
    scope: str
    name: str
    person_id: str


def token_public(row: TokenRow) -> TokenPublic:
    return TokenPublic(token_id=row.token_id, role=row.role, scope=row.scope, name=row.name,
                       person_id=row.person_id, created_at=row.created_at,
                       revoked=row.revoked_at is not None, expires_at=row.expiry())


async def admin_covers_scope(db: DbDep, admin: Principal, scope: str) -> bool:
    """A district admin hands out tokens inside its own district only."""
    if admin.scope == "district:*":
        return True
    return await scope_district(db, scope) == admin.scope_value


@router.post("/tokens", response_model=TokenCreated, status_code=201)
async def create_token(body: TokenCreate, admin: Admin, tokens: TokensDep,
                       db: DbDep) -> TokenCreated:
    try:
        validate_scope(body.role, body.scope)
    except TokenError as exc:
        raise ApiError(422, exc.message, field=exc.field) from exc
    if not await admin_covers_scope(db, admin, body.scope):
        raise ApiError(403, f"scope {admin.scope} does not cover {body.scope} (register the "
                            "street or community in your district first)", field="scope")
    try:
        token, row = await tokens.create(body.role, body.scope, body.name, body.person_id,
                                         created_by=admin.token_id,
                                         expires_days=body.expires_days, by=admin)
    except TokenError as exc:
        raise ApiError(422, exc.message, field=exc.field) from exc
    return TokenCreated(token=token, **token_public(row).model_dump())


@router.get("/tokens", response_model=list[TokenPublic])
async def list_tokens(admin: Admin, tokens: TokensDep, db: DbDep) -> list[TokenPublic]:
    return [token_public(r) for r in await tokens.list()
            if await admin_covers_scope(db, admin, r.scope)]


@router.delete("/tokens/{token_id}", response_model=TokenPublic)
async def revoke_token(token_id: Annotated[str, Path(max_length=32)], admin: Admin,
                       tokens: TokensDep, db: DbDep) -> TokenPublic:
    row = await tokens.get(token_id)
    if row is None:
        raise ApiError(404, f"no token {token_id!r}", field="token_id")
    if not await admin_covers_scope(db, admin, row.scope):
        raise ApiError(403, f"scope {admin.scope} does not cover {row.scope}", field="scope")
    revoked = await tokens.revoke(token_id, by=admin)
    assert revoked is not None
    return token_public(revoked)


@router.get("/me", response_model=PrincipalPublic)
async def me(principal: PrincipalDep) -> PrincipalPublic:
    return PrincipalPublic(token_id=principal.token_id, role=principal.role,
                           scope=principal.scope, name=principal.name,
                           person_id=principal.person_id)
