"""``gongtui bench ballots``: electronic ballots cast through the voting service's gRPC API.

For each database (SQLite in WAL mode with synchronous=FULL; PostgreSQL with
synchronous_commit=on) a voting service runs as its own process (``gongtui serve voting``);
this process is the clients: 1, 16 and 64 concurrent callers of CastBallot, each ballot
acknowledged only after its transaction committed. In the same run, two floors:

* **echo** — a no-op gRPC server (own process) answering the same request and response
  messages: the transport's ceiling on this machine;
* **raw commits** — one row, one commit, one client, straight on the same database: the
  durable commit rate of the storage;

and, beside each measurement of the voting service, a third server:

* **durable floor** — the echo server that, before it answers, writes the call's code as one
  row into the same database in group commits (the statements on the event loop, SQLite's
  COMMIT on a thread, as the ballot box does; on PostgreSQL one statement per batch): the
  least any server must do to acknowledge a call only once it is durable, on this stack. What
  the voting service loses against it is the ballot box's own work (judging, the ballot, the
  code's flag, the audit chain); what the floor loses against the echo is durability itself.

Afterwards every round is counted (CloseRound) and its stored ballots compared with the
receipts acknowledged: the run fails on a lost or duplicated ballot.

Measured in pairs: each measurement of the voting service follows one of the echo with the same
clients and the same number of calls, and the share of the echo is taken pair by pair, then the
median over ``--repeats`` pairs. This VM's speed drifts by half within minutes (a neighbour on
the host); an echo measured once at the start made the later shares meaningless — one run
showed PostgreSQL at "200 % of the echo".
"""


from __future__ import annotations

# Importing the command adds ``gongtui bench ballots`` to bench_app.
from gongtui.bench.ballots.command import ballots
from gongtui.machine import machine

__all__ = ["ballots", "machine"]
