"""The pure instance core: one input to an instance in, one :class:`Commit` out.

One level above the engine (and any other version runtime), as h11 is one level below a
server: given what is stored of an instance, its version's runtime and an input (its
creation, an event: a client's, a timer's, another instance's, a child's ``done.invoke``),
:func:`on_create` and :func:`on_event` return everything that must become durable together
and everything to carry out afterwards. No I/O, no clock (``now_ms`` comes in), no asyncio,
nothing mutated: the runner (:mod:`sb_emulator.service.runtime`) persists the commit in one
store transaction, then carries out its effects. Machine code runs inside the runtime's
calls; its failures come out as ``MachineCodeError``, a context over the limit as
:class:`ContextTooLarge`, and nothing is committed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sb_emulator.engine import CancelEvent, ScheduleEvent, SendEvent, Snapshot
from sb_emulator.errors import BadRequest
from sb_emulator.service.core import Instance
from sb_emulator.service.payload_limits import checked_json_size
from sb_emulator.service.records import TimerRecord, TransitionRecord
from sb_emulator.service.version_runtime import Effects, VersionRuntime

INIT_EVENT = {"type": "xstate.init"}
UPGRADE_EVENT = {"type": "statebacked.upgrade"}
INSTANCE_REF = "statebacked.instance"


class ContextTooLarge(BadRequest):
    default_code = "context-too-large"


@dataclass(slots=True)
class SetTimer:
    timer_id: str
    timer: TimerRecord


@dataclass(slots=True)
class CancelTimer:
    timer_id: str


@dataclass(slots=True)
class OutgoingSend:
    """A send to another instance, stored as a timer due at once with its transition;
    ``position`` is that of its ``SendEvent`` in the commit's effects."""

    position: int
    to: dict[str, str]
    event: dict[str, Any]


@dataclass(slots=True)
class Commit:
    """What one input did to an instance."""

    snapshot: Snapshot
    ts: int
    index_values: dict[str, list[str]]
    transition: TransitionRecord
    effects: Effects  # to carry out once committed (services, actions, logs, children)
    timers: tuple[SetTimer | CancelTimer, ...]  # in effect order: a cancel then a set stands
    sends: tuple[OutgoingSend, ...]
    done_event: dict[str, Any] | None  # a child's done.invoke to its parent
    stderr: tuple[str, ...]  # log lines about the commit itself
    version_id: str | None = None  # the version the instance moves to (an upgrade)


@dataclass(slots=True)
class Limits:
    max_context_bytes: int


def on_create(runtime: VersionRuntime, key: str, name: str, parent: dict[str, str] | None,
              context: Mapping[str, Any], *, now_ms: int, selectors: Mapping[str, str],
              limits: Limits) -> Commit:
    """A new instance ``name`` (instance key ``key``) started with ``context``."""
    snapshot, effects = runtime.initial(context)
    return _commit(runtime, key, name, parent, None, snapshot, effects, INIT_EVENT, now_ms, now_ms,
                   selectors, limits, None)


def on_event(inst: Instance, runtime: VersionRuntime, event: dict[str, Any], *, now_ms: int,
             selectors: Mapping[str, str], limits: Limits, delayed_id: str | None = None,
             invoke_id_at_parent: Callable[[], str | None] | None = None) -> Commit:
    """``event`` delivered to ``inst`` (``delayed_id``: the delayed event it is).
    ``invoke_id_at_parent`` finds the invoke id of a child recorded without one, should it
    finish now."""
    snapshot, effects = runtime.transition(inst.snapshot, event, delayed_id=delayed_id)
    return _commit(runtime, inst.key, inst.name, inst.parent, inst.snapshot, snapshot, effects,
                   event, now_ms, max(now_ms, inst.ts), selectors, limits, invoke_id_at_parent,
                   inst.children)


def on_upgrade(inst: Instance, snapshot: Snapshot, version_id: str, *, now_ms: int) -> Commit:
    """``inst`` moved to ``version_id`` at ``snapshot`` (its migrations already applied, all
    or nothing); recorded as a transition caused by ``statebacked.upgrade``. Nothing runs:
    no entry actions, no timers; the index values stay until the next transition."""
    return Commit(snapshot=snapshot, ts=inst.ts, index_values=inst.index_values,
                  transition=TransitionRecord(now_ms, snapshot.value, dict(UPGRADE_EVENT)),
                  effects=(), timers=(), sends=(), done_event=None, stderr=(),
                  version_id=version_id)


def _commit(runtime: VersionRuntime, key: str, name: str, parent: dict[str, str] | None,
            before: Snapshot | None, snapshot: Snapshot, effects: Effects,
            event: dict[str, Any], now_ms: int, ts: int, selectors: Mapping[str, str],
            limits: Limits, invoke_id_at_parent: Callable[[], str | None] | None,
            children: Mapping[str, dict[str, str]] | None = None) -> Commit:
    size = checked_json_size(snapshot.context, "the context of", name)  # and its nesting
    if size > limits.max_context_bytes:
        raise ContextTooLarge(
            f"the transition would make the context of {name!r} {size} bytes; the limit is "
            f"{limits.max_context_bytes}: the event was not applied")
    timers: list[SetTimer | CancelTimer] = []
    sends: list[OutgoingSend] = []
    for position, effect in enumerate(effects):
        if isinstance(effect, ScheduleEvent):
            timers.append(SetTimer(f"{key}#{effect.send_id}", TimerRecord(
                key, effect.send_id, effect.event, now_ms + int(effect.delay_ms), effect.to)))
        elif isinstance(effect, CancelEvent):
            timers.append(CancelTimer(f"{key}#{effect.send_id}"))
        elif isinstance(effect, SendEvent):
            target = resolve_target(parent, children or {}, effect.to)
            if target is not None:  # else dropped (and logged) when carried out, or a child
                sends.append(OutgoingSend(position, {  # spawned by this very transition
                    "type": INSTANCE_REF, "machineName": target[0],
                    "machineInstanceName": target[1]}, dict(effect.event)))
    done_event: dict[str, Any] | None = None
    stderr: tuple[str, ...] = ()
    if snapshot.done and not (before is not None and before.done) and parent is not None:
        invoke_id = parent.get("invokeId") or (invoke_id_at_parent() if invoke_id_at_parent
                                               else None)
        if invoke_id is None:
            stderr = (f"done.invoke for parent {parent['machine']}/{parent['instance']} "
                      f"dropped: it no longer knows this child",)
        else:
            done_event = {"type": f"done.invoke.{invoke_id}"}
            if snapshot.output is not None:
                done_event["data"] = snapshot.output
    return Commit(snapshot=snapshot, ts=ts,
                  index_values=runtime.index_values(selectors, snapshot.context),
                  transition=TransitionRecord(now_ms, snapshot.value, event), effects=effects,
                  timers=tuple(timers), sends=tuple(sends), done_event=done_event, stderr=stderr)


def resolve_target(parent: dict[str, str] | None, children: Mapping[str, dict[str, str]],
                   to: Any) -> tuple[str, str] | None:
    """(machine, instance) a send ``to`` addresses: ``#_parent``, a child's invoke id, or an
    instance reference; None when there is no such instance to name."""
    if to == "#_parent":
        return (parent["machine"], parent["instance"]) if parent else None
    if isinstance(to, str) and to in children:
        child = children[to]
        return child["machine"], child["instance"]
    if isinstance(to, dict) and to.get("type") == INSTANCE_REF:
        return str(to["machineName"]), str(to["machineInstanceName"])
    return None

