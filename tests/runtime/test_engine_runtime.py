"""The version-runtime seam, run directly: the Python engine's implementation of it, and the
one way machine-code failures are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from sb_emulator.engine import ExecuteAction
from sb_emulator.errors import BadRequest, RejectedByMachineAuthorizer
from sb_emulator.machines.pyoutput import LogSink
from sb_emulator.service.engine_runtime import EngineLoader, EngineVersion
from sb_emulator.service.version_runtime import MachineCodeError, VersionRuntime, run_machine_code

MACHINES = Path(__file__).parent / "machines"


def load(name: str) -> VersionRuntime:
    return EngineLoader().load({"kind": "file", "path": str(MACHINES / name)}, "unused")


def test_initial_and_transition_of_a_yaml_version() -> None:
    runtime = load("tally.yaml")
    snapshot, _ = runtime.initial({"count": 5})
    assert (runtime.name, snapshot.value, snapshot.context) == ("tally", "counting", {"count": 5})
    after, _ = runtime.transition(snapshot, {"type": "inc"})
    assert after.context == {"count": 6}
    assert runtime.snapshot_at("counting", {"count": 1}).value == "counting"


def test_actions_print_into_the_sink_they_are_given() -> None:
    runtime = load("chatty.py")
    snapshot, _ = runtime.initial({})
    _, effects = runtime.transition(snapshot, {"type": "say", "text": "hi"})
    sink = LogSink()
    for effect in effects:
        if isinstance(effect, ExecuteAction):
            runtime.run_action(effect, sink)
    assert sink.text == "saying hi\nsecond line\n"
    assert runtime.service("job") is not None and runtime.service("nope") is None


def test_an_allowing_authorizer_returns() -> None:
    runtime = load("tally.yaml")
    runtime.authorize("allowRead", {"machineInstanceName": "t", "authContext": {}})


def test_a_failing_action_in_a_transition_is_a_machine_code_error() -> None:
    runtime = load("chatty.py")
    assert isinstance(runtime, EngineVersion)
    snapshot, _ = runtime.initial({})
    with pytest.raises(MachineCodeError, match="failed on event 'say'") as caught:
        runtime.transition(snapshot, {"type": "say"})  # no "text": speak raises KeyError
    assert isinstance(caught.value.user_error, KeyError)


def test_run_machine_code_reports_one_way() -> None:
    def boom() -> None:
        raise ValueError("bad")

    def recurse() -> None:
        recurse()

    with pytest.raises(MachineCodeError, match=r"^it failed: ValueError: bad$") as caught:
        run_machine_code(lambda: ("it failed", "it loops"), boom)
    assert isinstance(caught.value.user_error, ValueError)
    with pytest.raises(MachineCodeError, match=r"^it loops$") as looped:
        run_machine_code(lambda: ("it failed", "it loops"), recurse)
    assert looped.value.user_error is None
    refusal = RejectedByMachineAuthorizer("no")
    with pytest.raises(RejectedByMachineAuthorizer):  # API errors pass as they are
        run_machine_code(lambda: ("it failed", None), _raise, refusal)


def test_a_kind_the_engine_cannot_run_is_refused() -> None:
    with pytest.raises(BadRequest, match="JavaScript"):
        EngineLoader().load({"kind": "javascript", "text": "x"}, "m")
    with pytest.raises(BadRequest):
        EngineLoader().load({"kind": "wasm"}, "m")


def _raise(err: Exception) -> None:
    raise err
