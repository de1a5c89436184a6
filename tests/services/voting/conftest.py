"""The voting service over a real gRPC channel (the fixture of tests/services/voting/test_domain.py)."""

from tests.services.voting.test_domain import svc  # noqa: F401 - the fixture, for these modules too
