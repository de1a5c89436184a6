"""Each service's Ed25519 key, which signs its chain heads, and the check of a signed head.

The key is the service's own (one file a service, PEM, readable by its owner only), made
on the service's first start in ``<signing_keys_dir>/<service>.ed25519.pem``
(``GONGTUI_SIGNING_KEYS_DIR``, default ``<data_dir>/keys``). Ed25519 from the
``cryptography`` package: small keys and signatures, deterministic signing, no parameters
to get wrong.

What is signed is the *statement*: the canonical JSON of service, election, seq, head and
time (:func:`statement`). Whoever holds the public key checks a head with
:func:`check_signed_head`, offline.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core.config import Settings
from proto import common_pb2
from services.common.store import canonical_json, utcnow

ALGORITHM = "ed25519"


def key_path(settings: Settings, service: str) -> Path:
    folder = Path(settings.signing_keys_dir) if settings.signing_keys_dir else (
        settings.data_dir / "keys")
    return folder / f"{service}.ed25519.pem"


def statement(service: str, election_id: str, seq: int, head: str, signed_at: str) -> bytes:
    """The bytes a head's signature covers."""
    return canonical_json({"service": service, "election_id": election_id, "seq": int(seq),
                           "head": head, "signed_at": signed_at}).encode()


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public_key_b64: str) -> str:
    return "sha256:" + hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()


class HeadSigner:
    """A service's signing key."""

    def __init__(self, service: str, key: Ed25519PrivateKey):
        self.service = service
        self._key = key
        self.public_key = base64.b64encode(_raw(key.public_key())).decode()

    @classmethod
    def load_or_create(cls, service: str, path: Path) -> HeadSigner:
        """The key in ``path``; made there first when there is none (created exclusively,
        so two starts at once keep one key)."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # made meanwhile by another start: use that one
            else:
                with os.fdopen(fd, "wb") as out:
                    out.write(pem)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path}: not an Ed25519 private key")
        return cls(service, key)

    @classmethod
    def for_service(cls, settings: Settings, service: str) -> HeadSigner:
        return cls.load_or_create(service, key_path(settings, service))

    def public(self) -> common_pb2.PublicKey:
        return common_pb2.PublicKey(service=self.service, algorithm=ALGORITHM,
                                    public_key=self.public_key,
                                    fingerprint=fingerprint(self.public_key))

    def sign(self, election_id: str, seq: int, head: str) -> common_pb2.SignedHead:
        signed_at = utcnow().isoformat()
        signature = self._key.sign(statement(self.service, election_id, seq, head, signed_at))
        return common_pb2.SignedHead(service=self.service, election_id=election_id, seq=seq,
                                     head=head, signed_at=signed_at,
                                     public_key=self.public_key,
                                     signature=base64.b64encode(signature).decode())


def check_signed_head(signed: common_pb2.SignedHead, public_key: str = "") -> str:
    """Why ``signed`` does not hold ("" when it does): its signature under ``public_key``
    (base64; default the key the head names, which proves only that the head is intact —
    pass the key known for the service to prove who signed it)."""
    key_b64 = public_key or signed.public_key
    if public_key and signed.public_key and signed.public_key != public_key:
        return f"{signed.service}: signed with another key than the service's"
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key_b64, validate=True))
        key.verify(base64.b64decode(signed.signature, validate=True),
                   statement(signed.service, signed.election_id, signed.seq, signed.head,
                             signed.signed_at))
    except (InvalidSignature, ValueError):
        return f"{signed.service}: the head's signature does not verify"
    return ""
