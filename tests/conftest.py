"""Shared fixtures: the embedded stack (real Temporal dev server, real gRPC services on
sockets, real databases) started once per test session.

The suite runs twice in CI (.ci/run): on SQLite files, and with ``GONGTUI_TEST_DATABASE_URL``
naming a PostgreSQL server, on PostgreSQL — the stack in a fresh ``gongtui_test_*`` database
made for the session, each service test in a fresh database of its own; all dropped after.
Without a reachable server that pass skips with the reason, unless GONGTUI_REQUIRE_POSTGRES=1
makes it a failure.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from core.config import Settings
from gongtui.stack import EmbeddedStack, embedded_settings, settings_env
from tests.support import postgres as support

ROOT = Path(__file__).resolve().parent.parent
# A service started on its own by a test speaks plain gRPC to the test's plain channels; the
# embedded stack and tests/services/common/test_tls.py speak mutual TLS (their settings name
# the certificates, which always wins over this).
os.environ.setdefault("GONGTUI_ALLOW_INSECURE", "true")


def pytest_report_header(config: pytest.Config) -> str:
    if support.postgres_pass():
        return f"databases: PostgreSQL ({support.server_url()}), fresh gongtui_test_* databases"
    return "databases: SQLite files (set GONGTUI_TEST_DATABASE_URL for the PostgreSQL pass)"


#: what CI runs in one of its two passes only (GONGTUI_CI_PASS, set by .ci/run): a test whose
#: subject does not depend on the services' database (``one_database``: the supervisor of
#: ``gongtui up`` on its own folder, the console in a browser, the workflow against fakes)
#: runs in the SQLite pass; a test on PostgreSQL whichever pass runs it (``postgres``, or the
#: ``postgres_url`` fixture) in the PostgreSQL pass. Run by hand, every test runs.
ONE_DATABASE_FOLDERS = ("tests/workflows/unit/", "tests/workflows/replay/")


def _ci_pass_skip(item: pytest.Item, ci_pass: str) -> pytest.MarkDecorator | None:
    where = item.path.relative_to(ROOT).as_posix()
    if ci_pass == "postgresql" and (item.get_closest_marker("one_database") is not None
                                    or where.startswith(ONE_DATABASE_FOLDERS)):
        return pytest.mark.skip(reason="CI runs it in its SQLite pass only (one_database: "
                                       "the module says why)")
    on_postgres = (item.get_closest_marker("postgres") is not None
                   or "postgres_url" in getattr(item, "fixturenames", ()))
    if ci_pass == "sqlite" and on_postgres:
        return pytest.mark.skip(reason="on PostgreSQL in either pass: CI runs it in its "
                                       "PostgreSQL pass")
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ci_pass = os.environ.get("GONGTUI_CI_PASS", "")
    if ci_pass:
        for item in items:
            skip = _ci_pass_skip(item, ci_pass)
            if skip is not None:
                item.add_marker(skip)
    if not support.postgres_pass():
        return
    why = support.reachable()
    if not why:
        return
    if support.required():
        raise pytest.UsageError(f"{why}; GONGTUI_REQUIRE_POSTGRES=1 makes the PostgreSQL pass "
                                "mandatory")
    skip = pytest.mark.skip(reason=f"PostgreSQL pass: {why}")
    for item in items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def test_database_url() -> Iterator[str]:
    """The session's PostgreSQL database in the PostgreSQL pass, '' on SQLite."""
    if not support.postgres_pass():
        yield ""
        return
    url = support.create_database()
    try:
        yield url
    finally:
        support.drop_database(url)


@pytest.fixture
def service_database_url(tmp_path: Path) -> Iterator[str]:
    """A service test's own database: a file under tmp_path, or a fresh PostgreSQL database."""
    if not support.postgres_pass():
        yield ""  # Settings(data_dir=tmp_path) puts <service>.db under tmp_path
        return
    url = support.create_database()
    try:
        yield url
    finally:
        support.drop_database(url)


def service_probe(settings: Settings, service: str) -> support.SqlProbe:
    return support.SqlProbe.for_service(settings.service_database_url(service), service)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for the PostgreSQL-only tests (races, topology), in both
    passes: skipped with the reason when no server answers (failed under
    GONGTUI_REQUIRE_POSTGRES=1)."""
    support.need_postgres()
    url = support.create_database()
    try:
        yield url
    finally:
        support.drop_database(url)


@pytest.fixture(scope="session")
async def stack(tmp_path_factory: pytest.TempPathFactory,
                test_database_url: str) -> AsyncIterator[EmbeddedStack]:
    data_dir = tmp_path_factory.mktemp("stack")
    settings = embedded_settings(data_dir, database_url=test_database_url)
    stack = EmbeddedStack(settings)
    try:
        await stack.start()
    except Exception:
        stack.stop()
        raise
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def stack_env(stack: EmbeddedStack) -> dict[str, str]:
    env = dict(os.environ)
    env.update(settings_env(stack.settings))
    return env


@pytest.fixture(scope="session")
def stack_sql(stack: EmbeddedStack):  # type: ignore[no-untyped-def]
    """``stack_sql("nomination")``: a probe of that service's tables in the stack."""
    return lambda service: service_probe(stack.settings, service)
