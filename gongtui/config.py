"""Configuration from the environment (GONGTUI_*), one settings object for every component."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("nomination", "voting", "approval")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GONGTUI_", extra="ignore")

    data_dir: Path = Path(".gongtui")
    # A PostgreSQL URL here puts every service in its own schema of that database.
    database_url: str = ""
    nomination_database_url: str = ""
    voting_database_url: str = ""
    approval_database_url: str = ""

    host: str = "127.0.0.1"
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_port: int = 8233
    task_queue: str = "gongtui-elections"
    nomination_address: str = "127.0.0.1:50151"
    voting_address: str = "127.0.0.1:50152"
    approval_address: str = "127.0.0.1:50153"
    api_port: int = 8000

    # One "day" of profiles and plans, in seconds (drills and tests run days as seconds).
    day_seconds: float = 86400.0
    # Worker tuning: the cache must hold every open workflow (PITFALLS).
    max_cached_workflows: int = 1000
    max_concurrent_activities: int = 200
    log_level: str = "INFO"

    def service_address(self, service: str) -> str:
        return str(getattr(self, f"{service}_address"))

    def service_database_url(self, service: str) -> str:
        explicit = str(getattr(self, f"{service}_database_url"))
        if explicit:
            return explicit
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{service}.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
