"""schemathesis against the live OpenAPI document of the running API: every operation, bounded
examples (valid and invalid data), a valid district-admin token, with the limits at the door in
place: no 5xx anywhere, no answer slower than 2 s, and afterwards the fuzzed election's audit
chains still verify (nothing half-written). A body above the limit is a 413 on every route
that takes one."""

from __future__ import annotations

import re
from collections import Counter

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyStrategyDefinition, Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from api.db import open_database
from gongtui.stack import EmbeddedStack
from tests.api.conftest import Stubs, TokenFactory, bearer, create_election, register_place

pytestmark = pytest.mark.stack
MAX_EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 10}
#: for the routes that draw a document (CPU seconds each on this machine; their inputs are an
#: election's id and a file name)
DOCUMENT_EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 3}


@pytest.fixture(scope="module")
async def fuzz_target(stack: EmbeddedStack, stubs: Stubs,
                      make_token: TokenFactory) -> tuple[str, dict[str, str]]:
    db = open_database(stack.settings)
    await register_place(db, "d-fz", "s-fz", "c-fz")
    await db.dispose()
    eid = await create_election(stubs, "c-fz", "s-fz", "d-fz")
    return eid, bearer(await make_token("district_admin", "district:*", name="fuzz"))


#: the slowest answer the fuzz accepts (a hang shows as a timeout of the call)
SLOWEST = 2.0
#: a route that renders a document (a PDF, the archive, the audit bundle) does real work; its
#: bound is its own (the documents' speed is a benchmark: gongtui bench documents)
SLOWEST_DOCUMENT = 15.0


def slowest(path: str) -> float:
    return SLOWEST_DOCUMENT if path.endswith((".pdf", ".zip", "/bundle")) else SLOWEST


def _internal_errors(stack: EmbeddedStack) -> list[str]:
    """The API's own account of its 5xx answers (the traceback of each), for the failure."""
    log = stack.log_dir / "api.log"
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return [line[:4000] for line in lines if '"level": "ERROR"' in line][:5]


def _fuzz(strategy: st.SearchStrategy[schemathesis.Case], examples: int, label: str,
          api_url: str, headers: dict[str, str], statuses: Counter[int],
          failures: list[str]) -> None:
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        response = case.call(base_url=api_url, headers=headers,
                             timeout=slowest(case.path) * 5)
        statuses[response.status_code] += 1
        if response.elapsed > slowest(case.path):  # seconds
            # a hang repeats; a moment of a shared machine's load does not
            again = case.call(base_url=api_url, headers=headers,
                              timeout=slowest(case.path) * 5)
            if again.elapsed > slowest(case.path):
                failures.append(f"{label}: {response.elapsed:.1f} s, again "
                                f"{again.elapsed:.1f} s {case.as_curl_command()}")
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except Exception:
            failures.append(f"{label}: {response.status_code} {case.as_curl_command()}")
            raise

    run()


def test_no_server_errors(stack: EmbeddedStack, api_url: str,
                          fuzz_target: tuple[str, dict[str, str]]) -> None:
    eid, headers = fuzz_target
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json")
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) > 40
    for op in operations:
        fixed = {"election_id": eid} if "{election_id}" in op.path else None
        for mode, examples in MAX_EXAMPLES.items():
            if slowest(op.path) > SLOWEST:  # a document is drawn for real: a few suffice
                examples = DOCUMENT_EXAMPLES[mode]
            strategy = st.one_of(op.as_strategy(generation_mode=mode),
                                 op.as_strategy(generation_mode=mode, path_parameters=fixed)
                                 ) if fixed else op.as_strategy(generation_mode=mode)

            before = len(failures)
            try:
                _fuzz(strategy, examples, f"{op.method.upper()} {op.path} ({mode.value})",
                      api_url, headers, statuses, failures)
            except Unsatisfiable:  # no invalid data exists for an operation without inputs
                pass
            except Exception as exc:  # a 5xx is collected in _fuzz; go on with the next one
                if len(failures) == before:
                    inner = exc.exceptions[0] if isinstance(exc, BaseExceptionGroup) else exc
                    failures.append(f"{op.method.upper()} {op.path} ({mode.value}): "
                                    f"{type(exc).__name__}: {type(inner).__name__}: "
                                    f"{str(inner)[:600]}")
    assert not failures, "\n".join([*dict.fromkeys(failures), *_internal_errors(stack)])
    assert sum(n for code, n in statuses.items() if code < 300) > 100, statuses
    assert statuses[422] > 100 and statuses[404] > 10, statuses
    # nothing half-written: every service's chain of the fuzzed election verifies
    verified = httpx.get(f"{api_url}/api/v1/elections/{eid}/audit/verify", headers=headers,
                         timeout=30)
    assert verified.status_code == 200 and verified.json()["verified"], verified.text

    # a body above the limit: 413 with the error body on every route that takes one
    for op in operations:
        if op.method.upper() not in ("POST", "PUT", "PATCH"):
            continue
        path = re.sub(r"{\w+}", "x", op.path.replace("{election_id}", eid))
        limit = (stack.settings.api_max_upload_bytes if path.endswith(("/roster", "/import"))
                 else stack.settings.api_max_body_bytes)
        r = httpx.request(op.method.upper(), f"{api_url}{path}", timeout=30,
                          content=b'"' + b"x" * limit + b'"',
                          headers=headers | {"Content-Type": "application/json"})
        assert r.status_code == 413 and r.json()["code"] == "PAYLOAD_TOO_LARGE", (path, r.text)


