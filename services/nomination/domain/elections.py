"""Elections and their rosters (P1, E2, NM3)."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from sqlalchemy import select

import rules
from core.names import normalize_name
from core.vocabulary import DEFAULT_PROFILE, ORG_TYPES, STATUSES
from proto import nomination_pb2
from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from services.common.store import Tx, canonical_json, utcnow
from services.nomination.domain import statements as q
from services.nomination.domain.lookups import SubDomain, canonical_overrides
from services.nomination.domain.messages import election_message, person_message
from services.nomination.models import ElectionRow, PersonRow


class Elections(SubDomain):
    async def create(self, tx: Tx, req: nomination_pb2.CreateElectionRequest
                     ) -> nomination_pb2.Election:
        e = req.election
        for name in ("election_id", "community_id", "org_type"):
            if not getattr(e, name):
                raise InvalidArgument("required", field=f"election.{name}")
        if e.org_type not in ORG_TYPES:
            raise InvalidArgument(f"must be one of {', '.join(ORG_TYPES)}",
                                  field="election.org_type", rule="P1", value=e.org_type)
        profile_name = e.profile or DEFAULT_PROFILE
        overrides_json = canonical_overrides(e.overrides_json)
        self.lookups.load_profile(profile_name, overrides_json)
        wanted = {"community_id": e.community_id, "community_name": e.community_name,
                  "org_type": e.org_type, "street_id": e.street_id, "district_id": e.district_id,
                  "profile": profile_name, "overrides_json": overrides_json,
                  "workflow_id": e.workflow_id}
        existing = await tx.session.get(ElectionRow, e.election_id)
        if existing is not None:
            differs = [k for k, v in wanted.items() if getattr(existing, k) != v]
            if differs:
                raise AlreadyExists(
                    f"election {e.election_id!r} exists with different {', '.join(differs)}",
                    field=f"election.{differs[0]}", value=e.election_id)
            return election_message(existing)
        row = ElectionRow(election_id=e.election_id, window_status="not_open",
                          created_at=utcnow(), **wanted)
        tx.session.add(row)
        await tx.audit(e.election_id, "election.created",
                       {"election_id": e.election_id, **wanted})
        return election_message(row)

    async def get(self, election_id: str) -> nomination_pb2.Election:
        async with self.store.read() as session:
            return election_message(await self.lookups.election(session, election_id))


class Roster(SubDomain):
    async def import_people(self, tx: Tx, req: nomination_pb2.ImportRosterRequest
                            ) -> nomination_pb2.ImportRosterResponse:
        election = await self.lookups.election(tx.session, req.election_id)
        if election.window_status == "closed":
            raise FailedPrecondition("the nomination window is closed: the roster is frozen",
                                     field="window_status", rule="NM3")
        profile = self.lookups.profile_of(election)
        existing = {r.person_id: r for r in await self.store.rows(tx.session, select(
            *PersonRow.__table__.c).where(PersonRow.election_id == req.election_id))}
        seen: set[str] = set()
        # one name, one person: two entries alike on a ballot cannot be told apart
        names = {normalize_name(r.name): pid for pid, r in existing.items()}
        named_at: dict[str, int] = {}
        new_rows: list[dict[str, Any]] = []
        skipped = 0
        canonical_rows = []
        for i, p in enumerate(req.people):
            where = f"people[{i}]"
            if not p.person_id:
                raise InvalidArgument("required", field=f"{where}.person_id")
            if p.person_id in seen:
                raise InvalidArgument(f"person {p.person_id!r} appears twice in the import",
                                      field=f"{where}.person_id", value=p.person_id)
            seen.add(p.person_id)
            name = normalize_name(p.name)
            if not name:
                raise InvalidArgument("required", field=f"{where}.name")
            if name in named_at:
                raise InvalidArgument(
                    f"{name} appears twice in the import (people[{named_at[name]}] and {where}):"
                    " the same person twice, or two people to tell apart in the name",
                    field=f"{where}.name", value=name)
            named_at[name] = i
            if names.get(name, p.person_id) != p.person_id:
                raise AlreadyExists(
                    f"{name} is already on the roster as person {names[name]!r}: the same "
                    "person under two IDs, or two people to tell apart in the name",
                    field=f"{where}.name", value=name)
            if p.status not in STATUSES:
                raise InvalidArgument(f"must be one of {', '.join(STATUSES)}",
                                      field=f"{where}.status", value=p.status)
            if p.age < 0:
                raise InvalidArgument("cannot be negative", field=f"{where}.age", value=p.age)
            if p.party_years < 0:
                raise InvalidArgument("cannot be negative", field=f"{where}.party_years",
                                      value=p.party_years)
            if p.exclusion_consent or p.exclusion_decided_by:
                raise InvalidArgument("the street committee consents to an exclusion "
                                      "(DecideExclusions), not the roster import",
                                      field=f"{where}.exclusion_consent", rule="E2",
                                      value=p.exclusion_consent)
            if p.excluded_reason:
                if p.status != "full":
                    raise InvalidArgument(
                        "only full members (正式党员) are excluded from the expected attendance",
                        field=f"{where}.excluded_reason", rule="E2", value=p.excluded_reason)
                verdict = rules.check_exclusion(profile, p.excluded_reason)
                if not verdict.ok:
                    raise InvalidArgument(verdict.reason, field=f"{where}.excluded_reason",
                                          rule=verdict.rule or "E2", value=p.excluded_reason)
            data = {"person_id": p.person_id, "name": name, "status": p.status,
                    "excluded_reason": p.excluded_reason, "party_years": float(p.party_years),
                    "age": int(p.age), "resides_in_community": bool(p.resides_in_community)}
            canonical_rows.append(data)
            old = existing.get(p.person_id)
            if old is not None:
                differs = [k for k, v in data.items() if getattr(old, k) != v]
                if differs:
                    raise AlreadyExists(
                        f"person {p.person_id!r} is already on the roster with different"
                        f" {', '.join(differs)}", field=f"{where}.{differs[0]}",
                        value=p.person_id)
                skipped += 1
                continue
            new_rows.append(data)
        now = utcnow()
        for data in new_rows:
            tx.insert(PersonRow, election_id=req.election_id, imported_at=now, **data)
        counts = Counter(r["status"] for r in new_rows)
        await tx.audit(req.election_id, "roster.imported", {
            "imported": len(new_rows), "skipped": skipped,
            "by_status": {s: counts[s] for s in STATUSES if counts[s]},
            "excluded": sum(1 for r in new_rows if r["excluded_reason"]),
            "digest": "sha256:" + hashlib.sha256(
                canonical_json(canonical_rows).encode()).hexdigest(),
        })
        return nomination_pb2.ImportRosterResponse(imported=len(new_rows))

    async def list(self, election_id: str) -> nomination_pb2.ListRosterResponse:
        rows = await self.lookups.election_rows(q.Q_ROSTER, election_id)
        return nomination_pb2.ListRosterResponse(people=[person_message(r) for r in rows])
