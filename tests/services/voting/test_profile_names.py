"""Over gRPC, a meeting's profile is a built-in name (or one of the configured folder): a path
is refused naming the field, even one of a real profile file."""

from __future__ import annotations

import grpc

import rules
from tests.services.voting.support import Service, members, open_meeting, refused, trailer


async def test_a_profile_path_in_a_request_is_refused(svc: Service) -> None:
    path = str(rules.profile.PROFILE_DIR / "nanjing.yaml")
    err = await refused(open_meeting(svc, "congress", 1, members(3), profile=path),
                        grpc.StatusCode.INVALID_ARGUMENT)
    assert (trailer(err, "field"), trailer(err, "rule")) == ("profile", "PROFILE")
    assert (await open_meeting(svc, "congress", 1, members(3))).expected == 3
