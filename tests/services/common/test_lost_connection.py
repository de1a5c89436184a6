"""A call whose database connection is lost under it (PostgreSQL's ``pg_terminate_backend``,
a server restarting) answers UNAVAILABLE — nothing was written, send it again — instead of
UNKNOWN; an error of the statement itself is not taken for one."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from proto import common_pb2
from services.common.db import connection_lost
from services.common.server import DomainErrorInterceptor

TERMINATED = ("connection was closed in the middle of operation: terminating connection due "
              "to administrator command")


class AdminShutdownError(Exception):  # named as asyncpg names it
    pass


def test_what_counts_as_a_lost_connection() -> None:
    assert connection_lost(DBAPIError("UPDATE t SET x=1", {}, Exception(TERMINATED)))
    assert connection_lost(DBAPIError("SELECT 1", {}, AdminShutdownError("bye")))
    assert connection_lost(ConnectionResetError(104, "reset by peer"))
    try:
        try:
            raise AdminShutdownError("bye")
        except AdminShutdownError as inner:
            raise RuntimeError("while committing") from inner
    except RuntimeError as outer:
        assert connection_lost(outer)
    assert not connection_lost(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not connection_lost(ValueError("round r-1 is not open"))


class Aborted(Exception):
    pass


class Context:
    def __init__(self) -> None:
        self.code: grpc.StatusCode | None = None
        self.details = ""

    def set_trailing_metadata(self, metadata: object) -> None:
        pass

    async def abort(self, code: grpc.StatusCode, details: str) -> None:
        self.code, self.details = code, details
        raise Aborted


@pytest.mark.parametrize(("error", "code"), [
    (DBAPIError("UPDATE voting.audit_heads SET seq=$1", {}, Exception(TERMINATED)),
     grpc.StatusCode.UNAVAILABLE),
    (IntegrityError("INSERT", {}, Exception("duplicate key")), grpc.StatusCode.ALREADY_EXISTS),
])
async def test_the_servicer_answers_unavailable_for_a_lost_connection(
        error: Exception, code: grpc.StatusCode) -> None:
    async def servicer(request: object, context: object) -> None:
        raise error

    handler = grpc.unary_unary_rpc_method_handler(servicer)
    wrapped = DomainErrorInterceptor.wrap(handler, "/gongtui.v1.Voting/CheckIn")
    context = Context()
    with pytest.raises(Aborted):
        await wrapped.unary_unary(common_pb2.AuditRequest(election_id="e-1"), context)
    assert context.code == code
    if code == grpc.StatusCode.UNAVAILABLE:
        assert "send it again" in context.details


async def test_any_other_failure_stays_unknown() -> None:
    async def servicer(request: object, context: object) -> None:
        raise ZeroDivisionError

    handler = grpc.unary_unary_rpc_method_handler(servicer)
    wrapped = DomainErrorInterceptor.wrap(handler, "/gongtui.v1.Voting/CheckIn")
    with pytest.raises(ZeroDivisionError):
        await wrapped.unary_unary(common_pb2.AuditRequest(election_id="e-1"), Context())
