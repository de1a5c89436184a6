"""``gongtui audit …`` (verify, keys, export) and ``gongtui recount`` (mounted by
gongtui/cli.py through :func:`register`).

``verify ELECTION`` asks the running services (each chain recomputed, then each service's
signed head checked, and with ``--heads`` each chain against the heads of an earlier
bundle); ``verify --bundle DIR`` and ``recount DIR`` read only the folder and contact no
service. Exit codes: 0 verified / agrees, 1 broken / differs (the first broken record or the
round named), 2 could not check (no service, no bundle).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import grpc
import typer
from rich.console import Console

from core.config import Settings

audit_app = typer.Typer(help="The per-election audit hash chains, their signed heads and the"
                             " audit bundle.", no_args_is_help=True)
err = Console(stderr=True)


@audit_app.callback()
def _audit() -> None:
    """The per-election audit hash chains, their signed heads and the audit bundle."""


def _run(main: Any) -> Any:
    """Run a coroutine against the services; a gRPC failure exits 2, naming it."""
    try:
        return asyncio.run(main)
    except grpc.aio.AioRpcError as exc:
        from services.common.errors import describe_refusal

        err.print(f"[red]error:[/] {exc.code().name}: {describe_refusal(exc)}")
        raise typer.Exit(2) from exc


async def _with_clients(work: Any) -> Any:
    from services.common.clients import ServiceClients

    clients = ServiceClients(Settings())  # the environment now (GONGTUI_*)
    try:
        return await work(clients)
    finally:
        await clients.close()


def _bundle_error(exc: Exception) -> typer.Exit:
    err.print(f"[red]error:[/] the bundle cannot be read: {exc}")
    return typer.Exit(2)


@audit_app.command("keys")
def keys() -> None:
    """Print each service's head-signing public key (Ed25519, base64) and fingerprint."""
    from services.common.anchors import public_keys

    for key in _run(_with_clients(public_keys)):
        typer.echo(f"{key.service:<10} {key.algorithm}  {key.public_key}  {key.fingerprint}")


@audit_app.command("export")
def export(election_id: Annotated[str, typer.Argument(help="the election id")],
           out: Annotated[Path, typer.Option("--out", help="the bundle's folder")]) -> None:
    """Write the election's audit bundle: manifest.json, <service>.audit.jsonl, ballots.jsonl."""
    from services.common.bundle import export_bundle

    async def work(clients: Any) -> dict[str, Any]:
        return await export_bundle(clients, election_id, out)

    manifest = _run(_with_clients(work))
    for head in manifest["heads"]:
        typer.echo(f"{head['service']:<10} {head['seq']:>6} records  {head['head']}")
    lines = len((out / "ballots.jsonl").read_text(encoding="utf-8").splitlines())
    typer.echo(f"{election_id}: bundle in {out} ({lines} ballots)")


def _verify_bundle(folder: Path) -> None:
    from services.common.bundle import BundleError, load_bundle, verify_chains
    from services.voting.recount import check_ballots

    try:
        bundle = load_bundle(folder)
    except BundleError as exc:
        raise _bundle_error(exc) from exc
    report = verify_chains(bundle)
    check_ballots(bundle, report)
    for service, n in report.records.items():
        broken = next((p for p in report.problems if p.file == f"{service}.audit.jsonl"), None)
        typer.echo(f"{service:<10} {n:>6} records  "
                   + ("ok (signed head holds)" if broken is None else f"BROKEN at {broken.at}"))
    typer.echo(f"ballots    {len(bundle.ballots):>6} ballots")
    if report.problems:
        typer.echo(f"first broken record: {report.problems[0]}")
        raise typer.Exit(1)
    typer.echo(f"{bundle.election_id}: bundle verified (offline)")


@audit_app.command("verify")
def verify(
    election_id: Annotated[str, typer.Argument(help="the election id (online)")] = "",
    bundle: Annotated[Path | None, typer.Option(
        "--bundle", help="verify this exported bundle offline, contacting no service")] = None,
    heads: Annotated[Path | None, typer.Option(
        "--heads", help="online: also hold each chain to the heads of an earlier bundle's"
                        " manifest.json")] = None,
    api: Annotated[bool, typer.Option(
        "--api", help="also (or, without an election, only) the API's own chain of tokens, "
                      "registry and cycles, read from the API's database")] = False,
) -> None:
    """Recompute the election's chain in each service and check its signed head (or, with
    --bundle, a bundle offline); with --api also the API's chain; name the first broken
    record. Exit 1 when any chain is broken."""
    if api:
        api_broken = _verify_api()
        if not election_id and bundle is None:
            if api_broken:
                raise typer.Exit(1)
            return
        if api_broken:
            raise typer.Exit(1)
    if bundle is not None:
        if election_id:
            raise typer.BadParameter("give an election or --bundle, not both")
        _verify_bundle(bundle)
        return
    if not election_id:
        raise typer.BadParameter("give an election id, or --bundle DIR")
    earlier: list[Any] = []
    known: dict[str, str] = {}
    if heads is not None:
        from services.common.anchors import head_from_dict

        try:
            manifest = json.loads(heads.read_text(encoding="utf-8"))
            earlier = [head_from_dict(h) for h in manifest["heads"] + manifest["published"]]
            known = {s: k["public_key"] for s, k in manifest["public_keys"].items()}
        except (OSError, ValueError, KeyError) as exc:
            raise _bundle_error(exc) from exc
    found = _run(_with_clients(lambda clients: _online(clients, election_id, earlier, known)))
    for line in found["lines"]:
        typer.echo(line)
    if found["broken"]:
        typer.echo(f"first broken record: {found['broken']}")
        raise typer.Exit(1)
    typer.echo(f"{election_id}: every chain verified")


