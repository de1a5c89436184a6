"""What the voting domain's parts share: the kinds of meetings, rounds and marks, the
profile a meeting runs by, and the row lookups (with their locks) of a transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

import rules
from proto import voting_pb2
from rules.loading import overrides_from_json, profile_from_json
from services.common import profiles as service_profiles
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    from_rule_violation,
)
from services.common.store import Store, Tx, canonical_json
from services.voting.domain.converters import meeting_to_message
from services.voting.models import MeetingRow, RoundRow
from services.voting.official import refuse_if_official

MEETING_KINDS = ("recommendation", "committee", "congress", "plenary")
ELECTOR_CLASSES = ("member", "other")
CONGRESS_ROUND_KINDS = ("regular", "tie", "additional", "repeat")
ROUND_KINDS = ("recommendation", "trust", *CONGRESS_ROUND_KINDS)
# which round kinds a meeting holds
MEETING_ROUND_KINDS = {
    "recommendation": ("recommendation", "trust"),
    "committee": CONGRESS_ROUND_KINDS,
    "congress": CONGRESS_ROUND_KINDS,
    # P7 national: the new committee's first plenary elects the secretary and deputies
    "plenary": CONGRESS_ROUND_KINDS,
}
CHOICES = ("for", "against", "abstain")


def load_profile(name: str, overrides_json: str) -> rules.Profile:
    """The profile a meeting runs by, from the one loader (which caches it)."""
    try:
        return profile_from_json(service_profiles.profile_source(name), overrides_json)
    except rules.RuleViolation as exc:
        raise from_rule_violation(exc) from exc


def canonical_overrides(text: str) -> str:
    """A meeting's overrides as stored: their canonical JSON, or "" for blank text."""
    try:
        overrides = overrides_from_json(text)
    except rules.RuleViolation as exc:
        raise from_rule_violation(exc) from exc
    return "" if overrides is None else canonical_json(overrides)


def required(req: Any, *names: str) -> None:
    for name in names:
        if not getattr(req, name):
            raise InvalidArgument("required", field=name)


# Row locks (PostgreSQL; SQLite's writes are serialised by the process): every write that
# reads a meeting's or a round's state and then changes it holds the row's lock, so two
# check-ins of the same voter (or a cast against the count) cannot both see the old state.
async def meeting_row(tx: Tx, meeting_id: str, lock: bool = True) -> MeetingRow:
    row = await tx.session.get(MeetingRow, meeting_id,
                               with_for_update=True if lock else None) if meeting_id else None
    if row is None:
        raise NotFound(f"no meeting {meeting_id!r}", field="meeting_id")
    return row


async def round_row(tx: Tx, round_id: str, lock: bool | dict[str, bool] = True) -> RoundRow:
    row = await tx.session.get(RoundRow, round_id,
                               with_for_update=lock or None) if round_id else None
    if row is None:
        raise NotFound(f"no round {round_id!r}", field="round_id")
    return row


async def round_rows(session: Any, meeting_ids: Sequence[str]) -> list[RoundRow]:
    if not meeting_ids:
        return []
    return list((await session.execute(select(RoundRow).where(
        RoundRow.meeting_id.in_(list(meeting_ids))))).scalars().all())


async def meeting_message(tx: Tx, row: MeetingRow) -> voting_pb2.Meeting:
    return meeting_to_message(row, await round_rows(tx.session, [row.meeting_id]))


def require_open(row: RoundRow) -> None:
    refuse_if_official(row)
    if row.status != "open":
        raise FailedPrecondition(f"round {row.round_id} is {row.status}, not open",
                                 field="round_id")


class SubDomain:
    """One part of the voting domain: its writes run in the ``Tx`` they are handed, its reads
    on ``store``."""

    def __init__(self, store: Store):
        self.store = store
