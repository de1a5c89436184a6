"""The district demo: a generated district (or one calibrated on published figures) run by a
DistrictElectionWorkflow on the embedded stack, every community's human acts played through the
services; a live display per step and per street, then a summary table, a PNG chart and the
report (``--json``) read back from the services' records."""

from __future__ import annotations

import asyncio
import json
import platform
import random
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from gongtui.domain import STEPS
from gongtui.runner import RssSampler, count_activities, ensure_stack, run_district

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰凤建文辉力林成国海云荣新春")
PLACES = ["梅园新村", "玄武门", "锁金村", "后宰门", "孝陵卫", "红山", "新街口", "兰园", "珠江路",
          "大行宫", "丹凤街", "进香河", "湖南路", "紫金山", "龙蟠里", "仙鹤门", "月苑", "卫岗"]
STREETS = ["梅园", "玄武门", "锁金村", "孝陵卫", "红山", "新街口"]


def _names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    out: list[str] = []
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


def generate_district(communities: int, seed: int, calibrate: str | None = None
                      ) -> list[dict[str, Any]]:
    if calibrate:
        from gongtui.calibrate import CALIBRATIONS, nanjing_2009

        if calibrate not in CALIBRATIONS:
            raise ValueError(f"--calibrate: one of {', '.join(CALIBRATIONS)}, not {calibrate!r}")
        return nanjing_2009(communities, seed)
    rng = random.Random(seed)
    return [generate_scenario(i, rng) for i in range(communities)]


class DistrictDisplay:
    """Live view: communities per step, per street; paused and waiting; the district's own view."""

    def __init__(self, scenarios: list[dict[str, Any]]):
        self.streets = [str(s["community"].get("street") or s["community"]["id"])
                        for s in scenarios]
        self.status: list[Any] = [None] * len(scenarios)
        self.district: Any = None
        self.started = time.monotonic()

    def on_status(self, i: int, status: Any) -> None:
        self.status[i] = status

    @staticmethod
    def column(st: Any) -> str:
        if st is None:
            return "0"
        if st.status != "running":
            return st.status
        return str(st.step or 0)

    def render(self) -> Group:
        cols = ["0"] + [str(n) for n, _, _ in STEPS] + ["completed", "failed", "aborted"]
        heads = ["0"] + [str(n) for n, _, _ in STEPS] + ["done", "failed", "aborted"]
        table = Table(title=f"District progress 进度 — {len(self.status)} communities, "
                            f"{time.monotonic() - self.started:.0f}s", title_justify="left",
                      caption="steps: " + " ".join(f"{n} {zh}" for n, _, zh in STEPS),
                      caption_justify="left")
        table.add_column("street 街道")
        for h in heads:
            table.add_column(h, justify="right")
        table.add_column("paused", justify="right")
        table.add_column("waiting", justify="right")
        by_street: dict[str, Counter[str]] = {}
        extra: dict[str, Counter[str]] = {}
        for street, st in zip(self.streets, self.status, strict=True):
            by_street.setdefault(street, Counter())[self.column(st)] += 1
            e = extra.setdefault(street, Counter())
            if st is not None and st.status == "running":
                e["paused"] += st.paused
                e["waiting"] += int(st.waiting is not None and not st.paused)
        total: Counter[str] = Counter()
        total_e: Counter[str] = Counter()
        for street in sorted(by_street):
            c, e = by_street[street], extra[street]
            total.update(c)
            total_e.update(e)
            table.add_row(street, *[str(c.get(k, 0) or "") for k in cols],
                          str(e["paused"] or ""), str(e["waiting"] or ""))
        table.add_row("[b]district 全区[/]", *[f"[b]{total.get(k, 0)}[/]" for k in cols],
                      f"[b]{total_e['paused']}[/]", f"[b]{total_e['waiting']}[/]")
        parts: list[Any] = [table]
        if self.district is not None:
            d = self.district
            parts.append(f"DistrictElectionWorkflow: {d.status}, run {d.runs}, "
                         f"{d.history_events} history events, paused {d.paused}, "
                         f"completed {d.completed}/{d.communities}")
        return Group(*parts)


