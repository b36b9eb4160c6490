"""schemathesis against the running API, as several roles: no server error, responses match the schema.

Bounded (a few examples per operation) so that it finishes in well under two minutes.
``DELETE /api/auth/token`` is left out: it would sign the fuzzing user out half-way.
"""

from __future__ import annotations

import pytest

ROLES = ["admin", "quartermaster", "auditor", "researcher"]
EXAMPLES = 6


@pytest.mark.parametrize("persona", ROLES)
def test_it_serves_every_operation_by_its_schema(persona: str, live, personas) -> None:  # noqa: ANN001
    import httpx
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    spec = httpx.get(f"{live.url}/api/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    headers = {"Authorization": f"Bearer {personas[persona].token}"}
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    tested = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) == ("DELETE", "/api/auth/token"):
            continue

        @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate], derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case) -> None:  # noqa: ANN001
            case.call_and_validate(base_url=live.url, headers=headers, checks=checks)

        run()
        tested += 1
    assert tested == len([1 for p in spec["paths"].values() for _ in p]) - 1
