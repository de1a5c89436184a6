"""Which profiles a service loads: a built-in one by name, or one of the operator's profiles
folder (``GONGTUI_PROFILES_DIR``) by name; never a path a caller names, so no gRPC request
makes a service read a file of its choosing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import rules

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")
_folder = ""


def configure(profiles_dir: str) -> None:
    """The process's profiles folder ("" = built-in profiles only), set at service start."""
    global _folder
    _folder = profiles_dir


def profile_source(name: str) -> str:
    """What ``rules.load_profile`` reads for the profile ``name``: the built-in name, or the
    file ``NAME.yaml`` of the profiles folder. Refused (rule PROFILE, field profile)
    otherwise."""
    if name in rules.list_profiles():
        return name
    if _folder and _NAME.match(name):
        folder = Path(_folder).resolve()
        path = folder / f"{name}.yaml"
        if path.is_file() and path.resolve().parent == folder:
            return str(path)
    where = f" or a profile of {_folder}" if _folder else ""
    raise rules.RuleViolation(
        "PROFILE", "profile", name,
        f"未知的规则配置 / unknown profile: a built-in name ({', '.join(rules.list_profiles())})"
        f"{where}, never a path")


def load_profile(name: str, overrides: Mapping[str, Any] | None = None) -> rules.Profile:
    """``rules.load_profile`` of a profile a request names (see :func:`profile_source`)."""
    return rules.load_profile(profile_source(name), overrides)
