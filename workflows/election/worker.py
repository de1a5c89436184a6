"""The worker moved to :mod:`workflows.worker`; this name stays while ``gongtui serve worker``
imports it from here."""

from workflows.worker import WORKFLOWS, run_worker

__all__ = ["WORKFLOWS", "run_worker"]
