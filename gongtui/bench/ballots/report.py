"""The report: each measurement's pairs as medians and totals, and the summary at 16 clients."""

from __future__ import annotations

import os
import statistics
from typing import Any


def run_record(clients: int, group: bool, raw_commits: float,
                pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """The pairs of one measurement: rates and shares as medians, counts as totals."""
    cpus = os.cpu_count() or 1
    for p in pairs:
        p["echo_per_s"] = p["echo"]["per_s"]
        # the rate the machine's CPU allows at the CPU a call cost here (every core busy),
        # as a share of the echo beside it: an upper bound whatever the server's concurrency
        for m in (p, p["floor"]):
            if m:
                m["cpu_bound_vs_echo"] = cpus * 1e6 / max(m["machine_busy_us_per_call"], 1e-9) \
                    / p["echo_per_s"]
    ratios = [p["ballots_per_s"] / p["echo_per_s"] for p in pairs]
    rate = statistics.median(p["ballots_per_s"] for p in pairs)

    def median(key: str, of: str | None = None, digits: int = 0) -> Any:
        values = [(p[of] if of else p)[key] for p in pairs if not of or p[of]]
        return round(statistics.median(values), digits or None) if values else None

    floor: dict[str, Any] = {}
    if all(p["floor"] for p in pairs):
        floor = {
            "durable_floor_per_s": median("per_s", "floor"),
            "durable_floor_per_s_pairs": [round(p["floor"]["per_s"]) for p in pairs],
            "durable_floor_stored": sum(int(p["floor"]["stored"]) for p in pairs),
            "durable_floor_vs_echo": round(statistics.median(
                p["floor"]["per_s"] / p["echo_per_s"] for p in pairs), 3),
            "vs_durable_floor": round(statistics.median(
                p["ballots_per_s"] / p["floor"]["per_s"] for p in pairs), 3),
            "vs_durable_floor_pairs": [round(p["ballots_per_s"] / p["floor"]["per_s"], 3)
                                       for p in pairs],
            "durable_floor_server_cpu_us_per_call": median("server_cpu_us_per_call", "floor"),
            "durable_floor_client_cpu_us_per_call": median("client_cpu_us_per_call", "floor"),
            "durable_floor_machine_busy_us_per_call": median("machine_busy_us_per_call", "floor"),
            "durable_floor_machine_idle_share": median("machine_idle_share", "floor", 3),
            "durable_floor_cpu_bound_vs_echo": median("cpu_bound_vs_echo", "floor", 3)}
    return {"clients": clients, "group_commit": group, "repeats": len(pairs),
            "ballots": sum(p["ballots"] for p in pairs),
            "seconds": round(sum(p["seconds"] for p in pairs), 3),
            "ballots_per_s": round(rate),
            "ballots_per_s_pairs": [round(p["ballots_per_s"]) for p in pairs],
            "echo_per_s": round(statistics.median(p["echo_per_s"] for p in pairs)),
            "echo_per_s_pairs": [round(p["echo_per_s"]) for p in pairs],
            "counted_returned": sum(p["counted_returned"] for p in pairs),
            "stored": sum(p["stored"] for p in pairs),
            "lost": sum(p["lost"] for p in pairs),
            "duplicated": sum(p["duplicated"] for p in pairs),
            "server_cpu_us_per_ballot": median("server_cpu_us_per_call"),
            "client_cpu_us_per_ballot": median("client_cpu_us_per_call"),
            "machine_busy_us_per_ballot": median("machine_busy_us_per_call"),
            "machine_idle_share": median("machine_idle_share", digits=3),
            "cpu_bound_vs_echo": median("cpu_bound_vs_echo", digits=3),
            "echo_server_cpu_us_per_call": median("server_cpu_us_per_call", "echo"),
            "echo_client_cpu_us_per_call": median("client_cpu_us_per_call", "echo"),
            "echo_machine_busy_us_per_call": median("machine_busy_us_per_call", "echo"),
            "echo_machine_idle_share": median("machine_idle_share", "echo", 3),
            "vs_echo": round(statistics.median(ratios), 3),
            "vs_echo_pairs": [round(r, 3) for r in ratios],
            "vs_raw_commits": round(rate / raw_commits, 3)} | floor


def share(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.0%}"


def summary_at_16(result: dict[str, Any]) -> dict[str, Any]:
    """Each database's measurement at 16 clients with group commits, beside the goal."""
    summary = {}
    for d in result["databases"]:
        at16 = next((r for r in d["runs"] if r["clients"] == 16 and r["group_commit"]), None)
        if at16 and at16["vs_echo"] is not None:
            summary[d["database"]] = {"ballots_per_s_at_16": at16["ballots_per_s"],
                                      "echo_per_s_at_16": at16["echo_per_s"],
                                      "ratio_to_echo": at16["vs_echo"],
                                      "ratio_to_echo_pairs": at16["vs_echo_pairs"],
                                      "server_cpu_us_per_ballot": at16["server_cpu_us_per_ballot"],
                                      "echo_server_cpu_us_per_call":
                                          at16["echo_server_cpu_us_per_call"],
                                      "machine_idle_share": at16["machine_idle_share"],
                                      "echo_machine_idle_share": at16["echo_machine_idle_share"],
                                      "durable_floor_per_s_at_16": at16.get("durable_floor_per_s"),
                                      "durable_floor_vs_echo": at16.get("durable_floor_vs_echo"),
                                      "cpu_bound_vs_echo": at16["cpu_bound_vs_echo"],
                                      "durable_floor_cpu_bound_vs_echo":
                                          at16.get("durable_floor_cpu_bound_vs_echo"),
                                      "ratio_to_durable_floor": at16.get("vs_durable_floor"),
                                      "goal": ">= 0.8 of the echo (median of the pairs)",
                                      "goal_met": at16["vs_echo"] >= 0.8 and not at16["lost"]
                                      and not at16["duplicated"]}
    return summary
