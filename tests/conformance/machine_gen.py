"""Random XState machines (and event sequences) for differential testing against xstate@4.

Generated machines always settle, so neither xstate nor our engine can loop:

* eventless (``always``) transitions and ``onDone`` targets only go to a *later* sibling of a
  compound state (never between parallel regions, which stay active), so chains are finite;
* only transitions on external events (``E*``) raise or send events; the handlers of raised
  events (``R*``, ``EVEN``), entry/exit actions and eventless transitions never do, so one
  external event causes a bounded number of internal ones;
* delayed sends and ``after`` timers wait at least 50 ms, and a clock flush only fires timers
  that existed when it began.

Machines use only the names of impls.js / impls.py.
"""

from __future__ import annotations

import random
from typing import Any

EXTERNAL = ["E0", "E1", "E2", "E3"]
RAISED = ["R0", "R1", "EVEN"]
ACTIONS = ["inc", "dec", "double", "reset", "setFromEvent", "setFromData", "toggleFlag",
           "push:a", "push:b", "pushEvent", "pushCount"]
GUARDS = ["isEven", "flag", "countAbove:2", "countIs:1", "eventValueAbove:3", "never"]
DELAYS: list[Any] = [50, 100, 200, "short", "ctxDelay"]
SERVICES = ["resolveCount", "rejectAlways", "echoData", "eventValue", "rejectCount"]

Json = dict[str, Any]



class _Gen:
    def __init__(self, rng: random.Random, predictable: bool) -> None:
        self.rng = rng
        self.predictable = predictable
        self.counter = 0
        self.ids: list[str] = []

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def name(self) -> str:
        self.counter += 1
        return f"s{self.counter}"

    def plain_actions(self) -> list[Any]:
        return [self.rng.choice(ACTIONS) for _ in range(self.rng.choice([0, 0, 1, 1, 2]))]

    def event_actions(self) -> list[Any]:
        """Actions of a transition on an external event: these may raise and send."""
        out = self.plain_actions()
        roll = self.rng.random()
        if roll < 0.12:
            out.append({"type": "xstate.raise", "event": self.rng.choice(RAISED)})
        elif roll < 0.2:
            event = {"$fn": f"countEvent:{self.rng.choice(RAISED)}"}
            out.append({"type": "xstate.send", "event": event})
        elif roll < 0.28:
            out.append({"type": "xstate.send", "event": self.rng.choice(RAISED),
                        "delay": self.rng.choice(DELAYS), "id": "d1"})
        elif roll < 0.32:
            out.append({"type": "xstate.cancel", "sendId": "d1"})
        elif roll < 0.4:
            out.append({"type": "xstate.choose", "conds": [
                {"cond": self.rng.choice(GUARDS), "actions": self.plain_actions() or ["push:c"]},
                {"actions": [self.rng.choice([*ACTIONS, {"type": "xstate.raise", "event": "R0"}])]}]})
        elif roll < 0.46:
            out.append({"type": "xstate.pure",
                        "get": self.rng.choice(["pushPerCount", "incThenPushCount", "raiseIfEven"])})
        elif roll < 0.48:
            out.append({"type": "xstate.log", "expr": {"$fn": "count"}, "label": "n"})
        if out and self.chance(0.3):
            self.rng.shuffle(out)
        return out

    def state(self, depth: int, final_ok: bool) -> Json:
        roll = self.rng.random()
        if depth < 3 and roll < 0.3:
            return self.compound(depth)
        if depth < 3 and roll < 0.42:
            return self.parallel(depth)
        if final_ok and roll < 0.52:
            node: Json = {"type": "final"}
            if self.chance(0.5):
                node["data"] = self.rng.choice([{"n": 1}, {"$fn": "count"}, {"c": {"$fn": "count"}}])
            return node
        return self.decorate({})

    def compound(self, depth: int) -> Json:
        states = self.children(depth + 1)
        node: Json = {"initial": next(iter(states)), "states": states}
        if self.chance(0.3):
            history: Json = {"type": "history", "history": self.rng.choice(["shallow", "deep"])}
            if self.chance(0.3):
                history["target"] = self.rng.choice(list(states))
            states["hist"] = history
        return self.decorate(node)

    def parallel(self, depth: int) -> Json:
        regions = {}
        for _ in range(self.rng.randint(2, 3)):
            region: Json = {"initial": "a", "states": {"a": self.decorate({}), "b": self.decorate({}),
                                                        "f": {"type": "final"}}}
            regions[self.name()] = region
        return self.decorate({"type": "parallel", "states": regions})

    def decorate(self, node: Json) -> Json:
        entry, exit_ = self.plain_actions(), self.plain_actions()
        if self.chance(0.08):
            entry.append({"type": "xstate.send", "event": "R1", "delay": self.rng.choice(DELAYS)})
        if entry:
            node["entry"] = entry
        if exit_:
            node["exit"] = exit_
        if self.chance(0.3):
            node["tags"] = [self.rng.choice(["busy", "idle", "x"])]
        if self.chance(0.15):
            node["after"] = {str(self.rng.choice(DELAYS)): {"actions": ["push:t"]}}
        if self.chance(0.1):
            node["invoke"] = self.invoke()
        return node

    def invoke(self) -> Json:
        src = self.rng.choice(SERVICES)
        out: Json = {"src": src, "onDone": {"actions": ["setFromData", "pushData"]},
                     "onError": {"actions": ["pushData"]}}
        if self.chance(0.5):
            out["id"] = self.name()
        if src == "echoData":
            out["data"] = {"n": {"$fn": "count"}}
        return out

    def children(self, depth: int) -> Json:
        count = self.rng.randint(2, 4)
        return {self.name(): self.state(depth, final_ok=i > 0) for i in range(count)}


