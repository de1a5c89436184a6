"""The tables a batch reads and writes, named once at import from their declarations
(``services.voting.models``): each table's name, the columns a row is written with — in the order the judge builds its
tuples — and, for PostgreSQL's set-wise statements, each column's array type. The writers'
statement texts are put together from these, so no table or row layout is written twice."""

from __future__ import annotations

from sqlalchemy import Column, Table

from services.voting.models import BallotCodeRow, BallotRow, RoundRow


def _table(model: type) -> Table:
    table = getattr(model, "__table__")  # noqa: B009 - an ORM class's table, not typed as one
    assert isinstance(table, Table)
    return table


def _written(table: Table) -> tuple[Column[object], ...]:
    """A row's columns as it is written: all but a key the database numbers itself."""
    return tuple(c for c in table.columns if c is not table.autoincrement_column)


def _named(table: Table, *names: str) -> str:
    """Columns a statement reads, checked against the declaration here, at import."""
    missing = [n for n in names if n not in table.columns]
    if missing:
        raise LookupError(f"{table.name} declares no column {', '.join(missing)}")
    return ", ".join(names)


_ROUNDS, _CODES, _BALLOTS = _table(RoundRow), _table(BallotCodeRow), _table(BallotRow)

ROUNDS, CODES, BALLOTS = _ROUNDS.name, _CODES.name, _BALLOTS.name

#: what the judge reads of a round (``judge.round_from_row``) and of a code
ROUND_READ = _named(_ROUNDS, "round_id", "election_id", "kind", "seats", "status",
                    "candidates_json", "casting")
CODE_READ = _named(_CODES, "code_hash", "round_id", "used")

#: the columns of a written ballot, in the order of the judge's tuples
BALLOT_ROW = _written(_BALLOTS)
BALLOT_COLUMNS = ", ".join(c.name for c in BALLOT_ROW)
