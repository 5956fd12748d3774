"""Random XState machines (and event sequences) for differential testing against xstate@4.

Generated machines always settle, so neither xstate nor our engine can loop:

* eventless (``always``) transitions with a target, and ``onDone`` / invoke ``onDone`` /
  ``onError`` targets, only go to a *later* sibling of a compound state (never between
  parallel regions, which stay active), so chains are finite; a targetless ``always`` only
  clears its own guard (``countAbove:2`` resets the count, ``flag`` clears the flag);
* only transitions on external events (``E*``) raise or send events to be handled with a
  target; the handlers of raised events (``R*``, ``EVEN``) never raise, and the notices
  (``N0``) that exit actions may raise are only ever handled without a target (entry actions
  never raise: xstate re-runs the entry actions of stale configuration nodes on every
  microstep that transitions, so a raising entry action can loop forever);
* delayed sends and ``after`` timers wait at least 50 ms (or a context-dependent time), and a
  clock flush only fires timers that existed when it began.

What users write is covered: compound, parallel (with ``in`` guards between regions, by id or
relative to the grandparent), final states with ``data``, shallow and deep history (with and
without a default target), external/internal self transitions, ``.child`` and ``key.child``
targets, targetless transitions, multiple targets, guarded ``always`` and ``after`` lists,
nested and guarded ``onDone``, invokes (object ``src`` too) with ``onDone`` / ``onError``
targets, ``choose``, ``pure``, ``assign`` objects, ``log``, ``cancel``, ``stop``, delayed and self sends,
wildcard handlers, tags, transition shorthands, root handlers, parallel roots, and the three
action orders (legacy, ``preserveActionOrder``, ``predictableActionArguments``).

Machines use only the names of impls.js / impls.py.
"""

from __future__ import annotations

import random
from typing import Any

EXTERNAL = ["E0", "E1", "E2", "E3"]
RAISED = ["R0", "R1", "EVEN"]
NOTICE = "N0"  # raised by exit actions; handled only without a target
ACTIONS = ["inc", "dec", "double", "reset", "setFromEvent", "setFromData", "toggleFlag",
           "push:a", "push:b", "pushEvent", "pushCount"]
GUARDS = ["isEven", "flag", "countAbove:2", "countIs:1", "eventValueAbove:3", "never",
          "eventHas:data", "eventHas:value"]
DELAYS: list[Any] = [50, 100, 200, "short", "ctxDelay"]
SEND_DELAYS: list[Any] = [*DELAYS, "long", "eventDelay", {"$fn": "countDelay"}]
SERVICES = ["resolveCount", "rejectAlways", "echoData", "eventValue", "rejectCount",
            "resolveNothing"]
ASSIGNMENTS: list[Any] = [{"count": {"$fn": "countPlus:2"}}, {"flag": True, "count": 3},
                          {"count": {"$fn": "logLength"}}, {"flag": False}]
DONE_DATA: list[Any] = [{"n": 1}, {"$fn": "count"}, {"c": {"$fn": "count"}}, {"$fn": "contextCopy"},
                        "text", {"log": {"$fn": "logLength"}, "k": [1, 2]}]
# idempotent, so that two parallel regions taking theirs in one microstep still settle
SELF_DISABLING_ALWAYS = [("countAbove:2", ["reset", "push:r"]), ("flag", ["clearFlag", "push:f"])]

Json = dict[str, Any]
MAX_DEPTH = 3  # nesting of compound/parallel states (deeper locally: more states, slower)


