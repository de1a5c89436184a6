"""meeting details: who presided, who took the minutes, the place and time (for the minutes)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 12:10:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _schema() -> str | None:
    """The service's schema on PostgreSQL (None on SQLite); see 0003."""
    schema = op.get_context().version_table_schema
    return str(schema) if schema else None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('meetings', schema=_schema()) as batch_op:
        batch_op.add_column(sa.Column('details_json', sa.Text(), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('meetings', schema=_schema()) as batch_op:
        batch_op.drop_column('details_json')
