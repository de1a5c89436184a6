"""Shared fixtures: the embedded stack (real Temporal dev server, real gRPC services on
sockets, real SQLite files) started once per test session."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gongtui.stack import EmbeddedStack, embedded_settings, settings_env

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EmbeddedStack]:
    data_dir = tmp_path_factory.mktemp("stack")
    settings = embedded_settings(data_dir)
    stack = EmbeddedStack(settings)
    try:
        await stack.start()
    except Exception:
        stack.stop()
        raise
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def stack_env(stack: EmbeddedStack) -> dict[str, str]:
    env = dict(os.environ)
    env.update(settings_env(stack.settings))
    return env
