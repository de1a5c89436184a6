"""The voting schema keeps ballots apart from persons (ballot secrecy)."""

from __future__ import annotations

from services.voting import models

PERSON_COLUMNS = {"person_id", "name", "voter", "voter_id", "elector", "elector_id", "class",
                  "actor", "actor_role", "actor_scope"}
BALLOT_COLUMNS = {"code", "code_hash", "ballot_id", "marks_json", "marks", "receipt", "salt",
                  "used", "invalid_rule"}
SECRET_TABLES = ("ballots", "ballot_codes")


def test_schema_keeps_ballots_apart_from_persons() -> None:
    tables = models.Base.metadata.tables
    assert {"ballot_issues", *SECRET_TABLES} <= set(tables)
    for table in tables.values():
        columns = {c.name for c in table.columns}
        assert not (columns & PERSON_COLUMNS and columns & BALLOT_COLUMNS), table.name
    issues = {c.name for c in tables["ballot_issues"].columns}
    assert issues == {"round_id", "person_id"}
    for name in SECRET_TABLES:
        table = tables[name]
        columns = {c.name for c in table.columns}
        assert columns & issues == {"round_id"}, name
        # nothing that orders rows by time of writing: no timestamps, no sequential ids,
        # and no hidden SQLite rowid either
        assert not any(c.name.endswith(("_at", "time", "seq")) for c in table.columns), name
        assert not any(c.autoincrement is True for c in table.columns), name
        assert all(str(c.type).startswith("VARCHAR") for c in table.primary_key.columns), name
        assert table.dialect_options["sqlite"]["with_rowid"] is False, name
    assert tables["ballot_issues"].dialect_options["sqlite"]["with_rowid"] is False
