"""The audit bundle of an election: everything needed to verify its chains and recount its
rounds offline, contacting no service.

A folder of:

* ``manifest.json`` — the election, the services, each service's public key and the heads
  (each service's head signed at export, and any heads published before: ``published``);
* ``<service>.audit.jsonl`` — the service's chain, one record a line, in seq order;
* ``ballots.jsonl`` — the counted rounds' electronic ballots, one a line (round, receipt,
  salt, marks), sorted by receipt; no voter, no code, no time.

:func:`bundle_files` makes one from the running services (for a download),
:func:`export_bundle` writes it into a folder; :func:`verify_chains` checks
its chains: each recomputed, each against the signed heads (their signatures under the
manifest's keys). The ballots — every receipt from its salt and marks, every electronic
round's digest from its receipts, the recount of every round — are checked by
``services.voting.recount``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from google.protobuf.json_format import MessageToDict, ParseError

from core.config import SERVICES
from proto import common_pb2, voting_pb2
from services.common import anchors
from services.common.clients import ServiceClients
from services.common.paging import all_audit_records
from services.common.store.audit import check_chain

FORMAT = "gongtui-audit-bundle/1"
MANIFEST = "manifest.json"
BALLOTS = "ballots.jsonl"
RECORD_FIELDS = ("seq", "kind", "payload_json", "actor_role", "actor_scope", "created_at",
                 "prev_hash", "hash")


def chain_file(service: str) -> str:
    return f"{service}.audit.jsonl"


def _jsonl(rows: Sequence[Mapping[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


# ---- export ---------------------------------------------------------------------------------
async def counted_rounds(clients: ServiceClients, election_id: str) -> list[str]:
    """The election's counted rounds with electronic ballots, by meeting and number."""
    listed = await clients.voting.ListMeetings(
        voting_pb2.ListMeetingsRequest(election_id=election_id))
    return [r.round_id for m in listed.meetings for r in sorted(m.rounds, key=lambda r: r.number)
            if r.status == "counted" and r.source == "electronic"]


