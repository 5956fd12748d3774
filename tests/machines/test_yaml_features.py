"""The YAML format's implementations: CEL guards, actions, delays, services, authorizers,
indexes and migrations."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from sb_emulator.engine import CancelEvent, Log, ScheduleEvent, initial, transition
from sb_emulator.machines import MachineDefinition, ServiceMeta, ServiceRejected, load_definition_text

DOC = """
name: features
version: "2.0.0"
machine:
  id: features
  initial: idle
  predictableActionArguments: true
  context: {count: 0, owner: alice, tags: [a, b], public: {}}
  states:
    idle:
      on:
        bump:
          - cond: big
            target: done
          - actions: [bump, announce]
        arm:
          actions: [arm]
        disarm:
          actions: [disarm]
        wait: waiting
        pick:
          actions: pick
    waiting:
      after:
        retry: idle
    done:
      type: final
guards:
  big: context.count >= 2 && event.type == "bump"
actions:
  bump:
    assign:
      count: context.count + 1
      public: '{"count": context.count + 1}'
  announce:
    log: '"count " + string(context.count)'
  arm:
    send: {event: {type: ring}, delay: 500, id: alarm}
  disarm:
    cancel: alarm
  pick:
    choose:
      - cond: big
        actions: [announce]
      - actions: [bump]
delays:
  retry: context.count * 100 + 1
services:
  ok:
    resolve: '{"n": data.n * 2}'
  fail:
    reject: '"boom"'
allowRead: authContext.sub == context.owner
allowWrite: type == "initialization" || authContext.sub == context.owner
indexes:
  tag: context.tags
  owner: context.owner
migration:
  upgradeState:
    idle: waiting
  upgradeContext:
    count: context.count * 10
