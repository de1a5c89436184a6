"""The ballot box: electronic ballots written in group commits, each acknowledged once durable.

CastBallot is the one write that comes in thousands at once (a congress of 2,000 members votes
in minutes), so it does not go through the general ORM write path. One writer task takes every
cast that is waiting and writes them together in one transaction of a handful of set-wise
statements — look up the batch's rounds and codes, insert the ballots, mark the codes used —
and answers each caller only after that transaction committed. A cast appends no audit
record: a record per cast would keep the order of the casts; the round's receipts enter the
chain when it is counted, in receipt order.

One module per part:

* ``judge`` — decides each cast of a batch against the rounds and codes read for it, and
  builds the rows the accepted ones write (pure: no database);
* ``sqlite`` — the SQLite writer: the statements on the event loop under the process's write
  lock, only the COMMIT (the WAL write and fsync) on the box's thread;
* ``postgres`` — the PostgreSQL writer: one conditional statement per batch, judged against a
  cache of open rounds, read first or written under row locks when that fails;
* ``tables`` — the tables' names and row layouts, taken from their declarations;
* ``box`` — the queue, the batching and the callers' futures.
"""

from services.voting.ballot_box.box import SETTLE_PASSES, BallotBox
from services.voting.ballot_box.judge import judge
from services.voting.ballot_box.postgres import (
    PostgresCache,
    write_batch_postgres,
    write_batch_postgres_locked,
)
from services.voting.ballot_box.sqlite import stage_batch_sqlite, write_batch_sqlite

__all__ = ["SETTLE_PASSES", "BallotBox", "PostgresCache", "judge", "stage_batch_sqlite",
           "write_batch_postgres", "write_batch_postgres_locked", "write_batch_sqlite"]
