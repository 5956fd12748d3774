"""Random XState machines (and event sequences) for differential testing against xstate@4.

Generated machines always terminate: eventless (``always``) transitions only go to a later
sibling, so every eventless chain is finite. They use only names from impls.js / impls.py.
"""

from __future__ import annotations

import random
from typing import Any

EVENTS = ["E0", "E1", "E2", "E3"]
ACTIONS = ["inc", "dec", "double", "reset", "setFromEvent", "push:a", "push:b", "push:c"]
GUARDS = ["isEven", "flag", "countAbove:2", "countIs:1", "eventValueAbove:3", "never"]


class _Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counter = 0
        self.ids: list[str] = []

    def name(self) -> str:
        self.counter += 1
        return f"s{self.counter}"

    def actions(self) -> list[Any]:
        return [self.rng.choice(ACTIONS) for _ in range(self.rng.choice([0, 0, 1, 1, 2]))]

    def state(self, depth: int, final_ok: bool) -> dict[str, Any]:
        roll = self.rng.random()
        node: dict[str, Any] = {}
        if depth < 3 and roll < 0.35:
            node["states"] = self.children(depth + 1)
            node["initial"] = next(iter(node["states"]))
            if self.rng.random() < 0.3:
                node["states"]["hist"] = {"type": "history",
                                          "history": self.rng.choice(["shallow", "deep"])}
        elif depth < 3 and roll < 0.5:
            node["type"] = "parallel"
            node["states"] = {self.name(): {"initial": "a", "states": {
                "a": {}, "b": {}, "f": {"type": "final"}}} for _ in range(2)}
        elif final_ok and roll < 0.6:
            node["type"] = "final"
            if self.rng.random() < 0.5:
                node["data"] = {"n": 1}
            return node
        entry, exit_ = self.actions(), self.actions()
        if entry:
            node["entry"] = entry
        if exit_:
            node["exit"] = exit_
        if self.rng.random() < 0.3:
            node["tags"] = [self.rng.choice(["busy", "idle", "x"])]
        if self.rng.random() < 0.15:
            node["after"] = {str(self.rng.choice([100, 200])): {"actions": ["push:t"]}}
        if self.rng.random() < 0.1:
            node["invoke"] = {"src": self.rng.choice(["resolveCount", "rejectAlways"]),
                              "onDone": {"actions": ["setFromEvent", "push:d"]},
                              "onError": {"actions": ["push:e"]}}
        return node

    def children(self, depth: int) -> dict[str, Any]:
        count = self.rng.randint(2, 4)
        return {self.name(): self.state(depth, final_ok=i > 0) for i in range(count)}

    def wire(self, node: dict[str, Any], siblings: list[str], all_paths: list[str]) -> None:
        states = node.get("states") or {}
        keys = [k for k, v in states.items() if v.get("type") != "history"]
        for i, key in enumerate(keys):
            child = states[key]
            if child.get("type") == "final":
                continue
            on: dict[str, Any] = {}
            for event in self.rng.sample(EVENTS, self.rng.randint(0, 3)):
                options = [*keys, *keys, *(f"#{p}" for p in all_paths)]
                hist = [k for k, v in states.items() if v.get("type") == "history"]
                options += hist
                transition: dict[str, Any] = {}
                if self.rng.random() < 0.85:
                    transition["target"] = self.rng.choice(options)
                if self.rng.random() < 0.4:
                    transition["cond"] = self.rng.choice(GUARDS)
                acts = self.actions()
                if acts:
                    transition["actions"] = acts
                if "target" in transition and self.rng.random() < 0.15:
                    transition["internal"] = True
                on[event] = [transition, {"actions": ["push:z"]}] if "cond" in transition and \
                    self.rng.random() < 0.5 else transition
            if on:
                child["on"] = on
            later = keys[i + 1:]
            if later and self.rng.random() < 0.2:
                child["always"] = {"target": self.rng.choice(later),
                                   "cond": self.rng.choice(GUARDS[:4])}
            if "states" in child and child.get("type") != "parallel" and self.rng.random() < 0.3:
                child["onDone"] = {"actions": ["push:done"]}
            self.wire(child, keys, all_paths)


def _assign_ids(node: dict[str, Any], prefix: str, out: list[str]) -> None:
    for key, child in (node.get("states") or {}).items():
        if child.get("type") == "history":
            continue
        child_id = f"{prefix}_{key}"
        child["id"] = child_id
        out.append(child_id)
        _assign_ids(child, child_id, out)


def random_machine(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    gen = _Gen(rng)
    states = gen.children(1)
    machine: dict[str, Any] = {
        "id": "m",
        "initial": next(iter(states)),
        "context": {"count": 0, "flag": rng.random() < 0.5, "log": []},
        "states": states,
    }
    if rng.random() < 0.5:
        machine["predictableActionArguments"] = True
    ids: list[str] = []
    _assign_ids(machine, "m", ids)
    gen.wire(machine, [], rng.sample(ids, min(3, len(ids))))
    return machine


def random_steps(seed: int, count: int = 8) -> list[dict[str, Any]]:
    rng = random.Random(seed * 7919 + 1)
    steps: list[dict[str, Any]] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.15:
            steps.append({"advance": rng.choice([50, 100, 150, 250])})
        elif roll < 0.35:
            steps.append({"event": {"type": rng.choice(EVENTS), "value": rng.randint(0, 6)}})
        else:
            steps.append({"event": rng.choice(EVENTS)})
    return steps
