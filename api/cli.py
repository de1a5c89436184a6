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
    from api.chain import open_chain
    from api.db import TokenStore, create_api_tables, open_database

    db = open_database(settings)
    await create_api_tables(db)
    await open_chain(db)
    return db, TokenStore(db)


def expires_days(text: str) -> float:
    """``30d`` or ``30``: days (a typer.BadParameter naming --expires otherwise)."""
    value = text.strip().lower().removesuffix("d").strip()
    try:
        days = float(value)
    except ValueError:
        days = -1.0
    if not 0 < days <= 3650:
        raise typer.BadParameter(f"{text!r}: days, as 30 or 30d, more than 0 and at most "
                                 "3650", param_hint="--expires")
    return days


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
           expires: Annotated[str, typer.Option(
               "--expires", help="how long the token works: days, as 30 or 30d (default 90d; "
                                 "at most 3650d)")] = "90d",
           ) -> None:
    """Create a token and print it once (only its sha256 is kept); it works for ``--expires``
    days, then is refused (401). With ``--login`` also a one-time sign-in link for the console
    (valid 30 minutes, used once). Recorded in the API's chain (``token.created``)."""
    from api.db import TokenError

    days = expires_days(expires)

    async def main() -> tuple[str, str]:
        db, store = await _store(_settings())
        try:
            token, row = await store.create(role, scope, name, person, created_by="cli",
                                            expires_days=days)
            return token, row.token_id
        finally:
            await db.dispose()

    try:
        token, token_id = asyncio.run(main())
    except TokenError as exc:
        err.print(f"[red]error:[/] {exc.field}: {exc.message}")
        raise typer.Exit(2) from exc
    err.print(f"token {token_id} ({role} {scope}, expires in {days:g} days) — shown once, "
              "keep it:")
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

    from api.db import aware

    async def main() -> list[dict[str, object]]:
        db, store = await _store(_settings())
        try:
            return [{"token_id": r.token_id, "role": r.role, "scope": r.scope, "name": r.name,
                     "person_id": r.person_id, "created_at": aware(r.created_at).isoformat(),
                     "revoked": r.revoked_at is not None,
                     "expires_at": r.expiry().isoformat(timespec="seconds"),
                     "expired": not r.revoked_at and bool(r.refusal())}
                    for r in await store.list()]
        finally:
            await db.dispose()

    for row in asyncio.run(main()):
        typer.echo(json.dumps(row, ensure_ascii=False))