async def bundle_files(clients: ServiceClients, election_id: str) -> dict[str, str]:
    """The election's bundle as file name → text (the manifest first), for a folder or a
    download. The heads are signed before the chains are read, so a chain that grows
    meanwhile still holds them; the heads and digests published on the election's notices
    go into the manifest as ``published`` and ``published_digests``."""
    keys = await anchors.public_keys(clients)
    published, digests = await anchors.published(clients, election_id)
    heads = await anchors.signed_heads(clients, election_id)
    chains: dict[str, list[dict[str, Any]]] = {}
    for service in SERVICES:  # every page: a chain longer than one page is still whole
        records = await all_audit_records(getattr(clients, service), election_id)
        chains[service] = [{k: (int(v) if k == "seq" else v) for k, v in MessageToDict(
            r, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
        ).items()} for r in records]
    ballots: list[dict[str, Any]] = []
    for round_id in await counted_rounds(clients, election_id):
        found = await clients.voting.ListRoundBallots(voting_pb2.GetRoundRequest(
            round_id=round_id))
        ballots += [{"round": b.round_id, "receipt": b.receipt, "salt": b.salt,
                     "marks": json.loads(b.marks_json)} for b in found.ballots]
    ballots.sort(key=lambda b: (b["receipt"], b["round"]))
    manifest = {
        "format": FORMAT, "election_id": election_id, "services": list(SERVICES),
        "public_keys": {k.service: anchors.key_to_dict(k) for k in keys},
        "heads": [anchors.head_to_dict(h) for h in heads],
        "published": [anchors.head_to_dict(h) for h in published],
        "published_digests": digests,
        "files": [chain_file(s) for s in SERVICES] + [BALLOTS]}
    files = {MANIFEST: json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"}
    files.update({chain_file(s): _jsonl(chains[s]) for s in SERVICES})
    files[BALLOTS] = _jsonl(ballots)
    return files


async def export_bundle(clients: ServiceClients, election_id: str, out: Path
                        ) -> dict[str, Any]:
    """Write the election's bundle into ``out`` (made when missing), the manifest last (a
    folder with a manifest is complete); the manifest returned."""
    files = await bundle_files(clients, election_id)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        if name != MANIFEST:
            (out / name).write_text(text, encoding="utf-8")
    (out / MANIFEST).write_text(files[MANIFEST], encoding="utf-8")
    return dict(json.loads(files[MANIFEST]))


# ---- reading and verifying ----------------------------------------------------------------
class BundleError(Exception):
    """A bundle that cannot be read (a file missing, a line not JSON): names the place."""


@dataclass
class Bundle:
    manifest: dict[str, Any]
    chains: dict[str, list[SimpleNamespace]]
    ballots: list[dict[str, Any]]
    #: the heads signed at export, and those published before (on notices)
    heads: list[common_pb2.SignedHead] = field(default_factory=list)
    published: list[common_pb2.SignedHead] = field(default_factory=list)

    @property
    def election_id(self) -> str:
        return str(self.manifest["election_id"])

    def payloads(self, service: str, kind: str) -> list[dict[str, Any]]:
        """The payloads of ``service``'s records of ``kind``, in chain order."""
        return [json.loads(r.payload_json) for r in self.chains[service] if r.kind == kind]


def _lines(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise BundleError(f"{path.name}: missing")
    found = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BundleError(f"{path.name} line {n}: not JSON ({exc.msg})") from exc
        if not isinstance(value, dict):
            raise BundleError(f"{path.name} line {n}: not a JSON object")
        found.append(value)
    return found


def load_bundle(folder: Path) -> Bundle:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BundleError(f"{MANIFEST}: missing") from exc
    except json.JSONDecodeError as exc:
        raise BundleError(f"{MANIFEST}: not JSON ({exc.msg})") from exc
    if manifest.get("format") != FORMAT:
        raise BundleError(f"{MANIFEST}: format {manifest.get('format')!r}, not {FORMAT!r}")
    chains: dict[str, list[SimpleNamespace]] = {}
    for service in manifest.get("services", []):
        rows = _lines(folder / chain_file(service))
        for n, row in enumerate(rows, start=1):
            missing = [f for f in RECORD_FIELDS if f not in row]
            if missing:
                raise BundleError(f"{chain_file(service)} line {n}: no {', '.join(missing)}")
        chains[service] = [SimpleNamespace(**{f: r[f] for f in RECORD_FIELDS}) for r in rows]
    try:
        heads = {k: [anchors.head_from_dict(h) for h in manifest.get(k, [])]
                 for k in ("heads", "published")}
    except (ParseError, TypeError, AttributeError) as exc:
        raise BundleError(f"{MANIFEST}: a head that is not a signed head ({exc})") from exc
    return Bundle(manifest, chains, _lines(folder / BALLOTS), heads["heads"],
                  heads["published"])


@dataclass
class Problem:
    """The first broken place of a bundle: the file, the record (seq, or ballot line) and
    what is wrong."""

    file: str
    at: int
    problem: str

    def __str__(self) -> str:
        where = "record" if self.file.endswith(".audit.jsonl") else "line"
        return f"{self.file} {where} {self.at}: {self.problem}"


@dataclass
class BundleReport:
    election_id: str
    records: dict[str, int] = field(default_factory=dict)
    ballots: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not self.problems


def check_chains(bundle: Bundle, report: BundleReport) -> None:
    keys = {s: k["public_key"] for s, k in bundle.manifest.get("public_keys", {}).items()}
    heads = bundle.heads + bundle.published
    for service, records in bundle.chains.items():
        report.records[service] = len(records)
        if not any(h.service == service for h in bundle.heads):
            report.problems.append(Problem(chain_file(service), 1,
                                           "the manifest holds no signed head for it"))
            continue
        broken, problem, _ = check_chain(bundle.election_id, records)
        if not broken:
            broken, problem = anchors.check_against_heads(service, records, heads, keys)
        if broken:
            report.problems.append(Problem(chain_file(service), broken, problem))
    for h in heads:
        if h.election_id != bundle.election_id:
            report.problems.append(Problem(MANIFEST, 0, f"a head of {h.service} is for"
                                                        f" election {h.election_id!r}"))
    counted = {p.get("round_id"): p.get("ballot_box_digest")
               for p in bundle.payloads("voting", "round.counted")} if "voting" in (
        bundle.chains) else {}
    for d in bundle.manifest.get("published_digests", []):
        if counted.get(d.get("round_id")) != d.get("digest"):
            report.problems.append(Problem(MANIFEST, 0, (
                f"round {d.get('round_id')}: the ballot-box digest published on notice"
                f" {d.get('notice_id')} is not the digest the voting chain counted")))


def verify_chains(bundle: Bundle) -> BundleReport:
    """The bundle's chains verified offline (the ballots: ``services.voting.recount``)."""
    report = BundleReport(bundle.election_id)
    check_chains(bundle, report)
    return report
