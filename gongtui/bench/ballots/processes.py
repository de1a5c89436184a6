"""The servers as their own processes: the echo (or the durable floor) and the voting service."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from core.config import Settings
from gongtui.bench.ballots.plumbing import ROOT
from gongtui.stack import free_port
from services.common.probes import grpc_healthy, split_address


@dataclass
class Proc:
    proc: subprocess.Popen[bytes]
    address: str

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def wait_port(address: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    host, port = split_address(address)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            _, w = await asyncio.open_connection(host, port)
            w.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{address} did not open")


async def start_echo(durable: str = "") -> Proc:
    address = f"127.0.0.1:{free_port()}"
    proc = subprocess.Popen([sys.executable, "-m", "gongtui.bench.ballots", "echo",  # noqa: ASYNC220
                             str(split_address(address)[1]), *([durable] if durable else [])],
                            cwd=ROOT)
    await wait_port(address, proc)
    return Proc(proc, address)


async def start_voting(database_url: str, data_dir: Path, group_commit: bool,
                       log: Path) -> Proc:

    address = f"127.0.0.1:{free_port()}"
    env = dict(os.environ)
    env.update({"GONGTUI_VOTING_ADDRESS": address, "GONGTUI_DATA_DIR": str(data_dir),
                "GONGTUI_DATABASE_URL": database_url, "GONGTUI_TEMPORAL_ADDRESS": "",
                "GONGTUI_GROUP_COMMIT": "true" if group_commit else "false",
                "GONGTUI_LOG_LEVEL": "WARNING", "GONGTUI_METRICS_PORT": "0",
                # the ballot box's own cost, over plain gRPC on loopback like the echo baseline
                "GONGTUI_ALLOW_INSECURE": "true", "GONGTUI_TLS_CA": "",
                "GONGTUI_TLS_CERT": "", "GONGTUI_TLS_KEY": ""})
    proc = subprocess.Popen([sys.executable, "-m", "gongtui.cli", "serve", "voting"], env=env,  # noqa: ASYNC220
                            cwd=ROOT, stdout=open(log, "ab"), stderr=subprocess.STDOUT)  # noqa: SIM115, ASYNC230
    deadline = time.monotonic() + 90
    while not await grpc_healthy(address, Settings(allow_insecure=True, tls_ca="", tls_cert="",
                                                   tls_key=""), "voting"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"voting service did not start; see {log}")
        await asyncio.sleep(0.2)
    return Proc(proc, address)
