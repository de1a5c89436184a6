"""`gongtui token create | list | revoke` (api/cli.py token_app) on the API's own database."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
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


def test_token_create_expires(tmp_path: Path) -> None:
    made = run(tmp_path, "create", "--role", "supervisor", "--scope", "district:xw",
               "--expires", "30d")
    assert made.returncode == 0, made.stderr
    assert "expires in 30 days" in made.stderr
    run(tmp_path, "create", "--role", "supervisor", "--scope", "district:xw")
    first, second = (json.loads(line) for line in run(tmp_path, "list").stdout.splitlines())
    days = [round((datetime.fromisoformat(e["expires_at"])
                   - datetime.fromisoformat(e["created_at"])).total_seconds() / 86400)
            for e in (first, second)]
    assert sorted(days) == [30, 90] and not first["expired"]
    for bad in ("0", "-3d", "soon", "4000d"):
        refused = run(tmp_path, "create", "--role", "supervisor", "--scope", "district:xw",
                      "--expires", bad)
        assert refused.returncode == 2 and "--expires" in refused.stderr, refused.stderr


def test_token_changes_are_on_the_apis_chain(tmp_path: Path) -> None:
    made = run(tmp_path, "create", "--role", "supervisor", "--scope", "district:xw")
    entry = json.loads(run(tmp_path, "list").stdout)
    assert run(tmp_path, "revoke", entry["token_id"]).returncode == 0
    with sqlite3.connect(tmp_path / "api.db") as conn:
        kinds = [k for (k,) in conn.execute("SELECT kind FROM api_audit_records ORDER BY seq")]
    assert kinds == ["chain.opened", "token.created", "token.revoked"]
    assert made.stdout.strip().encode() not in (tmp_path / "api.db").read_bytes()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGTUI_")}
    env["GONGTUI_DATA_DIR"] = str(tmp_path)
    verify = [sys.executable, "-m", "gongtui.cli", "audit", "verify", "--api"]
    ok = subprocess.run(verify, env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "api" in ok.stdout and "3 records  ok" in ok.stdout, ok
    with sqlite3.connect(tmp_path / "api.db") as conn:
        conn.execute("DELETE FROM api_audit_records WHERE seq = 3")
    broken = subprocess.run(verify, env=env, capture_output=True, text=True, timeout=60)
    assert broken.returncode == 1, broken
    assert "first broken record: api seq 3" in broken.stdout, broken.stdout