"""


@pytest.fixture
def d() -> MachineDefinition:
    return load_definition_text(DOC, "features.yaml")


def test_guards_assign_and_log(d: MachineDefinition) -> None:
    snap, _ = initial(d.machine)
    snap, effects = transition(d.machine, snap, "bump")
    assert snap.context["count"] == 1 and snap.context["public"] == {"count": 1}
    assert [e.value for e in effects if isinstance(e, Log)] == ["count 1"]
    snap, _ = transition(d.machine, snap, "bump")
    snap, _ = transition(d.machine, snap, "bump")
    assert snap.value == "done" and snap.done


def test_send_with_delay_and_cancel(d: MachineDefinition) -> None:
    snap, _ = initial(d.machine)
    snap, effects = transition(d.machine, snap, "arm")
    assert effects == (ScheduleEvent("alarm", {"type": "ring"}, 500, None),)
    snap, effects = transition(d.machine, snap, "disarm")
    assert effects == (CancelEvent("alarm"),)


def test_named_delay_from_context(d: MachineDefinition) -> None:
    snap, _ = initial(d.machine, {**d.machine.context, "count": 3})
    _, effects = transition(d.machine, snap, "wait")
    assert [e.delay_ms for e in effects if isinstance(e, ScheduleEvent)] == [301]


def test_choose(d: MachineDefinition) -> None:
    snap, _ = initial(d.machine)
    snap, _ = transition(d.machine, snap, "pick")
    assert snap.context["count"] == 1


def test_services_resolve_and_reject(d: MachineDefinition) -> None:
    async def no_sleep(ms: int) -> None:
        return None

    meta = ServiceMeta({"n": 21}, no_sleep)
    assert asyncio.run(d.services["ok"]({}, {}, meta)) == {"n": 42}
    with pytest.raises(ServiceRejected) as raised:
        asyncio.run(d.services["fail"]({}, {}, meta))
    assert raised.value.data == "boom"


def test_authorizers(d: MachineDefinition) -> None:
    base: dict[str, Any] = {"machineInstanceName": "i", "context": {"owner": "alice"},
                            "state": "idle", "event": None}
    assert d.allow_read({**base, "authContext": {"sub": "alice"}}) is True
    assert d.allow_read({**base, "authContext": {"sub": "bob"}}) is False
    assert d.allow_write({**base, "type": "initialization", "authContext": {}}) is True
    assert d.allow_write({**base, "type": "event", "authContext": {"sub": "bob"}}) is False


@pytest.mark.parametrize(("read", "write", "verdicts"), [
    ('"true"', "true", (True, True)),     # CEL constant, YAML boolean
    ('"false"', "false", (False, False)),
    ("'1 == 1'", "'\"yes\"'", (True, "yes")),  # constants, one not a boolean: check() rejects it
])
def test_constant_authorizers_answer_the_same_for_every_request(
        read: str, write: str, verdicts: tuple[Any, Any]) -> None:
    text = DOC.replace("allowRead: authContext.sub == context.owner", f"allowRead: {read}")
    text = text.replace('allowWrite: type == "initialization" || authContext.sub == context.owner',
                        f"allowWrite: {write}")
    constant = load_definition_text(text, "constant.yaml")
    for request in ({}, {"type": "event", "authContext": {"sub": "bob"}, "context": None}):
        assert (constant.allow_read(request), constant.allow_write(request)) == verdicts


def test_indexes_and_migration(d: MachineDefinition) -> None:
    assert d.indexes["tag"]({"tags": ["x", "y"]}) == ["x", "y"]
    assert d.indexes["owner"]({"owner": "zoe"}) == "zoe"
    assert d.indexes["owner"]({}) is None  # a missing value is no entry, as with JSONPath
    assert d.upgrade_state is not None and d.upgrade_context is not None
    assert d.upgrade_state(["idle"], {}) == ["waiting"]
    assert d.upgrade_state(["done"], {}) == ["done"]
    assert d.upgrade_context([["idle"]], [["waiting"]], {"count": 2, "x": 1}) == {"count": 20, "x": 1}
    assert (d.name, d.version_label) == ("features", "2.0.0")


def test_schema_ships_in_the_package() -> None:
    from importlib import resources

    text = resources.files("sb_emulator.schemas").joinpath("definition.schema.json").read_text()
    assert '"machine"' in text


def test_a_guard_must_give_a_boolean() -> None:
    from sb_emulator.engine import GuardMeta
    from sb_emulator.machines.celexpr import CelEvalError

    d = load_definition_text(DOC.replace('big: context.count >= 2 && event.type == "bump"',
                                         'big: context.owner'), "features.yaml")
    guard = d.machine.impl.guards["big"]
    with pytest.raises(CelEvalError, match="gave 'alice'; expected true or false"):
        guard({"owner": "alice"}, {"type": "bump"}, GuardMeta(state="idle", cond={}))


ASSIGN_DOC = """
name: grouped
version: "1.0.0"
machine:
  initial: idle
  context: {a: 1}
  states:
    idle:
      on: {go: {actions: set}}
actions:
  set:
    assign:
      z: context.a + 1 // a comment ends at its own line
      lit: 7
      a: context.a * 10
      b: event.n
allowRead: "true"
allowWrite: "true"
"""


def test_assign_of_several_keys_in_one_cel_call() -> None:
    from sb_emulator.machines import celexpr

    d = load_definition_text(ASSIGN_DOC, "grouped.yaml")
    calls: list[str] = []
    real = celexpr.CelGroup.evaluate

    def counted(self: celexpr.CelGroup, variables: Any) -> Any:
        calls.append("group")
        return real(self, variables)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(celexpr.CelGroup, "evaluate", counted)
        snap, _ = initial(d.machine)
        snap, _ = transition(d.machine, snap, {"type": "go", "n": 5})
    assert calls == ["group"]
    # every key from the pre-assign context (a is 1 for z), the document's key order kept
    assert snap.context == {"a": 10, "z": 2, "lit": 7, "b": 5}
    assert list(snap.context) == ["a", "z", "lit", "b"]


def test_a_failing_key_of_a_grouped_assign_is_named() -> None:
    from sb_emulator.machines.celexpr import CelEvalError

    d = load_definition_text(ASSIGN_DOC, "grouped.yaml")
    snap, _ = initial(d.machine)
    with pytest.raises(CelEvalError, match=r'"event\.n" failed: no key "n"'):
        transition(d.machine, snap, "go")
