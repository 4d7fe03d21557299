"""Property-based check of the read API against its own OpenAPI document (Schemathesis).

Schemathesis reads /api/v1/openapi.json from the app and sends generated
requests, valid and invalid, to every operation, on a database holding one
object of each kind and visibility. Every answer must be no server error,
have a documented status, content type and headers, and a body matching the
schema; invalid input must be refused with a 4xx. The run is derandomized
and bounded, so it is the same on every machine and stays short.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.auth.models import Role
from app.core.db import db
from app.core.visibility import Visibility
from app.directory.models import Initiative, Theme
from app.feeds.models import AccessPurpose
from app.feeds.tokens import create_feed_token
from tests.fixtures.builders import NOW

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def staff_headers(
    app,
    create_user,
    create_organisation,
    create_event,
    create_delegation,
    create_programme_item,
) -> dict[str, str]:
    """Fill the database with one object of each kind per visibility; return a staff token header."""
    initiative = Initiative(slug="green", title="Green", programme_period="2026")
    theme = Theme(slug="climate", name_nb="Klima", name_en="Climate")
    db.session.add_all([initiative, theme])
    db.session.commit()
    org = create_organisation("HOST")
    for vis in Visibility:
        create_event(
            f"Event {vis.value}",
            visibility=vis,
            organiser=org,
            initiative_id=initiative.id,
            themes=[theme],
        )
        create_event(
            f"Weekly {vis.value}",
            visibility=vis,
            start=NOW + timedelta(days=1),
            rrule="FREQ=WEEKLY",
        )
        visit = create_delegation(
            f"Visit {vis.value}", visibility=vis, host_organisation=org
        )
        create_programme_item(f"Item {vis.value}", delegation=visit, visibility=vis)
    _row, raw = create_feed_token(
        create_user(role=Role.mayors_office),
        label="API",
        now=NOW,
        purpose=AccessPurpose.api,
    )
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


#: Generated requests per operation and per run.
EXAMPLES = 25
#: A period holding the seeded objects, for the run that must reach them.
SEEDED_PERIOD = {"from": "2026-11-26", "to": "2027-01-31"}


def _check_operation(operation: Any, mode: GenerationMode, **fixed: Any) -> None:
    """Send EXAMPLES generated requests to one operation and check every answer.

    `fixed` holds values Schemathesis keeps (headers, a query, a path id)
    while it generates the rest.
    """

    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    run()


def _seeded_values(operation: Any, seeded_id: int) -> dict[str, Any]:
    """Return the fixed values that make an operation reach the seeded objects."""
    if "{id}" in operation.path:
        return {"path_parameters": {"id": seeded_id}}
    names = {parameter.name for parameter in operation.query}
    return {"query": {k: v for k, v in SEEDED_PERIOD.items() if k in names}}


@pytest.fixture
def schema(app, staff_headers) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_get_answers_that_conform(schema, staff_headers, mode):
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 10
    for operation in operations:
        _check_operation(operation, mode, headers=staff_headers)


def test_requests_reaching_the_seeded_objects_get_answers_that_conform(
    schema, staff_headers
):
    """Valid requests whose period or id hits real objects, so bodies are full."""
    for operation in (result.ok() for result in schema.get_all_operations()):
        _check_operation(
            operation,
            GenerationMode.POSITIVE,
            headers=staff_headers,
            **_seeded_values(operation, seeded_id=1),
        )
