"""notices close: the workflow records when a notice period ended (O1); objections filed
after it are refused (O2)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 18:40:00

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
    """The service's schema on PostgreSQL (None on SQLite). Alembic's ALTER statements do not
    go through the engine's schema_translate_map as CREATE TABLE does, so it is named here."""
    schema = op.get_context().version_table_schema
    return str(schema) if schema else None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('notices', schema=_schema()) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('notices', schema=_schema()) as batch_op:
        batch_op.drop_column('closed_at')