class _Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counter = 0

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def name(self) -> str:
        self.counter += 1
        return f"s{self.counter}"

    def plain_action(self) -> Any:
        if self.chance(0.06):
            return {"type": "xstate.assign", "assignment": self.rng.choice(ASSIGNMENTS)}
        return self.rng.choice(ACTIONS)

    def plain_actions(self) -> list[Any]:
        return [self.plain_action() for _ in range(self.rng.choice([0, 0, 1, 1, 2]))]

    def event_actions(self) -> list[Any]:
        """Actions of a transition on an external event: these may raise and send."""
        out = self.plain_actions()
        roll = self.rng.random()
        if roll < 0.1:
            out.append({"type": "xstate.raise", "event": self.rng.choice(RAISED)})
        elif roll < 0.18:
            event = {"$fn": f"countEvent:{self.rng.choice(RAISED)}"}
            out.append({"type": "xstate.send", "event": event})
        elif roll < 0.21:
            out.append({"type": "xstate.send", "event": self.rng.choice(RAISED), "to": "#_internal"})
        elif roll < 0.29:
            event = self.rng.choice([*RAISED, *EXTERNAL])
            out.append({"type": "xstate.send", "event": event,
                        "delay": self.rng.choice(SEND_DELAYS), "id": self.rng.choice(["d1", "d2"])})
        elif roll < 0.31:
            out.append({"type": "xstate.raise", "event": self.rng.choice(RAISED),
                        "delay": self.rng.choice(DELAYS)})
        elif roll < 0.35:
            out.append({"type": "xstate.cancel", "sendId": self.rng.choice(["d1", "d2"])})
        elif roll < 0.43:
            conds: list[Json] = [{"cond": self.rng.choice(GUARDS),
                                  "actions": self.plain_actions() or ["push:c"]}]
            if self.chance(0.4):
                conds.append({"cond": self.rng.choice(GUARDS), "actions": [self.plain_action()]})
            if self.chance(0.7):
                last = self.rng.choice([*ACTIONS, {"type": "xstate.raise", "event": "R0"}])
                conds.append({"actions": [last]})
            out.append({"type": "xstate.choose", "conds": conds})
        elif roll < 0.5:
            out.append({"type": "xstate.pure", "get": self.rng.choice(
                ["pushPerCount", "incThenPushCount", "raiseIfEven", "nothing"])})
        elif roll < 0.53:
            out.append({"type": "xstate.log", "expr": {"$fn": "count"}, "label": "n"}
                       if self.chance(0.6) else {"type": "xstate.log"})
        if out and self.chance(0.3):
            self.rng.shuffle(out)
        return out

    def state(self, depth: int, final_ok: bool) -> Json:
        roll = self.rng.random()
        if depth < MAX_DEPTH and roll < 0.3:
            return self.compound(depth)
        if depth < MAX_DEPTH and roll < 0.42:
            return self.parallel(depth)
        if final_ok and roll < 0.52:
            node: Json = {"type": "final"}
            if self.chance(0.5):
                node["data"] = self.rng.choice(DONE_DATA)
            if self.chance(0.3):
                node["entry"] = self.plain_actions() or ["push:fin"]
            if self.chance(0.15):
                node["tags"] = ["end"]
            return node
        return self.decorate({})

    def compound(self, depth: int) -> Json:
        states = self.children(depth + 1)
        node: Json = {"initial": self.rng.choice([next(iter(states)), *list(states)[:2]]),
                      "states": states}
        for _ in range(self.rng.choice([0, 0, 0, 1, 1, 2])):
            history: Json = {"type": "history"}
            if self.chance(0.7):
                history["history"] = self.rng.choice(["shallow", "deep"])
            if self.chance(0.3):
                target = self.rng.choice(list(states))
                inner = [k for k, v in (states[target].get("states") or {}).items()
                         if v.get("type") != "history"]
                history["target"] = {target: self.rng.choice(inner)} if inner and self.chance(0.4) \
                    else target
            states[f"hist{sum(k.startswith('hist') for k in states)}"] = history
        return self.decorate(node)

    def parallel(self, depth: int) -> Json:
        regions = {}
        for _ in range(self.rng.randint(2, 3)):
            if depth < MAX_DEPTH - 1 and self.chance(0.3):
                region = self.compound(depth + 1)
            else:
                region = {"initial": "a", "states": {"a": self.decorate({}), "b": self.decorate({}),
                                                     "f": {"type": "final"}}}
            regions[self.name()] = region
        return self.decorate({"type": "parallel", "states": regions})

    def decorate(self, node: Json) -> Json:
        entry, exit_ = self.plain_actions(), self.plain_actions()
        if self.chance(0.08):
            entry.append({"type": "xstate.send", "event": "R1", "delay": self.rng.choice(DELAYS)})
        if self.chance(0.04):
            exit_.append({"type": "xstate.raise", "event": NOTICE})
        if entry:
            node["entry"] = entry
        if exit_:
            node["exit"] = exit_
        if self.chance(0.3):
            node["tags"] = self.rng.sample(["busy", "idle", "x"], self.rng.choice([1, 1, 2]))
        if self.chance(0.15):
            node["after"] = {str(self.rng.choice(DELAYS)): {"actions": ["push:t"]}}
        if self.chance(0.12):
            node["invoke"] = self.invoke() if self.chance(0.8) else [self.invoke(), self.invoke()]
            named = [inv["id"] for inv in _as_list(node["invoke"]) if "id" in inv]
            if named and self.chance(0.2):  # stopped by its own state's entry actions
                node.setdefault("entry", []).append({"type": "xstate.stop", "activity": named[0]})
        return node

    def invoke(self) -> Json:
        src = self.rng.choice(SERVICES)
        out: Json = {"src": {"type": src} if self.chance(0.15) else src,
                     "onDone": {"actions": ["setFromData", "pushData"]},
                     "onError": {"actions": ["pushData"]}}
        if self.chance(0.5):
            out["id"] = self.name()
        if src == "echoData":
            out["data"] = {"n": {"$fn": "count"}}
        if self.chance(0.1):
            out["autoForward"] = True
        return out

    def children(self, depth: int) -> Json:
        count = self.rng.randint(2, 4)
        return {self.name(): self.state(depth, final_ok=i > 0) for i in range(count)}


