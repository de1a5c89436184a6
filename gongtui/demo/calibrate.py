"""A generated district that follows published figures: ``--calibrate nanjing-2009``.

The seed (docs/design.md, "Nanjing 2009"): 363 communities; 4,562 registrants of whom 1,944
self-nominated (42.6 %) and 1,139 jointly nominated (25 %); 19,456 co-signers; 42,834
non-voting participants at the recommendation meetings; congress attendance 93 % on average,
99 % at best; 4,167 passed review (secondary source); the secretary funnel 4 → 3 → 2 → 1 in every
community. For N communities every count is scaled by N / 363.

The generator only writes scenarios (the people's acts); the report reads the figures back from
the services' records. Three community shapes keep every post contested at every stage (P3, P4)
with 12.6 registrants per community on average:

- A  branch (支部), committee of 3: secretary 1 (4/3/2) + members 2 (5/4/3): 9 qualified at least
- C  branch (支部), committee of 3: secretary 1 + deputy 1 (4/3/2 each) + member 1 (4/3/2): 12
- B  general branch (总支), committee of 5: secretary + deputy + members 3 (6/5/4): 14

The secondary "1,100 ran for secretary" (3.0 per community) cannot hold together with a
secretary shortlist of 4 in every community; it is not calibrated.
"""

from __future__ import annotations

import random
from typing import Any

from gongtui.demo.names import STREETS, community_name, person_names

SEED = {
    "communities": 363, "registrants": 4562, "self": 1944, "joint": 1139, "passed": 4167,
    "cosigners": 19456, "non_voting_participants": 42834,
    "congress_attendance_mean": 0.93, "congress_attendance_max": 0.99,
}
CALIBRATIONS = ("nanjing-2009",)

# shape -> (org_type, {post: (seats, shortlist, inspected, candidates)})
SHAPES: dict[str, tuple[str, dict[str, tuple[int, int, int, int]]]] = {
    "A": ("branch", {"secretary": (1, 4, 3, 2), "member": (2, 5, 4, 3)}),
    "C": ("branch", {"secretary": (1, 4, 3, 2), "deputy_secretary": (1, 4, 3, 2),
                     "member": (1, 4, 3, 2)}),
    "B": ("general_branch", {"secretary": (1, 4, 3, 2), "deputy_secretary": (1, 4, 3, 2),
                             "member": (3, 6, 5, 4)}),
}
MEMBER_SHARES = {1: [0.70, 0.27], 2: [0.80, 0.70, 0.35], 3: [0.85, 0.75, 0.65, 0.35]}


def targets(communities: int) -> dict[str, float]:
    scale = communities / SEED["communities"]
    out: dict[str, float] = {k: round(v * scale) for k, v in SEED.items()
                             if isinstance(v, int) and k != "communities"}
    out["communities"] = communities
    out["organization"] = out["registrants"] - out["self"] - out["joint"]
    out["congress_attendance_mean"] = SEED["congress_attendance_mean"]
    out["congress_attendance_max"] = SEED["congress_attendance_max"]
    return out


def _spread(rng: random.Random, total: int, n: int, low: float, high: float) -> list[int]:
    """``total`` split into ``n`` integers proportional to random weights (largest remainder)."""
    weights = [rng.uniform(low, high) for _ in range(n)]
    raw = [total * w / sum(weights) for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(n), key=lambda i: raw[i] - out[i], reverse=True)[:total - sum(out)]:
        out[i] += 1
    return out


def _decreasing(rng: random.Random, total: int, n: int, floor: float, cap: int) -> list[int]:
    """``n`` strictly decreasing positive counts adding up to at most ``total``, none above
    ``cap`` (a voter marks a person once)."""
    weights = sorted((rng.uniform(floor, 1.0) for _ in range(n)), reverse=True)
    scale = total / sum(weights)
    out, last = [], int(cap * rng.uniform(0.85, 0.97)) + 1
    for w in weights:
        value = max(min(int(w * scale), last - 1), 1)
        out.append(value)
        last = value
    return out


