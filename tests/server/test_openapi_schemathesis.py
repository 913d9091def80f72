"""schemathesis against the OpenAPI document: no 5xx, and every response matches its schema.

Requests are generated for every operation and sent, authenticated as the programme office,
to the app on the real test database. Writes are included: each is validated and either
applied whole or refused with a problem document. (schemathesis's own pytest plugin does not
load under pytest 9, so the operations are walked here with hypothesis directly.)
"""

from __future__ import annotations

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from coprod.api import create_app
from tests.server.conftest import Api

CHECKS = (not_a_server_error, response_schema_conformance, status_code_conformance)


def test_every_operation_conforms_to_the_openapi_document(seeded: str) -> None:
    app = create_app(seeded)
    headers = Api(TestClient(app), "po").headers
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60  # 12 record types x 5, plus programmes, plans, audit, auth
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        check()
