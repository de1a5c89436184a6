"""The district demo: generated community scenarios run concurrently on the embedded stack."""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gongtui.domain import STEPS
from gongtui.runner import ensure_stack, play_many

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰凤建文辉力林成国海云荣新春")
PLACES = ["梅园新村", "玄武门", "锁金村", "后宰门", "孝陵卫", "红山", "新街口", "兰园", "珠江路",
          "大行宫", "丹凤街", "进香河", "湖南路", "紫金山", "龙蟠里", "仙鹤门", "月苑", "卫岗"]
STREETS = ["梅园", "玄武门", "锁金村", "孝陵卫", "红山", "新街口"]


def _names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    out = []
    while len(out) < count:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


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
    sec, dep, mem = _names(rng, 5, taken), _names(rng, 5, taken), _names(rng, 7, taken)
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
    place = PLACES[index % len(PLACES)]
    return {
        "name": f"demo-{index + 1:03d}",
        "profile": "nanjing",
        "overrides": {},
        "community": {"id": f"xw-{index + 1:03d}",
                      "name": f"{place}{'' if index < len(PLACES) else index // len(PLACES) + 1}社区",
                      "org_type": "general_branch",
                      "street": f"st-{STREETS[index % len(STREETS)]}"},
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


async def run_demo(communities: int, seed: int, ballots: str, day_seconds: float,
                   console: Console, data_dir: Path | None = None) -> dict[str, Any]:
    rng = random.Random(seed)
    scenarios = [generate_scenario(i, rng) for i in range(communities)]
    reached = [0] * communities
    progress = Progress(TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console)
    tasks = {n: progress.add_task(f"{n} {name} {zh}", total=communities) for n, name, zh in STEPS}

    def on_status(i: int, status: Any) -> None:
        done = sum(1 for s in status.timeline if s.status == "done")
        for step in range(reached[i] + 1, done + 1):
            progress.advance(tasks[step])
        reached[i] = max(reached[i], done)

    started = time.monotonic()
    with progress:
        async with ensure_stack(data_dir=data_dir, log=console.print) as settings:
            results = await play_many(scenarios, settings, ballots=ballots,
                                      day_seconds=day_seconds, progress=on_status)
    elapsed = time.monotonic() - started

    table = Table(title=f"District demo — {communities} communities, seed {seed}")
    for col in ("community", "status", "secretary 书记", "attendance 到会率"):
        table.add_column(col)
    attendance = []
    for sc, out in zip(scenarios, results, strict=True):
        sessions = [s for s in out["congress"]["sessions"] if s["quorum_met"]]
        rate = sessions[-1]["present"] / sessions[-1]["expected"] if sessions else 0.0
        attendance.append(rate)
        sec = ", ".join(out["elected"].get("secretary", [])) or "—"
        style = "green" if out["status"] == "completed" else "red"
        table.add_row(sc["community"]["name"], f"[{style}]{out['status']}[/]", sec, f"{rate:.1%}")
    console.print(table)
    completed = sum(1 for o in results if o["status"] == "completed")
    console.print(f"{completed}/{communities} completed in {elapsed:.1f}s")
    return {
        "communities": communities,
        "completed": completed,
        "failed": sum(1 for o in results if o["status"] == "failed"),
        "congress_attendance": {"mean": round(statistics.mean(attendance), 4) if attendance else 0,
                                "max": round(max(attendance), 4) if attendance else 0,
                                "min": round(min(attendance), 4) if attendance else 0},
        "elapsed_s": round(elapsed, 2),
        "results": results,
    }