def _attendance_rates(rng: random.Random, n: int) -> list[float]:
    """Congress attendance per community: mean 0.93, the best exactly 0.99, all above M1."""
    if n == 1:
        return [SEED["congress_attendance_mean"]]
    rates = [min(0.985, max(0.86, rng.gauss(0.93, 0.025))) for _ in range(n)]
    best = rng.randrange(n)
    rates[best] = 0.99
    others = [i for i in range(n) if i != best]
    for _ in range(20):  # shift the others until the mean is the seed's
        gap = (0.93 * n - sum(rates)) / len(others)
        for i in others:
            rates[i] = min(0.985, max(0.86, rates[i] + gap))
    return rates


def nanjing_2009(communities: int = 363, seed: int = 2009) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    t = targets(communities)
    n = communities
    # community shapes: minimum qualified registrants close to the passed figure
    n_b, n_c = round(0.28 * n), round(0.30 * n)
    shapes = ["B"] * n_b + ["C"] * n_c + ["A"] * (n - n_b - n_c)
    rng.shuffle(shapes)
    quotas: list[dict[str, int]] = [{post: spec[1] for post, spec in SHAPES[s][1].items()}
                                    for s in shapes]
    extra = int(t["passed"]) - sum(sum(q.values()) for q in quotas)
    for _ in range(max(0, extra)):  # extra qualified registrants, on a random post
        q = quotas[rng.randrange(n)]
        q[rng.choice(list(q))] += 1
    rejected: list[dict[str, int]] = [{} for _ in range(n)]
    for _ in range(max(0, int(t["registrants"] - t["passed"]))):
        i = rng.randrange(n)
        post = rng.choice(list(quotas[i]))
        rejected[i][post] = rejected[i].get(post, 0) + 1
    total_regs = sum(sum(q.values()) for q in quotas) + sum(sum(r.values()) for r in rejected)
    joint_n = round(t["joint"] * total_regs / t["registrants"])
    self_n = round(t["self"] * total_regs / t["registrants"])
    channels = (["self"] * self_n + ["joint"] * joint_n
                + ["organization"] * (total_regs - self_n - joint_n))
    rng.shuffle(channels)
    cosign = _spread(rng, int(t["cosigners"]), max(1, joint_n), 0.8, 1.2) if joint_n else []
    others = _spread(rng, int(t["non_voting_participants"]), n, 0.7, 1.3)
    rates = _attendance_rates(rng, n)
    n_streets = max(1, min(len(STREETS), round(n / 30)))
    streets = [f"st-{name}" for name in STREETS[:n_streets]]

    scenarios = []
    ch_i = co_i = 0
    for i in range(n):
        taken: set[str] = set()
        org_type, posts = SHAPES[shapes[i]]
        best = rates[i] == 0.99
        excluded = rng.randint(0, 3)
        full = 100 + excluded if best else rng.randint(80, 180)
        expected = full - excluded
        nominations: list[dict[str, Any]] = []
        review: dict[str, str] = {}
        qualified: dict[str, list[str]] = {}
        joint_per_post: dict[str, int] = {}
        max_res = 0
        for post in posts:
            names = person_names(rng, quotas[i][post] + rejected[i].get(post, 0), taken,
                                 two_given=0.7)
            qualified[post] = names[:quotas[i][post]]
            for j, name in enumerate(names):
                channel = channels[ch_i]
                ch_i += 1
                nom: dict[str, Any] = {"name": name, "post": post, "channel": channel}
                if channel == "joint":
                    total = cosign[co_i]
                    co_i += 1
                    members = min(total - 5, rng.randint(6, 10))
                    nom["cosigners"] = {"members": members, "residents": total - members}
                    joint_per_post[post] = joint_per_post.get(post, 0) + 1
                    max_res = max(max_res, joint_per_post[post] * (total - members))
                nominations.append(nom)
                if j >= quotas[i][post]:
                    review[name] = "reject"
        probationary, guests = rng.randint(2, 6), rng.randint(10, 40)
        residents = max(others[i] - probationary - guests + rng.randint(5, 40), max_res + 10, 20)
        members_present = int(full * rng.uniform(0.82, 0.95))
        votes, trust, ranked = {}, {}, {}
        for post, (seats, *_rest) in posts.items():
            counts = _decreasing(rng, members_present * seats, len(qualified[post]), 0.15,
                                 members_present)
            votes[post] = dict(zip(qualified[post], counts, strict=True))
            ranked[post] = list(qualified[post])  # already in decreasing order of votes
            for name in qualified[post]:
                yes = int(others[i] * rng.uniform(0.6, 0.95))
                trust[name] = {"yes": yes, "no": others[i] - yes}
        committee_present = rng.randint(8, 9)
        committee_rounds = []
        for post, (_seats, _short, inspected, cands) in posts.items():
            top = ranked[post][:inspected]
            fors = [committee_present - j for j in range(cands)] + [3, 2, 1][:inspected - cands]
            committee_rounds.append({"post": post, "for": dict(zip(top, fors, strict=False))})
        present = round(expected * rates[i])
        present = min(expected, max(present, expected * 4 // 5 + 1))
        invalid = rng.randint(0, 2)
        valid = present - invalid
        rounds = []
        for post, (seats, _s, _i, cands) in posts.items():
            # the committee's candidates are the top `cands` of the inspected, in that order
            cand_names = ranked[post][:cands]
            if post == "member":
                shares = MEMBER_SHARES[seats]
            else:
                win = rng.uniform(0.6, 0.8)
                shares = [win, max(0.0, 1 - win - 0.03)]
            rounds.append({"post": post, "issued": present, "returned": present,
                           "invalid": invalid,
                           "for": {c: int(valid * s) for c, s in zip(cand_names, shares,
                                                                     strict=False)}})
        scenarios.append({
            "name": f"nanjing-{i + 1:03d}",
            "profile": "nanjing",
            "overrides": {},
            "community": {"id": f"nj-{i + 1:03d}",
                          "name": community_name(i),
                          "org_type": org_type, "street": streets[i % n_streets]},
            "roster": {"generate": {"full": full, "probationary": probationary,
                                    "guest_member": guests, "resident": residents},
                       "excluded_from_expected": excluded},
            "plan": {"posts": {post: {"seats": s, "shortlist": sh, "inspected": ins,
                                      "candidates": c}
                               for post, (s, sh, ins, c) in posts.items()}},
            "nominations": nominations,
            "review": review,
            "recommendation": {"attendance": {"members": members_present, "others": others[i]},
                               "votes": votes, "trust": trust},
            "committee": {"size": 9, "present": committee_present, "rounds": committee_rounds},
            "congress": [{"present": present, "rounds": rounds}],
        })
    return scenarios


def compare(report: dict[str, Any], communities: int) -> list[dict[str, Any]]:
    """The report's figures against the seed's (scaled): within 2 %, attendance within a point."""
    t = targets(communities)
    reg = report.get("registrants", {})
    rows = [
        ("registrants", reg.get("total"), t["registrants"], "pct"),
        ("self-nominated", reg.get("self"), t["self"], "pct"),
        ("jointly nominated", reg.get("joint"), t["joint"], "pct"),
        ("passed review", reg.get("passed"), t["passed"], "pct"),
        ("co-signers", report.get("cosigners"), t["cosigners"], "pct"),
        ("non-voting participants",
         report.get("recommendation", {}).get("non_voting_participants"),
         t["non_voting_participants"], "pct"),
        ("congress attendance mean", report.get("congress_attendance", {}).get("mean"),
         t["congress_attendance_mean"], "point"),
        ("congress attendance best", report.get("congress_attendance", {}).get("max"),
         t["congress_attendance_max"], "point"),
    ]
    out = []
    for name, got, want, kind in rows:
        if got is None:
            ok, dev = False, None
        elif kind == "pct":
            dev = (got - want) / want if want else 0.0
            ok = abs(dev) <= 0.02
        else:
            dev = got - want
            ok = abs(dev) <= 0.01
        out.append({"figure": name, "report": got, "seed": want, "deviation": dev, "ok": ok,
                    "tolerance": "2 %" if kind == "pct" else "1 point"})
    sec = report.get("funnel_min_per_community", {}).get("secretary", {})
    funnel_ok = (sec.get("shortlisted", 0) >= 4 and sec.get("inspected", 0) >= 3
                 and sec.get("candidates", 0) >= 2 and sec.get("elected", 0) >= 1)
    out.append({"figure": "secretary funnel ≥ 4 → 3 → 2 → 1 in every community",
                "report": [sec.get(k) for k in ("shortlisted", "inspected", "candidates",
                                                 "elected")],
                "seed": [4, 3, 2, 1], "deviation": None, "ok": funnel_ok, "tolerance": "≥"})
    return out
