"""``python -m gongtui.bench.ballots echo PORT [DURABLE]``: the echo server (or the durable
floor) as its own process, started by the benchmark."""

from __future__ import annotations

import asyncio
import sys

from gongtui.bench.ballots.echo import echo_server

if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "echo":
        asyncio.run(echo_server(int(sys.argv[2]), sys.argv[3] if len(sys.argv) == 4 else ""))
