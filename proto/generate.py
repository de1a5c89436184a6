"""Regenerate the Python code of the gRPC contracts.

Run from anywhere: ``python -m proto.generate [OUT_DIR]``. The generated modules are
committed; ``tests/test_proto_fresh.py`` regenerates into a temporary folder and compares.
"""

from __future__ import annotations

import sys
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ["common", "nomination", "voting", "approval"]


def generate(out_dir: Path = ROOT) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "proto").mkdir(exist_ok=True)
    import grpc_tools

    include = Path(grpc_tools.__file__).parent / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{ROOT}",
        f"-I{include}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *[f"proto/{name}.proto" for name in PROTOS],
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
