"""Stopping on a signal: one way for every long-running process (services, worker, CLI).

``with stop_on_signals() as stop: ... await stop.wait()`` — the event is set on SIGTERM or
SIGINT, so the process can finish what is in flight before it exits instead of dying
mid-write. Where the loop cannot take signal handlers (not the main thread, or Windows) the
event is only set by whoever else holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator

STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event | None = None,
                    signals: tuple[signal.Signals, ...] = STOP_SIGNALS) -> Iterator[asyncio.Event]:
    """An event (``stop``, or a new one) set when one of ``signals`` arrives, while inside the
    block; the handlers are removed on leaving it. Call from a running event loop."""
    event = stop if stop is not None else asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in signals:
        try:
            loop.add_signal_handler(sig, event.set)
        except (NotImplementedError, RuntimeError, ValueError):
            continue
        installed.append(sig)
    try:
        yield event
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
