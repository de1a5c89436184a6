"""The API's signed assertion of the person it calls a service for.

The API authenticates people (bearer tokens); the services authenticate components
(certificates, services/common/tls.py). Between the two, every call the API makes for a
person carries, in the metadata under :data:`METADATA_KEY`, a JSON Web Token signed with the
API's own TLS key (ES256, PyJWT): ``role``, ``scope``, ``token_id``, ``holder``, the ``rpc``
it is good for and ``exp`` (:data:`LIFETIME` seconds after it was made). A service checks it
against the certificate of the API that presented it (services/common/identity.py), so
nobody without the API's key — a neighbour on the network, a stolen worker certificate — can
speak for a person, and an assertion of one call cannot be replayed on another.

In the API, :data:`current_user` holds the person of the request (set where the bearer
token is authenticated); the client bundle of an API certificate signs it into every call.
"""

from __future__ import annotations

import contextvars
import time
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

METADATA_KEY = "gongtui-caller"
ALGORITHM = "ES256"
LIFETIME = 60.0  # longer than any call's deadline, short enough to be useless when stolen
LEEWAY = 5.0  # clock skew between the API's host and a service's
#: roles an assertion never carries: ``system`` is only a worker's (its certificate)
NOT_ASSERTABLE = ("system",)


@dataclass(frozen=True)
class User:
    """A person as the API authenticated them: the token's role and scope, its ID, and the
    name of whoever holds it."""

    role: str
    scope: str
    token_id: str = ""
    holder: str = ""

    def display_name(self) -> str:
        return self.holder or (f"token {self.token_id}" if self.token_id else "")


#: the person the API acts for in this request (None: a public route, nobody)
current_user: contextvars.ContextVar[User | None] = contextvars.ContextVar(
    "gongtui_current_user", default=None)


class AssertionRefused(ValueError):
    """An assertion that does not hold; the message says why."""


class Asserter:
    """Signs assertions with the API's private key."""

    def __init__(self, key_pem: bytes):
        key = serialization.load_pem_private_key(key_pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the API's key must be an ECDSA P-256 key (gongtui certs)")
        self._key = key

    def sign(self, user: User, rpc: str, now: float | None = None) -> str:
        if user.role in NOT_ASSERTABLE:
            raise AssertionRefused(f"role {user.role!r} is not asserted by the API")
        issued = time.time() if now is None else now
        claims = {"role": user.role, "scope": user.scope, "token_id": user.token_id,
                  "holder": user.holder, "rpc": rpc, "iat": int(issued),
                  "exp": int(issued + LIFETIME)}
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)


def verify(token: str, certificate_pem: bytes, rpc: str) -> User:
    """The person an assertion names, if the key of ``certificate_pem`` signed it for ``rpc``
    and it has not expired; else :class:`AssertionRefused`."""
    public: Any = x509.load_pem_x509_certificate(certificate_pem).public_key()
    try:
        claims = jwt.decode(token, public, algorithms=[ALGORITHM], leeway=LEEWAY,
                            options={"require": ["exp", "iat", "role", "scope", "rpc"]})
    except jwt.ExpiredSignatureError as exc:
        raise AssertionRefused("the API's assertion has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise AssertionRefused(f"the API's assertion does not verify ({exc})") from exc
    if claims["rpc"] != rpc:
        raise AssertionRefused(f"the API's assertion is for {claims['rpc']}, not {rpc}")
    user = User(role=str(claims["role"]), scope=str(claims["scope"]),
                token_id=str(claims.get("token_id", "")), holder=str(claims.get("holder", "")))
    if not user.role or user.role in NOT_ASSERTABLE:
        raise AssertionRefused(f"role {user.role!r} cannot be asserted by the API")
    return user
