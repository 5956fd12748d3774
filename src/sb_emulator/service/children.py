"""Persistent child instances and events between instances (API.md §7.4, §7.6).

Emulator choices, documented in the README: a send to an instance that does not exist, or that
refuses the event, is logged (stderr) on the sender and dropped; other failures are retried up
to 5 attempts (API.md §7.6).

A persistent child that reaches its top-level final state sends ``done.invoke.<invoke id>``
(``data``: the final state's done data) to its parent, as an invoked XState v4 machine does.

Events to other instances (a child's ``sendParent``, a parent's send to a child, a send to
another instance) and that done notice are stored the same way: as a timer document due at
once, in the same batch as the transition that sent them, so a crash right after the
transition loses none. Once the sender's lock is released each is sent; the timer stands as
the retry until the send is done (or finally refused), so a crash or a retryable failure leaves
it to fire again. A send to a child spawned by the same transition cannot be stored before the
child exists: it goes out without a stored timer, as before.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from sb_emulator.engine import Effect, SendEvent, StartService, StopService
from sb_emulator.errors import ApiError, NotFound, RejectedByMachineAuthorizer
from sb_emulator.service.core import EmulatorCore, Instance, instance_key
from sb_emulator.service.instance_core import INSTANCE_REF, resolve_target
from sb_emulator.service.instances import Instances
from sb_emulator.service.outbox import DirectSend, Outbox, SpawnChild, StoredSend, sender_of
from sb_emulator.service.records import TimerRecord
from sb_emulator.service.timers import Timers
from sb_emulator.store.base import Change

PERSISTENT_INVOKE = "statebacked.invoke"


class Delivery(Protocol):
    """What events between instances need of the runner."""

    async def send_to(self, sender: Instance, target: tuple[str, str], event: dict[str, Any]
                      ) -> None: ...

    def add_log(self, inst: Instance, text: str, output_type: str) -> None: ...

    def log_delivery_failure(self, inst: Instance, what: str, err: ApiError, *, retrying: bool,
                             attempts: int | None = None) -> None: ...


class Children:
    """Persistent children, and the events instances send each other."""

    def __init__(self, core: EmulatorCore, runner: Delivery, timers: Timers,
                 instance_ops: Instances) -> None:
        self.core = core
        self.runner = runner
        self.timers = timers
        self.instance_ops = instance_ops
        self._stored_sends = 0  # numbers the stored sends of this process (see store_send)

    def child_effect(self, inst: Instance, effect: Effect, stored: Change | None,
                     outbox: Outbox) -> bool:
        """Carry out ``effect`` if it concerns another instance (``stored``: the timer a send
        was stored as with its transition, if it was)."""
        if isinstance(effect, StartService) and isinstance(effect.src, dict) and \
                effect.src.get("type") == PERSISTENT_INVOKE:
            src = effect.src
            child = {"machine": src["machineName"],
                     "instance": src.get("machineInstanceName") or str(uuid.uuid4())}
            inst.children[effect.id] = child
            self.core.persist([self.core.put_instance(inst)])
            outbox.add(SpawnChild(inst, child, effect.id, src.get("machineVersionId"),
                                  effect.data or {}))
            return True
        if isinstance(effect, StopService) and effect.id in inst.children:
            return True  # persistent children outlive the state that started them
        if isinstance(effect, SendEvent):
            if stored is not None:
                outbox.add(StoredSend(inst, stored.key))
                return True
            target = self.resolve_target(inst, effect.to)
            if target is None:
                self.runner.add_log(inst, f"event {effect.event.get('type')!r} to {effect.to!r} dropped: "
                                   f"no such instance", "stderr")
            else:
                outbox.add(DirectSend(inst, target, effect.event))
            return True
        return False

    def store_send(self, inst: Instance, to: Any, event: dict[str, Any], kind: str) -> Change:
        """The timer, due at once, that carries a send (``kind`` "send") or a done notice
        ("done") from ``inst``: stored with the transition that made it."""
        due = self.core.clock.now_ms()
        # timers due the same millisecond fire in id order: ids that sort in the order the
        # sends were made keep a final state's sendParent ahead of its done notice, even
        # when both are delivered after a restart
        self._stored_sends += 1
        send_id = f"{kind}:{due:015d}.{self._stored_sends:09d}.{uuid.uuid4().hex[:8]}"
        timer_id = f"{inst.key}#out:{due:015d}.{self._stored_sends:09d}.{kind}"
        change = self.core.put_record("timers", timer_id, TimerRecord(inst.key, send_id, event, due, to))
        self.timers.push_timer(due, timer_id)
        return change

    def resolve_target(self, inst: Instance, to: Any) -> tuple[str, str] | None:
        return resolve_target(inst.parent, inst.children, to)

    async def dispatch_outbox(self, outbox: Outbox) -> None:
        for message in outbox.messages:
            if isinstance(message, SpawnChild):
                await self._spawn(message)
            elif isinstance(message, StoredSend):
                await self._send_stored(message.sender, message.timer_id)
            else:
                await self._send(message.sender, message.target, message.event)

    async def _spawn(self, message: SpawnChild) -> None:
        parent, child, invoke_id = message.parent, message.child, message.invoke_id
        try:
            await self.instance_ops.create_instance(
                parent.org_id, child["machine"], child["instance"], message.context,
                message.version, sender_of(parent),
                parent={"machine": parent.machine, "instance": parent.name, "invokeId": invoke_id})
        except ApiError as err:
            self.runner.add_log(parent, f"could not create child {child['machine']}/"
                                 f"{child['instance']}: {err.message}", "stderr")

    async def _send(self, sender: Instance, target: tuple[str, str], event: dict[str, Any]) -> None:
        """Deliver to another instance. A missing target or a refusal by its authorizer is
        final (logged on the sender); any other failure (a paused target, failing machine code)
        is retried through a durable timer, like delayed events, up to 5 attempts in all."""
        try:
            await self.runner.send_to(sender, target, event)
        except (NotFound, RejectedByMachineAuthorizer) as err:
            self.runner.log_delivery_failure(sender, _what(event, f"{target[0]}/{target[1]}"), err,
                                      retrying=False)
        except ApiError as err:
            self.runner.log_delivery_failure(sender, _what(event, f"{target[0]}/{target[1]}"), err,
                                      retrying=True)
            self._schedule_retry(sender, target, event)

    # -- a persistent child's done notice -------------------------------------------------------

    def invoke_id_at_parent(self, inst: Instance) -> str | None:
        """The invoke id of a child recorded before parents were given it, from the parent."""
        assert inst.parent is not None
        parent = self.core.instances.get(instance_key(inst.org_id, inst.parent["machine"],
                                                 inst.parent["instance"]))
        me = {"machine": inst.machine, "instance": inst.name}
        return next((invoke_id for invoke_id, child in (parent.children if parent else {}).items()
                     if child == me), None)

    async def _send_stored(self, sender: Instance, timer_id: str) -> None:
        """First attempt at a stored send (or done notice). Before it, the timer moves to the
        retry time (with the attempt counted), so a crash or a retryable failure leaves it to
        fire again; a delivery or a final refusal removes it."""
        timer: TimerRecord | None = self.core.docs["timers"].get(timer_id)
        if timer is None:
            return  # the timer loop got to it first
        due = self.core.clock.now_ms() + self.core.settings.retry_delay_ms
        self.core.persist([self.core.put_record("timers", timer_id, timer.retried(due, timer.attempts + 1))])
        self.timers.push_timer(due, timer_id)
        event = timer.event
        target = self.resolve_target(sender, timer.to)
        where = "the parent" if timer.to == "#_parent" else \
            f"{target[0]}/{target[1]}" if target else repr(timer.to)
        try:
            if target is None:
                raise NotFound("the child has no parent" if timer.to == "#_parent"
                               else "no such instance")
            await self.runner.send_to(sender, target, event)
        except (NotFound, RejectedByMachineAuthorizer) as err:
            self.runner.log_delivery_failure(sender, _what(event, where), err, retrying=False)
        except ApiError as err:
            self.runner.log_delivery_failure(sender, _what(event, where), err, retrying=True)
            return
        self.core.persist([self.core.delete("timers", timer_id)])

    def _schedule_retry(self, sender: Instance, target: tuple[str, str], event: dict[str, Any]
                        ) -> None:
        send_id = f"retry:{uuid.uuid4()}"
        due = self.core.clock.now_ms() + self.core.settings.retry_delay_ms
        to = {"type": INSTANCE_REF, "machineName": target[0], "machineInstanceName": target[1]}
        timer_id = f"{sender.key}#{send_id}"
        self.core.persist([self.core.put_record("timers", timer_id,
                                      TimerRecord(sender.key, send_id, event, due, to, 1))])
        self.timers.push_timer(due, timer_id)


def _what(event: dict[str, Any], where: str) -> str:
    return f"event {event.get('type')!r} to {where}"
