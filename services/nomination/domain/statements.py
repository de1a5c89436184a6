"""The statements every nomination sub-domain runs, made once (their values bound per call):
building a statement costs more than running it inline on SQLite."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, select, update

from services.nomination.models import (
    ElectionRow,
    InspectionRow,
    NoticeRow,
    ObjectionRow,
    PersonRow,
    PlanRow,
    RegistrationRow,
)

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
Q_ROSTER = select(*_P.c).where(_P.c.election_id == bindparam("election_id")).order_by(_P.c.id)
Q_PLAN = select(*PlanRow.__table__.c).where(PlanRow.__table__.c.election_id == bindparam(
    "election_id"))
_I, _O = InspectionRow.__table__, ObjectionRow.__table__
Q_INSPECTIONS = select(*_I.c).where(_I.c.election_id == bindparam("election_id")).order_by(
    _I.c.recorded_at, _I.c.post, _I.c.person_id)
Q_OBJECTIONS = select(*_O.c).where(_O.c.election_id == bindparam("election_id")).order_by(
    _O.c.seq)

_SAVE_REGISTRATION: dict[tuple[str, ...], Any] = {}


def save_registration(fields: tuple[str, ...]) -> Any:
    """The update of a registration's ``fields`` (bound: ``b_registration_id`` and
    ``b_<field>`` for each)."""
    stmt = _SAVE_REGISTRATION.get(fields)
    if stmt is None:
        stmt = _SAVE_REGISTRATION[fields] = update(_R).where(
            _R.c.registration_id == bindparam("b_registration_id")).values(
            {f: bindparam(f"b_{f}", type_=_R.c[f].type) for f in fields})
    return stmt


_LIST_REGISTRATIONS: dict[tuple[bool, bool], Any] = {}


def list_registrations(post: bool, stage: bool) -> Any:
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
