"""The pieces of the contract suite that do not need a server: spec widening, the command."""

from __future__ import annotations

from sb_emulator.contract import SUITE_PATH
from sb_emulator.contract.__main__ import build_parser, pytest_arguments
from sb_emulator.contract.world import widen_parameters

SPEC = {
    "components": {
        "parameters": {
            "machineSlug": {"name": "machineSlug", "in": "path", "schema": {"type": "string"}},
            "cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"}},
        }
    },
    "paths": {
        "/machines/{machineSlug}/i/{instanceSlug}": {
            "parameters": [{"$ref": "#/components/parameters/machineSlug"}],
            "get": {
                "parameters": [
                    {"name": "instanceSlug", "in": "path", "schema": {"pattern": "^[a-z]+$"}}
                ]
            },
        }
    },
}


def test_widening_offers_real_names_beside_the_original_schema() -> None:
    known = {"machineSlug": ("m1", "m2"), "instanceSlug": ("contract-1",)}
    widened = widen_parameters(SPEC, known)
    machine = widened["components"]["parameters"]["machineSlug"]["schema"]
    assert machine == {"anyOf": [{"type": "string"}, {"enum": ["m1", "m2"]}]}
    instance = widened["paths"]["/machines/{machineSlug}/i/{instanceSlug}"]["get"]["parameters"]
    assert instance[0]["schema"] == {"anyOf": [{"pattern": "^[a-z]+$"}, {"enum": ["contract-1"]}]}
    # Query parameters and the input document stay untouched.
    assert widened["components"]["parameters"]["cursor"]["schema"] == {"type": "string"}
    assert SPEC["components"]["parameters"]["machineSlug"]["schema"] == {"type": "string"}


def test_widening_without_known_values_changes_nothing() -> None:
    assert widen_parameters(SPEC, {"machineSlug": ()}) == SPEC


def test_command_turns_flags_into_plugin_options() -> None:
    ns = build_parser().parse_args(
        ["--target", "https://api.example", "--key-id", "sbk_1", "--key-secret", "s",
         "--org-id", "org_1", "--", "-x", "-k", "stateful"]
    )
    args = pytest_arguments(ns)
    assert args[0] == str(SUITE_PATH)
    joined = " ".join(args)
    assert "--sb-target https://api.example --sb-key-id sbk_1 --sb-key-secret s" in joined
    assert "--sb-org-id org_1" in joined
    assert args[-3:] == ["-x", "-k", "stateful"]
