"""tally confirmation and code counts: a paper tally counts once the supervisor confirmed it
(M12, four eyes); an electronic round keeps its cast and voided code counts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 12:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ('tally_status', lambda: sa.Column('tally_status', sa.String(length=20), nullable=False,
                                       server_default='')),
    ('tally_entered_by', lambda: sa.Column('tally_entered_by', sa.String(length=200),
                                           nullable=False, server_default='')),
    ('tally_confirmed_by', lambda: sa.Column('tally_confirmed_by', sa.String(length=200),
                                             nullable=False, server_default='')),
    ('tally_note', lambda: sa.Column('tally_note', sa.Text(), nullable=False,
                                     server_default='')),
    ('codes_cast', lambda: sa.Column('codes_cast', sa.Integer(), nullable=False,
                                     server_default='0')),
    ('codes_void', lambda: sa.Column('codes_void', sa.Integer(), nullable=False,
                                     server_default='0')),
)


def _schema() -> str | None:
    """The service's schema on PostgreSQL (None on SQLite). Alembic's ALTER statements do not
    go through the engine's schema_translate_map as CREATE TABLE does, so it is named here."""
    schema = op.get_context().version_table_schema
    return str(schema) if schema else None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('rounds', schema=_schema()) as batch_op:
        for _, column in COLUMNS:
            batch_op.add_column(column())
    # a tally entered before this revision was entered by one person alone: it awaits the
    # supervisor like any other
    op.execute(sa.text("UPDATE {}rounds SET tally_status = 'entered' WHERE source = 'paper'"
                       " AND status = 'open'".format(f'"{_schema()}".' if _schema() else '')))
    op.execute(sa.text("UPDATE {}rounds SET tally_status = 'confirmed' WHERE source = 'paper'"
                       " AND status = 'counted'".format(f'"{_schema()}".' if _schema() else '')))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('rounds', schema=_schema()) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
