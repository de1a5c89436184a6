"""The browser of the console's browser tests: Playwright for Python driving Debian's
Chromium (``apt-get install chromium``; ``pip install playwright``: ``playwright install``
is not needed). Without either the tests skip and say how to enable them; under CI=true they
fail instead, so CI never passes without them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
#: the README's screenshots, rewritten by the browser tests when GONGTUI_SCREENSHOTS=1
DOCS = ROOT / "docs" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
HOW = ("browser tests need Debian's Chromium and Playwright for Python: `apt-get install -y "
       "chromium` and `pip install playwright` (GONGTUI_CHROMIUM names another binary)")


def chromium() -> str:
    """The browser's path, or a skip (a failure under CI=true) saying how to get one."""
    found = os.environ.get("GONGTUI_CHROMIUM") or shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else "")
    problem = "" if found else "no chromium found"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        problem = "playwright is not installed"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{problem}: {HOW} (mandatory under CI=true)")
        pytest.skip(f"{problem}: {HOW}")
    return found
