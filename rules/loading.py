"""A profile as the services and the workflows' activities keep it: a name, and its overrides
as the JSON text stored beside the election or the meeting."""

from __future__ import annotations

import json
from functools import lru_cache

from .model import Profile, RuleViolation
from .profile import load_profile


@lru_cache(maxsize=256)
def profile_from_json(name: str, overrides_json: str = "") -> Profile:
    """The profile ``name`` with the overrides in ``overrides_json`` ("" or "{}": none) applied.

    Text that is not a JSON object is refused as ``RuleViolation("PROFILE", "overrides_json",
    …)``; unknown or invalid overrides as :func:`load_profile` refuses them. A profile is
    immutable, so each (name, text) is loaded once per process."""
    text = overrides_json.strip()
    overrides = None
    if text:
        try:
            overrides = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RuleViolation("PROFILE", "overrides_json", overrides_json,
                                f"不是有效的 JSON / not valid JSON: {exc.msg}") from exc
        if not isinstance(overrides, dict):
            raise RuleViolation("PROFILE", "overrides_json", overrides_json,
                                "须为 JSON 对象 / must be a JSON object")
    return load_profile(name, overrides or None)
