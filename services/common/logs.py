"""Structured JSON logs: one object per line, carrying the election and community IDs of the
request or activity that wrote it (bound in context variables by the gRPC interceptor, the
activity interceptor and the API's middleware)."""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import sys
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from typing import Any, cast

ELECTION_ID: contextvars.ContextVar[str] = contextvars.ContextVar("election_id", default="")
COMMUNITY_ID: contextvars.ContextVar[str] = contextvars.ContextVar("community_id", default="")


def bind(election_id: str = "", community_id: str = "") -> Callable[[], None]:
    """Bind the IDs for the current task; returns the function that unbinds them."""
    tokens = []
    if election_id:
        tokens.append((ELECTION_ID, ELECTION_ID.set(election_id)))
    if community_id:
        tokens.append((COMMUNITY_ID, COMMUNITY_ID.set(community_id)))

    def reset() -> None:
        for var, token in reversed(tokens):
            var.reset(token)

    return reset


def ids_of(message: Any) -> tuple[str, str]:
    """The election and community IDs of a request (a protobuf message or a dataclass), if any."""
    election = community = ""
    for obj in (message, getattr(message, "election", None)):
        if obj is None:
            continue
        election = election or str(getattr(obj, "election_id", "") or "")
        community = community or str(getattr(obj, "community_id", "") or "")
    return election, community


def _unbind() -> None:
    pass


@functools.lru_cache(maxsize=512)
def _carries_ids(message_type: Hashable) -> bool:
    """Whether a request type has any field ids_of reads (most of a service's hot calls —
    a ballot, a check-in — have none: then there is nothing to bind, per call)."""
    fields = getattr(getattr(message_type, "DESCRIPTOR", None), "fields_by_name", None)
    if fields is None:  # not a protobuf message: look per call
        return True
    return any(name in fields for name in ("election_id", "community_id", "election"))


def bind_request(message: Any) -> Callable[[], None]:
    if not _carries_ids(cast(Hashable, type(message))):  # classes hash; typeshed disagrees
        return _unbind
    return bind(*ids_of(message))


class JsonFormatter(logging.Formatter):
    def __init__(self, component: str = ""):
        super().__init__()
        self.component = component

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "component": self.component,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        election = getattr(record, "election_id", "") or ELECTION_ID.get()
        community = getattr(record, "community_id", "") or COMMUNITY_ID.get()
        if election:
            out["election_id"] = election
        if community:
            out["community_id"] = community
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def setup(component: str, level: str = "INFO", fmt: str = "json") -> None:
    """Configure the root logger of a component process (``gongtui serve``)."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(component))
    else:
        handler.setFormatter(logging.Formatter(
            f"%(asctime)s %(levelname)s {component} %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
