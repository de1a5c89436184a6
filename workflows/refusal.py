"""A refused workflow update: the text as people read it, and its field and rule as the
failure's details, where the API reads them (never parsed back from the text)."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError


def refusal(message: str, field: str, rule: str = "", *, type: str | None = None
            ) -> ApplicationError:
    """The update refused with ``message`` (unchanged), naming ``field`` and ``rule``."""
    return ApplicationError(message, {"field": field, "rule": rule}, type=type)
