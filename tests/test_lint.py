"""ruff is part of the test command, so CI fails on a lint error like on a failing test."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    proc = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflows_never_import_the_rule_engine() -> None:
    """Workflow code is deterministic: durable_rules (and rules/) run only in activities."""
    for path in (ROOT / "workflows").rglob("workflows.py"):
        text = path.read_text()
        assert "durable" not in text and "import rules" not in text and "from rules" not in text, path
