"""The committed generated code matches the .proto contracts."""

from __future__ import annotations

from pathlib import Path

from proto.generate import PROTOS, generate
from tests.paths import ROOT


def test_generated_code_is_fresh(tmp_path: Path) -> None:
    generate(tmp_path)
    for name in PROTOS:
        for suffix in ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py"):
            fresh = (tmp_path / "proto" / f"{name}{suffix}").read_text()
            committed = (ROOT / "proto" / f"{name}{suffix}").read_text()
            assert fresh == committed, f"proto/{name}{suffix} is stale: run python -m proto.generate"
