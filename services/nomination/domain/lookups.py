"""What the nomination sub-domains share: the vocabulary of the service's own records, the
identifiers it derives, and the look-ups every sub-domain makes (the election, a person, the
approved plan, registrations), with the caches that make them cheap."""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

import rules
from core.vocabulary import NOTICE_KINDS, POSTS, Stage
from proto import common_pb2
from rules.loading import overrides_from_json, profile_from_json
from services.common import profiles as service_profiles
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    from_rule_violation,
)
from services.common.store import Store, canonical_json
from services.nomination.domain import statements as q
from services.nomination.models import ElectionRow, NoticeRow, PlanRow, RegistrationRow

ALL_STAGES: tuple[str, ...] = tuple(s.value for s in Stage)
#: stages AdvanceStage may move registrations to (the workflow records stage outcomes)
ADVANCE_STAGES = tuple(s for s in ALL_STAGES if s not in (Stage.REGISTERED, Stage.REJECTED))
DECIDERS = ("street_committee", "system")
POST_ORDER = {post: i for i, post in enumerate(POSTS)}


def digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def registration_id_for(election_id: str, person_id: str, post: str) -> str:
    return "rg-" + digest(election_id, person_id, post)


def refused_profile(exc: rules.RuleViolation) -> InvalidArgument:
    """A profile or its overrides refused by the loader, as the election's field."""
    err = from_rule_violation(exc)
    return InvalidArgument(err.message, rule=err.rule, value=err.value,
                           field=f"election.{err.field or 'profile'}")


def canonical_overrides(text: str) -> str:
    """An election's overrides as stored: their canonical JSON, or "" for none."""
    try:
        overrides = overrides_from_json(text)
    except rules.RuleViolation as exc:
        raise refused_profile(exc) from exc
    return canonical_json(overrides) if overrides else ""


def sort_key(row: Any) -> tuple[int, int, int, int]:
    """Post order, then rank (ranked first, when > 0), then registration order."""
    return (POST_ORDER.get(row.post, len(POSTS)), 0 if row.rank > 0 else 1, row.rank, row.seq)


def require_decider(actor: common_pb2.Actor, what: str, rule: str = "") -> None:
    if actor.role not in DECIDERS:
        raise PermissionDenied(f"role {actor.role or '(none)'} cannot decide {what}",
                               field="actor.role", rule=rule)


def require_post(post: str, field: str = "post") -> None:
    if post not in POSTS:
        raise InvalidArgument(f"unknown post (one of {', '.join(POSTS)})", field=field,
                              value=post)


def require_notice_kind(kind: str, field: str = "kind") -> None:
    if kind not in NOTICE_KINDS:
        raise InvalidArgument(f"unknown notice kind (one of {', '.join(NOTICE_KINDS)})",
                              field=field, value=kind)


