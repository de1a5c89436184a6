"""The generated district of ``gongtui demo``: one plausible community after another from a
seed, or (``--calibrate``) a district that follows published figures (calibrate.py).

The generator only writes scenarios (the people's acts); the report reads the figures back
from the services' records."""

from __future__ import annotations

import random
from typing import Any

from core.vocabulary import DEFAULT_PROFILE
from gongtui.demo.calibrate import CALIBRATIONS, nanjing_2009
from gongtui.demo.names import STREETS, community_name, person_names

#: the demo's streets: the first six of the district's
DEMO_STREETS = STREETS[:6]


def _split(rng: random.Random, total: int, names: list[str], floor_share: float) -> dict[str, int]:
    """Strictly decreasing counts for ``names`` adding up to at most ``total``."""
    weights = sorted((rng.uniform(floor_share, 1.0) for _ in names), reverse=True)
    scale = total / sum(weights)
    counts, last = {}, total + 1
    for name, w in zip(names, weights, strict=True):
        value = min(int(w * scale), last - 1)
        counts[name] = max(value, 0)
        last = counts[name]
    return counts


def generate_scenario(index: int, rng: random.Random) -> dict[str, Any]:
    """One community of a plausible district (general branch: 1 + 1 + 3 seats, the Nanjing
    funnel 4 → 3 → 2 → 1 for the secretary)."""
    taken: set[str] = set()
    full = rng.randint(70, 180)
    excluded = rng.randint(0, 3)
    expected = full - excluded
    sec, dep, mem = (person_names(rng, n, taken, two_given=0.6) for n in (5, 5, 7))
    nominations = []
    for group, post in ((sec, "secretary"), (dep, "deputy_secretary"), (mem, "member")):
        for j, name in enumerate(group):
            channel = ("self", "joint", "organization")[j % 3]
            nom: dict[str, Any] = {"name": name, "post": post, "channel": channel}
            if channel == "joint":
                nom["cosigners"] = {"members": rng.randint(5, 8), "residents": rng.randint(5, 9)}
            nominations.append(nom)
    probationary, guests, residents = rng.randint(2, 6), rng.randint(10, 40), rng.randint(60, 160)
    members_present = int(full * rng.uniform(0.8, 0.95))
    others = int((probationary + guests + residents) * rng.uniform(0.6, 0.9))
    votes = {
        "secretary": _split(rng, members_present, sec, 0.1),
        "deputy_secretary": _split(rng, members_present, dep, 0.1),
        "member": _split(rng, members_present * 3, mem, 0.2),
    }
    trust = {n: {"yes": int(others * rng.uniform(0.6, 0.95))} for n in sec + dep + mem}
    for t in trust.values():
        t["no"] = others - t["yes"]
    ranked = {p: sorted(v, key=lambda n: -v[n]) for p, v in votes.items()}
    committee_present = rng.randint(7, 9)
    committee_rounds = []
    for post, inspected in (("secretary", 3), ("deputy_secretary", 3), ("member", 5)):
        top = ranked[post][:inspected]
        if post == "member":  # M11: for-votes x 2 > the committee's 9 members to pass
            fors = [committee_present, committee_present - 1, committee_present - 2, 5, 2]
        else:
            fors = [committee_present, committee_present - 1, 3]
        committee_rounds.append({"post": post, "for": dict(zip(top, fors, strict=False))})
    attendance = min(0.99, max(0.86, rng.gauss(0.93, 0.03)))
    present = max(int(expected * attendance), expected * 4 // 5 + 1)
    invalid = rng.randint(0, 2)
    valid = present - invalid

    def win(cands: list[str], shares: list[float]) -> dict[str, int]:
        return {c: int(valid * s) for c, s in zip(cands, shares, strict=False)}

    s_share = rng.uniform(0.6, 0.8)
    d_share = rng.uniform(0.6, 0.8)
    rounds = [
        {"post": "secretary", "issued": present, "returned": present, "invalid": invalid,
         "for": win(ranked["secretary"][:2], [s_share, 1 - s_share - 0.02])},
        {"post": "deputy_secretary", "issued": present, "returned": present, "invalid": invalid,
         "for": win(ranked["deputy_secretary"][:2], [d_share, 1 - d_share - 0.02])},
        {"post": "member", "issued": present, "returned": present, "invalid": invalid,
         "for": win(ranked["member"][:4], [0.85, 0.75, 0.65, 0.35])},
    ]
    return {
        "name": f"demo-{index + 1:03d}",
        "profile": DEFAULT_PROFILE,
        "overrides": {},
        "community": {"id": f"xw-{index + 1:03d}",
                      "name": community_name(index),
                      "org_type": "general_branch",
                      "street": f"st-{DEMO_STREETS[index % len(DEMO_STREETS)]}"},
        "roster": {"generate": {"full": full, "probationary": probationary,
                                "guest_member": guests, "resident": residents},
                   "excluded_from_expected": excluded},
        "plan": {"posts": {"secretary": {"seats": 1, "shortlist": 4, "inspected": 3, "candidates": 2},
                           "deputy_secretary": {"seats": 1, "shortlist": 4, "inspected": 3,
                                                "candidates": 2},
                           "member": {"seats": 3, "shortlist": 6, "inspected": 5, "candidates": 4}}},
        "nominations": nominations,
        "recommendation": {"attendance": {"members": members_present, "others": others},
                           "votes": votes, "trust": trust},
        "committee": {"size": 9, "present": committee_present, "rounds": committee_rounds},
        "congress": [{"present": present, "rounds": rounds}],
    }


def generate_district(communities: int, seed: int, calibrate: str | None = None
                      ) -> list[dict[str, Any]]:
    if calibrate:
        if calibrate not in CALIBRATIONS:
            raise ValueError(f"--calibrate: one of {', '.join(CALIBRATIONS)}, not {calibrate!r}")
        return nanjing_2009(communities, seed)
    rng = random.Random(seed)
    return [generate_scenario(i, rng) for i in range(communities)]