class _Wiring:
    """Adds transitions once every state (and its id) exists."""

    def __init__(self, gen: _Gen, ids: list[str]) -> None:
        self.gen = gen
        self.rng = gen.rng
        self.ids = ids

    def wire(self, node: Json) -> None:
        states = node.get("states") or {}
        keys = [k for k, v in states.items() if v.get("type") != "history"]
        history = [k for k, v in states.items() if v.get("type") == "history"]
        for i, key in enumerate(keys):
            child = states[key]
            if child.get("type") == "final":
                continue
            on = self.handlers(child, keys, history)
            if on:
                child["on"] = on
            later = keys[i + 1:] if node.get("type") != "parallel" else []
            if later and self.gen.chance(0.2):
                child["always"] = {"target": self.rng.choice(later), "cond": self.rng.choice(GUARDS[:4]),
                                   "actions": self.gen.plain_actions()}
            if "states" in child and self.gen.chance(0.3):
                child["onDone"] = {"actions": ["pushEvent", "pushData"]}
                if later and self.gen.chance(0.5):
                    child["onDone"]["target"] = self.rng.choice(later)
            self.wire(child)

    def handlers(self, child: Json, keys: list[str], history: list[str]) -> Json:
        on: Json = {}
        for event in self.rng.sample(EXTERNAL, self.rng.randint(0, 3)):
            on[event] = self.transition(child, keys, history, self.gen.event_actions())
        for event in self.rng.sample(RAISED, self.rng.choice([0, 0, 1, 2])):
            on[event] = self.transition(child, keys, history, self.gen.plain_actions())
        if self.gen.chance(0.05):
            on["*"] = {"actions": ["pushEvent"]}
        if child.get("type") == "parallel" and self.gen.chance(0.3):
            regions = list(child["states"])
            on[self.rng.choice(EXTERNAL)] = {"target": [f".{r}.b" for r in regions[:2]]}
        return on

    def transition(self, child: Json, keys: list[str], history: list[str], actions: list[Any]) -> Any:
        t: Json = {}
        roll = self.rng.random()
        inner = [k for k, v in (child.get("states") or {}).items() if v.get("type") != "history"]
        if roll < 0.55:
            t["target"] = self.rng.choice([*keys, *history])
        elif roll < 0.7 and self.ids:
            t["target"] = "#" + self.rng.choice(self.ids)
        elif roll < 0.8 and inner and child.get("type") != "parallel":
            t["target"] = "." + self.rng.choice(inner)
            if self.gen.chance(0.3):
                t["internal"] = False
        if "target" in t and not t["target"].startswith(".") and self.gen.chance(0.15):
            t["internal"] = True
        if self.gen.chance(0.35):
            t["cond"] = self.rng.choice(GUARDS)
        elif self.gen.chance(0.1) and self.ids:
            t["in"] = "#" + self.rng.choice(self.ids)
        if actions:
            t["actions"] = actions
        if ("cond" in t or "in" in t) and self.gen.chance(0.5):
            return [t, {"actions": ["push:z"]}]
        return t


def _assign_ids(node: Json, prefix: str, out: list[str]) -> None:
    for key, child in (node.get("states") or {}).items():
        if child.get("type") == "history":
            continue
        child_id = f"{prefix}_{key}"
        child["id"] = child_id
        out.append(child_id)
        _assign_ids(child, child_id, out)


def random_machine(seed: int) -> Json:
    """A random machine (the same one for the same seed)."""
    rng = random.Random(seed)
    predictable = rng.random() < 0.5
    gen = _Gen(rng, predictable)
    states = gen.children(1)
    machine: Json = {
        "id": "m",
        "initial": next(iter(states)),
        "context": {"count": rng.randint(0, 2), "flag": rng.random() < 0.5, "log": []},
        "states": states,
    }
    if predictable:
        machine["predictableActionArguments"] = True
    ids: list[str] = []
    _assign_ids(machine, "m", ids)
    _Wiring(gen, rng.sample(ids, min(4, len(ids)))).wire(machine)
    return machine


def random_steps(seed: int, count: int = 8) -> list[Json]:
    rng = random.Random(seed * 7919 + 1)
    steps: list[Json] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.2:
            steps.append({"advance": rng.choice([50, 100, 150, 250])})
        elif roll < 0.4:
            steps.append({"event": {"type": rng.choice(EXTERNAL), "value": rng.randint(0, 6)}})
        elif roll < 0.47:
            steps.append({"event": rng.choice(RAISED)})
        else:
            steps.append({"event": rng.choice(EXTERNAL)})
    return steps
