"""Who is calling: the one check every RPC of a service passes before its body runs.

The server runner applies :class:`CallerCheck` to every method handler it registers
(services/common/server.py), so no RPC — mutating or read, of today or added later — can
skip it. Over mutual TLS the calling component is the one its certificate names
(services/common/tls.py), never what the request says:

=============  ==================================================================
``worker``     the workflows' activities: the request's actor as sent, ``system``
               included (the only component that may act as ``system``)
``api``        never the workflow's own RPCs (:data:`WORKFLOW_RPCS`); a person's
               identity only from the API's signed assertion
               (services/common/assertions.py), checked against the certificate the
               API presented; the request's ``actor`` is replaced by it. A request
               whose actor differs from the assertion, an assertion that does not
               verify, has expired or is for another RPC, or an actor without an
               assertion: refused.
``operator``   the district's operator at the CLI (the district commands, ``gongtui
               simulate``): a role the request names, never ``system``, and always one,
               among the service's ``operator_roles`` (default ``district_admin`` only:
               the district's own role; an embedded stack, where the operator drills
               every part, allows every person role); its records name the certificate
               as the acting token (``certificate:operator``); the only caller that sees
               reflection; never ``CreateElection`` (:data:`WORKER_ONLY_RPCS`)
a service      refused: the services do not call each other
=============  ==================================================================

Over plain gRPC (``allow_insecure``, a developer's laptop) no certificate exists: the request
is taken as sent, and reflection is open.
"""

from __future__ import annotations

from typing import Any

import grpc

from core.config import SERVICES
from proto import common_pb2
from services.common import assertions
from services.common.errors import PermissionDenied, Unauthenticated
from services.common.tls import peer_certificate, peer_component

#: the services only the operator's certificate may call (with TLS on)
OPERATOR_ONLY_PREFIXES = ("/grpc.reflection.",)
#: the RPCs that fix what an election, a meeting or a round is: the workflow's (a worker), or
#: the operator's in a drill; never the API's, so a stolen API key cannot open a congress
#: with an electorate of its own or claim an election's ID first. RecordElectionEvent: the
#: control acts (pause, resume, abort, an unfilled post's decision) are recorded by the
#: workflow that applied them, so no API caller writes a control act that did not happen.
WORKFLOW_RPCS = frozenset({"CreateElection", "RunAutomaticReview", "AdvanceStage",
                           "PublishNotice", "CloseNotice", "OpenMeeting", "OpenRound",
                           "RequestApproval", "RecordElectionEvent"})
#: the roles an operator's certificate acts as by default: the district's own
OPERATOR_ROLES = ("district_admin",)
#: the acting token an operator's record names
OPERATOR_TOKEN = "certificate:operator"
#: the RPCs only a worker may call: an election's ID is deterministic
#: (``election-{community}-{cycle}``) and its creation key too (``create-election/{id}``), so
#: whoever created it first with other content would fail the election; only the workflow
#: that runs it creates it (not the API, not the operator's drill)
WORKER_ONLY_RPCS = frozenset({"CreateElection"})


def _has_actor(request: Any) -> bool:
    return "actor" in request.DESCRIPTOR.fields_by_name


def _assertion(context: Any) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == assertions.METADATA_KEY:
            return str(value)
    return ""


def admit(request: Any, context: Any, method: str,
          operator_roles: tuple[str, ...] = OPERATOR_ROLES) -> str:
    """Check the caller of ``method`` and settle the request's actor; the calling component.
    ``operator_roles``: the roles the operator's certificate may act as (``*``: every person
    role). Raises Unauthenticated or PermissionDenied (field ``actor``, ``actor.role`` or
    ``certificate``)."""
    component = peer_component(context)
    if not component:
        raise Unauthenticated("the client certificate names no gongtui component",
                              field="certificate")
    if component in SERVICES:
        raise PermissionDenied(f"the {component} service's certificate does not call the "
                               "services", field="certificate")
    if method.startswith(OPERATOR_ONLY_PREFIXES) and component != "operator":
        raise PermissionDenied("reflection is served to the operator's certificate only",
                               field="certificate")
    if component == "api" and method.rsplit("/", 1)[-1] in WORKFLOW_RPCS:
        raise PermissionDenied(f"{method.rsplit('/', 1)[-1]} is the workflow's: the API does "
                               "not call it", field="certificate")
    if component != "worker" and method.rsplit("/", 1)[-1] in WORKER_ONLY_RPCS:
        raise PermissionDenied(f"{method.rsplit('/', 1)[-1]} is the election workflow's own:"
                               " only a worker calls it", field="certificate")
    if request is None or not _has_actor(request):
        return component
    actor = request.actor
    if component == "worker":
        return component
    if component == "operator":
        if not actor.role:
            raise PermissionDenied("the operator acts in a role it names", field="actor.role")
        if actor.role in assertions.NOT_ASSERTABLE:
            raise PermissionDenied(f"role {actor.role} is a worker's only",
                                   field="actor.role")
        if "*" not in operator_roles and actor.role not in operator_roles:
            raise PermissionDenied(
                f"the operator's certificate acts as {', '.join(operator_roles) or 'no role'}"
                f" here, not {actor.role} (the service's operator_roles)", field="actor.role")
        request.actor.token_id = OPERATOR_TOKEN
        return component
    # the API: the person comes from its signed assertion, nothing else
    token = _assertion(context)
    if not token:
        raise Unauthenticated("the API's signed assertion of the caller is missing",
                              field="actor")
    try:
        user = assertions.verify(token, peer_certificate(context), method)
    except assertions.AssertionRefused as exc:
        raise Unauthenticated(str(exc), field="actor") from exc
    if actor.role and (actor.role, actor.scope) != (user.role, user.scope):
        raise PermissionDenied(f"the request names {actor.role}@{actor.scope}, the API "
                               f"asserted {user.role}@{user.scope}", field="actor")
    request.actor.CopyFrom(common_pb2.Actor(role=user.role, scope=user.scope,
                                            name=user.holder, token_id=user.token_id))
    return component


class CallerCheck:
    """Wraps each method handler with :func:`admit` (``secure``: the server requires client
    certificates; without, requests pass as sent; ``operator_roles``: see :func:`admit`)."""

    def __init__(self, secure: bool, operator_roles: tuple[str, ...] = OPERATOR_ROLES):
        self.secure = secure
        self.operator_roles = operator_roles

    def wrap(self, handler: Any, method: str) -> Any:
        if handler is None or not self.secure:
            return handler
        if handler.unary_unary is not None:
            inner = handler.unary_unary

            async def unary(request: Any, context: Any) -> Any:
                admit(request, context, method, self.operator_roles)
                return await inner(request, context)

            return grpc.unary_unary_rpc_method_handler(
                unary, request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer)
        if handler.stream_stream is not None:
            stream = handler.stream_stream

            async def streams(requests: Any, context: Any) -> Any:
                try:
                    admit(None, context, method, self.operator_roles)
                except (Unauthenticated, PermissionDenied) as exc:
                    # the first message read before the refusal: a refusal that overtakes
                    # the client's own send reaches it as gRPC core's INTERNAL, not as this
                    await anext(aiter(requests), None)
                    await context.abort(exc.code, exc.describe())
                async for response in stream(requests, context):
                    yield response

            return grpc.stream_stream_rpc_method_handler(
                streams, request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer)
        # the services serve unary calls and reflection's stream only: a handler of another
        # kind would pass unchecked, so it is not served at all
        raise TypeError(f"{method}: the caller check knows unary RPCs and bidirectional "
                        "streams only")
