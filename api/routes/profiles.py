"""Rule profiles (national, nanjing, nanjing-xuanwu, ...) and the rule table they give."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

import rules
from api.auth import ALL_ROLES
from api.db import Principal
from api.deps import Allow
from api.errors import ERROR_RESPONSES, ApiError

router = APIRouter(prefix="/api/v1", tags=["profiles"], responses=ERROR_RESPONSES)
Reader = Annotated[Principal, Depends(Allow(*ALL_ROLES, what="read rule profiles"))]


class ProfileSummary(BaseModel):
    name: str
    chain: list[str]


class RulePublic(BaseModel):
    id: str
    text: str
    kind: str
    source: str
    params: dict[str, Any]
    active: bool


class ProfilePublic(ProfileSummary):
    params: dict[str, Any]
    rules: list[RulePublic]


def _load(name: str) -> rules.Profile:
    if name not in rules.list_profiles():
        raise ApiError(404, f"no profile {name!r} (one of {', '.join(rules.list_profiles())})",
                       field="name")
    return rules.load_profile(name)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


@router.get("/profiles", response_model=list[ProfileSummary])
async def list_profiles(principal: Reader) -> list[ProfileSummary]:
    out = []
    for name in rules.list_profiles():
        profile = rules.load_profile(name)
        out.append(ProfileSummary(name=profile.name, chain=list(profile.chain)))
    return out


@router.get("/profiles/{name}", response_model=ProfilePublic)
async def get_profile(name: Annotated[str, Path(max_length=80)],
                      principal: Reader) -> ProfilePublic:
    profile = _load(name)
    return ProfilePublic(
        name=profile.name, chain=list(profile.chain), params=_jsonable(dict(profile.params)),
        rules=[RulePublic(id=r.id, text=r.text, kind=r.kind, source=r.source,
                          params=_jsonable(r.params), active=r.active)
               for r in rules.rule_table(profile)])
