"""A service loads a profile by built-in name or from the configured profiles folder by name;
a path named in a request is refused (rule PROFILE, field profile), wherever the file is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import rules
from services.common import profiles


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "district-x.yaml").write_text(
        "name: district-x\nextends: nanjing\nparameters: {notice_days: 7}\n", encoding="utf-8")
    (tmp_path / "outside.yaml").write_text("name: outside\nextends: nanjing\n",
                                           encoding="utf-8")
    inner = tmp_path / "profiles"
    inner.mkdir()
    (inner / "mine.yaml").write_text("name: mine\nextends: nanjing\n", encoding="utf-8")
    yield inner
    profiles.configure("")


def test_built_in_names_and_the_folder_by_name_only(folder: Path) -> None:
    assert profiles.load_profile("nanjing").name == "nanjing"
    for named in (str(folder / "mine.yaml"), "../outside", "/etc/passwd", "mine.yaml", "mine"):
        with pytest.raises(rules.RuleViolation) as exc:
            profiles.load_profile(named)  # nothing but built-in names without a folder
        assert (exc.value.rule_id, exc.value.field) == ("PROFILE", "profile")
    profiles.configure(str(folder))
    assert profiles.load_profile("mine").name == "mine"
    for named in (str(folder / "mine.yaml"), "../outside", str(folder.parent / "district-x"),
                  "mine.yaml"):
        with pytest.raises(rules.RuleViolation):
            profiles.load_profile(named)
