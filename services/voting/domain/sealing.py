"""The round's secret-ballot rows written again, so that no order they were written in survives.

A row keeps traces of the transaction that wrote it even where no column does: on PostgreSQL
its ``xmin`` names that transaction (ids grow with time) and its ``ctid`` where it was put
(in insertion order); on SQLite a table with a rowid numbers its rows as they come (the
secret-ballot tables have none: ``WITHOUT ROWID``, keyed by the person or by random values).
Two moments wipe those traces:

* when casting opens (``Ballots.open_casting``), the round's issue records and code hashes
  are written again in one transaction, in person and hash order: which transaction issued
  which code hash — and so to whom, for a batch of one — is gone before the first cast;
* when the round closes (``Counting.close_round``), its ballots are written again in receipt
  order with new random IDs, and its codes in hash order: each ballot's ``xmin`` and
  ``ctid`` then tell the close, not its cast, and the codes used no longer share a
  transaction with the ballots they cast.

What an attacker with SELECT sees while the round is open, and does not after: on
PostgreSQL, the issue transaction of each issue row and code hash until casting opens, and
during casting each ballot's cast transaction, shared with the code it used (so the order of
casts); on either database, someone who reads the tables between two casts sees which
ballot came with which code. After the close none of it is readable (old row versions are
not visible to SELECT; VACUUM reclaims them), and the codes' holders are known to nobody.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, insert, select

from services.common.store import Tx
from services.voting.models import BallotCodeRow, BallotIssueRow, BallotRow


async def rewrite_issues_and_codes(tx: Tx, round_id: str) -> None:
    """The round's issue records and code hashes, written again in one transaction."""
    issued = sorted((await tx.session.execute(select(BallotIssueRow.person_id).where(
        BallotIssueRow.round_id == round_id))).scalars().all())
    await tx.session.execute(delete(BallotIssueRow).where(BallotIssueRow.round_id == round_id))
    if issued:
        await tx.session.execute(insert(BallotIssueRow),
                                 [{"round_id": round_id, "person_id": p} for p in issued])
    await rewrite_codes(tx, round_id)


async def rewrite_codes(tx: Tx, round_id: str) -> int:
    """The round's code hashes written again in hash order; the number of them used."""
    codes = sorted((await tx.session.execute(select(BallotCodeRow.code_hash, BallotCodeRow.used)
                                             .where(BallotCodeRow.round_id == round_id))).all())
    await tx.session.execute(delete(BallotCodeRow).where(BallotCodeRow.round_id == round_id))
    if codes:
        await tx.session.execute(insert(BallotCodeRow), [
            {"code_hash": h, "round_id": round_id, "used": bool(u)} for h, u in codes])
    return sum(1 for _, u in codes if u)


async def void_unused_codes(tx: Tx, round_id: str) -> int:
    """At the close: the round's codes never cast are void (their hashes removed, so no
    later cast or spoil can name them); how many."""
    result = await tx.session.execute(delete(BallotCodeRow).where(
        BallotCodeRow.round_id == round_id, BallotCodeRow.used.is_(False)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def rewrite_ballots(tx: Tx, round_id: str) -> list[Any]:
    """The round's ballots written again in receipt order with new random IDs; the ballots
    (valid, marks_json, receipt), in that order."""
    ballots = sorted((await tx.session.execute(
        select(BallotRow.receipt, BallotRow.salt, BallotRow.marks_json, BallotRow.valid,
               BallotRow.invalid_rule).where(BallotRow.round_id == round_id))).all())
    await tx.session.execute(delete(BallotRow).where(BallotRow.round_id == round_id))
    if ballots:
        await tx.session.execute(insert(BallotRow), [
            {"ballot_id": secrets.token_hex(16), "round_id": round_id, "marks_json": marks,
             "valid": bool(valid), "invalid_rule": rule, "salt": salt, "receipt": receipt}
            for receipt, salt, marks, valid, rule in ballots])
    return ballots