def _verify_api() -> bool:
    """The API's chain (api/chain.py) from the API's database; prints its line; True when
    broken."""
    from api.chain import verify
    from api.db import open_database

    async def main() -> Any:
        db = open_database(Settings())
        try:
            return await verify(db)
        finally:
            await db.dispose()

    report = asyncio.run(main())
    if report.verified:
        typer.echo(f"{'api':<10} {report.records:>6} records  ok  {report.head}")
        return False
    typer.echo(f"{'api':<10} {report.records:>6} records  BROKEN at seq "
               f"{report.first_broken_seq}: {report.problem}")
    typer.echo(f"first broken record: api seq {report.first_broken_seq} ({report.problem})")
    return True


async def _online(clients: Any, election_id: str, earlier: list[Any],
                  known: dict[str, str]) -> dict[str, Any]:
    """Each chain recomputed by its service; each verified chain's signed head checked
    against the service's key and its report; each chain held to the heads its election's
    notices published (a published head the chain no longer holds, or whose signature fails
    under the service's key, is broken), and with ``earlier`` heads to those too."""
    from api.audit import verify_election
    from proto import common_pb2
    from services.common.anchors import check_against_heads, published
    from services.common.paging import all_audit_records
    from services.common.signing import check_signed_head

    result = await verify_election(clients, election_id)
    on_notices, _ = await published(clients, election_id)
    lines: list[str] = []
    broken = (f"{result.first_broken.service} seq {result.first_broken.seq}"
              f" ({result.first_broken.problem})" if result.first_broken else "")
    request = common_pb2.AuditRequest(election_id=election_id)
    for r in result.services:
        mark = "ok" if r.verified else f"BROKEN at seq {r.first_broken_seq}: {r.problem}"
        problem = ""
        mine = sum(1 for h in on_notices if h.service == r.service)
        if r.verified:
            stub = getattr(clients, r.service)
            key = (await stub.GetPublicKey(common_pb2.PublicKeyRequest())).public_key
            if known.get(r.service) and known[r.service] != key:
                problem = "the service's key is not the key of the earlier bundle"
            signed = await stub.SignHead(request)
            problem = problem or check_signed_head(signed, key)
            if not problem and (signed.seq != r.records or signed.head != r.head):
                problem = "the signed head is not the chain's head"
            seq = 1
            if not problem and (earlier or mine):
                listed = await all_audit_records(stub, election_id)  # every page
                seq, problem = check_against_heads(r.service, listed,
                                                   on_notices + earlier,
                                                   {r.service: known.get(r.service) or key})
            if problem:
                mark = f"BROKEN: {problem}"
                broken = broken or f"{r.service} seq {max(seq, 1)} ({problem})"
            else:
                mark += (", signed head holds" + f", {mine} published heads hold"
                         + (" and the earlier heads" if earlier else ""))
        lines.append(f"{r.service:<10} {r.records:>6} records  {mark}  {r.head}")
    return {"lines": lines, "broken": broken}


def recount(folder: Annotated[Path, typer.Argument(help="an audit bundle's folder")]) -> None:
    """Recount every round from the bundle's ballots with the rules and compare with the
    published results and digests, offline. Exit 0 when they agree, 1 naming the round and
    what differs."""
    from services.common.bundle import BundleError, load_bundle
    from services.voting.recount import recount as recount_bundle

    try:
        bundle = load_bundle(folder)
    except BundleError as exc:
        raise _bundle_error(exc) from exc
    report = recount_bundle(bundle)
    for problem in report.problems:
        typer.echo(f"BROKEN {problem}")
    for r in report.rounds:
        if r.differences:
            typer.echo(f"round {r.round_id} ({r.source}) DIFFERS: " + "; ".join(r.differences))
        else:
            typer.echo(f"round {r.round_id} ({r.source}) agrees")
    if not report.agrees:
        raise typer.Exit(1)
    typer.echo(f"{bundle.election_id}: {len(report.rounds)} rounds recounted, all agree")


def register(app: typer.Typer) -> None:
    """Mount ``audit`` and ``recount`` on the ``gongtui`` app."""
    app.add_typer(audit_app, name="audit",
                  help="audit chains: verify (online or a bundle), keys, export")
    app.command("recount")(recount)
