"""`gongtui token create | list | revoke` (api/cli.py token_app) on the API's own database."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from api.db import TokenStore, hash_token, open_database
from core.config import Settings

TOKEN_CLI = "from api.cli import token_app; token_app()"


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGTUI_")}
    env["GONGTUI_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-c", TOKEN_CLI, *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_token_create_list_revoke(tmp_path: Path) -> None:
    made = run(tmp_path, "create", "--role", "street_committee", "--scope", "street:xw-mf",
               "--name", "梅园新村街道党工委")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("gt_") and "\n" not in token
    # stored hashed: the token itself is nowhere in the database file
    with sqlite3.connect(tmp_path / "api.db") as conn:
        rows = conn.execute("SELECT token_id, token_hash, role, scope FROM tokens").fetchall()
    assert len(rows) == 1 and rows[0][1] == hash_token(token)
    assert token.encode() not in (tmp_path / "api.db").read_bytes()

    listed = run(tmp_path, "list")
    entry = json.loads(listed.stdout.strip())
    assert entry["role"] == "street_committee" and entry["revoked"] is False
    assert token not in listed.stdout

    async def authenticate() -> object:
        db = open_database(Settings(data_dir=tmp_path))
        try:
            return await TokenStore(db).authenticate(token)
        finally:
            await db.dispose()

    assert asyncio.run(authenticate()) is not None
    assert run(tmp_path, "revoke", entry["token_id"]).returncode == 0
    assert asyncio.run(authenticate()) is None
    assert json.loads(run(tmp_path, "list").stdout)["revoked"] is True
    assert run(tmp_path, "revoke", "nope").returncode == 1

    wrong = run(tmp_path, "create", "--role", "community_office", "--scope", "district:xw")
    assert wrong.returncode == 2 and "scope" in wrong.stderr
