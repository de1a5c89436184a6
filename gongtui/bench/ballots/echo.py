"""The echo server and the durable floor: the two servers the voting service is measured
beside (see the package's docstring)."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import grpc

from gongtui.bench.ballots.plumbing import dsn, pb_modules

# ----------------------------------------------------------------------------- echo server
ECHO_METHOD = "/gongtui.bench.Echo/CastBallot"


async def echo_server(port: int, durable: str = "") -> None:
    """The echo (``durable`` empty), or the durable floor writing into ``durable``
    (``sqlite:PATH`` or a PostgreSQL URL)."""
    _, voting_pb2, _ = pb_modules()
    answer = voting_pb2.CastBallotResponse(receipt="sha256:" + "0" * 64, valid=True)

    async def cast(request: Any, context: Any) -> Any:  # the echo: nothing but the answer
        return answer

    if durable:
        floor = DurableFloor(durable)
        await floor.open()

        async def cast(request: Any, context: Any) -> Any:
            await floor.write(request.code)
            return answer

    handler = grpc.method_handlers_generic_handler("gongtui.bench.Echo", {
        "CastBallot": grpc.unary_unary_rpc_method_handler(
            cast, request_deserializer=voting_pb2.CastBallotRequest.FromString,
            response_serializer=voting_pb2.CastBallotResponse.SerializeToString)})
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


class DurableFloor:
    """The durable floor's write path: each call's code one row, the calls waiting meanwhile
    written together, each answered after its batch committed."""

    def __init__(self, target: str):
        self.target = target
        self.pending: list[tuple[str, asyncio.Future[None]]] = []
        self.event = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.sqlite: sqlite3.Connection | None = None
        self.postgres: Any = None
        self.thread: Any = None

    async def open(self) -> None:
        if self.target.startswith("sqlite:"):
            from concurrent.futures import ThreadPoolExecutor

            self.thread = ThreadPoolExecutor(1)
            self.sqlite = sqlite3.connect(self.target.removeprefix("sqlite:"), isolation_level=None,
                                          check_same_thread=False)
            self.sqlite.execute("PRAGMA journal_mode=WAL")
            self.sqlite.execute("PRAGMA synchronous=FULL")
            self.sqlite.execute("CREATE TABLE IF NOT EXISTS durable_floor (code TEXT PRIMARY KEY)")
        else:
            import asyncpg

            self.postgres = await asyncpg.connect(dsn(self.target))
            await self.postgres.execute(
                "CREATE TABLE IF NOT EXISTS durable_floor (code TEXT PRIMARY KEY)")

    async def write(self, code: str) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending.append((code, future))
        if self.task is None:
            self.task = asyncio.create_task(self._run())
        self.event.set()
        await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self.event.wait()
            self.event.clear()
            while self.pending:
                batch = self.pending[:512]
                del self.pending[: len(batch)]
                try:
                    if self.sqlite is not None:
                        self.sqlite.execute("BEGIN IMMEDIATE")
                        self.sqlite.executemany("INSERT INTO durable_floor VALUES (?)",
                                                [(c,) for c, _ in batch])
                        await loop.run_in_executor(self.thread, self.sqlite.execute, "COMMIT")
                    else:  # one statement: its own transaction, committed before it returns
                        await self.postgres.execute(
                            "INSERT INTO durable_floor SELECT unnest($1::text[])",
                            [c for c, _ in batch])
                except Exception as exc:  # noqa: BLE001 - each caller gets the failure
                    for _, f in batch:
                        f.set_exception(exc)
                    continue
                for _, f in batch:
                    f.set_result(None)
