"""CPU accounting over one measurement."""

from __future__ import annotations


class Usage:
    """The CPU spent over one measurement: by the server's process, by this one (the clients),
    and by the whole machine (the database server too) — per call; and the share of the
    machine's time left idle. A 2-core machine whose echo leaves nothing idle has no CPU to
    give any server that does more than the echo."""

    def __init__(self, server_pid: int):
        import psutil

        self.server = psutil.Process(server_pid)
        self.me = psutil.Process()
        self.start = self._now()

    def _now(self) -> tuple[float, float, float, float]:
        import psutil

        s, m, t = self.server.cpu_times(), self.me.cpu_times(), psutil.cpu_times()
        idle = t.idle + getattr(t, "iowait", 0.0)
        # time this machine had: steal (the host's) and guest (already in user) left out
        busy = t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)
        return s.user + s.system, m.user + m.system, idle, busy + idle

    def per_call(self, calls: int) -> dict[str, float]:
        end = self._now()
        server, client, idle, total = (b - a for a, b in zip(self.start, end, strict=True))
        return {"server_cpu_us_per_call": server / calls * 1e6,
                "client_cpu_us_per_call": client / calls * 1e6,
                "machine_busy_us_per_call": max(total - idle, 0.0) / calls * 1e6,
                "machine_idle_share": idle / total if total > 0 else 0.0}
