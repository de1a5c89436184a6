"""The browser tests' gate (unit): without a browser they skip saying how to enable them, and
under CI=true the same absence fails instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.console import browser


def no_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GONGTUI_CHROMIUM", raising=False)
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    real = Path.exists
    monkeypatch.setattr(Path, "exists",
                        lambda self: False if str(self) == "/usr/bin/chromium" else real(self))


def test_without_a_browser_the_tests_skip_and_say_how(monkeypatch: pytest.MonkeyPatch) -> None:
    no_browser(monkeypatch)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        browser.chromium()
    assert "apt-get install -y chromium" in str(skipped.value)
    assert "pip install playwright" in str(skipped.value)


def test_under_ci_a_missing_browser_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    no_browser(monkeypatch)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        browser.chromium()
    assert "mandatory under CI=true" in str(failed.value)


def test_a_named_browser_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGTUI_CHROMIUM", "/opt/chromium/chrome")
    assert browser.chromium() == "/opt/chromium/chrome"
