"""Who may do what: roles, scopes and the checks every route makes.

Tokens
    ``Authorization: Bearer gt_<token_id>_<secret>``. Only the sha256 of the whole token is
    stored (api.db, table ``tokens``); ``gongtui token create`` prints it once.
    No token, an unknown or a revoked one: **401**. A known token whose role may not use the
    route, or whose scope does not cover the election / community / approval: **403**.
    Each refusal body says which (``field`` = ``authorization``, ``role`` or ``scope``).

Scopes (``kind:ID``)
    * ``community:C`` covers the elections of community C;
    * ``street:S`` covers every election whose ``street_id`` is S;
    * ``district:D`` covers every election whose ``district_id`` is D (an election started
      without a district is placed by its street in the API's registry);
    * ``district:*`` covers every district: the scope of the district organization department
      that runs several districts, or of a bootstrap administrator. Only a ``district:*``
      admin creates districts other than its own.

Roles and the scopes their tokens take
    ``district_admin`` district; ``street_committee`` street; ``community_office``
    community; ``approver`` street (the street's higher committee is the approving committee,
    A3; the approval's ``committee_id``) or district; ``supervisor`` any; ``member`` and
    ``resident`` community, optionally bound to a roster person (``--person``): personal acts
    (self-nomination, co-signing, withdrawing a co-signature) need that binding.

Ballots
    ``POST /api/v1/ballots`` takes no token: the one-time code is the credential, and a token
    would tie the ballot to a person in the request — a cast sent with an ``Authorization``
    header or a console session is refused (403), whatever the role.

Four eyes
    A paper tally entered at the desk (``community_office``, or ``street_committee`` for its
    own vote) counts once the ``supervisor`` (总监票人), another person, confirms it
    (``POST .../rounds/{id}/tally/confirm``, M12). E2 exclusions the office enters lower the
    quorum base once the ``street_committee`` consents (``POST .../roster/exclusions``). The
    street committee's size is the registry's (``PUT /api/v1/streets/{id}/committee``, the
    ``district_admin``), never the caller's.
"""

from __future__ import annotations

from api.db import Principal
from workflows.election.control import MAY_ACT

DISTRICT_ADMIN = "district_admin"
STREET = "street_committee"
OFFICE = "community_office"
APPROVER = "approver"
SUPERVISOR = "supervisor"
MEMBER = "member"
RESIDENT = "resident"

ALL_ROLES = (DISTRICT_ADMIN, STREET, OFFICE, APPROVER, SUPERVISOR, MEMBER, RESIDENT)
STAFF = (DISTRICT_ADMIN, STREET, OFFICE, APPROVER, SUPERVISOR)
#: who reads an election's working records (plan, meetings, inspections)
READERS = STAFF
#: who reads personal data of the roster and objections
CLERKS = (DISTRICT_ADMIN, STREET, OFFICE, SUPERVISOR)
#: the console's session cookie (a signed-in person; refused at the cast route like a token)
SESSION_COOKIE = "gongtui_session"
#: who confirms a paper tally (总监票人, M12): another person than the desk that entered it
TALLY_CONFIRMER = SUPERVISOR
#: who consents to E2 exclusions and whose size the registry keeps: the street committee
EXCLUSION_CONSENTER = STREET
#: who may pause and resume an election (CTL1; who lifts whose pause, CTL2: the table of
#: workflows/election/control.py)
PAUSERS = MAY_ACT["pause"]


def covers(p: Principal, *, district_id: str = "", street_id: str = "",
           community_id: str = "") -> bool:
    kind, value = p.scope_kind, p.scope_value
    if kind == "district":
        return value == "*" or (bool(district_id) and value == district_id)
    if kind == "street":
        return bool(street_id) and value == street_id
    if kind == "community":
        return bool(community_id) and value == community_id
    return False


def covers_committee(p: Principal, committee_id: str, district_id: str) -> bool:
    """A3: an approver decides only for the communities under its own committee."""
    kind, value = p.scope_kind, p.scope_value
    if kind == "district":
        return value == "*" or (bool(district_id) and value == district_id)
    return kind == "street" and value == committee_id
