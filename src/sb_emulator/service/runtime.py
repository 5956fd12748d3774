"""Delivering events to instances: one at a time per instance, then settling.

``deliver`` is the single path every event takes (client requests, timers, service results,
other instances, the HTTP API): transition with the engine, refuse a context over the limit,
persist (instance + transition + timers) atomically, then carry out the effects, publish the
new state, and keep going while ephemeral services run (API.md §7.2-7.3).
"""

from __future__ import annotations

import asyncio
import json
import traceback
from dataclasses import dataclass, field
from typing import Any

from sb_emulator.auth.authorizers import event_request
from sb_emulator.clock import RealClock
from sb_emulator.engine import (
    Effect,
    ExecuteAction,
    Log,
    StartService,
    StopService,
)
from sb_emulator.engine.macrostep import to_event
from sb_emulator.errors import ApiError, InvalidState, NotFound, SettleTimeout
from sb_emulator.machines import ServiceMeta
from sb_emulator.machines.pyoutput import LogSink, output_to
from sb_emulator.service.children import Children
from sb_emulator.service.core import EmulatorCore, Instance, instance_key
from sb_emulator.service.instance_core import Commit, Limits, SetTimer, on_event, resolve_target
from sb_emulator.service.migrations import Migrations
from sb_emulator.service.outbox import Outbox, StoredSend, sender_of
from sb_emulator.service.records import LogRecord, VersionRecord
from sb_emulator.service.timers import Timers
from sb_emulator.service.version_runtime import MachineCodeError, VersionRuntime
from sb_emulator.store.base import Change

_REAL = RealClock()
LOGS_PER_MS = 100


@dataclass
class Settling:
    """Services running for one delivery, and their results as they come in."""

    tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _results: asyncio.Queue[tuple[str, bool, Any]] | None = None

    @property
    def results(self) -> asyncio.Queue[tuple[str, bool, Any]]:
        """Made on first use: most deliveries start no service."""
        if self._results is None:
            self._results = asyncio.Queue()
        return self._results


