"""Property-based API test: schemathesis generates requests for every operation in ``/api/v1/openapi.json`` and
checks each response against the document. Zero 5xx, zero undocumented status codes, zero schema violations.

It runs as a signed-in manager (a bearer token) over the demo incubator, so list and detail operations return
real data. Path ids are drawn mostly from ids that exist, so detail and write operations reach their rules
rather than stopping at 404. Operations added to the document later are tested without any change here. The
number of requests is bounded (``API_FUZZ_BUDGET``, default 400, shared out between the operations) to keep the
run well under a minute; raise it locally for a deeper search: ``API_FUZZ_BUDGET=20000 pytest
tests/ops/test_api_schema.py``.
"""
from __future__ import annotations

import os
import time

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from incubator.auth.services import create_api_token, find_user
from incubator.demo import load_demo
from incubator.extensions import db

# Requests for the whole document, shared out between operations (at least MIN_EXAMPLES each), so that the run
# stays bounded as operations are added.
BUDGET = int(os.environ.get("API_FUZZ_BUDGET", "400"))
MIN_EXAMPLES = 5
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def existing_ids() -> list[int]:
    """Small ids that name real rows in the demo (every table's ids start at 1), plus one that never exists."""
    highest = max(
        db.session.scalar(sa.select(sa.func.max(column))) or 0
        for table in db.metadata.sorted_tables
        for column in table.primary_key.columns
        if isinstance(column.type, sa.Integer)
    )
    return [*range(1, min(highest, 60) + 1), 2**31 - 1]


def with_real_ids(strategy, ids: list[int]):
    """Replace generated integer path parameters by an existing id most of the time."""

    def swap(case, data):
        for name, value in (case.path_parameters or {}).items():
            if isinstance(value, int) and data.draw(st.integers(0, 3)) > 0:
                case.path_parameters[name] = data.draw(st.sampled_from(ids))
        return case

    return st.tuples(strategy, st.data()).map(lambda pair: swap(*pair))


def fuzz(operation, client, headers: dict, ids: list[int], examples: int) -> tuple[int, list[str]]:
    """Run up to ``examples`` generated cases; return how many ran and the distinct failures."""
    failures: dict[str, str] = {}
    calls = 0

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=with_real_ids(operation.as_strategy(), ids))
    def run(case):
        nonlocal calls
        calls += 1
        response = case.call(session=client, headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (FailureGroup, AssertionError) as exc:
            key = str(exc).strip().splitlines()[0][:200]
            failures.setdefault(key, str(exc)[:1500])
        finally:
            db.session.rollback()  # a refused write leaves nothing half-done for the next case

    run()
    return calls, list(failures.values())


@pytest.fixture
def demo_manager_headers(app) -> dict:
    load_demo()
    db.session.commit()
    _token, plaintext = create_api_token(find_user("manager@example.com"), "schemathesis")
    db.session.commit()
    return {"Authorization": f"Bearer {plaintext}"}


def test_every_operation_answers_as_documented(app, client, demo_manager_headers):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30, "the OpenAPI document lost operations"
    ids = existing_ids()
    examples = max(MIN_EXAMPLES, BUDGET // len(operations))
    started = time.monotonic()
    report, total = [], 0
    for operation in operations:
        calls, failures = fuzz(operation, client, demo_manager_headers, ids, examples)
        total += calls
        report += [f"{operation.method.upper()} {operation.path}:\n{failure}" for failure in failures]
    elapsed = time.monotonic() - started
    print(f"schemathesis: {len(operations)} operations, {total} requests in {elapsed:.1f} s")
    assert not report, "\n\n".join(report)
