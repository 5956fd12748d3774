"""The contract suite: schemathesis against the bundled OpenAPI spec, as pytest tests.

Every operation of the spec, then stateful sequences along the spec's links; the only
checks are that no response is a 5xx, that every status code is declared for its operation
and that every response body matches its declared schema.

It runs on the sb-emulator pytest plugin's fixtures, so the same tests run against the
embedded emulator (with the run's ``--sb-machines``) or, with ``--sb-target``, against a
deployment. Run it with ``python -m sb_emulator.contract`` or import its tests into a test
module (``from sb_emulator.contract.suite import *``). Examples per operation:
``SB_EMULATOR_CONTRACT_MAX_EXAMPLES`` (default 25).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from sb_emulator.contract.world import (
    BUNDLED_MACHINES,
    ContractWorld,
    build_world,
    widen_parameters,
)

MAX_EXAMPLES = int(os.environ.get("SB_EMULATOR_CONTRACT_MAX_EXAMPLES", "25"))
STATEFUL_STEPS = int(os.environ.get("SB_EMULATOR_CONTRACT_STATEFUL_STEPS", "10"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Routes outside the emulated REST API: the WebSocket upgrade and the emulator's own control
# routes (a deployment has neither as plain HTTP operations).
EXCLUDED_PATH_PREFIXES = ("/rt", "/_emulator")

HYPOTHESIS_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,  # leave no .hypothesis folder behind in the user's project
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("SB_EMULATOR_CONTRACT_DERANDOMIZE", "1") == "1",
)


def load_spec_document() -> dict[str, Any]:
    from sb_emulator.openapi import OpenApiSpec

    return dict(OpenApiSpec.load().document)


@pytest.fixture
def sb_contract_world(sb_emulator: Any) -> ContractWorld:
    """Real machines and instances on the target (the bundled machine if it has none)."""
    client = sb_emulator.client
    if sb_emulator.target.is_emulator and not client.list_machines():
        sb_emulator.load(BUNDLED_MACHINES)
    return build_world(client)


@pytest.fixture
def sb_contract_schema(sb_contract_world: ContractWorld) -> schemathesis.BaseSchema:
    document = widen_parameters(load_spec_document(), sb_contract_world.known_values)
    schema = schemathesis.openapi.from_dict(document)
    return schema.exclude(path_regex="^(" + "|".join(EXCLUDED_PATH_PREFIXES) + ")")


contract_schema = schemathesis.pytest.from_fixture("sb_contract_schema")


@HYPOTHESIS_SETTINGS
@contract_schema.parametrize()
def test_operation_conforms(case: schemathesis.Case[Any], sb_contract_world: ContractWorld) -> None:
    case.call_and_validate(
        base_url=sb_contract_world.base_url, headers=sb_contract_world.headers, checks=CHECKS
    )


def test_stateful_sequences_conform(
    sb_contract_schema: schemathesis.BaseSchema, sb_contract_world: ContractWorld
) -> None:
    base = sb_contract_schema.as_state_machine()

    class Workflow(base):  # type: ignore[valid-type, misc]
        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"base_url": sb_contract_world.base_url, "headers": sb_contract_world.headers}

        def validate_response(
            self, response: Any, case: schemathesis.Case[Any], additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Workflow.run(
        settings=settings(
            HYPOTHESIS_SETTINGS,
            max_examples=max(MAX_EXAMPLES // 2, 1),
            stateful_step_count=STATEFUL_STEPS,
        )
    )
