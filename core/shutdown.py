"""The one way a long-running process learns it should stop: an event set on SIGTERM or SIGINT.

``gongtui up``, the worker and the servers all wait on it, then stop in their own order
(finish in-flight work, then close)."""

from __future__ import annotations

import asyncio
import signal


def stop_event_on_signals(event: asyncio.Event | None = None) -> asyncio.Event:
    """``event`` (or a new one) set when the process gets SIGTERM or SIGINT. Call it inside the
    running event loop; where the loop cannot take signal handlers (not the main thread, or
    Windows), the event is still returned, to be set by whoever owns the process."""
    stop = event or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    return stop
