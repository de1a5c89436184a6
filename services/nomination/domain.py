"""Elections, roster, plans, registrations, co-signatures, reviews, the candidate lifecycle,
inspections, notices and objections (E1–E4, NM1–NM4, P1–P5, O1–O2)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, select, update

import rules
from core.names import normalize_name
from gongtui.domain import CHANNELS, ORG_TYPES, POSTS, STATUSES
from proto import common_pb2, nomination_pb2
from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    from_rule_violation,
)
from services.common.store import Store, Tx, canonical_json, utcnow
from services.nomination.models import (
    CosignatureRow,
    ElectionRow,
    InspectionRow,
    NoticeRow,
    ObjectionRow,
    PersonRow,
    PlanRow,
    RegistrationRow,
)

DEFAULT_PROFILE = "nanjing"
WINDOW_STATES = ("not_open", "open", "closed")
#: stages AdvanceStage may move registrations to (the workflow records stage outcomes)
ADVANCE_STAGES = ("qualified", "shortlisted", "inspected", "candidate", "elected", "approved",
                  "filed", "dropped")
ALL_STAGES = ("registered", "rejected", *ADVANCE_STAGES)
NOTICE_KINDS = ("announcement", "registrants", "shortlist", "candidates", "results")
NOTICE_ZH = {"announcement": "选举公告", "registrants": "报名人选公示", "shortlist": "初步人选公示",
             "candidates": "候选人预备人选公示", "results": "选举结果公告"}
DECIDERS = ("street_committee", "system")
POST_ORDER = {post: i for i, post in enumerate(POSTS)}
NOTICE_LIMIT_MAX = 1000


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def registration_id_for(election_id: str, person_id: str, post: str) -> str:
    return "rg-" + _digest(election_id, person_id, post)


def _iso(value: datetime | None) -> str:
    """ISO 8601 in UTC; SQLite hands back naive datetimes for what was stored as UTC."""
    if value is None:
        return ""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _parse_overrides(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidArgument(f"not valid JSON: {exc.msg}", field="election.overrides_json",
                              value=text) from exc
    if not isinstance(value, dict):
        raise InvalidArgument("must be a JSON object", field="election.overrides_json", value=text)
    return value


# --------------------------------------------------------------------------- messages

def election_message(row: ElectionRow) -> nomination_pb2.Election:
    return nomination_pb2.Election(
        election_id=row.election_id, community_id=row.community_id,
        community_name=row.community_name, org_type=row.org_type, street_id=row.street_id,
        district_id=row.district_id, profile=row.profile, overrides_json=row.overrides_json,
        workflow_id=row.workflow_id, window_status=row.window_status,
        created_at=_iso(row.created_at))


def person_message(row: PersonRow) -> nomination_pb2.Person:
    return nomination_pb2.Person(
        person_id=row.person_id, name=row.name, status=row.status,
        excluded_reason=row.excluded_reason, party_years=row.party_years, age=row.age,
        resides_in_community=row.resides_in_community)


def plan_message(row: PlanRow) -> nomination_pb2.Plan:
    return nomination_pb2.Plan(
        election_id=row.election_id,
        posts=[nomination_pb2.PostPlan(**p) for p in json.loads(row.posts_json)],
        status=row.status, decided_reason=row.decided_reason, full_members=row.full_members)


def registration_message(row: Any, name: str) -> nomination_pb2.Registration:
    return nomination_pb2.Registration(
        registration_id=row.registration_id, election_id=row.election_id,
        person_id=row.person_id, name=name, post=row.post, channel=row.channel, stage=row.stage,
        review=row.review, rejected_rule=row.rejected_rule, reason=row.reason,
        cosigners=row.cosigners, member_cosigners=row.member_cosigners, rank=row.rank,
        held=row.held)


def cosignature_message(row: CosignatureRow) -> nomination_pb2.Cosignature:
    return nomination_pb2.Cosignature(registration_id=row.registration_id,
                                      cosigner_person_id=row.cosigner_person_id,
                                      withdrawn=row.withdrawn)


def inspection_message(row: Any) -> nomination_pb2.Inspection:
    return nomination_pb2.Inspection(election_id=row.election_id, post=row.post,
                                     person_id=row.person_id, passed=row.passed,
                                     report=row.report)


def notice_message(row: Any) -> nomination_pb2.Notice:
    return nomination_pb2.Notice(
        notice_id=row.notice_id, election_id=row.election_id, kind=row.kind, title=row.title,
        body=row.body, names=json.loads(row.names_json), days=row.days,
        published_at=_iso(row.published_at), community_name=row.community_name,
        closed_at=_iso(getattr(row, "closed_at", None)))


def objection_message(row: ObjectionRow) -> nomination_pb2.Objection:
    return nomination_pb2.Objection(
        objection_id=row.objection_id, election_id=row.election_id, notice_kind=row.notice_kind,
        person_id=row.person_id, post=row.post, reason=row.reason, status=row.status,
        decision_reason=row.decision_reason)


# Statements made once (their values bound per call): building a statement costs more than
# running it inline on SQLite.
# Core tables of the hot statements (``__table__`` is typed as a FromClause)
_E, _P, _R = (cast(Table, m.__table__) for m in (ElectionRow, PersonRow, RegistrationRow))
Q_ELECTION = select(*_E.c).where(_E.c.election_id == bindparam("election_id"))
Q_PERSON = select(*_P.c).where(_P.c.election_id == bindparam("election_id"),
                               _P.c.person_id == bindparam("person_id"))
Q_PERSON_LOCKED = Q_PERSON.with_for_update()
Q_NAMES = select(_P.c.person_id, _P.c.name).where(_P.c.election_id == bindparam("election_id"))
Q_NAMES_OF = Q_NAMES.where(_P.c.person_id.in_(bindparam("person_ids", expanding=True)))
Q_REG_LOCKED = select(*_R.c).where(
    _R.c.registration_id == bindparam("registration_id")).with_for_update()
Q_REGS_LOCKED = select(*_R.c).where(
    _R.c.registration_id.in_(bindparam("registration_ids", expanding=True))).order_by(
    _R.c.registration_id).with_for_update()
Q_REGS_OF_ELECTION = select(*_R.c).where(_R.c.election_id == bindparam("election_id"))
Q_REGS_OF_POST = Q_REGS_OF_ELECTION.where(_R.c.post == bindparam("post"))
Q_MAX_SEQ = {model: select(func.max(model.__table__.c.seq)).where(
    model.__table__.c.election_id == bindparam("election_id"))
    for model in (RegistrationRow, NoticeRow, ObjectionRow)}
_SAVE_REGISTRATION: dict[tuple[str, ...], Any] = {}
Q_ROSTER = select(*_P.c).where(_P.c.election_id == bindparam("election_id")).order_by(_P.c.id)
Q_PLAN = select(*PlanRow.__table__.c).where(PlanRow.__table__.c.election_id == bindparam(
    "election_id"))
_I, _O = InspectionRow.__table__, ObjectionRow.__table__
Q_INSPECTIONS = select(*_I.c).where(_I.c.election_id == bindparam("election_id")).order_by(
    _I.c.recorded_at, _I.c.post, _I.c.person_id)
Q_OBJECTIONS = select(*_O.c).where(_O.c.election_id == bindparam("election_id")).order_by(
    _O.c.seq)


def _save_statement(fields: tuple[str, ...]) -> Any:
    stmt = _SAVE_REGISTRATION.get(fields)
    if stmt is None:
        stmt = _SAVE_REGISTRATION[fields] = update(_R).where(
            _R.c.registration_id == bindparam("b_registration_id")).values(
            {f: bindparam(f"b_{f}", type_=_R.c[f].type) for f in fields})
    return stmt


_LIST_REGISTRATIONS: dict[tuple[bool, bool], Any] = {}


def _list_registrations(post: bool, stage: bool) -> Any:
    """The registrations of an election with their names (bound: election_id, and post and
    stage when filtered on)."""
    stmt = _LIST_REGISTRATIONS.get((post, stage))
    if stmt is None:
        reg, person = _R.c, _P.c
        stmt = select(*_registration_columns(reg), person.name).select_from(
            _R.outerjoin(_P, and_(person.election_id == reg.election_id,
                                  person.person_id == reg.person_id))
        ).where(reg.election_id == bindparam("election_id"))
        if post:
            stmt = stmt.where(reg.post == bindparam("post"))
        if stage:
            stmt = stmt.where(reg.stage == bindparam("stage"))
        _LIST_REGISTRATIONS[(post, stage)] = stmt
    return stmt


def _registration_columns(c: Any) -> list[Any]:
    """What a Registration message and the sort key read of a registrations row."""
    return [c.registration_id, c.election_id, c.person_id, c.post, c.channel, c.stage, c.review,
            c.rejected_rule, c.reason, c.cosigners, c.member_cosigners, c.rank, c.held, c.seq]


def _sort_key(row: Any) -> tuple[int, int, int, int]:
    """Post order, then rank (ranked first, when > 0), then registration order."""
    return (POST_ORDER.get(row.post, len(POSTS)), 0 if row.rank > 0 else 1, row.rank, row.seq)


def _require_decider(actor: common_pb2.Actor, what: str, rule: str = "") -> None:
    if actor.role not in DECIDERS:
        raise PermissionDenied(f"role {actor.role or '(none)'} cannot decide {what}",
                               field="actor.role", rule=rule)


class NominationDomain:
    def __init__(self, store: Store):
        self.store = store
        self._profiles: dict[tuple[str, str], rules.Profile] = {}
        self._verdicts: dict[tuple[Any, ...], Any] = {}
        self._approved: dict[str, Any] = {}  # election ID -> its approved plan (immutable)

    # ----------------------------------------------------------------------- helpers

    def _load_profile(self, name: str, overrides_json: str) -> rules.Profile:
        key = (name, overrides_json)
        profile = self._profiles.get(key)
        if profile is None:
            overrides = _parse_overrides(overrides_json)
            try:
                profile = rules.load_profile(name, overrides or None)
            except rules.RuleViolation as exc:
                err = from_rule_violation(exc)
                raise InvalidArgument(err.message, rule=err.rule, value=err.value,
                                      field=f"election.{err.field or 'profile'}") from exc
            self._profiles[key] = profile
        return profile

    def _verdict(self, check: Any, profile: rules.Profile, *args: Any) -> Any:
        """A rule check that depends on the profile and ``args`` only, evaluated once (the
        profiles are cached for the life of the process, so their identity is a fair key)."""
        key = (check, id(profile), args)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = check(profile, *args)
        return verdict

    def profile_of(self, election: ElectionRow) -> rules.Profile:
        return self._load_profile(election.profile, election.overrides_json)

    async def _election(self, session: Any, election_id: str, mutable: bool = False) -> Any:
        """The election (its row as a plain read; ``mutable``: the ORM object, to change it)."""
        if not election_id:
            raise InvalidArgument("required", field="election_id")
        if mutable:
            row = await session.get(ElectionRow, election_id)
        else:
            row = await self.store.first(session, Q_ELECTION, election_id=election_id)
        if row is None:
            raise NotFound(f"no election {election_id!r}", field="election_id", value=election_id)
        return row

    async def _person(self, session: Any, election_id: str, person_id: str,
                      field: str = "person_id", lock: bool = False) -> Any:
        """A person of the roster (a plain read: roster rows never change)."""
        if not person_id:
            raise InvalidArgument("required", field=field)
        # lock: a row lock on PostgreSQL (SQLite's writes are serialised by the process)
        row = await self.store.first(session, Q_PERSON_LOCKED if lock else Q_PERSON,
                                     election_id=election_id, person_id=person_id)
        if row is None:
            raise NotFound(f"{person_id!r} is not on the roster of {election_id!r}", field=field,
                           value=person_id)
        return row

    async def _names(self, session: Any, election_id: str, person_ids: Any = None
                     ) -> dict[str, str]:
        """Names by person ID: of ``person_ids`` if given, else of the whole roster."""
        if person_ids is None:
            return dict(await self.store.rows(session, Q_NAMES, election_id=election_id))
        return dict(await self.store.rows(session, Q_NAMES_OF, election_id=election_id,
                                          person_ids=sorted(set(person_ids))))

    @staticmethod
    async def _registration(session: Any, registration_id: str,
                            lock: bool = False) -> RegistrationRow:
        if not registration_id:
            raise InvalidArgument("required", field="registration_id")
        row = await session.get(RegistrationRow, registration_id,
                                with_for_update=True if lock else None)
        if row is None:
            raise NotFound(f"no registration {registration_id!r}", field="registration_id",
                           value=registration_id)
        return row

    async def _registrations(self, session: Any, stmt: Any, **bound: Any
                             ) -> list[SimpleNamespace]:
        """Registrations (one of the Q_REG* statements) as plain, changeable records: save
        changes with _save_registration. The locked ones: row locks on PostgreSQL, in a fixed
        order (SQLite ignores them)."""
        return [SimpleNamespace(**r._asdict())
                for r in await self.store.rows(session, stmt, **bound)]

    async def _save_registration(self, session: Any, reg: SimpleNamespace, *fields: str) -> None:
        await self.store.dml(session, _save_statement(fields),
                             b_registration_id=reg.registration_id,
                             **{f"b_{f}": getattr(reg, f) for f in fields})

    async def _approved_plan(self, session: Any, election_id: str) -> Any:
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
    def _plan_posts(plan: PlanRow) -> dict[str, dict[str, Any]]:
        return {p["post"]: p for p in json.loads(plan.posts_json) if p.get("seats", 0) > 0}

    async def _next_seq(self, session: Any, model: Any, election_id: str) -> int:
        current = await self.store.first(session, Q_MAX_SEQ[model], election_id=election_id)
        return ((current[0] if current is not None else None) or 0) + 1

    # ----------------------------------------------------------------------- elections

    async def create_election(self, tx: Tx,
                              req: nomination_pb2.CreateElectionRequest) -> nomination_pb2.Election:
        e = req.election
        for name in ("election_id", "community_id", "org_type"):
            if not getattr(e, name):
                raise InvalidArgument("required", field=f"election.{name}")
        if e.org_type not in ORG_TYPES:
            raise InvalidArgument(f"must be one of {', '.join(ORG_TYPES)}",
                                  field="election.org_type", rule="P1", value=e.org_type)
        profile_name = e.profile or DEFAULT_PROFILE
        overrides = _parse_overrides(e.overrides_json)
        overrides_json = canonical_json(overrides) if overrides else ""
        self._load_profile(profile_name, overrides_json)
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

    async def get_election(self, election_id: str) -> nomination_pb2.Election:
        async with self.store.read() as session:
            return election_message(await self._election(session, election_id))

    # ----------------------------------------------------------------------- roster

    async def import_roster(self, tx: Tx, req: nomination_pb2.ImportRosterRequest
                            ) -> nomination_pb2.ImportRosterResponse:
        election = await self._election(tx.session, req.election_id)
        if election.window_status == "closed":
            raise FailedPrecondition("the nomination window is closed: the roster is frozen",
                                     field="window_status", rule="NM3")
        profile = self.profile_of(election)
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

    async def list_roster(self, election_id: str) -> nomination_pb2.ListRosterResponse:
        async with self.store.read() as session:
            await self._election(session, election_id)
            rows = await self.store.rows(session, Q_ROSTER, election_id=election_id)
        return nomination_pb2.ListRosterResponse(people=[person_message(r) for r in rows])

    # ----------------------------------------------------------------------- plan

    async def submit_plan(self, tx: Tx, req: nomination_pb2.SubmitPlanRequest) -> nomination_pb2.Plan:
        election = await self._election(tx.session, req.election_id)
        if not req.posts:
            raise InvalidArgument("a plan needs at least one post", field="posts")
        funnels: dict[str, rules.PostFunnel] = {}
        for i, p in enumerate(req.posts):
            if p.post not in POSTS:
                raise InvalidArgument(f"unknown post (one of {', '.join(POSTS)})",
                                      field=f"posts[{i}].post", rule="P1", value=p.post)
            if p.post in funnels:
                raise InvalidArgument("each post appears once", field=f"posts[{i}].post",
                                      value=p.post)
            funnels[p.post] = rules.PostFunnel(seats=p.seats, shortlist=p.shortlist,
                                               inspected=p.inspected, candidates=p.candidates)
        plan = await tx.session.get(PlanRow, req.election_id)
        if plan is not None and plan.status == "approved":
            raise FailedPrecondition("the plan is already approved", field="plan")
        full_members = (await tx.session.execute(select(func.count()).select_from(PersonRow).where(
            PersonRow.election_id == req.election_id, PersonRow.status == "full"))).scalar_one()
        profile = self.profile_of(election)
        violations = rules.validate_plan(profile, election.org_type, full_members, funnels)
        if violations:
            first = violations[0]
            listing = "; ".join(f"[{v.rule_id}] {v.field}: {v.message}" for v in violations)
            raise InvalidArgument(f"{first.message} (all: {listing})", field=first.field,
                                  rule=first.rule_id, value=first.value)
        posts = [{"post": post, "seats": f.seats, "shortlist": f.shortlist,
                  "inspected": f.inspected, "candidates": f.candidates}
                 for post, f in sorted(funnels.items(), key=lambda kv: POST_ORDER[kv[0]])]
        if plan is None:
            plan = PlanRow(election_id=req.election_id)
            tx.session.add(plan)
        plan.posts_json = json.dumps(posts)
        plan.status = "draft"
        plan.decided_reason = ""
        plan.full_members = full_members
        plan.submitted_at = utcnow()
        plan.decided_at = None
        plan.decided_by = ""
        await tx.audit(req.election_id, "plan.submitted",
                       {"posts": posts, "full_members": full_members,
                        "org_type": election.org_type, "rules": ["P1", "P2", "P3", "P4", "P5"]})
        tx.wake(election.workflow_id, "plan submitted")
        return plan_message(plan)

    async def decide_plan(self, tx: Tx, req: nomination_pb2.DecidePlanRequest) -> nomination_pb2.Plan:
        election = await self._election(tx.session, req.election_id)
        plan = await tx.session.get(PlanRow, req.election_id)
        if plan is None:
            raise NotFound("no plan submitted", field="plan")
        _require_decider(req.actor, "plans")
        if plan.status != "draft":
            raise FailedPrecondition(f"the plan is {plan.status}, not a draft", field="plan")
        if not req.approve and not req.reason.strip():
            raise InvalidArgument("a rejection needs a reason", field="reason")
        plan.status = "approved" if req.approve else "rejected"
        plan.decided_reason = req.reason
        plan.decided_at = utcnow()
        plan.decided_by = f"{req.actor.role}@{req.actor.scope}"
        await tx.audit(req.election_id, f"plan.{plan.status}",
                       {"reason": req.reason, "posts": json.loads(plan.posts_json)})
        tx.wake(election.workflow_id, f"plan {plan.status}")
        return plan_message(plan)

    async def get_plan(self, election_id: str) -> nomination_pb2.Plan:
        async with self.store.read() as session:
            await self._election(session, election_id)
            plan = await self.store.first(session, Q_PLAN, election_id=election_id)
        if plan is None:
            raise NotFound("no plan submitted", field="plan")
        return plan_message(plan)

    # ----------------------------------------------------------------------- window

    async def open_nominations(self, tx: Tx, req: nomination_pb2.WindowRequest
                               ) -> nomination_pb2.NominationWindow:
        election = await self._election(tx.session, req.election_id, mutable=True)
        await self._approved_plan(tx.session, req.election_id)
        if election.window_status == "closed":
            raise FailedPrecondition("the nomination window is already closed",
                                     field="window_status", rule="NM3")
        if election.window_status != "open":
            election.window_status = "open"
            await tx.audit(req.election_id, "nominations.opened", {"rule": "NM3"})
            tx.wake(election.workflow_id, "nominations opened")
        return nomination_pb2.NominationWindow(election_id=req.election_id,
                                               status=election.window_status)

    async def close_nominations(self, tx: Tx, req: nomination_pb2.WindowRequest
                                ) -> nomination_pb2.NominationWindow:
        election = await self._election(tx.session, req.election_id, mutable=True)
        if election.window_status == "not_open":
            raise FailedPrecondition("the nomination window is not open",
                                     field="window_status", rule="NM3")
        if election.window_status == "open":
            election.window_status = "closed"
            count = (await tx.session.execute(select(func.count()).select_from(
                RegistrationRow).where(RegistrationRow.election_id == req.election_id))
            ).scalar_one()
            await tx.audit(req.election_id, "nominations.closed",
                           {"registrations": count, "rule": "NM3"})
            tx.wake(election.workflow_id, "nominations closed")
        return nomination_pb2.NominationWindow(election_id=req.election_id,
                                               status=election.window_status)

    # ----------------------------------------------------------------------- registrations

    async def register(self, tx: Tx, req: nomination_pb2.RegisterRequest
                       ) -> nomination_pb2.Registration:
        out = await self._register(tx, req.election_id, [("", req)])
        return out[0]

    async def register_many(self, tx: Tx, req: nomination_pb2.RegisterManyRequest
                            ) -> nomination_pb2.ListRegistrationsResponse:
        if not req.registrations:
            raise InvalidArgument("at least one registration is required",
                                  field="registrations", rule="NM1")
        out = await self._register(tx, req.election_id, [
            (f"registrations[{i}].", r) for i, r in enumerate(req.registrations)])
        return nomination_pb2.ListRegistrationsResponse(registrations=out)

    async def _register(self, tx: Tx, election_id: str, entries: list[tuple[str, Any]]
                        ) -> list[nomination_pb2.Registration]:
        """Registrations of one election, in order, all or none (``entries``: the prefix of
        the request fields naming each one, and its person_id, post and channel)."""
        session = tx.session
        election = await self._election(session, election_id)
        for where, e in entries:
            if not e.person_id:
                raise InvalidArgument("required", field=f"{where}person_id")
        people = {r.person_id: r for r in await self.store.rows(session, select(
            PersonRow.person_id, PersonRow.name).where(
            PersonRow.election_id == election_id,
            PersonRow.person_id.in_({e.person_id for _, e in entries})))}
        ids = [registration_id_for(election_id, e.person_id, e.post) for _, e in entries]
        # the registrations already there, and the last registration number, at once
        found = await self.store.rows(session, select(
            RegistrationRow.registration_id, func.max(RegistrationRow.seq).over()).where(
            RegistrationRow.election_id == election_id))
        taken = {r[0] for r in found}
        last_seq = found[0][1] if found else 0
        profile = self.profile_of(election)
        window_open = election.window_status == "open"
        plan = None
        now = utcnow()
        out: list[nomination_pb2.Registration] = []
        for (where, e), registration_id in zip(entries, ids, strict=True):
            person = people.get(e.person_id)
            if person is None:
                raise NotFound(f"{e.person_id!r} is not on the roster of {election_id!r}",
                               field=f"{where}person_id", value=e.person_id)
            if e.channel not in CHANNELS:
                raise InvalidArgument(f"must be one of {', '.join(CHANNELS)}",
                                      field=f"{where}channel", rule="NM1", value=e.channel)
            channel = self._verdict(rules.check_channel, profile, e.channel)
            if not channel.ok:
                raise InvalidArgument(channel.reason, field=f"{where}channel",
                                      rule=channel.rule, value=e.channel)
            if e.post not in POSTS:
                raise InvalidArgument(f"unknown post (one of {', '.join(POSTS)})",
                                      field=f"{where}post", value=e.post)
            plan = plan or await self._approved_plan(session, election_id)
            if e.post not in self._plan_posts(plan):
                raise InvalidArgument("the approved plan has no seats for this post",
                                      field=f"{where}post", value=e.post)
            already = registration_id in taken
            verdict = self._verdict(rules.check_registration, profile, window_open, already)
            if not verdict.ok:
                raise FailedPrecondition(
                    verdict.reason, rule=verdict.rule or "NM3",
                    field="window_status" if not window_open else f"{where}post", value=e.post)
            taken.add(registration_id)
            last_seq += 1
            values = dict(
                registration_id=registration_id, election_id=election_id, seq=last_seq,
                person_id=e.person_id, post=e.post, channel=e.channel, stage="registered",
                review="pending", auto_checked=False, rejected_rule="", reason="", cosigners=0,
                member_cosigners=0, rank=0, held=False, dropped_at="", registered_at=now,
                updated_at=now)
            tx.insert(RegistrationRow, **values)
            await tx.audit(election_id, "registration.received", {
                "registration_id": registration_id, "person_id": person.person_id,
                "name": person.name, "post": e.post, "channel": e.channel,
                "rules": ["NM1", "NM3"]})
            out.append(registration_message(SimpleNamespace(**values), person.name))
        return out

    async def cosign(self, tx: Tx, req: nomination_pb2.CosignRequest) -> nomination_pb2.Cosignature:
        rows = await self._cosign(tx, req.registration_id,
                                  [("cosigner_person_id", req.cosigner_person_id)])
        return rows[0]

    async def cosign_many(self, tx: Tx, req: nomination_pb2.CosignManyRequest
                          ) -> nomination_pb2.CosignManyResponse:
        if not req.cosigner_person_ids:
            raise InvalidArgument("at least one co-signer is required",
                                  field="cosigner_person_ids", rule="NM2")
        seen: set[str] = set()
        for i, pid in enumerate(req.cosigner_person_ids):
            if pid in seen:
                raise InvalidArgument(f"{pid!r} is listed twice",
                                      field=f"cosigner_person_ids[{i}]", rule="NM2", value=pid)
            seen.add(pid)
        rows = await self._cosign(tx, req.registration_id, [
            (f"cosigner_person_ids[{i}]", pid) for i, pid in enumerate(req.cosigner_person_ids)])
        return nomination_pb2.CosignManyResponse(cosignatures=rows)

    async def _cosign(self, tx: Tx, registration_id: str, signers: list[tuple[str, str]]
                      ) -> list[nomination_pb2.Cosignature]:
        """Co-signatures of one registration, in order, all or none (``signers``: the request
        field naming each co-signer, and the co-signer's person ID)."""
        # Two co-signatures racing (the same co-signer for two nominations of one post, or a
        # co-signature against the review counting them) are serialised by row locks on the
        # registration and on the co-signer; a partial unique index backs the NM2 rule.
        session = tx.session
        if not registration_id:
            raise InvalidArgument("required", field="registration_id")
        found = await self._registrations(session, Q_REG_LOCKED,
                                          registration_id=registration_id)
        if not found:
            raise NotFound(f"no registration {registration_id!r}", field="registration_id",
                           value=registration_id)
        reg = found[0]
        election = await self._election(session, reg.election_id)
        if reg.channel != "joint":
            raise FailedPrecondition("only a joint nomination (联名举荐) takes co-signatures",
                                     field="registration_id", rule="NM2", value=reg.channel)
        profile = self.profile_of(election)
        window = self._verdict(rules.check_registration, profile,
                              election.window_status == "open", False)
        if not window.ok:
            raise FailedPrecondition(window.reason, field="window_status",
                                     rule=window.rule or "NM3")
        for field, pid in signers:
            if not pid:
                raise InvalidArgument("required", field=field)
        ids = [pid for _, pid in signers]
        stmt = select(PersonRow.person_id, PersonRow.status).where(
            PersonRow.election_id == reg.election_id, PersonRow.person_id.in_(ids))
        if not self.store.db.sqlite:  # row locks, in a fixed order
            stmt = stmt.order_by(PersonRow.person_id).with_for_update()
        people = dict(await self.store.rows(session, stmt))
        for field, pid in signers:
            if pid not in people:
                raise NotFound(f"{pid!r} is not on the roster of {reg.election_id!r}",
                               field=field, value=pid)
            if pid == reg.person_id:
                raise InvalidArgument("nobody co-signs their own nomination", field=field,
                                      rule="NM2", value=pid)
        others = dict(await self.store.rows(session, select(
            CosignatureRow.cosigner_person_id, CosignatureRow.registration_id).where(
            CosignatureRow.election_id == reg.election_id, CosignatureRow.post == reg.post,
            CosignatureRow.cosigner_person_id.in_(ids),
            CosignatureRow.registration_id != reg.registration_id,
            CosignatureRow.withdrawn.is_(False))))
        for field, pid in signers:
            other = others.get(pid)
            if other is not None:
                raise FailedPrecondition(
                    f"one co-signature per person per post: {pid!r} already co-signs"
                    f" {other!r} for {reg.post}", field=field, rule="NM2", value=pid)
        existing = dict(await self.store.rows(session, select(
            CosignatureRow.cosigner_person_id, CosignatureRow.withdrawn).where(
            CosignatureRow.registration_id == reg.registration_id,
            CosignatureRow.cosigner_person_id.in_(ids))))
        signatures = cast(Table, CosignatureRow.__table__)
        out: list[nomination_pb2.Cosignature] = []
        for _, pid in signers:
            if pid in existing:
                if existing[pid]:  # withdrawn: signed again
                    await self.store.dml(session, update(signatures).where(
                        signatures.c.registration_id == reg.registration_id,
                        signatures.c.cosigner_person_id == pid).values(
                        withdrawn=False, signed_at=utcnow()))
                    await tx.audit(reg.election_id, "cosignature.renewed", {
                        "registration_id": reg.registration_id, "cosigner_person_id": pid,
                        "post": reg.post, "rule": "NM2"})
                out.append(nomination_pb2.Cosignature(registration_id=reg.registration_id,
                                                      cosigner_person_id=pid, withdrawn=False))
                continue
            tx.insert(CosignatureRow, registration_id=reg.registration_id,
                      cosigner_person_id=pid, election_id=reg.election_id, post=reg.post,
                      withdrawn=False, signed_at=utcnow())
            await tx.audit(reg.election_id, "cosignature.added", {
                "registration_id": reg.registration_id, "nominee_person_id": reg.person_id,
                "cosigner_person_id": pid, "cosigner_status": people[pid], "post": reg.post,
                "rule": "NM2"})
            out.append(nomination_pb2.Cosignature(registration_id=reg.registration_id,
                                                  cosigner_person_id=pid, withdrawn=False))
        return out

    async def withdraw_cosignature(self, tx: Tx, req: nomination_pb2.WithdrawCosignatureRequest
                                   ) -> nomination_pb2.Cosignature:
        reg = await self._registration(tx.session, req.registration_id, lock=True)
        if not req.cosigner_person_id:
            raise InvalidArgument("required", field="cosigner_person_id")
        row = await tx.session.get(CosignatureRow, (reg.registration_id, req.cosigner_person_id))
        if row is None:
            raise NotFound(f"{req.cosigner_person_id!r} has not co-signed this nomination",
                           field="cosigner_person_id", value=req.cosigner_person_id)
        if reg.auto_checked:
            raise FailedPrecondition("the co-signatures were already counted by the review",
                                     field="registration_id", rule="NM2")
        if not row.withdrawn:
            row.withdrawn = True
            await tx.audit(reg.election_id, "cosignature.withdrawn", {
                "registration_id": reg.registration_id,
                "cosigner_person_id": row.cosigner_person_id, "post": reg.post, "rule": "NM2"})
        return cosignature_message(row)

    async def run_automatic_review(self, tx: Tx, req: nomination_pb2.AutomaticReviewRequest
                                   ) -> nomination_pb2.ListRegistrationsResponse:
        election = await self._election(tx.session, req.election_id)
        if election.window_status != "closed":
            raise FailedPrecondition("the automatic review runs after the nomination window"
                                     " closes", field="window_status", rule="NM4")
        profile = self.profile_of(election)
        people = {p.person_id: p for p in await self.store.rows(tx.session, select(
            *PersonRow.__table__.c).where(PersonRow.election_id == req.election_id))}
        regs = await self._registrations(tx.session, Q_REGS_OF_ELECTION,
                                         election_id=req.election_id)
        pending = sorted((r for r in regs if not r.auto_checked), key=lambda r: r.seq)
        signatures: dict[str, list[Any]] = {}
        if any(r.channel == "joint" and r.stage == "registered" for r in pending):
            for s in await self.store.rows(tx.session, select(
                    CosignatureRow.registration_id, CosignatureRow.cosigner_person_id,
                    CosignatureRow.withdrawn).where(
                    CosignatureRow.election_id == req.election_id).order_by(
                    CosignatureRow.signed_at, CosignatureRow.cosigner_person_id)):
                signatures.setdefault(s.registration_id, []).append(s)
        passed = rejected = 0
        for reg in pending:
            reg.auto_checked = True
            if reg.stage != "registered":  # e.g. removed by an upheld objection meanwhile
                await self._save_registration(tx.session, reg, "auto_checked")
                continue
            person = people[reg.person_id]
            facts = rules.PersonFacts(
                status=person.status, own_organization=person.status != "guest_member",
                party_years=person.party_years, age=person.age or None,
                resides_in_community=person.resides_in_community)
            verdict = rules.check_eligibility(profile, facts)
            checked = [verdict.rule]
            if verdict.ok and reg.channel == "joint":
                cosigners = [rules.Cosigner(
                    person_id=s.cosigner_person_id, status=people[s.cosigner_person_id].status,
                    in_community=True, withdrawn=s.withdrawn)
                    for s in signatures.get(reg.registration_id, [])]
                verdict = rules.check_joint_nomination(profile, reg.person_id, cosigners)
                checked.append(verdict.rule)
                counts = verdict.value if isinstance(verdict.value, dict) else {}
                reg.cosigners = int(counts.get("cosigners", sum(
                    1 for c in cosigners if not c.withdrawn)))
                reg.member_cosigners = int(counts.get("members", sum(
                    1 for c in cosigners if not c.withdrawn and c.status == "full")))
            reg.updated_at = utcnow()
            if verdict.ok:
                passed += 1
                reg.reason = ""
                kind = "review.auto_passed"
            else:
                rejected += 1
                reg.stage = "rejected"
                reg.review = "rejected"
                reg.rejected_rule = verdict.rule
                reg.reason = verdict.reason
                kind = "review.auto_rejected"
            await self._save_registration(
                tx.session, reg, "auto_checked", "stage", "review", "rejected_rule", "reason",
                "cosigners", "member_cosigners", "updated_at")
            await tx.audit(req.election_id, kind, {
                "registration_id": reg.registration_id, "person_id": reg.person_id,
                "name": person.name, "post": reg.post, "channel": reg.channel,
                "ok": verdict.ok, "rule": verdict.rule, "reason": verdict.reason,
                "rules_checked": checked, "cosigners": reg.cosigners,
                "member_cosigners": reg.member_cosigners})
        if pending:
            tx.wake(election.workflow_id,
                    f"automatic review: {passed} passed, {rejected} rejected")
        names = {pid: p.name for pid, p in people.items()}
        return nomination_pb2.ListRegistrationsResponse(registrations=[
            registration_message(r, names.get(r.person_id, "")) for r in sorted(regs, key=_sort_key)])

    async def decide_review(self, tx: Tx, req: nomination_pb2.DecideReviewRequest
                            ) -> nomination_pb2.Registration:
        out = await self._decide_reviews(tx, req.actor, [("", req)])
        return out[0]

    async def decide_reviews(self, tx: Tx, req: nomination_pb2.DecideReviewsRequest
                             ) -> nomination_pb2.ListRegistrationsResponse:
        if not req.decisions:
            raise InvalidArgument("at least one decision is required", field="decisions",
                                  rule="NM4")
        seen: set[str] = set()
        for i, d in enumerate(req.decisions):
            if d.registration_id in seen:
                raise InvalidArgument(f"{d.registration_id!r} is decided twice",
                                      field=f"decisions[{i}].registration_id", rule="NM4",
                                      value=d.registration_id)
            seen.add(d.registration_id)
        out = await self._decide_reviews(
            tx, req.actor, [(f"decisions[{i}].", d) for i, d in enumerate(req.decisions)])
        return nomination_pb2.ListRegistrationsResponse(registrations=out)

    async def _decide_reviews(self, tx: Tx, actor: common_pb2.Actor,
                              decisions: list[tuple[str, Any]]
                              ) -> list[nomination_pb2.Registration]:
        """NM4 decisions of one election, in order, all or none (``decisions``: the prefix of
        the request fields naming each decision, and the decision)."""
        session = tx.session
        for where, d in decisions:
            if not d.registration_id:
                raise InvalidArgument("required", field=f"{where}registration_id")
        ids = [d.registration_id for _, d in decisions]
        regs = {r.registration_id: r for r in await self._registrations(
            session, Q_REGS_LOCKED, registration_ids=sorted(set(ids)))}
        election_id = ""
        for where, d in decisions:
            reg = regs.get(d.registration_id)
            if reg is None:
                raise NotFound(f"no registration {d.registration_id!r}",
                               field=f"{where}registration_id", value=d.registration_id)
            if election_id and reg.election_id != election_id:
                raise InvalidArgument("all decisions must be of one election",
                                      field=f"{where}registration_id", value=d.registration_id)
            election_id = reg.election_id
        election = await self._election(session, election_id)
        _require_decider(actor, "qualification reviews", rule="NM4")
        for where, d in decisions:
            reg = regs[d.registration_id]
            field = f"{where}registration_id"
            if not reg.auto_checked:
                raise FailedPrecondition("the automatic review has not checked this registration",
                                         field=field, rule="NM4")
            if reg.review != "pending" or reg.stage != "registered":
                raise FailedPrecondition(f"already decided: review {reg.review}, stage {reg.stage}",
                                         field=field, rule="NM4")
            if not d.approve and not d.reason.strip():
                raise InvalidArgument("a rejection needs a reason", field=f"{where}reason",
                                      rule="NM4")
        names = await self._names(session, election_id, [regs[i].person_id for i in ids])
        now = utcnow()
        out: list[nomination_pb2.Registration] = []
        for _, d in decisions:
            reg = regs[d.registration_id]
            if d.approve:
                reg.stage, reg.review, reg.rejected_rule = "qualified", "approved", ""
            else:
                reg.stage, reg.review, reg.rejected_rule = "rejected", "rejected", "NM4"
            reg.reason = d.reason
            reg.updated_at = now
            await self._save_registration(session, reg, "stage", "review", "rejected_rule",
                                          "reason", "updated_at")
            name = names.get(reg.person_id)
            if name is None:
                raise NotFound(f"{reg.person_id!r} is not on the roster of {election_id!r}",
                               field="person_id", value=reg.person_id)
            await tx.audit(election_id, f"review.{reg.review}", {
                "registration_id": reg.registration_id, "person_id": reg.person_id,
                "name": name, "post": reg.post, "reason": d.reason, "rule": "NM4"})
            out.append(registration_message(reg, name))
        if len(decisions) == 1:
            reg = regs[ids[0]]
            tx.wake(election.workflow_id, f"review {reg.registration_id} {reg.review}")
        else:
            tx.wake(election.workflow_id, f"{len(decisions)} reviews decided")
        return out

    async def list_registrations(self, req: nomination_pb2.ListRegistrationsRequest
                                 ) -> nomination_pb2.ListRegistrationsResponse:
        if req.post and req.post not in POSTS:
            raise InvalidArgument(f"unknown post (one of {', '.join(POSTS)})", field="post",
                                  value=req.post)
        if req.stage and req.stage not in ALL_STAGES:
            raise InvalidArgument(f"unknown stage (one of {', '.join(ALL_STAGES)})",
                                  field="stage", value=req.stage)
        if not req.election_id:
            raise InvalidArgument("required", field="election_id")
        stmt = _list_registrations(bool(req.post), bool(req.stage))
        async with self.store.read() as session:
            rows = await self.store.rows(session, stmt, election_id=req.election_id,
                                         **({"post": req.post} if req.post else {}),
                                         **({"stage": req.stage} if req.stage else {}))
            if not rows:  # none, or no such election
                await self._election(session, req.election_id)
        return nomination_pb2.ListRegistrationsResponse(registrations=[
            registration_message(r, r.name or "") for r in sorted(rows, key=_sort_key)])

    # ----------------------------------------------------------------------- stages

    async def advance_stage(self, tx: Tx, req: nomination_pb2.AdvanceStageRequest
                            ) -> nomination_pb2.ListRegistrationsResponse:
        await self._election(tx.session, req.election_id)
        if req.post not in POSTS:
            raise InvalidArgument(f"unknown post (one of {', '.join(POSTS)})", field="post",
                                  value=req.post)
        if req.stage not in ADVANCE_STAGES:
            raise InvalidArgument(f"unknown stage (one of {', '.join(ADVANCE_STAGES)})",
                                  field="stage", value=req.stage)
        if req.from_stage and req.from_stage not in ALL_STAGES:
            raise InvalidArgument(f"unknown stage (one of {', '.join(ALL_STAGES)})",
                                  field="from_stage", value=req.from_stage)
        if len(set(req.person_ids)) != len(req.person_ids):
            raise InvalidArgument("a person is listed twice", field="person_ids")
        regs = {r.person_id: r for r in await self._registrations(
            tx.session, Q_REGS_OF_POST, election_id=req.election_id, post=req.post)}
        names = await self._names(tx.session, req.election_id, regs)
        moving: list[Any] = []
        for i, pid in enumerate(req.person_ids):
            reg = regs.get(pid)
            field = f"person_ids[{i}]"
            if reg is None:
                raise FailedPrecondition(f"{pid!r} has no registration for {req.post}",
                                         field=field, value=pid)
            # a retry that already moved this person to the stage at this rank is accepted
            repeated = reg.stage == req.stage and reg.rank == i + 1
            if req.from_stage and reg.stage != req.from_stage and not repeated:
                raise FailedPrecondition(
                    f"{pid!r} is {reg.stage}, not {req.from_stage}, for {req.post}",
                    field=field, value=reg.stage)
            if not req.from_stage and reg.stage == "rejected":
                raise FailedPrecondition(
                    f"{pid!r} was rejected ({reg.rejected_rule}) for {req.post}",
                    field=field, rule=reg.rejected_rule, value=reg.stage)
            moving.append(reg)
        now = utcnow()
        listed = set(req.person_ids)
        for rank, reg in enumerate(moving, start=1):
            if req.stage == "dropped" and reg.stage != "dropped":
                reg.dropped_at = reg.stage
            reg.stage = req.stage
            reg.rank = rank
            reg.updated_at = now
        dropped: list[Any] = []
        if req.from_stage and req.from_stage != req.stage:
            for reg in sorted(regs.values(), key=_sort_key):
                if reg.person_id not in listed and reg.stage == req.from_stage:
                    reg.stage = "dropped"
                    reg.dropped_at = req.stage
                    reg.rank = 0
                    reg.updated_at = now
                    dropped.append(reg)
        for reg in (*moving, *dropped):
            await self._save_registration(tx.session, reg, "stage", "rank", "dropped_at",
                                          "updated_at")
        await tx.audit(req.election_id, "stage.advanced", {
            "post": req.post, "stage": req.stage, "from_stage": req.from_stage,
            "person_ids": list(req.person_ids),
            "names": [names.get(pid, "") for pid in req.person_ids],
            "dropped": [r.person_id for r in dropped],
            "dropped_names": [names.get(r.person_id, "") for r in dropped],
            "rules": list(req.rules)})
        return nomination_pb2.ListRegistrationsResponse(registrations=[
            registration_message(r, names.get(r.person_id, ""))
            for r in sorted(regs.values(), key=_sort_key)])

    # ----------------------------------------------------------------------- inspections

    async def record_inspection(self, tx: Tx, req: nomination_pb2.RecordInspectionRequest
                                ) -> nomination_pb2.Inspection:
        election = await self._election(tx.session, req.election_id)
        if req.post not in POSTS:
            raise InvalidArgument(f"unknown post (one of {', '.join(POSTS)})", field="post",
                                  value=req.post)
        person = await self._person(tx.session, req.election_id, req.person_id)
        existing = await self.store.first(tx.session, select(*InspectionRow.__table__.c).where(
            InspectionRow.election_id == req.election_id, InspectionRow.post == req.post,
            InspectionRow.person_id == req.person_id))
        if existing is not None:
            if existing.passed == req.passed and existing.report == req.report:
                return inspection_message(existing)
            raise FailedPrecondition("an inspection is already recorded for this person and post"
                                     " with a different outcome", field="person_id",
                                     value=req.person_id)
        reg = await self.store.first(tx.session, select(RegistrationRow.stage).where(
            RegistrationRow.registration_id == registration_id_for(
                req.election_id, req.person_id, req.post)))
        if reg is None or reg.stage != "shortlisted":
            raise FailedPrecondition(
                f"{req.person_id!r} is not shortlisted for {req.post}"
                + (f" (stage {reg.stage})" if reg is not None else ""), field="person_id",
                value=req.person_id)
        values = dict(election_id=req.election_id, post=req.post, person_id=req.person_id,
                      passed=req.passed, report=req.report, recorded_at=utcnow())
        tx.insert(InspectionRow, **values)
        row = SimpleNamespace(**values)
        await tx.audit(req.election_id, "inspection.recorded", {
            "post": req.post, "person_id": req.person_id, "name": person.name,
            "passed": req.passed, "report": req.report})
        tx.wake(election.workflow_id, f"inspection of {req.person_id} for {req.post}")
        return inspection_message(row)

    async def list_inspections(self, election_id: str) -> nomination_pb2.ListInspectionsResponse:
        async with self.store.read() as session:
            await self._election(session, election_id)
            rows = await self.store.rows(session, Q_INSPECTIONS, election_id=election_id)
        rows = sorted(rows, key=lambda r: (POST_ORDER.get(r.post, len(POSTS)), r.recorded_at))
        return nomination_pb2.ListInspectionsResponse(
            inspections=[inspection_message(r) for r in rows])

    # ----------------------------------------------------------------------- notices

    async def publish_notice(self, tx: Tx, req: nomination_pb2.PublishNoticeRequest
                             ) -> nomination_pb2.Notice:
        election = await self._election(tx.session, req.election_id)
        if req.kind not in NOTICE_KINDS:
            raise InvalidArgument(f"unknown notice kind (one of {', '.join(NOTICE_KINDS)})",
                                  field="kind", value=req.kind)
        if req.days < 0:
            raise InvalidArgument("cannot be negative", field="days", value=req.days)
        days = req.days
        if days == 0 and req.kind != "announcement":  # O1: the profile's notice period
            days = rules.notice_days(self.profile_of(election))
        seq = await self._next_seq(tx.session, NoticeRow, req.election_id)
        title = req.title or f"{election.community_name}{NOTICE_ZH[req.kind]}"
        values = dict(
            notice_id="nt-" + _digest(req.election_id, req.kind, seq),
            election_id=req.election_id, seq=seq, kind=req.kind, title=title, body=req.body,
            names_json=json.dumps(list(req.names), ensure_ascii=False), days=days,
            community_name=election.community_name, published_at=utcnow())
        tx.insert(NoticeRow, **values)
        row = SimpleNamespace(**values)
        await tx.audit(req.election_id, "notice.published", {
            "notice_id": row.notice_id, "kind": req.kind, "title": title, "body": req.body,
            "names": list(req.names), "days": days, "rule": "O1"})
        return notice_message(row)

    @staticmethod
    async def _newest_notice(session: Any, election_id: str, kind: str) -> NoticeRow | None:
        """The notice of ``kind`` in effect (a rerun publishes a new shortlist or candidate
        notice), its row locked on PostgreSQL: an objection filed before the close commits
        before the close does, and so before the workflow reads the objections; and the
        objections of one notice take their sequence numbers one after the other (many
        members objecting at once were refused as duplicates of each other)."""
        stmt = select(NoticeRow).where(NoticeRow.election_id == election_id,
                                       NoticeRow.kind == kind).order_by(
            NoticeRow.seq.desc()).limit(1).with_for_update()
        return (await session.execute(stmt)).scalar_one_or_none()

    async def close_notice(self, tx: Tx, req: nomination_pb2.CloseNoticeRequest
                           ) -> nomination_pb2.Notice:
        """O1: the notice period has run. From now on objections against it are refused (O2),
        so the objections the workflow reads next are all the notice will get."""
        await self._election(tx.session, req.election_id)
        if req.kind not in NOTICE_KINDS:
            raise InvalidArgument(f"unknown notice kind (one of {', '.join(NOTICE_KINDS)})",
                                  field="kind", value=req.kind)
        row = await self._newest_notice(tx.session, req.election_id, req.kind)
        if row is None:
            raise FailedPrecondition(f"no {req.kind} notice has been published", field="kind",
                                     rule="O1", value=req.kind)
        if row.closed_at is None:
            row.closed_at = utcnow()
        return notice_message(row)

    async def list_notices(self, req: nomination_pb2.ListNoticesRequest
                           ) -> nomination_pb2.ListNoticesResponse:
        limit = req.limit if req.limit > 0 else 100
        limit = min(limit, NOTICE_LIMIT_MAX)
        stmt = select(*NoticeRow.__table__.c)
        if req.election_id:
            stmt = stmt.where(NoticeRow.election_id == req.election_id)
        stmt = stmt.order_by(NoticeRow.published_at.desc(), NoticeRow.seq.desc()).limit(limit)
        async with self.store.read() as session:
            rows = await self.store.rows(session, stmt)
        return nomination_pb2.ListNoticesResponse(notices=[notice_message(r) for r in rows])

    # ----------------------------------------------------------------------- objections

    @staticmethod
    async def _concerned(session: Any, objection: ObjectionRow) -> list[RegistrationRow]:
        stmt = select(RegistrationRow).where(
            RegistrationRow.election_id == objection.election_id,
            RegistrationRow.person_id == objection.person_id)
        if objection.post:
            stmt = stmt.where(RegistrationRow.post == objection.post)
        return sorted((await session.execute(stmt)).scalars(), key=_sort_key)

    async def file_objection(self, tx: Tx, req: nomination_pb2.FileObjectionRequest
                             ) -> nomination_pb2.Objection:
        election = await self._election(tx.session, req.election_id)
        if req.notice_kind not in NOTICE_KINDS:
            raise InvalidArgument(f"unknown notice kind (one of {', '.join(NOTICE_KINDS)})",
                                  field="notice_kind", value=req.notice_kind)
        if req.post and req.post not in POSTS:
            raise InvalidArgument(f"unknown post (one of {', '.join(POSTS)})", field="post",
                                  value=req.post)
        if not req.reason.strip():
            raise InvalidArgument("an objection needs a reason", field="reason", rule="O2")
        notice = await self._newest_notice(tx.session, req.election_id, req.notice_kind)
        if notice is None:
            raise FailedPrecondition(f"no {req.notice_kind} notice has been published",
                                     field="notice_kind", rule="O2", value=req.notice_kind)
        if notice.closed_at is not None:  # O2: objections are filed during the notice period
            raise FailedPrecondition(
                f"the {req.notice_kind} notice period closed at {_iso(notice.closed_at)}; "
                "objections are filed during it", field="notice_kind", rule="O2",
                value=req.notice_kind)
        person = await self._person(tx.session, req.election_id, req.person_id)
        seq = await self._next_seq(tx.session, ObjectionRow, req.election_id)
        row = ObjectionRow(
            objection_id="ob-" + _digest(req.election_id, seq), election_id=req.election_id,
            seq=seq, notice_kind=req.notice_kind, person_id=req.person_id, post=req.post,
            reason=req.reason, status="pending", decision_reason="", filed_at=utcnow())
        concerned = await self._concerned(tx.session, row)
        if not concerned:
            raise NotFound(f"{req.person_id!r} is not a registrant"
                           + (f" for {req.post}" if req.post else ""), field="person_id",
                           value=req.person_id)
        effect = rules.objection_effect("pending")
        held = []
        for reg in concerned:
            if reg.stage not in ("rejected", "dropped"):
                reg.held = True
                reg.updated_at = utcnow()
                held.append(reg.registration_id)
        tx.session.add(row)
        await tx.audit(req.election_id, "objection.filed", {
            "objection_id": row.objection_id, "notice_kind": req.notice_kind,
            "person_id": req.person_id, "name": person.name, "post": req.post,
            "reason": req.reason, "held": held, "effect": effect.value, "rule": "O2"})
        tx.wake(election.workflow_id, f"objection {row.objection_id} filed")
        return objection_message(row)

    async def decide_objection(self, tx: Tx, req: nomination_pb2.DecideObjectionRequest
                               ) -> nomination_pb2.Objection:
        if not req.objection_id:
            raise InvalidArgument("required", field="objection_id")
        row = await tx.session.get(ObjectionRow, req.objection_id)
        if row is None:
            raise NotFound(f"no objection {req.objection_id!r}", field="objection_id",
                           value=req.objection_id)
        election = await self._election(tx.session, row.election_id)
        _require_decider(req.actor, "objections", rule="O2")
        if row.status != "pending":
            raise FailedPrecondition(f"already decided: {row.status}", field="objection_id",
                                     rule="O2")
        row.status = "upheld" if req.upheld else "dismissed"
        row.decision_reason = req.reason
        row.decided_at = utcnow()
        row.decided_by = f"{req.actor.role}@{req.actor.scope}"
        effect = rules.objection_effect(row.status)
        await tx.session.flush()
        others = list((await tx.session.execute(select(ObjectionRow).where(
            ObjectionRow.election_id == row.election_id,
            ObjectionRow.person_id == row.person_id,
            ObjectionRow.status == "pending"))).scalars())
        removed, released = [], []
        for reg in await self._concerned(tx.session, row):
            if req.upheld and reg.stage != "rejected":
                reg.stage = "rejected"
                reg.rejected_rule = "O2"
                reg.reason = req.reason or row.reason
                if reg.review == "pending":
                    reg.review = "rejected"
                reg.rank = 0
                removed.append(reg.registration_id)
            still_held = any(not o.post or o.post == reg.post for o in others)
            if reg.held and not (still_held and reg.stage != "rejected"):
                reg.held = False
                released.append(reg.registration_id)
            reg.updated_at = utcnow()
        person = await self._person(tx.session, row.election_id, row.person_id)
        await tx.audit(row.election_id, f"objection.{row.status}", {
            "objection_id": row.objection_id, "person_id": row.person_id, "name": person.name,
            "post": row.post, "reason": req.reason, "removed": removed, "released": released,
            "effect": effect.value, "rule": "O2"})
        tx.wake(election.workflow_id, f"objection {row.objection_id} {row.status}")
        return objection_message(row)

    async def list_objections(self, election_id: str) -> nomination_pb2.ListObjectionsResponse:
        async with self.store.read() as session:
            await self._election(session, election_id)
            rows = await self.store.rows(session, Q_OBJECTIONS, election_id=election_id)
        return nomination_pb2.ListObjectionsResponse(objections=[objection_message(r) for r in rows])

    async def record_event(self, tx: Tx, req: nomination_pb2.RecordElectionEventRequest
                           ) -> common_pb2.AuditRecord:
        """Pause, resume, abort and other procedural events go into the audit chain."""
        if not req.kind or not all(part.isidentifier() for part in req.kind.split(".")):
            raise InvalidArgument("an event kind like election.paused is required", field="kind",
                                  value=req.kind)
        try:
            payload = json.loads(req.payload_json or "{}")
        except ValueError as exc:
            raise InvalidArgument(f"not JSON: {exc}", field="payload_json") from exc
        if not isinstance(payload, dict):
            raise InvalidArgument("must be a JSON object", field="payload_json")
        await self._election(tx.session, req.election_id)
        row = await tx.audit(req.election_id, req.kind, payload)
        return common_pb2.AuditRecord(seq=row.seq, kind=row.kind, payload_json=row.payload_json,
                                      actor_role=row.actor_role, actor_scope=row.actor_scope,
                                      prev_hash=row.prev_hash, hash=row.hash,
                                      created_at=row.created_at)
