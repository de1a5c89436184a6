"""``gongtui token …`` (mounted by gongtui/cli.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console

from core.config import Settings

token_app = typer.Typer(help="API tokens (bearer, role + scope, stored hashed).",
                        no_args_is_help=True)
err = Console(stderr=True)


def _settings() -> Settings:
    return Settings()  # read the environment now (GONGTUI_*), not a cached copy


async def _store(settings: Settings):  # type: ignore[no-untyped-def]
    from api.db import TokenStore, open_database

    db = open_database(settings)
    await db.create_all()
    return db, TokenStore(db)


@token_app.command("create")
def create(role: Annotated[str, typer.Option(help="district_admin | street_committee | "
                                                   "community_office | approver | supervisor | "
                                                   "member | resident")],
           scope: Annotated[str, typer.Option(help="district:ID (district:* = all) | "
                                                    "street:ID | community:ID")],
           name: Annotated[str, typer.Option(help="display name")] = "",
           person: Annotated[str, typer.Option(help="member/resident: roster person id")] = "",
           login: Annotated[bool, typer.Option(
               "--login", help="also print a one-time sign-in link for the web console")] = False,
           ) -> None:
    """Create a token and print it once (only its sha256 is kept); with ``--login`` also a
    one-time sign-in link for the console (valid 30 minutes, used once)."""
    from api.db import TokenError

    async def main() -> tuple[str, str]:
        db, store = await _store(_settings())
        try:
            token, row = await store.create(role, scope, name, person, created_by="cli")
            return token, row.token_id
        finally:
            await db.dispose()

    try:
        token, token_id = asyncio.run(main())
    except TokenError as exc:
        err.print(f"[red]error:[/] {exc.field}: {exc.message}")
        raise typer.Exit(2) from exc
    err.print(f"token {token_id} ({role} {scope}) — shown once, keep it:")
    typer.echo(token)
    if login:
        from api.console.links import login_link

        err.print("one-time sign-in link (30 minutes):")
        typer.echo(asyncio.run(login_link(_settings(), token_id)))


@token_app.command("revoke")
def revoke(token_id: Annotated[str, typer.Argument(help="the token id (see list)")]) -> None:
    """Revoke a token: it is refused (401) from now on."""

    async def main() -> bool:
        db, store = await _store(_settings())
        try:
            return await store.revoke(token_id) is not None
        finally:
            await db.dispose()

    if not asyncio.run(main()):
        err.print(f"[red]error:[/] no token {token_id!r}")
        raise typer.Exit(1)
    err.print(f"token {token_id} revoked")


@token_app.command("list")
def list_tokens() -> None:
    """List the tokens (ids, roles, scopes; never the tokens themselves)."""

    async def main() -> list[dict[str, object]]:
        db, store = await _store(_settings())
        try:
            return [{"token_id": r.token_id, "role": r.role, "scope": r.scope, "name": r.name,
                     "person_id": r.person_id, "created_at": r.created_at.isoformat(),
                     "revoked": r.revoked_at is not None} for r in await store.list()]
        finally:
            await db.dispose()

    for row in asyncio.run(main()):
        typer.echo(json.dumps(row, ensure_ascii=False))
