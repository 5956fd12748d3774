"""Random machines for the effects differential test (our effects against what xstate does).

The machines use a small vocabulary that effects_record.js builds the same way:

* actions: ``spy:<tag>`` (a user action: records its context and event), ``inc`` / ``dbl``
  (assign), ``logCount`` (log), raise / send / delayed send / cancel / choose objects, and
  sends to the state's own child;
* guards ``even`` and ``big``; services ``cb`` (a callback service that records its start,
  the events it receives and its stop) with ``src: {"type": "cb", "child": <id>}``.

They always settle: eventless transitions go to later siblings only, and only transitions on
external events (``E*``) raise or send, and then only events whose handlers do not.
"""

from __future__ import annotations

import random
from typing import Any

from sb_emulator.engine import (
    CancelEvent,
    Effect,
    ExecuteAction,
    Implementations,
    Log,
    Machine,
    ScheduleEvent,
    SendEvent,
    StartService,
    StopService,
    initial,
    transition,
)
from sb_emulator.engine import actions as act

Json = dict[str, Any]
EXTERNAL = ["E0", "E1", "E2"]
INTERNAL = ["R0", "R1", "S0"]
MODES: list[Json] = [{}, {"preserveActionOrder": True}, {"predictableActionArguments": True}]


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.count = 0

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def tag(self, where: str) -> str:
        self.count += 1
        return f"spy:{where}{self.count}"

    def plain(self, where: str) -> list[Any]:
        out: list[Any] = []
        for _ in range(self.rng.choice([0, 1, 1, 2, 3])):
            roll = self.rng.random()
            out.append(self.tag(where) if roll < 0.5 else "inc" if roll < 0.7 else "dbl" if roll < 0.85
                       else "logCount")
        if self.chance(0.1):
            out.append({"type": "xstate.choose", "conds": [
                {"cond": "even", "actions": [self.tag(where + "c"), "inc"]},
                {"actions": [self.tag(where + "d")]}]})
        return out

    def sending(self, where: str) -> list[Any]:
        """Extra actions for transitions on external events only."""
        out = self.plain(where)
        if self.chance(0.3):
            raised = {"type": "xstate.raise", "event": self.rng.choice(["R0", "R1"])}
            out.insert(self.rng.randint(0, len(out)), raised)
        if self.chance(0.2):
            out.append({"type": "xstate.send", "event": "S0"})
        if self.chance(0.15):
            out.append({"type": "xstate.send", "event": "S0", "delay": 100, "id": "d1"})
        if self.chance(0.1):
            out.append({"type": "xstate.cancel", "sendId": "d1"})
        return out

    def state(self, depth: int, siblings: list[str], index: int, path: str, region: bool = False) -> Json:
        node: Json = {"entry": self.plain("en"), "exit": self.plain("ex")}
        later = siblings[index + 1:]
        if depth < 3 and self.chance(0.45):
            keys = [f"{path}{chr(97 + i)}" for i in range(self.rng.randint(2, 3))]
            parallel = self.chance(0.3)
            node["states"] = {k: self.state(depth + 1, keys, i, k, parallel) for i, k in enumerate(keys)}
            if parallel:
                node["type"] = "parallel"
            else:
                node["initial"] = keys[0]
        node["on"] = self.transitions(siblings, node, path)
        # eventless transitions between parallel regions would re-enter them forever
        if later and not region and self.chance(0.15):
            node["always"] = [{"target": self.rng.choice(later), "cond": "big", "actions": self.plain("al")}]
        elif self.chance(0.2):
            child = f"k{path}"
            node["invoke"] = {"id": child, "src": {"type": "cb", "child": child},
                              "dataCount": self.chance(0.5)}
            node["on"]["E2"] = [{"actions": [self.tag("kid"),
                                             {"type": "xstate.send", "event": "PING", "to": child}]}]
            if self.chance(0.5):  # entry sends run at the end of their block in predictable mode
                node["entry"].insert(0, {"type": "xstate.send", "event": "HELLO", "to": child})
        if self.chance(0.1):
            node["entry"].insert(0, {"type": "xstate.send", "event": "S0", "delay": 200, "id": "d2"})
        return node

    def transitions(self, siblings: list[str], node: Json, path: str) -> Json:
        on: Json = {}
        children = list(node.get("states", {}))
        for event in [*EXTERNAL, *INTERNAL]:
            if not self.chance(0.35):
                continue
            targets: list[Any] = [None, *siblings] + ([f".{c}" for c in children] if children else [])
            target = self.rng.choice(targets)
            build = self.sending if event in EXTERNAL else self.plain
            options = []
            if self.chance(0.3):
                guarded: Json = {"cond": self.rng.choice(["even", "big"]), "actions": build("g")}
                if target is not None:
                    guarded["target"] = target
                options.append(guarded)
                target = self.rng.choice(targets)
            last: Json = {"actions": build("t")}
            if target is not None:
                last["target"] = target
                if self.chance(0.2):
                    last["internal"] = self.chance(0.5)
            options.append(last)
            on[event] = options
        return on


