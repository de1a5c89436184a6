"""A service's head-signing key: made once on first start (owner-only), the same key on the
next start; a signed head checks under its key and fails when any field or the key differs;
a chain is held to a head signed before it was cut or rewritten."""

from __future__ import annotations

import stat
from pathlib import Path
from types import SimpleNamespace

from core.config import Settings
from services.common.anchors import check_against_head, head_from_dict, head_to_dict
from services.common.signing import HeadSigner, check_signed_head, key_path
from services.common.store import record_hash


def test_the_key_is_made_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = HeadSigner.for_service(settings, "voting")
    path = key_path(settings, "voting")
    assert path == tmp_path / "keys" / "voting.ed25519.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = HeadSigner.for_service(settings, "voting")
    assert again.public_key == first.public_key
    other = HeadSigner.for_service(Settings(data_dir=tmp_path, signing_keys_dir=str(tmp_path / "k")),
                                   "voting")
    assert other.public_key != first.public_key
    assert first.public().fingerprint.startswith("sha256:")


def test_a_signed_head_checks_only_as_signed(tmp_path: Path) -> None:
    signer = HeadSigner.load_or_create("voting", tmp_path / "v.pem")
    signed = signer.sign("e-1", 3, "sha256:abc")
    assert check_signed_head(signed) == ""
    assert check_signed_head(signed, signer.public_key) == ""
    assert check_signed_head(head_from_dict(head_to_dict(signed)), signer.public_key) == ""
    for change in ({"seq": 2}, {"head": "sha256:abd"}, {"election_id": "e-2"},
                   {"service": "approval"}, {"signed_at": "2020-01-01T00:00:00+00:00"}):
        forged = head_from_dict({**head_to_dict(signed), **change})
        assert "does not verify" in check_signed_head(forged), change
    stranger = HeadSigner.load_or_create("voting", tmp_path / "w.pem")
    assert "another key" in check_signed_head(signed, stranger.public_key)
    resigned = stranger.sign("e-1", 3, "sha256:abc")
    resigned.public_key = signer.public_key  # claims the service's key
    assert "does not verify" in check_signed_head(resigned, signer.public_key)


def chain(n: int, election_id: str = "e-1") -> list[SimpleNamespace]:
    records, prev = [], ""
    for seq in range(1, n + 1):
        digest = record_hash(prev, election_id, seq, "k", "{}", "system", "", "t")
        records.append(SimpleNamespace(seq=seq, hash=digest))
        prev = digest
    return records


def test_a_chain_is_held_to_a_head_signed_before(tmp_path: Path) -> None:
    signer = HeadSigner.load_or_create("voting", tmp_path / "v.pem")
    records = chain(5)
    signed = signer.sign("e-1", 4, records[3].hash)
    assert check_against_head(records, signed, signer.public_key) == (0, "")  # grown since
    assert check_against_head(records[:4], signed, signer.public_key) == (0, "")
    seq, problem = check_against_head(records[:2], signed, signer.public_key)
    assert seq == 3 and "record 3 is missing" in problem
    rewritten = chain(5, "e-1")
    rewritten[3] = SimpleNamespace(seq=4, hash="sha256:rewritten")
    seq, problem = check_against_head(rewritten, signed, signer.public_key)
    assert seq == 4 and "not the head signed" in problem
    assert check_against_head([], signer.sign("e-1", 0, ""), signer.public_key) == (0, "")
