"""The voting service over a real gRPC socket (``svc``), shared with tests/services/test_voting.py."""

from tests.services.test_voting import svc  # noqa: F401 - a fixture
