"""The durable_rules rulesets and the synchronous harness that evaluates facts against them.

Every threshold and comparison of the rule table is a rule here; Python around it prepares
facts and orders results. durable_rules compares a field with another field of the same
message and accepts arithmetic on the right-hand side only (``m.a > m.b * 4`` works,
``m.a * 5 > ...`` and ``m.a > m.b * m.c`` do not), so facts carry left-hand products
precomputed (``present_x5``) and profile-dependent products on both sides.

Measured traps of durable_rules 2.0.28 and what this module does about them:

* rulesets are process-global and defined once: defined here at import;
* a ruleset posted to from a thread while it is being registered can lose the registration:
  each ruleset is warmed with one post from the importing (main) thread;
* at most 1,024 live sessions per ruleset: each evaluation uses a fresh sid and deletes it;
* a message no rule matches raises: every ruleset has a low-priority catch-all, and a fact
  that only the catch-all took is an internal error;
* an exception inside a consequent is stored in the state: it is checked and raised;
* ``post()`` may return ``None`` under threads while the state is right: decisions are read
  with ``get_state`` (waiting briefly if durable's own dispatcher thread ran the action);
* evaluations are serialised with one lock, so concurrent callers are safe.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from durable.lang import (
    delete_state,
    get_state,
    m,
    post_batch,
    pri,
    ruleset,
    when_all,
)

PREFIX = "gongtui_"
UNMATCHED = "unmatched"
_CATCH_ALL_PRIORITY = 100
_WAIT_SECONDS = 5.0

_lock = threading.Lock()
_sids = itertools.count(1)
_names: list[str] = []


class RulesEngineError(RuntimeError):
    """durable_rules failed to decide (no rule matched, or a consequent raised)."""


def _decide(outcome: str) -> Callable[[Any], None]:
    def action(ctx: Any) -> None:
        ctx.s["d_" + str(ctx.m.key)] = outcome

    action.__name__ = "decide_" + outcome.replace(":", "_")
    return action


def _catch_all() -> None:
    when_all(pri(_CATCH_ALL_PRIORITY), +m.key)(_decide(UNMATCHED))


def _q(code: str) -> Any:
    return m.q == code


# --------------------------------------------------------------------------- eligibility
with ruleset(PREFIX + "eligibility"):
    # E1 / E4: who votes at the congress and may stand
    when_all(_q("E1") & (m.status == "full") & (m.own == True))(_decide("pass"))  # noqa: E712
    when_all(_q("E1") & (m.status == "full") & (m.own == False))(  # noqa: E712
        _decide("fail:E1:own")
    )
    when_all(_q("E1") & ((m.status == "guest_member") | (m.status == "resident")))(
        _decide("fail:E4:status")
    )
    when_all(
        _q("E1")
        & (m.status != "full")
        & (m.status != "guest_member")
        & (m.status != "resident")
    )(_decide("fail:E1:status"))
    # E3: profile candidate conditions
    when_all(_q("E3") & (m.known == False))(_decide("fail"))  # noqa: E712
    when_all(_q("E3") & (m.known == True) & (m.cmp == "min") & (m.value >= m.bound))(  # noqa: E712
        _decide("pass")
    )
    when_all(_q("E3") & (m.known == True) & (m.cmp == "min") & (m.value < m.bound))(  # noqa: E712
        _decide("fail")
    )
    when_all(_q("E3") & (m.known == True) & (m.cmp == "max") & (m.value <= m.bound))(  # noqa: E712
        _decide("pass")
    )
    when_all(_q("E3") & (m.known == True) & (m.cmp == "max") & (m.value > m.bound))(  # noqa: E712
        _decide("fail")
    )
    when_all(_q("E3") & (m.known == True) & (m.cmp == "true") & (m.value == True))(  # noqa: E712
        _decide("pass")
    )
    when_all(_q("E3") & (m.known == True) & (m.cmp == "true") & (m.value == False))(  # noqa: E712
        _decide("fail")
    )
    # E2: exclusions from the expected attendance; the national reason list lives here,
    # a profile may narrow it (``listed``)
    when_all(
        _q("E2")
        & m.reason.matches("mentally_unable|abroad|sentence|bedridden|away_untransferred")
        & (m.listed == True)  # noqa: E712
    )(_decide("pass"))
    when_all(_q("E2") & (m.listed == False))(_decide("fail"))  # noqa: E712
    _catch_all()

# --------------------------------------------------------------------------- nomination
with ruleset(PREFIX + "nomination"):
    # NM1: channels
    when_all(_q("NM1") & (m.offered == True))(_decide("pass"))  # noqa: E712
    when_all(_q("NM1") & (m.offered == False))(_decide("fail"))  # noqa: E712
    # NM2: joint nomination thresholds (counts prepared from distinct valid co-signers)
    when_all(
        _q("NM2") & (m.cosigners >= m.min_cosigners) & (m.members >= m.min_members)
    )(_decide("pass"))
    when_all(_q("NM2") & (m.cosigners < m.min_cosigners))(_decide("fail:cosigners"))
    when_all(
        _q("NM2") & (m.cosigners >= m.min_cosigners) & (m.members < m.min_members)
    )(_decide("fail:members"))
    # NM3: registration window, one registration per person per post
    when_all(_q("NM3") & (m.window_open == True) & (m.already == False))(  # noqa: E712
        _decide("pass")
    )
    when_all(_q("NM3") & (m.window_open == False))(_decide("fail:window"))  # noqa: E712
    when_all(_q("NM3") & (m.window_open == True) & (m.already == True))(  # noqa: E712
        _decide("fail:duplicate")
    )
    # NM4: a manual review decision needs a recorded reason
    when_all(_q("NM4") & (m.has_reason == True))(_decide("pass"))  # noqa: E712
    when_all(_q("NM4") & (m.has_reason == False))(_decide("fail"))  # noqa: E712
    _catch_all()

# --------------------------------------------------------------------------- plan
with ruleset(PREFIX + "plan"):
    # generic "value within [low, high]" (P1 committee size, P5 delegates)
    when_all(_q("range") & (m.value >= m.low) & (m.value <= m.high))(_decide("pass"))
    when_all(_q("range") & (m.value < m.low))(_decide("fail:low"))
    when_all(_q("range") & (m.value > m.high))(_decide("fail:high"))
    # P1: small branch — no committee below the member threshold
    when_all(_q("P1_small") & (m.full_members < m.threshold))(_decide("small"))
    when_all(_q("P1_small") & (m.full_members >= m.threshold))(_decide("committee"))
    # P2: candidates >= seats * 1.2 (as candidates*5 >= seats*6) and candidates > seats
    when_all(_q("P2") & (m.candidates_x5 >= m.seats * 6) & (m.candidates > m.seats))(
        _decide("pass")
    )
    when_all(_q("P2") & ((m.candidates_x5 < m.seats * 6) | (m.candidates <= m.seats)))(
        _decide("fail")
    )
    # P3: every stage strictly larger than the next
    when_all(_q("P3") & (m.upper > m.lower))(_decide("pass"))
    when_all(_q("P3") & (m.upper <= m.lower))(_decide("fail"))
    # P4 / generic minimum: value >= minimum
    when_all(_q("min") & (m.value >= m.minimum))(_decide("pass"))
    when_all(_q("min") & (m.value < m.minimum))(_decide("fail"))
    # P5: meeting type
    when_all(_q("P5") & (m.meeting == "members"))(_decide("pass"))
    when_all(_q("P5") & (m.meeting == "delegates") & (m.members >= m.delegates_min_members))(
        _decide("pass")
    )
    when_all(
        _q("P5")
        & (m.meeting == "delegates")
        & (m.members < m.delegates_min_members)
        & (m.scattered == True)  # noqa: E712
    )(_decide("pass"))
    when_all(
        _q("P5")
        & (m.meeting == "delegates")
        & (m.members < m.delegates_min_members)
        & (m.scattered == False)  # noqa: E712
    )(_decide("fail"))
    when_all(_q("P5") & (m.meeting != "members") & (m.meeting != "delegates"))(
        _decide("fail:kind")
    )
    _catch_all()

# --------------------------------------------------------------------------- meetings
with ruleset(PREFIX + "meeting"):
    # M1: present*5 > expected*4
    when_all(_q("M1") & (m.present_x5 > m.expected * 4))(_decide("pass"))
    when_all(_q("M1") & (m.present_x5 <= m.expected * 4))(_decide("fail"))
    # M2: more returned than issued voids the round
    when_all(_q("M2") & (m.returned > m.issued))(_decide("void"))
    when_all(_q("M2") & (m.returned <= m.issued))(_decide("pass"))
    # M3 / M4: one ballot section
    when_all(_q("M34") & ((m.bad_write_ins > 0) | (m.duplicates > 0) | (m.bad_choices > 0)))(
        _decide("fail:M4")
    )
    when_all(
        _q("M34")
        & (m.bad_write_ins == 0)
        & (m.duplicates == 0)
        & (m.bad_choices == 0)
        & (m.for_marks > m.seats)
    )(_decide("fail:M3"))
    when_all(
        _q("M34")
        & (m.bad_write_ins == 0)
        & (m.duplicates == 0)
        & (m.bad_choices == 0)
        & (m.for_marks <= m.seats)
    )(_decide("pass"))
    # M5: for*2 > present (exactly half fails)
    when_all(_q("M5") & (m.for_x2 > m.present))(_decide("pass"))
    when_all(_q("M5") & (m.for_x2 <= m.present))(_decide("fail"))
    # M6 / M7: passing persons against seats
    when_all(_q("seats") & (m.passing > m.seats))(_decide("M6"))
    when_all(_q("seats") & (m.passing == m.seats))(_decide("exact"))
    when_all(_q("seats") & (m.passing < m.seats))(_decide("M7"))
    # M7: additional rounds
    when_all(_q("M7") & (m.held < m.max_rounds))(_decide("pass"))
    when_all(_q("M7") & (m.held >= m.max_rounds))(_decide("fail"))
    # M8: recommendation ballot marks at most seats
    when_all(_q("M8") & (m.marks <= m.seats) & (m.marks >= 0))(_decide("pass"))
    when_all(_q("M8") & ((m.marks > m.seats) | (m.marks < 0)))(_decide("fail"))
    # M9: kept at or above the cut (ties at the cut all kept)
    when_all(_q("M9") & (m.votes >= m.cut))(_decide("pass"))
    when_all(_q("M9") & (m.votes < m.cut))(_decide("fail"))
    # M10: trust*2 > trust ballots cast
    when_all(_q("M10") & (m.yes_x2 > m.cast))(_decide("pass"))
    when_all(_q("M10") & (m.yes_x2 <= m.cast))(_decide("fail"))
    # M11: committee quorum present*den > size*num; pass for*2 > size
    when_all(_q("M11q") & (m.present_xden > m.size_xnum))(_decide("pass"))
    when_all(_q("M11q") & (m.present_xden <= m.size_xnum))(_decide("fail"))
    when_all(_q("M11") & (m.for_x2 > m.size))(_decide("pass"))
    when_all(_q("M11") & (m.for_x2 <= m.size))(_decide("fail"))
    # M12: scrutineers are not candidates
    when_all(_q("M12") & (m.is_candidate == False))(_decide("pass"))  # noqa: E712
    when_all(_q("M12") & (m.is_candidate == True))(_decide("fail"))  # noqa: E712
    _catch_all()

# --------------------------------------------------------------------------- approval, notices
with ruleset(PREFIX + "approval"):
    # A2: back to the committee vote while enough inspected persons remain
    when_all(_q("A2") & (m.remaining >= m.needed))(_decide("committee"))
    when_all(_q("A2") & (m.remaining < m.needed))(_decide("recommendation"))
    # A3: an approver decides only under its own committee
    when_all(_q("A3") & (m.approver == m.parent))(_decide("pass"))
    when_all(_q("A3") & (m.approver != m.parent))(_decide("fail"))
    # O1: a notice runs its full period (paused time excluded by the caller)
    when_all(_q("O1") & (m.elapsed >= m.days))(_decide("pass"))
    when_all(_q("O1") & (m.elapsed < m.days))(_decide("fail"))
    # O2: objection decisions
    when_all(_q("O2") & (m.decision == "upheld"))(_decide("removed"))
    when_all(_q("O2") & (m.decision == "dismissed"))(_decide("continue"))
    when_all(_q("O2") & (m.decision == "pending"))(_decide("hold"))
    _catch_all()

RULESETS: tuple[str, ...] = tuple(
    PREFIX + n for n in ("eligibility", "nomination", "plan", "meeting", "approval")
)


def evaluate(ruleset_name: str, facts: Sequence[dict[str, Any]]) -> list[str]:
    """Post ``facts`` as one session of ``ruleset_name``; return each fact's decision in order.

    Serialised; the session is deleted afterwards whatever happens.
    """
    if not facts:
        return []
    with _lock:
        sid = str(next(_sids))
        messages = [{**fact, "sid": sid, "key": i} for i, fact in enumerate(facts)]
        try:
            post_batch(ruleset_name, messages)
            state = _read_state(ruleset_name, sid, len(messages))
        finally:
            try:
                delete_state(ruleset_name, sid)
            except Exception:  # noqa: BLE001 — nothing to delete when the post failed early
                pass
    decisions = [state[f"d_{i}"] for i in range(len(messages))]
    for fact, decision in zip(facts, decisions, strict=True):
        if decision == UNMATCHED:
            raise RulesEngineError(f"no rule of {ruleset_name} decided the fact {fact!r}")
    return decisions


def evaluate_one(ruleset_name: str, fact: dict[str, Any]) -> str:
    return evaluate(ruleset_name, [fact])[0]


def _read_state(ruleset_name: str, sid: str, count: int) -> dict[str, Any]:
    deadline = time.monotonic() + _WAIT_SECONDS
    while True:
        state = get_state(ruleset_name, sid)
        if state.get("exception"):
            raise RulesEngineError(f"{ruleset_name}: consequent failed: {state['exception']}")
        if all(f"d_{i}" in state for i in range(count)):
            return state
        if time.monotonic() > deadline:
            raise RulesEngineError(f"{ruleset_name}: no decision for session {sid}")
        time.sleep(0.001)  # durable's dispatcher thread took the action; it is finishing


def _warm() -> None:
    """Register every ruleset from the importing thread (module docstring) and check catch-alls."""
    for name in RULESETS:
        with _lock:
            sid = str(next(_sids))
            post_batch(name, [{"q": "__warm__", "key": 0, "sid": sid}])
            state = _read_state(name, sid, 1)
            delete_state(name, sid)
        decision = state["d_0"]
        if decision != UNMATCHED:
            raise RulesEngineError(f"{name}: catch-all did not take the warm-up fact")
        _names.append(name)


_warm()
