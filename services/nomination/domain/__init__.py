"""The nomination service's domain: elections and rosters, plans, the nomination window and
registrations, co-signatures, qualification reviews, the candidate funnel, inspections,
notices, objections and procedural events (E1–E4, NM1–NM4, P1–P5, O1–O2).

One small class per sub-domain over the store; :class:`NominationDomain` composes them over
one shared :class:`Lookups`, so its caches serve them all (``domain.plans.submit(tx, req)``).
"""

from __future__ import annotations

from services.common.store import Store
from services.nomination.domain.cosignatures import Cosignatures
from services.nomination.domain.elections import Elections, Roster
from services.nomination.domain.events import Events
from services.nomination.domain.exclusions import Exclusions
from services.nomination.domain.inspections import Inspections
from services.nomination.domain.lookups import Lookups
from services.nomination.domain.notices import Notices
from services.nomination.domain.objections import Objections
from services.nomination.domain.plans import Plans
from services.nomination.domain.registrations import Registrations, Window
from services.nomination.domain.reviews import Reviews
from services.nomination.domain.stages import Stages

__all__ = ["NominationDomain"]


class NominationDomain:
    def __init__(self, store: Store):
        self.store = store
        self.lookups = shared = Lookups(store)
        self.elections = Elections(store, shared)
        self.roster = Roster(store, shared)
        self.exclusions = Exclusions(store, shared)
        self.plans = Plans(store, shared)
        self.window = Window(store, shared)
        self.registrations = Registrations(store, shared)
        self.cosignatures = Cosignatures(store, shared)
        self.reviews = Reviews(store, shared)
        self.stages = Stages(store, shared)
        self.inspections = Inspections(store, shared)
        self.notices = Notices(store, shared)
        self.objections = Objections(store, shared)
        self.events = Events(store, shared)
