"""The pieces of the contract suite that do not need a server: aiming, the command."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from sb_emulator.contract import SUITE_PATH
from sb_emulator.contract.__main__ import build_parser, pytest_arguments
from sb_emulator.contract.world import ContractWorld, aim_at_real_names

WORLD = ContractWorld("http://x", "tok", ("m1", "m2"), ("contract-1",))


@settings(max_examples=60, database=None, derandomize=True)
@given(data=st.data(), machine=st.text(min_size=1), instance=st.text(min_size=1))
def test_aiming_keeps_or_swaps_each_slug_for_a_real_one(
    data: st.DataObject, machine: str, instance: str
) -> None:
    case = SimpleNamespace(
        path_parameters={"machineSlug": machine, "instanceSlug": instance, "index": "i"}
    )
    aim_at_real_names(case, data, WORLD)
    assert case.path_parameters["machineSlug"] in (machine, "m1", "m2")
    assert case.path_parameters["instanceSlug"] in (instance, "contract-1")
    assert case.path_parameters["index"] == "i"


def test_aiming_reaches_real_names_and_leaves_others_alone() -> None:
    seen: set[str] = set()

    @settings(max_examples=40, database=None, derandomize=True)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = SimpleNamespace(path_parameters={"machineSlug": "generated"})
        aim_at_real_names(case, data, WORLD)
        seen.add(case.path_parameters["machineSlug"])

    run()
    assert "generated" in seen and seen & {"m1", "m2"}


def test_operations_without_path_parameters_are_untouched() -> None:
    case = SimpleNamespace(path_parameters=None)

    @settings(max_examples=5, database=None)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        aim_at_real_names(case, data, WORLD)

    run()
    assert case.path_parameters is None


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
