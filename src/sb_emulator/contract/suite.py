"""The contract suite: schemathesis against the bundled OpenAPI spec, as pytest tests.

Every operation of the spec, then stateful sequences along the spec's links; the only
checks are that no response is a 5xx, that every status code is declared for its operation
and that every response body matches its declared schema.

It runs on the sb-emulator pytest plugin's fixtures, so the same tests run against the
embedded emulator (with the run's ``--sb-machines``) or, with ``--sb-target``, against a
deployment. Run it with ``python -m sb_emulator.contract`` or import its tests into a test
module (``from sb_emulator.contract.suite import *``). Settings (environment):
``SB_EMULATOR_CONTRACT_MAX_EXAMPLES`` (per operation, default 25),
``SB_EMULATOR_CONTRACT_MODE`` (``all``: valid and invalid requests, ``positive``, ``negative``),
``SB_EMULATOR_CONTRACT_STATEFUL_STEPS`` (default 10).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from sb_emulator.contract.world import BUNDLED_MACHINES, ContractWorld, aim_at_real_names, build_world

MAX_EXAMPLES = int(os.environ.get("SB_EMULATOR_CONTRACT_MAX_EXAMPLES", "25"))
STATEFUL_STEPS = int(os.environ.get("SB_EMULATOR_CONTRACT_STATEFUL_STEPS", "10"))
GENERATION_MODE = os.environ.get("SB_EMULATOR_CONTRACT_MODE", "all")
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


def load_schema(mode: str) -> schemathesis.BaseSchema:
    """The spec as schemathesis sees it; ``mode``: positive, negative or all (both)."""
    config = schemathesis.Config.from_dict({"generation": {"mode": mode}})
    schema = schemathesis.openapi.from_dict(load_spec_document(), config=config)
    return schema.exclude(path_regex="^(" + "|".join(EXCLUDED_PATH_PREFIXES) + ")")


# Valid requests and, by default, invalid ones too: a malformed request must get a
# documented 4xx, never a 5xx.
contract_schema = load_schema(GENERATION_MODE)


def _call_and_validate(case: schemathesis.Case[Any], world: ContractWorld) -> None:
    case.call_and_validate(base_url=world.base_url, headers=world.headers, checks=CHECKS)


@settings(HYPOTHESIS_SETTINGS, phases=[Phase.explicit])
@contract_schema.parametrize()
def test_spec_examples_conform(
    case: schemathesis.Case[Any], sb_contract_world: ContractWorld
) -> None:
    _call_and_validate(case, sb_contract_world)


# Generated cases (the spec's own examples are the test above: schemathesis cannot mix them
# with the extra `data` argument used to aim at real names).
@settings(HYPOTHESIS_SETTINGS, phases=[Phase.generate, Phase.shrink])
@contract_schema.given(data=st.data())
@contract_schema.parametrize()
def test_operation_conforms(
    case: schemathesis.Case[Any], data: st.DataObject, sb_contract_world: ContractWorld
) -> None:
    aim_at_real_names(case, data, sb_contract_world)
    _call_and_validate(case, sb_contract_world)


def test_stateful_sequences_conform(sb_contract_world: ContractWorld) -> None:
    # Sequences of valid requests: links carry real names from one response to the next.
    base = load_schema("positive").as_state_machine()

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