class Lookups:
    """The reads every sub-domain makes. One per service: its caches hold the rule verdicts
    that depend on a profile only and the approved plans (neither changes once made); the
    profiles themselves are cached by the one loader, ``rules.loading.profile_from_json``."""

    def __init__(self, store: Store):
        self.store = store
        self._verdicts: dict[tuple[Any, ...], Any] = {}
        self._approved: dict[str, Any] = {}  # election ID -> its approved plan (immutable)

    def load_profile(self, name: str, overrides_json: str) -> rules.Profile:
        try:
            return profile_from_json(service_profiles.profile_source(name), overrides_json)
        except rules.RuleViolation as exc:
            raise refused_profile(exc) from exc

    def verdict(self, check: Any, profile: rules.Profile, *args: Any) -> Any:
        """A rule check that depends on the profile and ``args`` only, evaluated once. The
        entry keeps its profile, so the profile's identity (the key) is not reused meanwhile."""
        key = (check, id(profile), args)
        kept = self._verdicts.get(key)
        if kept is None:
            kept = self._verdicts[key] = (profile, check(profile, *args))
        return kept[1]

    def profile_of(self, election: ElectionRow) -> rules.Profile:
        return self.load_profile(election.profile, election.overrides_json)

    async def election(self, session: Any, election_id: str, mutable: bool = False) -> Any:
        """The election (its row as a plain read; ``mutable``: the ORM object, to change it)."""
        if not election_id:
            raise InvalidArgument("required", field="election_id")
        if mutable:
            row = await session.get(ElectionRow, election_id)
        else:
            row = await self.store.first(session, q.Q_ELECTION, election_id=election_id)
        if row is None:
            raise NotFound(f"no election {election_id!r}", field="election_id", value=election_id)
        return row

    async def election_rows(self, stmt: Any, election_id: str) -> list[Any]:
        """A read of an election's rows (``stmt`` bound on election_id), refusing an unknown
        election."""
        async with self.store.read() as session:
            await self.election(session, election_id)
            return await self.store.rows(session, stmt, election_id=election_id)

    async def person(self, session: Any, election_id: str, person_id: str,
                     field: str = "person_id", lock: bool = False) -> Any:
        """A person of the roster (a plain read: roster rows never change)."""
        if not person_id:
            raise InvalidArgument("required", field=field)
        # lock: a row lock on PostgreSQL (SQLite's writes are serialised by the process)
        row = await self.store.first(session, q.Q_PERSON_LOCKED if lock else q.Q_PERSON,
                                     election_id=election_id, person_id=person_id)
        if row is None:
            raise NotFound(f"{person_id!r} is not on the roster of {election_id!r}", field=field,
                           value=person_id)
        return row

    async def names(self, session: Any, election_id: str, person_ids: Any = None
                    ) -> dict[str, str]:
        """Names by person ID: of ``person_ids`` if given, else of the whole roster."""
        if person_ids is None:
            return dict(await self.store.rows(session, q.Q_NAMES, election_id=election_id))
        return dict(await self.store.rows(session, q.Q_NAMES_OF, election_id=election_id,
                                          person_ids=sorted(set(person_ids))))

    @staticmethod
    async def registration(session: Any, registration_id: str,
                           lock: bool = False) -> RegistrationRow:
        if not registration_id:
            raise InvalidArgument("required", field="registration_id")
        row = await session.get(RegistrationRow, registration_id,
                                with_for_update=True if lock else None)
        if row is None:
            raise NotFound(f"no registration {registration_id!r}", field="registration_id",
                           value=registration_id)
        return row

    async def registrations(self, session: Any, stmt: Any, **bound: Any
                            ) -> list[SimpleNamespace]:
        """Registrations (one of the Q_REG* statements) as plain, changeable records: save
        changes with save_registration. The locked ones: row locks on PostgreSQL, in a fixed
        order (SQLite ignores them)."""
        return [SimpleNamespace(**r._asdict())
                for r in await self.store.rows(session, stmt, **bound)]

    async def save_registration(self, session: Any, reg: SimpleNamespace, *fields: str) -> None:
        await self.store.dml(session, q.save_registration(fields),
                             b_registration_id=reg.registration_id,
                             **{f"b_{f}": getattr(reg, f) for f in fields})

    async def approved_plan(self, session: Any, election_id: str) -> Any:
        """The approved plan: once approved it never changes, so it is kept in memory."""
        plan = self._approved.get(election_id)
        if plan is not None:
            return plan
        plan = await self.store.first(session, select(PlanRow.status, PlanRow.posts_json).where(
            PlanRow.election_id == election_id))
        if plan is not None and plan.status == "approved":
            if len(self._approved) >= 10_000:
                self._approved.clear()
            self._approved[election_id] = plan
            return plan
        if plan is None or plan.status != "approved":
            raise FailedPrecondition(
                "the election plan is not approved" + (f" (it is {plan.status})" if plan else
                                                       " (none submitted)"), field="plan")
        return plan

    @staticmethod
    def plan_posts(plan: PlanRow) -> dict[str, dict[str, Any]]:
        return {p["post"]: p for p in json.loads(plan.posts_json) if p.get("seats", 0) > 0}

    async def next_seq(self, session: Any, model: Any, election_id: str) -> int:
        current = await self.store.first(session, q.Q_MAX_SEQ[model], election_id=election_id)
        return ((current[0] if current is not None else None) or 0) + 1

    @staticmethod
    async def newest_notice(session: Any, election_id: str, kind: str) -> NoticeRow | None:
        """The notice of ``kind`` in effect (a rerun publishes a new shortlist or candidate
        notice), its row locked on PostgreSQL: an objection filed before the close commits
        before the close does, and so before the workflow reads the objections; and the
        objections of one notice take their sequence numbers one after the other (many
        members objecting at once were refused as duplicates of each other)."""
        stmt = select(NoticeRow).where(NoticeRow.election_id == election_id,
                                       NoticeRow.kind == kind).order_by(
            NoticeRow.seq.desc()).limit(1).with_for_update()
        return (await session.execute(stmt)).scalar_one_or_none()


class SubDomain:
    """One sub-domain of the nomination service over the store. Those of one service share
    one :class:`Lookups` (and so its caches); on its own a sub-domain makes its own."""

    def __init__(self, store: Store, lookups: Lookups | None = None):
        self.store = store
        self.lookups = lookups or Lookups(store)