def _state_keys(node: Json) -> list[str]:
    return [k for k, v in (node.get("states") or {}).items() if v.get("type") != "history"]


def _descendant_ids(node: Json) -> list[str]:
    out = []
    for child in (node.get("states") or {}).values():
        if "id" in child:
            out.append(child["id"])
            out += _descendant_ids(child)
    return out


class _Wiring:
    """Adds transitions once every state (and its id) exists."""

    def __init__(self, gen: _Gen, ids: list[str], parallels: list[Json]) -> None:
        self.gen = gen
        self.rng = gen.rng
        self.ids = ids
        # for multiple targets: per parallel state, the ids inside each of its regions
        self.region_ids = [[[r["id"], *_descendant_ids(r)] for r in p["states"].values()]
                           for p in parallels]

    def wire(self, node: Json, id_refs: list[str], rel_refs: list[str]) -> None:
        """``id_refs`` / ``rel_refs``: `in` guards worth testing in the handlers of ``node``'s
        children (states of other parallel regions; relative paths are only valid from the
        children of a region, whose grandparent is the parallel state)."""
        states = node.get("states") or {}
        keys = _state_keys(node)
        history = [k for k, v in states.items() if v.get("type") == "history"]
        parallel = node.get("type") == "parallel"
        for i, key in enumerate(keys):
            child = states[key]
            if child.get("type") == "final":
                continue
            child_ids, child_rel = id_refs, []
            if parallel:
                others = [k for k in keys if k != key]
                child_ids = [f"#{ref}" for k in others
                             for ref in [states[k]["id"], *_descendant_ids(states[k])]]
                child_rel = [f"{k}.{c}" for k in others for c in _state_keys(states[k])]
            on = self.handlers(child, key, states, history, [*child_ids, *rel_refs]
                               if parallel else [*id_refs, *rel_refs])
            if on:
                child["on"] = on
            later = keys[i + 1:] if not parallel else []
            self.eventless(child, later)
            self.timers(child, keys, later)
            if "states" in child and self.gen.chance(0.3):
                child["onDone"] = {"actions": ["pushEvent", "pushData"]}
                if later and self.gen.chance(0.5):
                    child["onDone"]["target"] = self.rng.choice(later)
                if self.gen.chance(0.2):
                    child["onDone"] = [{**child["onDone"], "cond": self.rng.choice(GUARDS)},
                                       {"actions": ["push:nd"]}]
            for inv in _as_list(child.get("invoke")):
                for which in ("onDone", "onError"):
                    if later and self.gen.chance(0.3):
                        inv[which]["target"] = self.rng.choice(later)
            self.wire(child, child_ids, child_rel)

    def eventless(self, child: Json, later: list[str]) -> None:
        roll = self.rng.random()
        if later and roll < 0.2:
            first: Json = {"target": self.rng.choice(later), "cond": self.rng.choice(GUARDS)}
            actions = self.gen.plain_actions()
            if actions:
                first["actions"] = actions
            if self.gen.chance(0.3):
                rest: Json = {"target": self.rng.choice(later), "cond": self.rng.choice(GUARDS)}
                child["always"] = [first, rest]
            else:
                child["always"] = first
        elif roll < 0.25:
            cond, actions = self.rng.choice(SELF_DISABLING_ALWAYS)
            child["always"] = {"cond": cond, "actions": actions}

    def timers(self, child: Json, keys: list[str], later: list[str]) -> None:
        if not self.gen.chance(0.12):
            return
        delay = str(self.rng.choice(DELAYS))
        first: Json = {"target": self.rng.choice(keys), "cond": self.rng.choice(GUARDS)}
        if self.gen.chance(0.5):
            first["actions"] = self.gen.plain_actions() or ["push:late"]
        options: list[Json] = [first]
        if self.gen.chance(0.5):
            options.append({"target": self.rng.choice(later)} if later and self.gen.chance(0.5)
                           else {"actions": ["push:t2"]})
        after = child.setdefault("after", {})
        after[delay] = options if len(options) > 1 or self.gen.chance(0.5) else first

    def handlers(self, child: Json, key: str, siblings: Json, history: list[str],
                 in_refs: list[str]) -> Json:
        on: Json = {}
        for event in self.rng.sample(EXTERNAL, self.rng.randint(0, 3)):
            on[event] = self.transition(child, key, siblings, history, self.gen.event_actions(), in_refs)
        for event in self.rng.sample(RAISED, self.rng.choice([0, 0, 1, 2])):
            on[event] = self.transition(child, key, siblings, history, self.gen.plain_actions(), in_refs)
        if self.gen.chance(0.1):
            on[NOTICE] = {"actions": self.gen.plain_actions() or ["pushEvent"]}
        if self.gen.chance(0.05):
            on["*"] = {"actions": ["pushEvent"]}
        if child.get("type") == "parallel" and self.gen.chance(0.3):
            targets = []
            for region_key in list(child["states"])[:self.rng.choice([2, 3])]:
                inner = _state_keys(child["states"][region_key])
                targets.append(f".{region_key}.{self.rng.choice(inner)}")
            on[self.rng.choice(EXTERNAL)] = {"target": targets}
        return on

    def target(self, child: Json, key: str, siblings: Json, history: list[str]) -> Json:
        t: Json = {}
        keys = [k for k, v in siblings.items() if v.get("type") != "history"]
        inner = _state_keys(child)
        roll = self.rng.random()
        if roll < 0.4:
            t["target"] = self.rng.choice([*keys, *history])
        elif roll < 0.47 and key:
            t["target"] = key  # a self transition: external unless said internal
            if self.gen.chance(0.4):
                t["internal"] = True
        elif roll < 0.55:
            deep = [f"{k}.{c}" for k in keys for c in (siblings[k].get("states") or {})]
            if deep:
                t["target"] = self.rng.choice(deep)
        elif roll < 0.65 and self.ids:
            t["target"] = "#" + self.rng.choice(self.ids)
        elif roll < 0.69 and self.region_ids:
            regions = self.rng.choice(self.region_ids)
            t["target"] = ["#" + self.rng.choice(ids) for ids in self.rng.sample(regions, 2)]
        elif roll < 0.78 and inner and child.get("type") != "parallel":
            t["target"] = "." + self.rng.choice(inner)
            if self.gen.chance(0.3):
                t["internal"] = False
        target = t.get("target")
        if isinstance(target, str) and not target.startswith(".") and target != key \
                and self.gen.chance(0.15):
            t["internal"] = True
        return t

    def transition(self, child: Json, key: str, siblings: Json, history: list[str],
                   actions: list[Any], in_refs: list[str]) -> Any:
        t = self.target(child, key, siblings, history)
        if self.gen.chance(0.35):
            t["cond"] = self.rng.choice(GUARDS)
        if in_refs and self.gen.chance(0.25):
            t["in"] = self.rng.choice(in_refs)
        elif self.gen.chance(0.08) and self.ids:
            t["in"] = "#" + self.rng.choice(self.ids)
        if actions:
            t["actions"] = actions
        if ("cond" in t or "in" in t) and self.gen.chance(0.5):
            fallback: Json = {"actions": ["push:z"]}
            if self.gen.chance(0.3):
                fallback = self.target(child, key, siblings, history) | fallback
            return [t, fallback]
        if list(t) == ["target"] and isinstance(t["target"], str) and self.gen.chance(0.5):
            return t["target"]  # the shorthand
        return t


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _assign_ids(node: Json, prefix: str, out: list[str], parallels: list[Json]) -> None:
    if node.get("type") == "parallel":
        parallels.append(node)
    for key, child in (node.get("states") or {}).items():
        if child.get("type") == "history":
            continue
        child_id = f"{prefix}_{key}"
        child["id"] = child_id
        out.append(child_id)
        _assign_ids(child, child_id, out, parallels)


