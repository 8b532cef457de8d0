"""Property-based API testing from the OpenAPI document: no operation may answer 500, and
every response must match what the document says (status codes, content types, schemas)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings

# Examples per operation: enough to find crashes on odd input, small enough for a fast suite.
MAX_EXAMPLES = 25


@pytest.fixture(scope="session")
def api_schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.include(path_regex=r"^/(api|cds-services|fhir)").parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error_and_responses_match_the_document(case: Any) -> None:
    case.call_and_validate()
