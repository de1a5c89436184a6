"""Alembic environment of the nomination service (see services/common/migrate.py)."""

from alembic import context

from services.common.migrate import run_env
from services.nomination.models import Base

run_env(context, Base.metadata)
