"""Configuration from the environment (GONGTUI_*), one settings object for every component.

Every field is the environment variable ``GONGTUI_<FIELD>`` (docs/deployment.md lists them).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("nomination", "voting", "approval")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GONGTUI_", extra="ignore")

    # where the SQLite databases (and the embedded stack's logs) live
    data_dir: Path = Path(".gongtui")
    # where each service keeps the Ed25519 key that signs its chain heads (made on its first
    # start; empty: <data_dir>/keys)
    signing_keys_dir: str = ""
    # A PostgreSQL URL (postgresql+asyncpg://...) here puts every service in its own schema
    # (nomination, voting, approval; the API in "api") of that database.
    database_url: str = ""
    # per-service URLs override database_url for that service
    nomination_database_url: str = ""
    voting_database_url: str = ""
    approval_database_url: str = ""

    # host the API binds
    host: str = "127.0.0.1"
    # host the gRPC services bind ("" = the host of their address; 0.0.0.0 in containers)
    bind_host: str = ""
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_port: int = 8233
    task_queue: str = "gongtui-elections"
    # where the services are reached (and, without bind_host, what they bind)
    nomination_address: str = "127.0.0.1:50151"
    voting_address: str = "127.0.0.1:50152"
    approval_address: str = "127.0.0.1:50153"
    api_port: int = 8000

    # Mutual TLS between the API, the workers, the CLI and the services (docs/deployment.md):
    # PEM paths of the district CA, of this process's certificate and of its key (made by
    # ``gongtui certs``; the embedded stack makes its own). Empty: plain gRPC, refused unless
    # allow_insecure is set (a developer's laptop only).
    tls_ca: str = ""
    tls_cert: str = ""
    tls_key: str = ""
    allow_insecure: bool = False
    # the roles the operator's certificate may act as at a service (comma-separated; "*":
    # every person role, never system): the district's own role by default; the embedded
    # stack, where one operator drills every part (gongtui simulate), sets "*"
    operator_roles: str = "district_admin"

    # /metrics, /livez, /readyz of a service or worker process (0: not served); the API
    # serves them on api_port
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 0
    # seconds a stopping process lets in-flight RPCs (and activities) finish
    shutdown_grace_seconds: float = 10.0
    # group commit of ballots (one transaction for the ballots that arrive together)
    group_commit: bool = True

    # One "day" of profiles and plans, in seconds (drills and tests run days as seconds).
    day_seconds: float = 86400.0
    # Worker tuning: the cache must hold every open workflow (docs/performance.md).
    max_cached_workflows: int = 1000
    max_concurrent_activities: int = 200
    log_level: str = "INFO"
    # json (one object per line) or text
    log_format: str = "json"

    # Limits at the door (docs/deployment.md). Bytes of a request body on every route, and on
    # the roster routes (an uploaded file); more is refused with 413.
    api_max_body_bytes: int = 2 * 1024 * 1024
    api_max_upload_bytes: int = 10 * 1024 * 1024
    # per client address, in the notation of the ``limits`` library ("N/second", "N/minute"):
    # casts (POST /api/v1/ballots), and failed token authentications; more is 429
    cast_rate_limit: str = "30/second"
    auth_failure_rate_limit: str = "20/minute"
    # casts waiting for the ballot box's writer; more is refused (RESOURCE_EXHAUSTED, 503)
    ballot_box_max_pending: int = 2048
    # the one folder profiles load from besides the built-in ones, by name ("" = built-in only)
    profiles_dir: str = ""

    def operator_role_list(self) -> tuple[str, ...]:
        return tuple(r.strip() for r in self.operator_roles.split(",") if r.strip())

    def service_address(self, service: str) -> str:
        return str(getattr(self, f"{service}_address"))

    def bind_address(self, service: str) -> str:
        address = self.service_address(service)
        if not self.bind_host:
            return address
        return f"{self.bind_host}:{address.rsplit(':', 1)[1]}"

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