def random_machine(seed: int) -> Json:
    """A random machine (the same one for the same seed)."""
    rng = random.Random(seed)
    mode = rng.random()
    predictable = mode < 0.45
    gen = _Gen(rng)
    context = {"count": rng.randint(0, 2), "flag": rng.random() < 0.5, "log": []}
    machine: Json = {"id": "m", "context": context}
    if gen.chance(0.12):
        machine.update(gen.parallel(1))  # a parallel root: regions (and root entry, after...)
    else:
        machine["states"] = gen.children(1)
        machine["initial"] = next(iter(machine["states"]))
    states = machine["states"]
    if predictable:
        machine["predictableActionArguments"] = True
    elif mode < 0.6:
        machine["preserveActionOrder"] = True
    ids: list[str] = []
    parallels: list[Json] = []
    _assign_ids(machine, "m", ids, parallels)
    wiring = _Wiring(gen, rng.sample(ids, min(4, len(ids))), parallels)
    wiring.wire(machine, [], [])
    if gen.chance(0.3):
        # the root handles some events itself (its children's handlers come first)
        root_on: Json = {}
        for event in rng.sample(EXTERNAL, rng.randint(1, 2)):
            root_on[event] = wiring.transition(machine, "", states, [], gen.plain_actions(), [])
        machine["on"] = root_on
    if gen.chance(0.2):
        machine["entry"] = gen.plain_actions() or ["push:root"]
    return machine


def random_steps(seed: int, count: int = 8) -> list[Json]:
    rng = random.Random(seed * 7919 + 1)
    steps: list[Json] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.2:
            steps.append({"advance": rng.choice([50, 100, 150, 250, 1000])})
        elif roll < 0.37:
            steps.append({"event": {"type": rng.choice(EXTERNAL), "value": rng.randint(0, 6)}})
        elif roll < 0.4:
            steps.append({"event": {"type": rng.choice(EXTERNAL), "data": rng.randint(0, 4)}})
        elif roll < 0.47:
            steps.append({"event": rng.choice([*RAISED, NOTICE, "UNKNOWN"])})
        else:
            steps.append({"event": rng.choice(EXTERNAL)})
    return steps
