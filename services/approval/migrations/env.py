"""Alembic environment of the approval service (see services/common/migrate.py)."""

from alembic import context

from services.approval.models import Base
from services.common.migrate import run_env

run_env(context, Base.metadata)