class Runner:
    """Delivers every input to an instance: the core's commit, made durable, then carried out.

    The components it drives (``migrations``, ``timers``, ``children``) need it too, so the
    Emulator facade builds it first and gives it them once they exist."""

    migrations: Migrations
    timers: Timers
    children: Children

    def __init__(self, core: EmulatorCore) -> None:
        self.core = core
        self.log_seq = 0
        self._log_slot: tuple[int, int] = (0, 0)  # (last log timestamp, entries in it)
        self._limits = Limits(core.settings.max_context_bytes)

    # -- entry points -------------------------------------------------------------------------

    async def deliver(self, inst: Instance, event: Any, auth_context: dict[str, Any] | None, *,
                      delayed_id: str | None = None, check_paused: bool = True) -> dict[str, Any]:
        """Deliver one external event (authorized with ``auth_context`` unless None) and settle.
        Returns the wire State."""
        outbox = Outbox()
        async with inst.lock:
            self._require_live(inst)
            if check_paused and inst.status == "paused":
                raise InvalidState(f"instance {inst.name!r} is paused; set its status to running")
            ev = _event(event)
            if auth_context is not None:
                self.core.runtime_of(inst.version_id).authorize("allowWrite", event_request(
                    inst.name, inst.snapshot.value, inst.snapshot.context, ev, auth_context))
            settling = Settling()
            # (each of these awaits is skipped when it has nothing to do: this is the path of
            # every event, and a call of a coroutine function costs even when it returns at once)
            if inst.desired_version:
                self.migrations.apply_pending_upgrade(inst)
            for error_event in list(inst.pending_errors):
                inst.pending_errors.remove(error_event)
                await self._step(inst, error_event, settling, outbox)
            await self._step(inst, ev, settling, outbox, delayed_id=delayed_id)
            if settling.tasks:
                await self._settle(inst, settling, outbox)
            state = inst.wire_state()
        if outbox.messages:
            await self.children.dispatch_outbox(outbox)
        return state

    async def start_instance(self, inst: Instance, commit: Commit) -> dict[str, Any]:
        """Make a new instance's initial commit durable, carry out its effects and settle."""
        outbox = Outbox()
        async with inst.lock:
            settling = Settling()
            sends, notice = self.persist_commit(inst, commit)
            self.publish(inst)
            self._carry_out(inst, commit.effects, sends, settling, outbox)
            if notice is not None:
                outbox.add(StoredSend(inst, notice.key))
            await self._settle(inst, settling, outbox)
            state = inst.wire_state()
        await self.children.dispatch_outbox(outbox)
        return state

    async def send_to(self, sender: Instance, target: tuple[str, str], event: dict[str, Any]
                      ) -> None:
        """Deliver ``event`` from ``sender`` to the instance ``target`` (machine, name) of its
        org, authorized as coming from the sender."""
        inst = self.core.instances.get(instance_key(sender.org_id, *target))
        if inst is None:
            raise NotFound(f"no such instance {target[0]}/{target[1]}")
        await self.deliver(inst, event, sender_of(sender))

    async def deliver_to_target(self, inst: Instance, to: Any, event: dict[str, Any]) -> None:
        """A delayed event addressed to the parent or a child (its timer retries failures)."""
        target = resolve_target(inst.parent, inst.children, to)
        if target is None:
            self.add_log(inst, f"delayed event {event.get('type')!r} to {to!r} dropped: no such "
                               f"instance", "stderr")
            return
        await self.send_to(inst, target, event)

    def _require_live(self, inst: Instance) -> None:
        if self.core.instances.get(inst.key) is not inst:
            raise NotFound(f"instance {inst.name!r} of machine {inst.machine!r} does not exist")

    # -- one transition -----------------------------------------------------------------------

    async def _step(self, inst: Instance, event: dict[str, Any], settling: Settling,
                    outbox: Outbox, delayed_id: str | None = None) -> None:
        core = self.core
        version_id = inst.version_id
        try:
            commit = on_event(
                inst, core.runtime_of(version_id), event, now_ms=core.clock.now_ms(),
                selectors=self.selectors_of(version_id), limits=self._limits,
                delayed_id=delayed_id, invoke_id_at_parent=None if inst.parent is None else
                lambda: self.children.invoke_id_at_parent(inst))
        except MachineCodeError as err:
            core.note_failure(err)
            raise
        # (the runner's sequence, written out: this is the path of every event)
        sends, notice = self.persist_commit(inst, commit)
        self._carry_out(inst, commit.effects, sends, settling, outbox)
        if notice is not None:  # after the transition's own sends (a final sendParent first)
            outbox.add(StoredSend(inst, notice.key))
        self.publish(inst)

    # -- the runner: a commit made durable, then carried out ---------------------------------------

    def persist_commit(self, inst: Instance, commit: Commit
                       ) -> tuple[dict[int, Change], Change | None]:
        """Make ``commit`` durable in one store transaction, before any of its effects runs
        (API.md §7.2). Returns the timers its sends were stored as (by the position of each
        send in its effects) and that of its done notice."""
        inst.snapshot, inst.ts, inst.index_values = commit.snapshot, commit.ts, commit.index_values
        if commit.version_id is not None:
            inst.version_id, inst.desired_version = commit.version_id, None
        for line in commit.stderr:
            self.add_log(inst, line, "stderr")
        changes = [self.core.put_instance(inst), self.core.append_transition(inst, commit.transition)]
        for timer in commit.timers:
            if isinstance(timer, SetTimer):
                changes.append(self.timers.set_timer(timer.timer_id, timer.timer))
            elif (cancelled := self.timers.cancel_timer(timer.timer_id)) is not None:
                changes.append(cancelled)
        sends: dict[int, Change] = {}
        for send in commit.sends:  # (a loop: no comprehension frame on every event)
            sends[send.position] = change = self.children.store_send(inst, send.to, send.event,
                                                                     "send")
            changes.append(change)
        notice = None if commit.done_event is None else \
            self.children.store_send(inst, "#_parent", commit.done_event, "done")
        if notice is not None:
            changes.append(notice)
        self.core.persist(changes)
        return sends, notice

    @property
    def limits(self) -> Limits:
        return self._limits

    def selectors_of(self, version_id: str) -> dict[str, str]:
        version: VersionRecord | None = self.core.docs["versions"].get(version_id)
        return version.index_selectors if version is not None else {}

    def _carry_out(self, inst: Instance, effects: tuple[Effect, ...], sends: dict[int, Change],
                   settling: Settling, outbox: Outbox) -> None:
        runtime = self.core.runtime_of(inst.version_id)
        for position, effect in enumerate(effects):
            if self.children.child_effect(inst, effect, sends.get(position), outbox):
                continue
            if isinstance(effect, StartService):
                self._start_service(inst, runtime, effect, settling)
            elif isinstance(effect, StopService):
                task = settling.tasks.pop(effect.id, None)
                if task is not None:
                    task.cancel()
            elif isinstance(effect, ExecuteAction):
                self._run_action(inst, runtime, effect)
            elif isinstance(effect, Log):
                text = json.dumps(effect.value, default=str) if not isinstance(effect.value, str) \
                    else effect.value
                self.add_log(inst, f"{effect.label}: {text}" if effect.label else text, "stdout")

    # -- services and actions -------------------------------------------------------------------

    def _start_service(self, inst: Instance, runtime: VersionRuntime, effect: StartService,
                       settling: Settling) -> None:
        src = effect.src if isinstance(effect.src, str) else effect.src.get("type")
        service = runtime.service(str(src))
        if service is None:
            settling.results.put_nowait((effect.id, False, {"message": f"no service {src!r}"}))
            return
        meta = ServiceMeta(effect.data, _REAL.sleep_ms, effect.id)

        async def run() -> None:
            # this task's own sink: services running at once never see each other's output
            sink = LogSink()
            try:
                with output_to(sink):
                    result = await service(effect.context, effect.event, meta)
                settling.results.put_nowait((effect.id, True, result))
            except asyncio.CancelledError:
                raise
            except Exception as err:
                data = getattr(err, "data", None)
                settling.results.put_nowait((effect.id, False, data if data is not None else
                                             {"message": str(err), "name": type(err).__name__}))
            finally:
                if sink.text:
                    self.add_log(inst, sink.text, "stdout")

        settling.tasks[effect.id] = asyncio.get_running_loop().create_task(run())

    def _run_action(self, inst: Instance, runtime: VersionRuntime, effect: ExecuteAction
                    ) -> None:
        sink = LogSink()
        try:
            runtime.run_action(effect, sink)
        except Exception as err:
            self.core.errors.append(err)
            self.add_log(inst, f"action {effect.name!r} raised:\n{traceback.format_exc()}", "stderr")
        if sink.text:
            self.add_log(inst, sink.text, "stdout")

    async def _settle(self, inst: Instance, settling: Settling, outbox: Outbox) -> None:
        """Feed service results back until none runs; past the timeout, stop them and queue
        their error events for before the next event (API.md §7.3)."""
        deadline = asyncio.get_running_loop().time() + self.core.settings.settle_timeout_s
        while settling.tasks:
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                invoke_id, ok, data = await asyncio.wait_for(settling.results.get(), max(remaining, 0))
            except TimeoutError:
                self._cut_off(inst, settling)
                return
            if settling.tasks.pop(invoke_id, None) is None:
                continue  # stopped meanwhile: xstate drops its result
            kind = "done.invoke." if ok else "error.platform."
            await self._step(inst, {"type": kind + invoke_id, "data": data}, settling, outbox)

    def _cut_off(self, inst: Instance, settling: Settling) -> None:
        for invoke_id, task in settling.tasks.items():
            task.cancel()
            inst.pending_errors.append({"type": f"error.platform.{invoke_id}",
                                        "data": {"message": "service timed out while settling"}})
        settling.tasks.clear()
        self.core.persist([self.core.put_instance(inst)])
        if not self.core.transitions.get(inst.key):
            raise SettleTimeout("the machine did not settle in time")

    # -- logs and subscribers ---------------------------------------------------------------------

    def add_log(self, inst: Instance, text: str, output_type: str) -> None:
        self.log_seq += 1
        stamp = self._log_timestamp()
        key = f"{stamp:015d}-{self.log_seq:09d}"
        self.core.persist([self.core.put_record("logs", key, LogRecord(
            stamp, inst.org_id, inst.machine, inst.name, inst.version_id, output_type,
            text.rstrip("\n")))])

    def log_delivery_failure(self, inst: Instance, what: str, err: ApiError, *, retrying: bool,
                             attempts: int | None = None) -> None:
        """The one wording of a failed delivery of ``what`` ("event 'go' to m/i"), logged on
        ``inst`` (stderr): retried after the retry delay, or dropped (after ``attempts``)."""
        if retrying:
            text = f"{what} failed ({err.message}); retrying in {self.core.settings.retry_delay_ms} ms"
        else:
            after = f" after {attempts} failed attempts" if attempts else ""
            text = f"{what} dropped{after}: {err.message}"
        self.add_log(inst, text, "stderr")

    def _log_timestamp(self) -> int:
        """The clock's time, except that no millisecond holds more than 100 entries: the client
        pages logs by timestamp, 100 at a time, so a fuller millisecond could never be read
        whole (easily reached on a manual clock). Entries then move on to the next ms."""
        now = self.core.clock.now_ms()
        last, count = self._log_slot
        if now > last:
            self._log_slot = (now, 1)
            return now
        if count >= LOGS_PER_MS:
            self._log_slot = (last + 1, 1)
            return last + 1
        self._log_slot = (last, count + 1)
        return last

    def subscribe(self, org_id: str, machine: str, instance: str, listener: Any) -> Any:
        from sb_emulator.service.core import instance_key

        key = instance_key(org_id, machine, instance)
        self.core.listeners.setdefault(key, []).append(listener)

        def unsubscribe() -> None:
            listeners = self.core.listeners.get(key, [])
            if listener in listeners:
                listeners.remove(listener)

        return unsubscribe

    def publish(self, inst: Instance) -> None:
        listeners = self.core.listeners.get(inst.key)
        if not listeners:
            return
        update = {**inst.wire_state(), "machineName": inst.machine,
                  "machineInstanceName": inst.name}
        for listener in list(listeners):
            listener(update)


def _event(event: Any) -> dict[str, Any]:
    try:
        return to_event(event)
    except ValueError as err:
        from sb_emulator.errors import InvalidParameter

        raise InvalidParameter("event", str(err)) from err

