"""The demo's live view: communities per step and per street, paused and waiting, and the
district workflow's own view of itself."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from rich.console import Group
from rich.table import Table

from core.vocabulary import STEPS


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
