"""Mutual TLS between the components: who each certificate names, and the gRPC credentials
of a server (which requires a client certificate) and of a client.

Every certificate is issued by the district CA (``gongtui certs``) to one component; the
component's name is its Common Name and its identity is the SAN URI
``spiffe://gongtui/<component>`` (the SPIFFE form, so the names read the same to other
tools). A service's certificate also carries the DNS name of the service, which its clients
check whatever address they dial (``grpc.ssl_target_name_override``): a client reaches the
voting service only when the server holds the voting certificate.

Without the three files a process speaks plain gRPC only when ``allow_insecure`` is set (a
developer's laptop); otherwise it refuses to start, naming the missing setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
from cryptography import x509

from core.config import SERVICES, Settings

#: the components that hold a certificate: the services, the workers, the API and the
#: operator's CLI
COMPONENTS = (*SERVICES, "worker", "api", "operator")
IDENTITY_PREFIX = "spiffe://gongtui/"


class TlsNotConfigured(RuntimeError):
    """The TLS settings are missing or incomplete, and plain gRPC is not allowed."""


def identity_uri(component: str) -> str:
    return IDENTITY_PREFIX + component


def component_of_uri(uri: str) -> str:
    """The component a SAN URI names ("" when it is not one of ours)."""
    if not uri.startswith(IDENTITY_PREFIX):
        return ""
    name = uri[len(IDENTITY_PREFIX):]
    return name if name in COMPONENTS else ""


def component_of_cert(pem: bytes) -> str:
    """The component a PEM certificate is issued to, from its SAN URI ("" when none)."""
    cert = x509.load_pem_x509_certificate(pem)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ""
    for uri in san.get_values_for_type(x509.UniformResourceIdentifier):
        found = component_of_uri(uri)
        if found:
            return found
    return ""


def enabled(settings: Settings) -> bool:
    """Whether this process speaks TLS: all three files set (True), none set with plain gRPC
    allowed (False); anything else raises :class:`TlsNotConfigured`."""
    given = {"tls_ca": settings.tls_ca, "tls_cert": settings.tls_cert,
             "tls_key": settings.tls_key}
    if all(given.values()):
        return True
    missing = ", ".join(f"GONGTUI_{k.upper()}" for k, v in given.items() if not v)
    if any(given.values()):
        raise TlsNotConfigured(f"incomplete TLS settings: {missing} not set")
    if settings.allow_insecure:
        return False
    raise TlsNotConfigured(f"no TLS settings ({missing}; make them with `gongtui certs`), and "
                           "GONGTUI_ALLOW_INSECURE is not set")


def _read(path: str, setting: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise TlsNotConfigured(f"GONGTUI_{setting.upper()}: cannot read {path}: "
                               f"{exc.strerror}") from exc


def own_files(settings: Settings) -> tuple[bytes, bytes, bytes]:
    """(CA bundle, certificate chain, private key), PEM."""
    return (_read(settings.tls_ca, "tls_ca"), _read(settings.tls_cert, "tls_cert"),
            _read(settings.tls_key, "tls_key"))


def own_component(settings: Settings) -> str:
    """The component this process's certificate names ("" without TLS)."""
    if not enabled(settings):
        return ""
    return component_of_cert(_read(settings.tls_cert, "tls_cert"))


def server_credentials(settings: Settings) -> grpc.ServerCredentials | None:
    """A service's credentials: its certificate, and a client certificate of the CA required
    of every caller (None: plain gRPC, when allowed)."""
    if not enabled(settings):
        return None
    ca, cert, key = own_files(settings)
    return grpc.ssl_server_credentials([(key, cert)], root_certificates=ca,
                                       require_client_auth=True)


def channel_credentials(settings: Settings) -> grpc.ChannelCredentials | None:
    """A client's credentials: the CA to check the service, its own certificate to show."""
    if not enabled(settings):
        return None
    ca, cert, key = own_files(settings)
    return grpc.ssl_channel_credentials(root_certificates=ca, private_key=key,
                                        certificate_chain=cert)


def channel_options(service: str) -> list[tuple[str, Any]]:
    """The server name a client checks: the service's own, whatever address it dials."""
    return [("grpc.ssl_target_name_override", service)]


def peer_component(context: Any) -> str:
    """The component the caller's verified certificate names ("" over plain gRPC, or for a
    certificate that names none of ours)."""
    auth = context.auth_context()
    for uri in auth.get("x509_subject_alternative_name", []):
        found = component_of_uri(uri.decode() if isinstance(uri, bytes) else uri)
        if found:
            return found
    return ""


def peer_certificate(context: Any) -> bytes:
    """The caller's verified certificate, PEM (b"" over plain gRPC)."""
    found = context.auth_context().get("x509_pem_cert", [])
    return bytes(found[0]) if found else b""
