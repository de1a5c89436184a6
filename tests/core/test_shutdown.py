"""core.shutdown: the stop event is set by SIGTERM and SIGINT while inside the block, and the
process's own handling of the signals comes back after it."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from core.shutdown import stop_on_signals


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_sets_the_stop_event(sig: signal.Signals) -> None:
    with stop_on_signals() as stop:
        assert not stop.is_set()
        os.kill(os.getpid(), sig)
        await asyncio.wait_for(stop.wait(), timeout=5)
    assert signal.getsignal(sig) in (signal.SIG_DFL, signal.default_int_handler)


async def test_a_given_event_is_the_one_set() -> None:
    mine = asyncio.Event()
    with stop_on_signals(mine) as stop:
        assert stop is mine
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(mine.wait(), timeout=5)


async def test_off_the_main_thread_the_event_still_works() -> None:
    """Where the loop cannot take signal handlers, the event is only set by its holder."""

    async def inside() -> bool:
        with stop_on_signals() as stop:
            stop.set()
            return stop.is_set()

    assert await asyncio.to_thread(asyncio.run, inside())
