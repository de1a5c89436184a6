"""exclusion consent: an E2 exclusion lowers the quorum base once the street committee
consented to it

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 12:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _schema() -> str | None:
    """The service's schema on PostgreSQL (None on SQLite). Alembic's ALTER statements do not
    go through the engine's schema_translate_map as CREATE TABLE does, so it is named here."""
    schema = op.get_context().version_table_schema
    return str(schema) if schema else None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('roster', schema=_schema()) as batch_op:
        batch_op.add_column(sa.Column('exclusion_consent', sa.String(length=20),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('exclusion_decided_by', sa.String(length=200),
                                      nullable=False, server_default=''))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('roster', schema=_schema()) as batch_op:
        batch_op.drop_column('exclusion_decided_by')
        batch_op.drop_column('exclusion_consent')
