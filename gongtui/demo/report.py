"""What the demo shows and writes at the end: the summary tables, the PNG chart and the JSON
report (keys as the district workflow's report, plus the run's own figures)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from core.vocabulary import POSTS


def _post_rank(post: str) -> int:
    """The posts in the congress's order; anything else after them."""
    return POSTS.index(post) if post in POSTS else len(POSTS)


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
    for post, st in sorted(report["funnel"].items(), key=lambda kv: _post_rank(kv[0])):
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
    posts = sorted(report["funnel"], key=_post_rank)
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
