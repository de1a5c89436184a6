"""Where the suite's data lives: the repository, the scenario files and the committed
workflow histories."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "tests" / "scenarios"
HISTORIES = ROOT / "tests" / "workflows" / "replay" / "histories"