def test_stateful_sequences_have_no_server_errors(api_url: str,
                                                  fuzz_target: tuple[str, dict[str, str]]
                                                  ) -> None:
    """The stateful mode: schemathesis chains calls along the links it infers from the
    schema (an id a response returns fed to the operations whose path takes it), so a
    sequence reaches what a created resource allows; the same bounds hold on every step,
    and afterwards every election the sequences reached still verifies its audit chains."""
    eid, headers = fuzz_target
    document = httpx.get(f"{api_url}/openapi.json", timeout=60)
    document.raise_for_status()
    schema = schemathesis.openapi.from_dict(document.json())
    machine = schema.as_state_machine()
    rules = [name for name in dir(machine) if not name.startswith("_")
             and callable(getattr(machine, name)) and hasattr(getattr(machine, name),
                                                               "hypothesis_stateful_rule")]
    assert rules, "schemathesis inferred no links between the API's operations"
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    steps: Counter[str] = Counter()

    class Sequences(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            return {"base_url": api_url, "headers": headers,
                    "timeout": slowest(case.path) * 5}

        def validate_response(self, response: object, case: schemathesis.Case,
                              additional_checks: object = None, **kwargs: object) -> None:
            label = f"{case.method.upper()} {case.path}"
            steps[label] += 1
            statuses[response.status_code] += 1  # type: ignore[attr-defined]
            if response.elapsed > slowest(case.path):  # type: ignore[attr-defined]
                failures.append(f"{label}: {response.elapsed:.1f} s "  # type: ignore[attr-defined]
                                f"{case.as_curl_command()}")
            # collected, not raised: a raise would have hypothesis replay the sequence against
            # an API whose state the first run changed (a flaky-strategy error, not the 5xx)
            try:
                case.validate_response(response, checks=[not_a_server_error])  # type: ignore[arg-type]
            except Exception:
                failures.append(f"{label}: {response.status_code} "  # type: ignore[attr-defined]
                                f"{case.as_curl_command()}")

    # generation only: a replayed or shrunk sequence meets the state the earlier ones left
    # (a resource that now exists answers 409), which hypothesis takes for a flaky strategy
    try:
        Sequences.run(settings=settings(max_examples=15, stateful_step_count=6, deadline=None,
                                        database=None, phases=[Phase.generate],
                                        suppress_health_check=list(HealthCheck)))
    except FlakyStrategyDefinition:
        # even without replays, hypothesis may re-draw a step whose bundle the API's state
        # emptied meanwhile and take it for a flaky strategy: the steps run until then were
        # each checked above, and their number is held below
        pass
    assert not failures, "\n".join(dict.fromkeys(failures))
    assert sum(steps.values()) > 30 and len(steps) > 5, steps
    # nothing half-written: the fuzzed election's chains and those of every election the
    # sequences listed verify
    listed = httpx.get(f"{api_url}/api/v1/elections", headers=headers, timeout=30).json()
    for election in [eid, *[e["election_id"] for e in listed][:20]]:
        verified = httpx.get(f"{api_url}/api/v1/elections/{election}/audit/verify",
                             headers=headers, timeout=30)
        assert verified.status_code == 200 and verified.json()["verified"], verified.text
