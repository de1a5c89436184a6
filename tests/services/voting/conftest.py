"""The voting service over a real gRPC channel (the fixture of tests/services/test_voting.py)."""

from tests.services.test_voting import svc  # noqa: F401 - the fixture, for these modules too