def random_machine(seed: int) -> Json:
    gen = _Gen(seed)
    keys = ["a", "b", "c"][: gen.rng.randint(2, 3)]
    config: Json = {"id": "m", "initial": "a", "context": {"count": gen.rng.randint(0, 3)},
                    "states": {k: gen.state(1, keys, i, k) for i, k in enumerate(keys)},
                    **gen.rng.choice(MODES)}
    if gen.chance(0.5):
        # a way out: the machine completes (exit actions run, children stop, events ignored)
        config["states"]["z"] = {"type": "final", "entry": gen.plain("fin"), "exit": gen.plain("fex")}
        for key in keys:
            if gen.chance(0.6):
                config["states"][key]["on"]["E3"] = [{"target": "z", "actions": gen.plain("tz")}]
    return config


def random_events(seed: int, count: int = 8) -> list[Any]:
    rng = random.Random(seed * 31 + 7)
    return [rng.choice([*EXTERNAL, *EXTERNAL, "R0", "S0", "NOPE", "E3"]) for _ in range(count)]


# ---- our side ---------------------------------------------------------------------------------


def _spy(ctx: Any, ev: Any) -> None:
    return None


def build(config: Json) -> Machine:
    """Our engine's machine for a generated config (the mirror of effects_record.js)."""
    spies: dict[str, Any] = {}

    def walk(node: Json) -> Json:
        out = dict(node)
        if "invoke" in node:
            inv = {k: v for k, v in node["invoke"].items() if k != "dataCount"}
            if node["invoke"].get("dataCount"):
                inv["data"] = {"n": lambda c, e: c["count"]}
            out["invoke"] = inv
        if "states" in node:
            out["states"] = {k: walk(v) for k, v in node["states"].items()}
        return out

    def collect(value: Any) -> None:
        if isinstance(value, str) and value.startswith("spy:"):
            spies[value] = _spy
        elif isinstance(value, dict):
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)

    collect(config)
    impl = Implementations(
        guards={"even": lambda c, e, m: c["count"] % 2 == 0, "big": lambda c, e, m: c["count"] > 3},
        actions={**spies, "inc": act.assign({"count": lambda c, e: c["count"] + 1}),
                 "dbl": act.assign({"count": lambda c, e: (c["count"] * 2) % 97}),
                 "logCount": act.log(lambda c, e: c["count"], "L")},
        services={"cb": object()})
    return Machine(walk(config), impl)


def records(effects: tuple[Effect, ...], started: set[str]) -> list[Any]:
    """Our effects as effects_record.js's records."""
    out: list[Any] = []
    for e in effects:
        if isinstance(e, ExecuteAction):
            out.append(["exec", e.name, e.context, e.event["type"]])
        elif isinstance(e, StartService):
            started.add(e.id)
            out.append(["start", e.id, e.data, e.context, e.event["type"]])
        elif isinstance(e, StopService):
            out.append(["stop", e.id])
        elif isinstance(e, SendEvent) and e.to in started:
            out.append(["recv", e.to, e.event["type"]])
        elif isinstance(e, Log):
            out.append(["log", e.label, e.value])
        elif isinstance(e, ScheduleEvent):
            out.append(["schedule", e.send_id, e.delay_ms, e.event["type"]])
        elif isinstance(e, CancelEvent):
            out.append(["cancel", e.send_id])
    return out


def replay(config: Json, events: list[Any]) -> list[list[Any]]:
    m = build(config)
    started: set[str] = set()
    snap, effects = initial(m)
    steps = [records(effects, started)]
    for event in events:
        snap, effects = transition(m, snap, event)
        steps.append(records(effects, started))
    return steps
