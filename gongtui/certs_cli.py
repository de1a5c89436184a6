"""``gongtui certs --out DIR``: the district CA and one certificate per component.

ECDSA P-256 keys (``cryptography``): every TLS stack gRPC runs on accepts them, and the
API's signature over its caller assertions is made with the same key
(services/common/assertions.py). What each certificate names is in services/common/tls.py
(CN = the component, SAN URI ``spiffe://gongtui/<component>``; a service also its DNS name).

Files in DIR: ``ca.pem`` / ``ca.key`` and ``<component>.pem`` / ``<component>.key`` for
nomination, voting, approval, worker, api and operator (the CLI). Keys are written 0600.
What exists is kept: a second run makes only what is missing, or renews a certificate that
expires within :data:`RENEW_WITHIN_DAYS` (``--renew`` renews them all with the same CA).
The embedded stack calls :func:`ensure` at every start on ``<data>/certs``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from core.config import SERVICES
from services.common.tls import COMPONENTS, identity_uri

CA_DAYS = 3650
LEAF_DAYS = 397
RENEW_WITHIN_DAYS = 30
CA_NAME = "gongtui district CA"


def paths(out: Path, component: str) -> tuple[Path, Path]:
    """(certificate, key) of ``component`` (or of the CA, ``"ca"``) in ``out``."""
    return out / f"{component}.pem", out / f"{component}.key"


def _write(path: Path, data: bytes, private: bool) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)  # a reader sees the old file or the new one, never half of one


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "gongtui"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _make_ca(out: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (x509.CertificateBuilder().subject_name(_name(CA_NAME)).issuer_name(_name(CA_NAME))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False),
                           critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = paths(out, "ca")
    _write(key_path, _key_pem(key), private=True)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), private=False)
    return cert, key


def _load_ca(out: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    cert_path, key_path = paths(out, "ca")
    if not (cert_path.exists() and key_path.exists()):
        return None
    # ca.pem may hold the previous CA too during a rotation: the first one issues
    cert = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise typer.BadParameter(f"{key_path}: not an ECDSA key")
    return cert, key


def issue(out: Path, component: str, ca: x509.Certificate,
          ca_key: ec.EllipticCurvePrivateKey, days: int = LEAF_DAYS) -> Path:
    """A certificate of ``component`` signed by the CA (a new key each time)."""
    if component not in COMPONENTS:
        raise typer.BadParameter(f"unknown component {component!r} "
                                 f"(one of {', '.join(COMPONENTS)})", param_hint="--component")
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.UniformResourceIdentifier(identity_uri(component))]
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH]
    if component in SERVICES:  # a server too: its clients check the service's DNS name
        names.append(x509.DNSName(component))
        usages.append(ExtendedKeyUsageOID.SERVER_AUTH)
    now = _now()
    cert = (x509.CertificateBuilder().subject_name(_name(component)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(min(now + dt.timedelta(days=days), ca.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = paths(out, component)
    _write(key_path, _key_pem(key), private=True)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), private=False)
    return cert_path


def _due(cert_path: Path, key_path: Path, ca: x509.Certificate) -> bool:
    if not (cert_path.exists() and key_path.exists()):
        return True
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    if cert.issuer != ca.subject:
        return True  # issued by another CA: a new CA replaces every certificate
    left = cert.not_valid_after_utc - _now()
    return left < dt.timedelta(days=RENEW_WITHIN_DAYS)


def ensure(out: Path, components: tuple[str, ...] = COMPONENTS, renew: bool = False,
           days: int = LEAF_DAYS) -> list[str]:
    """The CA and the components' certificates in ``out``, made where missing (or due, or
    all with ``renew``); the names of what was made."""
    out.mkdir(parents=True, exist_ok=True)
    made: list[str] = []
    found = _load_ca(out)
    if found is None:
        found = _make_ca(out)
        made.append("ca")
    ca, ca_key = found
    for component in components:
        cert_path, key_path = paths(out, component)
        if renew or _due(cert_path, key_path, ca):
            issue(out, component, ca, ca_key, days)
            made.append(component)
    return made


def certs(
    out: Annotated[Path, typer.Option(help="the folder of the CA and the certificates")],
    component: Annotated[list[str] | None, typer.Option(
        help="only this component (repeatable; default: every one)")] = None,
    renew: Annotated[bool, typer.Option(help="issue new certificates (same CA) even where "
                                              "they are still valid")] = False,
    days: Annotated[int, typer.Option(min=1, max=CA_DAYS,
                                      help="validity of a component certificate")] = LEAF_DAYS,
) -> None:
    """Make the district CA and one certificate per component (kept where valid)."""
    chosen = tuple(component) if component else COMPONENTS
    for name in chosen:
        if name not in COMPONENTS:
            raise typer.BadParameter(f"unknown component {name!r} (one of "
                                     f"{', '.join(COMPONENTS)})", param_hint="--component")
    made = ensure(out, chosen, renew=renew, days=days)
    for name in (*(("ca",) if "ca" in made else ()), *chosen):
        cert_path, key_path = paths(out, name)
        state = "made" if name in made else "kept"
        typer.echo(f"{state:5} {name:10} {cert_path}  {key_path}")


def register(app: typer.Typer) -> None:
    app.command("certs")(certs)
