"""``gongtui token …`` and ``gongtui audit …`` (mounted by gongtui/cli.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import grpc
import typer
from rich.console import Console

from core.config import Settings

token_app = typer.Typer(help="API tokens (bearer, role + scope, stored hashed).",
                        no_args_is_help=True)
audit_app = typer.Typer(help="The per-election audit hash chains.", no_args_is_help=True)
err = Console(stderr=True)


@audit_app.callback()
def _audit() -> None:
    """The per-election audit hash chains (a group even with one command)."""


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
           ) -> None:
    """Create a token and print it once (only its sha256 is kept)."""
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


@audit_app.command("verify")
def verify(election_id: Annotated[str, typer.Argument(help="the election id")]) -> None:
    """Recompute the election's chain in each service; name the first broken record.
    Exit 1 when any chain is broken."""
    from api.audit import AuditVerification, verify_election
    from services.common.clients import ServiceClients

    clients = ServiceClients(_settings())

    async def main() -> AuditVerification:
        try:
            return await verify_election(clients, election_id)
        finally:
            await clients.close()

    try:
        result = asyncio.run(main())
    except grpc.aio.AioRpcError as exc:
        from rich.markup import escape

        from services.common.errors import describe_refusal

        err.print(f"[red]error:[/] {exc.code().name}: {escape(describe_refusal(exc))}")
        raise typer.Exit(2) from exc
    for r in result.services:
        mark = "ok" if r.verified else f"BROKEN at seq {r.first_broken_seq}: {r.problem}"
        typer.echo(f"{r.service:<10} {r.records:>6} records  {mark}  {r.head}")
    if result.first_broken is not None:
        b = result.first_broken
        typer.echo(f"first broken record: {b.service} seq {b.seq} ({b.problem})")
        raise typer.Exit(1)
    typer.echo(f"{election_id}: every chain verified")
