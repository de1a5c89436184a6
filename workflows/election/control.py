"""Who may pause an election and who may lift a pause: the role table of the control acts,
read by the workflow's ``control`` update validator and by the API before it calls it
(docs/design.md, "Who takes part").

=====================  ==========================================================
pause                  ``district_admin``, ``street_committee``, ``supervisor`` (CTL1)
lift a pause of ...    the street committee: the street committee or the district;
                       the supervisor (a halt): the district only; the district:
                       the district only (CTL2)
abort                  ``district_admin`` (CTL1)
=====================  ==========================================================

Whoever acted, the election's chain records it with the reason (``election.paused``,
``election.resumed``, ``election.aborted``, ``election.unfilled_decided``).
"""

from __future__ import annotations

#: the action -> the roles that may take it (CTL1)
MAY_ACT: dict[str, tuple[str, ...]] = {
    "pause": ("district_admin", "street_committee", "supervisor"),
    "resume": ("district_admin", "street_committee", "supervisor"),
    "abort": ("district_admin",),
}
#: the role that paused -> the roles that may lift its pause (CTL2)
MAY_LIFT: dict[str, tuple[str, ...]] = {
    "street_committee": ("street_committee", "district_admin"),
    "supervisor": ("district_admin",),
    "district_admin": ("district_admin",),
}
#: what each act is recorded as in the election's chain
RECORDED_AS = {"pause": "election.paused", "resume": "election.resumed",
               "abort": "election.aborted", "unfilled": "election.unfilled_decided"}


def refused(action: str, role: str, paused_by: str = "") -> tuple[str, str, str]:
    """Why ``role`` may not take ``action`` (a pause by ``paused_by`` standing): (message,
    field, rule), or ("", "", "") when it may."""
    if action not in MAY_ACT:
        return (f"action: one of {', '.join(MAY_ACT)}, not {action!r}", "action", "CTL1")
    if role not in MAY_ACT[action]:
        return (f"[CTL1] role: a {role or 'caller without a role'} may not {action} an "
                f"election ({', '.join(MAY_ACT[action])} may)", "role", "CTL1")
    if action == "resume" and paused_by:
        lifters = MAY_LIFT.get(paused_by, ("district_admin",))
        if role not in lifters:
            return (f"[CTL2] role: a pause by the {paused_by} is lifted only by "
                    f"{' or '.join(lifters)}, not by a {role}", "role", "CTL2")
    return ("", "", "")
