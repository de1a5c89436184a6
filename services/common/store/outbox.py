"""The signal outbox: the workflow wake-ups of a transaction, queued in it.

A fact and the wake-up it calls for commit together; the relay (``services.common.relay``)
signals the workflows after the commit and deletes the rows it delivered, so a crash between
the two wakes a workflow at most twice, never not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def outbox_rows(wakes: list[tuple[str, str]], now: datetime) -> list[dict[str, Any]]:
    """One row per distinct (workflow, reason), in the order they were asked for."""
    return [{"workflow_id": workflow_id, "reason": reason, "created_at": now}
            for workflow_id, reason in dict.fromkeys(wakes)]