async def run_demo(communities: int, seed: int, ballots: str, day_seconds: float,
                   console: Console, data_dir: Path | None = None, *,
                   calibrate: str | None = None, chart: Path | None = None,
                   refresh_seconds: float = 5.0, live: bool = True,
                   stack_overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    scenarios = generate_district(communities, seed, calibrate)
    display = DistrictDisplay(scenarios)
    district_id = f"{'nj2009' if calibrate else 'xw'}-{seed}-{uuid.uuid4().hex[:6]}"
    stacks: list[Any] = []
    async with ensure_stack(data_dir=data_dir, log=console.print, stacks=stacks,
                            overrides=stack_overrides) as settings:
        rss = RssSampler(lambda: [pid for s in stacks for pid in s.pids()])
        rss.start()
        from temporalio.client import Client

        from workflows.district.types import district_workflow_id
        from workflows.district.workflows import DistrictElectionWorkflow

        client = await Client.connect(settings.temporal_address,
                                      namespace=settings.temporal_namespace)

        async def watch_district() -> None:
            handle = client.get_workflow_handle(district_workflow_id(district_id))
            while True:
                await asyncio.sleep(2.0)
                try:
                    display.district = await handle.query(DistrictElectionWorkflow.progress)
                except Exception:  # not started yet, or between runs
                    pass

        watcher = asyncio.create_task(watch_district())
        run = asyncio.create_task(run_district(
            scenarios, settings, district_id=district_id, ballots=ballots,
            day_seconds=day_seconds, refresh_seconds=refresh_seconds,
            name="南京市 2009" if calibrate else "玄武区", progress=display.on_status))
        try:
            if live:
                with Live(display.render(), console=console, refresh_per_second=2) as view:
                    while not run.done():
                        view.update(display.render())
                        await asyncio.sleep(0.5)
                    view.update(display.render())
            outcome = await run
        finally:
            watcher.cancel()
            if not run.done():
                run.cancel()
        result = outcome.result
        ids = [district_workflow_id(district_id)] + [
            f"election-{c.election_id}" for c in result.children]
        activities = await count_activities(client, ids)
        peak = await rss.stop()

    report = dict(result.report)
    report.update({"district_id": district_id, "seed": seed, "calibrate": calibrate,
                   "ballots": ballots, "day_seconds": day_seconds,
                   "activities": activities, "peak_rss_mb": peak,
                   "wall_s": round(outcome.wall_s, 2), "district_runs": result.runs,
                   "machine": machine()})
    statuses = Counter(o["status"] for o in outcome.outputs)
    report["scenario_outputs"] = dict(statuses)
    if calibrate:
        from gongtui.calibrate import compare

        report["calibration"] = compare(report, communities)
    print_summary(report, console)
    if chart is not None:
        write_chart(report, chart)
        report["chart"] = str(chart)
        console.print(f"chart → {chart}")
    return report


def machine() -> dict[str, Any]:
    import os

    import psutil

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu or platform.processor(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def print_summary(report: dict[str, Any], console: Console) -> None:
    reg = report["registrants"]
    t = Table(title=f"District report 汇总 — {report['district_id']}", title_justify="left")
    t.add_column("figure 指标")
    t.add_column("value", justify="right")
    rows = [
        ("communities 社区", report["communities"]),
        ("completed 完成 / failed 失败", f"{report['completed']} / {report['failed']}"),
        ("registrants 报名", reg["total"]),
        ("  self 个人自荐 / joint 联名 / organization 组织",
         f"{reg['self']} / {reg['joint']} / {reg['organization']}"),
        ("  passed review 通过资格审查", reg["passed"]),
        ("co-signers 联名人", report["cosigners"]),
        ("non-voting participants 列席公推", report["recommendation"]["non_voting_participants"]),
        ("member attendance, recommendation 公推到会率",
         _pct(report["recommendation"]["member_attendance_mean"])),
        ("congress attendance 党员大会到会率 mean / max / min",
         " / ".join(_pct(report["congress_attendance"][k]) for k in ("mean", "max", "min"))),
        ("approvals 批准 / rejected 未批准 / filed 备案",
         f"{report['approvals']['approved']} / {report['approvals']['rejected']} / "
         f"{report['approvals'].get('filed', 0)}"),
        ("elapsed (first start → last end)", f"{report['elapsed_s']} s"),
        ("activities", report["activities"]),
        ("peak RSS (stack)", f"{report['peak_rss_mb']} MB"),
    ]
    for k, v in rows:
        t.add_row(k, str(v))
    console.print(t)
    f = Table(title="Funnel 差额 (shortlisted → inspected → candidates → elected)",
              title_justify="left")
    for col in ("post", "shortlisted", "inspected", "candidates", "elected", "min / community"):
        f.add_column(col, justify="right")
    order = ("secretary", "deputy_secretary", "member")
    for post, st in sorted(report["funnel"].items(),
                           key=lambda kv: order.index(kv[0]) if kv[0] in order else 9):
        low = report.get("funnel_min_per_community", {}).get(post, {})
        f.add_row(post, *[str(st[k]) for k in ("shortlisted", "inspected", "candidates",
                                                "elected")],
                  " → ".join(str(low.get(k)) for k in ("shortlisted", "inspected", "candidates",
                                                        "elected")))
    console.print(f)
    if report.get("calibration"):
        c = Table(title="Calibration: report vs Nanjing 2009 seed", title_justify="left")
        for col in ("figure", "report", "seed", "deviation", "ok"):
            c.add_column(col, justify="right")
        for row in report["calibration"]:
            dev = row["deviation"]
            dev_s = "" if dev is None else (f"{dev:+.2%}" if row["tolerance"] == "2 %"
                                            else f"{dev * 100:+.2f} pt")
            c.add_row(row["figure"], str(row["report"]), str(row["seed"]), dev_s,
                      "[green]yes[/]" if row["ok"] else "[red]no[/]")
        console.print(c)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


STAGE_ZH = {"shortlisted": "初步人选", "inspected": "考察对象", "candidates": "候选人",
            "elected": "当选"}


def write_chart(report: dict[str, Any], path: Path) -> None:
    """Funnel per post, attendance distribution, progress per street; labels in Chinese, set
    in the documents' font (Noto Sans SC, registered with matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    from datetime import datetime

    import matplotlib.pyplot as plt

    from documents.facts import post_zh
    from documents.fonts import use_in_matplotlib

    use_in_matplotlib()
    fig, axes = plt.subplots(1, 3, figsize=(17, 5.2))
    ax = axes[0]
    stages = ("shortlisted", "inspected", "candidates", "elected")
    order = ("secretary", "deputy_secretary", "member")
    posts = sorted(report["funnel"], key=lambda p: order.index(p) if p in order else 9)
    width = 0.8 / max(1, len(stages))
    for j, stage in enumerate(stages):
        ax.bar([i + j * width for i in range(len(posts))],
               [report["funnel"][p][stage] for p in posts], width, label=STAGE_ZH[stage])
    ax.set_xticks([i + width * (len(stages) - 1) / 2 for i in range(len(posts))],
                  [post_zh(p) for p in posts])
    ax.set_title("各职务差额情况（全区合计）")
    ax.set_ylabel("人数")
    ax.legend()
    ax = axes[1]
    att = [c["congress_attendance"] * 100 for c in report["per_community"]
           if c.get("congress_attendance") is not None]
    ax.hist(att, bins=20, color="tab:green", edgecolor="white")
    mean = report["congress_attendance"]["mean"]
    if mean is not None:
        ax.axvline(mean * 100, color="black", linestyle="--", label=f"平均 {mean:.1%}")
        ax.legend()
    ax.set_title("党员大会到会率（占应到人数 %）")
    ax.set_xlabel("到会率 %")
    ax.set_ylabel("社区数")
    ax = axes[2]
    ends: dict[str, list[float]] = {}
    starts = [datetime.fromisoformat(c["started_at"]) for c in report["per_community"]
              if c.get("started_at")]
    t0 = min(starts) if starts else None
    for c in report["per_community"]:
        if t0 is not None and c.get("ended_at") and c["status"] == "completed":
            ends.setdefault(c["street_id"], []).append(
                (datetime.fromisoformat(c["ended_at"]) - t0).total_seconds())
    for street, values in sorted(ends.items()):
        values.sort()
        ax.step(values, range(1, len(values) + 1), where="post", label=street)
    ax.set_title("各街道完成换届的社区数")
    ax.set_xlabel("自第一个社区开始的秒数")
    ax.set_ylabel("已完成社区数")
    if len(ends) <= 12:
        ax.legend(fontsize=7)
    fig.suptitle(f"{report['district_id']}：{report['completed']}/{report['communities']} "
                 f"个社区完成换届，用时 {report['elapsed_s']} 秒")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(report: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
