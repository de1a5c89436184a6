"""What every part of the ballots benchmark shares: the repository's root, the generated
messages, PostgreSQL DSNs and running a coroutine from synchronous code."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


def pb_modules() -> Any:
    from proto import common_pb2, voting_pb2, voting_pb2_grpc

    return common_pb2, voting_pb2, voting_pb2_grpc



def run_sync(coro: Any) -> Any:
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def dsn(url: str, database: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)
