"""the roles that confirmed a round's results: both the community office and the supervisor
make them official (services/voting/official.py)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 09:10:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _schema() -> str | None:
    """The service's schema on PostgreSQL (None on SQLite): Alembic's ALTER statements do not
    go through the engine's schema_translate_map as CREATE TABLE does."""
    schema = op.get_context().version_table_schema
    return str(schema) if schema else None


def upgrade() -> None:
    with op.batch_alter_table('rounds', schema=_schema()) as batch_op:
        batch_op.add_column(sa.Column('confirmed_json', sa.Text(), nullable=False,
                                      server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('rounds', schema=_schema()) as batch_op:
        batch_op.drop_column('confirmed_json')
