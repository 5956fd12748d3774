"""Snapshots: JSON round trip, restoring, and resting snapshots for migrations."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sb_emulator.engine import Snapshot, initial, snapshot_at, transition
from sb_emulator.engine import actions as act
from tests.engine.helpers import machine, run

CONFIG: dict[str, Any] = {"initial": "a", "context": {"n": 0}, "states": {
    "a": {"on": {"GO": {"target": "b", "actions": act.assign({"n": lambda c, e: c["n"] + 1})},
                  "HIST": "b.hist"}},
    "b": {"type": "parallel", "on": {"OUT": "a", "BACK": "b.hist"}, "states": {
        "x": {"initial": "x1", "tags": ["busy"], "states": {"x1": {"on": {"X": "x2"}}, "x2": {}}},
        "y": {"initial": "y1", "states": {"y1": {"after": {"500": "y2"}}, "y2": {}}},
        "hist": {"type": "history", "history": "deep"},
        "w": {"invoke": {"id": "job", "src": "svc"}}}}}}


def _roundtrip(snap: Snapshot) -> Snapshot:
    return Snapshot.from_json(json.loads(json.dumps(snap.to_json())))


def test_json_round_trip_is_lossless_and_continues_identically() -> None:
    m = machine(CONFIG, services={"svc": object()})
    snap, _ = run(m, "GO", "X", "OUT")
    restored = _roundtrip(snap)
    assert restored == snap
    for event in ("GO", "HIST"):
        a, ea = transition(m, snap, event)
        b, eb = transition(m, restored, event)
        assert a.to_json() == b.to_json() and ea == eb
    after, _ = transition(m, restored, "HIST")  # the deep history survived the round trip
    assert after.value == {"b": {"x": "x2", "y": "y1", "w": {}}}


def test_snapshot_fields() -> None:
    m = machine(CONFIG, services={"svc": object()})
    snap, _ = run(m, "GO")
    data = snap.to_json()
    assert data["value"] == {"b": {"x": "x1", "y": "y1", "w": {}}}
    assert data["context"] == {"n": 1} and data["tags"] == ["busy"] and data["done"] is False
    assert data["children"] == {"job": {"src": "svc", "autoForward": False}}
    assert data["delayed"] == {"xstate.after(500)#m.b.y.y1": {
        "event": {"type": "xstate.after(500)#m.b.y.y1"}, "delay": 500, "to": None}}
    assert data["event"] == {"type": "GO"} and data["changed"] is True
    assert data["history"]["current"] == data["value"]


def test_done_snapshot_round_trips_with_output() -> None:
    m = machine({"initial": "a", "context": {"n": 3}, "states": {
        "a": {"on": {"END": "z"}}, "z": {"type": "final", "data": {"n": lambda c, e: c["n"]}}}})
    snap, _ = run(m, "END")
    restored = _roundtrip(snap)
    assert restored.done and restored.output == {"n": 3}
    assert transition(m, restored, "END")[1] == ()


def test_snapshot_from_value_only_restores_the_configuration() -> None:
    m = machine(CONFIG, services={"svc": object()})
    snap, _ = run(m, "GO")
    bare = Snapshot.from_json({"value": snap.value, "context": snap.context})
    assert transition(m, bare, "X")[0].value == transition(m, snap, "X")[0].value


def test_snapshot_at_rebuilds_a_resting_state() -> None:
    m = machine({"initial": "a", "states": {
        "a": {"tags": ["t"]}, "b": {"initial": "c", "states": {"c": {}}}, "z": {"type": "final"}}})
    snap = snapshot_at(m, "b", {"x": 1})
    assert snap.value == {"b": "c"} and snap.context == {"x": 1}
    assert snapshot_at(m, "a", {}).tags == ("t",)
    assert snapshot_at(m, "z", {}).done
    with pytest.raises(KeyError):
        snapshot_at(m, "missing", {})


def test_values_handed_out_are_independent_copies() -> None:
    m = machine({"initial": "p", "states": {"p": {"initial": "c", "states": {"c": {}}}}})
    first, _ = initial(m)
    first.value["p"] = "mutated"
    assert initial(m)[0].value == {"p": "c"}
