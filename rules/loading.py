"""A profile as the services and the workflows' activities keep it: a name, and its overrides
as the JSON text stored beside the election or the meeting."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from .model import Profile, RuleViolation
from .profile import load_profile


def overrides_from_json(overrides_json: str) -> dict[str, Any] | None:
    """The overrides in ``overrides_json`` as stored: ``None`` for blank text, else the object.

    Text that is not a JSON object is refused as ``RuleViolation("PROFILE", "overrides_json",
    …)``: the one reading of the stored text, for the loader below and for the services that
    keep the text in a canonical form."""
    text = overrides_json.strip()
    if not text:
        return None
    try:
        overrides = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RuleViolation("PROFILE", "overrides_json", overrides_json,
                            f"不是有效的 JSON / not valid JSON: {exc.msg}") from exc
    if not isinstance(overrides, dict):
        raise RuleViolation("PROFILE", "overrides_json", overrides_json,
                            "须为 JSON 对象 / must be a JSON object")
    return overrides


@lru_cache(maxsize=256)
def profile_from_json(name: str, overrides_json: str = "") -> Profile:
    """The profile ``name`` with the overrides in ``overrides_json`` ("" or "{}": none) applied.

    Text that is not a JSON object is refused as :func:`overrides_from_json` refuses it;
    unknown or invalid overrides as :func:`load_profile` refuses them. A profile is
    immutable, so each (name, text) is loaded once per process."""
    return load_profile(name, overrides_from_json(overrides_json) or None)
