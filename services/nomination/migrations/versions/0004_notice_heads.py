"""notices carry the signed chain heads and the rounds' ballot-box digests published with
them (docs/audit.md)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 11:50:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _schema() -> str | None:
    """The service's schema on PostgreSQL (None on SQLite): Alembic's ALTER statements do not
    go through the engine's schema_translate_map."""
    schema = op.get_context().version_table_schema
    return str(schema) if schema else None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('notices', schema=_schema()) as batch_op:
        batch_op.add_column(sa.Column('heads_json', sa.Text(), nullable=False,
                                      server_default='[]'))
        batch_op.add_column(sa.Column('digests_json', sa.Text(), nullable=False,
                                      server_default='[]'))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('notices', schema=_schema()) as batch_op:
        batch_op.drop_column('digests_json')
        batch_op.drop_column('heads_json')
